//! Interatomic potentials.
//!
//! A [`Potential`] holds parameters only (like an OpenMM `Force`); the mutable state it needs —
//! neighbour list, per-thread scratch — belongs to the caller ([`crate::evaluator::Evaluator`]).
//! A potential states what it needs ([`Needs`]: a half or a full neighbour list or none, its
//! cutoff, whether it reads the whole configuration) and `compute` receives the configuration
//! (cell, positions, types, species) with the list it asked for ([`Configuration`]); it *adds*
//! into an [`Output`] that the caller zeroes, so several potentials can overlay. Per-style extras
//! (EAM host densities, coordination numbers) are computes ([`crate::computes`]), not outputs.
//!
//! Every potential is built from one serialisable description, [`PotentialSpec`] (keyed by the
//! LAMMPS `pair_style`), by [`PotentialSpec::build`].
//!
//! Sign conventions (LAMMPS): the virial is `W = Σ_pairs r_ij ⊗ f_ij` in eV, with
//! `r_ij = r_i − r_j` and `f_ij` the force on `i` from `j`; it is positive for repulsion. It is
//! stored in Voigt order xx yy zz yz xz xy. The ASE stress is `−W / V`.

pub mod eam;
pub mod kspace;
pub mod lammps_input;
pub mod lj_cut;
pub mod spec;
pub mod zhou2004;
pub mod charges;
pub mod coulomb;
pub mod hybrid;
pub mod ionic;
pub mod pairwise;
pub mod spec_ionic;
pub mod manybody;
pub mod sw;
pub mod tersoff;
pub mod bonded;
pub mod spec_molecular;

pub use eam::{EamStyle, EmbeddedAtom};
pub use kspace::{CoulLong, KSpaceSettings, KSpaceStyle};
pub use lj_cut::LennardJones;
pub use spec::{load, PotentialSpec};
pub use zhou2004::Zhou2004;
pub use sw::StillingerWeber;
pub use tersoff::Tersoff;

use crate::cell::{Cell, Vec3};
use crate::error::{Error, Result};
use crate::neighbors::{ListKind, NeighborList};
use crate::structure::Structure;
use rayon::prelude::*;
use std::any::Any;
use std::ops::Range;

/// What a potential needs from the caller to compute.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Needs {
    /// The neighbour list it reads: half, full, or none ([`ListKind::None`]).
    pub list: ListKind,
    /// Cutoff of that list, Å (ignored without a list).
    pub cutoff: f64,
    /// It reads all positions and the cell itself, beyond any list (long-range electrostatics, a
    /// user's callback force provider): the configuration must not be cut into pieces.
    pub whole_configuration: bool,
}

impl Needs {
    /// A half list (each pair once, Newton's third law in the kernel): pair potentials, EAM.
    pub fn half(cutoff: f64) -> Self {
        Needs { list: ListKind::Half, cutoff, whole_configuration: false }
    }
    /// A full list (each pair from both sides): bond-order potentials (Tersoff, SW).
    pub fn full(cutoff: f64) -> Self {
        Needs { list: ListKind::Full, cutoff, whole_configuration: false }
    }
    /// No list, the whole configuration (external callbacks).
    pub fn whole_configuration() -> Self {
        Needs { list: ListKind::None, cutoff: 0.0, whole_configuration: true }
    }
}

/// The configuration a potential computes on: the structure's arrays and the neighbour list
/// the potential asked for (image positions current).
#[derive(Clone, Copy, Debug)]
pub struct Configuration<'a> {
    /// Periodic cell.
    pub cell: &'a Cell,
    /// Cartesian positions, Å (not necessarily wrapped into the cell).
    pub positions: &'a [Vec3],
    /// Species index of every atom (into `species`).
    pub types: &'a [usize],
    /// Species names.
    pub species: &'a [String],
    /// The neighbour list of [`Needs::list`]; `None` when the potential asked for none.
    pub list: Option<&'a NeighborList>,
}

