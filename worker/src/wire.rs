//! Messages between the coordinator and a worker, and the byte blobs they carry.
//!
//! There is one ipc-channel in each direction. The worker connects to the coordinator's one-shot
//! server and keeps that sender for everything it says ([`FromWorker`]); its first message, `Hello`,
//! carries the sender on which the coordinator sends it [`Request`]s. When either process dies its
//! end of the socket closes and the other side sees a disconnection.

use std::fmt;

use ipc_channel::ipc::{IpcSender, IpcSharedMemory};
use serde::{Deserialize, Serialize};

/// Payloads at least this large travel in a shared-memory region rather than inside the message.
///
/// ipc-channel serialises a message with serde and pushes it through a Unix socket, splitting one
/// larger than the socket buffer into fragments that the receiver reassembles: several copies
/// through the kernel. An `IpcSharedMemory` is one memcpy into a memfd in the sender and one out of
/// the mapping in the receiver, whatever the size, and only a file descriptor crosses the socket. A
/// memfd and a mapping per message cost more than copying a few kilobytes, so small blobs stay inline.
pub(crate) const SHARED_MEMORY_THRESHOLD: usize = 64 * 1024;

/// An opaque byte payload: inline for small ones, shared memory for large ones.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) enum Blob {
    /// Serialised as one byte string (`serde_bytes`), not element by element.
    Inline(#[serde(with = "serde_bytes")] Vec<u8>),
    /// A memfd mapped by both processes.
    Shared(IpcSharedMemory),
}

impl Blob {
    /// Copies `bytes` into a blob (into shared memory when they are large).
    pub(crate) fn copy_from(bytes: &[u8]) -> Blob {
        if bytes.len() >= SHARED_MEMORY_THRESHOLD {
            Blob::Shared(IpcSharedMemory::from_bytes(bytes))
        } else {
            Blob::Inline(bytes.to_vec())
        }
    }

    /// The bytes, without copying.
    pub(crate) fn as_slice(&self) -> &[u8] {
        match self {
            Blob::Inline(bytes) => bytes,
            Blob::Shared(shared) => shared,
        }
    }

    /// The bytes as an owned vector (one copy out of shared memory).
    pub(crate) fn into_vec(self) -> Vec<u8> {
        match self {
            Blob::Inline(bytes) => bytes,
            Blob::Shared(shared) => shared.to_vec(),
        }
    }
}

/// A job's result as the coordinator received it. A large one stays in the shared memory the
/// worker wrote it to and is read there: [`Output::as_slice`] copies nothing, and the region is
/// unmapped when the `Output` is dropped. A part's matrix is the largest thing a coordinator
/// receives; copying it into a vector of its own touched as much fresh memory again.
#[derive(Debug)]
pub struct Output(Blob);

impl Output {
    /// The bytes, without copying.
    pub fn as_slice(&self) -> &[u8] {
        self.0.as_slice()
    }

    /// The bytes as an owned vector (one copy out of shared memory).
    pub fn into_vec(self) -> Vec<u8> {
        self.0.into_vec()
    }
}

impl From<Blob> for Output {
    fn from(blob: Blob) -> Output {
        Output(blob)
    }
}

impl std::ops::Deref for Output {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl AsRef<[u8]> for Output {
    fn as_ref(&self) -> &[u8] {
        self.as_slice()
    }
}

/// What the coordinator asks of a worker.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) enum Request {
    /// Run the handler on `payload` and answer with `Done` or `Failed` for `id`. (To stop a
    /// worker the coordinator closes the channel; `serve` then returns.)
    Job { id: u64, payload: Blob },
}

/// What a worker tells the coordinator.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) enum FromWorker {
    /// First message: who the worker is, where to send it requests, and a one-byte shared flag the
    /// worker's allocator sets when an allocation fails (so a later abort reads as out of memory).
    Hello {
        pid: i32,
        requests: IpcSender<Request>,
        oom_flag: IpcSharedMemory,
    },
    /// A progress message from the handler of job `id`.
    Progress { id: u64, message: String },
    /// Job `id` succeeded.
    Done {
        id: u64,
        output: Blob,
        stats: JobStats,
    },
    /// The handler rejected job `id`.
    Failed { id: u64, failure: Failure },
    /// Sent by the coordinator itself to its own one-shot server to wake a handshake thread whose
    /// worker never connected.
    Abort,
}

/// Measurements of one job, taken by the worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobStats {
    /// Wall-clock seconds the handler took.
    pub seconds: f64,
    /// Peak resident set size of the worker during the job (`VmHWM` from `/proc/self/status`; the
    /// worker resets it before each job through `/proc/self/clear_refs` where the kernel allows, so
    /// otherwise it is the peak since the worker started). Zero when it cannot be read.
    pub peak_rss_bytes: u64,
    /// Size of the job's output in bytes.
    pub output_bytes: u64,
}

/// A job-level error reported by the handler: a plain serialisable `{kind, message}`. Such errors
/// are not retried.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// A short machine-readable category, such as `"invalid_input"`.
    pub kind: String,
    /// What went wrong, for a person.
    pub message: String,
}

impl Failure {
    /// A failure of the given kind.
    pub fn new(kind: impl Into<String>, message: impl Into<String>) -> Failure {
        Failure {
            kind: kind.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

impl std::error::Error for Failure {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_blobs_stay_inline_and_large_ones_go_to_shared_memory() {
        let small = Blob::copy_from(&[7; 10]);
        assert!(matches!(small, Blob::Inline(_)));
        assert_eq!(small.as_slice(), &[7; 10]);

        let large = Blob::copy_from(&vec![3; SHARED_MEMORY_THRESHOLD]);
        assert!(matches!(large, Blob::Shared(_)));
        assert_eq!(large.as_slice().len(), SHARED_MEMORY_THRESHOLD);
        assert_eq!(large.into_vec(), vec![3; SHARED_MEMORY_THRESHOLD]);
    }

    #[test]
    fn blobs_cross_a_channel_intact() {
        let (tx, rx) = ipc_channel::ipc::channel::<Request>().unwrap();
        for len in [0, 5, SHARED_MEMORY_THRESHOLD + 1] {
            let bytes: Vec<u8> = (0..len).map(|i| i as u8).collect();
            tx.send(Request::Job {
                id: len as u64,
                payload: Blob::copy_from(&bytes),
            })
            .unwrap();
            let Request::Job { id, payload } = rx.recv().unwrap();
            assert_eq!(id, len as u64);
            assert_eq!(payload.into_vec(), bytes);
        }
    }

    #[test]
    fn an_output_reads_shared_memory_in_place() {
        let bytes: Vec<u8> = (0..SHARED_MEMORY_THRESHOLD + 3).map(|i| i as u8).collect();
        let output = Output::from(Blob::copy_from(&bytes));
        assert!(matches!(output.0, Blob::Shared(_)));
        assert_eq!(&*output, &bytes[..]);
        assert_eq!(output.into_vec(), bytes);
        assert_eq!(Output::from(Blob::copy_from(&[1, 2])).as_slice(), &[1, 2]);
    }

    #[test]
    fn failure_displays_kind_and_message() {
        let failure = Failure::new("invalid_input", "column x is missing");
        assert_eq!(failure.to_string(), "invalid_input: column x is missing");
    }
}
