//! A preset's lighter settings for phases with long-range Coulomb ([`crate::preset::LongRange`]):
//! which phases they apply to, the potential with the k-space accuracy loosened, and the
//! protocol options with the overrides put over them. Every change is returned as a sentence
//! for the phase's warnings, so a description never hides that it ran lighter.

use crate::preset::{LongRange, Preset};
use scalebridge_md::potentials::spec::PotentialSpec;
use scalebridge_md::potentials::spec_ionic::CoulStyle;
use serde_json::Value;

/// The k-space accuracies of every `coul/long` member of `spec` (empty: no long-range Coulomb).
pub fn kspace_accuracies(spec: &PotentialSpec) -> Vec<f64> {
    match spec {
        PotentialSpec::Coulomb(c) if c.style == CoulStyle::Long => c.kspace.iter().map(|k| k.accuracy).collect(),
        PotentialSpec::Hybrid { styles, .. } => styles.iter().flat_map(kspace_accuracies).collect(),
        _ => Vec::new(),
    }
}

/// `spec` with every k-space accuracy tighter than `loosest` set to it.
fn loosen(spec: &PotentialSpec, loosest: f64) -> PotentialSpec {
    match spec {
        PotentialSpec::Coulomb(c) if c.style == CoulStyle::Long => {
            let mut c = c.clone();
            if let Some(k) = &mut c.kspace {
                k.accuracy = k.accuracy.max(loosest);
            }
            PotentialSpec::Coulomb(c)
        }
        PotentialSpec::Hybrid { styles, charges } => PotentialSpec::Hybrid { styles: styles.iter().map(|s| loosen(s, loosest)).collect(), charges: charges.clone() },
        other => other.clone(),
    }
}

/// `base` (an object) with the keys of `over` (an object) put over it.
fn over(base: &Value, over: &Value) -> Value {
    let mut v = base.clone();
    if let (Value::Object(m), Value::Object(x)) = (&mut v, over) {
        for (k, e) in x {
            m.insert(k.clone(), e.clone());
        }
    }
    v
}

/// What `preset` runs for one phase with potential `spec`.
pub struct PhaseRuns {
    pub potential: PotentialSpec,
    /// Options of the finite-temperature protocols: `elastic_thermal`, `green_kubo`, `melting`.
    pub options: [Value; 3],
    /// Residual force of the 0 K relaxations, eV/Å (`None`: the protocols' own).
    pub static_fmax: Option<f64>,
    /// One sentence per change.
    pub notes: Vec<String>,
}

/// What `preset` runs for one phase with potential `spec`: the potential, the options of the
/// finite-temperature protocols, the 0 K relaxations' tolerance, plus one sentence per change. A
/// phase without `coul/long`, or a preset without [`Preset::long_range`], is returned unchanged
/// with no sentence.
pub fn for_phase(preset: &Preset, spec: &PotentialSpec) -> PhaseRuns {
    let plain = [preset.elastic_thermal.clone(), preset.green_kubo.clone(), preset.melting.clone()];
    let acc = kspace_accuracies(spec);
    let Some(lr) = preset.long_range.as_ref().filter(|_| !acc.is_empty()) else {
        return PhaseRuns { potential: spec.clone(), options: plain, static_fmax: None, notes: Vec::new() };
    };
    let LongRange { kspace_accuracy, elastic_thermal, green_kubo, melting, static_fmax } = lr;
    let mut notes = Vec::new();
    if acc.iter().any(|a| a < kspace_accuracy) {
        let given = acc.iter().map(|a| format!("{a:e}")).collect::<Vec<_>>().join(", ");
        notes.push(format!("{} preset: k-space relative accuracy {kspace_accuracy:e} instead of {given} (long-range Coulomb phase; run without --quick for the described accuracy)", preset.name));
    }
    let opts = [over(&plain[0], elastic_thermal), over(&plain[1], green_kubo), over(&plain[2], melting)];
    if opts != plain {
        notes.push(format!(
            "{} preset: shorter runs for a long-range Coulomb phase (elastic {elastic_thermal}, Green–Kubo {green_kubo}, melting {melting} over the preset's options)",
            preset.name
        ));
    }
    if let Some(f) = static_fmax {
        notes.push(format!("{} preset: 0 K relaxations (static elastic constants, bridge residual) to a residual force of {f:e} eV/Å instead of 1e-6 (long-range Coulomb phase)", preset.name));
    }
    PhaseRuns { potential: loosen(spec, *kspace_accuracy), options: opts, static_fmax: *static_fmax, notes }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn mgo() -> PotentialSpec {
        let v = json!({"generator": "pedone2006", "elements": ["Mg", "O"], "cutoff": 10.0, "shift": true,
            "coulomb": {"pair_style": "coul/long", "cutoff": 10.0, "kspace": {"style": "pppm", "accuracy": 1e-5}}});
        PotentialSpec::from_json(&v.to_string()).expect("pedone MgO spec")
    }

    #[test]
    fn quick_loosens_kspace_and_says_so_full_leaves_it() {
        let spec = mgo();
        assert_eq!(kspace_accuracies(&spec), vec![1e-5]);
        let PhaseRuns { potential: q, options: opts, static_fmax, notes } = for_phase(&Preset::quick(), &spec);
        assert_eq!(kspace_accuracies(&q), vec![1e-4]);
        assert_eq!(static_fmax, Some(1e-4));
        assert_eq!(notes.len(), 3, "{notes:?}");
        assert!(notes[2].contains("1e-4 eV/Å"), "{notes:?}");
        assert!(notes[0].contains("1e-4") && notes[0].contains("1e-5"), "{notes:?}");
        assert_eq!(opts[1]["production_steps"], json!(2000));
        // keys the override does not name stay the quick preset's
        assert_eq!(opts[2]["bisections"], Preset::quick().melting["bisections"]);
        let PhaseRuns { potential: f, options: fopts, static_fmax, notes: fnotes } = for_phase(&Preset::full(), &spec);
        assert_eq!(f, spec);
        assert_eq!(static_fmax, None);
        assert!(fnotes.is_empty());
        assert_eq!(fopts[1], json!({}));
    }

    #[test]
    fn looser_given_accuracy_is_kept_and_short_range_phases_are_untouched() {
        let v = json!({"generator": "pedone2006", "elements": ["Mg", "O"], "cutoff": 10.0,
            "coulomb": {"pair_style": "coul/long", "cutoff": 10.0, "kspace": {"style": "ewald", "accuracy": 1e-3}}});
        let spec = PotentialSpec::from_json(&v.to_string()).unwrap();
        let PhaseRuns { potential: q, notes, .. } = for_phase(&Preset::quick(), &spec);
        assert_eq!(kspace_accuracies(&q), vec![1e-3]);
        assert_eq!(notes.len(), 2, "{notes:?}");
        let eam = PotentialSpec::Zhou2004 { elements: vec!["Cu".into(), "Ni".into()] };
        let PhaseRuns { potential: p, options: opts, static_fmax, notes } = for_phase(&Preset::quick(), &eam);
        assert_eq!(p, eam);
        assert_eq!(static_fmax, None);
        assert!(notes.is_empty());
        assert_eq!(opts, [Preset::quick().elastic_thermal, Preset::quick().green_kubo, Preset::quick().melting]);
    }
}
