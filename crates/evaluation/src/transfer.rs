//! Transfer between classes: every model trained on all described classes but one and tested on
//! that one (leave one class out). The features are those of the per-class tables that are
//! finite on every material of every class (a column one class lacks, such as the polymers'
//! chain descriptors or the alloys' lattice distortion, cannot be used), so the fused set here is
//! smaller than inside a class. The reference is the training classes' mean: a model that does
//! not beat it has learnt nothing that carries over to the held-out class.

use crate::dataset::{ClassData, Record};
use crate::error::Result;
use crate::evaluate::{metrics_json, skipped_or};
use crate::models::{feature_scales, model_kind, ClassTable, MODELS, TARGETS};
use scalebridge_features::Scale;
use serde_json::{json, Map, Value};

/// The `transfer` section of the report: `leave_one_class_out[held-out class][target][model]` =
/// `{mae, rmse, r2, n, n_train}` (or `{skipped}`), with `train_mean` (the training classes'
/// mean as the prediction) beside the models, and the feature count per model.
pub fn leave_one_class_out(classes: &[(String, &ClassData)], seed: u64, quick: bool) -> Result<Value> {
    if classes.len() < 2 {
        return Ok(json!({"skipped": format!("{} class(es) evaluated: transfer needs at least two", classes.len())}));
    }
    let records: Vec<&Record> = classes.iter().flat_map(|(_, d)| d.records.iter()).collect();
    let class_of: Vec<&str> = classes.iter().flat_map(|(c, d)| std::iter::repeat(c.as_str()).take(d.records.len())).collect();
    let table = ClassTable::from_records(&records)?;
    let (cols, features) = model_columns(&table);
    let mut out = Map::new();
    for (held, _) in classes {
        let mut per_target = Map::new();
        for (target, _) in TARGETS {
            let y_all = &table.target(target);
            let finite = |i: &usize| y_all[*i].is_finite();
            let test: Vec<usize> = (0..records.len()).filter(|i| class_of[*i] == held.as_str()).filter(finite).collect();
            let train: Vec<usize> = (0..records.len()).filter(|i| class_of[*i] != held.as_str()).filter(finite).collect();
            if test.is_empty() || train.len() < 4 {
                per_target.insert(target.into(), json!({"skipped": format!("{} training and {} test materials have {target} (at least 4 and 1 needed)", train.len(), test.len())}));
                continue;
            }
            let ytr: Vec<f64> = train.iter().map(|&i| y_all[i]).collect();
            let yte: Vec<f64> = test.iter().map(|&i| y_all[i]).collect();
            let mut entry = Map::new();
            let mean = ytr.iter().sum::<f64>() / ytr.len() as f64;
            let mut base = metrics_json(&yte, &vec![mean; yte.len()]);
            base["n_train"] = json!(ytr.len());
            entry.insert("train_mean".into(), base);
            for (model, c) in MODELS.iter().zip(&cols) {
                let m = match fit_predict(model, c, &table, &train, &ytr, &test, seed, quick)? {
                    Ok(p) => {
                        let mut m = metrics_json(&yte, &p);
                        m["n_train"] = json!(ytr.len());
                        m
                    }
                    Err(skipped) => skipped,
                };
                entry.insert(model.to_string(), m);
            }
            per_target.insert(target.into(), Value::Object(entry));
        }
        out.insert(held.clone(), Value::Object(per_target));
    }
    Ok(json!({
        "classes": classes.iter().map(|c| c.0.clone()).collect::<Vec<_>>(),
        "features": features,
        "reference": "train_mean: the training classes' mean as the prediction",
        "leave_one_class_out": out,
    }))
}

/// Each model's feature columns of `table` (in [`MODELS`] order) and their counts by model name.
pub(crate) fn model_columns(table: &ClassTable) -> (Vec<Vec<(String, Scale)>>, Map<String, Value>) {
    let cols: Vec<_> = MODELS.iter().map(|m| table.columns(feature_scales(m))).collect();
    let counts = MODELS.iter().zip(&cols).map(|(m, c)| (m.to_string(), json!(c.len()))).collect();
    (cols, counts)
}

/// `model` on columns `c` trained on rows `train` (targets `ytr`) of `table`, predicting rows
/// `test`; `Ok(Err({"skipped": why}))` where it cannot be trained (no column, too few rows for
/// the DNN), every other error propagated.
#[allow(clippy::too_many_arguments)]
pub(crate) fn fit_predict(model: &str, c: &[(String, Scale)], table: &ClassTable, train: &[usize], ytr: &[f64], test: &[usize], seed: u64, quick: bool) -> Result<std::result::Result<Vec<f64>, Value>> {
    if c.is_empty() {
        return Ok(Err(json!({"skipped": "no feature column is finite on every material and varies"})));
    }
    let kind = match model_kind(model, seed, quick, c) {
        Ok(k) => k,
        Err(reason) => return Ok(Err(json!({"skipped": reason}))),
    };
    let fit = match kind.fit(&table.matrix(c, train)?, ytr).map_err(crate::error::EvaluationError::from) {
        Ok(f) => f,
        Err(e) => return Ok(Err(skipped_or(e)?)),
    };
    Ok(Ok(fit.predict_with_std(&table.matrix(c, test)?)?.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::class;

    #[test]
    fn a_feature_shared_by_every_class_transfers_and_class_only_columns_are_left_out() {
        // three classes over overlapping E0 ranges: a model of E0 predicts the held-out class,
        // the training mean cannot
        let a = class("a", &["Ni", "Cu"], |i| 100.0 + 25.0 * i as f64);
        let b = class("b", &["Mg", "O"], |i| 110.0 + 22.0 * i as f64);
        let c = class("c", &["Si", "C"], |i| 120.0 + 10.0 * i as f64);
        let classes = vec![("a".to_string(), &a), ("b".to_string(), &b), ("c".to_string(), &c)];
        let r = leave_one_class_out(&classes, 3, true).unwrap();
        // `only_in_*` is NaN on the other classes: not a feature; E0 is
        let fused = r["features"]["fused_gbm"].as_u64().unwrap();
        let comp = r["features"]["composition_gbm"].as_u64().unwrap();
        assert!(fused > comp, "{r}");
        for held in ["a", "b", "c"] {
            let e = &r["leave_one_class_out"][held]["E_GPa"];
            assert_eq!(e["fused_gbm"]["n"], 8, "{e}");
            assert_eq!(e["fused_gbm"]["n_train"], 16, "{e}");
            let (m, base) = (e["fused_gbm"]["mae"].as_f64().unwrap(), e["train_mean"]["mae"].as_f64().unwrap());
            assert!(m < 0.6 * base, "{held}: fused {m} vs training mean {base}");
            // no class has the other targets
            assert!(r["leave_one_class_out"][held]["kappa_W_mK"]["skipped"].is_string());
        }
        // one class: nothing to transfer
        let one = leave_one_class_out(&classes[..1], 3, true).unwrap();
        assert!(one["skipped"].as_str().unwrap().contains("at least two"), "{one}");
    }
}
