//! featuretools' pandas dtypes for the columns of a feature matrix, and the `pandas` schema
//! metadata pyarrow writes, so that a Parquet or Arrow file ftpart writes reads back with
//! `pd.read_parquet` / `pd.read_feather` as featuretools' matrix.
//!
//! featuretools types its matrix with woodwork (`calculate_feature_matrix.py`:
//! `get_ww_types_from_features` then `init_ww_and_concat_fm`): each column gets its feature's
//! `column_schema` logical type (a primitive's `return_type`, an identity feature's column's, a
//! numeric schema without one is `Double`), and `Age`, `Boolean`, `Integer` columns holding a
//! missing value become `AgeNullable`, `BooleanNullable`, `IntegerNullable`. Woodwork then casts
//! each column to its type's dtype: `float64`, `int64` / `Int64`, `bool` / `boolean`, an ordered
//! categorical of the order for `Ordinal`, `string` for text. A categorical feature keeps the
//! categories of the column it takes its values from (pandas keeps a categorical's dtype through
//! a merge, `mode`, `first`...), of their type: integers, floats, booleans or text
//! ([`crate::schema::CategoryKind`]).
//!
//! ftpart computes with its own array types (an integer feature may be `Int64` where featuretools
//! holds `float64`, categories are text); [`MatrixTypes::apply`] casts the matrix to
//! featuretools' types and describes them in the `pandas` metadata. The CSV output does not go
//! through it: its text is the same either way.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, Int64Type};
use arrow_array::{
    Array, ArrayRef, BooleanArray, DictionaryArray, Float64Array, Int32Array, Int64Array,
    RecordBatch,
};
use arrow_schema::{DataType, Field, Schema};
use serde_json::{json, Value};

use crate::cutoff::Cutoff;
use crate::error::{Error, Result};
use crate::features::{FeatureGraph, Kind};
use crate::matrix::MatrixOptions;
use crate::primitives::Returns;
use crate::schema::{CategoryKind, EntitySetSchema, LogicalType};

/// How pandas holds one column of featuretools' matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PandasType {
    /// `float64`.
    Float64,
    /// `int64`.
    Int64,
    /// `Int64` (masked).
    IntegerNullable,
    /// `bool`.
    Bool,
    /// `boolean` (masked).
    BooleanNullable,
    /// `datetime64[ns]`.
    Datetime,
    /// `timedelta64[ns]`.
    Timedelta,
    /// A categorical (the Arrow column is a dictionary, its values the categories).
    Category,
    /// pandas' `string` dtype.
    String,
    /// Python objects (text in a numpy object column).
    Object,
}

impl PandasType {
    /// (`pandas_type`, `numpy_type`) of the `pandas` metadata, as pyarrow 17 writes them.
    fn metadata_types(self) -> (&'static str, &'static str) {
        match self {
            PandasType::Float64 => ("float64", "float64"),
            PandasType::Int64 => ("int64", "int64"),
            PandasType::IntegerNullable => ("int64", "Int64"),
            PandasType::Bool => ("bool", "bool"),
            PandasType::BooleanNullable => ("bool", "boolean"),
            PandasType::Datetime => ("datetime", "datetime64[ns]"),
            PandasType::Timedelta => ("object", "timedelta64[ns]"),
            PandasType::Category => ("categorical", "int32"),
            PandasType::String => ("unicode", "string"),
            PandasType::Object => ("unicode", "object"),
        }
    }
}

/// A feature's woodwork logical type in featuretools' matrix, as far as its dtype goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Logical {
    Double,
    Integer,
    IntegerNullable,
    Boolean,
    BooleanNullable,
    Categorical,
    /// An ordered category: a primitive's integer range, or the source column's categories.
    Ordinal(Option<(i64, i64)>),
    Text,
    /// Whatever the values' Arrow type says (datetimes, timedeltas, LatLong text, woodwork's
    /// inference).
    AsIs,
}

