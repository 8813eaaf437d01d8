//! Transforms whose value for a row depends on the rows before it, as featuretools computes
//! them on the pandas Series of a column in the dataframe's order
//! (`featuretools/primitives/standard/transform/`):
//!
//! - over the whole dataframe (`uses_full_dataframe`): DIFF, DIFF_DATETIME, LAG, NUMERIC_LAG,
//!   PERCENTILE, RATE_OF_CHANGE;
//! - over the rows fetched at a cutoff ([`Transform::reads_frame`]): ABSOLUTE_DIFF,
//!   PERCENT_CHANGE, SAME_AS_PREVIOUS, TIME_SINCE_PREVIOUS, CUMULATIVE_TIME_SINCE_LAST_TRUE,
//!   CUMULATIVE_TIME_SINCE_LAST_FALSE.
//!
//! Also the helpers the rolling, expanding and exponential families share: numpy's pairwise
//! sum, pandas' fixed offset aliases, shifting.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{Array, ArrayRef, BooleanArray, DurationNanosecondArray, UInt32Array};
use arrow_schema::DataType;

use super::{Dtype, Transform};
use crate::primitives::registry::{Args, Entry};
use crate::primitives::timedelta_total_seconds;
use crate::primitives::{booleans, float_out, timestamps, to_f64, Implementation};

/// How missing values are filled first (`fillna(method=..., limit=...)`).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Fill {
    /// `bfill` / `backfill` (else `ffill` / `pad`).
    backward: bool,
    /// At most this many consecutive missing values are filled.
    limit: Option<usize>,
}

/// A transform of this file.
#[derive(Debug, Clone, PartialEq)]
enum Series {
    /// `values.shift(periods).diff()`.
    Diff { periods: i64 },
    /// DIFF of datetimes: a timedelta.
    DiffDatetime { periods: i64 },
    /// `x.shift(periods)`, of the input's type.
    Lag { periods: i64 },
    /// `x.shift(periods, fill_value=fill)`.
    NumericLag { periods: i64, fill: Option<f64> },
    /// `x.rank(pct=True)`.
    Percentile,
    /// `values.diff() / time.diff().dt.total_seconds()`.
    RateOfChange,
    /// `data.fillna(...).diff().abs()`.
    AbsoluteDiff(Fill),
    /// `data.pct_change(periods, fill_method, limit)`.
    PercentChange { periods: i64, fill: Fill },
    /// `x.fillna(...)`, then `x.eq(x.shift())`, the first False.
    SameAsPrevious(Fill),
    /// `convert_time_units(values.diff().apply(Timedelta.total_seconds), unit)`.
    TimeSincePrevious { divisor: f64 },
    /// Seconds since the last row whose boolean is `.0` (CUMULATIVE_TIME_SINCE_LAST_TRUE/FALSE).
    TimeSinceLast(bool),
}

fn entry(s: Series) -> Result<Implementation, String> {
    Ok(Implementation::Transform(Arc::new(s)))
}

/// `method` / `fill_method` and `limit` as featuretools' constructors check them, and pandas'
/// `limit` (`Limit must be greater than 0`).
fn fill(a: &Args, method_arg: &str, default: &str) -> Result<Fill, String> {
    let method = a.choice(method_arg, default, &["backfill", "bfill", "pad", "ffill"])?;
    let limit = match a.opt_int("limit")? {
        None => None,
        Some(l) if l >= 1 => Some(l as usize),
        Some(l) => return Err(a.error("limit", format!("is {l}; pandas needs a limit above 0"))),
    };
    Ok(Fill {
        backward: method == "backfill" || method == "bfill",
        limit,
    })
}

/// `convert_time_units`' divisors (`featuretools/utils/time_utils.py`).
const UNITS: &[(&str, f64)] = &[
    ("years", 31540000.0),
    ("months", 2628000.0),
    ("days", 86400.0),
    ("hours", 3600.0),
    ("minutes", 60.0),
    ("seconds", 1.0),
    ("milliseconds", 0.001),
    ("nanoseconds", 0.000000001),
];

pub(crate) const ENTRIES: &[Entry] = &[
    Entry {
        class: "Diff",
        make: |a| {
            entry(Series::Diff {
                periods: a.int("periods", 0)?,
            })
        },
    },
    Entry {
        class: "DiffDatetime",
        make: |a| {
            entry(Series::DiffDatetime {
                periods: a.int("periods", 0)?,
            })
        },
    },
    Entry {
        class: "Lag",
        make: |a| {
            entry(Series::Lag {
                periods: a.int("periods", 1)?,
            })
        },
    },
    Entry {
        class: "NumericLag",
        make: |a| {
            let fill = match a.value("fill_value") {
                None => None,
                Some(v) => Some(v.as_f64().ok_or_else(|| {
                    a.error(
                        "fill_value",
                        format!("is {v}; ftpart fills with numbers only"),
                    )
                })?),
            };
            entry(Series::NumericLag {
                periods: a.int("periods", 1)?,
                fill,
            })
        },
    },
    Entry {
        class: "Percentile",
        make: |_| entry(Series::Percentile),
    },
    Entry {
        class: "RateOfChange",
        make: |_| entry(Series::RateOfChange),
    },
    Entry {
        class: "AbsoluteDiff",
        make: |a| entry(Series::AbsoluteDiff(fill(a, "method", "ffill")?)),
    },
    Entry {
        class: "PercentChange",
        make: |a| {
            if let Some(v) = a.value("freq") {
                return Err(a.error(
                    "freq",
                    format!(
                        "is {v}; pandas shifts by a frequency along a datetime index, and \
                         featuretools' series are indexed by the dataframe's index"
                    ),
                ));
            }
            entry(Series::PercentChange {
                periods: a.int("periods", 1)?,
                fill: fill(a, "fill_method", "pad")?,
            })
        },
    },
    Entry {
        class: "SameAsPrevious",
        make: |a| entry(Series::SameAsPrevious(fill(a, "fill_method", "pad")?)),
    },
    Entry {
        class: "TimeSincePrevious",
        make: |a| {
            let unit = a.text("unit", "seconds")?.to_lowercase();
            let divisor = UNITS
                .iter()
                .find(|(u, _)| *u == unit)
                .map(|(_, d)| *d)
                .ok_or_else(|| {
                    a.error(
                        "unit",
                        format!(
                            "is '{unit}'; featuretools' convert_time_units knows {}",
                            UNITS.iter().map(|(u, _)| *u).collect::<Vec<_>>().join(", ")
                        ),
                    )
                })?;
            entry(Series::TimeSincePrevious { divisor })
        },
    },
    Entry {
        class: "CumulativeTimeSinceLastTrue",
        make: |_| entry(Series::TimeSinceLast(true)),
    },
    Entry {
        class: "CumulativeTimeSinceLastFalse",
        make: |_| entry(Series::TimeSinceLast(false)),
    },
];

