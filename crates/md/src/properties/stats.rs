//! Statistics of correlated time series and fits, shared by the protocols: they live in
//! `scalebridge-core` (re-exported here so that existing paths keep working).

pub use scalebridge_core::stats::*;
