//! Columns that need more than the effective moduli: the von Mises statistics of the local
//! stress and strain fields of the homogenised microstructure under its loads (continuum), and
//! the temporal coarse-graining of the MD time series of the atomistic stages (atomistic). Both
//! go through the producers of `scalebridge-features` (`producers::continuum`,
//! `producers::temporal`).
//!
//! **Loads.** Two macroscopic strains of [`LOAD_STRAIN`] (0.1 %): uniaxial strain `ε_xx` (every
//! other component 0) and simple shear `γ_xy` (engineering). For each, the FFT solver's local
//! fields (`scalebridge_continuum::fft::local_fields_elastic`) on the description's grid, with
//! the phases' single-crystal C at the material's temperature rotated into their grains, give
//! per voxel the von Mises stress `σ_vM = √(½[(σ1−σ2)² + (σ2−σ3)² + (σ3−σ1)²] + 3(τ²...))` (GPa) and
//! the equivalent strain `√(2/3 e':e')`; the columns are their mean, standard deviation, maximum
//! and 95th percentile over the load-bearing (non-void) voxels: `vm_stress_uniaxial_mean` (GPa),
//! ..., `vm_strain_shear_p95` (1). A single crystal has a uniform field (`σ = C ε`, standard
//! deviation 0). The fields scale linearly with the load, so the stress columns are per 0.1 %.
//!
//! **Time series.** Every MD series of the finite-temperature stages, sampled at a constant
//! interval: the NPT reference run of `elastic` at T (`npt_pressure`, `npt_stress_xy` in GPa,
//! `npt_potential_energy` in eV/atom, `npt_volume` in Å^3/atom, one sample every 10 steps) and
//! the Green–Kubo result (`gk_hcacf`, the normalised heat-current autocorrelation, unit 1, and
//! `gk_running_kappa`, the running integral, W/m/K, against lag time). Each becomes
//! `{name}_mean`, `_win{0..3}_mean`, `_fluct`, `_win_std`, `_spec{0..2}_amp`, `_spec{0..2}_freq`
//! (1/ps) (docs/features.md). With several atomistic phases the columns are volume-fraction
//! weighted over the phases that have the series.

use crate::description::Feature;
use crate::error::{invalid, Result};
use crate::homogenise::{build, PhaseInput};
use crate::material::Microstructure;
use scalebridge_continuum::{fft, SolverOptions};
use scalebridge_core::voigt::Stiffness;
use scalebridge_features::producers::{continuum, temporal};
use scalebridge_features::Scale;
use serde_json::Value;
use std::collections::BTreeMap;

/// The macroscopic strain of the von Mises load cases.
pub const LOAD_STRAIN: f64 = 1e-3;

