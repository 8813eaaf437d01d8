//! The featuretools primitives ftpart implements, found by the class name a feature file saves
//! (`featuretools/primitives/utils.py::serialize_primitive`), as featuretools finds them.
//!
//! A primitive is its module, its class and its arguments: a definition is checked against the
//! catalogue of featuretools 1.31's primitives ([`catalog::KNOWN`]) before ftpart's
//! implementation is looked up in the registry ([`registry`]), so a user's own class that
//! shares a name with a built-in one, or an argument ftpart does not know, is refused by name.
//!
//! Each implementation is one value of a trait: [`agg::Aggregation`] gives the batch kernel
//! (every path: in process, in a part, across parts, under training windows; the sweep across
//! parts falls back to it where a primitive has no running accumulator) and
//! [`trans::Transform`] the column kernel. Families live in one file each under `agg/` and
//! `trans/`, with their registry entries next to them.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, Int64Type, TimestampNanosecondType};
use arrow_array::{Array, ArrayRef, BooleanArray, DictionaryArray, Float64Array, UInt32Array};
use arrow_schema::DataType;
use serde_json::Value;

pub mod agg;
pub mod catalog;
pub mod registry;
pub mod trans;

pub use registry::Args;
pub use trans::Scalar;

/// A primitive as a feature file defines it, with ftpart's implementation of it.
#[derive(Clone)]
pub struct Primitive {
    known: &'static catalog::Known,
    args: serde_json::Map<String, Value>,
    imp: Implementation,
}

/// What computes a primitive.
#[derive(Clone)]
pub enum Implementation {
    /// An aggregation primitive.
    Aggregation(Arc<dyn agg::Aggregation>),
    /// A transform primitive.
    Transform(Arc<dyn trans::Transform>),
}

impl std::fmt::Debug for Primitive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.known.class)?;
        if !self.args.is_empty() {
            let args: Vec<String> = self.args.iter().map(|(k, v)| format!("{k}={v}")).collect();
            write!(f, "({})", args.join(", "))?;
        }
        Ok(())
    }
}

impl PartialEq for Primitive {
    fn eq(&self, other: &Self) -> bool {
        self.known.class == other.known.class && self.args == other.args
    }
}

impl Primitive {
    /// Parses a `primitive_definitions` entry (`{"type", "module", "arguments"}`).
    pub fn from_definition(def: &Value) -> Result<Self, String> {
        registry::parse(def)
    }

    /// featuretools' primitive `class` (its own module) with `args` as a feature file saves them.
    pub fn featuretools(class: &str, args: Value) -> Result<Self, String> {
        let known = registry::known(class)
            .ok_or_else(|| format!("'{class}' is not a featuretools 1.31 primitive"))?;
        registry::parse(&serde_json::json!({
            "type": class, "module": known.module, "arguments": args}))
    }

    /// The definition as a feature file saves it.
    pub fn definition(&self) -> Value {
        serde_json::json!({
            "type": self.known.class,
            "module": self.known.module,
            "arguments": Value::Object(self.args.clone()),
        })
    }

