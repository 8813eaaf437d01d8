//! The first transforms ftpart implemented: date parts, AGE, HAVERSINE, NUM_WORDS,
//! NUM_CHARACTERS, IS_NULL, the boolean operators and the comparisons
//! (`featuretools/primitives/standard/transform/`).

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, BooleanArray, Int64Array};
use arrow_schema::DataType;
use chrono::{DateTime, Datelike, Timelike};
use serde_json::Value;

use super::is_in::DateText;
use super::{Dtype, Transform};
use crate::primitives::registry::{Args, Entry};
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

/// The `value` argument (`default` when not given; a None saved as null reads as the default
/// too, as `Args` cannot tell them apart).
fn scalar_arg(a: &Args, default: Scalar) -> Result<Scalar, String> {
    match a.value("value") {
        None => Ok(default),
        Some(Value::Number(n)) => Ok(Scalar::Number(n.as_f64().unwrap_or(f64::NAN))),
        Some(Value::String(s)) => Ok(Scalar::Text(s.clone())),
        Some(Value::Bool(b)) => Ok(Scalar::Bool(*b)),
        Some(other) => Err(a.error(
            "value",
            format!("is {other}; ftpart compares with a number, text, a boolean or None"),
        )),
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
    GreaterThanScalar(Scalar),
    GreaterThanEqualToScalar(Scalar),
    LessThanScalar(Scalar),
    LessThanEqualToScalar(Scalar),
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
        make: |a| entry(Builtin::EqualScalar(scalar_arg(a, Scalar::Null)?)),
    },
    Entry {
        class: "NotEqualScalar",
        make: |a| entry(Builtin::NotEqualScalar(scalar_arg(a, Scalar::Null)?)),
    },
    Entry {
        class: "GreaterThanScalar",
        make: |a| {
            entry(Builtin::GreaterThanScalar(scalar_arg(
                a,
                Scalar::Number(0.0),
            )?))
        },
    },
    Entry {
        class: "GreaterThanEqualToScalar",
        make: |a| {
            entry(Builtin::GreaterThanEqualToScalar(scalar_arg(
                a,
                Scalar::Number(0.0),
            )?))
        },
    },
    Entry {
        class: "LessThanScalar",
        make: |a| entry(Builtin::LessThanScalar(scalar_arg(a, Scalar::Number(0.0))?)),
    },
    Entry {
        class: "LessThanEqualToScalar",
        make: |a| {
            entry(Builtin::LessThanEqualToScalar(scalar_arg(
                a,
                Scalar::Number(0.0),
            )?))
        },
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

    /// IS_NULL is numpy `bool`; a comparison is `boolean` where pandas' result can be NA (a
    /// masked or string operand: the left one for `==` against a scalar, either for `==` between
    /// columns, a masked one or two strings for an order), else `bool`; the boolean operators
    /// and the rest follow their inputs.
    fn dtype(&self, d: &[Dtype]) -> Dtype {
        use Builtin::*;
        let na = |x: Option<&Dtype>| x.is_some_and(|x| *x != Dtype::Numpy);
        Dtype::masked_if(match self {
            IsNull => false,
            EqualScalar(_)
            | NotEqualScalar(_)
            | GreaterThanScalar(_)
            | GreaterThanEqualToScalar(_)
            | LessThanScalar(_)
            | LessThanEqualToScalar(_) => na(d.first()),
            Equal | NotEqual => na(d.first()) || na(d.get(1)),
            GreaterThan | GreaterThanEqualTo | LessThan | LessThanEqualTo => {
                d.contains(&Dtype::Masked) || d.iter().all(|x| *x == Dtype::String)
            }
            _ => d.contains(&Dtype::Masked),
        })
    }

    fn transform(
        &self,
        inputs: &[ArrayRef],
        dtypes: &[Dtype],
        times: &[i64],
    ) -> Result<ArrayRef, String> {
        transform(self, inputs, dtypes, times)
    }
}

/// `np.logical_not` / `np.logical_and` / `np.logical_or` on booleans. A masked operand gives NA
/// where either value is missing. Between numpy columns a missing value is NaN in an object
/// column (a `bool` column through a merge with a missing parent, or shifted), which Python
/// finds true: `not NaN` is False, `a and b` is `b` where `a` is true (or NaN) else `a`, `a or b`
/// is `a` where `a` is true (or NaN) else `b`.
fn logical(
    p: &Builtin,
    a: &ArrayRef,
    b: Option<&ArrayRef>,
    d: &[Dtype],
) -> Result<ArrayRef, String> {
    let x = booleans(a)?;
    let y = b.map(booleans).transpose()?;
    let err = |e: arrow_schema::ArrowError| e.to_string();
    if d.contains(&Dtype::Masked) {
        return Ok(Arc::new(match (p, &y) {
            (Builtin::And, Some(y)) => arrow_arith::boolean::and(&x, y).map_err(err)?,
            (Builtin::Or, Some(y)) => arrow_arith::boolean::or(&x, y).map_err(err)?,
            _ => arrow_arith::boolean::not(&x).map_err(err)?,
        }));
    }
    let truthy = |v: Option<bool>| v.unwrap_or(true);
    Ok(Arc::new(match (p, &y) {
        (Builtin::And, Some(y)) => x
            .iter()
            .zip(y.iter())
            .map(|(p, q)| if truthy(p) { q } else { p })
            .collect::<BooleanArray>(),
        (Builtin::Or, Some(y)) => x
            .iter()
            .zip(y.iter())
            .map(|(p, q)| if truthy(p) { p } else { q })
            .collect::<BooleanArray>(),
        _ => x.iter().map(|p| Some(!truthy(p))).collect::<BooleanArray>(),
    }))
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

/// How pandas holds the column ftpart holds as an array, as far as comparisons go: the
/// array's type with the feature's [`Dtype`] (masked `Int64` / `Float64` / `boolean`, or numpy
/// `int64` / `float64` / `bool`, whatever the rows at hand). Text is pandas' `string` dtype,
/// or an object column ([`Dtype::Numpy`]: LatLong's tuples, PART_OF_DAY, DATE_TO_HOLIDAY...),
/// whose missing values compare False rather than NA.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Float,
    FloatNA,
    Int,
    IntNA,
    Bool,
    BoolNA,
    Cat,
    Text,
    Obj,
    Time,
}

fn kind(a: &ArrayRef, d: Dtype) -> Result<Kind, String> {
    let masked = d == Dtype::Masked;
    Ok(match a.data_type() {
        DataType::Float64 if masked => Kind::FloatNA,
        DataType::Float64 => Kind::Float,
        DataType::Int64 if masked => Kind::IntNA,
        DataType::Int64 => Kind::Int,
        DataType::Boolean if masked => Kind::BoolNA,
        DataType::Boolean => Kind::Bool,
        DataType::Dictionary(_, _) => Kind::Cat,
        DataType::Utf8 if d == Dtype::Numpy => Kind::Obj,
        DataType::Utf8 => Kind::Text,
        DataType::Timestamp(_, _) => Kind::Time,
        other => return Err(format!("ftpart does not compare {other} values")),
    })
}

impl Kind {
    fn numeric(self) -> bool {
        matches!(
            self,
            Kind::Float | Kind::FloatNA | Kind::Int | Kind::IntNA | Kind::Bool | Kind::BoolNA
        )
    }
    /// Whether a missing value compares as NA (pandas' masked arrays and string dtype) rather
    /// than False (`float64` NaN, categorical, datetime NaT).
    fn masked(self) -> bool {
        matches!(
            self,
            Kind::FloatNA | Kind::IntNA | Kind::BoolNA | Kind::Text
        )
    }
}

/// Orders read object text as text (pandas orders an object column of strings elementwise,
/// and raises on a missing value or a tuple, which ftpart does not tell apart).
fn text_kind(k: Kind) -> Kind {
    if k == Kind::Obj {
        Kind::Text
    } else {
        k
    }
}

/// One value of a compared column: booleans are the integers 0 and 1 (`True == 1`).
#[derive(Debug, Clone, PartialEq)]
enum V {
    I(i64),
    F(f64),
    S(String),
    T(i64),
}

fn values(a: &ArrayRef) -> Result<Vec<Option<V>>, String> {
    let n = a.len();
    Ok(match a.data_type() {
        DataType::Float64 => to_f64(a)?
            .into_iter()
            .map(|x| (!x.is_nan()).then_some(V::F(x)))
            .collect(),
        DataType::Int64 => {
            let x = a.as_primitive::<arrow_array::types::Int64Type>();
            x.iter().map(|v| v.map(V::I)).collect()
        }
        DataType::Boolean => {
            let x = a.as_boolean();
            (0..n)
                .map(|i| x.is_valid(i).then(|| V::I(x.value(i) as i64)))
                .collect()
        }
        DataType::Timestamp(_, _) => timestamps(a)?.into_iter().map(|v| v.map(V::T)).collect(),
        _ => strings(a)?.into_iter().map(|v| v.map(V::S)).collect(),
    })
}

impl V {
    fn num(&self) -> Option<f64> {
        match self {
            V::I(i) => Some(*i as f64),
            V::F(x) => Some(*x),
            _ => None,
        }
    }
}

/// numpy's order of two numbers: exact between integers, as float64 otherwise.
fn cmp_num(p: &V, q: &V) -> Option<std::cmp::Ordering> {
    match (p, q) {
        (V::I(x), V::I(y)) => Some(x.cmp(y)),
        _ => p.num()?.partial_cmp(&q.num()?),
    }
}

/// An order comparison.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Cmp {
    Gt,
    Ge,
    Lt,
    Le,
}

impl Cmp {
    fn test(self, o: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            Cmp::Gt => o == Greater,
            Cmp::Ge => o != Less,
            Cmp::Lt => o == Less,
            Cmp::Le => o != Greater,
        }
    }
}

/// Whether two present values are equal as pandas compares them: numbers with numbers
/// (booleans as 0 and 1), text with text (categories are text), datetimes with datetimes; a
/// category that reads as a number equals that number (pandas compares an integer category
/// with numbers; ftpart holds it as text and cannot tell it from a text category "1").
fn equal_values(p: &V, q: &V, lk: Kind, rk: Kind) -> bool {
    match (p, q) {
        (V::S(s), V::S(t)) => s == t,
        (V::T(x), V::T(y)) => x == y,
        (V::S(s), q) if lk == Kind::Cat => q
            .num()
            .is_some_and(|y| s.parse::<f64>().is_ok_and(|x| x == y)),
        (p, V::S(t)) if rk == Kind::Cat => p
            .num()
            .is_some_and(|x| t.parse::<f64>().is_ok_and(|y| x == y)),
        _ => cmp_num(p, q) == Some(std::cmp::Ordering::Equal),
    }
}

/// A text column read against a datetime column as pandas does (`DatetimeArray._cmp_method`):
/// datetimes when every string reads as one, else None (then nothing is equal).
fn text_as_datetimes(vals: &[Option<V>]) -> Result<Option<Vec<Option<V>>>, String> {
    let mut out = Vec::with_capacity(vals.len());
    // One string that is not a date decides, whatever the strings ftpart cannot judge.
    let mut unjudged = None;
    for v in vals {
        out.push(match v {
            Some(V::S(s)) => match super::is_in::date_text(s) {
                Ok(DateText::Naive(ns)) => Some(V::T(ns)),
                Ok(DateText::NaT) => None,
                Ok(DateText::Zoned | DateText::NotADate) => return Ok(None),
                Err(e) => {
                    unjudged.get_or_insert(e);
                    None
                }
            },
            other => other.clone(),
        });
    }
    match unjudged {
        Some(e) => Err(e),
        None => Ok(Some(out)),
    }
}

/// `Series.eq` / `Series.ne` between any two columns (EQUAL, NOT_EQUAL): where a value is
/// missing the result is NA when pandas' left operand is a masked or string array, or a numpy
/// one facing a masked or string array; else False (True for `!=`). The left operand decides:
/// a datetime or categorical left never gives NA, and pandas raises comparing a categorical
/// with a nullable boolean or with text holding missing values, and a nullable number with
/// text holding missing values.
fn compare_equal(
    a: &ArrayRef,
    b: &ArrayRef,
    d: &[Dtype],
    negate: bool,
) -> Result<ArrayRef, String> {
    let (lk, rk) = (kind(a, d[0])?, kind(b, d[1])?);
    let raises = match lk {
        Kind::Cat => rk == Kind::BoolNA || (rk == Kind::Text && b.null_count() > 0),
        Kind::IntNA | Kind::BoolNA | Kind::FloatNA => rk == Kind::Text && b.null_count() > 0,
        _ => false,
    };
    if raises {
        return Err(format!(
            "pandas raises comparing {lk:?} with {rk:?} holding missing values (boolean value \
             of NA is ambiguous)"
        ));
    }
    let na = match lk {
        Kind::Time | Kind::Cat => false,
        Kind::FloatNA | Kind::IntNA | Kind::BoolNA | Kind::Text => true,
        _ => rk.masked(),
    };
    let x = values(a)?;
    let mut y = values(b)?;
    if lk == Kind::Time && matches!(rk, Kind::Text | Kind::Obj) {
        match text_as_datetimes(&y)? {
            Some(t) => y = t,
            None => return Ok(Arc::new(BooleanArray::from(vec![negate; a.len()]))),
        }
    }
    Ok(Arc::new(
        x.iter()
            .zip(&y)
            .map(|(p, q)| match (p, q) {
                (Some(p), Some(q)) => Some(equal_values(p, q, lk, rk) != negate),
                _ if na => None,
                _ => Some(negate),
            })
            .collect::<BooleanArray>(),
    ))
}

/// GREATER_THAN and the other orders between two columns: numbers with numbers (NA where a
/// value is missing when either is a nullable array, else False), text with text (NA), datetimes
/// with datetimes (False). featuretools answers all-missing when exactly one input is
/// categorical (`val1.where(pd.isnull, np.nan)`); two categoricals compare by the categories'
/// order when both have the same ordered categories, which ftpart cannot tell, so they are
/// refused, and so is any other pair, which pandas refuses.
fn compare_order(a: &ArrayRef, b: &ArrayRef, d: &[Dtype], cmp: Cmp) -> Result<ArrayRef, String> {
    let (lk, rk) = (text_kind(kind(a, d[0])?), text_kind(kind(b, d[1])?));
    let na =
        match (lk, rk) {
            (Kind::Cat, Kind::Cat) => return Err(
                "comparing the order of two categorical columns: featuretools compares them by \
                 category order when both are ordered with the same categories, which ftpart \
                 cannot tell"
                    .to_string(),
            ),
            (Kind::Cat, _) | (_, Kind::Cat) => {
                return Ok(Arc::new(BooleanArray::from(vec![None::<bool>; a.len()])))
            }
            (l, r) if l.numeric() && r.numeric() => l.masked() || r.masked(),
            (Kind::Text, Kind::Text) => true,
            (Kind::Time, Kind::Time) => false,
            _ => {
                return Err(format!(
                    "pandas cannot order {lk:?} and {rk:?} values (invalid comparison)"
                ))
            }
        };
    let (x, y) = (values(a)?, values(b)?);
    Ok(Arc::new(
        x.iter()
            .zip(&y)
            .map(|(p, q)| match (p, q) {
                (Some(p), Some(q)) => {
                    let o = match (p, q) {
                        (V::S(s), V::S(t)) => Some(s.cmp(t)),
                        (V::T(s), V::T(t)) => Some(s.cmp(t)),
                        _ => cmp_num(p, q),
                    };
                    Some(o.is_some_and(|o| cmp.test(o)))
                }
                _ if na => None,
                _ => Some(false),
            })
            .collect::<BooleanArray>(),
    ))
}

