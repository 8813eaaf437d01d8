//! Assembling the feature matrix featuretools returns, and writing it to CSV, Parquet or Arrow IPC.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrayRef, RecordBatch, TimestampNanosecondArray, UInt32Array};
use arrow_schema::{DataType, Field, Schema};

use crate::calc::{self, Plan, Query, TimeOptions};
use crate::cutoff::Cutoff;
use crate::entityset::EntitySet;
use crate::error::{Error, Result};
use crate::features::FeatureGraph;
use crate::time::format_datetime;

/// Options of `calculate_feature_matrix` beyond the cutoff.
#[derive(Debug, Clone, Copy, Default)]
pub struct MatrixOptions {
    /// Time filtering.
    pub time: TimeOptions,
    /// Keep the cutoff time as a `time` column after the index (`cutoff_time_in_index=True`).
    pub cutoff_time_in_index: bool,
}

/// Computes the feature matrix in this process: featuretools' `calculate_feature_matrix`.
///
/// Rows come in cutoff-table order (target dataframe order without a table); columns are the
/// target index, `time` when asked, the features in order, then the table's label columns.
/// The features are computed on every core ([`calc::Threads::All`]); the matrix is the one a
/// single thread computes, bit for bit.
pub fn calculate_feature_matrix(
    es: &EntitySet,
    graph: &FeatureGraph,
    cutoff: &Cutoff,
    opts: &MatrixOptions,
) -> Result<RecordBatch> {
    let control = calc::Control {
        threads: calc::Threads::All,
        ..Default::default()
    };
    calculate_feature_matrix_with(es, graph, cutoff, opts, control)
}

/// [`calculate_feature_matrix`], stopped by and reporting to `control` (Ctrl-C and the
/// progress bar of the Python package's in-process calculation).
pub fn calculate_feature_matrix_with(
    es: &EntitySet,
    graph: &FeatureGraph,
    cutoff: &Cutoff,
    opts: &MatrixOptions,
    control: calc::Control<'_>,
) -> Result<RecordBatch> {
    let target = es.df_position(graph.target()).map_err(|_| {
        Error::feature(
            &graph.features[graph.requested[0]].unique_name,
            format!(
                "target dataframe '{}' is not in the entity set",
                graph.target()
            ),
        )
    })?;
    let (queries, ids, extra) = queries_for(es, target, cutoff, &opts.time)?;
    let values = calc::calculate_controlled(
        es,
        graph,
        &queries,
        &opts.time,
        &Default::default(),
        control,
    )?;
    assemble(
        &es.schema,
        target,
        graph,
        &queries,
        ids,
        values,
        extra,
        opts.cutoff_time_in_index,
    )
}

/// featuretools' warnings for these options: "Using training_window but last_time_index is not
/// set for dataframe X", once for each dataframe the features visit that has a time index and no
/// last time index (`EntitySet._handle_time`).
pub fn warnings(
    schema: &crate::schema::EntitySetSchema,
    graph: &FeatureGraph,
    opts: &MatrixOptions,
) -> Vec<String> {
    if opts.time.training_window.is_none() {
        return Vec::new();
    }
    let Ok(plan) = EntitySet::empty(schema.clone()).and_then(|es| Plan::build(&es, graph)) else {
        return Vec::new();
    };
    let mut seen = Vec::new();
    for node in &plan.nodes {
        let df = &schema.dataframes[node.df];
        if df.time_index.is_some() && df.last_time_index.is_none() && !seen.contains(&node.df) {
            seen.push(node.df);
        }
    }
    seen.into_iter()
        .map(|d| {
            format!(
                "Using training_window but last_time_index is not set for dataframe {}",
                schema.dataframes[d].name
            )
        })
        .collect()
}

/// "No cutoff" as featuretools takes it: `np.inf` for numeric time indexes, else [`now`].
pub fn now_for(schema: &crate::schema::EntitySetSchema) -> i64 {
    if schema.numeric_time() {
        crate::time::numeric_time_key(f64::INFINITY)
    } else {
        now()
    }
}

/// The current time as featuretools takes it for "no cutoff" (`datetime.now()`, local time).
pub fn now() -> i64 {
    chrono::Local::now()
        .naive_local()
        .and_utc()
        .timestamp_nanos_opt()
        .unwrap_or(i64::MAX)
}

/// Named columns.
pub type Columns = Vec<(String, ArrayRef)>;

