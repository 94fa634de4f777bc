//! Metrics of the benchmark that `scalebridge-ml`'s `eval` does not hold: correlation tests
//! (Pearson, Spearman, Kendall τ-b, each with its two-sided p-value, as `scipy.stats`
//! computes them asymptotically), screening at the upper quartile, mean ± std.
//! Regression metrics (MAE, RMSE, R²), precision/recall/F1 and ROC-AUC are `scalebridge_ml::eval`'s.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

/// A correlation coefficient and its two-sided p-value.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Correlation {
    pub r: f64,
    pub p: f64,
}

fn nan() -> Correlation {
    Correlation { r: f64::NAN, p: f64::NAN }
}

/// Two-sided p of a correlation r over n pairs from Student's t with n − 2 degrees of freedom
/// (scipy's `pearsonr` uses the exact beta distribution, which is the same test).
fn t_test_p(r: f64, n: usize) -> f64 {
    if n < 3 {
        return f64::NAN;
    }
    let df = (n - 2) as f64;
    if r.is_nan() {
        // a non-finite input (statrs panics on a NaN argument of the t distribution)
        return f64::NAN;
    }
    if r.abs() >= 1.0 {
        return 0.0;
    }
    let t = r * (df / (1.0 - r * r)).sqrt();
    match StudentsT::new(0.0, 1.0, df) {
        Ok(d) => 2.0 * d.cdf(-t.abs()),
        Err(_) => f64::NAN,
    }
}

/// Pearson's r and its p-value.
pub fn pearson(x: &[f64], y: &[f64]) -> Correlation {
    let n = x.len().min(y.len());
    if n < 3 {
        return nan();
    }
    let mx = x[..n].iter().sum::<f64>() / n as f64;
    let my = y[..n].iter().sum::<f64>() / n as f64;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for i in 0..n {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx).powi(2);
        syy += (y[i] - my).powi(2);
    }
    if sxx == 0.0 || syy == 0.0 {
        return nan();
    }
    let r = (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0);
    Correlation { r, p: t_test_p(r, n) }
}

/// Average ranks (1-based, ties share the mean rank): `scalebridge_ml::eval::average_ranks`.
pub use scalebridge_ml::eval::average_ranks as ranks;

/// Spearman's ρ (Pearson on average ranks) and its p-value (t with n − 2 df, as scipy).
pub fn spearman(x: &[f64], y: &[f64]) -> Correlation {
    let n = x.len().min(y.len());
    pearson(&ranks(&x[..n]), &ranks(&y[..n]))
}

/// Kendall's τ-b and its two-sided p-value from the normal approximation with the tie-corrected
/// variance (scipy's `kendalltau(method="asymptotic")`).
pub fn kendall(x: &[f64], y: &[f64]) -> Correlation {
    let n = x.len().min(y.len());
    if n < 3 {
        return nan();
    }
    let (mut conc, mut disc, mut tie_x, mut tie_y) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    for i in 0..n {
        for j in (i + 1)..n {
            let dx = x[i] - x[j];
            let dy = y[i] - y[j];
            if dx == 0.0 && dy == 0.0 {
                continue;
            } else if dx == 0.0 {
                tie_x += 1.0;
            } else if dy == 0.0 {
                tie_y += 1.0;
            } else if dx * dy > 0.0 {
                conc += 1.0;
            } else {
                disc += 1.0;
            }
        }
    }
    let denom = ((conc + disc + tie_x) * (conc + disc + tie_y)).sqrt();
    if denom == 0.0 {
        return nan();
    }
    let tau = ((conc - disc) / denom).clamp(-1.0, 1.0);
    // tie groups of x and y (counts of equal values)
    let groups = |v: &[f64]| -> Vec<f64> {
        let mut s = v.to_vec();
        s.sort_by(f64::total_cmp);
        let mut out = Vec::new();
        let mut i = 0;
        while i < s.len() {
            let mut j = i;
            while j + 1 < s.len() && s[j + 1] == s[i] {
                j += 1;
            }
            if j > i {
                out.push((j - i + 1) as f64);
            }
            i = j + 1;
        }
        out
    };
    let (tx, ty) = (groups(&x[..n]), groups(&y[..n]));
    let nf = n as f64;
    let (x0, y0) = (tx.iter().map(|t| t * (t - 1.0)).sum::<f64>(), ty.iter().map(|t| t * (t - 1.0)).sum::<f64>());
    let (x1, y1) = (tx.iter().map(|t| t * (t - 1.0) * (2.0 * t + 5.0)).sum::<f64>(), ty.iter().map(|t| t * (t - 1.0) * (2.0 * t + 5.0)).sum::<f64>());
    let (x2, y2) = (tx.iter().map(|t| t * (t - 1.0) * (t - 2.0)).sum::<f64>(), ty.iter().map(|t| t * (t - 1.0) * (t - 2.0)).sum::<f64>());
    let var = (nf * (nf - 1.0) * (2.0 * nf + 5.0) - x1 - y1) / 18.0 + x2 * y2 / (9.0 * nf * (nf - 1.0) * (nf - 2.0)) + x0 * y0 / (2.0 * nf * (nf - 1.0));
    let z = (conc - disc) / var.sqrt();
    let p = match Normal::new(0.0, 1.0) {
        Ok(d) => (2.0 * d.cdf(-z.abs())).min(1.0),
        Err(_) => f64::NAN,
    };
    Correlation { r: tau, p }
}

