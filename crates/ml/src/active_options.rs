//! User-facing options of the active-learning loop: every field optional, the defaults stated
//! once here (bindings and the CLI pass only what the user gave).

use crate::active::{Acquisition, AlParams};
use crate::error::{MlError, Result};
use serde::{Deserialize, Serialize};

/// Labels drawn at random before the first fit.
pub const DEFAULT_INITIAL: usize = 20;
/// Labels requested per round.
pub const DEFAULT_BATCH: usize = 10;
/// Oracle calls in all (failed ones included).
pub const DEFAULT_MAX_LABELS: usize = 200;
/// UCB exploration weight κ in μ + κσ.
pub const DEFAULT_KAPPA: f64 = 2.0;
/// EI improvement margin ξ.
pub const DEFAULT_XI: f64 = 0.01;

/// Active-learning options as a user gives them; `None` takes the default above.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlOptions {
    /// `random`, `variance`, `ucb` or `ei` (default `variance`).
    pub acquisition: Option<String>,
    pub initial: Option<usize>,
    pub batch: Option<usize>,
    pub max_labels: Option<usize>,
    pub seed: Option<u64>,
    pub kappa: Option<f64>,
    pub xi: Option<f64>,
}

impl AlOptions {
    /// The loop's parameters with defaults filled in; bad values are errors naming the option.
    pub fn resolve(&self) -> Result<AlParams> {
        let name = self.acquisition.as_deref().unwrap_or("variance");
        let kappa = self.kappa.unwrap_or(DEFAULT_KAPPA);
        let xi = self.xi.unwrap_or(DEFAULT_XI);
        if !kappa.is_finite() || kappa < 0.0 {
            return Err(MlError::param("kappa", kappa, "must be a finite number >= 0"));
        }
        if !xi.is_finite() || xi < 0.0 {
            return Err(MlError::param("xi", xi, "must be a finite number >= 0"));
        }
        if self.kappa.is_some() && name != "ucb" {
            return Err(MlError::param("kappa", kappa, &format!("only the ucb acquisition uses kappa, not {name:?}")));
        }
        if self.xi.is_some() && name != "ei" {
            return Err(MlError::param("xi", xi, &format!("only the ei acquisition uses xi, not {name:?}")));
        }
        let acquisition = match name {
            "random" => Acquisition::Random,
            "variance" => Acquisition::Variance,
            "ucb" => Acquisition::Ucb { kappa },
            "ei" => Acquisition::Ei { xi },
            other => return Err(MlError::param("acquisition", other, "use random, variance, ucb or ei")),
        };
        let initial = self.initial.unwrap_or(DEFAULT_INITIAL);
        let batch = self.batch.unwrap_or(DEFAULT_BATCH);
        let max_labels = self.max_labels.unwrap_or(DEFAULT_MAX_LABELS);
        if initial == 0 {
            return Err(MlError::param("initial", initial, "need at least one initial label"));
        }
        if batch == 0 {
            return Err(MlError::param("batch", batch, "need at least one label per round"));
        }
        if max_labels < initial {
            return Err(MlError::param("max_labels", max_labels, &format!("must be at least initial ({initial})")));
        }
        Ok(AlParams { initial, batch, max_labels, acquisition, seed: self.seed.unwrap_or(0) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_filled_and_bad_values_named() {
        let p = AlOptions::default().resolve().unwrap();
        assert_eq!((p.initial, p.batch, p.max_labels, p.seed), (DEFAULT_INITIAL, DEFAULT_BATCH, DEFAULT_MAX_LABELS, 0));
        assert_eq!(p.acquisition, Acquisition::Variance);
        let ucb = AlOptions { acquisition: Some("ucb".into()), ..Default::default() }.resolve().unwrap();
        assert_eq!(ucb.acquisition, Acquisition::Ucb { kappa: DEFAULT_KAPPA });
        let cases = [
            (AlOptions { acquisition: Some("greedy".into()), ..Default::default() }, "acquisition"),
            (AlOptions { kappa: Some(1.0), ..Default::default() }, "kappa"),
            (AlOptions { acquisition: Some("ei".into()), xi: Some(f64::NAN), ..Default::default() }, "xi"),
            (AlOptions { batch: Some(0), ..Default::default() }, "batch"),
            (AlOptions { initial: Some(30), max_labels: Some(10), ..Default::default() }, "max_labels"),
        ];
        for (o, key) in cases {
            let e = o.resolve().unwrap_err().to_string();
            assert!(e.contains(key), "{e}");
        }
    }
}
