//! `scalebridge train TRAIN.csv|TABLE.parquet --target COL --model gbm|gp|dnn --out MODEL_DIR
//! [--scales composition,atomistic,...]`

use indicatif::{ProgressBar, ProgressStyle};
use scalebridge_ml::data::Preprocessor;
use scalebridge_ml::eval::Metrics;
use scalebridge_ml::featurize::Featurizer;
use scalebridge_ml::model::{fnv1a_hex, kind_from_name, ModelKind, TrainedModel};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Training CSV (a `formula` column is featurised, other columns are numeric features) or a
    /// Parquet feature table from `scalebridge dataset build` (inputs: its numeric columns whose
    /// `scale` metadata is composition, atomistic, mesoscale, continuum or physics).
    pub train_csv: PathBuf,
    /// Target column.
    #[arg(long, required_unless_present = "targets")]
    pub target: Option<String>,
    /// Several target columns (comma-separated) for the multi-task DNN.
    #[arg(long, value_delimiter = ',', conflicts_with = "target")]
    pub targets: Vec<String>,
    /// Parquet tables only: use the feature columns of these scales (comma-separated:
    /// composition, atomistic, mesoscale, continuum, physics); default all.
    #[arg(long, value_delimiter = ',')]
    pub scales: Vec<String>,
    /// Model: gbm (gradient boosting), gp (Gaussian process) or dnn.
    #[arg(long, default_value = "gbm")]
    pub model: String,
    /// Output directory (model.json is written there).
    #[arg(long)]
    pub out: PathBuf,
    /// Columns to ignore (e.g. identifiers); repeatable.
    #[arg(long)]
    pub exclude: Vec<String>,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    #[command(flatten)]
    pub hyper: Hyper,
}

/// Model hyper-parameters shared by `train` and `evaluate` (defaults: the model's own).
#[derive(clap::Args, Clone, Debug, Default)]
pub struct Hyper {
    /// GBM: maximum boosting rounds.
    #[arg(long)]
    pub n_estimators: Option<usize>,
    /// GBM: learning rate.
    #[arg(long)]
    pub learning_rate: Option<f64>,
    /// GBM: leaves per tree.
    #[arg(long)]
    pub num_leaves: Option<usize>,
    /// GP: kernel (rbf, matern32, matern52).
    #[arg(long)]
    pub kernel: Option<String>,
    /// GP: largest training subsample.
    #[arg(long)]
    pub max_train: Option<usize>,
    /// DNN: maximum training epochs.
    #[arg(long)]
    pub max_epochs: Option<usize>,
    /// DNN: ensemble members (σ from their spread; >= 2).
    #[arg(long)]
    pub members: Option<usize>,
    /// DNN: quantile bins of the piecewise-linear input encoding (0 = standardised inputs).
    #[arg(long)]
    pub ple_bins: Option<usize>,
}

/// Model kind from the common options (shared with `evaluate`).
pub fn model_kind(model: &str, seed: u64, h: &Hyper) -> Result<ModelKind, String> {
    let mut kind = kind_from_name(model, seed).map_err(|e| e.to_string())?;
    let Hyper { n_estimators, learning_rate, num_leaves, kernel, max_train, max_epochs, members, ple_bins } = h.clone();
    match &mut kind {
        ModelKind::Gbm(p) => {
            if let Some(v) = n_estimators {
                p.n_estimators = v;
            }
            if let Some(v) = learning_rate {
                p.learning_rate = v;
            }
            if let Some(v) = num_leaves {
                p.num_leaves = v;
            }
        }
        ModelKind::Gp(p) => {
            if let Some(k) = kernel {
                p.kernel = scalebridge_ml::gp::Kernel::parse(&k).map_err(|e| e.to_string())?;
            }
            if let Some(v) = max_train {
                p.max_train = v;
            }
        }
        #[cfg(feature = "dnn")]
        ModelKind::Dnn(p) => {
            if let Some(v) = learning_rate {
                p.learning_rate = v;
            }
            if let Some(v) = max_epochs {
                p.max_epochs = v;
            }
            if let Some(v) = members {
                p.n_members = v;
            }
            if let Some(v) = ple_bins {
                p.ple_bins = v;
            }
        }
    }
    #[cfg(not(feature = "dnn"))]
    let _ = (max_epochs, members, ple_bins);
    Ok(kind)
}

