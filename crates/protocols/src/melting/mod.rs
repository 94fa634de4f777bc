//! Melting temperature by solid–liquid coexistence (the interface method), with automatic
//! bracketing and the heating/cooling hysteresis bounds.
//!
//! ## Protocol
//! The input is a solid, orthorhombic supercell elongated along z (aspect ratio ≥ 2 recommended,
//! ≥ ~2,000 atoms for production). Stages (each stored in the [`StageCache`], so an interrupted
//! run resumes at the last finished stage):
//! 1. **solid**: NPT of the crystal at the guess `T₀` and pressure `P` (stochastic velocity
//!    rescaling + Berendsen barostat per axis); the cell is set to the mean box lengths of the
//!    second half of the run.
//! 2. **coexistence**: the lower half (fractional z < ½) is frozen (zero velocities, fixed
//!    positions) while the upper half is melted at `melt_factor·T₀` and cooled back to `T₀`
//!    (NVT); then all atoms move and the liquid relaxes under the barostat at `T₀`. The upper
//!    half must have melted and the solid fraction must remain in (0.2, 0.8).
//! 3. **bracketing**: NPT runs from the coexistence configuration at trial temperatures
//!    `T₀(1 ± bracket)`; the solid fraction `f(t)` (per-atom phase identification,
//!    [`scalebridge_md::computes::phase_id`]) is sampled every `sample_every` steps and fitted by a line. A positive
//!    slope (solid grows) means `T < T_m`, a negative one `T > T_m`; the bracket is moved until it
//!    straddles `T_m` and then bisected `bisections` times. The zero of the linear fit of the
//!    slope against T, `df/dt(T) = a + b T → T_m = −a/b` (interface kinetics are linear near
//!    `T_m`), is reported as `t_m_interpolated`.
//! 4. **nph**: from the coexistence configuration at the bracket's midpoint, a run without a
//!    thermostat (velocity Verlet + Berendsen barostat at `P`): latent heat flows until the
//!    temperature settles at `T_m` with both phases present (Morris et al., Phys. Rev. B 49, 3109
//!    (1994)). `T_m` is the mean kinetic temperature of the second half, its standard error from
//!    block averaging.
//! 5. **hysteresis**: a linear heating ramp of the crystal (superheating limit `T₊`, where the
//!    solid fraction first drops below ½) and a cooling ramp of the melted box (supercooling
//!    limit `T₋`, where it first exceeds ½). `T₋ < T_m < T₊` must hold; otherwise a warning.
//!
//! ## Choice of estimator
//! A two-phase NPH run needs no trial-and-error: every unit of CPU time averages the
//! temperature at coexistence, and its statistical error falls as `1/√t` (≈ 0.1–0.3 % of `T_m`
//! for 20,000 steps of 2,000–4,000 atoms). The NPT bracket needs several runs, each long enough
//! for the interface to move measurably, and only narrows the bracket by halves; it is kept as a
//! robust independent check (and to choose the NPH starting temperature). The headline value is
//! therefore the NPH temperature when its run ended with both phases present; otherwise the
//! interpolated zero of the growth rate; otherwise the bracket's midpoint (uniform error).
//!
//! ## Validation (tests/test_melting.py)
//! - Cu_mishin1.eam.alloy, 2,592 atoms (6×6×18 cells), defaults: `T_m` = 1327.9 ± 4.5 K (NPH)
//!   vs the published 1327 K; NPT bracket [1300, 1352] K; about 2 CPU-minutes.
//! - LJ argon cut at 6σ, P = 0, 2,304 atoms: `T*` = 0.6985 ± 0.0016 vs the full-potential triple
//!   point 0.694 (+0.6 %); about 6 CPU-minutes. With 896 atoms the NPH estimate was 2.4 % high:
//!   keep ≥ 2,000 atoms.
//! - LJ cut at 2.5σ, P* = 2.185, 768 atoms: `T*` ≈ 0.80 vs the published coexistence point 0.800.
//!
//! Units: temperatures K, pressure GPa in the options (eV/Å³ internally), times ps, slopes of the
//! solid fraction 1/ps.

