//! Distinct dates of datetimes (`featuretools/primitives/standard/aggregation/n_unique_*.py`):
//! N_UNIQUE_DAYS (`x.dt.floor("D")`), N_UNIQUE_DAYS_OF_CALENDAR_YEAR (`strftime("%m-%d")`:
//! February 29 is a day of its own, March 1 the same day every year), N_UNIQUE_DAYS_OF_MONTH
//! (`x.dt.day`), N_UNIQUE_MONTHS (`to_period("M")`) and N_UNIQUE_WEEKS (`to_period("W")`:
//! weeks Monday to Sunday). Missing values are not counted; each is Integer with default 0.

use std::sync::Arc;

use arrow_array::{ArrayRef, Int64Array};

use super::{AggInput, Aggregation};
use crate::primitives::registry::Entry;
use crate::primitives::{timestamps, Default, Implementation};

fn entry(key: DateKey) -> Result<Implementation, String> {
    Ok(Implementation::Aggregation(Arc::new(NUnique { key })))
}

pub(crate) const ENTRIES: &[Entry] = &[
    Entry {
        class: "NUniqueDays",
        make: |_| entry(DateKey::Day),
    },
    Entry {
        class: "NUniqueDaysOfCalendarYear",
        make: |_| entry(DateKey::DayOfCalendarYear),
    },
    Entry {
        class: "NUniqueDaysOfMonth",
        make: |_| entry(DateKey::DayOfMonth),
    },
    Entry {
        class: "NUniqueMonths",
        make: |_| entry(DateKey::Month),
    },
    Entry {
        class: "NUniqueWeeks",
        make: |_| entry(DateKey::Week),
    },
];

#[derive(Clone, Copy, PartialEq, Debug)]
enum DateKey {
    Day,
    DayOfCalendarYear,
    DayOfMonth,
    Month,
    Week,
}

const NS_PER_DAY: i64 = 86_400_000_000_000;

/// Year, month (1..=12) and day (1..=31) of a day counted from 1970-01-01 (proleptic Gregorian).
fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

impl DateKey {
    fn of(self, ns: i64) -> i64 {
        let days = ns.div_euclid(NS_PER_DAY);
        match self {
            DateKey::Day => days,
            // 1970-01-01 is a Thursday: Monday 1969-12-29 starts week 0.
            DateKey::Week => (days + 3).div_euclid(7),
            _ => {
                let (y, m, d) = civil(days);
                match self {
                    DateKey::DayOfCalendarYear => m * 32 + d,
                    DateKey::DayOfMonth => d,
                    _ => y * 12 + m - 1,
                }
            }
        }
    }
}

/// The number of distinct keys of a group's datetimes.
struct NUnique {
    key: DateKey,
}

impl Aggregation for NUnique {
    fn default_value(&self) -> Default {
        Default::Zero
    }
    fn batch(&self, x: &AggInput) -> Result<Vec<ArrayRef>, String> {
        let t = timestamps(x.input()?)?;
        let mut keys: Vec<i64> = Vec::new();
        let out: Int64Array = (0..x.groups.len())
            .map(|g| {
                let rows = x.groups.get(g);
                if rows.is_empty() {
                    return None;
                }
                keys.clear();
                keys.extend(
                    rows.iter()
                        .filter_map(|&r| t[r as usize])
                        .map(|ns| self.key.of(ns)),
                );
                keys.sort_unstable();
                keys.dedup();
                Some(keys.len() as i64)
            })
            .collect();
        Ok(vec![Arc::new(out)])
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{ArrayRef, TimestampNanosecondArray};

    use super::*;
    use crate::primitives::agg::counts::test_support::{groups, numbers, run};
    use crate::primitives::test_util::prim;

    /// Datetimes (ns) of each group.
    #[rustfmt::skip]
    const DATES: &[&[Option<i64>]] = &[
        // 2020-02-29 10:00, 2021-02-28, 2021-03-01, 2020-03-01 23:59:59, NaT, 2020-02-29 00:00
        &[Some(1582970400000000000), Some(1614470400000000000), Some(1614556800000000000), Some(1583107199000000000), None, Some(1582934400000000000)],
        &[None, None],
        // 1969-12-28 12:00
        &[Some(-302400000000000)],
        // 2023-12-31, 2024-01-01, 2024-01-07, 2024-01-08, 1969-12-29, 1970-01-04, 1970-01-05,
        // 1900-03-01, 1900-02-28
        &[Some(1703980800000000000), Some(1704067200000000000), Some(1704585600000000000), Some(1704672000000000000), Some(-259200000000000), Some(259200000000000), Some(345600000000000), Some(-2203891200000000000), Some(-2203977600000000000)],
        // 2019-01-15, 2019-02-15, 2020-01-15, 2019-01-31, 1816-01-31
        &[Some(1547510400000000000), Some(1550188800000000000), Some(1579046400000000000), Some(1548892800000000000), Some(-4857235200000000000)],
        &[],
    ];

    #[test]
    fn distinct_dates_match_featuretools() {
        let t: ArrayRef = Arc::new(
            DATES
                .iter()
                .flat_map(|g| g.iter().copied())
                .collect::<TimestampNanosecondArray>(),
        );
        let sizes: Vec<usize> = DATES.iter().map(|g| g.len()).collect();
        let g = groups(&sizes);
        // Prim().get_function()(pd.Series(pd.to_datetime(group, format="ISO8601"))) per group
        // (the empty group has no value: the caller fills the default, 0)
        for (class, want) in [
            ("NUniqueDays", [4, 0, 1, 9, 5]),
            ("NUniqueDaysOfCalendarYear", [3, 0, 1, 9, 3]),
            ("NUniqueDaysOfMonth", [3, 0, 1, 8, 2]),
            ("NUniqueMonths", [4, 0, 1, 6, 4]),
            ("NUniqueWeeks", [3, 0, 1, 6, 5]),
        ] {
            let out = run(class, "{}", &t, &g);
            assert_eq!(
                out[0].data_type(),
                &arrow_schema::DataType::Int64,
                "{class}"
            );
            let mut expected: Vec<Option<f64>> = want.iter().map(|&v| Some(v as f64)).collect();
            expected.push(None);
            assert_eq!(numbers(&out[0]), expected, "{class}");
            assert_eq!(prim(class).default_value(), Default::Zero, "{class}");
        }
    }

    #[test]
    fn civil_dates_round_the_calendar() {
        assert_eq!(civil(0), (1970, 1, 1));
        assert_eq!(civil(-1), (1969, 12, 31));
        assert_eq!(civil(18_321), (2020, 2, 29));
        assert_eq!(civil(-25_508), (1900, 3, 1));
        assert_eq!(civil(11_016), (2000, 2, 29));
    }
}
