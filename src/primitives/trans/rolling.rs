//! Rolling transforms over the whole dataframe in its order (`uses_full_dataframe`):
//! ROLLING_COUNT, ROLLING_MAX, ROLLING_MEAN, ROLLING_MIN, ROLLING_OUTLIER_COUNT, ROLLING_STD,
//! ROLLING_TREND (`featuretools/primitives/standard/transform/time_series/`).
//!
//! featuretools' `apply_rolling_agg_to_series` on the values indexed by the time index:
//! `series.shift(gap).rolling(window_length, min_periods).apply(f)` for a number of rows `gap`,
//! `series.rolling(window_length + gap, min_periods).apply(apply_roll_with_offset_gap)` for an
//! offset `gap` ('1h'); a window of an offset alias spans `(t - window, t]` of the time index.
//! pandas turns ±inf into NaN before it rolls (`_prep_values`) and calls `f` on a window only
//! when it holds at least `min_periods` finite values (`roll_apply`); `f` is pandas' own
//! `Series.max`, `np.mean`, `Series.std` (nanops: numpy's pairwise sums), featuretools'
//! `calculate_trend`, woodwork's box plot outliers.

use std::sync::Arc;

use arrow_array::ArrayRef;
use serde_json::Value;

use super::series::{np_sum, offset_ns, shift_values};
use super::{Dtype, Transform};
use crate::primitives::registry::{Args, Entry};
use crate::primitives::{float_out, timestamps, to_f64, Implementation};

/// What a window computes.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Agg {
    Count,
    Max,
    Mean,
    Min,
    Outliers,
    Std,
    Trend,
}

/// A window length or a gap: rows, or nanoseconds of the time index.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Span {
    Rows(i64),
    Time(i64),
}

#[derive(Debug, Clone, PartialEq)]
struct Rolling {
    agg: Agg,
    window: Span,
    gap: Span,
    min_periods: Option<i64>,
}

/// `window_length` or `gap`: an integer, or an offset alias of fixed length (of zero length
/// when `zero` allows it: a gap of `'0d'` keeps the target row in its window).
fn span(a: &Args, k: &str, default: i64, zero: bool) -> Result<Span, String> {
    match a.value(k) {
        None => Ok(Span::Rows(default)),
        Some(Value::String(s)) => match offset_ns(s) {
            Some(ns) if ns > 0 || (zero && ns == 0) => Ok(Span::Time(ns)),
            _ => Err(a.error(
                k,
                format!(
                    "is '{s}'; ftpart knows {} offset aliases of fixed length ('3h', \
                     '30min', '2D'; units D, h, min, s, ms, us, ns)",
                    if zero { "non-negative" } else { "positive" }
                ),
            )),
        },
        Some(v) => match v.as_i64() {
            Some(i) => Ok(Span::Rows(i)),
            None => Err(a.error(
                k,
                format!("is {v}; featuretools takes an integer or an offset string"),
            )),
        },
    }
}

fn make(a: &Args, agg: Agg, default_min_periods: i64) -> Result<Implementation, String> {
    let window = span(a, "window_length", 3, false)?;
    let gap = span(a, "gap", 1, true)?;
    // A saved `min_periods: null` reads as the default: `Args` does not tell null from absent.
    let min_periods = Some(a.int("min_periods", default_min_periods)?);
    // featuretools' _check_window_length and _check_gap, pandas' rolling validation.
    if let Span::Rows(w) = window {
        if w <= 0 {
            return Err(a.error("window_length", "must be greater than zero"));
        }
        if let Span::Time(_) = gap {
            return Err(a.error(
                "gap",
                "is an offset while window_length is a number of rows; featuretools refuses it",
            ));
        }
        if let Some(m) = min_periods {
            if m > w {
                return Err(a.error(
                    "min_periods",
                    format!("is {m}; pandas: min_periods {m} must be <= window {w}"),
                ));
            }
        }
    }
    if let Span::Rows(g) = gap {
        if g < 0 {
            return Err(a.error("gap", "must be greater than or equal to zero"));
        }
    }
    if let Some(m) = min_periods {
        if m < 0 {
            return Err(a.error("min_periods", "must be >= 0"));
        }
    }
    Ok(Implementation::Transform(Arc::new(Rolling {
        agg,
        window,
        gap,
        min_periods,
    })))
}

