//! Thermal conductivity from equilibrium fluctuations of the heat current (Green–Kubo).
//!
//! For every seed: Maxwell–Boltzmann velocities at `T`, NVT equilibration (Nosé–Hoover chain as
//! LAMMPS `fix nvt`, or Langevin/BAOAB followed by removal of the centre-of-mass drift), then NVE
//! production (velocity Verlet, LAMMPS `fix nve`). Every `sample_every` steps the heat current
//! `J` ([`scalebridge_md::computes::heat_flux`], LAMMPS `compute heat/flux`, eV·Å/ps) is pushed into an on-the-fly
//! [`Correlator`] (LAMMPS `fix ave/correlate ... type full ave running`); per-atom energies and
//! virials are evaluated on those steps only, forces alone on the others. No trajectory is kept.
//!
//! `κ_ab(t) = 1/(V k_B T²) ∫₀ᵗ ⟨J_a(0) J_b(τ)⟩ dτ`
//!
//! with `V` the volume (Å³), `T` the mean NVE temperature of that seed (K), the integral by the
//! trapezoidal rule over the lags (LAMMPS `trap()`), converted from eV/(ps·Å·K) to W/(m·K)
//! ([`scalebridge_md::units::EV_PER_PS_A_K_IN_W_PER_M_K`]). The tensor is symmetrised
//! (`½(κ_ab + κ_ba)`, Onsager). The scalar `κ` is a third of the trace.
//!
//! **Plateau rule** ([`pick_plateau`]): on the seed-averaged, normalised diagonal HCACF
//! `c(t) = Σ_a C_aa(t) / Σ_a C_aa(0)`, find the first lag `t₀ > 0` where `c(t₀) ≤ 0` (the
//! HCACF has decayed into its noise); κ is the average of the running integral over
//! `[t₀, min(2 t₀, t_max)]`. The same window is applied to every seed; κ and its standard error
//! are the mean and standard error of the per-seed values. If the HCACF never reaches zero
//! within the correlation time, κ is taken over the last tenth of the window and a warning says
//! the correlation time is too short. Other warnings: production shorter than 10 correlation
//! times, relative standard error above 25 %, a single seed (no error bar), and a mean NVE
//! temperature more than 5 % from the target.
//!
//! The heat current is the LAMMPS one (no partial-enthalpy correction), which is the
//! thermal-conductivity current for single-species systems.

use scalebridge_md::computes::heat_flux::{heat_current_of, sample_request};
use crate::report::{run_steps, Progress, Provenance, Quantity, Series, StageCache};
use scalebridge_md::stats;
use scalebridge_md::error::{Error, Result};
use scalebridge_md::evaluator::DEFAULT_SKIN;
use scalebridge_md::integrators::{Integrator, Langevin, NoseHoover, VelocityVerlet};
use scalebridge_md::potentials::{Potential, Request};
use scalebridge_md::simulation::Simulation;
use scalebridge_md::structure::Structure;
use scalebridge_md::units::{BOLTZMANN, EV_PER_PS_A_K_IN_W_PER_M_K};
use scalebridge_md::velocities::{temperature, zero_momentum};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Unit string of reported thermal conductivities.
pub const KAPPA_UNIT: &str = "W/(m·K)";

/// Thermostat of the NVT equilibration.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Thermostat {
    /// Nosé–Hoover chain (LAMMPS `fix nvt`), deterministic, conserves momentum.
    #[default]
    NoseHoover,
    /// Langevin (BAOAB) with noise seeded by the run's seed; the centre-of-mass velocity it
    /// gives is removed before the NVE stage.
    Langevin,
}

/// Options of [`green_kubo`]. Defaults: 300 K, seeds 1, 2, 3, 1 fs, Nosé–Hoover with 0.1 ps
/// damping, 10 000 equilibration and 200 000 production steps, sampling every 5 steps, 10 ps
/// correlation time, all cores.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GreenKuboOptions {
    /// Target temperature, K.
    pub temperature: f64,
    /// One independent run per seed (initial velocities and Langevin noise).
    pub seeds: Vec<u64>,
    /// Time step, ps.
    pub timestep: f64,
    /// Thermostat of the equilibration.
    pub thermostat: Thermostat,
    /// Thermostat damping time, ps (Nosé–Hoover `Tdamp`, Langevin 1/γ).
    pub thermostat_damping: f64,
    /// NVT steps before production.
    pub equilibration_steps: u64,
    /// NVE steps during which the heat current is sampled.
    pub production_steps: u64,
    /// Steps between heat-current samples (LAMMPS `Nevery`).
    pub sample_every: u64,
    /// Longest correlation lag, ps (default 10 ps when `correlation_samples` is not given).
    pub correlation_time: Option<f64>,
    /// Number of lags (LAMMPS `Nrepeat`, lag 0 included); alternative to `correlation_time`.
    pub correlation_samples: Option<usize>,
    /// Worker threads (0 = all cores).
    pub threads: usize,
    /// Neighbour-list skin, Å.
    pub skin: f64,
}

