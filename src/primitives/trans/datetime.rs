//! Datetime transforms (`featuretools/primitives/standard/transform/datetime/` and
//! `transform/nth_week_of_month.py`): calendar parts, calendar flags, part of day, season,
//! ISO week, TIME_SINCE and DATE_TO_TIME_ZONE.
//!
//! Each follows the pandas expression of its `get_function`. A missing datetime gives what that
//! expression gives: NaN for the `Series.dt` numbers (null here), False for the `Series.dt`
//! flags and for comparisons of the NaN hour (`vals.dt.hour == 12`, `vals.dt.weekday > 4`),
//! and NA only where the primitive sets it (IS_FIRST_WEEK_OF_MONTH).

use std::sync::Arc;

use arrow_array::{ArrayRef, BooleanArray, Int64Array, StringArray};
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Timelike};

use super::{Dtype, Transform};
use crate::primitives::registry::{Args, Entry};
use crate::primitives::{float_out, timestamps, Implementation};

/// A transform of this file.
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs)]
pub enum Dt {
    DayOfYear,
    DaysInMonth,
    IsFirstWeekOfMonth,
    IsLeapYear,
    IsLunchTime {
        lunch_hour: f64,
    },
    IsMonthEnd,
    IsMonthStart,
    IsQuarterEnd,
    IsQuarterStart,
    IsWeekend,
    IsWorkingHours {
        start_hour: f64,
        end_hour: f64,
    },
    IsYearEnd,
    IsYearStart,
    NthWeekOfMonth,
    PartOfDay,
    Quarter,
    Season,
    Week,
    /// `convert_time_units((time - x).dt.total_seconds(), unit)`: seconds divided by `div`.
    TimeSince {
        div: f64,
    },
    DateToTimeZone,
}

fn entry(d: Dt) -> Result<Implementation, String> {
    Ok(Implementation::Transform(Arc::new(d)))
}

/// `featuretools/utils/time_utils.py::convert_time_units`: the units and their divisors.
const UNITS: &[(&str, f64)] = &[
    ("years", 31_540_000.0),
    ("months", 2_628_000.0),
    ("days", 86_400.0),
    ("hours", 3_600.0),
    ("minutes", 60.0),
    ("seconds", 1.0),
    ("milliseconds", 0.001),
    ("nanoseconds", 0.000000001),
];

fn time_since(a: &Args) -> Result<Implementation, String> {
    // `TimeSince.__init__`: `self.unit = unit.lower()`.
    let unit = a.text("unit", "seconds")?;
    let lower = unit.to_lowercase();
    match UNITS.iter().find(|(u, _)| *u == lower) {
        Some(&(_, div)) => entry(Dt::TimeSince { div }),
        None => Err(a.error(
            "unit",
            format!(
                "is '{unit}'; featuretools' convert_time_units accepts {} (it raises 'Invalid \
                 unit given, make sure it is plural')",
                UNITS.iter().map(|u| u.0).collect::<Vec<_>>().join(", ")
            ),
        )),
    }
}

