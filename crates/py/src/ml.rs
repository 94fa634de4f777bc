//! Bindings of the ML layer: featurisation, models (GBM, GP), metrics and active learning.
//! Conversions and error mapping only; the work lives in `scalebridge-ml`.

use crate::guard::{no_panic, CalculationFailed, InputError};
use numpy::ndarray::Array2;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use scalebridge_ml::active::{run_active_learning, Oracle, TableOracle};
use scalebridge_ml::eval::{coverage, mae, precision_recall_f1, r2, rmse, roc_auc};
use scalebridge_ml::gbm::GbmParams;
use scalebridge_ml::gp::GpParams;
use scalebridge_ml::model::{Model, ModelKind};
use scalebridge_ml::{Featurizer, Matrix, MlError};
#[cfg(feature = "dnn")]
use scalebridge_ml::{DnnParams, DnnRegressor};

use crate::error::ml;

fn matrix(x: &PyReadonlyArray2<'_, f64>) -> PyResult<Matrix> {
    let a = x.as_array();
    let (r, c) = a.dim();
    ml(Matrix::new(r, c, a.iter().copied().collect()))
}

/// Predictions for a large array in row chunks: each chunk is copied into one reused buffer
/// (instead of one full-size copy of the input), and the model parallelises within the chunk.
fn predict_in_chunks(
    m: &Model,
    a: numpy::ndarray::ArrayView2<'_, f64>,
    with_std: bool,
) -> Result<(Vec<f64>, Option<Vec<f64>>), MlError> {
    // 1,024 rows per thread (≈1.8 MB at 216 features): the copy stays in cache for the model's
    // pass over it, and the buffer is allocated (page-faulted) once
    let chunk = (1024 * rayon::current_num_threads()).max(4096).min(1 << 20);
    let (rows, cols) = a.dim();
    let mut mu = Vec::with_capacity(rows);
    let mut sd = with_std.then(|| Vec::with_capacity(rows));
    let mut buf: Vec<f64> = Vec::with_capacity(chunk.min(rows.max(1)) * cols);
    let mut r0 = 0;
    loop {
        let r1 = (r0 + chunk).min(rows);
        buf.clear();
        match a.as_slice() {
            Some(all) => buf.extend_from_slice(&all[r0 * cols..r1 * cols]),
            None => buf.extend(a.slice(numpy::ndarray::s![r0..r1, ..]).iter().copied()),
        }
        let xm = Matrix::new(r1 - r0, cols, buf)?;
        match &mut sd {
            Some(sd) => {
                let (m_, s_) = m.predict_with_std(&xm)?;
                mu.extend(m_);
                sd.extend(s_);
            }
            None => mu.extend(m.predict(&xm)?),
        }
        buf = xm.data;
        r0 = r1;
        if r0 >= rows {
            break;
        }
    }
    Ok((mu, sd))
}

fn kind_from(kind: &str, params_json: &str) -> PyResult<ModelKind> {
    let bad = |e: serde_json::Error| InputError::new_err(format!("invalid {kind} parameters: {e}"));
    match kind {
        "gbm" => Ok(ModelKind::Gbm(serde_json::from_str::<GbmParams>(params_json).map_err(bad)?)),
        "gp" => Ok(ModelKind::Gp(serde_json::from_str::<GpParams>(params_json).map_err(bad)?)),
        #[cfg(feature = "dnn")]
        "dnn" => Ok(ModelKind::Dnn(serde_json::from_str::<DnnParams>(params_json).map_err(bad)?)),
        #[cfg(not(feature = "dnn"))]
        "dnn" => Err(InputError::new_err(DNN_MISSING)),
        other => Err(InputError::new_err(format!("unknown model kind {other:?} (gbm, gp or dnn)"))),
    }
}

#[cfg(not(feature = "dnn"))]
const DNN_MISSING: &str =
    "the scale-fusion DNN is not available in this build (rebuild the extension with the cargo feature `dnn`)";

/// Whether the extension was built with the scale-fusion DNN (cargo feature `dnn`).
#[pyfunction]
fn ml_dnn_available() -> bool {
    cfg!(feature = "dnn")
}

