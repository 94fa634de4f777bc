//! `campaign report`: one self-contained HTML page (inline SVG, no external files needed to view
//! it): the ranked candidates with predicted values ± σ and which were simulated, the Pareto
//! front of two targets, the surrogate's parity plot on the simulated candidates (out-of-fold
//! predictions), the active-learning curve against random search on the same budget, a property
//! map over two composition axes, and links to each simulated candidate's description.

mod plots;

use crate::engine::State;
use crate::error::{io, Result};
use crate::spec::{Campaign, Goal};
use crate::status::rank;
use crate::store::TaskStore;
use crate::surrogate::{cross_validate, features, scales, utility};
use std::fmt::Write as _;
use std::path::PathBuf;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Expected best of `n` values drawn without replacement from `v` (exact order statistics).
pub fn expected_best_of(v: &[f64], n: usize) -> f64 {
    let mut s: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    s.sort_by(f64::total_cmp);
    let big_n = s.len();
    if n == 0 || big_n == 0 {
        return f64::NAN;
    }
    if n >= big_n {
        return s[big_n - 1];
    }
    // P(max = s[k-1]) = C(k-1, n-1) / C(N, n), k = n..=N
    let ln_c = |a: usize, b: usize| -> f64 { (0..b).map(|i| ((a - i) as f64).ln() - ((i + 1) as f64).ln()).sum() };
    let denom = ln_c(big_n, n);
    (n..=big_n).map(|k| (ln_c(k - 1, n - 1) - denom).exp() * s[k - 1]).sum()
}

