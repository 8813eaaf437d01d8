//! The coordinator: a pool of persistent workers and the event loop that hands them jobs.

use std::collections::{HashSet, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam::channel::{self, Receiver, Sender};
use crossbeam::select;

use crate::error::{PoolError, RunError};
use crate::process::{self, Incoming, Worker, WorkerEnd};
use crate::wire::{Blob, FromWorker, JobStats, Output, Request};

/// How long the event loop waits for a message before it checks the interrupt flag and polls the
/// workers' exit statuses.
const TICK: Duration = Duration::from_millis(50);

/// How long a worker whose process has ended may keep its channel open before it counts as crashed
/// (normally the channel closes with the process and the forwarding thread reports that first).
const EXIT_TO_DISCONNECT: Duration = Duration::from_secs(1);

/// How to start and supervise workers.
#[derive(Clone, Debug)]
pub struct PoolOptions {
    /// Number of worker processes.
    pub workers: usize,
    /// The worker program: usually this program itself (`std::env::current_exe()`).
    pub program: PathBuf,
    /// Arguments that make `program` call [`crate::serve`], such as `["__worker"]`.
    pub args: Vec<String>,
    /// How many times a job whose worker crashed is run again (default 2).
    pub retries: u32,
    /// How long a new worker has to connect (default 20 s).
    pub handshake_timeout: Duration,
    /// Address-space limit (`RLIMIT_AS`) in bytes that each worker applies to itself.
    pub memory_limit: Option<u64>,
    /// Extra environment variables for the workers.
    pub env: Vec<(String, String)>,
    /// Time between SIGTERM and SIGKILL when stopping workers (default 2 s); also how long a
    /// worker whose channel closed has to exit before it is killed.
    pub grace: Duration,
    /// When this flag becomes true, `run` stops every worker and returns
    /// [`RunError::Interrupted`]; see [`crate::install_interrupt_handler`].
    pub interrupt: Option<Arc<AtomicBool>>,
}

impl PoolOptions {
    /// Defaults: one worker per available core, no arguments, 2 retries, 20 s handshake, no memory
    /// limit, 2 s grace, no interrupt flag.
    pub fn new(program: impl Into<PathBuf>) -> PoolOptions {
        PoolOptions {
            workers: std::thread::available_parallelism().map_or(1, |n| n.get()),
            program: program.into(),
            args: Vec::new(),
            retries: 2,
            handshake_timeout: Duration::from_secs(20),
            memory_limit: None,
            env: Vec::new(),
            grace: Duration::from_secs(2),
            interrupt: None,
        }
    }
}

/// What happened in a pool, for progress bars, logs and tests.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// A worker process completed its handshake (reported at the next `run` for the workers
    /// started by [`Pool::start`]).
    WorkerStarted {
        /// Worker slot, `0..workers`; a replacement takes the slot of the worker it replaces.
        worker: usize,
        /// Its pid.
        pid: i32,
    },
    /// A job was sent to a worker.
    JobStarted {
        /// Worker slot.
        worker: usize,
        /// Job id.
        job: u64,
    },
    /// A job's result arrived.
    JobFinished {
        /// Worker slot.
        worker: usize,
        /// Job id.
        job: u64,
        /// The worker's measurements.
        stats: JobStats,
    },
    /// A worker ended unexpectedly.
    WorkerCrashed {
        /// Worker slot.
        worker: usize,
        /// The job it was running.
        job: Option<u64>,
        /// How it ended.
        end: WorkerEnd,
    },
    /// A job whose worker crashed goes back to the queue.
    JobRetried {
        /// Job id.
        job: u64,
        /// The attempt about to start, counting from 1 (the first retry is attempt 2).
        attempt: u32,
    },
    /// The handler of a job reported progress.
    Progress {
        /// Worker slot.
        worker: usize,
        /// Job id.
        job: u64,
        /// The handler's message.
        message: String,
    },
}