/// Default hyperparameters of a model kind, as a JSON object string.
#[pyfunction]
fn ml_default_params(kind: &str) -> PyResult<String> {
    let s = match kind {
        "gbm" => serde_json::to_string(&GbmParams::default()),
        "gp" => serde_json::to_string(&GpParams::default()),
        #[cfg(feature = "dnn")]
        "dnn" => serde_json::to_string(&DnnParams::default()),
        #[cfg(not(feature = "dnn"))]
        "dnn" => return Err(InputError::new_err(DNN_MISSING)),
        other => return Err(InputError::new_err(format!("unknown model kind {other:?} (gbm, gp or dnn)"))),
    };
    s.map_err(|e| CalculationFailed::new_err(e.to_string()))
}

/// Composition features of formulas: (matrix with NaN rows for bad formulas, names, errors).
#[pyfunction]
#[allow(clippy::type_complexity)]
fn ml_featurize<'py>(
    py: Python<'py>,
    formulas: Vec<String>,
) -> PyResult<(Bound<'py, PyArray2<f64>>, Vec<String>, Vec<(usize, String)>)> {
    let (data, errors) = py.detach(|| {
        no_panic("featurize", || {
            let f = Featurizer::new();
            let nf = Featurizer::n_features();
            let mut data = Vec::with_capacity(formulas.len() * nf);
            let mut errors = Vec::new();
            for (i, r) in f.featurize_many(&formulas).into_iter().enumerate() {
                match r {
                    Ok(v) => data.extend_from_slice(&v),
                    Err(e) => {
                        data.extend(std::iter::repeat_n(f64::NAN, nf));
                        errors.push((i, e.to_string()));
                    }
                }
            }
            Ok((data, errors))
        })
    })?;
    let n = formulas_len(&data);
    let arr = Array2::from_shape_vec((n, Featurizer::n_features()), data)
        .map_err(|e| CalculationFailed::new_err(e.to_string()))?;
    Ok((arr.into_pyarray(py), Featurizer::feature_names(), errors))
}

fn formulas_len(data: &[f64]) -> usize {
    data.len() / Featurizer::n_features().max(1)
}

/// A fitted model (GBM or GP) with its hyperparameters.
#[pyclass(name = "Model", module = "scalebridge._scalebridge", frozen)]
pub struct PyModel {
    inner: Model,
}

#[pymethods]
impl PyModel {
    /// Fit `kind` ("gbm" or "gp") with hyperparameters `params_json` on X (n × d), y (n).
    #[staticmethod]
    fn fit(
        py: Python<'_>,
        kind: &str,
        params_json: &str,
        x: PyReadonlyArray2<'_, f64>,
        y: PyReadonlyArray1<'_, f64>,
    ) -> PyResult<Self> {
        let k = kind_from(kind, params_json)?;
        let xm = matrix(&x)?;
        let yv: Vec<f64> = y.as_array().iter().copied().collect();
        let inner = py.detach(|| no_panic("Model.fit", || ml(k.fit(&xm, &yv))))?;
        Ok(PyModel { inner })
    }