/// The categories of a categorical column: values (Int64, Float64, Boolean or Utf8) in
/// category order.
struct Categories {
    values: ArrayRef,
    ordered: bool,
}

/// Types a matrix of these features as featuretools does (see the module docs).
pub struct MatrixTypes<'a> {
    schema: &'a EntitySetSchema,
    graph: &'a FeatureGraph,
    labels: Vec<String>,
    in_index: bool,
}

impl<'a> MatrixTypes<'a> {
    /// The types of the matrix `calculate_feature_matrix(graph, cutoff, opts)` computes.
    pub fn new(
        schema: &'a EntitySetSchema,
        graph: &'a FeatureGraph,
        cutoff: &Cutoff,
        opts: &MatrixOptions,
    ) -> Self {
        let labels = match cutoff {
            Cutoff::Table(t) => t.extra.iter().map(|(n, _)| n.clone()).collect(),
            _ => Vec::new(),
        };
        MatrixTypes::with_labels(schema, graph, labels, opts.cutoff_time_in_index)
    }

    /// The types of a matrix whose cutoff table had these label columns, `in_index` when the
    /// cutoff time is kept in the index (a pool's matrix, typed by its client).
    pub fn with_labels(
        schema: &'a EntitySetSchema,
        graph: &'a FeatureGraph,
        labels: Vec<String>,
        in_index: bool,
    ) -> Self {
        MatrixTypes {
            schema,
            graph,
            labels,
            in_index,
        }
    }

    /// The matrix with featuretools' column types and the `pandas` schema metadata (index
    /// columns, each column's dtype, categoricals' order). An index whose name is also a
    /// column's (the target's index requested as a feature) is stored as
    /// `__index_level_N__`, as pyarrow stores it.
    pub fn apply(&self, batch: &RecordBatch) -> Result<RecordBatch> {
        let names: Vec<String> = batch
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        let typing = self.columns(names)?;
        let mut typed = Vec::with_capacity(batch.num_columns());
        let mut arrays = Vec::with_capacity(batch.num_columns());
        for (i, col) in batch.columns().iter().enumerate() {
            let (array, column) = typing.column(i, col)?;
            arrays.push(array);
            typed.push(column);
        }
        RecordBatch::try_new(typing.schema(typed), arrays)
            .map_err(|e| Error::arrow("typing the feature matrix", e))
    }

    /// The typing of a matrix with these column names, one column at a time
    /// ([`ColumnTypes::column`]) and then its schema ([`ColumnTypes::schema`]): what
    /// [`MatrixTypes::apply`] does, for a writer that holds one column at a time.
    pub fn columns(&self, names: Vec<String>) -> Result<ColumnTypes<'_, 'a>> {
        let n_index = 1 + usize::from(self.in_index);
        if names.len() < n_index {
            return Err(Error::Internal("a feature matrix without its index".into()));
        }
        let mut owner: Vec<Option<usize>> = vec![None; names.len()];
        let mut c = n_index;
        for &f in &self.graph.requested {
            for _ in &self.graph.features[f].outputs {
                if c < owner.len() && !self.labels.contains(&names[c]) {
                    owner[c] = Some(f);
                }
                c += 1;
            }
        }
        Ok(ColumnTypes {
            types: self,
            names,
            owner,
            n_index,
        })
    }

