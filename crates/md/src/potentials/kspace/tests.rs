//! Analytic and internal-consistency checks of coul/long + ewald/pppm (the LAMMPS comparisons
//! are in tests/coul_long_lammps.rs).

use super::*;
use crate::evaluator::Evaluator;
use crate::potentials::Output;
use crate::structure::Structure;
use std::sync::Arc;

fn structure(cell: [[f64; 3]; 3], pos: Vec<[f64; 3]>, sym: Vec<&str>) -> Structure {
    let sym: Vec<String> = sym.into_iter().map(String::from).collect();
    let masses = vec![1.0; pos.len()];
    Structure::from_symbols(Cell::new(cell).unwrap(), pos, &sym, Some(masses)).unwrap()
}

fn eval(pot: CoulLong, s: &Structure) -> Output {
    let mut ev = Evaluator::new(Arc::new(pot), 1.0, 1).unwrap();
    ev.compute_all(s).unwrap().clone()
}

fn ions(style: KSpaceStyle, acc: f64, rc: f64) -> CoulLong {
    CoulLong::new(vec!["Na".into(), "Cl".into()], vec![1.0, -1.0], rc, KSpaceSettings::new(style, acc)).unwrap()
}

/// Rocksalt supercell `m³` conventional cells of edge `a`.
fn rocksalt(a: f64, m: usize) -> Structure {
    let basis = [[0.0, 0.0, 0.0], [0.0, 0.5, 0.5], [0.5, 0.0, 0.5], [0.5, 0.5, 0.0]];
    let (mut pos, mut sym) = (Vec::new(), Vec::new());
    for i in 0..m {
        for j in 0..m {
            for k in 0..m {
                for b in basis {
                    let o = [(i as f64 + b[0]) * a, (j as f64 + b[1]) * a, (k as f64 + b[2]) * a];
                    pos.push(o);
                    sym.push("Na");
                    pos.push([o[0] + 0.5 * a, o[1], o[2]]);
                    sym.push("Cl");
                }
            }
        }
    }
    let l = a * m as f64;
    structure([[l, 0.0, 0.0], [0.0, l, 0.0], [0.0, 0.0, l]], pos, sym)
}

/// A disordered neutral ionic configuration: a perturbed simple-cubic grid of ±1 and ±2 charges.
fn random_ions(cell: [[f64; 3]; 3], n: usize, seed: u64) -> Structure {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let c = Cell::new(cell).unwrap();
    let (mut pos, mut sym) = (Vec::new(), Vec::new());
    for i in 0..n {
        for j in 0..n {
            for k in 0..n {
                let s = [(i as f64 + 0.5 + rng.random_range(-0.2..0.2)) / n as f64, (j as f64 + 0.5 + rng.random_range(-0.2..0.2)) / n as f64, (k as f64 + 0.5 + rng.random_range(-0.2..0.2)) / n as f64];
                pos.push(c.cartesian(&s));
                sym.push(match (i + j + k) % 4 {
                    0 => "Mg",
                    1 => "O",
                    2 => "Na",
                    _ => "Cl",
                });
            }
        }
    }
    structure(cell, pos, sym)
}

fn mixed(style: KSpaceStyle, acc: f64, rc: f64) -> CoulLong {
    CoulLong::new(vec!["Mg".into(), "O".into(), "Na".into(), "Cl".into()], vec![1.7, -1.7, 0.9, -0.9], rc, KSpaceSettings::new(style, acc)).unwrap()
}

const TRIC: [[f64; 3]; 3] = [[12.0, 0.0, 0.0], [3.1, 11.0, 0.0], [-2.4, 2.2, 12.5]];
const ORTHO: [[f64; 3]; 3] = [[12.0, 0.0, 0.0], [0.0, 13.0, 0.0], [0.0, 0.0, 14.0]];

