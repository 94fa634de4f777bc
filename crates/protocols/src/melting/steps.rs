//! The steps of [`super::melting_temperature`], in order: the starting guess (own search or
//! the user's), the static checks, the two-phase setup (with corrections of an own guess), the
//! estimates of `T_m` (NPT bracket, NPH coexistence, the choice between them), the hysteresis
//! ramps and the series for plots.

use super::*;
use crate::md_run::MdRun;

/// How often the coexistence stages may move a guess the protocol found itself.
const MAX_GUESS_CORRECTIONS: usize = 8;
/// How often [`rebuilt_setup`] may move its temperature away from the first estimate.
const MAX_REBUILD_CORRECTIONS: usize = 4;

/// The guess `T₀` (the user's, or found by a hysteresis search run in `pool`).
pub(super) fn initial_guess(
    structure: &Structure,
    potential: &Arc<dyn Potential>,
    opts: &MeltingOptions,
    pool: &rayon::ThreadPool,
    cache: &StageCache,
    progress: &mut dyn Progress,
) -> Result<(f64, Option<BracketSearch>)> {
    match opts.guess_k {
        Some(g) => Ok((g, None)),
        None => {
            let s = pool.install(|| bracket::search(structure, potential, opts, cache, progress))?;
            Ok((s.guess_k, Some(s)))
        }
    }
}

/// Static checks of the crystal at `t0`: cohesive energy (vaporisation range) and bulk modulus
/// (the barostat's coupling, eV/Å³; 80 GPa with a warning when it cannot be estimated).
pub(super) fn static_checks(structure: &Structure, potential: &Arc<dyn Potential>, opts: &MeltingOptions, t0: f64, warnings: &mut Vec<String>) -> Result<f64> {
    let (e0, bulk) = static_energy_and_bulk_modulus(structure, potential, opts)?;
    let bulk = bulk.unwrap_or_else(|| {
        warnings.push("could not estimate the bulk modulus of the input crystal; the barostat uses 80 GPa".into());
        0.5 // eV/Å³ (80 GPa); only sets the barostat's coupling speed
    });
    if e0 < 0.0 && BOLTZMANN * t0 > 0.2 * (-e0) {
        return Err(Error::invalid(
            "guess_k",
            t0,
            &format!(
                "k_B T = {:.4} eV exceeds 0.2 × the cohesive energy {:.4} eV/atom: far above the vaporisation range of this potential",
                BOLTZMANN * t0,
                -e0
            ),
        ));
    }
    Ok(bulk)
}

/// MD steps the protocol plans (for progress).
pub(super) fn planned_steps(opts: &MeltingOptions, md: &MdRun) -> u64 {
    md.equilibration_steps + opts.melt_steps * 7 / 4 + opts.trial_steps * (2 + opts.bisections as u64) + opts.nph_steps + 2 * opts.ramp_steps
}

/// The equilibrated crystal, the two-phase box and the context of the runs from them, at the
/// guess `t0` (possibly corrected).
pub(super) struct Setup<'a> {
    pub(super) ctx: Ctx<'a>,
    /// Prefix of the stage keys of this setup and the runs from it (`""`, or `"rebuilt-"` for
    /// the box rebuilt near the first estimate).
    pub(super) prefix: &'static str,
    pub(super) solid: MdState,
    pub(super) coexist: MdState,
    pub(super) t0: f64,
}

/// A crystal whose raw solid fraction after equilibration is below this has melted.
const MELTED_BELOW: f64 = 0.25;
/// Solid fractions of a two-phase box after its relaxation that still count as two-phase.
const TWO_PHASE: std::ops::RangeInclusive<f64> = 0.2..=0.8;
/// Solid fractions a re-equilibrated box may keep ([`rebuilt_setup`]): both phases present, as
/// the NPH run asks. Narrower, Al₂O₃'s box (quick cell, first box at 6,630 K) was refused at
/// every temperature from 3,677 down to 2,751 K with 0.16–0.19 solid: a fraction set by the box
/// it came from, not by the temperature.
const REBUILT_TWO_PHASE: std::ops::RangeInclusive<f64> = 0.1..=0.9;

