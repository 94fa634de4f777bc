//! The cross-scale bridge residual of a fitted network: how far the per-scale latent views
//! (each scale's tokens pooled and projected as the fused token is) lie from their mean. The
//! training loss adds `bridge_weight ×` this quantity (on the training batches) when
//! `bridge_weight > 0` (`train.rs`); [`DnnRegressor::bridge_residual`] measures it on any rows,
//! so that a fit with the term can be compared with one without.

use super::{cpu, DnnRegressor};
use crate::data::Matrix;
use crate::error::{MlError, Result};
use burn::tensor::{Tensor, TensorData};

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
                if out.scale_latents.len() < 2 {
                    return Ok(None);
                }
                let z: Tensor<3> = Tensor::stack(out.scale_latents, 0);
                let zbar = z.clone().mean_dim(0);
                let r = (z - zbar).powi_scalar(2).mean();
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

    #[test]
    #[ignore = "not yet run: written in a round whose dnn test build did not finish; run with cargo test --release -p scalebridge-ml --features dnn --lib dnn::bridge -- --ignored"]
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
        assert!(r1 < 0.5 * r0, "with the term {r1}, without {r0}");
        // one scale: no views, no residual
        let one = DnnParams { feature_names: Some((0..5).map(|i| format!("atom_a{i}")).collect()), ..p(0.0) };
        let m = DnnRegressor::fit_multi(&x, &y, &one).unwrap();
        assert_eq!(m.bridge_residual(&xt).unwrap(), None);
        // a wrong width is an error, not a panic
        assert!(bridged.bridge_residual(&Matrix::new(2, 3, vec![0.0; 6]).unwrap()).is_err());
    }
}
