//! Results of the melting protocol: the coexistence runs, the ramps and the final result.

use super::*;

/// One coexistence run (NPT trial or NPH).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CoexistenceRun {
    /// `"npt"` or `"nph"`.
    pub kind: String,
    /// Thermostat temperature (npt) or starting temperature (nph), K.
    pub temperature_k: f64,
    /// Mean kinetic temperature over the run (second half for nph), K.
    pub mean_temperature_k: f64,
    /// Slope of the solid fraction, 1/ps, and its standard error.
    pub slope_per_ps: f64,
    pub slope_stderr: f64,
    /// `"solidifies"` (slope > 2σ, T < T_m), `"melts"` (slope < −2σ, T > T_m) or `"undetermined"`.
    pub outcome: String,
    /// Sample times (ps from the start of the run), solid fraction, kinetic temperature (K) and
    /// box length along z (Å) at each sample.
    pub time_ps: Vec<f64>,
    pub solid_fraction: Vec<f64>,
    pub temperature: Vec<f64>,
    pub lz: Vec<f64>,
}

/// A hysteresis limit from a temperature ramp.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RampResult {
    /// Target temperature when the solid fraction crossed ½, K (`None` if it never did).
    pub crossing_k: Option<f64>,
    /// Ramp start and end, K, and rate, K/ps.
    pub from_k: f64,
    pub to_k: f64,
    pub rate_k_per_ps: f64,
    /// Target temperature and solid fraction at each sample.
    pub temperature: Vec<f64>,
    pub solid_fraction: Vec<f64>,
}

/// Result of [`melting_temperature`].
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MeltingResult {
    /// Melting temperature at the target pressure, K, with its standard error.
    pub melting_temperature: Quantity,
    /// Which estimator gave it: `"nph"`, `"interpolated"` or `"bracket"`.
    pub estimator: String,
    /// Temperatures bracketing `T_m` from the NPT runs, K (solid grows at the lower, melts at
    /// the upper).
    pub bracket_k: [f64; 2],
    /// NPH coexistence temperature, K.
    pub t_m_nph: Option<Quantity>,
    /// Zero of the linear fit of the solid-fraction slope against temperature, K.
    pub t_m_interpolated: Option<Quantity>,
    /// Superheating limit `T₊` and supercooling limit `T₋` (K) from the ramps.
    pub superheating_k: Option<Quantity>,
    pub supercooling_k: Option<Quantity>,
    pub heating_ramp: Option<RampResult>,
    pub cooling_ramp: Option<RampResult>,
    /// Every coexistence run in the order they were made.
    pub runs: Vec<CoexistenceRun>,
    /// Target pressure, GPa.
    pub pressure: Quantity,
    pub n_atoms: usize,
    /// Time step used, ps.
    pub timestep_ps: f64,
    /// Box lengths of the equilibrated crystal at `T₀`, Å.
    pub solid_box: [f64; 3],
    /// Volume per atom of the equilibrated crystal at `T₀`, Å³.
    pub solid_volume_per_atom: f64,
    pub series: Vec<Series>,
    pub warnings: Vec<String>,
    pub provenance: Provenance,
    /// The hysteresis run that found the guess when none was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bracket_search: Option<BracketSearch>,
}
