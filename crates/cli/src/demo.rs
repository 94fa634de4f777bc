//! `scalebridge demo`: a short end-to-end MD run (build a crystal, Maxwell–Boltzmann velocities,
//! NVE with Lennard-Jones argon), writing thermo CSV and an extxyz trajectory, with progress.

use clap::Args as ClapArgs;
use indicatif::{ProgressBar, ProgressStyle};
use scalebridge_md::prelude::*;
use scalebridge_md::thermo::write_csv;
use scalebridge_md::trajectory::TrajectoryWriter;
use std::sync::Arc;

#[derive(ClapArgs)]
pub struct Args {
    /// Output folder.
    #[arg(long, default_value = "out")]
    out: String,
    /// MD steps.
    #[arg(long, default_value_t = 2000)]
    steps: u64,
    /// Initial temperature, K.
    #[arg(long, default_value_t = 60.0)]
    temperature: f64,
    /// Random seed for velocities.
    #[arg(long, default_value_t = 12345)]
    seed: u64,
    /// Worker threads (0 = all cores).
    #[arg(long, default_value_t = 0)]
    threads: usize,
}

pub fn run(a: Args) -> Result<(), String> {
    std::fs::create_dir_all(&a.out).map_err(|e| format!("{}: {e}", a.out))?;
    let spec = BulkSpec {
        lattice: Lattice::Fcc,
        species: vec!["Ar".into()],
        a: 5.26,
        c: None,
        orientation: None,
        repeat: [6, 6, 6],
        orthogonal: false,
        masses: None,
    };
    let s = bulk(&spec).map_err(|e| e.to_string())?;
    let lj = LennardJones::new(vec!["Ar".into()], vec![0.0104], vec![3.40], 8.5, true, Mixing::LorentzBerthelot, vec![])
        .map_err(|e| e.to_string())?;
    let n = s.len();
    let mut sim = Simulation::new(s, Arc::new(lj), Box::new(VelocityVerlet), 0.002, 1.0, a.threads).map_err(|e| e.to_string())?;
    sim.create_velocities(a.temperature, a.seed).map_err(|e| e.to_string())?;
    sim.thermo_every = 50;
    let traj = format!("{}/trajectory.extxyz", a.out);
    sim.trajectory = Some(TrajectoryWriter::new(&traj, 200, false).map_err(|e| e.to_string())?);
    sim.setup().map_err(|e| e.to_string())?;
    let e0 = sim.current_thermo().etotal_eV;
    let bar = ProgressBar::new(a.steps);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} steps ({per_sec}, eta {eta})")
            .map_err(|e| e.to_string())?
            .progress_chars("=> "),
    );
    bar.set_message(format!("NVE Ar fcc, {n} atoms"));
    sim.run(a.steps, |_| {
        bar.inc(1);
        true
    })
    .map_err(|e| e.to_string())?;
    bar.finish();
    let csv = format!("{}/thermo.csv", a.out);
    write_csv(std::path::Path::new(&csv), &sim.thermo).map_err(|e| e.to_string())?;
    let last = sim.current_thermo();
    println!(
        "{n} atoms, {} steps of {} ps: T = {:.1} K, PE = {:.4} eV, total energy drift {:.2e} eV/atom",
        a.steps,
        sim.timestep,
        last.temperature_K,
        last.pe_eV,
        (last.etotal_eV - e0) / n as f64
    );
    println!("wrote {csv} and {traj}");
    Ok(())
}
