//! The small MD driver of the melting protocol: velocity Verlet, stochastic velocity rescaling,
//! a per-axis Berendsen barostat and frozen atoms; progress counting and MD segments.

use super::*;

/// Thermostat and barostat settings of one MD segment.
#[derive(Clone, Copy, Debug)]
pub(super) struct Control {
    /// Thermostat target, K (None: no thermostat).
    pub(super) temperature: Option<f64>,
    /// Barostat on (target pressure eV/Å³, per-axis flags).
    pub(super) barostat: bool,
}

/// A small MD driver: velocity Verlet, stochastic velocity rescaling (Bussi, Donadio &
/// Parrinello, J. Chem. Phys. 126, 014101 (2007)), a Berendsen barostat per axis
/// (`μ_k = [1 − Δt/τ_P (P₀ − P_k)/B]^{1/3}`) and optionally frozen atoms.
pub(super) struct Driver {
    pub(super) state: MdState,
    pub(super) eval: Evaluator,
    pub(super) dt: f64,
    pub(super) rng: ChaCha12Rng,
    pub(super) tau_t: f64,
    pub(super) tau_p: f64,
    pub(super) pressure: f64,
    pub(super) bulk_modulus: f64,
    pub(super) axes: [bool; 3],
    pub(super) baro_every: u64,
    pub(super) frozen: Vec<bool>,
}

impl Driver {
    pub(super) fn n_mobile(&self) -> usize {
        self.frozen.iter().filter(|f| !**f).count()
    }
    pub(super) fn dof(&self) -> f64 {
        let n = self.n_mobile();
        if n == self.frozen.len() {
            (3 * n).saturating_sub(3) as f64
        } else {
            (3 * n) as f64
        }
    }
    pub(super) fn temperature(&self) -> f64 {
        2.0 * kinetic_energy(&self.state.structure.masses, &self.state.velocities) / (self.dof().max(1.0) * BOLTZMANN)
    }
    pub(super) fn zero_frozen(&mut self) {
        for (v, f) in self.state.velocities.iter_mut().zip(&self.frozen) {
            if *f {
                *v = [0.0; 3];
            }
        }
    }
    /// Fresh Maxwell–Boltzmann velocities at `t` K (zero momentum, frozen atoms at rest).
    pub(super) fn thermalise(&mut self, t: f64, seed: u64) -> Result<()> {
        self.state.velocities = maxwell_boltzmann(&self.state.structure.masses, t, seed)?;
        self.zero_frozen();
        Ok(())
    }
    /// Scale velocities to the kinetic temperature `t` K.
    pub(super) fn rescale_to(&mut self, t: f64) {
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

    pub(super) fn setup(&mut self) -> Result<()> {
        self.eval.request = Request { virial: true, ..Default::default() };
        self.eval.compute(&self.state.structure)?;
        Ok(())
    }

    pub(super) fn step(&mut self, c: &Control) -> Result<()> {
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
    pub(super) fn csvr(&mut self, t0: f64) {
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
    pub(super) fn pressure_diag(&self) -> [f64; 3] {
        let v = self.state.structure.cell.volume();
        let kt = kinetic_tensor(&self.state.structure.masses, &self.state.velocities);
        let w = self.eval.output.virial;
        [0, 1, 2].map(|k| (kt[k] + w[k]) / v)
    }

    pub(super) fn berendsen(&mut self) -> Result<()> {
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

    pub(super) fn lengths(&self) -> [f64; 3] {
        let m = self.state.structure.cell.matrix();
        [m[0][0], m[1][1], m[2][2]]
    }
}

/// Counts MD steps for the progress callback and maps interruption to [`Error::Interrupted`].
pub(super) struct Steps<'a> {
    pub(super) progress: &'a mut dyn Progress,
    pub(super) done: u64,
    pub(super) total: u64,
}

impl Steps<'_> {
    pub(super) fn tick(&mut self, n: u64, stage: &str) -> Result<()> {
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
pub(super) fn segment(
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
