//! The entity set's schema: dataframes, columns with woodwork logical types, relationships.
//!
//! Parsed from what featuretools writes with `es.to_csv()` / `es.to_parquet()`
//! (`featuretools/entityset/serialize.py`, schema 9.0.0; woodwork typing info 12.0.0).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};

/// The entity set schema version featuretools 1.31 writes (`ENTITYSET_SCHEMA_VERSION`).
pub const ENTITYSET_SCHEMA_VERSION: &str = "9.0.0";

/// A woodwork logical type, as far as it matters to featuretools' primitives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LogicalType {
    /// int64 without nulls.
    Integer,
    /// Int64 with nulls.
    IntegerNullable,
    /// float64.
    Double,
    /// Age in whole years.
    Age,
    /// Age with nulls.
    AgeNullable,
    /// Fractional age.
    AgeFractional,
    /// bool without nulls.
    Boolean,
    /// boolean with nulls.
    BooleanNullable,
    /// datetime64[ns].
    Datetime,
    /// A category with an order.
    Ordinal,
    /// A category; also PostalCode, CountryCode, CurrencyCode, SubRegionCode (`name` keeps which).
    Categorical,
    /// Free text.
    NaturalLanguage,
    /// "(lat, lng)" pairs.
    LatLong,
    /// Any other type, kept as text.
    Other,
}

/// How a column's values are held in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    /// Arrow Int64.
    Int64,
    /// Arrow Float64.
    Float64,
    /// Arrow Boolean.
    Boolean,
    /// Arrow Timestamp(ns).
    Timestamp,
    /// Arrow Dictionary(Int32, Utf8), the dictionary in category order.
    Category,
    /// Arrow Utf8.
    Utf8,
}

/// One column of a dataframe.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ColumnSchema {
    /// Column name.
    pub name: String,
    /// Logical type.
    pub logical_type: LogicalType,
    /// The woodwork type name as written (e.g. "PostalCode").
    pub type_name: String,
    /// Semantic tags as written (standard tags included).
    pub semantic_tags: Vec<String>,
    /// Category order for categorical columns (values as pandas prints them).
    pub categories: Option<Vec<String>>,
    /// The type of the categories' values (pandas' `cat_dtype`). Required when read back (a
    /// shard manifest): shards of an older ftpart, which knew integer categories only, are
    /// refused rather than read as text.
    pub category_kind: CategoryKind,
}

/// The type of a categorical column's categories: pandas' `dtype.categories.dtype`, which the
/// matrix's categorical columns keep (featuretools' `Mode`, `First`, `Lag`... of the column hold
/// its categories). ftpart holds the categories as their text ([`CategoryKind::canonical`]) and
/// gives them back as values of this type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum CategoryKind {
    /// Text (`object` categories of strings).
    #[default]
    Text,
    /// `int64`.
    Int,
    /// `float64`.
    Float,
    /// `bool`.
    Bool,
    /// `object` categories that are not all strings (`[1, "a"]`): Arrow holds no such values.
    Mixed,
    /// Another type (datetimes, timedeltas): not held by ftpart.
    Other,
}

impl CategoryKind {
    /// The kind of categories of pandas dtype `cat_dtype` (when known) and these values (as
    /// JSON, the way featuretools writes `cat_values` and an Ordinal's `order`).
    pub fn of(cat_dtype: Option<&str>, values: &[Value]) -> Self {
        match cat_dtype {
            Some(t) if t.starts_with("int") || t.starts_with("uint") => return CategoryKind::Int,
            Some(t) if t.starts_with("float") => return CategoryKind::Float,
            Some("bool") => return CategoryKind::Bool,
            Some("object" | "string") | None => {}
            Some(_) => return CategoryKind::Other,
        }
        let all = |f: fn(&Value) -> bool| values.iter().all(f);
        if all(Value::is_string) {
            CategoryKind::Text
        } else if cat_dtype.is_some() {
            // Object categories holding numbers or booleans.
            CategoryKind::Mixed
        } else if all(Value::is_boolean) {
            CategoryKind::Bool
        } else if all(|v| v.is_i64() || v.is_u64()) {
            CategoryKind::Int
        } else if all(Value::is_number) {
            // pandas makes an order of integers and floats float64 categories.
            CategoryKind::Float
        } else {
            CategoryKind::Mixed
        }
    }

