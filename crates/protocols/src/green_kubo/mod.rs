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
//! **Which heat current** (`heat_current`): `"species_centred"` (default) is LAMMPS's for one
//! species and, for mixtures (alloys, ionic crystals), LAMMPS's less each species' mean energy
//! and virial times its particle current (the partial-enthalpy correction,
//! [`scalebridge_md::computes::heat_flux::species_centred_heat_current`]). `"lammps"` correlates
//! LAMMPS's `compute heat/flux` as it is, also for mixtures; its finite-run κ of a mixture then
//! depends on the species' reference energies (docs/thermal_conductivity.md).

use scalebridge_md::computes::heat_flux::{heat_current_of_kind, sample_request, HeatCurrentKind};
use crate::md_run::{drive, equilibrated, validate_common, DenyUnknownKeys, MdRun, MdRunOptions, Stage, WithMdRun};
use crate::report::{Progress, Provenance, Quantity, Series, StageCache};
use scalebridge_core::stats;
use scalebridge_md::error::{Error, Result};
use scalebridge_md::evaluator::DEFAULT_SKIN;
use scalebridge_md::potentials::Potential;
use scalebridge_md::structure::Structure;
use scalebridge_md::units::{BOLTZMANN, EV_PER_PS_A_K_IN_W_PER_M_K};
use scalebridge_md::velocities::temperature;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Unit string of reported thermal conductivities.
pub const KAPPA_UNIT: &str = "W/(m·K)";

pub use crate::md_run::Thermostat;
mod correlation;
pub use correlation::{pick_plateau, running_integral, Correlator};

/// Options of [`green_kubo`]. Defaults: 300 K, seeds 1, 2, 3, 1 fs, Nosé–Hoover with 0.1 ps
/// damping, 10 000 equilibration and 200 000 production steps, sampling every 5 steps, 10 ps
/// correlation time, all cores. The shared MD block ([`MdRunOptions`]: `timestep`,
/// `thermostat`, `thermostat_damping`, `skin`, `threads`, `equilibration_steps`) is flattened
/// into the same JSON object.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GreenKuboOptions {
    /// Target temperature, K.
    pub temperature: f64,
    /// One independent run per seed (initial velocities and Langevin noise).
    pub seeds: Vec<u64>,
    /// NVE steps during which the heat current is sampled.
    pub production_steps: u64,
    /// Steps between heat-current samples (LAMMPS `Nevery`).
    pub sample_every: u64,
    /// Longest correlation lag, ps (default 10 ps when `correlation_samples` is not given).
    pub correlation_time: Option<f64>,
    /// Number of lags (LAMMPS `Nrepeat`, lag 0 included); alternative to `correlation_time`.
    pub correlation_samples: Option<usize>,
    /// The heat current correlated: `"species_centred"` (default) or `"lammps"` (module docs).
    pub heat_current: HeatCurrentKind,
    /// The shared MD-run block.
    #[serde(flatten)]
    pub md: MdRunOptions,
    #[serde(flatten)]
    pub unknown: DenyUnknownKeys,
}

/// Green–Kubo's defaults of the shared MD block (it has `seeds`, not `seed`, and no barostat).
pub const GREEN_KUBO_MD: MdRunOptions = MdRunOptions {
    timestep: Some(0.001),
    thermostat: Some(Thermostat::NoseHoover),
    thermostat_damping: Some(0.1),
    pressure_damping: None,
    skin: Some(DEFAULT_SKIN),
    seed: None,
    threads: Some(0),
    equilibration_steps: Some(10_000),
};
crate::with_md_run!(GreenKuboOptions, GREEN_KUBO_MD);

impl Default for GreenKuboOptions {
    fn default() -> Self {
        GreenKuboOptions {
            temperature: 300.0,
            seeds: vec![1, 2, 3],
            production_steps: 200_000,
            sample_every: 5,
            correlation_time: None,
            correlation_samples: None,
            heat_current: HeatCurrentKind::SpeciesCentred,
            md: GREEN_KUBO_MD,
            unknown: DenyUnknownKeys,
        }
    }
}

impl GreenKuboOptions {
    /// Number of correlation lags (lag 0 included) these options ask for, after validation.
    pub fn lags(&self) -> Result<usize> {
        self.validate()?;
        let timestep = self.md()?.timestep;
        let dt_sample = timestep * self.sample_every as f64;
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
                &format!("production is shorter than the correlation length ({corr_steps} steps = {:.4} ps)", corr_steps as f64 * timestep),
            ));
        }
        Ok(lags)
    }

    fn validate(&self) -> Result<()> {
        validate_common(self.temperature, &self.seeds)?;
        self.md()?;
        if self.sample_every == 0 {
            return Err(Error::invalid("sample_every", 0, "must be at least 1 step"));
        }
        if self.production_steps == 0 {
            return Err(Error::invalid("production_steps", 0, "must be positive"));
        }
        Ok(())
    }
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
    md: &MdRun,
    lags: usize,
    seed: u64,
    progress: &mut dyn Progress,
    base: u64,
    total: u64,
) -> Result<SeedRun> {
    let stage = format!("seed {seed}: NVT equilibration");
    let mut sim = equilibrated(structure, potential, md, o.temperature, seed, progress, Stage { base, total, name: &stage })?;
    let mut corr = Correlator::new(3, lags)?;
    let mut t_sum = 0.0;
    // sample 0: the first NVE state
    sim.evaluator.request = sample_request();
    sim.evaluator.compute(&sim.state.structure)?;
    let j = heat_current_of_kind(&sim.evaluator, &sim.state.structure, &sim.state.velocities, o.heat_current)?;
    corr.push(&j.total)?;
    t_sum += temperature(&sim.state.structure.masses, &sim.state.velocities);
    let stage = format!("seed {seed}: NVE production");
    drive(&mut sim, o.production_steps, o.sample_every, sample_request(), progress, base + md.equilibration_steps, total, &stage, |sim, step| {
        if step % o.sample_every == 0 {
            let j = heat_current_of_kind(&sim.evaluator, &sim.state.structure, &sim.state.velocities, o.heat_current)?;
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
    let o = &crate::md_run::resolved(options)?;
    let lags = o.lags()?;
    let md = o.md()?;
    structure.validate()?;
    potential.check_species(&structure.species)?;
    let mut provenance = Provenance::new("thermal_conductivity/green_kubo", structure, potential.as_ref(), o, &o.seeds)?;
    let delta = md.timestep * o.sample_every as f64;
    let volume = structure.cell.volume();
    let per_seed_steps = md.equilibration_steps + o.production_steps;
    let total = per_seed_steps * o.seeds.len() as u64;

    let mut runs = Vec::with_capacity(o.seeds.len());
    for (i, &seed) in o.seeds.iter().enumerate() {
        let base = i as u64 * per_seed_steps;
        let run = cache.get_or_run(&format!("seed-{seed}"), || run_seed(structure, &potential, o, &md, lags, seed, progress, base, total))?;
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
    let prod_time = o.production_steps as f64 * md.timestep;
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
