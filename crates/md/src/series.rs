//! A recorded curve ([`Series`]): running integrals, profiles, stress–strain, RDFs.

use serde::{Deserialize, Serialize};

/// A curve recorded by a protocol or a compute (for plots and for users who check a result by eye).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Series {
    pub name: String,
    pub x_label: String,
    pub x_unit: String,
    pub y_label: String,
    pub y_unit: String,
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    /// Standard error of every `y`, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y_err: Option<Vec<f64>>,
}
