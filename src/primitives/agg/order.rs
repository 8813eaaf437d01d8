//! Aggregations whose value depends on the order of the child rows (time index, then index, as
//! featuretools sorts a dataframe): FIRST, LAST, TREND, IS_MONOTONICALLY_DECREASING,
//! IS_MONOTONICALLY_INCREASING, NUM_PEAKS, NUM_ZERO_CROSSINGS, NUM_CONSECUTIVE_GREATER_MEAN and
//! NUM_CONSECUTIVE_LESS_MEAN (`featuretools/primitives/standard/aggregation/`). Each kernel walks
//! every group once in that order.

use std::sync::Arc;

use arrow_array::{ArrayRef, BooleanArray, Int64Array, UInt32Array};

use super::{AggInput, Aggregation};
use crate::primitives::registry::Entry;
use crate::primitives::Dtype;
use crate::primitives::{float_out, timestamps, Default, Implementation};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Order {
    First,
    Last,
    Trend,
    IsMonotonicallyDecreasing,
    IsMonotonicallyIncreasing,
    NumPeaks,
    NumZeroCrossings,
    NumConsecutiveGreaterMean { skipna: bool },
    NumConsecutiveLessMean { skipna: bool },
}

fn entry(o: Order) -> Result<Implementation, String> {
    Ok(Implementation::Aggregation(Arc::new(o)))
}

pub(crate) const ENTRIES: &[Entry] = &[
    Entry {
        class: "First",
        make: |_| entry(Order::First),
    },
    Entry {
        class: "Last",
        make: |_| entry(Order::Last),
    },
    Entry {
        class: "Trend",
        make: |_| entry(Order::Trend),
    },
    Entry {
        class: "IsMonotonicallyDecreasing",
        make: |_| entry(Order::IsMonotonicallyDecreasing),
    },
    Entry {
        class: "IsMonotonicallyIncreasing",
        make: |_| entry(Order::IsMonotonicallyIncreasing),
    },
    Entry {
        class: "NumPeaks",
        make: |_| entry(Order::NumPeaks),
    },
    Entry {
        class: "NumZeroCrossings",
        make: |_| entry(Order::NumZeroCrossings),
    },
    Entry {
        class: "NumConsecutiveGreaterMean",
        make: |a| {
            entry(Order::NumConsecutiveGreaterMean {
                skipna: a.bool("skipna", true)?,
            })
        },
    },
    Entry {
        class: "NumConsecutiveLessMean",
        make: |a| {
            entry(Order::NumConsecutiveLessMean {
                skipna: a.bool("skipna", true)?,
            })
        },
    },
];

impl Aggregation for Order {
    /// TREND is numpy `float64` whatever the input; FIRST and LAST keep their input's dtype
    /// (`string` included); the others keep a masked input's kind.
    fn dtype(&self, inputs: &[Dtype]) -> Dtype {
        match self {
            Order::Trend => Dtype::Numpy,
            Order::First | Order::Last => inputs.first().copied().unwrap_or_default(),
            _ => Dtype::masked_if(inputs.contains(&Dtype::Masked)),
        }
    }
    fn arity(&self) -> usize {
        match self {
            // Trend(value, time_index)
            Order::Trend => 2,
            _ => 1,
        }
    }

    fn default_value(&self) -> Default {
        match self {
            Order::IsMonotonicallyDecreasing | Order::IsMonotonicallyIncreasing => {
                Default::Bool(false)
            }
            Order::NumPeaks
            | Order::NumConsecutiveGreaterMean { .. }
            | Order::NumConsecutiveLessMean { .. } => Default::Zero,
            _ => Default::Null,
        }
    }

    fn numeric_input(&self) -> bool {
        !matches!(self, Order::First | Order::Last)
    }

    fn order_dependent(&self) -> bool {
        true
    }

