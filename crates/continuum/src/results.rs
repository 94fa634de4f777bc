//! Typed, serde-serialisable results with units: effective stiffness (GPa), conductivity (W/m/K),
//! isotropic projections, local fields and their statistics, and provenance.

use crate::grid::Grid;
use crate::linalg;
use crate::material::Material;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Where a result came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// SHA-256 of the grid (dims + phase indices) and the phase table.
    pub input_hash: String,
    /// Seed of the microstructure generator, when known.
    pub seed: Option<u64>,
    /// `scalebridge-continuum` version.
    pub version: String,
    /// Solver name (`fft-galerkin-cg`, `fem-hex8-pcg`).
    pub solver: String,
    /// Relative residual tolerance of the iterative solver.
    pub tol: f64,
}

impl Provenance {
    pub(crate) fn new(grid: &Grid, materials: &[Material], solver: &str, tol: f64) -> Self {
        Provenance { input_hash: input_hash(grid, materials), seed: None, version: env!("CARGO_PKG_VERSION").to_string(), solver: solver.into(), tol }
    }
}

/// SHA-256 (hex) of a grid and its phase table.
pub fn input_hash(grid: &Grid, materials: &[Material]) -> String {
    let mut h = Sha256::new();
    for d in grid.dims() {
        h.update((d as u64).to_le_bytes());
    }
    for &p in grid.phases() {
        h.update(p.to_le_bytes());
    }
    for m in materials {
        for v in m.stiffness_gpa.iter().flatten().chain(m.conductivity_w_mk.iter().flatten()) {
            h.update(v.to_le_bytes());
        }
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Isotropic moduli, GPa (ν dimensionless).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct IsotropicModuli {
    #[serde(rename = "E_GPa")]
    pub e_gpa: f64,
    pub nu: f64,
    #[serde(rename = "K_GPa")]
    pub k_gpa: f64,
    #[serde(rename = "G_GPa")]
    pub g_gpa: f64,
}

impl IsotropicModuli {
    /// From bulk and shear moduli.
    pub fn from_k_g(k: f64, g: f64) -> Self {
        let e = 9.0 * k * g / (3.0 * k + g);
        let nu = (3.0 * k - 2.0 * g) / (2.0 * (3.0 * k + g));
        IsotropicModuli { e_gpa: e, nu, k_gpa: k, g_gpa: g }
    }

    /// Isotropic projection of a Voigt stiffness (orthogonal projection onto the isotropic
    /// tensors: K = C_iijj/9, G from the deviatoric trace), equal to the Voigt average of C.
    pub fn project(c: &[[f64; 6]; 6]) -> Self {
        let a = c[0][0] + c[1][1] + c[2][2];
        let b = c[0][1] + c[1][2] + c[0][2];
        let s = c[3][3] + c[4][4] + c[5][5];
        let k = (a + 2.0 * b) / 9.0;
        let g = (a - b + 3.0 * s) / 15.0;
        Self::from_k_g(k, g)
    }
}

/// Effective elastic properties from homogenisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ElasticResult {
    /// Effective stiffness, GPa, Voigt order xx yy zz yz xz xy (symmetrised).
    #[serde(rename = "C_GPa")]
    pub c_gpa: [[f64; 6]; 6],
    /// Isotropic projection of `c_gpa`.
    #[serde(flatten)]
    pub isotropic: IsotropicModuli,
    /// Largest relative asymmetry of the raw (unsymmetrised) stiffness: a solver-accuracy check.
    pub asymmetry: f64,
    /// CG iterations per load case.
    pub iterations: Vec<usize>,
    /// Final relative residual per load case.
    pub residuals: Vec<f64>,
    /// Grid dimensions.
    pub resolution: [usize; 3],
    /// Volume fraction of each phase.
    pub phase_fractions: Vec<f64>,
    /// Wall time of the solve, seconds.
    pub wall_time_s: f64,
    pub provenance: Provenance,
}

/// Effective thermal conductivity from homogenisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThermalResult {
    /// Effective conductivity tensor, W/m/K.
    #[serde(rename = "kappa_W_mK")]
    pub kappa_w_mk: [[f64; 3]; 3],
    /// One third of the trace, W/m/K.
    #[serde(rename = "kappa_iso_W_mK")]
    pub kappa_iso_w_mk: f64,
    pub iterations: Vec<usize>,
    pub residuals: Vec<f64>,
    pub resolution: [usize; 3],
    pub phase_fractions: Vec<f64>,
    pub wall_time_s: f64,
    pub provenance: Provenance,
}

