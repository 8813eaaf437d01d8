//! Relational sharding over Arrow: tables, the relationships between them, a root table and a number
//! of parts in; self-contained shard directories and a manifest out.
//!
//! Each part holds a set of root rows, every row below them (any depth), and only the rows of the
//! other tables that those rows reference. Input is read as a stream of record batches, several
//! times; memory holds per-key maps (key → root, root → part, referenced keys per part) and, at the
//! end, one part's table at a time while it is sorted and written.
//!
//! ```no_run
//! use ftpart_partitioner::{split, Link, SplitOptions, TableSpec, Source};
//! # fn source() -> Box<dyn Source + Sync> { unimplemented!() }
//! let tables = vec![
//!     TableSpec { name: "customers".into(), key: "id".into(), time: None },
//!     TableSpec { name: "orders".into(), key: "order_id".into(), time: Some("at".into()) },
//! ];
//! let links = vec![Link { parent: "customers".into(), parent_key: "id".into(), child: "orders".into(), child_key: "customer_id".into() }];
//! let opts = SplitOptions { root: "customers".into(), parts: 4, out: "shards".into(), force: false, metadata: serde_json::Value::Null };
//! let summary = split(&tables, &links, source().as_ref(), &opts, &mut |_| {})?;
//! # Ok::<(), ftpart_partitioner::PartitionError>(())
//! ```
#![warn(missing_docs)]

pub mod keys;
mod manifest;
mod split;

use std::path::PathBuf;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;

pub use manifest::{Manifest, PartInfo, TableFile, MANIFEST, SHARD_FORMAT_VERSION};
pub use split::{split, SplitEvent, SplitSummary, SOURCE_ROW};

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
    /// A file.
    #[error("{path}: {message}")]
    File {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

impl PartitionError {
    pub(crate) fn file(path: impl Into<PathBuf>, e: impl std::fmt::Display) -> Self {
        PartitionError::File {
            path: path.into(),
            message: e.to_string(),
        }
    }
    pub(crate) fn table(table: &str, e: impl std::fmt::Display) -> Self {
        PartitionError::Table {
            table: table.to_string(),
            message: e.to_string(),
        }
    }
}