    /// One column of feature `f`, cast to featuretools' dtype.
    fn feature_column(&self, f: usize, col: &ArrayRef) -> Result<(ArrayRef, PandasType, bool)> {
        let nulls = col.null_count() > 0;
        let cast = |to: &DataType| {
            arrow_cast::cast(col, to).map_err(|e| {
                Error::feature(
                    &self.graph.features[f].unique_name,
                    format!("cannot hold the values as featuretools' {to}: {e}"),
                )
            })
        };
        let logical = self.logical(f);
        Ok(match logical {
            Logical::Double if is_number(col) => {
                (cast(&DataType::Float64)?, PandasType::Float64, false)
            }
            Logical::Integer | Logical::IntegerNullable if whole_numbers(col) => {
                let t = if logical == Logical::IntegerNullable || nulls {
                    PandasType::IntegerNullable
                } else {
                    PandasType::Int64
                };
                (cast(&DataType::Int64)?, t, false)
            }
            Logical::Boolean | Logical::BooleanNullable
                if col.data_type() == &DataType::Boolean =>
            {
                let t = if logical == Logical::BooleanNullable || nulls {
                    PandasType::BooleanNullable
                } else {
                    PandasType::Bool
                };
                (col.clone(), t, false)
            }
            Logical::Categorical | Logical::Ordinal(_) => {
                let (a, ordered) = self.categorical(f, logical, col)?;
                (a, PandasType::Category, ordered)
            }
            Logical::Text if col.data_type() == &DataType::Utf8 => {
                (col.clone(), PandasType::String, false)
            }
            _ => {
                let (a, t) = as_is(col);
                (a, t, false)
            }
        })
    }

    /// featuretools' `column_schema` of feature `f` (`FeatureBase.column_schema`: a primitive
    /// without a return type takes its first input's).
    fn logical(&self, f: usize) -> Logical {
        let feature = &self.graph.features[f];
        match &feature.kind {
            Kind::Identity { column } => {
                let Some(c) = self
                    .schema
                    .dataframe(&feature.dataframe)
                    .and_then(|d| d.column(column))
                else {
                    return Logical::AsIs;
                };
                match c.logical_type {
                    LogicalType::Integer | LogicalType::Age => Logical::Integer,
                    LogicalType::IntegerNullable | LogicalType::AgeNullable => {
                        Logical::IntegerNullable
                    }
                    LogicalType::Double | LogicalType::AgeFractional => Logical::Double,
                    LogicalType::Boolean => Logical::Boolean,
                    LogicalType::BooleanNullable => Logical::BooleanNullable,
                    LogicalType::Ordinal => Logical::Ordinal(None),
                    LogicalType::Categorical => Logical::Categorical,
                    LogicalType::NaturalLanguage | LogicalType::Other => Logical::Text,
                    LogicalType::Datetime | LogicalType::LatLong => Logical::AsIs,
                }
            }
            Kind::Direct { base, .. } | Kind::Slice { base, .. } => self.logical(*base),
            Kind::Transform { bases, primitive }
            | Kind::GroupByTransform {
                bases, primitive, ..
            }
            | Kind::Aggregation {
                bases, primitive, ..
            } => match primitive.returns() {
                Returns::Input => bases.first().map_or(Logical::AsIs, |&b| self.logical(b)),
                // get_ww_types_from_features: a numeric schema without a logical type is Double.
                Returns::Tag("numeric") => Logical::Double,
                Returns::Tag(_) => Logical::AsIs,
                Returns::Logical(l) => match l {
                    "Double" | "AgeFractional" => Logical::Double,
                    "Integer" | "Age" => Logical::Integer,
                    "IntegerNullable" | "AgeNullable" => Logical::IntegerNullable,
                    "Boolean" => Logical::Boolean,
                    "BooleanNullable" => Logical::BooleanNullable,
                    "Categorical" => Logical::Categorical,
                    "Ordinal" => Logical::Ordinal(primitive.ordinal_range()),
                    // Datetime, Timedelta, LatLong: the Arrow type says it.
                    _ => Logical::AsIs,
                },
            },
        }
    }

    /// The column's features' dependencies, deep, in featuretools' order
    /// (`FeatureBase.get_dependencies(deep=True)`: the base features and `where`, then each
    /// one's own dependencies).
    fn dependencies(&self, f: usize, out: &mut Vec<usize>) {
        let direct: Vec<usize> = match &self.graph.features[f].kind {
            Kind::Identity { .. } => Vec::new(),
            Kind::Direct { base, .. } | Kind::Slice { base, .. } => vec![*base],
            Kind::Transform { bases, .. } => bases.clone(),
            Kind::GroupByTransform { bases, groupby, .. } => {
                bases.iter().copied().chain([*groupby]).collect()
            }
            Kind::Aggregation { bases, where_, .. } => {
                bases.iter().copied().chain(*where_).collect()
            }
        };
        out.extend(&direct);
        for d in direct {
            self.dependencies(d, out);
        }
    }

