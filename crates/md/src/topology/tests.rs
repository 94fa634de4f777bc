//! Data-file reading and writing with topology; bad input gives errors naming the problem.

use super::data_file::{parse, write};
use super::*;

const GOOD: &str = "title

4 atoms
2 atom types
3 bonds
1 bond types
2 angles
1 angle types
1 dihedrals
1 dihedral types
0 impropers
0 improper types

0.0 10.0 xlo xhi
0.0 10.0 ylo yhi
0.0 10.0 zlo zhi

Masses

1 14.027
2 15.035

Bond Coeffs # harmonic

1 15.0 1.53

Atoms # full

10 1 2 -0.1 1.0 1.0 1.0
11 1 1 0.05 2.5 1.0 1.0 0 0 0
12 1 1 0.05 2.5 2.5 1.0
13 1 2 0.0 9.5 2.5 1.0 -1 0 0

Bonds

1 1 10 11
2 1 11 12
3 1 12 13

Angles

1 1 10 11 12
2 1 11 12 13

Dihedrals

1 1 10 11 12 13
";

fn err(text: &str, style: MolecularStyle) -> String {
    match parse("t.data", text, style, &[]) {
        Ok(_) => panic!("accepted bad input"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn reads_full_with_topology_and_ids_mapped() {
    let f = parse("t.data", GOOD, MolecularStyle::Full, &[]).unwrap();
    let t = &f.topology;
    assert_eq!(t.counts(), [3, 2, 1, 0]);
    assert_eq!(t.bonds[0].atoms, [0, 1]);
    assert_eq!(t.dihedrals[0].atoms, [0, 1, 2, 3]);
    assert_eq!(t.charges.as_ref().unwrap(), &vec![-0.1, 0.05, 0.05, 0.0]);
    assert_eq!(f.structure.species, vec!["2".to_string(), "1".to_string()]);
    assert_eq!(f.structure.masses, vec![15.035, 14.027, 14.027, 15.035]);
    // image flag -1 unwraps x = 9.5 to -0.5
    assert!((f.structure.positions[3][0] + 0.5).abs() < 1e-12);
    assert_eq!(t.coeff_section("Bond Coeffs").unwrap().style.as_deref(), Some("harmonic"));
    assert_eq!(t.special_pairs(), vec![(0, 1, 1), (0, 2, 2), (0, 3, 3), (1, 2, 1), (1, 3, 2), (2, 3, 1)]);
}

#[test]
fn write_then_read_round_trips() {
    let f = parse("t.data", GOOD, MolecularStyle::Full, &[]).unwrap();
    let path = std::env::temp_dir().join(format!("sb_topology_roundtrip_{}.data", std::process::id()));
    write(&path, &f.structure, &f.topology).unwrap();
    let g = super::data_file::read(&path, MolecularStyle::Full, &[]).unwrap();
    std::fs::remove_file(&path).ok();
    assert_eq!(g.topology, f.topology);
    assert_eq!(g.structure.positions, f.structure.positions);
    assert_eq!(g.structure.masses, f.structure.masses);
}

#[test]
fn molecular_style_has_no_charges() {
    let text = GOOD.replace("Atoms # full", "Atoms # molecular").replace(" -0.1 1.0", " 1.0").replace(" 0.05 2.5", " 2.5").replace(" 0.0 9.5", " 9.5");
    let f = parse("t.data", &text, MolecularStyle::Molecular, &[]).unwrap();
    assert!(f.topology.charges.is_none());
    assert!(err(GOOD, MolecularStyle::Molecular).contains("full"));
}

#[test]
fn bad_input_names_the_problem() {
    let dangling = GOOD.replace("3 1 12 13", "3 1 12 99");
    assert!(err(&dangling, MolecularStyle::Full).contains("atom id 99"), "{}", err(&dangling, MolecularStyle::Full));
    let bad_type = GOOD.replace("2 1 11 12 13", "2 3 11 12 13");
    assert!(err(&bad_type, MolecularStyle::Full).contains("angle type 3"));
    let no_mass = GOOD.replace("Masses\n\n1 14.027\n2 15.035\n", "");
    assert!(err(&no_mass, MolecularStyle::Full).contains("no Masses entry"));
    let columns = GOOD.replace("10 1 2 -0.1 1.0 1.0 1.0", "10 1 2 1.0 1.0 1.0");
    assert!(err(&columns, MolecularStyle::Full).contains("expects 7 or 10 columns"));
    let bond_cols = GOOD.replace("2 1 11 12\n", "2 1 11\n");
    assert!(err(&bond_cols, MolecularStyle::Full).contains("expected 4 columns"));
    let overlap = GOOD.replace("2.5 2.5 1.0", "2.5 1.0 1.0005");
    assert!(err(&overlap, MolecularStyle::Full).contains("overlap"));
    let twice = GOOD.replace("3 1 12 13", "3 1 12 12");
    assert!(err(&twice, MolecularStyle::Full).contains("twice"));
    let missing = GOOD.replace("\nDihedrals\n\n1 1 10 11 12 13\n", "");
    assert!(err(&missing, MolecularStyle::Full).contains("no Dihedrals section"));
    let class2 = format!("{GOOD}\nBondBond Coeffs\n\n1 0 1 1\n");
    assert!(err(&class2, MolecularStyle::Full).contains("not supported"));
}

#[test]
fn atomic_reader_points_to_molecular_styles() {
    let e = crate::io::lammps_data::parse("t.data", GOOD, &["C".into(), "C".into()], None).unwrap_err().to_string();
    assert!(e.contains("atom style full or molecular"), "{e}");
}
