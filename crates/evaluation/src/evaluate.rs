//! Evaluation of one class: per target and model, k-fold cross-validation (k = min(10, n)) →
//! MAE, RMSE, R² (the `per_class` table), a 70/15/15 split stratified by target half over three
//! seeds (mean ± std of the test metrics), screening at the upper quartile, correlation of the
//! absolute out-of-fold error with the disorder descriptors, scale ablations of fused_gbm and
//! (feature `dnn`) fusion-module ablations of fused_dnn ([`crate::fusion_ablation`]).

use crate::metrics::{correlations, mean_std, paired_abs_error, screening};
use crate::models::{cross_val_predict, feature_scales, model_kind, ClassTable, MODELS, TARGETS};
use crate::error::Result;
use scalebridge_features::Scale;
use scalebridge_ml::eval::{mae, r2, rmse, train_val_test_split};
use serde_json::{json, Map, Value};

/// Seeds of the 70/15/15 split.
pub const SPLIT_SEEDS: [u64; 3] = [0, 1, 2];
/// Most folds.
pub const MAX_FOLDS: usize = 10;

/// Out-of-fold predictions of one model on one target (for the plots).
#[derive(Debug, Clone)]
pub struct Oof {
    pub target: String,
    pub model: String,
    pub y: Vec<f64>,
    pub predicted: Vec<f64>,
}

/// The class's results: `per_class` entry, `details` entry, and the out-of-fold predictions.
pub struct ClassResult {
    pub per_class: Value,
    pub details: Value,
    pub oof: Vec<Oof>,
}

/// A model that cannot be trained on this few rows (e.g. the DNN's minimum of 10) is reported as
/// skipped with the library's reason (`{"skipped": reason}`); every other error propagates.
pub(crate) fn skipped_or(e: crate::error::EvaluationError) -> Result<Value> {
    match e {
        crate::error::EvaluationError::Ml(m @ scalebridge_ml::MlError::NotEnoughData { .. }) => Ok(json!({"skipped": m.to_string()})),
        e => Err(e),
    }
}

pub(crate) fn metrics_json(y: &[f64], p: &[f64]) -> Value {
    json!({"mae": mae(y, p), "rmse": rmse(y, p), "r2": r2(y, p), "n": y.len()})
}

/// Test metrics of the stratified 70/15/15 split over [`SPLIT_SEEDS`] (train on 70 %, the
/// validation 15 % reported alongside, the test 15 % is the number).
fn split_eval(model: &str, t: &ClassTable, cols: &[(String, Scale)], rows: &[usize], y: &[f64], seed: u64, quick: bool) -> Result<Value> {
    let med = scalebridge_ml::eval::quantile(y, 0.5);
    let strata: Vec<usize> = y.iter().map(|v| usize::from(*v > med)).collect();
    let (mut m, mut r, mut q, mut runs) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for &s in &SPLIT_SEEDS {
        let (tr, va, te) = train_val_test_split(rows.len(), (0.70, 0.15, 0.15), Some(&strata), seed + s)?;
        if te.len() < 2 || tr.len() < 3 {
            return Ok(json!({"skipped": format!("n = {} is too small for a 70/15/15 split with at least 2 test materials", rows.len())}));
        }
        let kind = match model_kind(model, seed + s, quick, cols) {
            Ok(k) => k,
            Err(reason) => return Ok(json!({"skipped": reason})),
        };
        let x = t.matrix(cols, rows)?;
        let ytr: Vec<f64> = tr.iter().map(|&i| y[i]).collect();
        let fit = match kind.fit(&x.select_rows(&tr), &ytr).map_err(crate::error::EvaluationError::from) {
            Ok(f) => f,
            Err(e) => return skipped_or(e),
        };
        let (pt, _) = fit.predict_with_std(&x.select_rows(&te))?;
        let yte: Vec<f64> = te.iter().map(|&i| y[i]).collect();
        let (pv, _) = fit.predict_with_std(&x.select_rows(&va))?;
        let yva: Vec<f64> = va.iter().map(|&i| y[i]).collect();
        m.push(mae(&yte, &pt));
        r.push(rmse(&yte, &pt));
        q.push(r2(&yte, &pt));
        runs.push(json!({"seed": seed + s, "n_train": tr.len(), "n_val": va.len(), "n_test": te.len(), "test": metrics_json(&yte, &pt), "val": if va.is_empty() { Value::Null } else { metrics_json(&yva, &pv) }}));
    }
    let (mm, ms) = mean_std(&m);
    let (rm, rs) = mean_std(&r);
    let (qm, qs) = mean_std(&q);
    Ok(json!({"stratified_by": "target above/below its median", "mae_mean": mm, "mae_std": ms, "rmse_mean": rm, "rmse_std": rs, "r2_mean": qm, "r2_std": qs, "runs": runs}))
}

