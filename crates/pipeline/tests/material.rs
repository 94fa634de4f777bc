//! Material descriptions: the issue's keys parse; unknown keys, wrong types and impossible values
//! are errors naming the key and the line.

use scalebridge_pipeline::material::{PhaseKind, StructureSource};
use scalebridge_pipeline::{Material, PipelineError};
use std::path::Path;

mod common;
use common::{parse, parse_err};

const BASE: &str = r#"name = "Cu-poly"
class = "metal"
temperature_K = 300
[[phase]]
name = "Cu"
structure = { lattice = "fcc", elements = { Cu = 1.0 }, a = 3.615 }
potential = { generator = "zhou2004" }
fraction = 1.0
[microstructure]
kind = "polycrystal"
grains = 30
texture = "random"
resolution = 32
seed = 1
"#;


#[test]
fn the_issue_keys_parse_with_zhou_elements_from_the_structure() {
    let m = parse(BASE).expect("valid");
    assert_eq!((m.name.as_str(), m.class.as_str(), m.temperatures_k.clone(), m.temperature_list), ("Cu-poly", "metal", vec![300.0], false));
    assert_eq!((m.microstructure.kind.as_str(), m.microstructure.grains, m.microstructure.resolution), ("polycrystal", 30, 32));
    let PhaseKind::Atomistic { structure, potential } = &m.phases[0].kind else { panic!("atomistic") };
    assert!(matches!(structure, StructureSource::Lattice { a: Some(a), .. } if *a == 3.615));
    assert_eq!(potential.to_value(), serde_json::json!({"generator": "zhou2004", "elements": ["Cu"]}));
    let list = parse(&BASE.replace("temperature_K = 300", "temperature_K = [0, 300.5]")).expect("list");
    assert_eq!((list.temperatures_k, list.temperature_list), (vec![0.0, 300.5], true));
}

#[test]
fn unknown_key_names_key_and_line() {
    let (line, key, msg) = parse_err(&BASE.replace("seed = 1\n", "seed = 1\ngrain_size = 4\n"));
    assert_eq!((line, key.as_str()), (15, "grain_size"), "{msg}");
    let (line, key, _) = parse_err(&BASE.replace("a = 3.615 }", "a = 3.615, lattce = 1 }"));
    assert_eq!((line, key.as_str()), (6, "lattce"));
    let (line, key, _) = parse_err(&format!("colour = \"red\"\n{BASE}"));
    assert_eq!((line, key.as_str()), (1, "colour"));
}

#[test]
fn wrong_types_name_key_and_line() {
    let (line, key, msg) = parse_err(&BASE.replace("grains = 30", "grains = \"thirty\""));
    assert_eq!((line, key.as_str()), (11, "grains"), "{msg}");
    let (line, key, msg) = parse_err(&BASE.replace("a = 3.615", "a = \"big\""));
    assert_eq!((line, key.as_str()), (6, "a"), "{msg}");
    let (line, key, _) = parse_err(&BASE.replace("temperature_K = 300", "temperature_K = \"hot\""));
    assert_eq!((line, key.as_str()), (3, "temperature_K"));
}

#[test]
fn impossible_values_name_key_and_line() {
    let (line, key, msg) = parse_err(&BASE.replace("fraction = 1.0", "fraction = 0.7"));
    assert_eq!(key, "fraction", "{msg}");
    assert!(msg.contains("0.7") && msg.contains("sum"), "{msg}");
    assert_eq!(line, 4);
    let (line, key, msg) = parse_err(&BASE.replace("{ Cu = 1.0 }", "{ Cu = 0.6, Ni = 0.3 }"));
    assert_eq!((line, key.as_str()), (6, "elements"), "{msg}");
    assert!(msg.contains("sum to 0.9"), "{msg}");
    let (line, key, msg) = parse_err(&BASE.replace("temperature_K = 300", "temperature_K = -5"));
    assert_eq!((line, key.as_str()), (3, "temperature_K"), "{msg}");
    let (line, key, msg) = parse_err(&BASE.replace("class = \"metal\"", "class = \"metl\""));
    assert_eq!((line, key.as_str()), (2, "class"), "{msg}");
    assert!(msg.contains("alloy"), "{msg}");
    let (line, key, msg) = parse_err(&BASE.replace("\"polycrystal\"", "\"foam\""));
    assert_eq!((line, key.as_str()), (10, "kind"), "{msg}");
    let (_, key, msg) = parse_err(&BASE.replace("lattice = \"fcc\"", "lattice = \"fcx\""));
    assert_eq!(key, "lattice", "{msg}");
    let (_, key, msg) = parse_err(&BASE.replace("{ generator = \"zhou2004\" }", "{ generator = \"zhou2005\" }"));
    assert!(key == "potential" && msg.contains("zhou2005"), "{key}: {msg}");
    let (_, key, msg) = parse_err(&BASE.replace("{ generator = \"zhou2004\" }", "{ pair_style = \"eam/alloy\", files = [\"missing.eam.alloy\"] }"));
    assert!(key == "potential" && msg.contains("missing.eam.alloy"), "{key}: {msg}");
    let (_, key, msg) = parse_err(&BASE.replace("resolution = 32", "resolution = 2"));
    assert_eq!(key, "resolution", "{msg}");
}

#[test]
fn continuum_phases_and_two_phase_microstructures() {
    let text = r#"name = "Cu-Al2O3"
class = "composite"
temperature_K = 300
[[phase]]
name = "Cu"
structure = { lattice = "fcc", elements = { Cu = 1.0 }, a = 3.615 }
potential = { generator = "zhou2004" }
fraction = 0.8
[[phase]]
name = "Al2O3"
E_GPa = 380.0
nu = 0.22
kappa_W_mK = 30.0
fraction = 0.2
[microstructure]
kind = "spheres"
radius = 4
"#;
    let m = parse(text).expect("valid");
    assert!(matches!(m.phases[1].kind, PhaseKind::Continuum { e_gpa, nu, kappa_w_mk: Some(k) } if e_gpa == 380.0 && nu == 0.22 && k == 30.0));
    let (line, key, _) = parse_err(&text.replace("nu = 0.22", "nu = 0.6"));
    assert_eq!((line, key.as_str()), (12, "nu"));
    let (_, key, msg) = parse_err(&text.replace("kind = \"spheres\"", "kind = \"single-crystal\""));
    assert!(key == "kind" && msg.contains("2"), "{msg}");
    let (_, key, msg) = parse_err(&text.replace("E_GPa = 380.0\n", ""));
    assert!(key == "E_GPa", "{key}: {msg}");
    // the same dictionary as JSON passes the same validation
    let v = serde_json::json!({"name": "x", "class": "metal", "temperature_K": 0, "phase": [{"name": "Cu", "E_GPa": 130.0, "nu": 0.34, "kappa_W_mK": null}]});
    let m = Material::from_json(&v, Path::new(".")).expect("dict");
    assert_eq!(m.phases[0].fraction, 1.0);
    let bad = serde_json::json!({"name": "x", "class": "metal", "temperature_K": 0, "phase": [{"name": "Cu", "E_GPa": 130.0, "nu": 0.34, "colour": 1}]});
    assert!(matches!(Material::from_json(&bad, Path::new(".")), Err(PipelineError::Parse { key, .. }) if key == "colour"));
}
