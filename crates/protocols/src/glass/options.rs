//! Options of the melt–quench and glass-transition protocols and their validation.

use crate::md_run::{DenyUnknownKeys, MdRunOptions};
use scalebridge_md::error::{Error, Result};
use scalebridge_md::evaluator::DEFAULT_SKIN;
use serde::{Deserialize, Serialize};

/// The temperature ladder of a melt–quench (shared by both protocols, flattened into their
/// options). Defaults fit a metallic glass (Cu–Zr): melt at 2000 K, cool at 10 K/ps
/// (10¹³ K/s) to 300 K in 50 K rungs, NPT at 0 GPa throughout.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct QuenchParams {
    /// Melt temperature, K (well above the liquidus: the start must be a liquid).
    pub t_high_k: f64,
    /// Final temperature, K (the last rung and the relaxation).
    pub t_low_k: f64,
    /// Cooling rate, K/ps (1 K/ps = 10¹² K/s): each rung lasts `spacing / rate`.
    pub cooling_rate_k_per_ps: f64,
    /// Nominal temperature step between rungs, K (the ladder is evenly spaced from `t_high_k`
    /// to `t_low_k` with at most this step).
    pub rung_spacing_k: f64,
    /// Pressure, GPa (compression positive), of every NPT stage.
    pub pressure_gpa: f64,
    /// NPT steps at `t_high_k` before the quench.
    pub melt_steps: u64,
    /// NPT steps at `t_low_k` after the quench (the relaxation).
    pub relax_steps: u64,
    /// Sampling interval, steps.
    pub sample_every: u64,
    /// Blocks of the block-averaged standard errors.
    pub blocks: usize,
    /// The last this fraction of each rung is averaged (the first part follows the step in T).
    pub sample_fraction: f64,
}

impl Default for QuenchParams {
    fn default() -> Self {
        QuenchParams {
            t_high_k: 2000.0,
            t_low_k: 300.0,
            cooling_rate_k_per_ps: 10.0,
            rung_spacing_k: 50.0,
            pressure_gpa: 0.0,
            melt_steps: 10000,
            relax_steps: 5000,
            sample_every: 10,
            blocks: 5,
            sample_fraction: 0.5,
        }
    }
}

/// The ladder a [`QuenchParams`] gives at one time step: rung temperatures (descending, the
/// last one `t_low_k`), steps per rung, the spacing and the rate actually run.
#[derive(Clone, Debug, PartialEq)]
pub struct Ladder {
    pub temperatures: Vec<f64>,
    pub rung_steps: u64,
    pub spacing_k: f64,
    pub rate_k_per_ps: f64,
    /// Steps averaged at the end of each rung.
    pub sampled_steps: u64,
}

fn finite_positive(name: &str, v: f64, unit: &str) -> Result<()> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(Error::invalid(name, v, &format!("must be a positive, finite number ({unit})")))
    }
}

impl QuenchParams {
    /// Check the ladder and build it for time step `dt` (ps) at `rate` K/ps.
    pub fn ladder(&self, dt: f64, rate: f64) -> Result<Ladder> {
        finite_positive("t_high_k", self.t_high_k, "K")?;
        finite_positive("t_low_k", self.t_low_k, "K")?;
        if self.t_low_k >= self.t_high_k {
            return Err(Error::invalid("t_low_k", self.t_low_k, &format!("must lie below t_high_k = {} K (a quench cools)", self.t_high_k)));
        }
        finite_positive("cooling_rate_k_per_ps", rate, "K/ps; 1 K/ps = 1e12 K/s")?;
        finite_positive("rung_spacing_k", self.rung_spacing_k, "K")?;
        if !self.pressure_gpa.is_finite() {
            return Err(Error::invalid("pressure_gpa", self.pressure_gpa, "must be finite (GPa)"));
        }
        if !(self.sample_fraction > 0.0 && self.sample_fraction <= 1.0) {
            return Err(Error::invalid("sample_fraction", self.sample_fraction, "must lie in (0, 1]"));
        }
        if self.sample_every == 0 {
            return Err(Error::invalid("sample_every", 0, "must be at least 1"));
        }
        if self.blocks < 2 {
            return Err(Error::invalid("blocks", self.blocks, "at least 2 blocks are needed for a standard error"));
        }
        let span = self.t_high_k - self.t_low_k;
        let n = (span / self.rung_spacing_k - 1e-9).ceil().max(1.0) as usize;
        if n > 10_000 {
            return Err(Error::invalid("rung_spacing_k", self.rung_spacing_k, &format!("gives {n} rungs: use a larger spacing")));
        }
        let spacing = span / n as f64;
        let rung_steps = (spacing / (rate * dt)).round() as u64;
        let sampled_steps = (self.sample_fraction * rung_steps as f64).floor() as u64;
        let needed = self.sample_every * self.blocks as u64;
        if sampled_steps < needed {
            return Err(Error::invalid(
                "cooling_rate_k_per_ps",
                rate,
                &format!(
                    "too fast for the sampling: a rung of {spacing:.3} K lasts {rung_steps} steps of {dt} ps, of which {sampled_steps} are averaged, \
                     fewer than sample_every × blocks = {needed}; lower the rate, widen rung_spacing_k or sample more often"
                ),
            ));
        }
        if self.relax_steps > 0 && self.relax_steps < needed {
            return Err(Error::invalid("relax_steps", self.relax_steps, &format!("must be 0 or at least sample_every × blocks = {needed}")));
        }
        let temperatures = (1..=n).map(|k| if k == n { self.t_low_k } else { self.t_high_k - k as f64 * spacing }).collect();
        Ok(Ladder { temperatures, rung_steps, spacing_k: spacing, rate_k_per_ps: spacing / (rung_steps as f64 * dt), sampled_steps })
    }
}