pub(crate) const ENTRIES: &[Entry] = &[
    Entry {
        class: "DayOfYear",
        make: |_| entry(Dt::DayOfYear),
    },
    Entry {
        class: "DaysInMonth",
        make: |_| entry(Dt::DaysInMonth),
    },
    Entry {
        class: "IsFirstWeekOfMonth",
        make: |_| entry(Dt::IsFirstWeekOfMonth),
    },
    Entry {
        class: "IsLeapYear",
        make: |_| entry(Dt::IsLeapYear),
    },
    Entry {
        class: "IsLunchTime",
        make: |a| {
            entry(Dt::IsLunchTime {
                lunch_hour: a.num("lunch_hour", 12.0)?,
            })
        },
    },
    Entry {
        class: "IsMonthEnd",
        make: |_| entry(Dt::IsMonthEnd),
    },
    Entry {
        class: "IsMonthStart",
        make: |_| entry(Dt::IsMonthStart),
    },
    Entry {
        class: "IsQuarterEnd",
        make: |_| entry(Dt::IsQuarterEnd),
    },
    Entry {
        class: "IsQuarterStart",
        make: |_| entry(Dt::IsQuarterStart),
    },
    Entry {
        class: "IsWeekend",
        make: |_| entry(Dt::IsWeekend),
    },
    Entry {
        class: "IsWorkingHours",
        make: |a| {
            entry(Dt::IsWorkingHours {
                start_hour: a.num("start_hour", 8.0)?,
                end_hour: a.num("end_hour", 18.0)?,
            })
        },
    },
    Entry {
        class: "IsYearEnd",
        make: |_| entry(Dt::IsYearEnd),
    },
    Entry {
        class: "IsYearStart",
        make: |_| entry(Dt::IsYearStart),
    },
    Entry {
        class: "NthWeekOfMonth",
        make: |_| entry(Dt::NthWeekOfMonth),
    },
    Entry {
        class: "PartOfDay",
        make: |_| entry(Dt::PartOfDay),
    },
    Entry {
        class: "Quarter",
        make: |_| entry(Dt::Quarter),
    },
    Entry {
        class: "Season",
        make: |_| entry(Dt::Season),
    },
    Entry {
        class: "Week",
        make: |_| entry(Dt::Week),
    },
    Entry {
        class: "TimeSince",
        make: time_since,
    },
    Entry {
        class: "DateToTimeZone",
        make: |_| entry(Dt::DateToTimeZone),
    },
];

impl Transform for Dt {
    /// SEASON is `string`; the others numpy (PART_OF_DAY object text) or masked where an input
    /// is.
    fn dtype(&self, inputs: &[Dtype]) -> Dtype {
        match self {
            Dt::Season => Dtype::String,
            _ => Dtype::masked_if(inputs.contains(&Dtype::Masked)),
        }
    }
    fn uses_cutoff(&self) -> bool {
        matches!(self, Dt::TimeSince { .. })
    }

