//! The ML crate's side of the scale- and unit-tagged feature table (`scalebridge-features`):
//! the composition producer (the Magpie-style featuriser with a unit on every column) and the
//! conversion of a feature table into the string [`Table`] that [`crate::data::Preprocessor`]
//! turns into a feature matrix (so training from Parquet and from CSV share one path).

use crate::data::Table;
use crate::elements::ElementTable;
use crate::error::{MlError, Result};
use crate::featurize::{Featurizer, STATS};
use scalebridge_features::{ColumnData, Feature, FeatureTable, Scale};

/// Unit of a Magpie elemental property (as shipped in `data/elements.csv`, from matminer's
/// Magpie tables); `"1"` for counts, indices and flags.
pub fn property_unit(property: &str) -> &'static str {
    match property {
        "AtomicWeight" => "amu",
        "MeltingT" => "K",
        "CovalentRadius" => "pm",
        "GSvolume_pa" | "AtomicVolume" | "Polarizability" => "Å^3",
        "GSbandgap" | "FirstIonizationEnergy" => "eV",
        "GSenergy_pa" => "eV/atom",
        "GSmagmom" => "mu_B",
        "BulkModulus" | "ShearModulus" => "GPa",
        "LogThermalConductivity" => "log10(W/(m*K))",
        "Density" => "kg/m^3",
        "ElectronAffinity" => "kJ/mol",
        "HeatCapacityMolar" => "J/(mol*K)",
        _ => "1",
    }
}

/// Units of [`Featurizer::feature_names`], in the same order: the stoichiometry columns are
/// dimensionless and every statistic keeps its property's unit.
pub fn composition_units() -> Vec<&'static str> {
    let t = ElementTable::get();
    let mut u = vec!["1"; 6];
    for p in &t.properties {
        u.extend(STATS.iter().map(|_| property_unit(p)));
    }
    u
}

/// Composition columns of one formula, scale `composition`, named as the featuriser names them.
pub fn composition_columns(featurizer: &Featurizer, formula: &str) -> Result<Vec<Feature>> {
    let v = featurizer.featurize(formula)?;
    Ok(Featurizer::feature_names()
        .into_iter()
        .zip(composition_units())
        .zip(v.iter())
        .map(|((n, u), x)| Feature::new(n, *x, u, Scale::Composition))
        .collect())
}

/// Which columns of a feature table become model inputs and targets.
#[derive(Debug, Clone)]
pub struct Selection {
    /// Input columns with their scales, in table order.
    pub features: Vec<(String, Scale)>,
    pub targets: Vec<String>,
}

/// Select the numeric feature columns (scales composition..physics, only `scales` when given,
/// minus `exclude`) and the `targets` (any numeric column; usually scale `target`). Identifier,
/// other target and uncertainty columns are never inputs.
pub fn select(table: &FeatureTable, targets: &[String], scales: Option<&[Scale]>, exclude: &[String]) -> Result<Selection> {
    for t in targets {
        table.floats(t).map_err(|e| MlError::param("target", t, &e.to_string()))?;
    }
    let features: Vec<(String, Scale)> = table
        .feature_columns(scales)
        .into_iter()
        .filter(|c| !targets.contains(&c.name) && !exclude.contains(&c.name))
        .map(|c| (c.name.clone(), c.scale))
        .collect();
    if features.is_empty() {
        return Err(MlError::param(
            "scales",
            format!("{scales:?}"),
            "select no numeric feature columns (scales composition, atomistic, mesoscale, continuum, physics)",
        ));
    }
    Ok(Selection { features, targets: targets.to_vec() })
}

/// The selected columns as a string [`Table`] (features first, then targets; floats printed
/// with Rust's shortest round-trip form, NaN as `NaN`), for [`crate::data::Preprocessor`].
pub fn to_table(table: &FeatureTable, sel: &Selection, path: &str) -> Result<Table> {
    let names: Vec<String> = sel.features.iter().map(|f| f.0.clone()).chain(sel.targets.iter().cloned()).collect();
    let cols: Vec<&[f64]> = names
        .iter()
        .map(|n| table.floats(n).map_err(|e| MlError::param("column", n, &e.to_string())))
        .collect::<Result<_>>()?;
    let rows = (0..table.n_rows()).map(|i| cols.iter().map(|c| format!("{}", c[i])).collect()).collect();
    Ok(Table { path: path.to_string(), columns: names, rows })
}

