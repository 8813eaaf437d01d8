//! The coordinator: routes cutoff rows to the parts that own their instances, runs one job per
//! part (in worker processes or in this process), and merges the part matrices back into
//! featuretools' row order.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, RecordBatch, TimestampNanosecondArray, UInt32Array};
use arrow_schema::DataType;
use serde::{Deserialize, Serialize};

use crate::calc::{self, Plan, Query, TimeOptions};
use crate::cutoff::Cutoff;
use crate::entityset::keys::{key_values, Key};
use crate::entityset::EntitySet;
use crate::error::{Error, Result};
use crate::features::FeatureGraph;
use crate::matrix::{self, MatrixOptions};
use crate::shards::Shards;

/// One part's work, as sent to a worker (bincode 2).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Job {
    /// Shard directory.
    pub shards: PathBuf,
    /// Part number.
    pub part: usize,
    /// The features (the compiled plan is rebuilt from these against the part's data).
    pub graph: FeatureGraph,
    /// Time options.
    pub time: TimeOptions,
    /// The part's queries.
    pub cutoff: PartCutoff,
    /// Which round.
    pub phase: Phase,
}

/// The rounds of a computation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Phase {
    /// The part's matrix, with the answers of aggregations across parts: per feature, an IPC
    /// stream of `__key`, `__time`, then the values.
    Matrix {
        /// Given values by feature.
        given: Vec<(usize, serde_bytes::ByteBuf)>,
    },
    /// For aggregations across parts: the part's rows (contributions) and needs (requests).
    /// Aggregations whose inputs depend on the cutoff take two such rounds: the first collects
    /// only requests; the second gives every part all requests (`at`) and collects the rows
    /// evaluated at those cutoffs.
    Outer {
        /// The aggregations.
        specs: Vec<crate::outer::OuterSpec>,
        /// Per feature, the (`__key`, `__time`) requests of all parts (an IPC stream).
        at: Vec<(usize, serde_bytes::ByteBuf)>,
    },
}

/// A part's answer to [`Phase::Outer`]: per feature, contributions and requests (IPC streams).
type OuterReply = Vec<(usize, serde_bytes::ByteBuf, serde_bytes::ByteBuf)>;

/// What a part computes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum PartCutoff {
    /// Every instance of the part existing at this time.
    At(i64),
    /// These (instance id, time) rows; ids as Arrow IPC stream bytes of a one-column batch.
    Rows {
        /// Instance ids (IPC stream).
        #[serde(with = "serde_bytes")]
        ids: Vec<u8>,
        /// Times.
        times: Vec<i64>,
    },
}

/// Runs jobs; the process pool and the in-process executor implement it.
pub trait Executor {
    /// Runs `(id, payload)` jobs and returns `(id, result)` pairs.
    fn run(&mut self, jobs: Vec<(u64, Vec<u8>)>) -> Result<Vec<(u64, Vec<u8>)>>;
    /// Says which round the next [`Executor::run`] is (for progress displays): one job per part
    /// in each round.
    fn round(&mut self, _round: Round) {}
}

/// The rounds of a computation over parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Round {
    /// Rows and requests of aggregations across parts.
    OuterRows,
    /// Inputs of aggregations across parts evaluated at the requested cutoffs.
    OuterInputs,
    /// The parts' matrices.
    Matrix,
}

/// Computes jobs in this process, one after another, through the same bytes a worker receives.
#[derive(Debug, Default)]
pub struct InProcess;

impl Executor for InProcess {
    fn run(&mut self, jobs: Vec<(u64, Vec<u8>)>) -> Result<Vec<(u64, Vec<u8>)>> {
        jobs.into_iter()
            .map(|(id, p)| handle_job(&p, &crate::shards::read_ipc_file).map(|r| (id, r)))
            .collect()
    }
}

fn config() -> bincode::config::Configuration {
    bincode::config::standard()
}

/// Encodes a job.
pub fn encode_job(job: &Job) -> Result<Vec<u8>> {
    bincode::serde::encode_to_vec(job, config())
        .map_err(|e| Error::Internal(format!("encoding a job: {e}")))
}

