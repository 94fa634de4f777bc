//! Temporal coarse-graining of an MD time series (stress component, energy, ...): the series
//! becomes a fixed set of columns in the series' unit.
//!
//! For a series `x` of `N` samples `dt_ps` apart and name `q`:
//! - `q_mean`: the mean; `q_win{i}_mean`: the means of `n_windows` consecutive equal windows
//!   (window `i` covers samples `⌊iN/w⌋ .. ⌊(i+1)N/w⌋`);
//! - `q_fluct`: the population standard deviation of the samples (fluctuation magnitude);
//!   `q_win_std`: the standard deviation of the window means (slow drift);
//! - `q_spec{j}_amp`, `q_spec{j}_freq`: the `n_spectral` largest one-sided Fourier amplitudes of
//!   the mean-removed series, largest first, and their frequencies (1/ps). Amplitudes are scaled
//!   so that `A sin(2π f t)` with an integer number of periods gives exactly `A` at `f`
//!   (2|X_k|/N; |X_k|/N at the Nyquist bin). Missing bins (very short series) are 0 and NaN.

use crate::error::{FeatureError, Result};
use crate::table::{Feature, Scale};
use rustfft::{num_complex::Complex, FftPlanner};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CoarseGrain {
    pub n_windows: usize,
    pub n_spectral: usize,
}

impl Default for CoarseGrain {
    fn default() -> Self {
        CoarseGrain { n_windows: 4, n_spectral: 3 }
    }
}

fn mean_std(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    (m, (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n).sqrt())
}

