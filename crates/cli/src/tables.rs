//! Input tables of `train` / `evaluate`: a CSV file (as before) or a Parquet feature table
//! (`scalebridge dataset build`), whose column scales come from the `scale` field metadata.

use scalebridge_features::Scale;
use scalebridge_ml::data::Table;
use scalebridge_ml::tagged::{self, Selection};
use std::path::Path;

/// A table ready for the preprocessor, with the feature table's selection and class labels
/// (Parquet input only).
pub struct Loaded {
    pub table: Table,
    pub selection: Option<Selection>,
    /// The `class` column of a Parquet table (one label per table row).
    pub classes: Option<Vec<String>>,
    /// The feature table itself (Parquet input).
    pub features: Option<scalebridge_features::FeatureTable>,
}

/// Whether `path` is a Parquet file (magic bytes `PAR1`, or the extension when unreadable).
pub fn is_parquet(path: &Path) -> bool {
    let mut magic = [0u8; 4];
    match std::fs::File::open(path).and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic)) {
        Ok(()) => &magic == b"PAR1",
        Err(_) => path.extension().is_some_and(|e| e.eq_ignore_ascii_case("parquet")),
    }
}

/// Parse `--scales composition,atomistic,...`.
pub fn parse_scales(list: &[String]) -> Result<Option<Vec<Scale>>, String> {
    if list.is_empty() {
        return Ok(None);
    }
    let v: Vec<Scale> = list.iter().map(|s| Scale::parse(s).map_err(|e| e.to_string())).collect::<Result<_, _>>()?;
    if let Some(s) = v.iter().find(|s| !s.is_feature()) {
        return Err(format!("--scales: {s} is not a feature scale (composition, atomistic, mesoscale, continuum, physics)"));
    }
    Ok(Some(v))
}

/// Load `path`: Parquet tables are reduced to the selected feature columns and `targets`;
/// CSV files are read unchanged (`scales` must then be empty).
pub fn load(path: &Path, targets: &[String], scales: &[String], exclude: &[String]) -> Result<Loaded, String> {
    if is_parquet(path) {
        let ft = scalebridge_features::read_parquet(path).map_err(|e| e.to_string())?;
        let scales = parse_scales(scales)?;
        let sel = tagged::select(&ft, targets, scales.as_deref(), exclude).map_err(|e| e.to_string())?;
        let table = tagged::to_table(&ft, &sel, &path.display().to_string()).map_err(|e| e.to_string())?;
        let classes = tagged::labels(&ft, "class");
        return Ok(Loaded { table, selection: Some(sel), classes, features: Some(ft) });
    }
    if !scales.is_empty() {
        return Err("--scales needs a Parquet feature table (a CSV file has no scale metadata)".into());
    }
    let table = Table::read_csv(path).map_err(|e| e.to_string())?;
    Ok(Loaded { table, selection: None, classes: None, features: None })
}
