//! Bindings of the shared multi-task DNN on a feature table (`scalebridge_ml::multitask`, cargo
//! feature `dnn`). Conversions only: the table arrives as columns `(name, scale, unit, values)`
//! (a float64 array or a list of strings) and becomes a `FeatureTable`; input selection,
//! target checks, token groups, masks, the bridge term and the defaults are Rust's.

use crate::error::ml;
use crate::guard::{no_panic, InputError};
use numpy::ndarray::Array2;
use numpy::{IntoPyArray, PyArray2, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use scalebridge_features::{Column, FeatureTable, Scale};
use scalebridge_ml::multitask::{params_from_json, MultiTaskModel, MultiTaskSpec};
use scalebridge_ml::MlError;

type PyColumn<'py> = (String, String, String, Bound<'py, PyAny>);

fn table(columns: Vec<PyColumn<'_>>) -> PyResult<FeatureTable> {
    let mut t = FeatureTable::default();
    for (name, scale, unit, values) in columns {
        let s = Scale::parse(&scale).map_err(|e| InputError::new_err(format!("column {name:?}: {e}")))?;
        let col = if let Ok(a) = values.extract::<PyReadonlyArray1<'_, f64>>() {
            Column::float(name.clone(), unit, s, a.as_array().to_vec())
        } else if let Ok(v) = values.extract::<Vec<String>>() {
            Column { unit, ..Column::text(name.clone(), s, v) }
        } else {
            return Err(InputError::new_err(format!("column {name:?}: values must be a float64 array or a list of str")));
        };
        t.push(col).map_err(|e| InputError::new_err(e.to_string()))?;
    }
    Ok(t)
}

fn scales(v: Option<Vec<String>>) -> PyResult<Option<Vec<Scale>>> {
    v.map(|v| v.iter().map(|s| Scale::parse(s).map_err(|e| InputError::new_err(e.to_string()))).collect()).transpose()
}

/// A fitted shared multi-task DNN (one network, one head per target).
#[pyclass(name = "MultiTaskModel", module = "scalebridge._scalebridge")]
pub struct PyMultiTask {
    inner: MultiTaskModel,
}

#[pymethods]
impl PyMultiTask {
    /// Fit on a table given as columns; `params_json` holds only the DNN parameters the user set.
    #[staticmethod]
    #[pyo3(signature = (columns, targets, params_json, scales=None, exclude=None))]
    fn fit(py: Python<'_>, columns: Vec<PyColumn<'_>>, targets: Vec<String>, params_json: &str, scales: Option<Vec<String>>, exclude: Option<Vec<String>>) -> PyResult<Self> {
        let t = table(columns)?;
        let spec = MultiTaskSpec { targets, scales: self::scales(scales)?, exclude: exclude.unwrap_or_default() };
        let p = ml(params_from_json(params_json))?;
        let inner = py.detach(|| no_panic("MultiTaskModel.fit", || ml(MultiTaskModel::fit(&t, &spec, &p, ""))))?;
        Ok(PyMultiTask { inner })
    }

    /// (targets, mean, std): mean and σ are n × n_targets.
    #[allow(clippy::type_complexity)]
    fn predict<'py>(&self, py: Python<'py>, columns: Vec<PyColumn<'_>>) -> PyResult<(Vec<String>, Bound<'py, PyArray2<f64>>, Bound<'py, PyArray2<f64>>)> {
        let t = table(columns)?;
        let p = py.detach(|| no_panic("MultiTaskModel.predict", || ml(self.inner.predict(&t))))?;
        let (n, k) = (t.n_rows(), p.targets.len());
        let to = |v: &[Vec<f64>]| -> PyResult<Bound<'py, PyArray2<f64>>> {
            let flat: Vec<f64> = (0..n).flat_map(|i| (0..k).map(move |j| v[j][i])).collect();
            Ok(Array2::from_shape_vec((n, k), flat).map_err(|e| InputError::new_err(e.to_string()))?.into_pyarray(py))
        };
        Ok((p.targets.clone(), to(&p.mean)?, to(&p.std)?))
    }

    /// The bridge residual of the fitted net on the table's rows (None: inputs of one scale).
    fn bridge_residual(&self, py: Python<'_>, columns: Vec<PyColumn<'_>>) -> PyResult<Option<f64>> {
        let t = table(columns)?;
        py.detach(|| no_panic("MultiTaskModel.bridge_residual", || ml(self.inner.bridge_residual(&t))))
    }

    /// Targets (name, unit, n_train, train MAE), inputs (name, scale, unit), tokens, rows.
    fn info<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let m = &self.inner;
        let d = PyDict::new(py);
        d.set_item("targets", m.targets.iter().map(|t| t.name.clone()).collect::<Vec<_>>())?;
        d.set_item("units", m.targets.iter().map(|t| (t.name.clone(), t.unit.clone())).collect::<Vec<_>>())?;
        d.set_item("n_train_per_target", m.targets.iter().map(|t| t.n_train).collect::<Vec<_>>())?;
        d.set_item("train_mae", m.targets.iter().map(|t| t.train_metrics.mae).collect::<Vec<_>>())?;
        d.set_item("inputs", m.inputs.iter().map(|c| (c.name.clone(), c.scale.as_str(), c.unit.clone())).collect::<Vec<_>>())?;
        d.set_item("tokens", m.model.layout.groups.iter().map(|g| g.name.clone()).collect::<Vec<_>>())?;
        d.set_item("token_scales", m.model.layout.groups.iter().map(|g| format!("{:?}", g.scale).to_lowercase()).collect::<Vec<_>>())?;
        d.set_item("n_targets", m.model.n_targets())?;
        d.set_item("n_train", m.n_train)?;
        d.set_item("n_dropped", m.n_dropped)?;
        d.set_item("bridge_weight", m.model.params.bridge_weight)?;
        d.set_item("bridge_residual", m.bridge_residual)?;
        Ok(d)
    }

    /// Write `dir/multitask.json` (the file `scalebridge train --targets ... --model dnn` writes).
    fn save(&self, dir: std::path::PathBuf) -> PyResult<()> {
        no_panic("MultiTaskModel.save", || ml(self.inner.save(&dir)))
    }

    /// Read a model directory (or its multitask.json) written by `save` or the CLI.
    #[staticmethod]
    fn load(path: std::path::PathBuf) -> PyResult<Self> {
        let inner = no_panic("MultiTaskModel.load", || ml(MultiTaskModel::load(&path)))?;
        Ok(PyMultiTask { inner })
    }

    fn to_json(&self) -> PyResult<String> {
        no_panic("MultiTaskModel.to_json", || ml(serde_json::to_string(&self.inner).map_err(MlError::from)))
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyMultiTask>()
}
