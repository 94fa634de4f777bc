//! The five-class report (`report.html` of `scalebridge benchmark five-class`) renders in headless
//! Chromium (Debian's `chromium`, which the CI installs): built from a store that already holds
//! synthetic alloy descriptions (as in `run.rs`; their values are a smooth function of the
//! composition, not MD results, so nothing is simulated), then loaded by the browser: the DOM it
//! builds holds every parity plot, each with drawn marks, and the screenshot is not blank. Mirrors
//! the campaign report's test (tests/test_campaign.py). Skipped, with a line saying so, when no
//! Chromium is installed.

use scalebridge_evaluation::dataset::{campaign_name, materials, task_hash, BuildOptions};
use scalebridge_evaluation::spec::BenchmarkSpec;
use scalebridge_evaluation::{run, RunOptions};
use scalebridge_features::design::MaterialSource;
use scalebridge_pipeline::Material;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"].iter().flat_map(|n| std::env::split_paths(&path).map(move |d| d.join(n))).find(|p| p.is_file())
}

fn fixture(m: &Material, value: &Value) -> Value {
    let el = value["phase"][0]["structure"]["elements"].as_object().unwrap();
    let x = |e: &str| el.get(e).and_then(Value::as_f64).unwrap_or(0.0);
    let mut feats: Vec<Value> = el.iter().map(|(e, v)| json!({"name": format!("x_{e}"), "value": v, "unit": "1", "scale": "composition"})).collect();
    let e0 = 150.0 + 80.0 * x("Ni") - 40.0 * x("Cr") + 30.0 * x("Co") * x("Fe");
    feats.push(json!({"name": "youngs_modulus_0K", "value": e0, "unit": "GPa", "scale": "atomistic"}));
    let stage = |s: &str, k: &str, w: f64| json!({"stage": s, "key": format!("{k}-{}", m.name), "cached": false, "atomistic": true, "wall_s": w});
    let cold = json!({"name": m.name, "class": "alloy", "temperature_K": 0.0, "features": feats, "phases": [],
        "properties": {"E_GPa": {"value": e0, "stderr": null, "unit": "GPa"}}, "provenance": {"stages": [stage("alloy/elastic/static", "s", 60.0)]}});
    let hot = json!({"name": m.name, "class": "alloy", "temperature_K": 300.0, "features": [], "phases": [],
        "properties": {"E_GPa": {"value": 0.93 * e0, "stderr": 1.0, "unit": "GPa"}, "kappa_W_mK": {"value": 1.0 + x("Cu") + 0.8 * x("Ni"), "stderr": 0.1, "unit": "W/m/K"},
                       "T_transition_K": {"value": 1500.0 + 300.0 * x("Ni") - 100.0 * x("Co"), "stderr": 20.0, "unit": "K"}},
        "provenance": {"stages": [stage("alloy/elastic/300K", "e", 80.0), stage("alloy/green_kubo/300K", "g", 50.0), stage("alloy/melting", "m", 250.0)]}});
    json!([cold, hot])
}

