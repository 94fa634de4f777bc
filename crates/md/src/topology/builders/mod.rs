//! Builders of molecular systems with topology: a Kremer–Grest bead-spring melt
//! ([`kremer_grest`]), united-atom polyethylene with the TraPPE-UA force field
//! ([`polyethylene`]) and a cross-linked epoxy-like bead-spring network ([`network`]), all by
//! random-walk growth with overlap avoidance ([`walk`]) followed by a soft push-off
//! ([`pushoff`]).
//!
//! A build gives a [`PolymerSystem`]: the structure (cubic periodic box, species labelled by
//! LAMMPS type number `"1"`, `"2"`, … as the data-file reader labels them), its [`Topology`]
//! (`atom_style molecular`), the LAMMPS input lines of its force field (`pair_style`,
//! `pair_coeff`, `bond_style`, …, `special_bonds`) and a [`BuildReport`]. Every build is
//! reproducible from its seed. [`PolymerSpec`] is the serialisable description (tag `builder`)
//! used by the CLI, Python and material files.
//!
//! Units: the united-atom model is in metal units. The bead-spring models are Lennard-Jones
//! models; [`LjUnits`] states how their reduced units map to metal units (σ in Å, ε in eV, m in
//! amu). Its default is the identity (σ = 1 Å, ε = 1 eV, m = 1 amu: the data file carries the
//! reduced numbers unchanged, as LAMMPS `units lj` would), so that a temperature in K or a
//! modulus in GPa of such a system means something only with an explicit mapping.

pub mod data;
pub mod grid;
pub mod kremer_grest;
pub mod network;
pub mod polyethylene;
pub mod pushoff;
pub mod walk;

use super::{MolecularStyle, Term, Topology};
use crate::cell::{norm, Cell, Vec3};
use crate::error::{Error, Result};
use crate::potentials::Potential;
use crate::structure::Structure;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::Arc;

pub use kremer_grest::KremerGrest;
pub use network::EpoxyNetwork;
pub use polyethylene::Polyethylene;

/// How a Lennard-Jones model's reduced units map to metal units.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LjUnits {
    /// σ, Å.
    pub sigma_a: f64,
    /// ε, eV.
    pub epsilon_ev: f64,
    /// Bead mass, amu.
    pub mass_amu: f64,
}

impl Default for LjUnits {
    fn default() -> Self {
        LjUnits { sigma_a: 1.0, epsilon_ev: 1.0, mass_amu: 1.0 }
    }
}

impl LjUnits {
    /// Is this the identity mapping (reduced numbers used as metal-unit numbers)?
    pub fn is_reduced(&self) -> bool {
        *self == LjUnits::default()
    }
    /// ε/k_B, K.
    pub fn epsilon_k(&self) -> f64 {
        self.epsilon_ev / crate::units::BOLTZMANN
    }
    /// The time unit τ = σ √(m/ε), ps.
    pub fn tau_ps(&self) -> f64 {
        self.sigma_a * (self.mass_amu * crate::units::MVV2E / self.epsilon_ev).sqrt()
    }
    fn check(&self) -> Result<()> {
        for (name, v) in [("units.sigma_a", self.sigma_a), ("units.epsilon_ev", self.epsilon_ev), ("units.mass_amu", self.mass_amu)] {
            if !(v.is_finite() && v > 0.0) {
                return Err(Error::invalid(name, v, "must be positive and finite"));
            }
        }
        Ok(())
    }
}

/// A builder description (the `builder` key names the variant).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "builder", rename_all = "kebab-case")]
pub enum PolymerSpec {
    /// Kremer–Grest bead-spring melt.
    KremerGrest(KremerGrest),
    /// United-atom polyethylene, TraPPE-UA with flexible bonds.
    #[serde(alias = "trappe-ua", alias = "pe")]
    Polyethylene(Polyethylene),
    /// Cross-linked bead-spring resin + hardener network.
    #[serde(alias = "epoxy")]
    EpoxyNetwork(EpoxyNetwork),
    /// A LAMMPS data file (`atom_style full|molecular`) read as it is; its force field is given
    /// as LAMMPS lines by the caller.
    #[serde(alias = "data", alias = "lammps-data")]
    DataFile(data::DataFileSpec),
}

/// The builder names [`PolymerSpec`] accepts.
pub const BUILDERS: &[&str] = &["kremer-grest", "polyethylene", "epoxy-network", "data-file"];

