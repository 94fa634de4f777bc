//! `report.html`: one self-contained page (inline SVG, no scripts), like the campaign report:
//! the per-class accuracy tables, the 70/15/15 split (mean ± std over three seeds), screening,
//! error-vs-disorder correlations, scale ablations, cost, the transfer between classes, the
//! experimental anchor, the skipped classes with their reasons, and the out-of-fold parity
//! plots (`scalebridge_ml::plot`).

use crate::error::{io, Result};
use crate::evaluate::Oof;
use crate::models::{MODELS, TARGETS};
use crate::report::{class_table, esc, num};
use serde_json::Value;
use std::fmt::Write as _;
use std::path::Path;

fn svg(o: &Oof, class: &str, unit: &str, dir: &Path) -> Result<String> {
    parity_inline(&o.y, &o.predicted, &format!("parity_{class}_{}_{}", o.target, o.model), &format!("{class}: {} ({}, out-of-fold)", o.target, o.model), unit, dir)
}

/// A parity plot of `p` against `y` as inline SVG (drawn to `dir/stem.svg`, read back, removed).
fn parity_inline(y: &[f64], p: &[f64], stem: &str, title: &str, unit: &str, dir: &Path) -> Result<String> {
    let tmp = dir.join(format!("{stem}.svg"));
    scalebridge_ml::plot::parity_svg(y, p, None, &tmp, title, unit)?;
    let s = std::fs::read_to_string(&tmp).map_err(|e| io(&tmp, e))?;
    let _ = std::fs::remove_file(&tmp);
    Ok(s.find("<svg").map_or(s.clone(), |k| s[k..].to_string()))
}

/// A table cell `MAE / R² (n = …)` of a metrics object, or its skip reason.
fn mae_r2_cell(v: &Value) -> String {
    if let Some(s) = v["skipped"].as_str() {
        format!("<td class=\"skip\">{}</td>", esc(s))
    } else {
        format!("<td>{} / {} (n = {})</td>", num(&v["mae"]), num(&v["r2"]), v["n"])
    }
}

