//! The worker side: set the process up, connect to the coordinator, answer jobs.

use std::time::Instant;

use ipc_channel::ipc::{self, IpcSender, IpcSharedMemory};
use ipc_channel::IpcError;
use nix::sys::resource::{getrlimit, setrlimit, Resource};
use nix::sys::signal::Signal;
use nix::unistd::getppid;

use crate::error::ServeError;
use crate::sys;
use crate::wire::{Blob, Failure, FromWorker, JobStats, Request};
use crate::{ENV_MEMORY_LIMIT, ENV_PARENT, ENV_SERVER};

/// What [`serve`] calls for each job: `handler(payload, progress, output)` writes the job's output
/// to `output` (empty when called), or returns a [`Failure`] that the coordinator reports without
/// retrying. `progress` sends a message to the coordinator's event callback
/// ([`crate::Event::Progress`]).
///
/// `output` is the same vector for every job, emptied but with its capacity kept: after the first
/// job, a result as large as an earlier one is written to memory already touched, where a fresh
/// vector would take a page fault and a zeroed page for every 4 KB of it.
pub type Handler<'a> =
    dyn FnMut(&[u8], &mut dyn FnMut(String), &mut Vec<u8>) -> Result<(), Failure> + 'a;

/// Serves the coordinator that started this process until it hangs up or asks the worker to stop.
///
/// Call it from the program's hidden worker subcommand (see [`crate::is_worker_process`]). Before
/// connecting it makes the kernel SIGKILL this process when its parent dies (and exits at once if
/// the parent is already gone), and applies the pool's memory limit as `RLIMIT_AS`. Then for each
/// job it calls `handler(payload, progress, output)`: on `Ok(())` the output goes back with
/// [`JobStats`], `Err` goes back as a job failure that the coordinator does not retry. A panic in the handler is not caught:
/// the process exits, and the coordinator replaces it and retries the job.
///
/// Returns `Ok(())` when the coordinator closes its end of the channel (it stops a worker by
/// dropping its request sender and sending SIGTERM to the worker's process group).
pub fn serve(handler: &mut Handler<'_>) -> Result<(), ServeError> {
    let server = std::env::var(ENV_SERVER).map_err(|_| ServeError::NotAWorker(ENV_SERVER))?;
    let parent: i32 =
        parse_env(ENV_PARENT, "a process id")?.ok_or(ServeError::NotAWorker(ENV_PARENT))?;
    die_with_parent(parent)?;
    // The pool stops workers with SIGTERM: make sure it terminates this process even if the
    // program installed a handler (such as `install_interrupt_handler`) before it knew it was a
    // worker. SIGINT from a terminal does not reach workers (own process group) but is reset too.
    for signal in [Signal::SIGTERM, Signal::SIGINT] {
        sys::reset_signal_to_default(signal).map_err(|errno| ServeError::Os {
            what: format!("restore the default action of {signal}"),
            errno,
        })?;
    }
    if let Some(limit) = parse_env::<u64>(ENV_MEMORY_LIMIT, "a number of bytes")? {
        limit_address_space(limit)?;
    }
    sys::keep_freed_memory();

    let to_coordinator = IpcSender::<FromWorker>::connect(server).map_err(ServeError::Connect)?;
    let (requests, from_coordinator) = ipc::channel::<Request>().map_err(ServeError::Connect)?;
    let oom_flag = IpcSharedMemory::from_byte(0, 1);
    let hello = FromWorker::Hello {
        pid: i32::try_from(std::process::id()).unwrap_or(i32::MAX),
        requests,
        oom_flag: oom_flag.clone(),
    };
    sys::set_oom_flag(oom_flag);
    send(&to_coordinator, hello)?;

    let mut output = Vec::new();
    loop {
        let (id, payload) = match from_coordinator.recv() {
            Ok(Request::Job { id, payload }) => (id, payload),
            Err(IpcError::Disconnected) => return Ok(()),
            Err(source) => {
                return Err(ServeError::Channel {
                    what: "receive from",
                    source,
                })
            }
        };
        reset_peak_rss();
        let started = Instant::now();
        let mut progress = |message: String| {
            // If the coordinator is gone the next `recv` says so; a lost progress line is harmless.
            let _ = to_coordinator.send(FromWorker::Progress { id, message });
        };
        output.clear();
        let outcome = handler(payload.as_slice(), &mut progress, &mut output);
        drop(payload);
        let reply = match outcome {
            Ok(()) => {
                let stats = JobStats {
                    seconds: started.elapsed().as_secs_f64(),
                    peak_rss_bytes: peak_rss_bytes().unwrap_or(0),
                    output_bytes: output.len() as u64,
                };
                FromWorker::Done {
                    id,
                    output: Blob::copy_from(&output),
                    stats,
                }
            }
            Err(failure) => FromWorker::Failed { id, failure },
        };
        send(&to_coordinator, reply)?;
    }
}

