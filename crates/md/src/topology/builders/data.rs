//! A LAMMPS data file as a molecular system (`builder = "data-file"`): the structure and topology
//! of an `atom_style full` or `molecular` file ([`crate::topology::data_file::read`]: masses,
//! per-atom charges, bonds/angles/dihedrals/impropers, `* Coeffs` sections) with the force field
//! given as LAMMPS lines by the caller (a material description's `potential = { lammps = [...] }`,
//! [`crate::potentials::spec_molecular::MolecularSpec::lines`]). Atom types are labelled `1`,
//! `2`, … as the data-file reader labels them. The file is read again at every build, so a
//! specification names a file, not a snapshot of it: the stage keys hash the structure and the
//! topology that were read.

use super::{BuildReport, PolymerSystem};
use crate::error::{Error, Result};
use crate::topology::{data_file, MolecularStyle};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Largest number of atoms for which the closest non-bonded pair is searched (all pairs).
pub const MIN_DISTANCE_MAX_ATOMS: usize = 20_000;

/// A data file and its atom style.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataFileSpec {
    /// Path of the LAMMPS data file (a material description resolves it against its directory).
    pub data: PathBuf,
    /// `full` (with per-atom charges) or `molecular`.
    #[serde(default = "default_style")]
    pub atom_style: MolecularStyle,
}

fn default_style() -> MolecularStyle {
    MolecularStyle::Full
}

impl DataFileSpec {
    /// Read the file: structure, topology, an empty force field (the caller gives the lines) and
    /// a report of what was read.
    pub fn build(&self) -> Result<PolymerSystem> {
        if !self.data.is_file() {
            return Err(Error::Io {
                path: self.data.display().to_string(),
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "LAMMPS data file not found"),
            });
        }
        let f = data_file::read(&self.data, self.atom_style, &[])?;
        let (structure, topology) = (f.structure, f.topology);
        let cell = &structure.cell;
        let pos = &structure.positions;
        let bond_len = |i: usize, j: usize| {
            let d = crate::potentials::bonded::minimum_image(cell, [pos[i][0] - pos[j][0], pos[i][1] - pos[j][1], pos[i][2] - pos[j][2]]);
            (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]).sqrt()
        };
        let lengths: Vec<f64> = topology.bonds.iter().map(|b| bond_len(b.atoms[0], b.atoms[1])).collect();
        let n = structure.len();
        let min_nb = if n <= MIN_DISTANCE_MAX_ATOMS {
            let special: std::collections::HashSet<(usize, usize)> = topology.special_pairs().into_iter().map(|(i, j, _)| (i.min(j), i.max(j))).collect();
            let mut m = f64::INFINITY;
            for i in 0..n {
                for j in i + 1..n {
                    if !special.contains(&(i, j)) {
                        m = m.min(bond_len(i, j));
                    }
                }
            }
            m
        } else {
            f64::NAN
        };
        let vol = cell.volume();
        let mass: f64 = structure.masses.iter().sum();
        let report = BuildReport {
            builder: "data-file".into(),
            seed: 0,
            n_atoms: n,
            n_molecules: topology.molecule.iter().collect::<std::collections::BTreeSet<_>>().len(),
            n_bonds: topology.bonds.len(),
            n_angles: topology.angles.len(),
            n_dihedrals: topology.dihedrals.len(),
            box_length: vol.cbrt(),
            number_density: n as f64 / vol,
            density_g_cm3: mass / vol * crate::units::AMU_PER_A3_IN_G_PER_CM3,
            bond_length_min: lengths.iter().copied().fold(f64::INFINITY, f64::min),
            bond_length_mean: lengths.iter().sum::<f64>() / lengths.len().max(1) as f64,
            bond_length_max: lengths.iter().copied().fold(0.0, f64::max),
            min_nonbonded_distance: min_nb,
            mean_sq_end_to_end: None,
            forced_placements: 0,
            push_off: super::pushoff::PushOffReport { steps: 0, min_distance: min_nb, max_spring_deviation: 0.0 },
            conversion: None,
            crosslinks: None,
            crosslink_density_per_bead: None,
            capture_radius: None,
            lj_units: None,
            force_field: format!("LAMMPS lines given with the data file {}", self.data.display()),
        };
        Ok(PolymerSystem { structure, topology, lammps: Vec::new(), report })
    }
}