pub fn render(r: &Value, oofs: &[(String, Oof)], dir: &Path) -> Result<String> {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Five-class benchmark</title><style>body{{font-family:sans-serif;margin:2em;max-width:1300px}}table{{border-collapse:collapse;margin:0.5em 0}}td,th{{border:1px solid #ccc;padding:3px 6px;font-size:13px}}.skip{{color:#888}}figure{{display:inline-block;margin:1em;vertical-align:top}}figcaption{{font-size:13px;max-width:640px}}</style></head><body>\n<h1>Five-class accuracy benchmark</h1>\n<p>Preset <b>{}</b>, seed {}, database <code>{}</code>, wall time {:.1} s. DNN models built: {}.</p>\n",
        esc(r["preset"].as_str().unwrap_or("")),
        r["seed"],
        esc(r["database"].as_str().unwrap_or("")),
        r["wall_time_s"].as_f64().unwrap_or(0.0),
        r["dnn_built"]
    );
    if let Some(sk) = r["skipped_classes"].as_object() {
        if !sk.is_empty() {
            h.push_str("<h2>Skipped classes</h2><ul>");
            for (c, why) in sk {
                let _ = write!(h, "<li><b>{}</b>: {}</li>", esc(c), esc(why.as_str().unwrap_or("")));
            }
            h.push_str("</ul>\n");
        }
    }
    let mut figs: Vec<(String, String)> = Vec::new();
    for (class, c) in r["per_class"].as_object().into_iter().flatten() {
        if c.get("skipped").is_some() {
            continue;
        }
        let ds = &r["datasets"][class];
        let _ = write!(h, "<h2>{}</h2><p>{} of {} materials described ({} reused from the store, {}{} failed{}). k-fold cross-validation (out-of-fold metrics):</p>\n", esc(class), ds["described"], ds["requested"], ds["reused_from_store"], match ds["refreshed"].as_u64() { Some(n) if n > 0 => format!("{n} described again, "), _ => String::new() }, ds["failed"].as_array().map_or(0, Vec::len), match ds["failures_replayed"].as_u64() { Some(n) if n > 0 => format!(", {n} of them replayed from stored failure records"), _ => String::new() });
        h.push_str(&class_table(c));
        let d = &r["details"][class];
        h.push_str("<p>Stratified 70/15/15 split, test metrics, mean ± std over three seeds; screening (\"meets the upper-quartile target\", out-of-fold); Spearman/Kendall of |error| with the size mismatch δ:</p><table><tr><th>target</th><th>model</th><th>CV</th><th>split MAE</th><th>split R²</th><th>precision / recall / F1 / ROC-AUC</th><th>Spearman ρ (p)</th><th>Kendall τ (p)</th></tr>\n");
        for (t, _) in TARGETS {
            for m in MODELS {
                let e = &d[t][m];
                if e.is_null() {
                    continue;
                }
                let s = &e["split_70_15_15"];
                let sc = &e["screening_upper_quartile"];
                let co = &e["abs_error_vs_size_mismatch_delta"];
                let split = |k: &str| if s.get("skipped").is_some() { "—".to_string() } else { format!("{} ± {}", num(&s[format!("{k}_mean")]), num(&s[format!("{k}_std")])) };
                let _ = write!(h, "<tr><td>{t}</td><td>{m}</td><td>{}</td><td>{}</td><td>{}</td><td>{} / {} / {} / {}</td><td>{} ({})</td><td>{} ({})</td></tr>\n", esc(d[t]["cv"].as_str().unwrap_or("")), split("mae"), split("r2"), num(&sc["precision"]), num(&sc["recall"]), num(&sc["f1"]), num(&sc["roc_auc"]), num(&co["spearman"]["r"]), num(&co["spearman"]["p"]), num(&co["kendall"]["r"]), num(&co["kendall"]["p"]));
            }
        }
        h.push_str("</table>\n<p>Scale ablations of fused_gbm (CV MAE with one scale's features removed):</p><table><tr><th>target</th><th>all</th><th>−atomistic</th><th>−mesoscale</th><th>−continuum</th><th>−physics</th></tr>\n");
        for (t, _) in TARGETS {
            let a = &d[t]["fused_gbm"]["ablation_scales"];
            if a.is_null() {
                continue;
            }
            let cell = |k: &str| if a[k].get("skipped").is_some() { "—".into() } else { num(&a[k]["mae"]) };
            let _ = write!(h, "<tr><td>{t}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n", num(&c[t]["fused_gbm"]["mae"]), cell("without_atomistic"), cell("without_mesoscale"), cell("without_continuum"), cell("without_physics"));
        }
        h.push_str("</table>\n");
        if TARGETS.iter().any(|(t, _)| d[t]["fused_dnn"]["ablation_modules"].is_object()) {
            h.push_str("<p>Fusion-module ablations of fused_dnn (CV MAE; SE fusion and cross-scale attention removed, the bridge loss and multi-task heads added):</p><table><tr><th>target</th><th>fused_dnn</th><th>−SE fusion</th><th>−cross-attention</th><th>+bridge loss</th><th>multi-task heads</th></tr>\n");
            for (t, _) in TARGETS {
                let a = &d[t]["fused_dnn"]["ablation_modules"];
                if !a.is_object() {
                    continue;
                }
                let cell = |k: &str| if a[k].get("skipped").is_some() || a[k].is_null() { "—".into() } else { num(&a[k]["mae"]) };
                let _ = write!(h, "<tr><td>{t}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n", num(&c[t]["fused_dnn"]["mae"]), cell("without_se_fusion"), cell("without_cross_attention"), cell("with_bridge_loss"), cell("multitask_heads"));
            }
            h.push_str("</table>\n");
        }
        let co = &r["cost"][class];
        let _ = write!(h, "<p>Cost: simulation seconds per material {} ({} materials timed; CPU seconds {}); surrogate ({}) {} predictions/s; speed-up per property {}.</p>\n", esc(&co["simulation_s_per_material"].to_string()), co["materials_timed"], esc(&co["simulation_cpu_s_per_material"].to_string()), esc(co["surrogate"].as_str().unwrap_or("")), num(&co["surrogate_predictions_per_s"]), esc(&co["speedup_per_property"].to_string()));
        for (cl, o) in oofs.iter().filter(|(cl, o)| cl == class && o.model.ends_with("_gbm")) {
            let unit = TARGETS.iter().find(|t| t.0 == o.target).map_or("1", |t| t.1);
            figs.push((svg(o, cl, unit, dir)?, format!("{cl}: out-of-fold parity of {} for {} (k-fold cross-validation).", o.target, o.model)));
        }
    }
    let tr = &r["transfer"];
    h.push_str("<h2>Transfer: leave one class out</h2>\n");
    if let Some(s) = tr["skipped"].as_str() {
        let _ = write!(h, "<p class=\"skip\">skipped: {}</p>\n", esc(s));
    } else if let Some(held) = tr["leave_one_class_out"].as_object() {
        let _ = write!(h, "<p>Each model trained on every other class and tested on the named one; features finite on every class (counts {}). MAE / R² on the held-out class; <i>train mean</i> predicts the training classes' mean.</p><table><tr><th>held out</th><th>target</th><th>train mean</th>", esc(&tr["features"].to_string()));
        for m in MODELS {
            let _ = write!(h, "<th>{m}</th>");
        }
        h.push_str("</tr>\n");
        for (c, per) in held {
            for (t, _) in TARGETS {
                let e = &per[t];
                if let Some(s) = e["skipped"].as_str() {
                    let _ = write!(h, "<tr><td>{}</td><td>{t}</td><td class=\"skip\" colspan=\"{}\">skipped: {}</td></tr>\n", esc(c), MODELS.len() + 1, esc(s));
                    continue;
                }
                let _ = write!(h, "<tr><td>{}</td><td>{t}</td>{}", esc(c), mae_r2_cell(&e["train_mean"]));
                for m in MODELS {
                    h.push_str(&mae_r2_cell(&e[m]));
                }
                h.push_str("</tr>\n");
            }
        }
        h.push_str("</table>\n");
    }
    let a = &r["experimental_anchor"];
    h.push_str("<h2>Experimental anchor (HEA Young's moduli)</h2>\n");
    if let Some(s) = a["skipped"].as_str() {
        let _ = write!(h, "<p class=\"skip\">skipped: {}</p>\n", esc(s));
    } else {
        let _ = write!(h, "<p>{}: {} measured alloys, {} inside the Zhou 2004 element set as a single fcc/bcc phase; MAE of the simulated E: {} GPa. Elements outside the set (rows): {}.</p>\n", esc(a["source"].as_str().unwrap_or("")), a["rows"], a["inside_zhou_set_single_phase"], num(&a["mae_GPa"]), esc(&a["elements_outside_zhou_set"].to_string()));
        if let Some(list) = a["compared"].as_array().filter(|l| !l.is_empty()) {
            h.push_str("<table><tr><th>alloy</th><th>lattice</th><th>E exp (GPa)</th><th>E MD (GPa)</th></tr>");
            for c in list {
                let _ = write!(h, "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", esc(c["formula"].as_str().unwrap_or("")), esc(c["lattice"].as_str().unwrap_or("")), num(&c["E_exp_GPa"]), num(&c["E_md_GPa"]));
            }
            h.push_str("</table>\n");
        }
    }
    element_anchor(&mut h, &r["element_anchor"], dir)?;
    if !figs.is_empty() {
        h.push_str("<h2>Plots</h2>\n");
        for (s, cap) in &figs {
            let _ = write!(h, "<figure>{s}<figcaption>{}</figcaption></figure>\n", esc(cap));
        }
    }
    h.push_str("<h2>Not computed yet</h2><ul>");
    if r["not_done"].as_array().is_none_or(Vec::is_empty) {
        h.push_str("<li>nothing: every part of the report is computed</li>");
    }
    for n in r["not_done"].as_array().into_iter().flatten() {
        let _ = write!(h, "<li>{}</li>", esc(n.as_str().unwrap_or("")));
    }
    h.push_str("</ul></body></html>\n");
    Ok(h)
}

/// The pure-element anchor: simulation against measurement, and simulated → measured transfer.
fn element_anchor(h: &mut String, a: &Value, dir: &Path) -> Result<()> {
    h.push_str("<h2>Experimental anchor (pure elements: E, T_m, κ)</h2>\n");
    if let Some(s) = a["skipped"].as_str() {
        let _ = write!(h, "<p class=\"skip\">skipped: {}</p>\n", esc(s));
        return Ok(());
    }
    let _ = write!(h, "<p>{} ({}). Each element described like the alloy class in its room-temperature lattice.</p>\n", esc(a["source"].as_str().unwrap_or("")), esc(a["file"].as_str().unwrap_or("")));
    h.push_str("<table><tr><th>element</th><th>lattice</th>");
    for (t, u) in TARGETS {
        let _ = write!(h, "<th>{t} measured ({u})</th><th>{t} MD</th>");
    }
    h.push_str("</tr>\n");
    for c in a["compared"].as_array().into_iter().flatten() {
        let _ = write!(h, "<tr><td>{}</td><td>{}</td>", esc(c["element"].as_str().unwrap_or("")), esc(c["lattice"].as_str().unwrap_or("")));
        for (t, _) in TARGETS {
            let _ = write!(h, "<td>{}</td><td>{}</td>", num(&c[format!("{t}_measured")]), num(&c[format!("{t}_md")]));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n<table><tr><th>target</th><th>MD vs measured: MAE / mean signed error / mean |relative error| (n)</th><th>what to expect</th></tr>\n");
    for (t, _) in TARGETS {
        let e = &a["md_vs_measured"][t];
        let _ = write!(h, "<tr><td>{t}</td><td>{} / {} / {} ({})</td><td>{}</td></tr>\n", num(&e["mae"]), num(&e["mean_signed_error"]), num(&e["mean_abs_relative_error"]), e["n"], esc(e["expectation"].as_str().unwrap_or("")));
    }
    h.push_str("</table>\n");
    // parity of the simulation against the measurement (κ is not expected to agree: no plot)
    for (t, unit) in TARGETS.iter().filter(|t| t.0 != "kappa_W_mK") {
        let (y, p): (Vec<f64>, Vec<f64>) = a["compared"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| Some((c[format!("{t}_measured")].as_f64()?, c[format!("{t}_md")].as_f64()?)))
            .unzip();
        if y.len() < 2 {
            continue;
        }
        let fig = parity_inline(&y, &p, &format!("parity_elements_{t}"), &format!("pure elements: {t}, MD (y) vs measured (x)"), unit, dir)?;
        let _ = write!(h, "<figure>{fig}<figcaption>Pure elements: simulated {t} against the measurement ({} elements)</figcaption></figure>\n", y.len());
    }
    let tr = &a["transfer"];
    if let Some(s) = tr["skipped"].as_str() {
        let _ = write!(h, "<p class=\"skip\">simulated → measured transfer skipped: {}</p>\n", esc(s));
        return Ok(());
    }
    let _ = write!(h, "<p>Simulated → measured: trained on the {}, tested on the measured {} (MAE / R²).</p><table><tr><th>target</th><th>MD itself</th><th>train mean</th>", esc(tr["trained_on"].as_str().unwrap_or("")), esc(&tr["tested_on"].to_string()));
    for m in MODELS {
        let _ = write!(h, "<th>{m}</th>");
    }
    h.push_str("</tr>\n");
    for (t, _) in TARGETS {
        let e = &tr["per_target"][t];
        if let Some(s) = e["skipped"].as_str() {
            let _ = write!(h, "<tr><td>{t}</td><td class=\"skip\" colspan=\"{}\">skipped: {}</td></tr>\n", MODELS.len() + 2, esc(s));
            continue;
        }
        let _ = write!(h, "<tr><td>{t}</td>{}{}", mae_r2_cell(&e["md"]), mae_r2_cell(&e["train_mean"]));
        for m in MODELS {
            h.push_str(&mae_r2_cell(&e[m]));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n");
    Ok(())
}
