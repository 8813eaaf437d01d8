//! Times: parsing the forms pandas writes, and featuretools' Timedelta strings.

use chrono::{DateTime, NaiveDate, NaiveDateTime};

/// Parses a date/time as pandas writes it (`2014-01-01 00:00:00`, `2014-01-01`, ISO `T`,
/// fractional seconds, a UTC offset) into nanoseconds since the epoch (UTC for offsets).
pub fn parse_datetime(s: &str) -> Option<i64> {
    let s = s.trim();
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

/// Parses a featuretools Timedelta string such as "1 hour", "6 hours", "30 days", "2d".
/// Months and years are not fixed lengths and are refused.
pub fn parse_timedelta(s: &str) -> Result<i64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let value: f64 = num
        .trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a time span such as '1 hour' or '30 days'"))?;
    let ns = unit_ns(unit).ok_or_else(|| {
        format!(
            "'{s}': unit '{}' is not supported (weeks, days, hours, minutes, seconds, ms, us)",
            unit.trim()
        )
    })?;
    Ok((value * ns as f64).round() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(format_datetime(a), "2014-01-01 00:00:00");
    }

    #[test]
    fn parses_timedeltas() {
        assert_eq!(parse_timedelta("1 hour").unwrap(), 3_600_000_000_000);
        assert_eq!(parse_timedelta("6 hours").unwrap(), 6 * 3_600_000_000_000);
        assert_eq!(parse_timedelta("2d").unwrap(), 2 * 86_400_000_000_000);
        assert!(parse_timedelta("1 month").is_err());
        assert!(parse_timedelta("soon").is_err());
    }
}
