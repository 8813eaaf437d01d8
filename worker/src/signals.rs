//! SIGINT and SIGTERM in the coordinator: set a flag that [`crate::Pool::run`] polls.
//!
//! Workers run in their own process groups, so a Ctrl-C at the terminal reaches only the
//! coordinator; it then stops the workers itself (SIGTERM, grace, SIGKILL) and returns
//! [`crate::RunError::Interrupted`], so no worker outlives it and no half-written output remains.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use nix::sys::signal::Signal;

use crate::error::PoolError;
use crate::sys;

/// The flag the handler sets; set once, before the handler is installed.
static INTERRUPTED: OnceLock<Arc<AtomicBool>> = OnceLock::new();

/// The signal handler: async-signal-safe (an atomic load of an initialised `OnceLock`, an atomic
/// store; no allocation, no lock).
extern "C" fn on_interrupt(_signal: nix::libc::c_int) {
    if let Some(flag) = INTERRUPTED.get() {
        flag.store(true, Ordering::SeqCst);
    }
}

/// Makes SIGINT and SIGTERM set the returned flag instead of killing the process.
///
/// Pass the flag to [`crate::PoolOptions::interrupt`]; the pool checks it while it waits for
/// workers. Calling this again returns the same flag. The flag is never cleared by the crate.
pub fn install_interrupt_handler() -> Result<Arc<AtomicBool>, PoolError> {
    let flag = INTERRUPTED
        .get_or_init(|| Arc::new(AtomicBool::new(false)))
        .clone();
    for signal in [Signal::SIGINT, Signal::SIGTERM] {
        sys::install_signal_handler(signal, on_interrupt).map_err(|errno| {
            PoolError::SignalHandler {
                signal: signal.as_str(),
                errno,
            }
        })?;
    }
    Ok(flag)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    fn sigterm_sets_the_flag_instead_of_killing_the_process() {
        let flag = install_interrupt_handler().unwrap();
        assert!(Arc::ptr_eq(&flag, &install_interrupt_handler().unwrap()));
        nix::sys::signal::raise(Signal::SIGTERM).unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        while !flag.load(Ordering::SeqCst) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert!(flag.load(Ordering::SeqCst));
    }
}