pub(crate) const ENTRIES: &[Entry] = &[
    Entry {
        class: "RollingCount",
        make: |a| make(a, Agg::Count, 0),
    },
    Entry {
        class: "RollingMax",
        make: |a| make(a, Agg::Max, 1),
    },
    Entry {
        class: "RollingMean",
        make: |a| make(a, Agg::Mean, 0),
    },
    Entry {
        class: "RollingMin",
        make: |a| make(a, Agg::Min, 1),
    },
    Entry {
        class: "RollingOutlierCount",
        make: |a| make(a, Agg::Outliers, 0),
    },
    Entry {
        class: "RollingSTD",
        make: |a| make(a, Agg::Std, 1),
    },
    Entry {
        class: "RollingTrend",
        make: |a| make(a, Agg::Trend, 0),
    },
];

impl Transform for Rolling {
    /// featuretools' rolling primitives give numpy `float64`, whatever the input's dtype.
    fn dtype(&self, _inputs: &[Dtype]) -> Dtype {
        Dtype::Numpy
    }
    fn arity(&self) -> usize {
        if self.agg == Agg::Count {
            1
        } else {
            2
        }
    }

    fn uses_full_dataframe(&self) -> bool {
        true
    }

    fn transform(
        &self,
        inputs: &[ArrayRef],
        _dtypes: &[Dtype],
        _times: &[i64],
    ) -> Result<ArrayRef, String> {
        let t = timestamps(inputs.first().ok_or("rolling transform without input")?)?;
        let n = t.len();
        // ROLLING_COUNT rolls `pd.Series(1, index=datetime)`.
        let values: Vec<f64> = if self.agg == Agg::Count {
            vec![1.0; n]
        } else {
            let v = to_f64(
                inputs
                    .get(1)
                    .ok_or("rolling transform takes (datetime, numeric)")?,
            )?;
            if v.len() != n {
                return Err("rolling transform: inputs of different lengths".into());
            }
            v.into_iter()
                .map(|x| if x.is_infinite() { f64::NAN } else { x })
                .collect()
        };
        let times_needed = matches!(self.window, Span::Time(_)) || self.agg == Agg::Trend;
        let needs_order = matches!(self.window, Span::Time(_));
        if needs_order && t.iter().any(Option::is_none) {
            return Err(
                "rolling over an offset window: the time index has missing values, \
                        which pandas refuses"
                    .into(),
            );
        }
        if needs_order && t.windows(2).any(|w| w[1] < w[0]) {
            return Err(
                "rolling over an offset window: the time index is not in increasing \
                        order"
                    .into(),
            );
        }
        let times: Vec<i64> = if times_needed {
            t.iter().map(|x| x.unwrap_or(i64::MIN)).collect()
        } else {
            Vec::new()
        };
        let tmissing: Vec<bool> = t.iter().map(Option::is_none).collect();
        let values = match self.gap {
            Span::Rows(g) => shift_values(&values, g, f64::NAN),
            Span::Time(_) => values,
        };
        let window = match (self.window, self.gap) {
            (Span::Time(w), Span::Time(g)) => Span::Time(w.saturating_add(g)),
            (w, _) => w,
        };
        // pandas' min_periods: None is the window's rows for a number of rows, 1 for an offset.
        let minp = match (self.min_periods, window) {
            (Some(m), _) => m as usize,
            (None, Span::Rows(w)) => w as usize,
            (None, Span::Time(_)) => 1,
        };
        let mut out = Vec::with_capacity(n);
        let mut start = 0usize;
        for i in 0..n {
            start = match window {
                Span::Rows(w) => (i + 1).saturating_sub(w as usize),
                Span::Time(w) => {
                    // VariableWindowIndexer, closed='right': the first row after t - w.
                    let bound = times[i].saturating_sub(w);
                    let mut s = start;
                    while s < i && times[s] <= bound {
                        s += 1;
                    }
                    s
                }
            };
            let finite = values[start..=i].iter().filter(|x| !x.is_nan()).count();
            if finite < minp {
                out.push(f64::NAN);
                continue;
            }
            let (lo, hi) = match self.gap {
                Span::Rows(_) => (start, i + 1),
                Span::Time(g) => {
                    // apply_roll_with_offset_gap: the window's rows up to its last time - gap;
                    // none when that falls before the window's first row.
                    let bound = times[i].saturating_sub(g);
                    if bound < times[start] {
                        out.push(f64::NAN);
                        continue;
                    }
                    let mut e = start;
                    while e <= i && times[e] <= bound {
                        e += 1;
                    }
                    let m = self.min_periods.unwrap_or(1) as usize;
                    if e - start < m || e == start {
                        out.push(f64::NAN);
                        continue;
                    }
                    (start, e)
                }
            };
            let w = &values[lo..hi];
            out.push(match self.agg {
                Agg::Count => w.iter().filter(|x| !x.is_nan()).count() as f64,
                Agg::Max => nan_fold(w, |a, b| b > a),
                Agg::Min => nan_fold(w, |a, b| b < a),
                Agg::Mean => nanmean(w),
                Agg::Std => nanvar(w).sqrt(),
                Agg::Outliers => outlier_count(w),
                Agg::Trend => trend(w, &times[lo..hi], &tmissing[lo..hi]),
            });
        }
        // ignore_window_nans (ROLLING_COUNT): the first `min_periods - 1 + gap` rows (`gap`
        // when min_periods is 0 or None) are NaN; `iloc` past the end raises.
        if let (Agg::Count, Span::Rows(g)) = (self.agg, self.gap) {
            let nans = match self.min_periods {
                None | Some(0) => g,
                Some(m) => m - 1 + g,
            } as usize;
            // featuretools never calls a transform on no rows (it skips an empty frame).
            if nans > n && n > 0 {
                return Err(format!(
                    "ROLLING_COUNT: featuretools sets the first {nans} of {n} rows to NaN \
                     (`iloc[range({nans})]`), which pandas refuses (IndexError)"
                ));
            }
            out[..nans.min(n)].fill(f64::NAN);
        }
        Ok(float_out(out))
    }
}