impl Default for GreenKuboOptions {
    fn default() -> Self {
        GreenKuboOptions {
            temperature: 300.0,
            seeds: vec![1, 2, 3],
            timestep: 0.001,
            thermostat: Thermostat::NoseHoover,
            thermostat_damping: 0.1,
            equilibration_steps: 10_000,
            production_steps: 200_000,
            sample_every: 5,
            correlation_time: None,
            correlation_samples: None,
            threads: 0,
            skin: DEFAULT_SKIN,
        }
    }
}

impl GreenKuboOptions {
    /// Number of correlation lags (lag 0 included) these options ask for, after validation.
    pub fn lags(&self) -> Result<usize> {
        self.validate()?;
        let dt_sample = self.timestep * self.sample_every as f64;
        let lags = match (self.correlation_time, self.correlation_samples) {
            (Some(_), Some(_)) => {
                return Err(Error::invalid("correlation_samples", "given with correlation_time", "give one of the two"))
            }
            (_, Some(n)) => n,
            (t, None) => {
                let t = t.unwrap_or(10.0);
                if !(t.is_finite() && t > 0.0) {
                    return Err(Error::invalid("correlation_time", t, "must be positive (ps)"));
                }
                (t / dt_sample).round() as usize + 1
            }
        };
        if lags < 3 {
            return Err(Error::invalid("correlation length", lags, "needs at least 3 lags (correlation_time ≥ 2 sample intervals)"));
        }
        let corr_steps = (lags as u64 - 1) * self.sample_every;
        if self.production_steps < corr_steps {
            return Err(Error::invalid(
                "production_steps",
                self.production_steps,
                &format!("production is shorter than the correlation length ({corr_steps} steps = {:.4} ps)", corr_steps as f64 * self.timestep),
            ));
        }
        Ok(lags)
    }

    fn validate(&self) -> Result<()> {
        validate_common(self.temperature, &self.seeds, self.timestep, self.thermostat_damping, self.skin)?;
        if self.sample_every == 0 {
            return Err(Error::invalid("sample_every", 0, "must be at least 1 step"));
        }
        if self.production_steps == 0 {
            return Err(Error::invalid("production_steps", 0, "must be positive"));
        }
        Ok(())
    }
}

/// Checks shared by the thermal-conductivity protocols.
pub(crate) fn validate_common(temperature: f64, seeds: &[u64], timestep: f64, damping: f64, skin: f64) -> Result<()> {
    if !(temperature.is_finite() && temperature > 0.0) {
        return Err(Error::invalid("temperature", temperature, "must be positive (K)"));
    }
    if seeds.is_empty() {
        return Err(Error::invalid("seeds", "[]", "give at least one seed"));
    }
    for (i, s) in seeds.iter().enumerate() {
        if seeds[..i].contains(s) {
            return Err(Error::invalid("seeds", s, "seeds must be distinct (a repeated seed repeats the same run)"));
        }
    }
    if !(timestep.is_finite() && timestep > 0.0) {
        return Err(Error::invalid("timestep", timestep, "must be positive (ps)"));
    }
    if !(damping.is_finite() && damping > 0.0) {
        return Err(Error::invalid("thermostat_damping", damping, "must be positive (ps)"));
    }
    if !(skin.is_finite() && skin >= 0.0) {
        return Err(Error::invalid("skin", skin, "must be non-negative (Å)"));
    }
    Ok(())
}

/// A 3×3 tensor result (row-major components) with its standard errors and unit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TensorQuantity {
    pub components: [[f64; 3]; 3],
    pub stderr: Option<[[f64; 3]; 3]>,
    pub unit: String,
}

/// Plateau window of the running integral.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlateauWindow {
    /// Window start and end (inclusive), ps.
    pub start: f64,
    pub end: f64,
    /// Window start and end as lag indices.
    pub start_index: usize,
    pub end_index: usize,
    /// First zero crossing of the normalised HCACF, ps (None if it never crossed).
    pub zero_crossing: Option<f64>,
    /// The rule used, in words.
    pub rule: String,
}