/// The next temperature to try where stages 1 and 2 did not hold two phases at `t`: 15 % lower
/// where the crystal melted (`box_fraction` `None`), 7 % lower (higher) where the two-phase box
/// kept a solid fraction below (above) `window`.
fn moved(t: f64, box_fraction: Option<f64>, window: &std::ops::RangeInclusive<f64>) -> f64 {
    match box_fraction {
        None => 0.85 * t,
        Some(f) if f < *window.start() => 0.93 * t,
        Some(_) => 1.07 * t,
    }
}

/// Stage 1 at `t` (cached as `key`): the equilibrated crystal, the context of the runs from it
/// (its volume per atom and raw solid fraction as the references) and that raw fraction.
#[allow(clippy::too_many_arguments)]
fn solid_stage<'a>(
    structure: &Structure,
    potential: &Arc<dyn Potential>,
    opts: &'a MeltingOptions,
    t: f64,
    bulk: f64,
    key: &str,
    cache: &StageCache,
    prog: &mut Steps<'_>,
) -> Result<(Ctx<'a>, MdState, f64)> {
    let ctx0 = Ctx::new(structure, potential, opts, t, bulk)?;
    let seed = ctx0.md.seed;
    let solid: MdState = cache.get_or_run(key, || equilibrated_solid(&ctx0, structure, t, seed, prog))?;
    let f_ref = ctx0.solid_fraction_of(&solid.structure)?;
    let ctx = Ctx { v_solid: solid.structure.cell.volume() / structure.len() as f64, f_ref: f_ref.max(1e-3), ..ctx0 };
    Ok((ctx, solid, f_ref))
}

/// Stages 1 (equilibrated crystal) and 2 (two-phase box). With a guess of its own (`auto`) the
/// protocol corrects it here: a crystal that melts at the guess, or a two-phase box that melts
/// or freezes, moves the guess down or up and the two stages run again.
#[allow(clippy::too_many_arguments)]
pub(super) fn two_phase_setup<'a>(
    structure: &Structure,
    potential: &Arc<dyn Potential>,
    opts: &'a MeltingOptions,
    mut t0: f64,
    bulk: f64,
    auto: bool,
    cache: &StageCache,
    prog: &mut Steps<'_>,
    warnings: &mut Vec<String>,
) -> Result<Setup<'a>> {
    let mut attempts = 0;
    loop {
        let tag = if auto { format!("-{t0:.3}") } else { String::new() };
        let (ctx, solid, f_ref) = solid_stage(structure, potential, opts, t0, bulk, &format!("solid{tag}"), cache, prog)?;
        let seed = ctx.md.seed;
        let retry = auto && attempts < MAX_GUESS_CORRECTIONS;
        if f_ref < MELTED_BELOW {
            if retry {
                attempts += 1;
                t0 = moved(t0, None, &TWO_PHASE);
                continue;
            }
            return Err(Error::invalid(
                "guess_k",
                t0,
                "the crystal melted during equilibration at the guess temperature: the guess is far above T_m (or the structure is not a stable crystal of this potential)",
            ));
        }
        let coexist: MdState = cache.get_or_run(&format!("coexistence{tag}"), || two_phase_box(&ctx, &solid, t0, seed, prog))?;
        let f_start = ctx.solid_fraction_of(&coexist.structure)?;
        if !TWO_PHASE.contains(&f_start) {
            if retry {
                attempts += 1;
                t0 = moved(t0, Some(f_start), &TWO_PHASE);
                continue;
            }
            return Err(Error::invalid(
                "guess_k",
                t0,
                &format!("the two-phase box did not stay two-phase at the guess (solid fraction {f_start:.2} after relaxation): the guess is too far from T_m"),
            ));
        }
        if attempts > 0 {
            warnings.push(format!("the hysteresis guess was corrected {attempts} time(s) to {t0:.1} K by the coexistence stages"));
        }
        return Ok(Setup { ctx, prefix: "", solid, coexist, t0 });
    }
}