/// Columns of one series (see the module docs).
pub fn coarse_grain(name: &str, unit: &str, scale: Scale, series: &[f64], dt_ps: f64, opts: CoarseGrain) -> Result<Vec<Feature>> {
    let n = series.len();
    if n < 2 {
        return Err(FeatureError::param("series", name, &format!("needs at least 2 samples, got {n}")));
    }
    if let Some(i) = series.iter().position(|x| !x.is_finite()) {
        return Err(FeatureError::param("series", name, &format!("sample {i} is {} (not finite)", series[i])));
    }
    if !(dt_ps.is_finite() && dt_ps > 0.0) {
        return Err(FeatureError::param("dt_ps", dt_ps, "must be positive and finite"));
    }
    if opts.n_windows == 0 || opts.n_windows > n {
        return Err(FeatureError::param("n_windows", opts.n_windows, &format!("must be between 1 and the series length {n}")));
    }
    crate::table::check_unit(name, unit)?;
    let f = |suffix: &str, v: f64, u: &str| Feature::new(format!("{name}_{suffix}"), v, u, scale);
    let (mean, sd) = mean_std(series);
    let mut out = vec![f("mean", mean, unit)];
    let w = opts.n_windows;
    let wm: Vec<f64> = (0..w)
        .map(|i| {
            let chunk = &series[i * n / w..(i + 1) * n / w];
            chunk.iter().sum::<f64>() / chunk.len() as f64
        })
        .collect();
    for (i, m) in wm.iter().enumerate() {
        out.push(f(&format!("win{i}_mean"), *m, unit));
    }
    out.push(f("fluct", sd, unit));
    out.push(f("win_std", mean_std(&wm).1, unit));
    let mut buf: Vec<Complex<f64>> = series.iter().map(|x| Complex::new(x - mean, 0.0)).collect();
    FftPlanner::new().plan_fft_forward(n).process(&mut buf);
    let mut amps: Vec<(f64, f64)> = (1..=n / 2)
        .map(|k| {
            let scale = if 2 * k == n { 1.0 } else { 2.0 };
            (scale * buf[k].norm() / n as f64, k as f64 / (n as f64 * dt_ps))
        })
        .collect();
    // largest amplitude first; ties by the lower frequency
    amps.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.total_cmp(&b.1)));
    for j in 0..opts.n_spectral {
        let (a, fr) = amps.get(j).copied().unwrap_or((0.0, f64::NAN));
        out.push(f(&format!("spec{j}_amp"), a, unit));
        out.push(f(&format!("spec{j}_freq"), fr, "1/ps"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    fn get(v: &[Feature], n: &str) -> f64 {
        v.iter().find(|f| f.name == n).unwrap_or_else(|| panic!("{n}")).value
    }

    #[test]
    fn constant_series() {
        let v = coarse_grain("pe", "eV", Scale::Atomistic, &[-3.5; 100], 0.001, CoarseGrain::default()).unwrap();
        assert_eq!(get(&v, "pe_mean"), -3.5);
        for i in 0..4 {
            assert_eq!(get(&v, &format!("pe_win{i}_mean")), -3.5);
        }
        assert!(get(&v, "pe_fluct").abs() < 1e-12 && get(&v, "pe_win_std").abs() < 1e-12);
        for j in 0..3 {
            assert!(get(&v, &format!("pe_spec{j}_amp")).abs() < 1e-12);
        }
        assert_eq!(v.len(), 1 + 4 + 2 + 6);
        assert!(v.iter().all(|f| f.unit == if f.name.ends_with("_freq") { "1/ps" } else { "eV" }));
    }

    #[test]
    fn sinusoids_give_their_amplitudes_and_frequencies() {
        // x = 2 + 3 sin(2π·16 t/T) + 0.5 cos(2π·40 t/T), N = 1024 samples, dt = 2 fs
        let (n, dt) = (1024usize, 0.002);
        let tt = n as f64 * dt;
        let x: Vec<f64> = (0..n)
            .map(|i| {
                let t = i as f64 * dt;
                2.0 + 3.0 * (2.0 * PI * 16.0 * t / tt).sin() + 0.5 * (2.0 * PI * 40.0 * t / tt).cos()
            })
            .collect();
        let v = coarse_grain("sxx", "GPa", Scale::Atomistic, &x, dt, CoarseGrain::default()).unwrap();
        assert!((get(&v, "sxx_mean") - 2.0).abs() < 1e-12);
        // each of the 4 windows holds whole periods of both waves: window means are the mean
        for i in 0..4 {
            assert!((get(&v, &format!("sxx_win{i}_mean")) - 2.0).abs() < 1e-12);
        }
        // std of a sum of orthogonal sinusoids: sqrt(A1²/2 + A2²/2)
        assert!((get(&v, "sxx_fluct") - (9.0f64 / 2.0 + 0.25 / 2.0).sqrt()).abs() < 1e-12);
        assert!((get(&v, "sxx_spec0_amp") - 3.0).abs() < 1e-10);
        assert!((get(&v, "sxx_spec0_freq") - 16.0 / tt).abs() < 1e-12);
        assert!((get(&v, "sxx_spec1_amp") - 0.5).abs() < 1e-10);
        assert!((get(&v, "sxx_spec1_freq") - 40.0 / tt).abs() < 1e-12);
        assert!(get(&v, "sxx_spec2_amp") < 1e-10);
        // a Nyquist-frequency alternation ±1 has amplitude 1
        let alt: Vec<f64> = (0..64).map(|i| if i % 2 == 0 { 1.0 } else { -1.0 }).collect();
        let v = coarse_grain("e", "eV", Scale::Atomistic, &alt, 1.0, CoarseGrain::default()).unwrap();
        assert!((get(&v, "e_spec0_amp") - 1.0).abs() < 1e-12 && (get(&v, "e_spec0_freq") - 0.5).abs() < 1e-12);
    }

    #[test]
    fn windows_see_a_drift_and_bad_input_is_an_error() {
        let x: Vec<f64> = (0..8).map(f64::from).collect();
        let o = CoarseGrain { n_windows: 2, n_spectral: 1 };
        let v = coarse_grain("t", "K", Scale::Atomistic, &x, 1.0, o).unwrap();
        assert_eq!(get(&v, "t_win0_mean"), 1.5);
        assert_eq!(get(&v, "t_win1_mean"), 5.5);
        assert!((get(&v, "t_win_std") - 2.0).abs() < 1e-12);
        assert!(coarse_grain("t", "K", Scale::Atomistic, &[1.0], 1.0, o).is_err());
        assert!(coarse_grain("t", "K", Scale::Atomistic, &[1.0, f64::NAN], 1.0, o).is_err());
        assert!(coarse_grain("t", "K", Scale::Atomistic, &x, 0.0, o).is_err());
        assert!(coarse_grain("t", "", Scale::Atomistic, &x, 1.0, o).is_err());
        assert!(coarse_grain("t", "K", Scale::Atomistic, &x, 1.0, CoarseGrain { n_windows: 9, n_spectral: 1 }).is_err());
    }
}
