//! Parquet output that keeps text categories as pandas has them.
//!
//! pyarrow reads a dictionary-encoded Parquet column whose stored Arrow type is a dictionary as
//! a dictionary array whose dictionary is the column chunk's dictionary page, so pandas gets its
//! categories, in their order, from that page. featuretools' own `fm.to_parquet()` (pyarrow) writes
//! the categorical's categories as that page, unused ones included. The Parquet writer of arrow-rs
//! instead builds the dictionary page from the values it meets, in order of first use, which loses
//! unused categories and the category order. So a text-category column is written here as its
//! own column chunk: a dictionary page of the Arrow dictionary as it is (PLAIN) and one data page
//! of the keys (RLE_DICTIONARY), spliced into the row group that arrow-rs writes for every other
//! column.

use std::io::Write;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Int16Type, Int32Type, Int64Type, Int8Type};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::DataType;
use arrow_schema::{Field, Schema, SchemaRef};
use bytes::Bytes;
use parquet::arrow::arrow_writer::{compute_leaves, ArrowColumnChunk};
use parquet::basic::{Compression, Encoding};
use parquet::column::page::{CompressedPage, Page, PageWriter};
use parquet::column::writer::ColumnCloseResult;
use parquet::errors::{ParquetError, Result};
use parquet::file::metadata::ColumnChunkMetaData;
use parquet::file::writer::{SerializedPageWriter, TrackedWrite};
use parquet::schema::types::ColumnDescPtr;
use rayon::prelude::*;

use crate::error::Error;

/// Rows per row group, as arrow-rs' `ArrowWriter` cuts them by default.
const ROW_GROUP_ROWS: usize = 1024 * 1024;

fn pq(e: ParquetError) -> Error {
    Error::arrow("writing Parquet", e)
}

/// Writes `batch` as a Parquet file with its Arrow schema, text-category columns with their
/// dictionary as the dictionary page (see the module docs), every other column as arrow-rs
/// writes it.
pub fn write<W: Write + Send>(batch: &RecordBatch, out: W) -> crate::error::Result<()> {
    let schema = batch.schema();
    write_columns(
        out,
        batch.num_rows(),
        batch.num_columns(),
        &|i| Ok((Arc::clone(batch.column(i)), schema.field(i).clone(), ())),
        |_| Arc::clone(&schema),
    )
}

/// Writes a Parquet file of `n` columns of `rows` rows, one column at a time: `column(i)` gives
/// column `i`'s array and field (and whatever `schema` needs of it), which is encoded for every
/// row group and dropped; `schema(extras)` then gives the file's schema, whose fields are the
/// columns'. The file is the one [`write`] writes for the batch of those columns, and only the
/// columns being encoded (one per core) are held, not the matrix.
pub fn write_columns<W: Write + Send, X: Send>(
    out: W,
    rows: usize,
    n: usize,
    column: &(dyn Fn(usize) -> crate::error::Result<(ArrayRef, Field, X)> + Sync),
    schema: impl FnOnce(Vec<X>) -> SchemaRef,
) -> crate::error::Result<()> {
    let encoded: Vec<(X, Vec<Encoded>)> = (0..n)
        .into_par_iter()
        .map(|i| {
            let (array, field, extra) = column(i)?;
            if array.len() != rows {
                return Err(Error::Internal(format!(
                    "column '{}' has {} rows, not {rows}",
                    field.name(),
                    array.len()
                )));
            }
            Ok((extra, encode_column(&array, &field).map_err(pq)?))
        })
        .collect::<crate::error::Result<_>>()?;
    let (extras, mut columns): (Vec<X>, Vec<Vec<Encoded>>) = encoded.into_iter().unzip();
    let writer = parquet::arrow::ArrowWriter::try_new(out, schema(extras), None).map_err(pq)?;
    let (mut file, _) = writer.into_serialized_writer().map_err(pq)?;
    let mut groups: Vec<std::vec::IntoIter<Encoded>> =
        columns.drain(..).map(|c| c.into_iter()).collect();
    for _ in 0..row_groups(rows) {
        let mut rg = file.next_row_group().map_err(pq)?;
        for chunks in &mut groups {
            match chunks.next() {
                Some(Encoded::Categories(bytes, close)) => {
                    rg.append_column(&bytes, *close).map_err(pq)?
                }
                Some(Encoded::Leaves(leaves)) => {
                    for c in leaves {
                        c.append_to_row_group(&mut rg).map_err(pq)?;
                    }
                }
                None => return Err(Error::Internal("a column lacks a row group".into())),
            }
        }
        rg.close().map_err(pq)?;
    }
    file.close().map_err(pq)?;
    Ok(())
}

/// The row groups of a file of `rows` rows: at least one, as arrow-rs writes an empty batch.
fn row_groups(rows: usize) -> usize {
    rows.div_ceil(ROW_GROUP_ROWS).max(1)
}

/// One column of one row group, encoded: a text category as its own chunk, any other column as
/// arrow-rs encodes its leaves.
enum Encoded {
    Categories(Bytes, Box<ColumnCloseResult>),
    Leaves(Vec<ArrowColumnChunk>),
}

