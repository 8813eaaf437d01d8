//! The split: key maps from streamed tables, balanced part assignment, per-part spill files, then
//! one sorted Arrow IPC file per table per part and the manifest.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap as HashMap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read};
use std::path::{Path, PathBuf};
use std::time::Instant;

use arrow_array::{ArrayRef, RecordBatch, UInt32Array};
use arrow_ipc::reader::StreamReader;
use arrow_ipc::writer::{FileWriter, StreamWriter};
use arrow_schema::{DataType, SchemaRef, SortOptions};

use crate::keys::{coerce, key_values, Key};
use crate::manifest::{Manifest, PartInfo, TableFile};
use crate::{Link, PartitionError, Source, SplitOptions, TableSpec};

const NO_ROOT: u32 = u32::MAX;

/// Progress of a split, for progress bars.
#[derive(Debug, Clone)]
pub enum SplitEvent {
    /// Rows read so far in a pass over a table.
    Read {
        /// Pass name ("keys", "rows", "lookups").
        pass: &'static str,
        /// Table.
        table: String,
        /// Rows read in this pass over the table.
        rows: u64,
    },
    /// A part's files are written.
    PartWritten {
        /// Part number.
        part: usize,
        /// Parts in all.
        of: usize,
    },
}

/// The result of a split.
#[derive(Debug, Clone)]
pub struct SplitSummary {
    /// The manifest written.
    pub manifest: Manifest,
    /// Seconds taken.
    pub seconds: f64,
}

struct Layout<'a> {
    tables: &'a [TableSpec],
    links: &'a [Link],
    /// Tables below the root in breadth-first order, with the link that leads up to the root.
    tree: Vec<(usize, usize)>,
    in_tree: Vec<bool>,
    /// Tables referenced from the tree (lookups, parents above the root), children first.
    lookups: Vec<usize>,
    root: usize,
}

fn pos(tables: &[TableSpec], name: &str) -> Result<usize, PartitionError> {
    tables.iter().position(|t| t.name == name).ok_or_else(|| {
        PartitionError::Invalid(format!(
            "table '{name}' is not one of the tables ({})",
            tables
                .iter()
                .map(|t| t.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })
}

impl<'a> Layout<'a> {
    fn new(tables: &'a [TableSpec], links: &'a [Link], root: &str) -> Result<Self, PartitionError> {
        let root = pos(tables, root)?;
        for l in links {
            pos(tables, &l.parent)?;
            pos(tables, &l.child)?;
        }
        let mut in_tree = vec![false; tables.len()];
        in_tree[root] = true;
        let mut tree = Vec::new();
        let mut queue = std::collections::VecDeque::from([root]);
        while let Some(t) = queue.pop_front() {
            for (li, l) in links.iter().enumerate() {
                let c = pos(tables, &l.child)?;
                if l.parent == tables[t].name && !in_tree[c] {
                    in_tree[c] = true;
                    tree.push((c, li));
                    queue.push_back(c);
                }
            }
        }
        // Tables referenced from the tree, transitively, that are not in it.
        let mut referenced = vec![false; tables.len()];
        let mut stack: Vec<usize> = (0..tables.len()).filter(|&t| in_tree[t]).collect();
        while let Some(t) = stack.pop() {
            for l in links.iter().filter(|l| l.child == tables[t].name) {
                let p = pos(tables, &l.parent)?;
                if !in_tree[p] && !referenced[p] {
                    referenced[p] = true;
                    stack.push(p);
                }
            }
        }
        // Children first: a lookup is written once every table that references it is done.
        let mut lookups = Vec::new();
        let mut done: Vec<bool> = in_tree.clone();
        loop {
            let ready: Vec<usize> = (0..tables.len())
                .filter(|&t| referenced[t] && !done[t])
                .filter(|&t| {
                    links
                        .iter()
                        .filter(|l| l.parent == tables[t].name)
                        .all(|l| {
                            let c = pos(tables, &l.child).unwrap_or(0);
                            done[c] || !(in_tree[c] || referenced[c])
                        })
                })
                .collect();
            if ready.is_empty() {
                break;
            }
            for t in ready {
                done[t] = true;
                lookups.push(t);
            }
        }
        if let Some(t) = (0..tables.len()).find(|&t| referenced[t] && !done[t]) {
            return Err(PartitionError::Invalid(format!(
                "table '{}' is part of a cycle of relationships",
                tables[t].name
            )));
        }
        Ok(Layout {
            tables,
            links,
            tree,
            in_tree,
            lookups,
            root,
        })
    }
}

fn column<'b>(
    batch: &'b RecordBatch,
    table: &str,
    name: &str,
) -> Result<&'b ArrayRef, PartitionError> {
    batch
        .column_by_name(name)
        .ok_or_else(|| PartitionError::table(table, format!("has no column '{name}'")))
}

fn int_keys(schema: &SchemaRef, col: &str) -> bool {
    schema
        .field_with_name(col)
        .map(|f| {
            matches!(
                f.data_type(),
                DataType::Int64 | DataType::Int32 | DataType::Timestamp(_, _)
            )
        })
        .unwrap_or(false)
}

struct Spills {
    dir: PathBuf,
    writers: HashMap<(usize, usize), StreamWriter<BufWriter<File>>>,
}

impl Spills {
    fn path(&self, part: usize, table: &str) -> PathBuf {
        self.dir
            .join(part_dir(part))
            .join(format!(".{table}.spill"))
    }
    fn append(
        &mut self,
        part: usize,
        t: usize,
        name: &str,
        batch: &RecordBatch,
    ) -> Result<(), PartitionError> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        if !self.writers.contains_key(&(part, t)) {
            let path = self.path(part, name);
            let f = File::create(&path).map_err(|e| PartitionError::file(&path, e))?;
            let w = StreamWriter::try_new(BufWriter::new(f), &batch.schema())
                .map_err(|e| PartitionError::file(&path, e))?;
            self.writers.insert((part, t), w);
        }
        let w = self.writers.get_mut(&(part, t)).expect("inserted");
        w.write(batch)
            .map_err(|e| PartitionError::file(self.dir.join(part_dir(part)), e))
    }
}