fn ipc_bytes(batch: &RecordBatch) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut w = arrow_ipc::writer::StreamWriter::try_new(&mut out, &batch.schema())
            .map_err(|e| Error::arrow("encoding", e))?;
        w.write(batch).map_err(|e| Error::arrow("encoding", e))?;
        w.finish().map_err(|e| Error::arrow("encoding", e))?;
    }
    Ok(out)
}

fn from_ipc_bytes(bytes: &[u8]) -> Result<RecordBatch> {
    let r = arrow_ipc::reader::StreamReader::try_new(std::io::Cursor::new(bytes), None)
        .map_err(|e| Error::arrow("decoding", e))?;
    let schema = r.schema();
    let batches: Vec<RecordBatch> = r
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| Error::arrow("decoding", e))?;
    arrow_select::concat::concat_batches(&schema, &batches).map_err(|e| Error::arrow("decoding", e))
}

/// The worker side: loads the part (with `read`, e.g. a memory map) and computes its matrix.
/// The result is an IPC stream of a batch: `__id` and `__ti` (the index value and time index of
/// each row's instance), then the feature outputs.
pub fn handle_job(
    payload: &[u8],
    read: &dyn Fn(&std::path::Path) -> std::result::Result<Vec<RecordBatch>, String>,
) -> Result<Vec<u8>> {
    let (job, _): (Job, usize) = bincode::serde::decode_from_slice(payload, config())
        .map_err(|e| Error::Internal(format!("decoding a job: {e}")))?;
    let shards = Shards::open(&job.shards)?;
    if job.part >= shards.parts() {
        return Err(Error::Invalid(format!(
            "part {} does not exist ({} parts)",
            job.part,
            shards.parts()
        )));
    }
    let (es, source_rows) = shards.load_part_with_rows(job.part, read)?;
    let target = es.df_position(job.graph.target())?;
    let queries: Vec<Query> = match &job.cutoff {
        // The part's instances are the target rows it owns, not the copies it holds.
        PartCutoff::At(t) => calc::visible_rows(&es, target, *t, &job.time)
            .into_iter()
            .filter(|&r| !es.is_copy(target, r))
            .map(|r| Query {
                row: Some(r),
                time: *t,
            })
            .collect(),
        PartCutoff::Rows { ids, times } => {
            let ids = from_ipc_bytes(ids)?;
            let keys = es.keys(target)?;
            key_values(ids.column(0))
                .into_iter()
                .zip(times)
                .map(|(k, &time)| Query {
                    row: k
                        .and_then(|k| keys.get(k))
                        .filter(|&r| !es.is_copy(target, r)),
                    time,
                })
                .collect()
        }
    };
    let given_bytes = match &job.phase {
        Phase::Outer { specs, at } => return outer_reply(&es, &job, &queries, specs, at),
        Phase::Matrix { given } => given,
    };
    let mut given = calc::Given::default();
    for (f, bytes) in given_bytes {
        let b = from_ipc_bytes(bytes)?;
        let times = b
            .column(1)
            .as_any()
            .downcast_ref::<arrow_array::Int64Array>()
            .ok_or_else(|| Error::Invalid("malformed answers".into()))?;
        given.insert(*f, b.column(0), times.values(), b.columns()[2..].to_vec());
    }
    let values = calc::calculate_with(&es, &job.graph, &queries, &job.time, &given)?;
    // Index value and time index of each row's instance, so the coordinator can restore
    // featuretools' order without reading the part again.
    let rows = UInt32Array::from(queries.iter().map(|q| q.row).collect::<Vec<_>>());
    let df = &es.schema.dataframes[target];
    let take = |name: &str| -> Result<ArrayRef> {
        let col = es.column(target, name).expect("validated column");
        arrow_select::take::take(col.as_ref(), &rows, None)
            .map_err(|e| Error::arrow("part matrix", e))
    };
    let ids = take(&df.index)?;
    // Untimed targets keep their source order: the split recorded each row's position.
    let ti: ArrayRef = match (&df.time_index, &source_rows[target]) {
        (Some(t), _) => take(t)?,
        (None, Some(pos)) => {
            let pos = arrow_cast::cast(pos, &arrow_schema::DataType::Int64)
                .map_err(|e| Error::arrow("part matrix", e))?;
            arrow_select::take::take(pos.as_ref(), &rows, None)
                .map_err(|e| Error::arrow("part matrix", e))?
        }
        (None, None) => Arc::new(TimestampNanosecondArray::new_null(queries.len())),
    };
    let mut cols: Vec<(String, ArrayRef)> = vec![("__id".into(), ids), ("__ti".into(), ti)];
    cols.extend(job.graph.output_names().into_iter().zip(values));
    let batch = matrix::named_batch(cols, "part matrix")?;
    ipc_bytes(&batch)
}