    fn transform(
        &self,
        inputs: &[ArrayRef],
        _dtypes: &[Dtype],
        times: &[i64],
    ) -> Result<ArrayRef, String> {
        let a = inputs.first().ok_or("transform without input")?;
        let t = timestamps(a)?;
        let dates: Vec<Option<NaiveDateTime>> = t
            .iter()
            .map(|v| v.map(|ns| DateTime::from_timestamp_nanos(ns).naive_utc()))
            .collect();
        Ok(match self {
            Dt::DayOfYear => ints(&dates, |d| d.ordinal() as i64),
            Dt::DaysInMonth => ints(&dates, |d| days_in_month(d.year(), d.month()) as i64),
            Dt::Quarter => ints(&dates, |d| d.month().div_ceil(3) as i64),
            // `vals.dt.isocalendar().week`.
            Dt::Week => ints(&dates, |d| d.iso_week().week() as i64),
            Dt::NthWeekOfMonth => float_out(
                dates
                    .iter()
                    .map(|d| d.map_or(f64::NAN, |d| week_of_month(&d)))
                    .collect(),
            ),
            // The primitive sets NaN where the date is missing.
            Dt::IsFirstWeekOfMonth => Arc::new(
                dates
                    .iter()
                    .map(|d| d.map(|d| week_of_month(&d) == 1.0))
                    .collect::<BooleanArray>(),
            ),
            // `Series.dt` flags are False at NaT.
            Dt::IsLeapYear => flags(&dates, |d| d.date().leap_year()),
            Dt::IsMonthEnd => flags(&dates, is_month_end),
            Dt::IsMonthStart => flags(&dates, |d| d.day() == 1),
            Dt::IsQuarterEnd => flags(&dates, |d| d.month() % 3 == 0 && is_month_end(d)),
            Dt::IsQuarterStart => flags(&dates, |d| d.month() % 3 == 1 && d.day() == 1),
            Dt::IsYearEnd => flags(&dates, |d| d.month() == 12 && d.day() == 31),
            Dt::IsYearStart => flags(&dates, |d| d.month() == 1 && d.day() == 1),
            // `vals.dt.weekday > 4`: NaN > 4 is False.
            Dt::IsWeekend => flags(&dates, |d| d.weekday().num_days_from_monday() > 4),
            // `vals.dt.hour == self.lunch_hour`: NaN == h is False.
            Dt::IsLunchTime { lunch_hour } => Arc::new(
                dates
                    .iter()
                    .map(|d| Some(d.is_some_and(|d| d.hour() as f64 == *lunch_hour)))
                    .collect::<BooleanArray>(),
            ),
            // `(vals.dt.hour >= start_hour) & (vals.dt.hour <= end_hour)`.
            Dt::IsWorkingHours {
                start_hour,
                end_hour,
            } => Arc::new(
                dates
                    .iter()
                    .map(|d| {
                        Some(d.is_some_and(|d| {
                            let h = d.hour() as f64;
                            h >= *start_hour && h <= *end_hour
                        }))
                    })
                    .collect::<BooleanArray>(),
            ),
            Dt::PartOfDay => texts(&dates, |d| part_of_day(d.hour())),
            Dt::Season => texts(&dates, |d| season(d.month(), d.day())),
            Dt::TimeSince { div } => {
                if times.len() != t.len() {
                    return Err(format!(
                        "TIME_SINCE needs each row's cutoff time: {} rows, {} cutoffs",
                        t.len(),
                        times.len()
                    ));
                }
                let mut out = Vec::with_capacity(t.len());
                for (v, &c) in t.iter().zip(times) {
                    out.push(match v {
                        None => f64::NAN,
                        Some(x) => {
                            // `(time - array)` raises on int64 overflow; so does ftpart.
                            let d = c.checked_sub(*x).ok_or_else(|| {
                                "TIME_SINCE: cutoff time minus datetime overflows (pandas \
                                 raises OverflowError)"
                                    .to_string()
                            })?;
                            // `Series.dt.total_seconds()` is `asi8 / 1e9`; then
                            // `convert_time_units` divides by the unit's divisor.
                            (d as f64 / 1e9) / div
                        }
                    });
                }
                float_out(out)
            }
            // `x.tzinfo.zone if x.tzinfo else np.nan`: ftpart's datetimes are naive, as
            // woodwork's Datetime makes every column (`Datetime._remove_timezone` localizes to
            // None and keeps the zone in the logical type only), so every row is NaN.
            Dt::DateToTimeZone => Arc::new(StringArray::from(vec![None::<&str>; t.len()])),
        })
    }
}

fn ints(dates: &[Option<NaiveDateTime>], f: impl Fn(&NaiveDateTime) -> i64) -> ArrayRef {
    Arc::new(
        dates
            .iter()
            .map(|d| d.as_ref().map(&f))
            .collect::<Int64Array>(),
    )
}

fn flags(dates: &[Option<NaiveDateTime>], f: impl Fn(&NaiveDateTime) -> bool) -> ArrayRef {
    Arc::new(
        dates
            .iter()
            .map(|d| Some(d.as_ref().is_some_and(&f)))
            .collect::<BooleanArray>(),
    )
}

fn texts(dates: &[Option<NaiveDateTime>], f: impl Fn(&NaiveDateTime) -> &'static str) -> ArrayRef {
    Arc::new(
        dates
            .iter()
            .map(|d| d.as_ref().map(&f))
            .collect::<StringArray>(),
    )
}

pub(crate) fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if NaiveDate::from_ymd_opt(year, 2, 29).is_some() => 29,
        2 => 28,
        _ => 31,
    }
}

fn is_month_end(d: &NaiveDateTime) -> bool {
    d.day() == days_in_month(d.year(), d.month())
}