impl PolymerSpec {
    /// Build the system.
    pub fn build(&self) -> Result<PolymerSystem> {
        match self {
            PolymerSpec::KremerGrest(s) => s.build(),
            PolymerSpec::Polyethylene(s) => s.build(),
            PolymerSpec::EpoxyNetwork(s) => s.build(),
            PolymerSpec::DataFile(s) => s.build(),
        }
    }
    /// The builder's name.
    pub fn name(&self) -> &'static str {
        match self {
            PolymerSpec::KremerGrest(_) => "kremer-grest",
            PolymerSpec::Polyethylene(_) => "polyethylene",
            PolymerSpec::EpoxyNetwork(_) => "epoxy-network",
            PolymerSpec::DataFile(_) => "data-file",
        }
    }
    /// From JSON text (errors name the unknown builder or key).
    pub fn from_json(text: &str) -> Result<Self> {
        serde_json::from_str(text).map_err(|e| Error::invalid("polymer builder", text, &format!("{e} (builders: {})", BUILDERS.join(", "))))
    }
}

/// What a build produced, with the checks a user wants to see.
#[derive(Clone, Debug, Serialize)]
pub struct BuildReport {
    pub builder: String,
    pub seed: u64,
    pub n_atoms: usize,
    pub n_molecules: usize,
    pub n_bonds: usize,
    pub n_angles: usize,
    pub n_dihedrals: usize,
    /// Cubic box side, Å.
    pub box_length: f64,
    /// Atoms per Å³.
    pub number_density: f64,
    /// g/cm³ (with the masses in amu).
    pub density_g_cm3: f64,
    /// Smallest, mean and largest bond length, Å.
    pub bond_length_min: f64,
    pub bond_length_mean: f64,
    pub bond_length_max: f64,
    /// Smallest distance between atoms not excluded from each other by the force field, Å.
    pub min_nonbonded_distance: f64,
    /// Mean squared end-to-end distance of the linear chains (before cross-linking), Å².
    pub mean_sq_end_to_end: Option<f64>,
    /// Beads placed closer than the growth's exclusion distance (removed by the push-off).
    pub forced_placements: usize,
    pub push_off: pushoff::PushOffReport,
    /// Network builds: reacted fraction of the resin's reactive ends, cross-link bonds, cross-links
    /// per bead and the capture radius the last reaction needed.
    pub conversion: Option<f64>,
    pub crosslinks: Option<usize>,
    pub crosslink_density_per_bead: Option<f64>,
    pub capture_radius: Option<f64>,
    /// Bead-spring models: the reduced-to-metal mapping (None for the united-atom model).
    pub lj_units: Option<LjUnits>,
    /// The force field and its source.
    pub force_field: String,
}

/// A built molecular system.
impl BuildReport {
    /// The report's measured part, shared by every builder: counts, box, densities, bond-length
    /// statistics and the closest non-bonded pair; the builder-specific fields start empty.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn measured(
        builder: String, seed: u64, structure: &Structure, topology: &Topology, box_length: f64, volume: f64,
        lengths: &[f64], min_nb: f64, push_off: pushoff::PushOffReport, force_field: String,
    ) -> Self {
        let n = structure.positions.len();
        let mass: f64 = structure.masses.iter().sum();
        BuildReport {
            builder,
            seed,
            n_atoms: n,
            n_molecules: topology.molecule.iter().collect::<std::collections::BTreeSet<_>>().len(),
            n_bonds: topology.bonds.len(),
            n_angles: topology.angles.len(),
            n_dihedrals: topology.dihedrals.len(),
            box_length,
            number_density: n as f64 / volume,
            density_g_cm3: mass / volume * crate::units::AMU_PER_A3_IN_G_PER_CM3,
            bond_length_min: lengths.iter().copied().fold(f64::INFINITY, f64::min),
            bond_length_mean: lengths.iter().sum::<f64>() / lengths.len().max(1) as f64,
            bond_length_max: lengths.iter().copied().fold(0.0, f64::max),
            min_nonbonded_distance: min_nb,
            mean_sq_end_to_end: None,
            forced_placements: 0,
            push_off,
            conversion: None,
            crosslinks: None,
            crosslink_density_per_bead: None,
            capture_radius: None,
            lj_units: None,
            force_field,
        }
    }
}

#[derive(Clone, Debug)]
pub struct PolymerSystem {
    pub structure: Structure,
    pub topology: Topology,
    /// LAMMPS input lines of the force field (metal units).
    pub lammps: Vec<String>,
    pub report: BuildReport,
}

impl PolymerSystem {
    /// The force field as one potential (pair + bonded + special-bonds correction).
    pub fn potential(&self) -> Result<Arc<dyn Potential>> {
        let labels: Vec<String> = (1..=self.topology.type_masses.len()).map(|t| t.to_string()).collect();
        super::super::potentials::bonded::input::parse(self.report.builder.as_str(), &self.lammps, Arc::new(self.topology.clone()), &labels, &self.structure.symbols(), &[])?
            .combined()
    }
    /// Write the LAMMPS data file (`atom_style molecular`).
    pub fn write_data(&self, path: &Path) -> Result<()> {
        super::data_file::write(path, &self.structure, &self.topology)
    }
    /// The force-field lines as a LAMMPS input file text.
    pub fn lammps_text(&self) -> String {
        format!("# {} force field written by scalebridge ({})\n{}\n", self.report.builder, self.report.force_field, self.lammps.join("\n"))
    }
    /// Write the force-field lines through a temporary file renamed into place.
    pub fn write_lammps(&self, path: &Path) -> Result<()> {
        let io = |e| Error::Io { path: path.display().to_string(), source: e };
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        std::fs::write(&tmp, self.lammps_text()).map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)
    }
}

