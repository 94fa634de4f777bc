//! `scalebridge glass-transition` and `scalebridge melt-quench`: amorphous solids by
//! melt–quench through an NPT temperature ladder, T_g from the volume on cooling. Flags not
//! given are left out of the options, so the protocol's defaults apply.

use crate::md_flags::{merged, PrintFlag};
use crate::system::{warn_all, SystemArgs};
use clap::Args as ClapArgs;
use scalebridge_md::potentials::{lammps_input, Potential};
use scalebridge_md::structure::Structure;
use scalebridge_protocols::glass::systems;
use scalebridge_protocols::registry::{GlassTransition, MeltQuench};
use scalebridge_protocols::Protocol;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::Arc;

/// The system and the temperature ladder (shared by both commands).
#[derive(ClapArgs)]
pub struct QuenchArgs {
    #[command(flatten)]
    system: SystemArgs,
    /// Potential as LAMMPS input lines (pair_style/pair_coeff/pair_modify; types in the order of
    /// the structure's species or --elements) instead of --potential.
    #[arg(long, conflicts_with = "potential")]
    lammps: Option<PathBuf>,
    /// Built-in glass former: `kob-andersen` (A80B20 LJ in argon units, species Ni/P, with its
    /// potential) or `cu64zr36` (random fcc solid solution; give --potential CuZr_mm.eam.fs).
    /// Built with --repeat (default 5: 500 atoms) and --build-seed.
    #[arg(long = "glass-former", conflicts_with = "structure")]
    former: Option<String>,
    /// Seed of the random occupation of a built-in glass former (default 1).
    #[arg(long, default_value_t = 1)]
    build_seed: u64,
    /// Melt temperature, K.
    #[arg(long)]
    t_high: Option<f64>,
    /// Final temperature, K.
    #[arg(long)]
    t_low: Option<f64>,
    /// Cooling rate, K/ps (1 K/ps = 1e12 K/s).
    #[arg(long)]
    rate: Option<f64>,
    /// Temperature step between rungs, K.
    #[arg(long)]
    spacing: Option<f64>,
    /// Pressure, GPa.
    #[arg(long)]
    pressure: Option<f64>,
    /// NPT steps of the melt.
    #[arg(long)]
    melt_steps: Option<u64>,
    /// NPT steps of the final relaxation.
    #[arg(long)]
    relax_steps: Option<u64>,
    /// Time step, ps.
    #[arg(long)]
    timestep: Option<f64>,
    #[command(flatten)]
    print: PrintFlag,
}

impl QuenchArgs {
    fn options(&self) -> Value {
        json!({
            "t_high_k": self.t_high, "t_low_k": self.t_low, "cooling_rate_k_per_ps": self.rate,
            "rung_spacing_k": self.spacing, "pressure_gpa": self.pressure, "melt_steps": self.melt_steps,
            "relax_steps": self.relax_steps, "timestep": self.timestep,
        })
    }

    fn structure(&self, pot: Option<&Arc<dyn Potential>>) -> Result<Structure, String> {
        let n = match self.system.repeat.as_slice() {
            [] => 5,
            [n] => *n,
            _ => return Err("a built-in glass former takes one --repeat N (N³ fcc cells)".into()),
        };
        match self.former.as_deref() {
            Some("kob-andersen") => systems::kob_andersen_start(n, self.build_seed).map_err(|e| e.to_string()),
            Some("cu64zr36") => systems::cuzr_start(n, self.build_seed).map_err(|e| e.to_string()),
            Some(other) => Err(format!("unknown --glass-former '{other}' (kob-andersen, cu64zr36)")),
            None => match pot {
                Some(p) => self.system.structure(p, [5, 5, 5]),
                None => self.system.structure(&self.system.potential()?, [5, 5, 5]),
            },
        }
    }

    /// The structure and the potential.
    fn system(&self) -> Result<(Structure, Arc<dyn Potential>), String> {
        if let Some(path) = &self.lammps {
            let s = self.structure(None).or_else(|_| self.structure_without_potential())?;
            let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            let lines: Vec<String> = text.lines().map(str::to_string).collect();
            let mut search = vec![std::env::current_dir().map_err(|e| e.to_string())?];
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                search.push(dir.to_path_buf());
            }
            let elements = if self.system.elements.is_empty() { s.species.clone() } else { self.system.elements.clone() };
            let pot = lammps_input::parse(&path.display().to_string(), &lines, &elements, &search, None)
                .and_then(|p| p.build())
                .map_err(|e| e.to_string())?;
            return Ok((s, pot));
        }
        if self.former.as_deref() == Some("kob-andersen") && self.system.potential.is_none() {
            let pot = systems::kob_andersen().build().map_err(|e| e.to_string())?;
            return Ok((self.structure(Some(&pot))?, pot));
        }
        let pot = self.system.potential()?;
        Ok((self.structure(Some(&pot))?, pot))
    }

    fn structure_without_potential(&self) -> Result<Structure, String> {
        let p = self.system.structure.as_ref().ok_or("with --lammps give --structure FILE or --glass-former")?;
        scalebridge_md::io::read_structure(p, None, &self.system.elements, None).map(|f| f.structure).map_err(|e| e.to_string())
    }
}

