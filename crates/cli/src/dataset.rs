//! `scalebridge dataset ...`: build scale- and unit-tagged feature tables (Parquet).
//!
//! - `dataset from-csv DATA.csv --out TABLE.parquet --target NAME=UNIT [--column NAME=SCALE:UNIT]
//!   [--class COLUMN] [--exclude NAME]`: composition columns of the `formula` column plus the
//!   declared columns (every other column must be declared or excluded: no column without a unit).

use scalebridge_features::{Scale, TableBuilder};
use scalebridge_ml::featurize::Featurizer;
use scalebridge_ml::tagged::{rows_from_csv, CsvSpec};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub command: Sub,
}

#[derive(clap::Subcommand, Debug)]
pub enum Sub {
    /// Feature table from a CSV file with a `formula` column (composition columns + declared columns).
    FromCsv(FromCsv),
}

#[derive(clap::Args, Debug)]
pub struct FromCsv {
    pub data_csv: PathBuf,
    /// Output Parquet file (written atomically).
    #[arg(long)]
    pub out: PathBuf,
    /// Target column and its unit, NAME=UNIT (`1` for dimensionless); repeatable.
    #[arg(long, value_name = "NAME=UNIT")]
    pub target: Vec<String>,
    /// Further feature column, NAME=SCALE:UNIT (scale: composition, atomistic, mesoscale,
    /// continuum or physics); repeatable.
    #[arg(long, value_name = "NAME=SCALE:UNIT")]
    pub column: Vec<String>,
    /// Column with the material class (default: the chemical class of the formula).
    #[arg(long)]
    pub class: Option<String>,
    /// Columns to leave out; repeatable.
    #[arg(long)]
    pub exclude: Vec<String>,
}

fn split_once<'a>(s: &'a str, sep: char, what: &str) -> Result<(&'a str, &'a str), String> {
    s.split_once(sep).map(|(a, b)| (a.trim(), b.trim())).ok_or_else(|| format!("{what} {s:?}: expected {}", if sep == '=' { "NAME=..." } else { "SCALE:UNIT" }))
}

fn from_csv(a: FromCsv) -> Result<(), String> {
    let table = scalebridge_ml::data::Table::read_csv(&a.data_csv).map_err(|e| e.to_string())?;
    let targets = a
        .target
        .iter()
        .map(|t| split_once(t, '=', "--target").map(|(n, u)| (n.to_string(), u.to_string())))
        .collect::<Result<_, _>>()?;
    let columns = a
        .column
        .iter()
        .map(|c| {
            let (n, rest) = split_once(c, '=', "--column")?;
            let (s, u) = split_once(rest, ':', "--column")?;
            let scale = Scale::parse(s).map_err(|e| e.to_string())?;
            if !scale.is_feature() {
                return Err(format!("--column {c:?}: {scale} is not a feature scale (use --target for targets)"));
            }
            Ok((n.to_string(), scale, u.to_string()))
        })
        .collect::<Result<_, String>>()?;
    let spec = CsvSpec { targets, columns, class_column: a.class, exclude: a.exclude };
    let (rows, skipped) = rows_from_csv(&table, &spec, &Featurizer::new()).map_err(|e| e.to_string())?;
    crate::train::report_skipped(&skipped);
    if rows.is_empty() {
        return Err(format!("no usable rows in {}", a.data_csv.display()));
    }
    let ft = TableBuilder { rows }.build().map_err(|e| e.to_string())?;
    scalebridge_features::write_parquet(&ft, &a.out).map_err(|e| e.to_string())?;
    println!("wrote {} rows x {} columns to {} ({} skipped)", ft.n_rows(), ft.columns.len(), a.out.display(), skipped.len());
    Ok(())
}

pub fn run(args: Args) -> Result<(), String> {
    match args.command {
        Sub::FromCsv(a) => from_csv(a),
    }
}