    /// The categories of the column a categorical feature takes its values from: the first
    /// identity feature among it and its dependencies, when that column is categorical. Their
    /// values have the column's categories' type; categories Arrow cannot hold as pandas has
    /// them (`object` categories of mixed types, datetimes) are refused, naming the column.
    fn source_categories(&self, f: usize) -> Result<Option<Categories>> {
        let mut deps = vec![f];
        self.dependencies(f, &mut deps);
        let Some(id) = deps
            .into_iter()
            .find(|&d| matches!(self.graph.features[d].kind, Kind::Identity { .. }))
        else {
            return Ok(None);
        };
        let feature = &self.graph.features[id];
        let Kind::Identity { column } = &feature.kind else {
            return Ok(None);
        };
        let Some(c) = self
            .schema
            .dataframe(&feature.dataframe)
            .and_then(|d| d.column(column))
        else {
            return Ok(None);
        };
        let Some(cats) = c.categories.as_ref() else {
            return Ok(None);
        };
        let refuse = |what: &str| {
            Err(Error::feature(
                &self.graph.features[f].unique_name,
                format!(
                    "its values come from column '{column}' of dataframe '{}', whose categories {cats:?} are {what}; ftpart gives categories of one type (integers, floats, booleans or text) only",
                    feature.dataframe
                ),
            ))
        };
        let parsed = |what: &str| format!("category of column '{column}' is not {what}");
        let values: ArrayRef = match c.category_kind {
            CategoryKind::Int => {
                let v: Option<Vec<i64>> = cats.iter().map(|s| s.parse().ok()).collect();
                Arc::new(Int64Array::from(
                    v.ok_or_else(|| Error::Internal(parsed("an integer")))?,
                ))
            }
            CategoryKind::Float => {
                let v: Option<Vec<f64>> = cats.iter().map(|s| s.parse().ok()).collect();
                Arc::new(Float64Array::from(
                    v.ok_or_else(|| Error::Internal(parsed("a float")))?,
                ))
            }
            CategoryKind::Bool => {
                let v: Option<Vec<bool>> = cats
                    .iter()
                    .map(|s| match s.as_str() {
                        "True" => Some(true),
                        "False" => Some(false),
                        _ => None,
                    })
                    .collect();
                Arc::new(BooleanArray::from(
                    v.ok_or_else(|| Error::Internal(parsed("a boolean")))?,
                ))
            }
            CategoryKind::Text => Arc::new(arrow_array::StringArray::from(cats.clone())),
            CategoryKind::Mixed => return refuse("of mixed types (pandas object categories)"),
            CategoryKind::Other => return refuse("neither integers, floats, booleans nor text"),
        };
        Ok(Some(Categories {
            values,
            ordered: c.logical_type == LogicalType::Ordinal,
        }))
    }