/// Statistics of a scalar field (e.g. von Mises stress in GPa).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FieldStats {
    pub mean: f64,
    pub min: f64,
    pub max: f64,
    pub p50: f64,
    pub p90: f64,
    pub p95: f64,
    pub p99: f64,
}

impl FieldStats {
    /// Statistics of the values (NaN-free input expected; an empty slice gives zeros).
    pub fn of(values: &[f64]) -> Self {
        if values.is_empty() {
            return FieldStats { mean: 0.0, min: 0.0, max: 0.0, p50: 0.0, p90: 0.0, p95: 0.0, p99: 0.0 };
        }
        let mut v: Vec<f64> = values.to_vec();
        v.sort_by(|a, b| a.total_cmp(b));
        let q = |p: f64| {
            let x = p * (v.len() - 1) as f64;
            let lo = x.floor() as usize;
            let hi = (lo + 1).min(v.len() - 1);
            v[lo] + (x - lo as f64) * (v[hi] - v[lo])
        };
        FieldStats {
            mean: v.iter().sum::<f64>() / v.len() as f64,
            min: v[0],
            max: v[v.len() - 1],
            p50: q(0.5),
            p90: q(0.9),
            p95: q(0.95),
            p99: q(0.99),
        }
    }
}

/// Von Mises equivalent stress of a Voigt stress vector (same unit as the input).
pub fn von_mises(s: &[f64; 6]) -> f64 {
    (0.5 * ((s[0] - s[1]).powi(2) + (s[1] - s[2]).powi(2) + (s[2] - s[0]).powi(2)) + 3.0 * (s[3] * s[3] + s[4] * s[4] + s[5] * s[5])).sqrt()
}

/// Local elastic fields of one load case (per voxel or per element).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalFields {
    pub dims: [usize; 3],
    /// Strain tensor components (not engineering), Voigt order.
    pub strain: Vec<[f64; 6]>,
    /// Stress, GPa, Voigt order.
    pub stress_gpa: Vec<[f64; 6]>,
    /// Von Mises stress, GPa.
    pub von_mises_gpa: Vec<f64>,
    /// Statistics of the von Mises stress over the load-bearing voxels.
    pub von_mises_stats: FieldStats,
    /// Volume-averaged stress, GPa.
    pub mean_stress_gpa: [f64; 6],
    pub iterations: usize,
}

impl LocalFields {
    pub(crate) fn from_fields(dims: [usize; 3], strain: Vec<[f64; 6]>, stress_gpa: Vec<[f64; 6]>, solid: &[bool], iterations: usize) -> Self {
        let vm: Vec<f64> = stress_gpa.iter().map(von_mises).collect();
        let solid_vm: Vec<f64> = vm.iter().zip(solid).filter(|(_, s)| **s).map(|(v, _)| *v).collect();
        let mut mean = [0.0; 6];
        for s in &stress_gpa {
            for c in 0..6 {
                mean[c] += s[c];
            }
        }
        let n = stress_gpa.len().max(1) as f64;
        mean.iter_mut().for_each(|m| *m /= n);
        LocalFields { dims, strain, stress_gpa, von_mises_stats: FieldStats::of(&solid_vm), von_mises_gpa: vm, mean_stress_gpa: mean, iterations }
    }
}

/// Local thermal fields of one load case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThermalFields {
    pub dims: [usize; 3],
    /// Temperature gradient, K/m.
    pub gradient_k_m: Vec<[f64; 3]>,
    /// Heat flux q = -κ∇T, W/m².
    pub flux_w_m2: Vec<[f64; 3]>,
    /// Statistics of |q|.
    pub flux_magnitude_stats: FieldStats,
    pub iterations: usize,
}

pub(crate) fn finish_stiffness(raw: [[f64; 6]; 6]) -> ([[f64; 6]; 6], f64) {
    let asym = linalg::max_asymmetry(&raw);
    let mut c = raw;
    linalg::symmetrize(&mut c);
    (c, asym)
}
