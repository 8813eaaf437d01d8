//! Expanding transforms over the whole dataframe in its order (`uses_full_dataframe`):
//! EXPANDING_COUNT, EXPANDING_MAX, EXPANDING_MEAN, EXPANDING_MIN, EXPANDING_STD,
//! EXPANDING_TREND (`featuretools/primitives/standard/transform/time_series/expanding/`).
//!
//! `x.shift(gap).expanding(min_periods)` then pandas' window kernels (`roll_max`, `roll_min`,
//! `roll_mean` with Kahan sums, `roll_var` with Welford's method, `roll_sum` for the count) or
//! `apply(calculate_trend)`; pandas turns ±inf into NaN first (`_prep_values`).

use std::sync::Arc;

use arrow_array::{ArrayRef, Int64Array};

use super::rolling::trend;
use super::series::shift_values;
use super::Transform;
use crate::primitives::registry::{Args, Entry};
use crate::primitives::{float_out, timestamps, to_f64, Implementation};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Agg {
    Count,
    Max,
    Mean,
    Min,
    Std,
    Trend,
}

#[derive(Debug, Clone, PartialEq)]
struct Expanding {
    agg: Agg,
    gap: i64,
    min_periods: usize,
}

fn make(a: &Args, agg: Agg) -> Result<Implementation, String> {
    let gap = match a.value("gap") {
        Some(serde_json::Value::String(s)) => {
            return Err(a.error(
                "gap",
                format!(
                    "is '{s}'; featuretools: String offsets are not supported for the gap \
                     parameter in Expanding primitives"
                ),
            ))
        }
        _ => a.int("gap", 1)?,
    };
    // A saved `min_periods: null` reads as the default: `Args` does not tell null from absent.
    let min_periods = a.int("min_periods", 1)?;
    if min_periods < 0 {
        return Err(a.error("min_periods", "must be >= 0"));
    }
    Ok(Implementation::Transform(Arc::new(Expanding {
        agg,
        gap,
        min_periods: min_periods as usize,
    })))
}

pub(crate) const ENTRIES: &[Entry] = &[
    Entry {
        class: "ExpandingCount",
        make: |a| make(a, Agg::Count),
    },
    Entry {
        class: "ExpandingMax",
        make: |a| make(a, Agg::Max),
    },
    Entry {
        class: "ExpandingMean",
        make: |a| make(a, Agg::Mean),
    },
    Entry {
        class: "ExpandingMin",
        make: |a| make(a, Agg::Min),
    },
    Entry {
        class: "ExpandingSTD",
        make: |a| make(a, Agg::Std),
    },
    Entry {
        class: "ExpandingTrend",
        make: |a| make(a, Agg::Trend),
    },
];

