//! Errors of the coordinator ([`PoolError`], [`RunError`]) and of the worker ([`ServeError`]).

use std::io;
use std::path::PathBuf;

use crate::process::WorkerEnd;

/// Starting, replacing or stopping worker processes failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PoolError {
    /// `PoolOptions::workers` was zero.
    #[error("a pool needs at least one worker")]
    NoWorkers,
    /// The worker program could not be started.
    #[error("cannot start worker program {}: {source}", program.display())]
    Spawn {
        /// The program that was run.
        program: PathBuf,
        /// Why `exec` failed.
        #[source]
        source: io::Error,
    },
    /// The program started but did not complete the handshake.
    #[error("worker {worker} ({}, pid {pid}) failed the handshake: {end}", program.display())]
    Handshake {
        /// Worker slot.
        worker: usize,
        /// The program that was run.
        program: PathBuf,
        /// Its pid (reaped by now).
        pid: i32,
        /// How it ended.
        end: WorkerEnd,
    },
    /// The operating system refused an ipc-channel resource (socket, temporary directory).
    #[error("cannot create the ipc channel for worker {worker}: {source}")]
    Ipc {
        /// Worker slot.
        worker: usize,
        /// The OS error.
        #[source]
        source: io::Error,
    },
    /// Waiting for a worker process failed.
    #[error("cannot wait for worker process {pid}: {source}")]
    Wait {
        /// The worker's pid.
        pid: i32,
        /// The OS error.
        #[source]
        source: io::Error,
    },
    /// Installing the interrupt handler failed.
    #[error("cannot install a handler for {signal}: {errno}")]
    SignalHandler {
        /// The signal's name.
        signal: &'static str,
        /// The OS error.
        errno: nix::errno::Errno,
    },
}

/// A call to [`crate::Pool::run`] did not produce every result.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// The handler rejected the job; such failures are not retried.
    #[error("job {job} failed: {kind}: {message}")]
    JobFailed {
        /// The job's id.
        job: u64,
        /// The failure's kind.
        kind: String,
        /// The failure's message.
        message: String,
    },
    /// The job's worker crashed on every attempt.
    #[error("job {job} failed after {attempts} attempts: worker {end}")]
    JobCrashed {
        /// The job's id.
        job: u64,
        /// How many times it was started.
        attempts: u32,
        /// How the last worker that ran it ended.
        end: WorkerEnd,
    },
    /// Two jobs had the same id.
    #[error("job id {0} appears more than once")]
    DuplicateJob(u64),
    /// SIGINT or SIGTERM arrived (see [`crate::install_interrupt_handler`]); the workers were stopped.
    #[error("interrupted; workers stopped")]
    Interrupted,
    /// A replacement worker could not be started.
    #[error(transparent)]
    Pool(#[from] PoolError),
}

/// [`crate::serve`] could not serve the coordinator.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// The process was not started by a pool.
    #[error("not started as an ftpart worker: the environment variable {0} is not set")]
    NotAWorker(&'static str),
    /// A variable the pool sets holds something else.
    #[error("environment variable {var} holds {value:?}, which is not {expected}")]
    BadEnvironment {
        /// The variable.
        var: &'static str,
        /// Its value.
        value: String,
        /// What it should hold.
        expected: &'static str,
    },
    /// The coordinator is gone (or the worker was started through another process).
    #[error(
        "the coordinator (pid {expected}) is not this worker's parent (pid {actual}); exiting"
    )]
    ParentGone {
        /// The pid the coordinator announced.
        expected: i32,
        /// `getppid()`.
        actual: i32,
    },
    /// `prctl(PR_SET_PDEATHSIG)` or `setrlimit(RLIMIT_AS)` failed.
    #[error("cannot {what}: {errno}")]
    Os {
        /// What was attempted.
        what: String,
        /// The OS error.
        errno: nix::errno::Errno,
    },
    /// Connecting to the coordinator or creating the request channel failed.
    #[error("cannot connect to the coordinator: {0}")]
    Connect(#[source] io::Error),
    /// A message could not be sent or received.
    #[error("cannot {what} the coordinator: {source}")]
    Channel {
        /// `"send to"` or `"receive from"`.
        what: &'static str,
        /// The ipc-channel error.
        #[source]
        source: ipc_channel::IpcError,
    },
}