/// Stages 1 and 2 once more at `t1` (stage keys `rebuilt-…`): the crystal equilibrated at `t1`
/// (the reference of the solid fractions) and the two-phase box of `first` re-equilibrated at
/// `t1` ([`rethermalised_box`]). Where the crystal melts there or the re-equilibrated box melts
/// (or freezes: solid fraction outside [`REBUILT_TWO_PHASE`]), `T_m` lies below (above) `t1`:
/// the temperature moves down (up) as the first guess's does in [`two_phase_setup`] ([`moved`])
/// and both stages run again from `first`'s box (keys
/// `rebuilt-solid-T`, `rebuilt-coexistence-T`), at most [`MAX_REBUILD_CORRECTIONS`] times.
/// Refused (the caller keeps the first estimate) where none of them holds two phases.
#[allow(clippy::too_many_arguments)]
pub(super) fn rebuilt_setup<'a>(
    structure: &Structure,
    potential: &Arc<dyn Potential>,
    opts: &'a MeltingOptions,
    first: &Setup<'a>,
    t1: f64,
    bulk: f64,
    cache: &StageCache,
    prog: &mut Steps<'_>,
    warnings: &mut Vec<String>,
) -> Result<Setup<'a>> {
    let mut t = t1;
    let mut tried = Vec::new();
    for attempt in 0..=MAX_REBUILD_CORRECTIONS {
        // the first attempt keeps the keys of stores written before corrections existed
        let tag = if attempt == 0 { String::new() } else { format!("-{t:.3}") };
        let (ctx, solid, f_ref) = solid_stage(structure, potential, opts, t, bulk, &format!("rebuilt-solid{tag}"), cache, prog)?;
        if f_ref < MELTED_BELOW {
            tried.push(format!("{t:.1} K: the crystal melted"));
            t = moved(t, None, &REBUILT_TWO_PHASE);
            continue;
        }
        let seed = ctx.md.seed;
        let coexist: MdState = cache.get_or_run(&format!("rebuilt-coexistence{tag}"), || rethermalised_box(&ctx, &first.coexist, t, seed, prog))?;
        let f_start = ctx.solid_fraction_of(&coexist.structure)?;
        if !REBUILT_TWO_PHASE.contains(&f_start) {
            tried.push(format!("{t:.1} K: solid fraction {f_start:.2}"));
            t = moved(t, Some(f_start), &REBUILT_TWO_PHASE);
            continue;
        }
        if attempt > 0 {
            warnings.push(format!(
                "the two-phase box re-equilibrated at the first estimate {t1:.1} K did not hold two phases ({}); it was re-equilibrated at {t:.1} K instead",
                tried.join("; ")
            ));
        }
        return Ok(Setup { ctx, prefix: "rebuilt-", solid, coexist, t0: t });
    }
    Err(Error::invalid(
        "guess_k",
        t1,
        &format!("the two-phase box did not hold two phases when re-equilibrated near the first estimate ({})", tried.join("; ")),
    ))
}

/// The estimates of `T_m` from the two-phase box.
pub(super) struct Estimates {
    pub(super) runs: Vec<CoexistenceRun>,
    pub(super) lo: f64,
    pub(super) hi: f64,
    pub(super) t_interp: Option<Quantity>,
    pub(super) t_nph: Option<Quantity>,
    /// The headline value and the name of its estimator.
    pub(super) tm: Quantity,
    pub(super) estimator: &'static str,
}

