//! The split: key maps from streamed tables, balanced part assignment, per-part spill files, then
//! one sorted Arrow IPC file per table per part and the manifest.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap as HashMap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read};
use std::path::{Path, PathBuf};
use std::time::Instant;

use arrow_array::cast::AsArray;
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
    /// A part's files are written (parts are written on every core, so not in their order).
    PartWritten {
        /// Part number.
        part: usize,
        /// Parts written so far, this one included.
        written: usize,
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
    /// Each table's tree link (the root and tables outside the tree have none).
    tree_link: Vec<Option<usize>>,
    in_tree: Vec<bool>,
    /// Every table, each after all the tables that refer to it (children first): the order in
    /// which the rows outside the tree and the copies are placed, so that a table's own
    /// references are known before its parents are placed.
    closure: Vec<usize>,
    /// Tables some part may hold rows of that another part owns: their files carry [`COPY`].
    copyable: Vec<bool>,
    /// Parent and child table of each link.
    ends: Vec<(usize, usize)>,
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
        let ends: Vec<(usize, usize)> = links
            .iter()
            .map(|l| Ok((pos(tables, &l.parent)?, pos(tables, &l.child)?)))
            .collect::<Result<_, PartitionError>>()?;
        let n = tables.len();
        let mut in_tree = vec![false; n];
        let mut tree_link = vec![None; n];
        in_tree[root] = true;
        let mut tree = Vec::new();
        let mut queue = std::collections::VecDeque::from([root]);
        while let Some(t) = queue.pop_front() {
            for (li, &(p, c)) in ends.iter().enumerate() {
                if p == t && !in_tree[c] {
                    in_tree[c] = true;
                    tree_link[c] = Some(li);
                    tree.push((c, li));
                    queue.push_back(c);
                }
            }
        }
        // Children first over the whole graph (Kahn's algorithm on "is referenced by").
        let mut waiting: Vec<usize> = vec![0; n];
        for &(p, _) in &ends {
            waiting[p] += 1;
        }
        let mut ready: Vec<usize> = (0..n).rev().filter(|&t| waiting[t] == 0).collect();
        let mut closure = Vec::with_capacity(n);
        while let Some(t) = ready.pop() {
            closure.push(t);
            for &(p, c) in &ends {
                if c == t {
                    waiting[p] -= 1;
                    if waiting[p] == 0 {
                        ready.push(p);
                    }
                }
            }
        }
        if let Some(t) = (0..n).find(|&t| waiting[t] > 0) {
            return Err(PartitionError::Invalid(format!(
                "table '{}' is part of a cycle of relationships",
                tables[t].name
            )));
        }
        // A row is copied into a part that does not own it when a row held there refers to it
        // through a link other than the referring table's tree link, or when it is the tree
        // parent of such a copy; rows outside the tree are always placed this way.
        let mut copyable: Vec<bool> = in_tree.iter().map(|&t| !t).collect();
        for &t in &closure {
            copyable[t] |= ends.iter().enumerate().any(|(li, &(p, c))| {
                p == t && (!in_tree[c] || tree_link[c] != Some(li) || copyable[c])
            });
        }
        Ok(Layout {
            tables,
            links,
            tree,
            tree_link,
            in_tree,
            closure,
            copyable,
            ends,
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
            let f = File::create(&path).map_err(|e| PartitionError::io(&path, e))?;
            let w = StreamWriter::try_new(BufWriter::new(f), &batch.schema())
                .map_err(|e| PartitionError::failed(&path, e))?;
            self.writers.insert((part, t), w);
        }
        let w = self.writers.get_mut(&(part, t)).expect("inserted");
        w.write(batch)
            .map_err(|e| PartitionError::failed(self.dir.join(part_dir(part)), e))
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
        let mut entries = std::fs::read_dir(out).map_err(|e| PartitionError::io(out, e))?;
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
            std::fs::remove_dir_all(out).map_err(|e| PartitionError::io(out, e))?;
        }
    }
    std::fs::create_dir_all(out).map_err(|e| PartitionError::io(out, e))
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
    let has_tree_children = |t: usize| layout.tree.iter().any(|&(_, li)| layout.ends[li].0 == t);

    // Pass 1: root keys, then each table below the root mapped to its root row. A row whose
    // tree parent is missing (a null or dangling foreign key) becomes an owner of its own (a
    // pseudo-root, numbered after the root rows), so that it and its subtree are in one part;
    // the rows of a table that share a dangling key share one pseudo-root (see [`Orphans`]).
    let root = layout.root;
    let root_spec = &tables[root];
    let mut maps: Vec<Option<HashMap<Key, u32>>> = vec![None; tables.len()];
    let mut weights: Vec<u64> = Vec::new();
    {
        let mut map = HashMap::default();
        let mut read = 0u64;
        let columns = [root_spec.key.as_str()];
        scan_ahead(source, &root_spec.name, Some(&columns), &mut |b| {
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
    let n_roots = weights.len();
    if weights.len() >= NO_ROOT as usize {
        return Err(PartitionError::table(&root_spec.name, "has too many rows"));
    }
    let mut without_root: BTreeMap<String, u64> = BTreeMap::new();
    let mut pseudo_base = vec![0u32; tables.len()];
    for &(t, li) in &layout.tree {
        let spec = &tables[t];
        let link = &links[li];
        let p = layout.ends[li].0;
        let parent_int = int_keys(&schemas[p], &link.parent_key);
        let keep = has_tree_children(t);
        let mut own: HashMap<Key, u32> = HashMap::default();
        let mut orphans = 0u64;
        let mut read = 0u64;
        pseudo_base[t] = weights.len() as u32;
        let mut pseudo = Orphans::new(pseudo_base[t]);
        let pmap = maps[p].as_ref().expect("parents come first");
        // Only the keys: the tree link's, and the table's own when children look it up.
        let mut columns = vec![link.child_key.as_str()];
        if keep && spec.key != link.child_key {
            columns.push(spec.key.as_str());
        }
        scan_ahead(source, &spec.name, Some(&columns), &mut |b| {
            let fks = key_values(column(&b, &spec.name, &link.child_key)?);
            let own_keys = if keep {
                Some(key_values(column(&b, &spec.name, &spec.key)?))
            } else {
                None
            };
            for (i, fk) in fks.into_iter().enumerate() {
                let r = match fk
                    .clone()
                    .and_then(|k| coerce(k, parent_int))
                    .and_then(|k| pmap.get(&k).copied())
                {
                    Some(r) => r,
                    None => {
                        let r = pseudo.owner(fk);
                        if r as usize == weights.len() {
                            weights.push(0);
                        }
                        r
                    }
                };
                weights[r as usize] += 1;
                if r as usize >= n_roots {
                    orphans += 1;
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
            if weights.len() >= NO_ROOT as usize {
                return Err(PartitionError::table(&spec.name, "has too many rows"));
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

    // Balanced, deterministic assignment: heaviest owners first, each to the lightest part.
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
        if (r as usize) < n_roots {
            instances[p] += 1;
            largest[p] = largest[p].max(weights[r as usize]);
        }
    }
    for p in 0..n_parts {
        let d = opts.out.join(part_dir(p));
        std::fs::create_dir_all(&d).map_err(|e| PartitionError::io(&d, e))?;
    }

    // Pass 2: rows of the root and the tables below it, to the parts that own them; the rows
    // they refer to through other links than their tree link are noted for pass 3.
    let mut spills = Spills {
        dir: opts.out.clone(),
        writers: HashMap::default(),
    };
    let mut refs: Vec<HashMap<Key, Vec<u32>>> = vec![HashMap::default(); tables.len()];
    // The owner of each row of a tree table that may also be copied into other parts.
    let mut owners: Vec<HashMap<Key, u32>> = vec![HashMap::default(); tables.len()];
    let placed = |t: usize,
                  b: &RecordBatch,
                  parts: &[u32],
                  copies: Option<Vec<bool>>,
                  spills: &mut Spills,
                  refs: &mut Vec<HashMap<Key, Vec<u32>>>|
     -> Result<(), PartitionError> {
        let spec = &tables[t];
        let b = if layout.copyable[t] {
            with_copies(b, copies.unwrap_or_else(|| vec![false; b.num_rows()]), spec)?
        } else {
            b.clone()
        };
        let mut rows: Vec<Vec<u32>> = vec![Vec::new(); n_parts];
        for (i, &p) in parts.iter().enumerate() {
            rows[p as usize].push(i as u32);
        }
        for (p, idx) in rows.iter().enumerate() {
            if idx.is_empty() {
                continue;
            }
            let sub = arrow_select::take::take_record_batch(&b, &UInt32Array::from(idx.clone()))
                .map_err(|e| PartitionError::table(&spec.name, e))?;
            spills.append(p, t, &spec.name, &sub)?;
        }
        // What these rows refer to must be in the same parts. A row that its part owns finds
        // its tree parent there already; a copy needs it copied too.
        let copy_col = b.column_by_name(COPY).map(|c| c.as_boolean().clone());
        for (li, l) in links.iter().enumerate() {
            if layout.ends[li].1 != t {
                continue;
            }
            let pt = layout.ends[li].0;
            let tree = layout.tree_link[t] == Some(li);
            if tree && copy_col.as_ref().is_none_or(|c| c.true_count() == 0) {
                continue;
            }
            let parent_int = int_keys(&schemas[pt], &l.parent_key);
            for (i, (k, &p)) in key_values(column(&b, &spec.name, &l.child_key)?)
                .into_iter()
                .zip(parts)
                .enumerate()
            {
                if tree && !copy_col.as_ref().is_some_and(|c| c.value(i)) {
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
        scan_ahead(source, &root_spec.name, None, &mut |b| {
            let b = numbered(&b, next as u64, root_spec)?;
            let parts: Vec<u32> = (0..b.num_rows()).map(|i| part_of[next + i]).collect();
            next += b.num_rows();
            if layout.copyable[root] {
                note_owners(&mut owners[root], &b, root_spec, &parts)?;
            }
            placed(root, &b, &parts, None, &mut spills, &mut refs)?;
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
        let p = layout.ends[li].0;
        let parent_int = int_keys(&schemas[p], &link.parent_key);
        let pmap = maps[p].as_ref().expect("parent map");
        let mut pseudo = Orphans::new(pseudo_base[t]);
        let mut read = 0u64;
        scan_ahead(source, &spec.name, None, &mut |b| {
            let b = numbered(&b, read, spec)?;
            let parts: Vec<u32> = key_values(column(&b, &spec.name, &link.child_key)?)
                .into_iter()
                .map(|fk| {
                    // The same owners as in pass 1: the rows are read in the same order.
                    let r = fk
                        .clone()
                        .and_then(|k| coerce(k, parent_int))
                        .and_then(|k| pmap.get(&k).copied())
                        .unwrap_or_else(|| pseudo.owner(fk));
                    part_of[r as usize]
                })
                .collect();
            if layout.copyable[t] {
                note_owners(&mut owners[t], &b, spec, &parts)?;
            }
            placed(t, &b, &parts, None, &mut spills, &mut refs)?;
            read += b.num_rows() as u64;
            progress(&SplitEvent::Read {
                pass: "rows",
                table: spec.name.clone(),
                rows: read,
            });
            Ok(())
        })?;
        if !layout.tree.iter().any(|&(_, l2)| layout.ends[l2].0 == t) {
            maps[t] = None;
        }
    }
    maps.clear();

    // Pass 3, children first: every row some part refers to but does not own is copied into
    // it (marked in `COPY`). A row outside the tree is owned by the first part that refers to
    // it, or, when none does, by one part in turn, so that every row of every table is owned by
    // exactly one part (`regions.COUNT(stores)` sees each store once, wherever it hangs).
    for &t in &layout.closure {
        if layout.in_tree[t] && refs[t].is_empty() {
            continue;
        }
        let spec = &tables[t];
        let table_refs = std::mem::take(&mut refs[t]);
        let table_owners = std::mem::take(&mut owners[t]);
        let in_tree = layout.in_tree[t];
        let mut read = 0u64;
        scan_ahead(source, &spec.name, None, &mut |b| {
            let b = numbered(&b, read, spec)?;
            let keys = key_values(column(&b, &spec.name, &spec.key)?);
            let (mut rows, mut parts, mut copies) = (Vec::new(), Vec::new(), Vec::new());
            for (i, k) in keys.iter().enumerate() {
                let wanted = k.as_ref().and_then(|k| table_refs.get(k));
                let owner = if in_tree {
                    // Placed in pass 2 already (every tree row has an owner).
                    match k.as_ref().and_then(|k| table_owners.get(k)) {
                        Some(&o) => Some(o),
                        None => continue,
                    }
                } else {
                    let o = wanted
                        .and_then(|ps| ps.iter().min().copied())
                        .unwrap_or(((read + i as u64) % n_parts as u64) as u32);
                    rows.push(i as u32);
                    parts.push(o);
                    copies.push(false);
                    Some(o)
                };
                for &p in wanted.into_iter().flatten() {
                    if Some(p) != owner {
                        rows.push(i as u32);
                        parts.push(p);
                        copies.push(true);
                    }
                }
            }
            if !rows.is_empty() {
                let sub = arrow_select::take::take_record_batch(&b, &UInt32Array::from(rows))
                    .map_err(|e| PartitionError::table(&spec.name, e))?;
                placed(t, &sub, &parts, Some(copies), &mut spills, &mut refs)?;
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
        w.finish()
            .map_err(|e| PartitionError::failed(&opts.out, e))?;
    }

    // Pass 4: per part, each table sorted by (time, key) into its final Arrow IPC file. Parts are
    // independent: they are written on every core, one part per thread at a time.
    let write_part = |p: usize| -> Result<PartInfo, PartitionError> {
        let dir = opts.out.join(part_dir(p));
        let mut files = BTreeMap::new();
        for (t, spec) in tables.iter().enumerate() {
            let spill = spills.path(p, &spec.name);
            let batch = read_spill(&spill, &file_schema(&schemas[t], spec, layout.copyable[t]))?;
            let batch = sort(&batch, spec)?;
            let file = format!("{}.arrow", spec.name);
            let path = dir.join(&file);
            write_ipc(&path, &batch, opts.durable)?;
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
        Ok(PartInfo {
            id: p,
            dir: part_dir(p),
            instances: instances[p],
            largest_instance_rows: largest[p],
            tables: files,
        })
    };
    let mut parts: Vec<Option<PartInfo>> = (0..n_parts).map(|_| None).collect();
    let mut written = 0;
    crate::on_cores(n_parts, write_part, |p, info| {
        parts[p] = Some(info);
        written += 1;
        progress(&SplitEvent::PartWritten {
            part: p,
            written,
            of: n_parts,
        });
    })?;
    let parts: Vec<PartInfo> = parts
        .into_iter()
        .map(|p| p.expect("on_cores did every part"))
        .collect();
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
        parts,
        metadata: opts.metadata.clone(),
    };
    manifest.write(&opts.out)?;
    Ok(manifest)
}

/// Records the part that owns each row of `b`.
fn note_owners(
    owners: &mut HashMap<Key, u32>,
    b: &RecordBatch,
    spec: &TableSpec,
    parts: &[u32],
) -> Result<(), PartitionError> {
    for (k, &p) in key_values(column(b, &spec.name, &spec.key)?)
        .into_iter()
        .zip(parts)
    {
        if let Some(k) = k {
            owners.insert(k, p);
        }
    }
    Ok(())
}

/// [`Source::scan`] with the source read one chunk ahead on another thread: reading and parsing
/// (CSV) overlap with assigning and spilling the previous chunk. At most two chunks wait.
fn scan_ahead(
    source: &(dyn Source + Sync),
    table: &str,
    columns: Option<&[&str]>,
    f: &mut dyn FnMut(RecordBatch) -> Result<(), PartitionError>,
) -> Result<(), PartitionError> {
    std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<RecordBatch>(1);
        let reader = s.spawn(move || {
            // The consumer stopped (it failed): stop reading; its error is the one reported.
            let mut send = |b| {
                tx.send(b)
                    .map_err(|_| PartitionError::Invalid("split stopped".into()))
            };
            match columns {
                Some(c) => source.scan_columns(table, c, &mut send),
                None => source.scan(table, &mut send),
            }
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

/// The pseudo-roots of one table's rows without a tree parent, numbered from `next` in the order
/// the rows are read (the same in every pass). A null key gives each row its own; a dangling
/// key (a value no parent row has) one for all the rows that hold it: featuretools groups rows
/// by that value (GroupByTransformFeature by the tree link's key), so such a group must be in
/// one part like the children of a parent.
struct Orphans {
    next: u32,
    dangling: HashMap<Key, u32>,
}

impl Orphans {
    fn new(first: u32) -> Self {
        Orphans {
            next: first,
            dangling: HashMap::default(),
        }
    }

    /// The owner of a row whose foreign key `fk` finds no parent.
    fn owner(&mut self, fk: Option<Key>) -> u32 {
        let next = &mut self.next;
        let mut fresh = || {
            *next += 1;
            *next - 1
        };
        match fk {
            Some(k) => *self.dangling.entry(k).or_insert_with(fresh),
            None => fresh(),
        }
    }
}

/// Name of the column that holds, for tables without a time column, each row's position in the
/// source table, so that their original order can be restored across parts.
pub const SOURCE_ROW: &str = "__ftpart_row";

/// Name of the column, in the files of tables whose rows may be held by several parts, that is
/// true where the part holds a copy of a row another part owns. Each row of every table is owned
/// by exactly one part; copies are there only so that the owned rows' references resolve.
pub const COPY: &str = "__ftpart_copy";

/// The schema of a table's shard files: its columns, then [`SOURCE_ROW`] (tables without a time
/// column), then [`COPY`] (tables that may hold copies).
fn file_schema(schema: &SchemaRef, spec: &TableSpec, copyable: bool) -> SchemaRef {
    let mut fields: Vec<arrow_schema::FieldRef> = schema.fields().iter().cloned().collect();
    if spec.time.is_none() {
        fields.push(std::sync::Arc::new(arrow_schema::Field::new(
            SOURCE_ROW,
            DataType::UInt64,
            false,
        )));
    }
    if copyable {
        fields.push(std::sync::Arc::new(arrow_schema::Field::new(
            COPY,
            DataType::Boolean,
            false,
        )));
    }
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
    RecordBatch::try_new(file_schema(&b.schema(), spec, false), cols)
        .map_err(|e| PartitionError::table(&spec.name, e))
}

/// Adds [`COPY`] to a (numbered) batch.
fn with_copies(
    b: &RecordBatch,
    copies: Vec<bool>,
    spec: &TableSpec,
) -> Result<RecordBatch, PartitionError> {
    let mut fields: Vec<arrow_schema::FieldRef> = b.schema().fields().iter().cloned().collect();
    fields.push(std::sync::Arc::new(arrow_schema::Field::new(
        COPY,
        DataType::Boolean,
        false,
    )));
    let mut cols = b.columns().to_vec();
    cols.push(std::sync::Arc::new(arrow_array::BooleanArray::from(copies)));
    RecordBatch::try_new(std::sync::Arc::new(arrow_schema::Schema::new(fields)), cols)
        .map_err(|e| PartitionError::table(&spec.name, e))
}

fn read_spill(path: &Path, schema: &SchemaRef) -> Result<RecordBatch, PartitionError> {
    if !path.exists() {
        return Ok(RecordBatch::new_empty(schema.clone()));
    }
    let f = File::open(path).map_err(|e| PartitionError::io(path, e))?;
    let reader = StreamReader::try_new(BufReader::new(f), None)
        .map_err(|e| PartitionError::failed(path, e))?;
    let batches: Vec<RecordBatch> = reader
        .collect::<Result<_, _>>()
        .map_err(|e| PartitionError::failed(path, e))?;
    let schema = batches
        .first()
        .map(|b| b.schema())
        .unwrap_or_else(|| schema.clone());
    arrow_select::concat::concat_batches(&schema, &batches)
        .map_err(|e| PartitionError::failed(path, e))
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

fn write_ipc(path: &Path, batch: &RecordBatch, durable: bool) -> Result<(), PartitionError> {
    let f = File::create(path).map_err(|e| PartitionError::io(path, e))?;
    let mut w = FileWriter::try_new(BufWriter::new(f), &batch.schema())
        .map_err(|e| PartitionError::failed(path, e))?;
    w.write(batch)
        .map_err(|e| PartitionError::failed(path, e))?;
    w.finish().map_err(|e| PartitionError::failed(path, e))?;
    let inner = w
        .into_inner()
        .map_err(|e| PartitionError::failed(path, e))?;
    let f = inner
        .into_inner()
        .map_err(|e| PartitionError::io(path, e.into_error()))?;
    if durable {
        f.sync_all().map_err(|e| PartitionError::io(path, e))?;
    }
    Ok(())
}

/// Size and CRC-32 of a file.
pub fn checksum(path: &Path) -> Result<(u64, u32), PartitionError> {
    let mut f = File::open(path).map_err(|e| PartitionError::io(path, e))?;
    let mut h = crc32fast::Hasher::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf).map_err(|e| PartitionError::io(path, e))?;
        if k == 0 {
            break;
        }
        h.update(&buf[..k]);
        n += k as u64;
    }
    Ok((n, h.finalize()))
}
