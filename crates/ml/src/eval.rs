//! Evaluation: splits (k-fold, stratified train/val/test), regression and screening metrics,
//! calibration of predicted σ, cross-validation over repeated seeds.

use crate::data::Matrix;
use crate::error::{MlError, Result};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use serde::{Deserialize, Serialize};

/// `q`-quantile with linear interpolation (numpy's default); NaN for an empty slice.
pub fn quantile(v: &[f64], q: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let pos = q.clamp(0.0, 1.0) * (s.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = (lo + 1).min(s.len() - 1);
    s[lo] + (pos - lo as f64) * (s[hi] - s[lo])
}

pub fn mae(y: &[f64], p: &[f64]) -> f64 {
    y.iter().zip(p).map(|(a, b)| (a - b).abs()).sum::<f64>() / y.len().max(1) as f64
}

pub fn rmse(y: &[f64], p: &[f64]) -> f64 {
    (y.iter().zip(p).map(|(a, b)| (a - b) * (a - b)).sum::<f64>() / y.len().max(1) as f64).sqrt()
}

/// Coefficient of determination, 1 − SS_res / SS_tot.
pub fn r2(y: &[f64], p: &[f64]) -> f64 {
    let m = y.iter().sum::<f64>() / y.len().max(1) as f64;
    let ss_tot: f64 = y.iter().map(|a| (a - m) * (a - m)).sum();
    let ss_res: f64 = y.iter().zip(p).map(|(a, b)| (a - b) * (a - b)).sum();
    1.0 - ss_res / ss_tot
}

/// Precision, recall and F1 of boolean decisions (0 where undefined, as scikit-learn).
pub fn precision_recall_f1(truth: &[bool], pred: &[bool]) -> (f64, f64, f64) {
    let (mut tp, mut fp, mut fnn) = (0.0, 0.0, 0.0);
    for (&t, &p) in truth.iter().zip(pred) {
        match (t, p) {
            (true, true) => tp += 1.0,
            (false, true) => fp += 1.0,
            (true, false) => fnn += 1.0,
            _ => {}
        }
    }
    let prec = if tp + fp > 0.0 { tp / (tp + fp) } else { 0.0 };
    let rec = if tp + fnn > 0.0 { tp / (tp + fnn) } else { 0.0 };
    let f1 = if prec + rec > 0.0 {
        2.0 * prec * rec / (prec + rec)
    } else {
        0.0
    };
    (prec, rec, f1)
}

/// Ranks of `v` (1-based, ascending), ties sharing their mean rank (scipy's `rankdata`
/// "average" method).
pub fn average_ranks(v: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut ranks = vec![0.0; v.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && v[idx[j + 1]] == v[idx[i]] {
            j += 1;
        }
        let r = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            ranks[k] = r;
        }
        i = j + 1;
    }
    ranks
}

/// Area under the ROC curve (Mann–Whitney statistic, ties count one half). NaN if one class is
/// absent.
pub fn roc_auc(truth: &[bool], score: &[f64]) -> f64 {
    let ranks = average_ranks(&score[..truth.len().min(score.len())]);
    let n_pos = truth.iter().filter(|&&t| t).count() as f64;
    let n_neg = ranks.len() as f64 - n_pos;
    if n_pos == 0.0 || n_neg == 0.0 {
        return f64::NAN;
    }
    let sum_pos: f64 = (0..ranks.len()).filter(|&k| truth[k]).map(|k| ranks[k]).sum();
    (sum_pos - n_pos * (n_pos + 1.0) / 2.0) / (n_pos * n_neg)
}

/// Fraction of targets within ±`k`·σ of the prediction.
pub fn coverage(y: &[f64], mu: &[f64], std: &[f64], k: f64) -> f64 {
    let n = y.len().min(mu.len()).min(std.len());
    let inside = (0..n)
        .filter(|&i| (y[i] - mu[i]).abs() <= k * std[i])
        .count();
    inside as f64 / n.max(1) as f64
}

/// Two-sided normal coverage of ±1σ, erf(1/√2).
pub const ONE_SIGMA_COVERAGE: f64 = 0.682_689_492_137_085_9;

