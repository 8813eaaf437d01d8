//! Parts as tasks on a Dask cluster (`ftpart.dask`): an [`Executor`] whose rounds a Python object
//! submits to a `distributed.Client`, and the task's side, [`run_part_job`], which a Dask worker
//! process runs with the GIL released on the parts it keeps loaded ([`PartCache::global`]).
//!
//! The coordinator's rounds run in the calling process as they do locally; only the executor
//! changes. A round is `runner.start_round(name, shards_dir, jobs)`, whose object answers
//! `next_done(timeout)` with one finished job at a time (or None) and `cancel()`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use ftpart::compute::{Executor, Load, PartCache, Round};
use ftpart::events::{Events, RunEvent};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

/// The name of a round in task keys (`ftpart-{name}-part{p}-{token}`).
fn round_name(round: Round) -> &'static str {
    match round {
        Round::OuterRows => "rows",
        Round::OuterInputs => "inputs",
        Round::OuterAnswers => "answers",
        Round::Matrix => "matrix",
    }
}

/// One finished task, as the Python runner reports it.
struct Done {
    id: u64,
    /// "ok", "input" (the part's data or the features are wrong), "failure" (a worker's I/O or
    /// an internal error) or "lost" (Dask gave up on the task).
    kind: String,
    /// The job's result (kind "ok").
    data: Vec<u8>,
    /// The error (other kinds).
    message: String,
    /// The Dask worker's address.
    worker: String,
    /// Its pid, when it runs on this machine (else 0).
    pid: i32,
    seconds: f64,
    peak_rss_bytes: u64,
    /// Bytes loaded for the task, None when the part was held.
    loaded: Option<u64>,
}

impl Done {
    fn extract(t: &Bound<'_, PyAny>) -> PyResult<Done> {
        let d = t.cast::<PyDict>()?;
        let get = |k: &str| -> PyResult<Bound<'_, PyAny>> {
            d.get_item(k)?
                .ok_or_else(|| crate::invalid(format!("ftpart.dask: a finished task lacks '{k}'")))
        };
        let kind: String = get("kind")?.extract()?;
        let (data, message) = if kind == "ok" {
            (get("data")?.extract::<Vec<u8>>()?, String::new())
        } else {
            (Vec::new(), get("message")?.extract::<String>()?)
        };
        Ok(Done {
            id: get("id")?.extract()?,
            kind,
            data,
            message,
            worker: get("worker")?.extract()?,
            pid: get("pid")?.extract()?,
            seconds: get("seconds")?.extract()?,
            peak_rss_bytes: get("peak_rss_bytes")?.extract()?,
            loaded: get("loaded")?.extract()?,
        })
    }
}

/// Runs each round's jobs as Dask tasks through a Python runner (`ftpart.dask._Runner`).
pub(crate) struct DaskExecutor {
    runner: Py<PyAny>,
    shards_dir: PathBuf,
    interrupt: Arc<AtomicBool>,
    /// Dask worker addresses by the slot they are reported as, in order of first appearance.
    slots: HashMap<String, usize>,
}

impl DaskExecutor {
    pub(crate) fn new(
        runner: Py<PyAny>,
        shards_dir: PathBuf,
        interrupt: Arc<AtomicBool>,
    ) -> DaskExecutor {
        DaskExecutor {
            runner,
            shards_dir,
            interrupt,
            slots: HashMap::new(),
        }
    }

    fn slot(&mut self, worker: &str, pid: i32, events: &Events) -> usize {
        if let Some(&s) = self.slots.get(worker) {
            return s;
        }
        let s = self.slots.len();
        self.slots.insert(worker.to_string(), s);
        events.emit(RunEvent::WorkerStarted { worker: s, pid });
        s
    }
}

fn py_err(e: PyErr) -> ftpart::Error {
    Python::attach(|py| {
        let tb = e
            .traceback(py)
            .and_then(|t| t.format().ok())
            .unwrap_or_default();
        ftpart::Error::Worker(format!(
            "ftpart.dask: {e}{}",
            if tb.is_empty() {
                String::new()
            } else {
                format!("\n{tb}")
            }
        ))
    })
}

impl Executor for DaskExecutor {
    fn workers(&self) -> usize {
        Python::attach(|py| {
            self.runner
                .call_method0(py, "n_workers")
                .and_then(|n| n.extract::<usize>(py))
                .unwrap_or(0)
        })
    }

