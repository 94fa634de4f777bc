//! Forces are −∂E/∂x and the virial is the strain derivative of the energy (central
//! differences) for every style; bad coefficients name the problem. (Agreement with LAMMPS:
//! crates/md/tests/bonded_lammps.rs.)

use super::*;
use crate::structure::Structure;
use crate::topology::data_file::parse;
use crate::topology::MolecularStyle;

const DATA: &str = "t

6 atoms
2 atom types
5 bonds
2 bond types
4 angles
2 angle types
3 dihedrals
2 dihedral types
2 impropers
1 improper types

0.0 9.0 xlo xhi
0.0 9.5 ylo yhi
0.0 10.0 zlo zhi
1.1 -0.7 0.9 xy xz yz

Masses

1 12.0
2 1.0

Atoms # molecular

1 1 1 0.1 0.2 0.3
2 1 1 1.45 0.5 -0.2
3 1 1 2.1 1.8 0.25
4 1 2 3.5 2.0 -0.45
5 1 2 1.3 2.9 1.0
6 1 2 8.6 -0.3 9.8

Bonds

1 1 1 2
2 1 2 3
3 2 3 4
4 2 3 5
5 1 1 6

Angles

1 1 1 2 3
2 2 2 3 4
3 2 2 3 5
4 1 6 1 2

Dihedrals

1 1 1 2 3 4
2 2 1 2 3 5
3 1 6 1 2 3

Impropers

1 1 3 2 4 5
2 1 2 1 3 6
";

fn system() -> (Structure, Arc<Topology>) {
    let f = parse("t.data", DATA, MolecularStyle::Molecular, &[]).unwrap();
    (f.structure, Arc::new(f.topology))
}

fn lines(extra: &[&str]) -> Vec<String> {
    extra.iter().map(|s| s.to_string()).collect()
}

const CASES: &[&[&str]] = &[
    &["bond_style harmonic", "bond_coeff 1 15.0 1.4", "bond_coeff 2 10.0 1.2", "angle_style zero", "dihedral_style zero", "improper_style zero"],
    &["bond_style fene", "bond_coeff * 3.0 2.5 0.2 1.3", "angle_style zero", "dihedral_style zero", "improper_style zero"],
    &["bond_style zero", "angle_style harmonic", "angle_coeff * 2.0 109.5", "angle_coeff 2 1.5 120", "dihedral_style zero", "improper_style zero"],
    &["bond_style zero", "angle_style cosine/squared", "angle_coeff * 2.0 109.5", "dihedral_style zero", "improper_style zero"],
    &["bond_style zero", "angle_style zero", "dihedral_style opls", "dihedral_coeff * 0.3 -0.2 0.5 0.1", "improper_style zero"],
    &["bond_style zero", "angle_style zero", "dihedral_style multi/harmonic", "dihedral_coeff * 0.3 -0.2 0.5 0.1 0.07", "improper_style zero"],
    &["bond_style zero", "angle_style zero", "dihedral_style harmonic", "dihedral_coeff 1 0.3 -1 3", "dihedral_coeff 2 0.2 1 2", "improper_style zero"],
    &["bond_style zero", "angle_style zero", "dihedral_style zero", "improper_style harmonic", "improper_coeff 1 1.3 20.0"],
];

fn energy(p: &Bonded, s: &Structure) -> f64 {
    let mut out = Output::default();
    out.reset(s.len(), Request::global());
    p.compute(&Configuration::new(s, None), Request::global(), &mut Scratch::default(), &mut out).unwrap();
    out.energy
}

#[test]
fn forces_and_virial_are_energy_derivatives() {
    let (s, topo) = system();
    for case in CASES {
        let p = Bonded::from_lammps(&lines(case), topo.clone(), s.species.clone()).unwrap();
        let mut out = Output::default();
        out.reset(s.len(), Request::all());
        p.compute(&Configuration::new(&s, None), Request::all(), &mut Scratch::default(), &mut out).unwrap();
        assert!(out.energy.abs() > 1e-3, "{case:?}: energy {}", out.energy);
        let h = 1e-6;
        for i in 0..s.len() {
            for c in 0..3 {
                let (mut a, mut b) = (s.clone(), s.clone());
                a.positions[i][c] += h;
                b.positions[i][c] -= h;
                let fd = -(energy(&p, &a) - energy(&p, &b)) / (2.0 * h);
                assert!((fd - out.forces[i][c]).abs() < 1e-6 * (1.0 + fd.abs()), "{case:?} force {i} {c}: {} vs {fd}", out.forces[i][c]);
            }
        }
        for q in 0..6 {
            let e = |x: f64| energy(&p, &s.deformed(&crate::cell::voigt_deformation(q, x)).unwrap());
            let w = -(e(h) - e(-h)) / (2.0 * h);
            assert!((w - out.virial[q]).abs() < 1e-6 * (1.0 + w.abs()), "{case:?} virial {q}: {} vs {w}", out.virial[q]);
        }
        let sum: f64 = out.per_atom_energy.iter().sum();
        assert!((sum - out.energy).abs() < 1e-12 * (1.0 + out.energy.abs()));
    }
}

