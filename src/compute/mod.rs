//! The coordinator: routes cutoff rows to the parts that own their instances, runs one job per
//! part (in worker processes or in this process), and merges the part matrices back into
//! featuretools' row order.

pub mod cache;
mod job;
mod merge;
mod worker;

pub use cache::{CacheStats, Load, PartCache};
pub use job::{encode_job, Job, PartCutoff, Phase};
pub(crate) use merge::common_numbers;
pub use worker::{handle_job, handle_job_cached, handle_job_controlled};

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, RecordBatch, UInt32Array};
use arrow_buffer::Buffer;

use crate::calc::Plan;
use crate::cutoff::Cutoff;
use crate::entityset::keys::{key_values, Key};
use crate::entityset::EntitySet;
use crate::error::{Error, Result};
use crate::features::FeatureGraph;
use crate::matrix::{self, MatrixOptions};
use crate::shards::Shards;

pub use crate::events::Round;
use crate::events::{Events, RunEvent, Stage};
use job::*;
pub use job::{from_ipc_bytes, ipc_bytes};
pub use merge::Merged;

/// Runs a round's jobs; the process pool and the in-process executor implement it. One job per
/// part, its id the part number.
pub trait Executor {
    /// Runs `(id, payload)` jobs of `round` and returns `(id, result)` pairs, reporting each job
    /// (started, finished, failed, retried, on which worker) to `events`. A result is a
    /// [`Buffer`] so that it can stay where the worker wrote it (the local pool's shared memory):
    /// a part's matrix is decoded in place.
    fn run(
        &mut self,
        round: Round,
        jobs: Vec<(u64, Vec<u8>)>,
        events: &Events,
    ) -> Result<Vec<(u64, Buffer)>>;
    /// Worker processes (0: in this process).
    fn workers(&self) -> usize {
        0
    }
    /// The key ranges aggregations across parts are answered in, one job each: one per worker.
    fn key_ranges(&self) -> usize {
        self.workers().max(1)
    }
}

/// Computes jobs in this process, one after another, through the same bytes a worker receives.
/// It reports itself as worker 0, with this process's pid, at the start of each round.
#[derive(Debug, Default)]
pub struct InProcess {
    interrupt: Option<Arc<AtomicBool>>,
    key_ranges: Option<usize>,
}

impl InProcess {
    /// An executor that stops with [`Error::Interrupted`] once `interrupt` is set: before the
    /// next part, or before the next feature a part computes.
    pub fn interruptible(interrupt: Arc<AtomicBool>) -> InProcess {
        InProcess {
            interrupt: Some(interrupt),
            key_ranges: None,
        }
    }

    /// An executor answering aggregations across parts in `n` key ranges (one by default), as
    /// `n` workers would.
    pub fn with_key_ranges(n: usize) -> InProcess {
        InProcess {
            interrupt: None,
            key_ranges: Some(n),
        }
    }
}

impl Executor for InProcess {
    fn key_ranges(&self) -> usize {
        self.key_ranges.unwrap_or(1).max(1)
    }
    fn run(
        &mut self,
        round: Round,
        jobs: Vec<(u64, Vec<u8>)>,
        events: &Events,
    ) -> Result<Vec<(u64, Buffer)>> {
        let pid = i32::try_from(std::process::id()).unwrap_or(i32::MAX);
        events.emit(RunEvent::WorkerStarted { worker: 0, pid });
        jobs.into_iter()
            .map(|(id, p)| {
                let part = id as usize;
                events.emit(RunEvent::JobStarted {
                    round,
                    part,
                    worker: 0,
                });
                let start = std::time::Instant::now();
                let interrupt = self.interrupt.as_deref();
                if interrupt.is_some_and(|i| i.load(Ordering::SeqCst)) {
                    return Err(Error::Interrupted);
                }
                match handle_job_controlled(&p, &crate::shards::read_ipc_file, interrupt) {
                    Ok(r) => {
                        events.emit(RunEvent::JobFinished {
                            round,
                            part,
                            worker: 0,
                            seconds: start.elapsed().as_secs_f64(),
                            peak_rss_bytes: crate::events::memory::sample(pid, None)
                                .map_or(0, |m| m.peak),
                            output_bytes: r.len() as u64,
                        });
                        Ok((id, Buffer::from_vec(r)))
                    }
                    Err(e) => {
                        events.emit(RunEvent::JobFailed {
                            round,
                            part,
                            worker: Some(0),
                            message: e.to_string(),
                        });
                        Err(e)
                    }
                }
            })
            .collect()
    }
}

