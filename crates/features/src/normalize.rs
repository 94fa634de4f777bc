//! Unit-group z-score normalisation, fitted on training rows only.
//!
//! A group is a set of numeric columns that share one unit; they are standardised with one
//! pooled mean and standard deviation (all finite values of all the group's columns over the
//! training rows), so ratios between columns of one unit (C11 and C12, say) survive. The default
//! grouping puts every dimensioned feature column with the same scale and unit into one group
//! (`"atomistic:eV"`) and gives every dimensionless (`"1"`) column its own group, since
//! dimensionless quantities are not commensurate with each other. A group that mixes units, or a
//! column without a unit, is an error naming both columns and their units.

use crate::error::{FeatureError, Result};
use crate::table::{check_unit, Column, ColumnData, FeatureTable};
use serde::{Deserialize, Serialize};

/// A named group of columns to be standardised together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupSpec {
    pub name: String,
    pub columns: Vec<String>,
}

/// A fitted group: its unit, columns and pooled training statistics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupStats {
    pub name: String,
    pub unit: String,
    pub columns: Vec<String>,
    /// Pooled mean of the training values, in `unit`.
    pub mean: f64,
    /// Pooled population standard deviation, in `unit` (1 when the training values are constant
    /// or absent, so the column is only shifted).
    pub std: f64,
    /// Finite training values the statistics came from.
    pub n_values: usize,
}

/// Fitted normalisation (serialisable; saved beside a model).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Normalizer {
    pub groups: Vec<GroupStats>,
    /// Training rows it was fitted on.
    pub n_train: usize,
}

/// The default groups of a table's numeric feature columns (see the module docs).
pub fn default_groups(table: &FeatureTable) -> Vec<GroupSpec> {
    let mut groups: Vec<GroupSpec> = Vec::new();
    for c in table.feature_columns(None) {
        if c.unit == "1" {
            groups.push(GroupSpec { name: c.name.clone(), columns: vec![c.name.clone()] });
            continue;
        }
        let key = format!("{}:{}", c.scale, c.unit);
        match groups.iter_mut().find(|g| g.name == key) {
            Some(g) => g.columns.push(c.name.clone()),
            None => groups.push(GroupSpec { name: key, columns: vec![c.name.clone()] }),
        }
    }
    groups
}

/// Check that every group names existing numeric columns of one unit, each column in at most
/// one group; returns each group's unit.
pub fn check_groups(table: &FeatureTable, groups: &[GroupSpec]) -> Result<Vec<String>> {
    let mut used: Vec<(&str, &str)> = Vec::new(); // column, group
    let mut units = Vec::with_capacity(groups.len());
    for g in groups {
        let mut first: Option<&Column> = None;
        if g.columns.is_empty() {
            return Err(FeatureError::param("group", format!("{:?}", g.name), "has no columns"));
        }
        for name in &g.columns {
            let c = table.column(name).ok_or_else(|| {
                FeatureError::param("column", format!("{name:?}"), &format!("named in group {:?} but not in the table", g.name))
            })?;
            check_unit(&c.name, &c.unit)?;
            if c.floats().is_none() {
                return Err(FeatureError::param("column", format!("{name:?}"), &format!("in group {:?} is text, not numeric", g.name)));
            }
            if let Some((_, other)) = used.iter().find(|(n, _)| *n == name.as_str()) {
                return Err(FeatureError::param("column", format!("{name:?}"), &format!("is in groups {other:?} and {:?}", g.name)));
            }
            used.push((name.as_str(), g.name.as_str()));
            match first {
                None => first = Some(c),
                Some(f) if f.unit != c.unit => {
                    return Err(FeatureError::UnitMismatch {
                        group: g.name.clone(),
                        column: c.name.clone(),
                        unit: c.unit.clone(),
                        other_column: f.name.clone(),
                        other_unit: f.unit.clone(),
                    })
                }
                Some(_) => {}
            }
        }
        units.push(first.map(|c| c.unit.clone()).unwrap_or_default());
    }
    Ok(units)
}