#[test]
fn bad_styles_and_coefficients_are_named() {
    let (s, topo) = system();
    let e = |l: &[&str]| Bonded::from_lammps(&lines(l), topo.clone(), s.species.clone()).unwrap_err().to_string();
    assert!(e(&["bond_style morse"]).contains("morse"));
    assert!(e(&["bond_style harmonic", "bond_coeff 1 15.0 1.4"]).contains("bond type = 2"), "{}", e(&["bond_style harmonic", "bond_coeff 1 15.0 1.4"]));
    assert!(e(&["bond_style harmonic", "bond_coeff 3 15.0 1.4"]).contains("bond type"));
    assert!(e(&["bond_style harmonic", "bond_coeff * 15.0"]).contains("expected 2 coefficients"));
    assert!(e(&["bond_coeff * 15.0 1.0"]).contains("before bond_style"));
    assert!(e(&["bond_style harmonic", "bond_coeff * 15.0 1.0"]).contains("angle_style"));
    assert!(e(&["bond_style zero", "angle_style zero", "dihedral_style harmonic", "dihedral_coeff * 1.0 2 3"]).contains("d must be"));
    // a FENE bond stretched beyond R0
    let p = Bonded::from_lammps(&lines(&["bond_style fene", "bond_coeff * 3.0 1.0 0.2 1.0", "angle_style zero", "dihedral_style zero", "improper_style zero"]), topo.clone(), s.species.clone()).unwrap();
    let mut out = Output::default();
    out.reset(s.len(), Request::global());
    let err = p.compute(&Configuration::new(&s, None), Request::global(), &mut Scratch::default(), &mut out).unwrap_err().to_string();
    assert!(err.contains("R0"), "{err}");
}

/// The special-pair correction in a cell narrower than twice the cutoff: every periodic image of
/// a special partner within the cutoff is removed (LAMMPS excludes a special partner by its tag,
/// so every image), none is missed by the image bound `|n_a| <= r_c/w_a + 1/2`. Brute force over
/// `|n_a| <= 3` is the reference.
#[test]
fn special_correction_covers_every_image_within_the_cutoff_of_a_narrow_cell() {
    use crate::potentials::lj_cut::{LennardJones, Mixing};
    use special::{SpecialBonds, SpecialFactors};
    let (s, topo) = system();
    let rc = 6.5;
    let w = s.cell.widths();
    assert!(w.iter().all(|&x| x < 2.0 * rc), "the cell must be narrower than 2 r_c: {w:?}");
    let nsp = s.species.len();
    let lj = Arc::new(LennardJones::new(s.species.clone(), vec![0.01; nsp], vec![2.0; nsp], rc, false, Mixing::Geometric, vec![]).unwrap());
    let symbols: Vec<String> = s.types.iter().map(|&t| s.species[t].clone()).collect();
    let p = SpecialBonds::new(&topo, SpecialFactors::default(), Some(lj.clone()), None, &symbols).unwrap();
    let mut out = Output::default();
    out.reset(s.len(), Request::global());
    p.compute(&Configuration::new(&s, None), Request::global(), &mut Scratch::default(), &mut out).unwrap();
    let (mut expected, mut most_images) = (0.0, 0);
    for (i, j, _) in topo.special_pairs() {
        let d0 = minimum_image(&s.cell, [0, 1, 2].map(|k| s.positions[i][k] - s.positions[j][k]));
        let mut images = 0;
        for a in -3i32..=3 {
            for b in -3i32..=3 {
                for c in -3i32..=3 {
                    let t = s.cell.cartesian(&[a as f64, b as f64, c as f64]);
                    let d = [d0[0] + t[0], d0[1] + t[1], d0[2] + t[2]];
                    let r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
                    if r2 < rc * rc {
                        expected -= lj.energy_force(s.types[i], s.types[j], r2).0;
                        images += 1;
                    }
                }
            }
        }
        most_images = most_images.max(images);
    }
    assert!(most_images >= 2, "some special pair must have several images within the cutoff");
    assert!((out.energy - expected).abs() < 1e-12 * expected.abs(), "{} vs {expected}", out.energy);
}