/// Worker processes kept alive between runs. Dropping the pool stops them (best effort); prefer
/// [`Pool::shutdown`], which reports errors.
pub struct Pool {
    opts: PoolOptions,
    slots: Vec<Option<Worker>>,
    incoming_tx: Sender<Incoming>,
    incoming_rx: Receiver<Incoming>,
    next_generation: u64,
    /// Events that happened outside `run`, reported at the start of the next one.
    backlog: Vec<Event>,
}

/// The job a worker is running.
struct Assignment {
    job: usize,
}

impl Pool {
    /// Starts `opts.workers` workers and waits for each to complete the handshake.
    pub fn start(opts: PoolOptions) -> Result<Pool, PoolError> {
        if opts.workers == 0 {
            return Err(PoolError::NoWorkers);
        }
        let (incoming_tx, incoming_rx) = channel::unbounded();
        let mut pool = Pool {
            slots: (0..opts.workers).map(|_| None).collect(),
            opts,
            incoming_tx,
            incoming_rx,
            next_generation: 0,
            backlog: Vec::new(),
        };
        // Spawn every child first so their handshakes overlap.
        let pending = (0..pool.opts.workers)
            .map(|slot| process::spawn(slot, &pool.opts))
            .collect::<Result<Vec<_>, _>>()?;
        for (slot, pending) in pending.into_iter().enumerate() {
            let worker = pending.finish(&pool.opts, pool.next_generation, &pool.incoming_tx)?;
            pool.next_generation += 1;
            pool.backlog.push(Event::WorkerStarted {
                worker: slot,
                pid: worker.proc.pid,
            });
            pool.slots[slot] = Some(worker);
        }
        Ok(pool)
    }

    /// The pids of the live workers, by slot.
    pub fn worker_pids(&self) -> Vec<i32> {
        self.slots.iter().flatten().map(|w| w.proc.pid).collect()
    }

    /// Runs `jobs` (id, payload) and returns their results in the order of `jobs`; a large result
    /// is read where the worker wrote it ([`Output`]).
    ///
    /// Each idle worker takes the next job from the queue. A worker that crashes (killed by a
    /// signal, panics, exits, or its channel closes) is replaced and its job retried up to
    /// `retries` times; then the run fails with [`RunError::JobCrashed`] naming the job and the
    /// cause. A [`crate::Failure`] from the handler fails the run at once ([`RunError::JobFailed`]).
    /// When a run fails, workers still busy with jobs of the run are stopped and idle ones are kept;
    /// stopped ones are replaced by the next run.
    pub fn run(
        &mut self,
        jobs: Vec<(u64, Vec<u8>)>,
        on_event: &mut dyn FnMut(&Event),
    ) -> Result<Vec<(u64, Output)>, RunError> {
        for event in self.backlog.drain(..) {
            on_event(&event);
        }
        let mut seen = HashSet::with_capacity(jobs.len());
        if let Some(&(id, _)) = jobs.iter().find(|(id, _)| !seen.insert(*id)) {
            return Err(RunError::DuplicateJob(id));
        }
        let mut run = Run {
            attempts: vec![0; jobs.len()],
            results: jobs.iter().map(|_| None).collect(),
            queue: (0..jobs.len()).collect(),
            busy: (0..self.slots.len()).map(|_| None).collect(),
            remaining: jobs.len(),
            jobs,
        };
        let outcome = self.drive(&mut run, on_event);
        if outcome.is_err() {
            // Workers still computing jobs of this run would answer into the next one: stop them.
            let busy: Vec<usize> = (0..run.busy.len())
                .filter(|&s| run.busy[s].is_some())
                .collect();
            // Stopping is best effort here: the run's own error is the one to report.
            let _ = self.stop_slots(&busy);
        }
        outcome?;
        Ok(run
            .jobs
            .into_iter()
            .zip(run.results)
            .map(|((id, _), result)| {
                let empty = || Output::from(Blob::Inline(Vec::new()));
                (id, result.unwrap_or_else(empty))
            })
            .collect())
    }