    fn batch(&self, x: &AggInput) -> Result<Vec<ArrayRef>, String> {
        let groups = x.groups;
        let n = groups.len();
        let out: ArrayRef = match self {
            // `x.iloc[0]` / `x.iloc[-1]`: the first (last) row's value, missing or not, of the
            // input's own type.
            Order::First | Order::Last => {
                let first = *self == Order::First;
                let idx: UInt32Array = (0..n)
                    .map(|g| {
                        let rows = groups.get(g);
                        if first {
                            rows.first().copied()
                        } else {
                            rows.last().copied()
                        }
                    })
                    .collect();
                arrow_select::take::take(x.input()?, &idx, None).map_err(|e| e.to_string())?
            }
            Order::Trend => {
                let y = x.numbers()?;
                let t = timestamps(x.inputs.get(1).ok_or("TREND takes a time index")?)?;
                let mut xs = Vec::new();
                let mut ys = Vec::new();
                float_out(
                    (0..n)
                        .map(|g| {
                            xs.clear();
                            ys.clear();
                            for &r in groups.get(g) {
                                let (v, ti) = (y[r as usize], t[r as usize]);
                                if let (false, Some(ti)) = (v.is_nan(), ti) {
                                    xs.push(ti);
                                    ys.push(v);
                                }
                            }
                            trend(&xs, &ys)
                        })
                        .collect(),
                )
            }
            Order::IsMonotonicallyDecreasing | Order::IsMonotonicallyIncreasing => {
                let v = x.numbers()?;
                let inc = *self == Order::IsMonotonicallyIncreasing;
                // `x.dropna().is_monotonic_increasing`: not strict; no values → True.
                Arc::new(
                    (0..n)
                        .map(|g| {
                            let rows = groups.get(g);
                            if rows.is_empty() {
                                return None;
                            }
                            let mut prev = f64::NAN;
                            for &r in rows {
                                let c = v[r as usize];
                                if c.is_nan() {
                                    continue;
                                }
                                if !prev.is_nan() && (if inc { c < prev } else { c > prev }) {
                                    return Some(false);
                                }
                                prev = c;
                            }
                            Some(true)
                        })
                        .collect::<BooleanArray>(),
                )
            }
            Order::NumPeaks => {
                let v = x.numbers()?;
                let mut vals = Vec::new();
                Arc::new(Int64Array::from_iter((0..n).map(|g| {
                    let rows = groups.get(g);
                    if rows.is_empty() {
                        return None;
                    }
                    vals.clear();
                    vals.extend(rows.iter().map(|&r| v[r as usize]));
                    Some(num_peaks(&vals))
                })))
            }
            Order::NumZeroCrossings => {
                let v = x.numbers()?;
                // `np.diff(np.sign(x[(x != 0) & (x == x)]))` nonzero: sign changes among the
                // values that are neither zero nor missing.
                Arc::new(Int64Array::from_iter((0..n).map(|g| {
                    let rows = groups.get(g);
                    if rows.is_empty() {
                        return None;
                    }
                    let mut last = 0.0f64;
                    let mut crossings = 0i64;
                    for &r in rows {
                        let c = v[r as usize];
                        if c == 0.0 || c.is_nan() {
                            continue;
                        }
                        let s = c.signum();
                        if last != 0.0 && s != last {
                            crossings += 1;
                        }
                        last = s;
                    }
                    Some(crossings)
                })))
            }
            Order::NumConsecutiveGreaterMean { skipna }
            | Order::NumConsecutiveLessMean { skipna } => {
                let v = x.numbers()?;
                let greater = matches!(self, Order::NumConsecutiveGreaterMean { .. });
                let mut vals = Vec::new();
                Arc::new(Int64Array::from_iter((0..n).map(|g| {
                    vals.clear();
                    vals.extend(groups.get(g).iter().map(|&r| v[r as usize]));
                    num_consecutive_mean(&vals, *skipna, greater)
                })))
            }
        };
        Ok(vec![out])
    }
}

/// numpy's `add.reduce` of a contiguous float64 array (`pairwise_sum_DOUBLE`: blocks of 128
/// with eight accumulators, halves above that), as pandas' `mean` and numpy's `mean` sum.
pub(super) fn pairwise_sum(a: &[f64]) -> f64 {
    super::moments::np_sum(a)
}

/// pandas' `Series.mean()` (`nanops.nanmean`): missing values count as 0 in numpy's pairwise
/// sum, which is divided by the number of values present.
fn pandas_mean(vals: &[f64]) -> f64 {
    let filled: Vec<f64> = vals
        .iter()
        .map(|&v| if v.is_nan() { 0.0 } else { v })
        .collect();
    let count = vals.iter().filter(|v| !v.is_nan()).count();
    if count == 0 {
        return f64::NAN;
    }
    pairwise_sum(&filled) / count as f64
}

