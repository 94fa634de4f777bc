//! The fused short-range + coul/long pair pass (`Potential::compute_fused`) against the separate
//! passes and against finite differences of its own energy, on a strained triclinic Pedone
//! α-Al₂O₃ cell, and FIRE cell relaxations of Pedone corundum on both paths (they stalled at a
//! stress residual of ~4e-7 eV/Å³ or converged depending on rounding, until the minimiser kept
//! coul/long's g and k-space grid fixed during a cell relaxation, as LAMMPS does).

use scalebridge_md::cell::{voigt_deformation, Mat3};
use scalebridge_md::crystals::StructureSpec;
use scalebridge_md::evaluator::Evaluator;
use scalebridge_md::minimize::{fire::fire_keep_last, CellDof, CellRelax, MinimizeOptions};
use scalebridge_md::potentials::hybrid::Hybrid;
use scalebridge_md::potentials::spec::PotentialSpec;
use scalebridge_md::potentials::{pinned_for, Output, Potential};
use scalebridge_md::structure::Structure;
use std::sync::Arc;

/// The potential of tests/test_ionic_lattice.py (Pedone 2006, shift yes, coul/long 10 Å) with
/// the fused pass forced on or off.
fn pedone(style: &str, fused: bool) -> Arc<dyn Potential> {
    let spec = format!(
        r#"{{"generator": "pedone2006", "elements": ["Al", "O"], "cutoff": 10.0, "shift": true,
            "coulomb": {{"pair_style": "coul/long", "cutoff": 10.0, "kspace": {{"style": "{style}", "accuracy": 1e-6}}}}}}"#
    );
    let p = PotentialSpec::from_json(&spec).unwrap().build().unwrap();
    let h = p.as_any().downcast_ref::<Hybrid>().expect("pedone2006 builds a hybrid/overlay").clone();
    Arc::new(h.with_fused(Some(fused)))
}

fn corundum() -> Structure {
    let s: StructureSpec = serde_json::from_str(r#"{"lattice": "corundum"}"#).unwrap();
    s.build().unwrap()
}

/// Corundum under a general (triclinic) strain with displaced atoms.
fn strained() -> Structure {
    let f: Mat3 = [[1.012, 0.007, -0.004], [0.003, 0.991, 0.009], [-0.006, 0.005, 1.018]];
    let mut s = corundum().deformed(&f).unwrap();
    for (i, p) in s.positions.iter_mut().enumerate() {
        for (k, x) in p.iter_mut().enumerate() {
            *x += 0.056 * (((i * 7 + k * 13) % 11) as f64 / 11.0 - 0.5);
        }
    }
    s
}

fn all(pot: Arc<dyn Potential>, s: &Structure) -> Output {
    Evaluator::new(pot, 1.0, 1).unwrap().compute_all(s).unwrap().clone()
}

fn max_abs<'a>(a: impl Iterator<Item = &'a f64>) -> f64 {
    a.fold(0.0, |m, x| m.max(x.abs()))
}

#[test]
fn fused_pass_equals_separate_passes() {
    let s = strained();
    for style in ["ewald", "pppm"] {
        let (a, b) = (all(pedone(style, false), &s), all(pedone(style, true), &s));
        let rel = |x: f64, y: f64, scale: f64| (x - y).abs() / scale;
        let escale = max_abs(a.per_atom_energy.iter()) * s.len() as f64;
        assert!(rel(a.energy, b.energy, escale) < 1e-13, "{style}: energy {} vs {}", a.energy, b.energy);
        let wscale = max_abs(a.virial.iter());
        for k in 0..6 {
            assert!(rel(a.virial[k], b.virial[k], wscale) < 1e-12, "{style}: virial[{k}] {} vs {}", a.virial[k], b.virial[k]);
        }
        let fscale = max_abs(a.forces.iter().flatten());
        let pscale = max_abs(a.per_atom_virial.iter().flatten());
        for i in 0..s.len() {
            assert!(rel(a.per_atom_energy[i], b.per_atom_energy[i], escale / s.len() as f64) < 1e-12, "{style}: pe[{i}]");
            for k in 0..3 {
                assert!(rel(a.forces[i][k], b.forces[i][k], fscale) < 1e-12, "{style}: f[{i}][{k}] {} vs {}", a.forces[i][k], b.forces[i][k]);
            }
            for k in 0..6 {
                assert!(rel(a.per_atom_virial[i][k], b.per_atom_virial[i][k], pscale) < 1e-12, "{style}: W[{i}][{k}]");
            }
        }
        // the per-atom virials sum to the global one
        for k in 0..6 {
            let sum: f64 = b.per_atom_virial.iter().map(|w| w[k]).sum();
            assert!(rel(sum, b.virial[k], wscale) < 1e-10, "{style}: Σ W_i[{k}] {sum} vs {}", b.virial[k]);
        }
    }
}