impl<'a> Configuration<'a> {
    /// A structure with an optional list.
    pub fn new(structure: &'a Structure, list: Option<&'a NeighborList>) -> Self {
        Configuration { cell: &structure.cell, positions: &structure.positions, types: &structure.types, species: &structure.species, list }
    }
    /// Number of atoms.
    pub fn len(&self) -> usize {
        self.positions.len()
    }
    /// True without atoms.
    pub fn is_empty(&self) -> bool {
        self.positions.is_empty()
    }
    /// The neighbour list, which must be of `kind` and hold its pairs (an error naming the
    /// mismatch otherwise).
    pub fn neighbors(&self, kind: ListKind) -> Result<&'a NeighborList> {
        let nl = self.images(kind)?;
        if nl.images_only {
            return Err(Error::invalid("neighbour list", "periodic images only", "this potential reads the pair list; build it with images_only = false"));
        }
        Ok(nl)
    }
    /// The list of `kind` for its periodic images only (its pair list may be absent: cluster
    /// kernels search their own pairs).
    pub fn images(&self, kind: ListKind) -> Result<&'a NeighborList> {
        match self.list {
            Some(nl) if nl.kind == kind => Ok(nl),
            Some(nl) => Err(Error::invalid("neighbour list", format!("{:?}", nl.kind), &format!("this potential needs a {kind:?} list"))),
            None => Err(Error::invalid("neighbour list", "none", &format!("this potential needs a {kind:?} list"))),
        }
    }
}

/// What to compute (LAMMPS `eflag`/`vflag`). Forces are always computed.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Request {
    pub energy: bool,
    pub virial: bool,
    pub per_atom_energy: bool,
    pub per_atom_virial: bool,
}

impl Request {
    /// Everything.
    pub fn all() -> Self {
        Request { energy: true, virial: true, per_atom_energy: true, per_atom_virial: true }
    }
    /// Energy and virial (what thermo output needs).
    pub fn global() -> Self {
        Request { energy: true, virial: true, ..Default::default() }
    }
}

/// Results of a force evaluation, per atom in the structure's order.
#[derive(Clone, Debug, Default)]
pub struct Output {
    /// Potential energy, eV.
    pub energy: f64,
    /// Forces, eV/Å.
    pub forces: Vec<Vec3>,
    /// Virial `Σ r ⊗ f`, eV, Voigt order xx yy zz yz xz xy.
    pub virial: [f64; 6],
    /// Per-atom energies, eV (empty unless requested).
    pub per_atom_energy: Vec<f64>,
    /// Per-atom virials, eV, Voigt order (empty unless requested).
    pub per_atom_virial: Vec<[f64; 6]>,
}

impl Output {
    /// Zero everything for `n` atoms, allocating per-atom arrays only when requested.
    pub fn reset(&mut self, n: usize, req: Request) {
        self.energy = 0.0;
        self.virial = [0.0; 6];
        self.forces.clear();
        self.forces.resize(n, [0.0; 3]);
        self.per_atom_energy.clear();
        if req.per_atom_energy {
            self.per_atom_energy.resize(n, 0.0);
        }
        self.per_atom_virial.clear();
        if req.per_atom_virial {
            self.per_atom_virial.resize(n, [0.0; 6]);
        }
    }
}

