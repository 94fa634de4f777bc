//! Local lattice distortion of a solid solution at 0 K: how far the atoms of a random alloy move
//! off their ideal lattice sites when the structure relaxes (atoms and cell to zero stress, as
//! the 0 K elastic protocol's reference), and the energy that relaxation releases.
//!
//! With `r⁰_i` the ideal sites (the input) and `r_i` the relaxed positions, the homogeneous part
//! of the relaxation (the cell change) is taken out by comparing fractional coordinates in the
//! relaxed cell, `u_i = h (s_i − s⁰_i)` (minimum image), and the mean `ū` (a rigid translation)
//! is removed. Reported in `state`:
//!
//! - `static_displacement_rms` = `√⟨|u_i − ū|²⟩`, Å (the "local lattice distortion" of the
//!   high-entropy-alloy literature, e.g. Song et al., Phys. Rev. Mater. 1, 023404 (2017));
//! - `static_displacement_max` = `max_i |u_i − ū|`, Å;
//! - `static_displacement_rms_relative` = rms / `(V/N)^{1/3}` (dimensionless);
//! - `distortion_energy` = `[E(ideal sites in the relaxed cell) − E(relaxed)] / N`, eV/atom
//!   (≥ 0: the energy the atomic relaxation releases);
//!
//! and the rms per species in `per_species_rms`. A perfect Bravais crystal gives zero (every
//! atom is a centre of inversion); the static displacements scatter phonons like mass disorder
//! does (force-constant and strain-field scattering), and they set the solid-solution
//! strengthening of the Varvenne–Curtin models.

use crate::report::{Progress, Provenance, Quantity};
use scalebridge_md::computes::descriptors::displacements;
use scalebridge_md::error::{Error, Result};
use scalebridge_md::evaluator::{Evaluator, DEFAULT_SKIN};
use scalebridge_md::minimize::{relax, CellDof, CellRelax, MinimizeOptions};
use scalebridge_md::potentials::{Potential, Request};
use scalebridge_md::structure::Structure;
use scalebridge_md::units::EV_PER_A3_IN_GPA;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Options of [`lattice_distortion`]. Defaults: fmax 1e-6 eV/Å and a cell relaxed to zero
/// stress (tolerance 1e-5 GPa), as the 0 K elastic protocol relaxes its reference; all cores.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DistortionOptions {
    /// Force tolerance of the relaxation, eV/Å.
    pub fmax: f64,
    /// Relax the cell (all six components, to zero stress) with the atoms; otherwise the atoms only.
    pub relax_cell: bool,
    /// Worker threads (0 = all cores).
    pub threads: usize,
}

/// No MD: nothing to resolve.
impl crate::md_run::Resolve for DistortionOptions {}

impl Default for DistortionOptions {
    fn default() -> Self {
        DistortionOptions { fmax: 1e-6, relax_cell: true, threads: 0 }
    }
}

/// Result of [`lattice_distortion`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DistortionResult {
    /// `static_displacement_rms`, `static_displacement_max` (Å),
    /// `static_displacement_rms_relative` (1) and `distortion_energy` (eV/atom).
    pub state: BTreeMap<String, Quantity>,
    /// rms static displacement of the atoms of each species, Å.
    pub per_species_rms: BTreeMap<String, f64>,
    pub atoms: usize,
    /// Iterations of the relaxation.
    pub iterations: usize,
    pub warnings: Vec<String>,
    pub provenance: Provenance,
}

/// The `state` of a perfect Bravais crystal (one element on every site): every quantity zero,
/// by symmetry (each atom is a centre of inversion, so no force moves it off its site).
pub fn perfect_lattice_state() -> BTreeMap<String, Quantity> {
    state_of(0.0, 0.0, 0.0, 0.0)
}

fn state_of(rms: f64, max: f64, relative: f64, energy: f64) -> BTreeMap<String, Quantity> {
    let mut state = BTreeMap::new();
    state.insert("static_displacement_rms".into(), Quantity::exact(rms, "Å"));
    state.insert("static_displacement_max".into(), Quantity::exact(max, "Å"));
    state.insert("static_displacement_rms_relative".into(), Quantity::exact(relative, "1"));
    state.insert("distortion_energy".into(), Quantity::exact(energy, "eV/atom"));
    state
}

/// `relaxed` with its atoms put back on the ideal sites of `ideal`, carried into the relaxed
/// cell by their fractional coordinates (the homogeneous part of the relaxation kept).
fn ideal_sites_in_relaxed_cell(relaxed: &Structure, ideal: &Structure) -> Structure {
    let mut carried = relaxed.clone();
    for (p, r0) in carried.positions.iter_mut().zip(&ideal.positions) {
        *p = relaxed.cell.cartesian(&ideal.cell.fractional(r0));
    }
    carried
}

/// Static displacement statistics of `relaxed` against the ideal sites `ideal` (same atoms, any
/// cells): `(rms, max, per-atom |u − ū|)`, Å, fractional differences taken in the relaxed cell.
pub fn static_displacements(relaxed: &Structure, ideal: &Structure) -> Result<(f64, f64, Vec<f64>)> {
    displacement_stats(relaxed, &ideal_sites_in_relaxed_cell(relaxed, ideal))
}

