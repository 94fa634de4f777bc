//! `scalebridge melting`: melting temperature by solid–liquid coexistence (NPT bracketing and
//! bisection, NPH coexistence), with heating/cooling hysteresis bounds. Flags not given are
//! left out of the options, so the protocol's defaults apply.

use crate::md_flags::PrintFlag;
use crate::system::{warn_all, SystemArgs};
use clap::Args as ClapArgs;
use scalebridge_protocols::registry::Melting;
use scalebridge_protocols::Protocol;
use serde_json::json;

#[derive(ClapArgs)]
pub struct Args {
    #[command(flatten)]
    system: SystemArgs,
    /// First guess of the melting temperature, K (optional: without it a short heating/cooling
    /// hysteresis run finds one; a guess only saves that time).
    #[arg(long)]
    temperature: Option<f64>,
    /// Pressure, GPa (default 0).
    #[arg(long)]
    pressure: Option<f64>,
    /// Seed of the initial velocities and thermostat noise (default 1).
    #[arg(long)]
    seed: Option<u64>,
    /// Per-atom phase classifier: q6 (averaged Steinhardt, the default) or cna (adaptive CNA).
    #[arg(long)]
    phase: Option<String>,
    /// Steps of each NPT coexistence trial.
    #[arg(long)]
    trial_steps: Option<u64>,
    /// Steps of the NPH coexistence run.
    #[arg(long)]
    nph_steps: Option<u64>,
    #[command(flatten)]
    print: PrintFlag,
}

pub fn run(a: Args) -> Result<(), String> {
    let phase = match a.phase.as_deref() {
        None => None,
        Some(m @ ("q6" | "cna")) => Some(json!({ "method": m })),
        Some(other) => return Err(format!("unknown --phase '{other}' (q6 or cna)")),
    };
    let json = json!({
        "guess_k": a.temperature,
        "pressure_gpa": a.pressure,
        "seed": a.seed,
        "phase": phase,
        "trial_steps": a.trial_steps,
        "nph_steps": a.nph_steps,
    });
    let o = Melting::parse_options(&json, Some(a.system.threads)).map_err(|e| e.to_string())?;
    if a.print.printed(&o)? {
        return Ok(());
    }
    let pot = a.system.potential()?;
    // an elongated box: two phases stacked along z
    let s = a.system.structure(&pot, [6, 6, 16])?;
    let r = a.system.run_protocol::<Melting>("melting", &s, &pot, &o)?;
    warn_all(&r.warnings);
    a.system.report(&r, &r.series, "solid–liquid coexistence", || {
        let q = &r.melting_temperature;
        format!(
            "T_m = {:.1} ± {:.1} {} ({} estimator, NPT bracket {:.1}–{:.1} K, {} atoms, P = {} GPa){}",
            q.value,
            q.stderr.unwrap_or(0.0),
            q.unit,
            r.estimator,
            r.bracket_k[0],
            r.bracket_k[1],
            r.n_atoms,
            r.pressure.value,
            r.superheating_k.as_ref().map_or(String::new(), |t| format!("\nsuperheating limit T+ = {:.0} K", t.value))
        )
    })
}