impl Normalizer {
    /// Fit on `train_rows` of `table` only (the other rows never enter the statistics).
    pub fn fit(table: &FeatureTable, groups: &[GroupSpec], train_rows: &[usize]) -> Result<Normalizer> {
        let units = check_groups(table, groups)?;
        let n = table.n_rows();
        if let Some(&bad) = train_rows.iter().find(|&&i| i >= n) {
            return Err(FeatureError::param("training row", bad, &format!("out of range (table has {n} rows)")));
        }
        let mut out = Vec::with_capacity(groups.len());
        for (g, unit) in groups.iter().zip(units) {
            let mut vals = Vec::new();
            for name in &g.columns {
                let v = table.floats(name)?;
                vals.extend(train_rows.iter().map(|&i| v[i]).filter(|x| x.is_finite()));
            }
            let m = vals.len();
            let (mean, std) = if m == 0 {
                (0.0, 1.0)
            } else {
                let mean = vals.iter().sum::<f64>() / m as f64;
                let var = vals.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / m as f64;
                let sd = var.sqrt();
                (mean, if sd > 1e-300 * mean.abs().max(1.0) && sd.is_finite() { sd } else { 1.0 })
            };
            out.push(GroupStats { name: g.name.clone(), unit, columns: g.columns.clone(), mean, std, n_values: m });
        }
        Ok(Normalizer { groups: out, n_train: train_rows.len() })
    }

    /// Fit with the default groups.
    pub fn fit_default(table: &FeatureTable, train_rows: &[usize]) -> Result<Normalizer> {
        Self::fit(table, &default_groups(table), train_rows)
    }