/// A part's contributions to and requests for each aggregation across parts.
fn outer_reply(
    es: &EntitySet,
    job: &Job,
    queries: &[Query],
    specs: &[crate::outer::OuterSpec],
    at: &[(usize, serde_bytes::ByteBuf)],
) -> Result<Vec<u8>> {
    let set: std::collections::HashSet<usize> = specs.iter().map(|s| s.feature).collect();
    let mut requests: HashMap<usize, (Vec<ArrayRef>, Vec<i64>)> = HashMap::new();
    if at.is_empty() {
        for (f, keys, times) in calc::requests(es, &job.graph, queries, &job.time, &set)? {
            let e = requests.entry(f).or_default();
            e.0.push(keys);
            e.1.extend(times);
        }
    }
    let mut reply: OuterReply = Vec::new();
    // Aggregations that read the same rows send them once, with the first of them.
    let shared_with = crate::outer::shared_with(&job.graph, specs);
    for (s, spec) in specs.iter().enumerate() {
        // Rows of an aggregation with cutoff-dependent inputs come in the second round.
        let c = match at.iter().find(|(f, _)| *f == spec.feature) {
            Some((_, r)) => Some(crate::outer::contributions_at(
                es,
                &job.graph,
                spec,
                &job.time,
                &from_ipc_bytes(r)?,
            )?),
            None if spec.timed || shared_with[s] != s => None,
            None => Some(crate::outer::contributions(
                es, &job.graph, spec, &job.time,
            )?),
        };
        let c = match c {
            Some(c) => ipc_bytes(&c)?,
            None => Vec::new(),
        };
        let (keys, times) = requests.remove(&spec.feature).unwrap_or_default();
        let parent = &es.schema.relationships[spec.relationship].parent_dataframe_name;
        let keys = if keys.is_empty() {
            let p = es.df_position(parent)?;
            arrow_array::new_empty_array(
                es.column(p, &es.schema.dataframes[p].index)
                    .expect("index")
                    .data_type(),
            )
        } else {
            let refs: Vec<&dyn Array> = keys.iter().map(|k| k.as_ref()).collect();
            arrow_select::concat::concat(&refs).map_err(|e| Error::arrow("requests", e))?
        };
        let r = RecordBatch::try_from_iter([
            ("__key", keys),
            (
                "__time",
                Arc::new(arrow_array::Int64Array::from(times)) as ArrayRef,
            ),
        ])
        .map_err(|e| Error::arrow("requests", e))?;
        reply.push((
            spec.feature,
            serde_bytes::ByteBuf::from(c),
            serde_bytes::ByteBuf::from(ipc_bytes(&r)?),
        ));
    }
    bincode::serde::encode_to_vec(&reply, config())
        .map_err(|e| Error::Internal(format!("encoding a part's rows: {e}")))
}

/// Checks that the features' target can be computed from shards: it must be the dataframe the
/// shards are split by or below it.
pub fn check_features(shards: &Shards, graph: &FeatureGraph) -> Result<()> {
    let target = graph.target();
    let m = &shards.manifest;
    if target != m.root && !m.tree_links.contains_key(target) {
        return Err(Error::Invalid(format!(
            "the features are for '{target}', which is neither the dataframe the shards are split by ('{}') nor below it; split by '{target}' or a parent of it",
            m.root
        )));
    }
    Plan::build(&EntitySet::empty(shards.schema.clone())?, graph)?;
    Ok(())
}

