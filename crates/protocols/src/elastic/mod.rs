//! Elastic constants: the full 6×6 stiffness `C_pq` (Voigt order xx yy zz yz xz xy, GPa) of any
//! crystal, at 0 K and at finite temperature, and the moduli derived from it.
//!
//! **0 K** ([`static_constants`]): relax the structure (atoms and cell to the target pressure),
//! then for every Voigt component `q` apply the symmetric strains `±δ` and `±2δ`
//! (`F = I + ε`, shear components as engineering strains), relax the atoms at fixed cell (internal
//! relaxation, needed for hcp and any basis) and take the static stress `σ = −W/V` (tension
//! positive). The central difference
//! `C_pq = [σ_p(+δ) − σ_p(−δ)] / 2δ`
//! is LAMMPS `examples/ELASTIC`'s protocol. The `±2δ` estimate checks linearity: when the two
//! differ by more than `linearity_tol` the result carries a warning (strains above 5 % are
//! refused outright).
//!
//! **Finite temperature** ([`thermal_constants`]): NPT (MTK, triclinic coupling) equilibration
//! at `T` and `P`, the time-averaged cell as reference, then for every `q` and sign an NVT
//! (Nosé–Hoover) run at the strained cell that averages the full stress tensor, kinetic part
//! included. The `+δ` and `−δ` runs start from the same velocities, so much of their noise
//! cancels in the difference. Standard errors come from block averages and propagate to `C`.
//!
//! **Derived** ([`Moduli`]): Voigt, Reuss and Hill bulk and shear moduli, Young's modulus and
//! Poisson ratio (Hill), Pugh ratio G/B, Zener anisotropy `2C44/(C11−C12)`, the universal
//! anisotropy index `5G_V/G_R + B_V/B_R − 6`, the Born stability check (C positive definite) and
//! the Debye temperature from the mean sound velocity,
//! `Θ_D = (h/k_B) (3n/4π)^{1/3} v_m`, `3/v_m³ = 2/v_t³ + 1/v_l³`, `v_l² = (B + 4G/3)/ρ`,
//! `v_t² = G/ρ`. Standard errors of the derived moduli are propagated by sampling `C` within its
//! errors (fixed seed, deterministic).

use scalebridge_md::cell::{voigt_deformation, Mat3};
use scalebridge_md::error::{Error, Result};
use scalebridge_md::evaluator::{Evaluator, DEFAULT_SKIN};
use scalebridge_md::minimize::{CellDof, CellRelax, MinimizeOptions};
use scalebridge_md::minimize::relax;
use scalebridge_md::potentials::{Potential, Request};
use crate::md_run::{DenyUnknownKeys, MdRunOptions, WithMdRun};
use crate::report::{run_steps, Progress, Provenance, Quantity, Series, StageCache};
use scalebridge_core::stats::block_mean_stderr;
use scalebridge_md::simulation::Simulation;
use scalebridge_md::structure::Structure;
use scalebridge_md::units::EV_PER_A3_IN_GPA;
use rand::SeedableRng;
use rand_distr::{Distribution, Normal};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

mod finite_temperature;
mod moduli;
mod options;
mod zero_kelvin;

pub use finite_temperature::thermal_constants;
pub use moduli::{derived_moduli, eigenvalues6, invert6};
pub use options::ElasticOptions;
pub use zero_kelvin::static_constants;

/// Voigt labels.
pub const VOIGT_LABELS: [&str; 6] = ["xx", "yy", "zz", "yz", "xz", "xy"];

/// Options of the 0 K protocol.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StaticOptions {
    /// Strain amplitude δ (dimensionless; shear as engineering strain).
    pub strain: f64,
    /// Relax atoms and cell (all six components) to `pressure_gpa` before straining.
    pub relax_cell: bool,
    /// Target pressure of the reference state, GPa (compression positive).
    pub pressure_gpa: f64,
    /// Force tolerance of every relaxation, eV/Å. The reference cell's stress tolerance goes
    /// with it: 1e-5 GPa at the default 1e-6 eV/Å, `10·fmax` GPa·Å/eV for a looser `fmax`
    /// ([`static_stress_tol_gpa`]).
    pub fmax: f64,
    /// Largest relative difference between the ±δ and ±2δ estimates of a diagonal or large
    /// constant before the result warns that the strain is outside the linear range.
    pub linearity_tol: f64,
    /// Worker threads (0 = all cores).
    pub threads: usize,
}

/// Default force tolerance of the 0 K relaxations, eV/Å.
pub const STATIC_FMAX: f64 = 1e-6;
/// Stress tolerance of a cell relaxation at [`STATIC_FMAX`], GPa.
pub const STATIC_STRESS_TOL_GPA: f64 = 1e-5;

