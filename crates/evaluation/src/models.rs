//! The class datasets as feature matrices and the four models of the benchmark:
//! composition-only features (the `composition` scale of the feature table: Magpie statistics,
//! element fractions) vs fused features (every feature scale of the table row of the 0 K
//! description: composition, 0 K atomistic statics, mesoscale, homogenised 0 K continuum,
//! physics groups), each with the GBM and the scale-fusion DNN (feature `dnn`). The targets come
//! from the finite-temperature description only; no finite-temperature quantity is an input.

use crate::dataset::{ClassData, Record};
use crate::error::{invalid, Result};
use scalebridge_features::producers::row::{describe_formula, describe_row};
use scalebridge_features::{Feature, FeatureTable, Scale, TableBuilder};
use scalebridge_ml::data::Matrix;
use scalebridge_ml::featurize::Featurizer;
use scalebridge_ml::model::ModelKind;
use scalebridge_ml::GbmParams;

/// Targets of the report and their units.
pub const TARGETS: [(&str, &str); 3] = [("E_GPa", "GPa"), ("kappa_W_mK", "W/m/K"), ("T_transition_K", "K")];
/// Models of the report.
pub const MODELS: [&str; 4] = ["composition_gbm", "composition_dnn", "fused_gbm", "fused_dnn"];

/// One class as columns: the cheap table (one row per material, from its 0 K description, with
/// the targets from its finite-temperature description as columns of scale `target`, never
/// inputs) and the disorder descriptors.
#[derive(Debug, Clone)]
pub struct ClassTable {
    pub labels: Vec<String>,
    pub table: FeatureTable,
    /// Configurational entropy S/k_B and size mismatch δ per material.
    pub entropy: Vec<f64>,
    pub delta: Vec<f64>,
    /// Lattice (or structure) label per material, for the stratified split.
    pub lattice: Vec<String>,
}

pub(crate) fn composition_of(doc: &serde_json::Value) -> Vec<(String, f64)> {
    doc["features"].as_array().map_or_else(Vec::new, |l| {
        l.iter()
            .filter_map(|f| Some((f["name"].as_str()?.strip_prefix("x_")?.to_string(), f["value"].as_f64()?)))
            .filter(|(e, x)| *x > 0.0 && e.chars().next().is_some_and(|c| c.is_ascii_uppercase()))
            .collect()
    })
}

impl ClassTable {
    pub fn from_data(data: &ClassData) -> Result<ClassTable> {
        Self::from_records(&data.records.iter().collect::<Vec<_>>())
    }

    /// The table of any described materials (several classes for the transfer evaluation:
    /// a column one class lacks is NaN on its rows, so [`ClassTable::columns`] leaves it out).
    pub fn from_records(records: &[&Record]) -> Result<ClassTable> {
        let featurizer = Featurizer::new();
        let mut rows = Vec::new();
        let (mut entropy, mut delta, mut lattice) = (Vec::new(), Vec::new(), Vec::new());
        for r in records {
            let comp = match describe_formula(&r.cold) {
                Some(f) => scalebridge_ml::tagged::composition_columns(&featurizer, &f)?,
                None => Vec::new(),
            };
            let mut row = describe_row(&r.cold, comp)?;
            row.material = r.label.clone();
            for (name, unit) in TARGETS {
                if let Some(value) = r.hot["properties"][name]["value"].as_f64().filter(|v| v.is_finite()) {
                    row.features.push(Feature::new(target_column(name), value, unit, Scale::Target));
                }
            }
            rows.push(row);
            let (s, d) = crate::metrics::disorder(&composition_of(&r.cold));
            entropy.push(s);
            delta.push(d);
            let lat = r.cold["phases"][0]["lattice"].as_str().map(str::to_string).or_else(|| r.label.rsplit('-').next().map(str::to_string)).unwrap_or_default();
            lattice.push(lat);
        }
        let table = TableBuilder { rows }.build()?;
        Ok(ClassTable { labels: records.iter().map(|r| r.label.clone()).collect(), table, entropy, delta, lattice })
    }

    /// Values of `target` per material (NaN where the description has none), from its column.
    pub fn target(&self, target: &str) -> Vec<f64> {
        self.table.floats(&target_column(target)).map_or_else(|_| vec![f64::NAN; self.labels.len()], <[f64]>::to_vec)
    }

    /// Feature columns of the given scales that are finite on every row and not constant,
    /// with their scales; `drop` removes one scale (ablation).
    pub fn columns(&self, scales: &[Scale]) -> Vec<(String, Scale)> {
        self.table
            .columns
            .iter()
            .filter(|c| scales.contains(&c.scale))
            .filter_map(|c| {
                let v = c.floats()?;
                let finite = v.iter().all(|x| x.is_finite());
                let varies = v.iter().any(|x| (x - v[0]).abs() > 1e-12 * v[0].abs().max(1.0));
                (finite && varies && !v.is_empty()).then(|| (c.name.clone(), c.scale))
            })
            .collect()
    }

    /// The matrix of `columns` on `rows`.
    pub fn matrix(&self, columns: &[(String, Scale)], rows: &[usize]) -> Result<Matrix> {
        let cols: Vec<&[f64]> = columns.iter().map(|(n, _)| self.table.floats(n)).collect::<std::result::Result<_, _>>()?;
        let mut data = Vec::with_capacity(rows.len() * cols.len());
        for &r in rows {
            for c in &cols {
                data.push(c[r]);
            }
        }
        Ok(Matrix::new(rows.len(), cols.len(), data)?)
    }
}

