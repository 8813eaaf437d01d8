//! Cutoff times: none, one time, or a table of (instance id, time) rows with pass-through label
//! columns (`calculate_feature_matrix.py::_validate_cutoff_time`).

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::TimestampNanosecondType;
use arrow_array::{
    Array, ArrayRef, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray,
};
use arrow_schema::DataType;

use crate::entityset::keys::{key_values, Key};
use crate::entityset::EntitySet;
use crate::error::{Error, Result};
use crate::schema::{DataFrameSchema, Storage};
use crate::time::parse_datetime;

/// When to compute the features.
#[derive(Debug, Clone)]
pub enum Cutoff {
    /// No cutoff: featuretools uses the current time (`datetime.now()`).
    Now,
    /// One cutoff for every instance of the target dataframe that exists by then.
    At(i64),
    /// One row per (instance, time), output in this order.
    Table(CutoffTable),
}

impl Cutoff {
    /// A single cutoff as `--cutoff-time` takes it: a date/time, or a number when the entity
    /// set's time indexes are numeric.
    pub fn parse_single(c: &str, numeric: bool) -> Result<Cutoff> {
        let single = if numeric {
            c.trim()
                .parse::<f64>()
                .ok()
                .filter(|x| !x.is_nan())
                .map(crate::time::numeric_time_key)
        } else {
            crate::time::parse_datetime(c)
        };
        single.map(Cutoff::At).ok_or_else(|| {
            Error::Invalid(format!(
                "--cutoff-time '{c}' is neither an existing file nor a {}",
                if numeric { "number" } else { "date/time" }
            ))
        })
    }
}

/// A cutoff time table.
#[derive(Debug, Clone)]
pub struct CutoffTable {
    /// Instance ids, typed like the target index where possible.
    pub ids: ArrayRef,
    /// Cutoff times (ns since the epoch).
    pub times: Vec<i64>,
    /// Pass-through columns, appended after the features.
    pub extra: Vec<(String, ArrayRef)>,
}

fn cerr(source: &str, message: impl Into<String>) -> Error {
    Error::Cutoff {
        source_name: source.to_string(),
        message: message.into(),
    }
}

impl CutoffTable {
    /// Reads a cutoff table from CSV or Parquet (chosen by extension).
    pub fn read(path: &Path, target: &DataFrameSchema, numeric_time: bool) -> Result<Self> {
        Self::read_as(path, &path.display().to_string(), target, numeric_time)
    }

    /// [`CutoffTable::read`], naming the file `source` in errors (a client's file the pool
    /// received under a temporary name).
    pub fn read_as(
        path: &Path,
        source: &str,
        target: &DataFrameSchema,
        numeric_time: bool,
    ) -> Result<Self> {
        let source = source.to_string();
        let batch = if path.extension().and_then(|e| e.to_str()) == Some("parquet") {
            read_parquet(path, &source)?
        } else {
            read_csv(path, &source)?
        };
        Self::from_batch(&batch, target, numeric_time, &source)
    }

