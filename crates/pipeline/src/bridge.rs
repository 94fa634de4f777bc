//! The bridge residual: how well the continuum description built from MD reproduces MD.
//!
//! **(a) Single crystal.** The MD cell (the same one the elastic protocol used, relaxed to zero
//! stress) is strained homogeneously, `F = I + ε` (symmetric ε, Voigt order xx yy zz yz xz xy
//! with engineering shears), its atoms relaxed at fixed cell, and its virial stress
//! `σ_md = −W/V` (tension positive, minus the reference stress) compared with `σ_C = C ε` from
//! the MD-derived stiffness: `L = ‖σ_md − σ_C‖ / ‖σ_C‖` (tensor norms, shear components counted
//! twice).
//!
//! The stress of every strain is measured as a **symmetric pair**: the MD stress is
//! `σ_md = (σ(+ε) − σ(−ε)) / 2`, the central difference, so every even-order term (the
//! second-order stress of the third-order elastic constants, and the finite-strain difference
//! between Cauchy stress and small strain, both quadratic in ε) cancels and `L` measures the
//! linear bridge `σ = Cε` it is meant to, up to O(ε²) fourth-order terms. The one-sided
//! residual `σ(+ε) − σ(0)` against `Cε` is reported next to it (`L_one_sided`, and the largest
//! one at ≤ 0.5 % as the residual's `nonlinear`): it is the non-linear response the linear
//! continuum leaves out, which grows with the strain. The strains include ones larger than the
//! elastic protocol's. `L_bridge_single_crystal` is the largest central `L` over the strains of
//! at most 0.5 %; its resolution (`floor`) is the stress tolerance of the relaxations relative to
//! the smallest `‖Cε‖`.

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
        [0.0, 0.005, 0.0, 0.0, 0.0, 0.0],
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
    /// MD stress of the strain, GPa: the central difference `(σ(+ε) − σ(−ε))/2` of the relaxed
    /// cells' virial stresses (single crystal), or `σ(ε) − σ(0)` (polycrystal).
    #[serde(rename = "sigma_md_GPa")]
    pub sigma_md_gpa: [f64; 6],
    /// One-sided `σ(+ε) − σ(0)`, GPa (single crystal; includes the non-linear response).
    #[serde(rename = "sigma_md_one_sided_GPa", default, skip_serializing_if = "Option::is_none")]
    pub sigma_md_one_sided_gpa: Option<[f64; 6]>,
    /// ‖σ(+ε) − σ(0) − Cε‖ / ‖Cε‖ (single crystal).
    #[serde(rename = "L_one_sided", default, skip_serializing_if = "Option::is_none")]
    pub l_one_sided: Option<f64>,
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
    /// Resolution of the value (relative): the relaxations' stress tolerance over the smallest ‖Cε‖.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floor: Option<f64>,
    /// Largest one-sided residual at ≤ 0.5 % strain: the non-linear response the linear bridge leaves out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonlinear: Option<f64>,
    pub parts: Vec<ResidualPart>,
}

/// Stress tolerance of the relaxations of the single-crystal residual at [`FMAX`], GPa (scaled
/// with a looser `fmax` by the static elastic protocol's rule; the reported `floor` is this one's).
pub const STRESS_TOL_GPA: f64 = scalebridge_protocols::elastic::STATIC_STRESS_TOL_GPA;

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

/// Residual force, eV/Å, of the relaxations of the single-crystal residual (the static elastic
/// protocol's default).
pub const FMAX: f64 = scalebridge_protocols::elastic::STATIC_FMAX;

/// The parts of the single-crystal residual of `structure` (phase `phase`) with stiffness `c`,
/// every relaxation to a residual force `fmax` (eV/Å; [`FMAX`] unless a preset says otherwise).
pub fn single_crystal_parts(phase: &str, structure: &Structure, potential: Arc<dyn Potential>, c: &Stiffness, threads: usize, fmax: f64) -> Result<Vec<ResidualPart>> {
    let mut eval = Evaluator::new(potential, DEFAULT_SKIN, threads)?;
    let mut reference = structure.clone();
    let cell_relax = MinimizeOptions {
        fmax,
        stress_tol: scalebridge_protocols::elastic::static_stress_tol_gpa(fmax) / EV_PER_A3_IN_GPA,
        max_iter: 20000,
        cell: Some(CellRelax { dof: CellDof::Tri, target: [0.0; 6], cell_factor: None }),
        ..MinimizeOptions::default()
    };
    relax(&mut reference, &mut eval, &cell_relax)?;
    let fixed = MinimizeOptions { fmax, max_iter: 20000, cell: None, ..MinimizeOptions::default() };
    let s0 = stress(&mut eval, &reference)?;
    let mut strained = |e: &[f64; 6]| -> Result<[f64; 6]> {
        let mut s = reference.deformed(&deformation(e))?;
        relax(&mut s, &mut eval, &fixed)?;
        stress(&mut eval, &s)
    };
    let mut parts = Vec::new();
    for e in strains() {
        let plus = strained(&e)?;
        let minus = strained(&e.map(|x| -x))?;
        let central: [f64; 6] = std::array::from_fn(|k| 0.5 * (plus[k] - minus[k]));
        let one_sided: [f64; 6] = std::array::from_fn(|k| plus[k] - s0[k]);
        parts.push(part(phase, e, central, Some(one_sided), c));
    }
    Ok(parts)
}

/// The residual part of strain `e` with MD stress `md` (and the one-sided stress) against `c ε`.
pub fn part(phase: &str, e: [f64; 6], md: [f64; 6], one_sided: Option<[f64; 6]>, c: &Stiffness) -> ResidualPart {
    let ce: [f64; 6] = std::array::from_fn(|i| (0..6).map(|j| c[i][j] * e[j]).sum());
    let rel = |s: &[f64; 6]| tensor_norm(&std::array::from_fn(|k| s[k] - ce[k])) / tensor_norm(&ce);
    ResidualPart {
        phase: phase.to_string(),
        strain: e,
        max_strain: e.iter().fold(0.0f64, |m, v| m.max(v.abs())),
        sigma_md_gpa: md,
        sigma_c_gpa: ce,
        l: rel(&md),
        l_one_sided: one_sided.as_ref().map(rel),
        sigma_md_one_sided_gpa: one_sided,
    }
}

/// `L_bridge_single_crystal` from the parts of every phase.
pub fn single_crystal_residual(parts: Vec<ResidualPart>) -> Residual {
    let small = || parts.iter().filter(|p| p.max_strain <= SMALL_STRAIN + 1e-12);
    let value = small().fold(0.0f64, |m, p| m.max(p.l));
    let nonlinear = small().filter_map(|p| p.l_one_sided).reduce(f64::max);
    let floor = small().map(|p| STRESS_TOL_GPA / tensor_norm(&p.sigma_c_gpa)).reduce(f64::max);
    Residual {
        value,
        unit: "1".into(),
        definition: format!(
            "max over strains ≤ {SMALL_STRAIN} of ‖σ_md − Cε‖/‖Cε‖ with σ_md = (σ(+ε) − σ(−ε))/2 (symmetric pair of homogeneous strains of the relaxed MD cell, atoms relaxed; even-order terms cancel), 0 K static C; `nonlinear`: the same with the one-sided σ(+ε) − σ(0)"
        ),
        floor,
        nonlinear,
        parts,
    }
}