/// Scale factor `s` for a raw uncertainty so that `s·σ_raw` covers 68.27 % of held-out residuals:
/// `s = quantile_{0.6827}(|y − μ| / σ_raw)`. Shared by the GBM (quantile half-width) and the DNN
/// (ensemble spread). Falls back to 1 when it is undefined (no rows, zero or non-finite σ).
pub fn calibrate_sigma_scale(y: &[f64], mu: &[f64], raw_sigma: &[f64]) -> f64 {
    let z: Vec<f64> = y
        .iter()
        .zip(mu)
        .zip(raw_sigma)
        .map(|((a, m), s)| (a - m).abs() / s.max(1e-12))
        .filter(|v| v.is_finite())
        .collect();
    let s = quantile(&z, ONE_SIGMA_COVERAGE);
    if s.is_finite() && s > 0.0 {
        s
    } else {
        1.0
    }
}

/// Regression metrics, plus calibration when σ is available.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Metrics {
    pub n: usize,
    pub mae: f64,
    pub rmse: f64,
    pub r2: f64,
    /// Fraction within ±1σ (ideal 0.683) and ±2σ (ideal 0.954).
    pub coverage_1sigma: Option<f64>,
    pub coverage_2sigma: Option<f64>,
}

impl Metrics {
    pub fn compute(y: &[f64], mu: &[f64], std: Option<&[f64]>) -> Metrics {
        let std = std.filter(|s| s.iter().all(|v| v.is_finite()));
        Metrics {
            n: y.len(),
            mae: mae(y, mu),
            rmse: rmse(y, mu),
            r2: r2(y, mu),
            coverage_1sigma: std.map(|s| coverage(y, mu, s, 1.0)),
            coverage_2sigma: std.map(|s| coverage(y, mu, s, 2.0)),
        }
    }
}

/// k folds of a shuffled range: (train indices, test indices) per fold.
pub fn kfold(n: usize, k: usize, seed: u64) -> Result<Vec<(Vec<usize>, Vec<usize>)>> {
    if k < 2 || k > n {
        return Err(MlError::param("k", k, &format!("need 2 <= k <= n = {n}")));
    }
    let mut idx: Vec<usize> = (0..n).collect();
    idx.shuffle(&mut StdRng::seed_from_u64(seed));
    Ok((0..k)
        .map(|f| {
            let (lo, hi) = (f * n / k, (f + 1) * n / k);
            let test = idx[lo..hi].to_vec();
            let train = idx[..lo].iter().chain(&idx[hi..]).copied().collect();
            (train, test)
        })
        .collect())
}

/// Train/validation/test split with the given fractions (e.g. 0.70/0.15/0.15), stratified by
/// `classes` when given (each class is split in the same proportions).
pub fn train_val_test_split(
    n: usize,
    fractions: (f64, f64, f64),
    classes: Option<&[usize]>,
    seed: u64,
) -> Result<(Vec<usize>, Vec<usize>, Vec<usize>)> {
    let (a, b, c) = fractions;
    if !(a > 0.0 && b >= 0.0 && c >= 0.0 && ((a + b + c) - 1.0).abs() < 1e-9) {
        return Err(MlError::param(
            "fractions",
            format!("{a}/{b}/{c}"),
            "must be non-negative and sum to 1",
        ));
    }
    let mut groups: Vec<Vec<usize>> = match classes {
        Some(cl) => {
            if cl.len() != n {
                return Err(MlError::ShapeMismatch {
                    what: "classes".into(),
                    expected: n.to_string(),
                    got: cl.len().to_string(),
                });
            }
            let nc = cl.iter().max().map_or(0, |m| m + 1);
            let mut g = vec![Vec::new(); nc];
            for (i, &k) in cl.iter().enumerate() {
                g[k].push(i);
            }
            g
        }
        None => vec![(0..n).collect()],
    };
    let mut rng = StdRng::seed_from_u64(seed);
    let (mut tr, mut va, mut te) = (Vec::new(), Vec::new(), Vec::new());
    for g in groups.iter_mut() {
        g.shuffle(&mut rng);
        let m = g.len();
        let n_te = (m as f64 * c).round() as usize;
        let n_va = ((m as f64 * b).round() as usize).min(m - n_te);
        te.extend_from_slice(&g[..n_te]);
        va.extend_from_slice(&g[n_te..n_te + n_va]);
        tr.extend_from_slice(&g[n_te + n_va..]);
    }
    Ok((tr, va, te))
}