/// The queries of a cutoff: (target row, time) in output order, the instance ids, and label columns.
pub fn queries_for(
    es: &EntitySet,
    target: usize,
    cutoff: &Cutoff,
    time: &TimeOptions,
) -> Result<(Vec<Query>, ArrayRef, Columns)> {
    let index_name = &es.schema.dataframes[target].index;
    let index_col = es.column(target, index_name).expect("validated index");
    match cutoff {
        Cutoff::Table(t) => {
            let rows = t.rows(es, target)?;
            let queries = rows
                .into_iter()
                .zip(&t.times)
                .map(|(row, &time)| Query { row, time })
                .collect();
            Ok((queries, t.ids.clone(), t.extra.clone()))
        }
        Cutoff::Now | Cutoff::At(_) => {
            let t = match cutoff {
                Cutoff::At(t) => *t,
                _ => now_for(&es.schema),
            };
            let rows = calc::visible_rows(es, target, t, time);
            let ids = arrow_select::take::take(
                index_col.as_ref(),
                &UInt32Array::from(rows.clone()),
                None,
            )
            .map_err(|e| Error::arrow("instance ids", e))?;
            Ok((
                rows.into_iter()
                    .map(|r| Query {
                        row: Some(r),
                        time: t,
                    })
                    .collect(),
                ids,
                Vec::new(),
            ))
        }
    }
}

/// Puts the matrix together: index, optional time, feature outputs, label columns (a label
/// named like a feature replaces that feature's values).
#[allow(clippy::too_many_arguments)]
pub fn assemble(
    schema: &crate::schema::EntitySetSchema,
    target: usize,
    graph: &FeatureGraph,
    queries: &[Query],
    ids: ArrayRef,
    values: Vec<ArrayRef>,
    extra: Columns,
    in_index: bool,
) -> Result<RecordBatch> {
    let mut values: Vec<Option<ArrayRef>> = values.into_iter().map(Some).collect();
    let cols = layout(schema, target, graph, queries, ids, extra, in_index)
        .into_iter()
        .map(|(name, slot)| {
            let a = match slot {
                Slot::Ready(a) => a,
                Slot::Value(c) => values
                    .get_mut(c)
                    .and_then(Option::take)
                    .ok_or_else(|| Error::Internal(format!("no values for column '{name}'")))?,
            };
            Ok((name, a))
        })
        .collect::<Result<Columns>>()?;
    named_batch(cols, "assembling the feature matrix")
}

/// A column of a matrix [`layout`] lays out: ready, or the values of feature output `c` (in
/// [`FeatureGraph::output_names`] order).
pub enum Slot {
    /// The column itself (index, time, a label).
    Ready(ArrayRef),
    /// Feature output `c`'s values, computed by the caller.
    Value(usize),
}

/// The columns of the matrix [`assemble`] puts together, in order, the feature outputs' values
/// left to be filled in: index, optional time, feature outputs, label columns (a label named
/// like a feature takes that feature's place).
pub fn layout(
    schema: &crate::schema::EntitySetSchema,
    target: usize,
    graph: &FeatureGraph,
    queries: &[Query],
    ids: ArrayRef,
    extra: Columns,
    in_index: bool,
) -> Vec<(String, Slot)> {
    let mut cols: Vec<(String, Slot)> =
        vec![(schema.dataframes[target].index.clone(), Slot::Ready(ids))];
    if in_index {
        let times: ArrayRef = if schema.numeric_time() {
            let v: Vec<f64> = queries
                .iter()
                .map(|q| crate::time::numeric_time_value(q.time))
                .collect();
            if v.iter().all(|x| x.fract() == 0.0 && x.abs() < 9e15) {
                Arc::new(arrow_array::Int64Array::from(
                    v.iter().map(|&x| x as i64).collect::<Vec<_>>(),
                ))
            } else {
                Arc::new(arrow_array::Float64Array::from(v))
            }
        } else {
            Arc::new(TimestampNanosecondArray::from(
                queries.iter().map(|q| q.time).collect::<Vec<_>>(),
            ))
        };
        cols.push(("time".into(), Slot::Ready(times)));
    }
    let first = cols.len();
    cols.extend(
        graph
            .output_names()
            .into_iter()
            .enumerate()
            .map(|(c, n)| (n, Slot::Value(c))),
    );
    // A label column named like a feature takes that feature's place, as featuretools'
    // `calculate_chunk` assigns it (`_feature_matrix[col] = pass_through[col]`).
    for (name, label) in extra {
        match cols[first..].iter().position(|(n, _)| *n == name) {
            Some(p) => cols[first + p].1 = Slot::Ready(label),
            None => cols.push((name, Slot::Ready(label))),
        }
    }
    cols
}

