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
use scalebridge_md::stats::{block_mean_stderr, linear_fit, mean};
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
pub const PROTOCOL: &str = "melting/coexistence";

/// Which box lengths the barostat adjusts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BoxCoupling {
    /// x, y and z independently (the solid's lateral stress relaxes to the target).
    Aniso,
    /// z only (x and y stay at the solid's equilibrium lengths at the guess temperature).
    Z,
}

/// Options of [`melting_temperature`]. Durations are in MD steps (the time step adapts to the
/// system), so the same defaults fit argon and copper.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MeltingOptions {
    /// Guess of the melting temperature `T₀`, K.
    pub guess_k: f64,
    /// Target pressure, GPa (compression positive).
    pub pressure_gpa: f64,
    /// Time step, ps; 0 chooses `Δt = 0.0035 d_nn / √(k T₀/m)` (≈ 2 fs for Cu, 10 fs for Ar).
    pub timestep_ps: f64,
    /// Seed of initial velocities and the thermostat noise.
    pub seed: u64,
    /// Worker threads (0 = all cores).
    pub threads: usize,
    /// Thermostat (stochastic velocity rescaling) time constant in steps.
    pub thermostat_steps: f64,
    /// Berendsen barostat time constant in steps.
    pub barostat_steps: f64,
    /// The barostat rescales the box every this many steps (with an effective time step
    /// `barostat_every·Δt`): every change of the cell rebuilds the neighbour list, so rescaling
    /// every step would cost a rebuild per step.
    pub barostat_every: u64,
    /// Barostat coupling.
    pub coupling: BoxCoupling,
    /// Steps of the NPT equilibration of the crystal.
    pub equilibrate_steps: u64,
    /// Steps of melting the upper half at `melt_factor·T₀` (plus ¼ as many to cool it back and
    /// ½ as many to relax the two-phase box under the barostat).
    pub melt_steps: u64,
    /// Melting temperature of the upper half relative to `T₀`.
    pub melt_factor: f64,
    /// Steps of each NPT bracketing run.
    pub trial_steps: u64,
    /// Relative half-width of the first bracket: trials at `T₀(1 ± bracket)`.
    pub bracket: f64,
    /// Bisection runs after the bracket is found.
    pub bisections: usize,
    /// Times the bracket may be moved before giving up.
    pub max_expansions: usize,
    /// Steps of the NPH coexistence run (0 skips it).
    pub nph_steps: u64,
    /// Steps of each hysteresis ramp (0 skips both).
    pub ramp_steps: u64,
    /// Heating ramp of the crystal: from `T₀·ramp_heat[0]` to `T₀·ramp_heat[1]`.
    pub ramp_heat: [f64; 2],
    /// Cooling ramp of the liquid: from `T₀·ramp_cool[0]` to `T₀·ramp_cool[1]`.
    pub ramp_cool: [f64; 2],
    /// Phase identification of solid atoms.
    pub phase: PhaseMethod,
    /// Phase labels are computed every this many steps.
    pub sample_every: u64,
    /// Verlet skin, Å.
    pub skin: f64,
}

impl Default for MeltingOptions {
    fn default() -> Self {
        MeltingOptions {
            guess_k: 0.0,
            pressure_gpa: 0.0,
            timestep_ps: 0.0,
            seed: 1,
            threads: 0,
            thermostat_steps: 100.0,
            barostat_steps: 500.0,
            barostat_every: 20,
            coupling: BoxCoupling::Aniso,
            equilibrate_steps: 3000,
            melt_steps: 3000,
            melt_factor: 2.5,
            trial_steps: 8000,
            bracket: 0.04,
            bisections: 1,
            max_expansions: 3,
            nph_steps: 16000,
            ramp_steps: 8000,
            ramp_heat: [0.9, 1.6],
            ramp_cool: [1.2, 0.3],
            phase: PhaseMethod::default(),
            sample_every: 200,
            skin: DEFAULT_SKIN,
        }
    }
}

