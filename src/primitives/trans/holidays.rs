//! Holiday transforms (`featuretools/primitives/standard/transform/datetime/`): IS_FEDERAL_HOLIDAY,
//! DATE_TO_HOLIDAY and DISTANCE_TO_HOLIDAY, over the calendars of featuretools' `HolidayUtil`
//! carried in [`holiday_table`] (written by `scripts/primitives/generate_holidays.py`: 1950 to
//! 2074, observed days included, as `HolidayUtil.to_df()` lists them).

use std::sync::Arc;

use arrow_array::{ArrayRef, BooleanArray, StringArray};

use super::{Dtype, Transform};
use crate::primitives::registry::{Args, Entry};
use crate::primitives::{float_out, timestamps, Implementation};

#[path = "holiday_table.rs"]
mod holiday_table;

use holiday_table::{Calendar, CALENDARS};

const DAY: i64 = 86_400_000_000_000;

/// A transform of this file (variants named as featuretools' classes); `calendar` indexes
/// [`CALENDARS`].
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs, clippy::enum_variant_names)]
pub enum Holiday {
    IsFederalHoliday {
        calendar: usize,
    },
    DateToHoliday {
        calendar: usize,
    },
    /// `days`: the dates of the chosen holiday, ascending (days since 1970-01-01).
    DistanceToHoliday {
        days: Arc<Vec<i64>>,
    },
}

fn entry(h: Holiday) -> Result<Implementation, String> {
    Ok(Implementation::Transform(Arc::new(h)))
}

/// The calendar of `country` (`HolidayUtil(country)`); `names`: whether the primitive reads the
/// holiday names.
fn calendar(a: &Args, names: bool) -> Result<usize, String> {
    let country = a.text("country", "US")?;
    let found = CALENDARS
        .iter()
        .position(|c| c.accepted.contains(&country.as_str()));
    match found {
        Some(i) if names && CALENDARS[i].names.is_empty() => Err(a.error(
            "country",
            format!(
                "is '{country}': the holiday names of {} depend on the locale of the \
                 featuretools process (the holidays package translates them after LANGUAGE, \
                 LC_ALL, LC_MESSAGES, LANG), so ftpart carries its dates only (IsFederalHoliday); \
                 names for {}",
                CALENDARS[i].code,
                described(|c| !c.names.is_empty())
            ),
        )),
        Some(i) => Ok(i),
        None => Err(a.error(
            "country",
            format!(
                "is '{country}': ftpart carries the holiday calendar of {} only{}",
                described(|c| !names || !c.names.is_empty()),
                if names {
                    format!(
                        " (and the dates only, for IsFederalHoliday, of {})",
                        described(|c| c.names.is_empty())
                    )
                } else {
                    String::new()
                }
            ),
        )),
    }
}

/// The calendars `keep` selects, as `US (UnitedStates, US, USA), ...`.
fn described(keep: impl Fn(&Calendar) -> bool) -> String {
    CALENDARS
        .iter()
        .filter(|c| keep(c))
        .map(|c| format!("{} ({})", c.code, c.accepted.join(", ")))
        .collect::<Vec<_>>()
        .join(", ")
}

fn distance_to_holiday(a: &Args) -> Result<Implementation, String> {
    let c = &CALENDARS[calendar(a, true)?];
    let holiday = a.text("holiday", "New Year's Day")?;
    // `DistanceToHoliday.__init__`: the holiday must be one of `federal_holidays.values()`.
    let Some(n) = c.names.iter().position(|&x| x == holiday) else {
        return Err(a.error(
            "holiday",
            format!(
                "is '{holiday}': featuretools' holidays of {} are {}",
                c.code,
                c.names.join(", ")
            ),
        ));
    };
    let days = c
        .days
        .iter()
        .zip(c.name_of)
        .filter(|(_, &k)| k as usize == n)
        .map(|(&d, _)| d as i64)
        .collect();
    entry(Holiday::DistanceToHoliday {
        days: Arc::new(days),
    })
}

pub(crate) const ENTRIES: &[Entry] = &[
    Entry {
        class: "IsFederalHoliday",
        make: |a| {
            entry(Holiday::IsFederalHoliday {
                calendar: calendar(a, false)?,
            })
        },
    },
    Entry {
        class: "DateToHoliday",
        make: |a| {
            entry(Holiday::DateToHoliday {
                calendar: calendar(a, true)?,
            })
        },
    },
    Entry {
        class: "DistanceToHoliday",
        make: distance_to_holiday,
    },
];

