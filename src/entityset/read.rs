//! Reading an entity set directory written by featuretools' `es.to_csv()` / `es.to_parquet()`.
//!
//! Layout (`featuretools/entityset/serialize.py::write_data_description`):
//! `data_description.json` and `data/<dataframe>/data/<dataframe>.{csv,parquet}`.

use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Float64Builder, Int64Builder, TimestampNanosecondBuilder,
};
use arrow_array::cast::AsArray;
use arrow_array::types::Int32Type;
use arrow_array::{Array, ArrayRef, DictionaryArray, Int32Array, RecordBatch, StringArray};
use arrow_schema::{DataType, TimeUnit};

use super::EntitySet;
use crate::error::{Error, Result};
use crate::schema::{ColumnSchema, DataFrameSchema, EntitySetSchema, Storage};
use crate::time::parse_datetime;

/// Values pandas' `read_csv` reads as missing (its default `na_values`).
const NA_VALUES: &[&str] = &[
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
    "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
];

/// Whether pandas reads this CSV cell as missing.
pub fn is_na(s: &str) -> bool {
    s.len() <= 8 && NA_VALUES.contains(&s)
}

/// Rows per chunk when streaming a data file.
pub const CHUNK_ROWS: usize = 65_536;

/// Reads an entity set directory (CSV or Parquet, as featuretools writes it).
pub fn read_entityset(dir: &Path) -> Result<EntitySet> {
    read_entityset_chunked(dir, CHUNK_ROWS)
}

/// Reads only the columns `graph` needs of an entity set directory
/// ([`super::project::projected`]): the others are neither decoded nor held. The entity set's
/// schema holds only those columns.
pub fn read_entityset_projected(
    dir: &Path,
    graph: &crate::features::FeatureGraph,
    opts: super::project::ProjectionOptions,
) -> Result<EntitySet> {
    let (schema, format) = read_schema(dir)?;
    read_data(
        dir,
        super::project::projected(&schema, graph, opts),
        &format,
        CHUNK_ROWS,
    )
}

fn read_entityset_chunked(dir: &Path, chunk_rows: usize) -> Result<EntitySet> {
    let (schema, format) = read_schema(dir)?;
    read_data(dir, schema, &format, chunk_rows)
}

fn read_data(
    dir: &Path,
    schema: EntitySetSchema,
    format: &str,
    chunk_rows: usize,
) -> Result<EntitySet> {
    let mut data = Vec::new();
    for df in &schema.dataframes {
        let mut chunks: Vec<Vec<ArrayRef>> = Vec::new();
        let opts = ScanOptions {
            chunk_rows,
            parallel: true,
        };
        scan_dataframe_with(dir, format, df, opts, &mut |c| {
            chunks.push(c);
            Ok(())
        })?;
        let columns = concat_chunks(df, chunks)?;
        data.push(sort_batch(df, columns).map_err(|m| Error::df(&df.name, m))?);
    }
    EntitySet::assemble(schema, data)
}

/// Builds an entity set from its schema and one record batch per dataframe, as
/// [`read_entityset`] does from files: each batch's columns are found by name (extra columns are
/// ignored), cast to their logical type's storage (numeric columns of the right type are kept
/// without a copy) and the rows sorted as woodwork sorts them. `batches` holds
/// (dataframe name, batch) pairs; every dataframe of the schema needs one.
pub fn entityset_from_batches(
    schema: EntitySetSchema,
    mut batches: Vec<(String, RecordBatch)>,
) -> Result<EntitySet> {
    schema.validate()?;
    let mut data = Vec::with_capacity(schema.dataframes.len());
    for df in &schema.dataframes {
        let pos = batches
            .iter()
            .position(|(n, _)| n == &df.name)
            .ok_or_else(|| Error::df(&df.name, "no data was given for this dataframe"))?;
        let (_, batch) = batches.swap_remove(pos);
        let columns = df
            .columns
            .iter()
            .map(|c| {
                let a = batch.column_by_name(&c.name).ok_or_else(|| {
                    Error::df(
                        &df.name,
                        format!(
                            "column '{}': the schema names this column but the data has no such column",
                            c.name
                        ),
                    )
                })?;
                conform(c, a).map_err(|m| Error::df(&df.name, format!("column '{}': {m}", c.name)))
            })
            .collect::<Result<Vec<_>>>()?;
        data.push(sort_batch(df, columns).map_err(|m| Error::df(&df.name, m))?);
    }
    EntitySet::assemble(schema, data)
}