/// Something that can be fit and predict a mean and σ.
pub trait Regressor: Send + Sync {
    fn fit(&mut self, x: &Matrix, y: &[f64]) -> Result<()>;
    fn predict_with_std(&self, x: &Matrix) -> Result<(Vec<f64>, Vec<f64>)>;
}

/// Cross-validation result: per-fold metrics and mean ± std of each.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CvReport {
    pub k: usize,
    pub seeds: Vec<u64>,
    pub folds: Vec<Metrics>,
    pub mae_mean: f64,
    pub mae_std: f64,
    pub rmse_mean: f64,
    pub r2_mean: f64,
    pub coverage_1sigma_mean: Option<f64>,
}

impl CvReport {
    /// Summary of per-fold metrics (means over the folds, MAE standard deviation).
    pub fn from_folds(k: usize, seeds: &[u64], folds: Vec<Metrics>) -> CvReport {
        let maes: Vec<f64> = folds.iter().map(|f| f.mae).collect();
        let (mae_mean, mae_std) = mean_std(&maes);
        let rmse_mean = mean_std(&folds.iter().map(|f| f.rmse).collect::<Vec<_>>()).0;
        let r2_mean = mean_std(&folds.iter().map(|f| f.r2).collect::<Vec<_>>()).0;
        let cov: Option<Vec<f64>> = folds.iter().map(|f| f.coverage_1sigma).collect();
        CvReport {
            k,
            seeds: seeds.to_vec(),
            folds,
            mae_mean,
            mae_std,
            rmse_mean,
            r2_mean,
            coverage_1sigma_mean: cov.map(|c| mean_std(&c).0),
        }
    }
}

/// Metrics of one material class.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClassMetrics {
    pub class: String,
    pub metrics: Metrics,
}

/// Metrics of `y`/`mu`/`sd` grouped by `labels` (sorted by class name).
pub fn per_class_metrics(labels: &[String], y: &[f64], mu: &[f64], sd: &[f64]) -> Vec<ClassMetrics> {
    let mut classes: Vec<&String> = labels.iter().collect();
    classes.sort();
    classes.dedup();
    classes
        .into_iter()
        .map(|c| {
            let idx: Vec<usize> = (0..labels.len()).filter(|&i| &labels[i] == c).collect();
            let pick = |v: &[f64]| idx.iter().map(|&i| v[i]).collect::<Vec<f64>>();
            ClassMetrics { class: c.clone(), metrics: Metrics::compute(&pick(y), &pick(mu), Some(&pick(sd))) }
        })
        .collect()
}

fn mean_std(v: &[f64]) -> (f64, f64) {
    let n = v.len().max(1) as f64;
    let m = v.iter().sum::<f64>() / n;
    let s = (v.iter().map(|a| (a - m) * (a - m)).sum::<f64>() / (n - 1.0).max(1.0)).sqrt();
    (m, s)
}


/// Fit and predict every fold of one k-fold split: (test rows, mean, σ) per fold.
fn fold_predictions<M: Regressor>(
    x: &Matrix,
    y: &[f64],
    k: usize,
    seed: u64,
    make: &dyn Fn(u64) -> M,
) -> Result<Vec<(Vec<usize>, Vec<f64>, Vec<f64>)>> {
    kfold(x.n_rows, k, seed)?
        .into_iter()
        .map(|(tr, te)| {
            let mut m = make(seed);
            let ytr: Vec<f64> = tr.iter().map(|&i| y[i]).collect();
            m.fit(&x.select_rows(&tr), &ytr)?;
            let (mu, sd) = m.predict_with_std(&x.select_rows(&te))?;
            Ok((te, mu, sd))
        })
        .collect()
}