/// `NumConsecutiveGreaterMean` / `NumConsecutiveLessMean`: the longest run of values strictly
/// above (below) the group's mean, missing values dropped first.
fn num_consecutive_mean(vals: &[f64], skipna: bool, greater: bool) -> Option<i64> {
    let present = vals.iter().filter(|v| !v.is_nan()).count();
    // `x.isnull().all()` (an empty group too) and `not skipna and x.isnull().any()`
    if present == 0 || (!skipna && present < vals.len()) {
        return None;
    }
    let mean = pandas_mean(vals);
    // inf and -inf together
    if mean.is_nan() {
        return None;
    }
    let (mut best, mut run) = (0i64, 0i64);
    for &v in vals.iter().filter(|v| !v.is_nan()) {
        if (greater && v > mean) || (!greater && v < mean) {
            run += 1;
            best = best.max(run);
        } else {
            run = 0;
        }
    }
    Some(best)
}

/// `scipy.signal.find_peaks(x)` with no conditions (`_local_maxima_1d`): strict local maxima, a
/// plateau counting once; comparisons with NaN are false.
fn num_peaks(x: &[f64]) -> i64 {
    let n = x.len();
    if n < 3 {
        return 0;
    }
    let (mut count, mut i, i_max) = (0, 1, n - 1);
    while i < i_max {
        if x[i - 1] < x[i] {
            let mut ahead = i + 1;
            while ahead < i_max && x[ahead] == x[i] {
                ahead += 1;
            }
            if x[ahead] < x[i] {
                count += 1;
                i = ahead;
            }
        }
        i += 1;
    }
    count
}

/// featuretools' `calculate_trend` on the rows where both the value and the time are present
/// (`times` in ns): fewer than 3 points → NaN; times as floats in the unit the first time is a
/// whole number of (days, hours, minutes, else seconds: `convert_datetime_to_floats`); both
/// centred on their means; one distinct time → 0; else the least-squares slope (`np.polyfit(x,
/// y, 1)[0]`, computed here in closed form).
fn trend(times: &[i64], ys: &[f64]) -> f64 {
    let n = times.len();
    if n <= 2 {
        return f64::NAN;
    }
    // `int(x.iloc[0].value * 1e-9)`, then `find_dividend_by_unit`
    let first = ((times[0] as f64) * 1e-9) as i64;
    let dividend = [86400i64, 3600, 60]
        .into_iter()
        .find(|d| first % d == 0)
        .unwrap_or(1);
    let factor = 1e-9 / dividend as f64;
    let mut x: Vec<f64> = times.iter().map(|&t| t as f64 * factor).collect();
    let mut y = ys.to_vec();
    let xm = pairwise_sum(&x) / n as f64;
    let ym = pairwise_sum(&y) / n as f64;
    x.iter_mut().for_each(|v| *v -= xm);
    y.iter_mut().for_each(|v| *v -= ym);
    if x.iter().all(|&v| v == x[0]) {
        return 0.0;
    }
    // The slope of the line with an intercept, as lstsq finds it.
    let mx = pairwise_sum(&x) / n as f64;
    let my = pairwise_sum(&y) / n as f64;
    let (mut sxx, mut sxy) = (0.0, 0.0);
    for (a, b) in x.iter().zip(&y) {
        let dx = a - mx;
        sxx += dx * dx;
        sxy += dx * (b - my);
    }
    sxy / sxx
}

