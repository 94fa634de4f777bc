//! The glass transition: melt–quench per cooling rate and seed ([`super::quench`]), volume per
//! atom against temperature on cooling, T_g from the bilinear fit of the seed-mean curve
//! ([`super::fit`]), its standard error from the bootstrap over seeds and over the fit window,
//! T_g per cooling rate and the slope dT_g/dlog₁₀q.

use super::fit::{bilinear_fit, bootstrap_hinge, std_dev, Bilinear, Curves};
use super::options::GlassOptions;
use super::quench::{quench_series, quench_steps, quench_warnings, run_quench, QuenchRun};
use crate::md_run::{resolved, WithMdRun};
use crate::report::{Progress, Provenance, Quantity, Series, StageCache};
use scalebridge_md::computes::disorder::{disorder, Disorder};
use scalebridge_md::error::{Error, Result};
use scalebridge_md::potentials::Potential;
use scalebridge_md::structure::Structure;
use serde::Serialize;
use std::sync::Arc;

/// The cooling curve of one rate: per rung temperature, the seed-mean volume per atom and its
/// standard error (over seeds; with one seed, the block-average error).
#[derive(Clone, Debug, Serialize)]
pub struct CoolingCurve {
    pub temperature_k: Vec<f64>,
    /// Å³/atom.
    pub volume_per_atom: Vec<f64>,
    pub volume_per_atom_stderr: Vec<f64>,
    /// g/cm³ (seed mean).
    pub density_g_cm3: Vec<f64>,
    /// eV/atom (seed mean).
    pub potential_energy_ev: Vec<f64>,
    /// Volume per atom of each seed, Å³/atom (`[seed][rung]`).
    pub per_seed: Vec<Vec<f64>>,
}

/// T_g at one cooling rate.
#[derive(Clone, Debug, Serialize)]
#[allow(non_snake_case)]
pub struct RateResult {
    pub cooling_rate_k_per_ps: f64,
    pub cooling_rate_k_per_s: f64,
    pub T_g_K: f64,
    pub T_g_stderr_K: f64,
    /// The fit of the seed-mean curve: hinge, volume there, slopes (Å³/atom/K).
    pub fit: Bilinear,
    /// Volumetric expansion coefficients of glass and liquid at T_g, 1/K.
    pub expansion_glass: f64,
    pub expansion_liquid: f64,
    /// T_g fitted to each seed alone, K.
    pub per_seed_T_g_K: Vec<f64>,
    pub curve: CoolingCurve,
}

/// Result of [`glass_transition`].
#[derive(Clone, Debug, Serialize)]
#[allow(non_snake_case)]
pub struct GlassResult {
    /// T_g at the primary rate (`cooling_rate_k_per_ps`), K.
    pub T_g_K: f64,
    /// Its standard error (bootstrap over seeds and fit window), K.
    pub T_g_stderr_K: f64,
    pub glass_transition_temperature: Quantity,
    pub cooling_rate_k_per_ps: f64,
    pub cooling_rate_k_per_s: f64,
    /// One entry per cooling rate, the primary first.
    pub per_rate: Vec<RateResult>,
    /// dT_g/dlog₁₀(q) over the rates (K per decade), with two rates or more.
    pub dTg_dlog10_rate_K: Option<Quantity>,
    /// Temperatures fitted, K.
    pub fit_window_k: [f64; 2],
    pub n_atoms: usize,
    pub seeds: Vec<u64>,
    /// Density of the final structure (primary rate, first seed), g/cm³.
    pub final_density_g_cm3: f64,
    /// Disorder descriptors of the final structure (primary rate, first seed).
    pub disorder: Disorder,
    /// The quenched (and relaxed) structure of the primary rate's first seed: the cell the
    /// finite-temperature elastic and conductivity stages of `describe` run on for glasses and
    /// polymers.
    pub structure: Structure,
    pub warnings: Vec<String>,
    pub series: Vec<Series>,
    pub provenance: Provenance,
}

fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

