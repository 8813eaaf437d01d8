//! Featuretools entity sets split into shards (`ftpart split`) and read back one part at a time.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Int32Type;
use arrow_array::{Array, ArrayRef, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use ftpart_partitioner::{
    Link, Manifest, PartitionError, SplitEvent, SplitOptions, SplitSummary, TableSpec,
};

use crate::entityset::project::ProjectionOptions;
use crate::entityset::{read_schema, scan_dataframe, EntitySet, CHUNK_ROWS};
use crate::error::{Error, Result};
use crate::features::FeatureGraph;
use crate::schema::{DataFrameSchema, EntitySetSchema, Storage};

/// The Arrow schema ftpart stores a dataframe's columns in.
pub fn arrow_schema(df: &DataFrameSchema) -> SchemaRef {
    let fields: Vec<Field> = df
        .columns
        .iter()
        .map(|c| {
            let dt = match c.storage() {
                Storage::Int64 => DataType::Int64,
                Storage::Float64 => DataType::Float64,
                Storage::Boolean => DataType::Boolean,
                Storage::Timestamp => DataType::Timestamp(TimeUnit::Nanosecond, None),
                Storage::Category => {
                    DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8))
                }
                Storage::Utf8 => DataType::Utf8,
            };
            Field::new(&c.name, dt, true)
        })
        .collect();
    Arc::new(Schema::new(fields))
}

/// The Arrow schema of a dataframe, for a [`ftpart_partitioner::Source`].
pub fn table_schema(
    schema: &EntitySetSchema,
    table: &str,
) -> std::result::Result<SchemaRef, PartitionError> {
    let df = schema
        .dataframe(table)
        .ok_or_else(|| PartitionError::Invalid(format!("no dataframe '{table}'")))?;
    Ok(arrow_schema(df))
}

/// A featuretools entity set directory as a [`ftpart_partitioner::Source`]: read in chunks, typed.
struct EntitySetSource {
    dir: PathBuf,
    format: String,
    schema: EntitySetSchema,
}

impl ftpart_partitioner::Source for EntitySetSource {
    fn schema(&self, table: &str) -> std::result::Result<SchemaRef, PartitionError> {
        table_schema(&self.schema, table)
    }

    fn scan(
        &self,
        table: &str,
        f: &mut dyn FnMut(RecordBatch) -> std::result::Result<(), PartitionError>,
    ) -> std::result::Result<(), PartitionError> {
        let df = self
            .schema
            .dataframe(table)
            .ok_or_else(|| PartitionError::Invalid(format!("no dataframe '{table}'")))?;
        self.scan_df(df, f)
    }

    fn scan_columns(
        &self,
        table: &str,
        columns: &[&str],
        f: &mut dyn FnMut(RecordBatch) -> std::result::Result<(), PartitionError>,
    ) -> std::result::Result<(), PartitionError> {
        let mut df = self
            .schema
            .dataframe(table)
            .ok_or_else(|| PartitionError::Invalid(format!("no dataframe '{table}'")))?
            .clone();
        // The reader decodes only the columns the schema lists (Parquet's column projection).
        df.columns.retain(|c| columns.contains(&c.name.as_str()));
        self.scan_df(&df, f)
    }
}

impl EntitySetSource {
    /// Scans the columns `df` lists, typed as the schema says.
    fn scan_df(
        &self,
        df: &DataFrameSchema,
        f: &mut dyn FnMut(RecordBatch) -> std::result::Result<(), PartitionError>,
    ) -> std::result::Result<(), PartitionError> {
        let table = &df.name;
        let schema = arrow_schema(df);
        // The consumer's error is the one reported; a reading error keeps its kind.
        let mut inner: Option<PartitionError> = None;
        let r = scan_dataframe(&self.dir, &self.format, df, CHUNK_ROWS, &mut |cols| {
            let batch = RecordBatch::try_new(schema.clone(), cols)
                .map_err(|e| Error::arrow(format!("dataframe '{table}'"), e))?;
            f(batch).map_err(|e| {
                let msg = e.to_string();
                inner = Some(e);
                Error::Invalid(msg)
            })
        });
        match (r, inner) {
            (Ok(()), _) => Ok(()),
            (Err(_), Some(e)) => Err(e),
            (Err(e), None) => Err(PartitionError::Source(Box::new(e))),
        }
    }
}

