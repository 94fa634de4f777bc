//! `scalebridge train TRAIN.csv|TABLE.parquet --target COL --model gbm|gp|dnn --out MODEL_DIR
//! [--scales composition,atomistic,...]`; `--targets A,B,...`: one model per target, or with
//! `--model dnn` on a Parquet table one shared multi-task DNN (`crate::multitask`).

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
    /// Several target columns (comma-separated). With --model dnn on a Parquet feature table:
    /// ONE shared multi-task network with a head per target (a row missing a target is masked
    /// in that head's loss), saved as OUT/multitask.json. Otherwise one model per target (rows
    /// missing a target are left out of that target's model only), saved under OUT/<target>/
    /// with OUT/targets.json.
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
    /// DNN: weight W of the bridge residual term in the loss (0 = off): W × the mean squared
    /// deviation of the per-scale latent views (each scale's encoded tokens pooled and projected
    /// like the fused token) from their mean; needs inputs of at least two scales.
    #[arg(long)]
    pub bridge_weight: Option<f64>,
}

/// Model kind from the common options (shared with `evaluate`).
pub fn model_kind(model: &str, seed: u64, h: &Hyper) -> Result<ModelKind, String> {
    let mut kind = kind_from_name(model, seed).map_err(|e| e.to_string())?;
    let Hyper { n_estimators, learning_rate, num_leaves, kernel, max_train, max_epochs, members, ple_bins, bridge_weight } = h.clone();
    if bridge_weight.is_some() && matches!(kind, ModelKind::Gp(_) | ModelKind::Gbm(_)) {
        return Err(format!("--bridge-weight applies to the DNN only (--model dnn), not to {model}"));
    }
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
            if let Some(v) = bridge_weight {
                p.bridge_weight = v;
            }
        }
    }
    #[cfg(not(feature = "dnn"))]
    let _ = (max_epochs, members, ple_bins, bridge_weight);
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

/// The targets of `--target T` or `--targets T1,T2,...` (distinct, at least one).
pub fn target_list(target: &Option<String>, targets: &[String]) -> Result<Vec<String>, String> {
    let list: Vec<String> = match (target, targets) {
        (Some(t), _) => vec![t.clone()],
        (None, []) => return Err("give --target COLUMN or --targets A,B,...".into()),
        (None, many) => many.iter().map(|t| t.trim().to_string()).collect(),
    };
    if let Some(t) = list.iter().find(|t| t.is_empty()) {
        return Err(format!("--targets: empty target name in {:?}", list.join(",") + t));
    }
    for (i, t) in list.iter().enumerate() {
        if list[..i].contains(t) {
            return Err(format!("--targets: {t} is given twice"));
        }
    }
    Ok(list)
}

/// Manifest of a multi-target model directory (`targets.json`): the targets, each with its own
/// `TrainedModel` in the sub-directory of the same name.
pub const TARGETS_FILE: &str = "targets.json";

/// Sub-directory of target `t` in a multi-target model directory (path-safe name).
pub fn target_dir(out: &std::path::Path, t: &str) -> PathBuf {
    out.join(t.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.' { c } else { '_' }).collect::<String>())
}

/// The targets of a multi-target model directory, or `None` for a one-target model.
pub fn multi_targets(dir: &std::path::Path) -> Result<Option<Vec<String>>, String> {
    let p = dir.join(TARGETS_FILE);
    if !p.is_file() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", p.display()))?;
    let t = v["targets"].as_array().ok_or_else(|| format!("{}: no `targets` list", p.display()))?;
    Ok(Some(t.iter().filter_map(|x| x.as_str().map(String::from)).collect()))
}

pub fn run(args: Args) -> Result<(), String> {
    let targets = target_list(&args.target, &args.targets)?;
    if let [t] = targets.as_slice() {
        remove_stale_multitask(&args.out);
        return train_one(&args, t, &args.exclude, &args.out).map(|_| ());
    }
    #[cfg(feature = "dnn")]
    if args.model.eq_ignore_ascii_case("dnn") && crate::tables::is_parquet(&args.train_csv) {
        return crate::multitask::train(&args, &targets);
    }
    if args.model.eq_ignore_ascii_case("dnn") {
        eprintln!("note: {} has no scale metadata: one DNN per target (the shared multi-task DNN needs a Parquet feature table)", args.train_csv.display());
    }
    remove_stale_multitask(&args.out);
    // several targets: one model per target (GBM and GP are single-output; every target keeps
    // the rows where it is present)
    let mut entries = Vec::new();
    for t in &targets {
        let dir = target_dir(&args.out, t);
        // the other targets are not inputs of this one
        let mut exclude = args.exclude.clone();
        exclude.extend(targets.iter().filter(|o| *o != t).cloned());
        let tm = train_one(&args, t, &exclude, &dir)?;
        entries.push(serde_json::json!({"target": t, "dir": dir.file_name().map(|d| d.to_string_lossy().to_string()), "n_train": tm.n_train, "train_mae": tm.train_metrics.mae}));
    }
    let manifest = serde_json::json!({"targets": targets, "model": args.model, "models": entries});
    let p = args.out.join(TARGETS_FILE);
    let tmp = args.out.join(format!("{TARGETS_FILE}.partial"));
    std::fs::write(&tmp, serde_json::to_string_pretty(&manifest).map_err(|e| e.to_string())?).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, &p).map_err(|e| format!("cannot write {}: {e}", p.display()))?;
    println!("saved {} models ({}) to {}", targets.len(), targets.join(", "), args.out.display());
    Ok(())
}

/// File of a shared multi-task model in a model directory (`scalebridge_ml::multitask`).
pub const MULTITASK_FILE: &str = "multitask.json";

/// A model directory holds one kind of model: a per-target or one-target training removes a
/// multi-task model left there by an earlier run (`predict` would otherwise pick it).
fn remove_stale_multitask(out: &std::path::Path) {
    let _ = std::fs::remove_file(out.join(MULTITASK_FILE));
}

/// Train and save the model of one target under `out`.
fn train_one(args: &Args, target: &str, exclude: &[String], out: &std::path::Path) -> Result<TrainedModel, String> {
    let target = target.to_string();
    let kind = model_kind(&args.model, args.seed, &args.hyper)?;
    let bytes = std::fs::read(&args.train_csv)
        .map_err(|e| format!("cannot read {}: {e}", args.train_csv.display()))?;
    let loaded = crate::tables::load(&args.train_csv, std::slice::from_ref(&target), &args.scales, exclude)?;
    let table = loaded.table;
    let pre = Preprocessor::from_table(&table, &target, exclude).map_err(|e| e.to_string())?;
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
    tm.save(out).map_err(|e| e.to_string())?;
    println!(
        "saved {} model to {} (trained on {} rows, {} skipped; train MAE {:.4})",
        kind.name(),
        out.display(),
        tm.n_train,
        tm.n_skipped,
        tm.train_metrics.mae
    );
    Ok(tm)
}
