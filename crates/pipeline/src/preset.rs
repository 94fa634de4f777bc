//! Run-length presets of `describe`: the full one (the protocols' own defaults) and `quick`
//! (small cells, short runs: screening, tests, large datasets). The one place these numbers live.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// Cell sizes and protocol options of one preset.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Preset {
    pub name: String,
    /// Minimum copies of the conventional cell per axis of the bulk cell (elastic, κ, bridge); the
    /// cell is also at least 2 (cutoff + 1 Å) wide.
    pub bulk_repeat: [usize; 3],
    /// Minimum copies per axis of the coexistence cell of the melting protocol (elongated along z).
    pub melt_repeat: [usize; 3],
    /// Options of `elastic` at finite temperature (the temperature is added).
    pub elastic_thermal: Value,
    /// Options of `thermal_conductivity/green_kubo` (the temperature is added).
    pub green_kubo: Value,
    /// Options of `melting/coexistence`.
    pub melting: Value,
    /// Perturbed stiffness draws of the uncertainty propagation through the homogenisation.
    pub draws: usize,
}

impl Preset {
    /// The protocols' defaults, cells of a few thousand atoms for melting.
    pub fn full() -> Self {
        Preset {
            name: "full".into(),
            bulk_repeat: [5, 5, 5],
            melt_repeat: [6, 6, 16],
            elastic_thermal: json!({}),
            green_kubo: json!({}),
            melting: json!({}),
            draws: 12,
        }
    }

    /// Small cells and short runs (minutes for a metal on two cores).
    pub fn quick() -> Self {
        Preset {
            name: "quick".into(),
            bulk_repeat: [4, 4, 4],
            melt_repeat: [4, 4, 10],
            elastic_thermal: json!({"npt_steps": 1000, "equilibration_steps": 200, "production_steps": 1000, "blocks": 5}),
            green_kubo: json!({"seeds": [1, 2], "equilibration_steps": 1000, "production_steps": 10000, "correlation_time": 2.0}),
            melting: json!({
                "search_steps": 3000, "equilibrate_steps": 1000, "melt_steps": 1000, "trial_steps": 2000,
                "bisections": 0, "nph_steps": 0, "ramp_steps": 0, "sample_every": 100
            }),
            draws: 6,
        }
    }

    pub fn of(quick: bool) -> Self {
        if quick {
            Self::quick()
        } else {
            Self::full()
        }
    }
}

/// `base` (an object) with `key = value` added.
pub(crate) fn with(base: &Value, key: &str, value: Value) -> Value {
    let mut v = base.clone();
    if let Value::Object(m) = &mut v {
        m.insert(key.into(), value);
    }
    v
}