impl Transform for Expanding {
    fn reads_index(&self) -> bool {
        self.agg == Agg::Count
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

    fn transform(&self, inputs: &[ArrayRef], _times: &[i64]) -> Result<ArrayRef, String> {
        let t = timestamps(inputs.first().ok_or("expanding transform without input")?)?;
        let n = t.len();
        let minp = self.min_periods;
        if self.agg == Agg::Count {
            return count(&t, self.gap, minp, inputs.get(1));
        }
        let v = to_f64(
            inputs
                .get(1)
                .ok_or("expanding transform takes (datetime, numeric)")?,
        )?;
        if v.len() != n {
            return Err("expanding transform: inputs of different lengths".into());
        }
        let v: Vec<f64> = v
            .into_iter()
            .map(|x| if x.is_infinite() { f64::NAN } else { x })
            .collect();
        let v = shift_values(&v, self.gap, f64::NAN);
        let out = match self.agg {
            Agg::Max => extreme(&v, minp, |a, b| b > a),
            Agg::Min => extreme(&v, minp, |a, b| b < a),
            Agg::Mean => mean(&v, minp),
            Agg::Std => std(&v, minp),
            Agg::Trend => {
                // roll_apply: calculate_trend on rows 0..=i (indexed by the time index) when they
                // hold at least min_periods finite values.
                let times: Vec<i64> = t.iter().map(|x| x.unwrap_or(i64::MIN)).collect();
                let tmissing: Vec<bool> = t.iter().map(Option::is_none).collect();
                let mut finite = 0;
                (0..n)
                    .map(|i| {
                        finite += usize::from(!v[i].is_nan());
                        if finite >= minp {
                            trend(&v[..=i], &times[..=i], &tmissing[..=i])
                        } else {
                            f64::NAN
                        }
                    })
                    .collect()
            }
            Agg::Count => unreachable!(),
        };
        Ok(float_out(out))
    }
}

/// EXPANDING_COUNT: `datetime.shift(gap).expanding(min_periods).count()` (pandas' `roll_sum` of
/// `notna`: NaN while fewer than min_periods rows), then `count_series[range(gap +
/// min_periods - 1)] = np.nan`.
///
/// featuretools sets those values by label of the dataframe's index, not by position. With
/// `labels` (the series' index, the dataframe's index column, as a second input) this is its
/// result exactly: the rows labelled 0, 1, ... become NaN, and pandas raises KeyError when one
/// of those labels is missing (always for text labels, and whenever the rows are fewer).
/// Without `labels` the rows are taken as labelled by position (a default integer index).
fn count(
    t: &[Option<i64>],
    gap: i64,
    minp: usize,
    labels: Option<&ArrayRef>,
) -> Result<ArrayRef, String> {
    let n = t.len();
    let shifted: Vec<bool> = (0..n)
        .map(|i| super::series::source(i, gap, n).is_some_and(|j| t[j as usize].is_some()))
        .collect();
    let nans = (gap + minp as i64 - 1).max(0);
    let missing_label = |what: String| {
        format!(
            "EXPANDING_COUNT: featuretools sets the rows labelled 0 to {} to NaN \
             (`count_series[range({nans})] = np.nan`) and pandas raises KeyError: {what}",
            nans - 1
        )
    };
    let mut blank = vec![false; n];
    match labels {
        // featuretools never calls a transform on no rows (`_calculate_transform_features` and
        // `_calculate_groupby_features` skip an empty frame).
        _ if n == 0 => {}
        None => {
            if nans > n as i64 {
                return Err(missing_label(format!("{n} rows cannot have {nans} labels")));
            }
            blank[..nans as usize].fill(true);
        }
        Some(_) if nans == 0 => {}
        Some(l) => {
            if !matches!(
                l.data_type(),
                arrow_schema::DataType::Int64 | arrow_schema::DataType::Float64
            ) {
                return Err(missing_label(format!(
                    "the index is {}, not numbers",
                    l.data_type()
                )));
            }
            let l = to_f64(l)?;
            let mut found = vec![false; nans as usize];
            for (i, &v) in l.iter().enumerate() {
                if v >= 0.0 && v < nans as f64 && v.fract() == 0.0 {
                    found[v as usize] = true;
                    blank[i] = true;
                }
            }
            if let Some(k) = found.iter().position(|f| !f) {
                return Err(missing_label(format!("no row is labelled {k}")));
            }
        }
    }
    let mut seen = 0i64;
    let out: Int64Array = (0..n)
        .map(|i| {
            seen += i64::from(shifted[i]);
            (i + 1 >= minp && !blank[i]).then_some(seen)
        })
        .collect();
    Ok(Arc::new(out))
}

/// pandas' `_roll_min_max` over expanding windows: the extreme of the values so far, NaN until
/// min_periods of them are not missing (and while none are).
fn extreme(v: &[f64], minp: usize, better: fn(f64, f64) -> bool) -> Vec<f64> {
    let mut best = f64::NAN;
    let mut nobs = 0;
    v.iter()
        .map(|&x| {
            if !x.is_nan() {
                nobs += 1;
                if best.is_nan() || better(best, x) {
                    best = x;
                }
            }
            if nobs >= minp {
                best
            } else {
                f64::NAN
            }
        })
        .collect()
}

/// pandas' `roll_mean`: Kahan-compensated sums; a run of equal values is that value
/// (GH#42064), else the mean clamped to 0 when its sign disagrees with every value's
/// (`calc_mean`).
fn mean(v: &[f64], minp: usize) -> Vec<f64> {
    let (mut sum, mut comp) = (0.0f64, 0.0f64);
    let (mut nobs, mut neg) = (0usize, 0usize);
    let mut same = 0usize;
    let mut prev = v.first().copied().unwrap_or(f64::NAN);
    v.iter()
        .map(|&val| {
            if !val.is_nan() {
                nobs += 1;
                let y = val - comp;
                let t = sum + y;
                comp = t - sum - y;
                sum = t;
                if val.is_sign_negative() {
                    neg += 1;
                }
                if val == prev {
                    same += 1;
                } else {
                    same = 1;
                }
                prev = val;
            }
            if nobs >= minp && nobs > 0 {
                let r = sum / nobs as f64;
                if same >= nobs {
                    prev
                } else if neg == 0 && r < 0.0 || neg == nobs && r > 0.0 {
                    0.0
                } else {
                    r
                }
            } else {
                f64::NAN
            }
        })
        .collect()
}

/// pandas' `roll_var(ddof=1)`: Welford's method with Kahan compensation, `max(min_periods, 1)`,
/// then `zsqrt`.
fn std(v: &[f64], minp: usize) -> Vec<f64> {
    let minp = minp.max(1) as f64;
    let (mut nobs, mut mean, mut ssqdm, mut comp) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    let mut same = 0u64;
    let mut prev = v.first().copied().unwrap_or(f64::NAN);
    v.iter()
        .map(|&val| {
            if !val.is_nan() {
                nobs += 1.0;
                // GH#42064: a run of equal values has variance 0.
                if val == prev {
                    same += 1;
                } else {
                    same = 1;
                }
                prev = val;
                let prev_mean = mean - comp;
                let y = val - comp;
                let t = y - mean;
                comp = t + mean - y;
                mean = if nobs != 0.0 { mean + t / nobs } else { 0.0 };
                ssqdm += (val - prev_mean) * (val - mean);
            }
            if nobs >= minp && nobs > 1.0 {
                let var = if same as f64 >= nobs {
                    0.0
                } else {
                    ssqdm / (nobs - 1.0)
                };
                if var < 0.0 {
                    0.0
                } else {
                    var.sqrt()
                }
            } else {
                f64::NAN
            }
        })
        .collect()
}

#[cfg(test)]
// The tables of featuretools' output: long float literals, tuples of slices.
#[allow(
    clippy::approx_constant,
    clippy::type_complexity,
    clippy::excessive_precision
)]
mod tests {
    use super::*;
    use crate::primitives::test_util::prim_with;
    use crate::primitives::transform;
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float64Type, Int64Type};
    use arrow_array::{Array, Float64Array, TimestampNanosecondArray};
    use arrow_schema::DataType;

    include!("expanding_cases.rs");

    fn lookup<'a, T: ?Sized>(table: &'a [(&str, &'a T)], k: &str) -> &'a T {
        table.iter().find(|(n, _)| *n == k).unwrap().1
    }

    #[test]
    fn expanding_matches_featuretools() {
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
            let inputs = if *class == "ExpandingCount" {
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
            let got: Vec<Option<f64>> = if *class == "ExpandingCount" {
                // IntegerNullable.
                assert_eq!(got.data_type(), &DataType::Int64);
                let c = got.as_primitive::<Int64Type>();
                (0..c.len())
                    .map(|i| c.is_valid(i).then(|| c.value(i) as f64))
                    .collect()
            } else {
                let f = got.as_primitive::<Float64Type>();
                (0..f.len())
                    .map(|i| f.is_valid(i).then(|| f.value(i)))
                    .collect()
            };
            let tol = if *class == "ExpandingTrend" {
                1e-9
            } else {
                0.0
            };
            crate::primitives::trans::rolling::tests::check(&what, &got, want, tol);
        }
    }

    #[test]
    fn expanding_count_blanks_rows_by_label() {
        // featuretools' series carry the dataframe's index; ExpandingCount(gap=1,
        // min_periods=2)(pd.Series(hourly 5, index=idx)):
        // idx [3, 2, 1, 0, 4] -> [nan, 1.0, nan, nan, 4.0]; [0, 1, 7, 8, 9] -> [nan, nan, 2, 3, 4]
        // [1, 2, 3, 4, 5] -> KeyError('[0] not in index'); ['a', ...] -> KeyError
        let t: ArrayRef = Arc::new(TimestampNanosecondArray::from(
            (0..5).map(|k| k * 3_600_000_000_000).collect::<Vec<i64>>(),
        ));
        let p = prim_with(
            "ExpandingCount",
            serde_json::json!({"gap": 1, "min_periods": 2}),
        );
        let run = |labels: ArrayRef| {
            transform(&p, &[t.clone(), labels], &[]).map(|a| {
                let c = a.as_primitive::<Int64Type>();
                (0..c.len())
                    .map(|i| c.is_valid(i).then(|| c.value(i)))
                    .collect::<Vec<_>>()
            })
        };
        let ids = |v: &[i64]| -> ArrayRef { Arc::new(arrow_array::Int64Array::from(v.to_vec())) };
        assert_eq!(
            run(ids(&[3, 2, 1, 0, 4])).unwrap(),
            [None, Some(1), None, None, Some(4)]
        );
        assert_eq!(
            run(ids(&[0, 1, 7, 8, 9])).unwrap(),
            [None, None, Some(2), Some(3), Some(4)]
        );
        assert!(run(ids(&[1, 2, 3, 4, 5]))
            .unwrap_err()
            .contains("labelled 0"));
        let text: ArrayRef = Arc::new(arrow_array::StringArray::from(vec![
            "a", "b", "c", "d", "e",
        ]));
        assert!(run(text).is_err());
    }

    #[test]
    fn a_string_gap_is_refused() {
        let e = crate::primitives::Primitive::featuretools(
            "ExpandingMean",
            serde_json::json!({"gap": "1h"}),
        )
        .unwrap_err();
        assert!(e.contains("gap"), "{e}");
    }
}
