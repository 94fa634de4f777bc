//! The stages of the melting protocol before the estimates: the equilibrated crystal at the
//! guess (1), the two-phase box (2) and the NPT bracketing and bisection of `T_m` (3).

use super::*;

/// Stage 1: NPT of the crystal at `t0`; the cell is set to the mean box lengths of the second
/// half of the run.
pub(super) fn equilibrated_solid(ctx0: &Ctx<'_>, structure: &Structure, t0: f64, seed: u64, prog: &mut Steps<'_>) -> Result<MdState> {
    let mut d = ctx0.driver(MdState { structure: structure.clone(), velocities: vec![[0.0; 3]; structure.len()], step: 0, time: 0.0 }, seed)?;
    d.thermalise(t0, seed)?;
    let mut sums = ([0.0; 3], 0usize);
    let half = ctx0.md.equilibration_steps / 2;
    segment(&mut d, ctx0.md.equilibration_steps, |_| Control { temperature: Some(t0), barostat: true }, 10, prog, "solid npt", |d, s| {
        ctx0.check_density(d, t0)?;
        if s > half {
            let l = d.lengths();
            for (acc, lk) in sums.0.iter_mut().zip(l) {
                *acc += lk;
            }
            sums.1 += 1;
        }
        Ok(true)
    })?;
    let target = sums.0.map(|x| x / sums.1.max(1) as f64);
    let l = d.lengths();
    let f = [[target[0] / l[0], 0.0, 0.0], [0.0, target[1] / l[1], 0.0], [0.0, 0.0, target[2] / l[2]]];
    d.state.structure = d.state.structure.deformed(&f)?;
    Ok(d.state)
}

/// Stage 2: the lower half frozen, the upper half melted at `melt_factor·t0` and cooled back,
/// then the whole box relaxed under the barostat at `t0`.
pub(super) fn two_phase_box(ctx: &Ctx<'_>, solid: &MdState, t0: f64, seed: u64, prog: &mut Steps<'_>) -> Result<MdState> {
    let mut d = ctx.driver(solid.clone(), seed ^ 0x5eed)?;
    let lower: Vec<bool> = d
        .state
        .structure
        .positions
        .iter()
        .map(|r| {
            let z = d.state.structure.cell.fractional(r)[2];
            z - z.floor() < 0.5
        })
        .collect();
    d.frozen = lower.clone();
    let hot = ctx.opts.melt_factor * t0;
    d.thermalise(hot, seed ^ 0x40)?;
    segment(&mut d, ctx.opts.melt_steps, |_| Control { temperature: Some(hot), barostat: false }, ctx.opts.melt_steps, prog, "melting half", |_, _| Ok(true))?;
    let mask = solid_mask(&d.state.structure, &ctx.opts.phase)?;
    let upper_solid = mask.iter().zip(&lower).filter(|(s, l)| **s && !**l).count() as f64
        / lower.iter().filter(|l| !**l).count().max(1) as f64
        / ctx.f_ref;
    if upper_solid > 0.2 {
        return Err(Error::invalid(
            "melt_factor",
            ctx.opts.melt_factor,
            &format!("the upper half did not melt at {hot:.0} K ({:.0} % still solid): raise melt_factor or melt_steps, or check guess_k", 100.0 * upper_solid),
        ));
    }
    segment(&mut d, ctx.opts.melt_steps / 4, |_| Control { temperature: Some(t0), barostat: false }, ctx.opts.melt_steps, prog, "cooling liquid half", |_, _| Ok(true))?;
    d.frozen = vec![false; solid.structure.len()];
    let v_frozen = maxwell_boltzmann(&d.state.structure.masses, t0, seed ^ 0x41)?;
    for (i, l) in lower.iter().enumerate() {
        if *l {
            d.state.velocities[i] = v_frozen[i];
        }
    }
    relax_two_phase(ctx, &mut d, t0, prog)?;
    Ok(d.state)
}

/// The end of stage 2: the whole two-phase box relaxed under the barostat at `t` K.
fn relax_two_phase(ctx: &Ctx<'_>, d: &mut Driver, t: f64, prog: &mut Steps<'_>) -> Result<()> {
    segment(d, ctx.opts.melt_steps / 2, |_| Control { temperature: Some(t), barostat: true }, ctx.opts.sample_every, prog, "relaxing two-phase box", |d, _| {
        ctx.check_density(d, t)?;
        Ok(true)
    })
}

