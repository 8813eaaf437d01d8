//! Zero-copy reads of Arrow IPC files through a memory mapping.
//!
//! [`map_ipc_file`] maps a shard file and decodes its record batches with arrays that point into
//! the mapping, as arrow-rs `arrow/examples/zero_copy_ipc.rs` does: `Mmap` → `Bytes::from_owner`
//! → `Buffer` → `FileDecoder::read_record_batch` on slices of the mapped buffer. The mapping lives
//! as long as any array that points into it. A worker thus reads only the pages it touches, and
//! several workers mapping the same file share the page cache.
//!
//! A corrupt or truncated file is an error that names the file and what is wrong, never a panic:
//! every offset and length read from the file is checked before arrow-rs slices with it.

use std::fs::File;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_buffer::Buffer;
use arrow_ipc::convert::try_fb_to_schema;
use arrow_ipc::reader::{read_footer_length, FileDecoder};
use arrow_ipc::{root_as_footer, root_as_message, Block};

use crate::sys;

mod check;

use check::Layout;

/// The magic bytes at both ends of an Arrow IPC file.
const MAGIC: &[u8; 6] = b"ARROW1";
/// Leading magic plus padding to 8 bytes.
const HEADER_LEN: usize = 8;
/// Footer length (4 bytes) plus trailing magic.
const TRAILER_LEN: usize = 10;
/// The continuation marker that starts every encapsulated message (and an IPC *stream*).
const CONTINUATION: [u8; 4] = [0xff; 4];

/// Why an Arrow IPC file could not be mapped or decoded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MmapError {
    /// The file could not be opened or mapped.
    #[error("cannot map {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The file could not be read (by [`read_ipc_file`]).
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The file does not start with the Arrow IPC file magic.
    #[error("{} is not an Arrow IPC file: {detail}", path.display())]
    NotArrow {
        /// The file.
        path: PathBuf,
        /// What was found instead.
        detail: String,
    },
    /// The file starts like an Arrow IPC file but ends early.
    #[error("{} is truncated: {detail}", path.display())]
    Truncated {
        /// The file.
        path: PathBuf,
        /// What is missing.
        detail: String,
    },
    /// The footer (schema and block index) cannot be read.
    #[error("{} has a bad footer: {detail}", path.display())]
    BadFooter {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// arrow-rs panicked on the file's contents (a case the checks here did not foresee).
    #[error("{} is corrupt: {detail}", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What happened.
        detail: String,
    },
    /// A dictionary or record batch cannot be decoded.
    #[error("{} has a corrupt {what} {index}: {detail}", path.display())]
    BadBlock {
        /// The file.
        path: PathBuf,
        /// `"dictionary batch"` or `"record batch"`.
        what: &'static str,
        /// Its position in the footer.
        index: usize,
        /// What is wrong.
        detail: String,
    },
}

/// Maps the Arrow IPC file at `path` and decodes all its record batches without copying their
/// buffers (a buffer that is not suitably aligned is copied by arrow-rs; files written with the
/// default 64-byte alignment have none).
///
/// The file must not be modified or truncated while the batches are alive (see the crate's `sys`
/// module): shard files are written once and then only read.
pub fn map_ipc_file(path: &Path) -> Result<Vec<RecordBatch>, MmapError> {
    let io = |source| MmapError::Io {
        path: path.to_owned(),
        source,
    };
    let file = File::open(path).map_err(io)?;
    let mmap = sys::map_readonly(&file).map_err(io)?;
    let buffer = Buffer::from(bytes::Bytes::from_owner(mmap));
    decode(path, &buffer)
}

/// Reads the Arrow IPC file at `path` into memory and decodes it with the same checks as
/// [`map_ipc_file`], for callers that keep no mapping (ftpart's in-process executor). arrow-ipc's
/// own `FileReader` slices buffers with the file's offsets unchecked, and panics on a corrupt file.
pub fn read_ipc_file(path: &Path) -> Result<Vec<RecordBatch>, MmapError> {
    let bytes = std::fs::read(path).map_err(|source| MmapError::Read {
        path: path.to_owned(),
        source,
    })?;
    decode(path, &Buffer::from_vec(bytes))
}