/// Computes the feature matrix from shards: featuretools' `calculate_feature_matrix` on the
/// entity set the shards were split from.
pub fn compute(
    shards: &Shards,
    graph: &FeatureGraph,
    cutoff: &Cutoff,
    opts: &MatrixOptions,
    exec: &mut dyn Executor,
) -> Result<RecordBatch> {
    check_features(shards, graph)?;
    let target_name = graph.target().to_string();
    let target = shards.schema.position(&target_name).expect("checked");
    let n_parts = shards.parts();
    let now = matrix::now_for(&shards.schema);
    let mut jobs = Vec::with_capacity(n_parts);
    // For a table: which part and position each cutoff row goes to.
    let mut placement: Vec<(u32, u32)> = Vec::new();
    match cutoff {
        Cutoff::Table(t) => {
            let owner = instance_owners(shards, &target_name)?;
            let mut rows_of: Vec<Vec<u32>> = vec![Vec::new(); n_parts];
            let keys = key_values(&t.ids);
            let int = shards.schema.dataframes[target]
                .column(&shards.schema.dataframes[target].index)
                .map(|c| c.storage() == crate::schema::Storage::Int64)
                .unwrap_or(false);
            for (i, k) in keys.into_iter().enumerate() {
                // An unknown instance gets featuretools' default row from any part.
                let p = k
                    .and_then(|k| crate::entityset::keys::coerce(k, int))
                    .and_then(|k| owner.get(&k).copied())
                    .unwrap_or(0);
                placement.push((p, rows_of[p as usize].len() as u32));
                rows_of[p as usize].push(i as u32);
            }
            for (p, rows) in rows_of.iter().enumerate() {
                let idx = UInt32Array::from(rows.clone());
                let ids = arrow_select::take::take(t.ids.as_ref(), &idx, None)
                    .map_err(|e| Error::arrow("routing cutoff rows", e))?;
                let batch = RecordBatch::try_from_iter([("id", ids)])
                    .map_err(|e| Error::arrow("routing cutoff rows", e))?;
                let times = rows.iter().map(|&r| t.times[r as usize]).collect();
                jobs.push(Job {
                    shards: shards.dir.clone(),
                    part: p,
                    graph: graph.clone(),
                    time: opts.time,
                    phase: Phase::Matrix { given: Vec::new() },
                    cutoff: PartCutoff::Rows {
                        ids: ipc_bytes(&batch)?,
                        times,
                    },
                });
            }
        }
        Cutoff::Now | Cutoff::At(_) => {
            let t = match cutoff {
                Cutoff::At(t) => *t,
                _ => now,
            };
            for p in 0..n_parts {
                jobs.push(Job {
                    shards: shards.dir.clone(),
                    part: p,
                    graph: graph.clone(),
                    time: opts.time,
                    cutoff: PartCutoff::At(t),
                    phase: Phase::Matrix { given: Vec::new() },
                });
            }
        }
    }
    let specs = crate::outer::find(shards, graph)?;
    if !specs.is_empty() {
        let given = outer_round(shards, graph, &specs, &jobs, opts, exec)?;
        for (j, given) in jobs.iter_mut().zip(given) {
            j.phase = Phase::Matrix { given };
        }
    }
    let payloads = jobs
        .iter()
        .enumerate()
        .map(|(i, j)| Ok((i as u64, encode_job(j)?)))
        .collect::<Result<Vec<_>>>()?;
    let mut results: Vec<Option<RecordBatch>> = vec![None; n_parts];
    exec.round(Round::Matrix);
    for (id, bytes) in exec.run(payloads)? {
        let slot = results
            .get_mut(id as usize)
            .ok_or_else(|| Error::Invalid(format!("a worker answered unknown job {id}")))?;
        *slot = Some(from_ipc_bytes(&bytes)?);
    }
    let parts: Vec<RecordBatch> = results
        .into_iter()
        .enumerate()
        .map(|(p, r)| r.ok_or_else(|| Error::Invalid(format!("part {p} returned no result"))))
        .collect::<Result<_>>()?;
    merge(shards, graph, cutoff, opts, target, &parts, &placement, now)
}