fn part_dir(part: usize) -> String {
    format!("part-{part:05}")
}

/// Splits the tables into `opts.parts` self-contained parts under `opts.out`.
pub fn split(
    tables: &[TableSpec],
    links: &[Link],
    source: &(dyn Source + Sync),
    opts: &SplitOptions,
    progress: &mut dyn FnMut(&SplitEvent),
) -> Result<SplitSummary, PartitionError> {
    let start = Instant::now();
    if opts.parts == 0 {
        return Err(PartitionError::Invalid("--parts must be at least 1".into()));
    }
    let layout = Layout::new(tables, links, &opts.root)?;
    prepare_out(&opts.out, opts.force)?;
    let result = run(&layout, source, opts, progress);
    if result.is_err() {
        // Leave nothing that looks like a shard set: parts and spills go, the manifest never came.
        for p in 0..opts.parts {
            let _ = std::fs::remove_dir_all(opts.out.join(part_dir(p)));
        }
    }
    let manifest = result?;
    Ok(SplitSummary {
        manifest,
        seconds: start.elapsed().as_secs_f64(),
    })
}

fn prepare_out(out: &Path, force: bool) -> Result<(), PartitionError> {
    if out.exists() {
        let mut entries = std::fs::read_dir(out).map_err(|e| PartitionError::file(out, e))?;
        if entries.next().is_some() {
            if !force {
                return Err(PartitionError::Invalid(format!(
                    "{}: output directory is not empty (use --force to replace it)",
                    out.display()
                )));
            }
            if !out.join(crate::MANIFEST).exists() {
                return Err(PartitionError::Invalid(format!(
                    "{}: refusing to replace a non-empty directory that is not a shard set",
                    out.display()
                )));
            }
            std::fs::remove_dir_all(out).map_err(|e| PartitionError::file(out, e))?;
        }
    }
    std::fs::create_dir_all(out).map_err(|e| PartitionError::file(out, e))
}