/// Write `<output>/report.html` and return its path.
pub fn write_report(campaign: &Campaign, store: &dyn TaskStore) -> Result<PathBuf> {
    let state = State::load(campaign.clone(), store)?;
    let (recs, pred) = rank(&state)?;
    let c = campaign;
    let dir = c.output.directory.clone();
    std::fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
    let (rows, y) = state.training();
    let sc = scales(&y);
    let mut html = String::new();
    let _ = write!(
        html,
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Campaign {n}</title><style>body{{font-family:sans-serif;margin:2em;max-width:1200px}}table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:3px 6px;font-size:13px}}.sim{{background:#e6f4ea}}figure{{display:inline-block;margin:1em;vertical-align:top}}figcaption{{font-size:13px;max-width:640px}}</style></head><body>\n<h1>Campaign <code>{n}</code></h1>\n<p>{done} simulations done, {failed} failed, budget {budget}; {cands} candidates in the space; surrogate <b>{model}</b>, acquisition <b>{acq}</b>; database <code>{db}</code>.</p>\n<p>Targets: {targets}</p>\n",
        n = esc(&c.name),
        done = state.done.len(),
        failed = state.failed.len(),
        budget = c.search.budget,
        cands = state.candidates.len(),
        model = esc(&c.search.model),
        acq = esc(&c.search.acquisition),
        db = esc(&c.output.database),
        targets = c.targets.iter().map(|t| format!("<code>{}</code> {}", esc(&t.property), esc(&t.goal.describe()))).collect::<Vec<_>>().join(", ")
    );
    // ranked table
    html.push_str("<h2>Ranked candidates</h2>\n<table><tr><th>#</th><th>candidate</th>");
    for t in &c.targets {
        let _ = write!(html, "<th>{} ± σ</th>", esc(&t.property));
    }
    html.push_str("<th>simulated</th><th>description</th></tr>\n");
    for (k, r) in recs.iter().take(30).enumerate() {
        let _ = write!(html, "<tr class=\"{}\"><td>{}</td><td>{}</td>", if r.simulated { "sim" } else { "" }, k + 1, esc(&r.label));
        for (i, (_, v)) in r.predicted.iter().enumerate() {
            let _ = write!(html, "<td>{v:.4} ± {:.4}</td>", r.std[i].1);
        }
        let link = state.done.get(&r.index).and_then(|res| res["hash"].as_str()).map_or(String::from("—"), |h| {
            let d = format!("candidates/{}/", &h[..16.min(h.len())]);
            format!("<a href=\"{d}description_{}K.json\">description</a> (<a href=\"{d}\">folder</a>)", state.candidates[r.index].temperature_k)
        });
        let _ = write!(html, "<td>{}</td><td>{link}</td></tr>\n", if r.simulated { "yes" } else { "no" });
    }
    html.push_str("</table>\n<h2>Plots</h2>\n");
    // Pareto front
    let all: Vec<usize> = (0..state.candidates.len()).collect();
    let pts: Vec<plots::Point> = all
        .iter()
        .filter_map(|&i| {
            let (v, sim) = match state.done.get(&i) {
                Some(r) => (state.values(r), true),
                None => (pred.as_ref()?.mu.iter().map(|m| m[i]).collect(), false),
            };
            Some(plots::Point { index: i, v, simulated: sim })
        })
        .collect();
    let mut figs: Vec<(String, String)> = Vec::new();
    if c.targets.len() >= 2 {
        let sense = |g: Goal| matches!(g, Goal::Max | Goal::AtLeast(_));
        figs.push((plots::pareto(&pts, (&c.targets[0].property, sense(c.targets[0].goal)), (&c.targets[1].property, sense(c.targets[1].goal)))?, format!("Pareto front of {} and {} (simulated: blue; surrogate predictions: grey; front: red).", c.targets[0].property, c.targets[1].property)));
    } else {
        figs.push((plots::pareto(&pts, (&c.targets[0].property, true), (&c.targets[0].property, true))?, "One target: its values (no second target for a Pareto front).".into()));
    }
    // parity (out of fold)
    let x = features(c, &state.candidates, &rows);
    let acc = cross_validate(c, &x, &y)?;
    for a in &acc {
        if a.predicted.is_empty() {
            continue;
        }
        let tmp = dir.join(format!("parity_{}.svg", a.property.replace(['/', ' '], "_")));
        let unit = state.done.values().find_map(|r| r["description"]["properties"][&a.property]["unit"].as_str().map(str::to_string)).unwrap_or_else(|| "1".into());
        scalebridge_ml::plot::parity_svg(&a.y, &a.predicted, Some(&a.sd), &tmp, &format!("surrogate parity: {}", a.property), &unit)?;
        let svg = std::fs::read_to_string(&tmp).map_err(|e| io(&tmp, e))?;
        let _ = std::fs::remove_file(&tmp);
        figs.push((svg, format!("Surrogate parity for {} on the {} simulated candidates ({}-fold out-of-fold predictions): MAE {:.4}, R² {:.3}.", a.property, a.n, a.n.min(5), a.mae, a.r2)));
    }
    // active-learning curve vs random search
    let mut order: Vec<(f64, usize)> = state.done.iter().map(|(&i, r)| (r["finished_unix"].as_f64().unwrap_or(0.0), i)).collect();
    order.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let u_of = |v: &[f64]| utility(&c.targets, &sc, v, &[]).0;
    let mut best = f64::NEG_INFINITY;
    let al: Vec<f64> = order.iter().map(|&(_, i)| {
        best = best.max(u_of(&state.values(&state.done[&i])));
        best
    }).collect();
    let space_u: Vec<f64> = pts.iter().map(|p| u_of(&p.v)).collect();
    if !al.is_empty() {
        let xs: Vec<f64> = (1..=al.len()).map(|n| n as f64).collect();
        let rnd: Vec<f64> = (1..=al.len()).map(|n| expected_best_of(&space_u, n)).collect();
        let curves = vec![
            scalebridge_ml::plot::Curve { name: "active learning (simulated)".into(), x: xs.clone(), y: al.clone(), y_err: None },
            scalebridge_ml::plot::Curve { name: "random search (expected, same budget)".into(), x: xs, y: rnd, y_err: None },
        ];
        let tmp = dir.join("al_curve.svg");
        scalebridge_ml::plot::curves_svg(&curves, &tmp, "best found vs simulations", "simulations", "best utility", false)?;
        let svg = std::fs::read_to_string(&tmp).map_err(|e| io(&tmp, e))?;
        let _ = std::fs::remove_file(&tmp);
        figs.push((svg, "Active-learning curve: best utility found after n simulations (in completion order) against random search on the same budget (the exact expected best of n candidates drawn at random from the space, with simulated values where known and the surrogate's predictions elsewhere).".into()));
    }
    // property map over two composition axes
    if let Some((svg, cap)) = plots::property_map(&state, &pts)? {
        figs.push((svg, cap));
    }
    for (svg, cap) in &figs {
        let body = svg.find("<svg").map_or(svg.as_str(), |k| &svg[k..]);
        let _ = write!(html, "<figure>{body}<figcaption>{}</figcaption></figure>\n", esc(cap));
    }
    html.push_str("<h2>Surrogate accuracy on held-out simulations</h2>\n<table><tr><th>target</th><th>n</th><th>MAE</th><th>R²</th></tr>\n");
    for a in &acc {
        let _ = write!(html, "<tr><td>{}</td><td>{}</td><td>{:.4}</td><td>{:.3}</td></tr>\n", esc(&a.property), a.n, a.mae, a.r2);
    }
    html.push_str("</table>\n");
    if !state.failed.is_empty() {
        html.push_str("<h2>Failed simulations</h2><ul>");
        for (i, e) in &state.failed {
            let _ = write!(html, "<li>{}: {}</li>", esc(&state.candidates[*i].label(c)), esc(e));
        }
        html.push_str("</ul>");
    }
    html.push_str("</body></html>\n");
    let path = dir.join("report.html");
    let tmp = dir.join("report.html.partial");
    std::fs::write(&tmp, html).map_err(|e| io(&tmp, e))?;
    std::fs::rename(&tmp, &path).map_err(|e| io(&path, e))?;
    Ok(path)
}
