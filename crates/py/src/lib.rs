//! `scalebridge._scalebridge`: PyO3 bindings. Wrappers, conversions and error mapping only.

use pyo3::prelude::*;

mod guard;
mod ml;

#[pymodule]
fn _scalebridge(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    ml::register(m)?;
    Ok(())
}