/// `array`'s chunk of every row group. The writers come from a file of this one column: a
/// column chunk carries its column's descriptor, which is the same in the file of all columns.
fn encode_column(array: &ArrayRef, field: &Field) -> Result<Vec<Encoded>> {
    let one = Arc::new(Schema::new(vec![field.clone()]));
    let scratch = parquet::arrow::ArrowWriter::try_new(std::io::sink(), one, None)?;
    let (file, factory) = scratch.into_serialized_writer()?;
    let descr = file
        .schema_descr()
        .columns()
        .first()
        .cloned()
        .ok_or_else(|| ParquetError::General("a column without leaves".into()))?;
    let mut out = Vec::with_capacity(row_groups(array.len()));
    for group in 0..row_groups(array.len()) {
        let start = group * ROW_GROUP_ROWS;
        let slice = array.slice(start, ROW_GROUP_ROWS.min(array.len() - start));
        if is_text_dictionary(slice.data_type()) {
            let (bytes, close) = dictionary_chunk(Arc::clone(&descr), &slice)?;
            out.push(Encoded::Categories(bytes, Box::new(close)));
            continue;
        }
        let writers = factory.create_column_writers(group)?;
        let leaves = compute_leaves(field, &slice)?;
        if writers.len() != leaves.len() {
            return Err(ParquetError::General(
                "as many column writers as leaves".into(),
            ));
        }
        let chunks = writers
            .into_iter()
            .zip(leaves)
            .map(|(mut w, leaf)| {
                w.write(&leaf)?;
                w.close()
            })
            .collect::<Result<Vec<_>>>()?;
        out.push(Encoded::Leaves(chunks));
    }
    Ok(out)
}

/// A dictionary of text (the matrix's text categories).
fn is_text_dictionary(t: &DataType) -> bool {
    matches!(t, DataType::Dictionary(_, v) if matches!(v.as_ref(), DataType::Utf8 | DataType::LargeUtf8))
}

/// A dictionary column as one chunk: its Arrow dictionary as the dictionary page, its keys as
/// one data page.
fn dictionary_chunk(descr: ColumnDescPtr, column: &ArrayRef) -> Result<(Bytes, ColumnCloseResult)> {
    let (keys, values) = dictionary_keys(column)?;
    let values = arrow_cast::cast(&values, &DataType::Utf8)
        .map_err(|e| ParquetError::General(e.to_string()))?;
    let values = values.as_string::<i32>();
    let mut dict = Vec::new();
    for i in 0..values.len() {
        let v = values.value(i).as_bytes();
        dict.extend_from_slice(&(v.len() as u32).to_le_bytes());
        dict.extend_from_slice(v);
    }
    let nullable = descr.max_def_level() > 0;
    let mut page = Vec::new();
    if nullable {
        let levels: Vec<u32> = keys.iter().map(|k| u32::from(k.is_some())).collect();
        let mut encoded = Vec::new();
        rle_bit_packed(&levels, 1, &mut encoded);
        page.extend_from_slice(&(encoded.len() as u32).to_le_bytes());
        page.extend_from_slice(&encoded);
    } else if keys.iter().any(|k| k.is_none()) {
        return Err(ParquetError::General(format!(
            "column '{}' has missing values but is not nullable",
            descr.name()
        )));
    }
    // At least one bit, so that a one-category dictionary has ordinary bit-packed runs.
    let bit_width =
        (u32::BITS - (values.len().saturating_sub(1) as u32).leading_zeros()).max(1) as u8;
    page.push(bit_width);
    let present: Vec<u32> = keys.iter().flatten().copied().collect();
    rle_bit_packed(&present, bit_width, &mut page);

    let rows = keys.len();
    let mut sink = TrackedWrite::new(Vec::new());
    let (dict_spec, data_spec) = {
        let mut pages = SerializedPageWriter::new(&mut sink);
        let dict_len = dict.len();
        let dict_spec = pages.write_page(CompressedPage::new(
            Page::DictionaryPage {
                buf: Bytes::from(dict),
                num_values: values.len() as u32,
                encoding: Encoding::PLAIN,
                is_sorted: false,
            },
            dict_len,
        ))?;
        let page_len = page.len();
        let data_spec = pages.write_page(CompressedPage::new(
            Page::DataPage {
                buf: Bytes::from(page),
                num_values: rows as u32,
                encoding: Encoding::RLE_DICTIONARY,
                def_level_encoding: Encoding::RLE,
                rep_level_encoding: Encoding::RLE,
                statistics: None,
            },
            page_len,
        ))?;
        (dict_spec, data_spec)
    };
    let bytes = Bytes::from(sink.into_inner()?);
    let total = bytes.len() as i64;
    let uncompressed = (dict_spec.uncompressed_size + data_spec.uncompressed_size) as i64;
    let metadata = ColumnChunkMetaData::builder(descr)
        .set_encodings(vec![
            Encoding::PLAIN,
            Encoding::RLE,
            Encoding::RLE_DICTIONARY,
        ])
        .set_compression(Compression::UNCOMPRESSED)
        .set_num_values(rows as i64)
        .set_total_compressed_size(total)
        .set_total_uncompressed_size(uncompressed)
        .set_dictionary_page_offset(Some(dict_spec.offset as i64))
        .set_data_page_offset(data_spec.offset as i64)
        .build()?;
    let close = ColumnCloseResult {
        bytes_written: total as u64,
        rows_written: rows as u64,
        metadata,
        bloom_filter: None,
        column_index: None,
        offset_index: None,
    };
    Ok((bytes, close))
}