/// Every column of a feature table as a string [`Table`] (for prediction: the preprocessor
/// picks its columns by name; text columns are carried through).
pub fn to_table_all(table: &FeatureTable, path: &str) -> Table {
    let columns = table.columns.iter().map(|c| c.name.clone()).collect();
    let rows = (0..table.n_rows())
        .map(|i| {
            table
                .columns
                .iter()
                .map(|c| match &c.data {
                    ColumnData::Float(v) => format!("{}", v[i]),
                    ColumnData::Text(v) => v[i].clone(),
                })
                .collect()
        })
        .collect();
    Table { path: path.to_string(), columns, rows }
}

/// The text of an identifier column (e.g. `class`), if the table has it.
pub fn labels(table: &FeatureTable, name: &str) -> Option<Vec<String>> {
    table.column(name).and_then(|c| match &c.data {
        ColumnData::Text(v) => Some(v.clone()),
        ColumnData::Float(v) => Some(v.iter().map(|x| format!("{x}")).collect()),
    })
}

/// How the columns of a CSV file become a feature table ([`rows_from_csv`]).
#[derive(Debug, Clone, Default)]
pub struct CsvSpec {
    /// Target columns with their units.
    pub targets: Vec<(String, String)>,
    /// Further numeric feature columns with scale and unit.
    pub columns: Vec<(String, Scale, String)>,
    /// Column holding the material class; default: the chemical class of the formula.
    pub class_column: Option<String>,
    /// Columns left out.
    pub exclude: Vec<String>,
}

