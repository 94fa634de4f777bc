//! `scalebridge predict MODEL_DIR INPUT.csv|TABLE.parquet --out PRED.csv`: adds `prediction` and
//! `std` columns (a Parquet feature table is written out as CSV with its columns); a model
//! directory of `train --targets` adds `prediction_<target>` and `std_<target>` per target.

use scalebridge_ml::data::Table;
use scalebridge_ml::featurize::Featurizer;
use scalebridge_ml::model::TrainedModel;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Directory written by `scalebridge train`.
    pub model_dir: PathBuf,
    /// CSV (or Parquet feature table) with the same feature columns as the training file (the
    /// target may be absent).
    pub input_csv: PathBuf,
    /// Output CSV: the input columns plus `prediction` and `std` (empty for skipped rows).
    #[arg(long)]
    pub out: PathBuf,
}

/// Predictions of the model in `dir` for every row of `table` (None: skipped row).
fn predict_rows(dir: &std::path::Path, table: &Table) -> Result<(Vec<Option<(f64, f64)>>, usize, usize), String> {
    let tm = TrainedModel::load(dir).map_err(|e| e.to_string())?;
    let (x, _, kept, skipped) = tm
        .preprocessor
        .transform(table, None, &Featurizer::new())
        .map_err(|e| e.to_string())?;
    crate::train::report_skipped(&skipped);
    let (mu, sd) = tm.model.predict_with_std(&x).map_err(|e| e.to_string())?;
    let mut pred: Vec<Option<(f64, f64)>> = vec![None; table.rows.len()];
    for (k, &i) in kept.iter().enumerate() {
        if let (Some(slot), Some(m), Some(s)) = (pred.get_mut(i), mu.get(k), sd.get(k)) {
            *slot = Some((*m, *s));
        }
    }
    Ok((pred, kept.len(), skipped.len()))
}

pub fn run(args: Args) -> Result<(), String> {
    if args.model_dir.join(crate::train::MULTITASK_FILE).is_file() {
        #[cfg(feature = "dnn")]
        return crate::multitask::predict(&args.model_dir, &args.input_csv, &args.out);
        #[cfg(not(feature = "dnn"))]
        return Err(format!("{} holds a multi-task DNN model; this build has no DNN (cargo feature `dnn`)", args.model_dir.display()));
    }
    let table = if crate::tables::is_parquet(&args.input_csv) {
        let ft = scalebridge_features::read_parquet(&args.input_csv).map_err(|e| e.to_string())?;
        scalebridge_ml::tagged::to_table_all(&ft, &args.input_csv.display().to_string())
    } else {
        Table::read_csv(&args.input_csv).map_err(|e| e.to_string())?
    };
    // one model: `prediction`, `std`; a multi-target directory (`train --targets`):
    // `prediction_<target>`, `std_<target>` per target
    let mut outputs = Vec::new();
    match crate::train::multi_targets(&args.model_dir)? {
        None => outputs.push((String::new(), predict_rows(&args.model_dir, &table)?)),
        Some(targets) => {
            for t in targets {
                let r = predict_rows(&crate::train::target_dir(&args.model_dir, &t), &table)?;
                outputs.push((format!("_{t}"), r));
            }
        }
    }
    let mut w = csv::Writer::from_path(&args.out)
        .map_err(|e| format!("cannot write {}: {e}", args.out.display()))?;
    let mut header = table.columns.clone();
    for (suffix, _) in &outputs {
        header.push(format!("prediction{suffix}"));
        header.push(format!("std{suffix}"));
    }
    w.write_record(&header).map_err(|e| e.to_string())?;
    for (i, row) in table.rows.iter().enumerate() {
        let mut rec = row.clone();
        for (_, (pred, _, _)) in &outputs {
            match pred[i] {
                Some((m, s)) => {
                    rec.push(format!("{m}"));
                    rec.push(if s.is_finite() { format!("{s}") } else { String::new() });
                }
                None => {
                    rec.push(String::new());
                    rec.push(String::new());
                }
            }
        }
        w.write_record(&rec).map_err(|e| e.to_string())?;
    }
    w.flush().map_err(|e| e.to_string())?;
    for (suffix, (_, kept, skipped)) in &outputs {
        println!("wrote {kept} predictions{} to {} ({skipped} rows skipped)", if suffix.is_empty() { String::new() } else { format!(" of {}", &suffix[1..]) }, args.out.display());
    }
    Ok(())
}
