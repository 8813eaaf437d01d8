//! What crosses the process boundary: a part's job, its rounds, and the bytes of both ways.

use std::path::PathBuf;

use arrow_array::RecordBatch;
use serde::{Deserialize, Serialize};

use crate::calc::TimeOptions;
use crate::error::{Error, Result};
use crate::features::FeatureGraph;

/// One part's work, as sent to a worker (bincode 2).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Job {
    /// Shard directory.
    pub shards: PathBuf,
    /// Part number.
    pub part: usize,
    /// The features (the compiled plan is rebuilt from these against the part's data).
    pub graph: FeatureGraph,
    /// Time options.
    pub time: TimeOptions,
    /// The part's queries.
    pub cutoff: PartCutoff,
    /// Which round.
    pub phase: Phase,
}

/// The rounds of a computation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Phase {
    /// The part's matrix, with the answers of aggregations across parts: per feature, an IPC
    /// stream of `__key`, `__time`, then the values.
    Matrix {
        /// Given values by feature.
        given: Vec<(usize, serde_bytes::ByteBuf)>,
    },
    /// For aggregations across parts: the part's rows (contributions) and needs (requests).
    /// Aggregations whose inputs depend on the cutoff take two such rounds: the first collects
    /// only requests; the second gives every part all requests (`at`) and collects the rows
    /// evaluated at those cutoffs.
    Outer {
        /// The aggregations.
        specs: Vec<crate::outer::OuterSpec>,
        /// Per feature, the (`__key`, `__time`) requests of all parts (an IPC stream).
        at: Vec<(usize, serde_bytes::ByteBuf)>,
        /// The key ranges the contributions are split into ([`crate::outer::range_of`]).
        key_ranges: u32,
    },
    /// One key range of a group of aggregations across parts that read the same rows: every
    /// part's rows of the range and requests in it, answered on a worker
    /// ([`crate::outer::answer_range`]). It reads no part; [`Job::part`] is the job's number.
    Answer {
        /// The group's aggregations; the rows are the first one's contributions.
        specs: Vec<crate::outer::OuterSpec>,
        /// Whether the outer keys are integers.
        key_is_int: bool,
        /// Each part's rows in the range (an IPC stream each; empty: the part sent none).
        rows: Vec<serde_bytes::ByteBuf>,
        /// Distinct sets of requests, per part (an IPC stream of `__key`, `__time` each).
        requests: Vec<Vec<serde_bytes::ByteBuf>>,
        /// For each aggregation of `specs`, its set of requests.
        requests_of: Vec<usize>,
    },
}

/// A part's answer to [`Phase::Outer`]: per feature, contributions (one IPC stream per key
/// range, none when the part sends the rows with another feature) and requests (IPC stream).
pub(crate) type OuterReply = Vec<(usize, Vec<serde_bytes::ByteBuf>, serde_bytes::ByteBuf)>;

/// A key range job's answer to [`Phase::Answer`]: per aggregation, per part, the answers to the
/// part's requests in the range (IPC streams of `__key`, `__time`, then the values).
pub(crate) type AnswerReply = Vec<(usize, Vec<serde_bytes::ByteBuf>)>;

/// What a part computes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum PartCutoff {
    /// Every instance of the part existing at this time.
    At(i64),
    /// These (instance id, time) rows; ids as Arrow IPC stream bytes of a one-column batch.
    Rows {
        /// Instance ids (IPC stream).
        #[serde(with = "serde_bytes")]
        ids: Vec<u8>,
        /// Times.
        times: Vec<i64>,
    },
}

pub(crate) fn config() -> bincode::config::Configuration {
    bincode::config::standard()
}

/// Encodes a job.
pub fn encode_job(job: &Job) -> Result<Vec<u8>> {
    let failed = |e: bincode::error::EncodeError| Error::Internal(format!("encoding a job: {e}"));
    // A job can carry hundreds of MB of rows (the answer jobs of aggregations across parts):
    // sized first, it is written once into memory allocated once, not copied as a vector grows.
    let mut size = bincode::enc::write::SizeWriter::default();
    bincode::serde::encode_into_writer(job, &mut size, config()).map_err(failed)?;
    let mut out = VecWriter(Vec::with_capacity(size.bytes_written));
    bincode::serde::encode_into_writer(job, &mut out, config()).map_err(failed)?;
    Ok(out.0)
}

/// A bincode writer appending to a vector.
struct VecWriter(Vec<u8>);

impl bincode::enc::write::Writer for VecWriter {
    fn write(&mut self, bytes: &[u8]) -> std::result::Result<(), bincode::error::EncodeError> {
        self.0.extend_from_slice(bytes);
        Ok(())
    }
}

/// A batch as Arrow IPC stream bytes.
pub fn ipc_bytes(batch: &RecordBatch) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    write_ipc(batch, batch.num_rows().max(1), &mut out)?;
    Ok(out)
}

/// The rows of one batch of [`write_ipc_in_chunks`]'s stream are about this many bytes.
const CHUNK_BYTES: usize = 8 << 20;

