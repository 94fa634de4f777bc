//! Lennard-Jones against exact references: published fcc lattice sums, F = −∂E/∂x by finite
//! differences, the virial against the strain derivative of the energy, thread-count invariance,
//! and NVE conservation properties.

use scalebridge_md::cell::voigt_deformation;
use scalebridge_md::prelude::*;
use scalebridge_md::velocities::{momentum, temperature};
use std::sync::Arc;

fn fcc(a: f64, n: usize, species: &str) -> Structure {
    bulk(&BulkSpec {
        lattice: Lattice::Fcc,
        species: vec![species.into()],
        a,
        c: None,
        orientation: None,
        repeat: [n, n, n],
        orthogonal: false,
        masses: Some(vec![39.948]),
    })
    .unwrap()
}

fn lj(rc: f64, shift: bool) -> Arc<dyn Potential> {
    Arc::new(LennardJones::new(vec!["A".into()], vec![1.0], vec![1.0], rc, shift, Mixing::LorentzBerthelot, vec![]).unwrap())
}

fn energy(p: &Arc<dyn Potential>, s: &Structure, threads: usize) -> Output {
    let mut ev = Evaluator::new(p.clone(), 0.3, threads).unwrap();
    ev.compute_all(s).unwrap().clone()
}

/// literature_values.md: fcc lj/cut 2.5σ at a0 = 1.54960σ: E = −8.0996 ε/atom unshifted,
/// −7.4633 shifted (lattice sums, reproduced with LAMMPS).
#[test]
fn truncated_fcc_lattice_energy_matches_published_values() {
    let s = fcc(1.54960, 3, "A");
    let n = s.len() as f64;
    let e = energy(&lj(2.5, false), &s, 1).energy / n;
    assert!((e - -8.0996).abs() < 1e-4, "E = {e}");
    let e = energy(&lj(2.5, true), &s, 1).energy / n;
    assert!((e - -7.4633).abs() < 1e-4, "E = {e}");
}

/// Full potential: U0 = −8.6102 ε at a = 1.54174σ (exact lattice sums). With r_c = 12σ plus the
/// analytic tail (8/3)πρεσ³[(σ/r_c)⁹/3 − (σ/r_c)³] the truncation error is far below 1e-4.
#[test]
fn full_potential_fcc_lattice_energy_matches_lattice_sums() {
    let a = 1.54174;
    let rc = 12.0;
    let s = fcc(a, 1, "A");
    let e = energy(&lj(rc, false), &s, 0).energy / s.len() as f64;
    let rho = 4.0 / (a * a * a);
    let tail = 8.0 / 3.0 * std::f64::consts::PI * rho * ((1.0 / rc).powi(9) / 3.0 - (1.0 / rc).powi(3));
    assert!((e + tail - -8.6102).abs() < 2e-4, "E = {e} + tail {tail}");
}

fn perturbed(seed: u64) -> Structure {
    use rand::{Rng, SeedableRng};
    let mut s = fcc(1.6, 3, "A");
    // make the cell triclinic too
    let h = *s.cell.matrix();
    let shear = [[1.0, 0.0, 0.0], [0.12, 1.0, 0.0], [-0.07, 0.09, 1.0]];
    let mut frac: Vec<Vec3> = s.positions.iter().map(|r| s.cell.fractional(r)).collect();
    s.cell = Cell::new(scalebridge_md::cell::matmul(&shear, &h)).unwrap();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    for f in frac.iter_mut() {
        for c in f.iter_mut() {
            *c += rng.random_range(-0.02..0.02);
        }
    }
    s.positions = frac.iter().map(|f| s.cell.cartesian(f)).collect();
    s
}

#[test]
fn forces_are_minus_energy_gradient() {
    let p = lj(2.5, true);
    let s = perturbed(1);
    let f = energy(&p, &s, 1).forces;
    let h = 1e-5;
    for &i in &[0usize, 17, 50] {
        for k in 0..3 {
            let mut sp = s.clone();
            sp.positions[i][k] += h;
            let mut sm = s.clone();
            sm.positions[i][k] -= h;
            let fd = -(energy(&p, &sp, 1).energy - energy(&p, &sm, 1).energy) / (2.0 * h);
            assert!((fd - f[i][k]).abs() < 1e-6 * (1.0 + f[i][k].abs()), "atom {i} dir {k}: fd {fd} vs {}", f[i][k]);
        }
    }
}