/// A record batch of named columns (all nullable).
pub fn named_batch(cols: Columns, context: &str) -> Result<RecordBatch> {
    let fields: Vec<Field> = cols
        .iter()
        .map(|(n, a)| Field::new(n, a.data_type().clone(), true))
        .collect();
    RecordBatch::try_new(
        Arc::new(Schema::new(fields)),
        cols.into_iter().map(|(_, a)| a).collect(),
    )
    .map_err(|e| Error::arrow(context, e))
}

/// The permissions of a new output file, as `File::create` gives them (read and write for
/// everyone, less the umask): the temporary file an output is written to before it is renamed
/// would be readable by its owner only.
#[cfg(unix)]
pub fn new_file_permissions() -> std::fs::Permissions {
    use std::os::unix::fs::PermissionsExt;
    std::fs::Permissions::from_mode(0o666)
}

/// The output format of `path` by its extension (`csv`, `parquet`, `arrow`, `ipc`, `feather`),
/// or an error naming it.
pub fn check_output_path(path: &Path) -> Result<String> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if !matches!(
        ext.as_str(),
        "csv" | "parquet" | "arrow" | "ipc" | "feather"
    ) {
        return Err(Error::Invalid(format!(
            "{}: output must end in .csv, .parquet or .arrow",
            path.display()
        )));
    }
    Ok(ext)
}

/// Writes a matrix to `path` (CSV, Parquet or Arrow IPC by extension) through a temporary file
/// renamed into place, so a failed run leaves no partial output. Parquet and Arrow files hold
/// featuretools' column types and the `pandas` metadata ([`crate::pandas::MatrixTypes`]), so
/// pandas reads them back as featuretools' matrix; CSV holds pandas' `to_csv` text.
pub fn write_matrix(
    batch: &RecordBatch,
    path: &Path,
    types: &crate::pandas::MatrixTypes,
) -> Result<()> {
    let ext = check_output_path(path)?;
    write_through_temporary(path, |file| {
        let typed;
        let batch = if ext == "csv" {
            batch
        } else {
            typed = types.apply(batch)?;
            &typed
        };
        let io = |e: std::io::Error| Error::io(path, e);
        match ext.as_str() {
            "csv" => write_csv(batch, &mut std::io::BufWriter::new(&mut *file)).map_err(io)?,
            "parquet" => crate::parquet_out::write(batch, &mut *file)?,
            _ => {
                let mut w = arrow_ipc::writer::FileWriter::try_new(&mut *file, &batch.schema())
                    .map_err(|e| Error::arrow("writing Arrow", e))?;
                w.write(batch)
                    .map_err(|e| Error::arrow("writing Arrow", e))?;
                w.finish().map_err(|e| Error::arrow("writing Arrow", e))?;
            }
        }
        Ok(())
    })
}

/// [`write_matrix`] of the parts' matrices merged. A Parquet file is written one column at a
/// time, each column merged, typed and encoded and then dropped, so that the merged matrix is
/// never held (the same file as [`write_matrix`] of the whole matrix); other formats get the
/// whole matrix.
pub fn write_merged(
    merged: crate::compute::Merged,
    path: &Path,
    types: &crate::pandas::MatrixTypes,
) -> Result<()> {
    if check_output_path(path)? != "parquet" {
        return write_matrix(&merged.into_batch()?, path, types);
    }
    let typing = types.columns(merged.names())?;
    write_through_temporary(path, |file| {
        crate::parquet_out::write_columns(
            &mut *file,
            merged.num_rows(),
            merged.names().len(),
            &|i| {
                let (array, typed) = typing.column(i, &merged.column(i)?)?;
                Ok((array, typed.field().clone(), typed))
            },
            |typed| typing.schema(typed),
        )
    })
}

/// Runs `write` on a temporary file next to `path`, flushes it to disk and renames it to
/// `path`: a failed write leaves no partial output.
fn write_through_temporary(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> Result<()>,
) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".ftpart-")
        .permissions(crate::matrix::new_file_permissions())
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir, e))?;
    write(tmp.as_file_mut())?;
    tmp.as_file_mut()
        .sync_all()
        .map_err(|e| Error::io(path, e))?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

