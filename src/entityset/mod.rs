//! Entity sets: dataframes as Arrow record batches plus their schema, and the row indexes the
//! calculator walks (foreign key → parent row, parent row → child rows in time order).

mod builder;
pub use ftpart_partitioner::keys;
pub mod project;
mod read;

pub use builder::{DataFrameOptions, EntitySetBuilder};
pub use read::{category_column, is_na, read_schema, scan_dataframe, CHUNK_ROWS};
pub use read::{entityset_from_batches, read_entityset, read_entityset_projected};

use arrow_array::cast::AsArray;
use arrow_array::types::TimestampNanosecondType;
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_buffer::ScalarBuffer;

use crate::error::{Error, Result};
use crate::schema::{EntitySetSchema, Relationship};
use keys::{key_values, KeyMap, NO_ROW};

/// Null times are stored as this sentinel, which is never visible.
pub const NULL_TIME: i64 = i64::MIN;

/// An entity set: schema plus one record batch per dataframe, rows sorted as woodwork sorts them
/// (by time index, then index, when there is a time index).
#[derive(Debug)]
pub struct EntitySet {
    /// The schema.
    pub schema: EntitySetSchema,
    /// One batch per dataframe, in schema order.
    pub data: Vec<RecordBatch>,
    index: Index,
    /// Per dataframe, in a shard part: which rows are copies of rows another part owns
    /// (`ftpart_partitioner::COPY`). Empty outside shards.
    copies: Vec<Option<arrow_buffer::BooleanBuffer>>,
}

/// Child rows of each parent row, as a compressed sparse row table.
#[derive(Debug, Default)]
pub struct Children {
    /// `offsets[p]..offsets[p+1]` indexes `rows` for parent row `p`.
    pub offsets: Vec<u32>,
    /// Child rows, ascending (so in time order).
    pub rows: Vec<u32>,
}

impl Children {
    /// The child rows of parent row `p`.
    pub fn of(&self, p: u32) -> &[u32] {
        let p = p as usize;
        &self.rows[self.offsets[p] as usize..self.offsets[p + 1] as usize]
    }
}

#[derive(Debug, Default)]
struct Index {
    /// Built on first use: a large child table (transactions) is never looked up by its index.
    keys: Vec<std::sync::OnceLock<KeyMap>>,
    times: Vec<Option<ScalarBuffer<i64>>>,
    ltis: Vec<Option<ScalarBuffer<i64>>>,
    parent_rows: Vec<Vec<u32>>,
    children: Vec<Children>,
    orphans: Vec<usize>,
}

/// Parent row of each foreign key value ([`NO_ROW`] for missing), and how many name no parent.
/// Dictionary-encoded keys are resolved once per dictionary value.
fn resolve_foreign_keys(fk: &ArrayRef, parent: &KeyMap) -> (Vec<u32>, usize) {
    let mut orphans = 0;
    let mut resolve = |k: Option<keys::Key>| match k {
        None => NO_ROW,
        Some(k) => parent.get(k).unwrap_or_else(|| {
            orphans += 1;
            NO_ROW
        }),
    };
    if let Some(d) = fk.as_dictionary_opt::<arrow_array::types::Int32Type>() {
        let per_value: Vec<Option<keys::Key>> = key_values(d.values());
        let mut rows_of_value: Vec<Option<u32>> = vec![None; per_value.len()];
        let mut out = Vec::with_capacity(fk.len());
        for i in 0..fk.len() {
            if d.is_null(i) {
                out.push(NO_ROW);
                continue;
            }
            let v = d.keys().value(i) as usize;
            let r = match rows_of_value.get(v).copied().flatten() {
                Some(r) => r,
                None => {
                    let r = resolve(per_value.get(v).cloned().flatten());
                    if r != NO_ROW {
                        rows_of_value[v] = Some(r);
                    }
                    r
                }
            };
            out.push(r);
        }
        return (out, orphans);
    }
    if let Some(a) = fk.as_primitive_opt::<arrow_array::types::Int64Type>() {
        let out = (0..a.len())
            .map(|i| {
                if a.is_null(i) {
                    return NO_ROW;
                }
                parent.get_int(a.value(i)).unwrap_or_else(|| {
                    orphans += 1;
                    NO_ROW
                })
            })
            .collect();
        return (out, orphans);
    }
    let out = key_values(fk).into_iter().map(&mut resolve).collect();
    (out, orphans)
}