/// One seed's Green–Kubo values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GreenKuboSeed {
    pub seed: u64,
    /// Scalar κ (third of the trace), W/(m·K).
    pub kappa: f64,
    /// Symmetrised κ tensor, W/(m·K).
    pub kappa_tensor: [[f64; 3]; 3],
    /// Mean NVE temperature, K.
    pub temperature: f64,
    /// Heat-current samples taken.
    pub samples: u64,
    /// Equal-time fluctuation `⟨J_a²⟩` averaged over a = x, y, z, (eV·Å/ps)² (HCACF at lag 0).
    pub current_variance: f64,
}

/// Result of [`green_kubo`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GreenKuboResult {
    /// Scalar thermal conductivity (third of the trace), mean and standard error over seeds.
    pub kappa: Quantity,
    /// Symmetrised thermal-conductivity tensor with standard errors over seeds.
    pub kappa_tensor: TensorQuantity,
    /// Mean NVE temperature, K (standard error over seeds).
    pub temperature: Quantity,
    /// Volume, Å³.
    pub volume: f64,
    /// Longest correlation lag, ps.
    pub correlation_time: f64,
    /// Time between heat-current samples, ps.
    pub sample_interval: f64,
    /// Averaging window of the running integral.
    pub plateau: PlateauWindow,
    pub per_seed: Vec<GreenKuboSeed>,
    /// `hcacf` (normalised, seed mean ± stderr) and `running_kappa` (W/(m·K), seed mean ±
    /// stderr) against the lag time, ps.
    pub series: Vec<Series>,
    pub warnings: Vec<String>,
    pub provenance: Provenance,
}

/// On-the-fly linear correlator of a `dim`-component signal sampled at a fixed interval, with
/// every sample used as a time origin (LAMMPS `fix ave/correlate ... type full ave running`):
///
/// `C_ab(k) = (1/n_k) Σ_t x_a(t) x_b(t + k)`, `k = 0 … lags−1`,
///
/// where `n_k` counts the pairs seen at lag `k`. Memory and work per sample are `O(lags·dim²)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Correlator {
    dim: usize,
    lags: usize,
    /// Ring buffer of the last `lags` samples, `lags × dim`.
    history: Vec<f64>,
    /// Slot of the next sample in `history`.
    head: usize,
    /// Samples pushed so far.
    samples: u64,
    /// Sums of `x_a(t) x_b(t+k)`, `lags × dim × dim`.
    sums: Vec<f64>,
    counts: Vec<u64>,
}

impl Correlator {
    /// A correlator of `dim` components over `lags` lags (lag 0 included).
    pub fn new(dim: usize, lags: usize) -> Result<Self> {
        if dim == 0 {
            return Err(Error::invalid("correlator dimension", dim, "must be at least 1"));
        }
        if lags == 0 {
            return Err(Error::invalid("correlator lags", lags, "must be at least 1"));
        }
        Ok(Correlator {
            dim,
            lags,
            history: vec![0.0; lags * dim],
            head: 0,
            samples: 0,
            sums: vec![0.0; lags * dim * dim],
            counts: vec![0; lags],
        })
    }

    /// Add the next sample (`dim` values).
    pub fn push(&mut self, x: &[f64]) -> Result<()> {
        let d = self.dim;
        if x.len() != d {
            return Err(Error::Shape(format!("correlator of {d} components got a sample of {}", x.len())));
        }
        self.history[self.head * d..(self.head + 1) * d].copy_from_slice(x);
        let seen = (self.samples as usize + 1).min(self.lags);
        for k in 0..seen {
            // the origin k samples back
            let slot = (self.head + self.lags - k) % self.lags;
            let y = &self.history[slot * d..(slot + 1) * d];
            let s = &mut self.sums[k * d * d..(k + 1) * d * d];
            for a in 0..d {
                for b in 0..d {
                    s[a * d + b] += y[a] * x[b];
                }
            }
            self.counts[k] += 1;
        }
        self.head = (self.head + 1) % self.lags;
        self.samples += 1;
        Ok(())
    }

    /// Samples pushed.
    pub fn samples(&self) -> u64 {
        self.samples
    }
    /// Number of lags.
    pub fn lags(&self) -> usize {
        self.lags
    }
    /// Pairs accumulated at every lag.
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }
    /// `C_ab(k)` as `lags` rows of `dim × dim` (row-major `a·dim + b`); lags with no pair are 0.
    pub fn correlation(&self) -> Vec<Vec<f64>> {
        let dd = self.dim * self.dim;
        (0..self.lags)
            .map(|k| {
                let c = self.counts[k].max(1) as f64;
                self.sums[k * dd..(k + 1) * dd].iter().map(|s| s / c).collect()
            })
            .collect()
    }
}