/// The table column of a target (scale `target`).
pub fn target_column(target: &str) -> String {
    format!("target_{target}")
}

/// Which features a model uses.
pub fn feature_scales(model: &str) -> &'static [Scale] {
    if model.starts_with("composition") {
        &[Scale::Composition]
    } else {
        &Scale::FEATURES
    }
}

/// The model kind of `model` (`*_gbm`, `*_dnn`) tuned for class datasets of tens of rows, or
/// why it is not available in this build.
pub fn model_kind(model: &str, seed: u64, quick: bool, columns: &[(String, Scale)]) -> std::result::Result<ModelKind, String> {
    if model.ends_with("_gbm") {
        // the campaign surrogate's small-data setting: shallow trees, no early stopping
        return Ok(ModelKind::Gbm(GbmParams { seed, n_estimators: 200, learning_rate: 0.1, num_leaves: 8, min_data_in_leaf: 2, early_stopping_rounds: 0, validation_fraction: 0.0, feature_fraction: 1.0, bagging_fraction: 1.0, uncertainty: false, ..GbmParams::default() }));
    }
    dnn_kind(seed, quick, columns)
}

/// The benchmark's DNN hyperparameters (quick: 30 epochs, patience 8, 1 member; otherwise 300,
/// 30, 3).
#[cfg(feature = "dnn")]
pub fn dnn_params(seed: u64, quick: bool) -> scalebridge_ml::DnnParams {
    scalebridge_ml::DnnParams { seed, impute_missing: true, max_epochs: if quick { 30 } else { 300 }, patience: if quick { 8 } else { 30 }, batch_size: 16, n_members: if quick { 1 } else { 3 }, ..scalebridge_ml::DnnParams::default() }
}

/// The DNN model kind of `p` on `columns` (the matrix columns in this order: the DNN maps its
/// scale tokens by name).
#[cfg(feature = "dnn")]
pub fn dnn_kind_of(p: scalebridge_ml::DnnParams, columns: &[(String, Scale)]) -> ModelKind {
    let names: Vec<String> = columns.iter().map(|c| c.0.clone()).collect();
    ModelKind::Dnn(p).with_feature_names(&names).with_column_scales(columns)
}

#[cfg(feature = "dnn")]
fn dnn_kind(seed: u64, quick: bool, columns: &[(String, Scale)]) -> std::result::Result<ModelKind, String> {
    Ok(dnn_kind_of(dnn_params(seed, quick), columns))
}

#[cfg(not(feature = "dnn"))]
fn dnn_kind(_seed: u64, _quick: bool, _columns: &[(String, Scale)]) -> std::result::Result<ModelKind, String> {
    Err("built without dnn (rebuild with the cargo feature `dnn`)".into())
}

/// Out-of-fold predictions of k-fold cross-validation (`k` folds of a shuffled order, `seed`).
pub fn cross_val_predict(kind: &ModelKind, x: &Matrix, y: &[f64], k: usize, seed: u64) -> Result<Vec<f64>> {
    let mut pred = vec![f64::NAN; y.len()];
    for (train, test) in scalebridge_ml::eval::kfold(y.len(), k, seed)? {
        let ys: Vec<f64> = train.iter().map(|&i| y[i]).collect();
        let m = kind.fit(&x.select_rows(&train), &ys)?;
        let (mu, _) = m.predict_with_std(&x.select_rows(&test))?;
        for (j, &i) in test.iter().enumerate() {
            pred[i] = mu[j];
        }
    }
    if pred.iter().any(|p| !p.is_finite()) {
        return Err(invalid("predictions", "NaN", "a model predicted a non-finite value"));
    }
    Ok(pred)
}

#[cfg(all(test, feature = "dnn"))]
mod dnn_tests {
    use super::*;

    /// The fused DNN of a class table fits: its scale tokens name the matrix's columns (without
    /// the feature names every token named a column the DNN did not know, and the benchmark
    /// stopped as soon as a class had the 10 rows the DNN needs).
    #[test]
    fn fused_dnn_kind_fits_a_class_matrix() {
        let cols = vec![("n_elements".to_string(), Scale::Composition), ("E0_GPa".to_string(), Scale::Atomistic), ("E_poly_GPa".to_string(), Scale::Continuum)];
        let rows: Vec<Vec<f64>> = (0..14).map(|i| { let t = i as f64; vec![2.0 + (i % 4) as f64, 100.0 + 7.0 * t, 90.0 + 6.5 * t] }).collect();
        let y: Vec<f64> = (0..14).map(|i| 95.0 + 6.0 * i as f64).collect();
        let x = Matrix::from_rows(&rows).unwrap();
        let kind = model_kind("fused_dnn", 1, true, &cols).unwrap();
        let fit = kind.fit(&x, &y).expect("the fused DNN fits on the class matrix");
        let (mu, _) = fit.predict_with_std(&x).unwrap();
        assert_eq!(mu.len(), 14);
        assert!(mu.iter().all(|v| v.is_finite()));
    }
}