/// One coexistence run (NPT trial or NPH).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CoexistenceRun {
    /// `"npt"` or `"nph"`.
    pub kind: String,
    /// Thermostat temperature (npt) or starting temperature (nph), K.
    pub temperature_k: f64,
    /// Mean kinetic temperature over the run (second half for nph), K.
    pub mean_temperature_k: f64,
    /// Slope of the solid fraction, 1/ps, and its standard error.
    pub slope_per_ps: f64,
    pub slope_stderr: f64,
    /// `"solidifies"` (slope > 2σ, T < T_m), `"melts"` (slope < −2σ, T > T_m) or `"undetermined"`.
    pub outcome: String,
    /// Sample times (ps from the start of the run), solid fraction, kinetic temperature (K) and
    /// box length along z (Å) at each sample.
    pub time_ps: Vec<f64>,
    pub solid_fraction: Vec<f64>,
    pub temperature: Vec<f64>,
    pub lz: Vec<f64>,
}

/// A hysteresis limit from a temperature ramp.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RampResult {
    /// Target temperature when the solid fraction crossed ½, K (`None` if it never did).
    pub crossing_k: Option<f64>,
    /// Ramp start and end, K, and rate, K/ps.
    pub from_k: f64,
    pub to_k: f64,
    pub rate_k_per_ps: f64,
    /// Target temperature and solid fraction at each sample.
    pub temperature: Vec<f64>,
    pub solid_fraction: Vec<f64>,
}

/// Result of [`melting_temperature`].
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MeltingResult {
    /// Melting temperature at the target pressure, K, with its standard error.
    pub melting_temperature: Quantity,
    /// Which estimator gave it: `"nph"`, `"interpolated"` or `"bracket"`.
    pub estimator: String,
    /// Temperatures bracketing `T_m` from the NPT runs, K (solid grows at the lower, melts at
    /// the upper).
    pub bracket_k: [f64; 2],
    /// NPH coexistence temperature, K.
    pub t_m_nph: Option<Quantity>,
    /// Zero of the linear fit of the solid-fraction slope against temperature, K.
    pub t_m_interpolated: Option<Quantity>,
    /// Superheating limit `T₊` and supercooling limit `T₋` (K) from the ramps.
    pub superheating_k: Option<Quantity>,
    pub supercooling_k: Option<Quantity>,
    pub heating_ramp: Option<RampResult>,
    pub cooling_ramp: Option<RampResult>,
    /// Every coexistence run in the order they were made.
    pub runs: Vec<CoexistenceRun>,
    /// Target pressure, GPa.
    pub pressure: Quantity,
    pub n_atoms: usize,
    /// Time step used, ps.
    pub timestep_ps: f64,
    /// Box lengths of the equilibrated crystal at `T₀`, Å.
    pub solid_box: [f64; 3],
    /// Volume per atom of the equilibrated crystal at `T₀`, Å³.
    pub solid_volume_per_atom: f64,
    pub series: Vec<Series>,
    pub warnings: Vec<String>,
    pub provenance: Provenance,
}

/// Thermostat and barostat settings of one MD segment.
#[derive(Clone, Copy, Debug)]
struct Control {
    /// Thermostat target, K (None: no thermostat).
    temperature: Option<f64>,
    /// Barostat on (target pressure eV/Å³, per-axis flags).
    barostat: bool,
}

/// A small MD driver: velocity Verlet, stochastic velocity rescaling (Bussi, Donadio &
/// Parrinello, J. Chem. Phys. 126, 014101 (2007)), a Berendsen barostat per axis
/// (`μ_k = [1 − Δt/τ_P (P₀ − P_k)/B]^{1/3}`) and optionally frozen atoms.
struct Driver {
    state: MdState,
    eval: Evaluator,
    dt: f64,
    rng: ChaCha12Rng,
    tau_t: f64,
    tau_p: f64,
    pressure: f64,
    bulk_modulus: f64,
    axes: [bool; 3],
    baro_every: u64,
    frozen: Vec<bool>,
}