/// Stages 3 (NPT bracket and the zero of the growth rate) and 4 (NPH coexistence), and the
/// choice of the headline estimate (NPH, else interpolated, else the bracket's midpoint).
pub(super) fn estimates(setup: &Setup<'_>, cache: &StageCache, prog: &mut Steps<'_>, warnings: &mut Vec<String>) -> Result<Estimates> {
    let ctx = &setup.ctx;
    let Bracket { mut runs, lo, hi, step } = bracket(ctx, &setup.coexist, setup.t0, setup.prefix, cache, prog, warnings)?;
    let near: Vec<&CoexistenceRun> = runs.iter().filter(|r| r.temperature_k >= lo - 1e-9 - step && r.temperature_k <= hi + 1e-9 + step).collect();
    let t_interp = interpolate_zero(&near).filter(|q| q.value > lo - step && q.value < hi + step);
    let mut t_nph = None;
    if ctx.opts.nph_steps > 0 {
        let mut start_t = t_interp.as_ref().map(|q| q.value).unwrap_or(0.5 * (lo + hi));
        // a second NPH run when the first loses a phase: started halfway towards the side of
        // the bracket the outcome points to (solidified: the box had too little energy, start
        // hotter; melted: start colder), as one would by hand
        for (attempt, name) in ["nph", "nph-retry"].into_iter().enumerate() {
            let key = &format!("{}{name}", setup.prefix);
            let seed = ctx.md.seed ^ (0x9e37 + attempt as u64);
            let r = cache.get_or_run(key, || coexistence_run(ctx, &setup.coexist, start_t, true, seed, prog))?;
            let last = r.solid_fraction.last().copied().unwrap_or(0.0);
            if (0.1..=0.9).contains(&last) {
                let half = r.temperature.len() / 2;
                let (m, e) = block_mean_stderr(&r.temperature[half..], 5)?;
                t_nph = Some(Quantity::with_err(m, e, "K"));
                runs.push(r);
                break;
            }
            runs.push(r);
            warnings.push(format!("the NPH run started at {start_t:.1} K ended with solid fraction {last:.2}: one phase vanished, its temperature is not T_m"));
            start_t = if last > 0.9 { 0.5 * (start_t + hi) } else { 0.5 * (start_t + lo) };
        }
    }
    let (tm, estimator) = if let Some(q) = &t_nph {
        (q.clone(), "nph")
    } else if let Some(q) = &t_interp {
        (q.clone(), "interpolated")
    } else {
        (Quantity::with_err(0.5 * (lo + hi), (hi - lo) / 12f64.sqrt(), "K"), "bracket")
    };
    let e = Estimates { runs, lo, hi, t_interp, t_nph, tm, estimator };
    check_estimates(&e, warnings);
    Ok(e)
}

/// Warnings when the estimates disagree with each other.
fn check_estimates(e: &Estimates, warnings: &mut Vec<String>) {
    let (lo, hi, tm) = (e.lo, e.hi, &e.tm);
    let tol = 2.0 * tm.stderr.unwrap_or(0.0);
    if tm.value < lo - tol || tm.value > hi + tol {
        warnings.push(format!(
            "T_m = {:.1} K ({}) lies outside the NPT bracket [{lo:.1}, {hi:.1}] K: longer runs or a larger box are needed",
            tm.value, e.estimator
        ));
    }
    if let (Some(a), Some(b)) = (&e.t_nph, &e.t_interp) {
        let comb = (a.stderr.unwrap_or(0.0).powi(2) + b.stderr.unwrap_or(0.0).powi(2)).sqrt();
        if (a.value - b.value).abs() > 3.0 * comb.max(0.005 * a.value) {
            warnings.push(format!("NPH ({:.1} K) and interpolated NPT ({:.1} K) estimates differ by more than 3 combined errors", a.value, b.value));
        }
    }
}

