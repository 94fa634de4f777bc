//! Fusion modules that combine the encoded scale tokens into one vector.
//!
//! - [`SqueezeExcite`]: global gating (Hu et al., CVPR 2018, applied to tokens). The pooled
//!   context `z = mean_t h_t` (B × d) goes through a bottleneck `u = GELU(W₁ z)`; two heads give
//!   channel gates `g_c = 2σ(W_c u)` (B × 1 × d) and token gates `g_t = 2σ(W_t u)` (B × T × 1),
//!   and `h'_{t} = h_t ⊙ g_c · g_t`. Gates lie in (0, 2) and start near 1, so the module starts
//!   close to the identity.
//! - [`CrossScaleAttention`]: a learned query token attends over all scale tokens with burn's
//!   multi-head attention, `c = softmax(q Kᵀ/√d_k) V` (B × d): the fused representation weighs
//!   scales per sample.

use burn::module::{Module, Param};
use burn::nn::attention::{MhaInput, MultiHeadAttention, MultiHeadAttentionConfig};
use burn::nn::{Initializer, Linear, LinearConfig};
use burn::tensor::activation::{gelu, sigmoid};
use burn::tensor::{Device, Tensor};

/// Squeeze-and-excitation gates over channels and tokens from the pooled context.
#[derive(Module, Debug)]
pub struct SqueezeExcite {
    pub(super) reduce: Linear,
    pub(super) channel: Linear,
    pub(super) token: Linear,
}

impl SqueezeExcite {
    /// `d_model` channels, `n_tokens` tokens, bottleneck width `d_model / reduction` (≥ 4).
    pub fn new(d_model: usize, n_tokens: usize, reduction: usize, device: &Device) -> Self {
        let hidden = (d_model / reduction.max(1)).max(4);
        SqueezeExcite {
            reduce: LinearConfig::new(d_model, hidden).init(device),
            channel: LinearConfig::new(hidden, d_model).init(device),
            token: LinearConfig::new(hidden, n_tokens).init(device),
        }
    }

    /// `h`: B × T × d → gated B × T × d.
    pub fn forward(&self, h: Tensor<3>) -> Tensor<3> {
        let [b, _t, d] = h.dims();
        let z = h.clone().mean_dim(1).reshape([b, d]);
        let u = gelu(self.reduce.forward(z));
        let gc = sigmoid(self.channel.forward(u.clone())).mul_scalar(2.0).unsqueeze_dim::<3>(1);
        let gt = sigmoid(self.token.forward(u)).mul_scalar(2.0).unsqueeze_dim::<3>(2);
        h * gc * gt
    }
}

/// A learned query attending over the scale tokens (multi-head cross attention).
#[derive(Module, Debug)]
pub struct CrossScaleAttention {
    pub(super) query: Param<Tensor<3>>,
    pub(super) mha: MultiHeadAttention,
}

impl CrossScaleAttention {
    pub fn new(d_model: usize, n_heads: usize, dropout: f64, device: &Device) -> Self {
        CrossScaleAttention {
            query: Initializer::Normal { mean: 0.0, std: 0.02 }.init([1, 1, d_model], device),
            mha: MultiHeadAttentionConfig::new(d_model, n_heads)
                .with_dropout(dropout)
                .init(device),
        }
    }

    /// `h`: B × T × d → B × d (the query's attention output).
    pub fn forward(&self, h: Tensor<3>) -> Tensor<2> {
        let [b, _t, d] = h.dims();
        let q = self.query.val().repeat_dim(0, b);
        let out = self.mha.forward(MhaInput::new(q, h.clone(), h));
        out.context.reshape([b, d])
    }
}