/// [`time_values`] without a copy when the column is a Datetime without missing values (the
/// buffer is shared, e.g. with a memory-mapped shard).
pub fn time_buffer(col: &ArrayRef) -> ScalarBuffer<i64> {
    match col.as_primitive_opt::<TimestampNanosecondType>() {
        Some(a) if a.null_count() == 0 => a.values().clone(),
        _ => ScalarBuffer::from(time_values(col)),
    }
}

/// Times as the calculator compares them: ns since the epoch for Datetimes, an order-preserving
/// key for numeric times ([`crate::time::numeric_time_key`]); [`NULL_TIME`] for missing.
pub fn time_values(col: &ArrayRef) -> Vec<i64> {
    use crate::time::numeric_time_key;
    let n = col.len();
    if let Some(a) = col.as_primitive_opt::<TimestampNanosecondType>() {
        return (0..n)
            .map(|i| if a.is_valid(i) { a.value(i) } else { NULL_TIME })
            .collect();
    }
    if let Some(a) = col.as_primitive_opt::<arrow_array::types::Int64Type>() {
        return (0..n)
            .map(|i| {
                if a.is_valid(i) {
                    numeric_time_key(a.value(i) as f64)
                } else {
                    NULL_TIME
                }
            })
            .collect();
    }
    if let Some(a) = col.as_primitive_opt::<arrow_array::types::Float64Type>() {
        return (0..n)
            .map(|i| {
                if a.is_valid(i) && !a.value(i).is_nan() {
                    numeric_time_key(a.value(i))
                } else {
                    NULL_TIME
                }
            })
            .collect();
    }
    vec![NULL_TIME; n]
}

impl EntitySet {
    /// Assembles an entity set from already typed and sorted batches and builds its indexes.
    pub(crate) fn assemble(schema: EntitySetSchema, data: Vec<RecordBatch>) -> Result<Self> {
        Self::assemble_with(schema, data, true)
    }

    /// Like [`EntitySet::assemble`]; with `validate_all_keys` false, only the indexes that are
    /// looked up (parents, and later the target) are hashed, and so checked for duplicates. Shards
    /// use this: their keys were checked when the entity set was first read.
    pub(crate) fn assemble_with(
        schema: EntitySetSchema,
        data: Vec<RecordBatch>,
        validate_all_keys: bool,
    ) -> Result<Self> {
        schema.validate()?;
        let mut index = Index::default();
        for (df, batch) in schema.dataframes.iter().zip(&data) {
            let col = |name: &str| batch.column(df.position(name).expect("validated column"));
            let cell = std::sync::OnceLock::new();
            let is_parent = schema
                .relationships
                .iter()
                .any(|r| r.parent_dataframe_name == df.name);
            if is_parent {
                let _ =
                    cell.set(KeyMap::build(col(&df.index)).map_err(|m| Error::df(&df.name, m))?);
            } else if validate_all_keys {
                // Checked as woodwork checks it; the map is built if something looks a key up.
                KeyMap::check(col(&df.index)).map_err(|m| Error::df(&df.name, m))?;
            }
            index.keys.push(cell);
            index
                .times
                .push(df.time_index.as_ref().map(|t| time_buffer(col(t))));
            index
                .ltis
                .push(df.last_time_index.as_ref().map(|t| time_buffer(col(t))));
        }
        for r in &schema.relationships {
            let p = schema
                .position(&r.parent_dataframe_name)
                .expect("validated");
            let c = schema.position(&r.child_dataframe_name).expect("validated");
            let cdf = &schema.dataframes[c];
            let fk = data[c].column(cdf.position(&r.child_column_name).expect("validated"));
            let (parent_rows, orphans) =
                resolve_foreign_keys(fk, index.keys[p].get().expect("parents are indexed"));
            let n_parent = data[p].num_rows();
            let mut counts = vec![0u32; n_parent + 1];
            for &pr in &parent_rows {
                if pr != NO_ROW {
                    counts[pr as usize + 1] += 1;
                }
            }
            for i in 0..n_parent {
                counts[i + 1] += counts[i];
            }
            let mut fill = counts.clone();
            let mut rows = vec![0u32; counts[n_parent] as usize];
            for (child, &pr) in parent_rows.iter().enumerate() {
                if pr != NO_ROW {
                    rows[fill[pr as usize] as usize] = child as u32;
                    fill[pr as usize] += 1;
                }
            }
            index.parent_rows.push(parent_rows);
            index.children.push(Children {
                offsets: counts,
                rows,
            });
            index.orphans.push(orphans);
        }
        Ok(EntitySet {
            schema,
            data,
            index,
            copies: Vec::new(),
        })
    }

