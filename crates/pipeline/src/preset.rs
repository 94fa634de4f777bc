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
    /// Cap, Å, on the cutoff-based width rule (every cell at least 2 (r_c + 1) wide): `None`
    /// keeps the rule as is. Long-range-Coulomb potentials (real-space cutoff 10 Å, 22 Å cells:
    /// 1,728 atoms of MgO) are what it bites on; cells narrower than twice the cutoff are
    /// evaluated exactly (explicit periodic images), only finite-size effects grow.
    #[serde(default)]
    pub max_width: Option<f64>,
    /// Options of `elastic` at finite temperature (the temperature is added).
    pub elastic_thermal: Value,
    /// Options of `thermal_conductivity/green_kubo` (the temperature is added).
    pub green_kubo: Value,
    /// Options of `melting/coexistence`.
    pub melting: Value,
    /// Perturbed stiffness draws of the uncertainty propagation through the homogenisation.
    pub draws: usize,
    /// Atomistic polycrystal of the bridge residual (b): conventional cells per box edge (0: not
    /// built), grains and the iteration cap of its relaxation.
    pub poly_box_cells: usize,
    pub poly_grains: usize,
    pub poly_max_iter: usize,
    /// Options of `glass/transition` (glass and polymer classes: T_transition_K is T_g).
    #[serde(default)]
    pub glass_transition: Value,
    /// Phases with long-range Coulomb (`coul/long` with an Ewald/PPPM solver), whose every MD
    /// step also costs a k-space solve in a cell at least 2 × (10 Å cutoff + 1 Å) wide: lighter
    /// settings put over the ones above (`None`: such phases run like any other).
    #[serde(default)]
    pub long_range: Option<LongRange>,
    /// Whether `describe` computes the single-crystal bridge residual (a) (18 strained
    /// relaxations of the bulk cell after the 0 K elastic stage). On in `quick` and `full`;
    /// a dataset study whose rows do not use `L_bridge_single_crystal` may switch it off
    /// (`"bridge_single_crystal": false`; the description then has no `L_bridge_single_crystal`).
    /// Left out of the serialised preset when on, so that task hashes of earlier presets stand.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub bridge_single_crystal: bool,
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

/// What a preset changes for a phase with long-range Coulomb (see [`Preset::long_range`]). Every
/// change is stated in the phase's warnings and the stage inputs (the potential's fingerprint
/// carries the accuracy used); docs/pipeline.md lists the values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LongRange {
    /// Loosest relative k-space force accuracy used (LAMMPS `kspace_style pppm ACC`): a tighter
    /// accuracy in the description is loosened to it (a looser one is kept); the splitting
    /// parameter and mesh follow from it as in LAMMPS unless the description fixed them.
    pub kspace_accuracy: f64,
    /// Options put over [`Preset::elastic_thermal`], [`Preset::green_kubo`] and
    /// [`Preset::melting`] (objects; `{}`: unchanged).
    #[serde(default)]
    pub elastic_thermal: Value,
    #[serde(default)]
    pub green_kubo: Value,
    #[serde(default)]
    pub melting: Value,
    /// Largest residual force, eV/Å, of the 0 K relaxations of a long-range phase (the static
    /// elastic constants and the single-crystal bridge residual); `None`: theirs (1e-6). With
    /// PPPM at 1e-4 the unshifted real-space Coulomb force of a pair jumps where it crosses the
    /// cutoff (estimated up to a few 1e-3 eV/Å for a cation–O pair), so relaxations of mixed or
    /// low-symmetry oxides stall above 1e-6 (LiFePO₄,
    /// LiNi₀.₅Co₀.₅O₂, SrZrO₃: 3e-6 … 4e-5 after 20,000 FIRE steps) while 1e-4 moves C by far
    /// less than the quick preset's other approximations.
    #[serde(default)]
    pub static_fmax: Option<f64>,
}