/// Reads `data_description.json` of an entity set directory; returns the schema and data format.
pub fn read_schema(dir: &Path) -> Result<(EntitySetSchema, String)> {
    let desc = dir.join("data_description.json");
    if !desc.exists() {
        return Err(Error::Invalid(format!(
            "{}: no data_description.json here; expected an entity set directory written by featuretools' es.to_csv() or es.to_parquet()",
            dir.display()
        )));
    }
    let (schema, format) = EntitySetSchema::read_description(&desc)?;
    if format != "csv" && format != "parquet" {
        return Err(Error::json(
            &desc,
            format!("format '{format}' is not supported (csv or parquet)"),
        ));
    }
    Ok((schema, format))
}

fn concat_chunks(df: &DataFrameSchema, chunks: Vec<Vec<ArrayRef>>) -> Result<Vec<ArrayRef>> {
    if chunks.len() == 1 {
        return Ok(chunks.into_iter().next().expect("one chunk"));
    }
    let concat_column = |i: usize| -> Result<ArrayRef> {
        let c = &df.columns[i];
        let arrow = |e| Error::arrow(format!("dataframe '{}', column '{}'", df.name, c.name), e);
        let parts: Vec<&dyn Array> = chunks.iter().map(|ch| ch[i].as_ref()).collect();
        Ok(if parts.is_empty() {
            conform(c, &arrow_array::new_null_array(&DataType::Utf8, 0))
                .map_err(|m| Error::df(&df.name, m))?
        } else if c.storage() == Storage::Category {
            // Every chunk was encoded against the same category list: concatenate the codes and
            // keep one dictionary (a plain concat would append the dictionaries and break codes).
            let keys: Vec<&dyn Array> = chunks
                .iter()
                .map(|ch| ch[i].as_dictionary::<Int32Type>().keys() as &dyn Array)
                .collect();
            let keys = arrow_select::concat::concat(&keys).map_err(arrow)?;
            let values = chunks[0][i].as_dictionary::<Int32Type>().values().clone();
            let dict = DictionaryArray::<Int32Type>::try_new(
                keys.as_primitive::<Int32Type>().clone(),
                values,
            )
            .map_err(arrow)?;
            Arc::new(dict)
        } else {
            arrow_select::concat::concat(&parts).map_err(arrow)?
        })
    };
    // Columns are concatenated on every core, each by one thread: the copy into fresh memory
    // (page faults and the kernel's zeroing) was a fifth of `calculate`'s time on 5M rows.
    let mut out: Vec<Option<ArrayRef>> = vec![None; df.columns.len()];
    ftpart_partitioner::on_cores(df.columns.len(), concat_column, |i, a| out[i] = Some(a))?;
    Ok(out
        .into_iter()
        .map(|a| a.expect("on_cores did every column"))
        .collect())
}

/// How a data file is read.
#[derive(Debug, Clone, Copy)]
pub struct ScanOptions {
    /// Rows per chunk.
    pub chunk_rows: usize,
    /// Decode on several threads, holding a few chunks (CSV) or row groups (Parquet) at a time:
    /// for reading a whole entity set into memory. Streaming (the split, under a memory limit)
    /// holds one chunk.
    pub parallel: bool,
}

/// Streams a dataframe's data file in chunks of typed columns (schema order), one chunk in
/// memory at a time.
pub fn scan_dataframe(
    dir: &Path,
    format: &str,
    df: &DataFrameSchema,
    chunk_rows: usize,
    f: &mut dyn FnMut(Vec<ArrayRef>) -> Result<()>,
) -> Result<()> {
    let opts = ScanOptions {
        chunk_rows,
        parallel: false,
    };
    scan_dataframe_with(dir, format, df, opts, f)
}

/// Like [`scan_dataframe`], with options.
pub fn scan_dataframe_with(
    dir: &Path,
    format: &str,
    df: &DataFrameSchema,
    opts: ScanOptions,
    f: &mut dyn FnMut(Vec<ArrayRef>) -> Result<()>,
) -> Result<()> {
    let path = dir
        .join("data")
        .join(&df.name)
        .join("data")
        .join(format!("{}.{format}", df.name));
    if !path.exists() {
        return Err(Error::Data {
            path,
            dataframe: df.name.clone(),
            column: "*".into(),
            message: "data file is missing".into(),
        });
    }
    if format == "csv" {
        scan_csv(&path, df, opts, f)
    } else {
        scan_parquet(&path, df, opts, f)
    }
}