fn run(
    layout: &Layout,
    source: &(dyn Source + Sync),
    opts: &SplitOptions,
    progress: &mut dyn FnMut(&SplitEvent),
) -> Result<Manifest, PartitionError> {
    let tables = layout.tables;
    let links = layout.links;
    let n_parts = opts.parts;
    let schemas: Vec<SchemaRef> = tables
        .iter()
        .map(|t| source.schema(&t.name))
        .collect::<Result<_, _>>()?;
    let has_tree_children = |t: usize| {
        layout
            .tree
            .iter()
            .any(|&(_, li)| links[li].parent == tables[t].name)
    };

    // Pass 1: root keys, then each table below the root mapped to its root row.
    let root = layout.root;
    let root_spec = &tables[root];
    let mut maps: Vec<Option<HashMap<Key, u32>>> = vec![None; tables.len()];
    let mut weights: Vec<u64> = Vec::new();
    {
        let mut map = HashMap::default();
        let mut read = 0u64;
        scan_ahead(source, &root_spec.name, &mut |b| {
            for k in key_values(column(&b, &root_spec.name, &root_spec.key)?) {
                let k = k.ok_or_else(|| {
                    PartitionError::table(
                        &root_spec.name,
                        format!("key '{}' has a missing value", root_spec.key),
                    )
                })?;
                let id = weights.len() as u32;
                if map.insert(k.clone(), id).is_some() {
                    return Err(PartitionError::table(
                        &root_spec.name,
                        format!("key value {} is not unique", crate::keys::show(&k)),
                    ));
                }
                weights.push(1);
            }
            read += b.num_rows() as u64;
            progress(&SplitEvent::Read {
                pass: "keys",
                table: root_spec.name.clone(),
                rows: read,
            });
            Ok(())
        })?;
        maps[root] = Some(map);
    }
    let mut without_root: BTreeMap<String, u64> = BTreeMap::new();
    for &(t, li) in &layout.tree {
        let spec = &tables[t];
        let link = &links[li];
        let p = pos(tables, &link.parent)?;
        let parent_int = int_keys(&schemas[p], &link.parent_key);
        let keep = has_tree_children(t);
        let mut own: HashMap<Key, u32> = HashMap::default();
        let mut orphans = 0u64;
        let mut read = 0u64;
        let pmap = maps[p].as_ref().expect("parents come first");
        scan_ahead(source, &spec.name, &mut |b| {
            let fks = key_values(column(&b, &spec.name, &link.child_key)?);
            let own_keys = if keep {
                Some(key_values(column(&b, &spec.name, &spec.key)?))
            } else {
                None
            };
            for (i, fk) in fks.into_iter().enumerate() {
                let r = fk
                    .and_then(|k| coerce(k, parent_int))
                    .and_then(|k| pmap.get(&k).copied())
                    .unwrap_or(NO_ROOT);
                if r == NO_ROOT {
                    orphans += 1;
                } else {
                    weights[r as usize] += 1;
                }
                if let Some(keys) = &own_keys {
                    let k = keys[i].clone().ok_or_else(|| {
                        PartitionError::table(
                            &spec.name,
                            format!("key '{}' has a missing value", spec.key),
                        )
                    })?;
                    if own.insert(k.clone(), r).is_some() {
                        return Err(PartitionError::table(
                            &spec.name,
                            format!("key value {} is not unique", crate::keys::show(&k)),
                        ));
                    }
                }
            }
            read += b.num_rows() as u64;
            progress(&SplitEvent::Read {
                pass: "keys",
                table: spec.name.clone(),
                rows: read,
            });
            Ok(())
        })?;
        if keep {
            maps[t] = Some(own);
        }
        without_root.insert(spec.name.clone(), orphans);
    }

    // Balanced, deterministic assignment: heaviest instances first, each to the lightest part.
    let mut order: Vec<u32> = (0..weights.len() as u32).collect();
    order.sort_by(|&a, &b| {
        weights[b as usize]
            .cmp(&weights[a as usize])
            .then(a.cmp(&b))
    });
    let mut loads = vec![0u64; n_parts];
    let mut part_of = vec![0u32; weights.len()];
    let mut instances = vec![0u64; n_parts];
    let mut largest = vec![0u64; n_parts];
    for r in order {
        let p = (0..n_parts)
            .min_by_key(|&p| (loads[p], p))
            .expect("parts ≥ 1");
        part_of[r as usize] = p as u32;
        loads[p] += weights[r as usize];
        instances[p] += 1;
        largest[p] = largest[p].max(weights[r as usize]);
    }
    for p in 0..n_parts {
        let d = opts.out.join(part_dir(p));
        std::fs::create_dir_all(&d).map_err(|e| PartitionError::file(&d, e))?;
    }

    // Pass 2: rows of the root and the tables below it, to their parts; referenced keys noted.
    let mut spills = Spills {
        dir: opts.out.clone(),
        writers: HashMap::default(),
    };
    let mut refs: Vec<HashMap<Key, Vec<u32>>> = vec![HashMap::default(); tables.len()];
    let written = |t: usize,
                   b: &RecordBatch,
                   parts: &[u32],
                   spills: &mut Spills,
                   refs: &mut Vec<HashMap<Key, Vec<u32>>>|
     -> Result<(), PartitionError> {
        let spec = &tables[t];
        let mut rows: Vec<Vec<u32>> = vec![Vec::new(); n_parts];
        for (i, &p) in parts.iter().enumerate() {
            if p != NO_ROOT {
                rows[p as usize].push(i as u32);
            }
        }
        for (p, idx) in rows.iter().enumerate() {
            if idx.is_empty() {
                continue;
            }
            let sub = arrow_select::take::take_record_batch(b, &UInt32Array::from(idx.clone()))
                .map_err(|e| PartitionError::table(&spec.name, e))?;
            spills.append(p, t, &spec.name, &sub)?;
        }
        // Rows of tables that this table references go to the same parts.
        for l in links.iter().filter(|l| l.child == spec.name) {
            let pt = pos(tables, &l.parent)?;
            if layout.in_tree[pt] {
                continue;
            }
            let parent_int = int_keys(&schemas[pt], &l.parent_key);
            for (k, &p) in key_values(column(b, &spec.name, &l.child_key)?)
                .into_iter()
                .zip(parts)
            {
                if p == NO_ROOT {
                    continue;
                }
                if let Some(k) = k.and_then(|k| coerce(k, parent_int)) {
                    let e = refs[pt].entry(k).or_default();
                    if !e.contains(&p) {
                        e.push(p);
                    }
                }
            }
        }
        Ok(())
    };
    {
        let mut next = 0usize;
        let mut read = 0u64;
        scan_ahead(source, &root_spec.name, &mut |b| {
            let b = numbered(&b, next as u64, root_spec)?;
            let parts: Vec<u32> = (0..b.num_rows()).map(|i| part_of[next + i]).collect();
            next += b.num_rows();
            written(root, &b, &parts, &mut spills, &mut refs)?;
            read += b.num_rows() as u64;
            progress(&SplitEvent::Read {
                pass: "rows",
                table: root_spec.name.clone(),
                rows: read,
            });
            Ok(())
        })?;
    }
    for &(t, li) in &layout.tree {
        let spec = &tables[t];
        let link = &links[li];
        let p = pos(tables, &link.parent)?;
        let parent_int = int_keys(&schemas[p], &link.parent_key);
        let pmap = maps[p].as_ref().expect("parent map");
        let mut read = 0u64;
        scan_ahead(source, &spec.name, &mut |b| {
            let b = numbered(&b, read, spec)?;
            let parts: Vec<u32> = key_values(column(&b, &spec.name, &link.child_key)?)
                .into_iter()
                .map(|fk| {
                    let r = fk
                        .and_then(|k| coerce(k, parent_int))
                        .and_then(|k| pmap.get(&k).copied())
                        .unwrap_or(NO_ROOT);
                    if r == NO_ROOT {
                        NO_ROOT
                    } else {
                        part_of[r as usize]
                    }
                })
                .collect();
            written(t, &b, &parts, &mut spills, &mut refs)?;
            read += b.num_rows() as u64;
            progress(&SplitEvent::Read {
                pass: "rows",
                table: spec.name.clone(),
                rows: read,
            });
            Ok(())
        })?;
        if !layout
            .tree
            .iter()
            .any(|&(_, l2)| links[l2].parent == spec.name)
        {
            maps[t] = None;
        }
    }
    maps.clear();

    // Pass 3: rows of lookup tables (children first, so their own references count): each into
    // the parts that refer to it; a row no part refers to into one part, in turn, so that
    // aggregations over a whole lookup table (`regions.COUNT(stores)`) see every row.
    for &t in &layout.lookups {
        let spec = &tables[t];
        let table_refs = std::mem::take(&mut refs[t]);
        let mut read = 0u64;
        scan_ahead(source, &spec.name, &mut |b| {
            let b = numbered(&b, read, spec)?;
            let keys = key_values(column(&b, &spec.name, &spec.key)?);
            let mut rows: Vec<Vec<u32>> = vec![Vec::new(); n_parts];
            for (i, k) in keys.iter().enumerate() {
                match k.as_ref().and_then(|k| table_refs.get(k)) {
                    Some(ps) => {
                        for &p in ps {
                            rows[p as usize].push(i as u32);
                        }
                    }
                    None => rows[((read + i as u64) % n_parts as u64) as usize].push(i as u32),
                }
            }
            for (p, idx) in rows.into_iter().enumerate() {
                if idx.is_empty() {
                    continue;
                }
                let sub = arrow_select::take::take_record_batch(&b, &UInt32Array::from(idx))
                    .map_err(|e| PartitionError::table(&spec.name, e))?;
                let n = sub.num_rows();
                written(t, &sub, &vec![p as u32; n], &mut spills, &mut refs)?;
            }
            read += b.num_rows() as u64;
            progress(&SplitEvent::Read {
                pass: "lookups",
                table: spec.name.clone(),
                rows: read,
            });
            Ok(())
        })?;
    }
    for (_, mut w) in spills.writers.drain() {
        w.finish().map_err(|e| PartitionError::file(&opts.out, e))?;
    }

    // Pass 4: per part, each table sorted by (time, key) into its final Arrow IPC file.
    let mut parts = Vec::with_capacity(n_parts);
    for p in 0..n_parts {
        let dir = opts.out.join(part_dir(p));
        let mut files = BTreeMap::new();
        for (t, spec) in tables.iter().enumerate() {
            let spill = spills.path(p, &spec.name);
            let batch = read_spill(&spill, &numbered_schema(&schemas[t], spec))?;
            let batch = sort(&batch, spec)?;
            let file = format!("{}.arrow", spec.name);
            let path = dir.join(&file);
            write_ipc(&path, &batch)?;
            let _ = std::fs::remove_file(&spill);
            let (bytes, crc) = checksum(&path)?;
            files.insert(
                spec.name.clone(),
                TableFile {
                    file,
                    rows: batch.num_rows() as u64,
                    bytes,
                    crc32: format!("{crc:08x}"),
                },
            );
        }
        parts.push(PartInfo {
            id: p,
            dir: part_dir(p),
            instances: instances[p],
            largest_instance_rows: largest[p],
            tables: files,
        });
        progress(&SplitEvent::PartWritten {
            part: p,
            of: n_parts,
        });
    }
    let manifest = Manifest {
        format: "ftpart-shards".into(),
        version: crate::SHARD_FORMAT_VERSION,
        root: root_spec.name.clone(),
        tables: tables.to_vec(),
        links: links.to_vec(),
        tree_links: layout
            .tree
            .iter()
            .map(|&(t, li)| (tables[t].name.clone(), li))
            .collect(),
        rows_without_root: without_root,
        complete_lookups: true,
        parts,
        metadata: opts.metadata.clone(),
    };
    manifest.write(&opts.out)?;
    Ok(manifest)
}