/// The partitioner's view of an entity set schema: tables (index, time index) and links.
pub fn tables_and_links(schema: &EntitySetSchema) -> (Vec<TableSpec>, Vec<Link>) {
    let tables = schema
        .dataframes
        .iter()
        .map(|d| TableSpec {
            name: d.name.clone(),
            key: d.index.clone(),
            time: d.time_index.clone(),
        })
        .collect();
    let links = schema
        .relationships
        .iter()
        .map(|r| Link {
            parent: r.parent_dataframe_name.clone(),
            parent_key: r.parent_column_name.clone(),
            child: r.child_dataframe_name.clone(),
            child_key: r.child_column_name.clone(),
        })
        .collect();
    (tables, links)
}

/// Options of [`split_entityset`].
#[derive(Debug, Clone)]
pub struct SplitEntitySet {
    /// The dataframe whose instances are distributed over the parts.
    pub by: String,
    /// Number of parts.
    pub parts: usize,
    /// Output directory.
    pub out: PathBuf,
    /// Replace an existing shard directory.
    pub force: bool,
    /// Flush every file to disk before the manifest is written (shards that are kept); the
    /// temporary shards of one computation (`ftpart run`) are not flushed.
    pub durable: bool,
}

/// Splits a featuretools entity set directory into shards (`ftpart split`).
pub fn split_entityset(
    es_dir: &Path,
    opts: &SplitEntitySet,
    progress: &mut dyn FnMut(&SplitEvent),
) -> Result<SplitSummary> {
    split_entityset_for(es_dir, opts, None, progress)
}

/// The features shards were split for (`ftpart split --features`, `ftpart run`): only the
/// columns they need are written.
#[derive(Debug, Clone, Copy)]
pub struct SplitFor<'a> {
    /// The features.
    pub graph: &'a FeatureGraph,
    /// How they were given (`--features f.json`, `ftpart.split(features=...)`), named when a
    /// later computation needs a column left out.
    pub given: &'a str,
    /// What else the columns are read for (the last time indexes of a training window).
    pub opts: ProjectionOptions,
}

impl<'a> SplitFor<'a> {
    /// For shards that are kept (`ftpart split --features`, `ftpart.split(features=...)`): they
    /// do not know whether a later computation has a training window, so they keep the last time
    /// indexes it would read.
    pub fn kept(graph: &'a FeatureGraph, given: &'a str) -> Self {
        SplitFor {
            graph,
            given,
            opts: ProjectionOptions {
                training_window: true,
            },
        }
    }
}

/// The key of the shard manifest's metadata that names the features a projected split was
/// made for (next to the entity set schema's own keys, which do not include it).
const SPLIT_FOR_KEY: &str = "ftpart_split_for_features";

/// [`split_entityset`], writing only the columns `only` needs when it is given (the features
/// are checked against the entity set before anything is written).
pub fn split_entityset_for(
    es_dir: &Path,
    opts: &SplitEntitySet,
    only: Option<SplitFor>,
    progress: &mut dyn FnMut(&SplitEvent),
) -> Result<SplitSummary> {
    let (schema, format) = read_schema(es_dir)?;
    let schema = match only {
        Some(_) => split_schema(&EntitySet::empty(schema)?, only)?,
        None => schema,
    };
    if schema.dataframe(&opts.by).is_none() {
        let names: Vec<&str> = schema.dataframes.iter().map(|d| d.name.as_str()).collect();
        return Err(Error::Invalid(format!(
            "--by '{}' is not a dataframe of the entity set (it has: {})",
            opts.by,
            names.join(", ")
        )));
    }
    let (tables, links) = tables_and_links(&schema);
    let metadata = split_metadata(&schema, only)?;
    let source = EntitySetSource {
        dir: es_dir.to_path_buf(),
        format,
        schema,
    };
    let sopts = SplitOptions {
        root: opts.by.clone(),
        parts: opts.parts,
        out: opts.out.clone(),
        force: opts.force,
        metadata,
        durable: opts.durable,
    };
    Ok(ftpart_partitioner::split(
        &tables, &links, &source, &sopts, progress,
    )?)
}

