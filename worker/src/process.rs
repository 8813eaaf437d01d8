//! One worker process: spawn, handshake with a deadline, forwarding its messages, stopping and
//! reaping it, and saying how it ended.

use std::fmt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crossbeam::channel::{self, Receiver, RecvTimeoutError, Sender};
use ipc_channel::ipc::{IpcOneShotServer, IpcReceiver, IpcSender, IpcSharedMemory};
use ipc_channel::IpcError;
use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;

use crate::error::PoolError;
use crate::pool::PoolOptions;
use crate::wire::{FromWorker, Request};
use crate::{ENV_MEMORY_LIMIT, ENV_PARENT, ENV_SERVER};

/// How often waits poll a child's exit status.
const POLL: Duration = Duration::from_millis(5);

/// How a worker process ended.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum WorkerEnd {
    /// It exited with this status (a Rust panic exits with 101).
    Exited(i32),
    /// A signal killed it; the signal's name, such as `"SIGKILL"`.
    Signaled(String),
    /// It ended after its allocator reported a failed allocation (see [`crate::WorkerAllocator`]).
    OutOfMemory,
    /// Its channel closed while the process stayed alive; it was then killed.
    Disconnected,
    /// It did not connect within `PoolOptions::handshake_timeout`; it was then killed.
    HandshakeTimedOut,
    /// It sent something the protocol does not allow; it was then killed.
    Protocol(String),
}

impl fmt::Display for WorkerEnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorkerEnd::Exited(code) => write!(f, "exited with status {code}"),
            WorkerEnd::Signaled(signal) => write!(f, "killed by signal {signal}"),
            WorkerEnd::OutOfMemory => write!(f, "out of memory (an allocation failed)"),
            WorkerEnd::Disconnected => write!(f, "closed its channel without exiting"),
            WorkerEnd::HandshakeTimedOut => {
                write!(f, "did not connect before the handshake deadline")
            }
            WorkerEnd::Protocol(what) => write!(f, "broke the protocol: {what}"),
        }
    }
}

impl WorkerEnd {
    /// Decodes a wait status, naming the signal through nix.
    fn from_status(status: ExitStatus) -> WorkerEnd {
        if let Some(code) = status.code() {
            WorkerEnd::Exited(code)
        } else if let Some(signal) = status.signal() {
            let name = Signal::try_from(signal)
                .map(|s| s.as_str().to_owned())
                .unwrap_or_else(|_| format!("signal {signal}"));
            WorkerEnd::Signaled(name)
        } else {
            WorkerEnd::Disconnected
        }
    }
}

/// A message from a worker's forwarding thread to the pool's event loop.
pub(crate) struct Incoming {
    pub slot: usize,
    pub generation: u64,
    pub msg: Result<FromWorker, WorkerEnd>,
}

type Accepted = Result<(IpcReceiver<FromWorker>, FromWorker), IpcError>;

/// A spawned child, with the handshake still under way; killed if dropped.
pub(crate) struct Pending {
    slot: usize,
    proc: Proc,
    accepted: Receiver<Accepted>,
    deadline: Instant,
    /// Wakes the `accept` thread when the handshake is over, whichever way it ended.
    _waker: AcceptWaker,
}

/// Starts the worker program for `slot`; [`Pending::finish`] completes the handshake.
pub(crate) fn spawn(slot: usize, opts: &PoolOptions) -> Result<Pending, PoolError> {
    let ipc_error = |source| PoolError::Ipc {
        worker: slot,
        source,
    };
    let (server, server_name) = IpcOneShotServer::<FromWorker>::new().map_err(ipc_error)?;
    let mut command = Command::new(&opts.program);
    command
        .args(&opts.args)
        .envs(opts.env.iter().map(|(k, v)| (k, v)))
        .env(ENV_SERVER, &server_name)
        .env(ENV_PARENT, std::process::id().to_string())
        .env_remove(ENV_MEMORY_LIMIT)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .process_group(0);
    if let Some(limit) = opts.memory_limit {
        command.env(ENV_MEMORY_LIMIT, limit.to_string());
    }
    let child = command.spawn().map_err(|source| PoolError::Spawn {
        program: opts.program.clone(),
        source,
    })?;
    let proc = Proc::new(child);
    // `accept` blocks until a client connects and sends its first message, so it runs on its own
    // thread while `finish` watches the deadline and the child.
    let (tx, accepted) = channel::bounded(1);
    thread::Builder::new()
        .name(format!("ftpart-handshake-{slot}"))
        .spawn(move || {
            let _ = tx.send(server.accept());
        })
        .map_err(ipc_error)?;
    Ok(Pending {
        slot,
        proc,
        accepted,
        deadline: Instant::now() + opts.handshake_timeout,
        _waker: AcceptWaker(server_name),
    })
}

