//! `scalebridge diffusion`: self-diffusivity from the mean-squared displacement.

use crate::system::{warn_all, SystemArgs};
use clap::Args as ClapArgs;
use scalebridge_protocols::diffusion::DiffusionOptions;
use scalebridge_protocols::registry::Diffusion;

#[derive(ClapArgs)]
pub struct Args {
    #[command(flatten)]
    system: SystemArgs,
    /// Temperature, K.
    #[arg(long)]
    temperature: f64,
    /// Seed of the initial velocities.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Production steps.
    #[arg(long, default_value_t = 20000)]
    steps: u64,
    /// Equilibration steps (NVT).
    #[arg(long, default_value_t = 2000)]
    equilibration_steps: u64,
    /// Time step, ps.
    #[arg(long, default_value_t = 0.002)]
    timestep: f64,
    /// Longest MSD lag, ps (default: a fifth of a block).
    #[arg(long)]
    max_lag: Option<f64>,
    /// Blocks for the standard error.
    #[arg(long, default_value_t = 5)]
    blocks: usize,
}

pub fn run(a: Args) -> Result<(), String> {
    let pot = a.system.potential()?;
    let s = a.system.structure(&pot, [5, 5, 5])?;
    let o = DiffusionOptions {
        temperature: a.temperature,
        timestep: a.timestep,
        equilibration_steps: a.equilibration_steps,
        production_steps: a.steps,
        max_lag_ps: a.max_lag,
        blocks: a.blocks,
        seed: a.seed,
        threads: a.system.threads,
        ..DiffusionOptions::default()
    };
    let r = a.system.run_protocol::<Diffusion>("diffusion", &s, &pot, &o)?;
    warn_all(&r.warnings);
    a.system.report(&r, &r.series, "mean-squared displacement", || {
        let d = &r.diffusivity;
        format!(
            "D = {:.5e} ± {:.1e} {} ({:.4e} m^2/s) at T = {:.1} K, fit window {:.3}–{:.3} ps",
            d.value,
            d.stderr.unwrap_or(0.0),
            d.unit,
            r.diffusivity_si.value,
            r.temperature.value,
            r.fit_window_ps[0],
            r.fit_window_ps[1]
        )
    })
}
