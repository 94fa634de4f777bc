//! The cross-scale bridge residual of a fitted network: how far the per-scale latent views
//! (each scale's tokens pooled and projected as the fused token is) lie from their mean. The
//! training loss adds `bridge_weight ×` this quantity (on the training batches) when
//! `bridge_weight > 0` (`train.rs`); [`DnnRegressor::bridge_residual`] measures it on any rows,
//! so that a fit with the term can be compared with one without.

use super::{cpu, DnnRegressor};
use crate::data::Matrix;
use crate::error::{MlError, Result};
use burn::tensor::{Tensor, TensorData};

/// The bridge residual of one batch from the per-scale latent views `z_s` (B × d_latent each,
/// [`super::net::NetOutput::scale_latents`]): mean over scales, rows and latent components of
/// `(z_s − z̄)²`, `z̄` the mean over the scales. `None` with fewer than two views. The training
/// loss adds `bridge_weight ×` this ([`super::train::batch_loss`]); [`DnnRegressor::bridge_residual`]
/// evaluates it on any rows.
pub fn bridge_penalty(scale_latents: Vec<Tensor<2>>) -> Option<Tensor<1>> {
    if scale_latents.len() < 2 {
        return None;
    }
    let z: Tensor<3> = Tensor::stack(scale_latents, 0);
    let zbar = z.clone().mean_dim(0);
    Some((z - zbar).powi_scalar(2).mean())
}

impl DnnRegressor {
    /// Mean over the members, rows, scales and latent components of `(z_s − z̄)²`, with `z_s`
    /// the latent view of scale `s` and `z̄` the mean over the scales: the quantity the bridge
    /// term of the loss penalises. `None` when the layout has fewer than two scales (no views).
    pub fn bridge_residual(&self, x: &Matrix) -> Result<Option<f64>> {
        Self::check_x(x, self.n_features, self.params.impute_missing)?;
        let c = &self.net_config;
        let d: usize = c.token_widths.iter().sum();
        let dev = cpu();
        let (mut sum, mut count) = (0.0f64, 0usize);
        const BLOCK: usize = 1024;
        for start in (0..x.n_rows).step_by(BLOCK) {
            let rows = start..(start + BLOCK).min(x.n_rows);
            let b = rows.len();
            let input = self.inputs(x, rows);
            for net in &self.nets {
                let xt: Tensor<2> = Tensor::from_data(TensorData::new(input.clone(), [b, d]), &dev);
                let out = net.forward(c, xt, true);
                let Some(r) = bridge_penalty(out.scale_latents) else {
                    return Ok(None);
                };
                let v = r.into_data().try_into_vec_as::<f32>().map_err(|e| MlError::Numerical { what: "bridge residual".into(), reason: format!("{e:?}") })?;
                sum += f64::from(v[0]) * b as f64;
                count += b;
            }
        }
        Ok((count > 0).then(|| sum / count as f64))
    }
}

#[cfg(test)]
mod tests {
    use super::super::{DnnParams, DnnRegressor};
    use crate::data::Matrix;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    /// Two targets from features at three scales (name prefixes atom_, meso_, cont_).
    fn data(n: usize, seed: u64) -> (Matrix, Matrix, Vec<String>) {
        let mut rng = StdRng::seed_from_u64(seed);
        let (mut x, mut y) = (Vec::new(), Vec::new());
        for _ in 0..n {
            let v: Vec<f64> = (0..5).map(|_| rng.random_range(-1.5..1.5)).collect();
            y.push((2.0 * v[0]).sin() * v[2] + v[3] * v[3] - v[1] * v[4]);
            y.push(2.0 * v[3] - v[0]);
            x.extend(v);
        }
        let names = ["atom_a", "atom_b", "meso_c", "cont_d", "cont_e"].iter().map(|s| s.to_string()).collect();
        (Matrix::new(n, 5, x).unwrap(), Matrix::new(n, 2, y).unwrap(), names)
    }

