//! IS_IN (`featuretools/primitives/standard/transform/is_in.py`): `array.isin(list_of_outputs or
//! [])`, pandas' `Series.isin`. The result has no missing values: a missing value is in the list
//! only for a categorical column whose list holds None (pandas matches NaN codes); in a float,
//! integer, boolean, text or datetime column a missing value is never in it (a datetime column
//! excepted, where the strings `"NaT"`, `"nan"`, `""`, ... read as NaT).
//!
//! What matches what, as pandas has it: numbers match numbers (`1 == 1.0`) and booleans
//! (`True == 1`) in numeric and boolean columns, never text; text matches text only; a
//! categorical's values are text here (a number matches a category that reads as that number,
//! see below); a datetime column matches only a list made all of strings that all read as
//! datetimes (else nothing matches), and a list of booleans is an error in pandas.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{Array, ArrayRef, BooleanArray};
use arrow_schema::DataType;
use serde_json::Value;

use super::{Dtype, Transform};
use crate::primitives::registry::Entry;
use crate::primitives::{strings, timestamps, Implementation};

/// One element of `list_of_outputs`.
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs)]
pub enum Item {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
}

/// IS_IN with its list.
#[derive(Debug, Clone, PartialEq)]
pub struct IsIn {
    items: Vec<Item>,
}

pub(crate) const ENTRIES: &[Entry] = &[Entry {
    class: "IsIn",
    make: |a| {
        let items = match a.value("list_of_outputs") {
            None => Vec::new(),
            Some(Value::Array(v)) => v
                .iter()
                .map(|x| match x {
                    Value::Null => Ok(Item::Null),
                    Value::Bool(b) => Ok(Item::Bool(*b)),
                    Value::String(s) => Ok(Item::Text(s.clone())),
                    Value::Number(n) => match (n.as_i64(), n.as_f64()) {
                        (Some(i), _) => Ok(Item::Int(i)),
                        (None, Some(_)) if n.is_u64() => Err(a.error(
                            "list_of_outputs",
                            format!("holds {n}, beyond int64: pandas would compare it as object"),
                        )),
                        (None, Some(f)) => Ok(Item::Float(f)),
                        _ => Err(a.error("list_of_outputs", format!("holds {n}"))),
                    },
                    other => Err(a.error(
                        "list_of_outputs",
                        format!("holds {other}; ftpart takes numbers, text, booleans and None"),
                    )),
                })
                .collect::<Result<_, _>>()?,
            Some(other) => {
                return Err(a.error("list_of_outputs", format!("must be a list, not {other}")))
            }
        };
        Ok(Implementation::Transform(Arc::new(IsIn { items })))
    },
}];

/// The strings pandas reads as NaT (`pandas._libs.tslibs.nattype.nat_strings`, and "").
const NAT_STRINGS: &[&str] = &["NaT", "nat", "NAT", "nan", "NaN", "NAN", ""];

/// A string as pandas reads it against a naive datetime column.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum DateText {
    /// A naive date/time (nanoseconds).
    Naive(i64),
    /// NaT ("NaT", "nan", "").
    NaT,
    /// A date/time with a time zone (pandas will not compare it with a naive column).
    Zoned,
    /// Not a date: no digit in it (pandas' reader fails too).
    NotADate,
}

/// Reads `s` as pandas would against a naive datetime column; an error when it has digits but
/// ftpart cannot read it (pandas' reader takes forms ftpart's does not, so no answer would be
/// sure).
pub(crate) fn date_text(s: &str) -> Result<DateText, String> {
    let t = s.trim();
    if NAT_STRINGS.contains(&t) {
        return Ok(DateText::NaT);
    }
    match crate::time::parse_datetime(t) {
        Some(ns) => {
            let zoned =
                t.ends_with(['Z', 'z']) || t.get(10..).is_some_and(|r| r.contains(['+', '-']));
            Ok(if zoned {
                DateText::Zoned
            } else {
                DateText::Naive(ns)
            })
        }
        None if !t.contains(|c: char| c.is_ascii_digit())
            && !["now", "today"].contains(&t.to_ascii_lowercase().as_str()) =>
        {
            Ok(DateText::NotADate)
        }
        // dateutil's parser (pandas' fallback) refuses any token that is not a number, a word,
        // or one of its separators (`parserinfo.JUMP`, ':' and '+' of times and offsets), unless
        // asked to be fuzzy: '(1.0, 1.0)' or '1-(555)-555-5555' is never a date.
        None if t.contains(|c: char| {
            !(c.is_alphanumeric() || c.is_whitespace() || ".,;-/':+".contains(c))
        }) =>
        {
            Ok(DateText::NotADate)
        }
        None if two_years(t) => Ok(DateText::NotADate),
        None => Err(format!(
            "cannot tell whether pandas reads '{s}' as a date/time (ftpart reads ISO 8601 \
             dates and times)"
        )),
    }
}

