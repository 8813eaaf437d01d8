//! The first transforms ftpart implemented: date parts, AGE, HAVERSINE, NUM_WORDS,
//! NUM_CHARACTERS, IS_NULL, the boolean operators and the comparisons
//! (`featuretools/primitives/standard/transform/`).

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, BooleanArray, Int64Array};
use arrow_schema::DataType;
use chrono::{DateTime, Datelike, Timelike};
use serde_json::Value;

use super::Transform;
use crate::primitives::registry::Entry;
use crate::primitives::{booleans, float_out, strings, timestamps, to_f64, Implementation};

/// A scalar argument of a comparison primitive.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Scalar {
    /// A number.
    Number(f64),
    /// Text.
    Text(String),
    /// A boolean.
    Bool(bool),
    /// None.
    Null,
}

fn scalar(v: Option<&Value>) -> Scalar {
    match v {
        Some(Value::Number(n)) => Scalar::Number(n.as_f64().unwrap_or(f64::NAN)),
        Some(Value::String(s)) => Scalar::Text(s.clone()),
        Some(Value::Bool(b)) => Scalar::Bool(*b),
        _ => Scalar::Null,
    }
}

/// A transform of this file.
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs)]
pub enum Builtin {
    Age,
    Day,
    Month,
    Year,
    Weekday,
    Hour,
    Minute,
    Second,
    Haversine { kilometers: bool },
    NumWords,
    NumCharacters,
    IsNull,
    Not,
    And,
    Or,
    EqualScalar(Scalar),
    NotEqualScalar(Scalar),
    GreaterThanScalar(f64),
    GreaterThanEqualToScalar(f64),
    LessThanScalar(f64),
    LessThanEqualToScalar(f64),
    Equal,
    NotEqual,
    GreaterThan,
    GreaterThanEqualTo,
    LessThan,
    LessThanEqualTo,
}

fn entry(b: Builtin) -> Result<Implementation, String> {
    Ok(Implementation::Transform(Arc::new(b)))
}

pub(crate) const ENTRIES: &[Entry] = &[
    Entry {
        class: "Age",
        make: |_| entry(Builtin::Age),
    },
    Entry {
        class: "Day",
        make: |_| entry(Builtin::Day),
    },
    Entry {
        class: "Month",
        make: |_| entry(Builtin::Month),
    },
    Entry {
        class: "Year",
        make: |_| entry(Builtin::Year),
    },
    Entry {
        class: "Weekday",
        make: |_| entry(Builtin::Weekday),
    },
    Entry {
        class: "Hour",
        make: |_| entry(Builtin::Hour),
    },
    Entry {
        class: "Minute",
        make: |_| entry(Builtin::Minute),
    },
    Entry {
        class: "Second",
        make: |_| entry(Builtin::Second),
    },
    Entry {
        class: "Haversine",
        make: |a| {
            let unit = a.choice("unit", "miles", &["miles", "kilometers"])?;
            entry(Builtin::Haversine {
                kilometers: unit == "kilometers",
            })
        },
    },
    Entry {
        class: "NumWords",
        make: |_| entry(Builtin::NumWords),
    },
    Entry {
        class: "NumCharacters",
        make: |_| entry(Builtin::NumCharacters),
    },
    Entry {
        class: "IsNull",
        make: |_| entry(Builtin::IsNull),
    },
    Entry {
        class: "Not",
        make: |_| entry(Builtin::Not),
    },
    Entry {
        class: "And",
        make: |_| entry(Builtin::And),
    },
    Entry {
        class: "Or",
        make: |_| entry(Builtin::Or),
    },
    Entry {
        class: "EqualScalar",
        make: |a| entry(Builtin::EqualScalar(scalar(a.value("value")))),
    },
    Entry {
        class: "NotEqualScalar",
        make: |a| entry(Builtin::NotEqualScalar(scalar(a.value("value")))),
    },
    Entry {
        class: "GreaterThanScalar",
        make: |a| entry(Builtin::GreaterThanScalar(a.num("value", 0.0)?)),
    },
    Entry {
        class: "GreaterThanEqualToScalar",
        make: |a| entry(Builtin::GreaterThanEqualToScalar(a.num("value", 0.0)?)),
    },
    Entry {
        class: "LessThanScalar",
        make: |a| entry(Builtin::LessThanScalar(a.num("value", 0.0)?)),
    },
    Entry {
        class: "LessThanEqualToScalar",
        make: |a| entry(Builtin::LessThanEqualToScalar(a.num("value", 0.0)?)),
    },
    Entry {
        class: "Equal",
        make: |_| entry(Builtin::Equal),
    },
    Entry {
        class: "NotEqual",
        make: |_| entry(Builtin::NotEqual),
    },
    Entry {
        class: "GreaterThan",
        make: |_| entry(Builtin::GreaterThan),
    },
    Entry {
        class: "GreaterThanEqualTo",
        make: |_| entry(Builtin::GreaterThanEqualTo),
    },
    Entry {
        class: "LessThan",
        make: |_| entry(Builtin::LessThan),
    },
    Entry {
        class: "LessThanEqualTo",
        make: |_| entry(Builtin::LessThanEqualTo),
    },
];

