//! The pool's wire format, version [`VERSION`]: over TCP, frames of a 4-byte big-endian length
//! then that many bytes of bincode 2 (standard configuration).
//!
//! A connection opens with the client's [`Hello`] (magic, version, token), checked before any
//! other byte is decoded; the pool answers [`HelloReply`] (a refusal closes). Then one
//! [`Request`]; a computation's answer is [`Reply::Queued`], [`Reply::Progress`] frames, then
//! [`Reply::Matrix`] or [`Reply::Error`]. A client that closes its end while it waits cancels its
//! computation.

use std::io::{Read, Write};
use std::path::PathBuf;

use serde::{de::DeserializeOwned, Deserialize, Serialize};

use crate::error::{Error, Result};

/// The wire version this ftpart speaks.
pub const VERSION: u32 = 1;
/// First bytes of every [`Hello`].
pub const MAGIC: [u8; 8] = *b"FTPARTPL";
/// Largest hello frame: a hello is a few dozen bytes.
pub const MAX_HELLO: u32 = 4 << 10;
/// Largest request frame (a cutoff table's file travels in it).
pub const MAX_REQUEST: u32 = 1 << 30;
/// Largest reply frame (a matrix travels in it).
pub const MAX_REPLY: u32 = u32::MAX;

/// The client's first frame.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Hello {
    /// [`MAGIC`].
    pub magic: [u8; 8],
    /// The client's [`VERSION`].
    pub version: u32,
    /// The pool's token.
    pub token: String,
}

/// The pool's answer to a good [`Hello`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Welcome {
    /// The pool's [`VERSION`].
    pub version: u32,
    /// The pool's process id.
    pub pid: u32,
}

/// The pool's answer to a hello.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum HelloReply {
    /// Go on.
    Welcome(Welcome),
    /// Refused: wrong token, unknown version, too many connections.
    Refused(String),
}

/// The cutoff of a computation, as `--cutoff-time` takes it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum CutoffSpec {
    /// No cutoff: now (the latest time of the data, as featuretools).
    Now,
    /// One date/time (or number, for numeric time indexes) for every instance.
    Value(String),
    /// One time key (nanoseconds since the epoch, or [`crate::time::numeric_time_key`]).
    At(i64),
    /// A cutoff table as a batch (instance id, time, labels), an Arrow IPC stream.
    Table {
        /// The batch.
        #[serde(with = "serde_bytes")]
        ipc: Vec<u8>,
    },
    /// A cutoff table's file: its name (for the format: `.csv` or `.parquet`) and bytes.
    File {
        /// File name.
        name: String,
        /// Content.
        #[serde(with = "serde_bytes")]
        bytes: Vec<u8>,
    },
}

/// A computation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ComputeRequest {
    /// Which of the pool's shard sets (a served directory); `None` when it serves one.
    pub shards: Option<PathBuf>,
    /// The features, as `ft.save_features` writes them.
    pub features_json: String,
    /// The cutoff.
    pub cutoff: CutoffSpec,
    /// `--training-window`.
    pub training_window: Option<String>,
    /// `--include-cutoff-time`.
    pub include_cutoff_time: bool,
    /// `--cutoff-time-in-index`.
    pub cutoff_time_in_index: bool,
    /// Who asks (the command line or the Python call), shown in status and history.
    pub client: String,
}

/// What a client asks, after the hello.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Request {
    /// Compute a matrix.
    Compute(ComputeRequest),
    /// The pool's state, as JSON.
    Status,
    /// Stop the pool: the running computation is cancelled, queued ones refused, workers stopped.
    Stop,
}

/// What the pool answers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Reply {
    /// The computation is queued behind `ahead` others.
    Queued {
        /// Its id in the pool's history.
        id: u64,
        /// Computations before it.
        ahead: usize,
    },
    /// A round's progress: parts done of all.
    Progress {
        /// The round's label.
        round: String,
        /// Parts done.
        done: usize,
        /// Parts in the round.
        total: usize,
    },
    /// The matrix, untyped as the coordinator assembles it (an Arrow IPC stream), with what the
    /// client needs to type it as featuretools does.
    Matrix {
        /// The matrix.
        #[serde(with = "serde_bytes")]
        ipc: Vec<u8>,
        /// The entity set schema of the shards (JSON).
        schema_json: String,
        /// The cutoff table's label columns.
        labels: Vec<String>,
        /// Warnings (as `compute` prints them).
        warnings: Vec<String>,
    },
    /// The status, JSON.
    Status(String),
    /// The pool is stopping.
    Stopping,
    /// The request failed; `input` when the request was at fault (exit code 2), else the pool.
    Error {
        /// The message.
        message: String,
        /// Whether the request was at fault.
        input: bool,
    },
}

fn config() -> bincode::config::Configuration {
    bincode::config::standard()
}