/// Scatter per-fold predictions back to row order (out-of-fold mean and σ per row).
fn out_of_fold(n: usize, folds: &[(Vec<usize>, Vec<f64>, Vec<f64>)]) -> (Vec<f64>, Vec<f64>) {
    let (mut mu, mut sd) = (vec![f64::NAN; n], vec![f64::NAN; n]);
    for (te, a, b) in folds {
        for (j, &i) in te.iter().enumerate() {
            mu[i] = a[j];
            sd[i] = b[j];
        }
    }
    (mu, sd)
}

/// k-fold CV repeated over `seeds`; `make` builds a fresh model per fold.
pub fn cross_validate<M: Regressor>(
    x: &Matrix,
    y: &[f64],
    k: usize,
    seeds: &[u64],
    make: &dyn Fn(u64) -> M,
) -> Result<CvReport> {
    cross_validate_with_predictions(x, y, k, seeds, make).map(|r| r.0)
}

/// [`cross_validate`], also returning the out-of-fold predictions (mean, σ per row) of the first
/// seed's split — from the same fits, for parity plots.
pub fn cross_validate_with_predictions<M: Regressor>(
    x: &Matrix,
    y: &[f64],
    k: usize,
    seeds: &[u64],
    make: &dyn Fn(u64) -> M,
) -> Result<(CvReport, Vec<f64>, Vec<f64>)> {
    let mut folds = Vec::new();
    let mut oof = None;
    for &s in seeds {
        let preds = fold_predictions(x, y, k, s, make)?;
        for (te, mu, sd) in &preds {
            let yte: Vec<f64> = te.iter().map(|&i| y[i]).collect();
            folds.push(Metrics::compute(&yte, mu, Some(sd)));
        }
        if oof.is_none() {
            oof = Some(out_of_fold(x.n_rows, &preds));
        }
    }
    let report = CvReport::from_folds(k, seeds, folds);
    let (mu, sd) = oof.unwrap_or_default();
    Ok((report, mu, sd))
}

/// Out-of-fold predictions of a k-fold split (every row predicted once, by the model that did
/// not see it): mean and σ per row, for parity plots and residual analysis.
pub fn cross_val_predict<M: Regressor>(
    x: &Matrix,
    y: &[f64],
    k: usize,
    seed: u64,
    make: &dyn Fn(u64) -> M,
) -> Result<(Vec<f64>, Vec<f64>)> {
    Ok(out_of_fold(x.n_rows, &fold_predictions(x, y, k, seed, make)?))
}

/// One point of a learning curve: held-out error when training on `n_train` rows.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LearningPoint {
    pub n_train: usize,
    pub mae_mean: f64,
    pub mae_std: f64,
    pub rmse_mean: f64,
}

/// Learning curve by k-fold CV: in every fold, train on the first `fraction` of the (shuffled)
/// training rows for each of `fractions` (in (0, 1]) and test on the held-out fold; mean ± std
/// over folds.
pub fn learning_curve<M: Regressor>(
    x: &Matrix,
    y: &[f64],
    k: usize,
    fractions: &[f64],
    seed: u64,
    make: &dyn Fn(u64) -> M,
) -> Result<Vec<LearningPoint>> {
    if fractions.is_empty() || fractions.iter().any(|f| !(*f > 0.0 && *f <= 1.0)) {
        return Err(MlError::param("fractions", format!("{fractions:?}"), "need values in (0, 1]"));
    }
    let folds = kfold(x.n_rows, k, seed)?;
    let mut out = Vec::with_capacity(fractions.len());
    for &f in fractions {
        let (mut maes, mut rmses, mut n_train) = (Vec::new(), Vec::new(), 0);
        for (tr, te) in &folds {
            let n = ((tr.len() as f64 * f).round() as usize).clamp(2.min(tr.len()), tr.len());
            let sub = &tr[..n];
            let mut m = make(seed);
            let ytr: Vec<f64> = sub.iter().map(|&i| y[i]).collect();
            m.fit(&x.select_rows(sub), &ytr)?;
            let (mu, _) = m.predict_with_std(&x.select_rows(te))?;
            let yte: Vec<f64> = te.iter().map(|&i| y[i]).collect();
            maes.push(mae(&yte, &mu));
            rmses.push(rmse(&yte, &mu));
            n_train = n;
        }
        let (mae_mean, mae_std) = mean_std(&maes);
        out.push(LearningPoint { n_train, mae_mean, mae_std, rmse_mean: mean_std(&rmses).0 });
    }
    Ok(out)
}

