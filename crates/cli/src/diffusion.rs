//! `scalebridge diffusion`: self-diffusivity from the mean-squared displacement. Flags not
//! given are left out of the options, so the protocol's defaults apply.

use crate::md_flags::{merged, PrintFlag, RunFlags};
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
    /// Longest MSD lag, ps (default: a fifth of a block).
    #[arg(long)]
    max_lag: Option<f64>,
    /// Blocks for the standard error (default 5).
    #[arg(long)]
    blocks: Option<usize>,
    #[command(flatten)]
    run: RunFlags,
    #[command(flatten)]
    print: PrintFlag,
}

pub fn run(a: Args) -> Result<(), String> {
    let json = merged(a.run.json(), json!({ "temperature": a.temperature, "max_lag_ps": a.max_lag, "blocks": a.blocks, "seed": a.seed }));
    let o = Diffusion::parse_options(&json, Some(a.system.threads)).map_err(|e| e.to_string())?;
    if a.print.printed(&o)? {
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
