use std::io::Write;
use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{Array, ArrayRef, DictionaryArray, Int64Array, RecordBatch, StringArray};
use arrow_ipc::writer::{FileWriter, StreamWriter};
use arrow_schema::{DataType, Field, Schema};

use super::*;

fn batch(offset: i64) -> RecordBatch {
    let ids: ArrayRef = Arc::new(Int64Array::from_iter_values(offset..offset + 100));
    let names: ArrayRef = Arc::new(StringArray::from_iter(
        (0..100).map(|i| (i % 7 != 0).then(|| format!("name {}", offset + i))),
    ));
    RecordBatch::try_from_iter([("id", ids), ("name", names)]).unwrap()
}

fn dictionary_batch() -> RecordBatch {
    let keys = ["books", "games", "books", "music", "games", "books"];
    let category: DictionaryArray<Int32Type> = keys.into_iter().collect();
    let schema = Schema::new(vec![Field::new(
        "category",
        DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
        true,
    )]);
    RecordBatch::try_new(Arc::new(schema), vec![Arc::new(category)]).unwrap()
}

fn file_bytes(batches: &[RecordBatch]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut writer = FileWriter::try_new(&mut out, &batches[0].schema()).unwrap();
    for b in batches {
        writer.write(b).unwrap();
    }
    writer.finish().unwrap();
    drop(writer);
    out
}

fn write_temp(bytes: &[u8]) -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(bytes).unwrap();
    file.flush().unwrap();
    file
}

/// True when `ptr` lies in a mapping of `path` in this process (`/proc/self/maps`).
fn is_mapped_from(ptr: *const u8, path: &Path) -> bool {
    let path = path.canonicalize().unwrap();
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
    let addr = ptr as usize;
    maps.lines().any(|line| {
        let mut fields = line.split_whitespace();
        let range = fields.next().unwrap_or("");
        let mapped = fields.nth(4).map(Path::new);
        let Some((start, end)) = range.split_once('-') else {
            return false;
        };
        let start = usize::from_str_radix(start, 16).unwrap_or(usize::MAX);
        let end = usize::from_str_radix(end, 16).unwrap_or(0);
        mapped == Some(path.as_path()) && (start..end).contains(&addr)
    })
}

#[test]
fn a_good_file_decodes_zero_copy() {
    let expected = vec![batch(0), batch(100)];
    let file = write_temp(&file_bytes(&expected));
    let batches = map_ipc_file(file.path()).unwrap();
    assert_eq!(batches, expected);
    let ids = batches[1].column(0).to_data();
    assert!(
        is_mapped_from(ids.buffers()[0].as_ptr(), file.path()),
        "the id column should point into the mapped file"
    );
}

#[test]
fn a_dictionary_column_decodes() {
    let expected = vec![dictionary_batch()];
    let file = write_temp(&file_bytes(&expected));
    let batches = map_ipc_file(file.path()).unwrap();
    assert_eq!(batches, expected);
    let category = batches[0]
        .column(0)
        .as_any()
        .downcast_ref::<DictionaryArray<Int32Type>>()
        .unwrap();
    assert_eq!(category.values().len(), 3);
}

#[test]
fn a_truncated_file_is_an_error_naming_it() {
    let bytes = file_bytes(&[batch(0)]);
    for keep in [7, 20, bytes.len() / 2, bytes.len() - 1] {
        let file = write_temp(&bytes[..keep]);
        let err = map_ipc_file(file.path()).unwrap_err();
        assert!(matches!(err, MmapError::Truncated { .. }), "{keep}: {err}");
        let message = err.to_string();
        assert!(
            message.contains(&file.path().display().to_string()),
            "{message}"
        );
        assert!(message.contains("truncated"), "{message}");
    }
}

#[test]
fn garbage_and_empty_files_are_not_arrow() {
    for bytes in [
        &b""[..],
        b"hello, world: this is not arrow at all".as_slice(),
    ] {
        let file = write_temp(bytes);
        let err = map_ipc_file(file.path()).unwrap_err();
        assert!(matches!(err, MmapError::NotArrow { .. }), "{err}");
        assert!(
            err.to_string().contains("is not an Arrow IPC file"),
            "{err}"
        );
    }
}

#[test]
fn an_ipc_stream_is_recognised_as_the_wrong_format() {
    let mut out = Vec::new();
    let b = batch(0);
    let mut writer = StreamWriter::try_new(&mut out, &b.schema()).unwrap();
    writer.write(&b).unwrap();
    writer.finish().unwrap();
    drop(writer);
    let file = write_temp(&out);
    let err = map_ipc_file(file.path()).unwrap_err();
    assert!(err.to_string().contains("Arrow IPC stream"), "{err}");
}

#[test]
fn a_bad_footer_length_is_reported() {
    let mut bytes = file_bytes(&[batch(0)]);
    let at = bytes.len() - TRAILER_LEN;
    bytes[at..at + 4].copy_from_slice(&1_000_000i32.to_le_bytes());
    let file = write_temp(&bytes);
    let err = map_ipc_file(file.path()).unwrap_err();
    assert!(matches!(err, MmapError::BadFooter { .. }), "{err}");
    assert!(err.to_string().contains("footer length 1000000"), "{err}");
}

#[test]
fn a_missing_file_is_an_io_error_naming_it() {
    let err = map_ipc_file(Path::new("/nonexistent/part-00000/customers.arrow")).unwrap_err();
    assert!(matches!(err, MmapError::Io { .. }));
    assert!(err
        .to_string()
        .contains("/nonexistent/part-00000/customers.arrow"));
}

/// Flipping any single byte of a file yields batches or an error, never a panic inside arrow-rs
/// (which `decode` would report as `Corrupt`).
#[test]
fn no_single_byte_corruption_makes_arrow_panic() {
    let path = Path::new("corrupt.arrow");
    for original in [file_bytes(&[batch(0)]), file_bytes(&[dictionary_batch()])] {
        for at in 0..original.len() {
            for flip in [0xff, 0x01, 0x80] {
                let mut bytes = original.clone();
                bytes[at] ^= flip;
                let result = decode(path, &Buffer::from_vec(bytes));
                assert!(
                    !matches!(result, Err(MmapError::Corrupt { .. })),
                    "byte {at} ^ {flip:#x} made arrow-rs panic"
                );
            }
        }
    }
}

/// Found by fuzz/shard_ipc: a buffer of 8.7e15 bytes in a 320-byte body. The map's checks
/// reported it, but arrow-ipc's `FileReader`, which ftpart's in-process reader (`--jobs 0`) and
/// its reader of cutoff owners used, panicked slicing it.
#[test]
fn copying_reader_checks_buffers_as_the_map_does() {
    let bytes = include_bytes!(
        "../../../fuzz/regressions/shard_ipc/buffer_past_the_body_filereader_panic.arrow"
    );
    let file = write_temp(bytes);
    let mapped = map_ipc_file(file.path()).unwrap_err().to_string();
    let read = read_ipc_file(file.path()).unwrap_err().to_string();
    assert_eq!(mapped, read);
    assert!(
        read.contains(&file.path().display().to_string()) && read.contains("lies outside"),
        "{read}"
    );
    let good = vec![batch(0), batch(100)];
    let file = write_temp(&file_bytes(&good));
    assert_eq!(read_ipc_file(file.path()).unwrap(), good);
}