impl Preset {
    /// The protocols' defaults, cells of a few thousand atoms for melting.
    pub fn full() -> Self {
        Preset {
            name: "full".into(),
            bulk_repeat: [5, 5, 5],
            melt_repeat: [6, 6, 16],
            max_width: None,
            elastic_thermal: json!({}),
            green_kubo: json!({}),
            melting: json!({}),
            draws: 12,
            poly_box_cells: 10,
            poly_grains: 6,
            poly_max_iter: 4000,
            glass_transition: json!({}),
            long_range: None,
            bridge_single_crystal: true,
        }
    }

    /// Small cells and short runs (minutes for a metal on two cores).
    pub fn quick() -> Self {
        Preset {
            name: "quick".into(),
            bulk_repeat: [4, 4, 4],
            // 12 along z: the coexistence protocol needs L_z ≥ 12 d_nn, which 10 bcc cells
            // (10.39 cells needed) miss (W failed: 31.6 Å < 33.8 Å); fcc needs 8.5 cells.
            melt_repeat: [4, 4, 12],
            // 15 Å is above every metal's 2 (r_c + 1) with 4 cells (Cu Mishin 13 Å, Zhou W 14.4 Å;
            // LJ argon's 19 Å is met by its 4 cells of 5.26 Å), so it changes no metal cell; a
            // Pedone MgO cell (r_c 10 Å) drops from 6³ to 4³ conventional cells (1,728 → 512
            // atoms, ~3.4× faster per evaluation)
            max_width: Some(15.0),
            elastic_thermal: json!({"npt_steps": 1000, "equilibration_steps": 200, "production_steps": 1000, "blocks": 5}),
            green_kubo: json!({"seeds": [1, 2], "equilibration_steps": 1000, "production_steps": 10000, "correlation_time": 2.0}),
            // The short hysteresis search of a small cell overshoots T_m (Cu, Mishin: guess 2502 K,
            // corrected by the coexistence stages to 1840 K, T_m 1327 K), so the NPT bracket may
            // have to move far down: its moves double (8, 16, 32 … % of the guess, capped at 40 %
            // of the trial temperature), so 4 reach ~65 % below the guess; 8 is a ceiling, not a
            // count. Each move is one trial run (and an overshooting one a bisection back).
            melting: json!({
                "search_steps": 3000, "equilibrate_steps": 1000, "melt_steps": 1000, "trial_steps": 2000,
                "bisections": 0, "nph_steps": 0, "ramp_steps": 0, "sample_every": 100, "max_expansions": 8
            }),
            draws: 6,
            poly_box_cells: 0,
            poly_grains: 0,
            poly_max_iter: 0,
            // one seed, a fast ladder (100 K/ps in 100 K rungs), short melt, no final relaxation
            glass_transition: json!({
                "seeds": [1], "cooling_rate_k_per_ps": 100.0, "rung_spacing_k": 100.0, "melt_steps": 2000,
                "relax_steps": 0, "sample_every": 10, "blocks": 5, "bootstrap_samples": 200
            }),
            // coul/long phases (ionic oxides with the Pedone/Buckingham generators): a quick MgO
            // took ~90 min on a loaded 2-core box with the settings above (1728-atom bulk and
            // 3456-atom melt cells, 10 Å cutoffs, PPPM 1e-5). PPPM at 1e-4 (LAMMPS examples'
            // usual value; mesh and splitting parameter follow), half-length elastic runs, two
            // short Green–Kubo seeds (0.5 ps correlation) and a short melting bracket of up to 3
            // doubling moves (500-step runs and 1000-step trials are the melting protocol's
            // minima). The 1000-step hysteresis search overshoots oxides' T_m by up to 2× (MgO
            // guess 6,129 K), which 2 fixed moves of 8 % could not walk down (2026-12-07).
            long_range: Some(LongRange {
                kspace_accuracy: 1e-4,
                elastic_thermal: json!({"npt_steps": 500, "equilibration_steps": 100, "production_steps": 500, "blocks": 5}),
                green_kubo: json!({"seeds": [1, 2], "equilibration_steps": 500, "production_steps": 2000, "correlation_time": 0.5}),
                melting: json!({"search_steps": 1000, "equilibrate_steps": 500, "melt_steps": 500, "trial_steps": 1000, "max_expansions": 3}),
                static_fmax: Some(1e-4),
            }),
            bridge_single_crystal: true,
        }
    }