/// Runs one round of jobs on `exec`, between its start and finish events.
fn run_round(
    exec: &mut dyn Executor,
    events: &Events,
    round: Round,
    jobs: Vec<(u64, Vec<u8>)>,
) -> Result<Vec<(u64, Buffer)>> {
    events.emit(RunEvent::RoundStarted {
        round,
        jobs: jobs.len(),
    });
    for (id, _) in &jobs {
        events.emit(RunEvent::JobQueued {
            round,
            part: *id as usize,
        });
    }
    let out = exec.run(round, jobs, events)?;
    events.emit(RunEvent::RoundFinished { round });
    Ok(out)
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
    Plan::build(&EntitySet::empty(shards.schema.clone())?, graph).map_err(|e| {
        match shards.split_for() {
            Some(given) => Error::Invalid(format!(
                "{e} (the shards in {} were split with {given}: they hold only the columns those \
                 features need; split the entity set again without them, or for these features)",
                shards.dir.display()
            )),
            None => e,
        }
    })?;
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
    compute_observed(shards, graph, cutoff, opts, exec, &Events::new())
}

/// [`compute`], reporting its rounds, part jobs and stages to `events`.
pub fn compute_observed(
    shards: &Shards,
    graph: &FeatureGraph,
    cutoff: &Cutoff,
    opts: &MatrixOptions,
    exec: &mut dyn Executor,
    events: &Events,
) -> Result<RecordBatch> {
    let (parts, placement) = part_matrices(shards, graph, cutoff, opts, exec, events)?;
    events.stage(Stage::Merge, || {
        merged(shards, graph, cutoff, opts, parts, &placement)?.into_batch()
    })
}

/// [`compute_observed`] up to the merge: the parts' matrices and the order they merge in, for a
/// writer that takes the matrix one column at a time ([`Merged::column`]).
pub fn compute_merged(
    shards: &Shards,
    graph: &FeatureGraph,
    cutoff: &Cutoff,
    opts: &MatrixOptions,
    exec: &mut dyn Executor,
    events: &Events,
) -> Result<Merged> {
    let (parts, placement) = part_matrices(shards, graph, cutoff, opts, exec, events)?;
    events.stage(Stage::Merge, || {
        merged(shards, graph, cutoff, opts, parts, &placement)
    })
}

fn merged(
    shards: &Shards,
    graph: &FeatureGraph,
    cutoff: &Cutoff,
    opts: &MatrixOptions,
    parts: Vec<Vec<RecordBatch>>,
    placement: &[(u32, u32)],
) -> Result<Merged> {
    let target = shards.schema.position(graph.target()).expect("checked");
    let now = matrix::now_for(&shards.schema);
    Merged::new(shards, graph, cutoff, opts, target, parts, placement, now)
}

/// Each part's matrix (as the batches it arrived in) and where each cutoff row went.
type PartMatrices = (Vec<Vec<RecordBatch>>, Vec<(u32, u32)>);

/// The rounds: each part's matrix (as the batches it arrived in) and, for a cutoff table, which
/// part and position each cutoff row went to.
fn part_matrices(
    shards: &Shards,
    graph: &FeatureGraph,
    cutoff: &Cutoff,
    opts: &MatrixOptions,
    exec: &mut dyn Executor,
    events: &Events,
) -> Result<PartMatrices> {
    let specs = events.stage(Stage::Plan, || {
        check_features(shards, graph)?;
        crate::outer::find(shards, graph)
    })?;
    let now = matrix::now_for(&shards.schema);
    let (mut jobs, placement) = events.stage(Stage::RouteCutoffs, || {
        route(shards, graph, cutoff, opts, now)
    })?;
    if !specs.is_empty() {
        let given = outer_round(shards, graph, &specs, &jobs, opts, exec, events)?;
        for (j, given) in jobs.iter_mut().zip(given) {
            j.phase = Phase::Matrix { given };
        }
    }
    let n_parts = jobs.len();
    let payloads = jobs
        .iter()
        .enumerate()
        .map(|(i, j)| Ok((i as u64, encode_job(j)?)))
        .collect::<Result<Vec<_>>>()?;
    let mut results: Vec<Option<Vec<RecordBatch>>> = vec![None; n_parts];
    for (id, bytes) in run_round(exec, events, Round::Matrix, payloads)? {
        let slot = results
            .get_mut(id as usize)
            .ok_or_else(|| Error::Invalid(format!("a worker answered unknown job {id}")))?;
        *slot = Some(batches_in(bytes)?);
    }
    let parts: Vec<Vec<RecordBatch>> = results
        .into_iter()
        .enumerate()
        .map(|(p, r)| r.ok_or_else(|| Error::Invalid(format!("part {p} returned no result"))))
        .collect::<Result<_>>()?;
    Ok((parts, placement))
}

