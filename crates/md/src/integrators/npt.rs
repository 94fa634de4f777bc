//! Isothermal–isobaric dynamics with the Martyna–Tobias–Klein barostat (J. Chem. Phys. 101, 4177
//! (1994)) and Nosé–Hoover chains on the particles and on the barostat, integrated with the
//! time-reversible splitting of Tuckerman et al. (J. Phys. A 39, 5629 (2006)) in the order of
//! LAMMPS `fix npt` (`FixNH::initial_integrate` / `final_integrate`, `nh_omega_dot`,
//! `nh_v_press`, `remap`, `nhc_press_integrate`): barostat masses `W = (N+1) k T τ_P²`,
//! chain masses as in [`super::nose_hoover`]. Couplings:
//! - `iso`: one strain rate for the three axes, driven by the mean pressure;
//! - `aniso`: three independent axial strain rates;
//! - `tri`: the three axial rates and the three tilt rates (yz, xz, xy) of a lower-triangular
//!   (LAMMPS) cell.
//!
//! Pressures in eV/Å³ (compression positive), Voigt order xx yy zz yz xz xy. The diagonal of
//! the target is used per axis (LAMMPS uses the mean plus a deviatoric term; both agree for
//! hydrostatic targets); off-diagonal targets drive the tilt rates in `tri` mode.

use super::nose_hoover::{scale_velocities, NoseHooverChain};
use super::velocity_verlet::{drift, half_kick};
use super::{Integrator, MdState};
use crate::cell::Cell;
use crate::error::{Error, Result};
use crate::evaluator::Evaluator;
use crate::units::BOLTZMANN;
use crate::velocities::{degrees_of_freedom, kinetic_energy, kinetic_tensor};

/// Barostat coupling.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Coupling {
    Iso,
    Aniso,
    Tri,
}

impl std::str::FromStr for Coupling {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "iso" => Ok(Coupling::Iso),
            "aniso" => Ok(Coupling::Aniso),
            "tri" => Ok(Coupling::Tri),
            other => Err(Error::invalid("coupling", other, "expected iso, aniso or tri")),
        }
    }
}

/// NPT with the MTK barostat.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Npt {
    pub coupling: Coupling,
    /// Target pressure tensor, eV/Å³ (Voigt).
    pub pressure: [f64; 6],
    /// Barostat damping τ_P, ps (LAMMPS `Pdamp`, ~1000 steps).
    pub pressure_damping: f64,
    pub thermostat: NoseHooverChain,
    barostat_chain: NoseHooverChain,
    /// Strain rates ω̇, 1/ps (Voigt).
    pub omega_dot: [f64; 6],
    omega_mass: f64,
    mtk_term2: f64,
}

impl Npt {
    /// `temperature` K, `temperature_damping` ps, `pressure` eV/Å³ tensor, `pressure_damping` ps.
    pub fn new(temperature: f64, temperature_damping: f64, pressure: [f64; 6], pressure_damping: f64, coupling: Coupling) -> Result<Self> {
        if !(pressure_damping.is_finite() && pressure_damping > 0.0) {
            return Err(Error::invalid("pressure damping", pressure_damping, "must be positive (ps)"));
        }
        if !pressure.iter().all(|p| p.is_finite()) {
            return Err(Error::invalid("pressure", format!("{pressure:?}"), "must be finite (eV/Å³)"));
        }
        Ok(Npt {
            coupling,
            pressure,
            pressure_damping,
            thermostat: NoseHooverChain::new(temperature, temperature_damping, 3)?,
            barostat_chain: NoseHooverChain::new(temperature, pressure_damping, 3)?,
            omega_dot: [0.0; 6],
            omega_mass: 0.0,
            mtk_term2: 0.0,
        })
    }

    fn flags(&self) -> [bool; 6] {
        match self.coupling {
            Coupling::Iso | Coupling::Aniso => [true, true, true, false, false, false],
            Coupling::Tri => [true; 6],
        }
    }

