//! Feature definitions from `ft.save_features()` JSON (features schema 10.0.0), parsed into a typed
//! graph (`featuretools/feature_base/features_deserializer.py`).

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::primitives::{Dtype, Primitive};
use crate::schema::{parse_relationship, Relationship};

/// The features schema version featuretools 1.31 writes (`FEATURES_SCHEMA_VERSION`).
pub const FEATURES_SCHEMA_VERSION: &str = "10.0.0";

/// How deep features may nest (a feature, its base, the base's base, ...). Features are parsed,
/// planned and computed by recursion over their bases, so a hostile file with a chain of
/// thousands of features would exhaust the stack; featuretools' own `dfs` goes 2 deep by default.
pub const MAX_FEATURE_DEPTH: usize = 256;

/// `use_previous` of an aggregation: a time span or a number of observations.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum UsePrevious {
    /// Child rows with time index ≥ cutoff − this span.
    Span(crate::time::Span),
    /// The last n child rows of each group.
    Observations(usize),
}

/// What a feature is.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub enum Kind {
    /// A column of the dataframe.
    Identity {
        /// The column.
        column: String,
    },
    /// A parent's feature brought to the child along a relationship.
    Direct {
        /// The parent feature.
        base: usize,
        /// The relationship (child → parent).
        relationship: Relationship,
    },
    /// An aggregation over child rows along a backward path.
    Aggregation {
        /// Input features (on the last dataframe of the path).
        bases: Vec<usize>,
        /// Relationships from this dataframe down to the child, parent first.
        path: Vec<Relationship>,
        /// The primitive.
        primitive: Primitive,
        /// Boolean feature selecting child rows.
        where_: Option<usize>,
        /// Window of child rows.
        use_previous: Option<UsePrevious>,
    },
    /// A row-wise transform.
    Transform {
        /// Input features.
        bases: Vec<usize>,
        /// The primitive.
        primitive: Primitive,
    },
    /// A transform applied within groups of a key feature.
    GroupByTransform {
        /// Input features.
        bases: Vec<usize>,
        /// The primitive.
        primitive: Primitive,
        /// The grouping feature.
        groupby: usize,
    },
    /// Output `n` of a multi-output feature.
    Slice {
        /// The multi-output feature.
        base: usize,
        /// Which output.
        n: usize,
    },
}

/// One feature definition.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Feature {
    /// `"<dataframe>: <name>"`.
    pub unique_name: String,
    /// The dataframe the feature is defined on.
    pub dataframe: String,
    /// What it is.
    pub kind: Kind,
    /// Output column names (one unless multi-output).
    pub outputs: Vec<String>,
}

/// A feature list with all its dependencies.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct FeatureGraph {
    /// Every feature, dependencies before the features that use them.
    pub features: Vec<Feature>,
    /// The requested features, in order.
    pub requested: Vec<usize>,
}

impl FeatureGraph {
    /// How pandas holds each feature's output columns in featuretools (see [`Dtype`]), known
    /// from the schema's logical types through the graph, whatever the rows: an identity
    /// feature has its column's woodwork dtype, a direct feature its parent feature's (a merge
    /// keeps a masked column masked; a numpy one stays numpy, NaN or None where a parent is
    /// missing), a transform or an aggregation what its primitive says pandas returns on its
    /// inputs' dtypes, and a group-by transform numpy (`frame[name].update(...)` writes into
    /// a column made of the default value).
    pub fn dtypes(&self, schema: &crate::schema::EntitySetSchema) -> Vec<Vec<Dtype>> {
        let mut out: Vec<Vec<Dtype>> = Vec::with_capacity(self.features.len());
        for f in &self.features {
            let first = |out: &[Vec<Dtype>], b: usize| out[b].first().copied().unwrap_or_default();
            let d = match &f.kind {
                Kind::Identity { column } => vec![schema
                    .dataframe(&f.dataframe)
                    .and_then(|d| d.column(column))
                    .map(|c| c.dtype())
                    .unwrap_or_default()],
                Kind::Direct { base, .. } => out[*base].clone(),
                Kind::Slice { base, n } => vec![out[*base].get(*n).copied().unwrap_or_default()],
                Kind::Transform { bases, primitive } => {
                    let inputs: Vec<Dtype> = bases.iter().map(|&b| first(&out, b)).collect();
                    vec![primitive.dtype(&inputs)]
                }
                Kind::GroupByTransform { primitive, .. } => {
                    vec![Dtype::Numpy; primitive.outputs()]
                }
                Kind::Aggregation {
                    bases, primitive, ..
                } => {
                    let inputs: Vec<Dtype> = bases.iter().map(|&b| first(&out, b)).collect();
                    vec![primitive.dtype(&inputs); primitive.outputs()]
                }
            };
            out.push(d);
        }
        out
    }