#[test]
fn madelung_rocksalt_and_cscl() {
    // NaCl: M = 1.747564595 per ion pair, r0 = a/2 (Kittel, Introduction to Solid State Physics,
    // ch. 3; Johnson & Templeton, J. Chem. Phys. 34, 2004 (1962)).
    let a = 5.64;
    let s = rocksalt(a, 2);
    let out = eval(ions(KSpaceStyle::Ewald, 1e-10, 5.6), &s);
    let pairs = s.len() as f64 / 2.0;
    let m = -out.energy / pairs * (a / 2.0) / QQRD2E_METAL;
    assert!((m - 1.747564595).abs() < 2e-6, "NaCl Madelung {m}");
    for f in &out.forces {
        assert!(f.iter().all(|x| x.abs() < 1e-5), "{f:?}");
    }
    // CsCl: M = 1.762674773, r0 = a√3/2
    let a = 4.12;
    let m3 = 3;
    let (mut pos, mut sym) = (Vec::new(), Vec::new());
    for i in 0..m3 {
        for j in 0..m3 {
            for k in 0..m3 {
                let o = [i as f64 * a, j as f64 * a, k as f64 * a];
                pos.push(o);
                sym.push("Na");
                pos.push([o[0] + a / 2.0, o[1] + a / 2.0, o[2] + a / 2.0]);
                sym.push("Cl");
            }
        }
    }
    let l = a * m3 as f64;
    let s = structure([[l, 0.0, 0.0], [0.0, l, 0.0], [0.0, 0.0, l]], pos, sym);
    for style in [KSpaceStyle::Ewald, KSpaceStyle::Pppm] {
        let out = eval(ions(style, 1e-8, 6.0), &s);
        let m = -out.energy / (s.len() as f64 / 2.0) * (a * 3f64.sqrt() / 2.0) / QQRD2E_METAL;
        assert!((m - 1.762674773).abs() < 5e-6, "CsCl Madelung {m} ({style:?})");
    }
}

#[test]
fn ewald_forces_and_virial_are_derivatives() {
    for cell in [ORTHO, TRIC] {
        let s = random_ions(cell, 4, 7);
        let mut ks = KSpaceSettings::new(KSpaceStyle::Ewald, 1e-8);
        let pot = CoulLong::new(vec!["Mg".into(), "O".into(), "Na".into(), "Cl".into()], vec![1.7, -1.7, 0.9, -0.9], 5.0, ks.clone()).unwrap();
        let cfg = crate::potentials::Configuration::new(&s, None);
        let r = pot.resolve(&cfg).unwrap();
        ks.gewald = Some(r.g_ewald);
        ks.kmax_ewald = Some(r.grid);
        let pinned = CoulLong::new(pot.species.clone(), pot.charges.clone(), 5.0, ks).unwrap();
        let out = eval(pinned.clone(), &s);
        let h = 1e-5;
        for i in [0usize, 5, 17] {
            for a in 0..3 {
                let mut p = s.clone();
                p.positions[i][a] += h;
                let ep = eval(pinned.clone(), &p).energy;
                p.positions[i][a] -= 2.0 * h;
                let em = eval(pinned.clone(), &p).energy;
                let fd = -(ep - em) / (2.0 * h);
                assert!((fd - out.forces[i][a]).abs() < 2e-5 * (1.0 + fd.abs()), "atom {i} dir {a}: fd {fd} vs {}", out.forces[i][a]);
            }
        }
        // virial W_ab = −dE/dε_ab (symmetric strain, positions and cell scaled)
        for (q, (a, b)) in [(0, (0, 0)), (1, (1, 1)), (2, (2, 2)), (3, (1, 2)), (4, (0, 2)), (5, (0, 1))] {
            let strained = |e: f64| {
                let mut f = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
                if a == b {
                    f[a][a] += e;
                } else {
                    f[a][b] += e / 2.0;
                    f[b][a] += e / 2.0;
                }
                let mut p = s.clone();
                p.cell = s.cell.deformed(&f).unwrap();
                for r in p.positions.iter_mut() {
                    let x = *r;
                    *r = [0, 1, 2].map(|c| x[0] * f[0][c] + x[1] * f[1][c] + x[2] * f[2][c]);
                }
                eval(pinned.clone(), &p).energy
            };
            let fd = -(strained(h) - strained(-h)) / (2.0 * h);
            let w = if a == b { out.virial[q] } else { out.virial[q] };
            assert!((fd - w).abs() < 1e-4 * (1.0 + w.abs()), "virial {q}: fd {fd} vs {w}");
        }
    }
}