    /// Current pressure tensor (kinetic + virial)/V, eV/Å³, coupled as LAMMPS `couple()`.
    fn current_pressure(&self, state: &MdState, virial: &[f64; 6]) -> [f64; 6] {
        let v = state.structure.cell.volume();
        let kt = kinetic_tensor(&state.structure.masses, &state.velocities);
        let mut p = [0.0; 6];
        for k in 0..6 {
            p[k] = (kt[k] + virial[k]) / v;
        }
        if self.coupling == Coupling::Iso {
            let m = (p[0] + p[1] + p[2]) / 3.0;
            p[0] = m;
            p[1] = m;
            p[2] = m;
        }
        p
    }

    /// LAMMPS `nh_omega_dot`: half-step update of the strain rates.
    fn omega_half_step(&mut self, state: &MdState, virial: &[f64; 6], dt: f64) {
        let n = state.structure.len() as f64;
        let kt = BOLTZMANN * self.thermostat.temperature;
        let pfreq = 1.0 / self.pressure_damping;
        self.omega_mass = (n + 1.0) * kt / (pfreq * pfreq);
        let p = self.current_pressure(state, virial);
        let v = state.structure.cell.volume();
        let flags = self.flags();
        let pdim = 3.0;
        let mtk_term1 = if self.coupling == Coupling::Iso {
            2.0 * kinetic_energy(&state.structure.masses, &state.velocities) / (pdim * n)
        } else {
            let t = kinetic_tensor(&state.structure.masses, &state.velocities);
            (t[0] + t[1] + t[2]) / (pdim * n)
        };
        let target = if self.coupling == Coupling::Iso {
            let m = (self.pressure[0] + self.pressure[1] + self.pressure[2]) / 3.0;
            [m, m, m, 0.0, 0.0, 0.0]
        } else {
            self.pressure
        };
        for k in 0..3 {
            if flags[k] {
                let f = (p[k] - target[k]) * v / self.omega_mass + mtk_term1 / self.omega_mass;
                self.omega_dot[k] += f * 0.5 * dt;
            }
        }
        self.mtk_term2 = (self.omega_dot[0] + self.omega_dot[1] + self.omega_dot[2]) / (pdim * n);
        for k in 3..6 {
            if flags[k] {
                let f = (p[k] - target[k]) * v / self.omega_mass;
                self.omega_dot[k] += f * 0.5 * dt;
            }
        }
    }

    /// LAMMPS `nh_v_press`.
    fn v_press(&self, state: &mut MdState, dt: f64) {
        let dt4 = 0.25 * dt;
        let dthalf = 0.5 * dt;
        let f = [0, 1, 2].map(|k| (-dt4 * (self.omega_dot[k] + self.mtk_term2)).exp());
        let tri = self.coupling == Coupling::Tri;
        let od = self.omega_dot;
        for v in state.velocities.iter_mut() {
            for k in 0..3 {
                v[k] *= f[k];
            }
            if tri {
                v[0] += -dthalf * (v[1] * od[5] + v[2] * od[4]);
                v[1] += -dthalf * v[2] * od[3];
            }
            for k in 0..3 {
                v[k] *= f[k];
            }
        }
    }

