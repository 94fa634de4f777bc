//! `scalebridge diffusion`: self-diffusivity from the mean-squared displacement. Flags not
//! given are left out of the options, so the protocol's defaults apply.

use crate::system::{warn_all, SystemArgs};
use clap::Args as ClapArgs;
use scalebridge_protocols::registry::Diffusion;
use scalebridge_protocols::Protocol;
use serde_json::json;

#[derive(ClapArgs)]
pub struct Args {
    #[command(flatten)]
    system: SystemArgs,
    /// Temperature, K.
    #[arg(long)]
    temperature: f64,
    /// Seed of the initial velocities (default 1).
    #[arg(long)]
    seed: Option<u64>,
    /// Production steps (default 20,000).
    #[arg(long)]
    steps: Option<u64>,
    /// Equilibration steps (NVT; default 2,000).
    #[arg(long)]
    equilibration_steps: Option<u64>,
    /// Time step, ps (default 0.002).
    #[arg(long)]
    timestep: Option<f64>,
    /// Longest MSD lag, ps (default: a fifth of a block).
    #[arg(long)]
    max_lag: Option<f64>,
    /// Blocks for the standard error (default 5).
    #[arg(long)]
    blocks: Option<usize>,
    /// Print the options the protocol would run with (JSON, every default filled in) and exit.
    #[arg(long)]
    print_options: bool,
}

pub fn run(a: Args) -> Result<(), String> {
    let json = json!({
        "temperature": a.temperature,
        "timestep": a.timestep,
        "equilibration_steps": a.equilibration_steps,
        "production_steps": a.steps,
        "max_lag_ps": a.max_lag,
        "blocks": a.blocks,
        "seed": a.seed,
    });
    let o = Diffusion::parse_options(&json, Some(a.system.threads)).map_err(|e| e.to_string())?;
    if a.print_options {
        println!("{}", serde_json::to_string_pretty(&o).map_err(|e| e.to_string())?);
        return Ok(());
    }
    let pot = a.system.potential()?;
    let s = a.system.structure(&pot, [5, 5, 5])?;
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
