//! A set of block sites evaluated with the potential: mobile atoms first, then driven atoms (pad or
//! boundary layer) whose positions are set from outside and whose forces are not used. The
//! in-plane directions are free (vacuum-padded), z is periodic with the block's thickness.

use super::block::Block;
use crate::error::{invalid, Result};
use scalebridge_md::cell::{Cell, Vec3};
use scalebridge_md::computes::per_atom::as_eam;
use scalebridge_md::evaluator::Evaluator;
use scalebridge_md::neighbors::NeighborList;
use scalebridge_md::potentials::eam::SubsetScratch;
use scalebridge_md::potentials::{Potential, Request};
use scalebridge_md::structure::Structure;
use std::sync::Arc;

#[derive(Debug)]
pub(crate) struct Atoms {
    /// Block site of every atom: mobile ones first.
    pub sites: Vec<usize>,
    pub n_mobile: usize,
    pub structure: Structure,
    pub eval: Evaluator,
    shift: Vec3,
    reference: Vec<Vec3>,
    /// The lean force path (`mobile_forces_lean`): EAM forces on the mobile atoms with densities
    /// only for atoms `0..n_density` (`None`: every evaluation is a full one, forces only).
    subset: Option<Subset>,
    /// Lean evaluations that found the subset too small and evaluated everything instead.
    pub fallbacks: usize,
}

/// Own half list and output of the EAM subset path.
#[derive(Debug)]
struct Subset {
    n_density: usize,
    nl: NeighborList,
    scratch: SubsetScratch,
    forces: Vec<[f64; 3]>,
}

impl Atoms {
    pub fn new(block: &Block, mobile: &[usize], driven: &[usize], potential: Arc<dyn Potential>, skin: f64, threads: usize) -> Result<Atoms> {
        let sites: Vec<usize> = mobile.iter().chain(driven).copied().collect();
        let cutoff = potential.needs().cutoff;
        let margin = 2.0 * (cutoff + skin) + 20.0;
        let lx = 2.0 * block.half[0] as f64 * block.pitch[0] + margin;
        let ly = 2.0 * block.half[1] as f64 * block.pitch[1] + margin;
        let reference: Vec<Vec3> = sites.iter().map(|&s| block.sites[s]).collect();
        let symbols: Vec<String> = sites.iter().map(|&s| block.symbols[s].clone()).collect();
        let masses: Vec<f64> = sites.iter().map(|&s| block.masses[s]).collect();
        Atoms::with_reference(sites, mobile.len(), reference, &symbols, masses, [lx, ly, block.thickness], [0.5 * lx, 0.5 * ly, 0.0], potential, skin, threads)
    }

    /// The general constructor: atoms at `reference` (+ `shift`) in an orthorhombic box of edges
    /// `lengths` (periodic; an edge larger than the extent plus twice the cutoff and skin acts as
    /// a free direction), mobile atoms first; `sites` are the caller's labels of the atoms.
    #[allow(clippy::too_many_arguments)]
    pub fn with_reference(
        sites: Vec<usize>,
        n_mobile: usize,
        reference: Vec<Vec3>,
        symbols: &[String],
        masses: Vec<f64>,
        lengths: [f64; 3],
        shift: Vec3,
        potential: Arc<dyn Potential>,
        skin: f64,
        threads: usize,
    ) -> Result<Atoms> {
        if n_mobile == 0 {
            return Err(invalid("atomistic region", 0, "no atoms in the atomistic region"));
        }
        let positions: Vec<Vec3> = reference.iter().map(|r| [r[0] + shift[0], r[1] + shift[1], r[2] + shift[2]]).collect();
        let structure = Structure::from_symbols(Cell::orthorhombic(lengths[0], lengths[1], lengths[2])?, positions, symbols, Some(masses))?;
        potential.check_species(&structure.species)?;
        let mut eval = Evaluator::new(potential, skin, threads)?;
        eval.request.per_atom_energy = true;
        eval.request.energy = true;
        Ok(Atoms { sites, n_mobile, structure, eval, shift, reference, subset: None, fallbacks: 0 })
    }

    /// Reference position of atom `k` (without the box shift), Å.
    pub fn reference_of(&self, k: usize) -> Vec3 {
        self.reference[k]
    }

