//! `scalebridge conductivity`: lattice/liquid thermal conductivity by Green–Kubo (default) or
//! Müller-Plathe reverse NEMD, in W/(m·K). Flags not given are left out of the options, so the
//! protocols' defaults apply.

use crate::md_flags::{merged, PrintFlag, RunFlags};
use crate::system::{warn_all, SystemArgs};
use clap::Args as ClapArgs;
use scalebridge_protocols::green_kubo::GreenKuboOptions;
use scalebridge_protocols::nemd::NemdOptions;
use scalebridge_protocols::registry::{GreenKubo, MullerPlathe};
use scalebridge_protocols::report::Quantity;
use scalebridge_protocols::Protocol;
use serde_json::json;

#[derive(ClapArgs)]
pub struct Args {
    #[command(flatten)]
    system: SystemArgs,
    /// Temperature, K (default 300).
    #[arg(long)]
    temperature: Option<f64>,
    /// Method: green-kubo or nemd.
    #[arg(long, default_value = "green-kubo")]
    method: String,
    /// First seed; independent runs use seed, seed+1, ... (default 1).
    #[arg(long)]
    seed: Option<u64>,
    /// Number of independent runs (default 3 for Green–Kubo, 1 for NEMD).
    #[arg(long)]
    runs: Option<u64>,
    /// Green–Kubo correlation time, ps.
    #[arg(long)]
    correlation_time: Option<f64>,
    /// Green–Kubo heat current: species_centred (default; LAMMPS's for one species, the
    /// partial-enthalpy-corrected current for mixtures) or lammps (`compute heat/flux` as is).
    #[arg(long)]
    heat_current: Option<String>,
    /// NEMD slabs along z (even, ≥ 4; default 20).
    #[arg(long)]
    slabs: Option<usize>,
    /// Time step, NVT equilibration and production steps per run.
    #[command(flatten)]
    run: RunFlags,
    #[command(flatten)]
    print: PrintFlag,
}

impl Args {
    /// The seeds `seed, seed+1, …` (`runs` of them) when either flag is given; the protocol's
    /// defaults fill the one not given.
    fn seeds(&self, default: &[u64]) -> Option<Vec<u64>> {
        if self.seed.is_none() && self.runs.is_none() {
            return None;
        }
        let first = self.seed.or(default.first().copied()).unwrap_or(1);
        let runs = self.runs.unwrap_or(default.len() as u64);
        Some((first..first + runs).collect())
    }

    /// The options given on the command line (JSON; `null` = not given). Both methods' own
    /// flags are sent: the protocol refuses, by name, a flag of the other method.
    fn options(&self, default_seeds: &[u64]) -> serde_json::Value {
        merged(
            self.run.json(),
            json!({ "temperature": self.temperature, "seeds": self.seeds(default_seeds), "correlation_time": self.correlation_time, "heat_current": self.heat_current, "slabs": self.slabs }),
        )
    }
}

fn show(q: &Quantity) -> String {
    match q.stderr {
        Some(e) => format!("{:.4} ± {:.4} {}", q.value, e, q.unit),
        None => format!("{:.4} {}", q.value, q.unit),
    }
}

pub fn run(a: Args) -> Result<(), String> {
    let threads = Some(a.system.threads);
    let system = || -> Result<_, String> {
        let pot = a.system.potential()?;
        let s = a.system.structure(&pot, [6, 6, 6])?;
        Ok((pot, s))
    };
    match a.method.as_str() {
        "green-kubo" | "gk" => {
            let json = a.options(&GreenKuboOptions::default().seeds);
            let o = GreenKubo::parse_options(&json, threads).map_err(|e| e.to_string())?;
            if a.print.printed(&o)? {
                return Ok(());
            }
            let (pot, s) = system()?;
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
            let json = a.options(&NemdOptions::default().seeds);
            let o = MullerPlathe::parse_options(&json, threads).map_err(|e| e.to_string())?;
            if a.print.printed(&o)? {
                return Ok(());
            }
            let (pot, s) = system()?;
            let r = a.system.run_protocol::<MullerPlathe>("conductivity", &s, &pot, &o)?;
            warn_all(&r.warnings);
            a.system.report(&r, &r.series, "Müller-Plathe NEMD", || {
                format!("κ = {} (Müller-Plathe NEMD, T = {}, gradient {})", show(&r.kappa), show(&r.temperature), show(&r.gradient))
            })
        }
        other => Err(format!("unknown --method '{other}' (green-kubo or nemd)")),
    }
}