impl Pending {
    /// Waits for the worker's `Hello`, then starts the thread that forwards its messages to `events`.
    pub(crate) fn finish(
        mut self,
        opts: &PoolOptions,
        generation: u64,
        events: &Sender<Incoming>,
    ) -> Result<Worker, PoolError> {
        let slot = self.slot;
        let fail = |proc: &Proc, end| PoolError::Handshake {
            worker: slot,
            program: opts.program.clone(),
            pid: proc.pid,
            end,
        };
        loop {
            match self.accepted.recv_timeout(POLL) {
                Ok(Ok((
                    receiver,
                    FromWorker::Hello {
                        pid,
                        requests,
                        oom_flag,
                    },
                ))) => {
                    if pid != self.proc.pid {
                        let end = WorkerEnd::Protocol(format!(
                            "announced pid {pid}, but the spawned process is {}",
                            self.proc.pid
                        ));
                        self.proc.kill();
                        return Err(fail(&self.proc, end));
                    }
                    let events = events.clone();
                    thread::Builder::new()
                        .name(format!("ftpart-worker-{slot}"))
                        .spawn(move || forward(slot, generation, receiver, events))
                        .map_err(|source| PoolError::Ipc {
                            worker: slot,
                            source,
                        })?;
                    return Ok(Worker {
                        generation,
                        proc: self.proc,
                        requests: Some(requests),
                        oom_flag,
                        exit_seen: None,
                    });
                }
                Ok(Ok((_, _))) => {
                    self.proc.kill();
                    let end = WorkerEnd::Protocol("first message was not Hello".into());
                    return Err(fail(&self.proc, end));
                }
                // The worker connected and hung up before saying hello: it is exiting.
                Ok(Err(_)) | Err(RecvTimeoutError::Disconnected) => {
                    let end = self.proc.end_within(opts.grace, None);
                    return Err(fail(&self.proc, end));
                }
                Err(RecvTimeoutError::Timeout) => {
                    if let Some(status) = self.proc.try_wait() {
                        return Err(fail(&self.proc, WorkerEnd::from_status(status)));
                    }
                    if Instant::now() >= self.deadline {
                        self.proc.kill();
                        return Err(fail(&self.proc, WorkerEnd::HandshakeTimedOut));
                    }
                }
            }
        }
    }
}

/// Connects to our own one-shot server when dropped, so a thread still blocked in `accept` (the
/// worker never connected) returns and the server's socket and temporary directory are removed.
/// When `accept` has already returned, the socket is gone and the connection fails harmlessly.
struct AcceptWaker(String);

impl Drop for AcceptWaker {
    fn drop(&mut self) {
        if let Ok(sender) = IpcSender::<FromWorker>::connect(self.0.clone()) {
            let _ = sender.send(FromWorker::Abort);
        }
    }
}

/// Turns the blocking `IpcReceiver` into messages on the pool's crossbeam channel; a closed
/// channel (the worker died) ends the thread with a final `Err`.
fn forward(
    slot: usize,
    generation: u64,
    receiver: IpcReceiver<FromWorker>,
    events: Sender<Incoming>,
) {
    loop {
        let msg = match receiver.recv() {
            Ok(msg) => Ok(msg),
            Err(IpcError::Disconnected) => Err(WorkerEnd::Disconnected),
            Err(err) => Err(WorkerEnd::Protocol(format!("unreadable message: {err}"))),
        };
        let last = msg.is_err();
        let sent = events.send(Incoming {
            slot,
            generation,
            msg,
        });
        if last || sent.is_err() {
            return;
        }
    }
}

/// A worker that completed the handshake.
pub(crate) struct Worker {
    /// Unique in the pool, so messages from a worker that was replaced can be told apart.
    pub generation: u64,
    pub proc: Proc,
    requests: Option<IpcSender<Request>>,
    oom_flag: IpcSharedMemory,
    /// When a poll first found the process gone while its channel was still open.
    pub exit_seen: Option<Instant>,
}

impl Worker {
    /// Sends a request; an error means the worker is gone (its forwarder reports how).
    pub(crate) fn send(&self, request: Request) -> Result<(), IpcError> {
        match &self.requests {
            Some(requests) => requests.send(request),
            None => Err(IpcError::Disconnected),
        }
    }