impl Transform for Builtin {
    fn arity(&self) -> usize {
        use Builtin::*;
        match self {
            Haversine { .. }
            | And
            | Or
            | Equal
            | NotEqual
            | GreaterThan
            | GreaterThanEqualTo
            | LessThan
            | LessThanEqualTo => 2,
            _ => 1,
        }
    }

    fn uses_cutoff(&self) -> bool {
        *self == Builtin::Age
    }

    fn transform(&self, inputs: &[ArrayRef], times: &[i64]) -> Result<ArrayRef, String> {
        transform(self, inputs, times)
    }
}

fn datepart(a: &ArrayRef, f: fn(&chrono::NaiveDateTime) -> i64) -> Result<ArrayRef, String> {
    let t = timestamps(a)?;
    Ok(Arc::new(
        t.into_iter()
            .map(|v| v.map(|ns| f(&DateTime::from_timestamp_nanos(ns).naive_utc())))
            .collect::<Int64Array>(),
    ))
}

fn latlong(s: &str) -> Option<(f64, f64)> {
    let t = s
        .trim()
        .trim_start_matches(['(', '['])
        .trim_end_matches([')', ']']);
    let (a, b) = t.split_once(',')?;
    Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
}

/// How a missing input compares: pandas gives False for NaN in float, categorical and datetime
/// columns, and NA for nullable integer, boolean and string columns.
fn null_compares_false(a: &ArrayRef) -> bool {
    matches!(
        a.data_type(),
        DataType::Float64 | DataType::Dictionary(_, _) | DataType::Timestamp(_, _)
    )
}

fn compare_scalar(a: &ArrayRef, s: &Scalar, negate: bool) -> Result<ArrayRef, String> {
    let n = a.len();
    let mut out: Vec<Option<bool>> = Vec::with_capacity(n);
    let null_val = if null_compares_false(a) {
        Some(negate)
    } else {
        None
    };
    match (a.data_type(), s) {
        (DataType::Float64 | DataType::Int64 | DataType::Boolean, Scalar::Number(x)) => {
            let v = to_f64(a)?;
            out.extend(v.iter().map(|&y| {
                if y.is_nan() {
                    null_val
                } else {
                    Some((y == *x) != negate)
                }
            }));
        }
        (DataType::Boolean, Scalar::Bool(b)) => {
            let v = a.as_boolean();
            out.extend((0..n).map(|i| {
                if v.is_valid(i) {
                    Some((v.value(i) == *b) != negate)
                } else {
                    null_val
                }
            }));
        }
        (DataType::Timestamp(_, _), Scalar::Text(t)) => {
            let x = crate::time::parse_datetime(t)
                .ok_or_else(|| format!("'{t}' is not a date/time"))?;
            out.extend(timestamps(a)?.into_iter().map(|v| match v {
                Some(y) => Some((y == x) != negate),
                None => null_val,
            }));
        }
        (_, s) => {
            let text = match s {
                Scalar::Text(t) => Some(t.clone()),
                Scalar::Number(x) if x.fract() == 0.0 => Some(format!("{}", *x as i64)),
                Scalar::Number(x) => Some(x.to_string()),
                Scalar::Bool(b) => Some(if *b { "True" } else { "False" }.to_string()),
                Scalar::Null => None,
            };
            for v in strings(a)? {
                out.push(match (v, &text) {
                    (None, _) => null_val,
                    (Some(v), Some(t)) => Some((&v == t) != negate),
                    (Some(_), None) => Some(negate),
                });
            }
        }
    }
    Ok(Arc::new(BooleanArray::from(out)))
}