/// Whether `t` is groups of digits joined by one of dateutil's date separators ('-', '/', '.'),
/// two of its first three groups longer than two digits ('555-555-5555'): dateutil takes each
/// such group for a year (`_ymd.append`) and refuses the second ("Year is already set"), so
/// pandas reads no date.
fn two_years(t: &str) -> bool {
    let Some(sep) = t.chars().find(|c| !c.is_ascii_digit()) else {
        return false;
    };
    if !"-/.".contains(sep) {
        return false;
    }
    let groups: Vec<&str> = t.split(sep).collect();
    groups.len() >= 2
        && groups
            .iter()
            .all(|g| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit()))
        && groups.iter().take(3).filter(|g| g.len() > 2).count() >= 2
}

impl IsIn {
    /// Whether a number matches (numeric and boolean columns): as float64 when the list is all
    /// numbers with a float among them (pandas casts both to float64), else exactly (object
    /// comparison).
    fn number_matcher(&self) -> impl Fn(Num) -> bool + '_ {
        let numeric = self
            .items
            .iter()
            .all(|i| matches!(i, Item::Int(_) | Item::Float(_) | Item::Bool(_)));
        let as_float = numeric && self.items.iter().any(|i| matches!(i, Item::Float(_)));
        move |x: Num| {
            self.items.iter().any(|item| {
                let y = match item {
                    Item::Int(n) => Num::Int(*n),
                    Item::Bool(b) => Num::Int(*b as i64),
                    Item::Float(f) => Num::Float(*f),
                    Item::Null | Item::Text(_) => return false,
                };
                if as_float {
                    return x.float() == y.float();
                }
                match (x, y) {
                    (Num::Int(p), Num::Int(q)) => p == q,
                    (Num::Int(p), Num::Float(q)) | (Num::Float(q), Num::Int(p)) => {
                        q.fract() == 0.0 && q.abs() < 9.3e18 && q as i64 == p && p as f64 == q
                    }
                    (Num::Float(p), Num::Float(q)) => p == q,
                }
            })
        }
    }
}

#[derive(Clone, Copy)]
enum Num {
    Int(i64),
    Float(f64),
}

impl Num {
    fn float(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(x) => x,
        }
    }
}