    /// The table with every fitted column standardised, z = (x − mean) / std, and its unit set
    /// to `"1"` (other columns unchanged). A column whose unit differs from the fitted group's is
    /// an error naming both.
    pub fn transform(&self, table: &FeatureTable) -> Result<FeatureTable> {
        let mut t = table.clone();
        for g in &self.groups {
            for name in &g.columns {
                let i = t.column_index(name).ok_or_else(|| {
                    FeatureError::param("column", format!("{name:?}"), &format!("of normalisation group {:?} is missing from the table", g.name))
                })?;
                let c = &mut t.columns[i];
                if c.unit != g.unit {
                    return Err(FeatureError::UnitMismatch {
                        group: g.name.clone(),
                        column: c.name.clone(),
                        unit: c.unit.clone(),
                        other_column: format!("the fitted group (columns {:?})", g.columns),
                        other_unit: g.unit.clone(),
                    });
                }
                match &mut c.data {
                    ColumnData::Float(v) => v.iter_mut().for_each(|x| *x = (*x - g.mean) / g.std),
                    ColumnData::Text(_) => {
                        return Err(FeatureError::param("column", format!("{name:?}"), "is text, not numeric"));
                    }
                }
                c.unit = "1".into();
            }
        }
        Ok(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::Scale;

    fn table(test_value: f64) -> FeatureTable {
        let mut t = FeatureTable::default();
        t.push(Column::text("material", Scale::Id, vec!["a".into(), "b".into(), "c".into(), "test".into()])).unwrap();
        t.push(Column::float("C11", "GPa", Scale::Atomistic, vec![1.0, 2.0, 3.0, test_value])).unwrap();
        t.push(Column::float("C12", "GPa", Scale::Atomistic, vec![5.0, 6.0, 7.0, test_value])).unwrap();
        t.push(Column::float("E_coh", "eV", Scale::Atomistic, vec![-3.0, -4.0, -5.0, test_value])).unwrap();
        t.push(Column::float("pugh", "1", Scale::Physics, vec![0.3, 0.4, f64::NAN, test_value])).unwrap();
        t
    }

    #[test]
    fn pooled_statistics_by_hand() {
        let t = table(0.0);
        let groups = default_groups(&t);
        let names: Vec<&str> = groups.iter().map(|g| g.name.as_str()).collect();
        assert_eq!(names, ["atomistic:GPa", "atomistic:eV", "pugh"]);
        let nz = Normalizer::fit(&t, &groups, &[0, 1, 2]).unwrap();
        // GPa group pools {1,2,3,5,6,7}: mean 4, population variance (9+4+1+1+4+9)/6 = 14/3
        let g = &nz.groups[0];
        assert!((g.mean - 4.0).abs() < 1e-12 && (g.std - (14.0f64 / 3.0).sqrt()).abs() < 1e-12);
        assert_eq!(g.n_values, 6);
        // NaN is ignored: pugh from {0.3, 0.4}
        assert!((nz.groups[2].mean - 0.35).abs() < 1e-12 && (nz.groups[2].std - 0.05).abs() < 1e-12);
        let z = nz.transform(&t).unwrap();
        assert!((z.floats("C11").unwrap()[0] - (1.0 - 4.0) / g.std).abs() < 1e-12);
        assert_eq!(z.column("C11").unwrap().unit, "1");
        assert!(z.floats("pugh").unwrap()[2].is_nan());
        // serialisable
        let s = serde_json::to_string(&nz).unwrap();
        assert_eq!(serde_json::from_str::<Normalizer>(&s).unwrap(), nz);
    }

    #[test]
    fn test_rows_do_not_leak_into_the_fit() {
        // the held-out row (index 3) takes wildly different values: the fitted statistics and the
        // transformed training rows must not change
        let a = Normalizer::fit_default(&table(0.0), &[0, 1, 2]).unwrap();
        let b = Normalizer::fit_default(&table(1e9), &[0, 1, 2]).unwrap();
        assert_eq!(a, b);
        let za = a.transform(&table(0.0)).unwrap().select_rows(&[0, 1, 2]).unwrap();
        let zb = b.transform(&table(1e9)).unwrap().select_rows(&[0, 1, 2]).unwrap();
        assert_eq!(format!("{za:?}"), format!("{zb:?}")); // NaN-aware
        // whereas fitting on all rows does see it
        let c = Normalizer::fit_default(&table(1e9), &[0, 1, 2, 3]).unwrap();
        assert_ne!(a, c);
        assert_eq!(a.n_train, 3);
    }

    #[test]
    fn unit_mixing_is_an_error_naming_both() {
        let t = table(0.0);
        let g = [GroupSpec { name: "stiffness".into(), columns: vec!["C11".into(), "E_coh".into()] }];
        let msg = Normalizer::fit(&t, &g, &[0, 1]).unwrap_err().to_string();
        assert!(msg.contains("C11") && msg.contains("E_coh") && msg.contains("eV") && msg.contains("GPa") && msg.contains("stiffness"), "{msg}");
        // transform of a table whose column changed unit since the fit
        let nz = Normalizer::fit_default(&t, &[0, 1, 2]).unwrap();
        let mut t2 = t.clone();
        t2.columns[1].unit = "eV".into();
        let msg = nz.transform(&t2).unwrap_err().to_string();
        assert!(msg.contains("C11") && msg.contains("eV") && msg.contains("GPa"), "{msg}");
        // a column without a unit
        let mut t3 = t.clone();
        t3.columns[3].unit = String::new();
        let g = [GroupSpec { name: "e".into(), columns: vec!["E_coh".into()] }];
        assert!(matches!(Normalizer::fit(&t3, &g, &[0]), Err(FeatureError::MissingUnit { .. })));
        // a column in two groups, an unknown column
        let g2 = [GroupSpec { name: "a".into(), columns: vec!["C11".into()] }, GroupSpec { name: "b".into(), columns: vec!["C11".into()] }];
        assert!(Normalizer::fit(&t, &g2, &[0]).is_err());
        let g3 = [GroupSpec { name: "a".into(), columns: vec!["nope".into()] }];
        assert!(Normalizer::fit(&t, &g3, &[0]).is_err());
        assert!(Normalizer::fit(&t, &default_groups(&t), &[7]).is_err());
    }
}
