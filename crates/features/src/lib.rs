//! scalebridge-features: the scale- and unit-tagged feature table that the ML layer learns from.
//!
//! - [`table`]: columns with a name, a unit (`"1"` for dimensionless) and a [`Scale`]; rows per
//!   material and state; [`TableBuilder`] aligns per-material feature lists into columns.
//! - [`normalize`]: unit-group z-score normalisation ([`Normalizer`]) fitted on training rows only;
//!   a group never mixes units.
//! - [`producers`]: pure functions from data to unit-tagged features (atomistic from `describe`,
//!   temporal coarse-graining of MD series, continuum moduli and anisotropy, physics-informed
//!   dimensionless groups). The composition producer lives in `scalebridge-ml` (it owns the
//!   Magpie featuriser) and returns the same [`Feature`] type.
//! - [`design`]: dataset design files (a list of material descriptions and/or a design space).
//! - [`importers`]: property tables from Materials Project, JARVIS, AFLOW, OQMD and Matbench.
//! - [`parquet_io`]: Parquet files whose every field carries the metadata keys `scale` and `unit`.

pub mod design;
pub mod error;
pub mod importers;
pub mod normalize;
#[cfg(feature = "parquet")]
pub mod parquet_io;
pub mod producers;
pub mod table;

pub use error::{FeatureError, Result};
pub use normalize::{GroupSpec, Normalizer};
#[cfg(feature = "parquet")]
pub use parquet_io::{read_parquet, write_parquet};
pub use table::{Column, ColumnData, Feature, FeatureTable, Row, Scale, TableBuilder};