/// A one-class benchmark whose store holds every description: `report.html` without MD.
fn report(d: &Path) -> PathBuf {
    std::fs::write(d.join("alloy.toml"), "name = \"alloy\"\n[space]\nelements = [\"Co\", \"Cr\", \"Fe\", \"Ni\"]\ncomponents = 3\nstep = 0.2\nlattice = \"fcc\"\ntemperature_K = [0, 300]\nmicrostructure = { kind = \"polycrystal\", grains = 4, resolution = 8 }\npotential = { generator = \"zhou2004\" }\n").unwrap();
    let bench = d.join("bench.toml");
    std::fs::write(&bench, "seed = 3\n[[class]]\nname = \"alloy\"\ndesign = \"alloy.toml\"\nquick_max_materials = 10\nmin_materials = 6\n").unwrap();
    let db = format!("sqlite://{}", d.join("results.db").display());
    let spec = BenchmarkSpec::from_file(&bench).unwrap();
    let bopts = BuildOptions { quick: true, max_materials: Some(8), threads: Some(1), seed: spec.seed, jobs: 1, cache_dir: None, retry_failed: false, refresh: false };
    let (list, base) = materials(&spec.classes[0], &bopts).unwrap();
    let store = scalebridge_store::Store::open(&db).unwrap();
    for src in &list {
        let MaterialSource::Dict { value, .. } = src else { panic!("the alloy design gives dictionaries") };
        let m = Material::from_json(value, &base).unwrap();
        let h = task_hash(&m, true).unwrap();
        let _ = store.claim(&campaign_name("alloy"), &h, "{}", "fixture").unwrap();
        store.put_result(&campaign_name("alloy"), &h, &json!({"descriptions": fixture(&m, value)}).to_string()).unwrap();
    }
    let out = d.join("out");
    let opts = RunOptions { benchmark: bench, out: out.clone(), quick: true, classes: None, max_materials: Some(8), threads: Some(1), database: Some(db), experimental: None, jobs: 1, retry_failed: false, refresh: false };
    let r = run(&opts, &mut |_: &str| {}).unwrap();
    assert_eq!(r["datasets"]["alloy"]["reused_from_store"], 8, "nothing simulated");
    out.join("report.html")
}

/// The `<svg …>…</svg>` elements of `dom`.
fn svgs(dom: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = dom;
    while let Some(a) = rest.find("<svg") {
        let Some(b) = rest[a..].find("</svg>") else { break };
        out.push(&rest[a..a + b + 6]);
        rest = &rest[a + b + 6..];
    }
    out
}

#[test]
fn five_class_report_renders_in_headless_chromium() {
    let Some(browser) = chromium() else {
        println!("SKIPPED: no chromium (the CI installs Debian's package)");
        return;
    };
    let d = std::env::temp_dir().join(format!("sb-eval-render-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    let html = report(&d);
    let source = std::fs::read_to_string(&html).unwrap();
    let url = format!("file://{}", html.display());
    let profile = format!("--user-data-dir={}", d.join("profile").display());
    let flags = ["--headless", "--no-sandbox", "--disable-gpu", profile.as_str()];
    let dom = Command::new(&browser).args(flags).arg("--dump-dom").arg(&url).output().unwrap();
    let dom = String::from_utf8_lossy(&dom.stdout).to_string();
    // the browser parsed the page: its title and tables are in the DOM it built
    assert!(dom.contains("Five-class accuracy benchmark") && dom.contains("<table"), "{}", &dom[..dom.len().min(400)]);
    // every parity plot of the file (3 targets × composition/fused GBM) is in the rendered DOM,
    // each with drawn marks (one circle per material and the axes)
    let plots = svgs(&dom);
    assert_eq!(plots.len(), svgs(&source).len());
    assert_eq!(plots.len(), 6, "3 targets × 2 GBM models");
    for s in &plots {
        let marks = ["<circle", "<line", "<path", "<polyline", "<rect"].iter().map(|t| s.matches(t).count()).sum::<usize>();
        assert!(marks > 8, "an empty plot: {}", &s[..s.len().min(300)]);
    }
    let png = d.join("shot.png");
    let _ = Command::new(&browser).args(flags).arg(format!("--screenshot={}", png.display())).arg("--window-size=1280,2400").arg(&url).output().unwrap();
    let data = std::fs::read(&png).expect("chromium wrote the screenshot");
    assert!(data.starts_with(b"\x89PNG") && data.len() > 20_000, "{} bytes", data.len());
    // not a blank page: many distinct byte values in the compressed image
    let distinct: std::collections::HashSet<u8> = data[1000..20_000].iter().copied().collect();
    assert!(distinct.len() > 200, "{}", distinct.len());
    let _ = std::fs::remove_dir_all(&d);
}