use scalebridge_md::computes::phase_id::{solid_mask, PhaseMethod};
use crate::report::{Progress, Provenance, Quantity, Series, StageCache};
use scalebridge_core::stats::{block_mean_stderr, linear_fit, mean};
use scalebridge_md::cell::Cell;
use scalebridge_md::error::{Error, Result};
use scalebridge_md::evaluator::{Evaluator, DEFAULT_SKIN};
use scalebridge_md::integrators::velocity_verlet::{drift, half_kick};
use scalebridge_md::integrators::MdState;
use scalebridge_md::potentials::{Potential, Request};
use scalebridge_md::structure::Structure;
use scalebridge_md::units::{BOLTZMANN, EV_PER_A3_IN_GPA};
use scalebridge_md::velocities::{kinetic_energy, kinetic_tensor, maxwell_boltzmann};
use rand::SeedableRng;
use rand_chacha::ChaCha12Rng;
use rand_distr::{Distribution, Gamma, StandardNormal};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Protocol name in provenance records and the Python dispatch.
mod bracket;
mod driver;
mod options;
mod results;
mod runs;
mod stages;

pub use bracket::BracketSearch;
use driver::*;
pub use options::{BoxCoupling, MeltingOptions};
use options::validate;
pub use results::{CoexistenceRun, MeltingResult, RampResult};
use runs::*;
use stages::*;

pub const PROTOCOL: &str = "melting/coexistence";

/// How often the coexistence stages may move a guess the protocol found itself.
const MAX_GUESS_CORRECTIONS: usize = 8;