/// Stress tolerance, GPa, of a 0 K cell relaxation to a residual force `fmax` (eV/Å):
/// [`STATIC_STRESS_TOL_GPA`] at [`STATIC_FMAX`] and below, scaled with a looser `fmax` (a
/// potential whose forces stall above 1e-6 eV/Å, e.g. PPPM at 1e-4 whose real-space pairs jump
/// at the cutoff, stalls the stress in proportion). The static protocol and the pipeline's
/// bridge residual both use it.
pub fn static_stress_tol_gpa(fmax: f64) -> f64 {
    STATIC_STRESS_TOL_GPA * (fmax / STATIC_FMAX).max(1.0)
}

impl Default for StaticOptions {
    fn default() -> Self {
        StaticOptions { strain: 1e-3, relax_cell: true, pressure_gpa: 0.0, fmax: STATIC_FMAX, linearity_tol: 0.01, threads: 0 }
    }
}

/// The 0 K protocol runs no MD: nothing to resolve.
impl crate::md_run::Resolve for StaticOptions {}

/// Run lengths of the finite-temperature protocol (flattened into [`ThermalOptions`] and
/// [`ElasticOptions`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StressSampling {
    /// NPT equilibration steps; the cell is averaged over the second half.
    pub npt_steps: u64,
    /// NVT production steps at every strain.
    pub production_steps: u64,
    /// Stress sampling interval, steps.
    pub sample_every: u64,
    /// Blocks for the standard errors.
    pub blocks: usize,
}

impl Default for StressSampling {
    fn default() -> Self {
        StressSampling { npt_steps: 5000, production_steps: 3000, sample_every: 5, blocks: 10 }
    }
}

/// Options of the finite-temperature protocol. The shared MD block ([`MdRunOptions`]:
/// `timestep`, `thermostat`, `thermostat_damping` (alias `damping`), `pressure_damping`,
/// `skin`, `seed`, `threads`, `equilibration_steps`: NVT steps at every strain, discarded) and
/// [`StressSampling`] are flattened into the same JSON object.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ThermalOptions {
    /// Temperature, K.
    pub temperature: f64,
    /// Pressure of the reference state, GPa.
    pub pressure_gpa: f64,
    /// Strain amplitude δ (a few 10⁻³ to 10⁻²: large enough to beat the stress noise).
    pub strain: f64,
    #[serde(flatten)]
    pub sampling: StressSampling,
    /// The shared MD-run block.
    #[serde(flatten)]
    pub md: MdRunOptions,
    #[serde(flatten)]
    pub unknown: DenyUnknownKeys,
}

/// The finite-temperature elastic protocol's defaults of the shared MD block.
pub const ELASTIC_MD: MdRunOptions = MdRunOptions {
    timestep: Some(0.002),
    thermostat: Some(crate::md_run::Thermostat::NoseHoover),
    thermostat_damping: Some(0.1),
    pressure_damping: Some(1.0),
    skin: Some(DEFAULT_SKIN),
    seed: Some(1),
    threads: Some(0),
    equilibration_steps: Some(500),
};
crate::with_md_run!(ThermalOptions, ELASTIC_MD);

impl Default for ThermalOptions {
    fn default() -> Self {
        ThermalOptions {
            temperature: 300.0,
            pressure_gpa: 0.0,
            strain: 0.01,
            sampling: StressSampling::default(),
            md: ELASTIC_MD,
            unknown: DenyUnknownKeys,
        }
    }
}

/// Moduli derived from a stiffness matrix (values in GPa unless noted).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Moduli {
    pub quantities: BTreeMap<String, Quantity>,
    /// Eigenvalues of C (GPa); all positive ⇔ Born-stable.
    pub eigenvalues_gpa: Vec<f64>,
    pub born_stable: bool,
}

/// Result of an elastic-constant protocol.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ElasticResult {
    /// Stiffness, GPa, Voigt order, symmetrised.
    #[serde(rename = "C_GPa")]
    pub c_gpa: [[f64; 6]; 6],
    /// Standard error of every C_pq, GPa (finite temperature only).
    #[serde(rename = "C_stderr_GPa")]
    pub c_stderr_gpa: Option<[[f64; 6]; 6]>,
    /// Compliance S = C⁻¹, 1/GPa.
    #[serde(rename = "S_per_GPa")]
    pub s_per_gpa: Option<[[f64; 6]; 6]>,
    /// Derived moduli and checks.
    pub moduli: Moduli,
    /// Temperature (K), volume per atom (Å³), density (g/cm³), cohesive energy (eV/atom, 0 K).
    pub state: BTreeMap<String, Quantity>,
    /// Reference cell (rows, Å).
    pub cell: Mat3,
    /// Largest |C_pq − C_qp| before symmetrisation, GPa.
    pub asymmetry_gpa: f64,
    pub warnings: Vec<String>,
    /// Stress–strain curves σ_q(ε_q), GPa; at finite temperature also the time series of the NPT
    /// reference run (`npt_pressure`, `npt_stress_xy` in GPa, `npt_potential_energy` in eV/atom,
    /// `npt_volume` in Å^3/atom, against time in ps).
    pub series: Vec<Series>,
    pub provenance: Provenance,
}