    /// A preset from a JSON file: an object with any of the fields above, the rest taken from
    /// the quick preset (`"base": "full"` takes them from the full one).
    pub fn from_json_file(path: &std::path::Path) -> crate::error::Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| crate::error::io(path, e))?;
        let v: Value = serde_json::from_str(&text).map_err(|e| crate::error::invalid("preset", path.display().to_string(), &e.to_string()))?;
        Self::from_json(&v).map_err(|e| crate::error::invalid("preset", path.display().to_string(), &e))
    }

    /// A preset from a JSON object (see [`Preset::from_json_file`]); unknown keys are errors.
    pub fn from_json(v: &Value) -> std::result::Result<Self, String> {
        let Value::Object(m) = v else { return Err("a preset is a JSON object".into()) };
        let base = match m.get("base").map(|b| b.as_str()) {
            None | Some(Some("quick")) => Self::quick(),
            Some(Some("full")) => Self::full(),
            Some(other) => return Err(format!("key `base`: {other:?} is not \"quick\" or \"full\"")),
        };
        let on = base.bridge_single_crystal;
        let mut merged = serde_json::to_value(base).map_err(|e| e.to_string())?;
        // keys left out of the serialised form when at their default are still keys of a preset
        if let Value::Object(mm) = &mut merged {
            mm.entry("bridge_single_crystal").or_insert(json!(on));
        }
        for (k, x) in m {
            if k == "base" {
                continue;
            }
            match merged.get_mut(k) {
                Some(slot) => *slot = x.clone(),
                None => return Err(format!("unknown key `{k}`")),
            }
        }
        serde_json::from_value(merged).map_err(|e| e.to_string())
    }

    /// The minimum cell width, Å, of a potential with cutoff `cutoff`: 2 (r_c + 1), capped at
    /// [`Preset::max_width`].
    pub fn min_width(&self, cutoff: f64) -> f64 {
        let w = 2.0 * (cutoff + 1.0);
        match self.max_width {
            Some(m) if m > 0.0 => w.min(m),
            _ => w,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quick_width_cap_bites_only_on_long_cutoffs() {
        let (q, f) = (Preset::quick(), Preset::full());
        // Cu Mishin (5.507 Å) and a Zhou W (≈ 6.2 Å): unchanged
        assert_eq!(q.min_width(5.507), 2.0 * 6.507);
        assert_eq!(q.min_width(6.2), 2.0 * 7.2);
        // the 10 Å real-space cutoff of the ionic generators: 22 Å → 15 Å in quick, 22 Å in full
        assert_eq!(q.min_width(10.0), 15.0);
        assert_eq!(f.min_width(10.0), 22.0);
        // a study preset may lift the cap
        let p = Preset::from_json(&serde_json::json!({"max_width": null})).unwrap();
        assert_eq!(p.min_width(10.0), 22.0);
    }

    #[test]
    fn the_single_crystal_bridge_switch_is_a_preset_key_hidden_when_on() {
        // on in both presets and left out of their serialised form (task hashes of earlier
        // presets stand)
        for p in [Preset::quick(), Preset::full()] {
            assert!(p.bridge_single_crystal);
            assert!(serde_json::to_value(&p).unwrap().get("bridge_single_crystal").is_none());
        }
        let off = Preset::from_json(&serde_json::json!({"bridge_single_crystal": false})).unwrap();
        assert!(!off.bridge_single_crystal);
        assert_eq!(serde_json::to_value(&off).unwrap()["bridge_single_crystal"], serde_json::json!(false));
        assert!(Preset::from_json(&serde_json::json!({"bridge_single_crystl": false})).unwrap_err().contains("bridge_single_crystl"));
    }
}