/// Trapezoidal running integral `I(k) = Σ_{j<k} ½ (y_j + y_{j+1}) Δ` (`I(0) = 0`).
pub fn running_integral(y: &[f64], delta: f64) -> Vec<f64> {
    let mut out = Vec::with_capacity(y.len());
    let mut acc = 0.0;
    for (k, v) in y.iter().enumerate() {
        if k > 0 {
            acc += 0.5 * (y[k - 1] + v) * delta;
        }
        out.push(acc);
    }
    out
}

/// Choose the plateau window of a running integral from the autocorrelation `acf` (lag 0
/// first, sampled every `delta` ps): the window starts at the first lag `k₀ ≥ 1` with
/// `acf[k₀] ≤ 0` and ends at `min(2 k₀, n − 1)`. Without a crossing it is the last tenth of the
/// lags. Returns the window and warnings for windows that are truncated or missing.
pub fn pick_plateau(acf: &[f64], delta: f64) -> Result<(PlateauWindow, Vec<String>)> {
    let n = acf.len();
    if n < 3 {
        return Err(Error::invalid("autocorrelation length", n, "needs at least 3 lags"));
    }
    if !(acf[0].is_finite() && acf[0] > 0.0) {
        return Err(Error::invalid("autocorrelation at lag 0", acf[0], "must be positive (a non-zero fluctuating signal)"));
    }
    let mut warnings = Vec::new();
    let t_max = (n - 1) as f64 * delta;
    let crossing = acf.iter().skip(1).position(|&c| c <= 0.0).map(|p| p + 1);
    let (start, end, rule) = match crossing {
        Some(k0) if k0 < n - 1 => {
            let end = (2 * k0).min(n - 1);
            if 2 * k0 > n - 1 {
                warnings.push(format!(
                    "plateau window truncated at the end of the correlation time ({t_max:.4} ps): the HCACF first reaches zero at {:.4} ps; increase the correlation time",
                    k0 as f64 * delta
                ));
            }
            if k0 < 3 {
                warnings.push(format!(
                    "the HCACF reaches zero after {k0} sample(s) ({:.4} ps): sample the heat current more often",
                    k0 as f64 * delta
                ));
            }
            (k0, end, "mean of the running integral from the first zero crossing t0 of the normalised HCACF to min(2 t0, correlation time)")
        }
        _ => {
            warnings.push(format!(
                "running integral has no plateau: the HCACF has not decayed to zero within the correlation time ({t_max:.4} ps); \
                 κ is the mean over the last tenth of the window and is not converged: increase the correlation time and the production"
            ));
            let start = (n - 1 - (n - 1) / 10).min(n - 2);
            (start, n - 1, "no zero crossing: mean of the running integral over the last tenth of the correlation time")
        }
    };
    Ok((
        PlateauWindow {
            start: start as f64 * delta,
            end: end as f64 * delta,
            start_index: start,
            end_index: end,
            zero_crossing: crossing.map(|k| k as f64 * delta),
            rule: rule.to_string(),
        },
        warnings,
    ))
}

/// Integrator of the equilibration stage.
pub(crate) fn thermostat(kind: Thermostat, temperature: f64, damping: f64, seed: u64) -> Result<Box<dyn Integrator>> {
    Ok(match kind {
        Thermostat::NoseHoover => Box::new(NoseHoover::new(temperature, damping)?),
        Thermostat::Langevin => Box::new(Langevin::new(temperature, damping, seed)?),
    })
}

/// A simulation of `structure` with velocities at `temperature` from `seed`, equilibrated
/// for `steps` NVT steps and switched to NVE with zero total momentum; forces are current.
#[allow(clippy::too_many_arguments)]
pub(crate) fn equilibrated(
    structure: &Structure,
    potential: &Arc<dyn Potential>,
    kind: Thermostat,
    temperature: f64,
    damping: f64,
    seed: u64,
    timestep: f64,
    skin: f64,
    threads: usize,
    steps: u64,
    progress: &mut dyn Progress,
    base: u64,
    total: u64,
    stage: &str,
) -> Result<Simulation> {
    let integrator = thermostat(kind, temperature, damping, seed)?;
    let mut sim = Simulation::new(structure.clone(), potential.clone(), integrator, timestep, skin, threads)?;
    sim.create_velocities(temperature, seed)?;
    sim.setup()?;
    if steps > 0 {
        run_steps(&mut sim, steps, progress, base, total, stage)?;
    }
    let masses = sim.state.structure.masses.clone();
    zero_momentum(&masses, &mut sim.state.velocities);
    sim.integrator = Box::new(VelocityVerlet);
    Ok(sim)
}

