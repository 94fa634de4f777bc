use super::*;

fn el(s: &[&str]) -> Vec<String> {
    s.iter().map(|x| x.to_string()).collect()
}

#[test]
fn lammps_data_triclinic_charge_images_and_order() {
    let text = "title\n\n3 atoms\n2 atom types\n\n-1.0 4.0 xlo xhi\n0.0 5.0 ylo yhi\n0.0 6.0 zlo zhi\n1.0 0.5 -0.25 xy xz yz\n\nMasses\n\n1 10.0\n2 20.0\n\nAtoms # charge\n\n3 2 -1.0 1.0 1.0 1.0\n1 1 0.5 0.0 0.0 0.0 1 0 0\n2 1 0.5 2.0 2.0 2.0\n";
    let f = lammps_data::parse("d", text, &el(&["Na", "Cl"]), Some(AtomStyle::Charge)).unwrap();
    let s = &f.structure;
    assert_eq!(s.cell.matrix(), &[[5.0, 0.0, 0.0], [1.0, 5.0, 0.0], [0.5, -0.25, 6.0]]);
    assert_eq!(s.symbols(), el(&["Cl", "Na", "Na"]));
    assert_eq!(s.masses, vec![20.0, 10.0, 10.0]);
    assert_eq!(s.positions[1], [6.0, 0.0, 0.0]); // x + 1·a − xlo
    assert_eq!(f.charges, Some(vec![-1.0, 0.5, 0.5]));
    let e = lammps_data::parse("d", text, &el(&["Na", "Cl"]), Some(AtomStyle::Atomic)).unwrap_err().to_string();
    assert!(e.contains("charge"), "{e}");
    let e = lammps_data::parse("d", text, &el(&["Na"]), None).unwrap_err().to_string();
    assert!(e.contains("2 atom types"), "{e}");
    let e = lammps_data::parse("d", &text.replace("3 2 -1.0", "3 7 -1.0"), &el(&["Na", "Cl"]), None).unwrap_err().to_string();
    assert!(e.contains("atom type '7'") && e.contains("d:18"), "{e}");
    let e = lammps_data::parse("d", &text.replace("3 atoms", "3 atoms\n2 bonds"), &el(&["Na", "Cl"]), None).unwrap_err().to_string();
    assert!(e.contains("bonds"), "{e}");
}

#[test]
fn poscar_vasp5_direct_and_vasp4() {
    let text = "Cu\n-47.0\n3.0 0 0\n0 3.0 0\n0 0 3.0\nCu Ni\n1 1\nSelective dynamics\nDirect\n0 0 0 T T T\n0.5 0.5 0.5 F F F\n";
    let s = poscar::parse("P", text, &[]).unwrap();
    let a = 47.0f64.cbrt();
    assert!((s.cell.volume() - 47.0).abs() < 1e-10);
    assert!((s.positions[1][0] - 0.5 * a).abs() < 1e-12);
    assert_eq!(s.symbols(), el(&["Cu", "Ni"]));
    let v4 = "x\n1.0\n3 0 0\n0 3 0\n0 0 3\n2\nCartesian\n0 0 0\n1.5 1.5 1.5\n";
    let e = poscar::parse("P", v4, &[]).unwrap_err().to_string();
    assert!(e.contains("--elements"), "{e}");
    assert_eq!(poscar::parse("P", v4, &el(&["Ar"])).unwrap().positions[1], [1.5, 1.5, 1.5]);
}

#[test]
fn cif_symmetry_expansion_and_partial_occupancy() {
    let text = "data_x\n_cell_length_a 3.6(1)\n_cell_length_b 3.6\n_cell_length_c 3.6\n_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\nloop_\n_symmetry_equiv_pos_as_xyz\n'x, y, z'\n'x+1/2, y+1/2, z'\n'x+1/2, y, 1/2+z'\n'x, -y+1/2, z+1/2'\nloop_\n_atom_site_label\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n_atom_site_occupancy\nCu1 0 0 0 1.0\n";
    let s = cif::parse("c", text).unwrap();
    assert_eq!(s.len(), 4);
    assert_eq!(s.symbols(), el(&["Cu"; 4]));
    let e = cif::parse("c", &text.replace("0 0 0 1.0", "0 0 0 0.5")).unwrap_err().to_string();
    assert!(e.contains("occupancy"), "{e}");
    let h = cif::cellpar_to_cell([2.0, 3.0, 4.0, 80.0, 95.0, 110.0]);
    let len = |v: [f64; 3]| (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
    assert!((len(h[2]) - 4.0).abs() < 1e-12 && (len(h[1]) - 3.0).abs() < 1e-12);
}

#[test]
fn separation_check_sees_images() {
    let cell = crate::cell::Cell::new([[3.0, 0.0, 0.0], [0.0, 3.0, 0.0], [0.0, 0.0, 3.0]]).unwrap();
    let s = crate::structure::Structure::from_symbols(cell, vec![[0.05, 0.0, 0.0], [2.98, 0.0, 0.0]], &el(&["Cu", "Cu"]), None).unwrap();
    let e = check_separation(&s, 0.5).unwrap_err();
    assert!(matches!(e, Error::Overlap { .. }), "{e}");
    check_separation(&s, 0.05).unwrap();
}
