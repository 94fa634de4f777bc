//! Fusion-module ablations of `fused_dnn` (feature `dnn`): the same k-fold cross-validation with
//! one module of the scale-fusion DNN changed, on the same columns, rows, folds and seed.
//!
//! The benchmark's `fused_dnn` has gated squeeze-and-excitation fusion and cross-scale attention
//! and predicts one target at a time without the bridge regulariser; so the first two are
//! removed (`without_se_fusion`, `without_cross_attention`) and the last two added
//! (`with_bridge_loss`: the cross-scale bridge term at weight [`BRIDGE_WEIGHT`];
//! `multitask_heads`: one shared net with a head per target over the class's targets, trained on
//! the materials with any target, folds drawn over those). A row's numbers compare with
//! `per_class[class][target].fused_dnn`.

use crate::evaluate::{metrics_json, skipped_or};
use crate::models::{cross_val_predict, dnn_kind_of, dnn_params, target_column, ClassTable};
use crate::error::{EvaluationError, Result};
use scalebridge_features::Scale;
use scalebridge_ml::data::Matrix;
use scalebridge_ml::multitask::{cv::cross_validate, target_matrix, MultiTaskSpec};
use scalebridge_ml::DnnParams;
use serde_json::{json, Map, Value};

/// Weight of the bridge regulariser in `with_bridge_loss`.
pub const BRIDGE_WEIGHT: f64 = 0.1;

/// `without_se_fusion`, `without_cross_attention` and `with_bridge_loss` of one target.
pub fn single_target(cols: &[(String, Scale)], x: &Matrix, y: &[f64], k: usize, seed: u64, quick: bool) -> Result<Map<String, Value>> {
    let base = dnn_params(seed, quick);
    let variants = [
        ("without_se_fusion", DnnParams { use_se: false, ..base.clone() }),
        ("without_cross_attention", DnnParams { use_cross_attention: false, ..base.clone() }),
        ("with_bridge_loss", DnnParams { bridge_weight: BRIDGE_WEIGHT, ..base.clone() }),
    ];
    let mut out = Map::new();
    for (name, p) in variants {
        let v = match cross_val_predict(&dnn_kind_of(p, cols), x, y, k, seed) {
            Ok(pred) => metrics_json(y, &pred),
            Err(e) => skipped_or(e)?,
        };
        out.insert(name.into(), v);
    }
    Ok(out)
}

/// `multitask_heads`: out-of-fold metrics per target of one shared net over `targets` (the
/// class's targets with enough values), on the fused columns `cols`.
pub fn multitask(t: &ClassTable, cols: &[(String, Scale)], targets: &[&str], seed: u64, quick: bool) -> Result<Map<String, Value>> {
    let names: Vec<String> = targets.iter().map(|n| target_column(n)).collect();
    let inputs: Vec<&str> = cols.iter().map(|c| c.0.as_str()).collect();
    // the same inputs as fused_dnn: every other feature column is excluded
    let exclude = t.table.columns.iter().filter(|c| Scale::FEATURES.contains(&c.scale) && !inputs.contains(&c.name.as_str())).map(|c| c.name.clone()).collect();
    let spec = MultiTaskSpec { targets: names.clone(), scales: None, exclude };
    let (y, keep) = target_matrix(&t.table, &names)?;
    let k = keep.len().min(crate::evaluate::MAX_FOLDS);
    let mut out = Map::new();
    let cv = match cross_validate(&t.table, &spec, &dnn_params(seed, quick), k, &[seed], None).map_err(EvaluationError::from) {
        Ok(cv) => cv,
        Err(e) => {
            let v = skipped_or(e)?;
            for n in targets {
                out.insert(n.to_string(), v.clone());
            }
            return Ok(out);
        }
    };
    for (j, n) in targets.iter().enumerate() {
        let rows: Vec<usize> = (0..keep.len()).filter(|&i| y.get(keep[i], j).is_finite() && cv.oof[j].0[i].is_finite()).collect();
        let yt: Vec<f64> = rows.iter().map(|&i| y.get(keep[i], j)).collect();
        let p: Vec<f64> = rows.iter().map(|&i| cv.oof[j].0[i]).collect();
        let mut m = metrics_json(&yt, &p);
        m["k_folds"] = json!(k);
        m["targets_shared"] = json!(targets);
        out.insert(n.to_string(), m);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use crate::models::ClassTable;
    use crate::testing::class_of;

    #[test]
    fn every_module_variant_is_cross_validated_beside_fused_dnn() {
        // 14 materials with three targets: each fused_dnn target gets the three single-target
        // variants and the shared multi-task net, on the same rows
        let data = class_of("multi", 14, &["Ni", "Cu", "Co"], |i| 100.0 + 9.0 * i as f64);
        let t = ClassTable::from_data(&data).unwrap();
        let r = crate::evaluate::evaluate_class(&t, 5, true).unwrap();
        for target in ["E_GPa", "kappa_W_mK", "T_transition_K"] {
            let a = &r.details[target]["fused_dnn"]["ablation_modules"];
            for k in ["without_se_fusion", "without_cross_attention", "with_bridge_loss", "multitask_heads"] {
                assert!(a[k]["mae"].as_f64().is_some_and(f64::is_finite), "{target} {k}: {a}");
                assert_eq!(a[k]["n"], 14, "{target} {k}: {a}");
            }
            assert_eq!(a["multitask_heads"]["targets_shared"].as_array().unwrap().len(), 3);
        }
        // the target columns the multi-task net reads are never inputs
        let cols = t.columns(&scalebridge_features::Scale::FEATURES);
        assert!(!cols.is_empty() && cols.iter().all(|c| !c.0.starts_with("target_")), "{cols:?}");
        assert!(t.table.columns.iter().any(|c| c.name == "target_E_GPa"));
    }
}