/// Writes one frame.
pub fn write_frame<T: Serialize>(w: &mut impl Write, value: &T) -> Result<()> {
    let bytes = bincode::serde::encode_to_vec(value, config())
        .map_err(|e| Error::Internal(format!("encoding a pool message: {e}")))?;
    let len = u32::try_from(bytes.len()).map_err(|_| {
        Error::Invalid(format!(
            "a pool message of {} bytes is too large",
            bytes.len()
        ))
    })?;
    let io = |e: std::io::Error| Error::Worker(format!("the pool connection: {e}"));
    w.write_all(&len.to_be_bytes()).map_err(io)?;
    w.write_all(&bytes).map_err(io)?;
    w.flush().map_err(io)
}

/// Reads one frame of at most `max` bytes. A longer length prefix is refused before anything is
/// allocated; the bytes are read as they come, so a prefix that lies costs nothing.
pub fn read_frame<T: DeserializeOwned>(r: &mut impl Read, max: u32) -> Result<T> {
    let mut len = [0u8; 4];
    r.read_exact(&mut len).map_err(|e| match e.kind() {
        std::io::ErrorKind::UnexpectedEof => Error::Worker("the pool connection closed".into()),
        _ => Error::Worker(format!("the pool connection: {e}")),
    })?;
    let len = u32::from_be_bytes(len);
    if len > max {
        return Err(Error::Invalid(format!(
            "a message of {len} bytes; at most {max} are accepted here"
        )));
    }
    let mut bytes = Vec::new();
    let got = r
        .take(u64::from(len))
        .read_to_end(&mut bytes)
        .map_err(|e| Error::Worker(format!("the pool connection: {e}")))?;
    if got != len as usize {
        return Err(Error::Invalid(format!(
            "a message announced {len} bytes and the connection closed after {got}"
        )));
    }
    let (value, used) = bincode::serde::decode_from_slice(&bytes, config())
        .map_err(|e| Error::Invalid(format!("a malformed message: {e}")))?;
    if used != bytes.len() {
        return Err(Error::Invalid(format!(
            "a message with {} bytes after its end",
            bytes.len() - used
        )));
    }
    Ok(value)
}

/// Reads a [`Hello`], checking its magic before decoding the rest.
pub fn read_hello(r: &mut impl Read) -> Result<Hello> {
    let mut len = [0u8; 4];
    r.read_exact(&mut len)
        .map_err(|e| Error::Invalid(format!("no hello: {e}")))?;
    let len = u32::from_be_bytes(len);
    // bincode writes the fixed-size magic first, as is.
    let mut magic = [0u8; 8];
    if !(8..=MAX_HELLO).contains(&len) {
        return Err(Error::Invalid(
            "not an ftpart pool client (bad hello); is this the right address?".into(),
        ));
    }
    r.read_exact(&mut magic)
        .map_err(|e| Error::Invalid(format!("no hello: {e}")))?;
    if magic != MAGIC {
        return Err(Error::Invalid(
            "not an ftpart pool client (bad hello); is this the right address?".into(),
        ));
    }
    let mut rest = vec![0u8; len as usize - 8];
    r.read_exact(&mut rest)
        .map_err(|e| Error::Invalid(format!("a short hello: {e}")))?;
    let mut all = magic.to_vec();
    all.extend(rest);
    let (hello, used): (Hello, usize) = bincode::serde::decode_from_slice(&all, config())
        .map_err(|e| Error::Invalid(format!("a malformed hello: {e}")))?;
    if used != all.len() {
        return Err(Error::Invalid("a malformed hello".into()));
    }
    Ok(hello)
}

/// Compares two tokens in time that does not depend on where they differ.
pub fn same_token(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_and_hostile_ones_are_refused() {
        let mut buf = Vec::new();
        let hello = Hello {
            magic: MAGIC,
            version: VERSION,
            token: "t".into(),
        };
        write_frame(&mut buf, &hello).unwrap();
        let back = read_hello(&mut buf.as_slice()).unwrap();
        assert_eq!((back.version, back.token.as_str()), (VERSION, "t"));

        // A huge length prefix: refused without reading or allocating.
        let mut huge = u32::MAX.to_be_bytes().to_vec();
        huge.extend(b"FTPARTPL");
        assert!(read_hello(&mut huge.as_slice()).is_err());
        let err = read_frame::<Request>(&mut huge.as_slice(), MAX_REQUEST).unwrap_err();
        assert!(err.to_string().contains("at most"), "{err}");
        // Garbage.
        let garbage = b"GET / HTTP/1.1\r\n\r\n".to_vec();
        assert!(read_hello(&mut garbage.as_slice())
            .unwrap_err()
            .to_string()
            .contains("not an ftpart pool client"));
        // A frame that announces more than it holds.
        let mut short = 100u32.to_be_bytes().to_vec();
        short.extend([0u8; 10]);
        assert!(read_frame::<Request>(&mut short.as_slice(), MAX_REQUEST).is_err());
        // Bytes that are no request.
        let mut bad = 3u32.to_be_bytes().to_vec();
        bad.extend([0xff, 0xff, 0xff]);
        assert!(read_frame::<Request>(&mut bad.as_slice(), MAX_REQUEST).is_err());
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(same_token("abc", "abc"));
        assert!(!same_token("abc", "abd"));
        assert!(!same_token("abc", "ab"));
    }
}