/// Appends `batch` to `out` as an Arrow IPC stream of batches of about [`CHUNK_BYTES`] each.
/// Arrow's writer copies a batch's buffers into a body of its own before writing it: for a part's
/// matrix in one batch that body was as large as the matrix, freshly mapped memory every time;
/// a body this size comes from, and goes back to, the allocator's heap.
///
/// Test-only: `FTPART_TEST_IPC_BATCH_ROWS` sets the rows per batch instead, so that tests on small
/// data see results made of many batches.
pub(crate) fn write_ipc_in_chunks(batch: &RecordBatch, out: &mut Vec<u8>) -> Result<()> {
    let per_row = batch.get_array_memory_size() / batch.num_rows().max(1);
    let rows = std::env::var("FTPART_TEST_IPC_BATCH_ROWS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| (CHUNK_BYTES / per_row.max(1)).max(1024));
    write_ipc(batch, rows, out)
}

/// Appends `batch` to `out` as an Arrow IPC stream of batches of `rows` rows (one batch, with no
/// rows, for an empty one).
fn write_ipc(batch: &RecordBatch, rows: usize, out: &mut Vec<u8>) -> Result<()> {
    let mut w = arrow_ipc::writer::StreamWriter::try_new(out, &batch.schema())
        .map_err(|e| Error::arrow("encoding", e))?;
    let mut start = 0;
    loop {
        let n = rows.min(batch.num_rows() - start);
        w.write(&batch.slice(start, n))
            .map_err(|e| Error::arrow("encoding", e))?;
        start += n;
        if start == batch.num_rows() {
            break;
        }
    }
    w.finish().map_err(|e| Error::arrow("encoding", e))
}

/// The batches of the Arrow IPC stream in `buffer`, pointing into it (no copy, when the stream's
/// buffers are aligned, as arrow's writer aligns them): at least one, without rows for a stream
/// of none. For a part's matrix, the largest thing the coordinator receives, read where the
/// worker wrote it.
pub(crate) fn batches_in(mut buffer: arrow_buffer::Buffer) -> Result<Vec<RecordBatch>> {
    let mut decoder = arrow_ipc::reader::StreamDecoder::new();
    let mut batches = Vec::new();
    while !buffer.is_empty() {
        if let Some(b) = decoder
            .decode(&mut buffer)
            .map_err(|e| Error::arrow("decoding", e))?
        {
            batches.push(b);
        }
    }
    decoder.finish().map_err(|e| Error::arrow("decoding", e))?;
    let schema = decoder
        .schema()
        .ok_or_else(|| Error::Invalid("decoding: an Arrow stream without a schema".into()))?;
    if batches.is_empty() {
        batches.push(RecordBatch::new_empty(schema));
    }
    Ok(batches)
}

/// A part's (keys, cutoffs) requests from their IPC stream of `__key`, `__time`.
pub(crate) fn requests_from_ipc(bytes: &[u8]) -> Result<(arrow_array::ArrayRef, Vec<i64>)> {
    let r = from_ipc_bytes(bytes)?;
    let times = r
        .column(1)
        .as_any()
        .downcast_ref::<arrow_array::Int64Array>()
        .ok_or_else(|| Error::Worker("malformed requests".into()))?;
    Ok((r.column(0).clone(), times.values().to_vec()))
}

/// The one batch of Arrow IPC stream bytes (an empty stream is a batch without rows).
pub fn from_ipc_bytes(bytes: &[u8]) -> Result<RecordBatch> {
    let r = arrow_ipc::reader::StreamReader::try_new(std::io::Cursor::new(bytes), None)
        .map_err(|e| Error::arrow("decoding", e))?;
    let schema = r.schema();
    let batches: Vec<RecordBatch> = r
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| Error::arrow("decoding", e))?;
    arrow_select::concat::concat_batches(&schema, &batches).map_err(|e| Error::arrow("decoding", e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{ArrayRef, Int64Array, StringArray};

    fn batch(n: i64) -> RecordBatch {
        let ints: ArrayRef = std::sync::Arc::new(Int64Array::from_iter_values(0..n));
        let text: ArrayRef = std::sync::Arc::new(StringArray::from_iter_values(
            (0..n).map(|i| format!("v{i}")),
        ));
        RecordBatch::try_from_iter([("i", ints), ("t", text)]).unwrap()
    }

    #[test]
    fn a_stream_in_batches_reads_back_as_those_batches_of_the_same_rows() {
        let b = batch(10);
        let mut out = Vec::new();
        write_ipc(&b, 4, &mut out).unwrap();
        let got = batches_in(arrow_buffer::Buffer::from_vec(out)).unwrap();
        assert_eq!(
            got.iter().map(|g| g.num_rows()).collect::<Vec<_>>(),
            vec![4, 4, 2]
        );
        let all = arrow_select::concat::concat_batches(&b.schema(), &got).unwrap();
        assert_eq!(all, b);
        // A result is appended: the stream follows what the vector held.
        let mut out = b"x".to_vec();
        write_ipc(&b, 100, &mut out).unwrap();
        assert_eq!(from_ipc_bytes(&out[1..]).unwrap(), b);
    }

    #[test]
    fn an_empty_batch_is_one_batch_without_rows() {
        let b = batch(0);
        let mut out = Vec::new();
        write_ipc_in_chunks(&b, &mut out).unwrap();
        let got = batches_in(arrow_buffer::Buffer::from_vec(out)).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].num_rows(), 0);
        assert_eq!(got[0].schema(), b.schema());
    }
}
