//! `scalebridge-pipeline`: the bridge between the scales. A material description (TOML or the
//! same dictionary) names phases (a crystal with its potential, or measured continuum
//! properties), a microstructure and temperatures; [`describe`] runs the atomistic protocols of
//! every phase through the protocols registry, rotates and homogenises the single-crystal
//! stiffness over the microstructure (FFT), propagates the MD standard errors, measures the
//! bridge residual and returns one [`Description`] (properties with units, standard errors,
//! scale and source; phases; bridge; features; provenance). Every stage is cached by the hash
//! of its inputs in a `StageStore`, and so is a stage's deterministic failure ([`failure`]).
//!
//! | module | holds |
//! |---|---|
//! | [`material`] | [`Material`]: the description file, its validation (errors name key and line), structures |
//! | [`describe`](mod@describe) | [`describe()`], [`describe_all`], [`describe_json`], [`DescribeOptions`] |
//! | [`description`] | the result document |
//! | [`homogenise`] | phases → microstructure → effective C and κ, uncertainty by sampling |
//! | [`bridge`] | the bridge residual |
//! | [`stages`] | cached stages and their records |
//! | [`failure`] | failure records of stages that fail deterministically, replayed by reruns |
//! | [`preset`] | the quick and full run lengths |
//! | [`long_range`] | a preset's lighter settings for long-range Coulomb phases |
//! | [`features`] | the feature list of a description |
//! | [`fields`] | von Mises field statistics under the homogenisation loads; temporal coarse-graining of the MD series |

pub mod bridge;
pub mod describe;
pub mod description;
pub mod error;
pub mod failure;
pub mod features;
pub mod fields;
pub mod homogenise;
pub mod long_range;
pub mod material;
pub mod polycrystal;
pub mod preset;
pub mod stages;

pub use describe::{describe, describe_all, describe_json, DescribeOptions};
pub use description::Description;
pub use error::{PipelineError, Result};
pub use failure::{FailureEvent, FailureLog, StageFailure};
pub use material::Material;