/// The first round for aggregations across parts: every part's contributions and requests, then
/// the answers (per feature, an IPC stream of keys, cutoffs and values).
fn outer_round(
    shards: &Shards,
    graph: &FeatureGraph,
    specs: &[crate::outer::OuterSpec],
    jobs: &[Job],
    opts: &MatrixOptions,
    exec: &mut dyn Executor,
) -> Result<Vec<Given>> {
    let mut contributions: Vec<Vec<RecordBatch>> = vec![Vec::new(); specs.len()];
    // Per aggregation, per part (in part order, as the answers are routed back).
    let empty: ArrayRef = Arc::new(arrow_array::Int64Array::from(Vec::<i64>::new()));
    let mut requests: Vec<Requests> = vec![vec![(empty, Vec::new()); jobs.len()]; specs.len()];
    outer_pass(
        specs,
        &[],
        jobs,
        exec,
        &mut contributions,
        Some(&mut requests),
    )?;
    // Aggregations with cutoff-dependent inputs: every part evaluates its rows at the cutoffs
    // all parts requested for their keys.
    let mut at = Vec::new();
    for (s, spec) in specs.iter().enumerate() {
        if spec.timed {
            let batch =
                distinct_requests(&requests[s], crate::outer::key_is_int(&shards.schema, spec))?;
            at.push((spec.feature, serde_bytes::ByteBuf::from(ipc_bytes(&batch)?)));
        }
    }
    if !at.is_empty() {
        outer_pass(specs, &at, jobs, exec, &mut contributions, None)?;
    }
    // Each group of aggregations reading the same rows is prepared once, then answered; each
    // part gets the answers to its own requests only.
    let shared_with = crate::outer::shared_with(graph, specs);
    let mut given: Vec<Given> = vec![Vec::new(); jobs.len()];
    for (first, first_spec) in specs.iter().enumerate() {
        if shared_with[first] != first {
            continue;
        }
        let mut prepared = crate::outer::prepare(
            graph,
            first_spec,
            &contributions[first],
            crate::outer::key_is_int(&shards.schema, first_spec),
        )?;
        for (s, spec) in specs.iter().enumerate() {
            if shared_with[s] != first {
                continue;
            }
            let answers =
                crate::outer::answer(graph, spec, &mut prepared, &requests[s], &opts.time)?;
            let mut start = 0;
            for (part, (keys, _)) in requests[s].iter().enumerate() {
                let rows: UInt32Array = answers.answer_of[start..start + keys.len()]
                    .iter()
                    .flatten()
                    .copied()
                    .collect();
                start += keys.len();
                let take = |a: &ArrayRef| {
                    arrow_select::take::take(a.as_ref(), &rows, None)
                        .map_err(|e| Error::arrow("answers", e))
                };
                let mut cols: Vec<(String, ArrayRef)> = vec![
                    ("__key".into(), take(&answers.keys)?),
                    (
                        "__time".into(),
                        Arc::new(arrow_array::Int64Array::from_iter_values(
                            rows.values().iter().map(|&r| answers.times[r as usize]),
                        )),
                    ),
                ];
                for (i, v) in answers.values.iter().enumerate() {
                    cols.push((format!("v{i}"), take(v)?));
                }
                let b = matrix::named_batch(cols, "answers")?;
                given[part].push((spec.feature, serde_bytes::ByteBuf::from(ipc_bytes(&b)?)));
            }
        }
    }
    Ok(given)
}

/// A part's given values: per feature, an IPC stream of `__key`, `__time`, then the values.
type Given = Vec<(usize, serde_bytes::ByteBuf)>;

/// Each part's (keys, cutoffs) requests for one aggregation.
type Requests = Vec<(ArrayRef, Vec<i64>)>;