/// Run `steps` steps of `sim`'s integrator, evaluating `request` on steps that are multiples
/// of `every` (forces only otherwise) and calling `after(sim, step)` after every step
/// (`step` = 1 … `steps`). Progress is reported as `base + step` of `total` every 100 steps;
/// an interruption becomes [`Error::Interrupted`]. Runs inside the evaluator's thread pool.
#[allow(clippy::too_many_arguments)]
pub(crate) fn drive(
    sim: &mut Simulation,
    steps: u64,
    every: u64,
    request: Request,
    progress: &mut dyn Progress,
    base: u64,
    total: u64,
    stage: &str,
    mut after: impl FnMut(&mut Simulation, u64) -> Result<()> + Send,
) -> Result<()> {
    let pool = sim.evaluator.pool();
    pool.install(|| {
        for step in 1..=steps {
            sim.evaluator.request = if every > 0 && step % every == 0 { request } else { Request::default() };
            let dt = sim.timestep;
            sim.integrator.step(&mut sim.state, &mut sim.evaluator, dt)?;
            after(sim, step)?;
            if (step % 100 == 0 || step == steps) && !progress.update(base + step, total, stage) {
                return Err(Error::Interrupted { what: stage.to_string(), done: base + step });
            }
        }
        Ok(())
    })
}

/// What one seed leaves in the stage cache.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct SeedRun {
    seed: u64,
    /// Mean NVE temperature over the samples, K.
    temperature: f64,
    samples: u64,
    /// `C_ab(k)`, (eV·Å/ps)², row-major 3×3 per lag.
    correlation: Vec<Vec<f64>>,
}

#[allow(clippy::too_many_arguments)]
fn run_seed(
    structure: &Structure,
    potential: &Arc<dyn Potential>,
    o: &GreenKuboOptions,
    lags: usize,
    seed: u64,
    progress: &mut dyn Progress,
    base: u64,
    total: u64,
) -> Result<SeedRun> {
    let stage = format!("seed {seed}: NVT equilibration");
    let mut sim = equilibrated(
        structure,
        potential,
        o.thermostat,
        o.temperature,
        o.thermostat_damping,
        seed,
        o.timestep,
        o.skin,
        o.threads,
        o.equilibration_steps,
        progress,
        base,
        total,
        &stage,
    )?;
    let mut corr = Correlator::new(3, lags)?;
    let mut t_sum = 0.0;
    // sample 0: the first NVE state
    sim.evaluator.request = sample_request();
    sim.evaluator.compute(&sim.state.structure)?;
    let j = heat_current_of(&sim.evaluator, &sim.state.structure, &sim.state.velocities)?;
    corr.push(&j.total)?;
    t_sum += temperature(&sim.state.structure.masses, &sim.state.velocities);
    let stage = format!("seed {seed}: NVE production");
    drive(&mut sim, o.production_steps, o.sample_every, sample_request(), progress, base + o.equilibration_steps, total, &stage, |sim, step| {
        if step % o.sample_every == 0 {
            let j = heat_current_of(&sim.evaluator, &sim.state.structure, &sim.state.velocities)?;
            corr.push(&j.total)?;
            t_sum += temperature(&sim.state.structure.masses, &sim.state.velocities);
        }
        Ok(())
    })?;
    let samples = corr.samples();
    Ok(SeedRun { seed, temperature: t_sum / samples as f64, samples, correlation: corr.correlation() })
}

/// Symmetrised running-integral tensor of one seed at every lag, W/(m·K).
fn kappa_curve(run: &SeedRun, volume: f64, delta: f64) -> Vec<[[f64; 3]; 3]> {
    let scale = EV_PER_PS_A_K_IN_W_PER_M_K / (volume * BOLTZMANN * run.temperature * run.temperature);
    let mut comp: Vec<Vec<f64>> = Vec::with_capacity(9);
    for ab in 0..9 {
        let (a, b) = (ab / 3, ab % 3);
        let y: Vec<f64> = run.correlation.iter().map(|c| 0.5 * (c.get(a * 3 + b).unwrap_or(&0.0) + c.get(b * 3 + a).unwrap_or(&0.0))).collect();
        comp.push(running_integral(&y, delta));
    }
    (0..run.correlation.len())
        .map(|k| {
            let mut t = [[0.0; 3]; 3];
            for (ab, c) in comp.iter().enumerate() {
                t[ab / 3][ab % 3] = c[k] * scale;
            }
            t
        })
        .collect()
}

