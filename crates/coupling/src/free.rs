//! MD with free (non-periodic) and mixed boundaries, and atom groups that are fixed, moved at a
//! prescribed velocity or pushed by a constant force.
//!
//! Free directions are realised by **vacuum padding**: the periodic cell's edge along a free
//! direction is kept longer than the atoms' extent plus the cutoff plus the Verlet skin, so no
//! atom ever sees a periodic image across it. Energies and forces are then exactly those of
//! LAMMPS `boundary s` (shrink-wrapped) or `boundary f` with the same atoms. The edge grows
//! (and the neighbour list is rebuilt) whenever the atoms spread.
//!
//! One step follows LAMMPS's fix order for `fix nve` on the mobile atoms, `fix move linear` on
//! prescribed groups, `fix setforce 0 0 0` on fixed groups and `fix addforce` on pushed groups:
//!
//! 1. mobile atoms: `v += ½Δt F/m`, `r += Δt v`; prescribed atoms: `r = r₀ + v_p t`, `v = v_p`;
//! 2. forces; the total force on every group is recorded *before* any group's forces are changed
//!    (LAMMPS `fix setforce`'s global vector / `fcm(group)`); fixed atoms' forces are zeroed;
//!    pushed atoms get their extra force;
//! 3. mobile atoms: `v += ½Δt F/m`.

use crate::error::{invalid, CouplingError, Result};
use scalebridge_md::cell::{Cell, Vec3};
use scalebridge_md::evaluator::Evaluator;
use scalebridge_md::potentials::Potential;
use scalebridge_md::structure::Structure;
use scalebridge_md::units::FTM2V;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// How the atoms of a group move.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "motion", rename_all = "snake_case")]
pub enum GroupMotion {
    /// Held in place: zero velocity, force set to zero (LAMMPS `fix setforce 0 0 0`, not integrated).
    Fixed,
    /// Prescribed displacement `u = v t` from the positions at the start (LAMMPS `fix move linear`).
    Linear { velocity: Vec3 },
    /// Integrated like any mobile atom with a constant extra force per atom, eV/Å (LAMMPS `fix addforce`).
    AddForce { force: Vec3 },
}

/// A named set of atoms and its motion. An atom belongs to at most one group; atoms in no group
/// are integrated freely.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AtomGroup {
    pub name: String,
    pub atoms: Vec<usize>,
    #[serde(flatten)]
    pub motion: GroupMotion,
}

/// Free-boundary MD options.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FreeMdOptions {
    /// Which cell directions stay periodic (the others are free surfaces).
    pub periodic: [bool; 3],
    /// Verlet skin, Å.
    pub skin: f64,
    /// Time step, ps.
    pub dt: f64,
    /// Worker threads (0 = all cores).
    pub threads: usize,
}

impl Default for FreeMdOptions {
    fn default() -> Self {
        FreeMdOptions { periodic: [true, true, false], skin: 1.0, dt: 0.001, threads: 1 }
    }
}

/// An MD system with free directions and atom groups.
#[derive(Debug)]
pub struct FreeMd {
    /// The atoms; the cell's free edges are the vacuum-padded ones.
    pub structure: Structure,
    /// Velocities, Å/ps.
    pub velocities: Vec<Vec3>,
    /// Steps taken.
    pub step: u64,
    groups: Vec<AtomGroup>,
    /// Per atom: index of its group, or `usize::MAX` for mobile atoms.
    role: Vec<usize>,
    origin: Vec<Vec3>,
    opts: FreeMdOptions,
    eval: Evaluator,
    group_forces: Vec<Vec3>,
    energy: f64,
}

const MOBILE: usize = usize::MAX;

/// Extent (max − min) of the positions along Cartesian axis `d`.
fn extent(positions: &[Vec3], d: usize) -> (f64, f64) {
    positions.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), r| (lo.min(r[d]), hi.max(r[d])))
}

impl FreeMd {
    /// Set up `structure` (its cell gives the periodic lengths; its free edges are replaced by
    /// padded ones) with `groups`, initial `velocities` (zeros when `None`) and `potential`.
    pub fn new(
        structure: Structure,
        velocities: Option<Vec<Vec3>>,
        groups: Vec<AtomGroup>,
        potential: Arc<dyn Potential>,
        opts: FreeMdOptions,
    ) -> Result<Self> {
        structure.validate()?;
        potential.check_species(&structure.species)?;
        if !(opts.dt > 0.0 && opts.dt.is_finite()) {
            return Err(invalid("dt", opts.dt, "the time step must be positive and finite"));
        }
        if !(opts.skin >= 0.0 && opts.skin.is_finite()) {
            return Err(invalid("skin", opts.skin, "the skin must be non-negative and finite"));
        }
        let n = structure.len();
        let velocities = velocities.unwrap_or_else(|| vec![[0.0; 3]; n]);
        if velocities.len() != n {
            return Err(invalid("velocities", velocities.len(), &format!("expected one velocity per atom ({n})")));
        }
        let mut role = vec![MOBILE; n];
        for (g, group) in groups.iter().enumerate() {
            for &i in &group.atoms {
                if i >= n {
                    return Err(invalid(&format!("group {}", group.name), i, &format!("atom index out of range (n = {n})")));
                }
                if role[i] != MOBILE {
                    return Err(invalid(&format!("group {}", group.name), i, "atom already belongs to another group"));
                }
                role[i] = g;
            }
        }
        let eval = Evaluator::new(potential, opts.skin, opts.threads)?;
        let origin = structure.positions.clone();
        let mut md = FreeMd {
            structure,
            velocities,
            step: 0,
            groups,
            role,
            origin,
            opts,
            eval,
            group_forces: Vec::new(),
            energy: 0.0,
        };
        for i in 0..n {
            match md.motion(i) {
                Some(GroupMotion::Fixed) => md.velocities[i] = [0.0; 3],
                Some(GroupMotion::Linear { velocity }) => md.velocities[i] = velocity,
                _ => {}
            }
        }
        md.pad(true)?;
        md.forces(true)?;
        Ok(md)
    }