#[test]
fn pppm_agrees_with_converged_ewald_to_its_accuracy() {
    for cell in [ORTHO, TRIC] {
        let s = random_ions(cell, 4, 11);
        let reference = eval(mixed(KSpaceStyle::Ewald, 1e-10, 5.0), &s);
        for acc in [1e-4, 1e-5] {
            let pot = mixed(KSpaceStyle::Pppm, acc, 5.0);
            let out = eval(pot, &s);
            let n = s.len() as f64;
            let rms = (out.forces.iter().zip(&reference.forces).map(|(a, b)| (0..3).map(|k| (a[k] - b[k]).powi(2)).sum::<f64>()).sum::<f64>() / n).sqrt();
            assert!(rms < 3.0 * acc * QQRD2E_METAL, "pppm {acc}: rms force error {rms}");
            assert!((out.energy - reference.energy).abs() < 20.0 * acc * QQRD2E_METAL * n.sqrt(), "pppm {acc}: energy {} vs {}", out.energy, reference.energy);
            // per-atom energies and virials add up to the totals
            let esum: f64 = out.per_atom_energy.iter().sum();
            assert!((esum - out.energy).abs() < 1e-8 * out.energy.abs().max(1.0), "{esum} vs {}", out.energy);
            for c in 0..6 {
                let vs: f64 = out.per_atom_virial.iter().map(|v| v[c]).sum();
                assert!((vs - out.virial[c]).abs() < 1e-7 * (1.0 + out.virial[c].abs()), "virial {c}: {vs} vs {}", out.virial[c]);
            }
            for c in 0..6 {
                assert!((out.virial[c] - reference.virial[c]).abs() < 50.0 * acc * QQRD2E_METAL * n.sqrt(), "virial {c}");
            }
        }
        let esum: f64 = reference.per_atom_energy.iter().sum();
        assert!((esum - reference.energy).abs() < 1e-9 * reference.energy.abs());
        for c in 0..6 {
            let vs: f64 = reference.per_atom_virial.iter().map(|v| v[c]).sum();
            assert!((vs - reference.virial[c]).abs() < 1e-8 * (1.0 + reference.virial[c].abs()));
        }
    }
}

#[test]
fn pppm_is_rotation_and_translation_invariant() {
    let s = random_ions(TRIC, 4, 3);
    let base = eval(mixed(KSpaceStyle::Pppm, 1e-5, 5.0), &s);
    let mut t = s.clone();
    for r in t.positions.iter_mut() {
        r[0] += 12.0; // one cell vector: a pure relabelling of images
    }
    let moved = eval(mixed(KSpaceStyle::Pppm, 1e-5, 5.0), &t);
    assert!((moved.energy - base.energy).abs() < 1e-9 * base.energy.abs());
}

#[test]
fn bad_input_is_a_clear_error() {
    let s = random_ions(ORTHO, 4, 5);
    // non-neutral
    let pot = CoulLong::new(vec!["Mg".into(), "O".into(), "Na".into(), "Cl".into()], vec![1.7, -1.6, 0.9, -0.9], 5.0, KSpaceSettings::new(KSpaceStyle::Ewald, 1e-5)).unwrap();
    let mut ev = Evaluator::new(Arc::new(pot.clone()), 1.0, 1).unwrap();
    let err = ev.compute_all(&s).unwrap_err().to_string();
    assert!(err.contains("net charge") && err.contains("neutral"), "{err}");
    // with a neutralising background it runs, and includes −π Q²/(2 g² V)
    let mut ks = pot.kspace.clone();
    ks.neutralize = true;
    let neutral = CoulLong::new(pot.species.clone(), pot.charges.clone(), 5.0, ks).unwrap();
    assert!(eval(neutral, &s).energy.is_finite());
    // impossible accuracy
    for style in [KSpaceStyle::Ewald, KSpaceStyle::Pppm] {
        let pot = mixed(style, 1e-300, 2.0);
        let mut ev = Evaluator::new(Arc::new(pot), 1.0, 1).unwrap();
        let err = ev.compute_all(&s).unwrap_err().to_string();
        assert!(err.contains("cannot be met"), "{err}");
    }
    // bad settings
    assert!(CoulLong::new(vec!["Na".into()], vec![1.0], 5.0, KSpaceSettings::new(KSpaceStyle::Pppm, 0.0)).is_err());
    let mut ks = KSpaceSettings::new(KSpaceStyle::Pppm, 1e-5);
    ks.order = 9;
    assert!(CoulLong::new(vec!["Na".into()], vec![1.0], 5.0, ks).unwrap_err().to_string().contains("order"));
    assert!(CoulLong::new(vec!["Na".into()], vec![f64::NAN], 5.0, KSpaceSettings::new(KSpaceStyle::Pppm, 1e-5)).is_err());
    // missing species
    let pot = ions(KSpaceStyle::Ewald, 1e-5, 5.0);
    let mut ev = Evaluator::new(Arc::new(pot), 1.0, 1).unwrap();
    assert!(ev.compute_all(&s).unwrap_err().to_string().contains("unknown species"));
}

