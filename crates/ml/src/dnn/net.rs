//! The scale-fusion network.
//!
//! ```text
//! x (B × n_features, standardised, columns grouped per token)
//!   ├─ token t: e_t = W_t x[cols_t] + b_t + s[scale(t)]          (B × d)   linear embedding + scale embedding
//! tokens E (B × T × d) → Transformer encoder (MHSA, LayerNorm, GELU FFN) × n_layers
//!   → squeeze-and-excitation gates (channels, tokens)               H (B × T × d)
//!   → cross-scale attention of a learned query over H  c (B × d);  m = mean_t H
//!   → fused f = LayerNorm(c + m)
//!   → shared latent z = GELU(W_z f)                                 (B × d_latent)
//!   → heads ŷ = W_y z                                               (B × n_targets)
//! ```
//! Bridge regulariser (optional): for each scale `s` present, `z_s = GELU(W_z mean_{t∈s} H_t)` is
//! the same latent projection applied to that scale's tokens only; the penalty
//! `Σ_s ‖z_s − z̄‖² / (S·d_latent)` pulls the scales' latent views together.

use super::fusion::{CrossScaleAttention, SqueezeExcite};
use burn::module::Module;
use burn::nn::transformer::{TransformerEncoder, TransformerEncoderConfig, TransformerEncoderInput};
use burn::nn::{Embedding, EmbeddingConfig, LayerNorm, LayerNormConfig, Linear, LinearConfig};
use burn::tensor::activation::gelu;
use burn::tensor::{Device, Int, Tensor, TensorData};
use serde::{Deserialize, Serialize};

/// Architecture (everything needed to rebuild the network before loading its weights).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetConfig {
    /// Column width of each token.
    pub token_widths: Vec<usize>,
    /// Scale index of each token (< `n_scales`).
    pub scale_ids: Vec<usize>,
    pub n_scales: usize,
    pub d_model: usize,
    pub n_heads: usize,
    pub n_layers: usize,
    pub d_ff: usize,
    pub d_latent: usize,
    pub n_targets: usize,
    pub dropout: f64,
    pub se_reduction: usize,
    /// Use the squeeze-and-excitation gates (ablation switch).
    pub use_se: bool,
    /// Use the cross-scale attention (ablation switch; the mean of the tokens is always used).
    pub use_cross_attention: bool,
}

/// Network outputs: predictions and, when asked, the per-scale latent views for the bridge term.
pub struct NetOutput {
    pub pred: Tensor<2>,
    pub scale_latents: Vec<Tensor<2>>,
}

#[derive(Module, Debug)]
pub struct FusionNet {
    pub(super) embed: Vec<Linear>,
    pub(super) scale_embed: Embedding,
    pub(super) encoder: TransformerEncoder,
    pub(super) se: Option<SqueezeExcite>,
    pub(super) cross: Option<CrossScaleAttention>,
    pub(super) norm: LayerNorm,
    pub(super) latent: Linear,
    pub(super) head: Linear,
}

impl FusionNet {
    pub fn new(c: &NetConfig, device: &Device) -> FusionNet {
        let t = c.token_widths.len();
        FusionNet {
            embed: c
                .token_widths
                .iter()
                .map(|&w| LinearConfig::new(w, c.d_model).init(device))
                .collect(),
            scale_embed: EmbeddingConfig::new(c.n_scales, c.d_model).init(device),
            encoder: TransformerEncoderConfig::new(c.d_model, c.d_ff, c.n_heads, c.n_layers)
                .with_dropout(c.dropout)
                .with_norm_first(true)
                .init(device),
            se: c.use_se.then(|| SqueezeExcite::new(c.d_model, t, c.se_reduction, device)),
            cross: c
                .use_cross_attention
                .then(|| CrossScaleAttention::new(c.d_model, c.n_heads, c.dropout, device)),
            norm: LayerNormConfig::new(c.d_model).init(device),
            latent: LinearConfig::new(c.d_model, c.d_latent).init(device),
            head: LinearConfig::new(c.d_latent, c.n_targets).init(device),
        }
    }

    /// Forward pass. `x`: B × n_features with token columns contiguous in the order of
    /// `c.token_widths`. `bridge`: also return the per-scale latent views.
    pub fn forward(&self, c: &NetConfig, x: Tensor<2>, bridge: bool) -> NetOutput {
        let [b, _] = x.dims();
        let device = x.device();
        let mut tokens = Vec::with_capacity(self.embed.len());
        let mut start = 0;
        for (lin, &w) in self.embed.iter().zip(&c.token_widths) {
            tokens.push(lin.forward(x.clone().narrow(1, start, w)));
            start += w;
        }
        let t = tokens.len();
        let e: Tensor<3> = Tensor::stack(tokens, 1);
        let ids: Vec<i64> = c.scale_ids.iter().map(|&s| s as i64).collect();
        let ids = Tensor::<2, Int>::from_data(TensorData::new(ids, [1, t]), &device);
        let e = e + self.scale_embed.forward(ids);
        let mut h = self.encoder.forward(TransformerEncoderInput::new(e));
        if let Some(se) = &self.se {
            h = se.forward(h);
        }
        let d = c.d_model;
        let mut fused = h.clone().mean_dim(1).reshape([b, d]);
        if let Some(cross) = &self.cross {
            fused = fused + cross.forward(h.clone());
        }
        let z = gelu(self.latent.forward(self.norm.forward(fused)));
        let pred = self.head.forward(z);
        let mut scale_latents = Vec::new();
        if bridge {
            let mut scales: Vec<usize> = c.scale_ids.clone();
            scales.sort_unstable();
            scales.dedup();
            if scales.len() >= 2 {
                for s in scales {
                    let idx: Vec<i64> = c
                        .scale_ids
                        .iter()
                        .enumerate()
                        .filter(|(_, &k)| k == s)
                        .map(|(i, _)| i as i64)
                        .collect();
                    let n = idx.len();
                    let idx = Tensor::<1, Int>::from_data(TensorData::new(idx, [n]), &device);
                    let m = h.clone().select(1, idx).mean_dim(1).reshape([b, d]);
                    scale_latents.push(gelu(self.latent.forward(self.norm.forward(m))));
                }
            }
        }
        NetOutput {
            pred,
            scale_latents,
        }
    }
}
