//! `scalebridge conductivity`: lattice/liquid thermal conductivity by Green–Kubo (default) or
//! Müller-Plathe reverse NEMD, in W/(m·K).

use crate::system::{warn_all, SystemArgs};
use clap::Args as ClapArgs;
use scalebridge_protocols::green_kubo::GreenKuboOptions;
use scalebridge_protocols::nemd::NemdOptions;
use scalebridge_protocols::registry::{GreenKubo, MullerPlathe};
use scalebridge_protocols::report::Quantity;

#[derive(ClapArgs)]
pub struct Args {
    #[command(flatten)]
    system: SystemArgs,
    /// Temperature, K.
    #[arg(long, default_value_t = 300.0)]
    temperature: f64,
    /// Method: green-kubo or nemd.
    #[arg(long, default_value = "green-kubo")]
    method: String,
    /// First seed; independent runs use seed, seed+1, ...
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Number of independent runs (default 3 for Green–Kubo, 1 for NEMD).
    #[arg(long)]
    runs: Option<u64>,
    /// Production steps per run (default 200,000 Green–Kubo, 100,000 NEMD).
    #[arg(long)]
    steps: Option<u64>,
    /// NVT equilibration steps per run.
    #[arg(long, default_value_t = 10_000)]
    equilibration_steps: u64,
    /// Time step, ps.
    #[arg(long, default_value_t = 0.001)]
    timestep: f64,
    /// Green–Kubo correlation time, ps.
    #[arg(long)]
    correlation_time: Option<f64>,
    /// NEMD slabs along z (even, ≥ 4).
    #[arg(long, default_value_t = 20)]
    slabs: usize,
}

fn show(q: &Quantity) -> String {
    match q.stderr {
        Some(e) => format!("{:.4} ± {:.4} {}", q.value, e, q.unit),
        None => format!("{:.4} {}", q.value, q.unit),
    }
}

pub fn run(a: Args) -> Result<(), String> {
    let pot = a.system.potential()?;
    let s = a.system.structure(&pot, [6, 6, 6])?;
    match a.method.as_str() {
        "green-kubo" | "gk" => {
            let o = GreenKuboOptions {
                temperature: a.temperature,
                seeds: (a.seed..a.seed + a.runs.unwrap_or(3)).collect(),
                timestep: a.timestep,
                equilibration_steps: a.equilibration_steps,
                production_steps: a.steps.unwrap_or(GreenKuboOptions::default().production_steps),
                correlation_time: a.correlation_time,
                threads: a.system.threads,
                ..GreenKuboOptions::default()
            };
            let r = a.system.run_protocol::<GreenKubo>("conductivity", &s, &pot, &o)?;
            warn_all(&r.warnings);
            a.system.report(&r, &r.series, "Green–Kubo", || {
                let k = &r.kappa_tensor.components;
                format!(
                    "κ = {} (Green–Kubo, T = {}, {} runs, plateau {:.3}–{:.3} ps)\nκ tensor (W/(m K)):\n{:10.4} {:10.4} {:10.4}\n{:10.4} {:10.4} {:10.4}\n{:10.4} {:10.4} {:10.4}",
                    show(&r.kappa),
                    show(&r.temperature),
                    r.per_seed.len(),
                    r.plateau.start,
                    r.plateau.end,
                    k[0][0], k[0][1], k[0][2], k[1][0], k[1][1], k[1][2], k[2][0], k[2][1], k[2][2]
                )
            })
        }
        "nemd" | "muller-plathe" => {
            let o = NemdOptions {
                temperature: a.temperature,
                seeds: (a.seed..a.seed + a.runs.unwrap_or(1)).collect(),
                timestep: a.timestep,
                equilibration_steps: a.equilibration_steps,
                production_steps: a.steps.unwrap_or(NemdOptions::default().production_steps),
                slabs: a.slabs,
                threads: a.system.threads,
                ..NemdOptions::default()
            };
            let r = a.system.run_protocol::<MullerPlathe>("conductivity", &s, &pot, &o)?;
            warn_all(&r.warnings);
            a.system.report(&r, &r.series, "Müller-Plathe NEMD", || {
                format!("κ = {} (Müller-Plathe NEMD, T = {}, gradient {})", show(&r.kappa), show(&r.temperature), show(&r.gradient))
            })
        }
        other => Err(format!("unknown --method '{other}' (green-kubo or nemd)")),
    }
}