/// [`Source::scan`] with the source read one chunk ahead on another thread: reading and parsing
/// (CSV) overlap with assigning and spilling the previous chunk. At most two chunks wait.
fn scan_ahead(
    source: &(dyn Source + Sync),
    table: &str,
    f: &mut dyn FnMut(RecordBatch) -> Result<(), PartitionError>,
) -> Result<(), PartitionError> {
    std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<RecordBatch>(1);
        let reader = s.spawn(move || {
            source.scan(table, &mut |b| {
                // The consumer stopped (it failed): stop reading; its error is the one reported.
                tx.send(b)
                    .map_err(|_| PartitionError::Invalid("split stopped".into()))
            })
        });
        let mut consumed = Ok(());
        for b in rx.iter() {
            if let Err(e) = f(b) {
                consumed = Err(e);
                break;
            }
        }
        drop(rx);
        let read = reader.join().unwrap_or_else(|_| {
            Err(PartitionError::Invalid(format!(
                "reading '{table}' panicked"
            )))
        });
        consumed.and(read)
    })
}

/// Name of the column that holds, for tables without a time column, each row's position in the
/// source table, so that their original order can be restored across parts.
pub const SOURCE_ROW: &str = "__ftpart_row";

fn numbered_schema(schema: &SchemaRef, spec: &TableSpec) -> SchemaRef {
    if spec.time.is_some() {
        return schema.clone();
    }
    let mut fields: Vec<arrow_schema::FieldRef> = schema.fields().iter().cloned().collect();
    fields.push(std::sync::Arc::new(arrow_schema::Field::new(
        SOURCE_ROW,
        DataType::UInt64,
        false,
    )));
    std::sync::Arc::new(arrow_schema::Schema::new(fields))
}