/// The load cases: name and Voigt strain (engineering shears).
pub fn loads() -> [(&'static str, [f64; 6]); 2] {
    [("uniaxial", [LOAD_STRAIN, 0.0, 0.0, 0.0, 0.0, 0.0]), ("shear", [0.0, 0.0, 0.0, 0.0, 0.0, LOAD_STRAIN])]
}

fn convert(v: Vec<scalebridge_features::Feature>) -> Vec<Feature> {
    v.into_iter().filter(|f| f.value.is_finite()).map(|f| Feature { name: f.name, value: f.value, unit: f.unit, scale: f.scale.as_str().to_string() }).collect()
}

fn feature_error(e: scalebridge_features::FeatureError) -> crate::error::PipelineError {
    invalid("features", "producer", &e.to_string())
}

fn mat_vec(c: &Stiffness, e: &[f64; 6]) -> [f64; 6] {
    std::array::from_fn(|i| (0..6).map(|j| c[i][j] * e[j]).sum())
}

/// von Mises stress and strain statistics of the microstructure's local fields under
/// [`loads`] (see the module docs).
pub fn von_mises_features(m: &Microstructure, phases: &[PhaseInput]) -> Result<Vec<Feature>> {
    let mut out = Vec::new();
    for (load, eps) in loads() {
        let (stress, strain): (Vec<f64>, Vec<f64>) = if m.kind == "single-crystal" {
            (vec![continuum::von_mises_stress(&mat_vec(&phases[0].c_gpa, &eps))], vec![continuum::von_mises_strain(&eps)])
        } else {
            let names: Vec<String> = phases.iter().map(|p| p.name.clone()).collect();
            let fractions: Vec<f64> = phases.iter().map(|p| p.fraction).collect();
            let central: Vec<(Stiffness, Option<f64>)> = phases.iter().map(|p| (p.c_gpa, None)).collect();
            let (grid, mats) = build(m, &central, &names, &fractions)?;
            let f = fft::local_fields_elastic(&grid, &mats, eps, &SolverOptions::default())?;
            let solid: Vec<bool> = grid.phases().iter().map(|&p| !mats[p as usize].is_void_elastic()).collect();
            let keep = |i: &usize| solid[*i];
            (
                (0..f.stress_gpa.len()).filter(keep).map(|i| continuum::von_mises_stress(&f.stress_gpa[i])).collect(),
                // the solver's strain is the tensor (γ/2); the producer takes engineering shears
                (0..f.strain.len())
                    .filter(keep)
                    .map(|i| {
                        let e = f.strain[i];
                        continuum::von_mises_strain(&[e[0], e[1], e[2], 2.0 * e[3], 2.0 * e[4], 2.0 * e[5]])
                    })
                    .collect(),
            )
        };
        out.extend(convert(continuum::field_statistics(&format!("vm_stress_{load}"), "GPa", Scale::Continuum, &stress).map_err(feature_error)?));
        out.extend(convert(continuum::field_statistics(&format!("vm_strain_{load}"), "1", Scale::Continuum, &strain).map_err(feature_error)?));
    }
    Ok(out)
}

/// The stage series that are coarse-grained: (series name in the result, column prefix, unit).
const SERIES: [(&str, &str, &str); 6] = [
    ("npt_pressure", "npt_pressure", "GPa"),
    ("npt_stress_xy", "npt_stress_xy", "GPa"),
    ("npt_potential_energy", "npt_potential_energy", "eV/atom"),
    ("npt_volume", "npt_volume", "Å^3/atom"),
    ("hcacf", "gk_hcacf", "1"),
    ("running_kappa", "gk_running_kappa", "W/m/K"),
];

/// Temporal columns of one stage result (its `series` list); series that are too short or not
/// evenly sampled (a shorter last interval is dropped) are skipped.
pub fn temporal_of(result: &Value) -> Result<Vec<Feature>> {
    let mut out = Vec::new();
    let Some(list) = result.get("series").and_then(Value::as_array) else { return Ok(out) };
    for s in list {
        let Some(name) = s.get("name").and_then(Value::as_str) else { continue };
        let Some((_, prefix, unit)) = SERIES.iter().find(|(n, _, _)| *n == name) else { continue };
        let nums = |k: &str| s.get(k).and_then(Value::as_array).map(|a| a.iter().filter_map(Value::as_f64).collect::<Vec<f64>>()).unwrap_or_default();
        let (mut x, mut y) = (nums("x"), nums("y"));
        if y.len() < 8 || x.len() != y.len() {
            continue;
        }
        // a run whose length is not a multiple of the sampling interval ends with a shorter one
        let first = x[1] - x[0];
        if ((x[x.len() - 1] - x[x.len() - 2]) - first).abs() > 1e-6 * first.abs() {
            x.pop();
            y.pop();
        }
        let dt = (x[x.len() - 1] - x[0]) / (x.len() - 1) as f64;
        let even = x.windows(2).all(|w| ((w[1] - w[0]) - dt).abs() <= 1e-6 * dt.abs());
        if !(dt > 0.0 && even) {
            continue;
        }
        let v = temporal::coarse_grain(prefix, unit, Scale::Atomistic, &y, dt, temporal::CoarseGrain::default()).map_err(feature_error)?;
        out.extend(convert(v));
    }
    Ok(out)
}

/// Volume-fraction-weighted temporal columns over the phases' stage results `(fraction, result)`.
pub fn temporal_features(results: &[(f64, &Value)]) -> Result<Vec<Feature>> {
    let mut acc: BTreeMap<String, (f64, f64, String)> = BTreeMap::new();
    for (w, r) in results {
        for f in temporal_of(r)? {
            let e = acc.entry(f.name).or_insert((0.0, 0.0, f.unit));
            e.0 += w * f.value;
            e.1 += w;
        }
    }
    Ok(acc.into_iter().filter(|(_, (_, w, _))| *w > 0.0).map(|(name, (v, w, unit))| Feature { name, value: v / w, unit, scale: "atomistic".into() }).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn temporal_columns_of_a_stage_series() {
        let x: Vec<f64> = (0..64).map(|i| 0.01 * i as f64).collect();
        let y: Vec<f64> = x.iter().map(|t| 1.0 + 0.5 * (2.0 * std::f64::consts::PI * 8.0 * t / 0.64).sin()).collect();
        let r = json!({"series": [
            {"name": "npt_pressure", "x": x, "y": y},
            {"name": "stress_strain_xx", "x": [-0.01, 0.01], "y": [-1.0, 1.0]},
            {"name": "hcacf", "x": [0.0, 0.1, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8], "y": vec![1.0; 8]}
        ]});
        let v = temporal_of(&r).unwrap();
        let get = |n: &str| v.iter().find(|f| f.name == n).unwrap_or_else(|| panic!("{n}"));
        assert!((get("npt_pressure_mean").value - 1.0).abs() < 1e-12);
        assert!((get("npt_pressure_spec0_amp").value - 0.5).abs() < 1e-10);
        assert!((get("npt_pressure_spec0_freq").value - 8.0 / 0.64).abs() < 1e-9);
        assert_eq!(get("npt_pressure_fluct").unit, "GPa");
        assert_eq!(get("npt_pressure_spec0_freq").unit, "1/ps");
        assert!(v.iter().all(|f| f.scale == "atomistic"));
        // the stress–strain points are not a time series; an unevenly sampled series is skipped
        assert!(v.iter().all(|f| f.name.starts_with("npt_pressure_")));
        // two phases: fraction-weighted
        let r2 = json!({"series": [{"name": "npt_pressure", "x": x, "y": vec![3.0; 64]}]});
        let w = temporal_features(&[(0.25, &r), (0.75, &r2)]).unwrap();
        let m = w.iter().find(|f| f.name == "npt_pressure_mean").unwrap().value;
        assert!((m - (0.25 * 1.0 + 0.75 * 3.0)).abs() < 1e-12);
    }

    #[test]
    fn uniform_field_of_a_single_crystal() {
        let mut c = [[0.0; 6]; 6];
        for i in 0..3 {
            for j in 0..3 {
                c[i][j] = if i == j { 170.0 } else { 120.0 };
            }
            c[i + 3][i + 3] = 75.0;
        }
        let m = Microstructure {
            kind: "single-crystal".into(),
            grains: 1,
            texture: "random".into(),
            texture_axis: [0.0, 0.0, 1.0],
            texture_spread_deg: 10.0,
            resolution: 8,
            seed: 1,
            radius: 4.0,
            length: 16.0,
            layers: 4,
            porosity: 0.0,
        };
        let p = PhaseInput { name: "Cu".into(), fraction: 1.0, c_gpa: c, c_stderr_gpa: None, kappa_w_mk: None, kappa_stderr_w_mk: None, amorphous: false };
        let v = von_mises_features(&m, &[p]).unwrap();
        let get = |n: &str| v.iter().find(|f| f.name == n).unwrap_or_else(|| panic!("{n}")).value;
        // uniaxial strain e: σ = (170, 120, 120) e → σ_vM = 50 e; shear γ: τ = 75 γ → √3·75 γ
        assert!((get("vm_stress_uniaxial_mean") - 50.0 * LOAD_STRAIN).abs() < 1e-12);
        assert!((get("vm_stress_shear_max") - 3f64.sqrt() * 75.0 * LOAD_STRAIN).abs() < 1e-12);
        assert!(get("vm_stress_shear_std").abs() < 1e-15);
        assert!((get("vm_strain_shear_mean") - LOAD_STRAIN / 3f64.sqrt()).abs() < 1e-15);
        assert!((get("vm_strain_uniaxial_mean") - 2.0 / 3.0 * LOAD_STRAIN).abs() < 1e-15);
    }
}