    /// Current position of atom `k` (without the box shift), Å.
    pub fn current_of(&self, k: usize) -> Vec3 {
        let p = self.structure.positions[k];
        [p[0] - self.shift[0], p[1] - self.shift[1], p[2] - self.shift[2]]
    }

    /// Set atom `k`'s displacement.
    pub fn displace(&mut self, k: usize, u: Vec3) {
        let r = self.reference[k];
        self.structure.positions[k] = [r[0] + u[0] + self.shift[0], r[1] + u[1] + self.shift[1], r[2] + u[2] + self.shift[2]];
    }

    /// Set the mobile atoms' displacements from the flat vector `x` (3 per mobile atom).
    pub fn set_mobile(&mut self, x: &[f64]) {
        for k in 0..self.n_mobile {
            self.displace(k, [x[3 * k], x[3 * k + 1], x[3 * k + 2]]);
        }
    }

    /// Forces on the mobile atoms (3 per atom), eV/Å.
    pub fn mobile_forces(&mut self) -> Result<Vec<f64>> {
        let out = self.eval.compute(&self.structure)?;
        Ok(out.forces[..self.n_mobile].iter().flat_map(|f| *f).collect())
    }

    /// Let [`Atoms::mobile_forces_lean`] compute EAM host densities only for atoms `0..n_density`
    /// (the mobile atoms and the pad atoms within a cutoff of them; the caller orders the driven
    /// atoms so): the pad's outer shell then only contributes to those densities. A potential
    /// that is not EAM keeps the full evaluation.
    pub fn set_density_subset(&mut self, n_density: usize) -> Result<()> {
        let pot = self.eval.potential().clone();
        if as_eam(&*pot).is_ok() {
            let n_density = n_density.clamp(self.n_mobile, self.sites.len());
            self.subset = Some(Subset { n_density, nl: NeighborList::new(pot.needs().cutoff, self.eval.neighbor_list().skin)?, scratch: SubsetScratch::default(), forces: Vec::new() });
        }
        Ok(())
    }

    /// Neighbour-list builds so far (the evaluator's and the lean path's).
    pub fn list_builds(&self) -> usize {
        self.eval.neighbor_list().builds + self.subset.as_ref().map_or(0, |s| s.nl.builds)
    }

    /// Forces on the mobile atoms (3 per atom, eV/Å) for a relaxation step: nothing but forces
    /// (no energies or virials), and with [`Atoms::set_density_subset`] only the densities the
    /// mobile atoms' forces need (exact: equal to [`Atoms::mobile_forces`] to round-off).
    pub fn mobile_forces_lean(&mut self) -> Result<Vec<f64>> {
        if let Some(s) = self.subset.as_mut() {
            let pot = self.eval.potential().clone();
            let eam = as_eam(&*pot)?;
            s.nl.update(&self.structure.cell, &self.structure.positions, &self.structure.types)?;
            if eam.forces_on_subset(&self.structure.species, &self.structure.types, &s.nl, self.n_mobile, s.n_density, &mut s.scratch, &mut s.forces)? {
                return Ok(s.forces.iter().flat_map(|f| *f).collect());
            }
            self.fallbacks += 1;
        }
        let saved = self.eval.request;
        self.eval.request = Request::default();
        let r = self.mobile_forces();
        self.eval.request = saved;
        r
    }

    /// Potential energy of the mobile atoms (sum of per-atom energies of the last evaluation), eV.
    pub fn mobile_energy(&self) -> f64 {
        self.eval.output.per_atom_energy.iter().take(self.n_mobile).sum()
    }

    /// FIRE on the mobile atoms from `x` (3 per atom) with everything else held; leaves the atoms
    /// at the result, evaluated. FIRE's (iterations, final largest force component).
    pub fn relax_mobile(&mut self, x: &mut [f64], f: &super::relax::Fire) -> Result<(usize, f64)> {
        let masses = self.mobile_masses();
        let r = super::relax::fire(x, &masses, f, |x| {
            self.set_mobile(x);
            self.mobile_forces()
        })?;
        self.set_mobile(x);
        self.mobile_forces()?;
        Ok(r)
    }

    /// Masses of the mobile atoms, amu.
    pub fn mobile_masses(&self) -> Vec<f64> {
        self.structure.masses[..self.n_mobile].to_vec()
    }
}