/// Glass-transition temperature of the glass former `structure` with `potential`.
pub fn glass_transition(
    structure: &Structure,
    potential: Arc<dyn Potential>,
    opts: &GlassOptions,
    cache: &StageCache,
    progress: &mut dyn Progress,
) -> Result<GlassResult> {
    let t0 = std::time::Instant::now();
    let opts = &resolved(opts)?;
    let md = opts.md()?;
    opts.validate(md.timestep)?;
    structure.validate()?;
    potential.check_species(&structure.species)?;
    let prov = Provenance::new("glass/transition", structure, potential.as_ref(), opts, &opts.seeds)?;
    let rates = opts.rates();
    let ladders: Vec<_> = rates.iter().map(|&r| opts.quench.ladder(md.timestep, r)).collect::<Result<_>>()?;
    let per_quench: Vec<u64> = ladders.iter().map(|l| quench_steps(&opts.quench, l)).collect();
    let total: u64 = per_quench.iter().sum::<u64>() * opts.seeds.len() as u64;
    let (lo, hi) = opts.fit_window_k.map_or((f64::NEG_INFINITY, f64::INFINITY), |[a, b]| (a, b));
    let mut base = 0;
    let mut per_rate = Vec::new();
    let mut first: Option<QuenchRun> = None;
    let mut warnings = Vec::new();
    let mut series = Vec::new();
    let mut window = [f64::INFINITY, f64::NEG_INFINITY];
    for (ri, &rate) in rates.iter().enumerate() {
        let mut runs = Vec::new();
        for &seed in &opts.seeds {
            let q = run_quench(structure, &potential, &opts.quench, &md, rate, seed, cache, &format!("rate{ri}_seed{seed}_"), progress, base, total)?;
            base += per_quench[ri];
            runs.push(q);
        }
        let keep: Vec<usize> = (0..runs[0].rungs.len()).filter(|&k| (lo..=hi).contains(&runs[0].rungs[k].temperature_target_k)).collect();
        let t: Vec<f64> = keep.iter().map(|&k| runs[0].rungs[k].temperature_target_k).collect();
        if let (Some(a), Some(b)) = (t.iter().copied().reduce(f64::min), t.iter().copied().reduce(f64::max)) {
            window = [window[0].min(a), window[1].max(b)];
        }
        let per_seed: Vec<Vec<f64>> = runs.iter().map(|q| keep.iter().map(|&k| q.rungs[k].volume_per_atom.value).collect()).collect();
        let block_err: Vec<Vec<f64>> = runs.iter().map(|q| keep.iter().map(|&k| q.rungs[k].volume_per_atom.stderr.unwrap_or(0.0)).collect()).collect();
        let ns = runs.len();
        let vmean: Vec<f64> = (0..t.len()).map(|k| mean(&per_seed.iter().map(|c| c[k]).collect::<Vec<_>>())).collect();
        let verr: Vec<f64> = (0..t.len())
            .map(|k| if ns > 1 { std_dev(&per_seed.iter().map(|c| c[k]).collect::<Vec<_>>()) / (ns as f64).sqrt() } else { block_err[0][k] })
            .collect();
        let fit = bilinear_fit(&t, &vmean, opts.min_points_per_branch)
            .map_err(|e| Error::invalid("fit_window_k", format!("{:?}", opts.fit_window_k), &format!("{} rungs in the window: {e}", t.len())))?;
        let boot = bootstrap_hinge(&Curves { t: &t, per_seed: &per_seed, stderr: &block_err }, opts.bootstrap_samples, opts.window_jitter, opts.min_points_per_branch, opts.seeds[0])?;
        let per_seed_tg = per_seed.iter().map(|c| bilinear_fit(&t, c, opts.min_points_per_branch).map(|f| f.t_g)).collect::<Result<Vec<_>>>()?;
        let tg_err = std_dev(&boot);
        let rate_run = runs[0].cooling_rate_k_per_ps;
        if fit.slope_liquid < 1.2 * fit.slope_glass {
            warnings.push(format!(
                "at {rate_run:.3} K/ps the liquid and glass slopes barely differ ({:.3e} vs {:.3e} Å³/atom/K): the kink is weak, T_g is uncertain",
                fit.slope_liquid, fit.slope_glass
            ));
        }
        let (tmin, tmax) = (t.iter().copied().fold(f64::INFINITY, f64::min), t.iter().copied().fold(f64::NEG_INFINITY, f64::max));
        if fit.t_g - tmin < 2.0 * opts.quench.rung_spacing_k || tmax - fit.t_g < 2.0 * opts.quench.rung_spacing_k {
            warnings.push(format!("at {rate_run:.3} K/ps T_g = {:.0} K lies near the end of the fit window [{tmin}, {tmax}] K: widen the ladder", fit.t_g));
        }
        for q in &runs {
            if q.melt_non_crystalline_fraction < 0.9 {
                warnings.push(format!("seed {} at {rate_run:.3} K/ps: the melt is not liquid (non-crystalline fraction {:.2})", q.seed, q.melt_non_crystalline_fraction));
            }
        }
        let nrung = runs[0].rungs.len();
        let avg = |f: &dyn Fn(&super::quench::Rung) -> f64| -> Vec<f64> { keep.iter().map(|&k| mean(&runs.iter().map(|q| f(&q.rungs[k])).collect::<Vec<_>>())).collect() };
        let curve = CoolingCurve {
            temperature_k: t.clone(),
            volume_per_atom: vmean.clone(),
            volume_per_atom_stderr: verr.clone(),
            density_g_cm3: avg(&|r| r.density.value),
            potential_energy_ev: avg(&|r| r.potential_energy.value),
            per_seed: per_seed.clone(),
        };
        let tag = format!(" ({rate_run:.3} K/ps)");
        series.push(Series {
            name: format!("volume per atom on cooling{tag}"),
            x_label: "temperature".into(),
            x_unit: "K".into(),
            y_label: "V/N".into(),
            y_unit: "Å^3".into(),
            x: t.clone(),
            y: vmean,
            y_err: Some(verr),
        });
        series.push(Series {
            name: format!("bilinear fit, T_g = {:.0} ± {:.0} K{tag}", fit.t_g, tg_err),
            x_label: "temperature".into(),
            x_unit: "K".into(),
            y_label: "V/N".into(),
            y_unit: "Å^3".into(),
            x: t.clone(),
            y: t.iter().map(|&x| fit.at(x)).collect(),
            y_err: None,
        });
        if ri == 0 {
            series.extend(quench_series(&runs[0].rungs[..nrung], &format!(", seed {}{tag}", runs[0].seed)).into_iter().skip(1));
        }
        per_rate.push(RateResult {
            cooling_rate_k_per_ps: rate_run,
            cooling_rate_k_per_s: rate_run * 1e12,
            T_g_K: fit.t_g,
            T_g_stderr_K: tg_err,
            expansion_glass: fit.slope_glass / fit.v_g,
            expansion_liquid: fit.slope_liquid / fit.v_g,
            fit,
            per_seed_T_g_K: per_seed_tg,
            curve,
        });
        if ri == 0 {
            first = runs.into_iter().next();
        }
    }
    let q = first.ok_or_else(|| Error::invalid("seeds", "[]", "give at least one seed"))?;
    let d = disorder(&q.end.structure, None, None)?;
    warnings.extend(quench_warnings(&q, &d).into_iter().filter(|w| w.contains("crystalline fraction") && !w.contains("melt")));
    let slope = (per_rate.len() >= 2).then(|| {
        let x: Vec<f64> = per_rate.iter().map(|r| r.cooling_rate_k_per_ps.log10()).collect();
        let y: Vec<f64> = per_rate.iter().map(|r| r.T_g_K).collect();
        let (mx, my) = (mean(&x), mean(&y));
        let sxx: f64 = x.iter().map(|v| (v - mx).powi(2)).sum();
        let b = x.iter().zip(&y).map(|(a, c)| (a - mx) * (c - my)).sum::<f64>() / sxx;
        // propagated from the per-rate standard errors
        let e = (x.iter().zip(&per_rate).map(|(a, r)| ((a - mx) * r.T_g_stderr_K).powi(2)).sum::<f64>()).sqrt() / sxx;
        Quantity::with_err(b, e, "K/decade")
    });
    let primary = &per_rate[0];
    let final_density = q.relaxed.as_ref().or(q.rungs.last()).map_or(q.melt.density.value, |r| r.density.value);
    let mut prov = prov;
    prov.wall_seconds = t0.elapsed().as_secs_f64();
    Ok(GlassResult {
        T_g_K: primary.T_g_K,
        T_g_stderr_K: primary.T_g_stderr_K,
        glass_transition_temperature: Quantity::with_err(primary.T_g_K, primary.T_g_stderr_K, "K"),
        cooling_rate_k_per_ps: primary.cooling_rate_k_per_ps,
        cooling_rate_k_per_s: primary.cooling_rate_k_per_s,
        dTg_dlog10_rate_K: slope,
        fit_window_k: window,
        n_atoms: structure.len(),
        seeds: opts.seeds.clone(),
        final_density_g_cm3: final_density,
        disorder: d,
        structure: q.end.structure.clone(),
        per_rate,
        warnings,
        series,
        provenance: prov,
    })
}