pub fn report_skipped(skipped: &[scalebridge_ml::Skipped]) {
    if skipped.is_empty() {
        return;
    }
    eprintln!("skipped {} row(s):", skipped.len());
    for s in skipped.iter().take(10) {
        eprintln!("  line {}: {}", s.line, s.reason);
    }
    if skipped.len() > 10 {
        eprintln!("  ... and {} more", skipped.len() - 10);
    }
}

/// The one target of `--target T` or `--targets T` (several targets: the multi-task DNN, which
/// `train` does not save yet).
pub fn single_target(target: &Option<String>, targets: &[String]) -> Result<String, String> {
    match (target, targets) {
        (Some(t), _) => Ok(t.clone()),
        (None, [t]) => Ok(t.clone()),
        (None, []) => Err("give --target COLUMN".into()),
        (None, many) => Err(format!(
            "--targets {}: multi-task training is not available from the command line yet (train one model per target, or use DnnRegressor::fit_multi from Rust)",
            many.join(",")
        )),
    }
}

pub fn run(args: Args) -> Result<(), String> {
    let target = single_target(&args.target, &args.targets)?;
    let kind = model_kind(&args.model, args.seed, &args.hyper)?;
    let bytes = std::fs::read(&args.train_csv)
        .map_err(|e| format!("cannot read {}: {e}", args.train_csv.display()))?;
    let loaded = crate::tables::load(&args.train_csv, std::slice::from_ref(&target), &args.scales, &args.exclude)?;
    let table = loaded.table;
    let pre = Preprocessor::from_table(&table, &target, &args.exclude).map_err(|e| e.to_string())?;
    let mut kind = kind.with_feature_names(&pre.feature_names);
    if let Some(sel) = &loaded.selection {
        kind = kind.with_column_scales(&sel.features);
    }
    let (x, y, _, skipped) = pre
        .transform(&table, Some(&target), &Featurizer::new())
        .map_err(|e| e.to_string())?;
    report_skipped(&skipped);
    if x.n_rows == 0 {
        return Err(format!("no usable rows in {}", args.train_csv.display()));
    }
    eprintln!(
        "training {} on {} rows x {} features (target {:?})",
        kind.name(),
        x.n_rows,
        x.n_cols,
        target
    );
    let pb = match &kind {
        ModelKind::Gbm(p) => ProgressBar::new(p.n_estimators as u64),
        ModelKind::Gp(_) => ProgressBar::new_spinner(),
        #[cfg(feature = "dnn")]
        ModelKind::Dnn(_) => ProgressBar::new_spinner(),
    };
    if let Ok(s) = ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} rounds") {
        pb.set_style(s);
    }
    let progress = |i: usize, _n: usize| pb.set_position(i as u64);
    let model = kind
        .fit_with_progress(&x, &y, &progress)
        .map_err(|e| e.to_string())?;
    pb.finish_and_clear();
    let (mu, sd) = model.predict_with_std(&x).map_err(|e| e.to_string())?;
    let tm = TrainedModel {
        version: env!("CARGO_PKG_VERSION").to_string(),
        target: target.clone(),
        preprocessor: pre,
        train_metrics: Metrics::compute(&y, &mu, Some(&sd)),
        model,
        n_train: x.n_rows,
        n_skipped: skipped.len(),
        input_hash: fnv1a_hex(&bytes),
    };
    tm.save(&args.out).map_err(|e| e.to_string())?;
    println!(
        "saved {} model to {} (trained on {} rows, {} skipped; train MAE {:.4})",
        kind.name(),
        args.out.display(),
        tm.n_train,
        tm.n_skipped,
        tm.train_metrics.mae
    );
    Ok(())
}