#[derive(ClapArgs)]
pub struct Args {
    #[command(flatten)]
    quench: QuenchArgs,
    /// Further cooling rates, K/ps (comma-separated): T_g per rate.
    #[arg(long, value_delimiter = ',')]
    more_rates: Vec<f64>,
    /// Seeds, one quench each (comma-separated; default 1,2).
    #[arg(long, value_delimiter = ',')]
    seeds: Vec<u64>,
    /// Fit window `lo,hi`, K (default: the whole ladder).
    #[arg(long, value_delimiter = ',')]
    fit_window: Vec<f64>,
    /// Bootstrap resamples of the T_g error.
    #[arg(long)]
    bootstrap: Option<usize>,
}

pub fn run(a: Args) -> Result<(), String> {
    let window = match a.fit_window.as_slice() {
        [] => Value::Null,
        [lo, hi] => json!([lo, hi]),
        other => return Err(format!("--fit-window takes lo,hi (K), got {other:?}")),
    };
    let more = json!({
        "more_rates_k_per_ps": (!a.more_rates.is_empty()).then_some(&a.more_rates),
        "seeds": (!a.seeds.is_empty()).then_some(&a.seeds),
        "fit_window_k": window,
        "bootstrap_samples": a.bootstrap,
    });
    let json = merged(a.quench.options(), more);
    let o = GlassTransition::parse_options(&json, Some(a.quench.system.threads)).map_err(|e| e.to_string())?;
    if a.quench.print.printed(&o)? {
        return Ok(());
    }
    let (s, pot) = a.quench.system()?;
    let r = a.quench.system.run_protocol::<GlassTransition>("glass transition", &s, &pot, &o)?;
    warn_all(&r.warnings);
    a.quench.system.report(&r, &r.series, "volume on cooling", || {
        let mut text = format!(
            "T_g = {:.1} ± {:.1} K at {:.3} K/ps ({:.2e} K/s), {} atoms, {} seeds; final density {:.4} g/cm^3, non-crystalline fraction {:.3}",
            r.T_g_K,
            r.T_g_stderr_K,
            r.cooling_rate_k_per_ps,
            r.cooling_rate_k_per_s,
            r.n_atoms,
            r.seeds.len(),
            r.final_density_g_cm3,
            r.disorder.non_crystalline_fraction_cna
        );
        for p in r.per_rate.iter().skip(1) {
            text += &format!("\nT_g = {:.1} ± {:.1} K at {:.3} K/ps", p.T_g_K, p.T_g_stderr_K, p.cooling_rate_k_per_ps);
        }
        if let Some(d) = &r.dTg_dlog10_rate_K {
            text += &format!("\ndT_g/dlog10(rate) = {:.1} ± {:.1} K/decade", d.value, d.stderr.unwrap_or(0.0));
        }
        text
    })
}

/// `scalebridge melt-quench`.
#[derive(ClapArgs)]
pub struct QuenchOnly {
    #[command(flatten)]
    quench: QuenchArgs,
    /// Seed of the velocities (default 1).
    #[arg(long)]
    seed: Option<u64>,
    /// Write the quenched structure here (.xyz/.extxyz or LAMMPS .data/.lmp).
    #[arg(long)]
    write: Option<PathBuf>,
}

pub fn run_quench(a: QuenchOnly) -> Result<(), String> {
    let json = merged(a.quench.options(), json!({ "seed": a.seed }));
    let o = MeltQuench::parse_options(&json, Some(a.quench.system.threads)).map_err(|e| e.to_string())?;
    if a.quench.print.printed(&o)? {
        return Ok(());
    }
    let (s, pot) = a.quench.system()?;
    let r = a.quench.system.run_protocol::<MeltQuench>("melt-quench", &s, &pot, &o)?;
    warn_all(&r.warnings);
    if let Some(p) = &a.write {
        let ext = p.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
        let tmp = p.with_extension(format!("{ext}.partial"));
        match ext.as_str() {
            "data" | "lmp" => scalebridge_md::lammps_data::write_lammps_data(&tmp, &r.structure, None).map_err(|e| e.to_string())?,
            "xyz" | "extxyz" => {
                let zero = vec![[0.0; 3]; r.structure.len()];
                let mut w = scalebridge_md::trajectory::TrajectoryWriter::new(&tmp.display().to_string(), 1, false).map_err(|e| e.to_string())?;
                w.write_frame(&r.structure, &zero, &zero, 0.0, 0, 0.0).map_err(|e| e.to_string())?;
                drop(w);
            }
            _ => return Err(format!("--write {}: use .xyz/.extxyz or .data/.lmp", p.display())),
        }
        std::fs::rename(&tmp, p).map_err(|e| format!("{}: {e}", p.display()))?;
    }
    a.quench.system.report(&r, &r.series, "melt-quench", || {
        format!(
            "{} atoms quenched at {:.3} K/ps to {:.0} K: density {:.4} ± {:.4} g/cm^3, non-crystalline fraction {:.3} (CNA), defect density {:.3}",
            r.n_atoms,
            r.cooling_rate_k_per_ps,
            r.rungs.last().map_or(0.0, |x| x.temperature_target_k),
            r.final_density.value,
            r.final_density.stderr.unwrap_or(0.0),
            r.disorder.non_crystalline_fraction_cna,
            r.disorder.defect_density
        )
    })
}
