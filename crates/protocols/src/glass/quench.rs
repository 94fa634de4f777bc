//! The melt–quench: NPT melt at `t_high_k`, a ladder of NPT rungs down to `t_low_k` at the
//! stated rate, NPT relaxation at `t_low_k`. Each stage is one entry of the stage store (melt,
//! every rung, relax), holding its averages and its end state, so an interrupted quench resumes
//! at the rung it stopped in.

use super::options::{Ladder, MeltQuenchOptions, QuenchParams};
use crate::md_run::{resolved, MdRun, WithMdRun};
use crate::report::{run_steps, Progress, Provenance, Quantity, Series, StageCache};
use scalebridge_core::stats::block_mean_stderr;
use scalebridge_md::computes::disorder::{disorder, Disorder};
use scalebridge_md::error::{Error, Result};
use scalebridge_md::potentials::Potential;
use scalebridge_md::structure::Structure;
use scalebridge_md::units::EV_PER_A3_IN_GPA;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// amu/Å³ → g/cm³.
pub const AMU_PER_A3_IN_G_PER_CM3: f64 = 1.660_539_066_60;

/// Averages over the sampled end of one NPT stage.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rung {
    /// Thermostat target, K.
    pub temperature_target_k: f64,
    /// Mean temperature, K.
    pub temperature: Quantity,
    /// Volume per atom, Å³/atom.
    pub volume_per_atom: Quantity,
    /// Mass density, g/cm³.
    pub density: Quantity,
    /// Specific volume, cm³/g.
    pub specific_volume: Quantity,
    /// Potential energy per atom, eV/atom.
    pub potential_energy: Quantity,
    /// MD steps of the stage.
    pub steps: u64,
}

/// Where an MD stage ends: positions/cell and velocities.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EndState {
    pub structure: Structure,
    pub velocities: Vec<[f64; 3]>,
}

/// One quench (one rate, one seed).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct QuenchRun {
    pub seed: u64,
    /// Cooling rate run (the ladder's spacing over the rung duration), K/ps.
    pub cooling_rate_k_per_ps: f64,
    /// The melt at `t_high_k`.
    pub melt: Rung,
    /// One entry per rung, from hot to cold.
    pub rungs: Vec<Rung>,
    /// The relaxation at `t_low_k` (absent with `relax_steps = 0`).
    pub relaxed: Option<Rung>,
    /// Fraction of non-crystalline atoms (adaptive CNA) after the melt: must be ≈ 1.
    pub melt_non_crystalline_fraction: f64,
    pub end: EndState,
}

/// Steps of one quench.
pub fn quench_steps(p: &QuenchParams, ladder: &Ladder) -> u64 {
    p.melt_steps + ladder.rung_steps * ladder.temperatures.len() as u64 + p.relax_steps
}

/// One NPT stage at `t` from `start` (velocities created from `seed` if `start` has none).
#[allow(clippy::too_many_arguments)]
fn npt_stage(
    start: &EndState,
    potential: &Arc<dyn Potential>,
    md: &MdRun,
    p: &QuenchParams,
    t: f64,
    steps: u64,
    sampled: u64,
    progress: &mut dyn Progress,
    base: u64,
    total: u64,
    stage: &str,
) -> Result<(Rung, EndState)> {
    let pressure = p.pressure_gpa / EV_PER_A3_IN_GPA;
    let mut sim = md.simulation(start.structure.clone(), potential, md.npt(t, pressure, "iso")?)?;
    sim.set_velocities(start.velocities.clone())?;
    let n = start.structure.len() as f64;
    let mass: f64 = start.structure.masses.iter().sum();
    let free = steps - sampled;
    run_steps(&mut sim, free, progress, base, total, stage)?;
    let samples = sampled / p.sample_every;
    let (mut v, mut e, mut tt) = (Vec::new(), Vec::new(), Vec::new());
    for j in 0..samples {
        run_steps(&mut sim, p.sample_every, progress, base + free + j * p.sample_every, total, stage)?;
        let row = sim.current_thermo();
        if !(row.volume_A3.is_finite() && row.pe_eV.is_finite()) {
            return Err(Error::invalid(stage, format!("V = {} Å³", row.volume_A3), "the NPT run diverged: lower the time step or check the potential"));
        }
        v.push(row.volume_A3);
        e.push(row.pe_eV / n);
        tt.push(row.temperature_K);
    }
    let rest = sampled - samples * p.sample_every;
    if rest > 0 {
        run_steps(&mut sim, rest, progress, base + steps - rest, total, stage)?;
    }
    let (vm, ve) = block_mean_stderr(&v, p.blocks)?;
    let (em, ee) = block_mean_stderr(&e, p.blocks)?;
    let (tm, te) = block_mean_stderr(&tt, p.blocks)?;
    let rho: Vec<f64> = v.iter().map(|x| mass * AMU_PER_A3_IN_G_PER_CM3 / x).collect();
    let (rm, re) = block_mean_stderr(&rho, p.blocks)?;
    let sv: Vec<f64> = rho.iter().map(|r| 1.0 / r).collect();
    let (sm, se) = block_mean_stderr(&sv, p.blocks)?;
    let rung = Rung {
        temperature_target_k: t,
        temperature: Quantity::with_err(tm, te, "K"),
        volume_per_atom: Quantity::with_err(vm / n, ve / n, "Å^3/atom"),
        density: Quantity::with_err(rm, re, "g/cm^3"),
        specific_volume: Quantity::with_err(sm, se, "cm^3/g"),
        potential_energy: Quantity::with_err(em, ee, "eV/atom"),
        steps,
    };
    Ok((rung, EndState { structure: sim.state.structure.clone(), velocities: sim.state.velocities.clone() }))
}

