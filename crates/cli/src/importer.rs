//! `scalebridge import SOURCE FILE --out TABLE.parquet [--unit UNIT] [--json]`: a property table
//! exported from Materials Project (`mp`), JARVIS (`jarvis`), AFLOW (`aflow`), OQMD (`oqmd`) or
//! Matbench (`matbench`) into the feature table (composition `x_{El}` columns, properties with
//! their units). See docs/store.md.

use scalebridge_features::importers::{import_file, ImportOptions, Source};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Database the file comes from: mp, jarvis, aflow, oqmd or matbench.
    pub source: String,
    /// The exported file (JSON; Matbench also `formula,target` CSV).
    pub file: PathBuf,
    /// Output Parquet file (written atomically).
    #[arg(long)]
    pub out: PathBuf,
    /// Unit of a Matbench target that is not one of the known datasets ("1" if dimensionless).
    #[arg(long)]
    pub unit: Option<String>,
    /// Print a JSON summary (rows, columns with units) instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: Args) -> Result<(), String> {
    let source = Source::parse(&a.source).map_err(|e| e.to_string())?;
    let table = import_file(source, &a.file, &ImportOptions { target_unit: a.unit }).map_err(|e| e.to_string())?;
    scalebridge_features::write_parquet(&table, &a.out).map_err(|e| e.to_string())?;
    let columns: Vec<serde_json::Value> =
        table.columns.iter().map(|c| serde_json::json!({"name": c.name, "unit": c.unit, "scale": c.scale.as_str()})).collect();
    if a.json {
        let doc = serde_json::json!({"source": source.as_str(), "file": a.file.display().to_string(), "out": a.out.display().to_string(), "rows": table.n_rows(), "columns": columns});
        println!("{}", serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?);
    } else {
        println!("{} rows, {} columns from {} ({}) -> {}", table.n_rows(), table.columns.len(), a.file.display(), source.as_str(), a.out.display());
        for c in &table.columns {
            println!("  {:<32} {:<12} {}", c.name, c.scale.as_str(), c.unit);
        }
    }
    Ok(())
}