/// One round of [`Phase::Outer`] over all parts: adds each part's contributions (and requests).
fn outer_pass(
    specs: &[crate::outer::OuterSpec],
    at: &[(usize, serde_bytes::ByteBuf)],
    jobs: &[Job],
    exec: &mut dyn Executor,
    contributions: &mut [Vec<RecordBatch>],
    mut requests: Option<&mut [Requests]>,
) -> Result<()> {
    let specs_now: Vec<crate::outer::OuterSpec> = specs
        .iter()
        .filter(|s| at.is_empty() || at.iter().any(|(f, _)| *f == s.feature))
        .cloned()
        .collect();
    let payloads = jobs
        .iter()
        .enumerate()
        .map(|(i, j)| {
            let mut j = j.clone();
            j.phase = Phase::Outer {
                specs: specs_now.clone(),
                at: at.to_vec(),
            };
            Ok((i as u64, encode_job(&j)?))
        })
        .collect::<Result<Vec<_>>>()?;
    exec.round(if at.is_empty() {
        Round::OuterRows
    } else {
        Round::OuterInputs
    });
    for (id, bytes) in exec.run(payloads)? {
        let part = usize::try_from(id)
            .ok()
            .filter(|&p| p < jobs.len())
            .ok_or_else(|| Error::Worker(format!("a worker answered unknown job {id}")))?;
        let (reply, _): (OuterReply, usize) =
            bincode::serde::decode_from_slice(&bytes, config())
                .map_err(|e| Error::Worker(format!("decoding a part's rows: {e}")))?;
        for (f, c, r) in reply {
            let s = specs
                .iter()
                .position(|s| s.feature == f)
                .ok_or_else(|| Error::Worker(format!("a part answered for feature {f}")))?;
            if !c.is_empty() {
                contributions[s].push(from_ipc_bytes(&c)?);
            }
            if let Some(requests) = requests.as_deref_mut() {
                let r = from_ipc_bytes(&r)?;
                let times = r
                    .column(1)
                    .as_any()
                    .downcast_ref::<arrow_array::Int64Array>()
                    .ok_or_else(|| Error::Worker("malformed requests".into()))?;
                requests[s][part] = (r.column(0).clone(), times.values().to_vec());
            }
        }
    }
    Ok(())
}

/// All parts' requests for one aggregation, each (key, cutoff) once, as `__key`, `__time`.
fn distinct_requests(requests: &[(ArrayRef, Vec<i64>)], int: bool) -> Result<RecordBatch> {
    let mut seen = std::collections::HashSet::new();
    let mut keys: Vec<ArrayRef> = Vec::with_capacity(requests.len());
    let mut times = Vec::new();
    for (k, t) in requests {
        // This part's requests not asked before.
        let idx: UInt32Array = key_values(k)
            .into_iter()
            .enumerate()
            .filter_map(|(i, key)| {
                let key = crate::entityset::keys::coerce(key?, int)?;
                seen.insert((key, t[i])).then_some(i as u32)
            })
            .collect();
        keys.push(
            arrow_select::take::take(k.as_ref(), &idx, None)
                .map_err(|e| Error::arrow("requests", e))?,
        );
        times.extend(idx.values().iter().map(|&i| t[i as usize]));
    }
    let refs: Vec<&dyn Array> = keys.iter().map(|k| k.as_ref()).collect();
    let keys = if refs.is_empty() {
        arrow_array::new_empty_array(&arrow_schema::DataType::Int64)
    } else {
        arrow_select::concat::concat(&refs).map_err(|e| Error::arrow("requests", e))?
    };
    RecordBatch::try_from_iter([
        ("__key", keys),
        (
            "__time",
            Arc::new(arrow_array::Int64Array::from(times)) as ArrayRef,
        ),
    ])
    .map_err(|e| Error::arrow("requests", e))
}

/// Instance id → part, from each part's target dataframe index.
fn instance_owners(shards: &Shards, target: &str) -> Result<HashMap<Key, u32>> {
    let df = shards.schema.dataframe(target).expect("checked");
    let mut owner = HashMap::new();
    for p in 0..shards.parts() {
        let path = shards
            .manifest
            .table_path(&shards.dir, p, target)
            .ok_or_else(|| Error::Invalid(format!("part {p} lacks '{target}'")))?;
        // Mapped once, through the checked decoder: the index and, where the part may hold
        // copies, their marks are read in place.
        let batches = ftpart_worker::mmap::map_ipc_file(&path).map_err(|e| Error::Data {
            path: path.clone(),
            dataframe: target.into(),
            column: df.index.clone(),
            message: e.to_string(),
        })?;
        for b in batches {
            let col = b.column_by_name(&df.index).ok_or_else(|| Error::Data {
                path: path.clone(),
                dataframe: target.into(),
                column: df.index.clone(),
                message: "index column is missing".into(),
            })?;
            let copies = b
                .column_by_name(ftpart_partitioner::COPY)
                .and_then(|c| c.as_boolean_opt().cloned());
            for (i, k) in key_values(col).into_iter().enumerate() {
                let copy = copies.as_ref().is_some_and(|c| c.value(i));
                if let (Some(k), false) = (k, copy) {
                    owner.insert(k, p as u32);
                }
            }
        }
    }
    Ok(owner)
}

