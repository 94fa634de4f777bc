//! The shared multi-task DNN from the command line (cargo feature `dnn`):
//! `train TABLE.parquet --targets A,B,C --model dnn [--bridge-weight W]` (one network, one head
//! per target, saved as OUT/multitask.json), `predict` with it (`prediction_<t>`, `std_<t>`),
//! and `evaluate TABLE.parquet --targets A,B,C --model dnn` (k-fold, per target and per class).
//! Flag parsing and printing only: the model is `scalebridge_ml::multitask`.

use scalebridge_ml::dnn::DnnParams;
use scalebridge_ml::model::{fnv1a_hex, ModelKind};
use scalebridge_ml::multitask::{cv, MultiTaskModel, MultiTaskSpec};
use serde::Serialize;
use std::path::Path;

fn dnn_params(seed: u64, h: &crate::train::Hyper) -> Result<DnnParams, String> {
    match crate::train::model_kind("dnn", seed, h)? {
        ModelKind::Dnn(p) => Ok(p),
        _ => Err("internal: the dnn model kind is not a DNN".into()),
    }
}

fn read_table(path: &Path) -> Result<scalebridge_features::FeatureTable, String> {
    if !crate::tables::is_parquet(path) {
        return Err(format!(
            "{}: the shared multi-task DNN needs a Parquet feature table (its inputs and token groups come from the columns' scale metadata); write one with `scalebridge dataset from-csv` or `dataset build`",
            path.display()
        ));
    }
    scalebridge_features::read_parquet(path).map_err(|e| e.to_string())
}

fn spec(targets: &[String], scales: &[String], exclude: &[String]) -> Result<MultiTaskSpec, String> {
    Ok(MultiTaskSpec { targets: targets.to_vec(), scales: crate::tables::parse_scales(scales)?, exclude: exclude.to_vec() })
}

/// `train --targets ... --model dnn` on a Parquet table.
pub fn train(args: &crate::train::Args, targets: &[String]) -> Result<(), String> {
    let p = dnn_params(args.seed, &args.hyper)?;
    let bytes = std::fs::read(&args.train_csv).map_err(|e| format!("cannot read {}: {e}", args.train_csv.display()))?;
    let table = read_table(&args.train_csv)?;
    let spec = spec(targets, &args.scales, &args.exclude)?;
    eprintln!(
        "training one shared multi-task DNN on {} rows (targets {}, bridge weight {})",
        table.n_rows(),
        targets.join(", "),
        p.bridge_weight
    );
    let m = MultiTaskModel::fit(&table, &spec, &p, &fnv1a_hex(&bytes)).map_err(|e| e.to_string())?;
    m.save(&args.out).map_err(|e| e.to_string())?;
    let tokens: Vec<String> = m.model.layout.groups.iter().map(|g| format!("{} ({} columns)", g.name, g.columns.len())).collect();
    println!(
        "saved the multi-task dnn model to {} ({} rows, {} without any target left out; {} inputs in tokens {})",
        args.out.join(scalebridge_ml::multitask::MULTITASK_FILE).display(),
        m.n_train,
        m.n_dropped,
        m.inputs.len(),
        tokens.join(", ")
    );
    for t in &m.targets {
        println!("  {:20} {:>6} rows  train MAE {:.4} {}", t.name, t.n_train, t.train_metrics.mae, t.unit);
    }
    if let Some(r) = m.bridge_residual {
        println!("  bridge residual on the training rows {r:.4e}");
    }
    Ok(())
}

/// `predict MODEL_DIR TABLE.parquet --out PRED.csv` with a multi-task model.
pub fn predict(model_dir: &Path, input: &Path, out: &Path) -> Result<(), String> {
    let m = MultiTaskModel::load(model_dir).map_err(|e| e.to_string())?;
    let table = read_table(input)?;
    let pred = m.predict(&table).map_err(|e| e.to_string())?;
    let t = scalebridge_ml::tagged::to_table_all(&table, &input.display().to_string());
    let mut w = csv::Writer::from_path(out).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    let mut header = t.columns.clone();
    for name in &pred.targets {
        header.push(format!("prediction_{name}"));
        header.push(format!("std_{name}"));
    }
    w.write_record(&header).map_err(|e| e.to_string())?;
    for (i, row) in t.rows.iter().enumerate() {
        let mut rec = row.clone();
        for j in 0..pred.targets.len() {
            rec.push(format!("{}", pred.mean[j][i]));
            let s = pred.std[j][i];
            rec.push(if s.is_finite() { format!("{s}") } else { String::new() });
        }
        w.write_record(&rec).map_err(|e| e.to_string())?;
    }
    w.flush().map_err(|e| e.to_string())?;
    println!("wrote {} rows of predictions of {} to {}", t.rows.len(), pred.targets.join(", "), out.display());
    Ok(())
}

#[derive(Serialize)]
struct Report<'a> {
    model: &'static str,
    multitask: bool,
    bridge_weight: f64,
    #[serde(flatten)]
    cv: &'a cv::MultiTaskCv,
    version: &'static str,
}

/// `evaluate TABLE.parquet --targets ... --model dnn`: k-fold CV of the shared net.
pub fn evaluate(args: &crate::evaluate::Args) -> Result<(), String> {
    if !args.model.eq_ignore_ascii_case("dnn") {
        return Err(format!("evaluate --targets trains the shared multi-task DNN (--model dnn); for --model {} evaluate each target with --target", args.model));
    }
    let unsupported = [("--test", args.test.is_some()), ("--group-by", args.group_by.is_some()), ("--parity", args.parity.is_some()), ("--learning-curve", args.learning_curve.is_some())];
    if let Some((flag, _)) = unsupported.iter().find(|f| f.1) {
        return Err(format!("{flag} is not supported with --targets (k-fold CV only); use --target for one target"));
    }
    let p = dnn_params(0, &args.hyper)?;
    let table = read_table(&args.data_csv)?;
    let spec = spec(&args.targets, &args.scales, &args.exclude)?;
    let seeds: Vec<u64> = (0..args.seeds.max(1)).collect();
    let class = table.texts("class").map(|_| "class");
    let report = cv::cross_validate(&table, &spec, &p, args.cv, &seeds, class).map_err(|e| e.to_string())?;
    let out = Report { model: "dnn", multitask: true, bridge_weight: p.bridge_weight, cv: &report, version: env!("CARGO_PKG_VERSION") };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?);
        return Ok(());
    }
    println!(
        "shared multi-task dnn | {} rows ({} without any target left out) | {}-fold CV x {} seed(s) | bridge weight {}",
        report.n_rows,
        report.n_dropped,
        report.k,
        report.seeds.len(),
        p.bridge_weight
    );
    for t in &report.targets {
        println!(
            "  {:20} n={:5}  MAE {:.4} ± {:.4} {}  R² {:.4}  coverage(±1σ) {}  (dummy MAE {:.4})",
            t.target,
            t.n,
            t.cv.mae_mean,
            t.cv.mae_std,
            t.unit,
            t.cv.r2_mean,
            t.cv.coverage_1sigma_mean.map_or("n/a".into(), |c| format!("{c:.3}")),
            t.dummy_mae
        );
        for c in t.per_class.iter().flatten() {
            println!("      class {:16} n={:5}  MAE {:.4}  R² {:.4}", c.class, c.metrics.n, c.metrics.mae, c.metrics.r2);
        }
    }
    if let Some(r) = report.bridge_residual_mean {
        println!("bridge residual on the test folds (mean) {r:.4e}");
    }
    Ok(())
}