/// Rows of a feature table from a CSV file with a `formula` column: its composition columns,
/// the declared feature and target columns, `material` (the `material` column if present,
/// else the formula), `class` and `formula`. Every other column must be declared or excluded
/// (a column without a unit is an error naming it). Rows with an unreadable formula or a
/// non-numeric declared cell are skipped and reported (1-based CSV line).
pub fn rows_from_csv(table: &Table, spec: &CsvSpec, featurizer: &Featurizer) -> Result<(Vec<scalebridge_features::Row>, Vec<crate::Skipped>)> {
    let col = |n: &str| {
        table.column(n).ok_or_else(|| MlError::param("column", n, &format!("missing from {} (columns: {:?})", table.path, table.columns)))
    };
    let fcol = col("formula")?;
    let mcol = table.column("material");
    let ccol = spec.class_column.as_deref().map(col).transpose()?;
    let declared: Vec<(usize, String, Scale, String)> = spec
        .columns
        .iter()
        .map(|(n, s, u)| (n.clone(), *s, u.clone()))
        .chain(spec.targets.iter().map(|(n, u)| (n.clone(), Scale::Target, u.clone())))
        .map(|(n, s, u)| {
            if u.trim().is_empty() {
                return Err(MlError::param("unit", format!("{n}="), "is empty (use 1 for a dimensionless column)"));
            }
            Ok((col(&n)?, n, s, u))
        })
        .collect::<Result<_>>()?;
    for (i, c) in table.columns.iter().enumerate() {
        let known = i == fcol || Some(i) == mcol || Some(i) == ccol || spec.exclude.contains(c) || declared.iter().any(|d| d.0 == i);
        if !known {
            return Err(MlError::param(
                "column",
                format!("{c:?}"),
                "has no unit or scale: declare it (--column NAME=SCALE:UNIT or --target NAME=UNIT) or leave it out (--exclude NAME)",
            ));
        }
    }
    let (mut rows, mut skipped) = (Vec::new(), Vec::new());
    'rows: for (i, r) in table.rows.iter().enumerate() {
        let line = i + 2;
        let formula = r.get(fcol).cloned().unwrap_or_default();
        let mut features = match composition_columns(featurizer, &formula) {
            Ok(v) => v,
            Err(e) => {
                skipped.push(crate::Skipped { line, reason: e.to_string() });
                continue;
            }
        };
        for (c, n, s, u) in &declared {
            let cell = r.get(*c).map_or("", String::as_str).trim();
            let v = if cell.is_empty() || cell.eq_ignore_ascii_case("nan") { Ok(f64::NAN) } else { cell.parse::<f64>() };
            match v {
                Ok(v) if !v.is_infinite() => features.push(Feature::new(n.clone(), v, u.clone(), *s)),
                _ => {
                    skipped.push(crate::Skipped { line, reason: format!("column {n:?}: {cell:?} is not a finite number") });
                    continue 'rows;
                }
            }
        }
        let class = match ccol {
            Some(c) => r.get(c).cloned().unwrap_or_default(),
            None => crate::formula::parse_formula(&formula).map(|c| c.class().to_string()).unwrap_or_default(),
        };
        let material = mcol.and_then(|c| r.get(c).cloned()).unwrap_or_else(|| formula.clone());
        rows.push(scalebridge_features::Row { material, class, ids: vec![("formula".into(), formula)], features });
    }
    Ok((rows, skipped))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Preprocessor;
    use scalebridge_features::{Row, TableBuilder};

    #[test]
    fn composition_columns_carry_units() {
        let f = Featurizer::new();
        let v = composition_columns(&f, "Fe2O3").unwrap();
        assert_eq!(v.len(), Featurizer::n_features());
        let get = |n: &str| v.iter().find(|c| c.name == n).unwrap();
        assert_eq!(get("mean_MeltingT").unit, "K");
        assert_eq!(get("range_BulkModulus").unit, "GPa");
        assert_eq!(get("norm_2").unit, "1");
        assert_eq!(get("mean_Number").unit, "1");
        assert!((get("mean_Number").value - (0.4 * 26.0 + 0.6 * 8.0)).abs() < 1e-12);
        assert!(v.iter().all(|c| c.scale == Scale::Composition && !c.unit.is_empty()));
        assert!(composition_columns(&f, "Xq2").is_err());
    }

    #[test]
    fn table_selection_by_scale_metadata() {
        let mut b = TableBuilder::new();
        for (m, e, y) in [("a", -3.0, 100.0), ("b", -4.0, f64::NAN), ("c", -5.0, 300.0)] {
            b.push(Row {
                material: m.into(),
                class: "metal".into(),
                ids: vec![],
                features: vec![
                    // the name says nothing of the scale: only the metadata counts
                    Feature::new("x_weird_name", e, "eV", Scale::Atomistic),
                    Feature::new("T_over_Tm", 0.2, "1", Scale::Physics),
                    Feature::new("E_GPa", y, "GPa", Scale::Target),
                    Feature::new("E_GPa_stderr", 1.0, "GPa", Scale::Uncertainty),
                ],
            });
        }
        let t = b.build().unwrap();
        let sel = select(&t, &["E_GPa".into()], None, &[]).unwrap();
        assert_eq!(sel.features, vec![("x_weird_name".to_string(), Scale::Atomistic), ("T_over_Tm".to_string(), Scale::Physics)]);
        let only = select(&t, &["E_GPa".into()], Some(&[Scale::Physics]), &[]).unwrap();
        assert_eq!(only.features.len(), 1);
        assert!(select(&t, &["nope".into()], None, &[]).is_err());
        assert!(select(&t, &["E_GPa".into()], Some(&[Scale::Continuum]), &[]).is_err());
        let tab = to_table(&t, &sel, "t.parquet").unwrap();
        let pre = Preprocessor::from_table(&tab, "E_GPa", &[]).unwrap();
        let (x, y, kept, skipped) = pre.transform(&tab, Some("E_GPa"), &Featurizer::new()).unwrap();
        assert_eq!((x.n_rows, x.n_cols), (2, 2));
        assert_eq!(y, vec![100.0, 300.0]);
        assert_eq!(kept, vec![0, 2]);
        assert_eq!(skipped.len(), 1);
        assert_eq!(x.get(1, 0), -5.0);
        assert_eq!(labels(&t, "class").unwrap(), vec!["metal"; 3]);
    }

    #[test]
    fn csv_columns_need_units() {
        let table = Table {
            path: "d.csv".into(),
            columns: vec!["formula".into(), "E".into(), "a".into()],
            rows: vec![vec!["Cu".into(), "130".into(), "3.61".into()], vec!["Qq".into(), "1".into(), "1".into()], vec!["NaCl".into(), "x".into(), "5.6".into()]],
        };
        let spec = CsvSpec { targets: vec![("E".into(), "GPa".into())], ..Default::default() };
        let msg = rows_from_csv(&table, &spec, &Featurizer::new()).unwrap_err().to_string();
        assert!(msg.contains("\"a\"") && msg.contains("unit"), "{msg}");
        let spec = CsvSpec { columns: vec![("a".into(), Scale::Atomistic, "Å".into())], ..spec };
        let (rows, skipped) = rows_from_csv(&table, &spec, &Featurizer::new()).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(skipped.iter().map(|s| s.line).collect::<Vec<_>>(), vec![3, 4]);
        assert_eq!(rows[0].class, "intermetallic");
        assert_eq!(rows[0].material, "Cu");
        let a = rows[0].features.iter().find(|f| f.name == "a").unwrap();
        assert_eq!((a.value, a.unit.as_str(), a.scale), (3.61, "Å", Scale::Atomistic));
        let bad = CsvSpec { targets: vec![("E".into(), " ".into())], ..Default::default() };
        assert!(rows_from_csv(&table, &bad, &Featurizer::new()).is_err());
    }
}

