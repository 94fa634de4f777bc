//! Atomic structures: a periodic cell, positions, species and masses (like `ase.Atoms`).

use crate::cell::{Cell, Vec3};
use crate::elements::atomic_mass;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A periodic atomic configuration.
///
/// Species are named (`"Cu"`, `"Ar"`, or any label for model systems); `types[i]` indexes
/// `species`. Masses are per atom, amu.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Structure {
    pub cell: Cell,
    /// Cartesian positions, Å.
    pub positions: Vec<Vec3>,
    /// Distinct species names; `types` index into this list.
    pub species: Vec<String>,
    /// Species index of every atom.
    pub types: Vec<usize>,
    /// Mass of every atom, amu.
    pub masses: Vec<f64>,
}

impl Structure {
    /// Build and validate a structure from per-atom symbols. Masses default to standard atomic
    /// masses; labels that are not element symbols need explicit `masses`.
    pub fn from_symbols(cell: Cell, positions: Vec<Vec3>, symbols: &[String], masses: Option<Vec<f64>>) -> Result<Self> {
        if symbols.len() != positions.len() {
            return Err(Error::Shape(format!("{} symbols for {} positions", symbols.len(), positions.len())));
        }
        let mut species: Vec<String> = Vec::new();
        let mut types = Vec::with_capacity(symbols.len());
        for s in symbols {
            let t = match species.iter().position(|x| x == s) {
                Some(t) => t,
                None => {
                    species.push(s.clone());
                    species.len() - 1
                }
            };
            types.push(t);
        }
        let masses = match masses {
            Some(m) => m,
            None => symbols
                .iter()
                .map(|s| {
                    atomic_mass(s).ok_or_else(|| {
                        Error::invalid("mass", s, "species is not an element symbol; give masses explicitly")
                    })
                })
                .collect::<Result<Vec<f64>>>()?,
        };
        let s = Structure { cell, positions, species, types, masses };
        s.validate()?;
        Ok(s)
    }

    /// Number of atoms.
    pub fn len(&self) -> usize {
        self.positions.len()
    }
    /// True if there are no atoms.
    pub fn is_empty(&self) -> bool {
        self.positions.is_empty()
    }

    /// Per-atom species names.
    pub fn symbols(&self) -> Vec<String> {
        self.types.iter().map(|&t| self.species[t].clone()).collect()
    }

    /// Check array shapes, finiteness and masses.
    pub fn validate(&self) -> Result<()> {
        let n = self.positions.len();
        if self.types.len() != n || self.masses.len() != n {
            return Err(Error::Shape(format!(
                "{} positions, {} types, {} masses",
                n,
                self.types.len(),
                self.masses.len()
            )));
        }
        for (i, p) in self.positions.iter().enumerate() {
            if !p.iter().all(|x| x.is_finite()) {
                return Err(Error::NonFinite { what: "position".into(), index: i });
            }
        }
        for (i, &t) in self.types.iter().enumerate() {
            if t >= self.species.len() {
                return Err(Error::invalid("type", format!("{t} (atom {i})"), "no such species"));
            }
        }
        for (i, &m) in self.masses.iter().enumerate() {
            if !m.is_finite() || m <= 0.0 {
                return Err(Error::invalid("mass", format!("{m} (atom {i})"), "masses must be positive and finite"));
            }
        }
        Ok(())
    }

    /// The structure under a homogeneous deformation `r' = r · F` of cell and positions.
    pub fn deformed(&self, f: &crate::cell::Mat3) -> Result<Structure> {
        let mut t = self.clone();
        t.cell = self.cell.deformed(f)?;
        for (p, r) in t.positions.iter_mut().zip(&self.positions) {
            for (k, pk) in p.iter_mut().enumerate() {
                *pk = r[0] * f[0][k] + r[1] * f[1][k] + r[2] * f[2][k];
            }
        }
        Ok(t)
    }

    /// Deterministic SHA-256 of the structure (cell, positions, species, masses), hex.
    /// Used as the input hash in provenance records.
    pub fn hash(&self) -> String {
        let mut h = Sha256::new();
        for row in self.cell.matrix() {
            for v in row {
                h.update(v.to_le_bytes());
            }
        }
        for (p, (&t, &m)) in self.positions.iter().zip(self.types.iter().zip(self.masses.iter())) {
            for v in p {
                h.update(v.to_le_bytes());
            }
            h.update(self.species[t].as_bytes());
            h.update(m.to_le_bytes());
        }
        let out = h.finalize();
        out.iter().map(|b| format!("{b:02x}")).collect()
    }
}