    /// Whether feature `f` is EQUAL/NOT_EQUAL of a datetime and a text column. pandas answers it
    /// from the whole text column of the rows featuretools holds for one cutoff's instances
    /// (`DatetimeArray._cmp_method` reads every string as a date, or nothing is equal), so it
    /// cannot be computed from one part's rows. Judged from the graph and the schema (what each
    /// input can be, through direct features, aggregations and transforms), never from the rows.
    pub fn compares_dates_with_text(
        &self,
        f: usize,
        schema: &crate::schema::EntitySetSchema,
    ) -> bool {
        let (Kind::Transform { bases, primitive }
        | Kind::GroupByTransform {
            bases, primitive, ..
        }) = &self.features[f].kind
        else {
            return false;
        };
        use crate::schema::Storage;
        matches!(primitive.class(), "Equal" | "NotEqual")
            && bases.len() == 2
            && self.may_be(bases[0], schema, Storage::Timestamp)
            && self.may_be(bases[1], schema, Storage::Utf8)
    }

    /// Whether transform feature `f` reads the other rows of the frame featuretools holds at a
    /// cutoff ([`crate::primitives::trans::Transform::reads_frame`]): by its primitive, or as a
    /// comparison of a datetime with text ([`FeatureGraph::compares_dates_with_text`]).
    pub fn reads_frame(&self, f: usize, schema: &crate::schema::EntitySetSchema) -> bool {
        match &self.features[f].kind {
            Kind::Transform { primitive, .. } | Kind::GroupByTransform { primitive, .. } => {
                primitive.reads_frame() || self.compares_dates_with_text(f, schema)
            }
            _ => false,
        }
    }

    /// Whether feature `f`'s values can be held as `storage` (a datetime or a text column; an
    /// output of the input's type follows its first input).
    fn may_be(
        &self,
        f: usize,
        schema: &crate::schema::EntitySetSchema,
        storage: crate::schema::Storage,
    ) -> bool {
        use crate::schema::Storage;
        match &self.features[f].kind {
            Kind::Identity { column } => schema
                .dataframe(&self.features[f].dataframe)
                .and_then(|d| d.column(column))
                .is_some_and(|c| c.storage() == storage),
            Kind::Direct { base, .. } | Kind::Slice { base, .. } => {
                self.may_be(*base, schema, storage)
            }
            Kind::Transform { bases, primitive }
            | Kind::GroupByTransform {
                bases, primitive, ..
            }
            | Kind::Aggregation {
                bases, primitive, ..
            } => match primitive.returns() {
                crate::primitives::Returns::Input => bases
                    .first()
                    .is_some_and(|&b| self.may_be(b, schema, storage)),
                r => match storage {
                    Storage::Timestamp => r.may_be_datetime(),
                    Storage::Utf8 => r.may_be_text(),
                    _ => true,
                },
            },
        }
    }