fn send(to: &IpcSender<FromWorker>, msg: FromWorker) -> Result<(), ServeError> {
    to.send(msg).map_err(|source| ServeError::Channel {
        what: "send to",
        source,
    })
}

/// Reads and parses an environment variable the pool sets; `None` when it is absent.
fn parse_env<T: std::str::FromStr>(
    var: &'static str,
    expected: &'static str,
) -> Result<Option<T>, ServeError> {
    let Some(value) = std::env::var_os(var) else {
        return Ok(None);
    };
    let value = value.to_string_lossy().into_owned();
    value
        .parse()
        .map(Some)
        .map_err(|_| ServeError::BadEnvironment {
            var,
            value,
            expected,
        })
}

/// Asks the kernel to SIGKILL this process when the coordinator dies, then checks that it has not
/// died already: if it died between our fork and the `prctl`, we were reparented and no signal
/// will come.
fn die_with_parent(parent: i32) -> Result<(), ServeError> {
    nix::sys::prctl::set_pdeathsig(Signal::SIGKILL).map_err(|errno| ServeError::Os {
        what: "set the parent-death signal".into(),
        errno,
    })?;
    let actual = getppid().as_raw();
    if actual != parent {
        return Err(ServeError::ParentGone {
            expected: parent,
            actual,
        });
    }
    Ok(())
}

/// Lowers the soft `RLIMIT_AS` to `limit` bytes (never raising it), so an allocation past it fails
/// in this worker instead of the kernel's OOM killer choosing a victim.
fn limit_address_space(limit: u64) -> Result<(), ServeError> {
    let os = |errno| ServeError::Os {
        what: format!("limit the address space to {limit} bytes"),
        errno,
    };
    let (soft, hard) = getrlimit(Resource::RLIMIT_AS).map_err(os)?;
    let limit = limit.min(soft).min(hard);
    setrlimit(Resource::RLIMIT_AS, limit, hard).map_err(os)
}

/// Resets `VmHWM` to the current RSS (Linux ≥ 4.0), so the next reading is the job's own peak.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", b"5");
}

/// `VmHWM` (peak resident set size) from `/proc/self/status`, in bytes.
fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    parse_vm_hwm(&status)
}

fn parse_vm_hwm(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vm_hwm_is_read_in_bytes() {
        let status = "Name:\tx\nVmPeak:\t  2000 kB\nVmHWM:\t  1234 kB\nVmRSS:\t 1000 kB\n";
        assert_eq!(parse_vm_hwm(status), Some(1234 * 1024));
        assert_eq!(parse_vm_hwm("Name:\tx\n"), None);
        assert!(peak_rss_bytes().is_some_and(|b| b > 0));
    }

    #[test]
    fn serve_outside_a_pool_says_so() {
        // The test harness is not started by a pool, so the variable is absent.
        let err = serve(&mut |_, _, _| Ok(())).unwrap_err();
        assert!(matches!(err, ServeError::NotAWorker(_)), "{err}");
        assert!(err.to_string().contains(ENV_SERVER));
    }
}