/// EQUAL_SCALAR / NOT_EQUAL_SCALAR (`vals == value`): a missing value gives NA in a nullable
/// number or boolean column and in text, else False (True for `!=`); `value=None` gives NA for
/// every row of text (pandas' string dtype) and False for every present value elsewhere.
fn compare_scalar(a: &ArrayRef, d: Dtype, s: &Scalar, negate: bool) -> Result<ArrayRef, String> {
    let lk = kind(a, d)?;
    let missing = if lk.masked() { None } else { Some(negate) };
    let vals = values(a)?;
    let n = vals.len();
    let row = |eq: &dyn Fn(&V) -> bool| -> ArrayRef {
        Arc::new(
            vals.iter()
                .map(|v| match v {
                    Some(v) => Some(eq(v) != negate),
                    None => missing,
                })
                .collect::<BooleanArray>(),
        )
    };
    Ok(match s {
        Scalar::Null if lk == Kind::Text => Arc::new(BooleanArray::from(vec![None::<bool>; n])),
        Scalar::Null => row(&|_| false),
        Scalar::Text(t) if lk == Kind::Time => match super::is_in::date_text(t)? {
            DateText::Naive(x) => row(&|v| *v == V::T(x)),
            // pandas: NaT, a zoned datetime or no date at all equals nothing, missing or not
            _ => Arc::new(BooleanArray::from(vec![negate; n])),
        },
        Scalar::Text(t) => row(&|v| matches!(v, V::S(s) if s == t)),
        Scalar::Number(_) | Scalar::Bool(_) => {
            let x = match s {
                Scalar::Number(x) => *x,
                Scalar::Bool(b) => *b as u8 as f64,
                _ => unreachable!("a number"),
            };
            let number = matches!(s, Scalar::Number(_));
            // `cat == True` is False even for an integer category 1 (pandas looks True up
            // among the categories); a number matches a category that reads as it.
            row(&|v| match v {
                V::S(c) => number && lk == Kind::Cat && c.parse::<f64>().is_ok_and(|c| c == x),
                V::T(_) => false,
                _ => v.num() == Some(x),
            })
        }
    })
}

/// GREATER_THAN_SCALAR and the other orders against `value`: numbers (and booleans) against a
/// number or boolean (NA where missing in a nullable column, else False), text against text
/// (NA where missing), datetimes against a date string (False where missing); `value=None`
/// gives False for numpy columns and NA for text. pandas raises for the other pairs and for
/// categoricals (unordered; an Ordinal's order ftpart cannot tell).
fn compare_scalar_ord(a: &ArrayRef, d: Dtype, s: &Scalar, cmp: Cmp) -> Result<ArrayRef, String> {
    let lk = text_kind(kind(a, d)?);
    let vals = values(a)?;
    let n = vals.len();
    let refuse = || {
        Err(format!(
            "pandas cannot order {lk:?} values against {s:?} (invalid comparison)"
        ))
    };
    let (x, na) = match (lk, s) {
        (Kind::Cat, _) => {
            return Err(
                "pandas orders a categorical only when it is ordered (Ordinal) and by its \
                 category order, which ftpart cannot tell"
                    .to_string(),
            )
        }
        (l, Scalar::Number(x)) if l.numeric() => (V::F(*x), l.masked()),
        (l, Scalar::Bool(b)) if l.numeric() => (V::I(*b as i64), l.masked()),
        (Kind::Float | Kind::Int | Kind::Bool, Scalar::Null) => {
            return Ok(Arc::new(BooleanArray::from(vec![false; n])))
        }
        (Kind::Text, Scalar::Null) => {
            return Ok(Arc::new(BooleanArray::from(vec![None::<bool>; n])))
        }
        (Kind::Text, Scalar::Text(t)) => (V::S(t.clone()), true),
        (Kind::Time, Scalar::Text(t)) => match super::is_in::date_text(t)? {
            DateText::Naive(x) => (V::T(x), false),
            DateText::NaT => return Ok(Arc::new(BooleanArray::from(vec![false; n]))),
            DateText::Zoned | DateText::NotADate => return refuse(),
        },
        _ => return refuse(),
    };
    Ok(Arc::new(
        vals.iter()
            .map(|v| match v {
                Some(v) => {
                    let o = match (v, &x) {
                        (V::S(p), V::S(q)) => Some(p.as_str().cmp(q.as_str())),
                        (V::T(p), V::T(q)) => Some(p.cmp(q)),
                        _ => cmp_num(v, &x),
                    };
                    Some(o.is_some_and(|o| cmp.test(o)))
                }
                None if na => None,
                None => Some(false),
            })
            .collect::<BooleanArray>(),
    ))
}

fn transform(
    p: &Builtin,
    inputs: &[ArrayRef],
    d: &[Dtype],
    times: &[i64],
) -> Result<ArrayRef, String> {
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
        Builtin::Not => logical(p, a, None, d)?,
        Builtin::And | Builtin::Or => logical(p, a, Some(b()?), d)?,
        Builtin::EqualScalar(s) => compare_scalar(a, d[0], s, false)?,
        Builtin::NotEqualScalar(s) => compare_scalar(a, d[0], s, true)?,
        Builtin::GreaterThanScalar(x) => compare_scalar_ord(a, d[0], x, Cmp::Gt)?,
        Builtin::GreaterThanEqualToScalar(x) => compare_scalar_ord(a, d[0], x, Cmp::Ge)?,
        Builtin::LessThanScalar(x) => compare_scalar_ord(a, d[0], x, Cmp::Lt)?,
        Builtin::LessThanEqualToScalar(x) => compare_scalar_ord(a, d[0], x, Cmp::Le)?,
        Builtin::Equal => compare_equal(a, b()?, d, false)?,
        Builtin::NotEqual => compare_equal(a, b()?, d, true)?,
        Builtin::GreaterThan => compare_order(a, b()?, d, Cmp::Gt)?,
        Builtin::GreaterThanEqualTo => compare_order(a, b()?, d, Cmp::Ge)?,
        Builtin::LessThan => compare_order(a, b()?, d, Cmp::Lt)?,
        Builtin::LessThanEqualTo => compare_order(a, b()?, d, Cmp::Le)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::primitives::test_util::prim;
    use crate::primitives::test_util::transform;
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

    #[test]
    fn a_string_that_is_no_date_decides_a_datetime_comparison() {
        // d = pd.Series(pd.to_datetime(['2020-01-01', '2021-02-03', '2020-01-01']))
        // d == pd.Series(['12-12-2020', 'hello', '2020-01-01'], dtype='string'): all False.
        // ftpart cannot judge '12-12-2020' (dateutil's reader), but 'hello' decides.
        let t: ArrayRef = Arc::new(arrow_array::TimestampNanosecondArray::from(vec![
            1_577_836_800_000_000_000,
            1_612_310_400_000_000_000,
            1_577_836_800_000_000_000,
        ]));
        let s: ArrayRef = Arc::new(arrow_array::StringArray::from(vec![
            "12-12-2020",
            "hello",
            "2020-01-01",
        ]));
        let eq = transform(&prim("Equal"), &[t.clone(), s.clone()], &[]).unwrap();
        assert_eq!(
            eq.as_boolean().iter().collect::<Vec<_>>(),
            vec![Some(false); 3]
        );
        // Without 'hello' no answer is sure: refused by name.
        let (t2, s2) = (t.slice(0, 1), s.slice(0, 1));
        let e = transform(&prim("Equal"), &[t2, s2], &[]).unwrap_err();
        assert!(e.contains("12-12-2020"), "{e}");
    }
}

/// Comparisons against featuretools 1.31 over every pair of column kinds ftpart can tell apart.
#[cfg(test)]
mod comparison_tests {
    use super::*;
    use crate::primitives::test_util::prim_with;
    use crate::primitives::test_util::transform;
    use arrow_array::{
        DictionaryArray, Float64Array, Int64Array, StringArray, TimestampNanosecondArray,
    };

    const JAN1: i64 = 1_577_836_800_000_000_000;
    const SEC: i64 = 1_000_000_000;

    /// `mk(kind, valid)` of the generating script: 1.0 / 1 / True / "a" / 2020-01-01, missing
    /// where not `valid` (Integer and Boolean have no missing values).
    fn column(kind: &str, valid: [bool; 4]) -> ArrayRef {
        fn v<X: Copy>(valid: [bool; 4], x: X) -> impl Iterator<Item = Option<X>> {
            valid.into_iter().map(move |ok| ok.then_some(x))
        }
        match kind {
            "Double" => Arc::new(v(valid, 1.0).collect::<Float64Array>()),
            "Integer" => Arc::new(Int64Array::from(vec![1; 4])),
            "IntegerNullable" => Arc::new(v(valid, 1i64).collect::<Int64Array>()),
            "Boolean" => Arc::new(BooleanArray::from(vec![true; 4])),
            "BooleanNullable" => Arc::new(v(valid, true).collect::<BooleanArray>()),
            "Categorical" => {
                Arc::new(v(valid, "a").collect::<DictionaryArray<arrow_array::types::Int32Type>>())
            }
            "NaturalLanguage" => Arc::new(v(valid, "a").collect::<StringArray>()),
            "Datetime" => Arc::new(v(valid, JAN1).collect::<TimestampNanosecondArray>()),
            other => panic!("{other}"),
        }
    }

    /// The scalar script's columns.
    fn scalar_column(name: &str) -> ArrayRef {
        match name {
            "cat" => Arc::new(
                vec![Some("a"), Some("b"), None, Some("True")]
                    .into_iter()
                    .collect::<DictionaryArray<arrow_array::types::Int32Type>>(),
            ),
            // pd.Series([1, 2, None, 3], dtype="category"): integer categories, held as text
            "catint" => Arc::new(
                vec![Some("1"), Some("2"), None, Some("3")]
                    .into_iter()
                    .collect::<DictionaryArray<arrow_array::types::Int32Type>>(),
            ),
            "str" => Arc::new(StringArray::from(vec![
                Some("a"),
                Some("1"),
                None,
                Some("True"),
            ])),
            "f" => Arc::new(Float64Array::from(vec![
                Some(1.0),
                Some(2.5),
                None,
                Some(0.0),
            ])),
            "i" => Arc::new(Int64Array::from(vec![1, 2, 3, 0])),
            "I" => Arc::new(Int64Array::from(vec![Some(1), Some(2), None, Some(0)])),
            "b" => Arc::new(BooleanArray::from(vec![true, false, true, false])),
            "B" => Arc::new(BooleanArray::from(vec![
                Some(true),
                Some(false),
                None,
                Some(false),
            ])),
            "dt" => Arc::new(TimestampNanosecondArray::from(vec![
                Some(JAN1),
                Some(JAN1 + 86_400 * SEC),
                None,
                Some(JAN1 + SEC),
            ])),
            other => panic!("{other}"),
        }
    }

    fn shown(r: Result<ArrayRef, String>) -> String {
        match r {
            Err(_) => "ERR".to_string(),
            Ok(a) => a
                .as_boolean()
                .iter()
                .map(|v| match v {
                    None => "N",
                    Some(true) => "T",
                    Some(false) => "F",
                })
                .collect::<Vec<_>>()
                .join(" "),
        }
    }