    /// Reads a file written by `ft.save_features(features, path)`.
    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let v = Self::parse(&text).map_err(|e| Error::json(path, e))?;
        Self::from_json(&v).map_err(|e| match e {
            Error::Invalid(m) => Error::json(path, m),
            other => other,
        })
    }

    /// Reads the text of `ft.save_features` JSON, which Python writes with `NaN`, `Infinity` and
    /// `-Infinity` for such float arguments ([`crate::json::parse`]); the message says what is
    /// wrong with it.
    pub fn parse(text: &str) -> std::result::Result<Value, String> {
        crate::json::parse(text).map_err(|e| format!("not valid JSON: {e}"))
    }

    /// Parses `ft.save_features` JSON.
    pub fn from_json(v: &Value) -> Result<Self> {
        let version = v
            .get("schema_version")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                Error::Invalid(
                    "missing 'schema_version'; not a file written by ft.save_features".into(),
                )
            })?;
        if version.split('.').next() != Some("10") {
            return Err(Error::Invalid(format!(
                "features schema version {version} is not supported (ftpart reads {FEATURES_SCHEMA_VERSION}, written by featuretools 1.31)"
            )));
        }
        let list = v
            .get("feature_list")
            .and_then(Value::as_array)
            .ok_or_else(|| Error::Invalid("missing list 'feature_list'".into()))?;
        let defs = v
            .get("feature_definitions")
            .and_then(Value::as_object)
            .ok_or_else(|| Error::Invalid("missing object 'feature_definitions'".into()))?;
        let prims = v
            .get("primitive_definitions")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let mut p = Parser {
            defs,
            prims: &prims,
            index: HashMap::new(),
            features: Vec::new(),
            stack: Vec::new(),
        };
        let mut requested = Vec::new();
        for name in list {
            let name = name
                .as_str()
                .ok_or_else(|| Error::Invalid("'feature_list' holds a non-string".into()))?;
            requested.push(p.feature(name)?);
        }
        if requested.is_empty() {
            return Err(Error::Invalid("'feature_list' is empty".into()));
        }
        let graph = FeatureGraph {
            features: p.features,
            requested,
        };
        let target = graph.target().to_string();
        for &r in &graph.requested {
            if graph.features[r].dataframe != target {
                return Err(Error::feature(
                    &graph.features[r].unique_name,
                    format!("is defined on '{}', but the first feature is on '{target}'; all requested features must share one target dataframe", graph.features[r].dataframe),
                ));
            }
        }
        Ok(graph)
    }

    /// The target dataframe (of the requested features).
    pub fn target(&self) -> &str {
        &self.features[self.requested[0]].dataframe
    }

    /// Output column names of the requested features, in order.
    pub fn output_names(&self) -> Vec<String> {
        self.requested
            .iter()
            .flat_map(|&f| self.features[f].outputs.clone())
            .collect()
    }
}

struct Parser<'a> {
    defs: &'a serde_json::Map<String, Value>,
    prims: &'a serde_json::Map<String, Value>,
    index: HashMap<String, usize>,
    features: Vec<Feature>,
    stack: Vec<String>,
}

