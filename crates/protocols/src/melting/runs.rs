//! The runs of the melting protocol: shared context, NPT/NPH coexistence runs, heating and
//! cooling ramps, the growth-rate fit and its zero.

use super::*;
use crate::md_run::{MdRun, WithMdRun};

/// Everything shared by the stages.
pub(super) struct Ctx<'a> {
    pub(super) potential: Arc<dyn Potential>,
    pub(super) opts: &'a MeltingOptions,
    /// The shared MD block, resolved.
    pub(super) md: MdRun,
    pub(super) dt: f64,
    pub(super) pressure: f64,
    pub(super) bulk_modulus: f64,
    pub(super) v_solid: f64,
    /// Raw solid fraction of the equilibrated bulk crystal at `T₀`; reported fractions are
    /// relative to it (thermal noise makes a few % of crystal atoms look non-solid with Q6, and
    /// 30–50 % near `T_m` with CNA).
    pub(super) f_ref: f64,
}

impl<'a> Ctx<'a> {
    /// The context of runs of `structure` at temperatures around `t` K (which sets the automatic
    /// time step), with the crystal's bulk modulus `bulk_modulus` (eV/Å³) for the barostat and
    /// the raw solid fraction as reference (`f_ref` 1 until the crystal is equilibrated).
    pub(super) fn new(structure: &Structure, potential: &Arc<dyn Potential>, opts: &'a MeltingOptions, t: f64, bulk_modulus: f64) -> Result<Self> {
        let md = opts.md()?;
        Ok(Ctx {
            potential: potential.clone(),
            opts,
            dt: timestep(structure, md.timestep, t),
            md,
            pressure: opts.pressure_gpa / EV_PER_A3_IN_GPA,
            bulk_modulus,
            v_solid: structure.cell.volume() / structure.len() as f64,
            f_ref: 1.0,
        })
    }

    pub(super) fn driver(&self, state: MdState, seed: u64) -> Result<Driver> {
        let n = state.structure.len();
        let axes = match self.opts.coupling {
            BoxCoupling::Aniso => [true, true, true],
            BoxCoupling::Z => [false, false, true],
        };
        Ok(Driver {
            state,
            eval: Evaluator::new(self.potential.clone(), self.md.skin, self.md.threads)?,
            dt: self.dt,
            rng: ChaCha12Rng::seed_from_u64(seed),
            tau_t: self.opts.thermostat_steps * self.dt,
            tau_p: self.opts.barostat_steps * self.dt,
            pressure: self.pressure,
            bulk_modulus: self.bulk_modulus,
            axes,
            baro_every: self.opts.barostat_every,
            frozen: vec![false; n],
        })
    }

    pub(super) fn solid_fraction(&self, d: &Driver) -> Result<f64> {
        self.solid_fraction_of(&d.state.structure)
    }

    /// Refuse a state whose density collapsed (boiling / vaporisation).
    pub(super) fn check_density(&self, d: &Driver, t: f64) -> Result<()> {
        let v = d.state.structure.cell.volume() / d.state.structure.len() as f64;
        if !(v.is_finite() && v < 1.6 * self.v_solid) {
            return Err(Error::invalid(
                "temperature",
                format!("{t:.1} K"),
                &format!(
                    "the liquid's density collapsed (volume per atom {v:.2} Å³ vs {:.2} Å³ in the crystal): \
                     the temperature is above the vaporisation range of this potential",
                    self.v_solid
                ),
            ));
        }
        Ok(())
    }
}

/// Fit of the solid fraction against time, skipping the first 10 % (interface set-up).
pub(super) fn slope(time: &[f64], f: &[f64]) -> (f64, f64) {
    let skip = time.len() / 10;
    match linear_fit(&time[skip..], &f[skip..]) {
        Ok((_, b, _, sb)) => (b, sb),
        Err(_) => {
            // too few samples (run stopped early): end-point slope, no error
            let n = time.len();
            if n >= 2 && time[n - 1] > time[0] {
                ((f[n - 1] - f[0]) / (time[n - 1] - time[0]), 0.0)
            } else {
                (0.0, f64::INFINITY)
            }
        }
    }
}