    /// Builds a cutoff table from a record batch whose columns are the instance id (named as the
    /// target index or `instance_id`), `time` (or the target's time index name), then labels.
    /// `numeric_time`: the entity set's time indexes are numbers
    /// ([`crate::schema::EntitySetSchema::numeric_time`]).
    pub fn from_batch(
        batch: &RecordBatch,
        target: &DataFrameSchema,
        numeric_time: bool,
        source: &str,
    ) -> Result<Self> {
        let schema = batch.schema();
        let find = |names: &[&str], what: &str| -> Result<usize> {
            let hits: Vec<usize> = names
                .iter()
                .filter_map(|n| schema.index_of(n).ok())
                .collect();
            match hits.as_slice() {
                [one] => Ok(*one),
                [] => Err(cerr(
                    source,
                    format!(
                        "has no {what} column (expected one named {})",
                        names
                            .iter()
                            .map(|n| format!("'{n}'"))
                            .collect::<Vec<_>>()
                            .join(" or ")
                    ),
                )),
                _ => Err(cerr(
                    source,
                    format!(
                        "has both {} as {what} column; keep one",
                        names
                            .iter()
                            .map(|n| format!("'{n}'"))
                            .collect::<Vec<_>>()
                            .join(" and ")
                    ),
                )),
            }
        };
        let id_pos = find(&[target.index.as_str(), "instance_id"], "instance id")?;
        let mut time_names = vec!["time"];
        if let Some(ti) = &target.time_index {
            if ti != "time" {
                time_names.push(ti);
            }
        }
        let time_pos = find(&time_names, "time")?;
        let id_col = batch.column(id_pos);
        let index_schema = target.column(&target.index).expect("validated index");
        let ids: ArrayRef = match (index_schema.storage(), id_col.data_type()) {
            (Storage::Int64, DataType::Utf8) => {
                let s = id_col.as_string::<i32>();
                let mut out = Vec::with_capacity(s.len());
                for (i, v) in s.iter().enumerate() {
                    out.push(match v {
                        None => return Err(cerr(source, format!("row {}: the instance id is missing", i + 1))),
                        Some(v) => Some(v.trim().parse::<i64>().map_err(|_| cerr(source, format!("row {}: instance id '{v}' is not an integer like the index '{}'", i + 1, target.index)))?),
                    });
                }
                Arc::new(Int64Array::from(out))
            }
            (Storage::Int64, _) => arrow_cast::cast(id_col, &DataType::Int64)
                .map_err(|e| cerr(source, format!("instance ids: {e}")))?,
            _ => arrow_cast::cast(id_col, &DataType::Utf8)
                .map_err(|e| cerr(source, format!("instance ids: {e}")))?,
        };
        if ids.null_count() > 0 {
            return Err(cerr(source, "some instance ids are missing"));
        }
        let tcol = batch.column(time_pos);
        let numeric = numeric_time;
        let times: Vec<i64> = match tcol.data_type() {
            DataType::Utf8 => {
                let s = tcol.as_string::<i32>();
                let mut out = Vec::with_capacity(s.len());
                for (i, v) in s.iter().enumerate() {
                    let v = v.ok_or_else(|| {
                        cerr(source, format!("row {}: the time is missing", i + 1))
                    })?;
                    let t = if numeric {
                        v.trim()
                            .parse::<f64>()
                            .ok()
                            .filter(|x| !x.is_nan())
                            .map(crate::time::numeric_time_key)
                    } else {
                        parse_datetime(v)
                    };
                    out.push(t.ok_or_else(|| {
                        let what = if numeric {
                            "number (the time indexes are numeric)"
                        } else {
                            "date/time"
                        };
                        cerr(source, format!("row {}: time '{v}' is not a {what}", i + 1))
                    })?);
                }
                out
            }
            DataType::Timestamp(_, _) | DataType::Date32 | DataType::Date64 if !numeric => {
                let ts = arrow_cast::cast(
                    tcol,
                    &DataType::Timestamp(arrow_schema::TimeUnit::Nanosecond, None),
                )
                .map_err(|e| cerr(source, format!("time column: {e}")))?;
                let ts = ts.as_primitive::<TimestampNanosecondType>();
                if ts.null_count() > 0 {
                    return Err(cerr(source, "some times are missing"));
                }
                ts.values().to_vec()
            }
            DataType::Int64 | DataType::Int32 | DataType::Float64 | DataType::Float32
                if numeric =>
            {
                let f = arrow_cast::cast(tcol, &DataType::Float64)
                    .map_err(|e| cerr(source, e.to_string()))?;
                let t = crate::entityset::time_values(&f);
                if t.contains(&crate::entityset::NULL_TIME) {
                    return Err(cerr(source, "some times are missing"));
                }
                t
            }
            other => {
                let kind = if numeric { "numeric" } else { "Datetimes" };
                return Err(cerr(
                    source,
                    format!("the time column holds {other}, but the time indexes are {kind}"),
                ));
            }
        };
        let mut seen = HashSet::with_capacity(times.len());
        for (i, (k, t)) in key_values(&ids).into_iter().zip(&times).enumerate() {
            let k: Key = k.expect("checked not null");
            if !seen.insert((k, *t)) {
                return Err(cerr(source, format!("row {}: duplicated (instance id, time) row (featuretools: \"Duplicated rows in cutoff time dataframe.\")", i + 1)));
            }
        }
        let extra = (0..batch.num_columns())
            .filter(|&i| i != id_pos && i != time_pos)
            .map(|i| {
                (
                    schema.field(i).name().clone(),
                    infer_labels(batch.column(i)),
                )
            })
            .collect();
        Ok(CutoffTable { ids, times, extra })
    }