    fn motion(&self, i: usize) -> Option<GroupMotion> {
        match self.role[i] {
            MOBILE => None,
            g => self.groups.get(g).map(|x| x.motion.clone()),
        }
    }

    fn cutoff(&self) -> f64 {
        self.eval.potential().needs().cutoff
    }

    /// Make every free edge longer than the extent + cutoff + skin (+ 2 skins of room to move).
    /// Returns whether the cell changed.
    fn pad(&mut self, force: bool) -> Result<bool> {
        let h = *self.structure.cell.matrix();
        let need = self.cutoff() + self.opts.skin;
        let mut m = h;
        let mut changed = false;
        for d in 0..3 {
            if self.opts.periodic[d] {
                continue;
            }
            for k in 0..3 {
                if k != d && (h[k][d].abs() > 1e-12 || h[d][k].abs() > 1e-12) {
                    return Err(invalid("periodic", format!("{:?}", self.opts.periodic), "a free direction must be a Cartesian axis orthogonal to the other cell vectors"));
                }
            }
            let (lo, hi) = extent(&self.structure.positions, d);
            if !(lo.is_finite() && hi.is_finite()) {
                return Err(CouplingError::NonFinite { what: "positions".into(), step: self.step as usize });
            }
            if force || h[d][d] < hi - lo + need {
                m[d][d] = hi - lo + need + 2.0 * self.opts.skin.max(1.0);
                changed = true;
            }
        }
        if changed {
            self.structure.cell = Cell::new(m)?;
            self.eval.invalidate();
        }
        Ok(changed)
    }

    /// Evaluate forces, record group totals, then apply the group rules.
    fn forces(&mut self, rebuild: bool) -> Result<()> {
        if rebuild {
            self.eval.invalidate();
        }
        let out = self.eval.compute(&self.structure)?;
        self.energy = out.energy;
        let mut forces = out.forces.clone();
        let mut totals = vec![[0.0; 3]; self.groups.len()];
        for (i, f) in forces.iter_mut().enumerate() {
            let g = self.role[i];
            if g == MOBILE {
                continue;
            }
            for k in 0..3 {
                totals[g][k] += f[k];
            }
            match &self.groups[g].motion {
                GroupMotion::Fixed => *f = [0.0; 3],
                GroupMotion::AddForce { force } => {
                    for k in 0..3 {
                        f[k] += force[k];
                    }
                }
                GroupMotion::Linear { .. } => {}
            }
        }
        self.group_forces = totals;
        self.eval.output.forces = forces;
        Ok(())
    }

    /// Forces after the group rules (fixed atoms zero, pushed atoms with their extra force), eV/Å.
    pub fn current_forces(&self) -> &[Vec3] {
        &self.eval.output.forces
    }

    /// Total force on each group at the last evaluation, before the group rules, eV/Å.
    pub fn group_forces(&self) -> &[Vec3] {
        &self.group_forces
    }

    /// Potential energy, eV.
    pub fn potential_energy(&self) -> f64 {
        self.energy
    }

    /// Kinetic energy of all atoms, eV.
    pub fn kinetic_energy(&self) -> f64 {
        self.velocities
            .iter()
            .zip(&self.structure.masses)
            .map(|(v, m)| 0.5 * m * (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]))
            .sum::<f64>()
            / FTM2V
    }

    fn half_kick(&mut self) {
        let dt = self.opts.dt;
        for i in 0..self.velocities.len() {
            if matches!(self.motion(i), Some(GroupMotion::Fixed) | Some(GroupMotion::Linear { .. })) {
                continue;
            }
            let s = 0.5 * dt * FTM2V / self.structure.masses[i];
            let f = self.eval.output.forces[i];
            for k in 0..3 {
                self.velocities[i][k] += s * f[k];
            }
        }
    }

    /// One velocity-Verlet step with the group rules.
    pub fn step(&mut self) -> Result<()> {
        let dt = self.opts.dt;
        self.half_kick();
        let t = (self.step + 1) as f64 * dt;
        for i in 0..self.velocities.len() {
            match self.motion(i) {
                Some(GroupMotion::Fixed) => {}
                Some(GroupMotion::Linear { velocity }) => {
                    for k in 0..3 {
                        self.structure.positions[i][k] = self.origin[i][k] + velocity[k] * t;
                    }
                    self.velocities[i] = velocity;
                }
                _ => {
                    for k in 0..3 {
                        self.structure.positions[i][k] += dt * self.velocities[i][k];
                    }
                }
            }
        }
        let repadded = self.pad(false)?;
        self.forces(repadded)?;
        self.half_kick();
        self.step += 1;
        let e = self.energy + self.kinetic_energy();
        if !e.is_finite() {
            return Err(CouplingError::NonFinite { what: "total energy".into(), step: self.step as usize });
        }
        Ok(())
    }

    /// Run `n` steps.
    pub fn run(&mut self, n: usize) -> Result<()> {
        for _ in 0..n {
            self.step()?;
        }
        Ok(())
    }
}