impl Transform for Series {
    fn arity(&self) -> usize {
        match self {
            Series::Lag { .. }
            | Series::NumericLag { .. }
            | Series::RateOfChange
            | Series::TimeSinceLast(_) => 2,
            _ => 1,
        }
    }

    fn uses_full_dataframe(&self) -> bool {
        matches!(
            self,
            Series::Diff { .. }
                | Series::DiffDatetime { .. }
                | Series::Lag { .. }
                | Series::NumericLag { .. }
                | Series::Percentile
                | Series::RateOfChange
        )
    }

    fn reads_frame(&self) -> bool {
        !self.uses_full_dataframe()
    }

    /// PERCENTILE is numpy `float64` (`rank`); the others follow their input (`Int64` and
    /// `string` shifts and `Int64` differences keep their dtype, `x.eq(x.shift())` of a masked
    /// column is `boolean`).
    fn dtype(&self, inputs: &[Dtype]) -> Dtype {
        match self {
            Series::Percentile => Dtype::Numpy,
            // `shift` keeps a `string` column's dtype
            Series::Lag { .. } if inputs.first() == Some(&Dtype::String) => Dtype::String,
            _ => Dtype::masked_if(inputs.contains(&Dtype::Masked)),
        }
    }

    fn transform(
        &self,
        inputs: &[ArrayRef],
        dtypes: &[Dtype],
        _times: &[i64],
    ) -> Result<ArrayRef, String> {
        let input = |k: usize| {
            inputs
                .get(k)
                .ok_or_else(|| format!("{self:?} takes {} inputs", self.arity()))
        };
        let a = input(0)?;
        let n = a.len();
        let masked = dtypes.first() == Some(&Dtype::Masked);
        Ok(match self {
            Series::Diff { periods } => float_out(diff(&numbers(a)?.shift(*periods))),
            Series::DiffDatetime { periods } => {
                let t = shift(&timestamps(a)?, *periods);
                let out: DurationNanosecondArray = (0..n)
                    .map(|i| match (i.checked_sub(1).and_then(|j| t[j]), t[i]) {
                        (Some(prev), Some(cur)) => Some(cur.wrapping_sub(prev)),
                        _ => None,
                    })
                    .collect();
                Arc::new(out)
            }
            // `Series.shift(periods, fill_value=None)`: the input's values, missing where the
            // shift leaves no row (pandas' result is of the input's logical type).
            Series::Lag { periods } => {
                let idx: UInt32Array = (0..n).map(|i| source(i, *periods, n)).collect();
                arrow_select::take::take(a.as_ref(), &idx, None).map_err(|e| e.to_string())?
            }
            Series::NumericLag { periods, fill } => {
                let v = to_f64(input(1)?)?;
                let fill = fill.unwrap_or(f64::NAN);
                float_out(
                    (0..v.len())
                        .map(|i| source(i, *periods, v.len()).map_or(fill, |j| v[j as usize]))
                        .collect(),
                )
            }
            Series::Percentile => percentile(a, masked)?,
            Series::RateOfChange => {
                let values = diff(&numbers(a)?);
                let t = timestamps(input(1)?)?;
                float_out(
                    (0..n)
                        .map(|i| {
                            let dt = match (i.checked_sub(1).and_then(|j| t[j]), t[i]) {
                                (Some(p), Some(c)) => c.wrapping_sub(p) as f64 / 1e9,
                                _ => f64::NAN,
                            };
                            values[i] / dt
                        })
                        .collect(),
                )
            }
            Series::AbsoluteDiff(f) => float_out(
                diff(&numbers(a)?.fill(*f))
                    .iter()
                    .map(|d| d.abs())
                    .collect(),
            ),
            Series::PercentChange { periods, fill } => {
                let data = numbers(a)?.fill(*fill).as_f64();
                let shifted = shift_values(&data, *periods, f64::NAN);
                float_out(
                    data.iter()
                        .zip(&shifted)
                        .map(|(x, s)| x / s - 1.0)
                        .collect(),
                )
            }
            Series::SameAsPrevious(f) => same_as_previous(a, *f, masked)?,
            Series::TimeSincePrevious { divisor } => {
                let t = timestamps(a)?;
                float_out(
                    (0..n)
                        .map(|i| match (i.checked_sub(1).and_then(|j| t[j]), t[i]) {
                            (Some(p), Some(c)) => timedelta_total_seconds(c.wrapping_sub(p)),
                            _ => f64::NAN,
                        })
                        .map(|s| s / divisor)
                        .collect(),
                )
            }
            Series::TimeSinceLast(target) => time_since_last(a, input(1)?, *target)?,
        })
    }
}

