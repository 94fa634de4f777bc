//! The JSON document `describe` returns (see `docs/pipeline.md`).

use crate::bridge::Residual;
use crate::homogenise::Effective;
use crate::stages::StageRecord;
use scalebridge_core::voigt::{IsotropicModuli, Stiffness};
use serde::{Deserialize, Serialize};

/// A reported scalar: value, standard error (null when it has none), unit, the scale it comes
/// from and which calculation gave it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Property {
    pub value: f64,
    pub stderr: Option<f64>,
    pub unit: String,
    pub scale: String,
    pub source: String,
}

/// The effective stiffness matrix as a reported property.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MatrixProperty {
    pub value: Stiffness,
    pub stderr: Option<Stiffness>,
    pub unit: String,
    pub scale: String,
    pub source: String,
}

/// The material's properties.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Properties {
    #[serde(rename = "E_GPa")]
    pub e_gpa: Property,
    pub nu: Property,
    #[serde(rename = "K_GPa")]
    pub k_gpa: Property,
    #[serde(rename = "G_GPa")]
    pub g_gpa: Property,
    /// Left out at 0 K, or when a phase has no conductivity.
    #[serde(rename = "kappa_W_mK", skip_serializing_if = "Option::is_none", default)]
    pub kappa_w_mk: Option<Property>,
    /// Left out at 0 K, or when no phase has a transition temperature.
    #[serde(rename = "T_transition_K", skip_serializing_if = "Option::is_none", default)]
    pub t_transition_k: Option<Property>,
    #[serde(rename = "C_GPa")]
    pub c_gpa: MatrixProperty,
}

/// A 6×6 matrix with its standard errors.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MatrixValue {
    pub value: Stiffness,
    pub stderr: Option<Stiffness>,
}

/// Isotropic averages of one phase's single-crystal C (the bounds of its polycrystal).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bounds {
    pub voigt: IsotropicModuli,
    pub reuss: IsotropicModuli,
    pub hill: IsotropicModuli,
    /// Hershey–Kröner self-consistent estimate (cubic crystals only).
    pub self_consistent: Option<IsotropicModuli>,
}

/// One phase of the description.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PhaseDescription {
    pub name: String,
    pub fraction: f64,
    /// `"md"` (atomistic protocols) or `"measured"` (continuum-only).
    pub source: String,
    /// Single-crystal stiffness at the material's temperature, GPa.
    #[serde(rename = "C_GPa")]
    pub c_gpa: MatrixValue,
    /// The 0 K static stiffness (atomistic phases), GPa.
    #[serde(rename = "C0_GPa", skip_serializing_if = "Option::is_none", default)]
    pub c0_gpa: Option<Stiffness>,
    pub bounds: Option<Bounds>,
    #[serde(rename = "kappa_W_mK", skip_serializing_if = "Option::is_none", default)]
    pub kappa_w_mk: Option<Property>,
    #[serde(rename = "T_melt_K", skip_serializing_if = "Option::is_none", default)]
    pub t_melt_k: Option<Property>,
    /// Atoms of the bulk MD cell.
    pub n_atoms: Option<usize>,
    pub warnings: Vec<String>,
}

/// The bridge residuals.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bridge {
    /// Left out when no phase is atomistic.
    #[serde(rename = "L_bridge_single_crystal", skip_serializing_if = "Option::is_none", default)]
    pub l_single_crystal: Option<Residual>,
    /// Left out (with `L_bridge_polycrystal_reason`) where the atomistic twin cannot be built.
    #[serde(rename = "L_bridge_polycrystal", skip_serializing_if = "Option::is_none", default)]
    pub l_polycrystal: Option<Residual>,
    /// The atomistic polycrystal of `L_bridge_polycrystal`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub polycrystal: Option<crate::polycrystal::PolycrystalInfo>,
    #[serde(rename = "L_bridge_polycrystal_reason", skip_serializing_if = "Option::is_none", default)]
    pub l_polycrystal_reason: Option<String>,
}

/// One feature of the feature table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Feature {
    pub name: String,
    pub value: f64,
    /// `"1"` for dimensionless.
    pub unit: String,
    /// composition | atomistic | mesoscale | continuum | physics
    pub scale: String,
}

/// Where a description came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DescriptionProvenance {
    pub version: String,
    /// SHA-256 of the validated material description (this temperature).
    pub material_hash: String,
    /// `"quick"` or `"full"`.
    pub preset: String,
    /// How the MD standard errors reach the effective properties.
    pub uncertainty: String,
    pub homogenisation: Effective,
    /// Every stage, in order, and whether it was read from the store.
    pub stages: Vec<StageRecord>,
    /// Atomistic stages computed in this call (0 when everything came from the store).
    pub atomistic_stages_run: usize,
    pub wall_time_s: f64,
    /// CPU time (user + system, every thread of the process) during this description, s; on a
    /// shared machine `cpu_time_s / wall_time_s` is the share of cores it got (see
    /// [`StageRecord::cpu_s`] for what concurrent describes in one process do to it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_time_s: Option<f64>,
}

/// The description of a material at one temperature.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Description {
    pub name: String,
    pub class: String,
    #[serde(rename = "temperature_K")]
    pub temperature_k: f64,
    pub properties: Properties,
    pub phases: Vec<PhaseDescription>,
    pub bridge: Bridge,
    pub features: Vec<Feature>,
    pub warnings: Vec<String>,
    pub provenance: DescriptionProvenance,
}