/// The date of each row (`dt.normalize()` / `dt.date`), days since 1970-01-01.
fn days(a: &ArrayRef) -> Result<Vec<Option<i64>>, String> {
    Ok(timestamps(a)?
        .into_iter()
        .map(|v| v.map(|ns| ns.div_euclid(DAY)))
        .collect())
}

fn find(c: &Calendar, day: i64) -> Option<usize> {
    let day = i32::try_from(day).ok()?;
    c.days.binary_search(&day).ok()
}

/// `pd.merge_asof(direction="nearest", tolerance=pd.Timedelta("365d"))`: the nearest holiday
/// within 365 days, the earlier one on a tie; `holiday - date` in days.
fn nearest(days: &[i64], d: i64) -> Option<i64> {
    const TOLERANCE: i64 = 365;
    let i = days.partition_point(|&h| h <= d);
    let back = i
        .checked_sub(1)
        .map(|j| days[j])
        .filter(|&h| d - h <= TOLERANCE);
    let fwd = days.get(i).copied().filter(|&h| h - d <= TOLERANCE);
    let h = match (back, fwd) {
        (Some(b), Some(f)) => {
            if d - b <= f - d {
                b
            } else {
                f
            }
        }
        (b, f) => b.or(f)?,
    };
    Some(h - d)
}