impl Driver {
    fn n_mobile(&self) -> usize {
        self.frozen.iter().filter(|f| !**f).count()
    }
    fn dof(&self) -> f64 {
        let n = self.n_mobile();
        if n == self.frozen.len() {
            (3 * n).saturating_sub(3) as f64
        } else {
            (3 * n) as f64
        }
    }
    fn temperature(&self) -> f64 {
        2.0 * kinetic_energy(&self.state.structure.masses, &self.state.velocities) / (self.dof().max(1.0) * BOLTZMANN)
    }
    fn zero_frozen(&mut self) {
        for (v, f) in self.state.velocities.iter_mut().zip(&self.frozen) {
            if *f {
                *v = [0.0; 3];
            }
        }
    }
    /// Fresh Maxwell–Boltzmann velocities at `t` K (zero momentum, frozen atoms at rest).
    fn thermalise(&mut self, t: f64, seed: u64) -> Result<()> {
        self.state.velocities = maxwell_boltzmann(&self.state.structure.masses, t, seed)?;
        self.zero_frozen();
        Ok(())
    }
    /// Scale velocities to the kinetic temperature `t` K.
    fn rescale_to(&mut self, t: f64) {
        let now = self.temperature();
        if now > 0.0 {
            let f = (t / now).sqrt();
            for v in self.state.velocities.iter_mut() {
                for c in v.iter_mut() {
                    *c *= f;
                }
            }
        }
    }

    fn setup(&mut self) -> Result<()> {
        self.eval.request = Request { virial: true, ..Default::default() };
        self.eval.compute(&self.state.structure)?;
        Ok(())
    }

    fn step(&mut self, c: &Control) -> Result<()> {
        let dt = self.dt;
        let any_frozen = self.n_mobile() < self.frozen.len();
        half_kick(&mut self.state, &self.eval.output.forces, dt);
        if any_frozen {
            self.zero_frozen();
        }
        drift(&mut self.state, dt);
        self.eval.compute(&self.state.structure)?;
        half_kick(&mut self.state, &self.eval.output.forces, dt);
        if any_frozen {
            self.zero_frozen();
        }
        if let Some(t0) = c.temperature {
            self.csvr(t0);
        }
        self.state.step += 1;
        if c.barostat && self.state.step.is_multiple_of(self.baro_every) {
            self.berendsen()?;
        }
        self.state.time += dt;
        Ok(())
    }

    /// Stochastic velocity rescaling: `α² = c + (1−c)(R₁² + S) K₀/(N_f K) + 2R₁√(c(1−c)K₀/(N_f K))`
    /// with `c = e^{−Δt/τ}`, `R₁ ~ N(0,1)`, `S ~ χ²(N_f − 1)`.
    fn csvr(&mut self, t0: f64) {
        let nf = self.dof();
        let k = kinetic_energy(&self.state.structure.masses, &self.state.velocities);
        if nf < 2.0 || k <= 0.0 {
            return;
        }
        let k0 = 0.5 * nf * BOLTZMANN * t0;
        let c = (-self.dt / self.tau_t).exp();
        let r1: f64 = StandardNormal.sample(&mut self.rng);
        let s = match Gamma::new(0.5 * (nf - 1.0), 2.0) {
            Ok(g) => g.sample(&mut self.rng),
            Err(_) => nf - 1.0,
        };
        let q = k0 / (nf * k);
        let a2 = c + (1.0 - c) * (r1 * r1 + s) * q + 2.0 * r1 * (c * (1.0 - c) * q).sqrt();
        let a = a2.max(0.0).sqrt();
        for v in self.state.velocities.iter_mut() {
            for x in v.iter_mut() {
                *x *= a;
            }
        }
    }

