//! Unit tests of the DNN: shapes, learning, early stopping, persistence, multi-task, bad input.

use super::net::{FusionNet, NetConfig};
use super::train::{init_net, predict_net, train_member, weighted_loss, Loss, Prepared};
use super::*;
use burn::tensor::Tensor;
use rand::Rng;

fn small_params() -> DnnParams {
    DnnParams {
        d_model: 16,
        n_heads: 2,
        n_layers: 1,
        d_ff: 32,
        d_latent: 16,
        max_epochs: 40,
        patience: 10,
        n_members: 2,
        batch_size: 32,
        warmup_epochs: 2,
        decay_every_epochs: 20,
        learning_rate: 3e-3,
        dropout: 0.0,
        ..DnnParams::default()
    }
}

/// y = sin(2 a) · c + d² − b·e (+ noise), five features at three scales.
fn synthetic(n: usize, noise: f64, seed: u64) -> (Matrix, Vec<f64>, Vec<String>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut data = Vec::with_capacity(n * 5);
    let mut y = Vec::with_capacity(n);
    for _ in 0..n {
        let v: Vec<f64> = (0..5).map(|_| rng.random_range(-1.5..1.5)).collect();
        y.push((2.0 * v[0]).sin() * v[2] + v[3] * v[3] - v[1] * v[4] + noise * rng.random_range(-1.0..1.0));
        data.extend(v);
    }
    let names = ["atom_a", "atom_b", "meso_c", "cont_d", "cont_e"].iter().map(|s| s.to_string()).collect();
    (Matrix::new(n, 5, data).unwrap(), y, names)
}

fn config(widths: Vec<usize>, scale_ids: Vec<usize>, k: usize) -> NetConfig {
    NetConfig {
        token_widths: widths,
        scale_ids,
        n_scales: Scale::COUNT,
        d_model: 16,
        n_heads: 2,
        n_layers: 1,
        d_ff: 32,
        d_latent: 8,
        n_targets: k,
        dropout: 0.0,
        se_reduction: 4,
        use_se: true,
        use_cross_attention: true,
    }
}

#[test]
fn forward_shapes() {
    let c = config(vec![2, 1, 3], vec![0, 1, 2], 3);
    let dev = cpu();
    let net = FusionNet::new(&c, &dev);
    let out = net.forward(&c, Tensor::zeros([7, 6], &dev), true);
    assert_eq!(out.pred.dims(), [7, 3]);
    assert_eq!(out.scale_latents.len(), 3);
    assert!(out.scale_latents.iter().all(|z| z.dims() == [7, 8]));
    // one scale only: no bridge views
    let c1 = config(vec![2, 4], vec![3, 3], 1);
    let net = FusionNet::new(&c1, &dev);
    let out = net.forward(&c1, Tensor::zeros([5, 6], &dev), true);
    assert_eq!(out.pred.dims(), [5, 1]);
    assert!(out.scale_latents.is_empty());
    // seeded initialisation is reproducible
    let a = predict_net(&init_net(&c, 3, &dev), &c, &[0.5; 12], 6, &dev).unwrap();
    let b = predict_net(&init_net(&c, 3, &dev), &c, &[0.5; 12], 6, &dev).unwrap();
    let other = predict_net(&init_net(&c, 4, &dev), &c, &[0.5; 12], 6, &dev).unwrap();
    assert_eq!(a, b);
    assert_ne!(a, other);
}

fn prepared(n_tr: usize, n_va: usize, noise: f64) -> (Prepared, NetConfig) {
    let (x, y, _) = synthetic(n_tr + n_va, noise, 1);
    let f = |r: std::ops::Range<usize>| -> (Vec<f32>, Vec<f32>) {
        (x.data[r.start * 5..r.end * 5].iter().map(|v| *v as f32).collect(), y[r].iter().map(|v| *v as f32).collect())
    };
    let (x_tr, y_tr) = f(0..n_tr);
    let (x_va, y_va) = f(n_tr..n_tr + n_va);
    let p = Prepared {
        d: 5,
        k: 1,
        m_tr: vec![1.0; n_tr],
        m_va: vec![1.0; n_va],
        x_tr,
        y_tr,
        x_va,
        y_va,
        task_w: vec![1.0],
    };
    (p, config(vec![2, 1, 2], vec![0, 1, 2], 1))
}

