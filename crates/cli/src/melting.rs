//! `scalebridge melting`: melting temperature by solid–liquid coexistence (NPT bracketing and
//! bisection, NPH coexistence), with heating/cooling hysteresis bounds.

use crate::system::{warn_all, SystemArgs};
use clap::Args as ClapArgs;
use scalebridge_protocols::melting::MeltingOptions;
use scalebridge_protocols::registry::Melting;
use scalebridge_md::computes::phase_id::PhaseMethod;

#[derive(ClapArgs)]
pub struct Args {
    #[command(flatten)]
    system: SystemArgs,
    /// First guess of the melting temperature, K (optional: without it a short heating/cooling
    /// hysteresis run finds one; a guess only saves that time).
    #[arg(long)]
    temperature: Option<f64>,
    /// Pressure, GPa.
    #[arg(long, default_value_t = 0.0)]
    pressure: f64,
    /// Seed of the initial velocities and thermostat noise.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Per-atom phase classifier: q6 (averaged Steinhardt) or cna (adaptive CNA).
    #[arg(long, default_value = "q6")]
    phase: String,
    /// Steps of each NPT coexistence trial.
    #[arg(long)]
    trial_steps: Option<u64>,
    /// Steps of the NPH coexistence run.
    #[arg(long)]
    nph_steps: Option<u64>,
}

pub fn run(a: Args) -> Result<(), String> {
    let pot = a.system.potential()?;
    // an elongated box: two phases stacked along z
    let s = a.system.structure(&pot, [6, 6, 16])?;
    let d = MeltingOptions::default();
    let o = MeltingOptions {
        guess_k: a.temperature,
        pressure_gpa: a.pressure,
        seed: a.seed,
        threads: a.system.threads,
        phase: match a.phase.as_str() {
            "q6" => PhaseMethod::default(),
            "cna" => PhaseMethod::Cna,
            other => return Err(format!("unknown --phase '{other}' (q6 or cna)")),
        },
        trial_steps: a.trial_steps.unwrap_or(d.trial_steps),
        nph_steps: a.nph_steps.unwrap_or(d.nph_steps),
        ..d
    };
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
            a.pressure,
            r.superheating_k.as_ref().map_or(String::new(), |t| format!("\nsuperheating limit T+ = {:.0} K", t.value))
        )
    })
}