    fn run(
        &mut self,
        round: Round,
        jobs: Vec<(u64, Vec<u8>)>,
        events: &Events,
    ) -> ftpart::Result<Vec<(u64, arrow_buffer::Buffer)>> {
        let n = jobs.len();
        let handle = Python::attach(|py| -> PyResult<Py<PyAny>> {
            let jobs: Vec<(u64, Bound<'_, PyBytes>)> = jobs
                .iter()
                .map(|(id, p)| (*id, PyBytes::new(py, p)))
                .collect();
            self.runner.call_method1(
                py,
                "start_round",
                (round_name(round), self.shards_dir.clone(), jobs),
            )
        })
        .map_err(py_err)?;
        drop(jobs);
        // The round's unfinished tasks are cancelled whenever it ends early.
        let cancel = || {
            let _ = Python::attach(|py| handle.call_method0(py, "cancel"));
        };
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            if self.interrupt.load(Ordering::SeqCst) {
                cancel();
                return Err(ftpart::Error::Interrupted);
            }
            let done = Python::attach(|py| -> PyResult<Option<Done>> {
                let t = handle.call_method1(py, "next_done", (0.1,))?;
                let t = t.bind(py);
                if t.is_none() {
                    return Ok(None);
                }
                Done::extract(t).map(Some)
            });
            let done = match done {
                Ok(Some(d)) => d,
                Ok(None) => continue,
                Err(e) => {
                    cancel();
                    return Err(py_err(e));
                }
            };
            let part = done.id as usize;
            if done.kind != "ok" {
                cancel();
                let worker =
                    (!done.worker.is_empty()).then(|| self.slot(&done.worker, done.pid, events));
                events.emit(RunEvent::JobFailed {
                    round,
                    part,
                    worker,
                    message: done.message.clone(),
                });
                let m = format!("part {part}: {}", done.message);
                return Err(match done.kind.as_str() {
                    "input" => ftpart::Error::Invalid(m),
                    _ => ftpart::Error::Worker(m),
                });
            }
            let slot = self.slot(&done.worker, done.pid, events);
            events.emit(RunEvent::JobStarted {
                round,
                part,
                worker: slot,
            });
            // Key range jobs read no part.
            if round != Round::OuterAnswers {
                events.emit(RunEvent::PartLoaded {
                    round,
                    part,
                    worker: slot,
                    reused: done.loaded.is_none(),
                    bytes: done.loaded.unwrap_or(0),
                });
            }
            events.emit(RunEvent::JobFinished {
                round,
                part,
                worker: slot,
                seconds: done.seconds,
                peak_rss_bytes: done.peak_rss_bytes,
                output_bytes: done.data.len() as u64,
            });
            out.push((done.id, arrow_buffer::Buffer::from_vec(done.data)));
        }
        Ok(out)
    }
}

/// Runs one part job in this process (a Dask worker) on the part kept loaded by
/// [`PartCache::global`], with the GIL released. Returns `(kind, data, loaded)`: kind "ok" with
/// the result bytes, or "input" / "failure" with the error message; `loaded` is the bytes of
/// shard files loaded for the job, None when the part was held.
#[pyfunction]
pub(crate) fn run_part_job<'py>(
    py: Python<'py>,
    payload: &[u8],
) -> (&'static str, Bound<'py, PyAny>, Option<u64>) {
    let mut out = Vec::new();
    let r = py.detach(|| {
        ftpart::compute::handle_job_cached(payload, PartCache::global(), None, &mut out)
    });
    match r {
        Ok(load) => {
            let loaded = match load {
                Load::Loaded { bytes } => Some(bytes),
                Load::Reused | Load::NoPart => None,
            };
            ("ok", PyBytes::new(py, &out).into_any(), loaded)
        }
        Err(e) => {
            let kind = match e {
                ftpart::Error::Worker(_) | ftpart::Error::Io { .. } => "failure",
                _ => "input",
            };
            let m = pyo3::types::PyString::new(py, &e.to_string()).into_any();
            (kind, m, None)
        }
    }
}

/// What this process's part cache holds and has done: `{"loads", "hits", "reloads",
/// "evictions", "parts": [(shards_dir, part, bytes)]}`.
#[pyfunction]
pub(crate) fn part_cache_stats(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let s = PartCache::global().stats();
    let d = PyDict::new(py);
    d.set_item("loads", s.loads)?;
    d.set_item("hits", s.hits)?;
    d.set_item("reloads", s.reloads)?;
    d.set_item("evictions", s.evictions)?;
    let parts: Vec<(String, usize, u64)> = s
        .parts
        .into_iter()
        .map(|(dir, part, bytes)| (dir.display().to_string(), part, bytes))
        .collect();
    d.set_item("parts", parts)?;
    Ok(d)
}

/// Drops every part this process's cache holds.
#[pyfunction]
pub(crate) fn clear_part_cache() {
    PartCache::global().clear()
}
