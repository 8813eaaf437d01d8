//! Building an entity set in Rust from Arrow record batches, without featuretools.

use std::collections::BTreeMap;

use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::DataType;

use super::read::{conform, sort_batch};
use super::EntitySet;
use crate::error::{Error, Result};
use crate::schema::{CategoryKind, ColumnSchema, DataFrameSchema, EntitySetSchema, Relationship};

/// Options for one dataframe, as in featuretools' `EntitySet.add_dataframe`.
#[derive(Debug, Clone, Default)]
pub struct DataFrameOptions {
    /// The index column (required).
    pub index: String,
    /// The time index column.
    pub time_index: Option<String>,
    /// Secondary time index column → the columns it governs.
    pub secondary_time_index: BTreeMap<String, Vec<String>>,
    /// The last time index column, if the batch has one.
    pub last_time_index: Option<String>,
    /// Woodwork logical type names by column; others are inferred from the Arrow type.
    pub logical_types: BTreeMap<String, String>,
    /// Extra semantic tags by column (e.g. `date_of_birth`).
    pub semantic_tags: BTreeMap<String, Vec<String>>,
    /// Category order by column; default: sorted values.
    pub categories: BTreeMap<String, Vec<String>>,
}

/// Builds an [`EntitySet`] with featuretools' validation: the index is unique and not null, the
/// time index is a Datetime, a relationship's parent column is the parent's index, and (unless
/// allowed) every foreign key names an existing parent row.
///
/// ```
/// use std::sync::Arc;
/// use arrow_array::{Int64Array, RecordBatch};
/// use ftpart::entityset::{EntitySetBuilder, DataFrameOptions};
/// let customers = RecordBatch::try_from_iter([("id", Arc::new(Int64Array::from(vec![1, 2])) as _)]).unwrap();
/// let orders = RecordBatch::try_from_iter([
///     ("order_id", Arc::new(Int64Array::from(vec![10, 11, 12])) as _),
///     ("customer_id", Arc::new(Int64Array::from(vec![1, 1, 2])) as _),
/// ]).unwrap();
/// let mut b = EntitySetBuilder::new("shop");
/// b.add_dataframe("customers", customers, DataFrameOptions { index: "id".into(), ..Default::default() }).unwrap();
/// b.add_dataframe("orders", orders, DataFrameOptions { index: "order_id".into(), ..Default::default() }).unwrap();
/// b.add_relationship("customers", "id", "orders", "customer_id").unwrap();
/// let es = b.build().unwrap();
/// assert_eq!(es.num_rows(1), 3);
/// ```
#[derive(Debug, Default)]
pub struct EntitySetBuilder {
    id: String,
    frames: Vec<(DataFrameSchema, Vec<ArrayRef>)>,
    relationships: Vec<Relationship>,
    allow_orphans: bool,
}

fn infer_type(dt: &DataType, nulls: bool) -> &'static str {
    match dt {
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64 => {
            if nulls {
                "IntegerNullable"
            } else {
                "Integer"
            }
        }
        DataType::Float16 | DataType::Float32 | DataType::Float64 => "Double",
        DataType::Boolean => {
            if nulls {
                "BooleanNullable"
            } else {
                "Boolean"
            }
        }
        DataType::Timestamp(_, _) | DataType::Date32 | DataType::Date64 => "Datetime",
        DataType::Dictionary(_, _) => "Categorical",
        _ => "Unknown",
    }
}

impl EntitySetBuilder {
    /// A new, empty entity set with this id.
    pub fn new(id: &str) -> Self {
        EntitySetBuilder {
            id: id.to_string(),
            ..Default::default()
        }
    }

    /// Accept foreign keys that name no parent row (featuretools accepts them; direct features
    /// of such rows are missing). Off by default.
    pub fn allow_orphans(&mut self, allow: bool) -> &mut Self {
        self.allow_orphans = allow;
        self
    }

