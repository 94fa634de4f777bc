//! Self-diffusivity from the mean-squared displacement (Einstein relation):
//! `D = lim_{t→∞} ⟨|r(t₀ + t) − r(t₀)|²⟩ / 6t`, estimated as one sixth of the slope of a
//! least-squares line through MSD(t) over a fit window `[fit_start, fit_end]·max_lag`.
//!
//! Protocol: Maxwell–Boltzmann velocities, Nosé–Hoover NVT equilibration, then production in
//! NVE (default, as LAMMPS `fix nve` + `compute msd`) or NVT. Positions are unwrapped by
//! minimum-image increments between samples. Time origins are taken every `origin_every`
//! samples; the production is split into `blocks` consecutive groups of origins, each giving its
//! own MSD curve and D, so the standard error comes from the spread of nearly independent blocks.
//! D is reported in Å²/ps (1 Å²/ps = 10⁻⁸ m²/s), for all atoms and per species.

use scalebridge_md::error::{Error, Result};
use scalebridge_md::evaluator::DEFAULT_SKIN;
use crate::md_run::{resolved, DenyUnknownKeys, MdRunOptions, Thermostat, WithMdRun};
use scalebridge_md::computes::msd::{unwrap_step, MsdAccumulator};
use scalebridge_md::integrators::factory::{self, EnsembleSpec};
use scalebridge_md::potentials::Potential;
use crate::report::{run_steps, Progress, Provenance, Quantity, Series, StageCache};
use scalebridge_core::stats::{linear_fit, mean_stderr};
use scalebridge_md::structure::Structure;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Options of [`diffusivity`]. The shared MD block ([`MdRunOptions`]: `timestep`,
/// `thermostat`, `thermostat_damping` (alias `damping`), `skin`, `seed`, `threads`,
/// `equilibration_steps`) is flattened into the same JSON object.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DiffusionOptions {
    /// Temperature, K.
    pub temperature: f64,
    /// Production steps.
    pub production_steps: u64,
    /// Position sampling interval, steps.
    pub sample_every: u64,
    /// Longest lag of the MSD, ps (default: a fifth of a block).
    pub max_lag_ps: Option<f64>,
    /// A new time origin every this many samples.
    pub origin_every: u64,
    /// Fit window as fractions of `max_lag`.
    pub fit_start: f64,
    pub fit_end: f64,
    /// Number of blocks for the standard error.
    pub blocks: usize,
    /// Production ensemble: `"nve"` or `"nvt"` (the block's thermostat).
    pub ensemble: String,
    /// The shared MD-run block.
    #[serde(flatten)]
    pub md: MdRunOptions,
    #[serde(flatten)]
    pub unknown: DenyUnknownKeys,
}

/// Diffusion's defaults of the shared MD block (no barostat).
pub const DIFFUSION_MD: MdRunOptions = MdRunOptions {
    timestep: Some(0.002),
    thermostat: Some(Thermostat::NoseHoover),
    thermostat_damping: Some(0.1),
    pressure_damping: None,
    skin: Some(DEFAULT_SKIN),
    seed: Some(1),
    threads: Some(0),
    equilibration_steps: Some(2000),
};
crate::with_md_run!(DiffusionOptions, DIFFUSION_MD);

impl Default for DiffusionOptions {
    fn default() -> Self {
        DiffusionOptions {
            temperature: 300.0,
            production_steps: 20000,
            sample_every: 10,
            max_lag_ps: None,
            origin_every: 5,
            fit_start: 0.2,
            fit_end: 1.0,
            blocks: 5,
            ensemble: "nve".into(),
            md: DIFFUSION_MD,
            unknown: DenyUnknownKeys,
        }
    }
}

/// Result of [`diffusivity`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DiffusionResult {
    /// Self-diffusivity of all atoms, Å²/ps.
    pub diffusivity: Quantity,
    /// The same in m²/s.
    pub diffusivity_si: Quantity,
    /// Per species, Å²/ps.
    pub per_species: BTreeMap<String, Quantity>,
    /// Mean temperature of the production run, K.
    pub temperature: Quantity,
    /// Fit window, ps.
    pub fit_window_ps: [f64; 2],
    /// D of every block, Å²/ps.
    pub block_values: Vec<f64>,
    pub warnings: Vec<String>,
    /// MSD(t) (mean over blocks ± standard error), Å².
    pub series: Vec<Series>,
    pub provenance: Provenance,
}