/// Smallest |r − r_c| over the pairs of `s` (Å), so that finite differences do not step a pair
/// across the coul/long cutoff (the real-space term is truncated there, as in LAMMPS).
fn cutoff_margin(s: &Structure, rc: f64) -> f64 {
    let h = s.cell.matrix();
    let mut m = f64::INFINITY;
    for a in &s.positions {
        for b in &s.positions {
            for n0 in -4i32..=4 {
                for n1 in -4i32..=4 {
                    for n2 in -3i32..=3 {
                        let d: Vec<f64> = (0..3).map(|k| b[k] - a[k] + n0 as f64 * h[0][k] + n1 as f64 * h[1][k] + n2 as f64 * h[2][k]).collect();
                        let r = (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]).sqrt();
                        m = m.min((r - rc).abs());
                    }
                }
            }
        }
    }
    m
}

#[test]
fn fused_forces_and_stress_are_derivatives_of_its_energy() {
    let s = strained();
    // the largest step moves a pair by at most 1e-4 Å: none may be that close to r_c
    assert!(cutoff_margin(&s, 10.0) > 2e-4, "the test cell has a pair at the cutoff: {}", cutoff_margin(&s, 10.0));
    // Tolerances: the real-space energy uses the A&S 7.1.26 erfc and the force the exact
    // derivative of erfc with it inserted (LAMMPS `pair_modify table 0`); the approximation's
    // derivative is off by up to 1.4e-6 (at g r = 0.3), which over the ~10⁴ pairs leaves the
    // virial 2.2e-5 (Ewald) and 2.6e-5 (PPPM) from −dE/dε, independent of h (a systematic, not
    // a difference error), and the forces ~2e-6 of the largest. A term missing a pair, a cutoff
    // applied to the wrong term or an energy shift in the force would be orders larger.
    for style in ["ewald", "pppm"] {
        let (wtol, ftol) = (5e-5, 5e-6);
        // g and the grid fixed (pinned) as during a run: the energy is then a smooth function
        let pot = pinned_for(&pedone(style, true), &s).unwrap();
        let mut ev = Evaluator::new(pot, 1.0, 1).unwrap();
        let out = ev.compute_all(&s).unwrap().clone();
        let wscale = max_abs(out.virial.iter());
        let fscale = max_abs(out.forces.iter().flatten());
        let mut energy = |t: &Structure| ev.compute_all(t).unwrap().energy;
        // several steps: the central difference converges to the virial as h² until rounding
        for h in [8e-6, 4e-6, 2e-6] {
            for q in 0..6 {
                let e = |sg: f64| voigt_deformation(q, sg * h);
                let (ep, em) = (energy(&s.deformed(&e(1.0)).unwrap()), energy(&s.deformed(&e(-1.0)).unwrap()));
                let dw = -(ep - em) / (2.0 * h);
                assert!((dw - out.virial[q]).abs() < wtol * wscale, "{style}, h {h}: -dE/dε[{q}] {dw} vs virial {}", out.virial[q]);
            }
        }
        for h in [1e-4, 5e-5] {
            for i in [0, 7, 13, 22, 29] {
                for k in 0..3 {
                    let mut t = s.clone();
                    t.positions[i][k] += h;
                    let ep = energy(&t);
                    t.positions[i][k] -= 2.0 * h;
                    let em = energy(&t);
                    let f = -(ep - em) / (2.0 * h);
                    assert!((f - out.forces[i][k]).abs() < ftol * fscale, "{style}, h {h}: -dE/dx[{i}][{k}] {f} vs force {}", out.forces[i][k]);
                }
            }
        }
    }
}

#[test]
fn cell_relaxation_converges_on_both_paths() {
    // before the fix the outcome depended on rounding: the fused path stalled from the
    // prototype, the separate path from the prototype with one atom moved by 1e-9 Å
    let mut cells = Vec::new();
    for pert in [0.0, 1e-9] {
        for fused in [false, true] {
            let mut s = corundum();
            s.positions[3][0] += pert;
            let mut ev = Evaluator::new(pedone("ewald", fused), 1.0, 1).unwrap();
            let opts = MinimizeOptions { fmax: 1e-3, max_iter: 1000, cell: Some(CellRelax { dof: CellDof::Tri, target: [0.0; 6], cell_factor: None }), ..Default::default() };
            let (r, ok) = fire_keep_last(&mut s, &mut ev, &opts).unwrap();
            assert!(ok, "fused {fused}, perturbation {pert}: FIRE stopped at fmax {:e}, stress residual {:e} after {} iterations", r.fmax, r.stress_residual, r.iterations);
            // the evaluator's own (unpinned) potential is bound again
            assert!(ev.potential().as_any().downcast_ref::<Hybrid>().is_some());
            let h = s.cell.matrix();
            cells.push(h.map(|r| (r[0] * r[0] + r[1] * r[1] + r[2] * r[2]).sqrt()));
        }
    }
    for c in &cells[1..] {
        for k in 0..3 {
            assert!((c[k] - cells[0][k]).abs() < 1e-6, "relaxed cells differ: {c:?} vs {:?}", cells[0]);
        }
    }
}

