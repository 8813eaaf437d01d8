//! Worker processes for [`crate::compute`]: a persistent pool of `ftpart __worker` processes, the
//! counterpart of reusing a Dask cluster across `calculate_feature_matrix` calls.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use arrow_buffer::Buffer;
use ftpart_worker::{Event, Failure, Pool, PoolOptions, RunError};

use crate::compute::Executor;
use crate::error::{Error, Result};
use crate::events::{Events, Round, RunEvent};

/// Environment variable naming the `ftpart` executable that workers run.
pub const FTPART_BIN: &str = "FTPART_BIN";

/// Finds the `ftpart` executable for workers: `$FTPART_BIN`, then next to the running program,
/// then on `PATH`.
pub fn find_worker_binary() -> Result<PathBuf> {
    if let Some(p) = std::env::var_os(FTPART_BIN) {
        let p = PathBuf::from(p);
        if p.is_file() {
            return Ok(p);
        }
        return Err(Error::Invalid(format!(
            "{FTPART_BIN}={} is not a file",
            p.display()
        )));
    }
    if let Ok(exe) = std::env::current_exe() {
        if exe.file_stem().and_then(|s| s.to_str()) == Some("ftpart") {
            return Ok(exe);
        }
        let mut dirs: Vec<PathBuf> = exe
            .parent()
            .map(|d| vec![d.to_path_buf()])
            .unwrap_or_default();
        // Test and bench binaries live in target/<profile>/deps, next to target/<profile>/ftpart.
        if let Some(up) = exe.parent().and_then(Path::parent) {
            dirs.push(up.to_path_buf());
        }
        for d in dirs {
            let c = d.join("ftpart");
            if c.is_file() {
                return Ok(c);
            }
        }
    }
    if let Some(path) = std::env::var_os("PATH") {
        for d in std::env::split_paths(&path) {
            let c = d.join("ftpart");
            if c.is_file() {
                return Ok(c);
            }
        }
    }
    Err(Error::Invalid(format!(
        "cannot find the ftpart executable for worker processes: set {FTPART_BIN}, put ftpart next to this program, or on PATH"
    )))
}

/// Options of a [`WorkerPool`].
#[derive(Debug, Clone)]
pub struct WorkerPoolOptions {
    /// Number of worker processes.
    pub workers: usize,
    /// Retries of a part whose worker crashed.
    pub retries: u32,
    /// Address-space limit of each worker, bytes.
    pub memory_limit: Option<u64>,
    /// The `ftpart` executable (default: [`find_worker_binary`]).
    pub program: Option<PathBuf>,
    /// Stop all workers when this flag is set (e.g. by [`ftpart_worker::install_interrupt_handler`]).
    pub interrupt: Option<Arc<AtomicBool>>,
    /// Bytes of shard files each worker keeps loaded between jobs (0: only its last part, dropped
    /// before it loads another, so that a worker holds one part at a time).
    pub part_cache_bytes: u64,
}

impl Default for WorkerPoolOptions {
    fn default() -> Self {
        WorkerPoolOptions {
            workers: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
            retries: 2,
            memory_limit: None,
            program: None,
            interrupt: None,
            part_cache_bytes: 0,
        }
    }
}

/// Persistent worker processes. Computations on the same pool pay no start-up.
pub struct WorkerPool {
    pool: Pool,
    workers: usize,
}

impl std::fmt::Debug for WorkerPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkerPool")
            .field("pids", &self.pool.worker_pids())
            .finish()
    }
}

impl WorkerPool {
    /// Starts the workers.
    pub fn start(opts: WorkerPoolOptions) -> Result<Self> {
        let program = match opts.program {
            Some(p) => p,
            None => find_worker_binary()?,
        };
        let mut p = PoolOptions::new(program);
        p.workers = opts.workers.max(1);
        p.args = vec!["__worker".to_string()];
        p.retries = opts.retries;
        p.memory_limit = opts.memory_limit;
        p.handshake_timeout = Duration::from_secs(20);
        p.interrupt = opts.interrupt;
        p.env.push((
            crate::compute::cache::FTPART_PART_CACHE_BYTES.to_string(),
            opts.part_cache_bytes.to_string(),
        ));
        let workers = p.workers;
        let pool = Pool::start(p).map_err(|e| Error::Worker(e.to_string()))?;
        Ok(WorkerPool { pool, workers })
    }

    /// Process ids of the workers.
    pub fn pids(&self) -> Vec<i32> {
        self.pool.worker_pids()
    }

    /// Stops the workers.
    pub fn shutdown(self) -> Result<()> {
        self.pool
            .shutdown()
            .map_err(|e| Error::Worker(e.to_string()))
    }
}