/// Evaluate one class.
pub fn evaluate_class(t: &ClassTable, seed: u64, quick: bool) -> Result<ClassResult> {
    let (mut per_class, mut details, mut oof) = (Map::new(), Map::new(), Vec::new());
    for (target, unit) in TARGETS {
        let y_all = &t.target(target);
        let rows: Vec<usize> = (0..y_all.len()).filter(|&i| y_all[i].is_finite()).collect();
        let y: Vec<f64> = rows.iter().map(|&i| y_all[i]).collect();
        let n = rows.len();
        if n < 4 {
            let reason = format!("{n} of {} materials have {target} (at least 4 needed)", y_all.len());
            per_class.insert(target.into(), json!({"skipped": reason}));
            continue;
        }
        let k = n.min(MAX_FOLDS);
        let cv_note = if k < MAX_FOLDS { format!("{k}-fold (leave-one-out: only {n} materials, fewer than {MAX_FOLDS})") } else { format!("{k}-fold") };
        let (mut pt, mut dt) = (Map::new(), Map::new());
        dt.insert("unit".into(), json!(unit));
        dt.insert("k_folds".into(), json!(k));
        dt.insert("cv".into(), json!(cv_note));
        for model in MODELS {
            let cols = t.columns(feature_scales(model));
            if cols.is_empty() {
                pt.insert(model.into(), json!({"skipped": "no feature column varies over this class"}));
                continue;
            }
            let kind = match model_kind(model, seed, quick, &cols) {
                Ok(k) => k,
                Err(reason) => {
                    pt.insert(model.into(), json!({"skipped": reason}));
                    continue;
                }
            };
            let x = t.matrix(&cols, &rows)?;
            let pred = match cross_val_predict(&kind, &x, &y, k, seed) {
                Ok(p) => p,
                Err(e) => {
                    pt.insert(model.into(), skipped_or(e)?);
                    continue;
                }
            };
            pt.insert(model.into(), metrics_json(&y, &pred));
            let abs_err: Vec<f64> = y.iter().zip(&pred).map(|(a, b)| (a - b).abs()).collect();
            let delta: Vec<f64> = rows.iter().map(|&i| t.delta[i]).collect();
            let entropy: Vec<f64> = rows.iter().map(|&i| t.entropy[i]).collect();
            let mut d = json!({
                "features": cols.len(),
                "split_70_15_15": split_eval(model, t, &cols, &rows, &y, seed, quick)?,
                "screening_upper_quartile": screening(&y, &pred),
                "abs_error_vs_size_mismatch_delta": correlations(&delta, &abs_err),
                "abs_error_vs_configurational_entropy": correlations(&entropy, &abs_err),
            });
            if model == "fused_gbm" {
                let mut abl = Map::new();
                for drop in [Scale::Atomistic, Scale::Mesoscale, Scale::Continuum, Scale::Physics] {
                    let kept: Vec<Scale> = Scale::FEATURES.iter().copied().filter(|s| *s != drop).collect();
                    let c2 = t.columns(&kept);
                    if c2.len() == cols.len() {
                        abl.insert(format!("without_{}", drop.as_str()), json!({"skipped": format!("no {} column varies over this class", drop.as_str())}));
                        continue;
                    }
                    let kind2 = model_kind(model, seed, quick, &c2).map_err(|e| crate::error::invalid("model", model, &e))?;
                    let p2 = cross_val_predict(&kind2, &t.matrix(&c2, &rows)?, &y, k, seed)?;
                    abl.insert(format!("without_{}", drop.as_str()), metrics_json(&y, &p2));
                }
                d["ablation_scales"] = Value::Object(abl);
            }
            #[cfg(feature = "dnn")]
            if model == "fused_dnn" {
                d["ablation_modules"] = Value::Object(crate::fusion_ablation::single_target(&cols, &x, &y, k, seed, quick)?);
            }
            dt.insert(model.into(), d);
            oof.push(Oof { target: target.into(), model: model.into(), y: y.clone(), predicted: pred });
        }
        // fused against composition-only, material by material (same folds, same rows)
        let pred_of = |m: &str| oof.iter().find(|o: &&Oof| o.target == target && o.model == m).map(|o| o.predicted.clone());
        let mut paired = Map::new();
        for (fused, comp) in [("fused_gbm", "composition_gbm"), ("fused_dnn", "composition_dnn")] {
            if let (Some(pf), Some(pc)) = (pred_of(fused), pred_of(comp)) {
                paired.insert(format!("{fused}_vs_{comp}"), json!(paired_abs_error(&y, &pc, &pf)));
            }
        }
        dt.insert("paired_abs_error".into(), Value::Object(paired));
        per_class.insert(target.into(), Value::Object(pt));
        details.insert(target.into(), Value::Object(dt));
    }
    // the fourth fusion module: one shared net over the targets fused_dnn was evaluated on
    #[cfg(feature = "dnn")]
    {
        let ran: Vec<&str> = TARGETS.iter().map(|t| t.0).filter(|n| details.get(*n).is_some_and(|d| d["fused_dnn"].is_object())).collect();
        if ran.len() >= 2 {
            let cols = t.columns(feature_scales("fused_dnn"));
            for (n, v) in crate::fusion_ablation::multitask(t, &cols, &ran, seed, quick)? {
                if let Some(d) = details.get_mut(&n) {
                    d["fused_dnn"]["ablation_modules"]["multitask_heads"] = v;
                }
            }
        }
    }
    Ok(ClassResult { per_class: Value::Object(per_class), details: Value::Object(details), oof })
}
