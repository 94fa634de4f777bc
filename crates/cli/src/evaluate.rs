//! `scalebridge evaluate DATA.csv --target COL --model gbm|gp|dnn [--cv K] [--seeds N] [--test TEST.csv] [--json]`
//! k-fold cross-validation (repeated over seeds) or a train/test evaluation, beside a dummy
//! mean predictor, or leave-one-group-out transfer (`--group-by COLUMN|class`). DATA may also be
//! a Parquet feature table (`scalebridge dataset build`); with a `class` column the report adds
//! per-class metrics of the out-of-fold (or test) predictions. `--targets A,B,C --model dnn` on a
//! Parquet table cross-validates ONE shared multi-task DNN (`crate::multitask`).

use scalebridge_ml::data::Preprocessor;
use scalebridge_ml::eval::{cross_validate_with_predictions, kfold, learning_curve, leave_group_out, mae, per_class_metrics, LearningPoint, Metrics};
use scalebridge_ml::plot::{curves_svg, parity_svg, Curve};
use scalebridge_ml::featurize::Featurizer;
use scalebridge_ml::model::Estimator;
use serde::Serialize;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Data CSV or Parquet feature table (training data when --test is given).
    pub data_csv: PathBuf,
    #[arg(long, required_unless_present = "targets")]
    pub target: Option<String>,
    /// Several targets (comma-separated, --model dnn, Parquet table): k-fold CV of ONE shared
    /// multi-task DNN, metrics per target and per class.
    #[arg(long, value_delimiter = ',', conflicts_with = "target")]
    pub targets: Vec<String>,
    #[arg(long, default_value = "gbm")]
    pub model: String,
    /// Number of cross-validation folds.
    #[arg(long, default_value_t = 5)]
    pub cv: usize,
    /// Repeat the CV with this many seeds (mean ± std over all folds).
    #[arg(long, default_value_t = 1)]
    pub seeds: u64,
    /// Evaluate on this held-out CSV instead of cross-validating.
    #[arg(long)]
    pub test: Option<PathBuf>,
    /// Leave-one-group-out transfer instead of k-fold CV: hold out each value of this column in
    /// turn (e.g. a `dataset` column for cross-database transfer), or `class` for the chemical
    /// class of the formula (oxide, halide, ..., intermetallic).
    #[arg(long)]
    pub group_by: Option<String>,
    /// Smallest group evaluated with --group-by.
    #[arg(long, default_value_t = 20)]
    pub min_group: usize,
    /// Columns to ignore; repeatable.
    #[arg(long)]
    pub exclude: Vec<String>,
    /// Parquet tables only: use the feature columns of these scales (comma-separated); default all.
    #[arg(long, value_delimiter = ',')]
    pub scales: Vec<String>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// Write a parity plot (SVG): out-of-fold predictions of the first seed's k-fold split, or the
    /// --test predictions, against the targets, with ±1σ bars.
    #[arg(long, value_name = "FILE.svg")]
    pub parity: Option<PathBuf>,
    /// Write a learning curve (SVG; its points also go into the report): k-fold MAE when training
    /// on growing fractions of the training folds (--curve-fractions).
    #[arg(long, value_name = "FILE.svg")]
    pub learning_curve: Option<PathBuf>,
    /// Training fractions of the learning curve.
    #[arg(long, value_delimiter = ',', default_value = "0.1,0.2,0.4,0.7,1.0")]
    pub curve_fractions: Vec<f64>,
    #[command(flatten)]
    pub hyper: crate::train::Hyper,
}

#[derive(Serialize)]
struct Report {
    model: String,
    target: String,
    n_rows: usize,
    n_skipped: usize,
    cv: Option<scalebridge_ml::eval::CvReport>,
    test: Option<Metrics>,
    groups: Option<Vec<scalebridge_ml::eval::GroupFold>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    learning_curve: Option<Vec<LearningPoint>>,
    dummy_mae: f64,
    /// Metrics per material class (Parquet tables with a `class` column), of the first seed's
    /// out-of-fold predictions or of the --test predictions.
    #[serde(skip_serializing_if = "Option::is_none")]
    per_class: Option<Vec<scalebridge_ml::eval::ClassMetrics>>,
    version: &'static str,
}

