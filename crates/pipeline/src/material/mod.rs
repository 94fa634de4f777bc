//! Material descriptions: what a material is made of (phases: a crystal and its potential, or
//! measured continuum properties), how the phases are arranged (the microstructure) and at which
//! temperatures it is described. Read from TOML ([`Material::from_file`], [`Material::from_toml_str`])
//! or from the same dictionary as JSON ([`Material::from_json`]); see `docs/pipeline.md` for the
//! keys. Every value is validated here; errors name the key and the line.

mod crystal;
mod ionic;
mod parse;
mod polymer;
mod structure;

pub use parse::potential_search_dirs;
pub use crystal::composition as crystal_composition;
pub use structure::{build_structure, build_structure_from, coexistence_source, cubic_unit_cell, lattice_starts, LatticeStarts, CRYSTAL_REPEAT_LENGTH};

use crate::error::Result;
use scalebridge_md::potentials::PotentialSpec;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Material classes a description may name.
pub const CLASSES: &[&str] = &["metal", "alloy", "noble-gas", "ionic", "covalent", "polymer", "glass", "composite"];

/// Microstructure kinds a description may name.
pub const MICROSTRUCTURES: &[&str] = &["single-crystal", "polycrystal", "spheres", "fibres", "laminate", "pores"];

/// A validated material description.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Material {
    pub name: String,
    /// One of [`CLASSES`].
    pub class: String,
    /// Temperatures, K (0 = static 0 K properties only).
    #[serde(rename = "temperatures_K")]
    pub temperatures_k: Vec<f64>,
    /// Whether the description gave a list of temperatures (then `describe` answers a list).
    pub temperature_list: bool,
    pub phases: Vec<Phase>,
    pub microstructure: Microstructure,
}

/// One phase of the material.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Phase {
    pub name: String,
    /// Volume fraction in the microstructure.
    pub fraction: f64,
    pub kind: PhaseKind,
    /// Options of the shared MD block merged into every MD stage of this phase (e.g. a timestep
    /// in the model's time unit); `null` when not given.
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub md: serde_json::Value,
    /// Options merged into the preset's glass-transition stage (glass and polymer classes).
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub glass_transition: serde_json::Value,
}

/// What a phase is: atoms with a potential, or measured continuum properties.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhaseKind {
    Atomistic { structure: StructureSource, potential: PotentialSpec },
    Continuum {
        #[serde(rename = "E_GPa")]
        e_gpa: f64,
        nu: f64,
        #[serde(rename = "kappa_W_mK")]
        kappa_w_mk: Option<f64>,
    },
}

/// Where a phase's atoms come from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StructureSource {
    /// A lattice of the MD builder (its name passed through), filled with `elements` (a random
    /// solid solution, seeded, when there are several); `a` in Å (`None`: the potential's 0 K
    /// equilibrium, Vegard average over the elements).
    Lattice { lattice: String, elements: Vec<(String, f64)>, a: Option<f64>, c: Option<f64>, seed: u64 },
    /// A structure file (extxyz, POSCAR, CIF, LAMMPS data), path resolved against the
    /// description's directory.
    File { path: PathBuf },
    /// A crystal prototype of `md::crystals` (perovskite, rocksalt, corundum, spinel, layered,
    /// olivine, wurtzite, zincblende, diamond, fluorite, alpha-quartz) with elements per sublattice; a mixture
    /// on a sublattice is a seeded random substitution. Without `a` the crystal starts from the
    /// prototype's published parameters and is relaxed to the potential's 0 K equilibrium.
    Crystal { spec: scalebridge_md::crystals::StructureSpec },
    /// A polymer builder (Kremer–Grest melt, TraPPE-UA polyethylene, cross-linked network) with
    /// its options and seed; its force field is the phase's molecular potential
    /// (`material/polymer.rs`).
    Polymer { spec: scalebridge_md::topology::builders::PolymerSpec },
}

impl StructureSource {
    /// The element names of the structure (lattice form; files are read at build time).
    pub fn elements(&self) -> Vec<String> {
        match self {
            StructureSource::Lattice { elements, .. } => elements.iter().map(|e| e.0.clone()).collect(),
            StructureSource::File { .. } => Vec::new(),
            StructureSource::Crystal { spec } => crystal::spec_elements(spec),
            StructureSource::Polymer { .. } => Vec::new(),
        }
    }
}

/// The arrangement of the phases.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Microstructure {
    /// One of [`MICROSTRUCTURES`].
    pub kind: String,
    /// Polycrystal: number of Voronoi grains.
    pub grains: usize,
    /// Polycrystal: `"random"` or `"fibre"` (with `texture_axis` and `texture_spread_deg`).
    pub texture: String,
    pub texture_axis: [f64; 3],
    pub texture_spread_deg: f64,
    /// Voxels per edge of the cubic grid.
    pub resolution: usize,
    pub seed: u64,
    /// Spheres, pores, fibres: radius in voxels.
    pub radius: f64,
    /// Fibres: length in voxels.
    pub length: f64,
    /// Laminate: number of bilayers.
    pub layers: usize,
    /// Pores: pore volume fraction (the one phase fills the rest).
    pub porosity: f64,
}

impl Material {
    /// Read and validate a TOML description; relative file names (structures, potentials) are
    /// resolved against the file's directory.
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| crate::error::io(path, e))?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Self::from_toml_str(&text, &path.display().to_string(), &base)
    }

    /// Parse and validate TOML text; `source` names it in errors, `base` resolves relative files.
    pub fn from_toml_str(text: &str, source: &str, base: &Path) -> Result<Self> {
        parse::parse(text, source, base)
    }

    /// The same dictionary as JSON (e.g. from Python): converted to TOML text and read by the same
    /// parser, so the same validation applies (lines then refer to that text; `null` entries are
    /// left out).
    pub fn from_json(value: &serde_json::Value, base: &Path) -> Result<Self> {
        parse::from_json(value, base)
    }

    /// This material at one temperature (for describing a list of temperatures one by one).
    pub fn at_temperature(&self, t: f64) -> Material {
        Material { temperatures_k: vec![t], temperature_list: false, ..self.clone() }
    }
}