    /// The class name (`Count`).
    pub fn class(&self) -> &'static str {
        self.known.class
    }

    /// The implementation.
    pub fn implementation(&self) -> &Implementation {
        &self.imp
    }

    /// The aggregation, when it is one.
    pub fn aggregation(&self) -> Option<&dyn agg::Aggregation> {
        match &self.imp {
            Implementation::Aggregation(a) => Some(a.as_ref()),
            Implementation::Transform(_) => None,
        }
    }

    /// The transform, when it is one.
    pub fn transform(&self) -> Option<&dyn trans::Transform> {
        match &self.imp {
            Implementation::Transform(t) => Some(t.as_ref()),
            Implementation::Aggregation(_) => None,
        }
    }

    /// Whether this is an aggregation primitive.
    pub fn is_aggregation(&self) -> bool {
        self.aggregation().is_some()
    }

    /// Number of inputs the primitive takes.
    pub fn arity(&self) -> usize {
        match &self.imp {
            Implementation::Aggregation(a) => a.arity(),
            Implementation::Transform(t) => t.arity(),
        }
    }

    /// Number of output columns.
    pub fn outputs(&self) -> usize {
        match &self.imp {
            Implementation::Aggregation(a) => a.outputs(),
            Implementation::Transform(_) => 1,
        }
    }

    /// featuretools' `default_value` (from the catalogue).
    pub fn default_value(&self) -> Default {
        self.known.default
    }

    /// featuretools' `return_type` (from the catalogue).
    pub fn returns(&self) -> Returns {
        self.known.returns
    }

    /// The order of an `Ordinal` return type, when it is a range of integers
    /// (`Day`: `Ordinal(order=range(1, 32))` is `(1, 31)`).
    pub fn ordinal_range(&self) -> Option<(i64, i64)> {
        self.known.ordinal
    }

    /// Whether a transform reads the other rows of its frame (see [`trans::Transform::reads_frame`]).
    pub fn reads_frame(&self) -> bool {
        self.transform().is_some_and(|t| t.reads_frame())
    }

    /// Whether a transform takes the dataframe's index as a last input (see
    /// [`trans::Transform::reads_index`]).
    pub fn reads_index(&self) -> bool {
        self.transform().is_some_and(|t| t.reads_index())
    }

    /// Whether a transform reads the whole dataframe (`uses_full_dataframe`).
    pub fn uses_full_dataframe(&self) -> bool {
        self.transform().is_some() && self.known.full_dataframe
    }

    /// Whether the aggregation's value depends on the order of the child rows (see
    /// [`agg::Aggregation::order_dependent`]).
    pub fn order_dependent(&self) -> bool {
        self.aggregation().is_some_and(|a| a.order_dependent())
    }

    /// Whether the aggregation reads its input as numbers (see [`to_f64`]).
    pub fn numeric_input(&self) -> bool {
        self.aggregation().is_some_and(|a| a.numeric_input())
    }

    /// Whether a transform reads each row's cutoff time (`uses_calc_time`: AGE, TIME_SINCE).
    pub fn uses_cutoff(&self) -> bool {
        self.transform().is_some_and(|t| t.uses_cutoff())
    }

    /// How pandas holds the feature's output(s), given how it holds the inputs (see
    /// [`trans::Transform::dtype`], [`agg::Aggregation::dtype`]).
    pub fn dtype(&self, inputs: &[Dtype]) -> Dtype {
        match &self.imp {
            Implementation::Aggregation(a) => a.dtype(inputs),
            Implementation::Transform(t) => t.dtype(inputs),
        }
    }

    /// The running accumulator of the sweep across parts, for the aggregations that have one.
    pub fn running(&self) -> Option<agg::Builtin> {
        self.aggregation().and_then(|a| a.running())
    }
}

impl serde::Serialize for Primitive {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.definition().to_string())
    }
}

impl<'de> serde::Deserialize<'de> for Primitive {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let def: Value = serde_json::from_str(&text).map_err(serde::de::Error::custom)?;
        Primitive::from_definition(&def).map_err(serde::de::Error::custom)
    }
}

/// Computes an aggregation primitive over groups of input rows. Returns one array per output.
pub fn aggregate(
    p: &Primitive,
    inputs: &[ArrayRef],
    groups: &Groups,
) -> Result<Vec<ArrayRef>, String> {
    aggregate_at(p, inputs, groups, None, &[])
}

/// [`aggregate`] with the input already converted by [`to_f64`] (shared between aggregations)
/// and each group's cutoff time (`times`, one per group; empty where no primitive reads it).
pub fn aggregate_at(
    p: &Primitive,
    inputs: &[ArrayRef],
    groups: &Groups,
    numeric: Option<&[f64]>,
    times: &[i64],
) -> Result<Vec<ArrayRef>, String> {
    let a = p
        .aggregation()
        .ok_or_else(|| format!("{p:?} is not an aggregation primitive"))?;
    if inputs.len() < a.arity() {
        return Err(format!(
            "{p:?} takes {} inputs, got {}",
            a.arity(),
            inputs.len()
        ));
    }
    if a.uses_time() && times.len() != groups.len() {
        return Err(format!("{p:?} needs each group's cutoff time"));
    }
    a.batch(&agg::AggInput {
        inputs,
        groups,
        numeric,
        times,
    })
}

/// Computes a transform primitive row by row. `dtypes` says how pandas holds each input (see
/// [`Dtype`]); `times` holds each row's cutoff time (for the primitives that read it, see
/// [`Primitive::uses_cutoff`]).
pub fn transform(
    p: &Primitive,
    inputs: &[ArrayRef],
    dtypes: &[Dtype],
    times: &[i64],
) -> Result<ArrayRef, String> {
    let t = p
        .transform()
        .ok_or_else(|| format!("{p:?} is not a transform primitive"))?;
    if inputs.len() < t.arity() {
        return Err(format!(
            "{p:?} takes {} inputs, got {}",
            t.arity(),
            inputs.len()
        ));
    }
    if dtypes.len() != inputs.len() {
        return Err(format!(
            "{p:?}: {} inputs, {} dtypes",
            inputs.len(),
            dtypes.len()
        ));
    }
    t.transform(inputs, dtypes, times)
}