/// Per-thread accumulation buffers over the extended (image) set.
#[derive(Clone, Debug, Default)]
pub struct ThreadBuffer {
    pub forces: Vec<Vec3>,
    pub energy: f64,
    pub virial: [f64; 6],
    pub per_atom_energy: Vec<f64>,
    pub per_atom_virial: Vec<[f64; 6]>,
    /// Free per-thread pair marks for many-body potentials that make two passes over the list
    /// (EAM): one bit per listed pair of this thread's centres, set where the pair lies within
    /// the cutoff, one u64 word per 64 list entries of each centre (pass 2 recomputes the
    /// distances: 1/32 of the list's size instead of 4 bytes per pair within the cutoff).
    pub pair_bits: Vec<u64>,
    /// Free per-thread staging of one centre's pairs, kept so that the kernels allocate nothing
    /// per step (EAM pass 1: candidate index and squared distance; pass 2: table knot, and
    /// spline fraction and 1/r as two runs).
    pub stage_index: Vec<u32>,
    /// Free per-thread staging of one centre's neighbour indices (EAM pass 2).
    pub stage_pair: Vec<u32>,
    pub stage_dist: Vec<f64>,
}

impl ThreadBuffer {
    fn reset(&mut self, n_ext: usize, req: Request) {
        self.energy = 0.0;
        self.virial = [0.0; 6];
        self.forces.clear();
        crate::neighbors::reserve_headroom(&mut self.forces, n_ext);
        self.forces.resize(n_ext, [0.0; 3]);
        self.per_atom_energy.clear();
        if req.per_atom_energy {
            crate::neighbors::reserve_headroom(&mut self.per_atom_energy, n_ext);
            self.per_atom_energy.resize(n_ext, 0.0);
        }
        self.per_atom_virial.clear();
        if req.per_atom_virial {
            crate::neighbors::reserve_headroom(&mut self.per_atom_virial, n_ext);
            self.per_atom_virial.resize(n_ext, [0.0; 6]);
        }
    }
}

/// Scratch space owned by the caller, sized once and reused every step.
#[derive(Clone, Debug, Default)]
pub struct Scratch {
    pub buffers: Vec<ThreadBuffer>,
    /// Free per-atom scalar (e.g. EAM density folded onto owners).
    pub atom_scalar: Vec<f64>,
    /// Free per-image scalar shared by all threads (EAM F'(ρ) copied to images; each thread's
    /// densities of pass 1 live in its force buffer).
    pub image_scalar: Vec<f64>,
    /// State of the cluster-pair kernels (`lj/cut`, EAM).
    pub nbnxm: crate::nbnxm::State,
    /// Per-thread centre ranges of the last [`pair_loop`] (kept to avoid a per-step allocation).
    pub ranges: Vec<Range<usize>>,
    /// Free per-atom index arrays (e.g. EAM species → table maps), reused every step.
    pub atom_index: Vec<usize>,
    pub pair_table: Vec<usize>,
    /// Second free per-atom scalar (e.g. EAM `F'(ρ)` per atom).
    pub atom_scalar2: Vec<f64>,
    /// Free per-term force slots and (energy, virial) records of fixed term lists evaluated in
    /// parallel (bonded terms, special-bond pairs: `bonded::parallel`).
    pub term_forces: Vec<Vec3>,
    pub term_records: Vec<(f64, [f64; 6])>,
}

impl Scratch {
    /// Heap bytes held by the scratch (allocated capacity), by array, for memory reports.
    pub fn heap_breakdown(&self) -> Vec<(&'static str, usize)> {
        fn b<T>(v: &Vec<T>) -> usize {
            v.capacity() * std::mem::size_of::<T>()
        }
        let sum = |f: &dyn Fn(&ThreadBuffer) -> usize| self.buffers.iter().map(f).sum::<usize>();
        vec![
            ("threads: forces per image", sum(&|t| b(&t.forces))),
            ("threads: per-atom energy/virial per image", sum(&|t| b(&t.per_atom_energy) + b(&t.per_atom_virial))),
            ("threads: EAM pair marks (bit per listed pair)", sum(&|t| b(&t.pair_bits))),
            ("threads: staging", sum(&|t| b(&t.stage_index) + b(&t.stage_pair) + b(&t.stage_dist))),
            ("per-atom scalars (EAM rho, F')", b(&self.atom_scalar) + b(&self.atom_scalar2)),
            ("per-image scalar (EAM F' on images)", b(&self.image_scalar)),
            ("cluster kernels (nbnxm)", self.nbnxm.heap_bytes()),
        ]
    }
}

