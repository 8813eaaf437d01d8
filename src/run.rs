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
use crate::schema::EntitySetSchema;
use crate::shards::{Shards, SplitFor};

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

/// An in-memory entity set as a partitioner source, each dataframe read with the columns of
/// `schema` (the entity set's own, or a projection of it).
struct Memory<'a> {
    es: &'a EntitySet,
    schema: &'a EntitySetSchema,
}

impl ftpart_partitioner::Source for Memory<'_> {
    fn schema(&self, table: &str) -> std::result::Result<SchemaRef, PartitionError> {
        crate::shards::table_schema(self.schema, table)
    }
    fn scan(
        &self,
        table: &str,
        f: &mut dyn FnMut(RecordBatch) -> std::result::Result<(), PartitionError>,
    ) -> std::result::Result<(), PartitionError> {
        let no_table = || PartitionError::Invalid(format!("no dataframe '{table}'"));
        let i = self.es.schema.position(table).ok_or_else(no_table)?;
        let df = self.schema.dataframe(table).ok_or_else(no_table)?;
        let b = &self.es.data[i];
        let columns = df
            .columns
            .iter()
            .map(|c| {
                b.schema().index_of(&c.name).map_err(|_| {
                    PartitionError::table(table, format!("has no column '{}'", c.name))
                })
            })
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let b = b
            .project(&columns)
            .map_err(|e| PartitionError::table(table, e.to_string()))?;
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
        durable: false,
    };
    // The shards of one computation, in a temporary directory.
    split_memory(es, &opts, None)?;
    Shards::open(out)
}

/// Splits an entity set held in memory into shards that are kept (`ftpart split` of an
/// entity set built from Arrow batches, as the Python package's `ftpart.split` does), with only
/// the columns `only` needs when it is given (`ftpart split --features`).
pub fn split_entityset_in_memory(
    es: &EntitySet,
    opts: &crate::shards::SplitEntitySet,
    only: Option<SplitFor>,
) -> Result<ftpart_partitioner::SplitSummary> {
    split_memory(es, opts, only)
}

fn split_memory(
    es: &EntitySet,
    opts: &crate::shards::SplitEntitySet,
    only: Option<SplitFor>,
) -> Result<ftpart_partitioner::SplitSummary> {
    es.df_position(&opts.by)?;
    let schema = crate::shards::split_schema(es, only)?;
    let (tables, links) = crate::shards::tables_and_links(&schema);
    let metadata = crate::shards::split_metadata(&schema, only)?;
    let sopts = SplitOptions {
        root: opts.by.clone(),
        parts: opts.parts,
        out: opts.out.clone(),
        force: opts.force,
        metadata,
        durable: opts.durable,
    };
    Ok(ftpart_partitioner::split(
        &tables,
        &links,
        &Memory {
            es,
            schema: &schema,
        },
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

/// A key of `es`'s content split by `by` into `parts`: a 64-bit SipHash and a CRC-32 over the
/// schema and every buffer of every column, in hex. Equal entity sets (the same schema, the same
/// values in the same Arrow layout) have equal keys; any other has another key (but for a chance
/// of 2^-96), so a split kept under its key is the split of exactly this data.
pub fn content_key(es: &EntitySet, by: &str, parts: usize) -> Result<String> {
    use std::hash::Hasher;
    struct Both(std::collections::hash_map::DefaultHasher, crc32fast::Hasher);
    impl Both {
        fn write(&mut self, b: &[u8]) {
            self.0.write(b);
            self.1.update(b);
        }
        fn number(&mut self, n: usize) {
            self.write(&(n as u64).to_le_bytes());
        }
    }
    fn data(h: &mut Both, d: &arrow_data::ArrayData) {
        h.write(format!("{:?}", d.data_type()).as_bytes());
        h.number(d.len());
        h.number(d.offset());
        match d.nulls() {
            Some(n) => {
                h.number(n.offset());
                h.write(n.buffer().as_slice());
            }
            None => h.number(usize::MAX),
        }
        h.number(d.buffers().len());
        for b in d.buffers() {
            h.number(b.len());
            h.write(b.as_slice());
        }
        h.number(d.child_data().len());
        for c in d.child_data() {
            data(h, c);
        }
    }
    let mut h = Both(Default::default(), crc32fast::Hasher::new());
    let schema = serde_json::to_vec(&es.schema).map_err(|e| Error::Internal(e.to_string()))?;
    h.write(&schema);
    h.write(by.as_bytes());
    h.number(parts);
    for b in &es.data {
        h.number(b.num_columns());
        for c in b.columns() {
            data(&mut h, &c.to_data());
        }
    }
    let Both(sip, crc) = h;
    Ok(format!("{:016x}{:08x}", sip.finish(), crc.finalize()))
}

/// Splits kept in one directory by [`split_kept`]: the most recently used ones stay.
const KEPT_SPLITS: usize = 4;

/// The shards of `es` split by `by` into `parts`, kept in `base` under the entity set's
/// [`content_key`]: a split of the same data made earlier is reused (so workers that hold its
/// parts loaded keep them), else one is written to a temporary directory there and renamed into
/// place, so that no reader sees half a split. Of the splits in `base`, the
/// [`KEPT_SPLITS`] used last stay; older ones not used for ten minutes are removed.
pub fn split_kept(es: &EntitySet, by: &str, parts: usize, base: &Path) -> Result<Shards> {
    let key = content_key(es, by, parts)?;
    std::fs::create_dir_all(base).map_err(|e| Error::io(base, e))?;
    let dir = base.join(format!("es-{key}"));
    if !dir.join("manifest.json").is_file() {
        let tmp = tempfile::Builder::new()
            .prefix(&format!(".es-{key}-"))
            .tempdir_in(base)
            .map_err(|e| Error::io(base, e))?;
        let out = tmp.path().join("shards");
        let opts = crate::shards::SplitEntitySet {
            by: by.to_string(),
            parts,
            out: out.clone(),
            force: false,
            durable: true,
        };
        split_memory(es, &opts, None)?;
        // Another process may have put the same split in place meanwhile: either is this data.
        if let Err(e) = std::fs::rename(&out, &dir) {
            if !dir.join("manifest.json").is_file() {
                return Err(Error::io(&dir, e));
            }
        }
    } else if let Ok(f) = std::fs::File::open(&dir) {
        // Most recently used: what the clean-up below keeps.
        let _ = f.set_modified(std::time::SystemTime::now());
    }
    remove_old_splits(base, &dir);
    Shards::open(&dir)
}

fn remove_old_splits(base: &Path, keep: &Path) {
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    let mut splits: Vec<(std::time::SystemTime, std::path::PathBuf)> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("es-"))
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    splits.sort_by_key(|s| std::cmp::Reverse(s.0));
    let idle = std::time::Duration::from_secs(600);
    for (modified, path) in splits.into_iter().skip(KEPT_SPLITS) {
        let old = modified.elapsed().is_ok_and(|d| d > idle);
        if old && path != keep {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}