    /// (primitive, left kind, right kind, featuretools' answer for rows (valid, valid),
    /// (missing, valid), (valid, missing), (missing, missing); N = NA, ERR = raises), from
    /// `Prim().get_function()(mk(left, [T, F, T, F]), mk(right, [T, T, F, F]))`.
    const TWO: &[(&str, &str, &str, &str)] = &[
        ("Equal", "Double", "Double", "T F F F"),
        ("Equal", "Double", "Integer", "T F T F"),
        ("Equal", "Double", "IntegerNullable", "T N N N"),
        ("Equal", "Double", "Boolean", "T F T F"),
        ("Equal", "Double", "BooleanNullable", "T N N N"),
        ("Equal", "Double", "Categorical", "F F F F"),
        ("Equal", "Double", "NaturalLanguage", "F N N N"),
        ("Equal", "Double", "Datetime", "F F F F"),
        ("Equal", "Integer", "Double", "T T F F"),
        ("Equal", "Integer", "Integer", "T T T T"),
        ("Equal", "Integer", "IntegerNullable", "T T N N"),
        ("Equal", "Integer", "Boolean", "T T T T"),
        ("Equal", "Integer", "BooleanNullable", "T T N N"),
        ("Equal", "Integer", "Categorical", "F F F F"),
        ("Equal", "Integer", "NaturalLanguage", "F F N N"),
        ("Equal", "Integer", "Datetime", "F F F F"),
        ("Equal", "IntegerNullable", "Double", "T N N N"),
        ("Equal", "IntegerNullable", "Integer", "T N T N"),
        ("Equal", "IntegerNullable", "IntegerNullable", "T N N N"),
        ("Equal", "IntegerNullable", "Boolean", "T N T N"),
        ("Equal", "IntegerNullable", "BooleanNullable", "T N N N"),
        ("Equal", "IntegerNullable", "Categorical", "F N N N"),
        ("Equal", "IntegerNullable", "NaturalLanguage", "ERR"),
        ("Equal", "IntegerNullable", "Datetime", "F N N N"),
        ("Equal", "Boolean", "Double", "T T F F"),
        ("Equal", "Boolean", "Integer", "T T T T"),
        ("Equal", "Boolean", "IntegerNullable", "T T N N"),
        ("Equal", "Boolean", "Boolean", "T T T T"),
        ("Equal", "Boolean", "BooleanNullable", "T T N N"),
        ("Equal", "Boolean", "Categorical", "F F F F"),
        ("Equal", "Boolean", "NaturalLanguage", "F F N N"),
        ("Equal", "Boolean", "Datetime", "F F F F"),
        ("Equal", "BooleanNullable", "Double", "T N N N"),
        ("Equal", "BooleanNullable", "Integer", "T N T N"),
        ("Equal", "BooleanNullable", "IntegerNullable", "T N N N"),
        ("Equal", "BooleanNullable", "Boolean", "T N T N"),
        ("Equal", "BooleanNullable", "BooleanNullable", "T N N N"),
        ("Equal", "BooleanNullable", "Categorical", "F N N N"),
        ("Equal", "BooleanNullable", "NaturalLanguage", "ERR"),
        ("Equal", "BooleanNullable", "Datetime", "F N N N"),
        ("Equal", "Categorical", "Double", "F F F F"),
        ("Equal", "Categorical", "Integer", "F F F F"),
        ("Equal", "Categorical", "IntegerNullable", "F F F F"),
        ("Equal", "Categorical", "Boolean", "F F F F"),
        ("Equal", "Categorical", "BooleanNullable", "ERR"),
        ("Equal", "Categorical", "Categorical", "T F F F"),
        ("Equal", "Categorical", "NaturalLanguage", "ERR"),
        ("Equal", "Categorical", "Datetime", "F F F F"),
        ("Equal", "NaturalLanguage", "Double", "F N N N"),
        ("Equal", "NaturalLanguage", "Integer", "F N F N"),
        ("Equal", "NaturalLanguage", "IntegerNullable", "F N N N"),
        ("Equal", "NaturalLanguage", "Boolean", "F N F N"),
        ("Equal", "NaturalLanguage", "BooleanNullable", "F N N N"),
        ("Equal", "NaturalLanguage", "Categorical", "T N N N"),
        ("Equal", "NaturalLanguage", "NaturalLanguage", "T N N N"),
        ("Equal", "NaturalLanguage", "Datetime", "F N N N"),
        ("Equal", "Datetime", "Double", "F F F F"),
        ("Equal", "Datetime", "Integer", "F F F F"),
        ("Equal", "Datetime", "IntegerNullable", "F F F F"),
        ("Equal", "Datetime", "Boolean", "F F F F"),
        ("Equal", "Datetime", "BooleanNullable", "F F F F"),
        ("Equal", "Datetime", "Categorical", "F F F F"),
        ("Equal", "Datetime", "NaturalLanguage", "F F F F"),
        ("Equal", "Datetime", "Datetime", "T F F F"),
        ("NotEqual", "Double", "Double", "F T T T"),
        ("NotEqual", "Double", "Integer", "F T F T"),
        ("NotEqual", "Double", "IntegerNullable", "F N N N"),
        ("NotEqual", "Double", "Boolean", "F T F T"),
        ("NotEqual", "Double", "BooleanNullable", "F N N N"),
        ("NotEqual", "Double", "Categorical", "T T T T"),
        ("NotEqual", "Double", "NaturalLanguage", "T N N N"),
        ("NotEqual", "Double", "Datetime", "T T T T"),
        ("NotEqual", "Integer", "Double", "F F T T"),
        ("NotEqual", "Integer", "Integer", "F F F F"),
        ("NotEqual", "Integer", "IntegerNullable", "F F N N"),
        ("NotEqual", "Integer", "Boolean", "F F F F"),
        ("NotEqual", "Integer", "BooleanNullable", "F F N N"),
        ("NotEqual", "Integer", "Categorical", "T T T T"),
        ("NotEqual", "Integer", "NaturalLanguage", "T T N N"),
        ("NotEqual", "Integer", "Datetime", "T T T T"),
        ("NotEqual", "IntegerNullable", "Double", "F N N N"),
        ("NotEqual", "IntegerNullable", "Integer", "F N F N"),
        ("NotEqual", "IntegerNullable", "IntegerNullable", "F N N N"),
        ("NotEqual", "IntegerNullable", "Boolean", "F N F N"),
        ("NotEqual", "IntegerNullable", "BooleanNullable", "F N N N"),
        ("NotEqual", "IntegerNullable", "Categorical", "T N N N"),
        ("NotEqual", "IntegerNullable", "NaturalLanguage", "ERR"),
        ("NotEqual", "IntegerNullable", "Datetime", "T N N N"),
        ("NotEqual", "Boolean", "Double", "F F T T"),
        ("NotEqual", "Boolean", "Integer", "F F F F"),
        ("NotEqual", "Boolean", "IntegerNullable", "F F N N"),
        ("NotEqual", "Boolean", "Boolean", "F F F F"),
        ("NotEqual", "Boolean", "BooleanNullable", "F F N N"),
        ("NotEqual", "Boolean", "Categorical", "T T T T"),
        ("NotEqual", "Boolean", "NaturalLanguage", "T T N N"),
        ("NotEqual", "Boolean", "Datetime", "T T T T"),
        ("NotEqual", "BooleanNullable", "Double", "F N N N"),
        ("NotEqual", "BooleanNullable", "Integer", "F N F N"),
        ("NotEqual", "BooleanNullable", "IntegerNullable", "F N N N"),
        ("NotEqual", "BooleanNullable", "Boolean", "F N F N"),
        ("NotEqual", "BooleanNullable", "BooleanNullable", "F N N N"),
        ("NotEqual", "BooleanNullable", "Categorical", "T N N N"),
        ("NotEqual", "BooleanNullable", "NaturalLanguage", "ERR"),
        ("NotEqual", "BooleanNullable", "Datetime", "T N N N"),
        ("NotEqual", "Categorical", "Double", "T T T T"),
        ("NotEqual", "Categorical", "Integer", "T T T T"),
        ("NotEqual", "Categorical", "IntegerNullable", "T T T T"),
        ("NotEqual", "Categorical", "Boolean", "T T T T"),
        ("NotEqual", "Categorical", "BooleanNullable", "ERR"),
        ("NotEqual", "Categorical", "Categorical", "F T T T"),
        ("NotEqual", "Categorical", "NaturalLanguage", "ERR"),
        ("NotEqual", "Categorical", "Datetime", "T T T T"),
        ("NotEqual", "NaturalLanguage", "Double", "T N N N"),
        ("NotEqual", "NaturalLanguage", "Integer", "T N T N"),
        ("NotEqual", "NaturalLanguage", "IntegerNullable", "T N N N"),
        ("NotEqual", "NaturalLanguage", "Boolean", "T N T N"),
        ("NotEqual", "NaturalLanguage", "BooleanNullable", "T N N N"),
        ("NotEqual", "NaturalLanguage", "Categorical", "F N N N"),
        ("NotEqual", "NaturalLanguage", "NaturalLanguage", "F N N N"),
        ("NotEqual", "NaturalLanguage", "Datetime", "T N N N"),
        ("NotEqual", "Datetime", "Double", "T T T T"),
        ("NotEqual", "Datetime", "Integer", "T T T T"),
        ("NotEqual", "Datetime", "IntegerNullable", "T T T T"),
        ("NotEqual", "Datetime", "Boolean", "T T T T"),
        ("NotEqual", "Datetime", "BooleanNullable", "T T T T"),
        ("NotEqual", "Datetime", "Categorical", "T T T T"),
        ("NotEqual", "Datetime", "NaturalLanguage", "T T T T"),
        ("NotEqual", "Datetime", "Datetime", "F T T T"),
        ("GreaterThan", "Double", "Double", "F F F F"),
        ("GreaterThan", "Double", "Integer", "F F F F"),
        ("GreaterThan", "Double", "IntegerNullable", "F N N N"),
        ("GreaterThan", "Double", "Boolean", "F F F F"),
        ("GreaterThan", "Double", "BooleanNullable", "F N N N"),
        ("GreaterThan", "Double", "Categorical", "N N N N"),
        ("GreaterThan", "Double", "NaturalLanguage", "ERR"),
        ("GreaterThan", "Double", "Datetime", "ERR"),
        ("GreaterThan", "Integer", "Double", "F F F F"),
        ("GreaterThan", "Integer", "Integer", "F F F F"),
        ("GreaterThan", "Integer", "IntegerNullable", "F F N N"),
        ("GreaterThan", "Integer", "Boolean", "F F F F"),
        ("GreaterThan", "Integer", "BooleanNullable", "F F N N"),
        ("GreaterThan", "Integer", "Categorical", "N N N N"),
        ("GreaterThan", "Integer", "NaturalLanguage", "ERR"),
        ("GreaterThan", "Integer", "Datetime", "ERR"),
        ("GreaterThan", "IntegerNullable", "Double", "F N N N"),
        ("GreaterThan", "IntegerNullable", "Integer", "F N F N"),
        (
            "GreaterThan",
            "IntegerNullable",
            "IntegerNullable",
            "F N N N",
        ),
        ("GreaterThan", "IntegerNullable", "Boolean", "F N F N"),
        (
            "GreaterThan",
            "IntegerNullable",
            "BooleanNullable",
            "F N N N",
        ),
        ("GreaterThan", "IntegerNullable", "Categorical", "N N N N"),
        ("GreaterThan", "IntegerNullable", "NaturalLanguage", "ERR"),
        ("GreaterThan", "IntegerNullable", "Datetime", "ERR"),
        ("GreaterThan", "Boolean", "Double", "F F F F"),
        ("GreaterThan", "Boolean", "Integer", "F F F F"),
        ("GreaterThan", "Boolean", "IntegerNullable", "F F N N"),
        ("GreaterThan", "Boolean", "Boolean", "F F F F"),
        ("GreaterThan", "Boolean", "BooleanNullable", "F F N N"),
        ("GreaterThan", "Boolean", "Categorical", "N N N N"),
        ("GreaterThan", "Boolean", "NaturalLanguage", "ERR"),
        ("GreaterThan", "Boolean", "Datetime", "ERR"),
        ("GreaterThan", "BooleanNullable", "Double", "F N N N"),
        ("GreaterThan", "BooleanNullable", "Integer", "F N F N"),
        (
            "GreaterThan",
            "BooleanNullable",
            "IntegerNullable",
            "F N N N",
        ),
        ("GreaterThan", "BooleanNullable", "Boolean", "F N F N"),
        (
            "GreaterThan",
            "BooleanNullable",
            "BooleanNullable",
            "F N N N",
        ),
        ("GreaterThan", "BooleanNullable", "Categorical", "N N N N"),
        ("GreaterThan", "BooleanNullable", "NaturalLanguage", "ERR"),
        ("GreaterThan", "BooleanNullable", "Datetime", "ERR"),
        ("GreaterThan", "Categorical", "Double", "N N N N"),
        ("GreaterThan", "Categorical", "Integer", "N N N N"),
        ("GreaterThan", "Categorical", "IntegerNullable", "N N N N"),
        ("GreaterThan", "Categorical", "Boolean", "N N N N"),
        ("GreaterThan", "Categorical", "BooleanNullable", "N N N N"),
        ("GreaterThan", "Categorical", "Categorical", "ERR"),
        ("GreaterThan", "Categorical", "NaturalLanguage", "N N N N"),
        ("GreaterThan", "Categorical", "Datetime", "N N N N"),
        ("GreaterThan", "NaturalLanguage", "Double", "ERR"),
        ("GreaterThan", "NaturalLanguage", "Integer", "ERR"),
        ("GreaterThan", "NaturalLanguage", "IntegerNullable", "ERR"),
        ("GreaterThan", "NaturalLanguage", "Boolean", "ERR"),
        ("GreaterThan", "NaturalLanguage", "BooleanNullable", "ERR"),
        ("GreaterThan", "NaturalLanguage", "Categorical", "N N N N"),
        (
            "GreaterThan",
            "NaturalLanguage",
            "NaturalLanguage",
            "F N N N",
        ),
        ("GreaterThan", "NaturalLanguage", "Datetime", "ERR"),
        ("GreaterThan", "Datetime", "Double", "ERR"),
        ("GreaterThan", "Datetime", "Integer", "ERR"),
        ("GreaterThan", "Datetime", "IntegerNullable", "ERR"),
        ("GreaterThan", "Datetime", "Boolean", "ERR"),
        ("GreaterThan", "Datetime", "BooleanNullable", "ERR"),
        ("GreaterThan", "Datetime", "Categorical", "N N N N"),
        ("GreaterThan", "Datetime", "NaturalLanguage", "ERR"),
        ("GreaterThan", "Datetime", "Datetime", "F F F F"),
        ("GreaterThanEqualTo", "Double", "Double", "T F F F"),
        ("GreaterThanEqualTo", "Double", "Integer", "T F T F"),
        ("GreaterThanEqualTo", "Double", "IntegerNullable", "T N N N"),
        ("GreaterThanEqualTo", "Double", "Boolean", "T F T F"),
        ("GreaterThanEqualTo", "Double", "BooleanNullable", "T N N N"),
        ("GreaterThanEqualTo", "Double", "Categorical", "N N N N"),
        ("GreaterThanEqualTo", "Double", "NaturalLanguage", "ERR"),
        ("GreaterThanEqualTo", "Double", "Datetime", "ERR"),
        ("GreaterThanEqualTo", "Integer", "Double", "T T F F"),
        ("GreaterThanEqualTo", "Integer", "Integer", "T T T T"),
        (
            "GreaterThanEqualTo",
            "Integer",
            "IntegerNullable",
            "T T N N",
        ),
        ("GreaterThanEqualTo", "Integer", "Boolean", "T T T T"),
        (
            "GreaterThanEqualTo",
            "Integer",
            "BooleanNullable",
            "T T N N",
        ),
        ("GreaterThanEqualTo", "Integer", "Categorical", "N N N N"),
        ("GreaterThanEqualTo", "Integer", "NaturalLanguage", "ERR"),
        ("GreaterThanEqualTo", "Integer", "Datetime", "ERR"),
        ("GreaterThanEqualTo", "IntegerNullable", "Double", "T N N N"),
        (
            "GreaterThanEqualTo",
            "IntegerNullable",
            "Integer",
            "T N T N",
        ),
        (
            "GreaterThanEqualTo",
            "IntegerNullable",
            "IntegerNullable",
            "T N N N",
        ),
        (
            "GreaterThanEqualTo",
            "IntegerNullable",
            "Boolean",
            "T N T N",
        ),
        (
            "GreaterThanEqualTo",
            "IntegerNullable",
            "BooleanNullable",
            "T N N N",
        ),
        (
            "GreaterThanEqualTo",
            "IntegerNullable",
            "Categorical",
            "N N N N",
        ),
        (
            "GreaterThanEqualTo",
            "IntegerNullable",
            "NaturalLanguage",
            "ERR",
        ),
        ("GreaterThanEqualTo", "IntegerNullable", "Datetime", "ERR"),
        ("GreaterThanEqualTo", "Boolean", "Double", "T T F F"),
        ("GreaterThanEqualTo", "Boolean", "Integer", "T T T T"),
        (
            "GreaterThanEqualTo",
            "Boolean",
            "IntegerNullable",
            "T T N N",
        ),
        ("GreaterThanEqualTo", "Boolean", "Boolean", "T T T T"),
        (
            "GreaterThanEqualTo",
            "Boolean",
            "BooleanNullable",
            "T T N N",
        ),
        ("GreaterThanEqualTo", "Boolean", "Categorical", "N N N N"),
        ("GreaterThanEqualTo", "Boolean", "NaturalLanguage", "ERR"),
        ("GreaterThanEqualTo", "Boolean", "Datetime", "ERR"),
        ("GreaterThanEqualTo", "BooleanNullable", "Double", "T N N N"),
        (
            "GreaterThanEqualTo",
            "BooleanNullable",
            "Integer",
            "T N T N",
        ),
        (
            "GreaterThanEqualTo",
            "BooleanNullable",
            "IntegerNullable",
            "T N N N",
        ),
        (
            "GreaterThanEqualTo",
            "BooleanNullable",
            "Boolean",
            "T N T N",
        ),
        (
            "GreaterThanEqualTo",
            "BooleanNullable",
            "BooleanNullable",
            "T N N N",
        ),
        (
            "GreaterThanEqualTo",
            "BooleanNullable",
            "Categorical",
            "N N N N",
        ),
        (
            "GreaterThanEqualTo",
            "BooleanNullable",
            "NaturalLanguage",
            "ERR",
        ),
        ("GreaterThanEqualTo", "BooleanNullable", "Datetime", "ERR"),
        ("GreaterThanEqualTo", "Categorical", "Double", "N N N N"),
        ("GreaterThanEqualTo", "Categorical", "Integer", "N N N N"),
        (
            "GreaterThanEqualTo",
            "Categorical",
            "IntegerNullable",
            "N N N N",
        ),
        ("GreaterThanEqualTo", "Categorical", "Boolean", "N N N N"),
        (
            "GreaterThanEqualTo",
            "Categorical",
            "BooleanNullable",
            "N N N N",
        ),
        ("GreaterThanEqualTo", "Categorical", "Categorical", "ERR"),
        (
            "GreaterThanEqualTo",
            "Categorical",
            "NaturalLanguage",
            "N N N N",
        ),
        ("GreaterThanEqualTo", "Categorical", "Datetime", "N N N N"),
        ("GreaterThanEqualTo", "NaturalLanguage", "Double", "ERR"),
        ("GreaterThanEqualTo", "NaturalLanguage", "Integer", "ERR"),
        (
            "GreaterThanEqualTo",
            "NaturalLanguage",
            "IntegerNullable",
            "ERR",
        ),
        ("GreaterThanEqualTo", "NaturalLanguage", "Boolean", "ERR"),
        (
            "GreaterThanEqualTo",
            "NaturalLanguage",
            "BooleanNullable",
            "ERR",
        ),
        (
            "GreaterThanEqualTo",
            "NaturalLanguage",
            "Categorical",
            "N N N N",
        ),
        (
            "GreaterThanEqualTo",
            "NaturalLanguage",
            "NaturalLanguage",
            "T N N N",
        ),
        ("GreaterThanEqualTo", "NaturalLanguage", "Datetime", "ERR"),
        ("GreaterThanEqualTo", "Datetime", "Double", "ERR"),
        ("GreaterThanEqualTo", "Datetime", "Integer", "ERR"),
        ("GreaterThanEqualTo", "Datetime", "IntegerNullable", "ERR"),
        ("GreaterThanEqualTo", "Datetime", "Boolean", "ERR"),
        ("GreaterThanEqualTo", "Datetime", "BooleanNullable", "ERR"),
        ("GreaterThanEqualTo", "Datetime", "Categorical", "N N N N"),
        ("GreaterThanEqualTo", "Datetime", "NaturalLanguage", "ERR"),
        ("GreaterThanEqualTo", "Datetime", "Datetime", "T F F F"),
        ("LessThan", "Double", "Double", "F F F F"),
        ("LessThan", "Double", "Integer", "F F F F"),
        ("LessThan", "Double", "IntegerNullable", "F N N N"),
        ("LessThan", "Double", "Boolean", "F F F F"),
        ("LessThan", "Double", "BooleanNullable", "F N N N"),
        ("LessThan", "Double", "Categorical", "N N N N"),
        ("LessThan", "Double", "NaturalLanguage", "ERR"),
        ("LessThan", "Double", "Datetime", "ERR"),
        ("LessThan", "Integer", "Double", "F F F F"),
        ("LessThan", "Integer", "Integer", "F F F F"),
        ("LessThan", "Integer", "IntegerNullable", "F F N N"),
        ("LessThan", "Integer", "Boolean", "F F F F"),
        ("LessThan", "Integer", "BooleanNullable", "F F N N"),
        ("LessThan", "Integer", "Categorical", "N N N N"),
        ("LessThan", "Integer", "NaturalLanguage", "ERR"),
        ("LessThan", "Integer", "Datetime", "ERR"),
        ("LessThan", "IntegerNullable", "Double", "F N N N"),
        ("LessThan", "IntegerNullable", "Integer", "F N F N"),
        ("LessThan", "IntegerNullable", "IntegerNullable", "F N N N"),
        ("LessThan", "IntegerNullable", "Boolean", "F N F N"),
        ("LessThan", "IntegerNullable", "BooleanNullable", "F N N N"),
        ("LessThan", "IntegerNullable", "Categorical", "N N N N"),
        ("LessThan", "IntegerNullable", "NaturalLanguage", "ERR"),
        ("LessThan", "IntegerNullable", "Datetime", "ERR"),
        ("LessThan", "Boolean", "Double", "F F F F"),
        ("LessThan", "Boolean", "Integer", "F F F F"),
        ("LessThan", "Boolean", "IntegerNullable", "F F N N"),
        ("LessThan", "Boolean", "Boolean", "F F F F"),
        ("LessThan", "Boolean", "BooleanNullable", "F F N N"),
        ("LessThan", "Boolean", "Categorical", "N N N N"),
        ("LessThan", "Boolean", "NaturalLanguage", "ERR"),
        ("LessThan", "Boolean", "Datetime", "ERR"),
        ("LessThan", "BooleanNullable", "Double", "F N N N"),
        ("LessThan", "BooleanNullable", "Integer", "F N F N"),
        ("LessThan", "BooleanNullable", "IntegerNullable", "F N N N"),
        ("LessThan", "BooleanNullable", "Boolean", "F N F N"),
        ("LessThan", "BooleanNullable", "BooleanNullable", "F N N N"),
        ("LessThan", "BooleanNullable", "Categorical", "N N N N"),
        ("LessThan", "BooleanNullable", "NaturalLanguage", "ERR"),
        ("LessThan", "BooleanNullable", "Datetime", "ERR"),
        ("LessThan", "Categorical", "Double", "N N N N"),
        ("LessThan", "Categorical", "Integer", "N N N N"),
        ("LessThan", "Categorical", "IntegerNullable", "N N N N"),
        ("LessThan", "Categorical", "Boolean", "N N N N"),
        ("LessThan", "Categorical", "BooleanNullable", "N N N N"),
        ("LessThan", "Categorical", "Categorical", "ERR"),
        ("LessThan", "Categorical", "NaturalLanguage", "N N N N"),
        ("LessThan", "Categorical", "Datetime", "N N N N"),
        ("LessThan", "NaturalLanguage", "Double", "ERR"),
        ("LessThan", "NaturalLanguage", "Integer", "ERR"),
        ("LessThan", "NaturalLanguage", "IntegerNullable", "ERR"),
        ("LessThan", "NaturalLanguage", "Boolean", "ERR"),
        ("LessThan", "NaturalLanguage", "BooleanNullable", "ERR"),
        ("LessThan", "NaturalLanguage", "Categorical", "N N N N"),
        ("LessThan", "NaturalLanguage", "NaturalLanguage", "F N N N"),
        ("LessThan", "NaturalLanguage", "Datetime", "ERR"),
        ("LessThan", "Datetime", "Double", "ERR"),
        ("LessThan", "Datetime", "Integer", "ERR"),
        ("LessThan", "Datetime", "IntegerNullable", "ERR"),
        ("LessThan", "Datetime", "Boolean", "ERR"),
        ("LessThan", "Datetime", "BooleanNullable", "ERR"),
        ("LessThan", "Datetime", "Categorical", "N N N N"),
        ("LessThan", "Datetime", "NaturalLanguage", "ERR"),
        ("LessThan", "Datetime", "Datetime", "F F F F"),
        ("LessThanEqualTo", "Double", "Double", "T F F F"),
        ("LessThanEqualTo", "Double", "Integer", "T F T F"),
        ("LessThanEqualTo", "Double", "IntegerNullable", "T N N N"),
        ("LessThanEqualTo", "Double", "Boolean", "T F T F"),
        ("LessThanEqualTo", "Double", "BooleanNullable", "T N N N"),
        ("LessThanEqualTo", "Double", "Categorical", "N N N N"),
        ("LessThanEqualTo", "Double", "NaturalLanguage", "ERR"),
        ("LessThanEqualTo", "Double", "Datetime", "ERR"),
        ("LessThanEqualTo", "Integer", "Double", "T T F F"),
        ("LessThanEqualTo", "Integer", "Integer", "T T T T"),
        ("LessThanEqualTo", "Integer", "IntegerNullable", "T T N N"),
        ("LessThanEqualTo", "Integer", "Boolean", "T T T T"),
        ("LessThanEqualTo", "Integer", "BooleanNullable", "T T N N"),
        ("LessThanEqualTo", "Integer", "Categorical", "N N N N"),
        ("LessThanEqualTo", "Integer", "NaturalLanguage", "ERR"),
        ("LessThanEqualTo", "Integer", "Datetime", "ERR"),
        ("LessThanEqualTo", "IntegerNullable", "Double", "T N N N"),
        ("LessThanEqualTo", "IntegerNullable", "Integer", "T N T N"),
        (
            "LessThanEqualTo",
            "IntegerNullable",
            "IntegerNullable",
            "T N N N",
        ),
        ("LessThanEqualTo", "IntegerNullable", "Boolean", "T N T N"),
        (
            "LessThanEqualTo",
            "IntegerNullable",
            "BooleanNullable",
            "T N N N",
        ),
        (
            "LessThanEqualTo",
            "IntegerNullable",
            "Categorical",
            "N N N N",
        ),
        (
            "LessThanEqualTo",
            "IntegerNullable",
            "NaturalLanguage",
            "ERR",
        ),
        ("LessThanEqualTo", "IntegerNullable", "Datetime", "ERR"),
        ("LessThanEqualTo", "Boolean", "Double", "T T F F"),
        ("LessThanEqualTo", "Boolean", "Integer", "T T T T"),
        ("LessThanEqualTo", "Boolean", "IntegerNullable", "T T N N"),
        ("LessThanEqualTo", "Boolean", "Boolean", "T T T T"),
        ("LessThanEqualTo", "Boolean", "BooleanNullable", "T T N N"),
        ("LessThanEqualTo", "Boolean", "Categorical", "N N N N"),
        ("LessThanEqualTo", "Boolean", "NaturalLanguage", "ERR"),
        ("LessThanEqualTo", "Boolean", "Datetime", "ERR"),
        ("LessThanEqualTo", "BooleanNullable", "Double", "T N N N"),
        ("LessThanEqualTo", "BooleanNullable", "Integer", "T N T N"),
        (
            "LessThanEqualTo",
            "BooleanNullable",
            "IntegerNullable",
            "T N N N",
        ),
        ("LessThanEqualTo", "BooleanNullable", "Boolean", "T N T N"),
        (
            "LessThanEqualTo",
            "BooleanNullable",
            "BooleanNullable",
            "T N N N",
        ),
        (
            "LessThanEqualTo",
            "BooleanNullable",
            "Categorical",
            "N N N N",
        ),
        (
            "LessThanEqualTo",
            "BooleanNullable",
            "NaturalLanguage",
            "ERR",
        ),
        ("LessThanEqualTo", "BooleanNullable", "Datetime", "ERR"),
        ("LessThanEqualTo", "Categorical", "Double", "N N N N"),
        ("LessThanEqualTo", "Categorical", "Integer", "N N N N"),
        (
            "LessThanEqualTo",
            "Categorical",
            "IntegerNullable",
            "N N N N",
        ),
        ("LessThanEqualTo", "Categorical", "Boolean", "N N N N"),
        (
            "LessThanEqualTo",
            "Categorical",
            "BooleanNullable",
            "N N N N",
        ),
        ("LessThanEqualTo", "Categorical", "Categorical", "ERR"),
        (
            "LessThanEqualTo",
            "Categorical",
            "NaturalLanguage",
            "N N N N",
        ),
        ("LessThanEqualTo", "Categorical", "Datetime", "N N N N"),
        ("LessThanEqualTo", "NaturalLanguage", "Double", "ERR"),
        ("LessThanEqualTo", "NaturalLanguage", "Integer", "ERR"),
        (
            "LessThanEqualTo",
            "NaturalLanguage",
            "IntegerNullable",
            "ERR",
        ),
        ("LessThanEqualTo", "NaturalLanguage", "Boolean", "ERR"),
        (
            "LessThanEqualTo",
            "NaturalLanguage",
            "BooleanNullable",
            "ERR",
        ),
        (
            "LessThanEqualTo",
            "NaturalLanguage",
            "Categorical",
            "N N N N",
        ),
        (
            "LessThanEqualTo",
            "NaturalLanguage",
            "NaturalLanguage",
            "T N N N",
        ),
        ("LessThanEqualTo", "NaturalLanguage", "Datetime", "ERR"),
        ("LessThanEqualTo", "Datetime", "Double", "ERR"),
        ("LessThanEqualTo", "Datetime", "Integer", "ERR"),
        ("LessThanEqualTo", "Datetime", "IntegerNullable", "ERR"),
        ("LessThanEqualTo", "Datetime", "Boolean", "ERR"),
        ("LessThanEqualTo", "Datetime", "BooleanNullable", "ERR"),
        ("LessThanEqualTo", "Datetime", "Categorical", "N N N N"),
        ("LessThanEqualTo", "Datetime", "NaturalLanguage", "ERR"),
        ("LessThanEqualTo", "Datetime", "Datetime", "T F F F"),
    ];