/// Stage 2 again at `t1`, from an existing two-phase box (`coexist`, made at another
/// temperature): rescaled to `t1` and relaxed as at the end of stage 2. The interface is kept;
/// nothing is melted again (a box melted at `melt_factor·t1` from a much colder guess may not
/// melt at all at the solid's density).
pub(super) fn rethermalised_box(ctx: &Ctx<'_>, coexist: &MdState, t1: f64, seed: u64, prog: &mut Steps<'_>) -> Result<MdState> {
    let mut d = ctx.driver(coexist.clone(), seed ^ 0x5eef)?;
    d.rescale_to(t1);
    relax_two_phase(ctx, &mut d, t1, prog)?;
    Ok(d.state)
}

/// The NPT coexistence runs of stage 3 and the bracket `[lo, hi]` they leave (initial half-width
/// `step`).
pub(super) struct Bracket {
    pub(super) runs: Vec<CoexistenceRun>,
    pub(super) lo: f64,
    pub(super) hi: f64,
    pub(super) step: f64,
}

/// How far the bracket moves past its end `lo` (`down`: both trials melt) or `hi` (both
/// solidify), K, at its `expansions`-th move (from 1). The first bracket is `2·step` wide.
///
/// The move doubles with every expansion (2, 4, 8 … × `step`: a guess 50 % off is reached in
/// three moves, where fixed moves of `2·step` needed six), and goes further where the two
/// trials' slopes say so: the solid fraction's slope falls with `T`, so the zero of the line
/// through the two slopes estimates `T_m`, and the move aims one `step` beyond it. Measured
/// growth rates rise faster than linearly with superheating (LJ, `melting::tests`), so that
/// line puts `T_m` too close, never too far; it is used only where the two slopes differ by
/// more than twice their combined error. A move never exceeds 40 % of the end's temperature.
pub(super) fn bracket_move(lo: &CoexistenceRun, hi: &CoexistenceRun, down: bool, step: f64, expansions: usize) -> f64 {
    let (t_lo, t_hi) = (lo.temperature_k, hi.temperature_k);
    let (end, t_end) = if down { (lo, t_lo) } else { (hi, t_hi) };
    let doubling = 2.0 * step * f64::powi(2.0, expansions.saturating_sub(1).min(16) as i32);
    let ds = hi.slope_per_ps - lo.slope_per_ps;
    let significant = ds.abs() > 2.0 * lo.slope_stderr.hypot(hi.slope_stderr);
    let b = ds / (t_hi - t_lo);
    let aimed = (significant && b.is_finite() && b < 0.0)
        .then(|| {
            let zero = t_end - end.slope_per_ps / b;
            let d = if down { t_end - zero } else { zero - t_end };
            d + step
        })
        .filter(|d| d.is_finite());
    let max = (0.4 * t_end).max(2.0 * step);
    aimed.map_or(doubling, |a| a.max(doubling)).min(max)
}

