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