#[test]
fn training_reduces_the_loss() {
    let (data, c) = prepared(300, 60, 0.0);
    let p = DnnParams { max_epochs: 30, patience: 30, loss: Loss::Mse, ..small_params() };
    let (net, info) = train_member(&c, &p, &data, 0).unwrap();
    let first = info.train_loss[0];
    let best_val = info.val_loss.iter().copied().fold(f64::INFINITY, f64::min);
    assert!(info.train_loss.last().unwrap() < &(0.3 * first), "{:?}", info.train_loss);
    assert!(best_val < 0.3 * info.val_loss[0], "{:?}", info.val_loss);
    // the returned network is the one that gave the best validation loss
    let pv = predict_net(&net, &c, &data.x_va, 5, &cpu()).unwrap();
    let vl = weighted_loss(p.loss, &pv, &data.y_va, &data.m_va, &data.task_w);
    assert!((vl - best_val).abs() <= 1e-9 * best_val.max(1.0), "{vl} vs {best_val}");
}

#[test]
fn early_stopping_restores_best_weights() {
    // few noisy rows and a large learning rate: the validation loss turns up and training stops
    let (data, c) = prepared(40, 40, 1.0);
    let p = DnnParams { max_epochs: 400, patience: 8, loss: Loss::Huber { delta: 1.0 }, learning_rate: 0.02, warmup_epochs: 1, weight_decay: 0.0, ..small_params() };
    let (net, info) = train_member(&c, &p, &data, 5).unwrap();
    assert!(info.epochs_run < p.max_epochs, "did not stop early: {}", info.epochs_run);
    assert_eq!(info.epochs_run, info.best_epoch + p.patience);
    let best = info.val_loss[info.best_epoch - 1];
    assert!(info.val_loss.iter().all(|v| *v >= best));
    assert!(info.val_loss.last().unwrap() > &best);
    let pv = predict_net(&net, &c, &data.x_va, 5, &cpu()).unwrap();
    let vl = weighted_loss(p.loss, &pv, &data.y_va, &data.m_va, &data.task_w);
    assert!((vl - best).abs() <= 1e-9 * best.max(1.0), "restored {vl}, best {best}, last {:?}", info.val_loss.last());
}

#[test]
fn save_load_round_trip_and_calibrated_sigma() {
    let (x, y, names) = synthetic(400, 0.1, 2);
    let p = DnnParams { feature_names: Some(names), bridge_weight: 0.1, ..small_params() };
    let m = DnnRegressor::fit(&x, &y, &p).unwrap();
    assert_eq!(m.layout.n_tokens(), 3);
    assert_eq!(m.members.len(), 2);
    assert!(m.std_scale[0].is_finite() && m.std_scale[0] > 0.0);
    let (xt, yt, _) = synthetic(300, 0.1, 3);
    let (mu, sd) = m.predict_with_std(&xt).unwrap();
    let json = serde_json::to_string(&m).unwrap();
    let back: DnnRegressor = serde_json::from_str(&json).unwrap();
    let (mu2, sd2) = back.predict_with_std(&xt).unwrap();
    assert_eq!(mu, mu2);
    assert_eq!(sd, sd2);
    // better than the mean predictor by far
    let ym = yt.iter().sum::<f64>() / yt.len() as f64;
    let dummy = crate::eval::mae(&yt, &vec![ym; yt.len()]);
    let err = crate::eval::mae(&yt, &mu);
    assert!(err < 0.5 * dummy, "DNN MAE {err} vs dummy {dummy}");
    // corrupted weights: an error, not a panic
    let bad = json.replacen("\"weights\":[\"", "\"weights\":[\"AAAA", 1);
    assert!(serde_json::from_str::<DnnRegressor>(&bad).is_err());
}

#[test]
fn multi_task_with_missing_targets() {
    let (x, y, names) = synthetic(300, 0.0, 4);
    let mut rng = StdRng::seed_from_u64(9);
    let mut yy = Vec::new();
    for (r, v) in y.iter().enumerate() {
        let second = 2.0 * x.get(r, 3) - x.get(r, 0);
        yy.push(if rng.random::<f64>() < 0.2 { f64::NAN } else { *v });
        yy.push(if yy.last().is_some_and(|a| a.is_nan()) { second } else if rng.random::<f64>() < 0.2 { f64::NAN } else { second });
    }
    let ym = Matrix::new(300, 2, yy).unwrap();
    // standardised inputs (ple_bins 0) here, so that path stays covered; the other fits use the
    // default piecewise-linear encoding
    let p = DnnParams { feature_names: Some(names), task_weights: Some(vec![1.0, 0.5]), n_members: 1, ple_bins: 0, ..small_params() };
    let m = DnnRegressor::fit_multi(&x, &ym, &p).unwrap();
    let (xt, yt, _) = synthetic(200, 0.0, 5);
    let (mu, sd) = m.predict_multi(&xt).unwrap();
    assert_eq!(mu.len(), 400);
    assert!(sd.iter().all(|s| s.is_nan()), "one member: no σ");
    let t2: Vec<f64> = (0..200).map(|r| 2.0 * xt.get(r, 3) - xt.get(r, 0)).collect();
    let p1: Vec<f64> = mu.iter().step_by(2).copied().collect();
    let p2: Vec<f64> = mu.iter().skip(1).step_by(2).copied().collect();
    assert!(crate::eval::r2(&yt, &p1) > 0.5, "task 1 R² {}", crate::eval::r2(&yt, &p1));
    assert!(crate::eval::r2(&t2, &p2) > 0.8, "task 2 R² {}", crate::eval::r2(&t2, &p2));
}

