//! The client side of a pool: finding it, asking it, reading its answers.

use std::net::{TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use arrow_array::RecordBatch;

use super::wire::{self, ComputeRequest, Hello, HelloReply, Reply, Request};
use super::{state, FTPART_POOL, FTPART_POOL_TOKEN, SCHEME};
use crate::error::{Error, Result};
use crate::schema::EntitySetSchema;

/// A pool's address and token.
#[derive(Clone, PartialEq, Eq)]
pub struct Address {
    /// `HOST:PORT`.
    pub host_port: String,
    /// The token.
    pub token: String,
}

impl std::fmt::Debug for Address {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The token is a secret: never in logs.
        write!(f, "{SCHEME}{}", self.host_port)
    }
}

impl std::fmt::Display for Address {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{SCHEME}{}", self.host_port)
    }
}

/// Splits `ftpart://[TOKEN@]HOST:PORT` (the scheme may be left out) into host:port and token.
fn split_address(s: &str) -> Result<(String, Option<String>)> {
    let t = s.trim();
    let rest = t.strip_prefix(SCHEME).unwrap_or(t);
    if rest.contains("://") {
        return Err(Error::Invalid(format!(
            "'{s}' is not a pool address: it must be {SCHEME}HOST:PORT"
        )));
    }
    let (token, host_port) = match rest.rsplit_once('@') {
        Some((tok, hp)) => (Some(tok.to_string()), hp),
        None => (None, rest),
    };
    let host_port = host_port.trim_end_matches('/');
    let ok = host_port
        .rsplit_once(':')
        .is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok());
    if !ok {
        return Err(Error::Invalid(format!(
            "'{s}' is not a pool address: it must be {SCHEME}HOST:PORT"
        )));
    }
    Ok((host_port.to_string(), token))
}

impl Address {
    /// The pool to use: `given` (or `$FTPART_POOL`, or the local pool's state file), with the token
    /// from the address, `$FTPART_POOL_TOKEN`, or the state file when it names the same address.
    pub fn resolve(given: Option<&str>) -> Result<Address> {
        let env = std::env::var(FTPART_POOL)
            .ok()
            .filter(|s| !s.trim().is_empty());
        let state_path = state::path()?;
        let local = state::read(&state_path)?;
        let text = match (given, env, &local) {
            (Some(g), _, _) => g.to_string(),
            (None, Some(e), _) => e,
            (None, None, Some(s)) => s.address.clone(),
            (None, None, None) => {
                return Err(Error::Invalid(format!(
                    "no pool address: give one (ftpart://HOST:PORT), set {FTPART_POOL}, or start a local pool with `ftpart serve` (none is recorded in {})",
                    state_path.display()
                )))
            }
        };
        let (host_port, token) = split_address(&text)?;
        let token = token
            .or_else(|| std::env::var(FTPART_POOL_TOKEN).ok())
            .or_else(|| {
                local
                    .as_ref()
                    .filter(|s| split_address(&s.address).is_ok_and(|(hp, _)| hp == host_port))
                    .map(|s| s.token.clone())
            })
            // A pool started with --no-token takes none; any other answers "wrong token".
            .unwrap_or_default();
        Ok(Address { host_port, token })
    }
}

/// A matrix computed by a pool.
#[derive(Debug)]
pub struct Computed {
    /// The matrix as the coordinator assembles it (type it with [`crate::pandas::MatrixTypes`]).
    pub matrix: RecordBatch,
    /// The shards' entity set schema.
    pub schema: EntitySetSchema,
    /// The cutoff table's label columns.
    pub labels: Vec<String>,
    /// Warnings about the features and options.
    pub warnings: Vec<String>,
}

/// A client of one pool. Each request is a connection of its own.
#[derive(Debug, Clone)]
pub struct Client {
    addr: Address,
}

impl Client {
    /// A client of the pool at `addr`.
    pub fn new(addr: Address) -> Client {
        Client { addr }
    }

    /// The pool's address.
    pub fn address(&self) -> &Address {
        &self.addr
    }

    fn open(&self) -> Result<TcpStream> {
        let unreachable = |e: std::io::Error| {
            Error::Worker(format!(
                "cannot reach the pool at {}: {e} (is `ftpart serve` running?)",
                self.addr
            ))
        };
        let sock = self
            .addr
            .host_port
            .to_socket_addrs()
            .map_err(unreachable)?
            .next()
            .ok_or_else(|| Error::Invalid(format!("{}: the host has no address", self.addr)))?;
        let mut s =
            TcpStream::connect_timeout(&sock, Duration::from_secs(10)).map_err(unreachable)?;
        let _ = s.set_nodelay(true);
        s.set_read_timeout(Some(Duration::from_secs(30)))
            .map_err(unreachable)?;
        wire::write_frame(
            &mut s,
            &Hello {
                magic: wire::MAGIC,
                version: wire::VERSION,
                token: self.addr.token.clone(),
            },
        )?;
        match wire::read_frame::<HelloReply>(&mut s, wire::MAX_HELLO)? {
            HelloReply::Welcome(w) if w.version == wire::VERSION => Ok(s),
            HelloReply::Welcome(w) => Err(Error::Invalid(format!(
                "the pool at {} speaks wire version {}; this ftpart speaks {}",
                self.addr,
                w.version,
                wire::VERSION
            ))),
            HelloReply::Refused(m) => Err(Error::Invalid(format!(
                "the pool at {} refused the connection: {m}",
                self.addr
            ))),
        }
    }