/// One cell as pandas' `to_csv` writes it (missing → empty).
pub fn cell(a: &ArrayRef, i: usize) -> String {
    let mut s = String::new();
    write_cell(a, i, &mut s);
    s
}

const DAY_NS: i64 = 86_400_000_000_000;

/// Whether every value of rows `from..to` of a duration column is a whole number of days.
fn durations_in_whole_days(a: &ArrayRef, from: usize, to: usize) -> bool {
    let Some(d) = a.as_primitive_opt::<arrow_array::types::DurationNanosecondType>() else {
        return false;
    };
    (from..to).all(|i| d.is_null(i) || d.value(i) % DAY_NS == 0)
}

/// A timedelta as pandas writes it: `-2 days`, or `-1 days +23:59:59.999999999`.
fn format_timedelta(ns: i64, whole_days: bool, out: &mut String) {
    use std::fmt::Write as _;
    let days = ns.div_euclid(DAY_NS);
    if whole_days {
        let _ = write!(out, "{days} days");
        return;
    }
    let rem = ns.rem_euclid(DAY_NS);
    let secs = rem / 1_000_000_000;
    let frac = rem % 1_000_000_000;
    let sign = if ns < 0 { " +" } else { " " };
    let _ = write!(
        out,
        "{days} days{sign}{:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    );
    if frac != 0 {
        let _ = write!(out, ".{:06}", frac / 1000);
        if frac % 1000 != 0 {
            let _ = write!(out, "{:03}", frac % 1000);
        }
    }
}

/// Appends one cell as pandas' `to_csv` writes it (missing → nothing).
fn write_cell(a: &ArrayRef, i: usize, out: &mut String) {
    if a.is_null(i) {
        return;
    }
    match a.data_type() {
        DataType::Duration(_) => {
            let v = a
                .as_primitive::<arrow_array::types::DurationNanosecondType>()
                .value(i);
            format_timedelta(v, v % DAY_NS == 0, out)
        }
        DataType::Float64 => python_float(a.as_primitive::<Float64Type>().value(i), out),
        DataType::Int64 => {
            out.push_str(itoa::Buffer::new().format(a.as_primitive::<Int64Type>().value(i)))
        }
        DataType::Boolean => out.push_str(if a.as_boolean().value(i) {
            "True"
        } else {
            "False"
        }),
        DataType::Timestamp(_, _) => out.push_str(&format_datetime(
            a.as_primitive::<TimestampNanosecondType>().value(i),
        )),
        DataType::Utf8 => out.push_str(a.as_string::<i32>().value(i)),
        DataType::Dictionary(_, _) => {
            let d = a.as_dictionary::<Int32Type>();
            let k = d.keys().value(i) as usize;
            write_cell(d.values(), k, out)
        }
        _ => {
            if let Ok(f) =
                arrow_cast::display::ArrayFormatter::try_new(a.as_ref(), &Default::default())
            {
                out.push_str(&f.value(i).to_string())
            }
        }
    }
}

/// `repr(v)` of a float, as Python writes it (see [`python_float`]).
pub fn python_float_text(v: f64) -> String {
    let mut s = String::new();
    python_float(v, &mut s);
    s
}

/// Appends `repr(v)` as Python writes a float: the shortest digits that read back as `v`, in
/// positional notation when the decimal point falls within 16 digits of them
/// (`1000000000000000.0`, `0.0001`), else in scientific notation (`1e+16`, `1.5e-05`).
fn python_float(v: f64, out: &mut String) {
    if !v.is_finite() {
        // pandas writes NaN as a missing value.
        out.push_str(if v.is_nan() {
            ""
        } else if v > 0.0 {
            "inf"
        } else {
            "-inf"
        });
        return;
    }
    let mut buf = ryu::Buffer::new();
    let s = buf.format_finite(v);
    let (s, negative) = match s.strip_prefix('-') {
        Some(rest) => (rest, true),
        None => (s, false),
    };
    let (mantissa, exp) = match s.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
        None => (s, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    // v = 0.DIGITS × 10^decpt
    let (digits, decpt): (String, i32) = if int.trim_start_matches('0').is_empty() {
        let zeros = frac.len() - frac.trim_start_matches('0').len();
        (frac[zeros..].to_string(), exp - zeros as i32)
    } else {
        let int = int.trim_start_matches('0');
        (format!("{int}{frac}"), int.len() as i32 + exp)
    };
    let digits = digits.trim_end_matches('0');
    if negative {
        out.push('-');
    }
    if digits.is_empty() {
        out.push_str("0.0");
        return;
    }
    let n = digits.len() as i32;
    if decpt > -4 && decpt <= 16 {
        if decpt <= 0 {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-decpt) as usize));
            out.push_str(digits);
        } else if decpt >= n {
            out.push_str(digits);
            out.extend(std::iter::repeat_n('0', (decpt - n) as usize));
            out.push_str(".0");
        } else {
            out.push_str(&digits[..decpt as usize]);
            out.push('.');
            out.push_str(&digits[decpt as usize..]);
        }
    } else {
        out.push_str(&digits[..1]);
        if n > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let e = decpt - 1;
        out.push_str(if e < 0 { "e-" } else { "e+" });
        if e.abs() < 10 {
            out.push('0');
        }
        out.push_str(itoa::Buffer::new().format(e.abs()));
    }
}

