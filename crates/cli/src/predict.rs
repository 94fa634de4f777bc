//! `scalebridge predict MODEL_DIR INPUT.csv|TABLE.parquet --out PRED.csv`: adds `prediction` and
//! `std` columns (a Parquet feature table is written out as CSV with its columns).

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

pub fn run(args: Args) -> Result<(), String> {
    let tm = TrainedModel::load(&args.model_dir).map_err(|e| e.to_string())?;
    let table = if crate::tables::is_parquet(&args.input_csv) {
        let ft = scalebridge_features::read_parquet(&args.input_csv).map_err(|e| e.to_string())?;
        scalebridge_ml::tagged::to_table_all(&ft, &args.input_csv.display().to_string())
    } else {
        Table::read_csv(&args.input_csv).map_err(|e| e.to_string())?
    };
    let (x, _, kept, skipped) = tm
        .preprocessor
        .transform(&table, None, &Featurizer::new())
        .map_err(|e| e.to_string())?;
    crate::train::report_skipped(&skipped);
    let (mu, sd) = tm.model.predict_with_std(&x).map_err(|e| e.to_string())?;
    let mut pred: Vec<Option<(f64, f64)>> = vec![None; table.rows.len()];
    for (k, &i) in kept.iter().enumerate() {
        if let (Some(slot), Some(m), Some(s)) = (pred.get_mut(i), mu.get(k), sd.get(k)) {
            *slot = Some((*m, *s));
        }
    }
    let mut w = csv::Writer::from_path(&args.out)
        .map_err(|e| format!("cannot write {}: {e}", args.out.display()))?;
    let mut header = table.columns.clone();
    header.push("prediction".into());
    header.push("std".into());
    w.write_record(&header).map_err(|e| e.to_string())?;
    for (row, p) in table.rows.iter().zip(&pred) {
        let mut rec = row.clone();
        match p {
            Some((m, s)) => {
                rec.push(format!("{m}"));
                rec.push(if s.is_finite() { format!("{s}") } else { String::new() });
            }
            None => {
                rec.push(String::new());
                rec.push(String::new());
            }
        }
        w.write_record(&rec).map_err(|e| e.to_string())?;
    }
    w.flush().map_err(|e| e.to_string())?;
    println!(
        "wrote {} predictions to {} ({} rows skipped)",
        kept.len(),
        args.out.display(),
        skipped.len()
    );
    Ok(())
}