/// A dictionary array's keys (as dictionary positions, `None` for a missing value) and values.
fn dictionary_keys(column: &ArrayRef) -> Result<(Vec<Option<u32>>, ArrayRef)> {
    fn keys<K: arrow_array::types::ArrowDictionaryKeyType>(
        a: &ArrayRef,
    ) -> (Vec<Option<u32>>, ArrayRef)
    where
        K::Native: TryInto<u32>,
    {
        let d = a.as_dictionary::<K>();
        let k = d
            .keys()
            .iter()
            .map(|k| k.and_then(|k| k.try_into().ok()))
            .collect();
        (k, Arc::clone(d.values()))
    }
    Ok(match column.data_type() {
        DataType::Dictionary(k, _) => match k.as_ref() {
            DataType::Int8 => keys::<Int8Type>(column),
            DataType::Int16 => keys::<Int16Type>(column),
            DataType::Int32 => keys::<Int32Type>(column),
            DataType::Int64 => keys::<Int64Type>(column),
            other => {
                return Err(ParquetError::General(format!(
                    "dictionary keys of type {other} are not written"
                )));
            }
        },
        other => {
            return Err(ParquetError::General(format!(
                "{other} is not a dictionary"
            )))
        }
    })
}

/// Appends `values` in Parquet's RLE / bit-packing hybrid encoding, as bit-packed runs of at most
/// 63 groups of 8 (the last group padded with zeros; readers stop at the page's value count).
fn rle_bit_packed(values: &[u32], bit_width: u8, out: &mut Vec<u8>) {
    const GROUPS_PER_RUN: usize = 63;
    for run in values.chunks(8 * GROUPS_PER_RUN) {
        let groups = run.len().div_ceil(8);
        // ULEB128 of (groups << 1 | 1); below 128, one byte.
        out.push(((groups << 1) | 1) as u8);
        let mut acc: u64 = 0;
        let mut bits = 0u32;
        for i in 0..groups * 8 {
            let v = run.get(i).copied().unwrap_or(0) as u64;
            acc |= v << bits;
            bits += u32::from(bit_width);
            while bits >= 8 {
                out.push(acc as u8);
                acc >>= 8;
                bits -= 8;
            }
        }
        // groups * 8 * bit_width is a whole number of bytes.
        debug_assert_eq!(bits, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{DictionaryArray, Int64Array, StringArray};
    use arrow_schema::{Field, Schema};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    #[test]
    fn bit_packed_runs_hold_the_values() {
        let mut out = Vec::new();
        rle_bit_packed(&[1, 0, 1, 1, 0, 0, 0, 1, 1], 1, &mut out);
        // Two groups: header 0b101, then 0b1000_1101 and 0b0000_0001.
        assert_eq!(out, vec![5, 0b1000_1101, 1]);
    }

    #[test]
    fn categories_keep_their_order_and_unused_ones_round_trip() {
        // Categories c, a, b (b unused), with a missing value; more rows than one bit-packed run.
        let n: i32 = 1500;
        let keys: Vec<Option<i32>> = (0..n)
            .map(|i| if i % 7 == 3 { None } else { Some(i % 2) })
            .collect();
        let dict = DictionaryArray::new(
            arrow_array::Int32Array::from(keys),
            Arc::new(StringArray::from(vec!["c", "a", "b"])),
        );
        let nums = Int64Array::from_iter_values(0..n as i64);
        let schema = Arc::new(Schema::new(vec![
            Field::new("n", DataType::Int64, false),
            Field::new(
                "cat",
                DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
                true,
            )
            .with_dict_is_ordered(true),
        ]));
        let batch = RecordBatch::try_new(
            Arc::clone(&schema),
            vec![
                Arc::new(nums) as ArrayRef,
                Arc::new(dict.clone()) as ArrayRef,
            ],
        )
        .unwrap();
        let mut buf = Vec::new();
        write(&batch, &mut buf).unwrap();
        let reader = ParquetRecordBatchReaderBuilder::try_new(Bytes::from(buf))
            .unwrap()
            .build()
            .unwrap();
        let got: Vec<RecordBatch> = reader.map(|b| b.unwrap()).collect();
        let got = arrow_select::concat::concat_batches(&got[0].schema(), &got).unwrap();
        assert_eq!(got.column(0).as_ref(), batch.column(0).as_ref());
        let cat = got.column(1).as_dictionary::<Int32Type>();
        assert_eq!(
            cat.values().as_string::<i32>().iter().collect::<Vec<_>>(),
            vec![Some("c"), Some("a"), Some("b")]
        );
        assert_eq!(cat.keys(), dict.keys());
        assert!(matches!(
            got.schema().field(1).dict_is_ordered(),
            Some(true)
        ));
    }
}