/// The parts' jobs and where each cutoff row went.
type Routed = (Vec<Job>, Vec<(u32, u32)>);

/// Each part's job (in part order) and, for a cutoff table, which part and position each cutoff
/// row goes to.
fn route(
    shards: &Shards,
    graph: &FeatureGraph,
    cutoff: &Cutoff,
    opts: &MatrixOptions,
    now: i64,
) -> Result<Routed> {
    let target_name = graph.target().to_string();
    let target = shards.schema.position(&target_name).expect("checked");
    let n_parts = shards.parts();
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
    Ok((jobs, placement))
}

/// The rounds for aggregations across parts: every part's contributions (split by key range)
/// and requests, then one job per group of aggregations reading the same rows and key range,
/// which answers the requests in its range on a worker. Returns each part's given values.
fn outer_round(
    shards: &Shards,
    graph: &FeatureGraph,
    specs: &[crate::outer::OuterSpec],
    jobs: &[Job],
    opts: &MatrixOptions,
    exec: &mut dyn Executor,
    events: &Events,
) -> Result<Vec<Given>> {
    let ranges = u32::try_from(exec.key_ranges().clamp(1, 1024)).expect("clamped");
    let n_parts = jobs.len();
    // Per aggregation, per part (in part order, as the answers are routed back), per key range.
    let mut contributions: Contributions = vec![vec![Vec::new(); n_parts]; specs.len()];
    let empty: ArrayRef = Arc::new(arrow_array::Int64Array::from(Vec::<i64>::new()));
    let mut requests: Vec<Requests> = vec![vec![(empty, Vec::new()); n_parts]; specs.len()];
    outer_pass(
        specs,
        &[],
        jobs,
        ranges,
        exec,
        events,
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
        outer_pass(
            specs,
            &at,
            jobs,
            ranges,
            exec,
            events,
            &mut contributions,
            None,
        )?;
    }
    let payloads = events.stage(Stage::KeyRanges, || {
        range_jobs(shards, graph, specs, opts, ranges, &requests, contributions)
    })?;
    let mut results = run_round(exec, events, Round::OuterAnswers, payloads)?;
    // Each part's answers in key range order.
    results.sort_unstable_by_key(|(id, _)| *id);
    let mut given: Vec<Given> = vec![Vec::new(); n_parts];
    for (_, bytes) in results {
        let (reply, _): (AnswerReply, usize) = bincode::serde::decode_from_slice(&bytes, config())
            .map_err(|e| Error::Worker(format!("decoding answers: {e}")))?;
        for (f, per_part) in reply {
            if per_part.len() != n_parts {
                return Err(Error::Worker(format!(
                    "a key range job answered {} parts of {n_parts}",
                    per_part.len()
                )));
            }
            for (p, b) in per_part.into_iter().enumerate() {
                given[p].push((f, b));
            }
        }
    }
    Ok(given)
}