/// Stage 5: the heating ramp of the crystal and the cooling ramp of the melted box (both
/// `None` with `ramp_steps == 0`), with warnings when they do not bound `tm`.
pub(super) fn hysteresis(setup: &Setup<'_>, tm: f64, cache: &StageCache, prog: &mut Steps<'_>, warnings: &mut Vec<String>) -> Result<(Option<RampResult>, Option<RampResult>)> {
    let (ctx, opts, t0, seed) = (&setup.ctx, setup.ctx.opts, setup.t0, setup.ctx.md.seed);
    if opts.ramp_steps == 0 {
        return Ok((None, None));
    }
    let heat = cache.get_or_run("superheating", || ramp(ctx, &setup.solid, opts.ramp_heat[0] * t0, opts.ramp_heat[1] * t0, true, seed ^ 0x77, prog))?;
    // the liquid: the coexistence box melted at the ramp's start temperature
    let cool = cache.get_or_run("supercooling", || {
        let mut d = ctx.driver(setup.coexist.clone(), seed ^ 0x78)?;
        let hot = opts.melt_factor * t0;
        segment(&mut d, opts.melt_steps / 2, |_| Control { temperature: Some(hot), barostat: false }, opts.melt_steps, prog, "melting the box", |_, _| Ok(true))?;
        ramp(ctx, &d.state, opts.ramp_cool[0] * t0, opts.ramp_cool[1] * t0, false, seed ^ 0x79, prog)
    })?;
    match heat.crossing_k {
        None => warnings.push(format!("the crystal did not melt up to {:.0} K in the heating ramp: T₊ > {:.0} K", heat.to_k, heat.to_k)),
        Some(tp) if tp <= tm => warnings.push(format!("superheating limit T₊ = {tp:.1} K is not above T_m = {tm:.1} K")),
        _ => {}
    }
    match cool.crossing_k {
        None => warnings.push(format!("the liquid did not crystallise down to {:.0} K in the cooling ramp: T₋ < {:.0} K", cool.to_k, cool.to_k)),
        Some(tc) if tc >= tm => warnings.push(format!("supercooling limit T₋ = {tc:.1} K is not below T_m = {tm:.1} K")),
        _ => {}
    }
    Ok((Some(heat), Some(cool)))
}

fn series(name: String, x_label: &str, x_unit: &str, y_label: &str, y_unit: &str, x: Vec<f64>, y: Vec<f64>) -> Series {
    Series { name, x_label: x_label.into(), x_unit: x_unit.into(), y_label: y_label.into(), y_unit: y_unit.into(), x, y, y_err: None }
}

/// Series for plots: solid fraction and slab thickness of every run, the NPH temperature, the
/// growth rate against temperature and the solid fraction along the ramps.
pub(super) fn plot_series(runs: &[CoexistenceRun], heat: &Option<RampResult>, cool: &Option<RampResult>) -> Vec<Series> {
    let mut out = Vec::new();
    for r in runs {
        let (k, t) = (&r.kind, r.temperature_k);
        out.push(series(format!("solid fraction, {k} {t:.1} K"), "time", "ps", "solid fraction", "", r.time_ps.clone(), r.solid_fraction.clone()));
        let thickness = r.solid_fraction.iter().zip(&r.lz).map(|(f, l)| f * l).collect();
        out.push(series(format!("solid slab thickness, {k} {t:.1} K"), "time", "ps", "interface separation f·L_z", "Å", r.time_ps.clone(), thickness));
        if r.kind == "nph" {
            out.push(series("temperature, nph".into(), "time", "ps", "kinetic temperature", "K", r.time_ps.clone(), r.temperature.clone()));
        }
    }
    let npt: Vec<&CoexistenceRun> = runs.iter().filter(|r| r.kind == "npt").collect();
    let mut slope = series(
        "solid-fraction slope vs temperature".into(),
        "temperature",
        "K",
        "d(solid fraction)/dt",
        "1/ps",
        npt.iter().map(|r| r.temperature_k).collect(),
        npt.iter().map(|r| r.slope_per_ps).collect(),
    );
    slope.y_err = Some(npt.iter().map(|r| if r.slope_stderr.is_finite() { r.slope_stderr } else { 0.0 }).collect());
    out.push(slope);
    for (name, r) in [("heating ramp", heat), ("cooling ramp", cool)] {
        if let Some(r) = r {
            out.push(series(format!("solid fraction, {name}"), "temperature", "K", "solid fraction", "", r.temperature.clone(), r.solid_fraction.clone()));
        }
    }
    out
}