    /// The kind of categories held in an Arrow array of this type (a pandas categorical's
    /// dictionary values, or the column's own values).
    pub fn of_arrow(t: &arrow_schema::DataType) -> Self {
        use arrow_schema::DataType as T;
        match t {
            T::Dictionary(_, v) => Self::of_arrow(v),
            T::Int8 | T::Int16 | T::Int32 | T::Int64 => CategoryKind::Int,
            T::UInt8 | T::UInt16 | T::UInt32 | T::UInt64 => CategoryKind::Int,
            T::Float16 | T::Float32 | T::Float64 => CategoryKind::Float,
            T::Boolean => CategoryKind::Bool,
            T::Utf8 | T::LargeUtf8 | T::Utf8View | T::Null => CategoryKind::Text,
            _ => CategoryKind::Other,
        }
    }

    /// The text ftpart holds a category value as: the same for every way the value is written,
    /// so that `1.0` and `1` of an integer category agree, `1e-07` and `0.0000001` of a float
    /// one (Python's `repr`), `true` and `True` of a boolean one. Text that is no value of the
    /// kind is kept as it is (and is then no category).
    pub fn canonical(self, s: &str) -> String {
        let t = s.trim();
        match self {
            CategoryKind::Int => {
                if let Ok(i) = t.parse::<i64>() {
                    return i.to_string();
                }
                if let Ok(f) = t.parse::<f64>() {
                    if f.fract() == 0.0 && f.abs() < 9.2e18 {
                        return (f as i64).to_string();
                    }
                }
            }
            CategoryKind::Float => {
                if let Ok(f) = t.parse::<f64>() {
                    if f.is_finite() {
                        return crate::matrix::python_float_text(f);
                    }
                }
            }
            CategoryKind::Bool => match t {
                "True" | "true" | "TRUE" | "1" | "1.0" => return "True".into(),
                "False" | "false" | "FALSE" | "0" | "0.0" => return "False".into(),
                _ => {}
            },
            CategoryKind::Text | CategoryKind::Mixed | CategoryKind::Other => {}
        }
        s.to_string()
    }
}

impl ColumnSchema {
    /// A column with the standard tags of its logical type.
    pub fn new(name: &str, type_name: &str) -> Result<Self> {
        let logical_type = parse_logical_type(type_name);
        let mut semantic_tags = Vec::new();
        if let Some(tag) = standard_tag(&logical_type) {
            semantic_tags.push(tag.to_string());
        }
        Ok(ColumnSchema {
            name: name.to_string(),
            logical_type,
            type_name: type_name.to_string(),
            semantic_tags,
            categories: None,
            category_kind: CategoryKind::Text,
        })
    }

    /// Whether the column has this semantic tag.
    pub fn has_tag(&self, tag: &str) -> bool {
        self.semantic_tags.iter().any(|t| t == tag)
    }

    /// How the column is stored.
    pub fn storage(&self) -> Storage {
        match self.logical_type {
            LogicalType::Integer
            | LogicalType::IntegerNullable
            | LogicalType::Age
            | LogicalType::AgeNullable => Storage::Int64,
            LogicalType::Double | LogicalType::AgeFractional => Storage::Float64,
            LogicalType::Boolean | LogicalType::BooleanNullable => Storage::Boolean,
            LogicalType::Datetime => Storage::Timestamp,
            LogicalType::Ordinal | LogicalType::Categorical => Storage::Category,
            LogicalType::NaturalLanguage | LogicalType::LatLong | LogicalType::Other => {
                Storage::Utf8
            }
        }
    }

    /// How pandas holds the column in featuretools: woodwork's dtype for its logical type,
    /// whatever the rows (`Int64` / `boolean` for the nullable types, `string` for text;
    /// LatLong is an object column of tuples).
    pub fn dtype(&self) -> crate::primitives::Dtype {
        use crate::primitives::Dtype;
        match self.logical_type {
            LogicalType::IntegerNullable
            | LogicalType::AgeNullable
            | LogicalType::BooleanNullable => Dtype::Masked,
            LogicalType::NaturalLanguage | LogicalType::Other => Dtype::String,
            _ => Dtype::Numpy,
        }
    }