/// Mean and standard error over seeds (stderr `None` for one seed).
fn seed_stats(x: &[f64]) -> (f64, Option<f64>) {
    if x.len() < 2 {
        (stats::mean(x), None)
    } else {
        let (m, e) = stats::mean_stderr(x);
        (m, Some(e))
    }
}

/// Green–Kubo thermal conductivity of `structure` with `potential` (see the module docs for
/// the protocol, the plateau rule and the warnings). One finished seed is one cached stage.
pub fn green_kubo(
    structure: &Structure,
    potential: Arc<dyn Potential>,
    options: &GreenKuboOptions,
    cache: &StageCache,
    progress: &mut dyn Progress,
) -> Result<GreenKuboResult> {
    let started = std::time::Instant::now();
    let o = options;
    let lags = o.lags()?;
    structure.validate()?;
    potential.check_species(&structure.species)?;
    let mut provenance = Provenance::new("thermal_conductivity/green_kubo", structure, potential.as_ref(), o, &o.seeds)?;
    let delta = o.timestep * o.sample_every as f64;
    let volume = structure.cell.volume();
    let per_seed_steps = o.equilibration_steps + o.production_steps;
    let total = per_seed_steps * o.seeds.len() as u64;

    let mut runs = Vec::with_capacity(o.seeds.len());
    for (i, &seed) in o.seeds.iter().enumerate() {
        let base = i as u64 * per_seed_steps;
        let run = cache.get_or_run(&format!("seed-{seed}"), || run_seed(structure, &potential, o, lags, seed, progress, base, total))?;
        if run.correlation.len() != lags || run.correlation.iter().any(|c| c.len() != 9) {
            return Err(Error::invalid("cached stage", format!("seed-{seed}"), "does not match the options (delete the cache)"));
        }
        runs.push(run);
    }

    // normalised diagonal HCACF per seed, and the seed mean for the plateau rule
    let norm: Vec<Vec<f64>> = runs
        .iter()
        .map(|r| {
            let diag: Vec<f64> = r.correlation.iter().map(|c| c[0] + c[4] + c[8]).collect();
            let c0 = diag.first().copied().unwrap_or(0.0);
            diag.iter().map(|d| if c0 > 0.0 { d / c0 } else { f64::NAN }).collect()
        })
        .collect();
    let mean_curve = |curves: &[Vec<f64>], k: usize| -> (f64, f64) {
        let v: Vec<f64> = curves.iter().map(|c| c.get(k).copied().unwrap_or(f64::NAN)).collect();
        let (m, e) = seed_stats(&v);
        (m, e.unwrap_or(0.0))
    };
    let acf_mean: Vec<f64> = (0..lags).map(|k| mean_curve(&norm, k).0).collect();
    let (plateau, mut warnings) = pick_plateau(&acf_mean, delta)?;

    let curves: Vec<Vec<[[f64; 3]; 3]>> = runs.iter().map(|r| kappa_curve(r, volume, delta)).collect();
    let mut per_seed = Vec::with_capacity(runs.len());
    for (r, c) in runs.iter().zip(&curves) {
        let w = &c[plateau.start_index..=plateau.end_index];
        let mut t = [[0.0; 3]; 3];
        for m in w {
            for a in 0..3 {
                for b in 0..3 {
                    t[a][b] += m[a][b] / w.len() as f64;
                }
            }
        }
        per_seed.push(GreenKuboSeed {
            seed: r.seed,
            kappa: (t[0][0] + t[1][1] + t[2][2]) / 3.0,
            kappa_tensor: t,
            temperature: r.temperature,
            samples: r.samples,
            current_variance: r.correlation.first().map_or(f64::NAN, |c| (c[0] + c[4] + c[8]) / 3.0),
        });
    }
    let (kappa, kappa_err) = seed_stats(&per_seed.iter().map(|s| s.kappa).collect::<Vec<_>>());
    let mut comps = [[0.0; 3]; 3];
    let mut errs = [[0.0; 3]; 3];
    for a in 0..3 {
        for b in 0..3 {
            let (m, e) = seed_stats(&per_seed.iter().map(|s| s.kappa_tensor[a][b]).collect::<Vec<_>>());
            comps[a][b] = m;
            errs[a][b] = e.unwrap_or(f64::NAN);
        }
    }
    let (t_mean, t_err) = seed_stats(&per_seed.iter().map(|s| s.temperature).collect::<Vec<_>>());

    let corr_time = (lags - 1) as f64 * delta;
    let prod_time = o.production_steps as f64 * o.timestep;
    if prod_time < 10.0 * corr_time {
        warnings.push(format!(
            "production too short: {prod_time:.4} ps per seed is less than 10 correlation times ({corr_time:.4} ps); statistics are poor"
        ));
    }
    match kappa_err {
        None => warnings.push("one seed: κ has no standard error; use at least 3 seeds".to_string()),
        Some(e) if e.is_nan() || e > 0.25 * kappa.abs() => warnings.push(format!(
            "κ = {kappa:.4} ± {e:.4} {KAPPA_UNIT}: relative standard error above 25 %, production too short for a converged running integral"
        )),
        Some(_) => {}
    }
    if (t_mean - o.temperature).abs() > 0.05 * o.temperature {
        warnings.push(format!(
            "mean NVE temperature {t_mean:.2} K differs from the target {:.2} K by more than 5 %: equilibrate longer",
            o.temperature
        ));
    }

    let times: Vec<f64> = (0..lags).map(|k| k as f64 * delta).collect();
    let scalar_curves: Vec<Vec<f64>> = curves.iter().map(|c| c.iter().map(|t| (t[0][0] + t[1][1] + t[2][2]) / 3.0).collect()).collect();
    let (acf_y, acf_e): (Vec<f64>, Vec<f64>) = (0..lags).map(|k| mean_curve(&norm, k)).unzip();
    let (int_y, int_e): (Vec<f64>, Vec<f64>) = (0..lags).map(|k| mean_curve(&scalar_curves, k)).unzip();
    let series = vec![
        Series {
            name: "hcacf".into(),
            x_label: "lag time".into(),
            x_unit: "ps".into(),
            y_label: "normalised heat-current autocorrelation".into(),
            y_unit: "1".into(),
            x: times.clone(),
            y: acf_y,
            y_err: Some(acf_e),
        },
        Series {
            name: "running_kappa".into(),
            x_label: "integration time".into(),
            x_unit: "ps".into(),
            y_label: "running Green–Kubo integral κ(t)".into(),
            y_unit: KAPPA_UNIT.into(),
            x: times,
            y: int_y,
            y_err: Some(int_e),
        },
    ];
    provenance.wall_seconds = started.elapsed().as_secs_f64();
    Ok(GreenKuboResult {
        kappa: Quantity { value: kappa, stderr: kappa_err, unit: KAPPA_UNIT.into() },
        kappa_tensor: TensorQuantity {
            components: comps,
            stderr: if per_seed.len() > 1 { Some(errs) } else { None },
            unit: KAPPA_UNIT.into(),
        },
        temperature: Quantity { value: t_mean, stderr: t_err, unit: "K".into() },
        volume,
        correlation_time: corr_time,
        sample_interval: delta,
        plateau,
        per_seed,
        series,
        warnings,
        provenance,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha12Rng;
    use rand_distr::{Distribution, StandardNormal};

    /// AR(1) series of unit variance: ACF `φ^k`.
    fn ar1(n: usize, phi: f64, seed: u64) -> Vec<f64> {
        let mut rng = ChaCha12Rng::seed_from_u64(seed);
        let s = (1.0 - phi * phi).sqrt();
        let mut x: f64 = StandardNormal.sample(&mut rng);
        (0..n)
            .map(|_| {
                let z: f64 = StandardNormal.sample(&mut rng);
                x = phi * x + s * z;
                x
            })
            .collect()
    }

    #[test]
    fn correlator_equals_brute_force_sums() {
        let n = 57;
        let lags = 10;
        let a = ar1(n, 0.5, 1);
        let b = ar1(n, 0.3, 2);
        let mut c = Correlator::new(2, lags).unwrap();
        for t in 0..n {
            c.push(&[a[t], b[t]]).unwrap();
        }
        let corr = c.correlation();
        for k in 0..lags {
            assert_eq!(c.counts()[k], (n - k) as u64);
            let x = [&a, &b];
            for p in 0..2 {
                for q in 0..2 {
                    let brute: f64 = (0..n - k).map(|t| x[p][t] * x[q][t + k]).sum::<f64>() / (n - k) as f64;
                    assert!((corr[k][p * 2 + q] - brute).abs() < 1e-12, "k={k} p={p} q={q}");
                }
            }
        }
        assert!(c.push(&[1.0]).is_err());
        assert!(Correlator::new(0, 3).is_err() && Correlator::new(3, 0).is_err());
    }

    #[test]
    fn exponential_correlation_integral_and_plateau() {
        // AR(1) with φ = 0.9: ACF φ^k, trapezoidal integral to ∞ = (1 + φ) / (2 (1 − φ)) = 9.5
        let phi: f64 = 0.9;
        let exact = (1.0 + phi) / (2.0 * (1.0 - phi));
        let n = 400_000;
        let lags = 400;
        let mut c = Correlator::new(3, lags).unwrap();
        let xs: Vec<Vec<f64>> = (0..3).map(|d| ar1(n, phi, 10 + d)).collect();
        for t in 0..n {
            c.push(&[xs[0][t], xs[1][t], xs[2][t]]).unwrap();
        }
        let corr = c.correlation();
        let diag: Vec<f64> = corr.iter().map(|m| (m[0] + m[4] + m[8]) / 3.0).collect();
        for k in [0usize, 1, 5, 10] {
            assert!((diag[k] - phi.powi(k as i32)).abs() < 0.02, "C({k}) = {} vs {}", diag[k], phi.powi(k as i32));
        }
        let norm: Vec<f64> = diag.iter().map(|d| d / diag[0]).collect();
        let (w, warns) = pick_plateau(&norm, 1.0).unwrap();
        assert!(warns.is_empty(), "{warns:?}");
        // the ACF falls below the noise (~ 1/sqrt(n) ≈ 0.002) near φ^k = 0.002, k ≈ 60
        assert!(w.start_index > 25 && w.start_index < 200 && w.end_index <= lags - 1, "{w:?}");
        let integral = running_integral(&diag, 1.0);
        let plateau = stats::mean(&integral[w.start_index..=w.end_index]);
        assert!((plateau - exact).abs() < 0.05 * exact, "plateau {plateau} vs exact {exact}");
    }

    #[test]
    fn plateau_rule_on_analytic_curves() {
        // exp(−k/10) − 0.01 crosses zero at k = 10 ln 100 ≈ 46.05 → first lag 47
        let acf: Vec<f64> = (0..200).map(|k| (-(k as f64) / 10.0).exp() - 0.01).collect();
        let (w, warns) = pick_plateau(&acf, 0.5).unwrap();
        assert_eq!((w.start_index, w.end_index), (47, 94));
        assert!((w.start - 23.5).abs() < 1e-12 && (w.end - 47.0).abs() < 1e-12 && warns.is_empty());
        // truncated window
        let (w, warns) = pick_plateau(&acf[..60], 0.5).unwrap();
        assert_eq!((w.start_index, w.end_index), (47, 59));
        assert!(warns.len() == 1 && warns[0].contains("truncated"));
        // never decays: warning, last tenth
        let slow: Vec<f64> = (0..101).map(|k| (-(k as f64) / 1000.0).exp()).collect();
        let (w, warns) = pick_plateau(&slow, 1.0).unwrap();
        assert_eq!((w.start_index, w.end_index), (90, 100));
        assert!(warns[0].contains("no plateau") && w.zero_crossing.is_none());
        assert!(pick_plateau(&[0.0, 1.0, 2.0], 1.0).is_err());
        assert!(pick_plateau(&[1.0, 0.5], 1.0).is_err());
        // trapezoid of a line is exact
        let r = running_integral(&[0.0, 1.0, 2.0, 3.0], 2.0);
        assert_eq!(r, vec![0.0, 1.0, 4.0, 9.0]);
    }

    #[test]
    fn options_validation() {
        let ok = GreenKuboOptions { production_steps: 1000, correlation_samples: Some(11), sample_every: 10, ..Default::default() };
        assert_eq!(ok.lags().unwrap(), 11);
        let short = GreenKuboOptions { production_steps: 99, ..ok.clone() };
        assert!(short.lags().unwrap_err().to_string().contains("shorter than the correlation length"));
        assert!(GreenKuboOptions { temperature: -1.0, ..ok.clone() }.lags().is_err());
        assert!(GreenKuboOptions { seeds: vec![], ..ok.clone() }.lags().is_err());
        assert!(GreenKuboOptions { seeds: vec![1, 1], ..ok.clone() }.lags().is_err());
        assert!(GreenKuboOptions { correlation_time: Some(1.0), ..ok.clone() }.lags().is_err());
        let t = GreenKuboOptions { correlation_samples: None, correlation_time: Some(0.5), ..ok };
        assert_eq!(t.lags().unwrap(), 51);
    }
}