/// Run one melt–quench of `structure` at `rate` K/ps with velocities from `seed`. Stages are
/// stored in `cache` under `<prefix>melt`, `<prefix>rung_<k>`, `<prefix>relax`; progress counts
/// from `base` of `total`.
#[allow(clippy::too_many_arguments)]
pub fn run_quench(
    structure: &Structure,
    potential: &Arc<dyn Potential>,
    p: &QuenchParams,
    md: &MdRun,
    rate: f64,
    seed: u64,
    cache: &StageCache,
    prefix: &str,
    progress: &mut dyn Progress,
    base: u64,
    total: u64,
) -> Result<QuenchRun> {
    let ladder = p.ladder(md.timestep, rate)?;
    let sampled_of = |steps: u64| ((p.sample_fraction * steps as f64).floor() as u64).max(p.sample_every * p.blocks as u64).min(steps);
    let label = format!("{prefix}{rate} K/ps seed {seed}");
    let (melt, mut state, melt_ncf): (Rung, EndState, f64) = cache.get_or_run(&format!("{prefix}melt"), || {
        let velocities = scalebridge_md::velocities::maxwell_boltzmann(&structure.masses, p.t_high_k, seed)?;
        let start = EndState { structure: structure.clone(), velocities };
        if p.melt_steps < p.sample_every * p.blocks as u64 {
            return Err(Error::invalid("melt_steps", p.melt_steps, &format!("must be at least sample_every × blocks = {}", p.sample_every * p.blocks as u64)));
        }
        let (r, end) = npt_stage(&start, potential, md, p, p.t_high_k, p.melt_steps, sampled_of(p.melt_steps), progress, base, total, &format!("melt {} K ({label})", p.t_high_k))?;
        let ncf = disorder(&end.structure, None, None).map(|d| d.non_crystalline_fraction_cna).unwrap_or(f64::NAN);
        Ok((r, end, ncf))
    })?;
    let mut done = base + p.melt_steps;
    let mut rungs = Vec::with_capacity(ladder.temperatures.len());
    for (k, &t) in ladder.temperatures.iter().enumerate() {
        let (r, end): (Rung, EndState) = cache.get_or_run(&format!("{prefix}rung_{k}"), || {
            npt_stage(&state, potential, md, p, t, ladder.rung_steps, ladder.sampled_steps, progress, done, total, &format!("rung {t:.0} K ({label})"))
        })?;
        rungs.push(r);
        state = end;
        done += ladder.rung_steps;
    }
    let relaxed = if p.relax_steps > 0 {
        let (r, end): (Rung, EndState) = cache.get_or_run(&format!("{prefix}relax"), || {
            npt_stage(&state, potential, md, p, p.t_low_k, p.relax_steps, sampled_of(p.relax_steps), progress, done, total, &format!("relax {} K ({label})", p.t_low_k))
        })?;
        state = end;
        Some(r)
    } else {
        None
    };
    Ok(QuenchRun { seed, cooling_rate_k_per_ps: ladder.rate_k_per_ps, melt, rungs, relaxed, melt_non_crystalline_fraction: melt_ncf, end: state })
}