    /// Reaps a worker whose channel closed (or that broke the protocol): waits up to `grace` for it
    /// to exit, kills it if it does not, and says how it ended.
    pub(crate) fn end(&mut self, grace: Duration, hint: WorkerEnd) -> WorkerEnd {
        self.requests = None;
        let grace = match hint {
            WorkerEnd::Protocol(_) => Duration::ZERO,
            _ => grace,
        };
        let end = self.proc.end_within(grace, Some(hint));
        let oom = self.oom_flag.first() == Some(&1);
        if oom && end != WorkerEnd::Exited(0) {
            WorkerEnd::OutOfMemory
        } else {
            end
        }
    }

    /// Closes the request channel (the worker's `serve` returns) and sends SIGTERM to its group.
    pub(crate) fn terminate(&mut self) {
        self.requests = None;
        self.proc.signal(Signal::SIGTERM);
    }
}

/// Stops `workers` like nextest: SIGTERM to every process group, up to `grace` for all of them to
/// exit, then SIGKILL for the rest; every process is reaped.
pub(crate) fn stop_all(workers: &mut [Worker], grace: Duration) -> Result<(), PoolError> {
    for worker in workers.iter_mut() {
        worker.terminate();
    }
    let deadline = Instant::now() + grace;
    let mut first_error = None;
    for worker in workers.iter_mut() {
        if let Err(err) = worker.proc.wait_until(deadline) {
            first_error.get_or_insert(err);
        }
    }
    for worker in workers.iter_mut() {
        worker.proc.kill();
    }
    first_error.map_or(Ok(()), Err)
}

/// A child process in its own process group; SIGKILLed and reaped if dropped unreaped.
pub(crate) struct Proc {
    child: Child,
    pub pid: i32,
    status: Option<ExitStatus>,
}

impl Proc {
    fn new(child: Child) -> Proc {
        // A pid always fits in i32 (pid_t) on Linux.
        let pid = i32::try_from(child.id()).unwrap_or(i32::MAX);
        Proc {
            child,
            pid,
            status: None,
        }
    }

    /// Sends `signal` to the process group unless the leader was reaped (its pid may be reused).
    fn signal(&self, signal: Signal) {
        if self.status.is_none() {
            // ESRCH means the group is already gone, which is what we want.
            let _ = killpg(Pid::from_raw(self.pid), signal);
        }
    }

    /// The exit status if the process has ended (reaping it).
    pub(crate) fn try_wait(&mut self) -> Option<ExitStatus> {
        if self.status.is_none() {
            self.status = self.child.try_wait().ok().flatten();
        }
        self.status
    }

    /// Polls until the process ends or `deadline` passes.
    fn wait_until(&mut self, deadline: Instant) -> Result<Option<ExitStatus>, PoolError> {
        loop {
            if self.status.is_none() {
                self.status = self.child.try_wait().map_err(|source| PoolError::Wait {
                    pid: self.pid,
                    source,
                })?;
            }
            if self.status.is_some() || Instant::now() >= deadline {
                return Ok(self.status);
            }
            thread::sleep(POLL);
        }
    }

    /// SIGKILLs the process group and reaps the leader.
    pub(crate) fn kill(&mut self) {
        if self.status.is_none() {
            self.signal(Signal::SIGKILL);
            self.status = self.child.wait().ok();
        }
    }

    /// Waits up to `grace` for the process to end, kills it if it has not, and says how it ended;
    /// a process that had to be killed ended as `hint` (or `Disconnected`).
    fn end_within(&mut self, grace: Duration, hint: Option<WorkerEnd>) -> WorkerEnd {
        match self.wait_until(Instant::now() + grace) {
            Ok(Some(status)) => WorkerEnd::from_status(status),
            _ => {
                self.kill();
                hint.unwrap_or(WorkerEnd::Disconnected)
            }
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_statuses_decode_to_names() {
        assert_eq!(
            WorkerEnd::from_status(ExitStatus::from_raw(101 << 8)),
            WorkerEnd::Exited(101)
        );
        let killed = WorkerEnd::from_status(ExitStatus::from_raw(9));
        assert_eq!(killed, WorkerEnd::Signaled("SIGKILL".into()));
        assert_eq!(killed.to_string(), "killed by signal SIGKILL");
        assert_eq!(WorkerEnd::Exited(101).to_string(), "exited with status 101");
    }

    #[test]
    fn a_dropped_process_is_killed_and_reaped() {
        let child = Command::new("sleep")
            .arg("30")
            .process_group(0)
            .spawn()
            .unwrap();
        let pid = child.id();
        drop(Proc::new(child));
        assert!(!std::path::Path::new(&format!("/proc/{pid}")).exists());
    }
}
