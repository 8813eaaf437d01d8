//! The worker side: what a part computes for each round.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::{Array, ArrayRef, RecordBatch, TimestampNanosecondArray, UInt32Array};

use crate::calc::{self, Query};
use crate::entityset::keys::key_values;
use crate::entityset::EntitySet;
use crate::error::{Error, Result};
use crate::matrix;
use crate::shards::Shards;

use super::cache::{Load, LoadedPart, PartCache};
use super::job::*;

/// The worker side: loads the part (with `read`, e.g. a memory map) and computes its matrix.
/// The result is an IPC stream of a batch: `__id` and `__ti` (the index value and time index of
/// each row's instance), then the feature outputs.
pub fn handle_job(
    payload: &[u8],
    read: &dyn Fn(&std::path::Path) -> std::result::Result<Vec<RecordBatch>, String>,
) -> Result<Vec<u8>> {
    handle_job_controlled(payload, read, None)
}

/// [`handle_job`], stopped with [`Error::Interrupted`] before the next feature of the part's
/// matrix once `interrupt` is set.
pub fn handle_job_controlled(
    payload: &[u8],
    read: &dyn Fn(&std::path::Path) -> std::result::Result<Vec<RecordBatch>, String>,
    interrupt: Option<&std::sync::atomic::AtomicBool>,
) -> Result<Vec<u8>> {
    let job = decode(payload)?;
    let mut out = Vec::new();
    if let Phase::Answer { .. } = &job.phase {
        answer_range_job(&job, &mut out)?;
        return Ok(out);
    }
    let shards = Shards::open(&job.shards)?;
    if job.part >= shards.parts() {
        return Err(Error::Invalid(format!(
            "part {} does not exist ({} parts)",
            job.part,
            shards.parts()
        )));
    }
    let (es, source_rows) = shards.load_part_with_rows(job.part, read)?;
    let part = LoadedPart {
        shards,
        es,
        source_rows,
    };
    answer(&job, &part, interrupt, &mut out)?;
    Ok(out)
}

/// [`handle_job_controlled`] on a part held by `cache` (loaded and held if it is not), for
/// workers that outlive a computation, writing the result to `out` (appended: a worker passes
/// the same emptied vector for every job, so a large result reuses memory already touched).
/// Says whether the part was loaded for this job.
pub fn handle_job_cached(
    payload: &[u8],
    cache: &PartCache,
    interrupt: Option<&std::sync::atomic::AtomicBool>,
    out: &mut Vec<u8>,
) -> Result<Load> {
    let job = decode(payload)?;
    if let Phase::Answer { .. } = &job.phase {
        answer_range_job(&job, out)?;
        return Ok(Load::NoPart);
    }
    let (part, load) = cache.get(&job.shards, job.part)?;
    answer(&job, &part, interrupt, out)?;
    Ok(load)
}

fn decode(payload: &[u8]) -> Result<Job> {
    let (job, _): (Job, usize) = bincode::serde::decode_from_slice(payload, config())
        .map_err(|e| Error::Internal(format!("decoding a job: {e}")))?;
    test_delay();
    Ok(job)
}

/// The job's answer on its loaded part, appended to `out`.
fn answer(
    job: &Job,
    part: &LoadedPart,
    interrupt: Option<&std::sync::atomic::AtomicBool>,
    out: &mut Vec<u8>,
) -> Result<()> {
    let es = &part.es;
    let source_rows = &part.source_rows;
    let target = es.df_position(job.graph.target())?;
    let queries: Vec<Query> = match &job.cutoff {
        // The part's instances are the target rows it owns, not the copies it holds.
        PartCutoff::At(t) => calc::visible_rows(es, target, *t, &job.time)
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
        Phase::Outer {
            specs,
            at,
            key_ranges,
        } => return outer_reply(es, job, &queries, specs, at, *key_ranges, out),
        Phase::Matrix { given } => given,
        Phase::Answer { .. } => unreachable!("answered without a part"),
    };
    // Each feature's answers come from every key range, in range order.
    let mut by_feature: Vec<(usize, Vec<RecordBatch>)> = Vec::new();
    for (f, bytes) in given_bytes {
        let b = from_ipc_bytes(bytes)?;
        match by_feature.iter_mut().find(|(g, _)| g == f) {
            Some((_, v)) => v.push(b),
            None => by_feature.push((*f, vec![b])),
        }
    }
    let mut given = calc::Given::default();
    for (f, batches) in by_feature {
        let name = &job
            .graph
            .features
            .get(f)
            .ok_or_else(|| Error::Invalid(format!("answers for unknown feature {f}")))?
            .unique_name;
        let b = crate::outer::join_ranges(name, &batches)?;
        let times = b
            .column(1)
            .as_any()
            .downcast_ref::<arrow_array::Int64Array>()
            .ok_or_else(|| Error::Invalid("malformed answers".into()))?;
        given.insert(f, b.column(0), times.values(), b.columns()[2..].to_vec());
    }
    // One thread: the workers already run one per core.
    let control = calc::Control {
        interrupt,
        progress: None,
        threads: calc::Threads::One,
    };
    let values = calc::calculate_controlled(es, &job.graph, &queries, &job.time, &given, control)?;
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
    write_ipc_in_chunks(&batch, out)
}