/// The parts' columns of one feature as floats when some parts computed integers and others
/// floats, as `pd.concat` makes them (None when they agree). Some columns are integers or floats
/// after their data: pandas' integer `%` by 0 is NaN, so MODULO_NUMERIC of two integer columns
/// is float64 only where some row divides by 0, and one part may hold such a row and another
/// not.
pub(crate) fn common_numbers(cols: &[&dyn Array]) -> Option<Vec<ArrayRef>> {
    let has = |t: &DataType| cols.iter().any(|c| c.data_type() == t);
    let numbers = cols
        .iter()
        .all(|c| matches!(c.data_type(), DataType::Int64 | DataType::Float64));
    if !(numbers && has(&DataType::Int64) && has(&DataType::Float64)) {
        return None;
    }
    cols.iter()
        .map(|c| arrow_cast::cast(*c, &DataType::Float64).ok())
        .collect()
}

/// Interleaves the parts' columns of one categorical feature into one dictionary array (None when
/// they are not dictionaries). Each part encodes its categories against its own dictionary;
/// arrow's `interleave` appends the dictionaries one after the other, giving a category list with
/// repeated values, which pandas refuses. The merged dictionary holds each value once, in order
/// of first appearance over the parts' dictionaries.
pub(crate) fn interleave_dictionaries(
    cols: &[&dyn Array],
    order: &[(usize, usize)],
) -> Option<Result<ArrayRef>> {
    let dicts: Vec<&arrow_array::DictionaryArray<arrow_array::types::Int32Type>> = cols
        .iter()
        .map(|c| c.as_dictionary_opt::<arrow_array::types::Int32Type>())
        .collect::<Option<_>>()?;
    let texts: Vec<&arrow_array::StringArray> = dicts
        .iter()
        .map(|d| d.values().as_string_opt::<i32>())
        .collect::<Option<_>>()?;
    let mut values: Vec<Option<&str>> = Vec::new();
    let mut position: HashMap<Option<&str>, i32> = HashMap::new();
    let remaps: Vec<Vec<i32>> = texts
        .iter()
        .map(|t| {
            t.iter()
                .map(|v| {
                    let next = values.len() as i32;
                    *position.entry(v).or_insert_with(|| {
                        values.push(v);
                        next
                    })
                })
                .collect()
        })
        .collect();
    let keys: arrow_array::Int32Array = order
        .iter()
        .map(|&(p, r)| {
            let k = dicts[p].keys();
            k.is_valid(r).then(|| remaps[p][k.value(r) as usize])
        })
        .collect();
    let merged = arrow_array::DictionaryArray::<arrow_array::types::Int32Type>::try_new(
        keys,
        Arc::new(arrow_array::StringArray::from(values)),
    )
    .map(|a| Arc::new(a) as ArrayRef)
    .map_err(|e| Error::arrow("merging part matrices", e));
    Some(merged)
}

/// Row order (part, row), ids, label columns and cutoff times of the merged matrix.
type Merged = (
    Vec<(usize, usize)>,
    ArrayRef,
    Vec<(String, ArrayRef)>,
    Vec<i64>,
);

