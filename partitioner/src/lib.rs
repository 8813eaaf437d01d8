//! Relational sharding over Arrow: tables, the relationships between them, a root table and a number
//! of parts in; self-contained shard directories and a manifest out.
//!
//! # Which rows a part holds
//!
//! The *tree* is the root table and every table reachable from it by going from parent to child;
//! each tree table has one *tree link*, the first link (in link order) by which a breadth-first
//! walk from the root reaches it. Every row of every table is **owned** by exactly one part:
//!
//! - a root row by the part the balanced assignment gives it;
//! - a row of a tree table by the owner of its parent through its tree link; a row whose tree
//!   parent is missing (null or dangling key) owns itself like a root row (a pseudo-root, balanced
//!   with the roots, counted in [`Manifest::rows_without_root`]), and its subtree follows it; the
//!   rows of a table that hold the same dangling key share one pseudo-root, so that rows with
//!   equal tree keys are always in one part;
//! - a row outside the tree (lookup parents such as `products`, ancestors of the root, tables
//!   below an ancestor such as `stores` under `regions` when split by customers, tables with no
//!   path to the root) by the first part that refers to it, or, when no part does, by one part in
//!   turn.
//!
//! A part also holds a **copy** of every row that a row it holds refers to and that it does not
//! own, through any link, transitively (the closure under references): the customer of a
//! transaction reached through `stores` in a diamond, the destination airport of a flight split
//! by its origin, a product, the region of that product. Files of tables that can hold copies
//! carry the [`COPY`] column. So, in every part: each row it holds finds every row it refers to;
//! the rows a parent owns through a tree link are all its children through that link; and
//! counting only owned rows over all parts counts every row once.
//!
//! What follows for features (decided by the caller, `ftpart::outer`): an aggregation is exact
//! inside a part when every step of its path, starting at rows the part owns, goes down a tree
//! link; any other aggregation reaches rows of other parts and is answered across parts, or
//! refused by name.
//!
//! Input is read as a stream of record batches, several times; memory holds per-key maps (key →
//! root, root → part, referenced keys per part) and, at the end, one part's table at a time while
//! it is sorted and written.
//!
//! ```no_run
//! use ftpart_partitioner::{split, Link, SplitOptions, TableSpec, Source};
//! # fn source() -> Box<dyn Source + Sync> { unimplemented!() }
//! let tables = vec![
//!     TableSpec { name: "customers".into(), key: "id".into(), time: None },
//!     TableSpec { name: "orders".into(), key: "order_id".into(), time: Some("at".into()) },
//! ];
//! let links = vec![Link { parent: "customers".into(), parent_key: "id".into(), child: "orders".into(), child_key: "customer_id".into() }];
//! let opts = SplitOptions { root: "customers".into(), parts: 4, out: "shards".into(), force: false, metadata: serde_json::Value::Null, durable: true };
//! let summary = split(&tables, &links, source().as_ref(), &opts, &mut |_| {})?;
//! # Ok::<(), ftpart_partitioner::PartitionError>(())
//! ```
#![warn(missing_docs)]

mod cores;
pub mod keys;
mod manifest;
mod split;

use std::path::PathBuf;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;

pub use cores::on_cores;
pub use manifest::{Manifest, PartInfo, TableFile, MANIFEST, SHARD_FORMAT_VERSION};
pub use split::{checksum, split, SplitEvent, SplitSummary, COPY, SOURCE_ROW};

/// A table: its name, key (index) column and optional time column (rows are written in
/// (time, key) order, missing times last).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TableSpec {
    /// Table name.
    pub name: String,
    /// Key column, unique per row.
    pub key: String,
    /// Time column.
    pub time: Option<String>,
}

/// `child[child_key]` references `parent[parent_key]` (the parent's key).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Link {
    /// Parent table.
    pub parent: String,
    /// Parent's key column.
    pub parent_key: String,
    /// Child table.
    pub child: String,
    /// Child's foreign key column.
    pub child_key: String,
}