/// NTH_WEEK_OF_MONTH: `ceil(adjusted_dom / 7)` with `adjusted_dom = dom + first_day_weekday + 1`,
/// or `dom` when the month starts on a Sunday (`first_day_weekday == 6`).
fn week_of_month(d: &NaiveDateTime) -> f64 {
    let dom = d.day();
    let first = d.date().with_day(1).expect("day 1 exists");
    let wd = first.weekday().num_days_from_monday();
    let adjusted = if wd == 6 { dom } else { dom + wd + 1 };
    (adjusted as f64 / 7.0).ceil()
}

/// PART_OF_DAY's `construct_replacement_dict`.
fn part_of_day(hour: u32) -> &'static str {
    match hour {
        4 | 5 => "dawn",
        6 | 7 => "early morning",
        8..=10 => "late morning",
        11..=13 => "noon",
        14..=16 => "afternoon",
        17..=19 => "evening",
        20..=22 => "night",
        _ => "midnight",
    }
}

/// SEASON: the date moved to the year 2000, between inclusive bounds (the time is ignored).
fn season(month: u32, day: u32) -> &'static str {
    match (month, day) {
        (1..=2, _) | (3, 1..=20) => "winter",
        (3, _) | (4..=5, _) | (6, 1..=20) => "spring",
        (6, _) | (7..=8, _) | (9, 1..=22) => "summer",
        (9, _) | (10..=11, _) | (12, 1..=20) => "fall",
        _ => "winter",
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::primitives::test_util::{prim, prim_with, transform};
    use crate::primitives::Primitive;
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float64Type, Int64Type};
    use arrow_array::{Array, TimestampNanosecondArray};
    use serde_json::json;

    /// A Timestamp(ns) column of ISO texts (None → missing).
    pub(crate) fn ts(dates: &[Option<&str>]) -> ArrayRef {
        Arc::new(TimestampNanosecondArray::from(
            dates
                .iter()
                .map(|d| d.map(|s| crate::time::parse_datetime(s).expect("a datetime")))
                .collect::<Vec<_>>(),
        ))
    }

    /// Expected values, as featuretools prints them: space-separated tokens (`|`-separated for
    /// text), `-` for a missing value, `T`/`F` for booleans.
    pub(crate) enum Want {
        I(&'static str),
        F(&'static str),
        B(&'static str),
        S(&'static str),
    }

    fn tokens<T>(w: &'static str, sep: char, f: impl Fn(&'static str) -> T) -> Vec<Option<T>> {
        w.split(sep).map(|t| (t != "-").then(|| f(t))).collect()
    }

    /// Asserts featuretools' `class(args)` gives `want` on `input`.
    pub(crate) fn check(class: &str, args: serde_json::Value, input: &ArrayRef, want: Want) {
        let p = prim_with(class, args);
        let out = transform(&p, std::slice::from_ref(input), &[]).unwrap();
        match want {
            Want::I(w) => {
                let got: Vec<_> = out.as_primitive::<Int64Type>().iter().collect();
                assert_eq!(got, tokens(w, ' ', |t| t.parse().unwrap()), "{p:?}");
            }
            Want::F(w) => {
                let got: Vec<_> = out.as_primitive::<Float64Type>().iter().collect();
                assert_eq!(got, tokens(w, ' ', |t| t.parse().unwrap()), "{p:?}");
            }
            Want::B(w) => {
                let got: Vec<_> = out.as_boolean().iter().collect();
                assert_eq!(got, tokens(w, ' ', |t| t == "T"), "{p:?}");
            }
            Want::S(w) => {
                let got: Vec<_> = out.as_string::<i32>().iter().collect();
                assert_eq!(got, tokens(w, '|', |t| t), "{p:?}");
            }
        }
    }

    // The dates of every test below; the expected values are featuretools 1.31's
    // `Prim(args).get_function()(dates)` with
    // `dates = pd.Series(pd.to_datetime(DATES, format="ISO8601"))` (None → NaT).
    const DATES: &[Option<&str>] = &[
        Some("2020-02-29 12:30:00"),
        Some("2019-12-31 23:59:59"),
        Some("2020-01-01 00:00:00"),
        Some("2021-01-03 00:00:00"),
        Some("2021-01-04 00:00:00"),
        Some("2020-12-31 00:00:00"),
        Some("2024-12-30 00:00:00"),
        Some("2026-12-31 00:00:00"),
        Some("2027-01-01 00:00:00"),
        Some("2020-03-31 18:59:00"),
        Some("2020-04-01 08:00:00"),
        Some("2020-06-30 00:00:00"),
        Some("2020-07-01 04:00:00"),
        Some("2020-09-30 00:00:00"),
        Some("2020-10-01 07:15:00"),
        Some("2019-03-20 23:00:00"),
        Some("2019-03-21 00:00:00"),
        Some("2019-06-20 00:00:00"),
        Some("2019-06-21 00:00:00"),
        Some("2019-09-22 00:00:00"),
        Some("2019-09-23 00:00:00"),
        Some("2019-12-20 00:00:00"),
        Some("2019-12-21 00:00:00"),
        Some("2021-12-31 00:00:00"),
        Some("2022-01-01 13:00:00"),
        Some("2022-07-04 00:00:00"),
        Some("2021-07-05 00:00:00"),
        Some("2023-01-02 00:00:00"),
        Some("1900-02-28 00:00:00"),
        Some("2100-03-01 00:00:00"),
        Some("2019-03-01 00:00:00"),
        Some("2019-03-03 00:00:00"),
        Some("2019-03-31 00:00:00"),
        Some("2019-03-30 00:00:00"),
        Some("2020-11-01 05:00:00"),
        Some("2020-11-07 14:00:00"),
        Some("2020-11-08 17:00:00"),
        Some("2020-11-30 20:00:00"),
        Some("2020-11-11 22:59:59"),
        Some("2020-05-16 03:00:00"),
        Some("2020-05-17 10:59:00"),
        Some("2020-05-18 16:00:00"),
        Some("1969-12-31 06:00:00"),
        Some("1970-01-01 11:00:00"),
        None,
    ];

    #[test]
    fn calendar_parts_are_integers_with_nulls() {
        let d = ts(DATES);
        // DayOfYear().get_function()(dates): float64
        check("DayOfYear", json!({}), &d, Want::I("60 365 1 3 4 366 365 365 1 91 92 182 183 274 275 79 80 171 172 265 266 354 355 365 1 185 186 2 59 60 60 62 90 89 306 312 313 335 316 137 138 139 365 1 -"));
        // DaysInMonth().get_function()(dates): float64
        check("DaysInMonth", json!({}), &d, Want::I("29 31 31 31 31 31 31 31 31 31 30 30 31 30 31 31 31 30 30 30 30 31 31 31 31 31 31 31 28 31 31 31 31 31 30 30 30 30 30 31 31 31 31 31 -"));
        // Quarter().get_function()(dates): float64
        check("Quarter", json!({}), &d, Want::I("1 4 1 1 1 4 4 4 1 1 2 2 3 3 4 1 1 2 2 3 3 4 4 4 1 3 3 1 1 1 1 1 1 1 4 4 4 4 4 2 2 2 4 1 -"));
        // Week().get_function()(dates): UInt32
        check("Week", json!({}), &d, Want::I("9 1 1 53 1 53 1 53 53 14 14 27 27 40 40 12 12 25 25 38 39 51 51 52 52 27 27 1 9 9 9 9 13 13 44 45 45 49 46 20 20 21 1 1 -"));
    }

    #[test]
    fn calendar_flags_are_false_at_nat() {
        let d = ts(DATES);
        // IsLeapYear().get_function()(dates): bool
        check("IsLeapYear", json!({}), &d, Want::B("T F T F F T T F F T T T T T T F F F F F F F F F F F F F F F F F F F T T T T T T T T F F F"));
        // IsMonthEnd().get_function()(dates): bool
        check("IsMonthEnd", json!({}), &d, Want::B("T T F F F T F T F T F T F T F F F F F F F F F T F F F F T F F F T F F F F T F F F F T F F"));
        // IsMonthStart().get_function()(dates): bool
        check("IsMonthStart", json!({}), &d, Want::B("F F T F F F F F T F T F T F T F F F F F F F F F T F F F F T T F F F T F F F F F F F F T F"));
        // IsQuarterEnd().get_function()(dates): bool
        check("IsQuarterEnd", json!({}), &d, Want::B("F T F F F T F T F T F T F T F F F F F F F F F T F F F F F F F F T F F F F F F F F F T F F"));
        // IsQuarterStart().get_function()(dates): bool
        check("IsQuarterStart", json!({}), &d, Want::B("F F T F F F F F T F T F T F T F F F F F F F F F T F F F F F F F F F F F F F F F F F F T F"));
        // IsYearEnd().get_function()(dates): bool
        check("IsYearEnd", json!({}), &d, Want::B("F T F F F T F T F F F F F F F F F F F F F F F T F F F F F F F F F F F F F F F F F F T F F"));
        // IsYearStart().get_function()(dates): bool
        check("IsYearStart", json!({}), &d, Want::B("F F T F F F F F T F F F F F F F F F F F F F F F T F F F F F F F F F F F F F F F F F F T F"));
        // IsWeekend().get_function()(dates): bool
        check("IsWeekend", json!({}), &d, Want::B("T F F T F F F F F F F F F F F F F F F T F F T F T F F F F F F T T T T T T F F T T F F F F"));
    }

    #[test]
    fn hour_flags_and_their_arguments() {
        let d = ts(DATES);
        // IsLunchTime().get_function()(dates): bool
        check("IsLunchTime", json!({}), &d, Want::B("T F F F F F F F F F F F F F F F F F F F F F F F F F F F F F F F F F F F F F F F F F F F F"));
        // IsLunchTime(lunch_hour=13).get_function()(dates): bool
        check("IsLunchTime", json!({"lunch_hour": 13}), &d, Want::B("F F F F F F F F F F F F F F F F F F F F F F F F T F F F F F F F F F F F F F F F F F F F F"));
        // IsWorkingHours().get_function()(dates): bool
        check("IsWorkingHours", json!({}), &d, Want::B("T F F F F F F F F T T F F F F F F F F F F F F F T F F F F F F F F F F T T F F F T T F T F"));
        // IsWorkingHours(start_hour=9, end_hour=17).get_function()(dates): bool
        check("IsWorkingHours", json!({"start_hour": 9, "end_hour": 17}), &d, Want::B("T F F F F F F F F F F F F F F F F F F F F F F F T F F F F F F F F F F T T F F F T T F T F"));
    }

    #[test]
    fn week_of_month_counts_from_sundays() {
        let d = ts(DATES);
        // NthWeekOfMonth().get_function()(dates): float64
        check("NthWeekOfMonth", json!({}), &d, Want::F("5.0 5.0 1.0 2.0 2.0 5.0 5.0 5.0 1.0 5.0 1.0 5.0 1.0 5.0 1.0 4.0 4.0 4.0 4.0 4.0 4.0 3.0 3.0 5.0 1.0 2.0 2.0 1.0 5.0 1.0 1.0 2.0 6.0 5.0 1.0 1.0 2.0 5.0 2.0 3.0 4.0 4.0 5.0 1.0 -"));
        // IsFirstWeekOfMonth().get_function()(dates): object
        check("IsFirstWeekOfMonth", json!({}), &d, Want::B("F F T F F F F F T F T F T F T F F F F F F F F F T F F T F T T F F F T T F F F F F F F T -"));
    }

    #[test]
    fn part_of_day_season_and_time_zone() {
        let d = ts(DATES);
        // PartOfDay().get_function()(dates): object
        check("PartOfDay", json!({}), &d, Want::S("noon|midnight|midnight|midnight|midnight|midnight|midnight|midnight|midnight|evening|late morning|midnight|dawn|midnight|early morning|midnight|midnight|midnight|midnight|midnight|midnight|midnight|midnight|midnight|noon|midnight|midnight|midnight|midnight|midnight|midnight|midnight|midnight|midnight|dawn|afternoon|evening|night|night|midnight|late morning|afternoon|early morning|noon|-"));
        // Season().get_function()(dates): string
        check("Season", json!({}), &d, Want::S("winter|winter|winter|winter|winter|winter|winter|winter|winter|spring|spring|summer|summer|fall|fall|winter|spring|spring|summer|summer|fall|fall|winter|winter|winter|summer|summer|winter|winter|winter|winter|winter|spring|spring|fall|fall|fall|fall|fall|spring|spring|spring|winter|winter|-"));
        // DateToTimeZone().get_function()(dates): float64
        check("DateToTimeZone", json!({}), &d, Want::S("-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-"));
    }

    #[test]
    fn time_since_divides_total_seconds_by_the_unit() {
        const DATES: &[Option<&str>] = &[
            Some("2019-03-01 00:00:00.000001"),
            Some("2019-03-01 00:00:01"),
            Some("2019-03-01 00:02:00"),
            Some("2020-02-29 12:30:00"),
            Some("1969-07-20 20:17:40"),
            Some("2023-01-01 00:00:00"),
            None,
            Some("2030-06-15 08:00:00.123456789"),
        ];
        const CUTOFFS: &[&str] = &[
            "2019-03-01 00:00:00",
            "2019-03-01 00:00:00",
            "2019-03-01 00:00:00",
            "2023-01-01 00:00:00",
            "2023-01-01 00:00:00",
            "2023-01-01 00:00:00",
            "2023-01-01 00:00:00",
            "2023-01-01 00:00:00",
        ];
        let d = ts(DATES);
        let cutoffs: Vec<i64> = CUTOFFS
            .iter()
            .map(|c| crate::time::parse_datetime(c).unwrap())
            .collect();
        let check = |unit: &str, want: &[Option<f64>]| {
            let p = prim_with("TimeSince", json!({ "unit": unit }));
            assert!(p.uses_cutoff());
            let out = transform(&p, std::slice::from_ref(&d), &cutoffs).unwrap();
            let got: Vec<_> = out.as_primitive::<Float64Type>().iter().collect();
            assert_eq!(got, want, "{unit}");
        };
        // `pd_time_since(array, time)` is
        // `convert_time_units((time - array).dt.total_seconds(), unit)`.
        // TimeSince(unit='seconds').get_function()(dates[rows], time=pd.Timestamp(cutoff)) per cutoff
        check(
            "seconds",
            &[
                Some(-1e-06),
                Some(-1.0),
                Some(-120.0),
                Some(89551800.0),
                Some(1686714140.0),
                Some(0.0),
                None,
                Some(-235209600.1234568),
            ],
        );
        // TimeSince(unit='Days').get_function()(dates[rows], time=pd.Timestamp(cutoff)) per cutoff
        check(
            "Days",
            &[
                Some(-1.1574074074074074e-11),
                Some(-1.1574074074074073e-05),
                Some(-0.001388888888888889),
                Some(1036.4791666666667),
                Some(19522.154398148148),
                Some(0.0),
                None,
                Some(-2722.3333347622315),
            ],
        );
        // TimeSince(unit='years').get_function()(dates[rows], time=pd.Timestamp(cutoff)) per cutoff
        check(
            "years",
            &[
                Some(-3.170577045022194e-14),
                Some(-3.170577045022194e-08),
                Some(-3.804692454026633e-06),
                Some(2.8393088142041853),
                Some(53.47857133798351),
                Some(0.0),
                None,
                Some(-7.457501589202816),
            ],
        );
        // TimeSince(unit='months').get_function()(dates[rows], time=pd.Timestamp(cutoff)) per cutoff
        check(
            "months",
            &[
                Some(-3.80517503805175e-13),
                Some(-3.8051750380517503e-07),
                Some(-4.5662100456621006e-05),
                Some(34.076027397260276),
                Some(641.8242541856926),
                Some(0.0),
                None,
                Some(-89.50136990999117),
            ],
        );
        // TimeSince(unit='hours').get_function()(dates[rows], time=pd.Timestamp(cutoff)) per cutoff
        check(
            "hours",
            &[
                Some(-2.7777777777777777e-10),
                Some(-0.0002777777777777778),
                Some(-0.03333333333333333),
                Some(24875.5),
                Some(468531.7055555555),
                Some(0.0),
                None,
                Some(-65336.00003429356),
            ],
        );
        // TimeSince(unit='minutes').get_function()(dates[rows], time=pd.Timestamp(cutoff)) per cutoff
        check(
            "minutes",
            &[
                Some(-1.6666666666666667e-08),
                Some(-0.016666666666666666),
                Some(-2.0),
                Some(1492530.0),
                Some(28111902.333333332),
                Some(0.0),
                None,
                Some(-3920160.0020576133),
            ],
        );
        // TimeSince(unit='milliseconds').get_function()(dates[rows], time=pd.Timestamp(cutoff)) per cutoff
        check(
            "milliseconds",
            &[
                Some(-0.001),
                Some(-1000.0),
                Some(-120000.0),
                Some(89551800000.0),
                Some(1686714140000.0),
                Some(0.0),
                None,
                Some(-235209600123.4568),
            ],
        );
        // TimeSince(unit='nanoseconds').get_function()(dates[rows], time=pd.Timestamp(cutoff)) per cutoff
        check(
            "nanoseconds",
            &[
                Some(-999.9999999999999),
                Some(-999999999.9999999),
                Some(-120000000000.0),
                Some(8.95518e+16),
                Some(1.68671414e+18),
                Some(0.0),
                None,
                Some(-2.352096001234568e+17),
            ],
        );
        let out = transform(&prim("TimeSince"), std::slice::from_ref(&d), &cutoffs).unwrap();
        assert_eq!(out.as_primitive::<Float64Type>().value(1), -1.0);
    }

    #[test]
    fn time_since_refuses_the_units_featuretools_refuses() {
        for unit in ["weeks", "second", "microseconds"] {
            let e = Primitive::featuretools("TimeSince", json!({ "unit": unit })).unwrap_err();
            assert!(
                e.contains("'unit'") && e.contains(unit) && e.contains("nanoseconds"),
                "{e}"
            );
        }
    }

    #[test]
    fn hour_arguments_are_numbers_and_empty_input_gives_empty_output() {
        // IsLunchTime(lunch_hour=12.5).get_function()(pd.Series(pd.to_datetime(
        //     ["2020-01-01 12:30"]))).tolist() == [False]
        let d = ts(&[Some("2020-01-01 12:30:00")]);
        check("IsLunchTime", json!({"lunch_hour": 12.5}), &d, Want::B("F"));
        let e = Primitive::featuretools("IsLunchTime", json!({"lunch_hour": "noon"})).unwrap_err();
        assert!(e.contains("'lunch_hour'"), "{e}");
        let empty = ts(&[]);
        for class in [
            "DayOfYear",
            "IsWeekend",
            "Season",
            "NthWeekOfMonth",
            "DateToTimeZone",
        ] {
            let out = transform(&prim(class), std::slice::from_ref(&empty), &[]).unwrap();
            assert_eq!(out.len(), 0, "{class}");
        }
    }
}
