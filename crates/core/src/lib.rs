//! `scalebridge-core`: the shared vocabulary of the scalebridge engines. It depends on no
//! engine; `md`, `continuum` (and the protocols, bindings and CLI above them) depend on it, so
//! a result of one scale can be read next to a result of another without translation.
//!
//! | module | holds |
//! |---|---|
//! | [`units`] | metal units and the conversion constants (eV/Å³ → GPa, k_B, mvv2e, W/m/K, ...): the one source, read by Python too |
//! | [`measured`] | [`Measured`]: a value with its standard error and unit |
//! | [`series`] | [`Series`]: a labelled curve y(x) with units and optional errors |
//! | [`stats`] | means, block-averaged standard errors of correlated series, line fits |
//! | [`provenance`] | [`Provenance`]: input hash (SHA-256), seeds, versions, and what ran |
//! | [`progress`] | the [`Progress`] callback of long calculations and their interruption |
//! | [`store`] | the [`StageStore`] trait of finished stages; [`StageCache`], its on-disk implementation |
//! | [`voigt`] | the Voigt stiffness toolbox: inverse, rotation, Voigt/Reuss/Hill, Born stability, derived moduli |
//! | [`error`] | [`Error`] and [`Result`] of this crate |

pub mod error;
pub mod measured;
pub mod progress;
pub mod provenance;
pub mod series;
pub mod stats;
pub mod store;
pub mod units;
pub mod voigt;

pub use error::{Error, Result};
pub use measured::Measured;
pub use progress::Progress;
pub use provenance::Provenance;
pub use series::Series;
pub use store::{StageCache, StageStore};