fn data_err(path: &Path, df: &DataFrameSchema, column: &str, message: impl Into<String>) -> Error {
    Error::Data {
        path: path.to_path_buf(),
        dataframe: df.name.clone(),
        column: column.to_string(),
        message: message.into(),
    }
}

fn scan_csv(
    path: &Path,
    df: &DataFrameSchema,
    opts: ScanOptions,
    f: &mut dyn FnMut(Vec<ArrayRef>) -> Result<()>,
) -> Result<()> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(path)
        .map_err(|e| Error::io(path, std::io::Error::other(e.to_string())))?;
    let headers = rdr
        .headers()
        .map_err(|e| data_err(path, df, "*", format!("cannot read header: {e}")))?
        .clone();
    let mut positions = Vec::new();
    for c in &df.columns {
        let pos = headers.iter().position(|h| h == c.name).ok_or_else(|| {
            data_err(
                path,
                df,
                &c.name,
                "the schema names this column but the data file has no such column",
            )
        })?;
        positions.push(pos);
    }
    // Records are reused chunk after chunk: one buffer per row, no allocation per cell; rows
    // are made as they arrive, so that a small file does not pay for a whole chunk of them.
    // In parallel, a chunk's cells are typed on another thread while this one reads the next
    // chunk, and two buffers of records take turns.
    let chunk = opts.chunk_rows.clamp(1, 1 << 16);
    let convert = |recs: Vec<csv::StringRecord>, n: usize, first_row: usize| {
        let arrays = df
            .columns
            .iter()
            .zip(&positions)
            .map(|(c, &pos)| {
                let cells = recs[..n].iter().map(|r| r.get(pos).filter(|v| !is_na(v)));
                text_column(c, cells)
                    .map_err(|m| data_err(path, df, &c.name, renumber(&m, first_row - 1)))
            })
            .collect::<Result<Vec<_>>>();
        (recs, arrays)
    };
    type Typed = (Vec<csv::StringRecord>, Result<Vec<ArrayRef>>);
    std::thread::scope(|scope| -> Result<()> {
        let mut spare: Vec<csv::StringRecord> = Vec::new();
        let mut pending: Option<std::thread::ScopedJoinHandle<'_, Typed>> = None;
        let mut first_row = 1usize;
        let mut spawned = false;
        let join = |h: std::thread::ScopedJoinHandle<'_, Typed>| {
            h.join()
                .map_err(|_| data_err(path, df, "*", "a CSV typing thread panicked"))
        };
        loop {
            let mut recs = std::mem::take(&mut spare);
            let mut n = 0usize;
            let mut failed = None;
            while n < chunk {
                if n == recs.len() {
                    recs.push(csv::StringRecord::new());
                }
                match rdr.read_record(&mut recs[n]) {
                    Ok(true) => n += 1,
                    Ok(false) => break,
                    Err(e) => {
                        failed = Some(data_err(
                            path,
                            df,
                            "*",
                            format!("row {}: {e}", first_row + n),
                        ));
                        break;
                    }
                }
            }
            // The typed chunk before, given to `f` in order: an error in its rows comes first.
            if let Some(h) = pending.take() {
                let (recs, arrays) = join(h)?;
                spare = recs;
                f(arrays?)?;
            }
            if let Some(e) = failed {
                return Err(e);
            }
            // An empty file still gives one (empty) chunk.
            if n == 0 && spawned {
                break;
            }
            let at = first_row;
            if opts.parallel {
                pending = Some(scope.spawn(move || convert(recs, n, at)));
            } else {
                let (recs, arrays) = convert(recs, n, at);
                spare = recs;
                f(arrays?)?;
            }
            spawned = true;
            first_row += n;
            if n < chunk {
                break;
            }
        }
        if let Some(h) = pending.take() {
            f(join(h)?.1?)?;
        }
        Ok(())
    })
}

/// Shifts "row N" in a chunk's message to the row number in the file.
fn renumber(message: &str, offset: usize) -> String {
    match message.strip_prefix("row ").and_then(|r| r.split_once(':')) {
        Some((n, rest)) if offset > 0 => match n.parse::<usize>() {
            Ok(n) => format!("row {}:{rest}", n + offset),
            Err(_) => message.to_string(),
        },
        _ => message.to_string(),
    }
}

