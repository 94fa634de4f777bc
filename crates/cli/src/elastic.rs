//! `scalebridge elastic`: the 6×6 elastic constants (JSON key `C_GPa`) and derived moduli, at
//! 0 K (default) or at `--temperature`. Flags not given are left out of the options, so the
//! protocol's defaults apply.

use crate::md_flags::{merged, PrintFlag, RunFlags};
use crate::system::{warn_all, SystemArgs};
use clap::Args as ClapArgs;
use scalebridge_protocols::registry::Elastic;
use scalebridge_protocols::Protocol;
use serde_json::json;

#[derive(ClapArgs)]
pub struct Args {
    #[command(flatten)]
    system: SystemArgs,
    /// Temperature, K (default 0 = static constants with internal relaxation).
    #[arg(long)]
    temperature: Option<f64>,
    /// Strain amplitude (default 1e-3 at 0 K, 1e-2 at finite T).
    #[arg(long)]
    strain: Option<f64>,
    /// Pressure of the reference state, GPa (default 0).
    #[arg(long)]
    pressure: Option<f64>,
    /// Seed of the initial velocities (finite T; default 1).
    #[arg(long)]
    seed: Option<u64>,
    /// NPT equilibration steps (finite T; default 5000).
    #[arg(long)]
    npt_steps: Option<u64>,
    /// Finite T: time step, NVT equilibration and production steps per strain.
    #[command(flatten)]
    run: RunFlags,
    #[command(flatten)]
    print: PrintFlag,
}

pub fn run(a: Args) -> Result<(), String> {
    let given = json!({ "temperature": a.temperature, "strain": a.strain, "pressure_gpa": a.pressure, "seed": a.seed, "npt_steps": a.npt_steps });
    let json = merged(a.run.json(), given);
    let o = Elastic::parse_options(&json, Some(a.system.threads)).map_err(|e| e.to_string())?;
    if a.print.printed(&o)? {
        return Ok(());
    }
    let pot = a.system.potential()?;
    let s = a.system.structure(&pot, [4, 4, 4])?;
    let r = a.system.run_protocol::<Elastic>("elastic", &s, &pot, &o)?;
    warn_all(&r.warnings);
    a.system.report(&r, &r.series, "stress–strain", || {
        let mut out = format!("C (GPa), Voigt xx yy zz yz xz xy, T = {} K, {} atoms\n", o.temperature, s.len());
        for (i, row) in r.c_gpa.iter().enumerate() {
            for (j, v) in row.iter().enumerate() {
                match r.c_stderr_gpa {
                    Some(e) => out.push_str(&format!("{v:9.2}±{:<5.2}", e[i][j])),
                    None => out.push_str(&format!("{v:10.3}")),
                }
            }
            out.push('\n');
        }
        for (k, q) in &r.moduli.quantities {
            match q.stderr {
                Some(e) => out.push_str(&format!("{k:30} {:12.4} ± {e:.4} {}\n", q.value, q.unit)),
                None => out.push_str(&format!("{k:30} {:12.4} {}\n", q.value, q.unit)),
            }
        }
        out.push_str(&format!("Born stable: {}", r.moduli.born_stable));
        out
    })
}
