//! Force evaluation context: a potential bound to a neighbour list, per-thread scratch and a
//! thread pool (like an OpenMM `Context` for forces). Created once, reused every step.
//!
//! The evaluator honours the potential's [`crate::potentials::Needs`]: it keeps the half or full
//! list the potential asks for, and none for a potential that reads the whole configuration
//! without a list.

use crate::error::{Error, Result};
use crate::neighbors::{ListKind, NeighborList, RebuildPolicy};
use crate::potentials::{Configuration, Output, Potential, Request, Scratch};
use crate::structure::Structure;
use std::sync::Arc;

/// Default Verlet skin, Å (LAMMPS metal default `neighbor 2.0 bin`... we use 1.0 Å, as bench/in.eam).
pub const DEFAULT_SKIN: f64 = 1.0;
/// Worker threads when none are given: 0 = all cores (results do not depend on the count).
pub const DEFAULT_THREADS: usize = 0;

/// Evaluates a potential on structures, keeping its neighbour list and scratch between calls.
#[derive(Debug)]
pub struct Evaluator {
    potential: Arc<dyn Potential>,
    nl: NeighborList,
    scratch: Scratch,
    pool: Arc<rayon::ThreadPool>,
    /// What `compute` evaluates besides forces.
    pub request: Request,
    /// Results of the last `compute`.
    pub output: Output,
}

