//! The benchmark's metrics against values computed by scipy 1.17 / scikit-learn (the numbers
//! below were printed by `scipy.stats.pearsonr`, `spearmanr`, `kendalltau(method="asymptotic")`,
//! `sklearn.metrics.mean_absolute_error`, `mean_squared_error`, `r2_score`, `precision_score`,
//! `recall_score`, `f1_score`, `roc_auc_score`, `numpy.quantile` on these arrays) and by hand.

use approx::assert_relative_eq;
use scalebridge_evaluation::metrics::{disorder, kendall, mean_std, paired_abs_error, pearson, screening, spearman};

const X: [f64; 10] = [0.1, 0.4, 0.35, 0.8, 0.55, 0.2, 0.9, 0.6, 0.6, 0.3];
const Y: [f64; 10] = [1.2, 2.1, 1.9, 3.5, 2.2, 2.0, 3.1, 2.9, 2.4, 1.1];

#[test]
fn correlations_match_scipy() {
    let p = pearson(&X, &Y);
    assert_relative_eq!(p.r, 0.889083989971277, max_relative = 1e-12);
    assert_relative_eq!(p.p, 0.0005780249967773519, max_relative = 1e-6);
    let s = spearman(&X, &Y);
    assert_relative_eq!(s.r, 0.9240164263936982, max_relative = 1e-12);
    assert_relative_eq!(s.p, 0.00013295265816009124, max_relative = 1e-6);
    // X has a tie (0.6, 0.6): τ-b and the tie-corrected variance
    let k = kendall(&X, &Y);
    assert_relative_eq!(k.r, 0.8090398349558905, max_relative = 1e-12);
    assert_relative_eq!(k.p, 0.0012254240706707099, max_relative = 1e-6);
    // anti-correlation flips the sign, keeps p
    let neg: Vec<f64> = Y.iter().map(|v| -v).collect();
    assert_relative_eq!(kendall(&X, &neg).r, -0.8090398349558905, max_relative = 1e-12);
    assert_relative_eq!(pearson(&X, &neg).p, p.p, max_relative = 1e-9);
    // undefined cases are NaN, not a panic
    assert!(pearson(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]).r.is_nan());
    assert!(kendall(&[1.0], &[2.0]).r.is_nan());
}

#[test]
fn regression_and_screening_metrics_match_scikit_learn() {
    let yt = [3.0, -0.5, 2.0, 7.0, 4.2, 1.1, 5.5, 6.0];
    let yp = [2.5, 0.0, 2.0, 8.0, 3.9, 1.5, 5.0, 6.4];
    assert_relative_eq!(scalebridge_ml::eval::mae(&yt, &yp), 0.45000000000000007, max_relative = 1e-12);
    assert_relative_eq!(scalebridge_ml::eval::rmse(&yt, &yp), 0.5196152422706632, max_relative = 1e-12);
    assert_relative_eq!(scalebridge_ml::eval::r2(&yt, &yp), 0.9542748273398428, max_relative = 1e-12);
    // threshold = numpy.quantile(yt, 0.75) = 5.625; positives: 7.0 and 6.0
    // predictions >= 5.625: 6.0 (FP), 8.0 (TP), 7.0 (FP), 6.4 (TP) → precision 1/2, recall 1, F1 2/3;
    // ROC-AUC: the positive 8.0 outranks all 6 negatives, 6.4 outranks 5 of them → 11/12
    let yp2 = [2.5, 0.0, 6.0, 8.0, 3.9, 1.5, 7.0, 6.4];
    let s = screening(&yt, &yp2);
    assert_relative_eq!(s.threshold, 5.625, max_relative = 1e-12);
    assert_eq!((s.n, s.positives), (8, 2));
    assert_relative_eq!(s.precision, 0.5);
    assert_relative_eq!(s.recall, 1.0);
    assert_relative_eq!(s.f1, 2.0 / 3.0, max_relative = 1e-12);
    assert_relative_eq!(s.roc_auc, 11.0 / 12.0, max_relative = 1e-12);
    let (m, sd) = mean_std(&[1.0, 2.0, 4.0]);
    assert_relative_eq!(m, 7.0 / 3.0);
    assert_relative_eq!(sd, (((1.0f64 - 7.0 / 3.0).powi(2) + (2.0f64 - 7.0 / 3.0).powi(2) + (4.0f64 - 7.0 / 3.0).powi(2)) / 2.0).sqrt(), max_relative = 1e-12);
}

