//! Split and compute in one call: [`partition_and_compute`] (library) and `ftpart run` (CLI).

use std::path::Path;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use ftpart_partitioner::{PartitionError, SplitOptions};

use crate::compute::{self, Executor, InProcess};
use crate::cutoff::Cutoff;
use crate::entityset::EntitySet;
use crate::error::{Error, Result};
use crate::features::FeatureGraph;
use crate::matrix::MatrixOptions;
use crate::shards::Shards;

/// Options of [`partition_and_compute`].
pub struct PartitionOptions<'a> {
    /// The features.
    pub features: &'a FeatureGraph,
    /// The dataframe to partition by (default: the features' target).
    pub by: Option<String>,
    /// Cutoff times.
    pub cutoff: Cutoff,
    /// Time and output options.
    pub matrix: MatrixOptions,
    /// Where jobs run (default: this process).
    pub executor: Option<&'a mut dyn Executor>,
}

impl<'a> PartitionOptions<'a> {
    /// Options for these features with featuretools' defaults.
    pub fn new(features: &'a FeatureGraph) -> Self {
        PartitionOptions {
            features,
            by: None,
            cutoff: Cutoff::Now,
            matrix: MatrixOptions::default(),
            executor: None,
        }
    }
}

/// An in-memory entity set as a partitioner source.
struct Memory<'a>(&'a EntitySet);

impl ftpart_partitioner::Source for Memory<'_> {
    fn schema(&self, table: &str) -> std::result::Result<SchemaRef, PartitionError> {
        crate::shards::table_schema(&self.0.schema, table)
    }
    fn scan(
        &self,
        table: &str,
        f: &mut dyn FnMut(RecordBatch) -> std::result::Result<(), PartitionError>,
    ) -> std::result::Result<(), PartitionError> {
        let i = self
            .0
            .schema
            .position(table)
            .ok_or_else(|| PartitionError::Invalid(format!("no dataframe '{table}'")))?;
        let b = &self.0.data[i];
        let chunk = crate::entityset::CHUNK_ROWS;
        let mut off = 0;
        loop {
            let len = chunk.min(b.num_rows() - off);
            f(b.slice(off, len))?;
            off += len;
            if off >= b.num_rows() {
                return Ok(());
            }
        }
    }
}

/// Splits an entity set into shards under `out`, for one computation: the files are not flushed
/// to disk (shards that are kept come from [`crate::shards::split_entityset`], `ftpart split`).
pub fn split_in_memory(es: &EntitySet, by: &str, parts: usize, out: &Path) -> Result<Shards> {
    let opts = crate::shards::SplitEntitySet {
        by: by.to_string(),
        parts,
        out: out.to_path_buf(),
        force: false,
    };
    // The shards of one computation, in a temporary directory.
    split_memory(es, &opts, false)?;
    Shards::open(out)
}

/// Splits an entity set held in memory into shards that are kept (`ftpart split` of an
/// entity set built from Arrow batches, as the Python package's `ftpart.split` does).
pub fn split_entityset_in_memory(
    es: &EntitySet,
    opts: &crate::shards::SplitEntitySet,
) -> Result<ftpart_partitioner::SplitSummary> {
    split_memory(es, opts, true)
}

fn split_memory(
    es: &EntitySet,
    opts: &crate::shards::SplitEntitySet,
    durable: bool,
) -> Result<ftpart_partitioner::SplitSummary> {
    es.df_position(&opts.by)?;
    let (tables, links) = crate::shards::tables_and_links(&es.schema);
    let metadata = serde_json::to_value(&es.schema).map_err(|e| Error::Internal(e.to_string()))?;
    let sopts = SplitOptions {
        root: opts.by.clone(),
        parts: opts.parts,
        out: opts.out.clone(),
        force: opts.force,
        metadata,
        durable,
    };
    Ok(ftpart_partitioner::split(
        &tables,
        &links,
        &Memory(es),
        &sopts,
        &mut |_| {},
    )?)
}

/// Partitions `es` into `n_parts` shards in a temporary directory and computes the feature matrix
/// from them: the same matrix as featuretools' `calculate_feature_matrix`.
///
/// ```
/// # use ftpart::{entityset::read_entityset, features::FeatureGraph, run::*};
/// # let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/conformance");
/// let es = read_entityset(&dir.join("entitysets/mock_customer_s0"))?;
/// let features = FeatureGraph::read(&dir.join("cases/mc0_customers_nocutoff/features.json"))?;
/// let fm = partition_and_compute(&es, 3, PartitionOptions::new(&features))?;
/// assert_eq!(fm.num_rows(), 5);
/// # Ok::<(), ftpart::Error>(())
/// ```
pub fn partition_and_compute(
    es: &EntitySet,
    n_parts: usize,
    opts: PartitionOptions<'_>,
) -> Result<RecordBatch> {
    let by = opts
        .by
        .clone()
        .unwrap_or_else(|| opts.features.target().to_string());
    let dir = tempfile::tempdir().map_err(|e| Error::io(std::env::temp_dir(), e))?;
    let out = dir.path().join("shards");
    let shards = split_in_memory(es, &by, n_parts, &out)?;
    let mut local = InProcess::default();
    let exec: &mut dyn Executor = match opts.executor {
        Some(e) => e,
        None => &mut local,
    };
    compute::compute(&shards, opts.features, &opts.cutoff, &opts.matrix, exec)
}