    /// (mean, std) for X (n × d); std is None unless `return_std`.
    #[pyo3(signature = (x, return_std=true))]
    #[allow(clippy::type_complexity)]
    fn predict<'py>(
        &self,
        py: Python<'py>,
        x: PyReadonlyArray2<'_, f64>,
        return_std: bool,
    ) -> PyResult<(Bound<'py, PyArray1<f64>>, Option<Bound<'py, PyArray1<f64>>>)> {
        let a = x.as_array();
        let m = &self.inner;
        let (mu, sd) = py.detach(|| no_panic("Model.predict", || ml(predict_in_chunks(m, a, return_std))))?;
        Ok((PyArray1::from_vec(py, mu), sd.map(|sd| PyArray1::from_vec(py, sd))))
    }

    /// DNN only: fit several targets, y (n × k) with NaN for missing values.
    #[staticmethod]
    #[allow(unused_variables)]
    fn fit_multi(
        py: Python<'_>,
        params_json: &str,
        x: PyReadonlyArray2<'_, f64>,
        y: PyReadonlyArray2<'_, f64>,
    ) -> PyResult<Self> {
        #[cfg(feature = "dnn")]
        {
            let p = serde_json::from_str::<DnnParams>(params_json)
                .map_err(|e| InputError::new_err(format!("invalid dnn parameters: {e}")))?;
            let (xm, ym) = (matrix(&x)?, matrix(&y)?);
            let m = py.detach(|| no_panic("Model.fit_multi", || ml(DnnRegressor::fit_multi(&xm, &ym, &p))))?;
            Ok(PyModel { inner: Model::Dnn(Box::new(m)) })
        }
        #[cfg(not(feature = "dnn"))]
        Err(InputError::new_err(DNN_MISSING))
    }

    /// DNN only: (mean, std), each n × n_targets.
    #[allow(clippy::type_complexity, unused_variables)]
    fn predict_multi<'py>(
        &self,
        py: Python<'py>,
        x: PyReadonlyArray2<'_, f64>,
    ) -> PyResult<(Bound<'py, PyArray2<f64>>, Bound<'py, PyArray2<f64>>)> {
        match &self.inner {
            #[cfg(feature = "dnn")]
            Model::Dnn(m) => {
                let xm = matrix(&x)?;
                let (mu, sd) = py.detach(|| no_panic("Model.predict_multi", || ml(m.predict_multi(&xm))))?;
                let shape = (xm.n_rows, m.n_targets());
                let to = |v: Vec<f64>| {
                    Array2::from_shape_vec(shape, v).map_err(|e| CalculationFailed::new_err(e.to_string()))
                };
                Ok((to(mu)?.into_pyarray(py), to(sd)?.into_pyarray(py)))
            }
            _ => Err(InputError::new_err("predict_multi is for multi-target DNN models")),
        }
    }

    /// DNN only: the cross-scale bridge residual on X (mean squared distance of the per-scale
    /// latent views from their mean; None with fewer than two scales).
    #[allow(unused_variables)]
    fn bridge_residual(&self, py: Python<'_>, x: PyReadonlyArray2<'_, f64>) -> PyResult<Option<f64>> {
        match &self.inner {
            #[cfg(feature = "dnn")]
            Model::Dnn(m) => {
                let xm = matrix(&x)?;
                py.detach(|| no_panic("Model.bridge_residual", || ml(m.bridge_residual(&xm))))
            }
            _ => Err(InputError::new_err("bridge_residual is for DNN models")),
        }
    }

    #[getter]
    fn n_features(&self) -> usize {
        self.inner.n_features()
    }

    #[getter]
    fn kind(&self) -> &'static str {
        match &self.inner {
            Model::Gbm(_) => "gbm",
            Model::Gp(_) => "gp",
            #[cfg(feature = "dnn")]
            Model::Dnn(_) => "dnn",
        }
    }

    /// Summary of what was learned (trees, σ scale, GP hyperparameters, ...).
    fn info<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        match &self.inner {
            Model::Gbm(m) => {
                d.set_item("n_trees", m.n_trees())?;
                d.set_item("std_scale", m.std_scale)?;
            }
            Model::Gp(m) => {
                d.set_item("length_scale", m.hyper.length_scale)?;
                d.set_item("signal_variance", m.hyper.signal_variance)?;
                d.set_item("noise_variance", m.hyper.noise_variance)?;
                d.set_item("log_marginal_likelihood", m.log_marginal_likelihood)?;
            }
            #[cfg(feature = "dnn")]
            Model::Dnn(m) => {
                d.set_item("n_members", m.members.len())?;
                d.set_item("n_targets", m.n_targets())?;
                d.set_item("n_params", m.n_params())?;
                d.set_item("std_scale", m.std_scale.clone())?;
                d.set_item("tokens", m.layout.groups.iter().map(|g| g.name.clone()).collect::<Vec<_>>())?;
                d.set_item(
                    "token_scales",
                    m.layout.groups.iter().map(|g| format!("{:?}", g.scale).to_lowercase()).collect::<Vec<_>>(),
                )?;
                d.set_item("best_epochs", m.members.iter().map(|i| i.best_epoch).collect::<Vec<_>>())?;
                d.set_item("val_loss", m.members.iter().map(|i| i.val_loss.clone()).collect::<Vec<_>>())?;
            }
        }
        Ok(d)
    }

    fn to_json(&self) -> PyResult<String> {
        no_panic("Model.to_json", || ml(serde_json::to_string(&self.inner).map_err(MlError::from)))
    }

    #[staticmethod]
    fn from_json(s: &str) -> PyResult<Self> {
        let inner = no_panic("Model.from_json", || {
            let m = ml(serde_json::from_str::<Model>(s).map_err(MlError::from))?;
            ml(m.check())?;
            Ok(m)
        })?;
        Ok(PyModel { inner })
    }
}

