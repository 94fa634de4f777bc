//! One force evaluation of a structure, reported as LAMMPS users read `run 0`: energy, forces in
//! the structure's order, the virial (LAMMPS sign) and the stress (ASE sign).

use crate::error::{Error, Result};
use crate::evaluator::{Evaluator, DEFAULT_SKIN};
use crate::potentials::Potential;
use scalebridge_core::provenance::ProtocolRun;

/// Provenance of a single-point run.
type Provenance = scalebridge_core::Provenance<ProtocolRun>;
use crate::structure::Structure;
use crate::units::EV_PER_A3_IN_GPA;
use serde::Serialize;
use std::sync::Arc;

/// Atoms closer than this (Å) are rejected as overlapping before any potential sees them: no
/// interatomic potential is meant for such distances, and some (tabulated EAM) return finite
/// nonsense there instead of failing.
pub const MIN_SEPARATION: f64 = 0.5;

/// Result of a single-point calculation.
#[allow(non_snake_case)]
#[derive(Clone, Debug, Serialize)]
pub struct SinglePoint {
    /// Potential energy, eV.
    pub energy_eV: f64,
    /// Forces, eV/Å, N × 3 in the structure's order.
    pub forces_eV_A: Vec<[f64; 3]>,
    /// Virial `Σ r_ij ⊗ f_ij`, eV, Voigt xx yy zz yz xz xy, LAMMPS sign (positive for repulsion).
    pub virial_eV: [f64; 6],
    /// Stress `−virial / V`, GPa, Voigt xx yy zz yz xz xy, ASE sign (tension positive).
    pub stress_GPa: [f64; 6],
    /// Number of atoms.
    pub n_atoms: usize,
    /// Cell volume, Å³.
    pub volume_A3: f64,
    /// LAMMPS pair style of the potential.
    pub pair_style: String,
    /// Per-atom energies, eV (LAMMPS `compute pe/atom`), in the structure's order.
    pub energies_eV: Vec<f64>,
    /// Per-atom virials, eV, Voigt xx yy zz yz xz xy (LAMMPS `compute stress/atom NULL virial`
    /// times −1/nktv2p: positive for repulsion, summing to `virial_eV`).
    pub virials_eV: Vec<[f64; 6]>,
    pub provenance: Provenance,
}

/// Evaluate `potential` on `structure` with `threads` worker threads (0 = all cores).
pub fn single_point(structure: &Structure, potential: Arc<dyn Potential>, threads: usize) -> Result<SinglePoint> {
    structure.validate()?;
    if structure.is_empty() {
        return Err(Error::invalid("structure", "0 atoms", "needs at least one atom"));
    }
    potential.check_species(&structure.species)?;
    crate::io::check_separation(structure, MIN_SEPARATION)?;
    let t0 = std::time::Instant::now();
    let mut ev = Evaluator::new(potential.clone(), DEFAULT_SKIN, threads)?;
    let out = ev.compute_all(structure)?;
    let v = structure.cell.volume();
    let mut provenance = Provenance::new("single-point", structure, potential.as_ref(), &serde_json::json!({}), &[])?;
    provenance.wall_seconds = t0.elapsed().as_secs_f64();
    if let Some(i) = out.forces.iter().position(|f| !f.iter().all(|x| x.is_finite())) {
        return Err(Error::NonFinite { what: "force (the potential returned NaN/inf)".into(), index: i });
    }
    Ok(SinglePoint {
        energy_eV: out.energy,
        forces_eV_A: out.forces.clone(),
        virial_eV: out.virial,
        stress_GPa: out.virial.map(|w| -w / v * EV_PER_A3_IN_GPA),
        n_atoms: structure.len(),
        volume_A3: v,
        pair_style: potential.pair_style().to_string(),
        energies_eV: out.per_atom_energy.clone(),
        virials_eV: out.per_atom_virial.clone(),
        provenance,
    })
}
