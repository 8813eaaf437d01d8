//! Times: parsing the forms pandas writes, and featuretools' Timedelta strings.

use chrono::{DateTime, NaiveDate, NaiveDateTime};

/// Parses a date/time as pandas writes it (`2014-01-01 00:00:00`, `2014-01-01`, ISO `T`,
/// fractional seconds, a UTC offset) into nanoseconds since the epoch (UTC for offsets).
pub fn parse_datetime(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Some(ns) = parse_iso_fast(s.as_bytes()) {
        return Some(ns);
    }
    for fmt in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            return t.and_utc().timestamp_nanos_opt();
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return d.and_hms_opt(0, 0, 0)?.and_utc().timestamp_nanos_opt();
    }
    for fmt in [
        "%Y-%m-%d %H:%M:%S%.f%:z",
        "%Y-%m-%dT%H:%M:%S%.f%:z",
        "%Y-%m-%d %H:%M:%S%.f%z",
    ] {
        if let Ok(t) = DateTime::parse_from_str(s, fmt) {
            return t.timestamp_nanos_opt();
        }
    }
    if let Some(rest) = s.strip_suffix('Z') {
        return parse_datetime(rest);
    }
    None
}

/// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DD`, optionally followed by ` HH:MM:SS` or `THH:MM:SS` and a fraction: the forms
/// pandas writes, parsed without allocation. Anything else falls through to chrono.
fn parse_iso_fast(b: &[u8]) -> Option<i64> {
    fn num(b: &[u8]) -> Option<i64> {
        let mut v = 0i64;
        for &c in b {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + (c - b'0') as i64;
        }
        Some(v)
    }
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, m, d) = (num(&b[0..4])?, num(&b[5..7])?, num(&b[8..10])?);
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    // In i128: nanoseconds since the epoch fit in an i64 only from 1677-09-21 to 2262-04-11
    // (pandas' `Timestamp.min`/`max`); other times are none, as in pandas (`OutOfBoundsDatetime`).
    let fit = |ns: i128| i64::try_from(ns).ok();
    let mut ns = i128::from(days_from_civil(y, m, d)) * 86_400_000_000_000;
    if b.len() == 10 {
        return fit(ns);
    }
    if b.len() < 19 || !(b[10] == b' ' || b[10] == b'T') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (h, mi, sec) = (num(&b[11..13])?, num(&b[14..16])?, num(&b[17..19])?);
    if h > 23 || mi > 59 || sec > 59 {
        return None;
    }
    ns += i128::from(((h * 60 + mi) * 60 + sec) * 1_000_000_000);
    match &b[19..] {
        [] => fit(ns),
        [b'.', frac @ ..] if !frac.is_empty() && frac.len() <= 9 => {
            let f = num(frac)?;
            fit(ns + i128::from(f * 10i64.pow(9 - frac.len() as u32)))
        }
        _ => None,
    }
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// A numeric time (an integer or float time index, or cutoff) as an `i64` that orders as the
/// number does, so the calculator compares numeric and datetime times alike. Featuretools does no
/// arithmetic on numeric times (it refuses training windows and `use_previous` on them).
pub fn numeric_time_key(x: f64) -> i64 {
    let x = if x == 0.0 { 0.0 } else { x };
    let b = x.to_bits() as i64;
    b ^ ((((b >> 63) as u64) >> 1) as i64)
}

/// The number behind [`numeric_time_key`].
pub fn numeric_time_value(k: i64) -> f64 {
    let b = k ^ ((((k >> 63) as u64) >> 1) as i64);
    f64::from_bits(b as u64)
}

/// Formats nanoseconds since the epoch as pandas writes them.
pub fn format_datetime(ns: i64) -> String {
    let t = DateTime::from_timestamp_nanos(ns).naive_utc();
    if t.and_utc().timestamp_subsec_nanos() == 0 {
        t.format("%Y-%m-%d %H:%M:%S").to_string()
    } else {
        t.format("%Y-%m-%d %H:%M:%S%.f").to_string()
    }
}

const NS_PER: [(&[&str], i64); 7] = [
    (&["w", "week", "weeks"], 7 * 86_400_000_000_000),
    (&["d", "day", "days"], 86_400_000_000_000),
    (&["h", "hr", "hour", "hours"], 3_600_000_000_000),
    (&["m", "min", "minute", "minutes", "t"], 60_000_000_000),
    (&["s", "sec", "second", "seconds"], 1_000_000_000),
    (&["ms", "millisecond", "milliseconds"], 1_000_000),
    (&["us", "microsecond", "microseconds"], 1_000),
];

