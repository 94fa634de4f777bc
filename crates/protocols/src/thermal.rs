//! Thermal expansion and heat capacity from NPT runs.
//!
//! NPT (MTK, isotropic coupling) at temperatures `T_k = T + k·ΔT`, `k = −m..m`; at each, block
//! averages of the volume and of the enthalpy `H = E_pot + E_kin + P V`. Then, from weighted
//! line fits against T:
//! `α_V = (1/V) dV/dT`, `α_L = α_V / 3` (1/K) and `C_P = dH/dT` (eV/K per atom, also J/(mol·K)).
//! As a cross-check, the enthalpy-fluctuation formula at the central temperature,
//! `C_P = (⟨H²⟩ − ⟨H⟩²) / (k_B T²)`, is reported too (it converges slowly; a disagreement beyond
//! the errors is reported as a warning only when it is large).

use scalebridge_md::error::{Error, Result};
use scalebridge_md::evaluator::DEFAULT_SKIN;
use scalebridge_md::potentials::Potential;
use crate::md_run::{resolved, DenyUnknownKeys, MdRunOptions, WithMdRun};
use crate::report::{run_steps, Progress, Provenance, Quantity, Series, StageCache};
use scalebridge_core::stats::{block_mean_stderr, linear_fit, variance};
use scalebridge_md::structure::Structure;
use scalebridge_md::units::{BOLTZMANN, EV_PER_A3_IN_GPA};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// 1 eV/K per atom in J/(mol·K).
pub const EV_PER_K_ATOM_IN_J_PER_MOL_K: f64 = 96_485.332_12;

/// Options of [`thermal_expansion`]. The shared MD block ([`MdRunOptions`]: `timestep`,
/// `thermostat_damping` (alias `damping`), `pressure_damping`, `skin`, `seed`, `threads`,
/// `equilibration_steps`: NPT steps per temperature, discarded) is flattened into the same JSON
/// object.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExpansionOptions {
    /// Central temperature, K.
    pub temperature: f64,
    /// Temperature spacing, K.
    pub delta_t: f64,
    /// Temperatures on each side of the centre (total 2m + 1 runs).
    pub points_per_side: usize,
    /// Pressure, GPa.
    pub pressure_gpa: f64,
    /// NPT production steps per temperature.
    pub production_steps: u64,
    pub sample_every: u64,
    pub blocks: usize,
    /// The shared MD-run block.
    #[serde(flatten)]
    pub md: MdRunOptions,
    #[serde(flatten)]
    pub unknown: DenyUnknownKeys,
}

/// The expansion protocol's defaults of the shared MD block (MTK NPT: no thermostat choice).
pub const EXPANSION_MD: MdRunOptions = MdRunOptions {
    timestep: Some(0.002),
    thermostat: None,
    thermostat_damping: Some(0.1),
    pressure_damping: Some(1.0),
    skin: Some(DEFAULT_SKIN),
    seed: Some(1),
    threads: Some(0),
    equilibration_steps: Some(2000),
};
crate::with_md_run!(ExpansionOptions, EXPANSION_MD);

impl Default for ExpansionOptions {
    fn default() -> Self {
        ExpansionOptions {
            temperature: 300.0,
            delta_t: 50.0,
            points_per_side: 1,
            pressure_gpa: 0.0,
            production_steps: 10000,
            sample_every: 10,
            blocks: 10,
            md: EXPANSION_MD,
            unknown: DenyUnknownKeys,
        }
    }
}

/// Averages of one NPT run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NptPoint {
    pub temperature_target: f64,
    /// Mean temperature, K.
    pub temperature: Quantity,
    /// Volume per atom, Å³.
    pub volume: Quantity,
    /// Enthalpy per atom, eV.
    pub enthalpy: Quantity,
    /// Enthalpy-fluctuation heat capacity, eV/K per atom.
    pub cp_fluctuation: f64,
}

