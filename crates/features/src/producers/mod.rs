//! Feature producers: pure functions from data to unit-tagged [`Feature`](crate::Feature)s.
//!
//! - [`atomistic`]: the `features` list and `properties` of a `scalebridge describe` document;
//! - [`temporal`]: coarse-graining of MD time series (windowed means, fluctuation magnitudes,
//!   leading spectral coefficients by FFT);
//! - [`continuum`]: effective moduli and anisotropy of a stiffness, von Mises field statistics;
//! - [`physics`]: dimensionless groups (ΔH/k_BT, EΩ/E_coh, Pugh G/B, Zener A, Θ_D/T, T/T_m);
//! - [`row`]: one table row per `describe` document (all of the above joined).
//!
//! The composition producer is `scalebridge_ml::tagged::composition_columns` (the Magpie
//! featuriser lives in the ML crate).

pub mod atomistic;
pub mod continuum;
pub mod physics;
pub mod row;
pub mod temporal;