    /// Whether woodwork gives the column the `numeric` standard tag.
    pub fn is_numeric(&self) -> bool {
        self.has_tag("numeric") || standard_tag(&self.logical_type) == Some("numeric")
    }
}

fn parse_logical_type(name: &str) -> LogicalType {
    match name {
        "Integer" => LogicalType::Integer,
        "IntegerNullable" => LogicalType::IntegerNullable,
        "Double" => LogicalType::Double,
        "Age" => LogicalType::Age,
        "AgeNullable" => LogicalType::AgeNullable,
        "AgeFractional" => LogicalType::AgeFractional,
        "Boolean" => LogicalType::Boolean,
        "BooleanNullable" => LogicalType::BooleanNullable,
        "Datetime" => LogicalType::Datetime,
        "Ordinal" => LogicalType::Ordinal,
        "Categorical" | "PostalCode" | "CountryCode" | "CurrencyCode" | "SubRegionCode" => {
            LogicalType::Categorical
        }
        "NaturalLanguage" => LogicalType::NaturalLanguage,
        "LatLong" => LogicalType::LatLong,
        _ => LogicalType::Other,
    }
}

fn standard_tag(lt: &LogicalType) -> Option<&'static str> {
    match lt {
        LogicalType::Integer
        | LogicalType::IntegerNullable
        | LogicalType::Double
        | LogicalType::Age
        | LogicalType::AgeNullable
        | LogicalType::AgeFractional => Some("numeric"),
        LogicalType::Ordinal | LogicalType::Categorical => Some("category"),
        _ => None,
    }
}

/// One dataframe's schema.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DataFrameSchema {
    /// Dataframe name.
    pub name: String,
    /// Index column.
    pub index: String,
    /// Time index column.
    pub time_index: Option<String>,
    /// Secondary time index: column → columns it governs (itself included).
    pub secondary_time_index: BTreeMap<String, Vec<String>>,
    /// Last time index column (`_ft_last_time`), when present.
    pub last_time_index: Option<String>,
    /// Columns in order.
    pub columns: Vec<ColumnSchema>,
}

impl DataFrameSchema {
    /// The column of this name.
    pub fn column(&self, name: &str) -> Option<&ColumnSchema> {
        self.columns.iter().find(|c| c.name == name)
    }
    /// Position of the column of this name.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }
}

/// A parent–child relationship: `child[child_column]` references `parent[parent_column]` (its index).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Relationship {
    /// Parent dataframe.
    pub parent_dataframe_name: String,
    /// Parent's index column.
    pub parent_column_name: String,
    /// Child dataframe.
    pub child_dataframe_name: String,
    /// Child's foreign key column.
    pub child_column_name: String,
}

/// The whole entity set's schema.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EntitySetSchema {
    /// Entity set id.
    pub id: String,
    /// Dataframes in the order of the description.
    pub dataframes: Vec<DataFrameSchema>,
    /// Relationships.
    pub relationships: Vec<Relationship>,
}

