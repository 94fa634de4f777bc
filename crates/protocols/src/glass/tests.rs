//! Fast checks of the quench protocols on a small Kob–Andersen cell.

use super::systems::{kob_andersen, kob_andersen_start, ka_epsilon_ev, KA_EPSILON_K, KA_SIGMA_A};
use super::*;
use crate::protocol::Context;
use crate::protocol::silent;
use crate::report::Progress;
use scalebridge_md::units::EV_PER_A3_IN_GPA;

/// A quick KA ladder: melt at T* = 1.0, P* = 1, cool to T* = 0.1 at 2 K/ps (2·10¹² K/s).
fn ka_options() -> serde_json::Value {
    let p_star = ka_epsilon_ev() / KA_SIGMA_A.powi(3) * EV_PER_A3_IN_GPA;
    serde_json::json!({
        "t_high_k": KA_EPSILON_K, "t_low_k": 0.1 * KA_EPSILON_K, "cooling_rate_k_per_ps": 2.0,
        "rung_spacing_k": 10.0, "pressure_gpa": p_star, "melt_steps": 1000, "relax_steps": 500,
        "sample_every": 10, "blocks": 5, "timestep": 0.01, "threads": 1
    })
}

fn tmp(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("scalebridge-glass-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[test]
fn kob_andersen_quench_is_amorphous() {
    let s = kob_andersen_start(4, 3).expect("start");
    let p = kob_andersen().build().expect("ka");
    let r = silent(|ctx| crate::run("glass/melt_quench", &s, p, &ka_options(), ctx)).expect("quench");
    let ncf = r["disorder"]["non_crystalline_fraction_cna"].as_f64().expect("ncf");
    assert!(ncf > 0.9, "non-crystalline fraction {ncf}");
    let rungs = r["rungs"].as_array().expect("rungs");
    assert_eq!(rungs.len(), 11);
    // the glass is denser than the liquid it came from
    let rho = |x: &serde_json::Value| x["density"]["value"].as_f64().expect("rho");
    assert!(rho(&rungs[10]) > rho(&rungs[0]) + 0.02, "{} vs {}", rho(&rungs[10]), rho(&rungs[0]));
    assert!(r["rungs"][3]["volume_per_atom"]["stderr"].as_f64().expect("err") > 0.0);
}

struct StopAfter(u64, Option<u64>);
impl Progress for StopAfter {
    fn update(&mut self, done: u64, _total: u64, _stage: &str) -> bool {
        self.1.get_or_insert(done);
        done < self.0
    }
}

#[test]
fn an_interrupted_quench_resumes_at_its_rung() {
    let s = kob_andersen_start(3, 5).expect("start");
    let p = kob_andersen().build().expect("ka");
    let dir = tmp("resume");
    // melt 1000 steps, rungs of 490 steps: stop inside the fifth rung
    let stop = 1000 + 4 * 490 + 200;
    let mut prog = StopAfter(stop, None);
    let mut ctx = Context::new(&mut prog).with_cache_dir(Some(dir.clone()));
    let e = crate::run("glass/melt_quench", &s, p.clone(), &ka_options(), &mut ctx).expect_err("interrupted");
    assert!(e.to_string().to_lowercase().contains("interrupt"), "{e}");
    // the rerun starts in the fifth rung (melt and four rungs stored)
    let mut prog = StopAfter(u64::MAX, None);
    let mut ctx = Context::new(&mut prog).with_cache_dir(Some(dir.clone()));
    let a = crate::run("glass/melt_quench", &s, p.clone(), &ka_options(), &mut ctx).expect("resumed");
    let first = prog.1.expect("progress");
    assert!(first > 1000 + 4 * 490 && first <= stop, "first step reported after resuming: {first}");
    // a third run finds every stage stored: no MD at all, the same result
    let mut prog = StopAfter(u64::MAX, None);
    let mut ctx = Context::new(&mut prog).with_cache_dir(Some(dir.clone()));
    let b = crate::run("glass/melt_quench", &s, p, &ka_options(), &mut ctx).expect("cached");
    assert_eq!(prog.1, None);
    // stored rungs read back to the last bit or so (JSON round trip of f64)
    let rho = |r: &serde_json::Value| -> Vec<f64> { r["rungs"].as_array().expect("rungs").iter().map(|x| x["density"]["value"].as_f64().expect("rho")).collect() };
    for (x, y) in rho(&a).iter().zip(rho(&b)) {
        assert!((x - y).abs() <= 1e-12 * x.abs(), "{x} vs {y}");
    }
    assert_eq!(rho(&a).len(), 11);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_ladders_are_named() {
    let s = kob_andersen_start(2, 1).expect("start");
    let p = kob_andersen().build().expect("ka");
    let run = |o: serde_json::Value| silent(|ctx| crate::run("glass/transition", &s, p.clone(), &o, ctx)).expect_err("bad").to_string();
    let e = run(serde_json::json!({"t_high_k": 300.0, "t_low_k": 300.0}));
    assert!(e.contains("t_low_k") && e.contains("below"), "{e}");
    let e = run(serde_json::json!({"cooling_rate_k_per_ps": 0.0}));
    assert!(e.contains("cooling_rate_k_per_ps"), "{e}");
    let e = run(serde_json::json!({"cooling_rate_k_per_ps": 1e6}));
    assert!(e.contains("too fast"), "{e}");
    let e = run(serde_json::json!({"seeds": [1, 1]}));
    assert!(e.contains("distinct"), "{e}");
    let e = run(serde_json::json!({"seed": 3}));
    assert!(e.contains("seed"), "{e}");
    let e = run(serde_json::json!({"fit_window_k": [800.0, 400.0]}));
    assert!(e.contains("fit_window_k"), "{e}");
    let mut o = GlassOptions::default();
    o.quench.t_high_k = f64::NAN;
    let e = glass_transition(&s, p.clone(), &o, &StageCache::default(), &mut Silent).expect_err("nan").to_string();
    assert!(e.contains("t_high_k"), "{e}");
    let mut o = MeltQuenchOptions::default();
    o.quench.cooling_rate_k_per_ps = f64::NAN;
    let e = melt_quench(&s, p, &o, &StageCache::default(), &mut Silent).expect_err("nan").to_string();
    assert!(e.contains("cooling_rate_k_per_ps"), "{e}");
}
