//! A worker program for the crate's tests: answers payloads of the form `command[:argument]`.
//!
//! - `echo:x` → `x`; `double:x` → `xx`; `pid` → this process's pid
//! - `sleep:ms` → sleeps, then `slept`; `progress` → reports `halfway`, then `done`
//! - `fail` → a job failure of kind `bad_input`
//! - `panic`, `abort`, `sigkill`, `exit:code` → crashes that way every time
//! - `sigkill-once:path` → SIGKILLs itself unless `path` exists (creating it first), then `survived`
//! - `oom` → allocates far more than any test's memory limit
//!
//! With `ECHO_INSTALL_INTERRUPT_HANDLER` set it installs the interrupt handler before serving, as a
//! program that does so at startup would.
//!
//! Run with the argument `coordinate`, it starts a one-worker pool of itself, prints the worker's
//! pid and waits to be killed (to test that workers die with their coordinator).

use std::process::ExitCode;
use std::time::Duration;

use ftpart_worker::{is_worker_process, serve, Failure, Pool, PoolOptions, WorkerAllocator};

#[global_allocator]
static ALLOCATOR: WorkerAllocator = WorkerAllocator;

fn handle(
    payload: &[u8],
    progress: &mut dyn FnMut(String),
    output: &mut Vec<u8>,
) -> Result<(), Failure> {
    output.extend(answer(payload, progress)?);
    Ok(())
}

fn answer(payload: &[u8], progress: &mut dyn FnMut(String)) -> Result<Vec<u8>, Failure> {
    let text = String::from_utf8_lossy(payload);
    let (command, argument) = text.split_once(':').unwrap_or((&text, ""));
    match command {
        "echo" => Ok(argument.as_bytes().to_vec()),
        "double" => Ok(argument.repeat(2).into_bytes()),
        "pid" => Ok(std::process::id().to_string().into_bytes()),
        "sleep" => {
            let ms = argument.parse().unwrap_or(0);
            std::thread::sleep(Duration::from_millis(ms));
            Ok(b"slept".to_vec())
        }
        "progress" => {
            progress("halfway".to_string());
            Ok(b"done".to_vec())
        }
        "fail" => Err(Failure::new("bad_input", format!("cannot handle {text:?}"))),
        "panic" => panic!("asked to panic"),
        "abort" => std::process::abort(),
        "exit" => std::process::exit(argument.parse().unwrap_or(3)),
        "sigkill" => kill_self(),
        "sigkill-once" => {
            if std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(argument)
                .is_ok()
            {
                kill_self();
            }
            Ok(b"survived".to_vec())
        }
        "oom" => {
            let huge = vec![1u8; 1 << 36];
            Ok(huge[..1].to_vec())
        }
        _ => Err(Failure::new("unknown_command", format!("{command:?}"))),
    }
}

fn kill_self() -> ! {
    let _ = nix::sys::signal::raise(nix::sys::signal::Signal::SIGKILL);
    std::process::abort()
}

fn coordinate() -> Result<(), Box<dyn std::error::Error>> {
    let mut opts = PoolOptions::new(std::env::current_exe()?);
    opts.workers = 1;
    let pool = Pool::start(opts)?;
    for pid in pool.worker_pids() {
        println!("{pid}");
    }
    loop {
        std::thread::sleep(Duration::from_secs(60));
    }
}

fn main() -> ExitCode {
    if is_worker_process() {
        if std::env::var_os("ECHO_INSTALL_INTERRUPT_HANDLER").is_some() {
            if let Err(err) = ftpart_worker::install_interrupt_handler() {
                eprintln!("ftpart-worker-echo: {err}");
                return ExitCode::FAILURE;
            }
        }
        return match serve(&mut handle) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("ftpart-worker-echo: {err}");
                ExitCode::FAILURE
            }
        };
    }
    if std::env::args().nth(1).as_deref() == Some("coordinate") {
        if let Err(err) = coordinate() {
            eprintln!("ftpart-worker-echo: {err}");
            return ExitCode::FAILURE;
        }
        return ExitCode::SUCCESS;
    }
    eprintln!("usage: ftpart-worker-echo coordinate (or run by an ftpart-worker pool)");
    ExitCode::from(2)
}
