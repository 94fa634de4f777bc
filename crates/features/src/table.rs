//! The feature table: unit- and scale-tagged columns, one row per material and state.

use crate::error::{FeatureError, Result};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Which scale a column belongs to (the Parquet `scale` metadata value). `composition`,
/// `atomistic`, `mesoscale`, `continuum` and `physics` are feature scales; `id` marks identifier
/// columns (material, class, formula, state label), `target` the properties models learn and
/// `uncertainty` their standard errors (same unit as the target).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scale {
    Id,
    Composition,
    Atomistic,
    Mesoscale,
    Continuum,
    Physics,
    Target,
    Uncertainty,
}

impl Scale {
    pub const ALL: [Scale; 8] = [
        Scale::Id,
        Scale::Composition,
        Scale::Atomistic,
        Scale::Mesoscale,
        Scale::Continuum,
        Scale::Physics,
        Scale::Target,
        Scale::Uncertainty,
    ];
    /// The feature scales, in token order.
    pub const FEATURES: [Scale; 5] = [Scale::Composition, Scale::Atomistic, Scale::Mesoscale, Scale::Continuum, Scale::Physics];

    pub fn as_str(self) -> &'static str {
        match self {
            Scale::Id => "id",
            Scale::Composition => "composition",
            Scale::Atomistic => "atomistic",
            Scale::Mesoscale => "mesoscale",
            Scale::Continuum => "continuum",
            Scale::Physics => "physics",
            Scale::Target => "target",
            Scale::Uncertainty => "uncertainty",
        }
    }
    pub fn parse(s: &str) -> Result<Scale> {
        Scale::ALL.into_iter().find(|x| x.as_str() == s.trim().to_ascii_lowercase()).ok_or_else(|| {
            FeatureError::param(
                "scale",
                format!("{s:?}"),
                "expected composition, atomistic, mesoscale, continuum, physics, id, target or uncertainty",
            )
        })
    }
    /// Whether columns of this scale are model inputs.
    pub fn is_feature(self) -> bool {
        Scale::FEATURES.contains(&self)
    }
}

impl std::fmt::Display for Scale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One named, unit-tagged value (what every producer returns).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Feature {
    pub name: String,
    pub value: f64,
    /// Unit string (`"1"` for dimensionless); never empty.
    pub unit: String,
    pub scale: Scale,
}

