//! Gradient boosting against exact answers on synthetic problems.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use scalebridge_ml::eval::{coverage, r2};
use scalebridge_ml::gbm::{GbmParams, GbmRegressor};
use scalebridge_ml::Matrix;

fn normal(rng: &mut StdRng) -> f64 {
    let u: f64 = rng.random::<f64>().max(1e-300);
    let v: f64 = rng.random();
    (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
}

fn exact_params() -> GbmParams {
    GbmParams {
        n_estimators: 1,
        learning_rate: 1.0,
        num_leaves: 2,
        min_data_in_leaf: 1,
        feature_fraction: 1.0,
        bagging_fraction: 1.0,
        early_stopping_rounds: 0,
        validation_fraction: 0.0,
        uncertainty: false,
        ..GbmParams::default()
    }
}

#[test]
fn one_split_is_the_exact_least_squares_stump() {
    // y = 1 for x > 0.5 else 3 (plus an irrelevant feature): one tree with two leaves and
    // learning rate 1 must reproduce the group means exactly.
    let n = 100;
    let mut data = Vec::new();
    let mut y = Vec::new();
    for i in 0..n {
        let x = i as f64 / n as f64;
        data.extend([x, (i * 7 % 13) as f64]);
        y.push(if x > 0.5 { 1.0 } else { 3.0 });
    }
    let x = Matrix::new(n, 2, data).unwrap();
    let m = GbmRegressor::fit(&x, &y, &exact_params()).unwrap();
    assert_eq!(m.n_trees(), 1);
    let t = &m.mean.trees[0];
    assert_eq!(t.nodes.len(), 1);
    assert_eq!(t.nodes[0].feature, 0);
    assert!(t.nodes[0].threshold > 0.5 && t.nodes[0].threshold < 0.52);
    let p = m.predict(&x).unwrap();
    for (a, b) in p.iter().zip(&y) {
        assert!((a - b).abs() < 1e-12, "{a} vs {b}");
    }
}

#[test]
fn l2_regularised_leaf_value_is_shrunk_sum() {
    // constant target 2, mean init = 2 => zero gradients; use targets 0/1 to check -G/(n+lambda)
    let x = Matrix::new(40, 1, (0..40).map(|i| i as f64).collect()).unwrap();
    let y: Vec<f64> = (0..40).map(|i| if i < 20 { 0.0 } else { 1.0 }).collect();
    let lambda = 5.0;
    let m = GbmRegressor::fit(&x, &y, &GbmParams { lambda_l2: lambda, ..exact_params() }).unwrap();
    // init 0.5; right leaf gradients pred - y = -0.5 each: value = 10 / (20 + 5) = 0.4
    let p = m.predict(&Matrix::new(2, 1, vec![0.0, 39.0]).unwrap()).unwrap();
    assert!((p[0] - 0.1).abs() < 1e-12 && (p[1] - 0.9).abs() < 1e-12, "{p:?}");
}

#[test]
fn missing_values_follow_the_learned_default_direction() {
    // rows with NaN have the high target: they must be routed with the high side.
    let n = 90;
    let mut data = Vec::new();
    let mut y = Vec::new();
    for i in 0..n {
        if i % 3 == 0 {
            data.push(f64::NAN);
            y.push(10.0);
        } else {
            let x = i as f64;
            data.push(x);
            y.push(if x > 45.0 { 10.0 } else { 0.0 });
        }
    }
    let x = Matrix::new(n, 1, data).unwrap();
    let m = GbmRegressor::fit(&x, &y, &GbmParams { num_leaves: 3, ..exact_params() }).unwrap();
    let p = m.predict(&Matrix::new(3, 1, vec![f64::NAN, 10.0, 80.0]).unwrap()).unwrap();
    assert!((p[0] - 10.0).abs() < 1e-9 && (p[1]).abs() < 1e-9 && (p[2] - 10.0).abs() < 1e-9, "{p:?}");
}

#[test]
fn friedman1_is_learned_and_sigma_is_calibrated() {
    // Friedman #1 (as sklearn.datasets.make_friedman1) with heteroscedastic noise.
    let mut rng = StdRng::seed_from_u64(7);
    let gen = |rng: &mut StdRng, n: usize| {
        let mut d = Vec::new();
        let mut y = Vec::new();
        let mut f = Vec::new();
        for _ in 0..n {
            let v: Vec<f64> = (0..8).map(|_| rng.random::<f64>()).collect();
            let fx = 10.0 * (std::f64::consts::PI * v[0] * v[1]).sin()
                + 20.0 * (v[2] - 0.5).powi(2)
                + 10.0 * v[3]
                + 5.0 * v[4];
            let sigma = 0.5 + 2.0 * v[0];
            y.push(fx + sigma * normal(rng));
            f.push(fx);
            d.extend(v);
        }
        (Matrix::new(n, 8, d).unwrap(), y, f)
    };
    let (xt, yt, _) = gen(&mut rng, 4000);
    let (xv, yv, fv) = gen(&mut rng, 2000);
    let m = GbmRegressor::fit(&xt, &yt, &GbmParams::default()).unwrap();
    let (mu, sd) = m.predict_with_std(&xv).unwrap();
    // noiseless R² against the true function
    let r = r2(&fv, &mu);
    assert!(r > 0.93, "R² vs f = {r}");
    let c1 = coverage(&yv, &mu, &sd, 1.0);
    assert!((c1 - 0.683).abs() < 0.05, "coverage {c1}");
    // σ tracks the true noise: mean σ for v0 < 0.3 smaller than for v0 > 0.7
    let (mut lo, mut hi, mut nl, mut nh) = (0.0, 0.0, 0.0, 0.0);
    for i in 0..xv.n_rows {
        if xv.get(i, 0) < 0.3 {
            lo += sd[i];
            nl += 1.0;
        } else if xv.get(i, 0) > 0.7 {
            hi += sd[i];
            nh += 1.0;
        }
    }
    assert!(hi / nh > 1.5 * lo / nl, "σ low {} high {}", lo / nl, hi / nh);
    // batch (flattened, lane-interleaved) prediction equals the plain per-row traversal,
    // also with missing values and a row count that is not a multiple of the lane width
    let mut xn = xv.select_rows(&(0..203).collect::<Vec<_>>());
    for (k, v) in xn.data.iter_mut().enumerate() {
        if k % 11 == 0 {
            *v = f64::NAN;
        }
    }
    let batch = m.mean.predict(&xn);
    for i in 0..xn.n_rows {
        assert!((batch[i] - m.mean.predict_row(xn.row(i))).abs() < 1e-9);
    }
    // serde round trip predicts identically
    let s = serde_json::to_string(&m).unwrap();
    let m2: GbmRegressor = serde_json::from_str(&s).unwrap();
    assert_eq!(m2.predict(&xv).unwrap(), mu);
}

#[test]
fn bad_inputs_are_errors() {
    let x = Matrix::new(50, 1, (0..50).map(|i| i as f64).collect()).unwrap();
    let mut y: Vec<f64> = (0..50).map(|i| i as f64).collect();
    assert!(GbmRegressor::fit(&x, &y[..10], &GbmParams::default()).is_err());
    y[3] = f64::NAN;
    assert!(GbmRegressor::fit(&x, &y, &GbmParams::default()).is_err());
    y[3] = 1.0;
    let bad = GbmParams { learning_rate: -1.0, ..GbmParams::default() };
    assert!(GbmRegressor::fit(&x, &y, &bad).is_err());
    let m = GbmRegressor::fit(&x, &y, &exact_params()).unwrap();
    assert!(m.predict(&Matrix::new(1, 2, vec![1.0, 2.0]).unwrap()).is_err());
    assert!(m.predict(&Matrix::new(1, 1, vec![f64::INFINITY]).unwrap()).is_err());
    // a corrupted model file is rejected by the structural check instead of panicking later
    let mut bad = m.clone();
    bad.mean.trees[0].nodes[0].left = 7;
    assert!(bad.check_structure().is_err());
    let mut bad = m.clone();
    bad.mean.trees[0].nodes[0].feature = 3;
    assert!(bad.check_structure().is_err());
    assert!(m.check_structure().is_ok());
}