/// Writes CSV as pandas does: a header, then one line per row.
pub fn write_csv(batch: &RecordBatch, out: &mut impl Write) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(batch.schema().fields().iter().map(|f| f.name().as_str()))?;
    let mut field = String::new();
    // pandas writes rows in chunks of 100000 // columns and formats a timedelta column per
    // chunk: "N days" when every value of the chunk is whole days, else the long form.
    let chunk = (100_000 / batch.num_columns().saturating_sub(1).max(1)).max(1);
    let mut whole_days = vec![false; batch.num_columns()];
    for i in 0..batch.num_rows() {
        if i % chunk == 0 {
            for (c, col) in batch.columns().iter().enumerate() {
                whole_days[c] = durations_in_whole_days(col, i, (i + chunk).min(batch.num_rows()));
            }
        }
        for (c, col) in batch.columns().iter().enumerate() {
            field.clear();
            match col.data_type() {
                DataType::Duration(_) if col.is_valid(i) => format_timedelta(
                    col.as_primitive::<arrow_array::types::DurationNanosecondType>()
                        .value(i),
                    whole_days[c],
                    &mut field,
                ),
                _ => write_cell(col, i, &mut field),
            }
            w.write_field(&field)?;
        }
        w.write_record(None::<&[u8]>)?;
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::python_float;

    #[test]
    fn timedeltas_are_written_as_pandas_writes_them() {
        // pd.Series(pd.to_timedelta([...])).to_csv(): examples from pandas 2.2.3.
        let long = |ns: i64| {
            let mut s = String::new();
            super::format_timedelta(ns, false, &mut s);
            s
        };
        const H: i64 = 3_600_000_000_000;
        assert_eq!(long(H), "0 days 01:00:00");
        assert_eq!(long(-H), "-1 days +23:00:00");
        assert_eq!(long(-48 * H), "-2 days +00:00:00");
        assert_eq!(long(1_500_000_000), "0 days 00:00:01.500000");
        assert_eq!(long(2_000), "0 days 00:00:00.000002");
        assert_eq!(long(1), "0 days 00:00:00.000000001");
        assert_eq!(long(-1), "-1 days +23:59:59.999999999");
        assert_eq!(
            long(3 * 24 * H + 5_123_456_789),
            "3 days 00:00:05.123456789"
        );
        let mut s = String::new();
        super::format_timedelta(-48 * H, true, &mut s);
        assert_eq!(s, "-2 days");
    }

    #[test]
    fn floats_are_written_as_python_repr_writes_them() {
        // Each pair: a value and Python 3.11's repr() of it.
        let cases = [
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (123.456, "123.456"),
            (-0.0, "-0.0"),
            (0.0, "0.0"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1.2345678901234568e17, "1.2345678901234568e+17"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (-2.5e-5, "-2.5e-05"),
            (1234567.0, "1234567.0"),
            (9007199254740993.0, "9007199254740992.0"),
            (f64::INFINITY, "inf"),
            (f64::NAN, ""),
        ];
        for (v, want) in cases {
            let mut s = String::new();
            python_float(v, &mut s);
            assert_eq!(s, want, "{v:e}");
        }
    }
}
