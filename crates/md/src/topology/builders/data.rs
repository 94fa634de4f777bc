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
        let push_off = super::pushoff::PushOffReport { steps: 0, min_distance: min_nb, max_spring_deviation: 0.0 };
        let force_field = format!("LAMMPS lines given with the data file {}", self.data.display());
        let report = BuildReport::measured("data-file".into(), 0, &structure, &topology, vol.cbrt(), vol, &lengths, min_nb, push_off, force_field);
        Ok(PolymerSystem { structure, topology, lammps: Vec::new(), report })
    }
}