pub(super) fn outcome(s: f64, se: f64) -> &'static str {
    if s > 2.0 * se {
        "solidifies"
    } else if s < -2.0 * se {
        "melts"
    } else {
        "undetermined"
    }
}

/// One NPT trial (`thermostat = true`) or NPH run from the coexistence state.
pub(super) fn coexistence_run(ctx: &Ctx<'_>, start: &MdState, t: f64, nph: bool, seed: u64, prog: &mut Steps<'_>) -> Result<CoexistenceRun> {
    let o = ctx.opts;
    let mut d = ctx.driver(start.clone(), seed)?;
    d.rescale_to(t);
    let steps = if nph { o.nph_steps } else { o.trial_steps };
    let every = if nph { (o.sample_every / 4).max(1) } else { o.sample_every };
    let (mut time, mut frac, mut temp, mut lz) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let control = Control { temperature: if nph { None } else { Some(t) }, barostat: true };
    let stage = if nph { "nph coexistence".to_string() } else { format!("npt coexistence {t:.1} K") };
    let f0 = ctx.solid_fraction(&d)?;
    time.push(0.0);
    frac.push(f0);
    temp.push(d.temperature());
    lz.push(d.lengths()[2]);
    segment(&mut d, steps, |_| control, every, prog, &stage, |d, s| {
        ctx.check_density(d, t)?;
        let f = ctx.solid_fraction(d)?;
        time.push(s as f64 * ctx.dt);
        frac.push(f);
        temp.push(d.temperature());
        lz.push(d.lengths()[2]);
        // a trial stops once one phase has (almost) vanished: its sign is settled
        Ok(nph || (0.03..=0.97).contains(&f))
    })?;
    let (s, se) = slope(&time, &frac);
    let half = temp.len() / 2;
    let mean_t = if nph { mean(&temp[half..]) } else { mean(&temp[1..]) };
    Ok(CoexistenceRun {
        kind: if nph { "nph" } else { "npt" }.to_string(),
        temperature_k: t,
        mean_temperature_k: mean_t,
        slope_per_ps: s,
        slope_stderr: se,
        outcome: outcome(s, se).to_string(),
        time_ps: time,
        solid_fraction: frac,
        temperature: temp,
        lz,
    })
}

/// Linear temperature ramp of `start` from `t0` to `t1`; `melting` looks for the solid fraction
/// dropping below ½, otherwise rising above ½.
pub(super) fn ramp(ctx: &Ctx<'_>, start: &MdState, t0: f64, t1: f64, melting: bool, seed: u64, prog: &mut Steps<'_>) -> Result<RampResult> {
    let mut d = ctx.driver(start.clone(), seed)?;
    d.rescale_to(t0);
    ramp_driver(ctx, &mut d, t0, t1, ctx.opts.ramp_steps, melting, prog)
}

/// A linear ramp of the thermostat target from `t0` to `t1` K over `n` steps of `d` (NPT),
/// stopped when the solid fraction crosses ½ (downwards when `melting`, upwards otherwise);
/// `d` is left in the final state.
pub(super) fn ramp_driver(ctx: &Ctx<'_>, d: &mut Driver, t0: f64, t1: f64, n: u64, melting: bool, prog: &mut Steps<'_>) -> Result<RampResult> {
    let o = ctx.opts;
    let target = move |s: u64| t0 + (t1 - t0) * s as f64 / n as f64;
    let (mut temps, mut fracs) = (Vec::new(), Vec::new());
    let mut crossing = None;
    let stage = if melting { "superheating ramp" } else { "supercooling ramp" };
    segment(d, n, |s| Control { temperature: Some(target(s)), barostat: true }, o.sample_every, prog, stage, |d, s| {
        let t = target(s);
        // past the vaporisation range the heating ramp has nothing more to show
        if melting && d.state.structure.cell.volume() / d.state.structure.len() as f64 > 1.6 * ctx.v_solid {
            return Ok(false);
        }
        let f = ctx.solid_fraction(d)?;
        temps.push(t);
        fracs.push(f);
        if crossing.is_none() && ((melting && f < 0.5) || (!melting && f > 0.5)) {
            crossing = Some(t);
            return Ok(false);
        }
        Ok(true)
    })?;
    Ok(RampResult {
        crossing_k: crossing,
        from_k: t0,
        to_k: t1,
        rate_k_per_ps: (t1 - t0) / (n as f64 * ctx.dt),
        temperature: temps,
        solid_fraction: fracs,
    })
}