/// Result of [`thermal_expansion`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExpansionResult {
    /// Volumetric thermal expansion coefficient at the central temperature, 1/K.
    pub volumetric_expansion: Quantity,
    /// Linear thermal expansion coefficient (α_V/3), 1/K.
    pub linear_expansion: Quantity,
    /// Isobaric heat capacity, eV/K per atom.
    pub heat_capacity: Quantity,
    /// Isobaric heat capacity, J/(mol·K).
    pub heat_capacity_molar: Quantity,
    /// Enthalpy-fluctuation estimate at the central temperature, J/(mol·K).
    pub heat_capacity_fluctuation_molar: Quantity,
    pub points: Vec<NptPoint>,
    pub warnings: Vec<String>,
    pub series: Vec<Series>,
    pub provenance: Provenance,
}

/// Thermal expansion and heat capacity of `structure` around `opts.temperature`.
pub fn thermal_expansion(
    structure: &Structure,
    potential: Arc<dyn Potential>,
    opts: &ExpansionOptions,
    cache: &StageCache,
    progress: &mut dyn Progress,
) -> Result<ExpansionResult> {
    let t0 = std::time::Instant::now();
    let opts = &resolved(opts)?;
    let md = opts.md()?;
    let m = opts.points_per_side as f64;
    if !(opts.temperature.is_finite() && opts.delta_t > 0.0 && opts.temperature - m * opts.delta_t > 0.0) {
        return Err(Error::invalid(
            "temperatures",
            format!("{} ± {}×{}", opts.temperature, opts.points_per_side, opts.delta_t),
            "all must be positive (K) with delta_t > 0",
        ));
    }
    if opts.points_per_side == 0 {
        return Err(Error::invalid("points_per_side", 0, "at least one temperature on each side is needed for a slope"));
    }
    if opts.blocks < 2 || opts.production_steps / opts.sample_every.max(1) < 5 * opts.blocks as u64 {
        return Err(Error::invalid("production_steps", opts.production_steps, "too short for the block averages"));
    }
    structure.validate()?;
    potential.check_species(&structure.species)?;
    let prov = Provenance::new("thermal/expansion", structure, potential.as_ref(), opts, &[md.seed])?;
    let n = structure.len() as f64;
    let p = opts.pressure_gpa / EV_PER_A3_IN_GPA;
    let temps: Vec<f64> =
        (0..2 * opts.points_per_side + 1).map(|k| opts.temperature + (k as f64 - m) * opts.delta_t).collect();
    let per_run = md.equilibration_steps + opts.production_steps;
    let total = per_run * temps.len() as u64;
    let mut points = Vec::new();
    for (k, &t) in temps.iter().enumerate() {
        let point: NptPoint = cache.get_or_run(&format!("npt_{k}"), || {
            let mut sim = md.simulation(structure.clone(), &potential, md.npt(t, p, "iso")?)?;
            sim.create_velocities(t, md.seed + k as u64)?;
            let base = k as u64 * per_run;
            let stage = format!("NPT {t} K");
            run_steps(&mut sim, md.equilibration_steps, progress, base, total, &stage)?;
            let samples = opts.production_steps / opts.sample_every;
            let (mut v, mut h, mut tt) = (Vec::new(), Vec::new(), Vec::new());
            for j in 0..samples {
                run_steps(&mut sim, opts.sample_every, progress, base + md.equilibration_steps + j * opts.sample_every, total, &stage)?;
                let row = sim.current_thermo();
                v.push(row.volume_A3 / n);
                h.push((row.etotal_eV + p * row.volume_A3) / n);
                tt.push(row.temperature_K);
            }
            let (vm, ve) = block_mean_stderr(&v, opts.blocks)?;
            let (hm, he) = block_mean_stderr(&h, opts.blocks)?;
            let (tm, te) = block_mean_stderr(&tt, opts.blocks)?;
            Ok(NptPoint {
                temperature_target: t,
                temperature: Quantity::with_err(tm, te, "K"),
                volume: Quantity::with_err(vm, ve, "Å^3/atom"),
                enthalpy: Quantity::with_err(hm, he, "eV/atom"),
                // H per atom fluctuates as H_total/N: var(H_total) = N² var(h)
                cp_fluctuation: n * variance(&h) / (BOLTZMANN * t * t),
            })
        })?;
        points.push(point);
    }
    let x: Vec<f64> = points.iter().map(|q| q.temperature_target).collect();
    let vs: Vec<f64> = points.iter().map(|q| q.volume.value).collect();
    let hs: Vec<f64> = points.iter().map(|q| q.enthalpy.value).collect();
    let (dvdt, dvdt_e) = slope_with_errors(&x, &vs, &points.iter().map(|q| q.volume.stderr.unwrap_or(0.0)).collect::<Vec<_>>())?;
    let (dhdt, dhdt_e) = slope_with_errors(&x, &hs, &points.iter().map(|q| q.enthalpy.stderr.unwrap_or(0.0)).collect::<Vec<_>>())?;
    let centre = &points[opts.points_per_side];
    let v0 = centre.volume.value;
    let alpha = dvdt / v0;
    let alpha_e = dvdt_e / v0;
    let mut warnings = Vec::new();
    if alpha_e > 0.3 * alpha.abs() {
        warnings.push(format!("thermal expansion {alpha:.3e} ± {alpha_e:.1e} 1/K is poorly resolved: run longer or widen delta_t"));
    }
    let cp_fl = centre.cp_fluctuation;
    let cpm = dhdt * EV_PER_K_ATOM_IN_J_PER_MOL_K;
    let mk_series = |name: &str, ylab: &str, unit: &str, y: &[f64], e: Vec<f64>| Series {
        name: name.into(),
        x_label: "temperature".into(),
        x_unit: "K".into(),
        y_label: ylab.into(),
        y_unit: unit.into(),
        x: x.clone(),
        y: y.to_vec(),
        y_err: Some(e),
    };
    let series = vec![
        mk_series("volume", "volume per atom", "Å^3", &vs, points.iter().map(|q| q.volume.stderr.unwrap_or(0.0)).collect()),
        mk_series("enthalpy", "enthalpy per atom", "eV", &hs, points.iter().map(|q| q.enthalpy.stderr.unwrap_or(0.0)).collect()),
    ];
    let mut prov = prov;
    prov.wall_seconds = t0.elapsed().as_secs_f64();
    Ok(ExpansionResult {
        volumetric_expansion: Quantity::with_err(alpha, alpha_e, "1/K"),
        linear_expansion: Quantity::with_err(alpha / 3.0, alpha_e / 3.0, "1/K"),
        heat_capacity: Quantity::with_err(dhdt, dhdt_e, "eV/K/atom"),
        heat_capacity_molar: Quantity::with_err(cpm, dhdt_e * EV_PER_K_ATOM_IN_J_PER_MOL_K, "J/(mol K)"),
        heat_capacity_fluctuation_molar: Quantity::exact(cp_fl * EV_PER_K_ATOM_IN_J_PER_MOL_K, "J/(mol K)"),
        points,
        warnings,
        series,
        provenance: prov,
    })
}

/// Slope of y(x) and its standard error: a line fit for ≥ 3 points (error from the larger of the
/// residual scatter and the propagated point errors), the two-point difference otherwise.
fn slope_with_errors(x: &[f64], y: &[f64], e: &[f64]) -> Result<(f64, f64)> {
    let sxx: f64 = {
        let mx = x.iter().sum::<f64>() / x.len() as f64;
        x.iter().map(|v| (v - mx).powi(2)).sum()
    };
    let mx = x.iter().sum::<f64>() / x.len() as f64;
    // propagated: Var(b) = Σ (x_i − x̄)² σ_i² / Sxx²
    let prop = (x.iter().zip(e).map(|(xi, ei)| (xi - mx).powi(2) * ei * ei).sum::<f64>()).sqrt() / sxx;
    if x.len() >= 3 {
        let (_, b, _, sb) = linear_fit(x, y)?;
        Ok((b, if x.len() > 3 { sb.max(prop) } else { prop }))
    } else {
        Err(Error::invalid("temperatures", x.len(), "need at least 3"))
    }
}