impl Transform for IsIn {
    fn transform(
        &self,
        inputs: &[ArrayRef],
        _dtypes: &[Dtype],
        _times: &[i64],
    ) -> Result<ArrayRef, String> {
        let a = inputs.first().ok_or("transform without input")?;
        let n = a.len();
        let out: Vec<bool> = match a.data_type() {
            DataType::Float64 => {
                let m = self.number_matcher();
                let x = a.as_primitive::<Float64Type>();
                (0..n)
                    .map(|i| x.is_valid(i) && m(Num::Float(x.value(i))))
                    .collect()
            }
            DataType::Int64 => {
                let m = self.number_matcher();
                let x = a.as_primitive::<Int64Type>();
                (0..n)
                    .map(|i| x.is_valid(i) && m(Num::Int(x.value(i))))
                    .collect()
            }
            DataType::Boolean => {
                let m = self.number_matcher();
                let x = a.as_boolean();
                (0..n)
                    .map(|i| x.is_valid(i) && m(Num::Int(x.value(i) as i64)))
                    .collect()
            }
            DataType::Utf8 => strings(a)?
                .iter()
                .map(|v| {
                    v.as_ref().is_some_and(|s| {
                        self.items
                            .iter()
                            .any(|item| matches!(item, Item::Text(t) if t == s))
                    })
                })
                .collect(),
            DataType::Dictionary(_, _) => {
                let null = self.items.contains(&Item::Null);
                strings(a)?
                    .iter()
                    .map(|v| match v {
                        None => null,
                        Some(s) => self.items.iter().any(|item| match item {
                            Item::Text(t) => t == s,
                            // A category that reads as the number: pandas compares an integer
                            // category with numbers; ftpart holds categories as text.
                            Item::Int(k) => s.parse::<f64>().is_ok_and(|c| c == *k as f64),
                            Item::Float(k) => s.parse::<f64>().is_ok_and(|c| c == *k),
                            Item::Null | Item::Bool(_) => false,
                        }),
                    })
                    .collect()
            }
            DataType::Timestamp(_, _) => {
                let t = timestamps(a)?;
                let all_text = self.items.iter().all(|i| matches!(i, Item::Text(_)));
                let all_bool =
                    !self.items.is_empty() && self.items.iter().all(|i| matches!(i, Item::Bool(_)));
                if all_bool {
                    return Err(
                        "IsIn: pandas cannot compare a datetime column with booleans \
                         (dtype bool cannot be converted to datetime64[ns])"
                            .to_string(),
                    );
                }
                let mut values: Option<Vec<Option<i64>>> = Some(Vec::new());
                if all_text {
                    for item in &self.items {
                        if let Item::Text(s) = item {
                            match date_text(s).map_err(|e| format!("IsIn: {e}"))? {
                                DateText::Naive(v) => {
                                    if let Some(vs) = values.as_mut() {
                                        vs.push(Some(v))
                                    }
                                }
                                DateText::NaT => {
                                    if let Some(vs) = values.as_mut() {
                                        vs.push(None)
                                    }
                                }
                                DateText::Zoned | DateText::NotADate => values = None,
                            }
                        }
                    }
                } else {
                    values = None;
                }
                match values {
                    None => vec![false; n],
                    Some(vs) => t.iter().map(|v| vs.contains(v)).collect(),
                }
            }
            other => return Err(format!("IsIn: ftpart does not compare {other} values")),
        };
        Ok(Arc::new(BooleanArray::from(out)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::primitives::test_util::transform;
    use crate::primitives::test_util::{prim, prim_with};
    use arrow_array::{Float64Array, Int64Array, StringArray, TimestampNanosecondArray};
    use serde_json::json;

    fn isin(list: Value, a: &ArrayRef) -> Result<Vec<bool>, String> {
        let p = prim_with("IsIn", json!({ "list_of_outputs": list }));
        let out = transform(&p, std::slice::from_ref(a), &vec![0; a.len()])?;
        assert_eq!(out.null_count(), 0);
        Ok(out.as_boolean().values().iter().collect())
    }

    fn cat(v: &[Option<&str>]) -> ArrayRef {
        Arc::new(
            v.iter()
                .copied()
                .collect::<arrow_array::DictionaryArray<arrow_array::types::Int32Type>>(),
        )
    }

    const F: bool = false;
    const T: bool = true;

    #[test]
    fn digit_groups_dateutil_takes_for_two_years_are_no_date() {
        // pd.to_datetime([s]) raises for each of these (pandas 2.2.3, dateutil 2.9).
        for s in [
            "555-555-5555",
            "555-5555",
            "012-345-6789",
            "555/555/5555",
            "555.555.5555",
        ] {
            assert!(matches!(date_text(s), Ok(DateText::NotADate)), "{s}");
        }
        for s in ["1-555-555-5555", "12-555-5555", "5555-555-55", "2011-555-1"] {
            assert!(matches!(date_text(s), Ok(DateText::NotADate)), "{s}");
        }
        // dateutil reads these, or ftpart cannot tell: no answer is sure.
        assert!(matches!(date_text("2020-01-02"), Ok(DateText::Naive(_))));
        assert!(date_text("5-5-5").is_err());
        assert!(date_text("12-12-2020").is_err());
        assert!(date_text("555-555-5555x").is_err());
    }

    #[test]
    fn categorical_none_matches_missing() {
        // pd.Series(["a", "b", None, "1"], dtype="category")
        let c = cat(&[Some("a"), Some("b"), None, Some("1")]);
        // IsIn()(c) (list_of_outputs=None) -> all False
        let p = prim("IsIn");
        let out = transform(&p, std::slice::from_ref(&c), &[0; 4]).unwrap();
        assert_eq!(out.as_boolean().values().iter().collect::<Vec<_>>(), [F; 4]);
        assert_eq!(isin(json!([]), &c).unwrap(), [F; 4]);
        assert_eq!(isin(json!(["a"]), &c).unwrap(), [T, F, F, F]);
        assert_eq!(isin(json!(["a", null]), &c).unwrap(), [T, F, T, F]);
        assert_eq!(isin(json!([null]), &c).unwrap(), [F, F, T, F]);
        assert_eq!(isin(json!(["1"]), &c).unwrap(), [F, F, F, T]);
        assert_eq!(isin(json!([2, "a"]), &c).unwrap(), [T, F, F, F]);
        // IsIn([1, "a"])(c) is [T, F, F, F] in pandas (the category "1" is text), but ftpart
        // holds an integer category 1 as the text "1" too and cannot tell them apart: it
        // matches the number with a category that reads as it, as pandas does for integer
        // categories.
        assert_eq!(isin(json!([1, "a"]), &c).unwrap(), [T, F, F, T]);
        assert_eq!(isin(json!([true, null]), &c).unwrap(), [F, F, T, F]);
        // pd.Series([1, 2, None, 3], dtype="category"): IsIn([1]) / ([1.0]) -> [T, F, F, F]
        let ci = cat(&[Some("1"), Some("2"), None, Some("3")]);
        assert_eq!(isin(json!([1]), &ci).unwrap(), [T, F, F, F]);
        assert_eq!(isin(json!([1.0]), &ci).unwrap(), [T, F, F, F]);
        assert_eq!(isin(json!([2.5]), &ci).unwrap(), [F; 4]);
        assert_eq!(isin(json!([1, null]), &ci).unwrap(), [T, F, T, F]);
    }

    #[test]
    fn text_matches_text_only_and_never_a_missing_value() {
        // pd.Series(["a", "b", None, "1"], dtype="string")
        let s: ArrayRef = Arc::new(StringArray::from(vec![
            Some("a"),
            Some("b"),
            None,
            Some("1"),
        ]));
        assert_eq!(isin(json!(["a", null]), &s).unwrap(), [T, F, F, F]);
        assert_eq!(isin(json!([null]), &s).unwrap(), [F; 4]);
        assert_eq!(isin(json!([1]), &s).unwrap(), [F; 4]);
        assert_eq!(isin(json!(["1"]), &s).unwrap(), [F, F, F, T]);
        assert_eq!(isin(json!([1, "a"]), &s).unwrap(), [T, F, F, F]);
        assert_eq!(isin(json!([true]), &s).unwrap(), [F; 4]);
    }

    #[test]
    fn numbers_and_booleans() {
        // pd.Series([1.0, 2.5, nan, 3.0])
        let f: ArrayRef = Arc::new(Float64Array::from(vec![
            Some(1.0),
            Some(2.5),
            None,
            Some(3.0),
        ]));
        assert_eq!(isin(json!([1]), &f).unwrap(), [T, F, F, F]);
        assert_eq!(isin(json!([1.0]), &f).unwrap(), [T, F, F, F]);
        assert_eq!(isin(json!(["1"]), &f).unwrap(), [F; 4]);
        assert_eq!(isin(json!([true]), &f).unwrap(), [T, F, F, F]);
        assert_eq!(isin(json!([2.5]), &f).unwrap(), [F, T, F, F]);
        assert_eq!(isin(json!([null]), &f).unwrap(), [F; 4]);
        assert_eq!(isin(json!([1, null]), &f).unwrap(), [T, F, F, F]);
        // pd.Series([0.0, 1.0, -0.0, nan]): IsIn([False]) -> [T, F, T, F]
        let z: ArrayRef = Arc::new(Float64Array::from(vec![
            Some(0.0),
            Some(1.0),
            Some(-0.0),
            None,
        ]));
        assert_eq!(isin(json!([false]), &z).unwrap(), [T, F, T, F]);
        // pd.Series([1, 2, None, 0], dtype="Int64")
        let i: ArrayRef = Arc::new(Int64Array::from(vec![Some(1), Some(2), None, Some(0)]));
        assert_eq!(isin(json!([1.0]), &i).unwrap(), [T, F, F, F]);
        assert_eq!(isin(json!([false]), &i).unwrap(), [F, F, F, T]);
        assert_eq!(isin(json!([2.5]), &i).unwrap(), [F; 4]);
        assert_eq!(isin(json!([null]), &i).unwrap(), [F; 4]);
        assert_eq!(isin(json!(["1"]), &i).unwrap(), [F; 4]);
        // pd.Series([2**53 + 1, 2**53, 5]): IsIn([float(2**53)]) -> [T, T, F] (cast to float64);
        // IsIn([float(2**53), "a"]) -> [F, T, F] (object comparison); IsIn([2**53 + 1]) -> [T, F, F]
        let big: ArrayRef = Arc::new(Int64Array::from(vec![(1 << 53) + 1, 1 << 53, 5]));
        assert_eq!(isin(json!([9007199254740992.0]), &big).unwrap(), [T, T, F]);
        assert_eq!(
            isin(json!([9007199254740992.0, "a"]), &big).unwrap(),
            [F, T, F]
        );
        assert_eq!(isin(json!([9007199254740993i64]), &big).unwrap(), [T, F, F]);
        // pd.Series([True, False, None, False], dtype="boolean")
        let b: ArrayRef = Arc::new(BooleanArray::from(vec![
            Some(true),
            Some(false),
            None,
            Some(false),
        ]));
        assert_eq!(isin(json!([1]), &b).unwrap(), [T, F, F, F]);
        assert_eq!(isin(json!([0]), &b).unwrap(), [F, T, F, T]);
        assert_eq!(isin(json!([true, null]), &b).unwrap(), [T, F, F, F]);
        assert_eq!(isin(json!([null]), &b).unwrap(), [F; 4]);
        assert_eq!(isin(json!(["1"]), &b).unwrap(), [F; 4]);
    }

    #[test]
    fn datetimes_match_a_list_of_date_strings() {
        const S: i64 = 1_000_000_000;
        let jan1 = 1_577_836_800 * S;
        // pd.Series([2020-01-01, 2020-01-02, NaT, 2020-01-01 00:00:01])
        let dt: ArrayRef = Arc::new(TimestampNanosecondArray::from(vec![
            Some(jan1),
            Some(jan1 + 86_400 * S),
            None,
            Some(jan1 + S),
        ]));
        assert_eq!(isin(json!(["2020-01-01"]), &dt).unwrap(), [T, F, F, F]);
        assert_eq!(
            isin(json!(["2020-01-01T00:00:00", "2020-01-01 00:00:01"]), &dt).unwrap(),
            [T, F, F, T]
        );
        assert_eq!(isin(json!(["NaT"]), &dt).unwrap(), [F, F, T, F]);
        assert_eq!(
            isin(json!(["nan", "2020-01-02"]), &dt).unwrap(),
            [F, T, T, F]
        );
        // a list that is not all strings, or with a time zone: nothing matches
        assert_eq!(isin(json!(["2020-01-01", null]), &dt).unwrap(), [F; 4]);
        assert_eq!(isin(json!([null]), &dt).unwrap(), [F; 4]);
        assert_eq!(isin(json!([0, 1]), &dt).unwrap(), [F; 4]);
        assert_eq!(isin(json!(["2020-01-01", true]), &dt).unwrap(), [F; 4]);
        assert_eq!(isin(json!(["2020-01-01T00:00:00Z"]), &dt).unwrap(), [F; 4]);
        assert_eq!(
            isin(json!(["2020-01-01 00:00:00+01:00"]), &dt).unwrap(),
            [F; 4]
        );
        // IsIn([True]) raises in pandas; a string ftpart cannot read is refused
        assert!(isin(json!([true]), &dt).is_err());
        assert!(isin(json!(["Jan 1 2020"]), &dt).is_err());
        // IsIn(["2020-01-01", "a"]) -> nothing matches ("a" is no date)
        assert_eq!(isin(json!(["2020-01-01", "a"]), &dt).unwrap(), [F; 4]);
    }

    #[test]
    fn arguments() {
        assert!(Primitive::featuretools("IsIn", json!({"list_of_outputs": "a"})).is_err());
        assert!(Primitive::featuretools("IsIn", json!({"list_of_outputs": [[1]]})).is_err());
    }

    use crate::primitives::Primitive;
}