/// Row `i`'s source row under `shift(periods)`, when there is one.
pub(super) fn source(i: usize, periods: i64, n: usize) -> Option<u32> {
    let j = i as i64 - periods;
    (0 <= j && j < n as i64).then_some(j as u32)
}

/// `shift(periods)` of optional values.
fn shift<T: Copy>(v: &[Option<T>], periods: i64) -> Vec<Option<T>> {
    (0..v.len())
        .map(|i| source(i, periods, v.len()).and_then(|j| v[j as usize]))
        .collect()
}

/// `shift(periods)` of numbers, `fill` where no row is shifted in.
pub(super) fn shift_values(v: &[f64], periods: i64, fill: f64) -> Vec<f64> {
    (0..v.len())
        .map(|i| source(i, periods, v.len()).map_or(fill, |j| v[j as usize]))
        .collect()
}

/// A numeric column as pandas holds it: integers (`int64` / `Int64`) subtract as integers.
enum Numbers {
    Ints(Vec<Option<i64>>),
    Floats(Vec<f64>),
}

fn numbers(a: &ArrayRef) -> Result<Numbers, String> {
    Ok(if *a.data_type() == DataType::Int64 {
        let x = a.as_primitive::<Int64Type>();
        Numbers::Ints(
            (0..x.len())
                .map(|i| x.is_valid(i).then(|| x.value(i)))
                .collect(),
        )
    } else {
        Numbers::Floats(to_f64(a)?)
    })
}

impl Numbers {
    fn shift(self, periods: i64) -> Numbers {
        match self {
            Numbers::Ints(v) => Numbers::Ints(shift(&v, periods)),
            Numbers::Floats(v) => Numbers::Floats(shift_values(&v, periods, f64::NAN)),
        }
    }

    fn fill(self, f: Fill) -> Numbers {
        match self {
            Numbers::Ints(mut v) => {
                fill_missing(&mut v, f);
                Numbers::Ints(v)
            }
            Numbers::Floats(v) => {
                let mut o: Vec<Option<f64>> =
                    v.iter().map(|x| (!x.is_nan()).then_some(*x)).collect();
                fill_missing(&mut o, f);
                Numbers::Floats(o.into_iter().map(|x| x.unwrap_or(f64::NAN)).collect())
            }
        }
    }

    fn as_f64(&self) -> Vec<f64> {
        match self {
            Numbers::Ints(v) => v.iter().map(|x| x.map_or(f64::NAN, |x| x as f64)).collect(),
            Numbers::Floats(v) => v.clone(),
        }
    }
}

/// `Series.diff()`: integers subtract as integers (pandas' `diff_2d` on int64, masked
/// arithmetic on Int64), then become floats.
fn diff(x: &Numbers) -> Vec<f64> {
    match x {
        Numbers::Ints(v) => (0..v.len())
            .map(|i| match (i.checked_sub(1).and_then(|j| v[j]), v[i]) {
                (Some(p), Some(c)) => c.wrapping_sub(p) as f64,
                _ => f64::NAN,
            })
            .collect(),
        Numbers::Floats(v) => (0..v.len())
            .map(|i| if i == 0 { f64::NAN } else { v[i] - v[i - 1] })
            .collect(),
    }
}

/// pandas' `pad_or_backfill` with `limit`: each run of missing values takes the value before
/// it (after it, backward), at most `limit` of the run (the ones nearest that value).
fn fill_missing<T: Copy>(v: &mut [Option<T>], f: Fill) {
    let limit = f.limit.unwrap_or(usize::MAX);
    let n = v.len();
    let step = |k: usize| if f.backward { n - 1 - k } else { k };
    let mut last: Option<T> = None;
    let mut run = 0usize;
    for k in 0..n {
        let i = step(k);
        match v[i] {
            Some(x) => {
                last = Some(x);
                run = 0;
            }
            None => {
                run += 1;
                if run <= limit {
                    v[i] = last;
                }
            }
        }
    }
}

/// `Series.rank(pct=True)`: average ranks of ties over the non-missing values, missing stays
/// missing. A numpy integer column with missing values is a `float64` one in pandas.
fn percentile(a: &ArrayRef, masked: bool) -> Result<ArrayRef, String> {
    let n = a.len();
    let mut rows: Vec<u32>;
    let ints = *a.data_type() == DataType::Int64 && (masked || a.null_count() == 0);
    let v = to_f64(a)?;
    if ints {
        // pandas ranks an Int64 column's stored values, the ones under the missing-value mask
        // included (`BaseMaskedArray._values_for_argsort` is `_data`): their rank depends on
        // bytes that are not data (1 after `astype`, 0 after `read_csv`).
        if a.null_count() > 0 {
            return Err(
                "PERCENTILE of an integer column with missing values: pandas ranks the \
                        values stored under Int64's missing-value mask, which are not data; \
                        ftpart cannot reproduce it"
                    .into(),
            );
        }
        let x = a.as_primitive::<Int64Type>();
        rows = (0..n as u32).collect();
        rows.sort_by_key(|&i| x.value(i as usize));
    } else {
        rows = (0..n as u32).filter(|&i| !v[i as usize].is_nan()).collect();
        rows.sort_by(|&i, &j| v[i as usize].total_cmp(&v[j as usize]));
    }
    let count = rows.len() as f64;
    let mut out = vec![f64::NAN; n];
    let same = |i: u32, j: u32| {
        if ints {
            a.as_primitive::<Int64Type>().value(i as usize)
                == a.as_primitive::<Int64Type>().value(j as usize)
        } else {
            v[i as usize] == v[j as usize]
        }
    };
    let mut start = 0;
    while start < rows.len() {
        let mut end = start + 1;
        while end < rows.len() && same(rows[start], rows[end]) {
            end += 1;
        }
        // pandas' rank_1d: the sum of the tied 1-based ranks over the number of ties, then
        // divided by the number of values.
        let sum: f64 = ((start + 1)..=end).map(|r| r as f64).sum();
        let rank = sum / (end - start) as f64;
        for &r in &rows[start..end] {
            out[r as usize] = rank / count;
        }
        start = end;
    }
    Ok(float_out(out))
}