/// Regression metrics computed in Rust: dict with mae, rmse, r2 (+ coverage_1sigma with std).
#[pyfunction]
#[pyo3(signature = (y, pred, std=None))]
fn ml_regression_metrics<'py>(
    py: Python<'py>,
    y: Vec<f64>,
    pred: Vec<f64>,
    std: Option<Vec<f64>>,
) -> PyResult<Bound<'py, PyDict>> {
    if y.len() != pred.len() || std.as_ref().is_some_and(|s| s.len() != y.len()) {
        return Err(InputError::new_err("y, pred (and std) must have the same length"));
    }
    let d = PyDict::new(py);
    d.set_item("mae", mae(&y, &pred))?;
    d.set_item("rmse", rmse(&y, &pred))?;
    d.set_item("r2", r2(&y, &pred))?;
    if let Some(s) = std {
        d.set_item("coverage_1sigma", coverage(&y, &pred, &s, 1.0))?;
    }
    Ok(d)
}

/// Screening metrics: (precision, recall, f1, roc_auc) for boolean truth, decisions and scores.
#[pyfunction]
fn ml_screening_metrics(truth: Vec<bool>, decision: Vec<bool>, score: Vec<f64>) -> PyResult<(f64, f64, f64, f64)> {
    if truth.len() != decision.len() || truth.len() != score.len() {
        return Err(InputError::new_err("truth, decision and score must have the same length"));
    }
    let (p, r, f) = precision_recall_f1(&truth, &decision);
    Ok((p, r, f, roc_auc(&truth, &score)))
}

/// Oracle that calls a Python callable once per round with the pool indices to label
/// (`oracle(np.ndarray[int64]) -> sequence of float`; NaN marks a failed evaluation). A Python
/// exception (including KeyboardInterrupt) stops the loop and is re-raised unchanged.
struct PyOracle {
    callable: Py<PyAny>,
    error: Option<PyErr>,
}

impl Oracle for PyOracle {
    fn label(&mut self, index: usize) -> Result<f64, MlError> {
        self.label_batch(&[index]).map(|v| v[0])
    }

    fn label_batch(&mut self, indices: &[usize]) -> Result<Vec<f64>, MlError> {
        let out = Python::attach(|py| -> PyResult<Vec<f64>> {
            let idx: Vec<i64> = indices.iter().map(|&i| i as i64).collect();
            let arr = idx.into_pyarray(py);
            let r = self.callable.bind(py).call1((arr,))?;
            let np = py.import("numpy")?;
            let flat = np.call_method1("asarray", (r, "float64"))?.call_method0("ravel")?;
            flat.extract::<Vec<f64>>()
        });
        out.map_err(|e| {
            let msg = e.to_string();
            self.error = Some(e);
            MlError::Numerical { what: "active-learning oracle".into(), reason: msg }
        })
    }
}