impl Parser<'_> {
    fn feature(&mut self, unique: &str) -> Result<usize> {
        if let Some(&i) = self.index.get(unique) {
            return Ok(i);
        }
        if self.stack.iter().any(|s| s == unique) {
            return Err(Error::feature(unique, "depends on itself"));
        }
        if self.stack.len() >= MAX_FEATURE_DEPTH {
            return Err(Error::feature(
                unique,
                format!("is nested more than {MAX_FEATURE_DEPTH} features deep"),
            ));
        }
        self.stack.push(unique.to_string());
        let f = self.parse(unique)?;
        self.stack.pop();
        let i = self.features.len();
        self.features.push(f);
        self.index.insert(unique.to_string(), i);
        Ok(i)
    }

    fn parse(&mut self, unique: &str) -> Result<Feature> {
        let err = |m: String| Error::feature(unique, m);
        let def = self
            .defs
            .get(unique)
            .ok_or_else(|| err("is named but has no entry in 'feature_definitions'".into()))?;
        let ty = def
            .get("type")
            .and_then(Value::as_str)
            .ok_or_else(|| err("lacks 'type'".into()))?;
        let args = def.get("arguments").cloned().unwrap_or(Value::Null);
        let deps: Vec<String> = def
            .get("dependencies")
            .and_then(Value::as_array)
            .map(|d| {
                d.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let (df_name, name) = unique
            .split_once(": ")
            .ok_or_else(|| err("unique name is not of the form '<dataframe>: <name>'".into()))?;
        let name = args
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or(name)
            .to_string();
        let str_list = |key: &str| -> Result<Vec<String>> {
            Ok(args
                .get(key)
                .and_then(Value::as_array)
                .ok_or_else(|| err(format!("lacks list argument '{key}'")))?
                .iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect())
        };
        let outputs = match args.get("feature_names").and_then(Value::as_array) {
            Some(names) => names
                .iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect(),
            None => vec![name.clone()],
        };
        let kind = match ty {
            "IdentityFeature" => Kind::Identity {
                column: args
                    .get("column_name")
                    .and_then(Value::as_str)
                    .ok_or_else(|| err("lacks 'column_name'".into()))?
                    .to_string(),
            },
            "DirectFeature" => {
                let base = args.get("base_feature").and_then(Value::as_str).ok_or_else(|| err("lacks 'base_feature'".into()))?;
                let rel = parse_relationship(args.get("relationship").unwrap_or(&Value::Null)).map_err(err)?;
                Kind::Direct { base: self.feature(base)?, relationship: rel }
            }
            "AggregationFeature" => {
                let bases = str_list("base_features")?.iter().map(|b| self.feature(b)).collect::<Result<Vec<_>>>()?;
                let path = args
                    .get("relationship_path")
                    .and_then(Value::as_array)
                    .ok_or_else(|| err("lacks 'relationship_path'".into()))?
                    .iter()
                    .map(parse_relationship)
                    .collect::<std::result::Result<Vec<_>, _>>()
                    .map_err(err)?;
                if path.is_empty() {
                    return Err(err("has an empty relationship path".into()));
                }
                let where_ = match args.get("where").and_then(Value::as_str) {
                    Some(w) => Some(self.feature(w)?),
                    None => None,
                };
                let use_previous = match args.get("use_previous") {
                    Some(Value::Object(o)) => Some(parse_use_previous(o).map_err(err)?),
                    _ => None,
                };
                Kind::Aggregation { bases, path, primitive: self.primitive(unique, &args)?, where_, use_previous }
            }
            "TransformFeature" => {
                let bases = str_list("base_features")?.iter().map(|b| self.feature(b)).collect::<Result<Vec<_>>>()?;
                Kind::Transform { bases, primitive: self.primitive(unique, &args)? }
            }
            "GroupByTransformFeature" => {
                let bases = str_list("base_features")?.iter().map(|b| self.feature(b)).collect::<Result<Vec<_>>>()?;
                let g = args.get("groupby").and_then(Value::as_str).ok_or_else(|| err("lacks 'groupby'".into()))?;
                let groupby = self.feature(g)?;
                // `ft.save_features` leaves out of `base_features` every base equal to the groupby
                // feature (`CUM_COUNT(product_id) by product_id`, `amount = product_id by
                // product_id`); `dependencies` keeps the bases in order, then the groupby feature.
                let bases = match deps.split_last() {
                    Some((last, rest)) if last == g && rest.len() > bases.len() => rest.iter().map(|d| self.feature(d)).collect::<Result<Vec<_>>>()?,
                    _ => bases,
                };
                Kind::GroupByTransform { bases, primitive: self.primitive(unique, &args)?, groupby }
            }
            "FeatureOutputSlice" => {
                let base = args.get("base_feature").and_then(Value::as_str).ok_or_else(|| err("lacks 'base_feature'".into()))?;
                let n = args.get("n").and_then(Value::as_u64).ok_or_else(|| err("lacks 'n'".into()))? as usize;
                Kind::Slice { base: self.feature(base)?, n }
            }
            other => {
                return Err(err(format!(
                    "feature type '{other}' is not supported (IdentityFeature, DirectFeature, AggregationFeature, TransformFeature, GroupByTransformFeature, FeatureOutputSlice)"
                )))
            }
        };
        // The calculator yields as many columns as the primitive (or the parent feature) computes;
        // the planner and the matrix go by `outputs`, so the two must agree.
        let computed = match &kind {
            Kind::Aggregation { primitive, .. }
            | Kind::Transform { primitive, .. }
            | Kind::GroupByTransform { primitive, .. } => Some(primitive.outputs()),
            Kind::Direct { base, .. } if args.get("feature_names").is_some() => {
                Some(self.features[*base].outputs.len())
            }
            _ => None,
        };
        if let Some(n) = computed.filter(|&n| n != outputs.len()) {
            return Err(err(format!(
                "computes {n} outputs but 'feature_names' names {}",
                outputs.len()
            )));
        }
        Ok(Feature {
            unique_name: unique.to_string(),
            dataframe: df_name.to_string(),
            kind,
            outputs,
        })
    }

    fn primitive(&self, unique: &str, args: &Value) -> Result<Primitive> {
        let key = match args.get("primitive") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            Some(Value::Object(o)) => {
                return Primitive::from_definition(&Value::Object(o.clone()))
                    .map_err(|m| Error::feature(unique, m))
            }
            _ => return Err(Error::feature(unique, "lacks 'primitive'")),
        };
        let def = self.prims.get(&key).ok_or_else(|| {
            Error::feature(
                unique,
                format!("names primitive '{key}', which 'primitive_definitions' lacks"),
            )
        })?;
        Primitive::from_definition(def).map_err(|m| Error::feature(unique, m))
    }
}

