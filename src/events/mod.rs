//! One stream of typed run events (nextest's `reporter/events.rs`): the coordinator and every
//! executor report through an [`Events`] sink, whatever runs the parts (this process, worker
//! processes); the progress line, the end summary, the dashboard and the HTML report are its
//! subscribers.
//!
//! ```
//! use ftpart::events::{Events, RunEvent};
//! let events = Events::new();
//! let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
//! let s = seen.clone();
//! events.subscribe(move |e| s.lock().unwrap().push(e.event.clone()));
//! events.emit(RunEvent::WorkerStarted { worker: 0, pid: 1 });
//! assert_eq!(seen.lock().unwrap().len(), 1);
//! ```

pub mod memory;
pub mod state;

use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde::Serialize;

/// The rounds of a computation over parts: each visits every part once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Round {
    /// Rows and requests of aggregations across parts.
    OuterRows,
    /// Inputs of aggregations across parts evaluated at the requested cutoffs.
    OuterInputs,
    /// Aggregations across parts answered by key range: its jobs are numbered by (rows read,
    /// key range), not by part, and read no part.
    OuterAnswers,
    /// The parts' matrices.
    Matrix,
}

impl Round {
    /// What a person reads for the round.
    pub fn label(self) -> &'static str {
        match self {
            Round::OuterRows => "rows across parts",
            Round::OuterInputs => "inputs at cutoffs",
            Round::OuterAnswers => "answers by key range",
            Round::Matrix => "parts",
        }
    }
}

/// The coordinator's own stages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// `ftpart run`: partitioning the entity set into shards.
    Split,
    /// Checking the features against the shards and finding aggregations across parts.
    Plan,
    /// Routing cutoff rows to the parts that own their instances.
    RouteCutoffs,
    /// Splitting every part's requests for aggregations across parts by key range, into the
    /// key range jobs ([`Round::OuterAnswers`]).
    KeyRanges,
    /// Merging the part matrices into featuretools' row order.
    Merge,
    /// Writing the matrix.
    Write,
}

/// What happened in a run. Part jobs are named by round and part; `worker` is a worker slot
/// (`0..workers`; the in-process executor is worker 0).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind")]
pub enum RunEvent {
    /// The run began.
    RunStarted {
        /// Parts.
        parts: usize,
        /// Worker processes (0: in this process).
        workers: usize,
        /// Feature columns.
        features: usize,
        /// The command line.
        command: Vec<String>,
        /// Input files and directories.
        inputs: Vec<String>,
        /// Wall-clock time of the start, milliseconds since the Unix epoch.
        unix_ms: u64,
    },
    /// A round of part jobs began.
    RoundStarted {
        /// Which.
        round: Round,
        /// Its jobs (one per part).
        jobs: usize,
    },
    /// A round's jobs all finished.
    RoundFinished {
        /// Which.
        round: Round,
    },
    /// A part job waits for a worker.
    JobQueued {
        /// Round.
        round: Round,
        /// Part.
        part: usize,
    },
    /// A part job went to a worker.
    JobStarted {
        /// Round.
        round: Round,
        /// Part.
        part: usize,
        /// Worker slot.
        worker: usize,
    },
    /// A part job's handler reported progress.
    JobProgress {
        /// Round.
        round: Round,
        /// Part.
        part: usize,
        /// Worker slot.
        worker: usize,
        /// The handler's message.
        message: String,
    },
    /// A part job's result arrived.
    JobFinished {
        /// Round.
        round: Round,
        /// Part.
        part: usize,
        /// Worker slot.
        worker: usize,
        /// Seconds the worker took.
        seconds: f64,
        /// Peak resident memory of the worker during the job, bytes (0 when unknown).
        peak_rss_bytes: u64,
        /// Size of the result, bytes.
        output_bytes: u64,
    },
    /// A worker that keeps parts loaded between jobs
    /// ([`crate::compute::PartCache`]) loaded a job's part, or reused it.
    PartLoaded {
        /// Round.
        round: Round,
        /// Part.
        part: usize,
        /// Worker slot.
        worker: usize,
        /// False when the part was loaded (mapped) for this job, true when it was held.
        reused: bool,
        /// Bytes of the part's files loaded (0 when reused).
        bytes: u64,
    },
    /// A part job failed; the run fails with it.
    JobFailed {
        /// Round.
        round: Round,
        /// Part.
        part: usize,
        /// Worker slot, when one was running it.
        worker: Option<usize>,
        /// The error.
        message: String,
    },
    /// A part job whose worker crashed goes back to the queue.
    JobRetried {
        /// Round.
        round: Round,
        /// Part.
        part: usize,
        /// The attempt about to start, counting from 1.
        attempt: u32,
    },
    /// A worker process is ready.
    WorkerStarted {
        /// Worker slot; a replacement takes the slot of the worker it replaces.
        worker: usize,
        /// Its pid.
        pid: i32,
    },
    /// A worker process ended unexpectedly.
    WorkerCrashed {
        /// Worker slot.
        worker: usize,
        /// The part it was running.
        part: Option<usize>,
        /// How it ended.
        end: String,
    },
    /// A coordinator stage began.
    StageStarted {
        /// Which.
        stage: Stage,
    },
    /// A coordinator stage ended.
    StageFinished {
        /// Which.
        stage: Stage,
    },
    /// A memory sample of a process of the run.
    Memory {
        /// Worker slot; `None` for the coordinator.
        worker: Option<usize>,
        /// Its pid.
        pid: i32,
        /// Resident set size, bytes.
        rss_bytes: u64,
        /// Peak resident set size (VmHWM), bytes.
        peak_bytes: u64,
        /// Bytes of shard files it has mapped.
        shard_bytes: u64,
    },
    /// The run ended.
    RunFinished {
        /// Rows of the matrix (0 when it failed).
        rows: usize,
        /// Where it failed, when it did.
        error: Option<String>,
    },
}

