//! k-fold cross-validation of the multi-task net: one shared fit per fold, metrics per target
//! (over the test rows that have a value of that target), per material class and against the
//! mean of the training folds.

use super::{target_matrix, MultiTaskModel, MultiTaskSpec};
use crate::dnn::DnnParams;
use crate::error::Result;
use crate::eval::{kfold, mae, per_class_metrics, ClassMetrics, CvReport, Metrics};
use scalebridge_features::FeatureTable;
use serde::{Deserialize, Serialize};

/// Cross-validation of one target of a multi-task fit.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TargetCv {
    pub target: String,
    pub unit: String,
    /// Rows with a value of this target.
    pub n: usize,
    pub cv: CvReport,
    /// MAE of the training folds' mean, averaged over the folds.
    pub dummy_mae: f64,
    /// Out-of-fold metrics of the first seed's split per class (when a class column exists).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_class: Option<Vec<ClassMetrics>>,
}

/// The report of [`cross_validate`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MultiTaskCv {
    pub k: usize,
    pub seeds: Vec<u64>,
    /// Rows with at least one target.
    pub n_rows: usize,
    /// Rows with no target (left out).
    pub n_dropped: usize,
    pub targets: Vec<TargetCv>,
    /// Mean over the folds of the bridge residual on the test rows (`None`: one scale).
    pub bridge_residual_mean: Option<f64>,
    /// Out-of-fold predictions of the first seed per target (mean, σ; NaN where not predicted),
    /// over the rows of the table, for parity plots.
    #[serde(skip)]
    pub oof: Vec<(Vec<f64>, Vec<f64>)>,
}

/// k-fold CV (repeated over `seeds`, the DNN's seed set to each) of the multi-task net on the
/// rows of `table` with at least one target; `class_column` (text) gives per-class metrics.
pub fn cross_validate(table: &FeatureTable, spec: &MultiTaskSpec, params: &DnnParams, k: usize, seeds: &[u64], class_column: Option<&str>) -> Result<MultiTaskCv> {
    super::select_inputs(table, spec)?;
    let (y_all, keep) = target_matrix(table, &spec.targets)?;
    let sub = table.select_rows(&keep).map_err(|e| crate::error::MlError::param("rows", keep.len(), &e.to_string()))?;
    let y = y_all.select_rows(&keep);
    let n = keep.len();
    let nt = spec.targets.len();
    let mut folds: Vec<Vec<Metrics>> = vec![Vec::new(); nt];
    let mut dummy: Vec<Vec<f64>> = vec![Vec::new(); nt];
    let mut oof: Vec<(Vec<f64>, Vec<f64>)> = vec![(vec![f64::NAN; n], vec![f64::NAN; n]); nt];
    let mut bridge = Vec::new();
    let mut one_scale = false;
    for (si, &seed) in seeds.iter().enumerate() {
        for (tr, te) in kfold(n, k, seed)? {
            let ttr = sub.select_rows(&tr).map_err(|e| crate::error::MlError::param("rows", tr.len(), &e.to_string()))?;
            let tte = sub.select_rows(&te).map_err(|e| crate::error::MlError::param("rows", te.len(), &e.to_string()))?;
            let m = MultiTaskModel::fit(&ttr, spec, &DnnParams { seed, ..params.clone() }, "")?;
            let pred = m.predict(&tte)?;
            match m.bridge_residual(&tte)? {
                Some(r) => bridge.push(r),
                None => one_scale = true,
            }
            for j in 0..nt {
                let rows: Vec<usize> = (0..te.len()).filter(|&r| y.get(te[r], j).is_finite()).collect();
                let ytr: Vec<f64> = tr.iter().map(|&i| y.get(i, j)).filter(|v| v.is_finite()).collect();
                if rows.is_empty() || ytr.is_empty() {
                    continue;
                }
                let yt: Vec<f64> = rows.iter().map(|&r| y.get(te[r], j)).collect();
                let mu: Vec<f64> = rows.iter().map(|&r| pred.mean[j][r]).collect();
                let sd: Vec<f64> = rows.iter().map(|&r| pred.std[j][r]).collect();
                folds[j].push(Metrics::compute(&yt, &mu, Some(&sd)));
                let mean = ytr.iter().sum::<f64>() / ytr.len() as f64;
                dummy[j].push(mae(&yt, &vec![mean; yt.len()]));
                if si == 0 {
                    for &r in &rows {
                        oof[j].0[te[r]] = pred.mean[j][r];
                        oof[j].1[te[r]] = pred.std[j][r];
                    }
                }
            }
        }
    }
    let labels: Option<Vec<String>> = class_column.and_then(|c| sub.texts(c)).map(<[String]>::to_vec);
    let targets = spec
        .targets
        .iter()
        .enumerate()
        .map(|(j, t)| {
            let rows: Vec<usize> = (0..n).filter(|&i| y.get(i, j).is_finite() && oof[j].0[i].is_finite()).collect();
            let per_class = labels.as_ref().map(|l| {
                let pick = |v: &dyn Fn(usize) -> f64| rows.iter().map(|&i| v(i)).collect::<Vec<f64>>();
                let lab: Vec<String> = rows.iter().map(|&i| l[i].clone()).collect();
                per_class_metrics(&lab, &pick(&|i| y.get(i, j)), &pick(&|i| oof[j].0[i]), &pick(&|i| oof[j].1[i]))
            });
            TargetCv {
                target: t.clone(),
                unit: table.column(t).map_or_else(|| "1".to_string(), |c| c.unit.clone()),
                n: (0..n).filter(|&i| y.get(i, j).is_finite()).count(),
                cv: CvReport::from_folds(k, seeds, std::mem::take(&mut folds[j])),
                dummy_mae: dummy[j].iter().sum::<f64>() / dummy[j].len().max(1) as f64,
                per_class,
            }
        })
        .collect();
    // scatter the out-of-fold predictions back to the rows of the full table
    let full = |v: &[f64]| {
        let mut out = vec![f64::NAN; table.n_rows()];
        for (r, &i) in keep.iter().enumerate() {
            out[i] = v[r];
        }
        out
    };
    Ok(MultiTaskCv {
        k,
        seeds: seeds.to_vec(),
        n_rows: n,
        n_dropped: table.n_rows() - n,
        targets,
        bridge_residual_mean: (!one_scale && !bridge.is_empty()).then(|| bridge.iter().sum::<f64>() / bridge.len() as f64),
        oof: oof.iter().map(|(m, s)| (full(m), full(s))).collect(),
    })
}