fn ordered(a: &ArrayRef) -> Result<Vec<f64>, String> {
    match a.data_type() {
        DataType::Timestamp(_, _) => Ok(timestamps(a)?
            .into_iter()
            .map(|v| v.map(|x| x as f64).unwrap_or(f64::NAN))
            .collect()),
        _ => to_f64(a),
    }
}

/// Two-column comparison as pandas does it: missing in a nullable-dtype operand (Int64, boolean,
/// string) gives NA; NaN in a float, categorical or datetime operand compares False (True for `!=`).
fn compare_two(
    a: &ArrayRef,
    b: &ArrayRef,
    op: fn(f64, f64) -> bool,
    null_result: bool,
) -> Result<ArrayRef, String> {
    let na_a = !null_compares_false(a);
    let na_b = !null_compares_false(b);
    let missing = |p_null: bool, q_null: bool| -> Option<bool> {
        if (p_null && na_a) || (q_null && na_b) {
            None
        } else {
            Some(null_result)
        }
    };
    if let (
        DataType::Dictionary(_, _) | DataType::Utf8,
        DataType::Dictionary(_, _) | DataType::Utf8,
    ) = (a.data_type(), b.data_type())
    {
        let (x, y) = (strings(a)?, strings(b)?);
        let eq = op(1.0, 1.0);
        return Ok(Arc::new(
            x.iter()
                .zip(&y)
                .map(|(p, q)| match (p, q) {
                    (Some(p), Some(q)) => Some((p == q) == eq),
                    _ => missing(p.is_none(), q.is_none()),
                })
                .collect::<BooleanArray>(),
        ));
    }
    let (x, y) = (ordered(a)?, ordered(b)?);
    Ok(Arc::new(
        x.iter()
            .zip(&y)
            .map(|(&p, &q)| {
                if p.is_nan() || q.is_nan() {
                    missing(p.is_nan(), q.is_nan())
                } else {
                    Some(op(p, q))
                }
            })
            .collect::<BooleanArray>(),
    ))
}

fn transform(p: &Builtin, inputs: &[ArrayRef], times: &[i64]) -> Result<ArrayRef, String> {
    let a = inputs.first().ok_or("transform without input")?;
    let b = || {
        inputs
            .get(1)
            .ok_or_else(|| format!("{p:?} takes two inputs"))
    };
    Ok(match p {
        Builtin::Day => datepart(a, |t| t.day() as i64)?,
        Builtin::Month => datepart(a, |t| t.month() as i64)?,
        Builtin::Year => datepart(a, |t| t.year() as i64)?,
        Builtin::Weekday => datepart(a, |t| t.weekday().num_days_from_monday() as i64)?,
        Builtin::Hour => datepart(a, |t| t.hour() as i64)?,
        Builtin::Minute => datepart(a, |t| t.minute() as i64)?,
        Builtin::Second => datepart(a, |t| t.second() as i64)?,
        Builtin::Age => {
            // `(time - x).dt.days / 365`, with Timedelta.days rounding down.
            const DAY: i64 = 86_400_000_000_000;
            let t = timestamps(a)?;
            float_out(
                t.iter()
                    .zip(times)
                    .map(|(v, &c)| match v {
                        Some(x) => (c - x).div_euclid(DAY) as f64 / 365.0,
                        None => f64::NAN,
                    })
                    .collect(),
            )
        }
        Builtin::NumCharacters => Arc::new(
            strings(a)?
                .into_iter()
                .map(|v| v.map(|s| s.chars().count() as i64))
                .collect::<Int64Array>(),
        ),
        Builtin::NumWords => {
            const PUNCT: &str = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
            Arc::new(
                strings(a)?
                    .into_iter()
                    .map(|v| {
                        v.map(|s| {
                            s.split([' ', '\n', '\t'])
                                .filter(|w| !w.trim_matches(|c| PUNCT.contains(c)).is_empty())
                                .count() as i64
                        })
                    })
                    .collect::<Int64Array>(),
            )
        }
        Builtin::Haversine { kilometers } => {
            let (x, y) = (strings(a)?, strings(b()?)?);
            let radius = if *kilometers { 6371.0088 } else { 3958.7613 };
            float_out(
                x.iter()
                    .zip(&y)
                    .map(|(p, q)| {
                        match (
                            p.as_deref().and_then(latlong),
                            q.as_deref().and_then(latlong),
                        ) {
                            (Some((lat1, lon1)), Some((lat2, lon2))) => {
                                let (lat1, lon1, lat2, lon2) = (
                                    lat1.to_radians(),
                                    lon1.to_radians(),
                                    lat2.to_radians(),
                                    lon2.to_radians(),
                                );
                                let h = ((lat2 - lat1) / 2.0).sin().powi(2)
                                    + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
                                radius * 2.0 * h.sqrt().asin()
                            }
                            _ => f64::NAN,
                        }
                    })
                    .collect(),
            )
        }
        Builtin::IsNull => Arc::new(BooleanArray::from(
            (0..a.len()).map(|i| a.is_null(i)).collect::<Vec<_>>(),
        )),
        Builtin::Not => {
            Arc::new(arrow_arith::boolean::not(&booleans(a)?).map_err(|e| e.to_string())?)
        }
        Builtin::And => Arc::new(
            arrow_arith::boolean::and_kleene(&booleans(a)?, &booleans(b()?)?)
                .map_err(|e| e.to_string())?,
        ),
        Builtin::Or => Arc::new(
            arrow_arith::boolean::or_kleene(&booleans(a)?, &booleans(b()?)?)
                .map_err(|e| e.to_string())?,
        ),
        Builtin::EqualScalar(s) => compare_scalar(a, s, false)?,
        Builtin::NotEqualScalar(s) => compare_scalar(a, s, true)?,
        Builtin::GreaterThanScalar(x) => compare_scalar_ord(a, *x, |p, q| p > q)?,
        Builtin::GreaterThanEqualToScalar(x) => compare_scalar_ord(a, *x, |p, q| p >= q)?,
        Builtin::LessThanScalar(x) => compare_scalar_ord(a, *x, |p, q| p < q)?,
        Builtin::LessThanEqualToScalar(x) => compare_scalar_ord(a, *x, |p, q| p <= q)?,
        Builtin::Equal => compare_two(a, b()?, |p, q| p == q, false)?,
        Builtin::NotEqual => compare_two(a, b()?, |p, q| p != q, true)?,
        Builtin::GreaterThan => compare_two(a, b()?, |p, q| p > q, false)?,
        Builtin::GreaterThanEqualTo => compare_two(a, b()?, |p, q| p >= q, false)?,
        Builtin::LessThan => compare_two(a, b()?, |p, q| p < q, false)?,
        Builtin::LessThanEqualTo => compare_two(a, b()?, |p, q| p <= q, false)?,
    })
}