/// `x.eq(x.shift())` after the fill, the first False: where a value is missing, NA in a masked
/// column (`Int64`, `Float64`), False in a numpy one (NaN).
fn same_as_previous(a: &ArrayRef, f: Fill, masked: bool) -> Result<ArrayRef, String> {
    let n = a.len();
    let eq = |i: usize, p: Option<bool>| match p {
        _ if i == 0 => Some(false),
        None if masked => None,
        p => Some(p.unwrap_or(false)),
    };
    let out: BooleanArray = match numbers(a)?.fill(f) {
        Numbers::Ints(v) => (0..n)
            .map(|i| eq(i, (|| Some(v[i]? == v[i.checked_sub(1)?]?))()))
            .collect(),
        Numbers::Floats(v) => (0..n)
            .map(|i| {
                let (x, y) = (v[i], v[i.saturating_sub(1)]);
                eq(i, (!x.is_nan() && !y.is_nan()).then_some(x == y))
            })
            .collect(),
    };
    Ok(Arc::new(out))
}

fn time_since_last(t: &ArrayRef, b: &ArrayRef, target: bool) -> Result<ArrayRef, String> {
    let t = timestamps(t)?;
    let b = booleans(b)?;
    let n = t.len();
    // `if bool_col.dropna().empty: return [nan] * len(bool_col)`.
    if b.null_count() == b.len() {
        return Ok(float_out(vec![f64::NAN; n]));
    }
    if b.null_count() > 0 {
        return Err(format!(
            "CUMULATIVE_TIME_SINCE_LAST_{}: the Boolean input has missing values, which \
             featuretools' mask (`df.loc[~bool_col, ...]`) cannot take",
            if target { "TRUE" } else { "FALSE" }
        ));
    }
    // The datetime where the boolean is `target`, forward filled; the row's datetime minus it,
    // in seconds (`.dt.total_seconds()`: nanoseconds / 1e9).
    let mut last: Option<i64> = None;
    let out = (0..n)
        .map(|i| {
            if b.value(i) == target && t[i].is_some() {
                last = t[i];
            }
            match (t[i], last) {
                (Some(c), Some(l)) => c.wrapping_sub(l) as f64 / 1e9,
                _ => f64::NAN,
            }
        })
        .collect();
    Ok(float_out(out))
}

/// numpy's pairwise sum of a contiguous float64 array (`np.add.reduce`, as `Series.sum`,
/// `mean` and `var` add): blocks of 8 partial sums up to 128 values, halves beyond.
pub(super) fn np_sum(a: &[f64]) -> f64 {
    crate::primitives::agg::np_sum(a)
}