/// Adds [`SOURCE_ROW`] (positions `start..`) to a batch of a table without a time column.
fn numbered(b: &RecordBatch, start: u64, spec: &TableSpec) -> Result<RecordBatch, PartitionError> {
    if spec.time.is_some() {
        return Ok(b.clone());
    }
    let rows = arrow_array::UInt64Array::from_iter_values(start..start + b.num_rows() as u64);
    let mut cols = b.columns().to_vec();
    cols.push(std::sync::Arc::new(rows));
    RecordBatch::try_new(numbered_schema(&b.schema(), spec), cols)
        .map_err(|e| PartitionError::table(&spec.name, e))
}

fn read_spill(path: &Path, schema: &SchemaRef) -> Result<RecordBatch, PartitionError> {
    if !path.exists() {
        return Ok(RecordBatch::new_empty(schema.clone()));
    }
    let f = File::open(path).map_err(|e| PartitionError::file(path, e))?;
    let reader = StreamReader::try_new(BufReader::new(f), None)
        .map_err(|e| PartitionError::file(path, e))?;
    let batches: Vec<RecordBatch> = reader
        .collect::<Result<_, _>>()
        .map_err(|e| PartitionError::file(path, e))?;
    let schema = batches
        .first()
        .map(|b| b.schema())
        .unwrap_or_else(|| schema.clone());
    arrow_select::concat::concat_batches(&schema, &batches)
        .map_err(|e| PartitionError::file(path, e))
}