fn gpa(p: f64) -> f64 {
    p * EV_PER_A3_IN_GPA
}

/// Static stress σ = −W/V in GPa (tension positive) of the last evaluation.
fn static_stress(virial: &[f64; 6], volume: f64) -> [f64; 6] {
    let mut s = [0.0; 6];
    for k in 0..6 {
        s[k] = -gpa(virial[k] / volume);
    }
    s
}

/// Energy of one isolated atom of every species of `s` (eV, in `s.species` order): a single atom
/// (with that species' mass in `s`) in a cubic box wider than twice the cutoff.
pub fn isolated_atom_energies(potential: &Arc<dyn Potential>, s: &Structure) -> Result<Vec<f64>> {
    let l = 2.0 * potential.cutoff() + 2.0 * DEFAULT_SKIN + 1.0;
    let mut ev = Evaluator::new(potential.clone(), DEFAULT_SKIN, 1)?;
    s.species
        .iter()
        .zip(species_masses(s))
        .map(|(sp, m)| {
            let one = Structure::from_symbols(scalebridge_md::cell::Cell::orthorhombic(l, l, l)?, vec![[0.0; 3]], std::slice::from_ref(sp), Some(vec![m]))?;
            Ok(ev.compute_all(&one)?.energy)
        })
        .collect()
}

fn check_strain(strain: f64) -> Result<()> {
    if !(strain.is_finite() && strain > 0.0) {
        return Err(Error::invalid("strain", strain, "must be a positive number"));
    }
    if strain > 0.05 {
        return Err(Error::invalid("strain", strain, "is too large for linear elasticity (use ≤ 0.05, typically 1e-3 at 0 K, 1e-2 at finite T)"));
    }
    Ok(())
}

/// Mass of the first atom of every species (amu), in `s.species` order.
fn species_masses(s: &Structure) -> Vec<f64> {
    (0..s.species.len()).map(|t| s.types.iter().position(|&x| x == t).map_or(1.0, |i| s.masses[i])).collect()
}

/// Symmetrise, derive moduli and assemble the result.
fn finish(
    c: [[f64; 6]; 6],
    err: Option<[[f64; 6]; 6]>,
    reference: &Structure,
    mut state: BTreeMap<String, Quantity>,
    mut warnings: Vec<String>,
    series: Vec<Series>,
    provenance: Provenance,
) -> Result<ElasticResult> {
    let mut cs = [[0.0; 6]; 6];
    let mut asym = 0.0f64;
    let scale = c.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()));
    // asymmetry beyond statistics: 4 combined standard errors plus 1 % of the largest constant
    // (finite T: residual pre-stress), or 0.1 % at 0 K
    let mut excess = 0.0f64;
    for i in 0..6 {
        for j in 0..6 {
            cs[i][j] = 0.5 * (c[i][j] + c[j][i]);
            let d = (c[i][j] - c[j][i]).abs();
            asym = asym.max(d);
            let tol = match &err {
                Some(e) => 4.0 * (e[i][j].powi(2) + e[j][i].powi(2)).sqrt() + 0.01 * scale,
                None => 1e-3 * scale.max(1.0),
            };
            excess = excess.max(d - tol);
        }
    }
    let es = err.map(|e| {
        let mut o = [[0.0; 6]; 6];
        for i in 0..6 {
            for j in 0..6 {
                o[i][j] = 0.5 * (e[i][j].powi(2) + e[j][i].powi(2)).sqrt();
            }
        }
        o
    });
    if excess > 0.0 {
        warnings.push(format!("C is not symmetric: max |C_pq − C_qp| = {asym:.3} GPa (residual stress or unconverged relaxation?)"));
    }
    let n = reference.len() as f64;
    let volume = reference.cell.volume();
    let mass: f64 = reference.masses.iter().sum();
    // amu/Å³ → g/cm³
    let density = mass / volume * scalebridge_md::units::AMU_PER_A3_IN_G_PER_CM3;
    state.insert("volume_per_atom".into(), Quantity::exact(volume / n, "Å^3/atom"));
    state.insert("density".into(), Quantity::exact(density, "g/cm^3"));
    let moduli = derived_moduli(&cs, es.as_ref(), density, n / volume)?;
    if !moduli.born_stable {
        warnings.push(format!("Born stability violated: C has non-positive eigenvalues {:?} GPa", moduli.eigenvalues_gpa));
    }
    let s = invert6(&cs);
    Ok(ElasticResult {
        c_gpa: cs,
        c_stderr_gpa: es,
        s_per_gpa: s,
        moduli,
        state,
        cell: *reference.cell.matrix(),
        asymmetry_gpa: asym,
        warnings,
        series,
        provenance,
    })
}
