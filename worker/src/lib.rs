//! Supervised worker processes for ftpart, and the zero-copy reader for the shards they compute on.
//!
//! A coordinator starts a [`Pool`] of worker processes — the same executable re-run with a hidden
//! subcommand — and hands them jobs: an id and an opaque payload (the caller serialises its own job
//! type, for example with bincode, so this crate knows nothing of featuretools). Each worker takes the
//! next job when it finishes one and sends back an opaque result with [`JobStats`]. A worker that
//! crashes (a signal, a panic, an exit, a broken channel) is replaced and its job retried; a job the
//! handler rejects with a [`Failure`] fails the run at once. Workers stay alive between runs and are
//! shut down like nextest shuts down tests: SIGTERM to their process group, a grace period, SIGKILL.
//!
//! The worker side is [`serve`]: it connects to the coordinator, applies the memory limit, arranges
//! to die with its parent, and calls a handler for each job. [`mmap::map_ipc_file`] maps an Arrow IPC
//! file and decodes its record batches without copying them.
//!
//! ```no_run
//! use ftpart_worker::{is_worker_process, serve, Failure, Pool, PoolOptions};
//!
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     if is_worker_process() {
//!         // The pool re-ran this program: answer jobs until the coordinator hangs up.
//!         serve(&mut |payload: &[u8], progress: &mut dyn FnMut(String), out: &mut Vec<u8>| {
//!             progress(format!("{} bytes in", payload.len()));
//!             if payload.is_empty() {
//!                 return Err(Failure::new("empty", "the job payload is empty"));
//!             }
//!             out.extend_from_slice(&payload.repeat(2));
//!             Ok(())
//!         })?;
//!         return Ok(());
//!     }
//!     let mut opts = PoolOptions::new(std::env::current_exe()?);
//!     opts.workers = 2;
//!     opts.args = vec!["__worker".to_string()];
//!     let mut pool = Pool::start(opts)?;
//!     let jobs = vec![(1, b"ab".to_vec()), (2, b"cd".to_vec())];
//!     let results = pool.run(jobs, &mut |event| eprintln!("{event:?}"))?;
//!     let results: Vec<(u64, &[u8])> = results.iter().map(|(id, out)| (*id, &out[..])).collect();
//!     assert_eq!(results, vec![(1, &b"abab"[..]), (2, &b"cdcd"[..])]);
//!     pool.shutdown()?;
//!     Ok(())
//! }
//! ```
//!
//! Every `unsafe` operation (mapping a file, installing a signal handler, the allocator that flags
//! allocation failures) lives in the private `sys` module, each with its safety argument.

mod error;
pub mod mmap;
mod pool;
mod process;
mod serve;
mod signals;
mod sys;
mod wire;

pub use error::{PoolError, RunError, ServeError};
pub use pool::{Event, Pool, PoolOptions};
pub use process::WorkerEnd;
pub use serve::{serve, Handler};
pub use signals::install_interrupt_handler;
pub use sys::{keep_freed_memory, use_one_malloc_arena, WorkerAllocator};
pub use wire::{Failure, JobStats, Output};

/// Environment variable carrying the name of the coordinator's one-shot ipc-channel server; its
/// presence is what makes a process a worker.
pub(crate) const ENV_SERVER: &str = "FTPART_WORKER_SERVER";
/// Environment variable carrying the coordinator's pid, checked against `getppid()` by the worker.
pub(crate) const ENV_PARENT: &str = "FTPART_WORKER_PARENT";
/// Environment variable carrying the address-space limit in bytes, when there is one.
pub(crate) const ENV_MEMORY_LIMIT: &str = "FTPART_WORKER_MEMORY_LIMIT";

/// True when this process was started by a [`Pool`] as a worker, so the program should call
/// [`serve`] instead of doing its usual work.
pub fn is_worker_process() -> bool {
    std::env::var_os(ENV_SERVER).is_some()
}