    /// Pressure tensor diagonal (kinetic + virial)/V, eV/Å³.
    fn pressure_diag(&self) -> [f64; 3] {
        let v = self.state.structure.cell.volume();
        let kt = kinetic_tensor(&self.state.structure.masses, &self.state.velocities);
        let w = self.eval.output.virial;
        [0, 1, 2].map(|k| (kt[k] + w[k]) / v)
    }

    fn berendsen(&mut self) -> Result<()> {
        let p = self.pressure_diag();
        let mu: [f64; 3] = [0, 1, 2].map(|k| {
            if self.axes[k] {
                let dt = self.dt * self.baro_every as f64;
                (1.0 - dt / self.tau_p * (self.pressure - p[k]) / self.bulk_modulus).clamp(0.9, 1.1).cbrt()
            } else {
                1.0
            }
        });
        let old = self.state.structure.cell.clone();
        let h = *old.matrix();
        let cell = Cell::new([0, 1, 2].map(|r| [h[r][0] * mu[0], h[r][1] * mu[1], h[r][2] * mu[2]]))?;
        for r in self.state.structure.positions.iter_mut() {
            *r = cell.cartesian(&old.fractional(r));
        }
        self.state.structure.cell = cell;
        Ok(())
    }

    fn lengths(&self) -> [f64; 3] {
        let m = self.state.structure.cell.matrix();
        [m[0][0], m[1][1], m[2][2]]
    }
}

/// Counts MD steps for the progress callback and maps interruption to [`Error::Interrupted`].
struct Steps<'a> {
    progress: &'a mut dyn Progress,
    done: u64,
    total: u64,
}

impl Steps<'_> {
    fn tick(&mut self, n: u64, stage: &str) -> Result<()> {
        self.done += n;
        self.total = self.total.max(self.done);
        if !self.progress.update(self.done, self.total, stage) {
            return Err(Error::Interrupted { what: stage.to_string(), done: self.done });
        }
        Ok(())
    }
}

/// Run `steps` steps with `control`, calling `sample(driver, step)` every `every` steps
/// (and after the last one).
fn segment(
    d: &mut Driver,
    steps: u64,
    control: impl Fn(u64) -> Control,
    every: u64,
    prog: &mut Steps<'_>,
    stage: &str,
    mut sample: impl FnMut(&Driver, u64) -> Result<bool>,
) -> Result<()> {
    d.setup()?;
    let every = every.max(1);
    for s in 1..=steps {
        let c = control(s);
        d.step(&c)?;
        if s % 100 == 0 {
            prog.tick(100, stage)?;
        }
        if (s % every == 0 || s == steps) && !sample(d, s)? {
            break;
        }
    }
    Ok(())
}

/// Everything shared by the stages.
struct Ctx<'a> {
    potential: Arc<dyn Potential>,
    opts: &'a MeltingOptions,
    dt: f64,
    pressure: f64,
    bulk_modulus: f64,
    v_solid: f64,
    /// Raw solid fraction of the equilibrated bulk crystal at `T₀`; reported fractions are
    /// relative to it (thermal noise makes a few % of crystal atoms look non-solid with Q6, and
    /// 30–50 % near `T_m` with CNA).
    f_ref: f64,
}