/// How pandas holds a feature's column, as far as a kernel's semantics depend on it: a
/// property of the feature (the input columns' woodwork logical types, then what pandas'
/// operations return on those dtypes), never of the rows at hand. ftpart holds integers as
/// Int64 and booleans as Boolean arrays whichever dtype pandas has: a missing value compares as
/// NA and `Int64 % 0` is 0 in a masked array, where numpy's missing value (NaN, after a merge
/// or a shift) compares False and `int64 % 0` is NaN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Dtype {
    /// numpy (`int64`, `float64`, `bool`, `datetime64[ns]`, object) or categorical.
    #[default]
    Numpy,
    /// A masked extension array: `Int64` (IntegerNullable), `Float64`, `boolean`
    /// (BooleanNullable).
    Masked,
    /// pandas' `string` dtype (NaturalLanguage and woodwork's other text types).
    String,
}

impl Dtype {
    /// [`Dtype::Masked`] when `masked`, else [`Dtype::Numpy`].
    pub fn masked_if(masked: bool) -> Dtype {
        if masked {
            Dtype::Masked
        } else {
            Dtype::Numpy
        }
    }
}

/// What a primitive's output is (featuretools' `return_type`, from the catalogue).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Returns {
    /// The type of its (first) input (`return_type = None`: FIRST, LAST, MODE, LAG...).
    Input,
    /// A woodwork logical type, by class name (`Double`, `Datetime`, `Categorical`...).
    Logical(&'static str),
    /// Only a semantic tag (`numeric`, `category`).
    Tag(&'static str),
}

impl Returns {
    /// Whether the output can be a datetime column: a `Datetime`, or the input's type.
    pub fn may_be_datetime(self) -> bool {
        matches!(self, Returns::Input | Returns::Logical("Datetime"))
    }

    /// Whether the output can be text (which ftpart may hold as Arrow Utf8): anything but
    /// numbers, booleans, datetimes and time deltas.
    pub fn may_be_text(self) -> bool {
        match self {
            Returns::Input => true,
            Returns::Tag(t) => t != "numeric",
            Returns::Logical(l) => !matches!(
                l,
                "Double"
                    | "Integer"
                    | "IntegerNullable"
                    | "Boolean"
                    | "BooleanNullable"
                    | "Datetime"
                    | "Timedelta"
                    | "Age"
                    | "AgeNullable"
                    | "AgeFractional"
            ),
        }
    }
}

/// A feature's default value (featuretools' `default_value`). `_calculate_agg_features` fills
/// every missing value of an aggregation's column with it (`frame.fillna(fillna_dict)`): the
/// instances without child rows and the groups whose value is NaN alike.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Default {
    /// NaN / NA.
    Null,
    /// Zero.
    Zero,
    /// True or False (boolean outputs).
    Bool(bool),
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
pub(crate) struct Ranked {
    pub(crate) ranks: Vec<u32>,
    pub(crate) values: ArrayRef,
    dict: bool,
}

pub(crate) fn rank(a: &ArrayRef) -> Result<Ranked, String> {
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
    // pandas hashes -0.0 and 0.0 as one value (value_counts, nunique, mode, groupby keys);
    // arrow's float order tells them apart.
    let zeroed: ArrayRef;
    let a = match a.as_primitive_opt::<arrow_array::types::Float64Type>() {
        Some(f) if f.values().iter().any(|x| *x == 0.0 && x.is_sign_negative()) => {
            zeroed = Arc::new(f.unary::<_, arrow_array::types::Float64Type>(|x| {
                if x == 0.0 {
                    0.0
                } else {
                    x
                }
            }));
            &zeroed
        }
        _ => a,
    };
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
    pub(crate) fn decode(&self, ranks: Vec<Option<u32>>) -> Result<ArrayRef, String> {
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
pub(crate) struct Counter {
    pub(crate) counts: Vec<u32>,
    pub(crate) distinct: Vec<u32>,
}

impl Counter {
    pub(crate) fn new(values: usize) -> Self {
        Counter {
            counts: vec![0; values],
            distinct: Vec::new(),
        }
    }
    pub(crate) fn count(&mut self, ranks: impl Iterator<Item = u32>) {
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

/// pandas' `Timedelta.total_seconds()` of `ns` nanoseconds: `days * 86400 + seconds +
/// microseconds / 1e6` of the normalised (floored) days, seconds and microseconds, so the
/// nanoseconds below a microsecond are dropped towards minus infinity.
pub(crate) fn timedelta_total_seconds(ns: i64) -> f64 {
    const DAY: i64 = 86_400_000_000_000;
    let days = ns.div_euclid(DAY);
    let rest = ns.rem_euclid(DAY);
    let seconds = rest / 1_000_000_000;
    let micros = (rest % 1_000_000_000) / 1000;
    (days * 86400 + seconds) as f64 + micros as f64 / 1e6
}

pub(crate) fn float_out(v: Vec<f64>) -> ArrayRef {
    Arc::new(
        v.into_iter()
            .map(|x| (!x.is_nan()).then_some(x))
            .collect::<Float64Array>(),
    )
}

pub(crate) fn timestamps(a: &ArrayRef) -> Result<Vec<Option<i64>>, String> {
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

pub(crate) fn strings(a: &ArrayRef) -> Result<Vec<Option<String>>, String> {
    let text = arrow_cast::cast(a, &DataType::Utf8).map_err(|e| e.to_string())?;
    Ok(text
        .as_string::<i32>()
        .iter()
        .map(|v| v.map(str::to_string))
        .collect())
}

pub(crate) fn booleans(a: &ArrayRef) -> Result<BooleanArray, String> {
    arrow_cast::cast(a, &DataType::Boolean)
        .map(|x| x.as_boolean().clone())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
pub(crate) mod test_util {
    use super::{Dtype, Primitive};
    use arrow_array::{Array, ArrayRef};
    use arrow_schema::DataType;

    /// How pandas would hold a test's input array when it is read as featuretools reads it
    /// (woodwork infers IntegerNullable / BooleanNullable for a column with missing values):
    /// an Int64 or Boolean array with missing values is masked, text is pandas' string dtype.
    pub fn inferred(a: &ArrayRef) -> Dtype {
        match a.data_type() {
            DataType::Int64 | DataType::Boolean if a.null_count() > 0 => Dtype::Masked,
            DataType::Utf8 => Dtype::String,
            _ => Dtype::Numpy,
        }
    }

    /// [`super::transform`] with each input's [`inferred`] dtype.
    pub fn transform(
        p: &Primitive,
        inputs: &[ArrayRef],
        times: &[i64],
    ) -> Result<ArrayRef, String> {
        let dtypes: Vec<Dtype> = inputs.iter().map(inferred).collect();
        super::transform(p, inputs, &dtypes, times)
    }

    /// featuretools' primitive `class` with its default arguments.
    pub fn prim(class: &str) -> Primitive {
        prim_with(class, serde_json::json!({}))
    }

    /// featuretools' primitive `class` with `args`.
    pub fn prim_with(class: &str, args: serde_json::Value) -> Primitive {
        Primitive::featuretools(class, args).expect("a valid definition")
    }
}

#[cfg(test)]
mod tests {
    use super::test_util::prim;
    use super::*;

    #[test]
    fn negative_zero_counts_as_zero_as_pandas_hashes_it() {
        // NEGATE(0) is -0.0. pandas.Series([0.0, -0.0, 1.0, -0.0]): nunique 2, mode 0.0,
        // value_counts {0.0: 3, 1.0: 1} (featuretools' NumUnique, Mode, NMostCommonFrequency).
        let x: ArrayRef = Arc::new(Float64Array::from(vec![0.0, -0.0, 1.0, -0.0]));
        let groups = Groups {
            offsets: vec![0, 4],
            rows: vec![0, 1, 2, 3],
            ranges: None,
        };
        let one = |class: &str| {
            let out = aggregate(&prim(class), std::slice::from_ref(&x), &groups).unwrap();
            to_f64(&out[0]).unwrap()[0]
        };
        assert_eq!(one("NumUnique"), 2.0);
        assert_eq!(one("Mode"), 0.0);
        assert_eq!(one("NMostCommonFrequency"), 3.0);
        assert_eq!(rank_codes(&x).unwrap(), vec![0, 0, 1, 0]);
    }
}
