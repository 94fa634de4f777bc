//! Amorphous solids: melt–quench ([`melt_quench`], registry `glass/melt_quench`) and the glass
//! transition ([`glass_transition`], registry `glass/transition`, alias `glass-transition`).
//!
//! The quench: MTK NPT (isotropic, LAMMPS `fix npt ... iso`) at `t_high_k` for `melt_steps`,
//! then a ladder of NPT rungs evenly spaced down to `t_low_k` (at most `rung_spacing_k` apart),
//! each lasting `spacing / cooling_rate` (the stepwise quench at the stated rate, as a LAMMPS
//! loop of `fix npt temp T T ...` runs), then NPT at `t_low_k` for `relax_steps`. On every
//! stage the last `sample_fraction` is averaged: temperature, volume per atom, density, specific
//! volume and potential energy with block-average standard errors. Every stage is one entry of
//! the stage store (its averages and end state), so an interrupted quench resumes at its rung.
//!
//! The glass transition quenches once per seed and cooling rate, fits a continuous two-line
//! hinge to the seed-mean volume per atom against temperature ([`fit`]) and bootstraps the
//! hinge over seeds and over the fit window. [`systems`] builds the Kob–Andersen mixture and
//! random solid solutions (Cu₆₄Zr₃₆); the disorder descriptors of the final structure are
//! `scalebridge_md::computes::disorder`. [`transition_temperature`] is the hook the `describe`
//! pipeline calls for amorphous phases.

pub mod fit;
pub mod options;
pub mod quench;
pub mod systems;
pub mod transition;
#[cfg(test)]
mod tests;

pub use options::{GlassOptions, MeltQuenchOptions, QuenchParams};
pub use quench::{melt_quench, MeltQuenchResult, Rung};
pub use transition::{glass_transition, GlassResult, RateResult};

use crate::report::{Silent, StageCache};
use scalebridge_md::error::Result;
use scalebridge_md::potentials::Potential;
use scalebridge_md::structure::Structure;
use std::sync::Arc;

/// The pipeline's hook: `T_transition_K` of an amorphous material is its T_g (K, with standard
/// error) from [`glass_transition`] with `options` (JSON; `null` = defaults) on `structure`,
/// stages kept in `cache`.
pub fn transition_temperature(
    structure: &Structure,
    potential: Arc<dyn Potential>,
    options: &serde_json::Value,
    cache: &StageCache,
) -> Result<scalebridge_core::Measured> {
    use crate::protocol::Protocol;
    let o = crate::registry::GlassTransition::parse_options(options, None)?;
    let r = glass_transition(structure, potential, &o, cache, &mut Silent)?;
    Ok(r.glass_transition_temperature)
}