/// A pool event as a run event of `round` (None for events runs do not report).
fn run_event(round: Round, e: &Event) -> Option<RunEvent> {
    Some(match e {
        Event::WorkerStarted { worker, pid } => RunEvent::WorkerStarted {
            worker: *worker,
            pid: *pid,
        },
        Event::JobStarted { worker, job } => RunEvent::JobStarted {
            round,
            part: *job as usize,
            worker: *worker,
        },
        Event::JobFinished { worker, job, stats } => RunEvent::JobFinished {
            round,
            part: *job as usize,
            worker: *worker,
            seconds: stats.seconds,
            peak_rss_bytes: stats.peak_rss_bytes,
            output_bytes: stats.output_bytes,
        },
        Event::WorkerCrashed { worker, job, end } => RunEvent::WorkerCrashed {
            worker: *worker,
            part: job.map(|j| j as usize),
            end: end.to_string(),
        },
        Event::JobRetried { job, attempt } => RunEvent::JobRetried {
            round,
            part: *job as usize,
            attempt: *attempt,
        },
        Event::Progress {
            worker,
            job,
            message,
        } if message.starts_with(LOADED) || message.starts_with(REUSED) => {
            let bytes = message.strip_prefix(LOADED).and_then(|b| b.parse().ok());
            RunEvent::PartLoaded {
                round,
                part: *job as usize,
                worker: *worker,
                reused: bytes.is_none(),
                bytes: bytes.unwrap_or(0),
            }
        }
        Event::Progress {
            worker,
            job,
            message,
        } => RunEvent::JobProgress {
            round,
            part: *job as usize,
            worker: *worker,
            message: message.clone(),
        },
        _ => return None,
    })
}

impl Executor for WorkerPool {
    fn workers(&self) -> usize {
        self.workers
    }

    fn run(
        &mut self,
        round: Round,
        jobs: Vec<(u64, Vec<u8>)>,
        events: &Events,
    ) -> Result<Vec<(u64, Buffer)>> {
        let out = self.pool.run(jobs, &mut |e| {
            if let Some(e) = run_event(round, e) {
                events.emit(e)
            }
        });
        // Each result stays in the worker's shared memory; the buffer owns the mapping.
        out.map(|results| {
            results
                .into_iter()
                .map(|(id, out)| (id, Buffer::from(bytes::Bytes::from_owner(out))))
                .collect()
        })
        .map_err(|e| {
            let failed = |job: u64, message: &str| {
                events.emit(RunEvent::JobFailed {
                    round,
                    part: job as usize,
                    worker: None,
                    message: message.to_string(),
                })
            };
            match e {
                RunError::Interrupted => Error::Interrupted,
                RunError::JobFailed { job, kind, message } if kind == "input" => {
                    failed(job, &message);
                    Error::Invalid(format!("part {job}: {message}"))
                }
                RunError::JobFailed { job, kind, message } => {
                    failed(job, &format!("{kind}: {message}"));
                    Error::Worker(format!("part {job}: {kind}: {message}"))
                }
                RunError::JobCrashed { job, attempts, end } => {
                    let m = format!("failed after {attempts} attempts: worker {end}");
                    failed(job, &m);
                    Error::Worker(format!("part {job} {m}"))
                }
                other => Error::Worker(other.to_string()),
            }
        })
    }
}

/// A worker's progress message: the job's part was loaded, this many bytes.
const LOADED: &str = "ftpart:part-loaded:";
/// A worker's progress message: the job's part was held from an earlier job.
const REUSED: &str = "ftpart:part-reused";

/// The worker side of `ftpart __worker`: answers jobs until the coordinator hangs up. Shards are
/// memory-mapped and read without copying; a part stays loaded for the next job while it fits in
/// [`crate::compute::cache::FTPART_PART_CACHE_BYTES`] (the pool sets it; 0 keeps only the last).
pub fn serve_worker() -> Result<()> {
    let cache = crate::compute::PartCache::global();
    ftpart_worker::serve(&mut |payload, progress, out| {
        let load = crate::compute::handle_job_cached(payload, cache, None, out).map_err(|e| {
            let kind = match e {
                Error::Worker(_) | Error::Io { .. } => "failure",
                _ => "input",
            };
            Failure::new(kind, e.to_string())
        })?;
        match load {
            crate::compute::Load::Loaded { bytes } => progress(format!("{LOADED}{bytes}")),
            crate::compute::Load::Reused => progress(REUSED.to_string()),
            crate::compute::Load::NoPart => {}
        }
        Ok(())
    })
    .map_err(|e| Error::Worker(e.to_string()))
}