    /// A categorical feature's column as a dictionary of featuretools' categories: an ordinal
    /// primitive's range, else the source column's categories (when they hold every value),
    /// else the values found, sorted (woodwork's `astype("category")`). An aggregation without
    /// a value anywhere is featuretools' NaN column: a category of no float values.
    fn categorical(&self, f: usize, logical: Logical, col: &ArrayRef) -> Result<(ArrayRef, bool)> {
        let err = |e| Error::feature(&self.graph.features[f].unique_name, e);
        let dict = match col.data_type() {
            // Already keyed by Int32: the cast would encode every row again.
            DataType::Dictionary(k, _) if k.as_ref() == &DataType::Int32 => Ok(col.clone()),
            DataType::Int64 => match small_range_dictionary(col.as_primitive::<Int64Type>()) {
                Some(d) => Ok(Arc::new(d) as ArrayRef),
                None => arrow_cast::cast(
                    col,
                    &DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Int64)),
                ),
            },
            DataType::Dictionary(_, _) => arrow_cast::cast(
                col,
                &DataType::Dictionary(
                    Box::new(DataType::Int32),
                    Box::new(col.as_any_dictionary().values().data_type().clone()),
                ),
            ),
            t => arrow_cast::cast(
                col,
                &DataType::Dictionary(Box::new(DataType::Int32), Box::new(t.clone())),
            ),
        }
        .map_err(|e| err(format!("cannot hold the values as categories: {e}")))?;
        let dict = dict.as_dictionary::<Int32Type>();
        let is_agg = matches!(self.graph.features[f].kind, Kind::Aggregation { .. });
        if let Logical::Ordinal(Some((lo, hi))) = logical {
            let cats = Categories {
                values: Arc::new(Int64Array::from((lo..=hi).collect::<Vec<_>>())),
                ordered: true,
            };
            if let Some(a) = recode(dict, &cats) {
                return Ok((a, true));
            }
        }
        if logical == Logical::Categorical && is_agg && dict.null_count() == dict.len() {
            let empty = arrow_array::Float64Array::from(Vec::<f64>::new());
            let keys = Int32Array::new_null(dict.len());
            let a = DictionaryArray::<Int32Type>::try_new(keys, Arc::new(empty))
                .map_err(|e| Error::arrow("typing the feature matrix", e))?;
            return Ok((Arc::new(a), false));
        }
        if let Some(cats) = self.source_categories(f)? {
            if let Some(a) = recode(dict, &cats) {
                return Ok((a, cats.ordered));
            }
        }
        // The values found, sorted as pandas sorts categories.
        let used = used_values(dict);
        let sort = arrow_ord::sort::sort_to_indices(used.as_ref(), None, None)
            .map_err(|e| Error::arrow("sorting categories", e))?;
        let sorted = arrow_select::take::take(used.as_ref(), &sort, None)
            .map_err(|e| Error::arrow("sorting categories", e))?;
        let cats = Categories {
            values: sorted,
            ordered: false,
        };
        let a = recode(dict, &cats).ok_or_else(|| err("categories lost a value".into()))?;
        Ok((a, matches!(logical, Logical::Ordinal(_))))
    }
}

/// The typing of one matrix's columns ([`MatrixTypes::columns`]).
pub struct ColumnTypes<'t, 'a> {
    types: &'t MatrixTypes<'a>,
    names: Vec<String>,
    /// The feature each column holds (None: an index column or a label).
    owner: Vec<Option<usize>>,
    n_index: usize,
}

/// A column as typed: its field and its entry in the `pandas` metadata.
pub struct TypedColumn {
    field: Field,
    index: bool,
    entry: Value,
}

impl TypedColumn {
    /// The column's field in the typed matrix.
    pub fn field(&self) -> &Field {
        &self.field
    }
}

impl ColumnTypes<'_, '_> {
    /// Column `i` (`col`) with featuretools' type, and what the schema says of it. Columns are
    /// independent: any order, on any thread.
    pub fn column(&self, i: usize, col: &ArrayRef) -> Result<(ArrayRef, TypedColumn)> {
        let (array, ptype, ordered) = match self.owner[i] {
            Some(f) => self.types.feature_column(f, col)?,
            None => {
                let (a, t) = as_is(col);
                (a, t, false)
            }
        };
        let names = &self.names;
        let name = &names[i];
        let index = i < self.n_index;
        let field_name = if index && names.iter().filter(|n| *n == name).count() > 1 {
            format!("__index_level_{i}__")
        } else {
            name.clone()
        };
        let (pandas_type, numpy_type) = ptype.metadata_types();
        let meta = if ptype == PandasType::Category {
            let n = array
                .as_dictionary_opt::<Int32Type>()
                .map_or(0, |d| d.values().len());
            json!({"num_categories": n, "ordered": ordered})
        } else {
            Value::Null
        };
        let entry = json!({
            "name": name, "field_name": field_name, "pandas_type": pandas_type,
            "numpy_type": numpy_type, "metadata": meta,
        });
        let mut field = Field::new(&field_name, array.data_type().clone(), true);
        if ptype == PandasType::Category {
            field = field.with_dict_is_ordered(ordered);
        }
        Ok((
            array,
            TypedColumn {
                field,
                index,
                entry,
            },
        ))
    }