/// A part's contributions to and requests for each aggregation across parts.
fn outer_reply(
    es: &EntitySet,
    job: &Job,
    queries: &[Query],
    specs: &[crate::outer::OuterSpec],
    at: &[(usize, serde_bytes::ByteBuf)],
    key_ranges: u32,
    out: &mut Vec<u8>,
) -> Result<()> {
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
            Some(c) => {
                let int = crate::outer::key_is_int(&es.schema, spec);
                crate::outer::split_by_range(&c, 0, int, key_ranges)?
                    .iter()
                    .map(|b| Ok(serde_bytes::ByteBuf::from(ipc_bytes(b)?)))
                    .collect::<Result<Vec<_>>>()?
            }
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
        reply.push((spec.feature, c, serde_bytes::ByteBuf::from(ipc_bytes(&r)?)));
    }
    bincode::serde::encode_into_std_write(&reply, out, config())
        .map(drop)
        .map_err(|e| Error::Internal(format!("encoding a part's rows: {e}")))
}

/// A [`Phase::Answer`] job: one key range of aggregations across parts, answered per part;
/// the reply is appended to `out`.
fn answer_range_job(job: &Job, out: &mut Vec<u8>) -> Result<()> {
    let Phase::Answer {
        specs,
        key_is_int,
        rows,
        requests,
        requests_of,
    } = &job.phase
    else {
        unreachable!("an answer job")
    };
    let rows: Vec<RecordBatch> = rows
        .iter()
        .filter(|b| !b.is_empty())
        .map(|b| from_ipc_bytes(b))
        .collect::<Result<_>>()?;
    let sets: Vec<Vec<(ArrayRef, Vec<i64>)>> = requests
        .iter()
        .map(|parts| {
            parts
                .iter()
                .map(|b| requests_from_ipc(b))
                .collect::<Result<Vec<_>>>()
        })
        .collect::<Result<_>>()?;
    let requests: Vec<Vec<(ArrayRef, Vec<i64>)>> = requests_of
        .iter()
        .map(|&i| {
            sets.get(i)
                .cloned()
                .ok_or_else(|| Error::Invalid(format!("a key range job lacks request set {i}")))
        })
        .collect::<Result<_>>()?;
    let answers =
        crate::outer::answer_range(&job.graph, specs, *key_is_int, &rows, &requests, &job.time)?;
    let reply: AnswerReply = specs
        .iter()
        .zip(answers)
        .map(|(spec, per_part)| {
            let bytes = per_part
                .iter()
                .map(|b| Ok(serde_bytes::ByteBuf::from(ipc_bytes(b)?)))
                .collect::<Result<Vec<_>>>()?;
            Ok((spec.feature, bytes))
        })
        .collect::<Result<_>>()?;
    bincode::serde::encode_into_std_write(&reply, out, config())
        .map(drop)
        .map_err(|e| Error::Internal(format!("encoding answers: {e}")))
}

/// Test-only: `FTPART_TEST_JOB_DELAY_MS` makes every part job wait that long first, so that a
/// test (the dashboard's browser test) can watch a run of small data while it lasts.
fn test_delay() {
    if let Some(ms) = std::env::var("FTPART_TEST_JOB_DELAY_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
}