impl Feature {
    pub fn new(name: impl Into<String>, value: f64, unit: impl Into<String>, scale: Scale) -> Self {
        Feature { name: name.into(), value, unit: unit.into(), scale }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ColumnData {
    Float(Vec<f64>),
    Text(Vec<String>),
}

impl ColumnData {
    pub fn len(&self) -> usize {
        match self {
            ColumnData::Float(v) => v.len(),
            ColumnData::Text(v) => v.len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    pub unit: String,
    pub scale: Scale,
    pub data: ColumnData,
}

impl Column {
    pub fn float(name: impl Into<String>, unit: impl Into<String>, scale: Scale, v: Vec<f64>) -> Self {
        Column { name: name.into(), unit: unit.into(), scale, data: ColumnData::Float(v) }
    }
    pub fn text(name: impl Into<String>, scale: Scale, v: Vec<String>) -> Self {
        Column { name: name.into(), unit: "1".into(), scale, data: ColumnData::Text(v) }
    }
    pub fn floats(&self) -> Option<&[f64]> {
        match &self.data {
            ColumnData::Float(v) => Some(v),
            ColumnData::Text(_) => None,
        }
    }
}

/// Columns of equal length; names unique; every column has a unit.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FeatureTable {
    pub columns: Vec<Column>,
}

/// The identifier columns every table built by [`TableBuilder`] starts with.
pub const MATERIAL: &str = "material";
pub const CLASS: &str = "class";

impl FeatureTable {
    pub fn n_rows(&self) -> usize {
        self.columns.first().map_or(0, |c| c.data.len())
    }
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }
    /// The float values of a column, or an error naming the column.
    pub fn floats(&self, name: &str) -> Result<&[f64]> {
        let c = self.column(name).ok_or_else(|| {
            let names: Vec<&str> = self.columns.iter().map(|c| c.name.as_str()).collect();
            FeatureError::param("column", format!("{name:?}"), &format!("no such column; columns are {names:?}"))
        })?;
        c.floats().ok_or_else(|| FeatureError::param("column", format!("{name:?}"), "is a text column, not numeric"))
    }
    /// The text values of a column, if it exists and is text.
    pub fn texts(&self, name: &str) -> Option<&[String]> {
        match &self.column(name)?.data {
            ColumnData::Text(v) => Some(v),
            ColumnData::Float(_) => None,
        }
    }
    /// Append a column (unique name, a unit, the table's row count).
    pub fn push(&mut self, col: Column) -> Result<()> {
        check_unit(&col.name, &col.unit)?;
        if self.column(&col.name).is_some() {
            return Err(FeatureError::param("column", format!("{:?}", col.name), "appears twice"));
        }
        if !self.columns.is_empty() && col.data.len() != self.n_rows() {
            return Err(FeatureError::ShapeMismatch {
                what: format!("column {:?}", col.name),
                expected: format!("{} rows", self.n_rows()),
                got: col.data.len().to_string(),
            });
        }
        self.columns.push(col);
        Ok(())
    }
    /// Check the invariants (after reading a file or building by hand).
    pub fn validate(&self) -> Result<()> {
        let n = self.n_rows();
        let mut names = std::collections::HashSet::new();
        for c in &self.columns {
            check_unit(&c.name, &c.unit)?;
            if !names.insert(c.name.as_str()) {
                return Err(FeatureError::param("column", format!("{:?}", c.name), "appears twice"));
            }
            if c.data.len() != n {
                return Err(FeatureError::ShapeMismatch { what: format!("column {:?}", c.name), expected: format!("{n} rows"), got: c.data.len().to_string() });
            }
        }
        Ok(())
    }
    /// Numeric feature columns (scale composition..physics), optionally only of `scales`.
    pub fn feature_columns(&self, scales: Option<&[Scale]>) -> Vec<&Column> {
        self.columns
            .iter()
            .filter(|c| c.scale.is_feature() && c.floats().is_some() && scales.map_or(true, |s| s.contains(&c.scale)))
            .collect()
    }
    /// A new table with only the given rows (in that order).
    pub fn select_rows(&self, rows: &[usize]) -> Result<FeatureTable> {
        let n = self.n_rows();
        if let Some(&bad) = rows.iter().find(|&&i| i >= n) {
            return Err(FeatureError::param("row", bad, &format!("out of range (table has {n} rows)")));
        }
        let columns = self
            .columns
            .iter()
            .map(|c| Column {
                data: match &c.data {
                    ColumnData::Float(v) => ColumnData::Float(rows.iter().map(|&i| v[i]).collect()),
                    ColumnData::Text(v) => ColumnData::Text(rows.iter().map(|&i| v[i].clone()).collect()),
                },
                ..c.clone()
            })
            .collect();
        Ok(FeatureTable { columns })
    }
}

pub(crate) fn check_unit(name: &str, unit: &str) -> Result<()> {
    if unit.trim().is_empty() {
        return Err(FeatureError::MissingUnit { column: name.to_string() });
    }
    Ok(())
}

/// One material in one state: identifiers and its features (targets and their standard errors
/// are features of scale `target` / `uncertainty`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Row {
    pub material: String,
    pub class: String,
    /// Further identifier columns (e.g. `formula`, `state`), text.
    pub ids: Vec<(String, String)>,
    pub features: Vec<Feature>,
}

/// Aligns rows whose feature lists differ into one table: the union of the columns (first-seen
/// order), NaN where a row lacks a value. A name must keep its unit and scale in every row.
#[derive(Debug, Clone, Default)]
pub struct TableBuilder {
    pub rows: Vec<Row>,
}

impl TableBuilder {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn push(&mut self, row: Row) {
        self.rows.push(row);
    }
    pub fn build(&self) -> Result<FeatureTable> {
        let n = self.rows.len();
        let mut id_names: Vec<String> = Vec::new();
        let mut feat: Vec<(String, String, Scale, String)> = Vec::new(); // name, unit, scale, first material
        let mut index: HashMap<String, usize> = HashMap::new();
        for r in &self.rows {
            let mut seen = std::collections::HashSet::new();
            for (k, _) in &r.ids {
                if k == MATERIAL || k == CLASS || !seen.insert(k.clone()) {
                    return Err(FeatureError::param("id column", format!("{k:?}"), &format!("given twice for material {:?}", r.material)));
                }
                if !id_names.contains(k) {
                    id_names.push(k.clone());
                }
            }
            for f in &r.features {
                check_unit(&f.name, &f.unit)?;
                if !seen.insert(f.name.clone()) || f.name == MATERIAL || f.name == CLASS {
                    return Err(FeatureError::param("feature", format!("{:?}", f.name), &format!("given twice for material {:?}", r.material)));
                }
                match index.get(&f.name) {
                    Some(&i) => {
                        let (_, unit, scale, first) = &feat[i];
                        if unit != &f.unit {
                            return Err(FeatureError::UnitMismatch {
                                group: format!("column {}", f.name),
                                column: format!("{} (material {:?})", f.name, r.material),
                                unit: f.unit.clone(),
                                other_column: format!("{} (material {first:?})", f.name),
                                other_unit: unit.clone(),
                            });
                        }
                        if *scale != f.scale {
                            return Err(FeatureError::param(
                                "scale",
                                format!("{} of {:?}", f.scale, f.name),
                                &format!("material {:?} gives it, but material {first:?} gave scale {scale}", r.material),
                            ));
                        }
                    }
                    None => {
                        index.insert(f.name.clone(), feat.len());
                        feat.push((f.name.clone(), f.unit.clone(), f.scale, r.material.clone()));
                    }
                }
            }
        }
        let mut t = FeatureTable::default();
        t.push(Column::text(MATERIAL, Scale::Id, self.rows.iter().map(|r| r.material.clone()).collect()))?;
        t.push(Column::text(CLASS, Scale::Id, self.rows.iter().map(|r| r.class.clone()).collect()))?;
        for k in &id_names {
            let v = self.rows.iter().map(|r| r.ids.iter().find(|(a, _)| a == k).map(|x| x.1.clone()).unwrap_or_default()).collect();
            t.push(Column::text(k.clone(), Scale::Id, v))?;
        }
        let mut data = vec![vec![f64::NAN; n]; feat.len()];
        for (i, r) in self.rows.iter().enumerate() {
            for f in &r.features {
                if let Some(&j) = index.get(&f.name) {
                    data[j][i] = f.value;
                }
            }
        }
        for ((name, unit, scale, _), v) in feat.into_iter().zip(data) {
            t.push(Column::float(name, unit, scale, v))?;
        }
        Ok(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_aligns_and_checks_units() {
        let mut b = TableBuilder::new();
        b.push(Row {
            material: "Cu".into(),
            class: "metal".into(),
            ids: vec![("formula".into(), "Cu".into())],
            features: vec![Feature::new("E_coh", -3.54, "eV", Scale::Atomistic), Feature::new("E_GPa", 130.0, "GPa", Scale::Target)],
        });
        b.push(Row { material: "Ni".into(), class: "metal".into(), ids: vec![], features: vec![Feature::new("E_GPa", 200.0, "GPa", Scale::Target)] });
        let t = b.build().unwrap();
        assert_eq!(t.n_rows(), 2);
        assert_eq!(t.texts("formula").unwrap(), ["Cu".to_string(), String::new()]);
        let e = t.floats("E_coh").unwrap();
        assert_eq!(e[0], -3.54);
        assert!(e[1].is_nan());
        assert_eq!(t.feature_columns(None).len(), 1);
        b.push(Row { material: "Al".into(), class: "metal".into(), ids: vec![], features: vec![Feature::new("E_coh", 70.0, "GPa", Scale::Atomistic)] });
        let msg = b.build().unwrap_err().to_string();
        assert!(msg.contains("GPa") && msg.contains("eV") && msg.contains("Al") && msg.contains("Cu"), "{msg}");
        let mut b = TableBuilder::new();
        b.push(Row { material: "X".into(), class: "metal".into(), ids: vec![], features: vec![Feature::new("a", 1.0, "", Scale::Atomistic)] });
        assert!(matches!(b.build(), Err(FeatureError::MissingUnit { .. })));
    }

    #[test]
    fn scale_names_round_trip() {
        for s in Scale::ALL {
            assert_eq!(Scale::parse(s.as_str()).unwrap(), s);
        }
        assert!(Scale::parse("quantum").is_err());
    }
}