    /// The typed matrix's schema, with the `pandas` metadata, from its columns in order.
    pub fn schema(&self, columns: Vec<TypedColumn>) -> arrow_schema::SchemaRef {
        let index_fields: Vec<Value> = columns
            .iter()
            .filter(|c| c.index)
            .map(|c| Value::String(c.field.name().clone()))
            .collect();
        // pyarrow lists the columns first, then the index levels.
        let entries: Vec<Value> = columns
            .iter()
            .filter(|c| !c.index)
            .chain(columns.iter().filter(|c| c.index))
            .map(|c| c.entry.clone())
            .collect();
        let pandas = json!({
            "index_columns": index_fields,
            "column_indexes": [{"name": null, "field_name": null, "pandas_type": "unicode",
                                "numpy_type": "object", "metadata": {"encoding": "UTF-8"}}],
            "columns": entries,
            "creator": {"library": "ftpart", "version": env!("CARGO_PKG_VERSION")},
            "pandas_version": "2.2.3",
        });
        let metadata = HashMap::from([("pandas".to_string(), pandas.to_string())]);
        let fields: Vec<Field> = columns.into_iter().map(|c| c.field).collect();
        Arc::new(Schema::new_with_metadata(fields, metadata))
    }
}

/// Integers spanning at most this many values are dictionary-encoded through a table rather
/// than a hash map.
const DENSE_RANGE: i64 = 1 << 20;

/// `ints` as a dictionary of its distinct values in order of first appearance, as arrow's cast
/// encodes it, through a table indexed by value when the values span at most [`DENSE_RANGE`]
/// (a day, a month, a small code: hashing every row was most of the typing of a 5M-row matrix).
/// None when they span more, or hold no value.
fn small_range_dictionary(ints: &Int64Array) -> Option<DictionaryArray<Int32Type>> {
    let lo = arrow_arith::aggregate::min(ints)?;
    let hi = arrow_arith::aggregate::max(ints)?;
    if hi.checked_sub(lo)? >= DENSE_RANGE {
        return None;
    }
    let mut slot = vec![-1i32; (hi - lo + 1) as usize];
    let mut values = Vec::new();
    let mut key = |v: i64| {
        let s = &mut slot[(v - lo) as usize];
        if *s < 0 {
            *s = values.len() as i32;
            values.push(v);
        }
        *s
    };
    let keys: Int32Array = match ints.nulls() {
        None => ints
            .values()
            .iter()
            .map(|&v| key(v))
            .collect::<Vec<_>>()
            .into(),
        Some(_) => ints.iter().map(|v| v.map(&mut key)).collect(),
    };
    DictionaryArray::try_new(keys, Arc::new(Int64Array::from(values))).ok()
}

/// The distinct values a dictionary's rows use.
fn used_values(dict: &DictionaryArray<Int32Type>) -> ArrayRef {
    let mut used = vec![false; dict.values().len()];
    for k in dict.keys().iter().flatten() {
        if let Some(u) = used.get_mut(k as usize) {
            *u = true;
        }
    }
    let idx: Vec<i32> = (0..used.len() as i32)
        .filter(|&i| used[i as usize])
        .collect();
    // Text keys that compare equal (two dictionary entries of one value) are merged by recode.
    arrow_select::take::take(dict.values().as_ref(), &Int32Array::from(idx), None)
        .unwrap_or_else(|_| dict.values().clone())
}