    /// The bridge term is `bridge_weight ×` the residual of the batch, added to the prediction
    /// loss: it changes the loss and the gradients, and is absent (bit-identical loss) at 0.
    #[test]
    fn the_bridge_term_enters_the_loss_and_its_gradients() {
        use super::super::net::NetConfig;
        use super::super::train::{batch_loss, init_net, weighted_loss};
        use super::bridge_penalty;
        use burn::tensor::{Tensor, TensorData};
        let c = NetConfig {
            token_widths: vec![2, 3],
            scale_ids: vec![0, 2],
            n_scales: 5,
            d_model: 8,
            n_heads: 2,
            n_layers: 1,
            d_ff: 16,
            d_latent: 8,
            n_targets: 2,
            dropout: 0.0,
            se_reduction: 4,
            use_se: true,
            use_cross_attention: true,
        };
        let dev = super::super::cpu_autodiff();
        let net = init_net(&c, 3, &dev);
        let b = 6;
        let x: Vec<f32> = (0..b * 5).map(|i| ((i * 7 % 11) as f32) / 5.0 - 1.0).collect();
        let y: Vec<f32> = (0..b * 2).map(|i| ((i * 5 % 7) as f32) / 3.0 - 1.0).collect();
        // row 1's second target and row 4's first are missing
        let m: Vec<f32> = (0..b * 2).map(|i| if i == 3 || i == 8 { 0.0 } else { 1.0 }).collect();
        let w = vec![0.5f32, 0.5];
        let t = |v: Vec<f32>, r: usize, k: usize| Tensor::<2>::from_data(TensorData::new(v, [r, k]), &dev);
        let scalar = |l: Tensor<1>| f64::from(l.into_data().try_into_vec_as::<f32>().unwrap()[0]);
        let run = |weight: f64, y: &[f32]| {
            let p = DnnParams { bridge_weight: weight, ..DnnParams::default() };
            let l = batch_loss(&net, &c, &p, t(x.clone(), b, 5), t(y.to_vec(), b, 2), t(m.clone(), b, 2), t(w.clone(), 1, 2));
            let v = scalar(l.clone());
            let grads = l.backward();
            let g: Vec<f32> = net.latent.weight.val().grad(&grads).unwrap().into_data().try_into_vec_as::<f32>().unwrap();
            (v, g)
        };
        let (l0, g0) = run(0.0, &y);
        let (l1, g1) = run(1.0, &y);
        let (l3, _) = run(3.0, &y);
        let out = net.forward(&c, t(x.clone(), b, 5), true);
        let pred: Vec<f32> = out.pred.into_data().try_into_vec_as::<f32>().unwrap();
        let r = scalar(bridge_penalty(out.scale_latents).unwrap());
        assert!(r > 1e-6, "residual {r}");
        // weight 0: exactly the masked, task-weighted prediction loss
        let pl = weighted_loss(DnnParams::default().loss, &pred, &y, &m, &w);
        assert!((l0 - pl).abs() < 1e-6 * pl.abs().max(1.0), "{l0} vs {pl}");
        // weight W: W × residual on top
        assert!((l1 - l0 - r).abs() < 1e-5 * l1.abs().max(1.0), "{l1} - {l0} vs {r}");
        assert!((l3 - l0 - 3.0 * r).abs() < 1e-5 * l3.abs().max(1.0), "{l3} - {l0} vs 3 × {r}");
        // the term changes the gradients of the shared latent projection
        let dg = g0.iter().zip(&g1).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
        assert!(dg > 1e-6, "gradient change {dg}");
        // a masked target value does not enter the loss
        let mut y2 = y.clone();
        y2[3] += 100.0;
        y2[8] -= 50.0;
        assert_eq!(run(0.0, &y2).0, l0);
        y2[0] += 1.0;
        assert_ne!(run(0.0, &y2).0, l0);
    }

    /// Training with the term pulls the scales' latent views together: the residual on held-out
    /// rows drops below half of the same seeded fit's without it (identical fits if the term
    /// were not in the loss, so this cannot pass by accident).
    #[test]
    fn the_bridge_term_lowers_the_bridge_residual() {
        let (x, y, names) = data(240, 1);
        let p = |w: f64| DnnParams {
            d_model: 16,
            n_heads: 2,
            n_layers: 1,
            d_ff: 32,
            d_latent: 16,
            max_epochs: 30,
            patience: 30,
            n_members: 1,
            batch_size: 32,
            warmup_epochs: 2,
            learning_rate: 3e-3,
            dropout: 0.0,
            bridge_weight: w,
            feature_names: Some(names.clone()),
            ..DnnParams::default()
        };
        let (xt, _, _) = data(100, 2);
        let plain = DnnRegressor::fit_multi(&x, &y, &p(0.0)).unwrap();
        let bridged = DnnRegressor::fit_multi(&x, &y, &p(1.0)).unwrap();
        let (r0, r1) = (plain.bridge_residual(&xt).unwrap().unwrap(), bridged.bridge_residual(&xt).unwrap().unwrap());
        assert!(r0.is_finite() && r1.is_finite() && r1 >= 0.0);
        eprintln!("bridge residual on held-out rows: with the term {r1:.3e}, without {r0:.3e}");
        assert!(r1 < 0.5 * r0, "with the term {r1}, without {r0}");
        // one scale: no views, no residual
        let one = DnnParams { feature_names: Some((0..5).map(|i| format!("atom_a{i}")).collect()), ..p(0.0) };
        let m = DnnRegressor::fit_multi(&x, &y, &one).unwrap();
        assert_eq!(m.bridge_residual(&xt).unwrap(), None);
        // a wrong width is an error, not a panic
        assert!(bridged.bridge_residual(&Matrix::new(2, 3, vec![0.0; 6]).unwrap()).is_err());
    }
}