/// Stage 3: NPT runs at `t0(1 ± bracket)`, the bracket moved ([`bracket_move`]) until it
/// straddles `T_m`, bisected back to its first width where a move overshot, then bisected
/// `bisections` times; each run is one cached stage.
pub(super) fn bracket(ctx: &Ctx<'_>, coexist: &MdState, t0: f64, prefix: &str, cache: &StageCache, prog: &mut Steps<'_>, warnings: &mut Vec<String>) -> Result<Bracket> {
    let mut runs: Vec<CoexistenceRun> = Vec::new();
    let trial = |t: f64, runs: &mut Vec<CoexistenceRun>, prog: &mut Steps<'_>| -> Result<usize> {
        let key = format!("{prefix}npt-{t:.4}");
        let r = cache.get_or_run(&key, || coexistence_run(&ctx, &coexist, t, false, ctx.md.seed.wrapping_add((t * 1000.0) as u64), prog))?;
        runs.push(r);
        Ok(runs.len() - 1)
    };
    let step = ctx.opts.bracket * t0;
    let (mut lo, mut hi) = (t0 - step, t0 + step);
    let mut ilo = trial(lo, &mut runs, prog)?;
    let mut ihi = trial(hi, &mut runs, prog)?;
    let mut expansions = 0;
    loop {
        let (olo, ohi) = (runs[ilo].outcome.clone(), runs[ihi].outcome.clone());
        if olo != "melts" && ohi != "solidifies" {
            break;
        }
        expansions += 1;
        if expansions > ctx.opts.max_expansions {
            return Err(Error::NotConverged {
                what: format!("melting bracket (last trials: {lo:.1} K {olo}, {hi:.1} K {ohi})"),
                iters: expansions - 1,
                residual: 0.0,
            });
        }
        let jump = bracket_move(&runs[ilo], &runs[ihi], olo == "melts", step, expansions);
        if olo == "melts" {
            hi = lo;
            ihi = ilo;
            lo -= jump;
            if lo <= 0.0 {
                return Err(Error::invalid("guess_k", t0, "the crystal melts at every trial temperature down to 0 K"));
            }
            ilo = trial(lo, &mut runs, prog)?;
        } else {
            lo = hi;
            ilo = ihi;
            hi += jump;
            ihi = trial(hi, &mut runs, prog)?;
        }
    }
    if runs[ilo].outcome == "undetermined" && runs[ihi].outcome == "undetermined" {
        warnings.push(format!(
            "neither bracketing run ({lo:.1} K, {hi:.1} K) moved the interface measurably: runs too short or bracket too narrow"
        ));
    }
    // a bracket wider than the first one (a doubling or aimed move overshot) is bisected back
    // to that width first, then `bisections` more times
    let mut left = ctx.opts.bisections;
    loop {
        if hi - lo <= 2.0 * step * (1.0 + 1e-9) {
            if left == 0 {
                break;
            }
            left -= 1;
        }
        let mid = 0.5 * (lo + hi);
        let i = trial(mid, &mut runs, prog)?;
        match runs[i].outcome.as_str() {
            "solidifies" => lo = mid,
            "melts" => hi = mid,
            _ => break,
        }
    }
    Ok(Bracket { runs, lo, hi, step })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(t: f64, slope: f64) -> CoexistenceRun {
        CoexistenceRun {
            kind: "npt".into(),
            temperature_k: t,
            mean_temperature_k: t,
            slope_per_ps: slope,
            slope_stderr: 0.01,
            outcome: outcome(slope, 0.01).into(),
            time_ps: vec![],
            solid_fraction: vec![],
            temperature: vec![],
            lz: vec![],
        }
    }

    #[test]
    fn the_bracket_moves_to_one_step_past_the_zero_of_the_growth_rate() {
        // slopes linear in T with their zero at 4000 K, both trials far above it
        let s = |t: f64| -1e-3 * (t - 4000.0);
        let (lo, hi, step) = (5884.0, 6374.0, 245.0);
        let m = bracket_move(&run(lo, s(lo)), &run(hi, s(hi)), true, step, 1);
        assert!((lo - m - (4000.0 - step)).abs() < 1e-6 * lo, "next trial at {}", lo - m);
        // a bracket below T_m moves up past the zero likewise
        let s = |t: f64| -1e-3 * (t - 3300.0);
        let (lo, hi) = (2800.0, 2900.0);
        let m = bracket_move(&run(lo, s(lo)), &run(hi, s(hi)), false, 100.0, 1);
        assert!((hi + m - 3400.0).abs() < 1e-6, "next trial at {}", hi + m);
        // never less than the doubling move (zero just past the end)
        let m = bracket_move(&run(3350.0, s(3350.0)), &run(3400.0, s(3400.0)), true, 100.0, 1);
        assert_eq!(m, 200.0);
        let m = bracket_move(&run(3350.0, s(3350.0)), &run(3400.0, s(3400.0)), true, 100.0, 3);
        assert_eq!(m, 800.0);
    }

    #[test]
    fn far_insignificant_or_undefined_zeros_give_bounded_moves() {
        // nearly equal slopes, far apart from their errors: the zero is far away; the move
        // stops at 40 % of the end
        let m = bracket_move(&run(6000.0, -0.70), &run(6400.0, -0.80), true, 250.0, 1);
        assert!((m - 0.4 * 6000.0).abs() < 1e-9, "{m}");
        // slopes within their errors of each other, or growing the wrong way (noise), or not
        // numbers: doubling moves, 2, 4, 8 steps
        for (e, want) in [(1, 200.0), (2, 400.0), (3, 800.0)] {
            for (a, b) in [(-0.5, -0.52), (-0.5, -0.4), (f64::NAN, -0.4)] {
                let m = bracket_move(&run(3000.0, a), &run(3200.0, b), true, 100.0, e);
                assert_eq!(m, want, "expansion {e}, slopes {a} {b}");
            }
        }
    }
}