impl Transform for Holiday {
    fn transform(
        &self,
        inputs: &[ArrayRef],
        _dtypes: &[Dtype],
        _times: &[i64],
    ) -> Result<ArrayRef, String> {
        let a = inputs.first().ok_or("transform without input")?;
        let d = days(a)?;
        Ok(match self {
            // `x.dt.normalize().isin(holiday_date)`, NaN where x is missing.
            Holiday::IsFederalHoliday { calendar } => {
                let c = &CALENDARS[*calendar];
                Arc::new(
                    d.iter()
                        .map(|v| v.map(|x| find(c, x).is_some()))
                        .collect::<BooleanArray>(),
                )
            }
            // A left merge of the dates on `holiday_date`: the name, or NaN.
            Holiday::DateToHoliday { calendar } => {
                let c = &CALENDARS[*calendar];
                Arc::new(
                    d.iter()
                        .map(|v| {
                            v.and_then(|x| find(c, x))
                                .map(|k| c.names[c.name_of[k] as usize])
                        })
                        .collect::<StringArray>(),
                )
            }
            Holiday::DistanceToHoliday { days } => float_out(
                d.iter()
                    .map(|v| {
                        v.and_then(|x| nearest(days, x))
                            .map_or(f64::NAN, |k| k as f64)
                    })
                    .collect(),
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::datetime::tests::{check, ts, Want};
    use super::*;
    use crate::primitives::Primitive;
    use serde_json::json;

    // The expected values are featuretools 1.31's `Prim(args).get_function()(dates)` with
    // `dates = pd.Series(pd.to_datetime(DATES, format="ISO8601"))` (None → NaT), holidays 0.109.
    const DATES: &[Option<&str>] = &[
        Some("2019-07-04 10:00:30"),
        Some("2019-02-26 00:00:00"),
        Some("2021-12-31 00:00:00"),
        Some("2022-01-01 23:59:59"),
        Some("2021-07-05 00:00:00"),
        Some("2022-12-26 00:00:00"),
        Some("2023-01-02 00:00:00"),
        Some("2021-06-18 00:00:00"),
        Some("2021-06-19 00:00:00"),
        Some("2020-06-19 00:00:00"),
        Some("2023-11-10 00:00:00"),
        Some("2023-11-11 00:00:00"),
        Some("1950-01-01 00:00:00"),
        Some("1949-12-31 00:00:00"),
        Some("2074-12-25 00:00:00"),
        Some("2075-01-01 00:00:00"),
        Some("2017-01-02 00:00:00"),
        Some("2016-02-27 00:00:00"),
        Some("2017-05-29 10:30:05"),
        Some("1969-12-31 23:00:00"),
        Some("2020-07-02 00:00:00"),
        Some("1949-01-01 00:00:00"),
        Some("1948-12-31 00:00:00"),
        Some("1971-12-31 00:00:00"),
        Some("2011-04-25 00:00:00"),
        Some("2022-06-03 00:00:00"),
        Some("2022-09-19 00:00:00"),
        Some("2022-09-22 00:00:00"),
        Some("2022-06-24 00:00:00"),
        Some("2021-12-27 00:00:00"),
        Some("2021-12-28 00:00:00"),
        Some("2020-10-03 00:00:00"),
        Some("1990-10-03 00:00:00"),
        Some("2020-07-01 00:00:00"),
        None,
    ];

    #[test]
    fn is_federal_holiday_matches_the_date_and_is_na_at_nat() {
        let d = ts(DATES);
        // IsFederalHoliday().get_function()(dates): object
        check(
            "IsFederalHoliday",
            json!({}),
            &d,
            Want::B("T F T T T T T T T F T T T F T F T F T F F F F T F F F F F F F F F F -"),
        );
        // IsFederalHoliday(country='UK').get_function()(dates): object
        check(
            "IsFederalHoliday",
            json!({"country": "UK"}),
            &d,
            Want::B("F F F T F T T F F F F F F F T F T F T F F F F F F T T F F T T F F F -"),
        );
        // IsFederalHoliday(country='Germany').get_function()(dates): object
        check(
            "IsFederalHoliday",
            json!({"country": "Germany"}),
            &d,
            Want::B("F F F T F T F F F F F F F F T F F F F F F F F F T F F F F F F T F F -"),
        );
        // IsFederalHoliday(country='CA').get_function()(dates): object
        check(
            "IsFederalHoliday",
            json!({"country": "CA"}),
            &d,
            Want::B("F F F T F T T F F F F F T F T F T F F F F F F F F F F F F T F F F T -"),
        );
    }

    #[test]
    fn date_to_holiday_names_observed_days() {
        let d = ts(DATES);
        // DateToHoliday().get_function()(dates): object
        check("DateToHoliday", json!({}), &d, Want::S("Independence Day|-|New Year's Day (observed)|New Year's Day|Independence Day (observed)|Christmas Day (observed)|New Year's Day (observed)|Juneteenth National Independence Day (observed)|Juneteenth National Independence Day|-|Veterans Day (observed)|Veterans Day|New Year's Day|-|Christmas Day|-|New Year's Day (observed)|-|Memorial Day|-|-|-|-|New Year's Day (observed)|-|-|-|-|-|-|-|-|-|-|-"));
        // DateToHoliday(country='GB').get_function()(dates): object
        check("DateToHoliday", json!({"country": "GB"}), &d, Want::S("-|-|-|New Year's Day|-|Boxing Day|New Year's Day (observed)|-|-|-|-|-|-|-|Christmas Day|-|New Year's Day (observed)|-|Spring Bank Holiday|-|-|-|-|-|-|Platinum Jubilee of Elizabeth II|State Funeral of Queen Elizabeth II|-|-|Christmas Day (observed)|Boxing Day (observed)|-|-|-|-"));
        // DateToHoliday(country='AU').get_function()(dates): object
        check("DateToHoliday", json!({"country": "AU"}), &d, Want::S("-|-|-|New Year's Day|-|Boxing Day|-|-|-|-|-|-|New Year's Day|-|Christmas Day|-|-|-|-|-|-|-|-|-|ANZAC Day; Easter Monday|-|-|National Day of Mourning for Queen Elizabeth II|-|-|-|-|-|-|-"));
        // DateToHoliday(country='NZ').get_function()(dates): object
        check("DateToHoliday", json!({"country": "NZ"}), &d, Want::S("-|-|-|New Year's Day|-|Boxing Day|Day after New Year's Day|-|-|-|-|-|New Year's Day|-|Christmas Day|-|Day after New Year's Day|-|-|-|-|-|-|-|Anzac Day; Easter Monday|-|-|-|Matariki|Christmas Day (observed)|Boxing Day (observed)|-|-|-|-"));
    }

    #[test]
    fn distance_to_holiday_is_the_nearest_within_365_days() {
        let d = ts(DATES);
        // DistanceToHoliday().get_function()(dates): float64
        check("DistanceToHoliday", json!({}), &d, Want::F("181.0 -56.0 1.0 0.0 180.0 6.0 -1.0 -168.0 -169.0 -170.0 52.0 51.0 0.0 1.0 -358.0 -365.0 -1.0 -57.0 -148.0 1.0 -183.0 365.0 - 1.0 -114.0 -153.0 104.0 101.0 -174.0 5.0 4.0 90.0 90.0 -182.0 -"));
        // DistanceToHoliday(holiday='Christmas Day').get_function()(dates): float64
        check("DistanceToHoliday", json!({"holiday": "Christmas Day"}), &d, Want::F("174.0 -63.0 -6.0 -7.0 173.0 -1.0 -8.0 -175.0 -176.0 -177.0 45.0 44.0 358.0 359.0 0.0 -7.0 -8.0 -64.0 -155.0 -6.0 176.0 - - -6.0 -121.0 -160.0 97.0 94.0 -181.0 -2.0 -3.0 83.0 83.0 177.0 -"));
        // DistanceToHoliday(holiday='Independence Day (observed)').get_function()(dates): float64
        check("DistanceToHoliday", json!({"holiday": "Independence Day (observed)"}), &d, Want::F("365.0 - -179.0 -180.0 0.0 - - 17.0 16.0 14.0 - - - - - - - -239.0 - 184.0 1.0 - - -179.0 -294.0 -333.0 - - -354.0 -175.0 -176.0 -92.0 - 2.0 -"));
        // DistanceToHoliday(holiday='Easter Monday', country='AU').get_function()(dates): float64
        check("DistanceToHoliday", json!({"holiday": "Easter Monday", "country": "AU"}), &d, Want::F("-73.0 55.0 108.0 107.0 -91.0 105.0 98.0 -74.0 -75.0 -67.0 143.0 142.0 99.0 100.0 -253.0 -260.0 105.0 30.0 -42.0 89.0 -80.0 - - 94.0 350.0 -46.0 -154.0 -157.0 -67.0 112.0 111.0 -173.0 -170.0 -79.0 -"));
        // DistanceToHoliday(holiday='Matariki', country='NewZealand').get_function()(dates): float64
        check("DistanceToHoliday", json!({"holiday": "Matariki", "country": "NewZealand"}), &d, Want::F("- - 175.0 174.0 354.0 -185.0 -192.0 - - - -119.0 -120.0 - - - - - - - - - - - - - 21.0 -87.0 -90.0 0.0 179.0 178.0 - - - -"));
    }

    #[test]
    fn countries_and_holidays_ftpart_does_not_carry_are_refused_by_name() {
        // HolidayUtil("us") and HolidayUtil("XX") raise ValueError in featuretools too.
        for country in ["XX", "us", "United States"] {
            let e = Primitive::featuretools("IsFederalHoliday", json!({ "country": country }))
                .unwrap_err();
            assert!(
                e.contains(&format!("'{country}'")) && e.contains("US (UnitedStates, US, USA)"),
                "{e}"
            );
        }
        // featuretools computes these; ftpart carries Germany's dates, not its names.
        for class in ["DateToHoliday", "DistanceToHoliday"] {
            let e = Primitive::featuretools(class, json!({"country": "DE"})).unwrap_err();
            assert!(e.contains("'DE'") && e.contains("locale"), "{e}");
        }
        // DistanceToHoliday.__init__ raises "must be one of the available holidays".
        let e =
            Primitive::featuretools("DistanceToHoliday", json!({"holiday": "Xmas"})).unwrap_err();
        assert!(
            e.contains("'Xmas'") && e.contains("Christmas Day (observed)"),
            "{e}"
        );
    }

    #[test]
    fn the_table_is_holidayutils() {
        // len(HolidayUtil("US").to_df()) == 1414; HolidayUtil("UK").federal_holidays is GB's.
        let us = CALENDARS.iter().find(|c| c.code == "US").unwrap();
        assert_eq!(us.days.len(), 1414);
        for c in CALENDARS {
            assert!(c.days.windows(2).all(|w| w[0] < w[1]), "{}", c.code);
            assert_eq!(
                c.name_of.len(),
                if c.names.is_empty() { 0 } else { c.days.len() }
            );
        }
        assert!(CALENDARS
            .iter()
            .any(|c| c.code == "GB" && c.accepted.contains(&"UK")));
    }
}