/// Transfer to an unseen group: metrics on one held-out group (class or dataset) of a
/// leave-one-group-out evaluation, beside the dummy predictor (training mean).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GroupFold {
    pub group: String,
    pub n_train: usize,
    pub metrics: Metrics,
    pub dummy_mae: f64,
}

/// Leave-one-group-out evaluation: for every group with at least `min_size` rows, train on all
/// other rows and test on it (material classes, or datasets for cross-database transfer).
pub fn leave_group_out<M: Regressor>(
    x: &Matrix,
    y: &[f64],
    groups: &[String],
    min_size: usize,
    make: &dyn Fn() -> M,
) -> Result<Vec<GroupFold>> {
    if groups.len() != x.n_rows || y.len() != x.n_rows {
        return Err(MlError::ShapeMismatch { what: "groups".into(), expected: x.n_rows.to_string(), got: groups.len().to_string() });
    }
    let mut names: Vec<&String> = groups.iter().collect();
    names.sort();
    names.dedup();
    if names.len() < 2 {
        return Err(MlError::param("groups", names.len(), "leave-one-group-out needs at least two groups"));
    }
    let mut out = Vec::new();
    for g in names {
        let te: Vec<usize> = (0..x.n_rows).filter(|&i| &groups[i] == g).collect();
        if te.len() < min_size.max(1) {
            continue;
        }
        let tr: Vec<usize> = (0..x.n_rows).filter(|&i| &groups[i] != g).collect();
        let ytr: Vec<f64> = tr.iter().map(|&i| y[i]).collect();
        let yte: Vec<f64> = te.iter().map(|&i| y[i]).collect();
        let mut m = make();
        m.fit(&x.select_rows(&tr), &ytr)?;
        let (mu, sd) = m.predict_with_std(&x.select_rows(&te))?;
        let mean = ytr.iter().sum::<f64>() / ytr.len() as f64;
        out.push(GroupFold {
            group: g.clone(),
            n_train: tr.len(),
            metrics: Metrics::compute(&yte, &mu, Some(&sd)),
            dummy_mae: mae(&yte, &vec![mean; yte.len()]),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regression_metrics_by_hand() {
        let y = [1.0, 2.0, 3.0, 4.0];
        let p = [1.5, 2.0, 2.0, 4.0];
        assert!((mae(&y, &p) - 0.375).abs() < 1e-12);
        assert!((rmse(&y, &p) - (1.25f64 / 4.0).sqrt()).abs() < 1e-12);
        assert!((r2(&y, &p) - (1.0 - 1.25 / 5.0)).abs() < 1e-12);
        assert!((quantile(&[3.0, 1.0, 2.0, 4.0], 0.5) - 2.5).abs() < 1e-12);
        assert!((coverage(&y, &p, &[0.5, 0.1, 0.5, 0.1], 1.0) - 0.75).abs() < 1e-12);
    }

    #[test]
    fn screening_metrics_by_hand() {
        let t = [true, true, false, false, true];
        let p = [true, false, true, false, true];
        let (pr, re, f1) = precision_recall_f1(&t, &p);
        assert!((pr - 2.0 / 3.0).abs() < 1e-12);
        assert!((re - 2.0 / 3.0).abs() < 1e-12);
        assert!((f1 - 2.0 / 3.0).abs() < 1e-12);
        // sklearn.metrics.roc_auc_score([0,0,1,1],[0.1,0.4,0.35,0.8]) == 0.75
        let auc = roc_auc(&[false, false, true, true], &[0.1, 0.4, 0.35, 0.8]);
        assert!((auc - 0.75).abs() < 1e-12);
        // ties: roc_auc_score([0,1],[0.5,0.5]) == 0.5
        assert!((roc_auc(&[false, true], &[0.5, 0.5]) - 0.5).abs() < 1e-12);
        assert!(roc_auc(&[true, true], &[0.1, 0.2]).is_nan());
    }

    #[test]
    fn splits_partition_the_data() {
        let folds = kfold(10, 3, 1).unwrap();
        let mut all: Vec<usize> = folds.iter().flat_map(|f| f.1.clone()).collect();
        all.sort_unstable();
        assert_eq!(all, (0..10).collect::<Vec<_>>());
        for (tr, te) in &folds {
            assert_eq!(tr.len() + te.len(), 10);
        }
        assert!(kfold(3, 5, 0).is_err());
        let classes: Vec<usize> = (0..100).map(|i| usize::from(i >= 80)).collect();
        let (tr, va, te) = train_val_test_split(100, (0.7, 0.15, 0.15), Some(&classes), 0).unwrap();
        assert_eq!(tr.len() + va.len() + te.len(), 100);
        assert_eq!(te.iter().filter(|&&i| i >= 80).count(), 3); // 15 % of the 20 in class 1
        assert_eq!(va.iter().filter(|&&i| i >= 80).count(), 3);
    }

    #[test]
    fn leave_group_out_holds_each_group_out_once() {
        use crate::model::{Estimator, ModelKind};
        // y depends on x; group "b" lies outside the training range of "a" (extrapolation)
        let n = 60;
        let xs: Vec<f64> = (0..n).map(|i| i as f64 / n as f64).collect();
        let x = Matrix::new(n, 1, xs.clone()).unwrap();
        let y: Vec<f64> = xs.iter().map(|v| 3.0 * v).collect();
        let groups: Vec<String> = (0..n).map(|i| if i < 40 { "a".into() } else if i < 55 { "b".into() } else { "c".into() }).collect();
        let folds = leave_group_out(&x, &y, &groups, 10, &|| Estimator::new(ModelKind::Gbm(crate::gbm::GbmParams { n_estimators: 20, ..Default::default() }))).unwrap();
        let names: Vec<&str> = folds.iter().map(|f| f.group.as_str()).collect();
        assert_eq!(names, ["a", "b"]); // "c" has only 5 rows
        assert_eq!(folds[0].metrics.n, 40);
        assert_eq!(folds[1].n_train, 45);
        assert!(leave_group_out(&x, &y, &vec!["a".to_string(); n], 1, &|| Estimator::new(ModelKind::Gbm(crate::gbm::GbmParams { n_estimators: 20, ..Default::default() }))).is_err());
    }

    #[test]
    fn out_of_fold_predictions_and_learning_curve() {
        use crate::gp::{GpParams, Kernel};
        use crate::model::{Estimator, ModelKind};
        let n = 120;
        let xs: Vec<f64> = (0..n).map(|i| 6.0 * i as f64 / n as f64).collect();
        let x = Matrix::new(n, 1, xs.clone()).unwrap();
        let y: Vec<f64> = xs.iter().map(|v| v.sin()).collect();
        let make = |_s: u64| Estimator::new(ModelKind::Gp(GpParams { kernel: Kernel::Rbf, ..GpParams::default() }));
        let (mu, sd) = cross_val_predict(&x, &y, 5, 1, &make).unwrap();
        assert!(mu.iter().chain(&sd).all(|v| v.is_finite()), "every row predicted once");
        // out-of-fold MAE equals the row-weighted mean of the fold MAEs of the same split
        let cv = cross_validate(&x, &y, 5, &[1], &make).unwrap();
        let weighted = cv.folds.iter().map(|f| f.mae * f.n as f64).sum::<f64>() / n as f64;
        assert!((mae(&y, &mu) - weighted).abs() < 1e-9 * weighted.max(1e-12));
        // the CV report's own out-of-fold predictions come from the same fits
        let (_, mu2, sd2) = cross_validate_with_predictions(&x, &y, 5, &[1], &make).unwrap();
        assert_eq!((mu2, sd2), (mu.clone(), sd.clone()));
        // more training rows, lower held-out error (smooth function)
        let lc = learning_curve(&x, &y, 4, &[0.05, 0.2, 1.0], 2, &make).unwrap();
        assert_eq!(lc.iter().map(|p| p.n_train).collect::<Vec<_>>(), [5, 18, 90]);
        assert!(lc[0].mae_mean > lc[1].mae_mean && lc[1].mae_mean > lc[2].mae_mean, "{lc:?}");
        assert!(learning_curve(&x, &y, 4, &[0.0, 1.0], 2, &make).is_err());
    }
}