/// The schema of the shards of `es`: only the columns `only` needs when it is given, after the
/// features are checked against `es` (nothing is written for features that do not fit it).
pub(crate) fn split_schema(es: &EntitySet, only: Option<SplitFor>) -> Result<EntitySetSchema> {
    Ok(match only {
        Some(only) => {
            crate::calc::Plan::build(es, only.graph)?;
            crate::entityset::project::projected(&es.schema, only.graph, only.opts)
        }
        None => es.schema.clone(),
    })
}

/// The shard manifest's metadata: the entity set schema, and how the features were given that
/// the shards were split for.
pub(crate) fn split_metadata(
    schema: &EntitySetSchema,
    only: Option<SplitFor>,
) -> Result<serde_json::Value> {
    let mut metadata = serde_json::to_value(schema).map_err(|e| Error::Internal(e.to_string()))?;
    if let (Some(only), Some(m)) = (only, metadata.as_object_mut()) {
        m.insert(SPLIT_FOR_KEY.into(), only.given.into());
    }
    Ok(metadata)
}

/// Reads an Arrow IPC file's batches (a memory map in workers, a plain read elsewhere).
pub type ReadFn<'a> = dyn Fn(&Path) -> std::result::Result<Vec<RecordBatch>, String> + 'a;

/// A shard directory: its manifest and the entity set schema it was split from.
#[derive(Debug, Clone)]
pub struct Shards {
    /// The directory.
    pub dir: PathBuf,
    /// The manifest.
    pub manifest: Manifest,
    /// The entity set schema.
    pub schema: EntitySetSchema,
}

impl Shards {
    /// Opens a shard directory written by `ftpart split`.
    pub fn open(dir: &Path) -> Result<Self> {
        let manifest = Manifest::read(dir)?;
        let schema: EntitySetSchema =
            serde_json::from_value(manifest.metadata.clone()).map_err(|e| {
                Error::json(
                    dir.join(ftpart_partitioner::MANIFEST),
                    format!("entity set schema: {e}"),
                )
            })?;
        schema.validate()?;
        Ok(Shards {
            dir: dir.to_path_buf(),
            manifest,
            schema,
        })
    }

    /// How the features were given that the shards were split for, with only the columns they
    /// need ([`split_entityset_for`]: `--features f.json`); None for shards of the whole entity
    /// set.
    pub fn split_for(&self) -> Option<&str> {
        self.manifest.metadata.get(SPLIT_FOR_KEY)?.as_str()
    }

    /// Number of parts.
    pub fn parts(&self) -> usize {
        self.manifest.parts.len()
    }

    /// Loads one part as an entity set, each table read by `read` (e.g. a zero-copy memory map).
    pub fn load_part(&self, part: usize, read: &ReadFn<'_>) -> Result<EntitySet> {
        self.load_part_with_rows(part, read).map(|(es, _)| es)
    }

    /// Like [`Shards::load_part`], with each untimed dataframe's source row positions
    /// ([`ftpart_partitioner::SOURCE_ROW`]), which give featuretools' order of such rows.
    pub fn load_part_with_rows(
        &self,
        part: usize,
        read: &ReadFn<'_>,
    ) -> Result<(EntitySet, Vec<Option<ArrayRef>>)> {
        let mut data = Vec::new();
        let mut source_rows = Vec::new();
        let mut copies = Vec::new();
        for df in &self.schema.dataframes {
            let path = self
                .manifest
                .table_path(&self.dir, part, &df.name)
                .ok_or_else(|| {
                    Error::Invalid(format!(
                        "{}: part {part} has no file for dataframe '{}'",
                        self.dir.display(),
                        df.name
                    ))
                })?;
            if !path.exists() {
                return Err(Error::Data {
                    path,
                    dataframe: df.name.clone(),
                    column: "*".into(),
                    message: "shard file is missing".into(),
                });
            }
            let batches = read(&path).map_err(|m| Error::Data {
                path: path.clone(),
                dataframe: df.name.clone(),
                column: "*".into(),
                message: m,
            })?;
            let schema = arrow_schema(df);
            let batch = match batches.len() {
                0 => RecordBatch::new_empty(schema.clone()),
                1 => batches.into_iter().next().expect("one batch"),
                _ => arrow_select::concat::concat_batches(&batches[0].schema(), &batches)
                    .map_err(|e| Error::arrow(path.display().to_string(), e))?,
            };
            let expected = self.manifest.parts[part]
                .tables
                .get(&df.name)
                .map(|t| t.rows)
                .unwrap_or(0);
            if batch.num_rows() as u64 != expected {
                return Err(Error::Data {
                    path,
                    dataframe: df.name.clone(),
                    column: "*".into(),
                    message: format!(
                        "holds {} rows, the manifest says {expected}",
                        batch.num_rows()
                    ),
                });
            }
            source_rows.push(
                batch
                    .column_by_name(ftpart_partitioner::SOURCE_ROW)
                    .cloned(),
            );
            copies.push(copy_marks(&batch).map_err(|m| Error::Data {
                path: path.clone(),
                dataframe: df.name.clone(),
                column: ftpart_partitioner::COPY.into(),
                message: m,
            })?);
            data.push(conform_part(df, &batch, &schema).map_err(|m| Error::Data {
                path: path.clone(),
                dataframe: df.name.clone(),
                column: "*".into(),
                message: m,
            })?);
        }
        let mut es = EntitySet::assemble_with(self.schema.clone(), data, false)?;
        es.set_copies(copies);
        Ok((es, source_rows))
    }
}

