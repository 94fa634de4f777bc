//! Pool-based active learning: start from a few random labels, fit, score the unlabelled pool by
//! an acquisition function, label the best batch through an oracle, repeat. Reports the test error
//! after each round so it can be compared with random sampling.

use crate::data::Matrix;
use crate::error::{MlError, Result};
use crate::eval::{mae, rmse};
use crate::model::ModelKind;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Acquisition {
    /// Uniformly random (the baseline).
    Random,
    /// Largest predictive σ (learns the whole function).
    Variance,
    /// Upper confidence bound μ + κσ (maximisation).
    Ucb { kappa: f64 },
    /// Expected improvement over the best label so far (maximisation).
    Ei { xi: f64 },
}

/// Labels pool items on request: a table lookup ([`TableOracle`]) or a simulation (e.g. the
/// Python binding wraps any callable, so a scalebridge MD protocol can label each candidate).
///
/// A label that is NaN means "this evaluation failed" (e.g. a simulation that did not converge):
/// the item is dropped from the pool and counted in [`AlStep::n_failed`], not used for training.
pub trait Oracle {
    fn label(&mut self, index: usize) -> Result<f64>;

    /// Labels for one round's batch. Override to evaluate a batch at once (in parallel, on a
    /// cluster); the default labels one index after the other.
    fn label_batch(&mut self, indices: &[usize]) -> Result<Vec<f64>> {
        indices.iter().map(|&i| self.label(i)).collect()
    }
}

/// Oracle that looks labels up in a table (simulated experiments).
#[derive(Debug, Clone)]
pub struct TableOracle {
    pub y: Vec<f64>,
    pub calls: usize,
}

impl TableOracle {
    pub fn new(y: Vec<f64>) -> Self {
        TableOracle { y, calls: 0 }
    }
}