fn scan_parquet(
    path: &Path,
    df: &DataFrameSchema,
    opts: ScanOptions,
    f: &mut dyn FnMut(Vec<ArrayRef>) -> Result<()>,
) -> Result<()> {
    use parquet::arrow::arrow_reader::{
        ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
    };
    use parquet::arrow::ProjectionMask;
    let open = || std::fs::File::open(path).map_err(|e| Error::io(path, e));
    let unreadable = |e: parquet::errors::ParquetError| {
        data_err(path, df, "*", format!("not a readable Parquet file: {e}"))
    };
    let meta =
        ArrowReaderMetadata::load(&open()?, ArrowReaderOptions::default()).map_err(unreadable)?;
    let file_schema = meta.schema().clone();
    let mut positions = Vec::new();
    for c in &df.columns {
        positions.push(file_schema.index_of(&c.name).map_err(|_| {
            data_err(
                path,
                df,
                &c.name,
                "the schema names this column but the data file has no such column",
            )
        })?);
    }
    // Only the schema's columns are decoded; a batch holds them in file order.
    let mut roots = positions.clone();
    roots.sort_unstable();
    roots.dedup();
    let in_batch: Vec<usize> = positions
        .iter()
        .map(|p| roots.binary_search(p).expect("a root"))
        .collect();
    let mask = ProjectionMask::roots(meta.parquet_schema(), roots.iter().copied());
    let read_groups = |groups: Vec<usize>,
                       sink: &mut dyn FnMut(Vec<ArrayRef>) -> Result<()>|
     -> Result<()> {
        let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(open()?, meta.clone())
            .with_batch_size(opts.chunk_rows)
            .with_projection(mask.clone())
            .with_row_groups(groups)
            .build()
            .map_err(unreadable)?;
        for batch in reader {
            let batch = batch
                .map_err(|e| data_err(path, df, "*", format!("cannot read Parquet data: {e}")))?;
            sink(
                df.columns
                    .iter()
                    .zip(&in_batch)
                    .map(|(c, &p)| {
                        conform(c, batch.column(p)).map_err(|m| data_err(path, df, &c.name, m))
                    })
                    .collect::<Result<Vec<_>>>()?,
            )?;
        }
        Ok(())
    };
    let read_group = |group: usize| -> Result<Vec<Vec<ArrayRef>>> {
        let mut chunks = Vec::new();
        read_groups(vec![group], &mut |c| {
            chunks.push(c);
            Ok(())
        })?;
        Ok(chunks)
    };
    let groups = meta.metadata().num_row_groups();
    let mut emitted = false;
    if !opts.parallel {
        read_groups((0..groups).collect(), &mut |c| {
            emitted = true;
            f(c)
        })?;
    }
    // In parallel, row groups are decoded (and decompressed) on every core, as many at a time as
    // there are cores, and given in file order: memory holds a few row groups, not the file.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let all: Vec<usize> = if opts.parallel {
        (0..groups).collect()
    } else {
        Vec::new()
    };
    for window in all.chunks(threads.max(1)) {
        let decoded: Vec<Result<Vec<Vec<ArrayRef>>>> = if window.len() == 1 {
            vec![read_group(window[0])]
        } else {
            std::thread::scope(|scope| {
                let handles: Vec<_> = window
                    .iter()
                    .map(|&g| scope.spawn(move || read_group(g)))
                    .collect();
                handles
                    .into_iter()
                    .map(|h| {
                        h.join().unwrap_or_else(|_| {
                            Err(data_err(path, df, "*", "a Parquet reading thread panicked"))
                        })
                    })
                    .collect()
            })
        };
        for chunks in decoded {
            for c in chunks? {
                f(c)?;
                emitted = true;
            }
        }
    }
    if !emitted {
        let arrays = df
            .columns
            .iter()
            .zip(&positions)
            .map(|(c, &p)| {
                conform(
                    c,
                    &arrow_array::new_empty_array(file_schema.field(p).data_type()),
                )
                .map_err(|m| data_err(path, df, &c.name, m))
            })
            .collect::<Result<Vec<_>>>()?;
        f(arrays)?;
    }
    Ok(())
}