/// Rows in (time, key) order with missing times last, as the reader expects.
fn sort(batch: &RecordBatch, spec: &TableSpec) -> Result<RecordBatch, PartitionError> {
    let Some(time) = &spec.time else {
        return Ok(batch.clone());
    };
    if batch.num_rows() < 2 {
        return Ok(batch.clone());
    }
    let opts = Some(SortOptions {
        descending: false,
        nulls_first: false,
    });
    let cols = [
        arrow_ord::sort::SortColumn {
            values: column(batch, &spec.name, time)?.clone(),
            options: opts,
        },
        arrow_ord::sort::SortColumn {
            values: column(batch, &spec.name, &spec.key)?.clone(),
            options: opts,
        },
    ];
    let idx = arrow_ord::sort::lexsort_to_indices(&cols, None)
        .map_err(|e| PartitionError::table(&spec.name, e))?;
    arrow_select::take::take_record_batch(batch, &idx)
        .map_err(|e| PartitionError::table(&spec.name, e))
}

fn write_ipc(path: &Path, batch: &RecordBatch) -> Result<(), PartitionError> {
    let f = File::create(path).map_err(|e| PartitionError::file(path, e))?;
    let mut w = FileWriter::try_new(BufWriter::new(f), &batch.schema())
        .map_err(|e| PartitionError::file(path, e))?;
    w.write(batch).map_err(|e| PartitionError::file(path, e))?;
    w.finish().map_err(|e| PartitionError::file(path, e))?;
    let inner = w.into_inner().map_err(|e| PartitionError::file(path, e))?;
    let f = inner
        .into_inner()
        .map_err(|e| PartitionError::file(path, e.error()))?;
    f.sync_all().map_err(|e| PartitionError::file(path, e))
}

/// Size and CRC-32 of a file.
pub fn checksum(path: &Path) -> Result<(u64, u32), PartitionError> {
    let mut f = File::open(path).map_err(|e| PartitionError::file(path, e))?;
    let mut h = crc32fast::Hasher::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    loop {
        let k = f
            .read(&mut buf)
            .map_err(|e| PartitionError::file(path, e))?;
        if k == 0 {
            break;
        }
        h.update(&buf[..k]);
        n += k as u64;
    }
    Ok((n, h.finalize()))
}