pub fn run(args: Args) -> Result<(), String> {
    if !args.targets.is_empty() {
        let targets = crate::train::target_list(&None, &args.targets)?;
        #[cfg(feature = "dnn")]
        return crate::multitask::evaluate(&Args { targets, ..args });
        #[cfg(not(feature = "dnn"))]
        return Err(format!("evaluate --targets {} trains the shared multi-task DNN, which this build does not have (cargo feature `dnn`)", targets.join(",")));
    }
    let target = args.target.clone().ok_or("give --target COLUMN or --targets A,B,...")?;
    let kind = crate::train::model_kind(&args.model, 0, &args.hyper)?;
    let mut exclude = args.exclude.clone();
    if let Some(g) = &args.group_by {
        if g != "class" {
            exclude.push(g.clone());
        }
    }
    let loaded = crate::tables::load(&args.data_csv, std::slice::from_ref(&target), &args.scales, &exclude)?;
    let table = loaded.table;
    let pre = Preprocessor::from_table(&table, &target, &exclude).map_err(|e| e.to_string())?;
    let mut kind = kind.with_feature_names(&pre.feature_names);
    if let Some(sel) = &loaded.selection {
        kind = kind.with_column_scales(&sel.features);
    }
    let feat = Featurizer::new();
    let (x, y, kept, skipped) = pre
        .transform(&table, Some(&target), &feat)
        .map_err(|e| e.to_string())?;
    crate::train::report_skipped(&skipped);
    if x.n_rows < 4 {
        return Err(format!("only {} usable rows in {}", x.n_rows, args.data_csv.display()));
    }
    let mut report = Report {
        model: kind.name().into(),
        target: target.clone(),
        n_rows: x.n_rows,
        n_skipped: skipped.len(),
        cv: None,
        test: None,
        groups: None,
        learning_curve: None,
        dummy_mae: f64::NAN,
        per_class: None,
        version: env!("CARGO_PKG_VERSION"),
    };
    if let Some(g) = &args.group_by {
        let labels: Vec<String> = if let Some(ft) = &loaded.features {
            let all = scalebridge_ml::tagged::labels(ft, g)
                .ok_or_else(|| format!("--group-by {g}: no such column in {}", args.data_csv.display()))?;
            kept.iter().map(|&i| all[i].clone()).collect()
        } else if g == "class" {
            let fc = table.column("formula").ok_or("--group-by class needs a formula column")?;
            kept.iter()
                .map(|&i| {
                    scalebridge_ml::formula::parse_formula(&table.rows[i][fc]).map(|c| c.class().to_string()).map_err(|e| e.to_string())
                })
                .collect::<Result<_, _>>()?
        } else {
            let gc = table.column(g).ok_or_else(|| format!("--group-by {g}: no such column (columns: {:?})", table.columns))?;
            kept.iter().map(|&i| table.rows[i][gc].clone()).collect()
        };
        let folds = leave_group_out(&x, &y, &labels, args.min_group, &|| Estimator::new(kind.with_seed(0))).map_err(|e| e.to_string())?;
        if !args.json {
            println!("model {} | target {} | leave-one-{g}-out | {} rows", report.model, report.target, report.n_rows);
            for f in &folds {
                println!(
                    "  held out {:20} n={:6}  MAE {:10.4}  (dummy {:10.4})  R² {:7.3}  coverage(±1σ) {}",
                    f.group,
                    f.metrics.n,
                    f.metrics.mae,
                    f.dummy_mae,
                    f.metrics.r2,
                    f.metrics.coverage_1sigma.map_or("n/a".into(), |c| format!("{c:.3}"))
                );
            }
        }
        report.groups = Some(folds);
        if args.json {
            println!("{}", serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?);
        }
        return Ok(());
    }
    if let Some(test_path) = &args.test {
        let test_loaded = crate::tables::load(test_path, std::slice::from_ref(&target), &args.scales, &exclude)?;
        let tt = test_loaded.table;
        let (xt, yt, kept_t, sk) = pre
            .transform(&tt, Some(&target), &feat)
            .map_err(|e| e.to_string())?;
        crate::train::report_skipped(&sk);
        let model = kind.fit(&x, &y).map_err(|e| e.to_string())?;
        let (mu, sd) = model.predict_with_std(&xt).map_err(|e| e.to_string())?;
        let m = y.iter().sum::<f64>() / y.len() as f64;
        report.dummy_mae = mae(&yt, &vec![m; yt.len()]);
        report.test = Some(Metrics::compute(&yt, &mu, Some(&sd)));
        if let Some(c) = &test_loaded.classes {
            let labels: Vec<String> = kept_t.iter().map(|&i| c[i].clone()).collect();
            report.per_class = Some(per_class_metrics(&labels, &yt, &mu, &sd));
        }
        if let Some(p) = &args.parity {
            let title = format!("{} on {} ({})", report.model, test_path.display(), report.target);
            parity_svg(&yt, &mu, Some(&sd), p, &title, "").map_err(|e| e.to_string())?;
        }
    } else {
        let seeds: Vec<u64> = (0..args.seeds.max(1)).collect();
        // the parity plot reuses the first seed's fold predictions (no refits)
        let (cv, oof_mu, oof_sd) =
            cross_validate_with_predictions(&x, &y, args.cv, &seeds, &|s| Estimator::new(kind.with_seed(s)))
                .map_err(|e| e.to_string())?;
        let mut d = Vec::new();
        for &s in &seeds {
            for (tr, te) in kfold(x.n_rows, args.cv, s).map_err(|e| e.to_string())? {
                let m = tr.iter().map(|&i| y[i]).sum::<f64>() / tr.len() as f64;
                let yt: Vec<f64> = te.iter().map(|&i| y[i]).collect();
                d.push(mae(&yt, &vec![m; yt.len()]));
            }
        }
        report.dummy_mae = d.iter().sum::<f64>() / d.len().max(1) as f64;
        report.cv = Some(cv);
        if let Some(c) = &loaded.classes {
            let labels: Vec<String> = kept.iter().map(|&i| c[i].clone()).collect();
            report.per_class = Some(per_class_metrics(&labels, &y, &oof_mu, &oof_sd));
        }
        if let Some(p) = &args.parity {
            let title = format!("{} ({}-fold out-of-fold), {}", report.model, args.cv, report.target);
            parity_svg(&y, &oof_mu, Some(&oof_sd), p, &title, "").map_err(|e| e.to_string())?;
        }
    }
    if let Some(p) = &args.learning_curve {
        let lc = learning_curve(&x, &y, args.cv, &args.curve_fractions, 0, &|s| Estimator::new(kind.with_seed(s)))
            .map_err(|e| e.to_string())?;
        let curve = Curve {
            name: report.model.clone(),
            x: lc.iter().map(|q| q.n_train as f64).collect(),
            y: lc.iter().map(|q| q.mae_mean).collect(),
            y_err: Some(lc.iter().map(|q| q.mae_std).collect()),
        };
        let title = format!("learning curve ({}-fold CV), {}", args.cv, report.target);
        curves_svg(&[curve], p, &title, "training rows", "MAE", false).map_err(|e| e.to_string())?;
        report.learning_curve = Some(lc);
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?);
        return Ok(());
    }
    println!("model {} | target {} | {} rows ({} skipped)", report.model, report.target, report.n_rows, report.n_skipped);
    if let Some(cv) = &report.cv {
        println!(
            "{}-fold CV x {} seed(s): MAE {:.4} ± {:.4}  RMSE {:.4}  R² {:.4}  coverage(±1σ) {}",
            cv.k,
            cv.seeds.len(),
            cv.mae_mean,
            cv.mae_std,
            cv.rmse_mean,
            cv.r2_mean,
            cv.coverage_1sigma_mean.map_or("n/a".into(), |c| format!("{c:.3}"))
        );
    }
    if let Some(t) = &report.test {
        println!(
            "test: MAE {:.4}  RMSE {:.4}  R² {:.4}  coverage(±1σ) {}",
            t.mae,
            t.rmse,
            t.r2,
            t.coverage_1sigma.map_or("n/a".into(), |c| format!("{c:.3}"))
        );
    }
    println!("dummy mean predictor MAE {:.4}", report.dummy_mae);
    for c in report.per_class.iter().flatten() {
        println!("class {:16} n={:5}  MAE {:.4}  R² {:.4}", c.class, c.metrics.n, c.metrics.mae, c.metrics.r2);
    }
    if let Some(lc) = &report.learning_curve {
        for q in lc {
            println!("learning curve: {:6} training rows  MAE {:.4} ± {:.4}", q.n_train, q.mae_mean, q.mae_std);
        }
    }
    Ok(())
}