/// Builds a typed column from text cells (`None` = missing).
pub fn text_column<'a>(
    c: &ColumnSchema,
    vals: impl Iterator<Item = Option<&'a str>>,
) -> Result<ArrayRef, String> {
    Ok(match c.storage() {
        Storage::Int64 => {
            let mut b = Int64Builder::new();
            for (i, v) in vals.enumerate() {
                match v {
                    None => b.append_null(),
                    Some(s) => b.append_value(
                        parse_int(s)
                            .ok_or_else(|| format!("row {}: '{s}' is not an integer", i + 1))?,
                    ),
                }
            }
            Arc::new(b.finish())
        }
        Storage::Float64 => {
            let mut b = Float64Builder::new();
            for (i, v) in vals.enumerate() {
                match v {
                    None => b.append_null(),
                    Some(s) => {
                        let f: f64 = s
                            .trim()
                            .parse()
                            .map_err(|_| format!("row {}: '{s}' is not a number", i + 1))?;
                        if f.is_nan() {
                            b.append_null()
                        } else {
                            b.append_value(f)
                        }
                    }
                }
            }
            Arc::new(b.finish())
        }
        Storage::Boolean => {
            let mut b = BooleanBuilder::new();
            for (i, v) in vals.enumerate() {
                match v.map(str::trim) {
                    None => b.append_null(),
                    Some("True" | "true" | "TRUE" | "1" | "1.0") => b.append_value(true),
                    Some("False" | "false" | "FALSE" | "0" | "0.0") => b.append_value(false),
                    Some(s) => return Err(format!("row {}: '{s}' is not a boolean", i + 1)),
                }
            }
            Arc::new(b.finish())
        }
        Storage::Timestamp => {
            let mut b = TimestampNanosecondBuilder::new();
            for (i, v) in vals.enumerate() {
                match v {
                    None => b.append_null(),
                    Some(s) => b.append_value(
                        parse_datetime(s)
                            .ok_or_else(|| format!("row {}: '{s}' is not a date/time", i + 1))?,
                    ),
                }
            }
            Arc::new(b.finish())
        }
        Storage::Category => category_column(c, vals)?,
        Storage::Utf8 => Arc::new(vals.collect::<StringArray>()),
    })
}

fn parse_int(s: &str) -> Option<i64> {
    let t = s.trim();
    t.parse::<i64>().ok().or_else(|| {
        t.parse::<f64>()
            .ok()
            .filter(|f| f.fract() == 0.0 && f.abs() < 9.2e18)
            .map(|f| f as i64)
    })
}

/// Dictionary-encodes categories in the schema's category order (sorted values when none given).
pub fn category_column<'a>(
    c: &ColumnSchema,
    vals: impl Iterator<Item = Option<&'a str>>,
) -> Result<ArrayRef, String> {
    let vals: Vec<Option<&str>> = vals.collect();
    let cats: Vec<String> = match &c.categories {
        Some(cats) => cats.iter().map(|s| c.category_kind.canonical(s)).collect(),
        None => {
            let mut set: Vec<String> = vals
                .iter()
                .flatten()
                .map(|s| c.category_kind.canonical(s))
                .collect::<std::collections::HashSet<_>>()
                .into_iter()
                .collect();
            set.sort_by(|a, b| match (a.parse::<f64>(), b.parse::<f64>()) {
                (Ok(x), Ok(y)) => x.total_cmp(&y),
                _ => a.cmp(b),
            });
            set
        }
    };
    let lookup: std::collections::HashMap<&str, i32> = cats
        .iter()
        .enumerate()
        .map(|(i, s)| (s.as_str(), i as i32))
        .collect();
    let mut keys = Vec::with_capacity(vals.len());
    for (i, v) in vals.iter().enumerate() {
        keys.push(match v {
            None => None,
            Some(s) => Some(match lookup.get(s) {
                Some(&k) => k,
                // "1.0" for an integer category "1"
                None => *lookup
                    .get(c.category_kind.canonical(s).as_str())
                    .ok_or_else(|| {
                        format!(
                            "row {}: value '{s}' is not one of the column's categories {:?}",
                            i + 1,
                            cats
                        )
                    })?,
            }),
        });
    }
    let dict = DictionaryArray::<Int32Type>::try_new(
        Int32Array::from(keys),
        Arc::new(StringArray::from(cats)),
    )
    .map_err(|e| e.to_string())?;
    Ok(Arc::new(dict))
}