#[test]
fn bad_input_is_an_error() {
    let (mut x, y, _) = synthetic(50, 0.0, 6);
    let p = DnnParams { impute_missing: false, max_epochs: 1, ..small_params() };
    let mut yb = y.clone();
    yb[3] = f64::NAN;
    assert!(matches!(DnnRegressor::fit(&x, &yb, &p), Err(MlError::NonFinite { .. })));
    x.data[7] = f64::NAN;
    let e = DnnRegressor::fit(&x, &y, &p).unwrap_err();
    assert!(e.to_string().contains("row 1, column 2"), "{e}");
    x.data[7] = f64::INFINITY;
    assert!(DnnRegressor::fit(&x, &y, &DnnParams { max_epochs: 1, ..small_params() }).is_err());
    assert!(DnnRegressor::fit(&x, &y[..10], &p).is_err());
    let bad_heads = DnnParams { n_heads: 3, ..small_params() };
    assert!(DnnRegressor::fit(&x, &y, &bad_heads).is_err());
    let (x2, _, _) = synthetic(5, 0.0, 6);
    assert!(matches!(DnnRegressor::fit(&x2, &y[..5], &small_params()), Err(MlError::NotEnoughData { .. })));
}

#[test]
fn fast_inference_matches_burn_forward() {
    // every fusion-module switch, two encoder layers, more rows than one inference block
    let mut rng = StdRng::seed_from_u64(11);
    let x: Vec<f32> = (0..600 * 6).map(|_| rng.random_range(-2.0f32..2.0)).collect();
    // head width 8 (the specialised attention path) and 4 (the generic one)
    for (se, cross, heads) in [(true, true, 2), (false, true, 2), (true, false, 2), (false, false, 2), (true, true, 4)] {
        let c = NetConfig { n_layers: 2, n_heads: heads, use_se: se, use_cross_attention: cross, ..config(vec![2, 1, 3], vec![0, 1, 2], 2) };
        let dev = cpu();
        let net = init_net(&c, 7, &dev);
        let reference = predict_net(&net, &c, &x, 6, &dev).unwrap();
        let fast = super::infer::FastNet::from_burn(&net, &c).unwrap().forward(&x);
        assert_eq!(fast.len(), reference.len());
        let scale = reference.iter().fold(0f32, |m, v| m.max(v.abs()));
        let err = fast.iter().zip(&reference).fold(0f32, |m, (a, b)| m.max((a - b).abs()));
        assert!(scale > 1e-2 && err <= 2e-5 * scale.max(1.0), "se {se} cross {cross}: max |Δ| {err} (scale {scale})");
    }
    // a trained network (weights far from initialisation)
    let (data, c) = prepared(200, 40, 0.0);
    let (net, _) = train_member(&c, &DnnParams { max_epochs: 15, ..small_params() }, &data, 1).unwrap();
    let reference = predict_net(&net, &c, &data.x_va, 5, &cpu()).unwrap();
    let fast = super::infer::FastNet::from_burn(&net, &c).unwrap().forward(&data.x_va);
    let err = fast.iter().zip(&reference).fold(0f32, |m, (a, b)| m.max((a - b).abs()));
    assert!(err <= 2e-5, "trained net: max |Δ| {err}");
}