#[test]
fn threads_do_not_change_results() {
    let s = random_ions(TRIC, 4, 9);
    for style in [KSpaceStyle::Ewald, KSpaceStyle::Pppm] {
        let one = eval(mixed(style, 1e-5, 5.0), &s);
        let mut ev = Evaluator::new(Arc::new(mixed(style, 1e-5, 5.0)), 1.0, 2).unwrap();
        let two = ev.compute_all(&s).unwrap().clone();
        assert!((one.energy - two.energy).abs() < 1e-10 * one.energy.abs());
        for (a, b) in one.forces.iter().zip(&two.forces) {
            for k in 0..3 {
                assert!((a[k] - b[k]).abs() < 1e-9);
            }
        }
    }
}

/// LAMMPS's per-`run` semantics (`pinned_for_run`): g (and the PPPM mesh) fixed on the first
/// cell, the Ewald k-vector limits recomputed at that g on every new cell (`Ewald::setup`),
/// the PPPM influence function recomputed for every new cell on the fixed mesh (`PPPM::setup`).
#[test]
fn pinned_for_run_fixes_g_and_mesh_and_lets_the_geometry_follow_the_cell() {
    let s = random_ions(TRIC, 4, 5);
    let grown = s.deformed(&[[1.06, 0.01, 0.0], [0.0, 1.05, -0.02], [0.0, 0.0, 1.07]]).unwrap();
    for style in [KSpaceStyle::Ewald, KSpaceStyle::Pppm] {
        let pot = mixed(style, 1e-5, 5.0);
        let first = pot.resolve(&Configuration::new(&s, None)).unwrap();
        let pinned = pot.pinned_for_run(&Configuration::new(&s, None)).unwrap().expect("g was chosen, so it is pinned");
        let pinned = pinned.as_any_coul_long();
        assert_eq!(pinned.kspace.gewald, Some(first.g_ewald), "{style:?}");
        match style {
            KSpaceStyle::Ewald => assert_eq!(pinned.kspace.kmax_ewald, None, "Ewald k limits follow the box (Ewald::setup)"),
            KSpaceStyle::Pppm => assert_eq!(pinned.kspace.mesh, Some(first.grid), "PPPM mesh fixed at init"),
        }
        let fresh = pot.resolve(&Configuration::new(&grown, None)).unwrap();
        let kept = pinned.resolve(&Configuration::new(&grown, None)).unwrap();
        assert_eq!(kept.g_ewald, first.g_ewald);
        assert_ne!(fresh.g_ewald, first.g_ewald, "{style:?}: the test cell must change the choice of g");
        if style == KSpaceStyle::Ewald {
            // the limits at the kept g on the new box are what a fresh choice at that g gives
            let mut at_g = pot.kspace.clone();
            at_g.gewald = Some(first.g_ewald);
            let direct = CoulLong::new(pot.species.clone(), pot.charges.clone(), pot.cutoff, at_g).unwrap().resolve(&Configuration::new(&grown, None)).unwrap();
            assert_eq!(kept.grid, direct.grid);
        }
        // nothing left to pin once g (and the mesh) are given
        assert!(pinned.pinned_for_run(&Configuration::new(&grown, None)).unwrap().is_none());
    }
}

/// The solver kept across a cell change (FFT plans and assignment coefficients reused, as
/// LAMMPS's `PPPM::setup` recomputes only the geometry) gives exactly what a fresh one gives.
#[test]
fn solver_reused_across_cells_equals_a_fresh_one() {
    let s = random_ions(TRIC, 4, 6);
    let grown = s.deformed(&[[1.03, 0.0, 0.01], [0.0, 0.98, 0.0], [0.0, 0.02, 1.04]]).unwrap();
    for style in [KSpaceStyle::Ewald, KSpaceStyle::Pppm] {
        let pinned = mixed(style, 1e-5, 5.0).pinned_for_run(&Configuration::new(&s, None)).unwrap().unwrap();
        let mut ev = Evaluator::new(pinned.clone(), 1.0, 1).unwrap();
        ev.compute_all(&s).unwrap();
        let reused = ev.compute_all(&grown).unwrap().clone();
        let fresh = eval(pinned.as_any_coul_long().clone(), &grown);
        assert_eq!(reused.energy, fresh.energy, "{style:?}");
        assert_eq!(reused.forces, fresh.forces, "{style:?}");
        assert_eq!(reused.virial, fresh.virial, "{style:?}");
    }
}

trait AsCoulLong {
    fn as_any_coul_long(&self) -> &CoulLong;
}

impl AsCoulLong for Arc<dyn Potential> {
    fn as_any_coul_long(&self) -> &CoulLong {
        let json = self.fingerprint();
        let parsed: CoulLong = serde_json::from_str(&json).expect("a coul/long fingerprint is its JSON");
        Box::leak(Box::new(parsed))
    }
}
