//! A measured value: a number with its unit and, where it has one, its standard error.

use serde::{Deserialize, Serialize};

/// A scalar result with its unit and, where it has one, its standard error (same unit).
/// Serialises as `{"value": .., "stderr": .. | null, "unit": ".."}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Measured {
    pub value: f64,
    pub stderr: Option<f64>,
    pub unit: String,
}

impl Measured {
    /// A value without an uncertainty (exact or deterministic, e.g. a 0 K result).
    pub fn exact(value: f64, unit: &str) -> Self {
        Measured { value, stderr: None, unit: unit.to_string() }
    }
    /// A value with its standard error.
    pub fn with_err(value: f64, stderr: f64, unit: &str) -> Self {
        Measured { value, stderr: Some(stderr), unit: unit.to_string() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_with_the_documented_keys() {
        let v = serde_json::to_value(Measured::exact(1.5, "GPa")).unwrap();
        assert_eq!(v, serde_json::json!({"value": 1.5, "stderr": null, "unit": "GPa"}));
        let m = Measured::with_err(2.0, 0.1, "K");
        let back: Measured = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
        assert_eq!(back, m);
    }
}