/// Zero of the line through (T, slope) points with its standard error (inverse prediction).
pub(super) fn interpolate_zero(runs: &[&CoexistenceRun]) -> Option<Quantity> {
    let t: Vec<f64> = runs.iter().map(|r| r.temperature_k).collect();
    let s: Vec<f64> = runs.iter().map(|r| r.slope_per_ps).collect();
    if t.len() == 2 {
        let b = (s[1] - s[0]) / (t[1] - t[0]);
        if b.is_nan() || b >= 0.0 {
            return None;
        }
        let x0 = t[0] - s[0] / b;
        // propagate the two slopes' errors
        let (e0, e1) = (runs[0].slope_stderr, runs[1].slope_stderr);
        let w = (x0 - t[0]) / (t[1] - t[0]);
        let err = (((1.0 - w) * e0).powi(2) + (w * e1).powi(2)).sqrt() / b.abs();
        return Some(Quantity::with_err(x0, err, "K"));
    }
    let (a, b, _, _) = linear_fit(&t, &s).ok()?;
    if b.is_nan() || b >= 0.0 {
        return None;
    }
    let x0 = -a / b;
    let n = t.len() as f64;
    let mt = mean(&t);
    let sxx: f64 = t.iter().map(|x| (x - mt).powi(2)).sum();
    let s2: f64 = t.iter().zip(&s).map(|(x, y)| (y - a - b * x).powi(2)).sum::<f64>() / (n - 2.0);
    let err = (s2 * (1.0 / n + (x0 - mt).powi(2) / sxx)).sqrt() / b.abs();
    Some(Quantity::with_err(x0, err, "K"))
}

impl Ctx<'_> {
    /// Solid fraction of `s` relative to the bulk crystal's (at most 1).
    pub(super) fn solid_fraction_of(&self, s: &Structure) -> Result<f64> {
        let m = solid_mask(s, &self.opts.phase)?;
        let raw = m.iter().filter(|&&b| b).count() as f64 / m.len().max(1) as f64;
        Ok((raw / self.f_ref).min(1.0))
    }
}

/// Energy per atom of `structure` (eV) and its bulk modulus from ±0.5 % isotropic strains
/// (eV/Å³; `None` when not positive and finite).
pub(super) fn static_energy_and_bulk_modulus(structure: &Structure, potential: &Arc<dyn Potential>, opts: &MeltingOptions) -> Result<(f64, Option<f64>)> {
    let n = structure.len();
    let md = opts.md()?;
    let mut ev = Evaluator::new(potential.clone(), md.skin, md.threads)?;
    ev.request = Request::global();
    let e0 = ev.compute_all(structure)?.energy / n as f64;
    let p_of = |ev: &mut Evaluator, f: f64| -> Result<f64> {
        let s = structure.deformed(&[[f, 0.0, 0.0], [0.0, f, 0.0], [0.0, 0.0, f]])?;
        let o = ev.compute_all(&s)?;
        Ok((o.virial[0] + o.virial[1] + o.virial[2]) / (3.0 * s.cell.volume()))
    };
    let (pm, pp) = (p_of(&mut ev, 0.995)?, p_of(&mut ev, 1.005)?);
    // B = −V dP/dV with V ∝ f³: dV/V = 3 df
    let bulk = -(pp - pm) / (3.0 * 0.01);
    Ok((e0, (bulk.is_finite() && bulk > 0.0).then_some(bulk)))
}

/// Time step, ps: `timestep`, or with 0 `Δt = 0.0035 d_nn / √(k T/m)`.
pub(super) fn timestep(structure: &Structure, timestep: f64, t: f64) -> f64 {
    if timestep > 0.0 {
        return timestep;
    }
    let n = structure.len();
    let mass = mean(&structure.masses);
    let dnn = 1.12 * (structure.cell.volume() / n as f64).cbrt();
    let vth = (BOLTZMANN * t / (mass * scalebridge_md::units::MVV2E)).sqrt();
    0.0035 * dnn / vth
}
