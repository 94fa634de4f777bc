//! The fully atomistic reference of the 3-D models: every site of the same block, the boundary
//! layer on the applied field, the same potential, FIRE and tolerance as the coupled model.

use super::block::Block3;
use super::model::{atoms_of, check_indenter_inside, mobile_positions, Indenter, SolidOptions};
use super::surface::SurfaceProfile;
use crate::error::Result;
use crate::plane::atoms::Atoms;
use crate::plane::relax::fire;
use scalebridge_md::cell::Vec3;
use scalebridge_md::potentials::Potential;
use scalebridge_md::structure::Structure;
use std::sync::Arc;

/// The fully atomistic reference: every site of the same block, the boundary layer on the
/// applied field.
#[derive(Debug)]
pub struct FullAtomistic3d {
    pub block: Block3,
    pub(crate) atoms: Atoms,
    pub x: Vec<f64>,
    pub indenter: Option<Indenter>,
    pub indenter_force: Vec3,
    /// Force evaluations so far.
    pub evaluations: usize,
    opts: SolidOptions,
}

impl FullAtomistic3d {
    pub fn new(unit: &Structure, potential: Arc<dyn Potential>, o: &SolidOptions) -> Result<FullAtomistic3d> {
        o.fire()?;
        let (blo, bhi, _, _) = o.boxes();
        let block = Block3::new(unit, blo, bhi)?;
        let s = o.layer_start(block.pitch, potential.needs().cutoff)?;
        let mobile: Vec<usize> = (0..block.sites.len()).filter(|&k| !o.in_layer(block.sites[k], s, block.pitch)).collect();
        let cutoff = potential.needs().cutoff;
        // how far a layer site lies beyond the layer's start (≤ its distance from the mobile atoms)
        let excess = |k: usize| {
            let r = block.sites[k];
            let p = block.pitch;
            let mut e = (r[0].abs() - s[0] as f64 * p[0]).max(r[1].abs() - s[1] as f64 * p[1]).max(-(s[2] as f64) * p[2] - r[2]);
            if !o.free_top {
                e = e.max(r[2] - s[2] as f64 * p[2]);
            }
            e
        };
        let mut driven: Vec<usize> = (0..block.sites.len()).filter(|&k| o.in_layer(block.sites[k], s, block.pitch)).collect();
        driven.sort_by(|&a, &b| excess(a).total_cmp(&excess(b)));
        let n_inner = driven.iter().filter(|&&k| excess(k) <= cutoff + o.skin).count();
        let mut atoms = atoms_of(&block, &mobile, &driven, potential, o)?;
        if o.lean_forces {
            atoms.set_density_subset(mobile.len() + n_inner)?;
        }
        let x = vec![0.0; 3 * mobile.len()];
        Ok(FullAtomistic3d { block, atoms, x, indenter: None, indenter_force: [0.0; 3], evaluations: 0, opts: o.clone() })
    }

    /// Number of atoms (all, mobile).
    pub fn sizes(&self) -> (usize, usize) {
        (self.atoms.sites.len(), self.atoms.n_mobile)
    }

    /// Start the mobile atoms on the relaxed free surface `profile` (the coupled model's start,
    /// so that both relaxations begin from the same state).
    pub fn warm_start_surface(&mut self, profile: &SurfaceProfile) {
        for k in 0..self.atoms.n_mobile {
            self.x[3 * k + 2] = profile.at(self.block.sites[self.atoms.sites[k]][2]);
        }
    }

    /// Boundary layer on `u(X)`.
    pub fn set_boundary_field(&mut self, f: &dyn Fn(Vec3) -> Vec3) {
        for k in self.atoms.n_mobile..self.atoms.sites.len() {
            let v = f(self.block.sites[self.atoms.sites[k]]);
            self.atoms.displace(k, v);
        }
    }

    /// Relax the mobile atoms; FIRE's (iterations, final largest force component).
    pub fn relax(&mut self) -> Result<(usize, f64)> {
        let f = self.opts.fire()?;
        let masses = self.atoms.mobile_masses();
        let mut x = self.x.clone();
        if let Some(ind) = self.indenter {
            check_indenter_inside(&ind, &self.atoms, &self.x)?;
        }
        let ind = self.indenter;
        let lean = self.opts.lean_forces;
        let atoms = &mut self.atoms;
        let mut total = [0.0; 3];
        let evaluations = &mut self.evaluations;
        let mut eval = |x: &[f64], detail: bool| -> Result<Vec<f64>> {
            atoms.set_mobile(x);
            *evaluations += 1;
            let mut f = if detail || !lean { atoms.mobile_forces()? } else { atoms.mobile_forces_lean()? };
            if let Some(ind) = ind {
                total = ind.apply(&mobile_positions(atoms, x), &mut f).0;
            }
            Ok(f)
        };
        let r = fire(&mut x, &masses, &f, |x| eval(x, false))?;
        eval(&x, true)?;
        self.indenter_force = total;
        self.x = x;
        Ok(r)
    }

    /// Per-site index of the mobile atoms.
    pub fn mobile_index(&self) -> std::collections::HashMap<usize, usize> {
        self.atoms.sites[..self.atoms.n_mobile].iter().enumerate().map(|(k, &s)| (s, k)).collect()
    }
}