#[test]
fn disorder_descriptors_by_hand() {
    // equiatomic quaternary: S/k_B = ln 4
    let c: Vec<(String, f64)> = ["Co", "Cr", "Fe", "Ni"].iter().map(|e| (e.to_string(), 0.25)).collect();
    let (s, _) = disorder(&c);
    assert_relative_eq!(s, 4f64.ln(), max_relative = 1e-12);
    // one element: no entropy, no mismatch
    let (s1, d1) = disorder(&[("Cu".into(), 1.0)]);
    assert_relative_eq!(s1, 0.0);
    assert_relative_eq!(d1, 0.0);
    // binary 50/50 with covalent radii r1, r2: δ = |r1 − r2| / (r1 + r2)
    let t = scalebridge_ml::elements::ElementTable::get();
    let r = |e: &str| t.property(t.index_of(e).unwrap(), "CovalentRadius").unwrap();
    let (_, d) = disorder(&[("Al".into(), 0.5), ("Ni".into(), 0.5)]);
    assert_relative_eq!(d, (r("Al") - r("Ni")).abs() / (r("Al") + r("Ni")), max_relative = 1e-12);
    assert!(d > 0.0);
}

#[test]
fn paired_abs_error_matches_scipy_ttest_rel() {
    // scipy 1.17.1: d = |y − ref| − |y − new|; d.mean(), d.std(ddof=1)/√n,
    // stats.ttest_rel(|y − ref|, |y − new|) → statistic, pvalue; (d > 0).mean()
    let y = [3.0, 1.5, 4.2, 2.2, 5.0, 3.3, 0.7, 2.9];
    let reference = [2.1, 2.5, 3.0, 2.0, 3.9, 3.9, 1.8, 2.7];
    let model = [2.8, 1.9, 3.9, 2.6, 4.6, 3.1, 1.1, 3.2];
    let p = paired_abs_error(&y, &reference, &model);
    assert_eq!(p.n, 8);
    assert_relative_eq!(p.mae_reduction, 0.4624999999999999, max_relative = 1e-12);
    assert_relative_eq!(p.stderr, 0.14260021538753517, max_relative = 1e-12);
    assert_relative_eq!(p.t, 3.243333109582578, max_relative = 1e-10);
    assert_relative_eq!(p.p_two_sided, 0.014187480366620963, max_relative = 1e-8);
    assert_relative_eq!(p.fraction_better, 0.75);
    // a model against itself: no difference, p = 1; swapped models flip the sign only
    let same = paired_abs_error(&y, &model, &model);
    assert_eq!((same.mae_reduction, same.p_two_sided, same.fraction_better), (0.0, 1.0, 0.0));
    let swapped = paired_abs_error(&y, &model, &reference);
    assert_relative_eq!(swapped.mae_reduction, -p.mae_reduction, max_relative = 1e-12);
    assert_relative_eq!(swapped.p_two_sided, p.p_two_sided, max_relative = 1e-10);
}

/// A non-finite value (a descriptor a material lacks) gives NaN statistics, not a panic inside the
/// t distribution (statrs panics on a NaN argument; the polymer class hit it); equal non-zero
/// paired differences give p = 0.
#[test]
fn non_finite_inputs_give_nan_not_a_panic() {
    let mut x = X;
    x[3] = f64::NAN;
    let p = pearson(&x, &Y);
    assert!(p.r.is_nan() && p.p.is_nan(), "{p:?}");
    let s = spearman(&x, &Y);
    assert!(s.p.is_nan() || (0.0..=1.0).contains(&s.p), "{s:?}");
    let k = kendall(&x, &Y);
    assert!(k.p.is_nan() || (0.0..=1.0).contains(&k.p), "{k:?}");
    let y = [1.0, 2.0, 3.0, 4.0];
    let pa = paired_abs_error(&y, &[2.0, 3.0, 4.0, 5.0], &[1.5, 2.5, 3.5, 4.5]);
    assert_eq!(pa.p_two_sided, 0.0, "{pa:?}");
}