    /// Adds a dataframe.
    pub fn add_dataframe(
        &mut self,
        name: &str,
        batch: RecordBatch,
        opts: DataFrameOptions,
    ) -> Result<&mut Self> {
        if self.frames.iter().any(|(d, _)| d.name == name) {
            return Err(Error::df(
                name,
                "a dataframe of this name was already added",
            ));
        }
        let schema = batch.schema();
        for key in opts
            .logical_types
            .keys()
            .chain(opts.semantic_tags.keys())
            .chain(opts.categories.keys())
        {
            if schema.index_of(key).is_err() {
                return Err(Error::df(
                    name,
                    format!("options name column '{key}', which the batch does not have"),
                ));
            }
        }
        let mut columns = Vec::new();
        let mut arrays = Vec::new();
        for (field, array) in schema.fields().iter().zip(batch.columns()) {
            let cname = field.name();
            let type_name = opts.logical_types.get(cname).cloned().unwrap_or_else(|| {
                infer_type(array.data_type(), array.null_count() > 0).to_string()
            });
            let mut c = ColumnSchema::new(cname, &type_name)?;
            if *cname == opts.index {
                c.semantic_tags = vec!["index".into()];
            }
            if opts.time_index.as_deref() == Some(cname.as_str()) {
                c.semantic_tags.push("time_index".into());
            }
            if opts.last_time_index.as_deref() == Some(cname.as_str()) {
                c.semantic_tags = vec!["last_time_index".into()];
            }
            if let Some(tags) = opts.semantic_tags.get(cname) {
                c.semantic_tags.extend(tags.iter().cloned());
            }
            // The categories' type is the values' (a pandas categorical's dictionary holds its
            // categories); categories given as text are integers when they all read as one.
            c.category_kind = CategoryKind::of_arrow(array.data_type());
            if let Some(cats) = opts.categories.get(cname) {
                if c.category_kind == CategoryKind::Text
                    && cats.iter().all(|s| s.parse::<i64>().is_ok())
                {
                    c.category_kind = CategoryKind::Int;
                }
                c.categories = Some(cats.iter().map(|s| c.category_kind.canonical(s)).collect());
            }
            let a = conform(&c, array)
                .map_err(|m| Error::df(name, format!("column '{cname}': {m}")))?;
            columns.push(c);
            arrays.push(a);
        }
        let mut secondary_time_index = opts.secondary_time_index.clone();
        for (k, v) in secondary_time_index.iter_mut() {
            if !v.contains(k) {
                v.push(k.clone());
            }
        }
        let df = DataFrameSchema {
            name: name.to_string(),
            index: opts.index.clone(),
            time_index: opts.time_index.clone(),
            secondary_time_index,
            last_time_index: opts.last_time_index.clone(),
            columns,
        };
        if df.column(&df.index).is_none() {
            return Err(Error::df(
                name,
                format!("index column '{}' is not in the batch", df.index),
            ));
        }
        self.frames.push((df, arrays));
        Ok(self)
    }

    /// Adds a relationship: `child[child_column]` references `parent[parent_column]`, which must
    /// be the parent's index.
    pub fn add_relationship(
        &mut self,
        parent: &str,
        parent_column: &str,
        child: &str,
        child_column: &str,
    ) -> Result<&mut Self> {
        let r = Relationship {
            parent_dataframe_name: parent.into(),
            parent_column_name: parent_column.into(),
            child_dataframe_name: child.into(),
            child_column_name: child_column.into(),
        };
        if !self.relationships.contains(&r) {
            if let Some((c, _)) = self.frames.iter_mut().find(|(d, _)| d.name == child) {
                if let Some(col) = c.columns.iter_mut().find(|x| x.name == child_column) {
                    if !col.has_tag("foreign_key") {
                        col.semantic_tags.push("foreign_key".into());
                    }
                }
            }
            self.relationships.push(r);
        }
        Ok(self)
    }

    /// Validates and builds the entity set.
    pub fn build(self) -> Result<EntitySet> {
        let mut dataframes = Vec::new();
        let mut data = Vec::new();
        for (df, arrays) in self.frames {
            data.push(sort_batch(&df, arrays).map_err(|m| Error::df(&df.name, m))?);
            dataframes.push(df);
        }
        let schema = EntitySetSchema {
            id: self.id,
            dataframes,
            relationships: self.relationships,
        };
        let es = EntitySet::assemble(schema, data)?;
        if !self.allow_orphans {
            for (i, r) in es.schema.relationships.iter().enumerate() {
                let n = es.orphans(i);
                if n > 0 {
                    return Err(Error::df(
                        &r.child_dataframe_name,
                        format!(
                            "{n} rows have a '{}' that names no row of '{}' (allow_orphans to accept them)",
                            r.child_column_name, r.parent_dataframe_name
                        ),
                    ));
                }
            }
        }
        Ok(es)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray, TimestampNanosecondArray};

    use super::*;

    fn batch(cols: Vec<(&str, ArrayRef)>) -> RecordBatch {
        RecordBatch::try_from_iter(cols).unwrap()
    }

    fn customers() -> RecordBatch {
        batch(vec![
            ("id", Arc::new(Int64Array::from(vec![1, 2, 3])) as ArrayRef),
            (
                "joined",
                Arc::new(TimestampNanosecondArray::from(vec![30, 10, 20])) as ArrayRef,
            ),
        ])
    }

