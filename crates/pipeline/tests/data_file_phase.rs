//! A LAMMPS data file as a polymer phase (`polymer = { data = "x.data", atom_style = ... }` with
//! `potential = { lammps = [...] }`): the phase reads the file (structure and topology atom for
//! atom), its potential is the file's topology with the given force field (the same numbers as
//! the data-file reader + LAMMPS-line reader give), and a missing file, dangling bond atom ids,
//! missing coefficients or a missing force field are parse errors naming key and line.

use scalebridge_md::potentials::bonded::input;
use scalebridge_md::prelude::*;
use scalebridge_md::topology::builders::PolymerSpec;
use scalebridge_md::topology::{data_file, MolecularStyle};
use scalebridge_pipeline::material::{PhaseKind, StructureSource};
use scalebridge_pipeline::{Material, PipelineError};
use std::path::{Path, PathBuf};
use std::sync::Arc;

const LINES: &str = r#"["pair_style lj/cut 1.122462048309373", "pair_coeff * * 1.0 1.0", "pair_modify shift yes", "bond_style fene", "bond_coeff 1 30.0 1.5 1.0 1.0", "special_bonds fene"]"#;

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("scalebridge-data-phase-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("tmp dir");
    d
}

/// A small Kremer–Grest melt written as an `atom_style molecular` data file into `dir`.
fn write_melt(dir: &Path) -> PathBuf {
    let spec = PolymerSpec::from_json(r#"{"builder": "kremer-grest", "chains": 6, "length": 8, "seed": 5}"#).expect("spec");
    let sys = spec.build().expect("build");
    let p = dir.join("melt.data");
    sys.write_data(&p).expect("write");
    p
}

fn description(data: &str, lines: Option<&str>) -> String {
    let pot = lines.map(|l| format!("potential = {{ lammps = {l} }}\n")).unwrap_or_default();
    format!("name = \"kg-data\"\nclass = \"polymer\"\ntemperature_K = 0\n\n[[phase]]\nname = \"melt\"\npolymer = {{ data = \"{data}\", atom_style = \"molecular\" }}\n{pot}")
}

fn parse_in(dir: &Path, text: &str) -> Result<Material, PipelineError> {
    Material::from_toml_str(text, "m.toml", dir)
}

fn parse_err(dir: &Path, text: &str) -> (usize, String, String) {
    match parse_in(dir, text) {
        Err(PipelineError::Parse { line, key, msg, .. }) => (line, key, msg),
        other => panic!("expected a parse error, got {other:?}"),
    }
}

#[test]
fn a_data_file_phase_is_the_file_with_its_force_field() {
    let dir = tmp("ok");
    let data = write_melt(&dir);
    // relative to the description's directory
    let m = parse_in(&dir, &description("melt.data", Some(LINES))).expect("valid");
    let PhaseKind::Atomistic { structure, potential } = &m.phases[0].kind else { panic!("atomistic") };
    let StructureSource::Polymer { spec: PolymerSpec::DataFile(d) } = structure else { panic!("data-file source, got {structure:?}") };
    assert_eq!(d.data, dir.join("melt.data"));
    assert_eq!(potential.style(), "molecular");
    // the phase's potential equals the data-file reader + LAMMPS-line reader on the same file
    let f = data_file::read(&data, MolecularStyle::Molecular, &[]).expect("read");
    let lines: Vec<String> = serde_json::from_str(LINES).expect("lines");
    let labels = vec!["1".to_string()];
    let direct = input::parse("test", &lines, Arc::new(f.topology.clone()), &labels, &f.structure.symbols(), &[]).expect("lines").combined().expect("combined");
    let pot = potential.build().expect("potential");
    let s = scalebridge_pipeline::material::build_structure(structure, &pot, [1.0; 3], [1; 3]).expect("structure");
    assert_eq!(s.hash(), f.structure.hash(), "the phase's structure is the file's, atom for atom");
    let mut a = Evaluator::new(pot, 0.3, 1).expect("evaluator");
    let mut b = Evaluator::new(direct, 0.3, 1).expect("evaluator");
    let (ea, eb) = (a.compute_all(&s).expect("a").energy, b.compute_all(&f.structure).expect("b").energy);
    assert!(ea.abs() > 1.0, "a melt has bond and pair energy: {ea}");
    assert_eq!(ea, eb);
    // the specification round-trips through JSON
    let back = scalebridge_md::potentials::PotentialSpec::from_json(&potential.to_json()).expect("round trip");
    assert_eq!(&back, potential);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bad_data_file_phases_are_named_with_key_and_line() {
    let dir = tmp("bad");
    let data = write_melt(&dir);
    // missing file
    let (line, key, msg) = parse_err(&dir, &description("nowhere.data", Some(LINES)));
    assert_eq!((line, key.as_str()), (7, "polymer"), "{msg}");
    assert!(msg.contains("nowhere.data") && msg.contains("not found"), "{msg}");
    // a force field is required
    let (_, key, msg) = parse_err(&dir, &description("melt.data", None));
    assert_eq!(key, "potential", "{msg}");
    assert!(msg.contains("lammps"), "{msg}");
    // dangling bond atom id
    let text = std::fs::read_to_string(&data).expect("read");
    let bonds = text.find("Bonds").expect("Bonds section");
    let first = text[bonds..].lines().nth(2).expect("first bond").to_string();
    let w: Vec<&str> = first.split_whitespace().collect();
    let bad = format!("{} {} {} 999", w[0], w[1], w[2]);
    std::fs::write(dir.join("dangling.data"), text.replacen(&first, &bad, 1)).expect("write");
    let (_, key, msg) = parse_err(&dir, &description("dangling.data", Some(LINES)));
    assert_eq!(key, "polymer", "{msg}");
    assert!(msg.contains("999"), "{msg}");
    // missing bond coefficients (no bond_coeff line and no Bond Coeffs section)
    let no_coeff = LINES.replace(", \"bond_coeff 1 30.0 1.5 1.0 1.0\"", "");
    let (_, key, msg) = parse_err(&dir, &description("melt.data", Some(&no_coeff)));
    assert_eq!(key, "potential", "{msg}");
    assert!(msg.contains("coeff"), "{msg}");
    // missing pair coefficients
    let no_pair = LINES.replace("\"pair_coeff * * 1.0 1.0\", ", "");
    let (_, key, msg) = parse_err(&dir, &description("melt.data", Some(&no_pair)));
    assert_eq!(key, "potential", "{msg}");
    assert!(msg.contains("pair_coeff"), "{msg}");
    // unknown keys of the data form
    let (_, key, msg) = parse_err(&dir, &description("melt.data", Some(LINES)).replace("atom_style = \"molecular\"", "atom_style = \"molecular\", chains = 3"));
    assert_eq!(key, "polymer", "{msg}");
    assert!(msg.contains("chains"), "{msg}");
    std::fs::remove_dir_all(&dir).ok();
}
