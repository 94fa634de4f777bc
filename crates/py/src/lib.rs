//! `scalebridge._scalebridge`: PyO3 bindings. Wrappers, conversions and error mapping only.

use pyo3::prelude::*;

mod callback;
mod continuum;
mod dynamics;
mod eam;
mod error;
mod guard;
mod lammps_input;
mod md;
mod ml;
mod properties;
mod pipeline;
mod campaign;
mod store;
mod units;
mod glass;
mod polymer;
mod coupling;
#[cfg(feature = "dnn")]
mod multitask;

#[pymodule]
fn _scalebridge(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    md::register(m)?;
    eam::register(m)?;
    dynamics::register(m)?;
    ml::register(m)?;
    continuum::register(m)?;
    properties::register(m)?;
    units::register(m)?;
    error::register(m)?;
    lammps_input::register(m)?;
    callback::register(m)?;
    pipeline::register(m)?;
    campaign::register(m)?;
    store::register(m)?;
    glass::register(m)?;
    polymer::register(m)?;
    coupling::register(m)?;
    Ok(())
}