/// The [`ftpart_partitioner::COPY`] marks of a shard table, if it has them.
fn copy_marks(
    batch: &RecordBatch,
) -> std::result::Result<Option<arrow_buffer::BooleanBuffer>, String> {
    let Some(c) = batch.column_by_name(ftpart_partitioner::COPY) else {
        return Ok(None);
    };
    let c = c
        .as_boolean_opt()
        .ok_or_else(|| format!("holds {}, expected Boolean", c.data_type()))?;
    if c.null_count() > 0 {
        return Err("has missing values".into());
    }
    Ok(Some(c.values().clone()))
}

/// Checks a shard table against the schema; re-encodes categories whose dictionary differs from
/// the schema's category order.
fn conform_part(
    df: &DataFrameSchema,
    batch: &RecordBatch,
    schema: &SchemaRef,
) -> std::result::Result<RecordBatch, String> {
    let mut cols: Vec<ArrayRef> = Vec::with_capacity(df.columns.len());
    for (c, field) in df.columns.iter().zip(schema.fields()) {
        let a = batch
            .column_by_name(&c.name)
            .ok_or_else(|| format!("column '{}' is missing", c.name))?;
        if a.data_type() != field.data_type() {
            return Err(format!(
                "column '{}' holds {}, expected {}",
                c.name,
                a.data_type(),
                field.data_type()
            ));
        }
        if c.storage() == Storage::Category {
            let d = a.as_dictionary::<Int32Type>();
            let same = match &c.categories {
                Some(cats) => {
                    let v = d.values().as_string::<i32>();
                    v.len() == cats.len() && v.iter().zip(cats).all(|(x, y)| x == Some(y.as_str()))
                }
                None => true,
            };
            if !same {
                let text = arrow_cast::cast(a, &DataType::Utf8).map_err(|e| e.to_string())?;
                let text: &StringArray = text.as_string::<i32>();
                cols.push(crate::entityset::category_column(c, text.iter())?);
                continue;
            }
        }
        cols.push(a.clone());
    }
    RecordBatch::try_new(schema.clone(), cols).map_err(|e| e.to_string())
}

/// Reads an Arrow IPC file into memory (copying); the worker uses a memory map. Both decode with
/// the checks of [`ftpart_worker::mmap`], so a corrupt shard file is an error, not a panic.
pub fn read_ipc_file(path: &Path) -> std::result::Result<Vec<RecordBatch>, String> {
    ftpart_worker::mmap::read_ipc_file(path).map_err(|e| e.to_string())
}

/// Reads only the named columns of an Arrow IPC file. The file is memory-mapped, so the columns
/// not asked for are decoded in place and never copied; the mapping ends with the call when the
/// caller keeps no batch.
pub fn read_ipc_columns(
    path: &Path,
    columns: &[&str],
) -> std::result::Result<Vec<RecordBatch>, String> {
    let batches = ftpart_worker::mmap::map_ipc_file(path).map_err(|e| e.to_string())?;
    batches
        .iter()
        .map(|b| {
            let projection = columns
                .iter()
                .map(|c| {
                    b.schema()
                        .index_of(c)
                        .map_err(|_| format!("column '{c}' is missing"))
                })
                .collect::<std::result::Result<Vec<_>, _>>()?;
            b.project(&projection).map_err(|e| e.to_string())
        })
        .collect()
}
