//! Polymer phases in material descriptions: `polymer = { builder = ..., ... }` parses into a
//! builder structure with a molecular potential (pair + bonded + special_bonds), bad input is
//! named with key and line, and `describe` runs a bead-spring polymer end to end with the
//! finite-temperature elastic and Green–Kubo stages on the quenched glass (not the starting cell).

mod common;

use common::{parse, parse_err};
use scalebridge_core::progress::Silent;
use scalebridge_md::potentials::PotentialSpec;
use scalebridge_pipeline::material::{PhaseKind, StructureSource};
use scalebridge_pipeline::preset::Preset;
use scalebridge_pipeline::{describe, DescribeOptions};
use std::path::PathBuf;

const KG: &str = r#"
name = "kg"
class = "polymer"
temperature_K = 300
[[phase]]
name = "melt"
polymer = { builder = "kremer-grest", chains = 16, length = 10, density = 0.85, pair_cutoff = 2.5, units = { sigma_a = 5.0, epsilon_ev = 0.0861733, mass_amu = 104.15 }, seed = 3 }
md = { timestep = 0.01, thermostat_damping = 1.0, pressure_damping = 10.0 }
glass_transition = { t_high_k = 900.0, t_low_k = 200.0, rung_spacing_k = 100.0, cooling_rate_k_per_ps = 20.0 }
"#;

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("scalebridge-polymer-material-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[test]
fn a_polymer_phase_is_a_builder_with_its_molecular_force_field() {
    let m = parse(KG).expect("valid");
    let p = &m.phases[0];
    let PhaseKind::Atomistic { structure, potential } = &p.kind else { panic!("atomistic") };
    let StructureSource::Polymer { spec } = structure else { panic!("polymer source, got {structure:?}") };
    assert_eq!(spec.name(), "kremer-grest");
    assert_eq!(potential.style(), "molecular");
    assert_eq!(p.md["timestep"], 0.01);
    assert_eq!(p.glass_transition["t_high_k"], 900.0);
    // the specification round-trips through JSON and builds the same potential as the builder
    let back = PotentialSpec::from_json(&potential.to_json()).expect("round trip");
    assert_eq!(&back, potential);
    let sys = spec.build().expect("build");
    let pot = potential.build().expect("potential");
    assert_eq!(pot.fingerprint(), sys.potential().expect("builder potential").fingerprint());
    assert!(pot.fingerprint().contains("bonded[") && pot.fingerprint().contains("special_bonds"), "{}", pot.fingerprint());
    // the structure the pipeline builds is the builder's, atom for atom
    let s = scalebridge_pipeline::material::build_structure(structure, &pot, [1.0; 3], [1; 3]).expect("structure");
    assert_eq!(s.hash(), sys.structure.hash());
    assert_eq!(s.len(), 160);

    // lines replace the builder's force field
    let t = KG.replace("md = {", "potential = { lammps = [\"pair_style lj/cut 5.6\", \"pair_coeff * * 0.0861733 5.0\", \"bond_style fene\", \"bond_coeff 1 3.6 7.5 0.0861733 5.0\", \"special_bonds fene\"] }\nmd = {");
    let m2 = parse(&t).expect("lines");
    let PhaseKind::Atomistic { potential: p2, .. } = &m2.phases[0].kind else { panic!() };
    assert_ne!(p2, potential);
    assert!(p2.build().expect("lines build").fingerprint().contains("fene"));
}

#[test]
fn bad_polymer_phases_are_named_with_key_and_line() {
    let (line, key, msg) = parse_err(&KG.replace("\"kremer-grest\"", "\"kevlar\""));
    assert_eq!((line, key.as_str()), (7, "polymer"), "{msg}");
    assert!(msg.contains("kevlar") && msg.contains("kremer-grest"), "{msg}");
    let (_, key, msg) = parse_err(&KG.replace("chains = 16", "chainz = 16"));
    assert_eq!(key, "polymer");
    assert!(msg.contains("chainz"), "{msg}");
    let (_, key, msg) = parse_err(&KG.replace("polymer = {", "structure = { lattice = \"fcc\", elements = { Cu = 1.0 } }\npolymer = {"));
    assert_eq!(key, "structure", "{msg}");
    let (_, key, msg) = parse_err(&KG.replace("md = {", "potential = { pair_style = \"lj/cut\" }\nmd = {"));
    assert_eq!(key, "potential");
    assert!(msg.contains("lammps"), "{msg}");
    let (_, key, msg) = parse_err(&KG.replace("md = { timestep = 0.01, thermostat_damping = 1.0, pressure_damping = 10.0 }", "md = 0.01"));
    assert_eq!(key, "md", "{msg}");
    let (_, key, msg) = parse_err(&KG.replace("builder = \"kremer-grest\", ", ""));
    assert_eq!(key, "polymer");
    assert!(msg.contains("builder"), "{msg}");
    let (_, key, msg) = parse_err(&KG.replace("md = {", "potential = { lammps = [\"bond_style fene\"] }\nmd = {"));
    assert_eq!(key, "potential");
    assert!(msg.contains("pair_style"), "{msg}");
}

#[test]
fn an_md_option_no_protocol_takes_is_named() {
    let m = parse(&KG.replace("md = { timestep", "md = { timestepp = 1.0, timestep")).expect("parses: md keys are checked against the protocols");
    let dir = tmp("md-key");
    let opts = DescribeOptions { quick: true, cache_dir: Some(dir.clone()), threads: Some(1), ..Default::default() };
    // checked before any stage of the phase runs
    let e = describe(&m, &opts, &mut Silent).expect_err("unknown md key");
    assert!(e.to_string().contains("timestepp"), "{e}");
    std::fs::remove_dir_all(&dir).ok();
}

/// A small preset: short runs, one seed, a coarse ladder.
fn tiny() -> Preset {
    Preset::from_json(&serde_json::json!({
        "name": "tiny-polymer",
        "elastic_thermal": {"npt_steps": 400, "equilibration_steps": 100, "production_steps": 400, "blocks": 4},
        "green_kubo": {"seeds": [1], "equilibration_steps": 200, "production_steps": 2000, "correlation_time": 2.0},
        "draws": 2,
        "glass_transition": {"seeds": [1], "melt_steps": 500, "relax_steps": 0, "sample_every": 10, "blocks": 5, "bootstrap_samples": 50}
    }))
    .expect("preset")
}

/// ~1 min on the loaded 2-core machine (the 0 K elastic and bridge stages of 160 beads dominate):
/// `cargo test --release -p scalebridge-pipeline --test polymer_material -- --ignored`.
#[test]
#[ignore]
fn describe_runs_a_bead_spring_polymer_with_the_thermal_stages_on_the_quenched_glass() {
    let m = parse(KG).expect("valid");
    let dir = tmp("kg");
    let opts = DescribeOptions { quick: true, cache_dir: Some(dir.clone()), preset: Some(tiny()), threads: Some(1), ..Default::default() };
    let d = describe(&m, &opts, &mut Silent).expect("describe");
    let tg = d.properties.t_transition_k.as_ref().expect("T_g");
    assert!(tg.value > 200.0 && tg.value < 900.0, "T_g = {} K outside the ladder", tg.value);
    assert!(tg.source.contains("glass/transition"), "{}", tg.source);
    assert!(d.properties.e_gpa.value.is_finite(), "{:?}", d.properties.e_gpa);
    assert_eq!(d.phases[0].n_atoms, Some(160));
    let st = |name: &str| {
        d.provenance.stages.iter().find(|r| r.stage == name).and_then(|r| r.structure.clone()).unwrap_or_else(|| panic!("stage {name}: {:?}", d.provenance.stages))
    };
    let start = st("melt/elastic/static");
    // the quench starts from the built cell; the elastic and κ stages at 300 K run on the
    // quenched glass the glass-transition stage leaves (regression: they ran on the start cell)
    assert_eq!(st("melt/glass_transition"), start);
    assert_ne!(st("melt/elastic/300K"), start, "elastic at 300 K ran on the starting cell");
    assert_eq!(st("melt/elastic/300K"), st("melt/green_kubo/300K"));
    // Green–Kubo ran with the phase's md options it takes (pressure_damping is not one of them)
    let kappa = d.properties.kappa_w_mk.as_ref().expect("kappa");
    assert!(kappa.value.is_finite() && kappa.value > 0.0, "{kappa:?}");
    eprintln!("T_g {:.0} ± {:?} K, E {:.3} GPa, kappa {:?}, warnings {:?}", tg.value, tg.stderr, d.properties.e_gpa.value, d.properties.kappa_w_mk, d.warnings);
    std::fs::remove_dir_all(&dir).ok();
}

/// The shipped polymer descriptions (the example and the five-class benchmark's polymer class)
/// parse and their builders reach their targets (network conversions included).
#[test]
fn shipped_polymer_descriptions_parse_and_build() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = vec![root.join("examples/materials/kg-polymer.toml")];
    let design = std::fs::read_to_string(root.join("examples/benchmark/polymer.toml")).expect("design");
    let v: toml::Value = toml::from_str(&design).expect("design TOML");
    for f in v["materials"].as_array().expect("materials") {
        files.push(root.join("examples/benchmark").join(f.as_str().expect("path")));
    }
    assert_eq!(files.len(), 7);
    for f in files {
        let m = scalebridge_pipeline::Material::from_file(&f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        assert_eq!(m.class, "polymer");
        let PhaseKind::Atomistic { structure: StructureSource::Polymer { spec }, .. } = &m.phases[0].kind else { panic!("{}: not a polymer phase", f.display()) };
        let sys = spec.build().unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        if let Some(c) = sys.report.conversion {
            eprintln!("{}: conversion {c:.3}, {} beads", f.display(), sys.report.n_atoms);
        }
        assert!(sys.report.n_atoms >= 160, "{}", f.display());
    }
}

/// The benchmark's cross-linked networks (examples/benchmark/polymer/network-c*.toml) use
/// two-bead hardeners, so the builder's type table lists the hardener's inner type 4 with no atom
/// of it; their molecular potential (lj/cut + bonded + special_bonds) must evaluate that
/// structure. (It failed with "unknown species '4' for special_bonds" in every stage.)
#[test]
fn network_phases_with_an_unused_builder_type_evaluate() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/benchmark/polymer");
    for name in ["network-c30.toml", "network-c60.toml", "network-c90.toml"] {
        let path = dir.join(name);
        let m = scalebridge_pipeline::Material::from_toml_str(&std::fs::read_to_string(&path).expect("read"), name, &dir).expect("valid");
        let PhaseKind::Atomistic { structure, potential } = &m.phases[0].kind else { panic!("atomistic") };
        let pot = potential.build().expect("potential");
        let s = scalebridge_pipeline::material::build_structure(structure, &pot, [1.0; 3], [1; 3]).expect("structure");
        let present: std::collections::BTreeSet<usize> = s.types.iter().copied().collect();
        assert!(present.len() < s.species.len(), "{name}: every listed type has atoms ({:?}); the case this test is about is gone", s.species);
        let mut ev = scalebridge_md::evaluator::Evaluator::new(pot, 1.0, 1).expect("evaluator");
        let e = ev.compute_all(&s).unwrap_or_else(|err| panic!("{name}: {err}")).energy;
        assert!(e.is_finite(), "{name}: {e}");
    }
}