/// The three correlation tests of |error| against a descriptor.
#[derive(Debug, Clone, Serialize)]
pub struct CorrelationSet {
    pub n: usize,
    pub pearson: Correlation,
    pub spearman: Correlation,
    pub kendall: Correlation,
}

pub fn correlations(x: &[f64], y: &[f64]) -> CorrelationSet {
    CorrelationSet { n: x.len().min(y.len()), pearson: pearson(x, y), spearman: spearman(x, y), kendall: kendall(x, y) }
}

/// Screening for "meets the target" with the target at the upper quartile (numpy's linear
/// quantile) of the true values: a material meets it when y ≥ threshold; the model predicts
/// that it does when ŷ ≥ threshold; ROC-AUC ranks the materials by ŷ.
#[derive(Debug, Clone, Serialize)]
pub struct Screening {
    pub threshold: f64,
    pub n: usize,
    pub positives: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub roc_auc: f64,
}

pub fn screening(y: &[f64], predicted: &[f64]) -> Screening {
    let threshold = scalebridge_ml::eval::quantile(y, 0.75);
    let truth: Vec<bool> = y.iter().map(|v| *v >= threshold).collect();
    let pred: Vec<bool> = predicted.iter().map(|v| *v >= threshold).collect();
    let (precision, recall, f1) = scalebridge_ml::eval::precision_recall_f1(&truth, &pred);
    Screening { threshold, n: y.len(), positives: truth.iter().filter(|t| **t).count(), precision, recall, f1, roc_auc: scalebridge_ml::eval::roc_auc(&truth, predicted) }
}

/// Mean and sample standard deviation (n − 1; 0 for one value).
pub fn mean_std(v: &[f64]) -> (f64, f64) {
    let f: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    if f.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let m = f.iter().sum::<f64>() / f.len() as f64;
    if f.len() < 2 {
        return (m, 0.0);
    }
    (m, (f.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (f.len() - 1) as f64).sqrt())
}

/// Disorder descriptors of a composition (element → fraction): the ideal configurational
/// entropy S/k_B = −Σ x ln x and the atomic size mismatch δ = √(Σ x (1 − r/r̄)²) of the
/// covalent radii (Yang & Zhang, Mater. Chem. Phys. 132, 233 (2012)) — the lattice distortion
/// that the random solid solution's local disorder grows with.
pub fn disorder(composition: &[(String, f64)]) -> (f64, f64) {
    let total: f64 = composition.iter().map(|c| c.1).sum();
    if total <= 0.0 {
        return (f64::NAN, f64::NAN);
    }
    let s = -composition.iter().map(|(_, x)| x / total).filter(|x| *x > 0.0).map(|x| x * x.ln()).sum::<f64>();
    let table = scalebridge_ml::elements::ElementTable::get();
    let r: Option<Vec<f64>> = composition.iter().map(|(e, _)| table.index_of(e).and_then(|i| table.property(i, "CovalentRadius"))).collect();
    let delta = match r {
        Some(r) => {
            let rbar: f64 = composition.iter().zip(&r).map(|((_, x), ri)| x / total * ri).sum();
            composition.iter().zip(&r).map(|((_, x), ri)| x / total * (1.0 - ri / rbar).powi(2)).sum::<f64>().sqrt()
        }
        None => f64::NAN,
    };
    (s, delta)
}

/// Paired comparison of two models' out-of-fold absolute errors on the same materials:
/// d_i = |y_i − ŷ_ref,i| − |y_i − ŷ_i| (positive: the model is closer than the reference on
/// material i). `mae_reduction` = mean d = MAE_ref − MAE, its standard error (n − 1), and the
/// paired t-test of mean d = 0 (`scipy.stats.ttest_rel` on the two absolute-error arrays, two-
/// sided, n − 1 degrees of freedom); `fraction_better` counts materials with d > 0. The
/// out-of-fold errors of one cross-validation are not fully independent (the folds share
/// training rows), so p is indicative, not exact.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Paired {
    pub n: usize,
    pub mae_reduction: f64,
    pub stderr: f64,
    pub t: f64,
    pub p_two_sided: f64,
    pub fraction_better: f64,
}

pub fn paired_abs_error(y: &[f64], reference: &[f64], model: &[f64]) -> Paired {
    let d: Vec<f64> = y.iter().zip(reference).zip(model).map(|((y, r), m)| (y - r).abs() - (y - m).abs()).filter(|d| d.is_finite()).collect();
    let n = d.len();
    let (mean, sd) = mean_std(&d);
    let se = if n >= 2 { sd / (n as f64).sqrt() } else { f64::NAN };
    let t = mean / se;
    let p = match (n >= 2, StudentsT::new(0.0, 1.0, n.saturating_sub(1) as f64)) {
        // every difference equal and non-zero: se = 0, |t| infinite
        (true, _) if t.is_infinite() => 0.0,
        (true, Ok(dist)) if !t.is_nan() => 2.0 * dist.cdf(-t.abs()),
        // identical errors on every material: no difference at all
        (true, _) if se == 0.0 && mean == 0.0 => 1.0,
        _ => f64::NAN,
    };
    let better = d.iter().filter(|x| **x > 0.0).count();
    Paired { n, mae_reduction: mean, stderr: se, t, p_two_sided: p, fraction_better: if n > 0 { better as f64 / n as f64 } else { f64::NAN } }
}