/// [`static_displacements`] against sites already in the relaxed cell.
fn displacement_stats(relaxed: &Structure, sites: &Structure) -> Result<(f64, f64, Vec<f64>)> {
    let u = displacements(relaxed, sites)?;
    let n = u.len().max(1) as f64;
    let mean: [f64; 3] = std::array::from_fn(|k| u.iter().map(|x| x[k]).sum::<f64>() / n);
    let d: Vec<f64> = u.iter().map(|x| ((x[0] - mean[0]).powi(2) + (x[1] - mean[1]).powi(2) + (x[2] - mean[2]).powi(2)).sqrt()).collect();
    let rms = (d.iter().map(|x| x * x).sum::<f64>() / n).sqrt();
    let max = d.iter().copied().fold(0.0, f64::max);
    Ok((rms, max, d))
}

/// Local lattice distortion of `structure` (ideal lattice sites) with `potential`: relax, then
/// measure the static displacements (module docs).
pub fn lattice_distortion(structure: &Structure, potential: Arc<dyn Potential>, opts: &DistortionOptions, progress: &mut dyn Progress) -> Result<DistortionResult> {
    let t0 = std::time::Instant::now();
    if !(opts.fmax.is_finite() && opts.fmax > 0.0) {
        return Err(Error::invalid("fmax", opts.fmax, "must be positive (eV/Å)"));
    }
    structure.validate()?;
    potential.check_species(&structure.species)?;
    let mut prov = Provenance::new("lattice_distortion", structure, potential.as_ref(), opts, &[])?;
    let mut eval = Evaluator::new(potential, DEFAULT_SKIN, opts.threads)?;
    let ropts = MinimizeOptions {
        fmax: opts.fmax,
        stress_tol: 1e-5 / EV_PER_A3_IN_GPA,
        max_iter: 20000,
        cell: opts.relax_cell.then_some(CellRelax { dof: CellDof::Tri, target: [0.0; 6], cell_factor: None }),
        ..MinimizeOptions::default()
    };
    let mut relaxed = structure.clone();
    let rep = relax(&mut relaxed, &mut eval, &ropts)?;
    if !progress.update(1, 2, "relax") {
        return Err(Error::Interrupted { what: "lattice_distortion".into(), done: 1 });
    }
    // the ideal sites in the relaxed cell: the reference of the displacements, and the energy
    // the atomic relaxation released
    let ideal = ideal_sites_in_relaxed_cell(&relaxed, structure);
    let (rms, max, d) = displacement_stats(&relaxed, &ideal)?;
    eval.invalidate();
    eval.request = Request::global();
    let e_ideal = eval.compute_all(&ideal)?.energy;
    let n = structure.len() as f64;
    let a_ws = (relaxed.cell.volume() / n).cbrt();
    let state = state_of(rms, max, rms / a_ws, (e_ideal - rep.energy) / n);
    let mut per_species = BTreeMap::new();
    for (t, name) in structure.species.iter().enumerate() {
        let v: Vec<f64> = d.iter().zip(&structure.types).filter(|(_, &ti)| ti == t).map(|(x, _)| x * x).collect();
        if !v.is_empty() {
            per_species.insert(name.clone(), (v.iter().sum::<f64>() / v.len() as f64).sqrt());
        }
    }
    let mut warnings = Vec::new();
    if max > 0.5 * a_ws {
        warnings.push(format!(
            "an atom moved {max:.3} Å from its site (more than half the atomic spacing {a_ws:.3} Å): the relaxed structure is not the input lattice (a phase change or a collapsed site)"
        ));
    }
    progress.update(2, 2, "displacements");
    prov.wall_seconds = t0.elapsed().as_secs_f64();
    Ok(DistortionResult { state, per_species_rms: per_species, atoms: structure.len(), iterations: rep.iterations, warnings, provenance: prov })
}

#[cfg(test)]
mod tests {
    use super::*;
    use scalebridge_md::cell::Cell;

    fn cubic(a: f64, pos: Vec<[f64; 3]>) -> Structure {
        let n = pos.len();
        Structure::from_symbols(Cell::orthorhombic(a, a, a).unwrap(), pos, &vec!["Cu".to_string(); n], None).unwrap()
    }

    #[test]
    fn displacements_ignore_the_cell_change_and_a_rigid_shift() {
        let ideal = cubic(4.0, vec![[0.0, 0.0, 0.0], [2.0, 2.0, 0.0], [2.0, 0.0, 2.0], [0.0, 2.0, 2.0]]);
        // the cell grows 1 %, everything shifts by (0.1, 0, 0), atom 1 moves 0.05 Å along z
        let mut relaxed = cubic(4.04, ideal.positions.iter().map(|p| [p[0] * 1.01 + 0.1, p[1] * 1.01, p[2] * 1.01]).collect());
        relaxed.positions[1][2] += 0.05;
        let (rms, max, d) = static_displacements(&relaxed, &ideal).unwrap();
        // u = (0, 0, 0.05) on one atom: mean 0.0125 removed → |u − ū| = 0.0375 and 3 × 0.0125
        assert!((max - 0.0375).abs() < 1e-12 && (d[0] - 0.0125).abs() < 1e-12, "{d:?}");
        assert!((rms - ((0.0375f64.powi(2) + 3.0 * 0.0125f64.powi(2)) / 4.0).sqrt()).abs() < 1e-12);
        // an atom across the periodic boundary counts by its minimum image
        let mut wrapped = relaxed.clone();
        wrapped.positions[1][0] += 4.04;
        let (rms2, ..) = static_displacements(&wrapped, &ideal).unwrap();
        assert!((rms2 - rms).abs() < 1e-12);
    }
}