/// The rows of `dict` as keys into `cats`, matching values as pandas prints them; `None` when
/// a value is not one of the categories.
fn recode(dict: &DictionaryArray<Int32Type>, cats: &Categories) -> Option<ArrayRef> {
    let text = |a: &ArrayRef, i: usize| crate::matrix::cell(a, i);
    let lookup: HashMap<String, i32> = (0..cats.values.len())
        .map(|i| (text(&cats.values, i), i as i32))
        .collect();
    let values = dict.values();
    // Some(None): a missing value. An empty text that is no category is one too: a CSV's empty
    // cell, which pandas reads as NaN.
    let mut map: Vec<Option<Option<i32>>> = Vec::with_capacity(values.len());
    for i in 0..values.len() {
        let t = text(values, i);
        map.push(if values.is_null(i) {
            Some(None)
        } else {
            match lookup.get(&t) {
                Some(&c) => Some(Some(c)),
                None if t.is_empty() => Some(None),
                None => None,
            }
        });
    }
    let mut keys = Vec::with_capacity(dict.len());
    for k in dict.keys().iter() {
        keys.push(match k {
            None => None,
            Some(k) => map.get(k as usize).copied().flatten()?,
        });
    }
    DictionaryArray::<Int32Type>::try_new(Int32Array::from(keys), cats.values.clone())
        .ok()
        .map(|a| Arc::new(a) as ArrayRef)
}

fn is_number(a: &ArrayRef) -> bool {
    matches!(
        a.data_type(),
        DataType::Int64 | DataType::Float64 | DataType::Boolean | DataType::Int32
    )
}

/// Whether every value is an integer (an Int64 column, or floats without a fraction).
fn whole_numbers(a: &ArrayRef) -> bool {
    match a.data_type() {
        DataType::Int64 => true,
        DataType::Float64 => a
            .as_primitive::<arrow_array::types::Float64Type>()
            .iter()
            .flatten()
            .all(|v| v.fract() == 0.0 && v.abs() < 9.2e18),
        _ => false,
    }
}

/// A column typed by its values' Arrow type alone (the index, label columns, datetimes): what
/// pyarrow's `to_pandas` makes of it, nullable integers and booleans masked.
fn as_is(a: &ArrayRef) -> (ArrayRef, PandasType) {
    let nulls = a.null_count() > 0;
    let t = match a.data_type() {
        DataType::Float64 | DataType::Float32 => PandasType::Float64,
        DataType::Int64 | DataType::Int32 if nulls => PandasType::IntegerNullable,
        DataType::Int64 | DataType::Int32 => PandasType::Int64,
        DataType::Boolean if nulls => PandasType::BooleanNullable,
        DataType::Boolean => PandasType::Bool,
        DataType::Timestamp(_, _) => PandasType::Datetime,
        DataType::Duration(_) => PandasType::Timedelta,
        DataType::Dictionary(_, _) => PandasType::Category,
        _ => PandasType::Object,
    };
    (a.clone(), t)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table encoding gives arrow's cast, keys and values alike; values spanning more than
    /// the table are left to the cast.
    #[test]
    fn small_range_integers_encode_as_the_cast_does() {
        let to = DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Int64));
        for ints in [
            Int64Array::from(vec![
                Some(3),
                Some(-2),
                None,
                Some(3),
                Some(7),
                Some(-2),
                None,
            ]),
            Int64Array::from(vec![5, 5, 5, 1, 0, 1]),
            Int64Array::from(vec![-1]),
        ] {
            let cast = arrow_cast::cast(&ints, &to).unwrap();
            let dense = small_range_dictionary(&ints).expect("a small range");
            assert_eq!(&dense as &dyn Array, cast.as_ref(), "{ints:?}");
        }
        assert!(small_range_dictionary(&Int64Array::from(vec![0, DENSE_RANGE])).is_none());
        assert!(small_range_dictionary(&Int64Array::from(vec![i64::MIN, i64::MAX])).is_none());
        assert!(small_range_dictionary(&Int64Array::from(vec![None::<i64>, None])).is_none());
    }
}