/// Nanoseconds in one unit of a featuretools Timedelta unit name (`utils/wrangle.py::_check_timedelta`).
pub fn unit_ns(unit: &str) -> Option<i64> {
    let u = unit.trim().to_ascii_lowercase();
    NS_PER
        .iter()
        .find(|(names, _)| names.contains(&u.as_str()))
        .map(|(_, ns)| *ns)
}

/// A featuretools Timedelta that reaches back from a cutoff (`entityset/timedelta.py`): a fixed
/// length (`pd.Timedelta`: weeks down to microseconds) and calendar months (years are 12 of
/// them), applied as `cutoff - relativedelta(months=…) - timedelta(…)` as featuretools applies
/// its `relativedelta` (months first, the day clipped to the month's last, then the rest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Span {
    /// Calendar months.
    pub months: i64,
    /// Nanoseconds after the months.
    pub nanos: i64,
}

impl Span {
    /// A span of a fixed length.
    pub fn fixed(nanos: i64) -> Self {
        Span { months: 0, nanos }
    }

    /// A span from featuretools' (unit, value) pairs, as a feature file's `use_previous` or a
    /// `training_window` string gives them: `mo` months, `Y` years, the fixed units of
    /// [`unit_ns`], and their long names ("3 months", "1 year").
    pub fn from_units(units: &[(&str, f64)]) -> Result<Self, String> {
        let mut span = Span::fixed(0);
        for &(unit, value) in units {
            let u = unit.trim();
            let lower = u.to_ascii_lowercase();
            let months = match (u, lower.as_str()) {
                ("mo" | "Y", _) => Some(if u == "Y" { 12.0 } else { 1.0 }),
                (_, "month" | "months") => Some(1.0),
                (_, "y" | "year" | "years") => Some(12.0),
                _ => None,
            };
            if let Some(m) = months {
                let n = value * m;
                if n.fract() != 0.0 {
                    return Err(format!(
                        "{value} {unit}: calendar months and years must be whole"
                    ));
                }
                span.months += n as i64;
                continue;
            }
            let ns = unit_ns(u).ok_or_else(|| {
                format!(
                    "unit '{u}' is not supported (years, months, weeks, days, hours, minutes, seconds, ms, us)"
                )
            })?;
            span.nanos += (value * ns as f64).round() as i64;
        }
        Ok(span)
    }

    /// `cutoff - span`.
    pub fn before(&self, cutoff: i64) -> i64 {
        let t = if self.months == 0 {
            cutoff
        } else {
            add_months(cutoff, -self.months)
        };
        t.saturating_sub(self.nanos)
    }

