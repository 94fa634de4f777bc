//! Per-atom quantities tied to potentials that used to ride on force outputs: coordination
//! numbers within a cutoff and the host electron density of an EAM potential (LAMMPS `compute
//! coord/atom` with a cutoff, and the `rho` per-atom property of `pair eam`).

use crate::potentials::{AsAny, EmbeddedAtom, Potential};
use crate::error::{Error, Result};
use crate::evaluator::DEFAULT_SKIN;
use crate::neighbors::{ListKind, NeighborList};
use crate::structure::Structure;

/// Number of neighbours of every atom within `cutoff` (Å, at most the list's cutoff + skin),
/// counting periodic images separately, from a half list over `n` atoms.
pub fn coordination_numbers(nl: &NeighborList, cutoff: f64, n: usize) -> Vec<f64> {
    let mut cn = vec![0.0; n];
    let full = nl.kind == ListKind::Full;
    nl.for_each_pair_within(cutoff, |i, j, _| {
        cn[i] += 1.0;
        if !full {
            cn[j] += 1.0;
        }
    });
    cn
}

/// Number of neighbours of every atom of `structure` within `cutoff` (Å), periodic images
/// counted separately (LAMMPS `compute coord/atom cutoff`).
pub fn coordination(structure: &Structure, cutoff: f64) -> Result<Vec<f64>> {
    let mut nl = NeighborList::new(cutoff, 0.0)?;
    nl.build(&structure.cell, &structure.positions, &structure.types)?;
    Ok(coordination_numbers(&nl, cutoff, structure.len()))
}

/// The potential as an EAM potential, or an error naming its style.
pub fn as_eam(potential: &dyn Potential) -> Result<&EmbeddedAtom> {
    <dyn Potential as AsAny>::as_any(potential)
        .downcast_ref::<EmbeddedAtom>()
        .ok_or_else(|| Error::invalid("potential", potential.pair_style(), "has no embedding density (EAM potentials do)"))
}

/// Host electron density `ρ_i` of every atom of `structure` under an EAM `potential` (the
/// file's density unit), computed with `threads` worker threads (0 = all cores) exactly as the
/// force evaluation's first pass (same list, same summation order).
pub fn eam_density(potential: &dyn Potential, structure: &Structure, threads: usize) -> Result<Vec<f64>> {
    let eam = as_eam(potential)?;
    structure.validate()?;
    eam.check_species(&structure.species)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::invalid("threads", threads, &e.to_string()))?;
    pool.install(|| {
        let mut nl = NeighborList::new(eam.cutoff(), DEFAULT_SKIN)?;
        nl.build(&structure.cell, &structure.positions, &structure.types)?;
        eam.host_density(&structure.species, &nl)
    })
}