    /// LAMMPS `remap` over `dto` (half a step): h' = ω̇ h, atoms move affinely with the cell.
    fn remap(&self, state: &mut MdState, dto: f64) -> Result<()> {
        let old = state.structure.cell.clone();
        let m = old.matrix();
        // LAMMPS h = [xprd, yprd, zprd, yz, xz, xy]; our rows a = (xprd,0,0), b = (xy,yprd,0), c = (xz,yz,zprd)
        let mut h = [m[0][0], m[1][1], m[2][2], m[2][1], m[2][0], m[1][0]];
        let od = self.omega_dot;
        let (dto2, dto4, dto8) = (dto / 2.0, dto / 4.0, dto / 8.0);
        let tri = self.coupling == Coupling::Tri;
        let off = |h: &mut [f64; 6]| {
            let e = (dto8 * od[0]).exp();
            h[4] *= e;
            h[4] += dto4 * (od[5] * h[3] + od[4] * h[2]);
            h[4] *= e;
        };
        if tri {
            off(&mut h);
            let e = (dto4 * od[1]).exp();
            h[3] *= e;
            h[3] += dto2 * (od[3] * h[2]);
            h[3] *= e;
            let e = (dto4 * od[0]).exp();
            h[5] *= e;
            h[5] += dto2 * (od[5] * h[1]);
            h[5] *= e;
            off(&mut h);
        }
        // LAMMPS scales boxlo/boxhi here but updates h[0..2] only in set_global_box() after the
        // second half, so the second half still sees the old lengths
        let new_diag = [0, 1, 2].map(|k| h[k] * (dto * od[k]).exp());
        if tri {
            off(&mut h);
            let e = (dto4 * od[0]).exp();
            h[5] *= e;
            h[5] += dto2 * (od[5] * h[1]);
            h[5] *= e;
            let e = (dto4 * od[1]).exp();
            h[3] *= e;
            h[3] += dto2 * (od[3] * h[2]);
            h[3] *= e;
            off(&mut h);
        }
        h[0] = new_diag[0];
        h[1] = new_diag[1];
        h[2] = new_diag[2];
        let (xy, xz, yz) = if tri { (h[5], h[4], h[3]) } else { (m[1][0], m[2][0], m[2][1]) };
        let cell = Cell::new([[h[0], 0.0, 0.0], [xy, h[1], 0.0], [xz, yz, h[2]]])?;
        for r in state.structure.positions.iter_mut() {
            *r = cell.cartesian(&old.fractional(r));
        }
        state.structure.cell = cell;
        Ok(())
    }

    /// LAMMPS `nhc_press_integrate`: chain thermostat on the barostat.
    fn barostat_chain_half_step(&mut self, dt: f64) {
        let flags = self.flags();
        let pdof = flags.iter().filter(|f| **f).count() as f64;
        let ke2: f64 = (0..6).filter(|&k| flags[k]).map(|k| self.omega_mass * self.omega_dot[k] * self.omega_dot[k]).sum();
        // LAMMPS: lkt_press = kT for iso, pdof·kT otherwise; its chain is set up so that
        // (kecurrent − lkt_press)/Q drives the first element.
        let dof = if self.coupling == Coupling::Iso { 1.0 } else { pdof };
        // the barostat chain uses Q = kT τ_P² for every element (LAMMPS etap_mass)
        let f = self.barostat_chain.half_step_with_first_mass(ke2, dof, dt);
        for k in 0..6 {
            if flags[k] {
                self.omega_dot[k] *= f;
            }
        }
    }
}

impl Integrator for Npt {
    super::serde_state!();
    fn name(&self) -> &str {
        "npt"
    }
    fn step(&mut self, state: &mut MdState, eval: &mut Evaluator, dt: f64) -> Result<()> {
        // the barostat needs the virial of every configuration
        eval.request.virial = true;
        let tdof = degrees_of_freedom(state.structure.len());
        if self.omega_mass == 0.0 {
            let n = state.structure.len() as f64;
            let pfreq = 1.0 / self.pressure_damping;
            self.omega_mass = (n + 1.0) * BOLTZMANN * self.thermostat.temperature / (pfreq * pfreq);
        }
        let virial = eval.output.virial;
        // ---- initial_integrate ----
        self.barostat_chain_half_step(dt);
        let ke2 = 2.0 * kinetic_energy(&state.structure.masses, &state.velocities);
        let f = self.thermostat.half_step(ke2, tdof, dt);
        scale_velocities(state, f);
        self.omega_half_step(state, &virial, dt);
        self.v_press(state, dt);
        half_kick(state, &eval.output.forces, dt);
        self.remap(state, 0.5 * dt)?;
        drift(state, dt);
        self.remap(state, 0.5 * dt)?;
        eval.compute(&state.structure)?;
        // ---- final_integrate ----
        half_kick(state, &eval.output.forces, dt);
        self.v_press(state, dt);
        let virial = eval.output.virial;
        self.omega_half_step(state, &virial, dt);
        let ke2 = 2.0 * kinetic_energy(&state.structure.masses, &state.velocities);
        let f = self.thermostat.half_step(ke2, tdof, dt);
        scale_velocities(state, f);
        self.barostat_chain_half_step(dt);
        state.step += 1;
        state.time += dt;
        Ok(())
    }
}