    /// The first cutoff `c` with `c - span >= x` ([`Span::before`] grows with the cutoff).
    pub fn first_cutoff_reaching(&self, x: i64) -> i64 {
        if self.months == 0 {
            return x.saturating_add(self.nanos);
        }
        // `before` is monotone: search between x and x plus the span's longest length.
        let (mut lo, mut hi) = (x, {
            let longest =
                (self.months.unsigned_abs() as i64 + 1).saturating_mul(31 * 86_400 * 1_000_000_000);
            x.saturating_add(longest).saturating_add(self.nanos.max(0))
        });
        if self.before(hi) < x {
            return i64::MAX;
        }
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.before(mid) >= x {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        lo
    }
}

/// `t + months` calendar months, the day clipped to the month's last (`relativedelta`).
fn add_months(t: i64, months: i64) -> i64 {
    let secs = t.div_euclid(1_000_000_000);
    let sub = t.rem_euclid(1_000_000_000);
    let Some(dt) = DateTime::from_timestamp(secs, sub as u32) else {
        return t;
    };
    let dt = dt.naive_utc();
    let m = chrono::Months::new(months.unsigned_abs().min(u32::MAX as u64) as u32);
    let moved = if months >= 0 {
        dt.checked_add_months(m)
    } else {
        dt.checked_sub_months(m)
    };
    moved
        .and_then(|d| d.and_utc().timestamp_nanos_opt())
        .unwrap_or(if months >= 0 { i64::MAX } else { i64::MIN })
}

/// Parses a featuretools Timedelta string such as "1 hour", "6 hours", "30 days", "2d",
/// "3 months", "1 year" (`utils/wrangle.py::_check_timedelta`: a number, then a unit).
pub fn parse_span(s: &str) -> Result<Span, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let value: f64 = num
        .trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a time span such as '1 hour' or '30 days'"))?;
    Span::from_units(&[(unit, value)]).map_err(|m| format!("'{s}': {m}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_outside_1677_to_2262_are_not_times_not_an_overflow() {
        // Found by review while fuzzing cutoff_table and csv_data: the fast ISO path multiplied
        // days by nanoseconds per day unchecked, so "2300-01-01" overflowed i64 (a panic with
        // overflow checks, a wrong time without).
        for s in [
            "2300-01-01",
            "9999-12-31 23:59:59",
            "0000-03-01",
            "2262-04-11 23:47:16.854775808",
        ] {
            assert_eq!(parse_datetime(s), None, "{s}");
        }
        assert_eq!(
            parse_datetime("2262-04-11 23:47:16.854775807"),
            Some(i64::MAX)
        );
        assert_eq!(
            parse_datetime("1677-09-21 00:12:43.145224192"),
            Some(i64::MIN)
        );
    }

    #[test]
    fn parses_pandas_forms() {
        let a = parse_datetime("2014-01-01 00:00:00").unwrap();
        assert_eq!(parse_datetime("2014-01-01").unwrap(), a);
        assert_eq!(parse_datetime("2014-01-01T00:00:00").unwrap(), a);
        assert_eq!(parse_datetime("2014-01-01 01:00:00+01:00").unwrap(), a);
        assert_eq!(
            parse_datetime("2014-01-01 00:00:00.5").unwrap(),
            a + 500_000_000
        );
        assert!(parse_datetime("yesterday").is_none());
        assert!(parse_datetime("2014-02-30").is_none());
        assert_eq!(
            parse_datetime("1969-12-31 23:59:59").unwrap(),
            -1_000_000_000
        );
        assert_eq!(
            parse_datetime("2000-02-29 12:00:00.123").unwrap(),
            951_825_600_123_000_000
        );
        assert_eq!(format_datetime(a), "2014-01-01 00:00:00");
    }

    #[test]
    fn numeric_time_keys_keep_order() {
        let xs = [
            f64::NEG_INFINITY,
            -5.5,
            -1.0,
            0.0,
            0.5,
            1.0,
            7.0,
            1e300,
            f64::INFINITY,
        ];
        let ks: Vec<i64> = xs.iter().map(|&x| numeric_time_key(x)).collect();
        assert!(ks.windows(2).all(|w| w[0] < w[1]), "{ks:?}");
        assert!(ks.iter().all(|&k| k != i64::MIN));
        assert_eq!(numeric_time_key(-0.0), numeric_time_key(0.0));
        for x in xs {
            assert_eq!(numeric_time_value(numeric_time_key(x)), x);
        }
    }

    #[test]
    fn parses_timedeltas() {
        let h = 3_600_000_000_000;
        assert_eq!(parse_span("1 hour").unwrap(), Span::fixed(h));
        assert_eq!(parse_span("6 hours").unwrap(), Span::fixed(6 * h));
        assert_eq!(parse_span("2d").unwrap(), Span::fixed(48 * h));
        assert_eq!(
            parse_span("3 months").unwrap(),
            Span {
                months: 3,
                nanos: 0
            }
        );
        assert_eq!(
            parse_span("1 year").unwrap(),
            Span {
                months: 12,
                nanos: 0
            }
        );
        assert!(parse_span("1.5 months").is_err());
        assert!(parse_span("soon").is_err());
        assert!(parse_span("3 fortnights").is_err());
    }

    #[test]
    fn calendar_spans_clip_to_the_end_of_the_month_as_relativedelta_does() {
        let t = |s: &str| parse_datetime(s).unwrap();
        let month = Span {
            months: 1,
            nanos: 0,
        };
        // datetime(2021, 3, 31, 10) - relativedelta(months=1) == datetime(2021, 2, 28, 10)
        assert_eq!(
            month.before(t("2021-03-31 10:00:00")),
            t("2021-02-28 10:00:00")
        );
        assert_eq!(
            month.before(t("2020-03-31 10:00:00")),
            t("2020-02-29 10:00:00")
        );
        // relativedelta(years=1, days=2): the year first, then the days.
        let y = Span {
            months: 12,
            nanos: 2 * 86_400_000_000_000,
        };
        assert_eq!(y.before(t("2021-03-01 00:00:00")), t("2020-02-28 00:00:00"));
        // The first cutoff whose window starts at or after Jan 31 10:00 is Mar 1 00:00 (every
        // cutoff from Feb 28 10:00 to Feb 28 23:59 reaches back to Jan 28).
        let x = t("2021-01-31 10:00:00");
        let c = month.first_cutoff_reaching(x);
        assert_eq!(c, t("2021-03-01 00:00:00"));
        assert!(month.before(c) >= x && month.before(c - 1) < x);
        let fixed = Span::fixed(1000);
        assert_eq!(fixed.first_cutoff_reaching(5), 1005);
    }
}
