//! Checks on a message's buffers that arrow-rs would otherwise turn into panics.
//!
//! arrow-rs slices each buffer out of the message body with the offset and length stored in the
//! file (`slice_with_length`, which panics out of range), and validation views offsets, views and
//! dictionary keys as typed slices (`typed_data`, which panics when the length is not a multiple of
//! the element width; arrow-data 60 `ArrayData::typed_buffer`). Valid files never have either, so
//! both are checked here first. Widths are assigned to buffers in the order arrow-ipc's
//! `RecordBatchDecoder::create_array` reads them; when the count does not match, the width check
//! is skipped and arrow-rs reports the mismatch itself.

use std::collections::{HashMap, VecDeque};

use arrow_ipc::{Message, MessageHeader, MetadataVersion};
use arrow_schema::{DataType, Field, Schema, UnionMode};

/// What the buffers of each message in one file should look like.
pub(super) struct Layout {
    /// The top-level column types of a record batch.
    columns: Vec<DataType>,
    /// The value type of each dictionary, by id.
    dictionaries: HashMap<i64, DataType>,
    /// Unions lost their validity buffer in metadata version 5.
    v5: bool,
}

impl Layout {
    pub(super) fn new(schema: &Schema, version: MetadataVersion) -> Layout {
        let mut dictionaries = HashMap::new();
        for field in schema.fields() {
            collect_dictionaries(field, &mut dictionaries);
        }
        Layout {
            columns: schema
                .fields()
                .iter()
                .map(|f| f.data_type().clone())
                .collect(),
            dictionaries,
            v5: version >= MetadataVersion::V5,
        }
    }

    /// Checks that every buffer of `message` lies within its `body_len`-byte body and that typed
    /// buffers hold a whole number of elements.
    pub(super) fn check(&self, message: &Message, body_len: usize) -> Result<(), String> {
        let (record_batch, types) = match message.header_type() {
            MessageHeader::RecordBatch => {
                (message.header_as_record_batch(), self.columns.as_slice())
            }
            MessageHeader::DictionaryBatch => {
                let dictionary = message.header_as_dictionary_batch();
                let id = dictionary.map(|d| d.id()).unwrap_or_default();
                let value_type = self
                    .dictionaries
                    .get(&id)
                    .ok_or_else(|| format!("dictionary id {id} is not in the schema"))?;
                (
                    dictionary.and_then(|d| d.data()),
                    std::slice::from_ref(value_type),
                )
            }
            other => return Err(format!("unexpected {other:?} message")),
        };
        let Some(record_batch) = record_batch else {
            return Err("message header is missing".into());
        };
        let buffers: Vec<_> = record_batch.buffers().iter().flatten().collect();
        for b in &buffers {
            let in_body = usize::try_from(b.offset())
                .ok()
                .zip(usize::try_from(b.length()).ok())
                .and_then(|(o, l)| o.checked_add(l))
                .is_some_and(|end| end <= body_len);
            if !in_body {
                return Err(format!(
                    "buffer at {} (+{} bytes) lies outside the {body_len}-byte body",
                    b.offset(),
                    b.length()
                ));
            }
        }
        let mut variadic: VecDeque<i64> = record_batch
            .variadicBufferCounts()
            .iter()
            .flatten()
            .collect();
        let mut widths = Vec::with_capacity(buffers.len());
        for data_type in types {
            self.push_widths(data_type, &mut variadic, buffers.len(), &mut widths);
        }
        if widths.len() != buffers.len() {
            return Ok(());
        }
        for (index, (b, width)) in buffers.iter().zip(widths).enumerate() {
            if let Some(width) = width.filter(|&w| w > 1) {
                if b.length() % width as i64 != 0 {
                    return Err(format!(
                        "buffer {index} has {} bytes, not a whole number of {width}-byte values",
                        b.length()
                    ));
                }
            }
        }
        Ok(())
    }

    /// Appends the element width of each buffer of an array of `data_type` (`None` for bitmaps
    /// and byte data), in reading order. Stops adding once `cap` widths are known, so a corrupt
    /// variadic count cannot make it allocate without bound.
    fn push_widths(
        &self,
        data_type: &DataType,
        variadic: &mut VecDeque<i64>,
        cap: usize,
        out: &mut Vec<Option<usize>>,
    ) {
        use DataType::*;
        if out.len() > cap {
            return;
        }
        let mut child =
            |t: &DataType, out: &mut Vec<Option<usize>>| self.push_widths(t, variadic, cap, out);
        match data_type {
            Null => {}
            Utf8 | Binary => out.extend([None, Some(4), None]),
            LargeUtf8 | LargeBinary => out.extend([None, Some(8), None]),
            Utf8View | BinaryView => {
                let data_buffers = variadic.pop_front().unwrap_or(0).clamp(0, cap as i64);
                out.extend([None, Some(16)]);
                out.extend((0..data_buffers).map(|_| None));
            }
            FixedSizeBinary(_) => out.extend([None, None]),
            List(f) | Map(f, _) => {
                out.extend([None, Some(4)]);
                child(f.data_type(), out);
            }
            LargeList(f) => {
                out.extend([None, Some(8)]);
                child(f.data_type(), out);
            }
            ListView(f) => {
                out.extend([None, Some(4), Some(4)]);
                child(f.data_type(), out);
            }
            LargeListView(f) => {
                out.extend([None, Some(8), Some(8)]);
                child(f.data_type(), out);
            }
            FixedSizeList(f, _) => {
                out.push(None);
                child(f.data_type(), out);
            }
            Struct(fields) => {
                out.push(None);
                for f in fields {
                    child(f.data_type(), out);
                }
            }
            RunEndEncoded(run_ends, values) => {
                child(run_ends.data_type(), out);
                child(values.data_type(), out);
            }
            Dictionary(key, _) => out.extend([None, key.primitive_width()]),
            Union(fields, mode) => {
                if !self.v5 {
                    out.push(None);
                }
                out.push(Some(1));
                if *mode == UnionMode::Dense {
                    out.push(Some(4));
                }
                for (_, f) in fields.iter() {
                    child(f.data_type(), out);
                }
            }
            other => out.extend([None, other.primitive_width()]),
        }
    }
}

fn collect_dictionaries(field: &Field, out: &mut HashMap<i64, DataType>) {
    if let DataType::Dictionary(_, value_type) = field.data_type() {
        // arrow-ipc itself still finds dictionaries by the field's dict_id.
        #[allow(deprecated)]
        if let Some(id) = field.dict_id() {
            out.insert(id, value_type.as_ref().clone());
        }
    }
    let children: Vec<&Field> = match field.data_type() {
        DataType::List(f)
        | DataType::LargeList(f)
        | DataType::ListView(f)
        | DataType::LargeListView(f)
        | DataType::FixedSizeList(f, _)
        | DataType::Map(f, _) => vec![f.as_ref()],
        DataType::Struct(fields) => fields.iter().map(|f| f.as_ref()).collect(),
        DataType::Union(fields, _) => fields.iter().map(|(_, f)| f.as_ref()).collect(),
        DataType::RunEndEncoded(r, v) => vec![r.as_ref(), v.as_ref()],
        _ => Vec::new(),
    };
    for child in children {
        collect_dictionaries(child, out);
    }
}
