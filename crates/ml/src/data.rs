//! Dense row-major feature matrices, CSV tables and the preprocessing that turns a table
//! (optionally with a `formula` column) into features. Bad rows are skipped and reported.

use crate::error::{MlError, Result};
use crate::featurize::Featurizer;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Row-major matrix of f64 (NaN marks a missing feature value).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Matrix {
    pub n_rows: usize,
    pub n_cols: usize,
    pub data: Vec<f64>,
}

impl Matrix {
    pub fn new(n_rows: usize, n_cols: usize, data: Vec<f64>) -> Result<Self> {
        if data.len() != n_rows * n_cols {
            return Err(MlError::ShapeMismatch {
                what: "matrix data".into(),
                expected: format!("{n_rows} x {n_cols} = {}", n_rows * n_cols),
                got: data.len().to_string(),
            });
        }
        Ok(Matrix {
            n_rows,
            n_cols,
            data,
        })
    }
    pub fn from_rows(rows: &[Vec<f64>]) -> Result<Self> {
        let nc = rows.first().map_or(0, Vec::len);
        let mut data = Vec::with_capacity(rows.len() * nc);
        for (i, r) in rows.iter().enumerate() {
            if r.len() != nc {
                return Err(MlError::ShapeMismatch {
                    what: format!("row {i}"),
                    expected: nc.to_string(),
                    got: r.len().to_string(),
                });
            }
            data.extend_from_slice(r);
        }
        Matrix::new(rows.len(), nc, data)
    }
    #[inline]
    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.n_cols..(i + 1) * self.n_cols]
    }
    #[inline]
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.data[i * self.n_cols + j]
    }
    /// Rows selected by index (indices must be < n_rows; callers generate them).
    pub fn select_rows(&self, idx: &[usize]) -> Matrix {
        let mut data = Vec::with_capacity(idx.len() * self.n_cols);
        for &i in idx {
            data.extend_from_slice(self.row(i));
        }
        Matrix {
            n_rows: idx.len(),
            n_cols: self.n_cols,
            data,
        }
    }
    /// Error if any value is infinite (NaN is allowed as "missing").
    pub fn check_no_inf(&self, what: &str) -> Result<()> {
        match self.data.iter().position(|v| v.is_infinite()) {
            Some(i) => Err(MlError::NonFinite {
                what: format!("{what} (infinite value at row {}, column {})", i / self.n_cols.max(1), i % self.n_cols.max(1)),
                index: i,
            }),
            None => Ok(()),
        }
    }
}

/// Check a target vector: length and finiteness.
pub fn check_targets(y: &[f64], n_rows: usize) -> Result<()> {
    if y.len() != n_rows {
        return Err(MlError::ShapeMismatch {
            what: "targets".into(),
            expected: n_rows.to_string(),
            got: y.len().to_string(),
        });
    }
    if let Some(i) = y.iter().position(|v| !v.is_finite()) {
        return Err(MlError::NonFinite {
            what: "targets".into(),
            index: i,
        });
    }
    Ok(())
}

/// A CSV file as strings.
#[derive(Debug, Clone)]
pub struct Table {
    pub path: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn read_csv(path: &Path) -> Result<Table> {
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(false)
            .trim(csv::Trim::All)
            .from_path(path)
            .map_err(|e| csv_err(path, e))?;
        let columns: Vec<String> = rdr
            .headers()
            .map_err(|e| csv_err(path, e))?
            .iter()
            .map(str::to_string)
            .collect();
        let mut rows = Vec::new();
        for rec in rdr.records() {
            let rec = rec.map_err(|e| csv_err(path, e))?;
            rows.push(rec.iter().map(str::to_string).collect());
        }
        Ok(Table {
            path: path.display().to_string(),
            columns,
            rows,
        })
    }
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }
}

fn csv_err(path: &Path, e: csv::Error) -> MlError {
    let line = e.position().map_or(0, |p| p.line() as usize);
    match e.into_kind() {
        csv::ErrorKind::Io(io) => MlError::io(path, io),
        other => MlError::Parse {
            path: path.display().to_string(),
            line,
            msg: format!("{other:?}"),
        },
    }
}

/// A row that was left out, with the reason.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Skipped {
    /// 1-based line in the CSV file (header = line 1).
    pub line: usize,
    pub reason: String,
}

/// Features, targets (empty without a target column), indices of the kept table rows, and the
/// skipped rows.
pub type Transformed = (Matrix, Vec<f64>, Vec<usize>, Vec<Skipped>);

/// How a table becomes features; saved with every model.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Preprocessor {
    /// Column holding chemical formulas (featurised), if any.
    pub formula_column: Option<String>,
    /// Numeric columns used as features, in order.
    pub numeric_columns: Vec<String>,
    /// Names of all features (formula features first).
    pub feature_names: Vec<String>,
}

fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim();
    if t.is_empty() || t.eq_ignore_ascii_case("nan") || t.eq_ignore_ascii_case("na") {
        return Some(f64::NAN);
    }
    t.parse::<f64>().ok()
}

