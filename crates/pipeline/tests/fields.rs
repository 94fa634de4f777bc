//! The temporal and von Mises columns of `describe` on a small LJ argon polycrystal at 40 K
//! (tiny study preset: a few seconds of MD), checked against independent computations from the
//! stored stage results.

use scalebridge_core::progress::Silent;
use scalebridge_pipeline::preset::Preset;
use scalebridge_pipeline::{describe, DescribeOptions, Material};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

const AR: &str = r#"
name = "Ar-polycrystal"
class = "noble-gas"
temperature_K = 40
[[phase]]
name = "Ar"
structure = { lattice = "fcc", elements = { Ar = 1.0 }, a = 5.26 }
potential = { lammps = ["pair_style lj/cut 8.5", "pair_coeff * * 0.0104 3.40"], elements = ["Ar"] }
[microstructure]
kind = "polycrystal"
grains = 6
resolution = 12
seed = 3
"#;

fn tiny() -> Preset {
    Preset::from_json(&json!({
        "name": "tiny-fields-test",
        "bulk_repeat": [3, 3, 3],
        "melt_repeat": [3, 3, 12],
        "elastic_thermal": {"npt_steps": 640, "equilibration_steps": 50, "production_steps": 250, "blocks": 5},
        "green_kubo": {"seeds": [1], "equilibration_steps": 200, "production_steps": 2000, "correlation_time": 0.5},
        "melting": {"search_steps": 500, "equilibrate_steps": 500, "melt_steps": 500, "trial_steps": 1000, "bisections": 0, "nph_steps": 0, "ramp_steps": 0, "sample_every": 100, "max_expansions": 1},
        "draws": 2
    }))
    .unwrap()
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("scalebridge-pipeline-fields-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn von_mises(s: &[f64; 6]) -> f64 {
    // principal-stress-free form, written out independently of the producers
    let (a, b, c) = (s[0], s[1], s[2]);
    (((a - b).powi(2) + (b - c).powi(2) + (c - a).powi(2) + 6.0 * (s[3].powi(2) + s[4].powi(2) + s[5].powi(2))) / 2.0).sqrt()
}

#[test]
fn argon_description_has_temporal_and_von_mises_columns() {
    let m = Material::from_toml_str(AR, "ar.toml", Path::new(".")).unwrap();
    let root = tmp("argon");
    let opts = DescribeOptions { cache_dir: Some(root.clone()), preset: Some(tiny()), threads: Some(1), ..Default::default() };
    let d = describe(&m, &opts, &mut Silent).unwrap();
    let doc = serde_json::to_value(&d).unwrap();
    let feats = doc["features"].as_array().unwrap();
    let get = |n: &str| -> (f64, String, String) {
        let f = feats.iter().find(|f| f["name"] == n).unwrap_or_else(|| panic!("no column {n}: {:?}", feats.iter().map(|f| f["name"].as_str().unwrap()).collect::<Vec<_>>()));
        (f["value"].as_f64().unwrap(), f["unit"].as_str().unwrap().to_string(), f["scale"].as_str().unwrap().to_string())
    };
    // every column finite, with a unit and a scale
    assert!(feats.iter().all(|f| f["value"].as_f64().is_some_and(f64::is_finite) && !f["unit"].as_str().unwrap().is_empty()));
    for (n, unit, scale) in [
        ("npt_pressure_mean", "GPa", "atomistic"),
        ("npt_stress_xy_fluct", "GPa", "atomistic"),
        ("npt_potential_energy_win3_mean", "eV/atom", "atomistic"),
        ("npt_volume_spec0_amp", "Å^3/atom", "atomistic"),
        ("npt_pressure_spec0_freq", "1/ps", "atomistic"),
        ("gk_hcacf_mean", "1", "atomistic"),
        ("gk_running_kappa_win_std", "W/m/K", "atomistic"),
        ("vm_stress_uniaxial_mean", "GPa", "continuum"),
        ("vm_stress_shear_p95", "GPa", "continuum"),
        ("vm_strain_uniaxial_max", "1", "continuum"),
    ] {
        let (_, u, s) = get(n);
        assert_eq!((u.as_str(), s.as_str()), (unit, scale), "{n}");
    }
    // the LJ solid at 40 K: potential energy near −0.08 eV/atom (ε = 0.0104 eV, 12 neighbours ×
    // −ε·(≈ 0.7) ...), pressure fluctuating around 0 (NPT at 0 GPa)
    let pe = get("npt_potential_energy_mean").0;
    assert!(pe < -0.05 && pe > -0.1, "pe {pe}");
    assert!(get("npt_pressure_mean").0.abs() < 0.05);
    assert!(get("npt_pressure_fluct").0 > 0.0);

    // independent check 1: the temporal columns recomputed from the stored Green–Kubo stage
    let rec = doc["provenance"]["stages"].as_array().unwrap().iter().find(|s| s["stage"].as_str().unwrap().starts_with("Ar/green_kubo")).unwrap();
    let text = std::fs::read_to_string(root.join("describe").join(format!("{}.json", rec["key"].as_str().unwrap()))).unwrap();
    let gk: Value = serde_json::from_str(&text).unwrap();
    let s = gk["series"].as_array().unwrap().iter().find(|s| s["name"] == "hcacf").unwrap();
    let y: Vec<f64> = s["y"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    let x: Vec<f64> = s["x"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    let n = y.len();
    let mean = y.iter().sum::<f64>() / n as f64;
    let sd = (y.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n as f64).sqrt();
    assert!((get("gk_hcacf_mean").0 - mean).abs() < 1e-12, "{} vs {mean}", get("gk_hcacf_mean").0);
    assert!((get("gk_hcacf_fluct").0 - sd).abs() < 1e-12);
    let last: Vec<f64> = y[3 * n / 4..].to_vec();
    assert!((get("gk_hcacf_win3_mean").0 - last.iter().sum::<f64>() / last.len() as f64).abs() < 1e-12);
    // leading amplitude by a direct (naive) DFT of the mean-removed series
    let dt = x[1] - x[0];
    let (mut best, mut best_f) = (0.0f64, 0.0);
    for k in 1..=n / 2 {
        let (mut re, mut im) = (0.0, 0.0);
        for (j, v) in y.iter().enumerate() {
            let ph = -2.0 * std::f64::consts::PI * (k * j) as f64 / n as f64;
            re += (v - mean) * ph.cos();
            im += (v - mean) * ph.sin();
        }
        let a = if 2 * k == n { 1.0 } else { 2.0 } * (re * re + im * im).sqrt() / n as f64;
        if a > best {
            (best, best_f) = (a, k as f64 / (n as f64 * dt));
        }
    }
    assert!((get("gk_hcacf_spec0_amp").0 - best).abs() < 1e-9 * best.max(1.0), "{} vs {best}", get("gk_hcacf_spec0_amp").0);
    assert!((get("gk_hcacf_spec0_freq").0 - best_f).abs() < 1e-9 * best_f);

    // independent check 2: the mean of the local stress field is C_eff ε, and the von Mises norm is
    // convex, so the mean von Mises stress is at least the von Mises stress of the mean; a
    // polycrystal of an anisotropic crystal has a spread of local stresses (std > 0)
    let c: Vec<Vec<f64>> = serde_json::from_value(doc["properties"]["C_GPa"]["value"].clone()).unwrap();
    let e = 1e-3;
    let mean_uni: [f64; 6] = std::array::from_fn(|i| c[i][0] * e);
    let mean_shear: [f64; 6] = std::array::from_fn(|i| c[i][5] * e);
    let (vu, vs) = (get("vm_stress_uniaxial_mean").0, get("vm_stress_shear_mean").0);
    assert!(vu >= von_mises(&mean_uni) * (1.0 - 1e-6) && vu < 1.5 * von_mises(&mean_uni), "{vu} vs {}", von_mises(&mean_uni));
    assert!(vs >= von_mises(&mean_shear) * (1.0 - 1e-6) && vs < 1.5 * von_mises(&mean_shear), "{vs} vs {}", von_mises(&mean_shear));
    assert!(get("vm_stress_shear_std").0 > 0.0 && get("vm_stress_shear_max").0 >= get("vm_stress_shear_p95").0);
    // the equivalent strain of the macroscopic uniaxial strain is 2/3 e; local strains spread about it
    assert!((get("vm_strain_uniaxial_mean").0 / (2.0 / 3.0 * e) - 1.0).abs() < 0.3);

    // a second describe is served from the cache with the same columns
    let d2 = describe(&m, &opts, &mut Silent).unwrap();
    assert_eq!(d2.provenance.atomistic_stages_run, 0);
    assert_eq!(serde_json::to_value(&d2.features).unwrap(), doc["features"]);
    let _ = std::fs::remove_dir_all(&root);
}
