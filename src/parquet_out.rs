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
use bytes::Bytes;
use parquet::arrow::arrow_writer::{
    compute_leaves, ArrowColumnChunk, ArrowColumnWriter, ArrowLeafColumn,
};
use parquet::basic::{Compression, Encoding};
use parquet::column::page::{CompressedPage, Page, PageWriter};
use parquet::column::writer::ColumnCloseResult;
use parquet::errors::{ParquetError, Result};
use parquet::file::metadata::ColumnChunkMetaData;
use parquet::file::writer::{SerializedPageWriter, SerializedRowGroupWriter, TrackedWrite};
use parquet::schema::types::ColumnDescPtr;
use rayon::prelude::*;

/// Rows per row group, as arrow-rs' `ArrowWriter` cuts them by default.
const ROW_GROUP_ROWS: usize = 1024 * 1024;

/// Writes `batch` as a Parquet file with its Arrow schema, text-category columns with their
/// dictionary as the dictionary page (see the module docs), every other column as arrow-rs
/// writes it.
pub fn write<W: Write + Send>(batch: &RecordBatch, out: W) -> Result<()> {
    let schema = batch.schema();
    let writer = parquet::arrow::ArrowWriter::try_new(out, Arc::clone(&schema), None)?;
    let (mut file, factory) = writer.into_serialized_writer()?;
    let leaves: Vec<ColumnDescPtr> = file.schema_descr().columns().to_vec();
    let mut start = 0;
    let mut group = 0;
    loop {
        let len = ROW_GROUP_ROWS.min(batch.num_rows() - start);
        let slice = batch.slice(start, len);
        let mut writers = factory.create_column_writers(group)?.into_iter();
        // Each column's writers (one per leaf; a text category's goes unused), then the
        // columns encoded on every core, then appended in order.
        let mut jobs = Vec::with_capacity(slice.num_columns());
        let mut leaf = 0;
        for (field, column) in schema.fields().iter().zip(slice.columns()) {
            if is_text_dictionary(column.data_type()) {
                writers.next();
                let descr = leaves
                    .get(leaf)
                    .ok_or_else(|| ParquetError::General("more columns than the schema".into()))?;
                jobs.push(Chunk::Categories(Arc::clone(descr), column));
                leaf += 1;
                continue;
            }
            let leaf_columns = compute_leaves(field, column)?;
            let mut mine = Vec::with_capacity(leaf_columns.len());
            for leaf_column in leaf_columns {
                let w = writers.next().ok_or_else(|| {
                    ParquetError::General("fewer column writers than leaves".into())
                })?;
                mine.push((w, leaf_column));
                leaf += 1;
            }
            jobs.push(Chunk::Leaves(mine));
        }
        let encoded: Vec<Encoded<'_>> = jobs
            .into_par_iter()
            .map(|job| match job {
                Chunk::Categories(descr, column) => Ok(Encoded::Categories(descr, column)),
                Chunk::Leaves(mine) => mine
                    .into_iter()
                    .map(|(mut w, leaf_column)| {
                        w.write(&leaf_column)?;
                        w.close()
                    })
                    .collect::<Result<Vec<_>>>()
                    .map(Encoded::Leaves),
            })
            .collect::<Result<_>>()?;
        let mut rg = file.next_row_group()?;
        for e in encoded {
            match e {
                Encoded::Categories(descr, column) => {
                    append_dictionary_chunk(&mut rg, descr, column)?
                }
                Encoded::Leaves(chunks) => {
                    for c in chunks {
                        c.append_to_row_group(&mut rg)?;
                    }
                }
            }
        }
        rg.close()?;
        start += len;
        group += 1;
        if start >= batch.num_rows() {
            break;
        }
    }
    file.close()?;
    Ok(())
}

/// One column of a row group to encode: a text category (written as its own chunk), or its
/// leaves with their writers.
enum Chunk<'a> {
    Categories(ColumnDescPtr, &'a ArrayRef),
    Leaves(Vec<(ArrowColumnWriter, ArrowLeafColumn)>),
}

/// A [`Chunk`] encoded.
enum Encoded<'a> {
    Categories(ColumnDescPtr, &'a ArrayRef),
    Leaves(Vec<ArrowColumnChunk>),
}

/// A dictionary of text (the matrix's text categories).
fn is_text_dictionary(t: &DataType) -> bool {
    matches!(t, DataType::Dictionary(_, v) if matches!(v.as_ref(), DataType::Utf8 | DataType::LargeUtf8))
}

/// Appends a dictionary column as one chunk: its Arrow dictionary as the dictionary page, its keys
/// as one data page.
fn append_dictionary_chunk<W: Write + Send>(
    rg: &mut SerializedRowGroupWriter<'_, W>,
    descr: ColumnDescPtr,
    column: &ArrayRef,
) -> Result<()> {
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
    rg.append_column(
        &bytes,
        ColumnCloseResult {
            bytes_written: total as u64,
            rows_written: rows as u64,
            metadata,
            bloom_filter: None,
            column_index: None,
            offset_index: None,
        },
    )
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