/// Result of [`melt_quench`].
#[derive(Clone, Debug, Serialize)]
pub struct MeltQuenchResult {
    /// The quenched (and relaxed) structure.
    pub structure: Structure,
    /// Cooling rate run, K/ps and K/s.
    pub cooling_rate_k_per_ps: f64,
    pub cooling_rate_k_per_s: f64,
    pub n_atoms: usize,
    pub melt: Rung,
    /// Per rung, hot to cold: temperature, volume per atom, density, specific volume, potential
    /// energy (each with its block-average standard error).
    pub rungs: Vec<Rung>,
    pub relaxed: Option<Rung>,
    /// Density of the final structure (the relaxation's mean, else the last rung's), g/cm³.
    pub final_density: Quantity,
    /// Disorder descriptors of the final structure.
    pub disorder: Disorder,
    pub warnings: Vec<String>,
    /// Volume per atom and potential energy per atom against temperature.
    pub series: Vec<Series>,
    pub provenance: Provenance,
}

/// Curves of one or more quenches: volume per atom and potential energy against T.
pub fn quench_series(rungs: &[Rung], tag: &str) -> Vec<Series> {
    let x: Vec<f64> = rungs.iter().map(|r| r.temperature_target_k).collect();
    let mk = |name: &str, label: &str, unit: &str, f: &dyn Fn(&Rung) -> &Quantity| Series {
        name: format!("{name}{tag}"),
        x_label: "temperature".into(),
        x_unit: "K".into(),
        y_label: label.into(),
        y_unit: unit.into(),
        x: x.clone(),
        y: rungs.iter().map(|r| f(r).value).collect(),
        y_err: Some(rungs.iter().map(|r| f(r).stderr.unwrap_or(0.0)).collect()),
    };
    vec![
        mk("volume per atom on cooling", "V/N", "Å^3", &|r| &r.volume_per_atom),
        mk("potential energy on cooling", "E_pot/N", "eV", &|r| &r.potential_energy),
    ]
}

/// Warnings shared by the quench protocols.
pub fn quench_warnings(q: &QuenchRun, d: &Disorder) -> Vec<String> {
    let mut w = Vec::new();
    if q.melt_non_crystalline_fraction < 0.9 {
        w.push(format!(
            "the melt at {} K is not liquid (non-crystalline fraction {:.2}): raise t_high_k or melt_steps",
            q.melt.temperature_target_k, q.melt_non_crystalline_fraction
        ));
    }
    if d.non_crystalline_fraction_cna < 0.95 {
        w.push(format!(
            "the quenched structure is partly crystalline (non-crystalline fraction {:.3} by CNA): cool faster or choose a better glass former",
            d.non_crystalline_fraction_cna
        ));
    }
    w
}

/// Melt–quench `structure` (any starting structure: a crystal, a random solid solution, a
/// liquid) at `opts.quench.cooling_rate_k_per_ps`, and describe the result.
pub fn melt_quench(
    structure: &Structure,
    potential: Arc<dyn Potential>,
    opts: &MeltQuenchOptions,
    cache: &StageCache,
    progress: &mut dyn Progress,
) -> Result<MeltQuenchResult> {
    let t0 = std::time::Instant::now();
    let opts = &resolved(opts)?;
    let md = opts.md()?;
    let rate = opts.quench.cooling_rate_k_per_ps;
    let ladder = opts.quench.ladder(md.timestep, rate)?;
    structure.validate()?;
    potential.check_species(&structure.species)?;
    let prov = Provenance::new("glass/melt_quench", structure, potential.as_ref(), opts, &[md.seed])?;
    let total = quench_steps(&opts.quench, &ladder);
    let q = run_quench(structure, &potential, &opts.quench, &md, rate, md.seed, cache, "", progress, 0, total)?;
    let d = disorder(&q.end.structure, None, None)?;
    let last = q.relaxed.as_ref().or(q.rungs.last()).map(|r| r.density.clone()).unwrap_or_else(|| q.melt.density.clone());
    let mut prov = prov;
    prov.wall_seconds = t0.elapsed().as_secs_f64();
    Ok(MeltQuenchResult {
        cooling_rate_k_per_ps: q.cooling_rate_k_per_ps,
        cooling_rate_k_per_s: q.cooling_rate_k_per_ps * 1e12,
        n_atoms: structure.len(),
        warnings: quench_warnings(&q, &d),
        series: quench_series(&q.rungs, ""),
        final_density: last,
        disorder: d,
        structure: q.end.structure,
        melt: q.melt,
        rungs: q.rungs,
        relaxed: q.relaxed,
        provenance: prov,
    })
}