impl Preprocessor {
    /// Decide the features from a training table: the `formula` column (if present) is
    /// featurised and every other column except `target` (and `exclude`) is numeric.
    pub fn from_table(table: &Table, target: &str, exclude: &[String]) -> Result<Preprocessor> {
        if table.column(target).is_none() {
            return Err(MlError::param(
                "target",
                target,
                &format!("no such column; columns are {:?}", table.columns),
            ));
        }
        let formula_column = table.column("formula").map(|_| "formula".to_string());
        let numeric_columns: Vec<String> = table
            .columns
            .iter()
            .filter(|c| {
                c.as_str() != target && Some(c.as_str()) != formula_column.as_deref()
                    && !exclude.contains(c)
            })
            .cloned()
            .collect();
        let mut feature_names = Vec::new();
        if formula_column.is_some() {
            feature_names.extend(Featurizer::feature_names());
        }
        feature_names.extend(numeric_columns.iter().cloned());
        if feature_names.is_empty() {
            return Err(MlError::param(
                "columns",
                format!("{:?}", table.columns),
                "no feature columns (need a `formula` column or numeric columns besides the target)",
            ));
        }
        Ok(Preprocessor {
            formula_column,
            numeric_columns,
            feature_names,
        })
    }

    /// Features (and targets, if `target` is given) of a table. Rows with unparseable formulas,
    /// non-numeric or infinite feature values, or missing/non-finite targets are skipped and
    /// reported. NaN/empty feature cells are kept as missing values.
    pub fn transform(
        &self,
        table: &Table,
        target: Option<&str>,
        featurizer: &Featurizer,
    ) -> Result<Transformed> {
        let col = |name: &str| {
            table.column(name).ok_or_else(|| {
                MlError::param(
                    "column",
                    name,
                    &format!("missing from {} (columns: {:?})", table.path, table.columns),
                )
            })
        };
        let fcol = match &self.formula_column {
            Some(c) => Some(col(c)?),
            None => None,
        };
        let ncols: Vec<usize> = self
            .numeric_columns
            .iter()
            .map(|c| col(c))
            .collect::<Result<_>>()?;
        let tcol = match target {
            Some(t) => Some(col(t)?),
            None => None,
        };
        let formulas: Vec<String> = match fcol {
            Some(c) => table
                .rows
                .iter()
                .map(|r| r.get(c).cloned().unwrap_or_default())
                .collect(),
            None => Vec::new(),
        };
        let feats = featurizer.featurize_many(&formulas);
        let nf = self.feature_names.len();
        let mut data = Vec::with_capacity(table.rows.len() * nf);
        let (mut y, mut kept, mut skipped) = (Vec::new(), Vec::new(), Vec::new());
        'rows: for (i, row) in table.rows.iter().enumerate() {
            let line = i + 2;
            let mut fv = Vec::with_capacity(nf);
            if fcol.is_some() {
                match feats.get(i) {
                    Some(Ok(v)) => fv.extend_from_slice(v),
                    Some(Err(e)) => {
                        skipped.push(Skipped {
                            line,
                            reason: e.to_string(),
                        });
                        continue;
                    }
                    None => continue,
                }
            }
            for (k, &c) in ncols.iter().enumerate() {
                let cell = row.get(c).map_or("", String::as_str);
                match parse_number(cell) {
                    Some(v) if !v.is_infinite() => fv.push(v),
                    _ => {
                        skipped.push(Skipped {
                            line,
                            reason: format!(
                                "column {:?}: {cell:?} is not a finite number",
                                self.numeric_columns[k]
                            ),
                        });
                        continue 'rows;
                    }
                }
            }
            if let Some(t) = tcol {
                let cell = row.get(t).map_or("", String::as_str);
                match parse_number(cell) {
                    Some(v) if v.is_finite() => y.push(v),
                    _ => {
                        skipped.push(Skipped {
                            line,
                            reason: format!("target {cell:?} is missing or not a finite number"),
                        });
                        continue;
                    }
                }
            }
            data.extend(fv);
            kept.push(i);
        }
        let x = Matrix::new(kept.len(), nf, data)?;
        Ok((x, y, kept, skipped))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_rows_are_skipped_and_reported() {
        let table = Table {
            path: "t.csv".into(),
            columns: vec!["formula".into(), "p".into(), "y".into()],
            rows: vec![
                vec!["Fe2O3".into(), "1.0".into(), "3.0".into()],
                vec!["Xx2".into(), "1.0".into(), "3.0".into()],
                vec!["NaCl".into(), "abc".into(), "3.0".into()],
                vec!["NaCl".into(), "2".into(), "".into()],
                vec!["Na(Cl".into(), "2".into(), "1".into()],
                vec!["MgO".into(), "".into(), "5".into()],
            ],
        };
        let pp = Preprocessor::from_table(&table, "y", &[]).unwrap();
        let (x, y, kept, skipped) = pp.transform(&table, Some("y"), &Featurizer::new()).unwrap();
        assert_eq!(kept, vec![0, 5]);
        assert_eq!(y, vec![3.0, 5.0]);
        assert_eq!(x.n_rows, 2);
        assert!(x.get(1, x.n_cols - 1).is_nan());
        let lines: Vec<usize> = skipped.iter().map(|s| s.line).collect();
        assert_eq!(lines, vec![3, 4, 5, 6]);
        assert!(skipped[0].reason.contains("unknown element"));
        assert!(Preprocessor::from_table(&table, "nope", &[]).is_err());
    }
}
