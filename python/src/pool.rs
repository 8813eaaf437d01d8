//! `ftpart._ftpart.WorkerPool`: ftpart's worker processes kept alive across calls (the
//! counterpart of the persistent Dask cluster featuretools users pass in `dask_kwargs`).

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use ftpart::events::{Events, RunEvent};
use ftpart::pool::{WorkerPool, WorkerPoolOptions};
use pyo3::prelude::*;

use crate::{err, invalid, ProgressFn};

/// Where a pool is between calls: ready, lent to a running computation, or closed.
pub(crate) enum Slot {
    Ready(Box<WorkerPool>),
    Busy,
    Closed(&'static str),
}

/// A pool shared between its Python object and the computation that borrows it.
#[derive(Clone)]
pub(crate) struct Shared {
    pub(crate) slot: Arc<Mutex<Slot>>,
    /// The pool's interrupt flag (fixed when its workers start): set by Ctrl-C, cleared when a
    /// call begins ([`Shared::begin`]).
    pub(crate) interrupt: Arc<AtomicBool>,
    pub(crate) workers: usize,
}

impl Shared {
    /// A call begins: an earlier call's Ctrl-C no longer counts (one during this call's split,
    /// before it borrows the workers, does).
    pub(crate) fn begin(&self) {
        self.interrupt.store(false, Ordering::SeqCst);
    }

    /// Takes the workers for one computation.
    pub(crate) fn borrow(&self) -> ftpart::Result<WorkerPool> {
        let mut slot = self
            .slot
            .lock()
            .map_err(|_| ftpart::Error::Internal("worker pool lock poisoned".into()))?;
        match std::mem::replace(&mut *slot, Slot::Busy) {
            Slot::Ready(p) => Ok(*p),
            Slot::Busy => Err(ftpart::Error::Invalid(
                "the worker pool is computing another matrix (one call at a time)".into(),
            )),
            Slot::Closed(why) => {
                *slot = Slot::Closed(why);
                Err(ftpart::Error::Invalid(format!(
                    "the worker pool is closed ({why})"
                )))
            }
        }
    }

    /// Gives the workers back after a computation; an interrupted pool has stopped its workers
    /// and is closed.
    pub(crate) fn give_back(&self, pool: WorkerPool, interrupted: bool) {
        let next = if interrupted {
            let _ = pool.shutdown();
            Slot::Closed("interrupted: its workers were stopped")
        } else {
            Slot::Ready(Box::new(pool))
        };
        if let Ok(mut slot) = self.slot.lock() {
            *slot = next;
        }
    }
}

/// A computation's events, with Python's progress callback reading them: each round visits
/// every part once.
pub(crate) fn progress_events(n_parts: usize, progress: Option<ProgressFn>) -> Events {
    let events = Events::new();
    if let Some(mut p) = progress {
        let mut round = ("parts", 0usize);
        events.subscribe(move |e| match &e.event {
            RunEvent::RoundStarted { round: r, .. } => round = (r.label(), 0),
            RunEvent::JobFinished { .. } => {
                round.1 += 1;
                p(round.0, round.1, n_parts);
            }
            _ => {}
        });
    }
    events
}

/// ftpart worker processes, started once and reused by every computation given this pool. See
/// `ftpart/_ftpart.pyi`.
#[pyclass(module = "ftpart._ftpart", name = "WorkerPool")]
pub struct PyWorkerPool {
    pub(crate) shared: Shared,
}

#[pymethods]
impl PyWorkerPool {
    #[new]
    #[pyo3(signature = (workers, worker = None, retries = 2))]
    fn new(
        py: Python<'_>,
        workers: usize,
        worker: Option<PathBuf>,
        retries: u32,
    ) -> PyResult<Self> {
        if workers == 0 {
            return Err(invalid("WorkerPool: workers must be at least 1"));
        }
        let interrupt = Arc::new(AtomicBool::new(false));
        let flag = interrupt.clone();
        let pool = py
            .detach(move || {
                WorkerPool::start(WorkerPoolOptions {
                    workers,
                    retries,
                    memory_limit: None,
                    program: worker,
                    interrupt: Some(flag),
                    part_cache_bytes: 0,
                })
            })
            .map_err(err)?;
        Ok(PyWorkerPool {
            shared: Shared {
                slot: Arc::new(Mutex::new(Slot::Ready(Box::new(pool)))),
                interrupt,
                workers,
            },
        })
    }

    /// Number of worker processes.
    #[getter]
    fn workers(&self) -> usize {
        self.shared.workers
    }

    /// Process ids of the workers (an error once closed).
    fn pids(&self) -> PyResult<Vec<i32>> {
        let slot = self
            .shared
            .slot
            .lock()
            .map_err(|_| invalid("worker pool lock poisoned"))?;
        match &*slot {
            Slot::Ready(p) => Ok(p.pids()),
            Slot::Busy => Err(invalid("the worker pool is computing")),
            Slot::Closed(why) => Err(invalid(format!("the worker pool is closed ({why})"))),
        }
    }

    /// Whether the pool is closed.
    #[getter]
    fn closed(&self) -> bool {
        matches!(
            self.shared.slot.lock().as_deref(),
            Ok(Slot::Closed(_)) | Err(_)
        )
    }

    /// Stops the workers (SIGTERM, a grace period, SIGKILL). Closing twice is fine.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        let taken = {
            let mut slot = self
                .shared
                .slot
                .lock()
                .map_err(|_| invalid("worker pool lock poisoned"))?;
            match std::mem::replace(&mut *slot, Slot::Closed("closed")) {
                Slot::Ready(p) => Some(p),
                Slot::Busy => {
                    *slot = Slot::Busy;
                    return Err(invalid("the worker pool is computing: it cannot close now"));
                }
                Slot::Closed(why) => {
                    *slot = Slot::Closed(why);
                    None
                }
            }
        };
        match taken {
            Some(p) => py.detach(move || (*p).shutdown()).map_err(err),
            None => Ok(()),
        }
    }
}