/// `Series.max()` / `min()`: the extreme of the non-missing values, NaN without any.
fn nan_fold(w: &[f64], better: fn(f64, f64) -> bool) -> f64 {
    w.iter().filter(|x| !x.is_nan()).fold(
        f64::NAN,
        |a, &b| if a.is_nan() || better(a, b) { b } else { a },
    )
}

/// `nanops.nanmean`: numpy's sum of the values with NaN as 0, over the count.
pub(super) fn nanmean(w: &[f64]) -> f64 {
    let filled: Vec<f64> = w
        .iter()
        .map(|x| if x.is_nan() { 0.0 } else { *x })
        .collect();
    let count = w.iter().filter(|x| !x.is_nan()).count();
    if count == 0 {
        return f64::NAN;
    }
    np_sum(&filled) / count as f64
}

/// `nanops.nanvar(ddof=1)`: two passes of numpy sums over the values with NaN as 0.
fn nanvar(w: &[f64]) -> f64 {
    let count = w.iter().filter(|x| !x.is_nan()).count();
    if count <= 1 {
        return f64::NAN;
    }
    let filled: Vec<f64> = w
        .iter()
        .map(|x| if x.is_nan() { 0.0 } else { *x })
        .collect();
    let avg = np_sum(&filled) / count as f64;
    let sqr: Vec<f64> = w
        .iter()
        .map(|x| {
            if x.is_nan() {
                0.0
            } else {
                (avg - x) * (avg - x)
            }
        })
        .collect();
    np_sum(&sqr) / (count - 1) as f64
}