#[cfg(test)]
pub(super) mod testing {
    //! Helpers shared by the tests of the order, consecutive and times families.
    use std::sync::Arc;

    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float64Type, Int64Type};
    use arrow_array::{ArrayRef, BooleanArray, Float64Array, Int64Array, TimestampNanosecondArray};

    use crate::primitives::{aggregate_at, Groups, Primitive};

    /// Consecutive groups of the given sizes over rows 0, 1, 2...
    pub fn groups(sizes: &[usize]) -> Groups {
        let mut offsets = vec![0];
        for s in sizes {
            offsets.push(offsets.last().unwrap() + s);
        }
        let rows = (0..*offsets.last().unwrap() as u32).collect();
        Groups {
            offsets,
            rows,
            ranges: None,
        }
    }

    pub fn f(v: &[Option<f64>]) -> ArrayRef {
        Arc::new(Float64Array::from(v.to_vec()))
    }

    pub fn i(v: &[Option<i64>]) -> ArrayRef {
        Arc::new(Int64Array::from(v.to_vec()))
    }

    pub fn b(v: &[Option<bool>]) -> ArrayRef {
        Arc::new(BooleanArray::from(v.to_vec()))
    }

    /// Nanoseconds since the epoch of a naive UTC date and time.
    pub fn ns(y: i64, m: i64, d: i64, h: i64, mi: i64, s: i64) -> i64 {
        // days from civil (Howard Hinnant)
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        let days = era * 146097 + doe - 719468;
        (days * 86400 + h * 3600 + mi * 60 + s) * 1_000_000_000
    }

    pub fn t(v: &[Option<i64>]) -> ArrayRef {
        Arc::new(TimestampNanosecondArray::from(v.to_vec()))
    }

    /// Runs `p` on `inputs` grouped by `sizes`, with each group's cutoff `times`.
    pub fn run(p: &Primitive, inputs: &[ArrayRef], sizes: &[usize], times: &[i64]) -> ArrayRef {
        let g = groups(sizes);
        let times = if times.is_empty() && p.aggregation().unwrap().uses_time() {
            vec![0; g.len()]
        } else {
            times.to_vec()
        };
        let out = aggregate_at(p, inputs, &g, None, &times).unwrap();
        assert_eq!(out.len(), 1);
        out[0].clone()
    }

    pub fn floats(a: &ArrayRef) -> Vec<Option<f64>> {
        a.as_primitive::<Float64Type>().iter().collect()
    }

    pub fn ints(a: &ArrayRef) -> Vec<Option<i64>> {
        a.as_primitive::<Int64Type>().iter().collect()
    }

    pub fn bools(a: &ArrayRef) -> Vec<Option<bool>> {
        a.as_boolean().iter().collect()
    }

    /// Equal floats, within `rel` relative to the expected value.
    pub fn close(got: &[Option<f64>], want: &[Option<f64>], rel: f64) {
        assert_eq!(got.len(), want.len(), "{got:?} vs {want:?}");
        for (g, w) in got.iter().zip(want) {
            match (g, w) {
                (Some(g), Some(w)) => assert!(
                    (g - w).abs() <= rel * w.abs(),
                    "{got:?} vs {want:?}: {g} != {w}"
                ),
                (None, None) => {}
                _ => panic!("{got:?} vs {want:?}"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use crate::primitives::test_util::{prim, prim_with};
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Int32Type, TimestampNanosecondType};
    use arrow_array::{ArrayRef, DictionaryArray, StringArray};
    use serde_json::json;
    use std::sync::Arc;

    #[test]
    fn first_and_last_keep_a_missing_value_and_the_input_type() {
        // First().get_function()(pd.Series([nan, 2.0, 3.0])) -> nan ; Last -> 3.0
        // ([4.0, nan]) -> 4.0, nan ; ([5.0]) -> 5.0, 5.0 ; an empty group has no value
        let a = f(&[None, Some(2.0), Some(3.0), Some(4.0), None, Some(5.0)]);
        let sizes = [3, 2, 1, 0];
        assert_eq!(
            floats(&run(&prim("First"), std::slice::from_ref(&a), &sizes, &[])),
            vec![None, Some(4.0), Some(5.0), None]
        );
        assert_eq!(
            floats(&run(&prim("Last"), &[a], &sizes, &[])),
            vec![Some(3.0), None, Some(5.0), None]
        );
        // Categoricals stay categoricals with the same categories.
        let values: ArrayRef = Arc::new(StringArray::from(vec!["x", "y", "z"]));
        let keys = arrow_array::Int32Array::from(vec![Some(2), Some(0), None, Some(1)]);
        let d: ArrayRef = Arc::new(DictionaryArray::<Int32Type>::try_new(keys, values).unwrap());
        let out = run(&prim("Last"), std::slice::from_ref(&d), &[2, 2, 0], &[]);
        let out = out.as_dictionary::<Int32Type>();
        assert_eq!(
            out.values().as_ref(),
            d.as_dictionary::<Int32Type>().values().as_ref()
        );
        let text = arrow_cast::cast(out, &arrow_schema::DataType::Utf8).unwrap();
        let text: Vec<Option<&str>> = text.as_string::<i32>().iter().collect();
        assert_eq!(text, vec![Some("x"), Some("y"), None]);
        // Text, booleans, datetimes and integers
        let s: ArrayRef = Arc::new(StringArray::from(vec![Some("a"), Some("b")]));
        let out = run(&prim("First"), &[s], &[2], &[]);
        assert_eq!(out.as_string::<i32>().value(0), "a");
        let out = run(
            &prim("First"),
            &[b(&[Some(false), Some(true)])],
            &[1, 1],
            &[],
        );
        assert_eq!(bools(&out), vec![Some(false), Some(true)]);
        let out = run(&prim("Last"), &[t(&[Some(7), Some(9)])], &[2], &[]);
        assert_eq!(out.as_primitive::<TimestampNanosecondType>().value(0), 9);
        let out = run(&prim("Last"), &[i(&[Some(7), Some(9), None])], &[2, 1], &[]);
        assert_eq!(ints(&out), vec![Some(9), None]);
    }

    fn day(d: i64) -> Option<i64> {
        Some(ns(2020, 1, d, 0, 0, 0))
    }

    #[test]
    fn trend_is_featuretools_calculate_trend() {
        let tm = |h, mi, s| Some(ns(2010, 1, 1, h, mi, s));
        // Trend()(pd.Series([1,2,3,4,5]), pd.Series(pd.to_datetime(["2010-01-01 11:45:00",
        //   "2010-01-01 11:55:15", "2010-01-01 11:57:30", "2010-01-01 11:12:00",
        //   "2010-01-01 11:12:15"]))) -> -0.05296932649805781 (minutes: 11:45 is whole minutes)
        // ([1, nan, 3, 2], days 1, 2, 4, 5) -> 0.3461538461538463 (days)
        // ([1, 3, 2], 2020-01-01 00:00:01, 01-02, 01-04) -> 2.4801464276552475e-06 (seconds)
        // ([1, 3, 2], 2020-01-01 01:00:00, ...) -> 0.008763017526035049 (hours)
        // ([1, 3, 2], 2020-01-01 01:01:00, ...) -> 0.00014600254765093301 (minutes)
        // ([1, 3], two days) -> nan ; ([1, 3, 5], one time) -> 0
        // ([1, 3, 5, 7], days 1, 1, 2, 2) -> 4.0 ; ([0.1] * 5, days 1, 2, 3, 5, 8) -> 0.0
        let y = f(&[
            Some(1.0),
            Some(2.0),
            Some(3.0),
            Some(4.0),
            Some(5.0),
            Some(1.0),
            None,
            Some(3.0),
            Some(2.0),
            Some(1.0),
            Some(3.0),
            Some(2.0),
            Some(1.0),
            Some(3.0),
            Some(2.0),
            Some(1.0),
            Some(3.0),
            Some(2.0),
            Some(1.0),
            Some(3.0),
            Some(1.0),
            Some(3.0),
            Some(5.0),
            Some(1.0),
            Some(3.0),
            Some(5.0),
            Some(7.0),
            Some(0.1),
            Some(0.1),
            Some(0.1),
            Some(0.1),
            Some(0.1),
            None,
            Some(1.0),
        ]);
        let x = t(&[
            tm(11, 45, 0),
            tm(11, 55, 15),
            tm(11, 57, 30),
            tm(11, 12, 0),
            tm(11, 12, 15),
            day(1),
            day(2),
            day(4),
            day(5),
            Some(ns(2020, 1, 1, 0, 0, 1)),
            day(2),
            day(4),
            Some(ns(2020, 1, 1, 1, 0, 0)),
            day(2),
            day(4),
            Some(ns(2020, 1, 1, 1, 1, 0)),
            day(2),
            day(4),
            day(1),
            day(2),
            day(1),
            day(1),
            day(1),
            day(1),
            day(1),
            day(2),
            day(2),
            day(1),
            day(2),
            day(3),
            day(5),
            day(8),
            day(1),
            None,
        ]);
        let out = run(
            &prim("Trend"),
            &[y, x],
            &[5, 4, 3, 3, 3, 2, 3, 4, 5, 2, 0],
            &[],
        );
        close(
            &floats(&out),
            &[
                Some(-0.05296932649805781),
                Some(0.3461538461538463),
                Some(2.4801464276552475e-06),
                Some(0.008763017526035049),
                Some(0.00014600254765093301),
                None,
                Some(0.0),
                Some(4.0),
                Some(0.0),
                None,
                None,
            ],
            1e-12,
        );
        // Trend()(pd.Series([1, None, 4, 9], dtype="Int64"), days 1, 2, 4, 5) -> 1.76923076923077
        let out = run(
            &prim("Trend"),
            &[
                i(&[Some(1), None, Some(4), Some(9)]),
                t(&[day(1), day(2), day(4), day(5)]),
            ],
            &[4],
            &[],
        );
        close(&floats(&out), &[Some(1.76923076923077)], 1e-12);
    }

    #[test]
    fn monotonic_is_not_strict_and_skips_missing_values() {
        // IsMonotonicallyIncreasing / Decreasing()(pd.Series(v)):
        // [nan] -> True, True ; [1.0] -> True, True ; [1, 1, 2] -> True, False
        // [3, nan, 2, 2, 1] -> False, True ; [1, nan, 0.5] -> False, True ; [2, nan, nan] -> True
        let a = f(&[
            None,
            Some(1.0),
            Some(1.0),
            Some(1.0),
            Some(2.0),
            Some(3.0),
            None,
            Some(2.0),
            Some(2.0),
            Some(1.0),
            Some(1.0),
            None,
            Some(0.5),
            Some(2.0),
            None,
            None,
        ]);
        let sizes = [1, 1, 3, 5, 3, 3, 0];
        let inc = run(
            &prim("IsMonotonicallyIncreasing"),
            std::slice::from_ref(&a),
            &sizes,
            &[],
        );
        let dec = run(&prim("IsMonotonicallyDecreasing"), &[a], &sizes, &[]);
        let t_ = Some(true);
        let f_ = Some(false);
        assert_eq!(bools(&inc), vec![t_, t_, t_, f_, f_, t_, None]);
        assert_eq!(bools(&dec), vec![t_, t_, f_, t_, t_, t_, None]);
        assert_eq!(
            prim("IsMonotonicallyIncreasing").default_value(),
            crate::primitives::Default::Bool(false)
        );
    }

    #[test]
    fn num_peaks_is_scipy_find_peaks() {
        // NumPeaks()(pd.Series(v)): [] -> 0 ; [nan] -> 0 ; [1.0] -> 0
        // [-5, 0, 10, 0, 10, -5, -4, -5, 10, 0] -> 4 ; [1, 3, 3, 3, 1] -> 1 ; [1, 3, 3, 3] -> 0
        // [1, 3, nan, 1] -> 0 ; [0, 2, 2, 1, 2, 0] -> 2 ; [1, 2, 1, nan, 3, 4, 3] -> 2
        let groups: Vec<Vec<Option<f64>>> = vec![
            vec![None],
            vec![Some(1.0)],
            [-5.0, 0.0, 10.0, 0.0, 10.0, -5.0, -4.0, -5.0, 10.0, 0.0]
                .map(Some)
                .to_vec(),
            [1.0, 3.0, 3.0, 3.0, 1.0].map(Some).to_vec(),
            [1.0, 3.0, 3.0, 3.0].map(Some).to_vec(),
            vec![Some(1.0), Some(3.0), None, Some(1.0)],
            [0.0, 2.0, 2.0, 1.0, 2.0, 0.0].map(Some).to_vec(),
            vec![
                Some(1.0),
                Some(2.0),
                Some(1.0),
                None,
                Some(3.0),
                Some(4.0),
                Some(3.0),
            ],
            vec![],
        ];
        let sizes: Vec<usize> = groups.iter().map(Vec::len).collect();
        let a = f(&groups.concat());
        let out = run(&prim("NumPeaks"), &[a], &sizes, &[]);
        assert_eq!(
            ints(&out),
            vec![
                Some(0),
                Some(0),
                Some(4),
                Some(1),
                Some(0),
                Some(0),
                Some(2),
                Some(2),
                None
            ]
        );
        assert_eq!(
            prim("NumPeaks").default_value(),
            crate::primitives::Default::Zero
        );
    }

    #[test]
    fn num_zero_crossings_skips_zeros_and_missing_values() {
        // NumZeroCrossings()(pd.Series(v)): [nan] -> 0 ; [1.0] -> 0
        // [1, -1, 2, -2, 3, -3] -> 5 ; [1, 0, -1, 0, 0, 1, nan, -2, -3] -> 3
        // [-inf, inf, 0, 5] -> 1 ; an empty group has no value (default NaN)
        let groups: Vec<Vec<Option<f64>>> = vec![
            vec![None],
            vec![Some(1.0)],
            [1.0, -1.0, 2.0, -2.0, 3.0, -3.0].map(Some).to_vec(),
            vec![
                Some(1.0),
                Some(0.0),
                Some(-1.0),
                Some(0.0),
                Some(0.0),
                Some(1.0),
                None,
                Some(-2.0),
                Some(-3.0),
            ],
            [f64::NEG_INFINITY, f64::INFINITY, 0.0, 5.0]
                .map(Some)
                .to_vec(),
            vec![],
        ];
        let sizes: Vec<usize> = groups.iter().map(Vec::len).collect();
        let out = run(
            &prim("NumZeroCrossings"),
            &[f(&groups.concat())],
            &sizes,
            &[],
        );
        assert_eq!(
            ints(&out),
            vec![Some(0), Some(0), Some(5), Some(3), Some(1), None]
        );
        assert_eq!(
            prim("NumZeroCrossings").default_value(),
            crate::primitives::Default::Null
        );
    }

    #[test]
    fn num_consecutive_around_the_mean() {
        // NumConsecutiveGreaterMean / LessMean()(pd.Series(v)), then with skipna=False:
        // [] and [nan] -> nan ; [1.0] -> 0.0 ; [1..6] -> 3.0, 3.0
        // [1..6, nan] -> 3.0, 3.0, nan, nan ; [6, nan, 5, 1, 7, 8, 9, 0] -> 3.0, 2.0, nan, nan
        // [0.1] * 3 -> 0.0, 3 (the mean 0.10000000000000002 is above each value)
        // [0.3] * 3 -> 0.0, 0.0 ; [inf, -inf, 1] -> nan ; [inf, 1, 2] -> 0.0, 2.0
        let inf = f64::INFINITY;
        let groups: Vec<Vec<Option<f64>>> = vec![
            vec![],
            vec![None],
            vec![Some(1.0)],
            [1.0, 2.0, 3.0, 4.0, 5.0, 6.0].map(Some).to_vec(),
            [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, f64::NAN]
                .map(|v| (!v.is_nan()).then_some(v))
                .to_vec(),
            [6.0, f64::NAN, 5.0, 1.0, 7.0, 8.0, 9.0, 0.0]
                .map(|v| (!v.is_nan()).then_some(v))
                .to_vec(),
            [0.1, 0.1, 0.1].map(Some).to_vec(),
            [0.3, 0.3, 0.3].map(Some).to_vec(),
            [inf, -inf, 1.0].map(Some).to_vec(),
            [inf, 1.0, 2.0].map(Some).to_vec(),
        ];
        let sizes: Vec<usize> = groups.iter().map(Vec::len).collect();
        let a = f(&groups.concat());
        let get = |class: &str, skipna: bool| {
            ints(&run(
                &prim_with(class, json!({ "skipna": skipna })),
                std::slice::from_ref(&a),
                &sizes,
                &[],
            ))
        };
        let s = Some;
        assert_eq!(
            get("NumConsecutiveGreaterMean", true),
            vec![None, None, s(0), s(3), s(3), s(3), s(0), s(0), None, s(0)]
        );
        assert_eq!(
            get("NumConsecutiveLessMean", true),
            vec![None, None, s(0), s(3), s(3), s(2), s(3), s(0), None, s(2)]
        );
        assert_eq!(
            get("NumConsecutiveGreaterMean", false),
            vec![None, None, s(0), s(3), None, None, s(0), s(0), None, s(0)]
        );
        assert_eq!(
            get("NumConsecutiveLessMean", false),
            vec![None, None, s(0), s(3), None, None, s(3), s(0), None, s(2)]
        );
        let default = ints(&run(
            &prim("NumConsecutiveLessMean"),
            std::slice::from_ref(&a),
            &sizes,
            &[],
        ));
        assert_eq!(default, get("NumConsecutiveLessMean", true));
    }

    #[test]
    fn pairwise_sum_is_numpys() {
        // np.array([0.1] * 3).sum() -> 0.30000000000000004
        // np.array([1.0 / k for k in range(1, 201)]).sum() -> 5.878030948121444
        // (a running sum gives 5.878030948121446)
        assert_eq!(super::pairwise_sum(&[0.1; 3]), 0.30000000000000004);
        let v: Vec<f64> = (1..201).map(|k| 1.0 / k as f64).collect();
        assert_eq!(super::pairwise_sum(&v), 5.878030948121444);
    }
}