    /// The event loop of one run.
    fn drive(&mut self, run: &mut Run, on_event: &mut dyn FnMut(&Event)) -> Result<(), RunError> {
        loop {
            if self
                .opts
                .interrupt
                .as_ref()
                .is_some_and(|f| f.load(Ordering::SeqCst))
            {
                let all: Vec<usize> = (0..self.slots.len()).collect();
                let _ = self.stop_slots(&all);
                return Err(RunError::Interrupted);
            }
            self.dispatch(run, on_event)?;
            if run.remaining == 0 {
                return Ok(());
            }
            select! {
                recv(self.incoming_rx) -> incoming => {
                    if let Ok(incoming) = incoming {
                        self.handle(incoming, run, on_event)?;
                    }
                }
                default(TICK) => self.poll_exits(run, on_event)?,
            }
        }
    }

    /// Gives queued jobs to idle workers, starting replacements for slots that lost theirs. Job
    /// `id` goes to slot `id % workers` when that worker is idle, so that across runs a worker
    /// sees the same jobs (a part it keeps loaded); an idle worker with none of its own takes the
    /// next job in the queue.
    fn dispatch(
        &mut self,
        run: &mut Run,
        on_event: &mut dyn FnMut(&Event),
    ) -> Result<(), RunError> {
        let n = self.slots.len() as u64;
        for own in [true, false] {
            for slot in 0..self.slots.len() {
                if run.busy[slot].is_some() {
                    continue;
                }
                let pick = if own {
                    run.queue
                        .iter()
                        .position(|&j| run.jobs[j].0 % n == slot as u64)
                } else if run.queue.is_empty() {
                    return Ok(());
                } else {
                    Some(0)
                };
                let Some(at) = pick else {
                    continue;
                };
                if self.slots[slot].is_none() {
                    let pid = self.replace(slot, on_event)?;
                    on_event(&Event::WorkerStarted { worker: slot, pid });
                }
                let Some(worker) = &self.slots[slot] else {
                    continue;
                };
                let Some(job) = run.queue.remove(at) else {
                    continue;
                };
                run.attempts[job] += 1;
                run.busy[slot] = Some(Assignment { job });
                let (id, payload) = &run.jobs[job];
                on_event(&Event::JobStarted {
                    worker: slot,
                    job: *id,
                });
                // A failed send means the worker is gone; its forwarding thread reports the crash.
                let _ = worker.send(Request::Job {
                    id: *id,
                    payload: Blob::copy_from(payload),
                });
            }
        }
        Ok(())
    }

    /// Starts a worker in an empty slot; returns its pid.
    fn replace(&mut self, slot: usize, on_event: &mut dyn FnMut(&Event)) -> Result<i32, RunError> {
        let generation = self.next_generation;
        self.next_generation += 1;
        let started = process::spawn(slot, &self.opts)
            .and_then(|pending| pending.finish(&self.opts, generation, &self.incoming_tx));
        match started {
            Ok(worker) => {
                let pid = worker.proc.pid;
                self.slots[slot] = Some(worker);
                Ok(pid)
            }
            Err(err) => {
                if let PoolError::Handshake { end, .. } = &err {
                    on_event(&Event::WorkerCrashed {
                        worker: slot,
                        job: None,
                        end: end.clone(),
                    });
                }
                Err(err.into())
            }
        }
    }