/// numpy's `percentile(..., method='linear')` of sorted values (no NaN).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    let virt = (n - 1) as f64 * q;
    if virt >= (n - 1) as f64 {
        return sorted[n - 1];
    }
    let prev = virt.floor();
    let gamma = virt - prev;
    let (a, b) = (sorted[prev as usize], sorted[prev as usize + 1]);
    // numpy's _lerp.
    let diff = b - a;
    if gamma >= 0.5 {
        b - diff * (1.0 - gamma)
    } else {
        a + diff * gamma
    }
}

/// Python's `round(x, 5)` of a float: the nearest decimal of 5 places (ties to even on the
/// exact binary value), read back.
fn py_round5(x: f64) -> f64 {
    if !x.is_finite() {
        return x;
    }
    format!("{x:.5}").parse().unwrap_or(x)
}

/// ROLLING_OUTLIER_COUNT's `get_outliers_count`: woodwork's `box_plot_dict` (IQR method) on the
/// window's non-missing values; NaN when there are none.
fn outlier_count(w: &[f64]) -> f64 {
    let mut v: Vec<f64> = w.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let (min, q1, q3, max) = (
        quantile(&v, 0.0),
        quantile(&v, 0.25),
        quantile(&v, 0.75),
        quantile(&v, 1.0),
    );
    let iqr = q3 - q1;
    let low = q1 - iqr * 1.5;
    let high = q3 + iqr * 1.5;
    // Python's max(low, min) / min(high, max), then round(, 5).
    let low = py_round5(if min > low { min } else { low });
    let high = py_round5(if max < high { max } else { high });
    let lows = if low > min {
        v.iter().filter(|&&x| x < low).count()
    } else {
        0
    };
    let highs = if high < max {
        v.iter().filter(|&&x| x > high).count()
    } else {
        0
    };
    (lows + highs) as f64
}

/// featuretools' `calculate_trend` (`utils/time_utils.py`) of a window's values against its
/// times: the least-squares slope of the non-missing pairs (NaN for 2 or fewer), the times in
/// days, hours, minutes or seconds as the first one is a whole number of them
/// (`convert_datetime_to_floats`), 0 when all times are equal.
pub(super) fn trend(values: &[f64], times: &[i64], tmissing: &[bool]) -> f64 {
    let rows: Vec<usize> = (0..values.len())
        .filter(|&j| !values[j].is_nan() && !tmissing[j])
        .collect();
    if rows.len() <= 2 {
        return f64::NAN;
    }
    // `first = int(x.iloc[0].value * 1e-9)`, then find_dividend_by_unit.
    let first = (times[rows[0]] as f64 * 1e-9).trunc() as i64;
    let dividend = [86400i64, 3600, 60]
        .into_iter()
        .find(|d| first % d == 0)
        .unwrap_or(1) as f64;
    let scale = 1e-9 / dividend;
    let x: Vec<f64> = rows.iter().map(|&j| times[j] as f64 * scale).collect();
    let y: Vec<f64> = rows.iter().map(|&j| values[j]).collect();
    let count = rows.len() as f64;
    let mx = np_sum(&x) / count;
    let my = np_sum(&y) / count;
    let x: Vec<f64> = x.iter().map(|v| v - mx).collect();
    let y: Vec<f64> = y.iter().map(|v| v - my).collect();
    if x.iter().all(|&v| v == x[0]) {
        return 0.0;
    }
    // np.polyfit(x, y, 1)[0]: the least-squares slope with an intercept.
    let mx = np_sum(&x) / count;
    let my = np_sum(&y) / count;
    let sxy: Vec<f64> = x.iter().zip(&y).map(|(a, b)| (a - mx) * (b - my)).collect();
    let sxx: Vec<f64> = x.iter().map(|a| (a - mx) * (a - mx)).collect();
    np_sum(&sxy) / np_sum(&sxx)
}

#[cfg(test)]
// The tables of featuretools' output: long float literals, tuples of slices.
#[allow(
    clippy::approx_constant,
    clippy::type_complexity,
    clippy::excessive_precision
)]
pub(crate) mod tests {
    use super::*;
    use crate::primitives::test_util::prim_with;
    use crate::primitives::test_util::transform;
    use arrow_array::cast::AsArray;
    use arrow_array::types::Float64Type;
    use arrow_array::{Array, Float64Array, TimestampNanosecondArray};

