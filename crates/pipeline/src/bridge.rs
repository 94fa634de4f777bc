//! The bridge residual: how well the continuum description built from MD reproduces MD.
//!
//! **(a) Single crystal.** The MD cell (the same one the elastic protocol used, relaxed to zero
//! stress) is strained homogeneously, `F = I + ε` (symmetric ε, Voigt order xx yy zz yz xz xy
//! with engineering shears), its atoms relaxed at fixed cell, and its virial stress
//! `σ_md = −W/V` (tension positive, minus the reference stress) compared with `σ_C = C ε` from
//! the MD-derived stiffness: `L = ‖σ_md − σ_C‖ / ‖σ_C‖` (tensor norms, shear components counted
//! twice). The strains include ones larger than the elastic protocol's 0.1 %, so `L` grows with
//! the strain as the non-linear (third-order) response appears. `L_bridge_single_crystal` is
//! the largest `L` over the strains of at most 0.5 %; every strain is reported as a part.

use crate::error::Result;
use scalebridge_core::voigt::Stiffness;
use scalebridge_md::cell::Mat3;
use scalebridge_md::evaluator::{Evaluator, DEFAULT_SKIN};
use scalebridge_md::minimize::{relax, CellDof, CellRelax, MinimizeOptions};
use scalebridge_md::potentials::{Potential, Request};
use scalebridge_md::structure::Structure;
use scalebridge_md::units::EV_PER_A3_IN_GPA;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Strains at or below this size (largest component) make up `L_bridge_single_crystal`.
pub const SMALL_STRAIN: f64 = 0.005;

/// The homogeneous strains (Voigt, engineering shears) of the single-crystal residual.
pub fn strains() -> Vec<[f64; 6]> {
    vec![
        [0.001, 0.0, 0.0, 0.0, 0.0, 0.0],
        [0.005, 0.0, 0.0, 0.0, 0.0, 0.0],
        [-0.005, 0.0, 0.0, 0.0, 0.0, 0.0],
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.005],
        [0.0, 0.0, 0.0, 0.005, 0.0, 0.0],
        [0.003, -0.002, 0.001, 0.002, -0.001, 0.003],
        [0.02, 0.0, 0.0, 0.0, 0.0, 0.0],
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.02],
        [0.01, 0.01, 0.01, 0.0, 0.0, 0.0],
    ]
}

/// One strain of the residual.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResidualPart {
    pub phase: String,
    /// Strain, Voigt order, engineering shears.
    pub strain: [f64; 6],
    /// Largest |component| of the strain.
    pub max_strain: f64,
    /// Virial stress of the relaxed strained cell minus that of the reference, GPa.
    #[serde(rename = "sigma_md_GPa")]
    pub sigma_md_gpa: [f64; 6],
    /// `C ε`, GPa.
    #[serde(rename = "sigma_C_GPa")]
    pub sigma_c_gpa: [f64; 6],
    /// ‖σ_md − Cε‖ / ‖Cε‖.
    #[serde(rename = "L")]
    pub l: f64,
}

/// A residual: its value (dimensionless) and parts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Residual {
    pub value: f64,
    pub unit: String,
    /// What the value is.
    pub definition: String,
    pub parts: Vec<ResidualPart>,
}

fn tensor_norm(s: &[f64; 6]) -> f64 {
    (s[0] * s[0] + s[1] * s[1] + s[2] * s[2] + 2.0 * (s[3] * s[3] + s[4] * s[4] + s[5] * s[5])).sqrt()
}

fn deformation(e: &[f64; 6]) -> Mat3 {
    [[1.0 + e[0], 0.5 * e[5], 0.5 * e[4]], [0.5 * e[5], 1.0 + e[1], 0.5 * e[3]], [0.5 * e[4], 0.5 * e[3], 1.0 + e[2]]]
}

fn stress(eval: &mut Evaluator, s: &Structure) -> Result<[f64; 6]> {
    eval.request = Request::global();
    let out = eval.compute(s)?;
    let v = s.cell.volume();
    Ok(out.virial.map(|w| -w / v * EV_PER_A3_IN_GPA))
}

/// The parts of the single-crystal residual of `structure` (phase `phase`) with stiffness `c`.
pub fn single_crystal_parts(phase: &str, structure: &Structure, potential: Arc<dyn Potential>, c: &Stiffness, threads: usize) -> Result<Vec<ResidualPart>> {
    let mut eval = Evaluator::new(potential, DEFAULT_SKIN, threads)?;
    let mut reference = structure.clone();
    let cell_relax = MinimizeOptions {
        fmax: 1e-6,
        stress_tol: 1e-5 / EV_PER_A3_IN_GPA,
        max_iter: 20000,
        cell: Some(CellRelax { dof: CellDof::Tri, target: [0.0; 6], cell_factor: None }),
        ..MinimizeOptions::default()
    };
    relax(&mut reference, &mut eval, &cell_relax)?;
    let fixed = MinimizeOptions { fmax: 1e-6, max_iter: 20000, cell: None, ..MinimizeOptions::default() };
    let s0 = stress(&mut eval, &reference)?;
    let mut parts = Vec::new();
    for e in strains() {
        let mut s = reference.deformed(&deformation(&e))?;
        relax(&mut s, &mut eval, &fixed)?;
        let sig = stress(&mut eval, &s)?;
        let md: [f64; 6] = std::array::from_fn(|k| sig[k] - s0[k]);
        let ce: [f64; 6] = std::array::from_fn(|i| (0..6).map(|j| c[i][j] * e[j]).sum());
        let diff: [f64; 6] = std::array::from_fn(|k| md[k] - ce[k]);
        let l = tensor_norm(&diff) / tensor_norm(&ce);
        parts.push(ResidualPart { phase: phase.to_string(), strain: e, max_strain: e.iter().fold(0.0f64, |m, v| m.max(v.abs())), sigma_md_gpa: md, sigma_c_gpa: ce, l });
    }
    Ok(parts)
}

/// `L_bridge_single_crystal` from the parts of every phase.
pub fn single_crystal_residual(parts: Vec<ResidualPart>) -> Residual {
    let value = parts.iter().filter(|p| p.max_strain <= SMALL_STRAIN + 1e-12).fold(0.0f64, |m, p| m.max(p.l));
    Residual {
        value,
        unit: "1".into(),
        definition: format!("max over strains ≤ {SMALL_STRAIN} of ‖σ_md − Cε‖/‖Cε‖ (homogeneous strain of the relaxed MD cell, atoms relaxed, 0 K static C)"),
        parts,
    }
}
