//! The featuretools primitives ftpart implements: their definitions, defaults, and the
//! aggregation and transform kernels (matching `featuretools/primitives/standard/...`).

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, Int64Type, TimestampNanosecondType};
use arrow_array::{
    Array, ArrayRef, BooleanArray, DictionaryArray, Float64Array, Int64Array, UInt32Array,
};
use arrow_schema::DataType;
use chrono::{DateTime, Datelike, Timelike};
use serde_json::Value;

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

/// A primitive with its arguments.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[allow(missing_docs)]
pub enum Primitive {
    // aggregations
    Count,
    Sum,
    Mean { skipna: bool },
    Std,
    Max,
    Min,
    Skew,
    Median,
    Mode,
    NumUnique,
    PercentTrue,
    NumTrue,
    NMostCommon { n: usize },
    // transforms
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

/// The primitive class names ftpart implements.
pub const IMPLEMENTED: &[&str] = &[
    "Count",
    "Sum",
    "Mean",
    "Std",
    "Max",
    "Min",
    "Skew",
    "Median",
    "Mode",
    "NumUnique",
    "PercentTrue",
    "NumTrue",
    "NMostCommon",
    "Age",
    "Day",
    "Month",
    "Year",
    "Weekday",
    "Hour",
    "Minute",
    "Second",
    "Haversine",
    "NumWords",
    "NumCharacters",
    "IsNull",
    "Not",
    "And",
    "Or",
    "EqualScalar",
    "NotEqualScalar",
    "GreaterThanScalar",
    "GreaterThanEqualToScalar",
    "LessThanScalar",
    "LessThanEqualToScalar",
    "Equal",
    "NotEqual",
    "GreaterThan",
    "GreaterThanEqualTo",
    "LessThan",
    "LessThanEqualTo",
];

/// A feature's default value (featuretools' `default_value`), used for missing rows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Default {
    /// NaN / NA.
    Null,
    /// Zero.
    Zero,
}

fn scalar(v: Option<&Value>) -> Scalar {
    match v {
        Some(Value::Number(n)) => Scalar::Number(n.as_f64().unwrap_or(f64::NAN)),
        Some(Value::String(s)) => Scalar::Text(s.clone()),
        Some(Value::Bool(b)) => Scalar::Bool(*b),
        _ => Scalar::Null,
    }
}

impl Primitive {
    /// Parses a `primitive_definitions` entry (`{"type", "module", "arguments"}`).
    pub fn from_definition(def: &Value) -> Result<Self, String> {
        let ty = def
            .get("type")
            .and_then(Value::as_str)
            .ok_or("primitive definition lacks 'type'")?;
        let args = def.get("arguments").cloned().unwrap_or(Value::Null);
        let num = |k: &str, default: f64| -> Result<f64, String> {
            match args.get(k) {
                None | Some(Value::Null) => Ok(default),
                Some(v) => v
                    .as_f64()
                    .ok_or_else(|| format!("primitive {ty}: argument '{k}' must be a number")),
            }
        };
        Ok(match ty {
            "Count" => Primitive::Count,
            "Sum" => Primitive::Sum,
            "Mean" => Primitive::Mean {
                skipna: args.get("skipna").and_then(Value::as_bool).unwrap_or(true),
            },
            "Std" => Primitive::Std,
            "Max" => Primitive::Max,
            "Min" => Primitive::Min,
            "Skew" => Primitive::Skew,
            "Median" => Primitive::Median,
            "Mode" => Primitive::Mode,
            "NumUnique" => Primitive::NumUnique,
            "PercentTrue" => Primitive::PercentTrue,
            "NumTrue" => Primitive::NumTrue,
            "NMostCommon" => {
                let n = num("n", 3.0)?;
                if !(n >= 1.0 && n.fract() == 0.0) {
                    return Err(format!(
                        "primitive NMostCommon: argument 'n' must be a positive whole number, not {n}"
                    ));
                }
                Primitive::NMostCommon { n: n as usize }
            }
            "Age" => Primitive::Age,
            "Day" => Primitive::Day,
            "Month" => Primitive::Month,
            "Year" => Primitive::Year,
            "Weekday" => Primitive::Weekday,
            "Hour" => Primitive::Hour,
            "Minute" => Primitive::Minute,
            "Second" => Primitive::Second,
            "Haversine" => {
                let unit = args.get("unit").and_then(Value::as_str).unwrap_or("miles");
                if unit != "miles" && unit != "kilometers" {
                    return Err(format!(
                        "Haversine unit '{unit}' must be miles or kilometers"
                    ));
                }
                Primitive::Haversine {
                    kilometers: unit == "kilometers",
                }
            }
            "NumWords" => Primitive::NumWords,
            "NumCharacters" => Primitive::NumCharacters,
            "IsNull" => Primitive::IsNull,
            "Not" => Primitive::Not,
            "And" => Primitive::And,
            "Or" => Primitive::Or,
            "EqualScalar" => Primitive::EqualScalar(scalar(args.get("value"))),
            "NotEqualScalar" => Primitive::NotEqualScalar(scalar(args.get("value"))),
            "GreaterThanScalar" => Primitive::GreaterThanScalar(num("value", 0.0)?),
            "GreaterThanEqualToScalar" => Primitive::GreaterThanEqualToScalar(num("value", 0.0)?),
            "LessThanScalar" => Primitive::LessThanScalar(num("value", 0.0)?),
            "LessThanEqualToScalar" => Primitive::LessThanEqualToScalar(num("value", 0.0)?),
            "Equal" => Primitive::Equal,
            "NotEqual" => Primitive::NotEqual,
            "GreaterThan" => Primitive::GreaterThan,
            "GreaterThanEqualTo" => Primitive::GreaterThanEqualTo,
            "LessThan" => Primitive::LessThan,
            "LessThanEqualTo" => Primitive::LessThanEqualTo,
            other => {
                let module = def.get("module").and_then(Value::as_str).unwrap_or("?");
                return Err(format!(
                    "primitive '{other}' ({module}) is not implemented by ftpart; implemented: {}",
                    IMPLEMENTED.join(", ")
                ));
            }
        })
    }

