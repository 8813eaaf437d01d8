//! Aggregations across parts answered by key range on the workers (issue 17): each part sends
//! its rows of an aggregation split into ranges of outer keys (a hash of the key, the same in
//! every process); one job per (aggregation rows, key range) joins every part's rows of its
//! range, answers the requests of its range and returns each part's answers. A key's rows are
//! all in one range, in part order and then the part's own order, as the coordinator joined
//! them before: the answers are the same whatever the number of ranges.

use super::answer::concat_keeping_categories;
use super::*;

/// The key range of an outer key among `ranges`: the key in the outer index's domain
/// ([`coerce`]), hashed (FNV-1a of its bytes, fixed across processes and machines). Keys that are
/// missing (they never count) are in range 0.
pub fn range_of(key: Option<Key>, int: bool, ranges: u32) -> u32 {
    if ranges <= 1 {
        return 0;
    }
    let h = match key.and_then(|k| coerce(k, int)) {
        None => return 0,
        Some(Key::Int(i)) => fnv(&i.to_le_bytes(), 0),
        Some(Key::Str(s)) => fnv(s.as_bytes(), 1),
    };
    (h % u64::from(ranges)) as u32
}

fn fnv(bytes: &[u8], kind: u8) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in std::iter::once(&kind).chain(bytes) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The key range of each value of a key column (dictionaries resolved once per value).
pub fn ranges_of(col: &ArrayRef, int: bool, ranges: u32) -> Vec<u32> {
    if ranges <= 1 {
        return vec![0; col.len()];
    }
    map_keys(col, 0, |k| range_of(k, int, ranges))
}

/// The rows of `batch` in each key range, by its column `key`, each range's rows in their order.
/// Every range gets a batch, empty ones too: a range's batches then have every part's column
/// types, as the whole would (inputs typed by their data, integers in one part, floats in
/// another).
pub fn split_by_range(
    batch: &RecordBatch,
    key: usize,
    int: bool,
    ranges: u32,
) -> Result<Vec<RecordBatch>> {
    if ranges <= 1 {
        return Ok(vec![batch.clone()]);
    }
    let of = ranges_of(batch.column(key), int, ranges);
    let mut rows: Vec<Vec<u32>> = vec![Vec::new(); ranges as usize];
    for (i, &r) in of.iter().enumerate() {
        rows[r as usize].push(i as u32);
    }
    rows.into_iter()
        .map(|r| {
            arrow_select::take::take_record_batch(batch, &UInt32Array::from(r))
                .map_err(|e| Error::arrow("splitting rows by key range", e))
        })
        .collect()
}

/// One key range of a group of aggregations that read the same rows ([`shared_with`]): every
/// part's rows of the range (the first aggregation's contributions), and for each aggregation
/// every part's requests in the range, answered per part.
///
/// Returns, per aggregation of `specs` and per part, the answers to that part's requests: a
/// batch of `__key`, `__time`, then the values.
pub fn answer_range(
    graph: &FeatureGraph,
    specs: &[OuterSpec],
    key_is_int: bool,
    rows: &[RecordBatch],
    requests: &[Vec<(ArrayRef, Vec<i64>)>],
    time: &TimeOptions,
) -> Result<Vec<Vec<RecordBatch>>> {
    let first = specs
        .first()
        .ok_or_else(|| Error::Internal("a key range job without aggregations".into()))?;
    let mut prepared = prepare(graph, first, rows, key_is_int)?;
    let mut out = Vec::with_capacity(specs.len());
    for (spec, requests) in specs.iter().zip(requests) {
        let answers = answer(graph, spec, &mut prepared, requests, time)?;
        let mut start = 0;
        let mut per_part = Vec::with_capacity(requests.len());
        for (keys, _) in requests {
            let picked: UInt32Array = answers.answer_of[start..start + keys.len()]
                .iter()
                .flatten()
                .copied()
                .collect();
            start += keys.len();
            let take = |a: &ArrayRef| {
                arrow_select::take::take(a.as_ref(), &picked, None)
                    .map_err(|e| Error::arrow("answers", e))
            };
            let mut cols: Vec<(String, ArrayRef)> = vec![
                ("__key".into(), take(&answers.keys)?),
                (
                    "__time".into(),
                    Arc::new(Int64Array::from_iter_values(
                        picked.values().iter().map(|&r| answers.times[r as usize]),
                    )),
                ),
            ];
            for (i, v) in answers.values.iter().enumerate() {
                cols.push((format!("v{i}"), take(v)?));
            }
            per_part.push(crate::matrix::named_batch(cols, "answers")?);
        }
        out.push(per_part);
    }
    Ok(out)
}

/// A part's answers for one aggregation from every key range, as one batch (categories kept as
/// [`concat_keeping_categories`] keeps them, numbers typed alike).
pub fn join_ranges(feature: &str, batches: &[RecordBatch]) -> Result<RecordBatch> {
    match batches {
        [] => Err(Error::feature(feature, "no answers were given")),
        [one] => Ok(one.clone()),
        _ => concat_keeping_categories(&batches[0].schema(), batches)
            .map_err(|e| Error::feature(feature, format!("joining answers: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_in_the_same_range_whatever_column_carries_it() {
        // A foreign key read as text, as a category or as an integer lands in the range of the
        // integer index value it names (the parent's index domain), in every process.
        let ints: ArrayRef = Arc::new(Int64Array::from(vec![Some(7), None, Some(123456789)]));
        let text: ArrayRef = Arc::new(arrow_array::StringArray::from(vec![
            Some("7"),
            None,
            Some("123456789"),
        ]));
        let dict: ArrayRef = Arc::new(
            vec![Some("7"), None, Some("123456789")]
                .into_iter()
                .collect::<arrow_array::DictionaryArray<arrow_array::types::Int32Type>>(),
        );
        let want = ranges_of(&ints, true, 5);
        assert_eq!(ranges_of(&text, true, 5), want);
        assert_eq!(ranges_of(&dict, true, 5), want);
        assert_eq!(want[1], 0, "a missing key is in range 0");
        assert_eq!(ranges_of(&ints, true, 1), vec![0, 0, 0]);
        // Fixed values (FNV-1a, checked in Python): the hash is part of the wire between processes.
        assert_eq!(range_of(Some(Key::Int(7)), true, 1 << 30), 402_989_784);
        let spread: HashSet<u32> = (0..1000)
            .map(|i| range_of(Some(Key::Int(i)), true, 4))
            .collect();
        assert_eq!(spread.len(), 4);
    }

    #[test]
    fn split_by_range_keeps_row_order_and_every_range() {
        let keys: ArrayRef = Arc::new(Int64Array::from((0..50).collect::<Vec<i64>>()));
        let vals: ArrayRef = Arc::new(arrow_array::Float64Array::from(
            (0..50).map(|i| i as f64).collect::<Vec<_>>(),
        ));
        let b = RecordBatch::try_from_iter([("__key", keys), ("v", vals)]).unwrap();
        let parts = split_by_range(&b, 0, true, 7).unwrap();
        assert_eq!(parts.len(), 7);
        assert_eq!(parts.iter().map(|p| p.num_rows()).sum::<usize>(), 50);
        for (r, p) in parts.iter().enumerate() {
            assert_eq!(p.schema(), b.schema());
            let k = p.column(0).as_any().downcast_ref::<Int64Array>().unwrap();
            assert!(k.values().windows(2).all(|w| w[0] < w[1]), "order kept");
            assert!(k
                .values()
                .iter()
                .all(|&x| range_of(Some(Key::Int(x)), true, 7) == r as u32));
        }
    }
}
