//! Aggregations of the child rows' times, in their order (time index, then index), some against
//! each group's cutoff time (featuretools' `time` argument, `uses_calc_time`): AVG_TIME_BETWEEN,
//! DATE_FIRST_EVENT, FIRST_LAST_TIME_DELTA, TIME_SINCE_FIRST, TIME_SINCE_LAST,
//! TIME_SINCE_LAST_FALSE, TIME_SINCE_LAST_MAX, TIME_SINCE_LAST_MIN and TIME_SINCE_LAST_TRUE
//! (`featuretools/primitives/standard/aggregation/`).

use std::sync::Arc;

use arrow_array::{Array, ArrayRef, TimestampNanosecondArray};

use super::{AggInput, Aggregation};
use crate::primitives::registry::{Args, Entry};
use crate::primitives::timedelta_total_seconds;
use crate::primitives::Dtype;
use crate::primitives::{booleans, float_out, timestamps, to_f64, Default, Implementation};

/// `featuretools.utils.convert_time_units`: seconds divided by the unit's length in seconds.
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

/// The `unit` argument (`unit.lower()` in the constructor), as the divisor of seconds.
fn unit(a: &Args) -> Result<f64, String> {
    let u = a.text("unit", "seconds")?.to_lowercase();
    UNITS
        .iter()
        .find(|(name, _)| *name == u)
        .map(|(_, div)| *div)
        .ok_or_else(|| {
            a.error(
                "unit",
                format!(
                    "is '{u}'; featuretools' convert_time_units accepts {} (plural)",
                    UNITS.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
                ),
            )
        })
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Times {
    AvgTimeBetween { div: f64 },
    DateFirstEvent,
    FirstLastTimeDelta,
    TimeSinceFirst { div: f64 },
    TimeSinceLast { div: f64 },
    TimeSinceLastFalse,
    TimeSinceLastTrue,
    TimeSinceLastMax,
    TimeSinceLastMin,
}

fn entry(t: Times) -> Result<Implementation, String> {
    Ok(Implementation::Aggregation(Arc::new(t)))
}

pub(crate) const ENTRIES: &[Entry] = &[
    Entry {
        class: "AvgTimeBetween",
        make: |a| entry(Times::AvgTimeBetween { div: unit(a)? }),
    },
    Entry {
        class: "DateFirstEvent",
        make: |_| entry(Times::DateFirstEvent),
    },
    Entry {
        class: "FirstLastTimeDelta",
        make: |_| entry(Times::FirstLastTimeDelta),
    },
    Entry {
        class: "TimeSinceFirst",
        make: |a| entry(Times::TimeSinceFirst { div: unit(a)? }),
    },
    Entry {
        class: "TimeSinceLast",
        make: |a| entry(Times::TimeSinceLast { div: unit(a)? }),
    },
    Entry {
        class: "TimeSinceLastFalse",
        make: |_| entry(Times::TimeSinceLastFalse),
    },
    Entry {
        class: "TimeSinceLastTrue",
        make: |_| entry(Times::TimeSinceLastTrue),
    },
    Entry {
        class: "TimeSinceLastMax",
        make: |_| entry(Times::TimeSinceLastMax),
    },
    Entry {
        class: "TimeSinceLastMin",
        make: |_| entry(Times::TimeSinceLastMin),
    },
];

/// `(time - t).total_seconds()`, pandas raising on an overflowing Timedelta.
fn seconds_since(time: i64, t: i64) -> Result<f64, String> {
    time.checked_sub(t)
        .map(timedelta_total_seconds)
        .ok_or_else(|| "a time difference overflows 64-bit nanoseconds".to_string())
}

impl Aggregation for Times {
    /// Seconds, numpy `float64`, whatever the inputs (TIME_SINCE_LAST_MAX of an `Int64`
    /// column included).
    fn dtype(&self, _inputs: &[Dtype]) -> Dtype {
        Dtype::Numpy
    }
    fn arity(&self) -> usize {
        match self {
            // (time_index, boolean) and (time_index, numeric)
            Times::TimeSinceLastFalse
            | Times::TimeSinceLastTrue
            | Times::TimeSinceLastMax
            | Times::TimeSinceLastMin => 2,
            _ => 1,
        }
    }

    fn default_value(&self) -> Default {
        match self {
            Times::AvgTimeBetween { .. }
            | Times::TimeSinceFirst { .. }
            | Times::TimeSinceLast { .. } => Default::Null,
            // DATE_FIRST_EVENT's default is 0 too: `fillna(0)` puts a 0 in the datetime column,
            // which woodwork then reads as NaT in the feature matrix (a datetime column keeps
            // its nulls here).
            _ => Default::Zero,
        }
    }

    fn order_dependent(&self) -> bool {
        // AVG_TIME_BETWEEN reads the extremes and the count only.
        !matches!(self, Times::AvgTimeBetween { .. })
    }

    fn uses_time(&self) -> bool {
        matches!(
            self,
            Times::TimeSinceFirst { .. }
                | Times::TimeSinceLast { .. }
                | Times::TimeSinceLastFalse
                | Times::TimeSinceLastTrue
                | Times::TimeSinceLastMax
                | Times::TimeSinceLastMin
        )
    }

    fn batch(&self, x: &AggInput) -> Result<Vec<ArrayRef>, String> {
        let groups = x.groups;
        let n = groups.len();
        let t = timestamps(x.input()?)?;
        let present = |g: usize| groups.get(g).iter().filter_map(|&r| t[r as usize]);
        let second = || {
            x.inputs
                .get(1)
                .ok_or_else(|| format!("{self:?} takes two inputs"))
        };
        let out: ArrayRef = match *self {
            Times::DateFirstEvent => Arc::new(
                (0..n)
                    .map(|g| present(g).next())
                    .collect::<TimestampNanosecondArray>(),
            ),
            Times::AvgTimeBetween { div } => float_out(
                (0..n)
                    .map(|g| {
                        // `(x.max() - x.min()) / (len(x) - 1) * 1e-9` in int64, then float
                        let (mut lo, mut hi, mut count) = (i64::MAX, i64::MIN, 0usize);
                        for v in present(g) {
                            lo = lo.min(v);
                            hi = hi.max(v);
                            count += 1;
                        }
                        if count < 2 {
                            return f64::NAN;
                        }
                        let avg = hi.wrapping_sub(lo) as f64 / (count - 1) as f64;
                        avg * 1e-9 / div
                    })
                    .collect(),
            ),
            Times::FirstLastTimeDelta => float_out(
                (0..n)
                    .map(|g| {
                        let first = present(g).next();
                        let last = present(g).next_back();
                        match (first, last) {
                            (Some(a), Some(b)) => seconds_since(b, a),
                            _ => Ok(f64::NAN),
                        }
                    })
                    .collect::<Result<_, _>>()?,
            ),
            Times::TimeSinceFirst { div } | Times::TimeSinceLast { div } => {
                let first = matches!(self, Times::TimeSinceFirst { .. });
                float_out(
                    (0..n)
                        .map(|g| {
                            let rows = groups.get(g);
                            // `values.iloc[0]` / `values.iloc[-1]`: a missing one gives NaN
                            let row = if first { rows.first() } else { rows.last() };
                            match row.and_then(|&r| t[r as usize]) {
                                Some(v) => Ok(seconds_since(x.times[g], v)? / div),
                                None => Ok(f64::NAN),
                            }
                        })
                        .collect::<Result<_, String>>()?,
                )
            }
            Times::TimeSinceLastFalse | Times::TimeSinceLastTrue => {
                let want = *self == Times::TimeSinceLastTrue;
                let b = booleans(second()?)?;
                float_out(
                    (0..n)
                        .map(|g| {
                            // rows with both values present; the last whose boolean is `want`
                            let last = groups
                                .get(g)
                                .iter()
                                .filter(|&&r| b.is_valid(r as usize) && b.value(r as usize) == want)
                                .filter_map(|&r| t[r as usize])
                                .next_back();
                            match last {
                                Some(v) => seconds_since(x.times[g], v),
                                None => Ok(f64::NAN),
                            }
                        })
                        .collect::<Result<_, String>>()?,
                )
            }
            Times::TimeSinceLastMax | Times::TimeSinceLastMin => {
                let max = *self == Times::TimeSinceLastMax;
                let v = to_f64(second()?)?;
                float_out(
                    (0..n)
                        .map(|g| {
                            // rows with both values present; `idxmax` / `idxmin`: the first
                            // of the extreme values
                            let mut best: Option<(f64, i64)> = None;
                            for &r in groups.get(g) {
                                let (c, Some(ti)) = (v[r as usize], t[r as usize]) else {
                                    continue;
                                };
                                if c.is_nan() {
                                    continue;
                                }
                                let better = match best {
                                    None => true,
                                    Some((b, _)) => {
                                        if max {
                                            c > b
                                        } else {
                                            c < b
                                        }
                                    }
                                };
                                if better {
                                    best = Some((c, ti));
                                }
                            }
                            match best {
                                Some((_, ti)) => seconds_since(x.times[g], ti),
                                None => Ok(f64::NAN),
                            }
                        })
                        .collect::<Result<_, String>>()?,
                )
            }
        };
        Ok(vec![out])
    }
}

#[cfg(test)]
mod tests {
    use super::super::order::testing::*;
    use crate::primitives::test_util::{prim, prim_with};
    use crate::primitives::{Default, Primitive};
    use arrow_array::cast::AsArray;
    use arrow_array::types::TimestampNanosecondType;
    use arrow_array::ArrayRef;
    use serde_json::json;

    const UNITS: [&str; 8] = [
        "seconds",
        "minutes",
        "hours",
        "days",
        "months",
        "years",
        "milliseconds",
        "nanoseconds",
    ];

    fn with_unit(class: &str, u: &str) -> Primitive {
        prim_with(class, json!({ "unit": u }))
    }

    /// 2010-01-01 at h:mi:s
    fn at(h: i64, mi: i64, s: i64) -> Option<i64> {
        Some(ns(2010, 1, 1, h, mi, s))
    }

    /// The featuretools docstrings' times: 11:45:00, 11:55:15, 11:57:30
    fn base() -> [Option<i64>; 3] {
        [at(11, 45, 0), at(11, 55, 15), at(11, 57, 30)]
    }

    fn cutoff() -> i64 {
        ns(2010, 1, 1, 12, 0, 0)
    }

    #[test]
    fn total_seconds_is_pandas() {
        // pd.Timedelta(v).total_seconds()
        let cases: [(i64, f64); 16] = [
            (-828701665712752, -828701.665713),
            (-526378986807801, -526378.986808),
            (602548930412793, 602548.930412),
            (164324072128735, 164324.072128),
            (-811742715519202, -811742.71552),
            (-133746119527053, -133746.119528),
            (-41897403718332, -41897.403719),
            (-680522170725843, -680522.170726),
            (-1, -1.0000000000287557e-06),
            (-999, -1.0000000000287557e-06),
            (-1000, -1.0000000000287557e-06),
            (-1001, -1.999999999946489e-06),
            (1999, 1e-06),
            (-1500000001, -1.500001),
            (86399999999999, 86399.999999),
            (-86400000000001, -86400.000001),
        ];
        for (v, want) in cases {
            assert_eq!(super::timedelta_total_seconds(v), want, "{v}");
        }
    }

    #[test]
    fn avg_time_between_in_each_unit() {
        // AvgTimeBetween(unit=u)(pd.Series(pd.to_datetime(v))) for u in seconds, minutes,
        // hours, days, months, years, milliseconds, nanoseconds:
        // base -> 375.0, 6.25, 0.10416666666666667, 0.004340277777777778,
        //   0.00014269406392694063, 1.1889663918833228e-05, 375000.0, 375000000000.0
        //   (the same in the order 11:57:30, 11:45:00, 11:55:15)
        // [2020-01-01 00:00:00, 00:01:00] -> 60.00000000000001, 1.0000000000000002,
        //   0.01666666666666667, 0.0006944444444444446, 2.2831050228310506e-05,
        //   1.9023462270133167e-06, 60000.00000000001, 60000000000.0
        // [00:00:00, 00:00:00.000000001, NaT, 00:00:07.000000003] -> 3.5000000015,
        //   0.058333333358333336, 0.0009722222226388889, 4.050925927662037e-05,
        //   1.3318112638888889e-06, 1.1097019662333545e-07, 3500.0000015, 3500000001.5
        // [NaT, 2020-01-01], [2020-01-01], [], [NaT, NaT] -> nan ; the same time 3 times -> 0.0
        let jan1 = ns(2020, 1, 1, 0, 0, 0);
        let [a, b_, c] = base();
        let v = t(&[
            a,
            b_,
            c,
            Some(jan1),
            Some(jan1 + 60_000_000_000),
            Some(jan1),
            Some(jan1 + 1),
            None,
            Some(jan1 + 7_000_000_003),
            None,
            Some(jan1),
            Some(jan1),
            None,
            None,
            Some(jan1),
            Some(jan1),
            Some(jan1),
            c,
            a,
            b_,
        ]);
        let sizes = [3, 2, 4, 2, 1, 0, 2, 3, 3];
        let want: [[f64; 8]; 3] = [
            [
                375.0,
                6.25,
                0.10416666666666667,
                0.004340277777777778,
                0.00014269406392694063,
                1.1889663918833228e-05,
                375000.0,
                375000000000.0,
            ],
            [
                60.00000000000001,
                1.0000000000000002,
                0.01666666666666667,
                0.0006944444444444446,
                2.2831050228310506e-05,
                1.9023462270133167e-06,
                60000.00000000001,
                60000000000.0,
            ],
            [
                3.5000000015,
                0.058333333358333336,
                0.0009722222226388889,
                4.050925927662037e-05,
                1.3318112638888889e-06,
                1.1097019662333545e-07,
                3500.0000015,
                3500000001.5,
            ],
        ];
        for (k, u) in UNITS.iter().enumerate() {
            let out = floats(&run(
                &with_unit("AvgTimeBetween", u),
                std::slice::from_ref(&v),
                &sizes,
                &[],
            ));
            let expected = vec![
                Some(want[0][k]),
                Some(want[1][k]),
                Some(want[2][k]),
                None,
                None,
                None,
                None,
                Some(0.0),
                Some(want[0][k]),
            ];
            assert_eq!(out, expected, "{u}");
        }
        // The default unit is seconds; the unit is read in lower case.
        let s = floats(&run(
            &prim("AvgTimeBetween"),
            std::slice::from_ref(&v),
            &sizes,
            &[],
        ));
        assert_eq!(s[1], Some(60.00000000000001));
        let s = floats(&run(
            &with_unit("AvgTimeBetween", "Seconds"),
            &[v],
            &sizes,
            &[],
        ));
        assert_eq!(s[1], Some(60.00000000000001));
        assert_eq!(prim("AvgTimeBetween").default_value(), Default::Null);
    }

    #[test]
    fn units_featuretools_refuses_are_refused_by_name() {
        // AvgTimeBetween(unit="weeks") -> ValueError: Invalid unit given, make sure it is plural
        for class in ["AvgTimeBetween", "TimeSinceFirst", "TimeSinceLast"] {
            for u in ["weeks", "second", "microseconds"] {
                let e = Primitive::featuretools(class, json!({ "unit": u })).unwrap_err();
                assert!(
                    e.contains("'unit'") && e.contains(u) && e.contains(class),
                    "{e}"
                );
            }
        }
    }

    #[test]
    fn date_first_event_skips_missing_times() {
        // DateFirstEvent()(pd.Series(pd.to_datetime([NaT, "2020-01-02", "2020-01-01"])))
        //   -> Timestamp('2020-01-02') ; ([NaT]) -> NaT ; ([2020-01-03 04:05:06]) -> itself
        // ft.calculate_feature_matrix: an instance without rows is NaT in the matrix (the
        // default 0 that fillna puts in is read as null by woodwork's Datetime).
        let d2 = ns(2020, 1, 2, 0, 0, 0);
        let d3 = ns(2020, 1, 3, 4, 5, 6);
        let v = t(&[
            None,
            Some(d2),
            Some(ns(2020, 1, 1, 0, 0, 0)),
            None,
            Some(d3),
        ]);
        let out = run(&prim("DateFirstEvent"), &[v], &[3, 1, 1, 0], &[]);
        let out: Vec<Option<i64>> = out
            .as_primitive::<TimestampNanosecondType>()
            .iter()
            .collect();
        assert_eq!(out, vec![Some(d2), None, Some(d3), None]);
        assert_eq!(prim("DateFirstEvent").default_value(), Default::Zero);
    }

    #[test]
    fn first_last_time_delta_in_seconds() {
        // FirstLastTimeDelta()(pd.Series(pd.to_datetime(v))):
        // [10:30:00, 10:30:15, 10:30:35] -> 35.0 ; [NaT, 01-01, NaT, 01-02, NaT] -> 86400.0
        // [01-01] -> 0.0 ; [NaT] -> nan ; [00:00:01.500000001, 00:00:00] -> -1.500001
        // [00:00:00, 00:00:01.500000001] -> 1.5 ; [00:00:00, 00:00:00.000000999] -> 0.0
        let d = |day| Some(ns(2011, 4, day, 10, 30, 0));
        let j = ns(2020, 1, 1, 0, 0, 0);
        let v = t(&[
            d(9),
            d(9).map(|x| x + 15_000_000_000),
            d(9).map(|x| x + 35_000_000_000),
            None,
            Some(j),
            None,
            Some(j + 86_400_000_000_000),
            None,
            Some(j),
            None,
            Some(j + 1_500_000_001),
            Some(j),
            Some(j),
            Some(j + 1_500_000_001),
            Some(j),
            Some(j + 999),
        ]);
        let out = run(
            &prim("FirstLastTimeDelta"),
            &[v],
            &[3, 5, 1, 1, 2, 2, 2, 0],
            &[],
        );
        assert_eq!(
            floats(&out),
            vec![
                Some(35.0),
                Some(86400.0),
                Some(0.0),
                None,
                Some(-1.500001),
                Some(1.5),
                Some(0.0),
                None
            ]
        );
        assert_eq!(prim("FirstLastTimeDelta").default_value(), Default::Zero);
    }

    #[test]
    fn time_since_first_and_last_against_each_cutoff() {
        // TimeSinceFirst / TimeSinceLast(unit=u)(pd.Series(pd.to_datetime(v)),
        //   time=pd.Timestamp("2010-01-01 12:00:00")) for the units above:
        // base -> first 900.0, 15.0, 0.25, 0.010416666666666666, 0.00034246575342465754,
        //   2.8535193405199747e-05, 900000.0, 900000000000.0 ;
        //   last 150.0, 2.5, 0.041666666666666664, 0.001736111111111111,
        //   5.7077625570776254e-05, 4.755865567533291e-06, 150000.0, 150000000000.0
        // [NaT] + base -> first nan, last as base ; base + [NaT] -> first as base, last nan
        // [11:59:59.999999001] -> 0.0 (the nanoseconds below a microsecond are dropped)
        // [12:00:00.000000001] -> -1.0000000000287557e-06 (seconds)
        // [2009-01-01 11:59:59.123456789] -> 31536000.876543 (seconds), 3.1536000876543e+16 (ns)
        let [a, b_, c] = base();
        let noon = cutoff();
        let v = t(&[
            a,
            b_,
            c,
            None,
            a,
            b_,
            c,
            a,
            b_,
            c,
            None,
            Some(noon - 999),
            Some(noon + 1),
            Some(ns(2009, 1, 1, 11, 59, 59) + 123_456_789),
        ]);
        let sizes = [3, 4, 4, 1, 1, 1, 0];
        let first_base = [
            900.0,
            15.0,
            0.25,
            0.010416666666666666,
            0.00034246575342465754,
            2.8535193405199747e-05,
            900000.0,
            900000000000.0,
        ];
        let last_base = [
            150.0,
            2.5,
            0.041666666666666664,
            0.001736111111111111,
            5.7077625570776254e-05,
            4.755865567533291e-06,
            150000.0,
            150000000000.0,
        ];
        let times = vec![noon; sizes.len()];
        for (k, u) in UNITS.iter().enumerate() {
            let first = floats(&run(
                &with_unit("TimeSinceFirst", u),
                std::slice::from_ref(&v),
                &sizes,
                &times,
            ));
            let last = floats(&run(
                &with_unit("TimeSinceLast", u),
                std::slice::from_ref(&v),
                &sizes,
                &times,
            ));
            assert_eq!(
                &first[..3],
                &[Some(first_base[k]), None, Some(first_base[k])],
                "{u}"
            );
            assert_eq!(
                &last[..3],
                &[Some(last_base[k]), Some(last_base[k]), None],
                "{u}"
            );
            assert_eq!(first[3], Some(0.0));
            assert_eq!(first[6], None);
            assert_eq!(first[3..6], last[3..6]);
        }
        let first = floats(&run(
            &prim("TimeSinceFirst"),
            std::slice::from_ref(&v),
            &sizes,
            &times,
        ));
        assert_eq!(first[4], Some(-1.0000000000287557e-06));
        assert_eq!(first[5], Some(31536000.876543));
        let ns_ = floats(&run(
            &with_unit("TimeSinceLast", "nanoseconds"),
            std::slice::from_ref(&v),
            &sizes,
            &times,
        ));
        assert_eq!(ns_[5], Some(3.1536000876543e+16));
        // Each group against its own cutoff.
        let out = floats(&run(
            &prim("TimeSinceLast"),
            &[v],
            &sizes,
            &[cutoff() + 60_000_000_000; 7],
        ));
        assert_eq!(out[0], Some(210.0));
        assert_eq!(prim("TimeSinceLast").default_value(), Default::Null);
        assert!(prim("TimeSinceFirst").aggregation().unwrap().uses_time());
    }

    fn pair(class: &str, times: &ArrayRef, other: &ArrayRef, sizes: &[usize]) -> Vec<Option<f64>> {
        let cut = vec![cutoff(); sizes.len()];
        floats(&run(
            &prim(class),
            &[times.clone(), other.clone()],
            sizes,
            &cut,
        ))
    }

    #[test]
    fn time_since_last_true_and_false() {
        // TimeSinceLastTrue / TimeSinceLastFalse()(times, pd.Series(bools, dtype="boolean"),
        //   time=pd.Timestamp("2010-01-01 12:00:00")):
        // [T, T, F] base -> 285.0, 150.0 ; [T, NA, F] base -> 900.0, 150.0
        // [NA, NA, F] base -> nan, 150.0 ; [T, T, NA] (11:45, 11:55:15, NaT) -> 285.0, nan
        // [F, F] (11:45, 11:55:15) -> nan, 285.0 ; [T, F, T] all 11:45 -> 900.0, 900.0
        // [NA] 11:45 -> nan, nan
        let [a, b_, c] = base();
        let (t_, f_) = (Some(true), Some(false));
        let times = t(&[a, b_, c, a, b_, c, a, b_, c, a, b_, None, a, b_, a, a, a, a]);
        let bools_ = b(&[
            t_, t_, f_, t_, None, f_, None, None, f_, t_, t_, None, f_, f_, t_, f_, t_, None,
        ]);
        let sizes = [3, 3, 3, 3, 2, 3, 1, 0];
        assert_eq!(
            pair("TimeSinceLastTrue", &times, &bools_, &sizes),
            vec![
                Some(285.0),
                Some(900.0),
                None,
                Some(285.0),
                None,
                Some(900.0),
                None,
                None
            ]
        );
        assert_eq!(
            pair("TimeSinceLastFalse", &times, &bools_, &sizes),
            vec![
                Some(150.0),
                Some(150.0),
                Some(150.0),
                None,
                Some(285.0),
                Some(900.0),
                None,
                None
            ]
        );
        for c in ["TimeSinceLastTrue", "TimeSinceLastFalse"] {
            assert_eq!(prim(c).default_value(), Default::Zero);
            assert_eq!(prim(c).arity(), 2);
        }
    }

    #[test]
    fn time_since_last_max_and_min_take_the_first_extreme() {
        // TimeSinceLastMax / TimeSinceLastMin()(times, pd.Series(v, dtype="float64"),
        //   time=pd.Timestamp("2010-01-01 12:00:00")):
        // [1, 3, 2] base -> 285.0, 900.0 ; [3, 1, 3] base -> 900.0, 285.0
        // [nan, 1, 2] base -> 150.0, 285.0 ; [5, 1, 9] (11:45, 11:55:15, NaT) -> 900.0, 285.0
        // [nan] 11:45 -> nan, nan ; [2, 2, 2] all 11:45 -> 900.0, 900.0
        // [inf, 1, -inf] base -> 900.0, 150.0 ; [1.5, 0.5, 1.5] base -> 900.0, 285.0
        let [a, b_, c] = base();
        let times = t(&[
            a, b_, c, a, b_, c, a, b_, c, a, b_, None, a, a, a, a, a, b_, c, a, b_, c,
        ]);
        let inf = f64::INFINITY;
        let vals = f(&[
            Some(1.0),
            Some(3.0),
            Some(2.0),
            Some(3.0),
            Some(1.0),
            Some(3.0),
            None,
            Some(1.0),
            Some(2.0),
            Some(5.0),
            Some(1.0),
            Some(9.0),
            None,
            Some(2.0),
            Some(2.0),
            Some(2.0),
            Some(inf),
            Some(1.0),
            Some(-inf),
            Some(1.5),
            Some(0.5),
            Some(1.5),
        ]);
        let sizes = [3, 3, 3, 3, 1, 3, 3, 3, 0];
        assert_eq!(
            pair("TimeSinceLastMax", &times, &vals, &sizes),
            [
                285.0,
                900.0,
                150.0,
                900.0,
                f64::NAN,
                900.0,
                900.0,
                900.0,
                f64::NAN
            ]
            .map(|v| (!v.is_nan()).then_some(v))
            .to_vec()
        );
        assert_eq!(
            pair("TimeSinceLastMin", &times, &vals, &sizes),
            [
                900.0,
                285.0,
                285.0,
                285.0,
                f64::NAN,
                900.0,
                150.0,
                285.0,
                f64::NAN
            ]
            .map(|v| (!v.is_nan()).then_some(v))
            .to_vec()
        );
        // An integer input: pd.Series([4, None, 9, 9], dtype="Int64") at base + 11:59
        //   -> 150.0, 900.0
        let times = t(&[a, b_, c, at(11, 59, 0)]);
        let ints_ = i(&[Some(4), None, Some(9), Some(9)]);
        assert_eq!(
            pair("TimeSinceLastMax", &times, &ints_, &[4]),
            vec![Some(150.0)]
        );
        assert_eq!(
            pair("TimeSinceLastMin", &times, &ints_, &[4]),
            vec![Some(900.0)]
        );
        assert_eq!(prim("TimeSinceLastMin").default_value(), Default::Zero);
    }
}