    /// The pool's state (see `ftpart pool status`).
    pub fn status(&self) -> Result<serde_json::Value> {
        let mut s = self.open()?;
        wire::write_frame(&mut s, &Request::Status)?;
        match wire::read_frame::<Reply>(&mut s, wire::MAX_REPLY)? {
            Reply::Status(json) => serde_json::from_str(&json)
                .map_err(|e| Error::Worker(format!("the pool's status: {e}"))),
            other => Err(unexpected(other)),
        }
    }

    /// Stops the pool and waits until it is gone.
    pub fn stop(&self) -> Result<()> {
        let mut s = self.open()?;
        s.set_read_timeout(Some(Duration::from_secs(60)))
            .map_err(|e| Error::Worker(e.to_string()))?;
        wire::write_frame(&mut s, &Request::Stop)?;
        match wire::read_frame::<Reply>(&mut s, wire::MAX_REPLY)? {
            Reply::Stopping => {}
            other => return Err(unexpected(other)),
        }
        // The pool closes the connection once its workers are gone.
        let mut rest = Vec::new();
        let _ = std::io::Read::read_to_end(&mut s, &mut rest);
        Ok(())
    }

    /// Computes a matrix on the pool. `progress` sees (round, parts done, parts); once
    /// `interrupt` is set the connection is closed, which cancels the computation.
    pub fn compute(
        &self,
        req: ComputeRequest,
        progress: &mut dyn FnMut(&str, usize, usize),
        interrupt: Option<&AtomicBool>,
    ) -> Result<Computed> {
        let mut s = self.open()?;
        wire::write_frame(&mut s, &Request::Compute(req))?;
        // Waiting in the queue or computing may take long: poll so that Ctrl-C is seen.
        s.set_read_timeout(Some(Duration::from_millis(200)))
            .map_err(|e| Error::Worker(e.to_string()))?;
        let mut reader = Patient {
            stream: &s,
            interrupt,
        };
        loop {
            match wire::read_frame::<Reply>(&mut reader, wire::MAX_REPLY) {
                Ok(Reply::Queued { .. }) => {}
                Ok(Reply::Progress { round, done, total }) => progress(&round, done, total),
                Ok(Reply::Matrix {
                    ipc,
                    schema_json,
                    labels,
                    warnings,
                }) => {
                    let matrix = crate::compute::from_ipc_bytes(&ipc)?;
                    let schema: EntitySetSchema = serde_json::from_str(&schema_json)
                        .map_err(|e| Error::Worker(format!("the pool's schema: {e}")))?;
                    return Ok(Computed {
                        matrix,
                        schema,
                        labels,
                        warnings,
                    });
                }
                Ok(Reply::Error { message, input }) => {
                    return Err(if input {
                        Error::Invalid(message)
                    } else {
                        Error::Worker(format!("the pool at {}: {message}", self.addr))
                    })
                }
                Ok(other) => return Err(unexpected(other)),
                Err(e) => {
                    let _ = s.shutdown(std::net::Shutdown::Both);
                    if interrupt.is_some_and(|i| i.load(Ordering::SeqCst)) {
                        return Err(Error::Interrupted);
                    }
                    return Err(e);
                }
            }
        }
    }
}

fn unexpected(r: Reply) -> Error {
    let what = match r {
        Reply::Error { message, .. } => return Error::Invalid(message),
        Reply::Queued { .. } => "Queued",
        Reply::Progress { .. } => "Progress",
        Reply::Matrix { .. } => "Matrix",
        Reply::Status(_) => "Status",
        Reply::Stopping => "Stopping",
    };
    Error::Worker(format!("the pool answered {what} out of turn"))
}

/// A stream whose reads wait through timeouts until data comes, the peer closes, or `interrupt`
/// is set.
struct Patient<'a> {
    stream: &'a TcpStream,
    interrupt: Option<&'a AtomicBool>,
}

impl std::io::Read for Patient<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if self.interrupt.is_some_and(|i| i.load(Ordering::SeqCst)) {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::Interrupted,
                    "interrupted",
                ));
            }
            let mut s = self.stream;
            match std::io::Read::read(&mut s, buf) {
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                other => return other,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert_eq!(
            split_address("ftpart://127.0.0.1:4000").unwrap(),
            ("127.0.0.1:4000".into(), None)
        );
        assert_eq!(
            split_address("ftpart://abc@localhost:4000/").unwrap(),
            ("localhost:4000".into(), Some("abc".into()))
        );
        assert_eq!(
            split_address("127.0.0.1:1").unwrap().0,
            "127.0.0.1:1".to_string()
        );
        for bad in ["tcp://1.2.3.4:5", "ftpart://host", "ftpart://:80", "x:y"] {
            assert!(split_address(bad).is_err(), "{bad}");
        }
    }
}