    /// Row numbers of the instances in the entity set's target dataframe (`None` when unknown).
    pub fn rows(&self, es: &EntitySet, target: usize) -> Result<Vec<Option<u32>>> {
        let keys = es.keys(target)?;
        Ok(key_values(&self.ids)
            .into_iter()
            .map(|k| k.and_then(|k| keys.get(k)))
            .collect())
    }
}

/// Label columns read as text become integers, floats or booleans when every value is one.
fn infer_labels(a: &ArrayRef) -> ArrayRef {
    let Some(s) = a.as_string_opt::<i32>() else {
        return a.clone();
    };
    let vals: Vec<Option<&str>> = s
        .iter()
        .map(|v| v.filter(|x| !crate::entityset::is_na(x)))
        .collect();
    if vals.iter().flatten().all(|v| v.parse::<i64>().is_ok()) {
        return Arc::new(
            vals.iter()
                .map(|v| v.map(|x| x.parse::<i64>().unwrap_or_default()))
                .collect::<Int64Array>(),
        );
    }
    if vals.iter().flatten().all(|v| v.parse::<f64>().is_ok()) {
        return Arc::new(
            vals.iter()
                .map(|v| v.map(|x| x.parse::<f64>().unwrap_or_default()))
                .collect::<Float64Array>(),
        );
    }
    if vals
        .iter()
        .flatten()
        .all(|v| matches!(*v, "True" | "False"))
    {
        return Arc::new(
            vals.iter()
                .map(|v| v.map(|x| x == "True"))
                .collect::<BooleanArray>(),
        );
    }
    Arc::new(vals.into_iter().collect::<StringArray>())
}

fn read_csv(path: &Path, source: &str) -> Result<RecordBatch> {
    let mut rdr = csv::ReaderBuilder::new()
        .from_path(path)
        .map_err(|e| Error::io(path, std::io::Error::other(e.to_string())))?;
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| cerr(source, e.to_string()))?
        .iter()
        .map(str::to_string)
        .collect();
    let mut cols: Vec<Vec<Option<String>>> = vec![Vec::new(); headers.len()];
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| cerr(source, format!("row {}: {e}", i + 1)))?;
        for (j, col) in cols.iter_mut().enumerate() {
            let v = rec.get(j).unwrap_or("");
            col.push((!v.is_empty()).then(|| v.to_string()));
        }
    }
    let arrays: Vec<(String, ArrayRef)> = headers
        .into_iter()
        .zip(cols)
        .map(|(h, c)| {
            (
                h,
                Arc::new(c.into_iter().collect::<StringArray>()) as ArrayRef,
            )
        })
        .collect();
    RecordBatch::try_from_iter(arrays).map_err(|e| cerr(source, e.to_string()))
}

fn read_parquet(path: &Path, source: &str) -> Result<RecordBatch> {
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(|e| cerr(source, format!("not a readable Parquet file: {e}")))?;
    let schema = builder.schema().clone();
    let batches: Vec<RecordBatch> = builder
        .build()
        .map_err(|e| cerr(source, e.to_string()))?
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| cerr(source, e.to_string()))?;
    arrow_select::concat::concat_batches(&schema, &batches).map_err(|e| cerr(source, e.to_string()))
}