/// A pandas offset alias of fixed length (`to_offset`: '1h', '30min', '2D', '1h30min', '1.5h'),
/// in nanoseconds; None when it is not one ftpart knows to be fixed.
pub(super) fn offset_ns(s: &str) -> Option<i64> {
    const UNITS: &[(&str, i64)] = &[
        ("D", 86_400_000_000_000),
        ("d", 86_400_000_000_000),
        ("h", 3_600_000_000_000),
        ("H", 3_600_000_000_000),
        ("min", 60_000_000_000),
        ("T", 60_000_000_000),
        ("s", 1_000_000_000),
        ("S", 1_000_000_000),
        ("ms", 1_000_000),
        ("L", 1_000_000),
        ("us", 1_000),
        ("U", 1_000),
        ("ns", 1),
        ("N", 1),
    ];
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let mut rest = s.as_str();
    let mut total: i128 = 0;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (num, tail) = rest.split_at(num_len);
        let unit_len = tail
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(tail.len());
        let (unit, tail) = tail.split_at(unit_len);
        let unit_ns = UNITS.iter().find(|(u, _)| *u == unit)?.1 as i128;
        // The number as a decimal: digits and a scale.
        let (int, frac) = num.split_once('.').unwrap_or((num, ""));
        if frac.contains('.') || (int.is_empty() && frac.is_empty() && !num.is_empty()) {
            return None;
        }
        let digits = format!("{int}{frac}");
        let mantissa: i128 = if digits.is_empty() {
            1
        } else {
            digits.parse().ok()?
        };
        let scale = 10i128.checked_pow(frac.len() as u32)?;
        let ns = mantissa.checked_mul(unit_ns)?;
        if ns % scale != 0 {
            return None;
        }
        total = total.checked_add(ns / scale)?;
        rest = tail;
    }
    i64::try_from(total).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::cell;
    use crate::primitives::test_util::transform;
    use crate::primitives::test_util::{prim, prim_with};
    use arrow_array::{DictionaryArray, Float64Array, Int64Array, TimestampNanosecondArray};
    use serde_json::json;

    fn cells(a: &ArrayRef) -> Vec<String> {
        (0..a.len()).map(|i| cell(a, i)).collect()
    }

    fn floats(v: &[Option<f64>]) -> ArrayRef {
        Arc::new(Float64Array::from(v.to_vec()))
    }

    fn ints(v: &[Option<i64>]) -> ArrayRef {
        Arc::new(Int64Array::from(v.to_vec()))
    }

    fn times(v: &[Option<i64>]) -> ArrayRef {
        Arc::new(TimestampNanosecondArray::from(v.to_vec()))
    }

    fn run(class: &str, args: serde_json::Value, inputs: &[ArrayRef]) -> Vec<String> {
        let p = prim_with(class, args);
        cells(&transform(&p, inputs, &[]).unwrap())
    }

    fn values(a: &ArrayRef) -> Vec<Option<f64>> {
        let f = a.as_primitive::<arrow_array::types::Float64Type>();
        (0..f.len())
            .map(|i| f.is_valid(i).then(|| f.value(i)))
            .collect()
    }

    const H: i64 = 3_600_000_000_000;
    const NAN: Option<f64> = None;

    // f = pd.Series([nan, 1.0, nan, nan, 1.0, 2.0, nan]); i = the same as Int64.
    fn f7() -> ArrayRef {
        floats(&[NAN, Some(1.0), NAN, NAN, Some(1.0), Some(2.0), NAN])
    }
    fn i7() -> ArrayRef {
        ints(&[None, Some(1), None, None, Some(1), Some(2), None])
    }

    #[test]
    fn diff_shifts_then_differences() {
        // Diff()(f) -> [nan]*5 + [1.0, nan]; Diff(periods=1)(f) -> [nan]*6 + [1.0];
        // Diff(periods=-1)(f) -> [nan]*4 + [1.0, nan, nan]; the same for Int64.
        for x in [f7(), i7()] {
            let x = std::slice::from_ref(&x);
            assert_eq!(run("Diff", json!({}), x), ["", "", "", "", "", "1.0", ""]);
            assert_eq!(
                run("Diff", json!({"periods": 1}), x),
                ["", "", "", "", "", "", "1.0"]
            );
            assert_eq!(
                run("Diff", json!({"periods": -1}), x),
                ["", "", "", "", "1.0", "", ""]
            );
        }
        // Diff()([1, 10, 3, 4, 15]) -> [nan, 9.0, -7.0, 1.0, 11.0]
        let x = ints(&[Some(1), Some(10), Some(3), Some(4), Some(15)]);
        assert_eq!(
            run("Diff", json!({}), &[x]),
            ["", "9.0", "-7.0", "1.0", "11.0"]
        );
        assert_eq!(run("Diff", json!({}), &[floats(&[])]), Vec::<String>::new());
    }

    #[test]
    fn diff_datetime_is_a_timedelta() {
        // DiffDatetime()(t), t = [2020-01-01, 01:00, 01:00, 2020-01-02 03:30:00.5]
        // -> [NaT, 3600000000000ns, 0ns, 95400500000000ns]; periods=1 -> [NaT, NaT, 3600e9, 0]
        let t0 = 1_577_836_800_000_000_000i64;
        let t = times(&[
            Some(t0),
            Some(t0 + H),
            Some(t0 + H),
            Some(t0 + 99_000_500_000_000),
        ]);
        let p = prim("DiffDatetime");
        let out = transform(&p, std::slice::from_ref(&t), &[]).unwrap();
        let d = out
            .as_any()
            .downcast_ref::<DurationNanosecondArray>()
            .unwrap();
        let got: Vec<Option<i64>> = d.iter().collect();
        assert_eq!(got, [None, Some(H), Some(0), Some(95_400_500_000_000)]);
        let p = prim_with("DiffDatetime", json!({"periods": 1}));
        let out = transform(&p, &[t], &[]).unwrap();
        let d = out
            .as_any()
            .downcast_ref::<DurationNanosecondArray>()
            .unwrap();
        assert_eq!(d.iter().collect::<Vec<_>>(), [None, None, Some(H), Some(0)]);
    }

    #[test]
    fn lag_keeps_the_input_type() {
        let t = times(&[Some(0), Some(1), Some(2), Some(3)]);
        // Lag()(pd.Series([1, 2, 3, None], dtype="Int64"), t) -> [<NA>, 1, 2, 3]
        let x = ints(&[Some(1), Some(2), Some(3), None]);
        assert_eq!(run("Lag", json!({}), &[x, t.clone()]), ["", "1", "2", "3"]);
        // Lag(periods=-2)([False, True, False, True], t) -> [False, True, nan, nan]
        let b: ArrayRef = Arc::new(BooleanArray::from(vec![false, true, false, true]));
        let out = transform(
            &prim_with("Lag", json!({"periods": -2})),
            &[b, t.clone()],
            &[],
        )
        .unwrap();
        assert_eq!(out.data_type(), &DataType::Boolean);
        assert_eq!(cells(&out), ["False", "True", "", ""]);
        // Lag()(pd.Series(["a", "b", "a", None], dtype="category"), t) -> [nan, 'a', 'b', 'a']
        let c: ArrayRef = Arc::new(
            vec![Some("a"), Some("b"), Some("a"), None]
                .into_iter()
                .collect::<DictionaryArray<arrow_array::types::Int32Type>>(),
        );
        let out = transform(&prim("Lag"), &[c.clone(), t.clone()], &[]).unwrap();
        assert!(matches!(out.data_type(), DataType::Dictionary(_, _)));
        assert_eq!(cells(&out), ["", "a", "b", "a"]);
        // Lag(periods=0) -> the input
        assert_eq!(
            run("Lag", json!({"periods": 0}), &[c, t.clone()]),
            ["a", "b", "a", ""]
        );
        // Lag(periods=7) of 4 rows -> all missing
        let x = floats(&[Some(1.0), Some(2.0), Some(3.0), Some(4.0)]);
        assert_eq!(run("Lag", json!({"periods": 7}), &[x, t]), ["", "", "", ""]);
    }

    #[test]
    fn numeric_lag_fills() {
        let t = times(&[Some(0), Some(1), Some(2), Some(3)]);
        // NumericLag(fill_value=100)(t, [1, 2, 3, 4]) -> [100, 1, 2, 3] (Double: 100.0)
        let x = ints(&[Some(1), Some(2), Some(3), Some(4)]);
        assert_eq!(
            run("NumericLag", json!({"fill_value": 100}), &[t.clone(), x]),
            ["100.0", "1.0", "2.0", "3.0"]
        );
        // NumericLag(fill_value=1.5, periods=2)(t, [1., 2, 3, 4]) -> [1.5, 1.5, 1.0, 2.0]
        let x = floats(&[Some(1.0), Some(2.0), Some(3.0), Some(4.0)]);
        assert_eq!(
            run(
                "NumericLag",
                json!({"fill_value": 1.5, "periods": 2}),
                &[t.clone(), x.clone()]
            ),
            ["1.5", "1.5", "1.0", "2.0"]
        );
        // NumericLag(periods=7)(t, [1., 2, 3, 4]) -> [nan]*4
        assert_eq!(
            run("NumericLag", json!({"periods": 7}), &[t, x]),
            ["", "", "", ""]
        );
        let e = Primitive::featuretools("NumericLag", json!({"fill_value": "x"})).unwrap_err();
        assert!(e.contains("fill_value"), "{e}");
    }

    use crate::primitives::Primitive;

    #[test]
    fn percentile_averages_ties_and_keeps_missing() {
        // Percentile()(pd.Series([3.0, 1.0, 3.0, nan, 2.0, 3.0, inf, -inf]))
        let x = floats(&[
            Some(3.0),
            Some(1.0),
            Some(3.0),
            NAN,
            Some(2.0),
            Some(3.0),
            Some(f64::INFINITY),
            Some(f64::NEG_INFINITY),
        ]);
        let out = transform(&prim("Percentile"), &[x], &[]).unwrap();
        assert_eq!(
            values(&out),
            [
                Some(0.7142857142857143),
                Some(0.2857142857142857),
                Some(0.7142857142857143),
                None,
                Some(0.42857142857142855),
                Some(0.7142857142857143),
                Some(1.0),
                Some(0.14285714285714285)
            ]
        );
        // Percentile()(f) -> [nan, 0.5, nan, nan, 0.5, 1.0, nan]
        assert_eq!(
            run("Percentile", json!({}), &[f7()]),
            ["", "0.5", "", "", "0.5", "1.0", ""]
        );
        // Int64 without missing values: [10, 2, 10] -> [0.8333333333333334, 0.3333333333333333, ...]
        let x = ints(&[Some(10), Some(2), Some(10)]);
        assert_eq!(
            run("Percentile", json!({}), &[x]),
            [
                "0.8333333333333334",
                "0.3333333333333333",
                "0.8333333333333334"
            ]
        );
        // Int64 with missing values: pandas ranks the bytes under the mask ([0.5, 0.5, 0.5,
        // 0.5, 0.5, 1.0, 0.5] for i after astype); refused.
        let e = transform(&prim("Percentile"), &[i7()], &[]).unwrap_err();
        assert!(e.contains("mask"), "{e}");
        assert_eq!(
            run("Percentile", json!({}), &[floats(&[])]),
            Vec::<String>::new()
        );
    }

    #[test]
    fn rate_of_change_per_second() {
        // RateOfChange()(pd.Series([1.0, 2.0, 5.0, nan]), t) with t = [0, 1h, 1h, 2h]
        // -> [nan, 0.0002777777777777778, inf, nan]
        let t = times(&[Some(0), Some(H), Some(H), Some(2 * H)]);
        let x = floats(&[Some(1.0), Some(2.0), Some(5.0), NAN]);
        assert_eq!(
            run("RateOfChange", json!({}), &[x, t]),
            ["", "0.0002777777777777778", "inf", ""]
        );
    }

    #[test]
    fn absolute_diff_fills_first() {
        // AbsoluteDiff()(f) -> [nan, nan, 0.0, 0.0, 0.0, 1.0, 0.0] (float and Int64)
        // AbsoluteDiff(method="bfill", limit=1)(f) -> [nan, 0.0, nan, nan, 0.0, 1.0, nan]
        for x in [f7(), i7()] {
            let x = std::slice::from_ref(&x);
            assert_eq!(
                run("AbsoluteDiff", json!({}), x),
                ["", "", "0.0", "0.0", "0.0", "1.0", "0.0"]
            );
            assert_eq!(
                run("AbsoluteDiff", json!({"method": "bfill", "limit": 1}), x),
                ["", "0.0", "", "", "0.0", "1.0", ""]
            );
        }
        // AbsoluteDiff()([3.0, -1.5, nan, 2.0]) -> [nan, 4.5, 0.0, 3.5]
        let x = floats(&[Some(3.0), Some(-1.5), NAN, Some(2.0)]);
        assert_eq!(
            run("AbsoluteDiff", json!({}), &[x]),
            ["", "4.5", "0.0", "3.5"]
        );
        let e = Primitive::featuretools("AbsoluteDiff", json!({"method": "nearest"})).unwrap_err();
        assert!(e.contains("method"), "{e}");
    }

    #[test]
    fn percent_change_fills_and_shifts() {
        for x in [f7(), i7()] {
            let x = std::slice::from_ref(&x);
            // PercentChange()(f) -> [nan, nan, 0.0, 0.0, 0.0, 1.0, 0.0]
            assert_eq!(
                run("PercentChange", json!({}), x),
                ["", "", "0.0", "0.0", "0.0", "1.0", "0.0"]
            );
            // PercentChange(periods=2)(f) -> [nan, nan, nan, 0.0, 0.0, 1.0, 1.0]
            assert_eq!(
                run("PercentChange", json!({"periods": 2}), x),
                ["", "", "", "0.0", "0.0", "1.0", "1.0"]
            );
            // PercentChange(fill_method="bfill", limit=1)(f) -> [nan, 0, nan, nan, 0, 1, nan]
            assert_eq!(
                run(
                    "PercentChange",
                    json!({"fill_method": "bfill", "limit": 1}),
                    x
                ),
                ["", "0.0", "", "", "0.0", "1.0", ""]
            );
            // PercentChange(periods=-1)(f) -> [nan, 0.0, 0.0, 0.0, -0.5, 0.0, nan]
            assert_eq!(
                run("PercentChange", json!({"periods": -1}), x),
                ["", "0.0", "0.0", "0.0", "-0.5", "0.0", ""]
            );
        }
        // PercentChange()([0.0, 0.0, 1.0, -1.0, 0.0, 2.0]) -> [nan, nan, inf, -2.0, -1.0, inf]
        let x = floats(&[
            Some(0.0),
            Some(0.0),
            Some(1.0),
            Some(-1.0),
            Some(0.0),
            Some(2.0),
        ]);
        assert_eq!(
            run("PercentChange", json!({}), &[x]),
            ["", "", "inf", "-2.0", "-1.0", "inf"]
        );
        // PercentChange()([1.0, 3.0, 4.0]) -> [nan, 2.0, 0.33333333333333326]
        let x = floats(&[Some(1.0), Some(3.0), Some(4.0)]);
        assert_eq!(
            run("PercentChange", json!({}), &[x]),
            ["", "2.0", "0.33333333333333326"]
        );
        let e = Primitive::featuretools("PercentChange", json!({"freq": "1D"})).unwrap_err();
        assert!(e.contains("freq"), "{e}");
        let e = Primitive::featuretools("PercentChange", json!({"limit": 0})).unwrap_err();
        assert!(e.contains("limit"), "{e}");
    }

    #[test]
    fn same_as_previous_float_and_nullable() {
        // SameAsPrevious()(f) -> [F, F, T, T, T, F, T]; Int64 -> [F, NA, T, T, T, F, T]
        assert_eq!(
            run("SameAsPrevious", json!({}), &[f7()]),
            ["False", "False", "True", "True", "True", "False", "True"]
        );
        assert_eq!(
            run("SameAsPrevious", json!({}), &[i7()]),
            ["False", "", "True", "True", "True", "False", "True"]
        );
        // fill_method="bfill": float [F, T, T, T, T, F, F]; Int64 [F, T, T, T, T, F, NA]
        assert_eq!(
            run("SameAsPrevious", json!({"fill_method": "bfill"}), &[f7()]),
            ["False", "True", "True", "True", "True", "False", "False"]
        );
        assert_eq!(
            run("SameAsPrevious", json!({"fill_method": "bfill"}), &[i7()]),
            ["False", "True", "True", "True", "True", "False", ""]
        );
        // limit=1: float [F, F, T, F, F, F, T]; Int64 [F, NA, T, NA, NA, F, T]
        assert_eq!(
            run("SameAsPrevious", json!({"limit": 1}), &[f7()]),
            ["False", "False", "True", "False", "False", "False", "True"]
        );
        assert_eq!(
            run("SameAsPrevious", json!({"limit": 1}), &[i7()]),
            ["False", "", "True", "", "", "False", "True"]
        );
    }

    #[test]
    fn time_since_previous_drops_nanoseconds() {
        // TimeSincePrevious()(pd.Series(pd.to_datetime([0, 1, 1000000001,
        //     1000000001 + 123456789123, 10**18], unit="ns")))
        // -> [nan, 0.0, 1.0, 123.456789, 999999875.54321]
        let t = times(&[
            Some(0),
            Some(1),
            Some(1_000_000_001),
            Some(1_000_000_001 + 123_456_789_123),
            Some(1_000_000_000_000_000_000),
        ]);
        let x = std::slice::from_ref(&t);
        assert_eq!(
            run("TimeSincePrevious", json!({}), x),
            ["", "0.0", "1.0", "123.456789", "999999875.54321"]
        );
        // unit="nanoseconds" -> [nan, 0.0, 999999999.9999999, 123456789000.0, 9.9999987554321e+17]
        assert_eq!(
            run("TimeSincePrevious", json!({"unit": "nanoseconds"}), x),
            [
                "",
                "0.0",
                "999999999.9999999",
                "123456789000.0",
                "9.9999987554321e+17"
            ]
        );
        // unit="Years" -> [nan, 0.0, 3.170577045022194e-08, 3.914292612555485e-06,
        //                  31.705766504223526]
        assert_eq!(
            run("TimeSincePrevious", json!({"unit": "Years"}), x),
            [
                "",
                "0.0",
                "3.170577045022194e-08",
                "3.914292612555485e-06",
                "31.705766504223526"
            ]
        );
        // negative: TimeSincePrevious()(pd.Series(pd.to_datetime([3600e9, 0, -1], unit="ns")))
        // -> [nan, -3600.0, -1.0000000000287557e-06] (days -1, seconds 86399, 999999 us)
        let t = times(&[Some(H), Some(0), Some(-1)]);
        assert_eq!(
            run("TimeSincePrevious", json!({}), &[t]),
            ["", "-3600.0", "-1.0000000000287557e-06"]
        );
        let e = Primitive::featuretools("TimeSincePrevious", json!({"unit": "microseconds"}))
            .unwrap_err();
        assert!(e.contains("unit"), "{e}");
    }

    #[test]
    fn cumulative_time_since_last() {
        // t = [2020-01-01, 01:00, 01:00, 2020-01-02 03:30:00.5], b = [F, T, F, T]
        // CumulativeTimeSinceLastTrue()(t, b) -> [nan, 0.0, 0.0, 0.0]
        // CumulativeTimeSinceLastFalse()(t, b) -> [0.0, 3600.0, 0.0, 95400.5]
        // CumulativeTimeSinceLastTrue()(t, [F, F, F, F]) -> [nan] * 4
        let t0 = 1_577_836_800_000_000_000i64;
        let t = times(&[
            Some(t0),
            Some(t0 + H),
            Some(t0 + H),
            Some(t0 + 99_000_500_000_000),
        ]);
        let b: ArrayRef = Arc::new(BooleanArray::from(vec![false, true, false, true]));
        assert_eq!(
            run(
                "CumulativeTimeSinceLastTrue",
                json!({}),
                &[t.clone(), b.clone()]
            ),
            ["", "0.0", "0.0", "0.0"]
        );
        assert_eq!(
            run("CumulativeTimeSinceLastFalse", json!({}), &[t.clone(), b]),
            ["0.0", "3600.0", "0.0", "95400.5"]
        );
        let f: ArrayRef = Arc::new(BooleanArray::from(vec![false; 4]));
        assert_eq!(
            run("CumulativeTimeSinceLastTrue", json!({}), &[t, f]),
            ["", "", "", ""]
        );
        let none: ArrayRef = Arc::new(BooleanArray::from(Vec::<Option<bool>>::new()));
        assert_eq!(
            run(
                "CumulativeTimeSinceLastTrue",
                json!({}),
                &[times(&[]), none]
            ),
            Vec::<String>::new()
        );
    }

    #[test]
    fn helpers() {
        assert_eq!(offset_ns("1h"), Some(3_600_000_000_000));
        assert_eq!(offset_ns("2D"), Some(2 * 86_400_000_000_000));
        assert_eq!(offset_ns("1h30min"), Some(5_400_000_000_000));
        assert_eq!(offset_ns("1.5h"), Some(5_400_000_000_000));
        assert_eq!(offset_ns("1 h"), Some(3_600_000_000_000));
        assert_eq!(offset_ns("min"), Some(60_000_000_000));
        assert_eq!(offset_ns("W"), None);
        assert_eq!(offset_ns("M"), None);
        assert_eq!(offset_ns("1day"), None);
        assert_eq!(offset_ns(""), None);
        // np.sum(np.arange(1, 300) * 0.1) -> 4485.0
        let v: Vec<f64> = (1..300).map(|i| i as f64 * 0.1).collect();
        assert_eq!(np_sum(&v), 4485.0);
        assert_eq!(timedelta_total_seconds(-1), -1.0000000000287557e-06);
    }
}