    fn handle(
        &mut self,
        incoming: Incoming,
        run: &mut Run,
        on_event: &mut dyn FnMut(&Event),
    ) -> Result<(), RunError> {
        let Incoming {
            slot,
            generation,
            msg,
        } = incoming;
        let current = self
            .slots
            .get(slot)
            .and_then(Option::as_ref)
            .map(|w| w.generation);
        if current != Some(generation) {
            return Ok(()); // from a worker that was already replaced
        }
        let running = run.busy[slot].as_ref().map(|a| run.jobs[a.job].0);
        let msg = match msg {
            Ok(msg) => msg,
            Err(end) => return self.crashed(slot, end, run, on_event),
        };
        match msg {
            FromWorker::Progress { id, message } if running == Some(id) => {
                on_event(&Event::Progress {
                    worker: slot,
                    job: id,
                    message,
                });
            }
            FromWorker::Done { id, output, stats } if running == Some(id) => {
                if let Some(Assignment { job }) = run.busy[slot].take() {
                    run.results[job] = Some(Output::from(output));
                    run.remaining -= 1;
                    on_event(&Event::JobFinished {
                        worker: slot,
                        job: id,
                        stats,
                    });
                }
            }
            FromWorker::Failed { id, failure } if running == Some(id) => {
                run.busy[slot] = None;
                return Err(RunError::JobFailed {
                    job: id,
                    kind: failure.kind,
                    message: failure.message,
                });
            }
            other => {
                let what = match other {
                    FromWorker::Hello { .. } => "a second Hello".to_string(),
                    FromWorker::Abort => "Abort".to_string(),
                    _ => format!("a message about a job it is not running (running {running:?})"),
                };
                return self.crashed(
                    slot,
                    WorkerEnd::Protocol(format!("sent {what}")),
                    run,
                    on_event,
                );
            }
        }
        Ok(())
    }

    /// Reaps the worker in `slot`, reports the crash, and requeues its job or fails the run.
    fn crashed(
        &mut self,
        slot: usize,
        hint: WorkerEnd,
        run: &mut Run,
        on_event: &mut dyn FnMut(&Event),
    ) -> Result<(), RunError> {
        let Some(mut worker) = self.slots[slot].take() else {
            return Ok(());
        };
        let end = worker.end(self.opts.grace, hint);
        let assignment = run.busy[slot].take();
        let job = assignment.as_ref().map(|a| run.jobs[a.job].0);
        on_event(&Event::WorkerCrashed {
            worker: slot,
            job,
            end: end.clone(),
        });
        if let Some(Assignment { job: index }) = assignment {
            let attempts = run.attempts[index];
            let id = run.jobs[index].0;
            if attempts > self.opts.retries {
                return Err(RunError::JobCrashed {
                    job: id,
                    attempts,
                    end,
                });
            }
            run.queue.push_front(index);
            on_event(&Event::JobRetried {
                job: id,
                attempt: attempts + 1,
            });
        }
        Ok(())
    }

    /// Fallback for a worker whose process ended while something else keeps its channel open
    /// (normally the forwarding thread reports the closed channel first).
    fn poll_exits(
        &mut self,
        run: &mut Run,
        on_event: &mut dyn FnMut(&Event),
    ) -> Result<(), RunError> {
        for slot in 0..self.slots.len() {
            let Some(worker) = self.slots[slot].as_mut() else {
                continue;
            };
            if worker.proc.try_wait().is_none() {
                continue;
            }
            let seen = *worker.exit_seen.get_or_insert_with(Instant::now);
            if seen.elapsed() >= EXIT_TO_DISCONNECT {
                self.crashed(slot, WorkerEnd::Disconnected, run, on_event)?;
            }
        }
        Ok(())
    }

    /// Stops the workers in `slots` (SIGTERM, grace, SIGKILL), leaving the slots empty.
    fn stop_slots(&mut self, slots: &[usize]) -> Result<(), PoolError> {
        let mut workers: Vec<Worker> = slots.iter().filter_map(|&s| self.slots[s].take()).collect();
        process::stop_all(&mut workers, self.opts.grace)
    }

    /// Stops every worker: SIGTERM to each process group, `grace`, then SIGKILL; all are reaped.
    pub fn shutdown(mut self) -> Result<(), PoolError> {
        let all: Vec<usize> = (0..self.slots.len()).collect();
        self.stop_slots(&all)
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        let all: Vec<usize> = (0..self.slots.len()).collect();
        let _ = self.stop_slots(&all);
    }
}

/// The state of one `run`.
struct Run {
    jobs: Vec<(u64, Vec<u8>)>,
    /// How many times each job was started.
    attempts: Vec<u32>,
    results: Vec<Option<Output>>,
    /// Indices into `jobs`; retried jobs go to the front.
    queue: VecDeque<usize>,
    /// Per slot, the job its worker is running.
    busy: Vec<Option<Assignment>>,
    remaining: usize,
}
