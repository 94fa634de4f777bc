//! Typed, serde-serialisable results with units: effective stiffness (GPa), conductivity (W/m/K),
//! isotropic projections, local fields and their statistics, and provenance.

use crate::grid::Grid;
use crate::linalg;
use crate::material::Material;
pub use scalebridge_core::provenance::SolverRun;
pub use scalebridge_core::voigt::IsotropicModuli;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Where a result came from: the core's provenance of a solve (input hash, generator seed,
/// version, solver, tolerance).
pub type Provenance = scalebridge_core::Provenance<SolverRun>;

/// Provenance of `solver` (tolerance `tol`) run on `grid` with `materials`.
pub(crate) fn provenance(grid: &Grid, materials: &[Material], solver: &str, tol: f64) -> Provenance {
    Provenance::solver(input_hash(grid, materials), solver, tol, env!("CARGO_PKG_VERSION"))
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