#[test]
fn virial_is_strain_derivative_of_energy() {
    // W_ab = −∂E/∂ε_ab (symmetric small strain applied to cell and positions, r' = r (I + ε))
    let p = lj(2.5, true);
    let s = perturbed(2);
    let w = energy(&p, &s, 1).virial;
    let h = 1e-6;
    for q in 0..6 {
        let strained = |e: f64| energy(&p, &s.deformed(&voigt_deformation(q, e)).unwrap(), 1).energy;
        let de = (strained(h) - strained(-h)) / (2.0 * h);
        assert!((-de - w[q]).abs() < 1e-5 * (1.0 + w[q].abs()), "component {q}: -dE/de {} vs W {}", -de, w[q]);
    }
}

#[test]
fn results_identical_across_thread_counts() {
    let p = lj(2.5, false);
    let s = perturbed(3);
    let a = energy(&p, &s, 1);
    for t in [2, 3, 4] {
        let b = energy(&p, &s, t);
        assert!(((a.energy - b.energy) / a.energy).abs() < 1e-12);
        let fmax = a.forces.iter().flat_map(|f| f.iter()).fold(0.0f64, |m, x| m.max(x.abs()));
        for (fa, fb) in a.forces.iter().zip(&b.forces) {
            for k in 0..3 {
                assert!((fa[k] - fb[k]).abs() <= 1e-12 * fmax);
            }
        }
        for k in 0..6 {
            assert!((a.virial[k] - b.virial[k]).abs() <= 1e-12 * a.virial[0].abs());
        }
        let esum: f64 = b.per_atom_energy.iter().sum();
        assert!(((esum - b.energy) / b.energy).abs() < 1e-12);
    }
}

#[test]
fn overlapping_atoms_are_rejected() {
    let p = lj(2.5, false);
    let mut s = fcc(1.6, 2, "A");
    s.positions[1] = [s.positions[0][0] + 0.05, s.positions[0][1], s.positions[0][2]];
    let mut ev = Evaluator::new(p, 0.3, 1).unwrap();
    match ev.compute_all(&s) {
        Err(Error::Overlap { r, .. }) => assert!((r - 0.05).abs() < 1e-12),
        other => panic!("expected overlap error, got {other:?}"),
    }
}

#[test]
fn cell_narrower_than_cutoff_uses_all_images() {
    // one atom in a cubic cell of side a < r_c: the energy is the simple-cubic lattice sum
    // E = ½ Σ_{n≠0, |n|a<rc} 4[(1/|n|a)^12 − (1/|n|a)^6], computed here by brute force.
    let a = 1.1;
    let rc = 3.3;
    let s = Structure::from_symbols(Cell::orthorhombic(a, a, a).unwrap(), vec![[0.3, 0.2, 0.1]], &["A".to_string()], Some(vec![1.0])).unwrap();
    let e = energy(&lj(rc, false), &s, 1).energy;
    let mut exact = 0.0;
    for i in -4i32..=4 {
        for j in -4i32..=4 {
            for k in -4i32..=4 {
                let r = a * ((i * i + j * j + k * k) as f64).sqrt();
                if r > 0.0 && r < rc {
                    exact += 0.5 * 4.0 * (r.powi(-12) - r.powi(-6));
                }
            }
        }
    }
    assert!(((e - exact) / exact).abs() < 1e-13, "{e} vs {exact}");
}

#[test]
fn nve_conserves_momentum_and_keeps_temperature() {
    let s = perturbed(4);
    let p: Arc<dyn Potential> = Arc::new(LennardJones::new(vec!["A".into()], vec![0.0104], vec![1.0], 2.5, true, Mixing::LorentzBerthelot, vec![]).unwrap());
    let mut sim = Simulation::new(s, p, Box::new(VelocityVerlet), 0.002, 0.3, 2).unwrap();
    sim.create_velocities(100.0, 9).unwrap();
    sim.thermo_every = 10;
    sim.run(200, |_| true).unwrap();
    let m = &sim.state.structure.masses;
    let pm = momentum(m, &sim.state.velocities);
    assert!(pm.iter().all(|x| x.abs() < 1e-10), "momentum {pm:?}");
    let t = temperature(m, &sim.state.velocities);
    assert!(t > 10.0 && t < 200.0);
    assert_eq!(sim.thermo.len(), 21);
}