    /// (primitive, arguments, column, featuretools' answer), from
    /// `Prim(**arguments).get_function()(column)` on the columns of [`scalar_column`].
    /// Left out, see [`scalar_comparisons_ftpart_cannot_match`]: `value=None` for the order
    /// comparisons, `value="1"` on the integer categories and on datetimes.
    const ONE: &[(&str, &str, &str, &str)] = &[
        ("EqualScalar", r#"{}"#, "cat", "F F F F"),
        ("EqualScalar", r#"{}"#, "catint", "F F F F"),
        ("EqualScalar", r#"{}"#, "str", "N N N N"),
        ("EqualScalar", r#"{}"#, "f", "F F F F"),
        ("EqualScalar", r#"{}"#, "i", "F F F F"),
        ("EqualScalar", r#"{}"#, "I", "F F N F"),
        ("EqualScalar", r#"{}"#, "b", "F F F F"),
        ("EqualScalar", r#"{}"#, "B", "F F N F"),
        ("EqualScalar", r#"{}"#, "dt", "F F F F"),
        ("EqualScalar", r#"{"value": null}"#, "cat", "F F F F"),
        ("EqualScalar", r#"{"value": null}"#, "catint", "F F F F"),
        ("EqualScalar", r#"{"value": null}"#, "str", "N N N N"),
        ("EqualScalar", r#"{"value": null}"#, "f", "F F F F"),
        ("EqualScalar", r#"{"value": null}"#, "i", "F F F F"),
        ("EqualScalar", r#"{"value": null}"#, "I", "F F N F"),
        ("EqualScalar", r#"{"value": null}"#, "b", "F F F F"),
        ("EqualScalar", r#"{"value": null}"#, "B", "F F N F"),
        ("EqualScalar", r#"{"value": null}"#, "dt", "F F F F"),
        ("EqualScalar", r#"{"value": 1}"#, "cat", "F F F F"),
        ("EqualScalar", r#"{"value": 1}"#, "catint", "T F F F"),
        ("EqualScalar", r#"{"value": 1}"#, "str", "F F N F"),
        ("EqualScalar", r#"{"value": 1}"#, "f", "T F F F"),
        ("EqualScalar", r#"{"value": 1}"#, "i", "T F F F"),
        ("EqualScalar", r#"{"value": 1}"#, "I", "T F N F"),
        ("EqualScalar", r#"{"value": 1}"#, "b", "T F T F"),
        ("EqualScalar", r#"{"value": 1}"#, "B", "T F N F"),
        ("EqualScalar", r#"{"value": 1}"#, "dt", "F F F F"),
        ("EqualScalar", r#"{"value": 2.5}"#, "cat", "F F F F"),
        ("EqualScalar", r#"{"value": 2.5}"#, "catint", "F F F F"),
        ("EqualScalar", r#"{"value": 2.5}"#, "str", "F F N F"),
        ("EqualScalar", r#"{"value": 2.5}"#, "f", "F T F F"),
        ("EqualScalar", r#"{"value": 2.5}"#, "i", "F F F F"),
        ("EqualScalar", r#"{"value": 2.5}"#, "I", "F F N F"),
        ("EqualScalar", r#"{"value": 2.5}"#, "b", "F F F F"),
        ("EqualScalar", r#"{"value": 2.5}"#, "B", "F F N F"),
        ("EqualScalar", r#"{"value": 2.5}"#, "dt", "F F F F"),
        ("EqualScalar", r#"{"value": true}"#, "cat", "F F F F"),
        ("EqualScalar", r#"{"value": true}"#, "catint", "F F F F"),
        ("EqualScalar", r#"{"value": true}"#, "str", "F F N F"),
        ("EqualScalar", r#"{"value": true}"#, "f", "T F F F"),
        ("EqualScalar", r#"{"value": true}"#, "i", "T F F F"),
        ("EqualScalar", r#"{"value": true}"#, "I", "T F N F"),
        ("EqualScalar", r#"{"value": true}"#, "b", "T F T F"),
        ("EqualScalar", r#"{"value": true}"#, "B", "T F N F"),
        ("EqualScalar", r#"{"value": true}"#, "dt", "F F F F"),
        ("EqualScalar", r#"{"value": false}"#, "cat", "F F F F"),
        ("EqualScalar", r#"{"value": false}"#, "catint", "F F F F"),
        ("EqualScalar", r#"{"value": false}"#, "str", "F F N F"),
        ("EqualScalar", r#"{"value": false}"#, "f", "F F F T"),
        ("EqualScalar", r#"{"value": false}"#, "i", "F F F T"),
        ("EqualScalar", r#"{"value": false}"#, "I", "F F N T"),
        ("EqualScalar", r#"{"value": false}"#, "b", "F T F T"),
        ("EqualScalar", r#"{"value": false}"#, "B", "F T N T"),
        ("EqualScalar", r#"{"value": false}"#, "dt", "F F F F"),
        ("EqualScalar", r#"{"value": "a"}"#, "cat", "T F F F"),
        ("EqualScalar", r#"{"value": "a"}"#, "catint", "F F F F"),
        ("EqualScalar", r#"{"value": "a"}"#, "str", "T F N F"),
        ("EqualScalar", r#"{"value": "a"}"#, "f", "F F F F"),
        ("EqualScalar", r#"{"value": "a"}"#, "i", "F F F F"),
        ("EqualScalar", r#"{"value": "a"}"#, "I", "F F N F"),
        ("EqualScalar", r#"{"value": "a"}"#, "b", "F F F F"),
        ("EqualScalar", r#"{"value": "a"}"#, "B", "F F N F"),
        ("EqualScalar", r#"{"value": "a"}"#, "dt", "F F F F"),
        ("EqualScalar", r#"{"value": "1"}"#, "cat", "F F F F"),
        ("EqualScalar", r#"{"value": "1"}"#, "str", "F T N F"),
        ("EqualScalar", r#"{"value": "1"}"#, "f", "F F F F"),
        ("EqualScalar", r#"{"value": "1"}"#, "i", "F F F F"),
        ("EqualScalar", r#"{"value": "1"}"#, "I", "F F N F"),
        ("EqualScalar", r#"{"value": "1"}"#, "b", "F F F F"),
        ("EqualScalar", r#"{"value": "1"}"#, "B", "F F N F"),
        ("EqualScalar", r#"{"value": "True"}"#, "cat", "F F F T"),
        ("EqualScalar", r#"{"value": "True"}"#, "catint", "F F F F"),
        ("EqualScalar", r#"{"value": "True"}"#, "str", "F F N T"),
        ("EqualScalar", r#"{"value": "True"}"#, "f", "F F F F"),
        ("EqualScalar", r#"{"value": "True"}"#, "i", "F F F F"),
        ("EqualScalar", r#"{"value": "True"}"#, "I", "F F N F"),
        ("EqualScalar", r#"{"value": "True"}"#, "b", "F F F F"),
        ("EqualScalar", r#"{"value": "True"}"#, "B", "F F N F"),
        ("EqualScalar", r#"{"value": "True"}"#, "dt", "F F F F"),
        (
            "EqualScalar",
            r#"{"value": "2020-01-01"}"#,
            "cat",
            "F F F F",
        ),
        (
            "EqualScalar",
            r#"{"value": "2020-01-01"}"#,
            "catint",
            "F F F F",
        ),
        (
            "EqualScalar",
            r#"{"value": "2020-01-01"}"#,
            "str",
            "F F N F",
        ),
        ("EqualScalar", r#"{"value": "2020-01-01"}"#, "f", "F F F F"),
        ("EqualScalar", r#"{"value": "2020-01-01"}"#, "i", "F F F F"),
        ("EqualScalar", r#"{"value": "2020-01-01"}"#, "I", "F F N F"),
        ("EqualScalar", r#"{"value": "2020-01-01"}"#, "b", "F F F F"),
        ("EqualScalar", r#"{"value": "2020-01-01"}"#, "B", "F F N F"),
        ("EqualScalar", r#"{"value": "2020-01-01"}"#, "dt", "T F F F"),
        (
            "EqualScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "cat",
            "F F F F",
        ),
        (
            "EqualScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "catint",
            "F F F F",
        ),
        (
            "EqualScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "str",
            "F F N F",
        ),
        (
            "EqualScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "f",
            "F F F F",
        ),
        (
            "EqualScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "i",
            "F F F F",
        ),
        (
            "EqualScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "I",
            "F F N F",
        ),
        (
            "EqualScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "b",
            "F F F F",
        ),
        (
            "EqualScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "B",
            "F F N F",
        ),
        (
            "EqualScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "dt",
            "F F F F",
        ),
        ("EqualScalar", r#"{"value": 0}"#, "cat", "F F F F"),
        ("EqualScalar", r#"{"value": 0}"#, "catint", "F F F F"),
        ("EqualScalar", r#"{"value": 0}"#, "str", "F F N F"),
        ("EqualScalar", r#"{"value": 0}"#, "f", "F F F T"),
        ("EqualScalar", r#"{"value": 0}"#, "i", "F F F T"),
        ("EqualScalar", r#"{"value": 0}"#, "I", "F F N T"),
        ("EqualScalar", r#"{"value": 0}"#, "b", "F T F T"),
        ("EqualScalar", r#"{"value": 0}"#, "B", "F T N T"),
        ("EqualScalar", r#"{"value": 0}"#, "dt", "F F F F"),
        ("EqualScalar", r#"{"value": -1}"#, "cat", "F F F F"),
        ("EqualScalar", r#"{"value": -1}"#, "catint", "F F F F"),
        ("EqualScalar", r#"{"value": -1}"#, "str", "F F N F"),
        ("EqualScalar", r#"{"value": -1}"#, "f", "F F F F"),
        ("EqualScalar", r#"{"value": -1}"#, "i", "F F F F"),
        ("EqualScalar", r#"{"value": -1}"#, "I", "F F N F"),
        ("EqualScalar", r#"{"value": -1}"#, "b", "F F F F"),
        ("EqualScalar", r#"{"value": -1}"#, "B", "F F N F"),
        ("EqualScalar", r#"{"value": -1}"#, "dt", "F F F F"),
        ("NotEqualScalar", r#"{}"#, "cat", "T T T T"),
        ("NotEqualScalar", r#"{}"#, "catint", "T T T T"),
        ("NotEqualScalar", r#"{}"#, "str", "N N N N"),
        ("NotEqualScalar", r#"{}"#, "f", "T T T T"),
        ("NotEqualScalar", r#"{}"#, "i", "T T T T"),
        ("NotEqualScalar", r#"{}"#, "I", "T T N T"),
        ("NotEqualScalar", r#"{}"#, "b", "T T T T"),
        ("NotEqualScalar", r#"{}"#, "B", "T T N T"),
        ("NotEqualScalar", r#"{}"#, "dt", "T T T T"),
        ("NotEqualScalar", r#"{"value": null}"#, "cat", "T T T T"),
        ("NotEqualScalar", r#"{"value": null}"#, "catint", "T T T T"),
        ("NotEqualScalar", r#"{"value": null}"#, "str", "N N N N"),
        ("NotEqualScalar", r#"{"value": null}"#, "f", "T T T T"),
        ("NotEqualScalar", r#"{"value": null}"#, "i", "T T T T"),
        ("NotEqualScalar", r#"{"value": null}"#, "I", "T T N T"),
        ("NotEqualScalar", r#"{"value": null}"#, "b", "T T T T"),
        ("NotEqualScalar", r#"{"value": null}"#, "B", "T T N T"),
        ("NotEqualScalar", r#"{"value": null}"#, "dt", "T T T T"),
        ("NotEqualScalar", r#"{"value": 1}"#, "cat", "T T T T"),
        ("NotEqualScalar", r#"{"value": 1}"#, "catint", "F T T T"),
        ("NotEqualScalar", r#"{"value": 1}"#, "str", "T T N T"),
        ("NotEqualScalar", r#"{"value": 1}"#, "f", "F T T T"),
        ("NotEqualScalar", r#"{"value": 1}"#, "i", "F T T T"),
        ("NotEqualScalar", r#"{"value": 1}"#, "I", "F T N T"),
        ("NotEqualScalar", r#"{"value": 1}"#, "b", "F T F T"),
        ("NotEqualScalar", r#"{"value": 1}"#, "B", "F T N T"),
        ("NotEqualScalar", r#"{"value": 1}"#, "dt", "T T T T"),
        ("NotEqualScalar", r#"{"value": 2.5}"#, "cat", "T T T T"),
        ("NotEqualScalar", r#"{"value": 2.5}"#, "catint", "T T T T"),
        ("NotEqualScalar", r#"{"value": 2.5}"#, "str", "T T N T"),
        ("NotEqualScalar", r#"{"value": 2.5}"#, "f", "T F T T"),
        ("NotEqualScalar", r#"{"value": 2.5}"#, "i", "T T T T"),
        ("NotEqualScalar", r#"{"value": 2.5}"#, "I", "T T N T"),
        ("NotEqualScalar", r#"{"value": 2.5}"#, "b", "T T T T"),
        ("NotEqualScalar", r#"{"value": 2.5}"#, "B", "T T N T"),
        ("NotEqualScalar", r#"{"value": 2.5}"#, "dt", "T T T T"),
        ("NotEqualScalar", r#"{"value": true}"#, "cat", "T T T T"),
        ("NotEqualScalar", r#"{"value": true}"#, "catint", "T T T T"),
        ("NotEqualScalar", r#"{"value": true}"#, "str", "T T N T"),
        ("NotEqualScalar", r#"{"value": true}"#, "f", "F T T T"),
        ("NotEqualScalar", r#"{"value": true}"#, "i", "F T T T"),
        ("NotEqualScalar", r#"{"value": true}"#, "I", "F T N T"),
        ("NotEqualScalar", r#"{"value": true}"#, "b", "F T F T"),
        ("NotEqualScalar", r#"{"value": true}"#, "B", "F T N T"),
        ("NotEqualScalar", r#"{"value": true}"#, "dt", "T T T T"),
        ("NotEqualScalar", r#"{"value": false}"#, "cat", "T T T T"),
        ("NotEqualScalar", r#"{"value": false}"#, "catint", "T T T T"),
        ("NotEqualScalar", r#"{"value": false}"#, "str", "T T N T"),
        ("NotEqualScalar", r#"{"value": false}"#, "f", "T T T F"),
        ("NotEqualScalar", r#"{"value": false}"#, "i", "T T T F"),
        ("NotEqualScalar", r#"{"value": false}"#, "I", "T T N F"),
        ("NotEqualScalar", r#"{"value": false}"#, "b", "T F T F"),
        ("NotEqualScalar", r#"{"value": false}"#, "B", "T F N F"),
        ("NotEqualScalar", r#"{"value": false}"#, "dt", "T T T T"),
        ("NotEqualScalar", r#"{"value": "a"}"#, "cat", "F T T T"),
        ("NotEqualScalar", r#"{"value": "a"}"#, "catint", "T T T T"),
        ("NotEqualScalar", r#"{"value": "a"}"#, "str", "F T N T"),
        ("NotEqualScalar", r#"{"value": "a"}"#, "f", "T T T T"),
        ("NotEqualScalar", r#"{"value": "a"}"#, "i", "T T T T"),
        ("NotEqualScalar", r#"{"value": "a"}"#, "I", "T T N T"),
        ("NotEqualScalar", r#"{"value": "a"}"#, "b", "T T T T"),
        ("NotEqualScalar", r#"{"value": "a"}"#, "B", "T T N T"),
        ("NotEqualScalar", r#"{"value": "a"}"#, "dt", "T T T T"),
        ("NotEqualScalar", r#"{"value": "1"}"#, "cat", "T T T T"),
        ("NotEqualScalar", r#"{"value": "1"}"#, "str", "T F N T"),
        ("NotEqualScalar", r#"{"value": "1"}"#, "f", "T T T T"),
        ("NotEqualScalar", r#"{"value": "1"}"#, "i", "T T T T"),
        ("NotEqualScalar", r#"{"value": "1"}"#, "I", "T T N T"),
        ("NotEqualScalar", r#"{"value": "1"}"#, "b", "T T T T"),
        ("NotEqualScalar", r#"{"value": "1"}"#, "B", "T T N T"),
        ("NotEqualScalar", r#"{"value": "True"}"#, "cat", "T T T F"),
        (
            "NotEqualScalar",
            r#"{"value": "True"}"#,
            "catint",
            "T T T T",
        ),
        ("NotEqualScalar", r#"{"value": "True"}"#, "str", "T T N F"),
        ("NotEqualScalar", r#"{"value": "True"}"#, "f", "T T T T"),
        ("NotEqualScalar", r#"{"value": "True"}"#, "i", "T T T T"),
        ("NotEqualScalar", r#"{"value": "True"}"#, "I", "T T N T"),
        ("NotEqualScalar", r#"{"value": "True"}"#, "b", "T T T T"),
        ("NotEqualScalar", r#"{"value": "True"}"#, "B", "T T N T"),
        ("NotEqualScalar", r#"{"value": "True"}"#, "dt", "T T T T"),
        (
            "NotEqualScalar",
            r#"{"value": "2020-01-01"}"#,
            "cat",
            "T T T T",
        ),
        (
            "NotEqualScalar",
            r#"{"value": "2020-01-01"}"#,
            "catint",
            "T T T T",
        ),
        (
            "NotEqualScalar",
            r#"{"value": "2020-01-01"}"#,
            "str",
            "T T N T",
        ),
        (
            "NotEqualScalar",
            r#"{"value": "2020-01-01"}"#,
            "f",
            "T T T T",
        ),
        (
            "NotEqualScalar",
            r#"{"value": "2020-01-01"}"#,
            "i",
            "T T T T",
        ),
        (
            "NotEqualScalar",
            r#"{"value": "2020-01-01"}"#,
            "I",
            "T T N T",
        ),
        (
            "NotEqualScalar",
            r#"{"value": "2020-01-01"}"#,
            "b",
            "T T T T",
        ),
        (
            "NotEqualScalar",
            r#"{"value": "2020-01-01"}"#,
            "B",
            "T T N T",
        ),
        (
            "NotEqualScalar",
            r#"{"value": "2020-01-01"}"#,
            "dt",
            "F T T T",
        ),
        (
            "NotEqualScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "cat",
            "T T T T",
        ),
        (
            "NotEqualScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "catint",
            "T T T T",
        ),
        (
            "NotEqualScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "str",
            "T T N T",
        ),
        (
            "NotEqualScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "f",
            "T T T T",
        ),
        (
            "NotEqualScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "i",
            "T T T T",
        ),
        (
            "NotEqualScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "I",
            "T T N T",
        ),
        (
            "NotEqualScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "b",
            "T T T T",
        ),
        (
            "NotEqualScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "B",
            "T T N T",
        ),
        (
            "NotEqualScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "dt",
            "T T T T",
        ),
        ("NotEqualScalar", r#"{"value": 0}"#, "cat", "T T T T"),
        ("NotEqualScalar", r#"{"value": 0}"#, "catint", "T T T T"),
        ("NotEqualScalar", r#"{"value": 0}"#, "str", "T T N T"),
        ("NotEqualScalar", r#"{"value": 0}"#, "f", "T T T F"),
        ("NotEqualScalar", r#"{"value": 0}"#, "i", "T T T F"),
        ("NotEqualScalar", r#"{"value": 0}"#, "I", "T T N F"),
        ("NotEqualScalar", r#"{"value": 0}"#, "b", "T F T F"),
        ("NotEqualScalar", r#"{"value": 0}"#, "B", "T F N F"),
        ("NotEqualScalar", r#"{"value": 0}"#, "dt", "T T T T"),
        ("NotEqualScalar", r#"{"value": -1}"#, "cat", "T T T T"),
        ("NotEqualScalar", r#"{"value": -1}"#, "catint", "T T T T"),
        ("NotEqualScalar", r#"{"value": -1}"#, "str", "T T N T"),
        ("NotEqualScalar", r#"{"value": -1}"#, "f", "T T T T"),
        ("NotEqualScalar", r#"{"value": -1}"#, "i", "T T T T"),
        ("NotEqualScalar", r#"{"value": -1}"#, "I", "T T N T"),
        ("NotEqualScalar", r#"{"value": -1}"#, "b", "T T T T"),
        ("NotEqualScalar", r#"{"value": -1}"#, "B", "T T N T"),
        ("NotEqualScalar", r#"{"value": -1}"#, "dt", "T T T T"),
        ("GreaterThanScalar", r#"{}"#, "cat", "ERR"),
        ("GreaterThanScalar", r#"{}"#, "catint", "ERR"),
        ("GreaterThanScalar", r#"{}"#, "str", "ERR"),
        ("GreaterThanScalar", r#"{}"#, "f", "T T F F"),
        ("GreaterThanScalar", r#"{}"#, "i", "T T T F"),
        ("GreaterThanScalar", r#"{}"#, "I", "T T N F"),
        ("GreaterThanScalar", r#"{}"#, "b", "T F T F"),
        ("GreaterThanScalar", r#"{}"#, "B", "T F N F"),
        ("GreaterThanScalar", r#"{}"#, "dt", "ERR"),
        ("GreaterThanScalar", r#"{"value": 1}"#, "cat", "ERR"),
        ("GreaterThanScalar", r#"{"value": 1}"#, "catint", "ERR"),
        ("GreaterThanScalar", r#"{"value": 1}"#, "str", "ERR"),
        ("GreaterThanScalar", r#"{"value": 1}"#, "f", "F T F F"),
        ("GreaterThanScalar", r#"{"value": 1}"#, "i", "F T T F"),
        ("GreaterThanScalar", r#"{"value": 1}"#, "I", "F T N F"),
        ("GreaterThanScalar", r#"{"value": 1}"#, "b", "F F F F"),
        ("GreaterThanScalar", r#"{"value": 1}"#, "B", "F F N F"),
        ("GreaterThanScalar", r#"{"value": 1}"#, "dt", "ERR"),
        ("GreaterThanScalar", r#"{"value": 2.5}"#, "cat", "ERR"),
        ("GreaterThanScalar", r#"{"value": 2.5}"#, "catint", "ERR"),
        ("GreaterThanScalar", r#"{"value": 2.5}"#, "str", "ERR"),
        ("GreaterThanScalar", r#"{"value": 2.5}"#, "f", "F F F F"),
        ("GreaterThanScalar", r#"{"value": 2.5}"#, "i", "F F T F"),
        ("GreaterThanScalar", r#"{"value": 2.5}"#, "I", "F F N F"),
        ("GreaterThanScalar", r#"{"value": 2.5}"#, "b", "F F F F"),
        ("GreaterThanScalar", r#"{"value": 2.5}"#, "B", "F F N F"),
        ("GreaterThanScalar", r#"{"value": 2.5}"#, "dt", "ERR"),
        ("GreaterThanScalar", r#"{"value": true}"#, "cat", "ERR"),
        ("GreaterThanScalar", r#"{"value": true}"#, "catint", "ERR"),
        ("GreaterThanScalar", r#"{"value": true}"#, "str", "ERR"),
        ("GreaterThanScalar", r#"{"value": true}"#, "f", "F T F F"),
        ("GreaterThanScalar", r#"{"value": true}"#, "i", "F T T F"),
        ("GreaterThanScalar", r#"{"value": true}"#, "I", "F T N F"),
        ("GreaterThanScalar", r#"{"value": true}"#, "b", "F F F F"),
        ("GreaterThanScalar", r#"{"value": true}"#, "B", "F F N F"),
        ("GreaterThanScalar", r#"{"value": true}"#, "dt", "ERR"),
        ("GreaterThanScalar", r#"{"value": false}"#, "cat", "ERR"),
        ("GreaterThanScalar", r#"{"value": false}"#, "catint", "ERR"),
        ("GreaterThanScalar", r#"{"value": false}"#, "str", "ERR"),
        ("GreaterThanScalar", r#"{"value": false}"#, "f", "T T F F"),
        ("GreaterThanScalar", r#"{"value": false}"#, "i", "T T T F"),
        ("GreaterThanScalar", r#"{"value": false}"#, "I", "T T N F"),
        ("GreaterThanScalar", r#"{"value": false}"#, "b", "T F T F"),
        ("GreaterThanScalar", r#"{"value": false}"#, "B", "T F N F"),
        ("GreaterThanScalar", r#"{"value": false}"#, "dt", "ERR"),
        ("GreaterThanScalar", r#"{"value": "a"}"#, "cat", "ERR"),
        ("GreaterThanScalar", r#"{"value": "a"}"#, "catint", "ERR"),
        ("GreaterThanScalar", r#"{"value": "a"}"#, "str", "F F N F"),
        ("GreaterThanScalar", r#"{"value": "a"}"#, "f", "ERR"),
        ("GreaterThanScalar", r#"{"value": "a"}"#, "i", "ERR"),
        ("GreaterThanScalar", r#"{"value": "a"}"#, "I", "ERR"),
        ("GreaterThanScalar", r#"{"value": "a"}"#, "b", "ERR"),
        ("GreaterThanScalar", r#"{"value": "a"}"#, "B", "ERR"),
        ("GreaterThanScalar", r#"{"value": "a"}"#, "dt", "ERR"),
        ("GreaterThanScalar", r#"{"value": "1"}"#, "cat", "ERR"),
        ("GreaterThanScalar", r#"{"value": "1"}"#, "str", "T F N T"),
        ("GreaterThanScalar", r#"{"value": "1"}"#, "f", "ERR"),
        ("GreaterThanScalar", r#"{"value": "1"}"#, "i", "ERR"),
        ("GreaterThanScalar", r#"{"value": "1"}"#, "I", "ERR"),
        ("GreaterThanScalar", r#"{"value": "1"}"#, "b", "ERR"),
        ("GreaterThanScalar", r#"{"value": "1"}"#, "B", "ERR"),
        ("GreaterThanScalar", r#"{"value": "True"}"#, "cat", "ERR"),
        ("GreaterThanScalar", r#"{"value": "True"}"#, "catint", "ERR"),
        (
            "GreaterThanScalar",
            r#"{"value": "True"}"#,
            "str",
            "T F N F",
        ),
        ("GreaterThanScalar", r#"{"value": "True"}"#, "f", "ERR"),
        ("GreaterThanScalar", r#"{"value": "True"}"#, "i", "ERR"),
        ("GreaterThanScalar", r#"{"value": "True"}"#, "I", "ERR"),
        ("GreaterThanScalar", r#"{"value": "True"}"#, "b", "ERR"),
        ("GreaterThanScalar", r#"{"value": "True"}"#, "B", "ERR"),
        ("GreaterThanScalar", r#"{"value": "True"}"#, "dt", "ERR"),
        (
            "GreaterThanScalar",
            r#"{"value": "2020-01-01"}"#,
            "cat",
            "ERR",
        ),
        (
            "GreaterThanScalar",
            r#"{"value": "2020-01-01"}"#,
            "catint",
            "ERR",
        ),
        (
            "GreaterThanScalar",
            r#"{"value": "2020-01-01"}"#,
            "str",
            "T F N T",
        ),
        (
            "GreaterThanScalar",
            r#"{"value": "2020-01-01"}"#,
            "f",
            "ERR",
        ),
        (
            "GreaterThanScalar",
            r#"{"value": "2020-01-01"}"#,
            "i",
            "ERR",
        ),
        (
            "GreaterThanScalar",
            r#"{"value": "2020-01-01"}"#,
            "I",
            "ERR",
        ),
        (
            "GreaterThanScalar",
            r#"{"value": "2020-01-01"}"#,
            "b",
            "ERR",
        ),
        (
            "GreaterThanScalar",
            r#"{"value": "2020-01-01"}"#,
            "B",
            "ERR",
        ),
        (
            "GreaterThanScalar",
            r#"{"value": "2020-01-01"}"#,
            "dt",
            "F T F T",
        ),
        (
            "GreaterThanScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "cat",
            "ERR",
        ),
        (
            "GreaterThanScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "catint",
            "ERR",
        ),
        (
            "GreaterThanScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "str",
            "T F N T",
        ),
        (
            "GreaterThanScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "f",
            "ERR",
        ),
        (
            "GreaterThanScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "i",
            "ERR",
        ),
        (
            "GreaterThanScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "I",
            "ERR",
        ),
        (
            "GreaterThanScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "b",
            "ERR",
        ),
        (
            "GreaterThanScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "B",
            "ERR",
        ),
        (
            "GreaterThanScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "dt",
            "F T F T",
        ),
        ("GreaterThanScalar", r#"{"value": 0}"#, "cat", "ERR"),
        ("GreaterThanScalar", r#"{"value": 0}"#, "catint", "ERR"),
        ("GreaterThanScalar", r#"{"value": 0}"#, "str", "ERR"),
        ("GreaterThanScalar", r#"{"value": 0}"#, "f", "T T F F"),
        ("GreaterThanScalar", r#"{"value": 0}"#, "i", "T T T F"),
        ("GreaterThanScalar", r#"{"value": 0}"#, "I", "T T N F"),
        ("GreaterThanScalar", r#"{"value": 0}"#, "b", "T F T F"),
        ("GreaterThanScalar", r#"{"value": 0}"#, "B", "T F N F"),
        ("GreaterThanScalar", r#"{"value": 0}"#, "dt", "ERR"),
        ("GreaterThanScalar", r#"{"value": -1}"#, "cat", "ERR"),
        ("GreaterThanScalar", r#"{"value": -1}"#, "catint", "ERR"),
        ("GreaterThanScalar", r#"{"value": -1}"#, "str", "ERR"),
        ("GreaterThanScalar", r#"{"value": -1}"#, "f", "T T F T"),
        ("GreaterThanScalar", r#"{"value": -1}"#, "i", "T T T T"),
        ("GreaterThanScalar", r#"{"value": -1}"#, "I", "T T N T"),
        ("GreaterThanScalar", r#"{"value": -1}"#, "b", "T T T T"),
        ("GreaterThanScalar", r#"{"value": -1}"#, "B", "T T N T"),
        ("GreaterThanScalar", r#"{"value": -1}"#, "dt", "ERR"),
        ("GreaterThanEqualToScalar", r#"{}"#, "cat", "ERR"),
        ("GreaterThanEqualToScalar", r#"{}"#, "catint", "ERR"),
        ("GreaterThanEqualToScalar", r#"{}"#, "str", "ERR"),
        ("GreaterThanEqualToScalar", r#"{}"#, "f", "T T F T"),
        ("GreaterThanEqualToScalar", r#"{}"#, "i", "T T T T"),
        ("GreaterThanEqualToScalar", r#"{}"#, "I", "T T N T"),
        ("GreaterThanEqualToScalar", r#"{}"#, "b", "T T T T"),
        ("GreaterThanEqualToScalar", r#"{}"#, "B", "T T N T"),
        ("GreaterThanEqualToScalar", r#"{}"#, "dt", "ERR"),
        ("GreaterThanEqualToScalar", r#"{"value": 1}"#, "cat", "ERR"),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": 1}"#,
            "catint",
            "ERR",
        ),
        ("GreaterThanEqualToScalar", r#"{"value": 1}"#, "str", "ERR"),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": 1}"#,
            "f",
            "T T F F",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": 1}"#,
            "i",
            "T T T F",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": 1}"#,
            "I",
            "T T N F",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": 1}"#,
            "b",
            "T F T F",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": 1}"#,
            "B",
            "T F N F",
        ),
        ("GreaterThanEqualToScalar", r#"{"value": 1}"#, "dt", "ERR"),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": 2.5}"#,
            "cat",
            "ERR",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": 2.5}"#,
            "catint",
            "ERR",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": 2.5}"#,
            "str",
            "ERR",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": 2.5}"#,
            "f",
            "F T F F",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": 2.5}"#,
            "i",
            "F F T F",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": 2.5}"#,
            "I",
            "F F N F",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": 2.5}"#,
            "b",
            "F F F F",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": 2.5}"#,
            "B",
            "F F N F",
        ),
        ("GreaterThanEqualToScalar", r#"{"value": 2.5}"#, "dt", "ERR"),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": true}"#,
            "cat",
            "ERR",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": true}"#,
            "catint",
            "ERR",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": true}"#,
            "str",
            "ERR",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": true}"#,
            "f",
            "T T F F",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": true}"#,
            "i",
            "T T T F",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": true}"#,
            "I",
            "T T N F",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": true}"#,
            "b",
            "T F T F",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": true}"#,
            "B",
            "T F N F",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": true}"#,
            "dt",
            "ERR",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": false}"#,
            "cat",
            "ERR",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": false}"#,
            "catint",
            "ERR",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": false}"#,
            "str",
            "ERR",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": false}"#,
            "f",
            "T T F T",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": false}"#,
            "i",
            "T T T T",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": false}"#,
            "I",
            "T T N T",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": false}"#,
            "b",
            "T T T T",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": false}"#,
            "B",
            "T T N T",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": false}"#,
            "dt",
            "ERR",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": "a"}"#,
            "cat",
            "ERR",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": "a"}"#,
            "catint",
            "ERR",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": "a"}"#,
            "str",
            "T F N F",
        ),
        ("GreaterThanEqualToScalar", r#"{"value": "a"}"#, "f", "ERR"),
        ("GreaterThanEqualToScalar", r#"{"value": "a"}"#, "i", "ERR"),
        ("GreaterThanEqualToScalar", r#"{"value": "a"}"#, "I", "ERR"),
        ("GreaterThanEqualToScalar", r#"{"value": "a"}"#, "b", "ERR"),
        ("GreaterThanEqualToScalar", r#"{"value": "a"}"#, "B", "ERR"),
        ("GreaterThanEqualToScalar", r#"{"value": "a"}"#, "dt", "ERR"),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": "1"}"#,
            "cat",
            "ERR",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": "1"}"#,
            "catint",
            "ERR",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": "1"}"#,
            "str",
            "T T N T",
        ),
        ("GreaterThanEqualToScalar", r#"{"value": "1"}"#, "f", "ERR"),
        ("GreaterThanEqualToScalar", r#"{"value": "1"}"#, "i", "ERR"),
        ("GreaterThanEqualToScalar", r#"{"value": "1"}"#, "I", "ERR"),
        ("GreaterThanEqualToScalar", r#"{"value": "1"}"#, "b", "ERR"),
        ("GreaterThanEqualToScalar", r#"{"value": "1"}"#, "B", "ERR"),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": "True"}"#,
            "cat",
            "ERR",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": "True"}"#,
            "catint",
            "ERR",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": "True"}"#,
            "str",
            "T F N T",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": "True"}"#,
            "f",
            "ERR",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": "True"}"#,
            "i",
            "ERR",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": "True"}"#,
            "I",
            "ERR",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": "True"}"#,
            "b",
            "ERR",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": "True"}"#,
            "B",
            "ERR",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": "True"}"#,
            "dt",
            "ERR",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": "2020-01-01"}"#,
            "cat",
            "ERR",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": "2020-01-01"}"#,
            "catint",
            "ERR",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": "2020-01-01"}"#,
            "str",
            "T F N T",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": "2020-01-01"}"#,
            "f",
            "ERR",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": "2020-01-01"}"#,
            "i",
            "ERR",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": "2020-01-01"}"#,
            "I",
            "ERR",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": "2020-01-01"}"#,
            "b",
            "ERR",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": "2020-01-01"}"#,
            "B",
            "ERR",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": "2020-01-01"}"#,
            "dt",
            "T T F T",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "cat",
            "ERR",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "catint",
            "ERR",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "str",
            "T F N T",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "f",
            "ERR",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "i",
            "ERR",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "I",
            "ERR",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "b",
            "ERR",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "B",
            "ERR",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "dt",
            "F T F T",
        ),
        ("GreaterThanEqualToScalar", r#"{"value": 0}"#, "cat", "ERR"),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": 0}"#,
            "catint",
            "ERR",
        ),
        ("GreaterThanEqualToScalar", r#"{"value": 0}"#, "str", "ERR"),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": 0}"#,
            "f",
            "T T F T",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": 0}"#,
            "i",
            "T T T T",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": 0}"#,
            "I",
            "T T N T",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": 0}"#,
            "b",
            "T T T T",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": 0}"#,
            "B",
            "T T N T",
        ),
        ("GreaterThanEqualToScalar", r#"{"value": 0}"#, "dt", "ERR"),
        ("GreaterThanEqualToScalar", r#"{"value": -1}"#, "cat", "ERR"),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": -1}"#,
            "catint",
            "ERR",
        ),
        ("GreaterThanEqualToScalar", r#"{"value": -1}"#, "str", "ERR"),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": -1}"#,
            "f",
            "T T F T",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": -1}"#,
            "i",
            "T T T T",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": -1}"#,
            "I",
            "T T N T",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": -1}"#,
            "b",
            "T T T T",
        ),
        (
            "GreaterThanEqualToScalar",
            r#"{"value": -1}"#,
            "B",
            "T T N T",
        ),
        ("GreaterThanEqualToScalar", r#"{"value": -1}"#, "dt", "ERR"),
        ("LessThanScalar", r#"{}"#, "cat", "ERR"),
        ("LessThanScalar", r#"{}"#, "catint", "ERR"),
        ("LessThanScalar", r#"{}"#, "str", "ERR"),
        ("LessThanScalar", r#"{}"#, "f", "F F F F"),
        ("LessThanScalar", r#"{}"#, "i", "F F F F"),
        ("LessThanScalar", r#"{}"#, "I", "F F N F"),
        ("LessThanScalar", r#"{}"#, "b", "F F F F"),
        ("LessThanScalar", r#"{}"#, "B", "F F N F"),
        ("LessThanScalar", r#"{}"#, "dt", "ERR"),
        ("LessThanScalar", r#"{"value": 1}"#, "cat", "ERR"),
        ("LessThanScalar", r#"{"value": 1}"#, "catint", "ERR"),
        ("LessThanScalar", r#"{"value": 1}"#, "str", "ERR"),
        ("LessThanScalar", r#"{"value": 1}"#, "f", "F F F T"),
        ("LessThanScalar", r#"{"value": 1}"#, "i", "F F F T"),
        ("LessThanScalar", r#"{"value": 1}"#, "I", "F F N T"),
        ("LessThanScalar", r#"{"value": 1}"#, "b", "F T F T"),
        ("LessThanScalar", r#"{"value": 1}"#, "B", "F T N T"),
        ("LessThanScalar", r#"{"value": 1}"#, "dt", "ERR"),
        ("LessThanScalar", r#"{"value": 2.5}"#, "cat", "ERR"),
        ("LessThanScalar", r#"{"value": 2.5}"#, "catint", "ERR"),
        ("LessThanScalar", r#"{"value": 2.5}"#, "str", "ERR"),
        ("LessThanScalar", r#"{"value": 2.5}"#, "f", "T F F T"),
        ("LessThanScalar", r#"{"value": 2.5}"#, "i", "T T F T"),
        ("LessThanScalar", r#"{"value": 2.5}"#, "I", "T T N T"),
        ("LessThanScalar", r#"{"value": 2.5}"#, "b", "T T T T"),
        ("LessThanScalar", r#"{"value": 2.5}"#, "B", "T T N T"),
        ("LessThanScalar", r#"{"value": 2.5}"#, "dt", "ERR"),
        ("LessThanScalar", r#"{"value": true}"#, "cat", "ERR"),
        ("LessThanScalar", r#"{"value": true}"#, "catint", "ERR"),
        ("LessThanScalar", r#"{"value": true}"#, "str", "ERR"),
        ("LessThanScalar", r#"{"value": true}"#, "f", "F F F T"),
        ("LessThanScalar", r#"{"value": true}"#, "i", "F F F T"),
        ("LessThanScalar", r#"{"value": true}"#, "I", "F F N T"),
        ("LessThanScalar", r#"{"value": true}"#, "b", "F T F T"),
        ("LessThanScalar", r#"{"value": true}"#, "B", "F T N T"),
        ("LessThanScalar", r#"{"value": true}"#, "dt", "ERR"),
        ("LessThanScalar", r#"{"value": false}"#, "cat", "ERR"),
        ("LessThanScalar", r#"{"value": false}"#, "catint", "ERR"),
        ("LessThanScalar", r#"{"value": false}"#, "str", "ERR"),
        ("LessThanScalar", r#"{"value": false}"#, "f", "F F F F"),
        ("LessThanScalar", r#"{"value": false}"#, "i", "F F F F"),
        ("LessThanScalar", r#"{"value": false}"#, "I", "F F N F"),
        ("LessThanScalar", r#"{"value": false}"#, "b", "F F F F"),
        ("LessThanScalar", r#"{"value": false}"#, "B", "F F N F"),
        ("LessThanScalar", r#"{"value": false}"#, "dt", "ERR"),
        ("LessThanScalar", r#"{"value": "a"}"#, "cat", "ERR"),
        ("LessThanScalar", r#"{"value": "a"}"#, "catint", "ERR"),
        ("LessThanScalar", r#"{"value": "a"}"#, "str", "F T N T"),
        ("LessThanScalar", r#"{"value": "a"}"#, "f", "ERR"),
        ("LessThanScalar", r#"{"value": "a"}"#, "i", "ERR"),
        ("LessThanScalar", r#"{"value": "a"}"#, "I", "ERR"),
        ("LessThanScalar", r#"{"value": "a"}"#, "b", "ERR"),
        ("LessThanScalar", r#"{"value": "a"}"#, "B", "ERR"),
        ("LessThanScalar", r#"{"value": "a"}"#, "dt", "ERR"),
        ("LessThanScalar", r#"{"value": "1"}"#, "cat", "ERR"),
        ("LessThanScalar", r#"{"value": "1"}"#, "str", "F F N F"),
        ("LessThanScalar", r#"{"value": "1"}"#, "f", "ERR"),
        ("LessThanScalar", r#"{"value": "1"}"#, "i", "ERR"),
        ("LessThanScalar", r#"{"value": "1"}"#, "I", "ERR"),
        ("LessThanScalar", r#"{"value": "1"}"#, "b", "ERR"),
        ("LessThanScalar", r#"{"value": "1"}"#, "B", "ERR"),
        ("LessThanScalar", r#"{"value": "True"}"#, "cat", "ERR"),
        ("LessThanScalar", r#"{"value": "True"}"#, "catint", "ERR"),
        ("LessThanScalar", r#"{"value": "True"}"#, "str", "F T N F"),
        ("LessThanScalar", r#"{"value": "True"}"#, "f", "ERR"),
        ("LessThanScalar", r#"{"value": "True"}"#, "i", "ERR"),
        ("LessThanScalar", r#"{"value": "True"}"#, "I", "ERR"),
        ("LessThanScalar", r#"{"value": "True"}"#, "b", "ERR"),
        ("LessThanScalar", r#"{"value": "True"}"#, "B", "ERR"),
        ("LessThanScalar", r#"{"value": "True"}"#, "dt", "ERR"),
        ("LessThanScalar", r#"{"value": "2020-01-01"}"#, "cat", "ERR"),
        (
            "LessThanScalar",
            r#"{"value": "2020-01-01"}"#,
            "catint",
            "ERR",
        ),
        (
            "LessThanScalar",
            r#"{"value": "2020-01-01"}"#,
            "str",
            "F T N F",
        ),
        ("LessThanScalar", r#"{"value": "2020-01-01"}"#, "f", "ERR"),
        ("LessThanScalar", r#"{"value": "2020-01-01"}"#, "i", "ERR"),
        ("LessThanScalar", r#"{"value": "2020-01-01"}"#, "I", "ERR"),
        ("LessThanScalar", r#"{"value": "2020-01-01"}"#, "b", "ERR"),
        ("LessThanScalar", r#"{"value": "2020-01-01"}"#, "B", "ERR"),
        (
            "LessThanScalar",
            r#"{"value": "2020-01-01"}"#,
            "dt",
            "F F F F",
        ),
        (
            "LessThanScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "cat",
            "ERR",
        ),
        (
            "LessThanScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "catint",
            "ERR",
        ),
        (
            "LessThanScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "str",
            "F T N F",
        ),
        (
            "LessThanScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "f",
            "ERR",
        ),
        (
            "LessThanScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "i",
            "ERR",
        ),
        (
            "LessThanScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "I",
            "ERR",
        ),
        (
            "LessThanScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "b",
            "ERR",
        ),
        (
            "LessThanScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "B",
            "ERR",
        ),
        (
            "LessThanScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "dt",
            "T F F F",
        ),
        ("LessThanScalar", r#"{"value": 0}"#, "cat", "ERR"),
        ("LessThanScalar", r#"{"value": 0}"#, "catint", "ERR"),
        ("LessThanScalar", r#"{"value": 0}"#, "str", "ERR"),
        ("LessThanScalar", r#"{"value": 0}"#, "f", "F F F F"),
        ("LessThanScalar", r#"{"value": 0}"#, "i", "F F F F"),
        ("LessThanScalar", r#"{"value": 0}"#, "I", "F F N F"),
        ("LessThanScalar", r#"{"value": 0}"#, "b", "F F F F"),
        ("LessThanScalar", r#"{"value": 0}"#, "B", "F F N F"),
        ("LessThanScalar", r#"{"value": 0}"#, "dt", "ERR"),
        ("LessThanScalar", r#"{"value": -1}"#, "cat", "ERR"),
        ("LessThanScalar", r#"{"value": -1}"#, "catint", "ERR"),
        ("LessThanScalar", r#"{"value": -1}"#, "str", "ERR"),
        ("LessThanScalar", r#"{"value": -1}"#, "f", "F F F F"),
        ("LessThanScalar", r#"{"value": -1}"#, "i", "F F F F"),
        ("LessThanScalar", r#"{"value": -1}"#, "I", "F F N F"),
        ("LessThanScalar", r#"{"value": -1}"#, "b", "F F F F"),
        ("LessThanScalar", r#"{"value": -1}"#, "B", "F F N F"),
        ("LessThanScalar", r#"{"value": -1}"#, "dt", "ERR"),
        ("LessThanEqualToScalar", r#"{}"#, "cat", "ERR"),
        ("LessThanEqualToScalar", r#"{}"#, "catint", "ERR"),
        ("LessThanEqualToScalar", r#"{}"#, "str", "ERR"),
        ("LessThanEqualToScalar", r#"{}"#, "f", "F F F T"),
        ("LessThanEqualToScalar", r#"{}"#, "i", "F F F T"),
        ("LessThanEqualToScalar", r#"{}"#, "I", "F F N T"),
        ("LessThanEqualToScalar", r#"{}"#, "b", "F T F T"),
        ("LessThanEqualToScalar", r#"{}"#, "B", "F T N T"),
        ("LessThanEqualToScalar", r#"{}"#, "dt", "ERR"),
        ("LessThanEqualToScalar", r#"{"value": 1}"#, "cat", "ERR"),
        ("LessThanEqualToScalar", r#"{"value": 1}"#, "catint", "ERR"),
        ("LessThanEqualToScalar", r#"{"value": 1}"#, "str", "ERR"),
        ("LessThanEqualToScalar", r#"{"value": 1}"#, "f", "T F F T"),
        ("LessThanEqualToScalar", r#"{"value": 1}"#, "i", "T F F T"),
        ("LessThanEqualToScalar", r#"{"value": 1}"#, "I", "T F N T"),
        ("LessThanEqualToScalar", r#"{"value": 1}"#, "b", "T T T T"),
        ("LessThanEqualToScalar", r#"{"value": 1}"#, "B", "T T N T"),
        ("LessThanEqualToScalar", r#"{"value": 1}"#, "dt", "ERR"),
        ("LessThanEqualToScalar", r#"{"value": 2.5}"#, "cat", "ERR"),
        (
            "LessThanEqualToScalar",
            r#"{"value": 2.5}"#,
            "catint",
            "ERR",
        ),
        ("LessThanEqualToScalar", r#"{"value": 2.5}"#, "str", "ERR"),
        ("LessThanEqualToScalar", r#"{"value": 2.5}"#, "f", "T T F T"),
        ("LessThanEqualToScalar", r#"{"value": 2.5}"#, "i", "T T F T"),
        ("LessThanEqualToScalar", r#"{"value": 2.5}"#, "I", "T T N T"),
        ("LessThanEqualToScalar", r#"{"value": 2.5}"#, "b", "T T T T"),
        ("LessThanEqualToScalar", r#"{"value": 2.5}"#, "B", "T T N T"),
        ("LessThanEqualToScalar", r#"{"value": 2.5}"#, "dt", "ERR"),
        ("LessThanEqualToScalar", r#"{"value": true}"#, "cat", "ERR"),
        (
            "LessThanEqualToScalar",
            r#"{"value": true}"#,
            "catint",
            "ERR",
        ),
        ("LessThanEqualToScalar", r#"{"value": true}"#, "str", "ERR"),
        (
            "LessThanEqualToScalar",
            r#"{"value": true}"#,
            "f",
            "T F F T",
        ),
        (
            "LessThanEqualToScalar",
            r#"{"value": true}"#,
            "i",
            "T F F T",
        ),
        (
            "LessThanEqualToScalar",
            r#"{"value": true}"#,
            "I",
            "T F N T",
        ),
        (
            "LessThanEqualToScalar",
            r#"{"value": true}"#,
            "b",
            "T T T T",
        ),
        (
            "LessThanEqualToScalar",
            r#"{"value": true}"#,
            "B",
            "T T N T",
        ),
        ("LessThanEqualToScalar", r#"{"value": true}"#, "dt", "ERR"),
        ("LessThanEqualToScalar", r#"{"value": false}"#, "cat", "ERR"),
        (
            "LessThanEqualToScalar",
            r#"{"value": false}"#,
            "catint",
            "ERR",
        ),
        ("LessThanEqualToScalar", r#"{"value": false}"#, "str", "ERR"),
        (
            "LessThanEqualToScalar",
            r#"{"value": false}"#,
            "f",
            "F F F T",
        ),
        (
            "LessThanEqualToScalar",
            r#"{"value": false}"#,
            "i",
            "F F F T",
        ),
        (
            "LessThanEqualToScalar",
            r#"{"value": false}"#,
            "I",
            "F F N T",
        ),
        (
            "LessThanEqualToScalar",
            r#"{"value": false}"#,
            "b",
            "F T F T",
        ),
        (
            "LessThanEqualToScalar",
            r#"{"value": false}"#,
            "B",
            "F T N T",
        ),
        ("LessThanEqualToScalar", r#"{"value": false}"#, "dt", "ERR"),
        ("LessThanEqualToScalar", r#"{"value": "a"}"#, "cat", "ERR"),
        (
            "LessThanEqualToScalar",
            r#"{"value": "a"}"#,
            "catint",
            "ERR",
        ),
        (
            "LessThanEqualToScalar",
            r#"{"value": "a"}"#,
            "str",
            "T T N T",
        ),
        ("LessThanEqualToScalar", r#"{"value": "a"}"#, "f", "ERR"),
        ("LessThanEqualToScalar", r#"{"value": "a"}"#, "i", "ERR"),
        ("LessThanEqualToScalar", r#"{"value": "a"}"#, "I", "ERR"),
        ("LessThanEqualToScalar", r#"{"value": "a"}"#, "b", "ERR"),
        ("LessThanEqualToScalar", r#"{"value": "a"}"#, "B", "ERR"),
        ("LessThanEqualToScalar", r#"{"value": "a"}"#, "dt", "ERR"),
        ("LessThanEqualToScalar", r#"{"value": "1"}"#, "cat", "ERR"),
        (
            "LessThanEqualToScalar",
            r#"{"value": "1"}"#,
            "catint",
            "ERR",
        ),
        (
            "LessThanEqualToScalar",
            r#"{"value": "1"}"#,
            "str",
            "F T N F",
        ),
        ("LessThanEqualToScalar", r#"{"value": "1"}"#, "f", "ERR"),
        ("LessThanEqualToScalar", r#"{"value": "1"}"#, "i", "ERR"),
        ("LessThanEqualToScalar", r#"{"value": "1"}"#, "I", "ERR"),
        ("LessThanEqualToScalar", r#"{"value": "1"}"#, "b", "ERR"),
        ("LessThanEqualToScalar", r#"{"value": "1"}"#, "B", "ERR"),
        (
            "LessThanEqualToScalar",
            r#"{"value": "True"}"#,
            "cat",
            "ERR",
        ),
        (
            "LessThanEqualToScalar",
            r#"{"value": "True"}"#,
            "catint",
            "ERR",
        ),
        (
            "LessThanEqualToScalar",
            r#"{"value": "True"}"#,
            "str",
            "F T N T",
        ),
        ("LessThanEqualToScalar", r#"{"value": "True"}"#, "f", "ERR"),
        ("LessThanEqualToScalar", r#"{"value": "True"}"#, "i", "ERR"),
        ("LessThanEqualToScalar", r#"{"value": "True"}"#, "I", "ERR"),
        ("LessThanEqualToScalar", r#"{"value": "True"}"#, "b", "ERR"),
        ("LessThanEqualToScalar", r#"{"value": "True"}"#, "B", "ERR"),
        ("LessThanEqualToScalar", r#"{"value": "True"}"#, "dt", "ERR"),
        (
            "LessThanEqualToScalar",
            r#"{"value": "2020-01-01"}"#,
            "cat",
            "ERR",
        ),
        (
            "LessThanEqualToScalar",
            r#"{"value": "2020-01-01"}"#,
            "catint",
            "ERR",
        ),
        (
            "LessThanEqualToScalar",
            r#"{"value": "2020-01-01"}"#,
            "str",
            "F T N F",
        ),
        (
            "LessThanEqualToScalar",
            r#"{"value": "2020-01-01"}"#,
            "f",
            "ERR",
        ),
        (
            "LessThanEqualToScalar",
            r#"{"value": "2020-01-01"}"#,
            "i",
            "ERR",
        ),
        (
            "LessThanEqualToScalar",
            r#"{"value": "2020-01-01"}"#,
            "I",
            "ERR",
        ),
        (
            "LessThanEqualToScalar",
            r#"{"value": "2020-01-01"}"#,
            "b",
            "ERR",
        ),
        (
            "LessThanEqualToScalar",
            r#"{"value": "2020-01-01"}"#,
            "B",
            "ERR",
        ),
        (
            "LessThanEqualToScalar",
            r#"{"value": "2020-01-01"}"#,
            "dt",
            "T F F F",
        ),
        (
            "LessThanEqualToScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "cat",
            "ERR",
        ),
        (
            "LessThanEqualToScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "catint",
            "ERR",
        ),
        (
            "LessThanEqualToScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "str",
            "F T N F",
        ),
        (
            "LessThanEqualToScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "f",
            "ERR",
        ),
        (
            "LessThanEqualToScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "i",
            "ERR",
        ),
        (
            "LessThanEqualToScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "I",
            "ERR",
        ),
        (
            "LessThanEqualToScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "b",
            "ERR",
        ),
        (
            "LessThanEqualToScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "B",
            "ERR",
        ),
        (
            "LessThanEqualToScalar",
            r#"{"value": "2020-01-01 00:00:00.5"}"#,
            "dt",
            "T F F F",
        ),
        ("LessThanEqualToScalar", r#"{"value": 0}"#, "cat", "ERR"),
        ("LessThanEqualToScalar", r#"{"value": 0}"#, "catint", "ERR"),
        ("LessThanEqualToScalar", r#"{"value": 0}"#, "str", "ERR"),
        ("LessThanEqualToScalar", r#"{"value": 0}"#, "f", "F F F T"),
        ("LessThanEqualToScalar", r#"{"value": 0}"#, "i", "F F F T"),
        ("LessThanEqualToScalar", r#"{"value": 0}"#, "I", "F F N T"),
        ("LessThanEqualToScalar", r#"{"value": 0}"#, "b", "F T F T"),
        ("LessThanEqualToScalar", r#"{"value": 0}"#, "B", "F T N T"),
        ("LessThanEqualToScalar", r#"{"value": 0}"#, "dt", "ERR"),
        ("LessThanEqualToScalar", r#"{"value": -1}"#, "cat", "ERR"),
        ("LessThanEqualToScalar", r#"{"value": -1}"#, "catint", "ERR"),
        ("LessThanEqualToScalar", r#"{"value": -1}"#, "str", "ERR"),
        ("LessThanEqualToScalar", r#"{"value": -1}"#, "f", "F F F F"),
        ("LessThanEqualToScalar", r#"{"value": -1}"#, "i", "F F F F"),
        ("LessThanEqualToScalar", r#"{"value": -1}"#, "I", "F F N F"),
        ("LessThanEqualToScalar", r#"{"value": -1}"#, "b", "F F F F"),
        ("LessThanEqualToScalar", r#"{"value": -1}"#, "B", "F F N F"),
        ("LessThanEqualToScalar", r#"{"value": -1}"#, "dt", "ERR"),
    ];

    #[test]
    fn two_column_comparisons_match_featuretools() {
        let mut wrong = Vec::new();
        for &(class, l, r, want) in TWO {
            let p = prim_with(class, serde_json::json!({}));
            let got = shown(transform(
                &p,
                &[
                    column(l, [true, false, true, false]),
                    column(r, [true, true, false, false]),
                ],
                &[0; 4],
            ));
            if got != want {
                wrong.push(format!(
                    "{class}({l}, {r}): ftpart {got}, featuretools {want}"
                ));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn scalar_comparisons_match_featuretools() {
        let mut wrong = Vec::new();
        for &(class, args, col, want) in ONE {
            let p = prim_with(class, serde_json::from_str(args).unwrap());
            let got = shown(transform(&p, &[scalar_column(col)], &[0; 4]));
            if got != want {
                wrong.push(format!(
                    "{class}({args})({col}): ftpart {got}, featuretools {want}"
                ));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    /// Where ftpart's answer differs from featuretools', and why.
    #[test]
    fn scalar_comparisons_ftpart_cannot_match() {
        let run = |class: &str, args: &str, col: &str| {
            let p = prim_with(class, serde_json::from_str(args).unwrap());
            shown(transform(&p, &[scalar_column(col)], &[0; 4]))
        };
        // GreaterThanScalar(value=None)(f) is all False in featuretools (and raises for the
        // nullable columns), but a saved null reads as the default 0 (`Args::value` drops it).
        assert_eq!(
            run("GreaterThanScalar", r#"{"value": null}"#, "f"),
            "T T F F"
        );
        // EqualScalar(value="1") on pd.Series([1, 2, None, 3], dtype="category") is all False
        // (the category is the integer 1), but ftpart holds integer categories as text and
        // cannot tell them from the text category "1", which pandas finds equal.
        assert_eq!(run("EqualScalar", r#"{"value": "1"}"#, "catint"), "T F F F");
        // EqualScalar(value="1") on datetimes: pandas reads "1" as some date; ftpart cannot
        // tell which and refuses.
        assert_eq!(run("EqualScalar", r#"{"value": "1"}"#, "dt"), "ERR");
    }
}

/// Comparisons and boolean operators by how pandas holds their inputs (featuretools 1.31,
/// pandas 2.2.3), whatever the rows at hand.
#[cfg(test)]
mod dtype_tests {
    use super::*;
    use crate::primitives::test_util::{prim, prim_with};
    use crate::primitives::{transform, Dtype};
    use arrow_array::Float64Array;
    use serde_json::json;

    const M: Dtype = Dtype::Masked;
    const N: Dtype = Dtype::Numpy;
    const S: Dtype = Dtype::String;

    fn bools(a: &ArrayRef) -> Vec<Option<bool>> {
        a.as_boolean().iter().collect()
    }

    #[test]
    fn a_masked_float_compares_missing_as_na() {
        let f: ArrayRef = Arc::new(Float64Array::from(vec![Some(1.5), None, Some(0.5)]));
        let p = prim_with("GreaterThanScalar", json!({"value": 1}));
        // GreaterThanScalar(1)(pd.Series([1.5, None, 0.5], dtype="Float64")) -> [True, <NA>, False]
        let got = transform(&p, std::slice::from_ref(&f), &[M], &[]).unwrap();
        assert_eq!(bools(&got), vec![Some(true), None, Some(false)]);
        // ... (pd.Series([1.5, nan, 0.5])) -> [True, False, False]
        let got = transform(&p, std::slice::from_ref(&f), &[N], &[]).unwrap();
        assert_eq!(bools(&got), vec![Some(true), Some(false), Some(false)]);
        // LessThanEqualTo()(f, pd.Series([1, 2, 3], dtype="Int64")) -> [False, <NA>, True];
        // against pd.Series([1, 2, 3]) -> [False, False, True]
        let i: ArrayRef = Arc::new(Int64Array::from(vec![1, 2, 3]));
        let le = prim("LessThanEqualTo");
        let got = transform(&le, &[f.clone(), i.clone()], &[N, M], &[]).unwrap();
        assert_eq!(bools(&got), vec![Some(false), None, Some(true)]);
        let got = transform(&le, &[f, i], &[N, N], &[]).unwrap();
        assert_eq!(bools(&got), vec![Some(false), Some(false), Some(true)]);
    }

    #[test]
    fn numpy_booleans_through_a_merge_are_object_columns() {
        // o = pd.Series([True, True, False, nan], dtype=object) (a bool column whose parent is
        // missing), bb = pd.Series([True, False, True, True]):
        let o: ArrayRef = Arc::new(BooleanArray::from(vec![
            Some(true),
            Some(true),
            Some(false),
            None,
        ]));
        let bb: ArrayRef = Arc::new(BooleanArray::from(vec![true, false, true, true]));
        let run = |class: &str, inputs: &[ArrayRef]| {
            let d = vec![N; inputs.len()];
            bools(&transform(&prim(class), inputs, &d, &[]).unwrap())
        };
        let (t, f) = (Some(true), Some(false));
        // Not()(o) -> [False, False, True, False]
        assert_eq!(run("Not", std::slice::from_ref(&o)), vec![f, f, t, f]);
        // And()(o, bb) -> [True, False, False, True]; And()(bb, o) -> [True, False, False, nan]
        assert_eq!(run("And", &[o.clone(), bb.clone()]), vec![t, f, f, t]);
        assert_eq!(run("And", &[bb.clone(), o.clone()]), vec![t, f, f, None]);
        // Or()(o, bb) -> [True, True, True, nan]; Or()(bb, o) -> [True, True, True, True]
        assert_eq!(run("Or", &[o.clone(), bb.clone()]), vec![t, t, t, None]);
        assert_eq!(run("Or", &[bb.clone(), o.clone()]), vec![t, t, t, t]);
        // A masked operand: np.logical_and(boolean, ...) is NA where either is.
        let got = transform(&prim("And"), &[o, bb], &[M, N], &[]).unwrap();
        assert_eq!(bools(&got), vec![t, f, f, None]);
    }

    #[test]
    fn object_text_compares_missing_as_false() {
        // o = pd.Series([(1.0, 2.0), nan, (3.0, 4.0)], dtype=object) (a LatLong column):
        // EqualScalar(None)(o) -> [False, False, False]; NotEqualScalar(None)(o) -> all True
        let o: ArrayRef = Arc::new(arrow_array::StringArray::from(vec![
            Some("(1.0, 2.0)"),
            None,
            Some("(3.0, 4.0)"),
        ]));
        let run = |class: &str, args: serde_json::Value, a: &ArrayRef, d: Dtype| {
            bools(&transform(&prim_with(class, args), std::slice::from_ref(a), &[d], &[]).unwrap())
        };
        let (t, f) = (Some(true), Some(false));
        assert_eq!(run("EqualScalar", json!({}), &o, N), vec![f, f, f]);
        assert_eq!(run("NotEqualScalar", json!({}), &o, N), vec![t, t, t]);
        // p = pd.Series(["midnight", nan, "noon"], dtype=object) (PART_OF_DAY):
        // EqualScalar("noon")(p) -> [False, False, True]; as dtype="string" -> [False, <NA>, True]
        let p: ArrayRef = Arc::new(arrow_array::StringArray::from(vec![
            Some("midnight"),
            None,
            Some("noon"),
        ]));
        let noon = json!({"value": "noon"});
        assert_eq!(run("EqualScalar", noon.clone(), &p, N), vec![f, f, t]);
        assert_eq!(run("EqualScalar", noon, &p, S), vec![f, None, t]);
        // Equal()(p, p) -> [True, False, True]; Equal()(p, p.astype("string")) -> [True, <NA>, True]
        let eq = prim("Equal");
        let got = transform(&eq, &[p.clone(), p.clone()], &[N, N], &[]).unwrap();
        assert_eq!(bools(&got), vec![t, f, t]);
        let got = transform(&eq, &[p.clone(), p], &[N, S], &[]).unwrap();
        assert_eq!(bools(&got), vec![t, None, t]);
    }

    #[test]
    fn output_dtypes() {
        // The dtypes of featuretools' raw columns (FeatureSetCalculator.run) on Int64 (M),
        // int64 / float64 / datetime (N) and string (S) columns:
        for (class, inputs, want) in [
            ("IsNull", vec![M], N),
            ("Not", vec![M], M),
            ("And", vec![N, M], M),
            ("And", vec![N, N], N),
            ("Equal", vec![N, S], M),
            ("Equal", vec![S, S], M),
            ("Equal", vec![N, N], N),
            ("GreaterThan", vec![N, M], M),
            ("GreaterThan", vec![S, S], M),
            ("EqualScalar", vec![S], M),
            ("EqualScalar", vec![N], N),
            ("NumCharacters", vec![S], N),
            ("NumWords", vec![S], N),
            // URLToDomain()(pd.Series([...], dtype="string")): string; IsFreeEmailDomain:
            // object; Season()(dates): string; Lag()(strings, dates): string
            ("URLToDomain", vec![S], S),
            ("IsFreeEmailDomain", vec![S], N),
            ("Season", vec![N], S),
            ("Lag", vec![S, N], S),
            ("Lag", vec![M, N], M),
        ] {
            assert_eq!(prim(class).dtype(&inputs), want, "{class}{inputs:?}");
        }
    }
}