impl EntitySetSchema {
    /// Position of the dataframe of this name.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.dataframes.iter().position(|d| d.name == name)
    }
    /// Whether the time indexes are numbers rather than Datetimes (featuretools' `time_type`).
    pub fn numeric_time(&self) -> bool {
        self.dataframes
            .iter()
            .find_map(|d| d.time_index.as_ref().and_then(|t| d.column(t)))
            .is_some_and(|c| c.logical_type != LogicalType::Datetime)
    }

    /// The dataframe of this name.
    pub fn dataframe(&self, name: &str) -> Option<&DataFrameSchema> {
        self.dataframes.iter().find(|d| d.name == name)
    }

    /// Checks names, keys and relationships; featuretools' own rules (`entityset.py::add_relationship`).
    pub fn validate(&self) -> Result<()> {
        for (i, df) in self.dataframes.iter().enumerate() {
            if self.dataframes[..i].iter().any(|d| d.name == df.name) {
                return Err(Error::Schema(format!(
                    "dataframe '{}' appears twice",
                    df.name
                )));
            }
            for (j, c) in df.columns.iter().enumerate() {
                if df.columns[..j].iter().any(|d| d.name == c.name) {
                    return Err(Error::df(
                        &df.name,
                        format!("column '{}' appears twice", c.name),
                    ));
                }
            }
            if df.column(&df.index).is_none() {
                return Err(Error::df(
                    &df.name,
                    format!("index column '{}' is not a column", df.index),
                ));
            }
            if let Some(ti) = &df.time_index {
                let c = df.column(ti).ok_or_else(|| {
                    Error::df(&df.name, format!("time index '{ti}' is not a column"))
                })?;
                let numeric = matches!(c.storage(), Storage::Int64 | Storage::Float64);
                if !numeric && c.logical_type != LogicalType::Datetime {
                    return Err(Error::df(
                        &df.name,
                        format!("time index '{ti}' has logical type {}; a time index is Datetime or numeric", c.type_name),
                    ));
                }
                // featuretools: all time indexes have one type (`_check_uniform_time_index`).
                let first = self.dataframes[..i].iter().find_map(|d| {
                    d.time_index
                        .as_ref()
                        .and_then(|t| d.column(t))
                        .map(|c| (d, c.logical_type == LogicalType::Datetime))
                });
                if let Some((d, first_is_datetime)) = first {
                    if first_is_datetime == numeric {
                        let kind = |dt: bool| if dt { "Datetime" } else { "numeric" };
                        return Err(Error::df(
                            &df.name,
                            format!(
                                "time index '{ti}' is {} but '{}' has a {} time index; all time indexes must have the same type",
                                kind(!numeric),
                                d.name,
                                kind(first_is_datetime)
                            ),
                        ));
                    }
                }
            }
            for (sti, cols) in &df.secondary_time_index {
                for c in std::iter::once(sti).chain(cols) {
                    if df.column(c).is_none() {
                        return Err(Error::df(
                            &df.name,
                            format!(
                                "secondary time index names column '{c}', which is not a column"
                            ),
                        ));
                    }
                }
            }
            if let Some(lti) = &df.last_time_index {
                if df.column(lti).is_none() {
                    return Err(Error::df(
                        &df.name,
                        format!("last time index '{lti}' is not a column"),
                    ));
                }
            }
        }
        for r in &self.relationships {
            let p = self.dataframe(&r.parent_dataframe_name).ok_or_else(|| {
                Error::Schema(format!(
                    "relationship names parent dataframe '{}', which is not in the entity set",
                    r.parent_dataframe_name
                ))
            })?;
            let c = self.dataframe(&r.child_dataframe_name).ok_or_else(|| {
                Error::Schema(format!(
                    "relationship names child dataframe '{}', which is not in the entity set",
                    r.child_dataframe_name
                ))
            })?;
            if p.index != r.parent_column_name {
                return Err(Error::Schema(format!(
                    "relationship {}.{} -> {}.{}: the parent column must be the parent's index '{}'",
                    r.child_dataframe_name, r.child_column_name, r.parent_dataframe_name, r.parent_column_name, p.index
                )));
            }
            if c.column(&r.child_column_name).is_none() {
                return Err(Error::df(
                    &c.name,
                    format!(
                        "foreign key column '{}' is not a column",
                        r.child_column_name
                    ),
                ));
            }
            if c.index == r.child_column_name {
                return Err(Error::Schema(format!(
                    "relationship {}.{} -> {}: the child column cannot be the child's index",
                    r.child_dataframe_name, r.child_column_name, r.parent_dataframe_name
                )));
            }
        }
        Ok(())
    }

    /// Reads `data_description.json` as written by featuretools' `es.to_csv` / `es.to_parquet`.
    /// Returns the schema and the data format ("csv" or "parquet").
    pub fn read_description(path: &Path) -> Result<(Self, String)> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let v: Value = serde_json::from_str(&text)
            .map_err(|e| Error::json(path, format!("not valid JSON: {e}")))?;
        let (schema, format) = Self::from_description(&v).map_err(|m| Error::json(path, m))?;
        schema.validate()?;
        Ok((schema, format))
    }

    /// Parses an entity set description (`es.to_dictionary()`), as found in
    /// `data_description.json` and in the `entityset` key of `ft.save_features` JSON.
    pub fn from_description(v: &Value) -> std::result::Result<(Self, String), String> {
        let version = v
            .get("schema_version")
            .and_then(Value::as_str)
            .ok_or("missing 'schema_version'")?;
        let major = version.split('.').next().unwrap_or("");
        if major != "9" {
            return Err(format!(
                "entity set schema version {version} is not supported (ftpart reads {ENTITYSET_SCHEMA_VERSION}, written by featuretools 1.31)"
            ));
        }
        let id = v
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let dfs = v
            .get("dataframes")
            .and_then(Value::as_object)
            .ok_or("missing object 'dataframes'")?;
        let mut dataframes = Vec::new();
        for (key, d) in dfs {
            dataframes.push(parse_dataframe(d).map_err(|m| format!("dataframe '{key}': {m}"))?);
        }
        let mut relationships = Vec::new();
        for r in v
            .get("relationships")
            .and_then(Value::as_array)
            .ok_or("missing list 'relationships'")?
        {
            relationships.push(parse_relationship(r)?);
        }
        let format = v
            .get("format")
            .and_then(Value::as_str)
            .unwrap_or("csv")
            .to_string();
        Ok((
            EntitySetSchema {
                id,
                dataframes,
                relationships,
            },
            format,
        ))
    }
}