/// Casts an Arrow column to the storage of its logical type.
pub fn conform(c: &ColumnSchema, a: &ArrayRef) -> Result<ArrayRef, String> {
    use arrow_cast::cast;
    let target = match c.storage() {
        Storage::Int64 => DataType::Int64,
        Storage::Float64 => DataType::Float64,
        Storage::Boolean => DataType::Boolean,
        Storage::Timestamp => DataType::Timestamp(TimeUnit::Nanosecond, None),
        Storage::Utf8 => DataType::Utf8,
        Storage::Category => {
            if let Some(fast) = recode_dictionary(c, a) {
                return Ok(fast);
            }
            let text = cast(a, &DataType::Utf8)
                .map_err(|e| format!("cannot read {} as text: {e}", a.data_type()))?;
            let text = text.as_string::<i32>();
            return category_column(c, text.iter());
        }
    };
    if let (DataType::Timestamp(_, Some(_)), Storage::Timestamp) = (a.data_type(), c.storage()) {
        // Timezone-aware times are compared as UTC instants.
        let ns = cast(
            a,
            &DataType::Timestamp(TimeUnit::Nanosecond, Some("UTC".into())),
        )
        .map_err(|e| e.to_string())?;
        let data = ns
            .to_data()
            .into_builder()
            .data_type(target.clone())
            .build()
            .map_err(|e| e.to_string())?;
        return Ok(arrow_array::make_array(data));
    }
    if a.data_type() == &target {
        return Ok(a.clone());
    }
    let out = cast(a, &target)
        .map_err(|e| format!("cannot read {} as {}: {e}", a.data_type(), c.type_name))?;
    if out.null_count() > a.null_count() {
        return Err(format!("some values cannot be read as {}", c.type_name));
    }
    if target == DataType::Float64 {
        // pandas treats NaN as missing; so does ftpart.
        let f = out.as_primitive::<arrow_array::types::Float64Type>();
        if f.values().iter().any(|v| v.is_nan()) {
            let cleaned: arrow_array::Float64Array =
                f.iter().map(|v| v.filter(|x| !x.is_nan())).collect();
            return Ok(Arc::new(cleaned));
        }
    }
    Ok(out)
}

/// A dictionary-encoded column (a pandas categorical through Arrow) against the schema's
/// categories, by encoding its dictionary's values once instead of every row's text. None when
/// the schema lists no categories or a value is not among them (the row-by-row path then names
/// the row).
fn recode_dictionary(c: &ColumnSchema, a: &ArrayRef) -> Option<ArrayRef> {
    c.categories.as_ref()?;
    let d = a.as_any_dictionary_opt()?;
    let text = arrow_cast::cast(d.values(), &DataType::Utf8).ok()?;
    let encoded = category_column(c, text.as_string::<i32>().iter()).ok()?;
    let encoded = encoded.as_dictionary::<Int32Type>();
    let map = encoded.keys();
    let keys = d.keys();
    let normalized = d.normalized_keys();
    let recoded: Int32Array = (0..d.len())
        .map(|i| {
            let k = normalized[i];
            (keys.is_valid(i) && map.is_valid(k)).then(|| map.value(k))
        })
        .collect();
    DictionaryArray::<Int32Type>::try_new(recoded, encoded.values().clone())
        .ok()
        .map(|a| Arc::new(a) as ArrayRef)
}