/// The melt–quench protocols' defaults of the shared MD block: MTK NPT (no thermostat choice,
/// no separate equilibration: `melt_steps` is it), 2 fs.
pub const QUENCH_MD: MdRunOptions = MdRunOptions {
    timestep: Some(0.002),
    thermostat: None,
    thermostat_damping: Some(0.1),
    pressure_damping: Some(1.0),
    skin: Some(DEFAULT_SKIN),
    seed: Some(1),
    threads: Some(0),
    equilibration_steps: None,
};

/// Options of [`super::melt_quench`]: the ladder ([`QuenchParams`]) and the shared MD block
/// ([`MdRunOptions`]: `timestep`, `thermostat_damping`, `pressure_damping`, `skin`, `seed`,
/// `threads`), all in one JSON object.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct MeltQuenchOptions {
    #[serde(flatten)]
    pub quench: QuenchParams,
    #[serde(flatten)]
    pub md: MdRunOptions,
    #[serde(flatten)]
    pub unknown: DenyUnknownKeys,
}
crate::with_md_run!(MeltQuenchOptions, QUENCH_MD);

/// The glass-transition protocol's defaults of the shared MD block (`seeds` replaces `seed`).
pub const GLASS_MD: MdRunOptions = MdRunOptions { seed: None, ..QUENCH_MD };

/// Options of [`super::glass_transition`]: the ladder ([`QuenchParams`], whose
/// `cooling_rate_k_per_ps` is the rate of the reported `T_g_K`), further cooling rates, seeds,
/// the fit window and the bootstrap, and the shared MD block (without `seed`: `seeds`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GlassOptions {
    #[serde(flatten)]
    pub quench: QuenchParams,
    /// Further cooling rates, K/ps: T_g is reported for each (the cooling-rate dependence).
    pub more_rates_k_per_ps: Vec<f64>,
    /// One independent quench per seed and rate (velocities and, through them, the liquid).
    pub seeds: Vec<u64>,
    /// Temperatures fitted, K (`[lo, hi]`; default: the whole ladder).
    pub fit_window_k: Option<[f64; 2]>,
    /// Bootstrap resamples of the T_g uncertainty.
    pub bootstrap_samples: usize,
    /// Each bootstrap resample trims up to this fraction of the fit window's points at each end.
    pub window_jitter: f64,
    /// Fewest points on each branch of the bilinear fit.
    pub min_points_per_branch: usize,
    #[serde(flatten)]
    pub md: MdRunOptions,
    #[serde(flatten)]
    pub unknown: DenyUnknownKeys,
}
crate::with_md_run!(GlassOptions, GLASS_MD);

impl Default for GlassOptions {
    fn default() -> Self {
        GlassOptions {
            quench: QuenchParams::default(),
            more_rates_k_per_ps: Vec::new(),
            seeds: vec![1, 2],
            fit_window_k: None,
            bootstrap_samples: 400,
            window_jitter: 0.15,
            min_points_per_branch: 3,
            md: GLASS_MD,
            unknown: DenyUnknownKeys,
        }
    }
}

impl GlassOptions {
    /// Every cooling rate, the reported one first.
    pub fn rates(&self) -> Vec<f64> {
        std::iter::once(self.quench.cooling_rate_k_per_ps).chain(self.more_rates_k_per_ps.iter().copied()).collect()
    }

    /// Check what the ladder does not.
    pub fn validate(&self, dt: f64) -> Result<()> {
        for r in self.rates() {
            self.quench.ladder(dt, r)?;
        }
        crate::md_run::validate_common(self.quench.t_low_k, &self.seeds)?;
        let rates = self.rates();
        for (i, r) in rates.iter().enumerate() {
            if rates[..i].contains(r) {
                return Err(Error::invalid("more_rates_k_per_ps", r, "repeats a cooling rate"));
            }
        }
        if let Some([lo, hi]) = self.fit_window_k {
            if !(lo.is_finite() && hi.is_finite() && lo < hi) {
                return Err(Error::invalid("fit_window_k", format!("[{lo}, {hi}]"), "needs finite lo < hi (K)"));
            }
        }
        if self.bootstrap_samples < 10 {
            return Err(Error::invalid("bootstrap_samples", self.bootstrap_samples, "at least 10 resamples are needed for a standard error"));
        }
        if !(0.0..0.5).contains(&self.window_jitter) {
            return Err(Error::invalid("window_jitter", self.window_jitter, "must lie in [0, 0.5)"));
        }
        if self.min_points_per_branch < 2 {
            return Err(Error::invalid("min_points_per_branch", self.min_points_per_branch, "a branch needs at least 2 points"));
        }
        Ok(())
    }
}
