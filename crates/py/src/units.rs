//! The unit conversion constants of `scalebridge_core::units`, for Python: a read-only mapping
//! `_scalebridge.units` (name → value, a `types.MappingProxyType`). Python never writes these numbers itself.

use pyo3::prelude::*;
use pyo3::types::PyDict;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let d = PyDict::new(m.py());
    for (name, value) in scalebridge_core::units::ALL {
        d.set_item(*name, *value)?;
    }
    let read_only = m.py().import("types")?.getattr("MappingProxyType")?.call1((d,))?;
    m.add("units", read_only)?;
    Ok(())
}