/// Run `kernel` over the centres of `nl`, split into one balanced contiguous range per rayon
/// thread, each accumulating into its own [`ThreadBuffer`]; then fold the image contributions
/// back onto their owner atoms in `out`. The summation order depends only on the thread count.
pub fn pair_loop<K>(nl: &NeighborList, req: Request, scratch: &mut Scratch, out: &mut Output, kernel: K) -> Result<()>
where
    K: Fn(Range<usize>, &mut ThreadBuffer) -> Result<()> + Sync,
{
    let nthreads = rayon::current_num_threads().max(1);
    let Scratch { buffers, ranges, .. } = scratch;
    nl.balanced_ranges_into(nthreads, ranges);
    let n_ext = nl.n_ext();
    buffers.resize_with(ranges.len(), ThreadBuffer::default);
    buffers.par_iter_mut().zip(ranges.par_iter()).try_for_each(|(buf, range)| {
        buf.reset(n_ext, req);
        kernel(range.clone(), buf)
    })?;
    fold_to_owners(nl, req, &scratch.buffers, out);
    Ok(())
}

/// Add image contributions of all buffers onto their owner atoms (parallel over atoms, each
/// gathering its own images in a fixed order, so the result does not depend on scheduling).
pub fn fold_to_owners(nl: &NeighborList, req: Request, buffers: &[ThreadBuffer], out: &mut Output) {
    for buf in buffers {
        out.energy += buf.energy;
        for k in 0..6 {
            out.virial[k] += buf.virial[k];
        }
    }
    let images = |i: usize| nl.images_of(i);
    out.forces.par_iter_mut().enumerate().with_min_len(1024).for_each(|(i, t)| {
        for buf in buffers {
            for &e in images(i) {
                let f = &buf.forces[e as usize];
                t[0] += f[0];
                t[1] += f[1];
                t[2] += f[2];
            }
        }
    });
    if req.per_atom_energy {
        out.per_atom_energy.par_iter_mut().enumerate().with_min_len(1024).for_each(|(i, t)| {
            for buf in buffers {
                for &e in images(i) {
                    *t += buf.per_atom_energy[e as usize];
                }
            }
        });
    }
    if req.per_atom_virial {
        out.per_atom_virial.par_iter_mut().enumerate().with_min_len(1024).for_each(|(i, t)| {
            for buf in buffers {
                for &e in images(i) {
                    let v = &buf.per_atom_virial[e as usize];
                    for k in 0..6 {
                        t[k] += v[k];
                    }
                }
            }
        });
    }
}

/// Access to the concrete type behind a `dyn Potential` (for computes specific to one style,
/// e.g. [`crate::computes::per_atom::eam_density`]); implemented for every type.
pub trait AsAny: Any {
    /// `self` as `Any`.
    fn as_any(&self) -> &dyn Any;
}