    include!("rolling_cases.rs");

    fn lookup<'a, T: ?Sized>(table: &'a [(&str, &'a T)], k: &str) -> &'a T {
        table.iter().find(|(n, _)| *n == k).unwrap().1
    }

    /// Closeness within `tol` for the slopes of the trends (numpy's lstsq takes another path
    /// to the same least squares: relative, or absolute near a zero slope, where lstsq leaves
    /// noise such as 6.9e-27), exact otherwise.
    pub(crate) fn check(what: &str, got: &[Option<f64>], want: &[Option<f64>], tol: f64) {
        assert_eq!(got.len(), want.len(), "{what}");
        for (g, w) in got.iter().zip(want) {
            let ok = match (g, w) {
                (None, None) => true,
                (Some(g), Some(w)) => g == w || (g - w).abs() <= tol * w.abs().max(1e-3),
                _ => false,
            };
            assert!(ok, "{what}: got {got:?}, featuretools {want:?}");
        }
    }

    #[test]
    fn rolling_matches_featuretools() {
        for (class, args, times, values, want) in CASES {
            let what = format!("{class}({args}) on {times}, {values}");
            let args: serde_json::Value = serde_json::from_str(args).unwrap();
            let t: ArrayRef = Arc::new(TimestampNanosecondArray::from(
                lookup(TIMES, times).to_vec(),
            ));
            let v: ArrayRef = Arc::new(
                lookup(VALUES, values)
                    .iter()
                    .map(|x| (!x.is_nan()).then_some(*x))
                    .collect::<Float64Array>(),
            );
            let p = prim_with(class, args);
            let inputs = if *class == "RollingCount" {
                vec![t]
            } else {
                vec![t, v]
            };
            let got = transform(&p, &inputs, &[]);
            let Some(want) = want else {
                assert!(got.is_err(), "{what}: featuretools raises, got {got:?}");
                continue;
            };
            let got = got.unwrap_or_else(|e| panic!("{what}: {e}"));
            let f = got.as_primitive::<Float64Type>();
            let got: Vec<Option<f64>> = (0..f.len())
                .map(|i| f.is_valid(i).then(|| f.value(i)))
                .collect();
            let tol = if *class == "RollingTrend" { 1e-9 } else { 0.0 };
            check(&what, &got, want, tol);
        }
    }

    #[test]
    fn arguments_featuretools_refuses() {
        use crate::primitives::Primitive;
        use serde_json::json;
        for (class, args, what) in [
            ("RollingMean", json!({"window_length": 0}), "window_length"),
            (
                "RollingMean",
                json!({"window_length": "1W"}),
                "window_length",
            ),
            (
                "RollingMean",
                json!({"window_length": "1M"}),
                "window_length",
            ),
            (
                "RollingMean",
                json!({"window_length": 3, "gap": "1h"}),
                "gap",
            ),
            ("RollingMean", json!({"gap": -1}), "gap"),
            ("RollingMean", json!({"min_periods": 5}), "min_periods"),
            ("RollingMax", json!({"min_periods": -1}), "min_periods"),
        ] {
            let e = Primitive::featuretools(class, args.clone()).unwrap_err();
            assert!(e.contains(what), "{class}({args}): {e}");
        }
    }

    #[test]
    fn python_round() {
        // round(0.015625, 5) -> 0.01562 (a tie, to even); round(2.675, 5) -> 2.675
        assert_eq!(py_round5(0.015625), 0.01562);
        assert_eq!(py_round5(2.675), 2.675);
        // round(-1.234565, 5) -> -1.23456, round(1.000005, 5) -> 1.00001, round(0.123455, 5) -> 0.12345
        assert_eq!(py_round5(-1.234565), -1.23456);
        assert_eq!(py_round5(1.000005), 1.00001);
        assert_eq!(py_round5(0.123455), 0.12345);
    }
}