/// Melting temperature of `structure` (a crystal in an orthorhombic box elongated along z) with
/// `potential` by solid–liquid coexistence; see the module documentation for the stages.
pub fn melting_temperature(
    structure: &Structure,
    potential: Arc<dyn Potential>,
    opts: &MeltingOptions,
    cache: &StageCache,
    progress: &mut dyn Progress,
) -> Result<MeltingResult> {
    let wall = std::time::Instant::now();
    structure.validate()?;
    potential.check_species(&structure.species)?;
    // every stage runs in the evaluator's thread pool, so the integrators' parallel loops use it
    let pool = Evaluator::new(potential.clone(), opts.skin, opts.threads)?.pool();
    let mut warnings = validate(structure, potential.as_ref(), opts)?;
    let (t0, search) = match opts.guess_k {
        Some(g) => (g, None),
        None => {
            let s = pool.install(|| bracket::search(structure, &potential, opts, cache, progress))?;
            (s.guess_k, Some(s))
        }
    };
    let provenance = Provenance::new(PROTOCOL, structure, potential.as_ref(), opts, &[opts.seed])?;
    let n = structure.len();

    // static checks: cohesive energy (vaporisation range) and bulk modulus (barostat coupling)
    let (e0, bulk) = static_energy_and_bulk_modulus(structure, &potential, opts)?;
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
    let planned = opts.equilibrate_steps
        + opts.melt_steps * 7 / 4
        + opts.trial_steps * (2 + opts.bisections as u64)
        + opts.nph_steps
        + 2 * opts.ramp_steps;
    let mut prog = Steps { progress, done: 0, total: planned };
    let seed = opts.seed;

    let run = || -> Result<MeltingResult> {
        // 1. equilibrated crystal and 2. two-phase box. With a guess of its own (no user guess)
        // the protocol corrects it here: a crystal that melts at the guess, or a two-phase box
        // that melts or freezes, moves the guess down or up and the two stages run again.
        let auto = search.is_some();
        let mut t0 = t0;
        let mut attempts = 0;
        let (solid, ctx, coexist) = loop {
            let ctx0 = Ctx::new(structure, &potential, opts, t0, bulk);
            let tag = if auto { format!("-{t0:.3}") } else { String::new() };
            let solid: MdState = cache.get_or_run(&format!("solid{tag}"), || equilibrated_solid(&ctx0, structure, t0, seed, &mut prog))?;
            let f_ref = ctx0.solid_fraction_of(&solid.structure)?;
            let ctx = Ctx { v_solid: solid.structure.cell.volume() / n as f64, f_ref: f_ref.max(1e-3), ..ctx0 };
            if f_ref < 0.25 {
                if auto && attempts < MAX_GUESS_CORRECTIONS {
                    attempts += 1;
                    t0 *= 0.85;
                    continue;
                }
                return Err(Error::invalid(
                    "guess_k",
                    t0,
                    "the crystal melted during equilibration at the guess temperature: the guess is far above T_m (or the structure is not a stable crystal of this potential)",
                ));
            }
            let coexist: MdState = cache.get_or_run(&format!("coexistence{tag}"), || two_phase_box(&ctx, &solid, t0, seed, &mut prog))?;
            let f_start = ctx.solid_fraction_of(&coexist.structure)?;
            if !(0.2..=0.8).contains(&f_start) {
                if auto && attempts < MAX_GUESS_CORRECTIONS {
                    attempts += 1;
                    t0 *= if f_start < 0.2 { 0.93 } else { 1.07 };
                    continue;
                }
                return Err(Error::invalid(
                    "guess_k",
                    t0,
                    &format!("the two-phase box did not stay two-phase at the guess (solid fraction {f_start:.2} after relaxation): the guess is too far from T_m"),
                ));
            }
            break (solid, ctx, coexist);
        };
        if attempts > 0 {
            warnings.push(format!("the hysteresis guess was corrected {attempts} time(s) to {t0:.1} K by the coexistence stages"));
        }
        let m = solid.structure.cell.matrix();
        let solid_box = [m[0][0], m[1][1], m[2][2]];
        // 3. bracketing NPT runs
        let Bracket { mut runs, lo, hi, step } = bracket(&ctx, &coexist, t0, cache, &mut prog, &mut warnings)?;
        let near: Vec<&CoexistenceRun> = runs.iter().filter(|r| r.temperature_k >= lo - 1e-9 - step && r.temperature_k <= hi + 1e-9 + step).collect();
        let t_interp = interpolate_zero(&near).filter(|q| q.value > lo - step && q.value < hi + step);

        // 4. NPH coexistence
        let mut t_nph = None;
        if opts.nph_steps > 0 {
            let start_t = t_interp.as_ref().map(|q| q.value).unwrap_or(0.5 * (lo + hi));
            let r = cache.get_or_run("nph", || coexistence_run(&ctx, &coexist, start_t, true, seed ^ 0x9e37, &mut prog))?;
            let last = r.solid_fraction.last().copied().unwrap_or(0.0);
            if (0.1..=0.9).contains(&last) {
                let half = r.temperature.len() / 2;
                let (m, e) = block_mean_stderr(&r.temperature[half..], 5)?;
                t_nph = Some(Quantity::with_err(m, e, "K"));
            } else {
                warnings.push(format!("the NPH run ended with solid fraction {last:.2}: one phase vanished, its temperature is not T_m"));
            }
            runs.push(r);
        }

        let (tm, estimator) = if let Some(q) = &t_nph {
            (q.clone(), "nph")
        } else if let Some(q) = &t_interp {
            (q.clone(), "interpolated")
        } else {
            (Quantity::with_err(0.5 * (lo + hi), (hi - lo) / 12f64.sqrt(), "K"), "bracket")
        };
        let tol = 2.0 * tm.stderr.unwrap_or(0.0);
        if tm.value < lo - tol || tm.value > hi + tol {
            warnings.push(format!(
                "T_m = {:.1} K ({estimator}) lies outside the NPT bracket [{lo:.1}, {hi:.1}] K: longer runs or a larger box are needed",
                tm.value
            ));
        }
        if let (Some(a), Some(b)) = (&t_nph, &t_interp) {
            let comb = (a.stderr.unwrap_or(0.0).powi(2) + b.stderr.unwrap_or(0.0).powi(2)).sqrt();
            if (a.value - b.value).abs() > 3.0 * comb.max(0.005 * a.value) {
                warnings.push(format!(
                    "NPH ({:.1} K) and interpolated NPT ({:.1} K) estimates differ by more than 3 combined errors",
                    a.value, b.value
                ));
            }
        }

        // 5. hysteresis ramps
        let (mut heat, mut cool) = (None, None);
        if opts.ramp_steps > 0 {
            let h = cache.get_or_run("superheating", || {
                ramp(&ctx, &solid, opts.ramp_heat[0] * t0, opts.ramp_heat[1] * t0, true, seed ^ 0x77, &mut prog)
            })?;
            // the liquid: the coexistence box melted at the ramp's start temperature
            let c = cache.get_or_run("supercooling", || {
                let mut d = ctx.driver(coexist.clone(), seed ^ 0x78)?;
                let hot = opts.melt_factor * t0;
                segment(&mut d, opts.melt_steps / 2, |_| Control { temperature: Some(hot), barostat: false }, opts.melt_steps, &mut prog, "melting the box", |_, _| Ok(true))?;
                ramp(&ctx, &d.state, opts.ramp_cool[0] * t0, opts.ramp_cool[1] * t0, false, seed ^ 0x79, &mut prog)
            })?;
            heat = Some(h);
            cool = Some(c);
        }
        let superheating = heat.as_ref().and_then(|r| r.crossing_k).map(|t| Quantity::exact(t, "K"));
        let supercooling = cool.as_ref().and_then(|r| r.crossing_k).map(|t| Quantity::exact(t, "K"));
        if let Some(h) = &heat {
            match h.crossing_k {
                None => warnings.push(format!("the crystal did not melt up to {:.0} K in the heating ramp: T₊ > {:.0} K", h.to_k, h.to_k)),
                Some(tp) if tp <= tm.value => warnings.push(format!("superheating limit T₊ = {tp:.1} K is not above T_m = {:.1} K", tm.value)),
                _ => {}
            }
        }
        if let Some(c) = &cool {
            match c.crossing_k {
                None => warnings.push(format!("the liquid did not crystallise down to {:.0} K in the cooling ramp: T₋ < {:.0} K", c.to_k, c.to_k)),
                Some(tc) if tc >= tm.value => warnings.push(format!("supercooling limit T₋ = {tc:.1} K is not below T_m = {:.1} K", tm.value)),
                _ => {}
            }
        }

        // series for plots
        let mut series = Vec::new();
        for r in &runs {
            series.push(Series {
                name: format!("solid fraction, {} {:.1} K", r.kind, r.temperature_k),
                x_label: "time".into(),
                x_unit: "ps".into(),
                y_label: "solid fraction".into(),
                y_unit: "".into(),
                x: r.time_ps.clone(),
                y: r.solid_fraction.clone(),
                y_err: None,
            });
            series.push(Series {
                name: format!("solid slab thickness, {} {:.1} K", r.kind, r.temperature_k),
                x_label: "time".into(),
                x_unit: "ps".into(),
                y_label: "interface separation f·L_z".into(),
                y_unit: "Å".into(),
                x: r.time_ps.clone(),
                y: r.solid_fraction.iter().zip(&r.lz).map(|(f, l)| f * l).collect(),
                y_err: None,
            });
            if r.kind == "nph" {
                series.push(Series {
                    name: "temperature, nph".into(),
                    x_label: "time".into(),
                    x_unit: "ps".into(),
                    y_label: "kinetic temperature".into(),
                    y_unit: "K".into(),
                    x: r.time_ps.clone(),
                    y: r.temperature.clone(),
                    y_err: None,
                });
            }
        }
        let npt: Vec<&CoexistenceRun> = runs.iter().filter(|r| r.kind == "npt").collect();
        series.push(Series {
            name: "solid-fraction slope vs temperature".into(),
            x_label: "temperature".into(),
            x_unit: "K".into(),
            y_label: "d(solid fraction)/dt".into(),
            y_unit: "1/ps".into(),
            x: npt.iter().map(|r| r.temperature_k).collect(),
            y: npt.iter().map(|r| r.slope_per_ps).collect(),
            y_err: Some(npt.iter().map(|r| if r.slope_stderr.is_finite() { r.slope_stderr } else { 0.0 }).collect()),
        });
        for (name, r) in [("heating ramp", &heat), ("cooling ramp", &cool)] {
            if let Some(r) = r {
                series.push(Series {
                    name: format!("solid fraction, {name}"),
                    x_label: "temperature".into(),
                    x_unit: "K".into(),
                    y_label: "solid fraction".into(),
                    y_unit: "".into(),
                    x: r.temperature.clone(),
                    y: r.solid_fraction.clone(),
                    y_err: None,
                });
            }
        }
        Ok(MeltingResult {
            melting_temperature: tm,
            estimator: estimator.to_string(),
            bracket_k: [lo, hi],
            t_m_nph: t_nph,
            t_m_interpolated: t_interp,
            superheating_k: superheating,
            supercooling_k: supercooling,
            heating_ramp: heat,
            cooling_ramp: cool,
            runs,
            pressure: Quantity::exact(opts.pressure_gpa, "GPa"),
            n_atoms: n,
            timestep_ps: ctx.dt,
            solid_box,
            solid_volume_per_atom: ctx.v_solid,
            series,
            warnings: std::mem::take(&mut warnings),
            provenance: provenance.clone(),
            bracket_search: search.clone(),
        })
    };
    let mut out = pool.install(run)?;
    out.provenance.wall_seconds = wall.elapsed().as_secs_f64();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use scalebridge_md::lattice::{bulk, BulkSpec, Lattice};
    use scalebridge_md::potentials::lj_cut::Mixing;
    use scalebridge_md::potentials::LennardJones;
    use crate::report::Silent;

    fn argon(repeat: [usize; 3]) -> (Structure, Arc<dyn Potential>) {
        let s = bulk(&BulkSpec {
            lattice: Lattice::Fcc,
            species: vec!["Ar".into()],
            a: 5.40,
            c: None,
            orientation: None,
            repeat,
            orthogonal: false,
            masses: None,
        })
        .unwrap();
        let lj = LennardJones::new(vec!["Ar".into()], vec![0.0104], vec![3.405], 2.5 * 3.405, false, Mixing::LorentzBerthelot, vec![]).unwrap();
        (s, Arc::new(lj))
    }

    #[test]
    fn bad_inputs_are_refused() {
        let (s, p) = argon([4, 4, 12]);
        let cache = StageCache::default();
        let run = |o: MeltingOptions, s: &Structure| melting_temperature(s, p.clone(), &o, &cache, &mut Silent);
        for g in [0.0, -10.0, f64::NAN] {
            assert!(matches!(run(MeltingOptions { guess_k: Some(g), ..Default::default() }, &s), Err(Error::InvalidParameter { .. })));
        }
        // far above the vaporisation range (k T ≫ cohesive energy)
        let e = run(MeltingOptions { guess_k: Some(5000.0), ..Default::default() }, &s).unwrap_err();
        assert!(e.to_string().contains("vaporisation"), "{e}");
        // box too small for two phases
        let (small, _) = argon([4, 4, 4]);
        let e = run(MeltingOptions { guess_k: Some(80.0), ..Default::default() }, &small).unwrap_err();
        assert!(e.to_string().contains("too small"), "{e}");
        // too-short runs
        let e = run(MeltingOptions { guess_k: Some(80.0), trial_steps: 300, ..Default::default() }, &s).unwrap_err();
        assert!(e.to_string().contains("short"), "{e}");
    }

    #[test]
    fn hysteresis_search_finds_a_guess_near_the_lj_melting_point() {
        // LJ cut at 2.5σ, P = 0: T_m ≈ 0.62–0.69 ε/k_B (75–83 K for ε/k_B = 120.7 K); the
        // search only has to land inside the reach of the coexistence bracket (± 25 %)
        let (s, p) = argon([4, 4, 8]);
        let o = MeltingOptions { search_steps: 6000, threads: 1, ..Default::default() };
        let r = Evaluator::new(p.clone(), o.skin, 1)
            .unwrap()
            .install(|| bracket::search(&s, &p, &o, &StageCache::default(), &mut Silent))
            .unwrap();
        let tp = r.heating_ramp.crossing_k.unwrap();
        assert!(r.guess_k > 55.0 && r.guess_k < 105.0, "guess {} K ({}, T+ = {tp} K, cooling {:?})", r.guess_k, r.method, r.cooling_ramp.as_ref().map(|c| c.crossing_k));
        assert!(tp > r.guess_k, "{tp} {}", r.guess_k);
        // an unbound crystal has no temperature scale: a clear error asking for a guess
        let loose = s.deformed(&[[3.0, 0.0, 0.0], [0.0, 3.0, 0.0], [0.0, 0.0, 3.0]]).unwrap();
        let e = bracket::search(&loose, &p, &o, &StageCache::default(), &mut Silent).unwrap_err().to_string();
        assert!(e.contains("guess_k"), "{e}");
    }
}