/// Self-diffusivity of `structure` (a liquid, or a solid with defects) at `opts.temperature`.
pub fn diffusivity(
    structure: &Structure,
    potential: Arc<dyn Potential>,
    opts: &DiffusionOptions,
    cache: &StageCache,
    progress: &mut dyn Progress,
) -> Result<DiffusionResult> {
    let t0 = std::time::Instant::now();
    let opts = &resolved(opts)?;
    let md = opts.md()?;
    if !(opts.temperature.is_finite() && opts.temperature > 0.0) {
        return Err(Error::invalid("temperature", opts.temperature, "must be positive (K)"));
    }
    if opts.sample_every == 0 || opts.origin_every == 0 {
        return Err(Error::invalid("sample_every/origin_every", 0, "must be at least 1"));
    }
    if !(0.0 <= opts.fit_start && opts.fit_start < opts.fit_end && opts.fit_end <= 1.0) {
        return Err(Error::invalid("fit window", format!("[{}, {}]", opts.fit_start, opts.fit_end), "needs 0 ≤ fit_start < fit_end ≤ 1"));
    }
    if opts.blocks < 2 {
        return Err(Error::invalid("blocks", opts.blocks, "at least 2 blocks are needed for a standard error"));
    }
    let nsamples = (opts.production_steps / opts.sample_every) as usize;
    let per_block = nsamples / opts.blocks;
    let dt_sample = md.timestep * opts.sample_every as f64;
    let max_lag = match opts.max_lag_ps {
        Some(t) => (t / dt_sample).round() as usize,
        None => per_block / 5,
    };
    if max_lag < 10 || max_lag + 1 >= per_block {
        return Err(Error::invalid(
            "production_steps",
            opts.production_steps,
            &format!(
                "too short: each of the {} blocks has {per_block} samples, the MSD needs at least 10 lags and a block longer than the longest lag ({max_lag} samples)",
                opts.blocks
            ),
        ));
    }
    structure.validate()?;
    potential.check_species(&structure.species)?;
    let prov = Provenance::new("diffusion/msd", structure, potential.as_ref(), opts, &[md.seed])?;
    let total = md.equilibration_steps + opts.production_steps;

    // equilibration (cached: an interrupted production restarts from the equilibrated state)
    #[derive(Serialize, Deserialize)]
    struct Equilibrated {
        structure: Structure,
        velocities: Vec<[f64; 3]>,
    }
    let eq: Equilibrated = cache.get_or_run("equilibration", || {
        let mut sim = md.simulation(structure.clone(), &potential, md.nvt(opts.temperature, md.seed)?)?;
        sim.create_velocities(opts.temperature, md.seed)?;
        run_steps(&mut sim, md.equilibration_steps, progress, 0, total, "equilibration")?;
        Ok(Equilibrated { structure: sim.state.structure.clone(), velocities: sim.state.velocities.clone() })
    })?;

    let integrator = match opts.ensemble.as_str() {
        "nve" => factory::make("nve", &EnsembleSpec::default())?,
        "nvt" => md.nvt(opts.temperature, md.seed)?,
        other => return Err(Error::invalid("ensemble", other, "expected nve or nvt")),
    };
    let mut sim = md.simulation(eq.structure, &potential, integrator)?;
    sim.set_velocities(eq.velocities)?;
    let ns = structure.species.len();
    let mut natoms_of: Vec<f64> = (0..ns).map(|t| structure.types.iter().filter(|&&x| x == t).count() as f64).collect();
    natoms_of.push(structure.len() as f64);
    let mut acc = MsdAccumulator {
        max_lag,
        origin_every: opts.origin_every as usize,
        samples_per_block: per_block,
        origins: Vec::new(),
        sums: vec![vec![vec![0.0; max_lag]; ns + 1]; opts.blocks],
        counts: vec![vec![0.0; max_lag]; opts.blocks],
    };
    let mut unwrapped = sim.state.structure.positions.clone();
    let mut last_frac: Vec<[f64; 3]> = unwrapped.iter().map(|r| sim.state.structure.cell.fractional(r)).collect();
    let mut temps = Vec::with_capacity(nsamples);
    acc.add(0, &unwrapped, &structure.types, ns, &natoms_of);
    for k in 1..per_block * opts.blocks {
        let base = md.equilibration_steps + (k as u64 - 1) * opts.sample_every;
        run_steps(&mut sim, opts.sample_every, progress, base, total, "production")?;
        let s = &sim.state.structure;
        unwrap_step(&s.cell, &s.positions, &mut last_frac, &mut unwrapped);
        temps.push(scalebridge_md::velocities::temperature(&s.masses, &sim.state.velocities));
        acc.add(k, &unwrapped, &structure.types, ns, &natoms_of);
    }

    // fit D per block and per species
    let lags: Vec<f64> = (0..max_lag).map(|l| l as f64 * dt_sample).collect();
    let (l0, l1) = (((opts.fit_start * max_lag as f64).round() as usize).max(1), ((opts.fit_end * max_lag as f64) as usize).min(max_lag));
    if l1 < l0 + 3 {
        return Err(Error::invalid("fit window", format!("{l0}..{l1} lags"), "has fewer than 3 points"));
    }
    let msd = |b: usize, sp: usize| -> Vec<f64> { (0..max_lag).map(|l| acc.sums[b][sp][l] / acc.counts[b][l].max(1.0)).collect() };
    let mut per_sp = vec![Vec::new(); ns + 1];
    let mut curvature = Vec::new();
    for b in 0..opts.blocks {
        for (sp, vals) in per_sp.iter_mut().enumerate() {
            let m = msd(b, sp);
            let (_, slope, _, _) = linear_fit(&lags[l0..l1], &m[l0..l1])?;
            vals.push(slope / 6.0);
            if sp == ns {
                let mid = (l0 + l1) / 2;
                let (_, s1, _, _) = linear_fit(&lags[l0..mid.max(l0 + 3)], &m[l0..mid.max(l0 + 3)])?;
                let (_, s2, _, _) = linear_fit(&lags[mid.min(l1 - 3)..l1], &m[mid.min(l1 - 3)..l1])?;
                curvature.push((s1, s2));
            }
        }
    }
    let (d, de) = mean_stderr(&per_sp[ns]);
    let mut warnings = Vec::new();
    let mean_msd_end: f64 = (0..opts.blocks).map(|b| msd(b, ns)[max_lag - 1]).sum::<f64>() / opts.blocks as f64;
    if mean_msd_end < 1.0 {
        warnings.push(format!(
            "MSD reaches only {mean_msd_end:.3} Å² at the longest lag: atoms barely move (a solid?); D is not a diffusive value"
        ));
    } else if de > 0.0 && d <= 3.0 * de {
        warnings.push(format!("D = {d:.4e} ± {de:.1e} Å²/ps is not significant: run longer"));
    }
    let (s1, s2) = curvature.iter().fold((0.0, 0.0), |a, c| (a.0 + c.0, a.1 + c.1));
    if s1.abs() > 0.0 && ((s2 - s1) / s1).abs() > 0.25 && mean_msd_end >= 1.0 {
        warnings.push(format!(
            "MSD is not linear over the fit window (slopes of its halves differ by {:.0} %): not yet diffusive, use longer lags",
            100.0 * ((s2 - s1) / s1).abs()
        ));
    }
    let mut per_species = BTreeMap::new();
    for sp in 0..ns {
        let (m, e) = mean_stderr(&per_sp[sp]);
        per_species.insert(structure.species[sp].clone(), Quantity::with_err(m, e, "Å^2/ps"));
    }
    let mean_curve: Vec<f64> = (0..max_lag).map(|l| (0..opts.blocks).map(|b| msd(b, ns)[l]).sum::<f64>() / opts.blocks as f64).collect();
    let err_curve: Vec<f64> = (0..max_lag).map(|l| mean_stderr(&(0..opts.blocks).map(|b| msd(b, ns)[l]).collect::<Vec<_>>()).1).collect();
    let (tm, te) = scalebridge_core::stats::block_mean_stderr(&temps, opts.blocks)?;
    let mut prov = prov;
    prov.wall_seconds = t0.elapsed().as_secs_f64();
    Ok(DiffusionResult {
        diffusivity: Quantity::with_err(d, de, "Å^2/ps"),
        diffusivity_si: Quantity::with_err(d * 1e-8, de * 1e-8, "m^2/s"),
        per_species,
        temperature: Quantity::with_err(tm, te, "K"),
        fit_window_ps: [lags[l0], lags[l1 - 1]],
        block_values: per_sp[ns].clone(),
        warnings,
        series: vec![Series {
            name: "msd".into(),
            x_label: "lag t".into(),
            x_unit: "ps".into(),
            y_label: "MSD".into(),
            y_unit: "Å^2".into(),
            x: lags,
            y: mean_curve,
            y_err: Some(err_curve),
        }],
        provenance: prov,
    })
}
