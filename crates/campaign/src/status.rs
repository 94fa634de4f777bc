//! `campaign status`: counts, duplicates, the ranked recommendations (simulated candidates with
//! their simulated values, the others with the surrogate's predictions ± σ) and the database.

use crate::engine::State;
use crate::error::Result;
use crate::spec::Campaign;
use crate::store::TaskStore;
use crate::surrogate::{features, scales, utility, Predictions, Surrogate};
use serde_json::{json, Value};

/// One ranked candidate.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Recommendation {
    pub index: usize,
    pub label: String,
    pub utility: f64,
    /// Target property → value (simulated value when simulated, else the surrogate's mean).
    pub predicted: Vec<(String, f64)>,
    pub std: Vec<(String, f64)>,
    pub simulated: bool,
}

/// Rank every candidate of the space by the targets' utility (best first). Returns the
/// recommendations and the surrogate predictions of all candidates (`None` before 3 results).
pub fn rank(state: &State) -> Result<(Vec<Recommendation>, Option<Predictions>)> {
    let c = &state.campaign;
    let (rows, y) = state.training();
    let sc = scales(&y);
    let all: Vec<usize> = (0..state.candidates.len()).collect();
    let pred = if rows.len() >= 3 {
        let m = Surrogate::fit(c, &features(c, &state.candidates, &rows), &y)?;
        Some(m.predict(&features(c, &state.candidates, &all))?)
    } else {
        None
    };
    let mut out = Vec::new();
    for &i in &all {
        let (mu, sd, simulated): (Vec<f64>, Vec<f64>, bool) = if let Some(r) = state.done.get(&i) {
            let v = state.values(r);
            let e = c.targets.iter().map(|t| r["stderr"][&t.property].as_f64().unwrap_or(0.0)).collect();
            (v, e, true)
        } else if state.failed.contains_key(&i) {
            continue;
        } else if let Some(p) = &pred {
            (p.mu.iter().map(|m| m[i]).collect(), p.sd.iter().map(|m| m[i]).collect(), false)
        } else {
            continue;
        };
        let (u, _) = utility(&c.targets, &sc, &mu, &sd);
        if !u.is_finite() {
            continue;
        }
        let names = c.targets.iter().map(|t| t.property.clone());
        out.push(Recommendation {
            index: i,
            label: state.candidates[i].label(c),
            utility: u,
            predicted: names.clone().zip(mu).collect(),
            std: names.zip(sd).collect(),
            simulated,
        });
    }
    out.sort_by(|a, b| b.utility.total_cmp(&a.utility).then(a.index.cmp(&b.index)));
    Ok((out, pred))
}

fn rec_json(state: &State, r: &Recommendation) -> Value {
    let map = |v: &[(String, f64)]| Value::Object(v.iter().map(|(k, x)| (k.clone(), if x.is_finite() { json!(x) } else { Value::Null })).collect());
    json!({"candidate": r.label, "composition": state.candidates[r.index].composition, "predicted": map(&r.predicted), "std": map(&r.std), "simulated": r.simulated, "utility": r.utility})
}

/// The status document (`budget`, `done`, `failed`, `pending`, `duplicates`, `recommendations`,
/// `database`, plus `running`, `candidates`, `name`), with the top `top` recommendations.
pub fn status(campaign: &Campaign, store: &dyn TaskStore, top: usize) -> Result<Value> {
    let counts = store.counts(&campaign.name)?;
    let state = State::load(campaign.clone(), store)?;
    let (recs, _) = rank(&state)?;
    let pending = campaign.search.budget.saturating_sub(state.spent());
    let (rows, y) = state.training();
    let acc = crate::surrogate::cross_validate(campaign, &features(campaign, &state.candidates, &rows), &y)?;
    let accuracy: Vec<Value> = acc.iter().map(|a| json!({"property": a.property, "n": a.n, "mae": if a.mae.is_finite() { json!(a.mae) } else { Value::Null }, "r2": if a.r2.is_finite() { json!(a.r2) } else { Value::Null }, "method": "k-fold out-of-fold predictions on the simulated candidates (k = min(5, n))"})).collect();
    Ok(json!({
        "name": campaign.name,
        "budget": campaign.search.budget,
        "done": state.done.len(),
        "failed": state.failed.len(),
        "pending": pending,
        "running": counts.running,
        "duplicates": counts.duplicates,
        "candidates": state.candidates.len(),
        "other_rows": state.foreign,
        "recommendations": recs.iter().take(top).map(|r| rec_json(&state, r)).collect::<Vec<_>>(),
        "database": store.url(),
        "accuracy": accuracy,
        "report": campaign.output.directory.join("report.html"),
    }))
}

/// The status as text.
pub fn status_text(v: &Value) -> String {
    let mut s = format!(
        "campaign {}: {} of budget {} done, {} failed, {} pending, {} duplicates ({} candidates in the space)\ndatabase: {}\nrecommendations (best first):\n",
        v["name"].as_str().unwrap_or("?"), v["done"], v["budget"], v["failed"], v["pending"], v["duplicates"], v["candidates"], v["database"].as_str().unwrap_or("?")
    );
    for (i, r) in v["recommendations"].as_array().into_iter().flatten().enumerate() {
        let vals: Vec<String> = r["predicted"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, x)| format!("{k} = {:.4} ± {:.4}", x.as_f64().unwrap_or(f64::NAN), r["std"][k].as_f64().unwrap_or(f64::NAN)))
            .collect();
        s.push_str(&format!("  {:2}. {} [{}] {}\n", i + 1, r["candidate"].as_str().unwrap_or("?"), if r["simulated"] == true { "simulated" } else { "predicted" }, vals.join(", ")));
    }
    for a in v["accuracy"].as_array().into_iter().flatten() {
        s.push_str(&format!("surrogate accuracy on held-out simulations ({}): n = {}, MAE = {}, R² = {}\n", a["property"].as_str().unwrap_or("?"), a["n"], a["mae"].as_f64().map_or("-".into(), |x| format!("{x:.4}")), a["r2"].as_f64().map_or("-".into(), |x| format!("{x:.3}"))));
    }
    s
}