impl Ctx<'_> {
    fn driver(&self, state: MdState, seed: u64) -> Result<Driver> {
        let n = state.structure.len();
        let axes = match self.opts.coupling {
            BoxCoupling::Aniso => [true, true, true],
            BoxCoupling::Z => [false, false, true],
        };
        Ok(Driver {
            state,
            eval: Evaluator::new(self.potential.clone(), self.opts.skin, self.opts.threads)?,
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

    fn solid_fraction(&self, d: &Driver) -> Result<f64> {
        self.solid_fraction_of(&d.state.structure)
    }

    /// Refuse a state whose density collapsed (boiling / vaporisation).
    fn check_density(&self, d: &Driver, t: f64) -> Result<()> {
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
fn slope(time: &[f64], f: &[f64]) -> (f64, f64) {
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

fn outcome(s: f64, se: f64) -> &'static str {
    if s > 2.0 * se {
        "solidifies"
    } else if s < -2.0 * se {
        "melts"
    } else {
        "undetermined"
    }
}

/// One NPT trial (`thermostat = true`) or NPH run from the coexistence state.
fn coexistence_run(ctx: &Ctx<'_>, start: &MdState, t: f64, nph: bool, seed: u64, prog: &mut Steps<'_>) -> Result<CoexistenceRun> {
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
fn ramp(ctx: &Ctx<'_>, start: &MdState, t0: f64, t1: f64, melting: bool, seed: u64, prog: &mut Steps<'_>) -> Result<RampResult> {
    let o = ctx.opts;
    let mut d = ctx.driver(start.clone(), seed)?;
    d.rescale_to(t0);
    let n = o.ramp_steps;
    let target = move |s: u64| t0 + (t1 - t0) * s as f64 / n as f64;
    let (mut temps, mut fracs) = (Vec::new(), Vec::new());
    let mut crossing = None;
    let stage = if melting { "superheating ramp" } else { "supercooling ramp" };
    segment(&mut d, n, |s| Control { temperature: Some(target(s)), barostat: true }, o.sample_every, prog, stage, |d, s| {
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
fn interpolate_zero(runs: &[&CoexistenceRun]) -> Option<Quantity> {
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

/// Checks of the input that need no MD. Returns warnings.
fn validate(s: &Structure, pot: &dyn Potential, o: &MeltingOptions) -> Result<Vec<String>> {
    let mut warn = Vec::new();
    if !(o.guess_k.is_finite() && o.guess_k > 0.0) {
        return Err(Error::invalid("guess_k", o.guess_k, "the melting-temperature guess must be positive (K)"));
    }
    if !o.pressure_gpa.is_finite() {
        return Err(Error::invalid("pressure_gpa", o.pressure_gpa, "must be finite (GPa)"));
    }
    if !(o.timestep_ps.is_finite() && o.timestep_ps >= 0.0) {
        return Err(Error::invalid("timestep_ps", o.timestep_ps, "must be positive (ps), or 0 for automatic"));
    }
    for (name, v, lo) in [("melt_factor", o.melt_factor, 1.05), ("thermostat_steps", o.thermostat_steps, 1.0), ("barostat_steps", o.barostat_steps, 10.0)] {
        if !(v.is_finite() && v >= lo) {
            return Err(Error::invalid(name, v, &format!("must be at least {lo}")));
        }
    }
    if !(o.bracket.is_finite() && o.bracket > 0.0 && o.bracket < 0.5) {
        return Err(Error::invalid("bracket", o.bracket, "relative bracket half-width must lie in (0, 0.5)"));
    }
    if o.barostat_every == 0 || o.barostat_every as f64 > 0.1 * o.barostat_steps {
        return Err(Error::invalid("barostat_every", o.barostat_every, "must be at least 1 and at most a tenth of barostat_steps"));
    }
    if o.sample_every == 0 {
        return Err(Error::invalid("sample_every", 0, "must be at least 1 step"));
    }
    for (name, v) in [("trial_steps", o.trial_steps), ("equilibrate_steps", o.equilibrate_steps), ("melt_steps", o.melt_steps)] {
        if v < 500 {
            return Err(Error::invalid(name, v, "run too short: at least 500 steps are needed"));
        }
    }
    if o.trial_steps / o.sample_every < 10 {
        return Err(Error::invalid("trial_steps", o.trial_steps, &format!("too short for a solid-fraction slope: fewer than 10 samples at sample_every = {}", o.sample_every)));
    }
    if o.nph_steps > 0 && o.nph_steps < 2000 {
        return Err(Error::invalid("nph_steps", o.nph_steps, "an NPH coexistence run needs at least 2000 steps (or 0 to skip it)"));
    }
    if o.ramp_steps > 0 && o.ramp_steps / o.sample_every < 10 {
        return Err(Error::invalid("ramp_steps", o.ramp_steps, "too short: fewer than 10 samples along the ramp (or 0 to skip)"));
    }
    if o.trial_steps < 4000 {
        warn.push(format!("trial runs of {} steps are short: the interface may not move measurably near T_m", o.trial_steps));
    }
    // geometry: orthorhombic, elongated along z, two phases fit
    let h = s.cell.matrix();
    let off = h[0][1].abs() + h[0][2].abs() + h[1][0].abs() + h[1][2].abs() + h[2][0].abs() + h[2][1].abs();
    if off > 1e-9 * (h[0][0] + h[1][1] + h[2][2]) {
        return Err(Error::invalid("cell", "triclinic", "the coexistence box must be orthorhombic (interfaces normal to z)"));
    }
    let n = s.len();
    if n < 200 {
        return Err(Error::invalid("structure", format!("{n} atoms"), "box too small for two phases (need ≥ 200 atoms, ≥ 2000 recommended)"));
    }
    if n < 2000 {
        warn.push(format!("{n} atoms is small for a coexistence run: finite-size errors of a few % are possible (≥ 2000 recommended)"));
    }
    let (lx, ly, lz) = (h[0][0], h[1][1], h[2][2]);
    let dnn = 1.12 * (s.cell.volume() / n as f64).cbrt();
    if lz < 12.0 * dnn || lx.min(ly) < 3.0 * dnn {
        return Err(Error::invalid(
            "structure",
            format!("box {lx:.1} × {ly:.1} × {lz:.1} Å"),
            &format!("box too small for two phases: need L_z ≥ 12 d_nn = {:.1} Å and L_x, L_y ≥ 3 d_nn = {:.1} Å", 12.0 * dnn, 3.0 * dnn),
        ));
    }
    if lz < 1.8 * lx.max(ly) {
        warn.push(format!("aspect ratio L_z/L_x = {:.2} < 2: the interfaces are close; elongate the box along z", lz / lx.max(ly)));
    }
    let _ = pot;
    Ok(warn)
}

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
    let mut warnings = validate(structure, potential.as_ref(), opts)?;
    let provenance = Provenance::new(PROTOCOL, structure, potential.as_ref(), opts, &[opts.seed])?;
    let n = structure.len();
    let t0 = opts.guess_k;

    // static checks: cohesive energy (vaporisation range) and bulk modulus (barostat coupling)
    let mut ev = Evaluator::new(potential.clone(), opts.skin, opts.threads)?;
    ev.request = Request::global();
    let e0 = ev.compute_all(structure)?.energy / n as f64;
    let p_of = |ev: &mut Evaluator, f: f64| -> Result<f64> {
        let s = structure.deformed(&[[f, 0.0, 0.0], [0.0, f, 0.0], [0.0, 0.0, f]])?;
        let o = ev.compute_all(&s)?;
        Ok((o.virial[0] + o.virial[1] + o.virial[2]) / (3.0 * s.cell.volume()))
    };
    let (pm, pp) = (p_of(&mut ev, 0.995)?, p_of(&mut ev, 1.005)?);
    // B = −V dP/dV with V ∝ f³: dV/V = 3 df
    let mut bulk = -(pp - pm) / (3.0 * 0.01);
    if !(bulk.is_finite() && bulk > 0.0) {
        bulk = 0.5; // eV/Å³ (80 GPa); only sets the barostat's coupling speed
        warnings.push("could not estimate the bulk modulus of the input crystal; the barostat uses 80 GPa".into());
    }
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
    let mass = mean(&structure.masses);
    let dnn = 1.12 * (structure.cell.volume() / n as f64).cbrt();
    let dt = if opts.timestep_ps > 0.0 {
        opts.timestep_ps
    } else {
        let vth = (BOLTZMANN * t0 / (mass * scalebridge_md::units::MVV2E)).sqrt();
        0.0035 * dnn / vth
    };
    let ctx0 = Ctx {
        potential: potential.clone(),
        opts,
        dt,
        pressure: opts.pressure_gpa / EV_PER_A3_IN_GPA,
        bulk_modulus: bulk,
        v_solid: structure.cell.volume() / n as f64,
        f_ref: 1.0,
    };
    let planned = opts.equilibrate_steps
        + opts.melt_steps * 7 / 4
        + opts.trial_steps * (2 + opts.bisections as u64)
        + opts.nph_steps
        + 2 * opts.ramp_steps;
    let mut prog = Steps { progress, done: 0, total: planned };
    let seed = opts.seed;

    let run = || -> Result<MeltingResult> {
        // 1. equilibrated crystal
        let solid: MdState = cache.get_or_run("solid", || {
            let mut d = ctx0.driver(MdState { structure: structure.clone(), velocities: vec![[0.0; 3]; n], step: 0, time: 0.0 }, seed)?;
            d.thermalise(t0, seed)?;
            let mut sums = ([0.0; 3], 0usize);
            let half = opts.equilibrate_steps / 2;
            segment(&mut d, opts.equilibrate_steps, |_| Control { temperature: Some(t0), barostat: true }, 10, &mut prog, "solid npt", |d, s| {
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
        })?;
        let m = solid.structure.cell.matrix();
        let solid_box = [m[0][0], m[1][1], m[2][2]];
        let f_ref = ctx0.solid_fraction_of(&solid.structure)?;
        let ctx = Ctx { v_solid: solid.structure.cell.volume() / n as f64, f_ref: f_ref.max(1e-3), ..ctx0 };
        if f_ref < 0.25 {
            return Err(Error::invalid(
                "guess_k",
                t0,
                "the crystal melted during equilibration at the guess temperature: the guess is far above T_m (or the structure is not a stable crystal of this potential)",
            ));
        }

        // 2. two-phase box
        let coexist: MdState = cache.get_or_run("coexistence", || {
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
            let hot = opts.melt_factor * t0;
            d.thermalise(hot, seed ^ 0x40)?;
            segment(&mut d, opts.melt_steps, |_| Control { temperature: Some(hot), barostat: false }, opts.melt_steps, &mut prog, "melting half", |_, _| Ok(true))?;
            let mask = solid_mask(&d.state.structure, &opts.phase)?;
            let upper_solid = mask.iter().zip(&lower).filter(|(s, l)| **s && !**l).count() as f64
                / lower.iter().filter(|l| !**l).count().max(1) as f64
                / ctx.f_ref;
            if upper_solid > 0.2 {
                return Err(Error::invalid(
                    "melt_factor",
                    opts.melt_factor,
                    &format!("the upper half did not melt at {hot:.0} K ({:.0} % still solid): raise melt_factor or melt_steps, or check guess_k", 100.0 * upper_solid),
                ));
            }
            segment(&mut d, opts.melt_steps / 4, |_| Control { temperature: Some(t0), barostat: false }, opts.melt_steps, &mut prog, "cooling liquid half", |_, _| Ok(true))?;
            d.frozen = vec![false; n];
            let v_frozen = maxwell_boltzmann(&d.state.structure.masses, t0, seed ^ 0x41)?;
            for (i, l) in lower.iter().enumerate() {
                if *l {
                    d.state.velocities[i] = v_frozen[i];
                }
            }
            segment(&mut d, opts.melt_steps / 2, |_| Control { temperature: Some(t0), barostat: true }, opts.sample_every, &mut prog, "relaxing two-phase box", |d, _| {
                ctx.check_density(d, t0)?;
                Ok(true)
            })?;
            Ok(d.state)
        })?;
        let f_start = ctx.solid_fraction_of(&coexist.structure)?;
        if !(0.2..=0.8).contains(&f_start) {
            return Err(Error::invalid(
                "guess_k",
                t0,
                &format!("the two-phase box did not stay two-phase at the guess (solid fraction {f_start:.2} after relaxation): the guess is too far from T_m"),
            ));
        }
        // 3. bracketing NPT runs
        let mut runs: Vec<CoexistenceRun> = Vec::new();
        let trial = |t: f64, runs: &mut Vec<CoexistenceRun>, prog: &mut Steps<'_>| -> Result<usize> {
            let key = format!("npt-{t:.4}");
            let r = cache.get_or_run(&key, || coexistence_run(&ctx, &coexist, t, false, seed.wrapping_add((t * 1000.0) as u64), prog))?;
            runs.push(r);
            Ok(runs.len() - 1)
        };
        let step = opts.bracket * t0;
        let (mut lo, mut hi) = (t0 - step, t0 + step);
        let mut ilo = trial(lo, &mut runs, &mut prog)?;
        let mut ihi = trial(hi, &mut runs, &mut prog)?;
        let mut expansions = 0;
        loop {
            let (olo, ohi) = (runs[ilo].outcome.clone(), runs[ihi].outcome.clone());
            if olo != "melts" && ohi != "solidifies" {
                break;
            }
            expansions += 1;
            if expansions > opts.max_expansions {
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
                ilo = trial(lo, &mut runs, &mut prog)?;
            } else {
                lo = hi;
                ilo = ihi;
                hi += 2.0 * step;
                ihi = trial(hi, &mut runs, &mut prog)?;
            }
        }
        if runs[ilo].outcome == "undetermined" && runs[ihi].outcome == "undetermined" {
            warnings.push(format!(
                "neither bracketing run ({lo:.1} K, {hi:.1} K) moved the interface measurably: runs too short or bracket too narrow"
            ));
        }
        for _ in 0..opts.bisections {
            let mid = 0.5 * (lo + hi);
            let i = trial(mid, &mut runs, &mut prog)?;
            match runs[i].outcome.as_str() {
                "solidifies" => lo = mid,
                "melts" => hi = mid,
                _ => break,
            }
        }
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
            timestep_ps: dt,
            solid_box,
            solid_volume_per_atom: ctx.v_solid,
            series,
            warnings: std::mem::take(&mut warnings),
            provenance: provenance.clone(),
        })
    };
    let pool = ev.pool();
    let mut out = pool.install(run)?;
    out.provenance.wall_seconds = wall.elapsed().as_secs_f64();
    Ok(out)
}

impl Ctx<'_> {
    /// Solid fraction of `s` relative to the bulk crystal's (at most 1).
    fn solid_fraction_of(&self, s: &Structure) -> Result<f64> {
        let m = solid_mask(s, &self.opts.phase)?;
        let raw = m.iter().filter(|&&b| b).count() as f64 / m.len().max(1) as f64;
        Ok((raw / self.f_ref).min(1.0))
    }
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
            assert!(matches!(run(MeltingOptions { guess_k: g, ..Default::default() }, &s), Err(Error::InvalidParameter { .. })));
        }
        // far above the vaporisation range (k T ≫ cohesive energy)
        let e = run(MeltingOptions { guess_k: 5000.0, ..Default::default() }, &s).unwrap_err();
        assert!(e.to_string().contains("vaporisation"), "{e}");
        // box too small for two phases
        let (small, _) = argon([4, 4, 4]);
        let e = run(MeltingOptions { guess_k: 80.0, ..Default::default() }, &small).unwrap_err();
        assert!(e.to_string().contains("too small"), "{e}");
        // too-short runs
        let e = run(MeltingOptions { guess_k: 80.0, trial_steps: 300, ..Default::default() }, &s).unwrap_err();
        assert!(e.to_string().contains("short"), "{e}");
    }
}