    /// Position of a dataframe, or an error naming it.
    pub fn df_position(&self, name: &str) -> Result<usize> {
        self.schema.position(name).ok_or_else(|| {
            let names: Vec<&str> = self
                .schema
                .dataframes
                .iter()
                .map(|d| d.name.as_str())
                .collect();
            Error::Invalid(format!(
                "dataframe '{name}' is not in the entity set (it has: {})",
                names.join(", ")
            ))
        })
    }

    /// Position of a relationship.
    pub fn relationship_position(&self, r: &Relationship) -> Option<usize> {
        self.schema.relationships.iter().position(|x| x == r)
    }

    /// Number of rows of dataframe `df`.
    pub fn num_rows(&self, df: usize) -> usize {
        self.data[df].num_rows()
    }

    /// The column `name` of dataframe `df`.
    pub fn column(&self, df: usize, name: &str) -> Option<&ArrayRef> {
        self.schema.dataframes[df]
            .position(name)
            .map(|i| self.data[df].column(i))
    }

    /// Index value → row of dataframe `df`.
    pub fn keys(&self, df: usize) -> Result<&KeyMap> {
        let cell = &self.index.keys[df];
        if let Some(m) = cell.get() {
            return Ok(m);
        }
        let d = &self.schema.dataframes[df];
        let col = self.data[df].column(d.position(&d.index).expect("validated index"));
        let built = KeyMap::build(col).map_err(|m| Error::df(&d.name, m))?;
        Ok(cell.get_or_init(|| built))
    }

    /// Time index values of dataframe `df` (ns; [`NULL_TIME`] for null), if it has one.
    pub fn times(&self, df: usize) -> Option<&[i64]> {
        self.index.times[df].as_deref()
    }

    /// Last time index values of dataframe `df`, if it has one.
    pub fn last_times(&self, df: usize) -> Option<&[i64]> {
        self.index.ltis[df].as_deref()
    }

    /// For relationship `rel`: the parent row of each child row ([`NO_ROW`] when none).
    pub fn parent_rows(&self, rel: usize) -> &[u32] {
        &self.index.parent_rows[rel]
    }

    /// For relationship `rel`: the child rows of each parent row.
    pub fn children(&self, rel: usize) -> &Children {
        &self.index.children[rel]
    }

    /// Whether row `row` of dataframe `df` is a copy, held by this shard part so that the rows it
    /// owns find what they refer to, of a row another part owns. Copies are never instances and
    /// never counted by aggregations answered across parts.
    pub fn is_copy(&self, df: usize, row: u32) -> bool {
        self.copies
            .get(df)
            .and_then(|c| c.as_ref())
            .is_some_and(|c| c.value(row as usize))
    }

    /// Marks the copies of a shard part's dataframes (see [`EntitySet::is_copy`]).
    pub(crate) fn set_copies(&mut self, copies: Vec<Option<arrow_buffer::BooleanBuffer>>) {
        self.copies = copies;
    }

    /// For relationship `rel`: how many child rows name a parent key that does not exist.
    pub fn orphans(&self, rel: usize) -> usize {
        self.index.orphans[rel]
    }
}

impl EntitySet {
    /// An entity set with this schema and no rows (for checking features against a schema).
    pub fn empty(schema: EntitySetSchema) -> Result<Self> {
        let data = schema
            .dataframes
            .iter()
            .map(|df| RecordBatch::new_empty(crate::shards::arrow_schema(df)))
            .collect();
        EntitySet::assemble(schema, data)
    }
}