/// An event and when it happened.
#[derive(Debug, Clone, Serialize)]
pub struct Stamped {
    /// Seconds since the sink was made.
    pub t: f64,
    /// The event.
    #[serde(flatten)]
    pub event: RunEvent,
}

type Subscriber = Box<dyn FnMut(&Stamped) + Send>;

/// The run's event sink: stamps each event and hands it to every subscriber in order. Cloning
/// gives another handle on the same sink. Subscribers run on the emitting thread and must not
/// emit themselves.
#[derive(Clone)]
pub struct Events {
    inner: Arc<Inner>,
}

struct Inner {
    start: Instant,
    subscribers: Mutex<Vec<Subscriber>>,
}

impl std::fmt::Debug for Events {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Events").finish_non_exhaustive()
    }
}

impl Default for Events {
    fn default() -> Self {
        Events::new()
    }
}

impl Events {
    /// A sink without subscribers; time counts from now.
    pub fn new() -> Events {
        Events {
            inner: Arc::new(Inner {
                start: Instant::now(),
                subscribers: Mutex::new(Vec::new()),
            }),
        }
    }

    /// Adds a subscriber: it sees every event emitted from now on.
    pub fn subscribe(&self, f: impl FnMut(&Stamped) + Send + 'static) {
        if let Ok(mut s) = self.inner.subscribers.lock() {
            s.push(Box::new(f));
        }
    }

    /// Seconds since the sink was made.
    pub fn elapsed(&self) -> f64 {
        self.inner.start.elapsed().as_secs_f64()
    }

    /// Stamps `event` and hands it to the subscribers.
    pub fn emit(&self, event: RunEvent) {
        // A subscriber that panicked poisons the lock; the others still get events.
        let mut subs = match self.inner.subscribers.lock() {
            Ok(s) => s,
            Err(poisoned) => poisoned.into_inner(),
        };
        if subs.is_empty() {
            return;
        }
        let stamped = Stamped {
            t: self.elapsed(),
            event,
        };
        for s in subs.iter_mut() {
            s(&stamped);
        }
    }

    /// Runs `f` as coordinator stage `stage`, between its start and finish events. A stage that
    /// fails gets no finish: it stays open, which says where the run failed.
    pub fn stage<T, E>(&self, stage: Stage, f: impl FnOnce() -> Result<T, E>) -> Result<T, E> {
        self.emit(RunEvent::StageStarted { stage });
        let out = f()?;
        self.emit(RunEvent::StageFinished { stage });
        Ok(out)
    }
}

/// Milliseconds since the Unix epoch (0 if the clock is before it).
pub fn unix_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}
