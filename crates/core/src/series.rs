//! A curve recorded by a calculation (running integrals, profiles, stress–strain), for plots
//! and for users who check a protocol by eye.

use serde::{Deserialize, Serialize};

/// A named curve `y(x)` with labels and units, optionally with the standard error of each `y`.
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