/// Missing values by how pandas holds the column: featuretools 1.31, pandas 2.2.3.
#[cfg(test)]
mod dtype_tests {
    use super::*;
    use crate::primitives::test_util::prim;
    use crate::primitives::{transform, Dtype};
    use arrow_array::{Float64Array, Int64Array};

    #[test]
    fn same_as_previous_is_na_next_to_a_missing_value_only_in_a_masked_column() {
        let run = |a: ArrayRef, d: Dtype| -> Vec<Option<bool>> {
            transform(&prim("SameAsPrevious"), &[a], &[d], &[])
                .unwrap()
                .as_boolean()
                .iter()
                .collect()
        };
        let i: ArrayRef = Arc::new(Int64Array::from(vec![None, Some(1), Some(1), Some(2)]));
        let f: ArrayRef = Arc::new(Float64Array::from(vec![
            None,
            Some(1.5),
            Some(1.5),
            Some(2.0),
        ]));
        // SameAsPrevious()(pd.Series([None, 1, 1, 2], dtype="Int64")) -> [False, <NA>, True, False]
        // (dtype="Float64", 1.5 for 1: the same)
        let masked = vec![Some(false), None, Some(true), Some(false)];
        assert_eq!(run(i.clone(), Dtype::Masked), masked);
        assert_eq!(run(f.clone(), Dtype::Masked), masked);
        // SameAsPrevious()(pd.Series([nan, 1, 1, 2])) -> [False, False, True, False]
        let numpy = vec![Some(false), Some(false), Some(true), Some(false)];
        assert_eq!(run(i, Dtype::Numpy), numpy);
        assert_eq!(run(f, Dtype::Numpy), numpy);
    }

    #[test]
    fn percentile_of_a_numpy_integer_column_with_missing_values_ranks_floats() {
        // Percentile()(pd.Series([3.0, nan, 1.0, 3.0])) -> [0.8333333333333334, nan,
        // 0.3333333333333333, 0.8333333333333334] (an int64 column through a merge is float64)
        let i: ArrayRef = Arc::new(Int64Array::from(vec![Some(3), None, Some(1), Some(3)]));
        let p = prim("Percentile");
        let got = transform(&p, std::slice::from_ref(&i), &[Dtype::Numpy], &[]).unwrap();
        let got: Vec<Option<f64>> = got
            .as_primitive::<arrow_array::types::Float64Type>()
            .iter()
            .collect();
        assert_eq!(
            got,
            vec![
                Some(0.8333333333333334),
                None,
                Some(0.3333333333333333),
                Some(0.8333333333333334)
            ]
        );
        // An Int64 one ranks the values under its mask: refused.
        assert!(transform(&p, &[i], &[Dtype::Masked], &[]).is_err());
        // Percentile of Int64 is float64: numpy.
        assert_eq!(p.dtype(&[Dtype::Masked]), Dtype::Numpy);
    }
}