fn compare_scalar_ord(a: &ArrayRef, x: f64, op: fn(f64, f64) -> bool) -> Result<ArrayRef, String> {
    let nullable = !null_compares_false(a);
    let v = to_f64(a)?;
    Ok(Arc::new(
        v.iter()
            .map(|&y| {
                if y.is_nan() {
                    if nullable {
                        None
                    } else {
                        Some(false)
                    }
                } else {
                    Some(op(y, x))
                }
            })
            .collect::<BooleanArray>(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::primitives::test_util::prim;
    use crate::primitives::transform;
    use arrow_array::types::{Float64Type, Int64Type};

    fn floats(a: &ArrayRef) -> Vec<Option<f64>> {
        a.as_primitive::<Float64Type>().iter().collect()
    }

    #[test]
    fn age_rounds_days_down() {
        const DAY: i64 = 86_400_000_000_000;
        let dob: ArrayRef = Arc::new(arrow_array::TimestampNanosecondArray::from(vec![
            Some(0),
            None,
        ]));
        let out = transform(&prim("Age"), &[dob], &[365 * DAY + DAY / 2, 0]).unwrap();
        assert_eq!(floats(&out), vec![Some(1.0), None]);
    }

    #[test]
    fn num_words_and_characters() {
        let s: ArrayRef = Arc::new(arrow_array::StringArray::from(vec![
            Some("a  b, c !"),
            None,
            Some(""),
        ]));
        let w = transform(&prim("NumWords"), std::slice::from_ref(&s), &[0, 0, 0]).unwrap();
        assert_eq!(
            w.as_primitive::<Int64Type>().iter().collect::<Vec<_>>(),
            vec![Some(3), None, Some(0)]
        );
        let c = transform(&prim("NumCharacters"), &[s], &[0, 0, 0]).unwrap();
        assert_eq!(
            c.as_primitive::<Int64Type>().iter().collect::<Vec<_>>(),
            vec![Some(9), None, Some(0)]
        );
    }
}