impl<T: Any> AsAny for T {
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// An interatomic potential: parameters plus a force kernel.
pub trait Potential: AsAny + Send + Sync + std::fmt::Debug {
    /// LAMMPS `pair_style` name (`"lj/cut"`, `"eam/alloy"`, ...).
    fn pair_style(&self) -> &str;
    /// Largest interaction cutoff, Å (0 for a potential without a neighbour list).
    fn cutoff(&self) -> f64;
    /// What `compute` needs: by default a half list with [`Potential::cutoff`].
    fn needs(&self) -> Needs {
        Needs::half(self.cutoff())
    }
    /// Whether `compute` reads the pair list of its neighbour list (default); `false` lets the
    /// evaluator build only the periodic images ([`NeighborList::images_only`]), for kernels
    /// that search their own cluster pairs. `forced` is the kernel path the evaluator forces
    /// (`Scratch::nbnxm.path`), `None` for the process-wide choice.
    fn reads_pairs(&self, forced: Option<crate::nbnxm::KernelPath>) -> bool {
        let _ = forced;
        true
    }
    /// Species this potential describes.
    fn species(&self) -> Vec<String>;
    /// Check that every species of a structure is described; called before computing.
    fn check_species(&self, species: &[String]) -> Result<()> {
        let known = self.species();
        for s in species {
            if !known.iter().any(|k| k == s) {
                return Err(crate::error::Error::UnknownSpecies {
                    species: s.clone(),
                    potential: self.pair_style().to_string(),
                    known: known.join(", "),
                });
            }
        }
        Ok(())
    }
    /// Add energy, forces and (if requested) virials of `config` into `out` (zeroed and sized by
    /// the caller). `config.list` is the list [`Potential::needs`] asked for, its image
    /// positions current.
    fn compute(&self, config: &Configuration<'_>, req: Request, scratch: &mut Scratch, out: &mut Output) -> Result<()>;
    /// Stable description of the parameters, hashed into provenance records.
    fn fingerprint(&self) -> String;
    /// A copy with every parameter that is otherwise chosen per configuration (the k-space
    /// splitting parameter, PPPM mesh and Ewald k-vector limits) fixed at the values chosen for
    /// `config`, as LAMMPS users pin them with `kspace_modify gewald/mesh/kmax/ewald` so that a
    /// family of strained cells sees one smooth energy surface. `None` when nothing depends on
    /// the configuration (the default).
    fn pinned_for(&self, _config: &Configuration<'_>) -> Result<Option<std::sync::Arc<dyn Potential>>> {
        Ok(None)
    }
    /// A copy with the parameters LAMMPS fixes once per `run` (in `KSpace::init`) fixed at the
    /// values chosen for `config`, leaving those it recomputes whenever the box changes (in
    /// `KSpace::setup`, called by `fix npt` after every box change) to follow the cell: for
    /// `coul/long` g (and the PPPM mesh and order) are fixed, while the Ewald k-vector limits,
    /// the k-vectors, the PPPM influence function and mesh spacing follow the cell. MD runs bind
    /// this copy at their start ([`crate::simulation::Simulation::setup`]). The default is
    /// [`Potential::pinned_for`].
    fn pinned_for_run(&self, config: &Configuration<'_>) -> Result<Option<std::sync::Arc<dyn Potential>>> {
        self.pinned_for(config)
    }
    /// Compute `self` and `other` together in one pass over the pair list (LAMMPS's combined
    /// styles such as `buck/coul/long` loop over the pairs once): `Some` with the result when
    /// `self` knows how to fuse with `other`'s type, `None` (the default) when not, and the
    /// caller then computes the two one after the other. Adds exactly what the two `compute`s
    /// would add (up to rounding of the summation order).
    fn compute_fused(&self, _other: &dyn Potential, _config: &Configuration<'_>, _req: Request, _scratch: &mut Scratch, _out: &mut Output) -> Option<Result<()>> {
        None
    }
}

/// `potential` with its configuration-dependent parameters pinned at those chosen for
/// `structure` ([`Potential::pinned_for`]), or the same potential when there are none.
pub fn pinned_for(potential: &std::sync::Arc<dyn Potential>, structure: &Structure) -> Result<std::sync::Arc<dyn Potential>> {
    let config = Configuration::new(structure, None);
    Ok(potential.pinned_for(&config)?.unwrap_or_else(|| potential.clone()))
}

/// `potential` with the parameters LAMMPS keeps for a whole `run` fixed at those chosen for
/// `structure` ([`Potential::pinned_for_run`]), or the same potential when there are none.
pub fn pinned_for_run(potential: &std::sync::Arc<dyn Potential>, structure: &Structure) -> Result<std::sync::Arc<dyn Potential>> {
    let config = Configuration::new(structure, None);
    Ok(potential.pinned_for_run(&config)?.unwrap_or_else(|| potential.clone()))
}