/// Parses a relationship dictionary (`Relationship.to_dictionary`).
pub fn parse_relationship(r: &Value) -> std::result::Result<Relationship, String> {
    let get = |k: &str| {
        r.get(k)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| format!("relationship lacks '{k}'"))
    };
    Ok(Relationship {
        parent_dataframe_name: get("parent_dataframe_name")?,
        parent_column_name: get("parent_column_name")?,
        child_dataframe_name: get("child_dataframe_name")?,
        child_column_name: get("child_column_name")?,
    })
}

fn json_scalar_to_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|_| n.is_f64()) {
                if f.fract() == 0.0 && f.abs() < 1e15 {
                    format!("{f:.1}")
                } else {
                    f.to_string()
                }
            } else {
                n.to_string()
            }
        }
        Value::Bool(b) => if *b { "True" } else { "False" }.to_string(),
        other => other.to_string(),
    }
}

fn parse_dataframe(d: &Value) -> std::result::Result<DataFrameSchema, String> {
    let name = d
        .get("name")
        .and_then(Value::as_str)
        .ok_or("missing 'name'")?
        .to_string();
    let index = d
        .get("index")
        .and_then(Value::as_str)
        .ok_or("missing 'index'")?
        .to_string();
    let time_index = d
        .get("time_index")
        .and_then(Value::as_str)
        .map(str::to_string);
    let meta = d.get("table_metadata").cloned().unwrap_or(Value::Null);
    let mut secondary_time_index = BTreeMap::new();
    if let Some(sti) = meta.get("secondary_time_index").and_then(Value::as_object) {
        for (k, cols) in sti {
            let mut list: Vec<String> = cols
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|c| c.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            if !list.contains(k) {
                list.push(k.clone());
            }
            secondary_time_index.insert(k.clone(), list);
        }
    }
    let last_time_index = meta
        .get("last_time_index")
        .and_then(Value::as_str)
        .map(str::to_string);
    let mut columns = Vec::new();
    let cols = d
        .get("column_typing_info")
        .and_then(Value::as_array)
        .ok_or("missing list 'column_typing_info'")?;
    for c in cols {
        let cname = c
            .get("name")
            .and_then(Value::as_str)
            .ok_or("a column lacks 'name'")?;
        let lt = c
            .get("logical_type")
            .ok_or_else(|| format!("column '{cname}' lacks 'logical_type'"))?;
        let type_name = lt
            .get("type")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("column '{cname}' lacks 'logical_type.type'"))?;
        let mut col = ColumnSchema::new(cname, type_name).map_err(|e| e.to_string())?;
        col.semantic_tags = c
            .get("semantic_tags")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|t| t.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        if let Some(tag) = standard_tag(&col.logical_type) {
            let uses_standard = c
                .get("use_standard_tags")
                .and_then(Value::as_bool)
                .unwrap_or(true);
            if uses_standard && !col.has_tag(tag) && !col.has_tag("index") {
                col.semantic_tags.push(tag.to_string());
            }
        }
        if col.logical_type == LogicalType::Categorical || col.logical_type == LogicalType::Ordinal
        {
            let phys = c.get("physical_type").cloned().unwrap_or(Value::Null);
            let order = lt
                .get("parameters")
                .and_then(|p| p.get("order"))
                .and_then(Value::as_array);
            let cats = order.or_else(|| phys.get("cat_values").and_then(Value::as_array));
            if let Some(cats) = cats {
                let cat_dtype = phys.get("cat_dtype").and_then(Value::as_str);
                col.category_kind = CategoryKind::of(cat_dtype, cats);
                col.categories = Some(
                    cats.iter()
                        .map(|v| col.category_kind.canonical(&json_scalar_to_string(v)))
                        .collect(),
                );
            }
        }
        columns.push(col);
    }
    Ok(DataFrameSchema {
        name,
        index,
        time_index,
        secondary_time_index,
        last_time_index,
        columns,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn category_kinds_are_pandas_cat_dtypes() {
        let of = |t: Option<&str>, v: Value| CategoryKind::of(t, v.as_array().unwrap());
        assert_eq!(of(Some("float64"), json!([1.5, 4.0])), CategoryKind::Float);
        assert_eq!(of(Some("int64"), json!([1, 2])), CategoryKind::Int);
        assert_eq!(of(Some("bool"), json!([false, true])), CategoryKind::Bool);
        assert_eq!(of(Some("object"), json!(["1", "a"])), CategoryKind::Text);
        assert_eq!(of(Some("object"), json!([1, "a"])), CategoryKind::Mixed);
        assert_eq!(
            of(Some("datetime64[ns]"), json!(["2020-01-01"])),
            CategoryKind::Other
        );
        // An order without a cat_dtype: pandas' type of those values.
        assert_eq!(of(None, json!([4.0, 2.5])), CategoryKind::Float);
        assert_eq!(of(None, json!([1, 2.5])), CategoryKind::Float);
        assert_eq!(of(None, json!([3, 1])), CategoryKind::Int);
        assert_eq!(of(None, json!(["b", "a"])), CategoryKind::Text);
    }

    /// A shard manifest of an older ftpart holds `int_categories`: refused, not read as text.
    #[test]
    fn a_column_schema_without_its_category_kind_is_refused() {
        let mut c = serde_json::to_value(ColumnSchema::new("c", "Categorical").unwrap()).unwrap();
        assert_eq!(c["category_kind"], "Text");
        let o = c.as_object_mut().unwrap();
        o.remove("category_kind");
        o.insert("int_categories".into(), json!(true));
        let e = serde_json::from_value::<ColumnSchema>(c).unwrap_err();
        assert!(e.to_string().contains("category_kind"), "{e}");
    }

    #[test]
    fn every_writing_of_a_category_value_has_one_text() {
        let f = CategoryKind::Float;
        for s in ["1e-07", "1e-7", "0.0000001", "1E-07"] {
            assert_eq!(f.canonical(s), "1e-07", "{s}");
        }
        assert_eq!(f.canonical("4"), "4.0");
        assert_eq!(f.canonical("4.0"), "4.0");
        assert_eq!(f.canonical("100000000000000000000"), "1e+20");
        let b = CategoryKind::Bool;
        assert_eq!(b.canonical("true"), "True");
        assert_eq!(b.canonical("False"), "False");
        assert_eq!(CategoryKind::Int.canonical("30.0"), "30");
        // Text is kept as written: "2.0" is not the number 2.
        assert_eq!(CategoryKind::Text.canonical("2.0"), "2.0");
    }
}