/// Sorts a dataframe's rows as woodwork does (`table_accessor.py::_sort_columns`): by time index then
/// index when there is a time index (missing times last); otherwise the rows keep their order.
pub fn sort_batch(df: &DataFrameSchema, columns: Vec<ArrayRef>) -> Result<RecordBatch, String> {
    let fields: Vec<arrow_schema::Field> = df
        .columns
        .iter()
        .zip(&columns)
        .map(|(c, a)| arrow_schema::Field::new(&c.name, a.data_type().clone(), true))
        .collect();
    let batch = RecordBatch::try_new(Arc::new(arrow_schema::Schema::new(fields)), columns)
        .map_err(|e| e.to_string())?;
    let Some(ti) = &df.time_index else {
        return Ok(batch);
    };
    let t = super::time_buffer(batch.column(df.position(ti).expect("validated")));
    let index = batch.column(df.position(&df.index).expect("validated"));
    let by_time = |ta: i64, tb: i64| match (ta == super::NULL_TIME, tb == super::NULL_TIME) {
        (true, true) => std::cmp::Ordering::Equal,
        (true, false) => std::cmp::Ordering::Greater,
        (false, true) => std::cmp::Ordering::Less,
        _ => ta.cmp(&tb),
    };
    // Data written by featuretools is in this order already: seen without building the keys
    // (which for millions of rows is most of the sort's time and memory) when the index is a
    // column of integers without missing values, as it usually is.
    if let Some(ids) = index.as_primitive_opt::<arrow_array::types::Int64Type>() {
        if ids.null_count() == 0 {
            let ids = ids.values();
            let in_order = (1..t.len()).all(|i| {
                by_time(t[i - 1], t[i]).then_with(|| ids[i - 1].cmp(&ids[i]))
                    != std::cmp::Ordering::Greater
            });
            if in_order {
                return Ok(batch);
            }
        }
    }
    let keys = super::keys::key_values(index);
    let mut order: Vec<u32> = (0..batch.num_rows() as u32).collect();
    // Stable: rows that compare equal keep their order, so rows in order are not moved.
    order.sort_by(|&a, &b| {
        by_time(t[a as usize], t[b as usize])
            .then_with(|| super::keys::cmp_keys(&keys[a as usize], &keys[b as usize]))
    });
    if order.iter().enumerate().all(|(i, &r)| i as u32 == r) {
        return Ok(batch);
    }
    let idx = arrow_array::UInt32Array::from(order);
    arrow_select::take::take_record_batch(&batch, &idx).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Woodwork's order: by time (missing last), then index; rows already in it are returned as
    /// they are (the integer index is checked without building keys), others are sorted, with
    /// integer and text indexes alike.
    #[test]
    fn sort_batch_orders_rows_by_time_then_index() {
        use arrow_array::{Int64Array, TimestampNanosecondArray};
        let df = |index: &str| DataFrameSchema {
            name: "t".into(),
            index: "id".into(),
            time_index: Some("time".into()),
            secondary_time_index: Default::default(),
            last_time_index: None,
            columns: vec![
                ColumnSchema::new("id", index).unwrap(),
                ColumnSchema::new("time", "Datetime").unwrap(),
            ],
        };
        let times = |t: &[Option<i64>]| -> ArrayRef {
            Arc::new(TimestampNanosecondArray::from(t.to_vec()))
        };
        let ids_of = |b: &RecordBatch| -> Vec<String> {
            let c = arrow_cast::cast(b.column(0), &DataType::Utf8).unwrap();
            c.as_string::<i32>()
                .iter()
                .map(|v| v.unwrap().to_string())
                .collect()
        };
        let t = [Some(1), Some(2), Some(2), None];
        let sorted = sort_batch(
            &df("Integer"),
            vec![Arc::new(Int64Array::from(vec![9, 3, 4, 1])), times(&t)],
        )
        .unwrap();
        assert_eq!(ids_of(&sorted), ["9", "3", "4", "1"]);
        // A tie in time broken by the index, a missing time last, an earlier time first.
        let t = [None, Some(2), Some(2), Some(1)];
        let ints: ArrayRef = Arc::new(Int64Array::from(vec![1, 4, 3, 9]));
        let b = sort_batch(&df("Integer"), vec![ints, times(&t)]).unwrap();
        assert_eq!(ids_of(&b), ["9", "3", "4", "1"]);
        let text: ArrayRef = Arc::new(StringArray::from(vec!["a", "d", "c", "z"]));
        let b = sort_batch(&df("Unknown"), vec![text, times(&t)]).unwrap();
        assert_eq!(ids_of(&b), ["z", "c", "d", "a"]);
        // A missing index value among integers: the general path.
        let ints: ArrayRef = Arc::new(Int64Array::from(vec![Some(1), Some(4), None, Some(9)]));
        let b = sort_batch(&df("Integer"), vec![ints, times(&t)]);
        assert_eq!(b.unwrap().num_rows(), 4);
    }

    /// Regression: chunks' dictionaries were appended by a plain concat, which duplicated the
    /// categories and broke MODE and NUM_UNIQUE on entity sets larger than one chunk.
    #[test]
    fn reading_in_small_chunks_gives_the_same_entity_set() {
        let root =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/conformance/entitysets");
        for name in ["mock_customer_s0", "mock_customer_s0_parquet"] {
            let whole = read_entityset(&root.join(name)).unwrap();
            let chunked = read_entityset_chunked(&root.join(name), 7).unwrap();
            assert_eq!(whole.data, chunked.data, "{name}");
            for b in &chunked.data {
                for c in b.columns() {
                    if let Some(d) = c.as_dictionary_opt::<Int32Type>() {
                        assert!(
                            d.values().len() <= 5,
                            "{name}: dictionary of {} values",
                            d.values().len()
                        );
                    }
                }
            }
        }
    }

    /// Streaming or typed on another thread while the next chunk is read, a bad cell or a
    /// malformed row far into the file is reported at its own row, the first one first, and a
    /// file without rows gives one empty chunk.
    #[test]
    fn csv_errors_name_their_row_whatever_the_chunk() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let mut df = DataFrameSchema {
            name: "t".into(),
            index: "id".into(),
            time_index: None,
            secondary_time_index: Default::default(),
            last_time_index: None,
            columns: vec![
                ColumnSchema::new("id", "Integer").unwrap(),
                ColumnSchema::new("x", "Double").unwrap(),
            ],
        };
        df.columns[0].semantic_tags = vec!["index".into()];
        for parallel in [false, true] {
            let opts = ScanOptions {
                chunk_rows: 3,
                parallel,
            };
            let scan = |text: &str| {
                std::fs::write(&path, text).unwrap();
                let mut rows = Vec::new();
                scan_csv(&path, &df, opts, &mut |c| {
                    rows.push(c[0].len());
                    Ok(())
                })
                .map(|()| rows)
            };
            let mut text = String::from("id,x\n");
            for i in 0..10 {
                text.push_str(&format!("{i},{i}.5\n"));
            }
            assert_eq!(scan(&text).unwrap(), vec![3, 3, 3, 1]);
            assert_eq!(scan("id,x\n").unwrap(), vec![0]);
            let bad = text.replace("8,8.5", "8,eight");
            let e = scan(&bad).unwrap_err().to_string();
            assert!(e.contains("row 9") && e.contains("'x'"), "{e}");
            // A bad cell (row 5) before a malformed row (row 9): the bad cell is reported.
            let both = text
                .replace("4,4.5", "4,four")
                .replace("8,8.5", "8,8.5,extra");
            let e = scan(&both).unwrap_err().to_string();
            assert!(e.contains("row 5"), "{e}");
            let malformed = text.replace("8,8.5", "8,8.5,extra");
            let e = scan(&malformed).unwrap_err().to_string();
            assert!(e.contains("row 9"), "{e}");
        }
    }

    #[test]
    fn an_entity_set_from_batches_equals_the_one_read_from_files() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/conformance/entitysets/mock_customer_s0_parquet");
        let read = read_entityset(&dir).unwrap();
        // Rows of dataframes with a time index are reversed: sorting restores woodwork's order.
        let batches = read
            .schema
            .dataframes
            .iter()
            .zip(&read.data)
            .map(|(df, b)| {
                let b = if df.time_index.is_some() {
                    let rev: Vec<u32> = (0..b.num_rows() as u32).rev().collect();
                    arrow_select::take::take_record_batch(b, &arrow_array::UInt32Array::from(rev))
                        .unwrap()
                } else {
                    b.clone()
                };
                (df.name.clone(), b)
            })
            .collect();
        let built = entityset_from_batches(read.schema.clone(), batches).unwrap();
        assert_eq!(built.data, read.data);
        let missing = vec![("customers".to_string(), read.data[0].clone())];
        let err = entityset_from_batches(read.schema.clone(), missing).unwrap_err();
        assert!(err.to_string().contains("no data was given"), "{err}");
    }

    #[test]
    fn a_dictionary_column_is_recoded_to_the_schema_categories() {
        let mut c = ColumnSchema::new("device", "Categorical").unwrap();
        c.categories = Some(vec!["desktop".into(), "mobile".into(), "tablet".into()]);
        // pandas' order differs from the schema's, and "tablet" is unused.
        let a: DictionaryArray<arrow_array::types::Int8Type> =
            vec![Some("mobile"), None, Some("desktop"), Some("mobile")]
                .into_iter()
                .collect();
        let a: ArrayRef = Arc::new(a);
        let fast = conform(&c, &a).unwrap();
        let text = arrow_cast::cast(&a, &DataType::Utf8).unwrap();
        let slow = category_column(&c, text.as_string::<i32>().iter()).unwrap();
        assert_eq!(&fast, &slow);
        assert_eq!(fast.as_dictionary::<Int32Type>().values().len(), 3);
        // A value outside the categories takes the row-by-row path, which names the row.
        c.categories = Some(vec!["desktop".into()]);
        let err = conform(&c, &a).unwrap_err();
        assert!(err.contains("row 1: value 'mobile'"), "{err}");
    }

    #[test]
    fn na_values_are_those_of_pandas() {
        for v in ["", "NA", "NaN", "nan", "null", "<NA>", "#N/A N/A"] {
            assert!(is_na(v), "{v}");
        }
        assert!(!is_na("none") && !is_na("0"));
    }
}