/// The pieces a builder assembles.
pub(crate) struct Parts {
    pub builder: &'static str,
    pub seed: u64,
    pub l: f64,
    pub positions: Vec<Vec3>,
    pub atom_types: Vec<usize>,
    pub type_masses: Vec<f64>,
    pub molecule: Vec<i64>,
    pub bonds: Vec<Term<2>>,
    pub angles: Vec<Term<3>>,
    pub dihedrals: Vec<Term<4>>,
    pub n_term_types: [usize; 4],
    pub lammps: Vec<String>,
    pub chains: Vec<(usize, usize)>,
    pub forced: usize,
    pub push_off: pushoff::PushOffReport,
    /// Bond depth of the pair exclusions of the force field (1: 1-2, 3: up to 1-4).
    pub exclusion_depth: usize,
    pub lj_units: Option<LjUnits>,
    pub force_field: String,
}

impl Parts {
    pub(crate) fn finish(self) -> Result<PolymerSystem> {
        let n = self.positions.len();
        let ntypes = self.type_masses.len();
        let labels: Vec<String> = (1..=ntypes).map(|t| t.to_string()).collect();
        let structure = Structure {
            cell: Cell::orthorhombic(self.l, self.l, self.l)?,
            positions: self.positions,
            species: labels,
            types: self.atom_types.clone(),
            masses: self.atom_types.iter().map(|&t| self.type_masses[t]).collect(),
        };
        structure.validate()?;
        let topology = Topology {
            style: MolecularStyle::Molecular,
            atom_types: self.atom_types,
            type_masses: self.type_masses,
            molecule: self.molecule,
            charges: None,
            bonds: self.bonds,
            angles: self.angles,
            dihedrals: self.dihedrals,
            impropers: Vec::new(),
            n_term_types: self.n_term_types,
            coeffs: Vec::new(),
        };
        topology.validate()?;
        let l = self.l;
        let pos = &structure.positions;
        let lengths: Vec<f64> = topology.bonds.iter().map(|b| norm(&grid::min_image(&pos[b.atoms[0]], &pos[b.atoms[1]], l))).collect();
        let pairs: Vec<(usize, usize)> = topology.bonds.iter().map(|b| (b.atoms[0], b.atoms[1])).collect();
        let excl = pushoff::exclusions(n, &pairs, self.exclusion_depth);
        let min_nb = min_distance(pos, l, &excl);
        let ree: Vec<f64> = self.chains.iter().filter(|(_, len)| *len > 1).map(|&(s, len)| {
            let (a, b) = (pos[s], pos[s + len - 1]);
            (0..3).map(|c| (b[c] - a[c]).powi(2)).sum::<f64>()
        }).collect();
        let vol = l * l * l;
        let report = BuildReport {
            mean_sq_end_to_end: (!ree.is_empty()).then(|| ree.iter().sum::<f64>() / ree.len() as f64),
            forced_placements: self.forced,
            lj_units: self.lj_units,
            ..BuildReport::measured(self.builder.to_string(), self.seed, &structure, &topology, l, vol, &lengths, min_nb, self.push_off, self.force_field)
        };
        Ok(PolymerSystem { structure, topology, lammps: self.lammps, report })
    }
}

/// Smallest distance between atoms not in each other's exclusion lists (cubic box `l`).
pub fn min_distance(pos: &[Vec3], l: f64, excluded: &[Vec<usize>]) -> f64 {
    // search radius grows until a pair is found
    let mut rc = (l / pos.len().max(1) as f64).cbrt().max(1e-6) * l.cbrt().max(1.0);
    rc = rc.min(l / 2.0);
    loop {
        let g = grid::Grid::filled(l, rc, pos);
        let mut m = f64::INFINITY;
        for (i, p) in pos.iter().enumerate() {
            g.around(p, |j| {
                if j > i && excluded[i].binary_search(&j).is_err() {
                    m = m.min(norm(&grid::min_image(p, &pos[j], l)));
                }
            });
        }
        if m <= rc || rc >= l / 2.0 {
            return m;
        }
        rc = (2.0 * rc).min(l / 2.0);
    }
}

/// Shared checks of the builders' common options.
pub(crate) fn positive(name: &str, v: f64) -> Result<()> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(Error::invalid(name, v, "must be positive and finite"))
    }
}

pub(crate) fn at_least(name: &str, v: usize, min: usize) -> Result<()> {
    if v >= min {
        Ok(())
    } else {
        Err(Error::invalid(name, v, &format!("must be at least {min}")))
    }
}

#[cfg(test)]
mod tests;