#[cfg(all(test, feature = "dnn"))]
mod dnn_tests {
    use crate::data::Matrix;
    use crate::dnn::tokens::Scale as TokenScale;
    use crate::dnn::DnnParams;
    use crate::model::{kind_from_name, Model, ModelKind};
    use scalebridge_features::Scale;

    #[test]
    fn one_token_group_per_scale_from_the_metadata() {
        // names say nothing of the scale (no prefixes): only the metadata groups them
        let cols: Vec<(String, Scale)> = [("p", Scale::Atomistic), ("q", Scale::Physics), ("r", Scale::Atomistic), ("s", Scale::Composition), ("t", Scale::Continuum)]
            .iter()
            .map(|(n, s)| (n.to_string(), *s))
            .collect();
        let names: Vec<String> = cols.iter().map(|c| c.0.clone()).collect();
        let kind = kind_from_name("dnn", 0).unwrap().with_feature_names(&names).with_column_scales(&cols);
        let ModelKind::Dnn(p) = kind else { panic!("not a DNN") };
        let g = p.groups.clone().unwrap();
        let got: Vec<(String, TokenScale, Vec<String>)> = g.iter().map(|g| (g.name.clone(), g.scale, g.columns.clone())).collect();
        assert_eq!(
            got,
            vec![
                ("composition".to_string(), TokenScale::Composition, vec!["s".to_string()]),
                ("atomistic".to_string(), TokenScale::Atomistic, vec!["p".to_string(), "r".to_string()]),
                ("continuum".to_string(), TokenScale::Continuum, vec!["t".to_string()]),
                ("physics".to_string(), TokenScale::Other, vec!["q".to_string()]),
            ]
        );
        // a short fit resolves them into four tokens
        let n = 48;
        let data: Vec<f64> = (0..n * 5).map(|i| ((i * 37 % 101) as f64) / 50.0 - 1.0).collect();
        let x = Matrix::new(n, 5, data).unwrap();
        let y: Vec<f64> = (0..n).map(|i| x.get(i, 0) - 2.0 * x.get(i, 1)).collect();
        let small = DnnParams { d_model: 8, n_heads: 2, n_layers: 1, d_ff: 16, d_latent: 8, max_epochs: 3, n_members: 2, ..p };
        let Model::Dnn(m) = ModelKind::Dnn(small).fit(&x, &y).unwrap() else { panic!() };
        assert_eq!(m.layout.n_tokens(), 4);
        assert_eq!(m.layout.groups[1].columns, vec![0, 2]);
    }
}
