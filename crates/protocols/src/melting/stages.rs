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
    segment(&mut d, ctx.opts.melt_steps / 2, |_| Control { temperature: Some(t0), barostat: true }, ctx.opts.sample_every, prog, "relaxing two-phase box", |d, _| {
        ctx.check_density(d, t0)?;
        Ok(true)
    })?;
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

/// Stage 3: NPT runs at `t0(1 ± bracket)`, the bracket moved until it straddles `T_m`, then
/// bisected; each run is one cached stage.
pub(super) fn bracket(ctx: &Ctx<'_>, coexist: &MdState, t0: f64, cache: &StageCache, prog: &mut Steps<'_>, warnings: &mut Vec<String>) -> Result<Bracket> {
    let mut runs: Vec<CoexistenceRun> = Vec::new();
    let trial = |t: f64, runs: &mut Vec<CoexistenceRun>, prog: &mut Steps<'_>| -> Result<usize> {
        let key = format!("npt-{t:.4}");
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
        if olo == "melts" {
            hi = lo;
            ihi = ilo;
            lo -= 2.0 * step;
            if lo <= 0.0 {
                return Err(Error::invalid("guess_k", t0, "the crystal melts at every trial temperature down to 0 K"));
            }
            ilo = trial(lo, &mut runs, prog)?;
        } else {
            lo = hi;
            ilo = ihi;
            hi += 2.0 * step;
            ihi = trial(hi, &mut runs, prog)?;
        }
    }
    if runs[ilo].outcome == "undetermined" && runs[ihi].outcome == "undetermined" {
        warnings.push(format!(
            "neither bracketing run ({lo:.1} K, {hi:.1} K) moved the interface measurably: runs too short or bracket too narrow"
        ));
    }
    for _ in 0..ctx.opts.bisections {
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