    /// Whether this is an aggregation primitive.
    pub fn is_aggregation(&self) -> bool {
        use Primitive::*;
        matches!(
            self,
            Count
                | Sum
                | Mean { .. }
                | Std
                | Max
                | Min
                | Skew
                | Median
                | Mode
                | NumUnique
                | PercentTrue
                | NumTrue
                | NMostCommon { .. }
        )
    }

    /// Number of inputs the primitive takes.
    pub fn arity(&self) -> usize {
        use Primitive::*;
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

    /// Number of output columns.
    pub fn outputs(&self) -> usize {
        match self {
            Primitive::NMostCommon { n } => *n,
            _ => 1,
        }
    }

    /// featuretools' `default_value`.
    pub fn default_value(&self) -> Default {
        match self {
            Primitive::Count | Primitive::Sum | Primitive::NumTrue => Default::Zero,
            _ => Default::Null,
        }
    }
}

/// Groups of input rows for an aggregation, as compressed sparse rows.
#[derive(Debug, Default, Clone)]
pub struct Groups {
    /// `offsets[g]..offsets[g+1]` indexes `rows` for group `g`.
    pub offsets: Vec<usize>,
    /// Input row positions.
    pub rows: Vec<u32>,
    /// Instead of `offsets`: possibly overlapping `(start, end)` ranges of `rows`, one per group
    /// (prefixes of time-ordered rows, for aggregations answered across parts).
    pub ranges: Option<Vec<(usize, usize)>>,
}

impl Groups {
    /// Number of groups.
    pub fn len(&self) -> usize {
        match &self.ranges {
            Some(r) => r.len(),
            None => self.offsets.len().saturating_sub(1),
        }
    }
    /// Whether there are no groups.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The rows of group `g`.
    pub fn get(&self, g: usize) -> &[u32] {
        match &self.ranges {
            Some(r) => &self.rows[r[g].0..r[g].1],
            None => &self.rows[self.offsets[g]..self.offsets[g + 1]],
        }
    }
}

/// [`to_f64`] without a copy for a Float64 array without missing values.
pub fn f64_values(a: &ArrayRef) -> Result<arrow_buffer::ScalarBuffer<f64>, String> {
    match a.as_primitive_opt::<Float64Type>() {
        Some(x) if x.null_count() == 0 => Ok(x.values().clone()),
        _ => to_f64(a).map(Into::into),
    }
}

/// Missing values are NaN here, as in pandas.
pub fn to_f64(a: &ArrayRef) -> Result<Vec<f64>, String> {
    let n = a.len();
    Ok(match a.data_type() {
        DataType::Float64 => {
            let x = a.as_primitive::<Float64Type>();
            (0..n)
                .map(|i| if x.is_valid(i) { x.value(i) } else { f64::NAN })
                .collect()
        }
        DataType::Int64 => {
            let x = a.as_primitive::<Int64Type>();
            (0..n)
                .map(|i| {
                    if x.is_valid(i) {
                        x.value(i) as f64
                    } else {
                        f64::NAN
                    }
                })
                .collect()
        }
        DataType::Boolean => {
            let x = a.as_boolean();
            (0..n)
                .map(|i| {
                    if x.is_valid(i) {
                        x.value(i) as u8 as f64
                    } else {
                        f64::NAN
                    }
                })
                .collect()
        }
        DataType::Dictionary(_, _) => {
            let text = arrow_cast::cast(a, &DataType::Utf8).map_err(|e| e.to_string())?;
            let s = text.as_string::<i32>();
            (0..n)
                .map(|i| {
                    if s.is_valid(i) {
                        s.value(i).parse().unwrap_or(f64::NAN)
                    } else {
                        f64::NAN
                    }
                })
                .collect()
        }
        other => return Err(format!("numeric input expected, found {other}")),
    })
}

/// Values replaced by their rank in sorted order (nulls → `u32::MAX`), and how to turn ranks back.
struct Ranked {
    ranks: Vec<u32>,
    values: ArrayRef,
    dict: bool,
}

fn rank(a: &ArrayRef) -> Result<Ranked, String> {
    if let DataType::Dictionary(_, _) = a.data_type() {
        let d = a.as_dictionary::<Int32Type>();
        // Arrays concatenated from several parts can carry the category list more than once;
        // codes of equal values must count as one value, so map each code to the first code of
        // its value (the category order is kept).
        let values = d.values();
        let mut first: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
        let mut canon: Vec<u32> = Vec::with_capacity(values.len());
        let text = arrow_cast::cast(values, &DataType::Utf8).map_err(|e| e.to_string())?;
        for (i, v) in text.as_string::<i32>().iter().enumerate() {
            let v = v.unwrap_or("").to_string();
            canon.push(*first.entry(v).or_insert(i as u32));
        }
        let ranks = (0..a.len())
            .map(|i| {
                if d.is_valid(i) {
                    canon[d.keys().value(i) as usize]
                } else {
                    u32::MAX
                }
            })
            .collect();
        return Ok(Ranked {
            ranks,
            values: values.clone(),
            dict: true,
        });
    }
    let sorted = arrow_ord::sort::sort_to_indices(a, None, None).map_err(|e| e.to_string())?;
    let mut ranks = vec![u32::MAX; a.len()];
    let mut uniq: Vec<u32> = Vec::new();
    let cmp = arrow_ord::ord::make_comparator(a.as_ref(), a.as_ref(), Default_sort())
        .map_err(|e| e.to_string())?;
    for &i in sorted.values() {
        if a.is_null(i as usize) {
            continue;
        }
        match uniq.last() {
            Some(&u) if cmp(u as usize, i as usize).is_eq() => {}
            _ => uniq.push(i),
        }
        ranks[i as usize] = (uniq.len() - 1) as u32;
    }
    let values =
        arrow_select::take::take(a, &UInt32Array::from(uniq), None).map_err(|e| e.to_string())?;
    Ok(Ranked {
        ranks,
        values,
        dict: false,
    })
}

/// Category codes of a column, in value order (missing → `u32::MAX`), as MODE and NUM_UNIQUE
/// count them; [`decode_codes`] turns codes back into values.
pub fn rank_codes(a: &ArrayRef) -> Result<Vec<u32>, String> {
    Ok(rank(a)?.ranks)
}

/// Values of codes from [`rank_codes`] of the same column.
pub fn decode_codes(a: &ArrayRef, codes: Vec<Option<u32>>) -> Result<ArrayRef, String> {
    rank(a)?.decode(codes)
}

#[allow(non_snake_case)]
fn Default_sort() -> arrow_schema::SortOptions {
    arrow_schema::SortOptions::default()
}

impl Ranked {
    fn decode(&self, ranks: Vec<Option<u32>>) -> Result<ArrayRef, String> {
        if self.dict {
            let keys = arrow_array::Int32Array::from(
                ranks
                    .into_iter()
                    .map(|r| r.map(|x| x as i32))
                    .collect::<Vec<_>>(),
            );
            let d = DictionaryArray::<Int32Type>::try_new(keys, self.values.clone())
                .map_err(|e| e.to_string())?;
            return Ok(Arc::new(d));
        }
        arrow_select::take::take(&self.values, &UInt32Array::from(ranks), None)
            .map_err(|e| e.to_string())
    }
}

/// Counts ranks of one group at a time without sorting: a count per distinct value, reset
/// through the list of values seen.
struct Counter {
    counts: Vec<u32>,
    distinct: Vec<u32>,
}

impl Counter {
    fn new(values: usize) -> Self {
        Counter {
            counts: vec![0; values],
            distinct: Vec::new(),
        }
    }
    fn count(&mut self, ranks: impl Iterator<Item = u32>) {
        for &v in &self.distinct {
            self.counts[v as usize] = 0;
        }
        self.distinct.clear();
        for r in ranks {
            if r == u32::MAX {
                continue;
            }
            let c = &mut self.counts[r as usize];
            if *c == 0 {
                self.distinct.push(r);
            }
            *c += 1;
        }
    }
}

fn kahan_sum(vals: &[f64], rows: &[u32]) -> (f64, usize) {
    let (mut sum, mut comp, mut n) = (0.0f64, 0.0f64, 0usize);
    for &r in rows {
        let v = vals[r as usize];
        if v.is_nan() {
            continue;
        }
        n += 1;
        let y = v - comp;
        let t = sum + y;
        comp = (t - sum) - y;
        sum = t;
    }
    (sum, n)
}

/// pandas' `nanops.nanskew` (bias-corrected sample skewness; fewer than 3 values → NaN).
fn skew(vals: &[f64], rows: &[u32]) -> f64 {
    let (sum, n) = kahan_sum(vals, rows);
    if n < 3 {
        return f64::NAN;
    }
    let count = n as f64;
    let mean = sum / count;
    let (mut m2, mut m3) = (0.0, 0.0);
    for &r in rows {
        let v = vals[r as usize];
        if v.is_nan() {
            continue;
        }
        let d = v - mean;
        m2 += d * d;
        m3 += d * d * d;
    }
    // nanops._zero_out_fperr
    if m2.abs() < 1e-14 {
        m2 = 0.0;
    }
    if m3.abs() < 1e-14 {
        m3 = 0.0;
    }
    if m2 == 0.0 {
        return 0.0;
    }
    (count * (count - 1.0).sqrt() / (count - 2.0)) * (m3 / m2.powf(1.5))
}

fn std(vals: &[f64], rows: &[u32]) -> f64 {
    let (sum, n) = kahan_sum(vals, rows);
    if n < 2 {
        return f64::NAN;
    }
    let mean = sum / n as f64;
    let mut ss = 0.0;
    for &r in rows {
        let v = vals[r as usize];
        if !v.is_nan() {
            ss += (v - mean) * (v - mean);
        }
    }
    (ss / (n as f64 - 1.0)).sqrt()
}

fn float_out(v: Vec<f64>) -> ArrayRef {
    Arc::new(
        v.into_iter()
            .map(|x| (!x.is_nan()).then_some(x))
            .collect::<Float64Array>(),
    )
}

/// Computes an aggregation primitive over groups of input rows. Returns one array per output.
pub fn aggregate(
    p: &Primitive,
    inputs: &[ArrayRef],
    groups: &Groups,
) -> Result<Vec<ArrayRef>, String> {
    aggregate_with(p, inputs, groups, None)
}

impl Primitive {
    /// Whether the aggregation reads its input as numbers (see [`to_f64`]).
    pub fn numeric_input(&self) -> bool {
        matches!(
            self,
            Primitive::Sum
                | Primitive::Mean { .. }
                | Primitive::Std
                | Primitive::Skew
                | Primitive::Max
                | Primitive::Min
                | Primitive::Median
        )
    }
}

/// [`aggregate`] with the input already converted by [`to_f64`] (shared between aggregations).
pub fn aggregate_with(
    p: &Primitive,
    inputs: &[ArrayRef],
    groups: &Groups,
    as_f64: Option<&[f64]>,
) -> Result<Vec<ArrayRef>, String> {
    let input = inputs.first().ok_or("aggregation without input")?;
    let g = groups.len();
    let numeric = |f: &dyn Fn(&[f64], &[u32]) -> f64| -> Result<ArrayRef, String> {
        let owned;
        let vals = match as_f64 {
            Some(v) => v,
            None => {
                owned = to_f64(input)?;
                &owned
            }
        };
        Ok(float_out((0..g).map(|i| f(vals, groups.get(i))).collect()))
    };
    let out: ArrayRef = match p {
        Primitive::Count => {
            let valid = |r: u32| input.is_valid(r as usize);
            Arc::new(Int64Array::from_iter_values((0..g).map(|i| {
                groups.get(i).iter().filter(|&&r| valid(r)).count() as i64
            })))
        }
        Primitive::Sum => numeric(&|v, rows| kahan_sum(v, rows).0)?,
        Primitive::Mean { skipna } => {
            let skipna = *skipna;
            numeric(&move |v, rows| {
                let (s, n) = kahan_sum(v, rows);
                if !skipna && n < rows.len() || n == 0 {
                    f64::NAN
                } else {
                    s / n as f64
                }
            })?
        }
        Primitive::Std => numeric(&std)?,
        Primitive::Skew => numeric(&skew)?,
        Primitive::Max => numeric(&|v, rows| {
            rows.iter()
                .map(|&r| v[r as usize])
                .filter(|x| !x.is_nan())
                .fold(f64::NAN, |a, b| if a.is_nan() || b > a { b } else { a })
        })?,
        Primitive::Min => numeric(&|v, rows| {
            rows.iter()
                .map(|&r| v[r as usize])
                .filter(|x| !x.is_nan())
                .fold(f64::NAN, |a, b| if a.is_nan() || b < a { b } else { a })
        })?,
        Primitive::Median => numeric(&|v, rows| {
            let mut x: Vec<f64> = rows
                .iter()
                .map(|&r| v[r as usize])
                .filter(|x| !x.is_nan())
                .collect();
            if x.is_empty() {
                return f64::NAN;
            }
            x.sort_by(f64::total_cmp);
            let m = x.len() / 2;
            if x.len() % 2 == 1 {
                x[m]
            } else {
                (x[m - 1] + x[m]) / 2.0
            }
        })?,
        Primitive::PercentTrue => {
            let vals = to_f64(input)?;
            // `s.fillna(False).mean()`: missing counts as False in the denominator.
            float_out(
                (0..g)
                    .map(|i| {
                        let rows = groups.get(i);
                        if rows.is_empty() {
                            return f64::NAN;
                        }
                        rows.iter().filter(|&&r| vals[r as usize] == 1.0).count() as f64
                            / rows.len() as f64
                    })
                    .collect(),
            )
        }
        Primitive::NumTrue => {
            let vals = to_f64(input)?;
            Arc::new(Int64Array::from_iter_values((0..g).map(|i| {
                groups
                    .get(i)
                    .iter()
                    .filter(|&&r| vals[r as usize] == 1.0)
                    .count() as i64
            })))
        }
        Primitive::NumUnique => {
            let ranked = rank(input)?;
            let mut counter = Counter::new(ranked.values.len());
            // An empty group has no value (default NaN); a group of missing values has 0.
            Arc::new(Int64Array::from_iter((0..g).map(|i| {
                let rows = groups.get(i);
                counter.count(rows.iter().map(|&r| ranked.ranks[r as usize]));
                (!rows.is_empty()).then_some(counter.distinct.len() as i64)
            })))
        }
        Primitive::Mode | Primitive::NMostCommon { .. } => {
            let n_out = p.outputs();
            let ranked = rank(input)?;
            let mut outs: Vec<Vec<Option<u32>>> = vec![Vec::with_capacity(g); n_out];
            let mut counter = Counter::new(ranked.values.len());
            let mut counts: Vec<(u32, usize)> = Vec::new();
            for i in 0..g {
                counter.count(groups.get(i).iter().map(|&r| ranked.ranks[r as usize]));
                counts.clear();
                counts.extend(
                    counter
                        .distinct
                        .iter()
                        .map(|&v| (v, counter.counts[v as usize] as usize)),
                );
                // Most frequent first; ties go to the smaller value (`Series.mode` sorts its result).
                counts.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                for (k, out) in outs.iter_mut().enumerate() {
                    out.push(counts.get(k).map(|c| c.0));
                }
            }
            return outs.into_iter().map(|o| ranked.decode(o)).collect();
        }
        other => return Err(format!("{other:?} is not an aggregation primitive")),
    };
    Ok(vec![out])
}

fn timestamps(a: &ArrayRef) -> Result<Vec<Option<i64>>, String> {
    match a.data_type() {
        DataType::Timestamp(_, _) => {
            let t = a.as_primitive::<TimestampNanosecondType>();
            Ok((0..t.len())
                .map(|i| t.is_valid(i).then(|| t.value(i)))
                .collect())
        }
        other => Err(format!("datetime input expected, found {other}")),
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

fn strings(a: &ArrayRef) -> Result<Vec<Option<String>>, String> {
    let text = arrow_cast::cast(a, &DataType::Utf8).map_err(|e| e.to_string())?;
    Ok(text
        .as_string::<i32>()
        .iter()
        .map(|v| v.map(str::to_string))
        .collect())
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

fn booleans(a: &ArrayRef) -> Result<BooleanArray, String> {
    arrow_cast::cast(a, &DataType::Boolean)
        .map(|x| x.as_boolean().clone())
        .map_err(|e| e.to_string())
}

/// Computes a transform primitive row by row. `times` holds each row's cutoff time (for AGE).
pub fn transform(p: &Primitive, inputs: &[ArrayRef], times: &[i64]) -> Result<ArrayRef, String> {
    let a = inputs.first().ok_or("transform without input")?;
    let b = || {
        inputs
            .get(1)
            .ok_or_else(|| format!("{p:?} takes two inputs"))
    };
    Ok(match p {
        Primitive::Day => datepart(a, |t| t.day() as i64)?,
        Primitive::Month => datepart(a, |t| t.month() as i64)?,
        Primitive::Year => datepart(a, |t| t.year() as i64)?,
        Primitive::Weekday => datepart(a, |t| t.weekday().num_days_from_monday() as i64)?,
        Primitive::Hour => datepart(a, |t| t.hour() as i64)?,
        Primitive::Minute => datepart(a, |t| t.minute() as i64)?,
        Primitive::Second => datepart(a, |t| t.second() as i64)?,
        Primitive::Age => {
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
        Primitive::NumCharacters => Arc::new(
            strings(a)?
                .into_iter()
                .map(|v| v.map(|s| s.chars().count() as i64))
                .collect::<Int64Array>(),
        ),
        Primitive::NumWords => {
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
        Primitive::Haversine { kilometers } => {
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
        Primitive::IsNull => Arc::new(BooleanArray::from(
            (0..a.len()).map(|i| a.is_null(i)).collect::<Vec<_>>(),
        )),
        Primitive::Not => {
            Arc::new(arrow_arith::boolean::not(&booleans(a)?).map_err(|e| e.to_string())?)
        }
        Primitive::And => Arc::new(
            arrow_arith::boolean::and_kleene(&booleans(a)?, &booleans(b()?)?)
                .map_err(|e| e.to_string())?,
        ),
        Primitive::Or => Arc::new(
            arrow_arith::boolean::or_kleene(&booleans(a)?, &booleans(b()?)?)
                .map_err(|e| e.to_string())?,
        ),
        Primitive::EqualScalar(s) => compare_scalar(a, s, false)?,
        Primitive::NotEqualScalar(s) => compare_scalar(a, s, true)?,
        Primitive::GreaterThanScalar(x) => compare_scalar_ord(a, *x, |p, q| p > q)?,
        Primitive::GreaterThanEqualToScalar(x) => compare_scalar_ord(a, *x, |p, q| p >= q)?,
        Primitive::LessThanScalar(x) => compare_scalar_ord(a, *x, |p, q| p < q)?,
        Primitive::LessThanEqualToScalar(x) => compare_scalar_ord(a, *x, |p, q| p <= q)?,
        Primitive::Equal => compare_two(a, b()?, |p, q| p == q, false)?,
        Primitive::NotEqual => compare_two(a, b()?, |p, q| p != q, true)?,
        Primitive::GreaterThan => compare_two(a, b()?, |p, q| p > q, false)?,
        Primitive::GreaterThanEqualTo => compare_two(a, b()?, |p, q| p >= q, false)?,
        Primitive::LessThan => compare_two(a, b()?, |p, q| p < q, false)?,
        Primitive::LessThanEqualTo => compare_two(a, b()?, |p, q| p <= q, false)?,
        other => return Err(format!("{other:?} is not a transform primitive")),
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

    #[test]
    fn n_most_common_needs_a_positive_whole_n() {
        // Found while fixing the huge n of fuzz/features_json: 0, -5 and 2.5 were taken as 0, 0 and 2.
        for n in [0.0, -5.0, 2.5] {
            let def = serde_json::json!({"type": "NMostCommon", "arguments": {"n": n}});
            let e = Primitive::from_definition(&def).unwrap_err();
            assert!(
                e.contains("'n' must be a positive whole number"),
                "{n}: {e}"
            );
        }
        let def = serde_json::json!({"type": "NMostCommon", "arguments": {"n": 2}});
        assert_eq!(Primitive::from_definition(&def).unwrap().outputs(), 2);
    }

    fn groups(sizes: &[usize]) -> Groups {
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

    fn f(vals: &[Option<f64>]) -> ArrayRef {
        Arc::new(Float64Array::from(vals.to_vec()))
    }

    fn floats(a: &ArrayRef) -> Vec<Option<f64>> {
        a.as_primitive::<Float64Type>().iter().collect()
    }

    #[test]
    fn std_is_sample_std_and_single_row_is_nan() {
        let a = f(&[Some(1.0), Some(2.0), Some(4.0), Some(5.0)]);
        let out = aggregate(&Primitive::Std, &[a], &groups(&[3, 1, 0])).unwrap();
        let v = floats(&out[0]);
        assert!((v[0].unwrap() - 1.527525231651947).abs() < 1e-12);
        assert_eq!(v[1], None);
        assert_eq!(v[2], None);
    }

    #[test]
    fn skew_matches_pandas() {
        // pd.Series([1, 2, 4, 8]).skew() == 1.1376243669576889 ; fewer than 3 → NaN
        let a = f(&[
            Some(1.0),
            Some(2.0),
            Some(4.0),
            Some(8.0),
            Some(3.0),
            Some(3.0),
            Some(3.0),
        ]);
        let out = aggregate(&Primitive::Skew, &[a], &groups(&[4, 3])).unwrap();
        let v = floats(&out[0]);
        assert!((v[0].unwrap() - 1.1376243669576889).abs() < 1e-12);
        assert_eq!(v[1], Some(0.0));
        let a = f(&[Some(1.0), Some(2.0)]);
        assert_eq!(
            floats(&aggregate(&Primitive::Skew, &[a], &groups(&[2])).unwrap()[0]),
            vec![None]
        );
    }

    #[test]
    fn nan_is_skipped_and_all_nan_sums_to_zero() {
        let a = f(&[Some(1.0), None, Some(3.0), None, None]);
        let g = groups(&[3, 2, 0]);
        assert_eq!(
            floats(&aggregate(&Primitive::Sum, std::slice::from_ref(&a), &g).unwrap()[0]),
            vec![Some(4.0), Some(0.0), Some(0.0)]
        );
        assert_eq!(
            floats(
                &aggregate(
                    &Primitive::Mean { skipna: true },
                    std::slice::from_ref(&a),
                    &g
                )
                .unwrap()[0]
            ),
            vec![Some(2.0), None, None]
        );
        assert_eq!(
            floats(&aggregate(&Primitive::Max, std::slice::from_ref(&a), &g).unwrap()[0]),
            vec![Some(3.0), None, None]
        );
        assert_eq!(
            floats(&aggregate(&Primitive::Min, std::slice::from_ref(&a), &g).unwrap()[0]),
            vec![Some(1.0), None, None]
        );
        let c = aggregate(&Primitive::Count, &[a], &g).unwrap();
        assert_eq!(
            c[0].as_primitive::<Int64Type>().values().to_vec(),
            vec![2, 0, 0]
        );
    }

    #[test]
    fn mode_ties_go_to_the_smallest_value() {
        let s: ArrayRef = Arc::new(arrow_array::StringArray::from(vec![
            Some("m"),
            Some("d"),
            Some("m"),
            Some("d"),
            None,
            None,
        ]));
        let out = aggregate(&Primitive::Mode, std::slice::from_ref(&s), &groups(&[4, 2])).unwrap();
        let v: Vec<Option<&str>> = out[0].as_string::<i32>().iter().collect();
        assert_eq!(v, vec![Some("d"), None]);
        let u = aggregate(&Primitive::NumUnique, &[s], &groups(&[4, 2])).unwrap();
        assert_eq!(
            u[0].as_primitive::<Int64Type>().iter().collect::<Vec<_>>(),
            vec![Some(2), Some(0)]
        );
        let empty = aggregate(
            &Primitive::NumUnique,
            &[Arc::new(Int64Array::from(Vec::<i64>::new())) as ArrayRef],
            &groups(&[0]),
        )
        .unwrap();
        assert_eq!(empty[0].null_count(), 1);
        let i: ArrayRef = Arc::new(Int64Array::from(vec![10, 2, 10, 2, 7]));
        let out = aggregate(&Primitive::Mode, &[i], &groups(&[5])).unwrap();
        assert_eq!(out[0].as_primitive::<Int64Type>().value(0), 2);
    }

    #[test]
    fn single_rows_and_all_missing_groups() {
        let a = f(&[Some(5.0), None, None]);
        let g = groups(&[1, 2]);
        let get = |p: Primitive| floats(&aggregate(&p, std::slice::from_ref(&a), &g).unwrap()[0]);
        assert_eq!(get(Primitive::Mean { skipna: true }), vec![Some(5.0), None]);
        assert_eq!(get(Primitive::Std), vec![None, None]);
        assert_eq!(get(Primitive::Skew), vec![None, None]);
        assert_eq!(get(Primitive::Max), vec![Some(5.0), None]);
        assert_eq!(get(Primitive::Median), vec![Some(5.0), None]);
        let m = aggregate(&Primitive::Mode, std::slice::from_ref(&a), &g).unwrap();
        assert_eq!(floats(&m[0]), vec![Some(5.0), None]);
    }

    #[test]
    fn n_most_common_fills_missing_places() {
        let s: ArrayRef = Arc::new(arrow_array::StringArray::from(vec![
            Some("b"),
            Some("a"),
            Some("b"),
            None,
        ]));
        let out = aggregate(&Primitive::NMostCommon { n: 3 }, &[s], &groups(&[4])).unwrap();
        let firsts: Vec<Option<&str>> = out
            .iter()
            .map(|a| a.as_string::<i32>().iter().next().flatten())
            .collect();
        assert_eq!(firsts, vec![Some("b"), Some("a"), None]);
    }

    #[test]
    fn age_rounds_days_down() {
        const DAY: i64 = 86_400_000_000_000;
        let dob: ArrayRef = Arc::new(arrow_array::TimestampNanosecondArray::from(vec![
            Some(0),
            None,
        ]));
        let out = transform(&Primitive::Age, &[dob], &[365 * DAY + DAY / 2, 0]).unwrap();
        assert_eq!(floats(&out), vec![Some(1.0), None]);
    }

    /// Regression: contributions concatenated from several parts carry the category list twice;
    /// MODE and NUM_UNIQUE counted the two copies of a value as different values.
    #[test]
    fn duplicated_dictionary_values_count_as_one_value() {
        let values: ArrayRef = Arc::new(arrow_array::StringArray::from(vec!["a", "b", "a", "b"]));
        let keys = arrow_array::Int32Array::from(vec![0, 1, 2, 2, 3]);
        let d: ArrayRef = Arc::new(DictionaryArray::<Int32Type>::try_new(keys, values).unwrap());
        let u = aggregate(
            &Primitive::NumUnique,
            std::slice::from_ref(&d),
            &groups(&[5]),
        )
        .unwrap();
        assert_eq!(u[0].as_primitive::<Int64Type>().value(0), 2);
        let m = aggregate(&Primitive::Mode, std::slice::from_ref(&d), &groups(&[5])).unwrap();
        assert_eq!(crate::matrix::cell(&m[0], 0), "a");
    }

    #[test]
    fn percent_true_counts_missing_as_false() {
        let b: ArrayRef = Arc::new(BooleanArray::from(vec![
            Some(true),
            None,
            Some(false),
            Some(true),
        ]));
        let out = aggregate(
            &Primitive::PercentTrue,
            std::slice::from_ref(&b),
            &groups(&[4]),
        )
        .unwrap();
        assert_eq!(floats(&out[0]), vec![Some(0.5)]);
        let out = aggregate(&Primitive::NumTrue, &[b], &groups(&[4])).unwrap();
        assert_eq!(out[0].as_primitive::<Int64Type>().value(0), 2);
    }

    #[test]
    fn num_words_and_characters() {
        let s: ArrayRef = Arc::new(arrow_array::StringArray::from(vec![
            Some("a  b, c !"),
            None,
            Some(""),
        ]));
        let w = transform(&Primitive::NumWords, std::slice::from_ref(&s), &[0, 0, 0]).unwrap();
        assert_eq!(
            w.as_primitive::<Int64Type>().iter().collect::<Vec<_>>(),
            vec![Some(3), None, Some(0)]
        );
        let c = transform(&Primitive::NumCharacters, &[s], &[0, 0, 0]).unwrap();
        assert_eq!(
            c.as_primitive::<Int64Type>().iter().collect::<Vec<_>>(),
            vec![Some(9), None, Some(0)]
        );
    }

    #[test]
    fn unknown_primitive_names_itself_and_lists_the_implemented() {
        let e = Primitive::from_definition(
            &serde_json::json!({"type": "Trend", "module": "m", "arguments": {}}),
        )
        .unwrap_err();
        assert!(e.contains("'Trend'") && e.contains("NumUnique"), "{e}");
    }
}