/// Decodes an Arrow IPC file held in `buffer`; `path` is for error messages.
fn decode(path: &Path, buffer: &Buffer) -> Result<Vec<RecordBatch>, MmapError> {
    let data: &[u8] = buffer.as_slice();
    let len = data.len();
    let not_arrow = |detail: String| MmapError::NotArrow {
        path: path.to_owned(),
        detail,
    };
    let truncated = |detail: String| MmapError::Truncated {
        path: path.to_owned(),
        detail,
    };
    let bad_footer = |detail: String| MmapError::BadFooter {
        path: path.to_owned(),
        detail,
    };

    if len < MAGIC.len() || &data[..MAGIC.len()] != MAGIC {
        let detail = if data.starts_with(&CONTINUATION) {
            "it starts like an Arrow IPC stream; write it with the file format (FileWriter)".into()
        } else if len < MAGIC.len() {
            format!("it has only {len} bytes and no ARROW1 magic")
        } else {
            "it does not start with the ARROW1 magic".into()
        };
        return Err(not_arrow(detail));
    }
    if len < HEADER_LEN + TRAILER_LEN {
        return Err(truncated(format!(
            "only {len} bytes, too short for a footer"
        )));
    }
    let mut trailer = [0u8; TRAILER_LEN];
    trailer.copy_from_slice(&data[len - TRAILER_LEN..]);
    if &trailer[4..] != MAGIC {
        return Err(truncated(format!(
            "it does not end with the ARROW1 magic ({len} bytes; was it fully written?)"
        )));
    }
    let footer_len = read_footer_length(trailer).map_err(|e| bad_footer(e.to_string()))?;
    let footer_start = (len - TRAILER_LEN)
        .checked_sub(footer_len)
        .filter(|&start| start >= HEADER_LEN)
        .ok_or_else(|| {
            bad_footer(format!(
                "footer length {footer_len} exceeds the file's {len} bytes"
            ))
        })?;
    let footer = root_as_footer(&data[footer_start..len - TRAILER_LEN])
        .map_err(|e| bad_footer(format!("invalid flatbuffer: {e}")))?;
    let schema = footer
        .schema()
        .ok_or_else(|| bad_footer("no schema".into()))?;
    let schema =
        Arc::new(try_fb_to_schema(schema).map_err(|e| bad_footer(format!("bad schema: {e}")))?);

    // arrow-rs panics on some malformed buffers (see `check`); `checked_block` rules the known
    // cases out beforehand, and `catch_unwind` turns any case not foreseen into an error rather
    // than a crashed worker.
    let layout = Layout::new(&schema, footer.version());
    let decoded = catch_unwind(AssertUnwindSafe(|| {
        let mut decoder = FileDecoder::new(schema, footer.version());
        for (index, block) in footer.dictionaries().iter().flatten().enumerate() {
            let block_err = block_error(path, "dictionary batch", index);
            let data = checked_block(buffer, block, footer_start, &layout).map_err(&block_err)?;
            decoder
                .read_dictionary(block, &data)
                .map_err(|e| block_err(e.to_string()))?;
        }
        let mut batches = Vec::new();
        for (index, block) in footer.recordBatches().iter().flatten().enumerate() {
            let block_err = block_error(path, "record batch", index);
            let data = checked_block(buffer, block, footer_start, &layout).map_err(&block_err)?;
            if let Some(batch) = decoder
                .read_record_batch(block, &data)
                .map_err(|e| block_err(e.to_string()))?
            {
                batches.push(batch);
            }
        }
        Ok(batches)
    }));
    decoded.unwrap_or_else(|_| {
        Err(MmapError::Corrupt {
            path: path.to_owned(),
            detail: "arrow-rs panicked while decoding it (see the message above)".into(),
        })
    })
}

fn block_error<'a>(
    path: &'a Path,
    what: &'static str,
    index: usize,
) -> impl Fn(String) -> MmapError + 'a {
    move |detail| MmapError::BadBlock {
        path: path.to_owned(),
        what,
        index,
        detail,
    }
}

/// The slice of `buffer` that `block` describes, after checking that it lies before the footer,
/// starts with a well-formed message header, and that its buffers pass [`Layout::check`].
fn checked_block(
    buffer: &Buffer,
    block: &Block,
    footer_start: usize,
    layout: &Layout,
) -> Result<Buffer, String> {
    let (offset, meta, body) = (block.offset(), block.metaDataLength(), block.bodyLength());
    let (Ok(offset), Ok(meta), Ok(body)) = (
        usize::try_from(offset),
        usize::try_from(meta),
        usize::try_from(body),
    ) else {
        return Err(format!(
            "negative offset or length (offset {offset}, metadata {meta}, body {body})"
        ));
    };
    let end = offset
        .checked_add(meta)
        .and_then(|e| e.checked_add(body))
        .filter(|&end| offset >= HEADER_LEN && end <= footer_start)
        .ok_or_else(|| {
            format!(
                "block at offset {offset} ({meta} + {body} bytes) lies outside the data section"
            )
        })?;
    let bytes = &buffer.as_slice()[offset..end];
    // Metadata: continuation marker, 4-byte length, flatbuffer message.
    if meta < 8 || bytes[..4] != CONTINUATION {
        return Err(format!("no message header at offset {offset}"));
    }
    let message = root_as_message(&bytes[8..meta])
        .map_err(|e| format!("invalid message flatbuffer at offset {offset}: {e}"))?;
    layout.check(&message, body)?;
    Ok(buffer.slice_with_length(offset, meta + body))
}

#[cfg(test)]
mod tests;
