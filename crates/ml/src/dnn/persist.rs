//! Persistence: each member's weights are burn's burnpack record of the network
//! (`Module::into_record` → `ModuleRecord::into_bytes`), base64-encoded inside the model JSON,
//! so a DNN saves and loads through the same `model.json` (and Python pickling) as the other
//! models. Loading rebuilds the architecture from the saved [`NetConfig`] and applies the record
//! (burn checks every tensor's path and shape); a corrupted file is an error, not a panic.

use super::net::{FusionNet, NetConfig};
use super::tokens::TokenLayout;
use super::train::MemberInfo;
use super::encoding::PiecewiseLinear;
use super::{cpu, fast_net, input_widths, DnnParams, DnnRegressor};
use crate::error::{MlError, Result};
use base64::Engine;
use burn::module::Module;
use burn::store::ModuleRecord;
use burn::tensor::Bytes;
use serde::Deserialize;

fn bad(reason: String) -> MlError {
    MlError::Numerical {
        what: "DNN model weights".into(),
        reason,
    }
}

/// Burnpack bytes of a network, base64 (standard alphabet).
pub fn encode_net(net: &FusionNet) -> Result<String> {
    let bytes = net
        .clone()
        .into_record()
        .into_bytes()
        .map_err(|e| bad(e.to_string()))?;
    Ok(base64::engine::general_purpose::STANDARD.encode(&bytes[..]))
}

/// Network with architecture `c` and the weights of [`encode_net`]'s output, on the CPU device.
pub fn decode_net(s: &str, c: &NetConfig) -> Result<FusionNet> {
    let raw = base64::engine::general_purpose::STANDARD
        .decode(s)
        .map_err(|e| bad(format!("not base64: {e}")))?;
    let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(raw)).map_err(|e| bad(e.to_string()))?;
    let device = cpu();
    let net = FusionNet::new(c, &device);
    net.try_load_record(record)
        .map(|n| n.valid())
        .map_err(|e| bad(e.to_string()))
}

/// On-disk form of [`DnnRegressor`] (everything but the rebuilt networks).
#[derive(Deserialize)]
pub struct DnnFile {
    pub params: DnnParams,
    pub n_features: usize,
    pub layout: TokenLayout,
    pub net_config: NetConfig,
    pub x_mean: Vec<f64>,
    pub x_scale: Vec<f64>,
    /// Absent in files written before the encoding existed (standardised inputs).
    #[serde(default)]
    pub ple: Option<PiecewiseLinear>,
    pub y_mean: Vec<f64>,
    pub y_scale: Vec<f64>,
    pub std_scale: Vec<f64>,
    pub members: Vec<MemberInfo>,
    pub weights: Vec<String>,
}

impl TryFrom<DnnFile> for DnnRegressor {
    type Error = MlError;

    fn try_from(f: DnnFile) -> Result<DnnRegressor> {
        f.layout.check()?;
        if let Some(p) = &f.ple {
            p.check(f.n_features)?;
        }
        let widths = input_widths(&f.layout, f.ple.as_ref());
        let k = f.net_config.n_targets;
        let d = f.n_features;
        let shapes_ok = f.layout.n_features == d
            && f.x_mean.len() == d
            && f.x_scale.len() == d
            && f.y_mean.len() == k
            && f.y_scale.len() == k
            && f.std_scale.len() == k
            && f.net_config.token_widths == widths
            && f.net_config.scale_ids == f.layout.scale_ids()
            && !f.weights.is_empty();
        if !shapes_ok {
            return Err(MlError::ShapeMismatch {
                what: "DNN model arrays".into(),
                expected: format!("{d} features, {k} targets, token widths {widths:?}"),
                got: format!(
                    "x_mean {}, x_scale {}, y_mean {}, std_scale {}, widths {:?}, {} members",
                    f.x_mean.len(),
                    f.x_scale.len(),
                    f.y_mean.len(),
                    f.std_scale.len(),
                    f.net_config.token_widths,
                    f.weights.len()
                ),
            });
        }
        let nets = f
            .weights
            .iter()
            .map(|w| decode_net(w, &f.net_config))
            .collect::<Result<Vec<_>>>()?;
        let fast = nets
            .iter()
            .map(|n| fast_net(n, &f.net_config, f.ple.as_ref(), &f.layout))
            .collect::<Result<Vec<_>>>()?;
        Ok(DnnRegressor {
            params: f.params,
            n_features: d,
            layout: f.layout,
            net_config: f.net_config,
            x_mean: f.x_mean,
            x_scale: f.x_scale,
            ple: f.ple,
            y_mean: f.y_mean,
            y_scale: f.y_scale,
            std_scale: f.std_scale,
            members: f.members,
            weights: f.weights,
            nets,
            fast,
        })
    }
}
