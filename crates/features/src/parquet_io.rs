//! Parquet files of a [`FeatureTable`]. Every field carries the metadata keys `scale` and `unit`
//! (exactly these names; `"1"` for dimensionless; identifier columns have scale `id` and unit
//! `"1"`). Numeric columns are Float64 (NaN for a missing value; nulls read back as NaN), text
//! columns Utf8. The file-level metadata key `scalebridge_version` records the writer's version.
//! Files are written uncompressed to a temporary file beside the target and renamed over it, so
//! a reader never sees a half-written table.

use crate::error::{FeatureError, Result};
use crate::table::{Column, ColumnData, FeatureTable, Scale};
use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, Float64Type, Int32Type, Int64Type};
use arrow_array::{Array, ArrayRef, Float64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub const SCALE_KEY: &str = "scale";
pub const UNIT_KEY: &str = "unit";

fn tmp_path(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "table".into());
    path.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}

/// Write `table` to `path` (atomically: temporary file + rename).
pub fn write_parquet(table: &FeatureTable, path: &Path) -> Result<()> {
    table.validate()?;
    let mut fields = Vec::with_capacity(table.columns.len());
    let mut arrays: Vec<ArrayRef> = Vec::with_capacity(table.columns.len());
    for c in &table.columns {
        let md = HashMap::from([(SCALE_KEY.to_string(), c.scale.as_str().to_string()), (UNIT_KEY.to_string(), c.unit.clone())]);
        let (dt, arr): (DataType, ArrayRef) = match &c.data {
            ColumnData::Float(v) => (DataType::Float64, Arc::new(Float64Array::from(v.clone()))),
            ColumnData::Text(v) => (DataType::Utf8, Arc::new(StringArray::from(v.clone()))),
        };
        fields.push(Field::new(c.name.clone(), dt, false).with_metadata(md));
        arrays.push(arr);
    }
    let schema = Arc::new(Schema::new(fields).with_metadata(HashMap::from([(
        "scalebridge_version".to_string(),
        env!("CARGO_PKG_VERSION").to_string(),
    )])));
    let batch = if arrays.is_empty() {
        RecordBatch::new_empty(schema.clone())
    } else {
        RecordBatch::try_new(schema.clone(), arrays).map_err(|e| FeatureError::format(path, e))?
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| FeatureError::io(dir, e))?;
    }
    let tmp = tmp_path(path);
    let result = (|| {
        let file = std::fs::File::create(&tmp).map_err(|e| FeatureError::io(&tmp, e))?;
        let mut w = ArrowWriter::try_new(file, schema, None).map_err(|e| FeatureError::format(path, e))?;
        w.write(&batch).map_err(|e| FeatureError::format(path, e))?;
        let mut file = w.into_inner().map_err(|e| FeatureError::format(path, e))?;
        file.flush().map_err(|e| FeatureError::io(&tmp, e))?;
        file.sync_all().map_err(|e| FeatureError::io(&tmp, e))?;
        std::fs::rename(&tmp, path).map_err(|e| FeatureError::io(path, e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Read a table written by [`write_parquet`] (or any Parquet file whose fields carry `scale` and
/// `unit` metadata). A field without them, or of another type than float/integer/string, is an
/// error naming the column.
pub fn read_parquet(path: &Path) -> Result<FeatureTable> {
    let file = std::fs::File::open(path).map_err(|e| FeatureError::io(path, e))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| FeatureError::format(path, e))?;
    let schema = builder.schema().clone();
    let reader = builder.build().map_err(|e| FeatureError::format(path, e))?;
    let mut columns = Vec::with_capacity(schema.fields().len());
    for f in schema.fields() {
        let md = f.metadata();
        let get = |k: &str| {
            md.get(k).cloned().ok_or_else(|| {
                FeatureError::format(path, format!("column {:?} has no `{k}` field metadata (every column needs `scale` and `unit`)", f.name()))
            })
        };
        let scale = Scale::parse(&get(SCALE_KEY)?).map_err(|e| FeatureError::format(path, format!("column {:?}: {e}", f.name())))?;
        let unit = get(UNIT_KEY)?;
        if unit.trim().is_empty() {
            return Err(FeatureError::MissingUnit { column: f.name().clone() });
        }
        let data = match f.data_type() {
            DataType::Float64 | DataType::Float32 | DataType::Int64 | DataType::Int32 => ColumnData::Float(Vec::new()),
            DataType::Utf8 | DataType::LargeUtf8 => ColumnData::Text(Vec::new()),
            other => return Err(FeatureError::format(path, format!("column {:?} has unsupported type {other}", f.name()))),
        };
        columns.push(Column { name: f.name().clone(), unit, scale, data });
    }
    for batch in reader {
        let batch = batch.map_err(|e| FeatureError::format(path, e))?;
        for (c, a) in columns.iter_mut().zip(batch.columns()) {
            append(&mut c.data, a.as_ref());
        }
    }
    let t = FeatureTable { columns };
    t.validate().map_err(|e| FeatureError::format(path, e))?;
    Ok(t)
}

fn append(data: &mut ColumnData, a: &dyn Array) {
    let valid = |i: usize| a.is_valid(i);
    match data {
        ColumnData::Float(v) => match a.data_type() {
            DataType::Float64 => {
                let p = a.as_primitive::<Float64Type>();
                v.extend((0..a.len()).map(|i| if valid(i) { p.value(i) } else { f64::NAN }));
            }
            DataType::Float32 => {
                let p = a.as_primitive::<Float32Type>();
                v.extend((0..a.len()).map(|i| if valid(i) { f64::from(p.value(i)) } else { f64::NAN }));
            }
            DataType::Int64 => {
                let p = a.as_primitive::<Int64Type>();
                v.extend((0..a.len()).map(|i| if valid(i) { p.value(i) as f64 } else { f64::NAN }));
            }
            _ => {
                let p = a.as_primitive::<Int32Type>();
                v.extend((0..a.len()).map(|i| if valid(i) { f64::from(p.value(i)) } else { f64::NAN }));
            }
        },
        ColumnData::Text(v) => match a.data_type() {
            DataType::LargeUtf8 => {
                let s = a.as_string::<i64>();
                v.extend((0..a.len()).map(|i| if valid(i) { s.value(i).to_string() } else { String::new() }));
            }
            _ => {
                let s = a.as_string::<i32>();
                v.extend((0..a.len()).map(|i| if valid(i) { s.value(i).to_string() } else { String::new() }));
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::{Feature, Row, TableBuilder};

    fn sample() -> FeatureTable {
        let mut b = TableBuilder::new();
        b.push(Row {
            material: "Cu".into(),
            class: "metal".into(),
            ids: vec![("formula".into(), "Cu".into())],
            features: vec![
                Feature::new("mean_Number", 29.0, "1", Scale::Composition),
                Feature::new("E_coh", -3.54, "eV/atom", Scale::Atomistic),
                Feature::new("zener_A", 3.2, "1", Scale::Physics),
                Feature::new("E_GPa", 130.0, "GPa", Scale::Target),
            ],
        });
        b.push(Row {
            material: "Ni".into(),
            class: "metal".into(),
            ids: vec![("formula".into(), "Ni".into())],
            features: vec![Feature::new("E_coh", -4.45, "eV/atom", Scale::Atomistic), Feature::new("E_GPa", 200.0, "GPa", Scale::Target)],
        });
        b.build().unwrap()
    }

    #[test]
    fn round_trip_keeps_values_and_metadata() {
        let dir = std::env::temp_dir().join(format!("sb-features-rt-{}", std::process::id()));
        let p = dir.join("t.parquet");
        let t = sample();
        write_parquet(&t, &p).unwrap();
        // no temporary file left behind
        let left: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left.len(), 1, "{left:?}");
        let r = read_parquet(&p).unwrap();
        assert_eq!(r.columns.len(), t.columns.len());
        for (a, b) in t.columns.iter().zip(&r.columns) {
            assert_eq!((&a.name, &a.unit, a.scale), (&b.name, &b.unit, b.scale));
            match (&a.data, &b.data) {
                (ColumnData::Float(x), ColumnData::Float(y)) => {
                    assert!(x.iter().zip(y).all(|(p, q)| p.to_bits() == q.to_bits()), "{x:?} {y:?}")
                }
                (x, y) => assert_eq!(x, y),
            }
        }
        // the raw Arrow schema has exactly the keys `scale` and `unit` on every field
        let f = std::fs::File::open(&p).unwrap();
        let schema = ParquetRecordBatchReaderBuilder::try_new(f).unwrap().schema().clone();
        for field in schema.fields() {
            let mut keys: Vec<&String> = field.metadata().keys().collect();
            keys.sort();
            assert_eq!(keys, ["scale", "unit"], "{}", field.name());
        }
        assert_eq!(schema.field_with_name("material").unwrap().metadata()["scale"], "id");
        assert_eq!(schema.field_with_name("E_coh").unwrap().metadata()["unit"], "eV/atom");
        // a file without the metadata is refused with the column's name
        let plain = Arc::new(Schema::new(vec![Field::new("x", DataType::Float64, false)]));
        let batch = RecordBatch::try_new(plain.clone(), vec![Arc::new(Float64Array::from(vec![1.0]))]).unwrap();
        let q = dir.join("plain.parquet");
        let mut w = ArrowWriter::try_new(std::fs::File::create(&q).unwrap(), plain, None).unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
        let msg = read_parquet(&q).unwrap_err().to_string();
        assert!(msg.contains("\"x\"") && msg.contains("scale"), "{msg}");
        // not a Parquet file
        std::fs::write(&q, b"not parquet").unwrap();
        assert!(read_parquet(&q).is_err());
        assert!(read_parquet(&dir.join("missing.parquet")).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