impl Oracle for TableOracle {
    fn label(&mut self, index: usize) -> Result<f64> {
        self.calls += 1;
        self.y.get(index).copied().ok_or_else(|| {
            MlError::param("index", index, &format!("pool has {} rows", self.y.len()))
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AlParams {
    pub initial: usize,
    pub batch: usize,
    pub max_labels: usize,
    pub acquisition: Acquisition,
    pub seed: u64,
}

/// Test error after one round.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AlStep {
    pub n_labels: usize,
    pub mae: f64,
    pub rmse: f64,
    /// Largest label found so far (for optimisation).
    pub best_label: f64,
    /// Oracle evaluations that failed (NaN label) so far; those items are not labelled.
    #[serde(default)]
    pub n_failed: usize,
}

fn norm_pdf(z: f64) -> f64 {
    (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// Standard normal CDF via erfc (W. J. Cody-style rational approximation, |error| < 1.2e-7).
pub fn norm_cdf(z: f64) -> f64 {
    let x = -z / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.5 * x.abs());
    let y = t
        * (-x * x - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07
                                + t * (-1.135_203_98
                                    + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
            .exp();
    let erfc = if x >= 0.0 { y } else { 2.0 - y };
    0.5 * erfc
}

/// Expected improvement of N(mu, sd²) over `best` (maximisation).
pub fn expected_improvement(mu: f64, sd: f64, best: f64, xi: f64) -> f64 {
    let d = mu - best - xi;
    if sd <= 0.0 || !sd.is_finite() {
        return d.max(0.0);
    }
    let z = d / sd;
    d * norm_cdf(z) + sd * norm_pdf(z)
}

/// Run the loop on `pool` (labels come from `oracle`), evaluating on (`test_x`, `test_y`).
pub fn run_active_learning(
    pool: &Matrix,
    oracle: &mut dyn Oracle,
    test_x: &Matrix,
    test_y: &[f64],
    kind: &ModelKind,
    p: &AlParams,
) -> Result<Vec<AlStep>> {
    if p.initial < 3 || p.batch == 0 || p.max_labels > pool.n_rows || p.initial > p.max_labels {
        return Err(MlError::param(
            "active learning",
            format!("initial={} batch={} max_labels={}", p.initial, p.batch, p.max_labels),
            &format!("need 3 <= initial <= max_labels <= pool size {} and batch >= 1", pool.n_rows),
        ));
    }
    let mut rng = StdRng::seed_from_u64(p.seed);
    let mut order: Vec<usize> = (0..pool.n_rows).collect();
    order.shuffle(&mut rng);
    let mut labelled: Vec<usize> = Vec::with_capacity(p.max_labels);
    let mut y: Vec<f64> = Vec::with_capacity(p.max_labels);
    let mut label = |idx: Vec<usize>, labelled: &mut Vec<usize>, y: &mut Vec<f64>| -> Result<()> {
        let v = oracle.label_batch(&idx)?;
        if v.len() != idx.len() {
            return Err(MlError::ShapeMismatch { what: "oracle labels".into(), expected: idx.len().to_string(), got: v.len().to_string() });
        }
        for (i, v) in idx.into_iter().zip(v) {
            if v.is_nan() {
                continue; // failed evaluation: dropped, counted as requested − labelled
            } else if !v.is_finite() {
                return Err(MlError::NonFinite { what: "oracle label (pool row)".into(), index: i });
            } else {
                labelled.push(i);
                y.push(v);
            }
        }
        Ok(())
    };
    label(order[..p.initial].to_vec(), &mut labelled, &mut y)?;
    let mut unlabelled: Vec<usize> = order[p.initial..].to_vec();
    if labelled.len() < 3 {
        return Err(MlError::NotEnoughData { what: "active learning: successful initial labels".into(), needed: 3, have: labelled.len() });
    }
    let mut steps = Vec::new();
    loop {
        let model = kind.with_seed(p.seed).fit(&pool.select_rows(&labelled), &y)?;
        let (mu_t, _) = model.predict_with_std(test_x)?;
        let best = y.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        steps.push(AlStep {
            n_labels: labelled.len(),
            mae: mae(test_y, &mu_t),
            rmse: rmse(test_y, &mu_t),
            best_label: best,
            n_failed: (pool.n_rows - unlabelled.len()) - labelled.len(),
        });
        // the budget counts oracle calls (a failed simulation costs as much as a good one)
        let requested = pool.n_rows - unlabelled.len();
        if requested >= p.max_labels || unlabelled.is_empty() {
            break;
        }
        let b = p.batch.min(p.max_labels - requested).min(unlabelled.len());
        let chosen: Vec<usize> = match p.acquisition {
            Acquisition::Random => (0..b).collect(), // unlabelled is already shuffled
            acq => {
                let (mu, sd) = model.predict_with_std(&pool.select_rows(&unlabelled))?;
                let mut score: Vec<(usize, f64)> = (0..unlabelled.len())
                    .map(|k| {
                        let s = match acq {
                            Acquisition::Variance => sd[k],
                            Acquisition::Ucb { kappa } => mu[k] + kappa * sd[k],
                            Acquisition::Ei { xi } => expected_improvement(mu[k], sd[k], best, xi),
                            Acquisition::Random => 0.0,
                        };
                        (k, if s.is_nan() { f64::NEG_INFINITY } else { s })
                    })
                    .collect();
                score.sort_by(|a, b| b.1.total_cmp(&a.1));
                score.iter().take(b).map(|s| s.0).collect()
            }
        };
        let mut chosen_sorted = chosen;
        chosen_sorted.sort_unstable_by(|a, b| b.cmp(a));
        let idx: Vec<usize> = chosen_sorted.into_iter().map(|k| unlabelled.remove(k)).collect();
        label(idx, &mut labelled, &mut y)?;
    }
    Ok(steps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gp::{GpParams, Kernel};

    #[test]
    fn normal_cdf_and_ei_reference_values() {
        // scipy.stats.norm.cdf(1.0) = 0.8413447460685429
        assert!((norm_cdf(1.0) - 0.841_344_746_068_542_9).abs() < 2e-7);
        assert!((norm_cdf(-2.0) - 0.022_750_131_948_179_2).abs() < 2e-7);
        assert!((norm_cdf(0.0) - 0.5).abs() < 1e-7);
        // EI at mu = best, sd = 1: sd * pdf(0) = 0.3989422804
        assert!((expected_improvement(0.0, 1.0, 0.0, 0.0) - 0.398_942_280_4).abs() < 1e-7);
    }

    #[test]
    fn variance_sampling_beats_random_on_a_gp() {
        // 1-D function with a localised feature; pool of 400, test of 200.
        let f = |x: f64| (3.0 * x).sin() + 2.0 * (-(x - 4.0) * (x - 4.0) * 8.0).exp();
        let pool_x: Vec<f64> = (0..400).map(|i| 6.0 * i as f64 / 399.0).collect();
        let test_x: Vec<f64> = (0..200).map(|i| 6.0 * (i as f64 + 0.5) / 200.0).collect();
        let pool = Matrix::new(400, 1, pool_x.clone()).unwrap();
        let test = Matrix::new(200, 1, test_x.clone()).unwrap();
        let ty: Vec<f64> = test_x.iter().map(|&x| f(x)).collect();
        let kind = ModelKind::Gp(GpParams {
            kernel: Kernel::Rbf,
            ..GpParams::default()
        });
        let run = |acq| {
            let mut o = TableOracle::new(pool_x.iter().map(|&x| f(x)).collect());
            let p = AlParams {
                initial: 5,
                batch: 3,
                max_labels: 29,
                acquisition: acq,
                seed: 1,
            };
            run_active_learning(&pool, &mut o, &test, &ty, &kind, &p).unwrap()
        };
        let var = run(Acquisition::Variance);
        let rnd = run(Acquisition::Random);
        assert_eq!(var.last().unwrap().n_labels, 29);
        assert!(var.last().unwrap().mae < rnd.last().unwrap().mae);
        // UCB and EI find the maximum of a smooth function (pool maximum by brute force)
        let g = |x: f64| -(x - 4.2) * (x - 4.2) + 0.3 * (3.0 * x).sin();
        let gmax = pool_x.iter().map(|&x| g(x)).fold(f64::NEG_INFINITY, f64::max);
        for acq in [Acquisition::Ucb { kappa: 2.0 }, Acquisition::Ei { xi: 0.01 }] {
            let mut o = TableOracle::new(pool_x.iter().map(|&x| g(x)).collect());
            let gy: Vec<f64> = test_x.iter().map(|&x| g(x)).collect();
            let p = AlParams { initial: 4, batch: 1, max_labels: 20, acquisition: acq, seed: 2 };
            let s = run_active_learning(&pool, &mut o, &test, &gy, &kind, &p).unwrap();
            assert!(gmax - s.last().unwrap().best_label < 5e-3, "{acq:?} {gmax}: {s:?}");
        }
    }

    /// A simulation-like oracle: counts batch calls, fails (NaN) on every 7th pool row.
    struct FlakySim {
        calls: Vec<usize>,
    }

    impl Oracle for FlakySim {
        fn label(&mut self, i: usize) -> Result<f64> {
            Ok(if i % 7 == 3 { f64::NAN } else { (i as f64 * 0.01).sin() })
        }
        fn label_batch(&mut self, idx: &[usize]) -> Result<Vec<f64>> {
            self.calls.push(idx.len());
            idx.iter().map(|&i| self.label(i)).collect()
        }
    }

    #[test]
    fn failed_evaluations_are_dropped_and_counted_against_the_budget() {
        let x: Vec<f64> = (0..300).map(|i| i as f64 * 0.01).collect();
        let pool = Matrix::new(300, 1, x.clone()).unwrap();
        let test = Matrix::new(50, 1, x[..50].to_vec()).unwrap();
        let ty: Vec<f64> = (0..50).map(|i| (i as f64 * 0.01).sin()).collect();
        let kind = ModelKind::Gp(GpParams { kernel: Kernel::Rbf, ..GpParams::default() });
        let mut o = FlakySim { calls: Vec::new() };
        let p = AlParams { initial: 10, batch: 6, max_labels: 40, acquisition: Acquisition::Variance, seed: 3 };
        let steps = run_active_learning(&pool, &mut o, &test, &ty, &kind, &p).unwrap();
        // one batch call per round: initial 10, then batches of 6 up to 40 oracle calls
        assert_eq!(o.calls, vec![10, 6, 6, 6, 6, 6]);
        let last = steps.last().unwrap();
        assert_eq!(last.n_labels + last.n_failed, 40);
        assert!(steps.iter().all(|s| s.mae.is_finite()));
        // an oracle that returns the wrong number of labels is an error, not a panic
        struct Short;
        impl Oracle for Short {
            fn label(&mut self, _: usize) -> Result<f64> {
                Ok(0.0)
            }
            fn label_batch(&mut self, idx: &[usize]) -> Result<Vec<f64>> {
                Ok(vec![0.0; idx.len() - 1])
            }
        }
        assert!(run_active_learning(&pool, &mut Short, &test, &ty, &kind, &p).is_err());
    }
}