    fn orders(customer_ids: Vec<i64>) -> RecordBatch {
        let n = customer_ids.len() as i64;
        batch(vec![
            (
                "order_id",
                Arc::new(Int64Array::from((0..n).collect::<Vec<_>>())) as ArrayRef,
            ),
            (
                "customer_id",
                Arc::new(Int64Array::from(customer_ids)) as ArrayRef,
            ),
        ])
    }

    fn opts(index: &str, time: Option<&str>) -> DataFrameOptions {
        DataFrameOptions {
            index: index.into(),
            time_index: time.map(str::to_string),
            ..Default::default()
        }
    }

    #[test]
    fn builds_sorts_by_time_and_links_children() {
        let mut b = EntitySetBuilder::new("shop");
        b.add_dataframe("customers", customers(), opts("id", Some("joined")))
            .unwrap();
        b.add_dataframe("orders", orders(vec![1, 1, 3]), opts("order_id", None))
            .unwrap();
        b.add_relationship("customers", "id", "orders", "customer_id")
            .unwrap();
        let es = b.build().unwrap();
        // Sorted by the time index, as woodwork sorts: ids 2 (t=10), 3 (t=20), 1 (t=30).
        let ids = es
            .column(0, "id")
            .unwrap()
            .as_any()
            .downcast_ref::<Int64Array>()
            .unwrap()
            .values()
            .to_vec();
        assert_eq!(ids, vec![2, 3, 1]);
        assert_eq!(es.children(0).of(2), &[0, 1]);
        assert!(es.schema.dataframes[1]
            .column("customer_id")
            .unwrap()
            .has_tag("foreign_key"));
    }

    #[test]
    fn refuses_a_parent_column_that_is_not_the_index() {
        let mut b = EntitySetBuilder::new("shop");
        b.add_dataframe("customers", customers(), opts("id", None))
            .unwrap();
        b.add_dataframe("orders", orders(vec![1]), opts("order_id", None))
            .unwrap();
        b.add_relationship("customers", "joined", "orders", "customer_id")
            .unwrap();
        let e = b.build().unwrap_err().to_string();
        assert!(e.contains("must be the parent's index 'id'"), "{e}");
    }

    #[test]
    fn refuses_foreign_keys_without_a_parent_unless_allowed() {
        let build = |allow: bool| {
            let mut b = EntitySetBuilder::new("shop");
            b.allow_orphans(allow);
            b.add_dataframe("customers", customers(), opts("id", None))
                .unwrap();
            b.add_dataframe("orders", orders(vec![1, 9]), opts("order_id", None))
                .unwrap();
            b.add_relationship("customers", "id", "orders", "customer_id")
                .unwrap();
            b.build()
        };
        let e = build(false).unwrap_err().to_string();
        assert!(
            e.contains("'orders'")
                && e.contains("1 rows have a 'customer_id' that names no row of 'customers'"),
            "{e}"
        );
        assert_eq!(build(true).unwrap().orphans(0), 1);
    }

    #[test]
    fn refuses_duplicate_index_values() {
        let mut b = EntitySetBuilder::new("shop");
        let dup = batch(vec![(
            "id",
            Arc::new(Int64Array::from(vec![1, 1])) as ArrayRef,
        )]);
        b.add_dataframe("customers", dup, opts("id", None)).unwrap();
        let e = b.build().unwrap_err().to_string();
        assert!(
            e.contains("'customers'") && e.contains("index value 1 is not unique"),
            "{e}"
        );
    }

    #[test]
    fn refuses_a_text_time_index_and_unknown_columns() {
        let mut b = EntitySetBuilder::new("shop");
        let t = batch(vec![
            ("id", Arc::new(Int64Array::from(vec![1])) as ArrayRef),
            (
                "when",
                Arc::new(StringArray::from(vec!["soon"])) as ArrayRef,
            ),
        ]);
        b.add_dataframe("customers", t, opts("id", Some("when")))
            .unwrap();
        let e = b.build().unwrap_err().to_string();
        assert!(
            e.contains("time index 'when'") && e.contains("Datetime or numeric"),
            "{e}"
        );
        let mut b = EntitySetBuilder::new("shop");
        let mut o = opts("id", None);
        o.logical_types.insert("nope".into(), "Double".into());
        let e = b
            .add_dataframe("customers", customers(), o)
            .unwrap_err()
            .to_string();
        assert!(e.contains("'nope'"), "{e}");
    }
}