#[allow(clippy::too_many_arguments)]
fn merge(
    shards: &Shards,
    graph: &FeatureGraph,
    cutoff: &Cutoff,
    opts: &MatrixOptions,
    target: usize,
    parts: &[RecordBatch],
    placement: &[(u32, u32)],
    now: i64,
) -> Result<RecordBatch> {
    let n_out = graph.output_names().len();
    let (order, ids, extra, times): Merged = match cutoff {
        Cutoff::Table(t) => (
            placement
                .iter()
                .map(|&(p, r)| (p as usize, r as usize))
                .collect(),
            t.ids.clone(),
            t.extra.clone(),
            t.times.clone(),
        ),
        _ => {
            // Instances come in target dataframe order: (time index, index), as each part is sorted.
            let mut all: Vec<(Option<i64>, Option<Key>, usize, usize)> = Vec::new();
            let mut id_parts: Vec<ArrayRef> = Vec::new();
            for (p, b) in parts.iter().enumerate() {
                let ids = b.column(0).clone();
                let ti = crate::entityset::time_values(b.column(1));
                for (i, (k, t)) in key_values(&ids).into_iter().zip(ti).enumerate() {
                    let t = (t != crate::entityset::NULL_TIME).then_some(t);
                    all.push((t, k, p, i));
                }
                id_parts.push(ids);
            }
            all.sort_by(|a, b| {
                let tc = match (a.0, b.0) {
                    (Some(x), Some(y)) => x.cmp(&y),
                    (None, None) => std::cmp::Ordering::Equal,
                    (None, _) => std::cmp::Ordering::Greater,
                    (_, None) => std::cmp::Ordering::Less,
                };
                tc.then_with(|| match (&a.1, &b.1) {
                    (Some(Key::Int(x)), Some(Key::Int(y))) => x.cmp(y),
                    (Some(Key::Str(x)), Some(Key::Str(y))) => x.cmp(y),
                    _ => std::cmp::Ordering::Equal,
                })
            });
            let order: Vec<(usize, usize)> = all.iter().map(|x| (x.2, x.3)).collect();
            let refs: Vec<&dyn Array> = id_parts.iter().map(|a| a.as_ref()).collect();
            let ids = if refs.is_empty() {
                arrow_array::new_empty_array(&DataType::Int64)
            } else {
                arrow_select::interleave::interleave(&refs, &order)
                    .map_err(|e| Error::arrow("merging", e))?
            };
            let t = match cutoff {
                Cutoff::At(t) => *t,
                _ => now,
            };
            let n = order.len();
            (order, ids, Vec::new(), vec![t; n])
        }
    };
    let mut values = Vec::with_capacity(n_out);
    for c in 0..n_out {
        let cols: Vec<&dyn Array> = parts.iter().map(|b| b.column(2 + c).as_ref()).collect();
        if let Some(merged) = interleave_dictionaries(&cols, &order) {
            values.push(merged?);
            continue;
        }
        let floats = common_numbers(&cols);
        let cols: Vec<&dyn Array> = match &floats {
            Some(f) => f.iter().map(|a| a.as_ref()).collect(),
            None => cols,
        };
        values.push(
            arrow_select::interleave::interleave(&cols, &order)
                .map_err(|e| Error::arrow("merging part matrices", e))?,
        );
    }
    let queries: Vec<Query> = times
        .iter()
        .map(|&t| Query { row: None, time: t })
        .collect();
    matrix::assemble(
        &shards.schema,
        target,
        graph,
        &queries,
        ids,
        values,
        extra,
        opts.cutoff_time_in_index,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::types::Int32Type;
    use arrow_array::DictionaryArray;

    /// Regression: part matrices' categorical columns, each with its own dictionary, were
    /// interleaved into one whose category list repeated values (pandas: "Categorical categories
    /// must be unique"; found by ftpart.calculate_feature_matrix(n_jobs=2) on 5M transactions).
    #[test]
    fn merged_categorical_parts_hold_each_category_once() {
        let a: DictionaryArray<Int32Type> = vec![Some("b"), None, Some("a")].into_iter().collect();
        let b: DictionaryArray<Int32Type> = vec![Some("c"), Some("b")].into_iter().collect();
        let cols: Vec<&dyn Array> = vec![&a, &b];
        let merged = interleave_dictionaries(&cols, &[(0, 0), (1, 0), (0, 1), (1, 1), (0, 2)])
            .expect("dictionaries")
            .unwrap();
        let d = merged.as_dictionary::<Int32Type>();
        let values = d.values().as_string::<i32>();
        let cats: Vec<&str> = values.iter().flatten().collect();
        assert_eq!(cats, ["b", "a", "c"]);
        let cells: Vec<Option<&str>> = d
            .keys()
            .iter()
            .map(|k| k.map(|k| values.value(k as usize)))
            .collect();
        assert_eq!(cells, [Some("b"), Some("c"), None, Some("b"), Some("a")]);
        let plain = arrow_array::Int64Array::from(vec![1]);
        assert!(interleave_dictionaries(&[&plain as &dyn Array], &[(0, 0)]).is_none());
    }
}