fn parse_use_previous(
    o: &serde_json::Map<String, Value>,
) -> std::result::Result<UsePrevious, String> {
    // `Timedelta.get_arguments`: one unit and value, or lists of them (a `pd.DateOffset` with
    // several units, e.g. months and days).
    let (units, values): (Vec<&str>, Vec<f64>) = match (o.get("unit"), o.get("value")) {
        (Some(Value::String(u)), Some(v)) => (
            vec![u.as_str()],
            vec![v.as_f64().ok_or("use_previous 'value' is not a number")?],
        ),
        (Some(Value::Array(us)), Some(Value::Array(vs))) if us.len() == vs.len() => (
            us.iter()
                .map(|u| u.as_str().ok_or("use_previous 'unit' holds a non-string"))
                .collect::<std::result::Result<_, _>>()?,
            vs.iter()
                .map(|v| v.as_f64().ok_or("use_previous 'value' holds a non-number"))
                .collect::<std::result::Result<_, _>>()?,
        ),
        (None, _) => return Err("use_previous lacks 'unit'".into()),
        (_, None) => return Err("use_previous lacks 'value'".into()),
        _ => return Err("use_previous: 'unit' and 'value' must be a unit and a number, or lists of the same length".into()),
    };
    if let [u] = units[..] {
        if u == "o" || u == "observations" {
            let n = values[0];
            if n < 0.0 || n.fract() != 0.0 {
                return Err(format!(
                    "use_previous of {n} observations is not a whole number"
                ));
            }
            return Ok(UsePrevious::Observations(n as usize));
        }
    }
    let pairs: Vec<(&str, f64)> = units.into_iter().zip(values).collect();
    crate::time::Span::from_units(&pairs)
        .map(UsePrevious::Span)
        .map_err(|m| format!("use_previous: {m}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const REL: &str = r#"{"parent_dataframe_name": "customers", "child_dataframe_name": "orders",
        "parent_column_name": "customer_id", "child_column_name": "customer_id"}"#;

    /// A feature file with `customers: N` = NMostCommon(orders.brand) of these arguments, and
    /// `extra` definitions; `list` is requested.
    fn file(prim_args: Value, names: Option<Vec<&str>>, extra: Value, list: &[&str]) -> Value {
        let mut agg = json!({
            "type": "AggregationFeature",
            "arguments": {
                "name": "N", "base_features": ["orders: brand"], "primitive": "0",
                "relationship_path": [serde_json::from_str::<Value>(REL).unwrap()],
            }
        });
        if let Some(names) = names {
            agg["arguments"]["feature_names"] = json!(names);
        }
        let mut defs = json!({
            "orders: brand": {"type": "IdentityFeature", "arguments": {"column_name": "brand"}},
            "customers: N": agg,
        });
        for (k, v) in extra.as_object().unwrap() {
            defs[k] = v.clone();
        }
        json!({
            "schema_version": FEATURES_SCHEMA_VERSION,
            "feature_list": list,
            "feature_definitions": defs,
            "primitive_definitions": {"0": {"type": "NMostCommon", "module": "featuretools.primitives.standard.aggregation.n_most_common", "arguments": prim_args}},
        })
    }

    fn error(v: &Value) -> String {
        FeatureGraph::from_json(v).unwrap_err().to_string()
    }

    #[test]
    fn n_most_common_with_a_huge_n_is_an_error_not_an_oom() {
        // A hand-made input to fuzz/features_json: n = 1e15 made the calculator allocate n output
        // columns.
        let v = file(json!({"n": 1e15}), None, json!({}), &["customers: N"]);
        let e = error(&v);
        assert!(
            e.contains("customers: N") && e.contains("'feature_names' names 1"),
            "{e}"
        );
    }

    #[test]
    fn slice_past_the_primitives_outputs_is_an_error_not_a_panic() {
        // A hand-made input to fuzz/features_json: 'feature_names' longer than n let the planner
        // accept output 3 of a 2-output feature, and the calculator indexed past its columns.
        let slice = json!({"customers: S": {"type": "FeatureOutputSlice",
            "arguments": {"base_feature": "customers: N", "n": 3}}});
        let v = file(
            json!({"n": 2}),
            Some(vec!["a", "b", "c", "d"]),
            slice,
            &["customers: S"],
        );
        let e = error(&v);
        assert!(
            e.contains("customers: N")
                && e.contains("computes 2 outputs but 'feature_names' names 4"),
            "{e}"
        );
        // As featuretools writes it, the same slice parses.
        let ok = file(
            json!({"n": 2}),
            Some(vec!["a", "b"]),
            json!({}),
            &["customers: N"],
        );
        assert_eq!(
            FeatureGraph::from_json(&ok).unwrap().output_names(),
            ["a", "b"]
        );
    }

    #[test]
    fn a_chain_of_thousands_of_features_is_an_error_not_a_stack_overflow() {
        // A hand-made input to fuzz/features_json: 20,000 transforms each of the one before took
        // the parser, planner and calculator through 20,000 levels of recursion (a timeout).
        let mut defs = serde_json::Map::new();
        let mut prev = "orders: brand".to_string();
        for i in 0..20_000 {
            let name = format!("orders: IS_NULL{i}");
            defs.insert(
                name.clone(),
                json!({"type": "TransformFeature",
                    "arguments": {"base_features": [prev], "primitive": {"type": "IsNull", "module": "featuretools.primitives.standard.transform.is_null"}}}),
            );
            prev = name;
        }
        let v = file(json!({}), None, Value::Object(defs), &[prev.as_str()]);
        let e = error(&v);
        assert!(
            e.contains(&format!(
                "is nested more than {MAX_FEATURE_DEPTH} features deep"
            )),
            "{e}"
        );
    }
}