/// Where the tables' rows come from. `scan` may be called several times per table.
pub trait Source {
    /// The schema of the table's batches.
    fn schema(&self, table: &str) -> Result<SchemaRef, PartitionError>;
    /// Calls `f` with the table's rows, chunk by chunk.
    fn scan(
        &self,
        table: &str,
        f: &mut dyn FnMut(RecordBatch) -> Result<(), PartitionError>,
    ) -> Result<(), PartitionError>;
    /// [`Source::scan`] of only the named columns (the passes that read keys), the rows in the
    /// same order. By default every column is read and the others dropped; a source that can
    /// skip decoding them should.
    fn scan_columns(
        &self,
        table: &str,
        columns: &[&str],
        f: &mut dyn FnMut(RecordBatch) -> Result<(), PartitionError>,
    ) -> Result<(), PartitionError> {
        self.scan(table, &mut |b| {
            let idx = columns
                .iter()
                .map(|c| {
                    b.schema()
                        .index_of(c)
                        .map_err(|_| PartitionError::table(table, format!("has no column '{c}'")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            f(b.project(&idx)
                .map_err(|e| PartitionError::table(table, e.to_string()))?)
        })
    }
}

/// Options of [`split`].
#[derive(Debug, Clone)]
pub struct SplitOptions {
    /// The table whose rows are distributed over the parts.
    pub root: String,
    /// Number of parts (≥ 1).
    pub parts: usize,
    /// Output directory.
    pub out: PathBuf,
    /// Replace a non-empty output directory.
    pub force: bool,
    /// Caller's metadata, stored in the manifest as is (e.g. the source schema).
    pub metadata: serde_json::Value,
    /// Flush each file to disk before the manifest is written (shards that are kept); off for
    /// shards in a temporary directory that live as long as one computation.
    pub durable: bool,
}

/// What went wrong while splitting or reading shards.
#[derive(Debug, thiserror::Error)]
pub enum PartitionError {
    /// Bad arguments or table layout.
    #[error("{0}")]
    Invalid(String),
    /// A table's data.
    #[error("table '{table}': {message}")]
    Table {
        /// The table.
        table: String,
        /// What is wrong.
        message: String,
    },
    /// A file's content (a manifest, a shard file) is not what it should be.
    #[error("{path}: {message}")]
    File {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A file could not be read, written or created.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Writing or reading back the split's own files failed (not the user's input).
    #[error("{path}: {message}")]
    Failed {
        /// The file.
        path: PathBuf,
        /// What failed.
        message: String,
    },
    /// The [`Source`] failed: its own error, kept whole for the caller.
    #[error(transparent)]
    Source(Box<dyn std::error::Error + Send + Sync>),
}

impl PartitionError {
    /// Whether the error is the input's or the usage's fault (exit code 2), not a failure of
    /// the machine or of ftpart (exit code 1). A [`PartitionError::Source`] error is the
    /// caller's to classify.
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            PartitionError::Invalid(_) | PartitionError::Table { .. } | PartitionError::File { .. }
        )
    }
}

impl PartitionError {
    pub(crate) fn file(path: impl Into<PathBuf>, e: impl std::fmt::Display) -> Self {
        PartitionError::File {
            path: path.into(),
            message: e.to_string(),
        }
    }
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        PartitionError::Io {
            path: path.into(),
            source,
        }
    }
    pub(crate) fn failed(path: impl Into<PathBuf>, e: impl std::fmt::Display) -> Self {
        PartitionError::Failed {
            path: path.into(),
            message: e.to_string(),
        }
    }
    /// An error about one table (dataframe) of the split.
    pub fn table(table: &str, e: impl std::fmt::Display) -> Self {
        PartitionError::Table {
            table: table.to_string(),
            message: e.to_string(),
        }
    }
}
