//! Per-species charges of the Coulomb styles, the Coulomb constant, and the neutrality rule.
//!
//! Charges are given per species (`{"Sr": 1.2, "Ti": 2.4, "O": -1.2}`, in units of e). A Coulomb
//! style turns them into per-atom charges for each configuration ([`Charges::per_atom`]); the
//! day [`super::Configuration`] carries per-atom charges (from data files), that is the one place
//! that prefers them. A cell whose net charge exceeds [`NEUTRALITY_TOLERANCE`] is an error naming
//! the net charge, unless the user asked for a neutralising background (`neutralize = true`):
//! the cutoff styles (`coul/cut`, `coul/wolf`, `coul/dsf`) then compute exactly what LAMMPS
//! computes (LAMMPS adds no term for them); the Ewald/PPPM solvers add LAMMPS's uniform
//! background correction.

use super::Configuration;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Coulomb constant in LAMMPS metal units, `e²/(4πε₀)` in eV·Å (LAMMPS `force->qqr2e` for
/// `units metal`; `qqrd2e = qqr2e / dielectric` with dielectric 1).
pub const QQR2E_METAL: f64 = 14.399645;

/// Largest |net charge| (e) of a cell treated as neutral (LAMMPS `kspace.cpp` warns above
/// `SMALL = 0.00001`).
pub const NEUTRALITY_TOLERANCE: f64 = 1e-5;

/// Charges per species (e) and whether a non-neutral cell is allowed (neutralising background).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Charges {
    /// Charge of each species, e.
    pub by_species: BTreeMap<String, f64>,
    /// Allow a non-neutral cell (uniform neutralising background).
    #[serde(default)]
    pub neutralize: bool,
}

impl Charges {
    /// Charges from `(species, q)` pairs; every value must be finite and every species named once.
    pub fn new<I: IntoIterator<Item = (String, f64)>>(pairs: I, neutralize: bool) -> Result<Self> {
        let mut by_species = BTreeMap::new();
        for (s, q) in pairs {
            if !q.is_finite() {
                return Err(Error::invalid(&format!("charge of {s}"), q, "must be finite (e)"));
            }
            if by_species.insert(s.clone(), q).is_some() {
                return Err(Error::invalid("charges", &s, "species given twice"));
            }
        }
        Ok(Charges { by_species, neutralize })
    }

    /// Validate values (finite) after deserialisation.
    pub fn validate(&self) -> Result<()> {
        for (s, q) in &self.by_species {
            if !q.is_finite() {
                return Err(Error::invalid(&format!("charge of {s}"), q, "must be finite (e)"));
            }
        }
        Ok(())
    }

    /// Charge of one species.
    pub fn get(&self, species: &str) -> Option<f64> {
        self.by_species.get(species).copied()
    }

    /// Species with a charge.
    pub fn species(&self) -> Vec<String> {
        self.by_species.keys().cloned().collect()
    }

    /// An error unless every species of `species` has a charge (`style` names the asking style).
    pub fn check_species(&self, species: &[String], style: &str) -> Result<()> {
        self.per_species(species, style).map(|_| ())
    }

    /// Charge of each species index of a configuration (`species[t]`), or an error naming the
    /// first species without one.
    pub fn per_species(&self, species: &[String], style: &str) -> Result<Vec<f64>> {
        species
            .iter()
            .map(|s| {
                self.get(s).ok_or_else(|| {
                    Error::invalid(
                        "charges",
                        format!("no charge for species '{s}'"),
                        &format!(
                            "{style} needs a charge for every species (charges given for: {}); give e.g. charges={{\"{s}\": q}} / --charges {s}=q",
                            if self.by_species.is_empty() { "none".to_string() } else { self.species().join(", ") }
                        ),
                    )
                })
            })
            .collect()
    }

    /// Per-atom charges of `config` (e), after checking that every species has a charge and
    /// that the cell is neutral (unless [`Charges::neutralize`]).
    pub fn per_atom(&self, config: &Configuration<'_>, style: &str) -> Result<Vec<f64>> {
        let by_type = self.per_species(config.species, style)?;
        let q: Vec<f64> = config.types.iter().map(|&t| by_type.get(t).copied().unwrap_or(0.0)).collect();
        self.check_neutral(&q, style)?;
        Ok(q)
    }

    /// An error naming the net charge when `|Σq| > NEUTRALITY_TOLERANCE` and `neutralize` is off.
    pub fn check_neutral(&self, q: &[f64], style: &str) -> Result<()> {
        let net = net_charge(q);
        if !self.neutralize && net.abs() > NEUTRALITY_TOLERANCE {
            return Err(Error::invalid(
                "net charge",
                format!("{net:.6} e"),
                &format!("{style}: the cell is not neutral; fix the composition or charges, or set neutralize = true (--neutralize) to add a uniform neutralising background"),
            ));
        }
        Ok(())
    }
}

/// Σ q (compensated summation, so neutral cells of many atoms sum to ~0).
pub fn net_charge(q: &[f64]) -> f64 {
    let (mut s, mut c) = (0.0f64, 0.0f64);
    for &x in q {
        let y = x - c;
        let t = s + y;
        c = (t - s) - y;
        s = t;
    }
    s
}

/// Complementary error function (libm, the same algorithm as the C library LAMMPS calls).
#[inline]
pub fn erfc(x: f64) -> f64 {
    libm::erfc(x)
}