impl Evaluator {
    /// Bind `potential` with Verlet `skin` (Å) and `threads` worker threads (0 = all cores).
    pub fn new(potential: Arc<dyn Potential>, skin: f64, threads: usize) -> Result<Self> {
        let needs = potential.needs();
        let nl = match needs.list {
            ListKind::None => NeighborList::none(),
            kind => NeighborList::with_kind(kind, needs.cutoff, skin)?,
        };
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| Error::invalid("threads", threads, &e.to_string()))?;
        let mut ev = Evaluator { potential, nl, scratch: Scratch::default(), pool: Arc::new(pool), request: Request::global(), output: Output::default() };
        ev.sync_images_only();
        Ok(ev)
    }

    /// The bound potential.
    pub fn potential(&self) -> &Arc<dyn Potential> {
        &self.potential
    }
    /// The neighbour list (current after `compute`; empty, of kind [`ListKind::None`], for a
    /// potential that needs none).
    pub fn neighbor_list(&self) -> &NeighborList {
        &self.nl
    }
    /// Bind `potential` instead of the current one (returned), keeping the neighbour list and
    /// scratch; an error (nothing changed) if it needs a different neighbour list.
    pub fn replace_potential(&mut self, potential: Arc<dyn Potential>) -> Result<Arc<dyn Potential>> {
        if potential.needs() != self.potential.needs() {
            return Err(Error::invalid(
                "replacement potential",
                format!("{} ({:?})", potential.pair_style(), potential.needs()),
                &format!("needs differ from those of the bound {} ({:?})", self.potential.pair_style(), self.potential.needs()),
            ));
        }
        let old = std::mem::replace(&mut self.potential, potential);
        self.sync_images_only();
        Ok(old)
    }

    /// Pin the configuration-dependent parameters of the bound potential (coul/long's g, PPPM
    /// mesh, Ewald k-vector limits) at their values for `structure`, as LAMMPS keeps them for a
    /// whole `run`/`minimize` while the box changes ([`Potential::pinned_for`]). Returns the
    /// unpinned potential to restore with [`Evaluator::replace_potential`], `None` when nothing
    /// depends on the configuration.
    pub fn pin_for(&mut self, structure: &Structure) -> Result<Option<Arc<dyn Potential>>> {
        self.pin_with(structure, |p, c| p.pinned_for(c))
    }

    /// [`Evaluator::pin_for`] with LAMMPS's per-`run` semantics ([`Potential::pinned_for_run`]:
    /// coul/long's g and PPPM mesh fixed, the Ewald k-vector limits and everything geometric
    /// following the cell). Returns the unpinned potential, `None` when nothing changed.
    pub fn pin_for_run(&mut self, structure: &Structure) -> Result<Option<Arc<dyn Potential>>> {
        self.pin_with(structure, |p, c| p.pinned_for_run(c))
    }

    /// Bind `pin(potential, configuration of structure)` when it gives a pinned copy; the
    /// unpinned potential back, `None` when nothing changed.
    fn pin_with(
        &mut self,
        structure: &Structure,
        pin: impl Fn(&dyn Potential, &crate::potentials::Configuration<'_>) -> Result<Option<Arc<dyn Potential>>>,
    ) -> Result<Option<Arc<dyn Potential>>> {
        let config = crate::potentials::Configuration::new(structure, None);
        match pin(self.potential.as_ref(), &config)? {
            Some(p) => self.replace_potential(p).map(Some),
            None => Ok(None),
        }
    }

    /// Set the rebuild policy of the neighbour list.
    pub fn set_rebuild_policy(&mut self, policy: RebuildPolicy) {
        self.nl.policy = policy;
    }
    /// Rebuild the neighbour list at the next evaluation.
    pub fn invalidate(&mut self) {
        self.nl.invalidate();
    }
    /// Force the `lj/cut`/EAM kernel path of this evaluator (`None`: `SCALEBRIDGE_MD_KERNEL` or
    /// the default; see [`crate::nbnxm`]).
    pub fn set_kernel_path(&mut self, path: Option<crate::nbnxm::KernelPath>) {
        self.scratch.nbnxm.path = path;
        self.sync_images_only();
    }
    /// Build the pair list or only the images, as the bound potential on the chosen kernel path
    /// needs ([`Potential::reads_pairs`]); a change forces a rebuild at the next `compute`.
    fn sync_images_only(&mut self) {
        if self.nl.kind == ListKind::None {
            return;
        }
        let images_only = !self.potential.reads_pairs(self.scratch.nbnxm.path);
        if images_only != self.nl.images_only {
            self.nl.images_only = images_only;
            self.nl.invalidate();
        }
    }
    /// Heap bytes held by the evaluator (allocated capacity), by array: the neighbour list,
    /// the kernels' scratch and the output arrays. For memory reports (`bench md`, docs).
    pub fn heap_breakdown(&self) -> Vec<(&'static str, usize)> {
        let o = &self.output;
        let out = o.forces.capacity() * 24 + o.per_atom_energy.capacity() * 8 + o.per_atom_virial.capacity() * 48;
        let mut v = self.nl.heap_breakdown();
        v.extend(self.scratch.heap_breakdown());
        v.push(("output (forces per atom)", out));
        v
    }
    /// Number of worker threads.
    pub fn threads(&self) -> usize {
        self.pool.current_num_threads()
    }
    /// The worker pool (shared handle), so a driver can run whole steps inside it.
    pub fn pool(&self) -> Arc<rayon::ThreadPool> {
        self.pool.clone()
    }
    /// Run `f` inside this evaluator's thread pool.
    pub fn install<R: Send, F: FnOnce() -> R + Send>(&self, f: F) -> R {
        self.pool.install(f)
    }

    /// Update the neighbour list for `structure` and evaluate `self.request` into `self.output`.
    pub fn compute(&mut self, structure: &Structure) -> Result<&Output> {
        let req = self.request;
        let Evaluator { potential, nl, scratch, pool, output, .. } = self;
        pool.install(|| -> Result<()> {
            let list = if nl.kind == ListKind::None {
                None
            } else {
                nl.update(&structure.cell, &structure.positions, &structure.types)?;
                Some(&*nl)
            };
            output.reset(structure.len(), req);
            potential.compute(&Configuration::new(structure, list), req, scratch, output)
        })?;
        Ok(&self.output)
    }

    /// Validate `structure` for this potential (shapes, finiteness, masses, species) and
    /// evaluate everything, rebuilding the neighbour list.
    pub fn compute_all(&mut self, structure: &Structure) -> Result<&Output> {
        structure.validate()?;
        self.potential.check_species(&structure.species)?;
        if self.nl.kind != ListKind::None {
            self.nl.build(&structure.cell, &structure.positions, &structure.types)?;
        }
        let saved = self.request;
        self.request = Request::all();
        let r = self.compute(structure).map(|_| ());
        self.request = saved;
        r?;
        Ok(&self.output)
    }
}