/// The key range jobs ([`Phase::Answer`]): per group of aggregations reading the same rows
/// ([`crate::outer::shared_with`]) and key range, every part's rows and requests in the range.
fn range_jobs(
    shards: &Shards,
    graph: &FeatureGraph,
    specs: &[crate::outer::OuterSpec],
    opts: &MatrixOptions,
    ranges: u32,
    requests: &[Requests],
    mut contributions: Contributions,
) -> Result<Vec<(u64, Vec<u8>)>> {
    let shared_with = crate::outer::shared_with(graph, specs);
    let mut payloads = Vec::new();
    for (first, first_spec) in specs.iter().enumerate() {
        if shared_with[first] != first {
            continue;
        }
        let members: Vec<usize> = (0..specs.len())
            .filter(|&s| shared_with[s] == first)
            .collect();
        let int = crate::outer::key_is_int(&shards.schema, first_spec);
        // Aggregations of a group are usually requested at the same (key, cutoff) pairs.
        let mut sets: Vec<usize> = Vec::new();
        let requests_of: Vec<usize> = members
            .iter()
            .map(|&s| {
                match sets
                    .iter()
                    .position(|&t| crate::outer::same_requests(&requests[t], &requests[s]))
                {
                    Some(i) => i,
                    None => {
                        sets.push(s);
                        sets.len() - 1
                    }
                }
            })
            .collect();
        // Per set, per key range, per part.
        let by_range: Vec<Vec<Vec<serde_bytes::ByteBuf>>> = sets
            .iter()
            .map(|&s| requests_by_range(&requests[s], int, ranges))
            .collect::<Result<_>>()?;
        for r in 0..ranges as usize {
            let rows = contributions[first]
                .iter_mut()
                .map(|part| part.get_mut(r).map(std::mem::take).unwrap_or_default())
                .collect();
            let job = Job {
                shards: shards.dir.clone(),
                part: payloads.len(),
                graph: graph.clone(),
                time: opts.time,
                cutoff: PartCutoff::At(0),
                phase: Phase::Answer {
                    specs: members.iter().map(|&s| specs[s].clone()).collect(),
                    key_is_int: int,
                    rows,
                    requests: by_range.iter().map(|set| set[r].clone()).collect(),
                    requests_of: requests_of.clone(),
                },
            };
            payloads.push((payloads.len() as u64, encode_job(&job)?));
        }
    }
    Ok(payloads)
}

/// Each part's requests for one aggregation split by key range: per range, per part, an IPC
/// stream of `__key`, `__time`.
fn requests_by_range(
    requests: &Requests,
    int: bool,
    ranges: u32,
) -> Result<Vec<Vec<serde_bytes::ByteBuf>>> {
    let mut out: Vec<Vec<serde_bytes::ByteBuf>> = vec![Vec::new(); ranges as usize];
    for (keys, times) in requests {
        let b = RecordBatch::try_from_iter([
            ("__key", keys.clone()),
            (
                "__time",
                Arc::new(arrow_array::Int64Array::from(times.clone())) as ArrayRef,
            ),
        ])
        .map_err(|e| Error::arrow("requests", e))?;
        for (r, b) in crate::outer::split_by_range(&b, 0, int, ranges)?
            .iter()
            .enumerate()
        {
            out[r].push(serde_bytes::ByteBuf::from(ipc_bytes(b)?));
        }
    }
    Ok(out)
}

/// A part's given values: per feature, an IPC stream of `__key`, `__time`, then the values
/// (several per feature: one per key range).
type Given = Vec<(usize, serde_bytes::ByteBuf)>;

/// Each part's (keys, cutoffs) requests for one aggregation.
type Requests = Vec<(ArrayRef, Vec<i64>)>;

/// Per aggregation, per part, per key range: the part's rows (IPC streams; none when the part
/// sends them with another aggregation).
type Contributions = Vec<Vec<Vec<serde_bytes::ByteBuf>>>;

/// One round of [`Phase::Outer`] over all parts: adds each part's contributions (and requests).
#[allow(clippy::too_many_arguments)]
fn outer_pass(
    specs: &[crate::outer::OuterSpec],
    at: &[(usize, serde_bytes::ByteBuf)],
    jobs: &[Job],
    key_ranges: u32,
    exec: &mut dyn Executor,
    events: &Events,
    contributions: &mut Contributions,
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
                key_ranges,
            };
            Ok((i as u64, encode_job(&j)?))
        })
        .collect::<Result<Vec<_>>>()?;
    let round = if at.is_empty() {
        Round::OuterRows
    } else {
        Round::OuterInputs
    };
    for (id, bytes) in run_round(exec, events, round, payloads)? {
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
                if c.len() != key_ranges as usize {
                    return Err(Error::Worker(format!(
                        "part {part} sent {} key ranges of {key_ranges}",
                        c.len()
                    )));
                }
                contributions[s][part] = c;
            }
            if let Some(requests) = requests.as_deref_mut() {
                requests[s][part] = requests_from_ipc(&r)?;
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