/// Pool-based active learning. Labels come from `pool_y` (table lookup) or, when `oracle` is
/// given, from calling it (a simulation). Returns a list of (n_labels, mae, rmse, best_label,
/// n_failed) after each round.
#[pyfunction]
#[pyo3(signature = (kind, params_json, pool_x, pool_y, test_x, test_y, options_json, oracle=None))]
#[allow(clippy::too_many_arguments)]
fn ml_active_learning(
    py: Python<'_>,
    kind: &str,
    params_json: &str,
    pool_x: PyReadonlyArray2<'_, f64>,
    pool_y: Option<Vec<f64>>,
    test_x: PyReadonlyArray2<'_, f64>,
    test_y: Vec<f64>,
    options_json: &str,
    oracle: Option<Py<PyAny>>,
) -> PyResult<Vec<(usize, f64, f64, f64, usize)>> {
    let k = kind_from(kind, params_json)?;
    let opts: scalebridge_ml::active_options::AlOptions =
        serde_json::from_str(options_json).map_err(|e| InputError::new_err(format!("active-learning options: {e}")))?;
    let p = ml(opts.resolve())?;
    let (px, tx) = (matrix(&pool_x)?, matrix(&test_x)?);
    if test_y.len() != tx.n_rows || pool_y.as_ref().is_some_and(|y| y.len() != px.n_rows) {
        return Err(InputError::new_err("pool/test targets must match the number of rows"));
    }
    if let Some(f) = &oracle {
        if !f.bind(py).is_callable() {
            return Err(InputError::new_err("oracle must be callable: oracle(indices) -> labels"));
        }
    }
    if pool_y.is_some() == oracle.is_some() {
        return Err(InputError::new_err("give exactly one of pool_y (table lookup) or oracle (a callable)"));
    }
    let mut table = pool_y.map(TableOracle::new);
    let mut sim = oracle.map(|callable| PyOracle { callable, error: None });
    let steps = py.detach(|| {
        no_panic("active_learning", || {
            let o: &mut dyn Oracle = match (&mut table, &mut sim) {
                (Some(t), _) => t,
                (_, Some(s)) => s,
                _ => unreachable!("checked above"),
            };
            ml(run_active_learning(&px, o, &tx, &test_y, &k, &p))
        })
    });
    // the oracle's own Python exception (e.g. KeyboardInterrupt) is raised unchanged
    if let Some(e) = sim.and_then(|s| s.error) {
        return Err(e);
    }
    Ok(steps?.into_iter().map(|s| (s.n_labels, s.mae, s.rmse, s.best_label, s.n_failed)).collect())
}

/// Parity plot (SVG) of predictions against targets, optional ±1σ bars.
#[pyfunction]
#[pyo3(signature = (y, mu, path, std=None, title="", unit=""))]
fn ml_parity_plot(y: Vec<f64>, mu: Vec<f64>, path: std::path::PathBuf, std: Option<Vec<f64>>, title: &str, unit: &str) -> PyResult<()> {
    no_panic("parity_plot", || ml(scalebridge_ml::plot::parity_svg(&y, &mu, std.as_deref(), &path, title, unit)))
}

/// Curves (SVG) on one chart: `curves_json` is a list of {name, x, y, y_err}.
#[pyfunction]
#[pyo3(signature = (curves_json, path, title="", x_label="", y_label="", log_y=false))]
fn ml_curves_plot(curves_json: &str, path: std::path::PathBuf, title: &str, x_label: &str, y_label: &str, log_y: bool) -> PyResult<()> {
    let curves: Vec<scalebridge_ml::plot::Curve> =
        serde_json::from_str(curves_json).map_err(|e| InputError::new_err(format!("curves: {e}")))?;
    no_panic("plot_curves", || ml(scalebridge_ml::plot::curves_svg(&curves, &path, title, x_label, y_label, log_y)))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(ml_parity_plot, m)?)?;
    m.add_function(wrap_pyfunction!(ml_curves_plot, m)?)?;
    m.add_class::<PyModel>()?;
    #[cfg(feature = "dnn")]
    crate::multitask::register(m)?;
    m.add_function(wrap_pyfunction!(ml_default_params, m)?)?;
    m.add_function(wrap_pyfunction!(ml_dnn_available, m)?)?;
    m.add_function(wrap_pyfunction!(ml_featurize, m)?)?;
    m.add_function(wrap_pyfunction!(ml_regression_metrics, m)?)?;
    m.add_function(wrap_pyfunction!(ml_screening_metrics, m)?)?;
    m.add_function(wrap_pyfunction!(ml_active_learning, m)?)?;
    Ok(())
}