#[test]
fn piecewise_linear_codes_match_burn_on_the_encoded_rows() {
    // the table look-up embedding (codes) against burn's forward on the explicit encoding, on
    // rows that fall below, inside, on and above the training bin edges, and NaN
    let (x, y, names) = synthetic(300, 0.05, 12);
    let p = DnnParams { feature_names: Some(names), max_epochs: 10, ple_bins: 6, impute_missing: true, ..small_params() };
    let m = DnnRegressor::fit(&x, &y, &p).unwrap();
    let ple = m.ple.as_ref().expect("default encoding");
    assert!(m.net_config.token_widths.iter().sum::<usize>() > 5 * 4, "encoded widths {:?}", m.net_config.token_widths);
    let (mut xt, _, _) = synthetic(150, 0.0, 13);
    for (i, v) in xt.data.iter_mut().enumerate().take(40) {
        *v = match i % 4 {
            0 => -9.0,
            1 => 9.0,
            2 => ple.edges[i % 5][1],
            _ => f64::NAN,
        };
    }
    let enc = m.inputs(&xt, 0..xt.n_rows);
    let d_in: usize = m.net_config.token_widths.iter().sum();
    let (mu, _) = m.predict_multi(&xt).unwrap();
    let mut reference = vec![0.0f64; xt.n_rows];
    for net in &m.nets {
        let r = predict_net(net, &m.net_config, &enc, d_in, &cpu()).unwrap();
        reference.iter_mut().zip(r).for_each(|(a, v)| *a += f64::from(v) * m.y_scale[0] + m.y_mean[0]);
    }
    reference.iter_mut().for_each(|a| *a /= m.nets.len() as f64);
    let err = mu.iter().zip(&reference).fold(0f64, |e, (a, b)| e.max((a - b).abs()));
    assert!(err <= 2e-5 * m.y_scale[0], "max |Δ| {err}");
    // and the model round-trips through JSON with its encoding
    let back: DnnRegressor = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
    assert_eq!(back.predict(&xt).unwrap(), m.predict(&xt).unwrap());
}

/// Throughput of the inference path alone (run with `--ignored --nocapture`).
#[test]
#[ignore]
fn fast_inference_throughput() {
    use rayon::prelude::*;
    let c = NetConfig { d_model: 32, n_heads: 4, n_layers: 2, d_ff: 64, d_latent: 32, ..config(vec![30; 7], vec![0, 0, 1, 1, 2, 2, 3], 1) };
    let nets: Vec<_> = (0..4).map(|s| super::infer::FastNet::from_burn(&init_net(&c, s, &cpu()), &c).unwrap()).collect();
    let n = 200_000;
    let x: Vec<f32> = (0..n * 210).map(|i| ((i % 97) as f32 * 0.1).sin()).collect();
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let out: Vec<f32> = x.par_chunks(1024 * 210).flat_map(|ch| nets.iter().flat_map(|m| m.forward(ch)).collect::<Vec<_>>()).collect();
        let dt = t.elapsed().as_secs_f64();
        eprintln!("{} rows x 4 members: {:.3e} pred/s ({} outputs)", n, n as f64 / dt, out.len());
    }
}

/// Throughput of the piecewise-linear path: codes once per block, table look-up embedding per
/// member (run with `--ignored --nocapture`).
#[test]
#[ignore]
fn fast_inference_throughput_piecewise_linear() {
    use rayon::prelude::*;
    let (n_train, nf) = (400, 216);
    let mut rng = StdRng::seed_from_u64(3);
    let xs: Vec<f64> = (0..n_train * nf).map(|_| rng.random_range(-1.0..1.0)).collect();
    let x = Matrix::new(n_train, nf, xs).unwrap();
    let y: Vec<f64> = (0..n_train).map(|r| x.get(r, 0) + x.get(r, 7)).collect();
    let m = DnnRegressor::fit(&x, &y, &DnnParams { max_epochs: 1, d_model: 32, n_heads: 4, n_layers: 2, d_ff: 64, d_latent: 32, ..DnnParams::default() }).unwrap();
    let n = 200_000;
    let rows: Vec<f64> = (0..n).flat_map(|r| x.row(r % n_train).to_vec()).collect();
    let big = Matrix::new(n, nf, rows).unwrap();
    let coder = super::infer::PleCoder::new(m.ple.as_ref().unwrap(), &m.layout);
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let codes: Vec<_> = (0..n).step_by(1024).collect::<Vec<_>>().into_par_iter().map(|r| super::infer::PleCodes::new(&coder, &big, r..(r + 1024).min(n))).collect();
        let t_codes = t.elapsed().as_secs_f64();
        let t = std::time::Instant::now();
        let out: usize = codes.par_iter().map(|c| m.fast.iter().map(|f| f.forward_codes(c).len()).sum::<usize>()).sum();
        let t_fwd = t.elapsed().as_secs_f64();
        let t = std::time::Instant::now();
        let p = m.predict(&big).unwrap();
        let t_all = t.elapsed().as_secs_f64();
        eprintln!("{n} rows x {} members: codes {:.3} s, forward {:.3} s ({out}), predict {:.3e} pred/s ({})", m.fast.len(), t_codes, t_fwd, n as f64 / t_all, p.len());
    }
}
