//! The merge: the parts' matrices back into featuretools' row order.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::DataType;
use rayon::prelude::*;

use crate::calc::Query;
use crate::cutoff::Cutoff;
use crate::entityset::keys::{key_values, Key};
use crate::error::{Error, Result};
use crate::features::FeatureGraph;
use crate::matrix::{self, MatrixOptions};
use crate::shards::Shards;

/// The parts' columns of one feature as floats when some parts computed integers and others
/// floats, as `pd.concat` makes them (None when they agree). Some columns are integers or floats
/// after their data: pandas' integer `%` by 0 is NaN, so MODULO_NUMERIC of two integer columns
/// is float64 only where some row divides by 0, and one part may hold such a row and another
/// not.
pub(crate) fn common_numbers(cols: &[&dyn Array]) -> Option<Vec<ArrayRef>> {
    let has = |t: &DataType| cols.iter().any(|c| c.data_type() == t);
    let numbers = cols
        .iter()
        .all(|c| matches!(c.data_type(), DataType::Int64 | DataType::Float64));
    if !(numbers && has(&DataType::Int64) && has(&DataType::Float64)) {
        return None;
    }
    cols.iter()
        .map(|c| arrow_cast::cast(*c, &DataType::Float64).ok())
        .collect()
}

/// Interleaves the parts' columns of one categorical feature into one dictionary array (None when
/// they are not dictionaries). Each part encodes its categories against its own dictionary;
/// arrow's `interleave` appends the dictionaries one after the other, giving a category list with
/// repeated values, which pandas refuses. The merged dictionary holds each value once, in order
/// of first appearance over the parts' dictionaries.
pub(crate) fn interleave_dictionaries(
    cols: &[&dyn Array],
    order: &[(usize, usize)],
) -> Option<Result<ArrayRef>> {
    let dicts: Vec<&arrow_array::DictionaryArray<arrow_array::types::Int32Type>> = cols
        .iter()
        .map(|c| c.as_dictionary_opt::<arrow_array::types::Int32Type>())
        .collect::<Option<_>>()?;
    let texts: Vec<&arrow_array::StringArray> = dicts
        .iter()
        .map(|d| d.values().as_string_opt::<i32>())
        .collect::<Option<_>>()?;
    let mut values: Vec<Option<&str>> = Vec::new();
    let mut position: HashMap<Option<&str>, i32> = HashMap::new();
    let remaps: Vec<Vec<i32>> = texts
        .iter()
        .map(|t| {
            t.iter()
                .map(|v| {
                    let next = values.len() as i32;
                    *position.entry(v).or_insert_with(|| {
                        values.push(v);
                        next
                    })
                })
                .collect()
        })
        .collect();
    let keys: arrow_array::Int32Array = order
        .iter()
        .map(|&(p, r)| {
            let k = dicts[p].keys();
            k.is_valid(r).then(|| remaps[p][k.value(r) as usize])
        })
        .collect();
    let merged = arrow_array::DictionaryArray::<arrow_array::types::Int32Type>::try_new(
        keys,
        Arc::new(arrow_array::StringArray::from(values)),
    )
    .map(|a| Arc::new(a) as ArrayRef)
    .map_err(|e| Error::arrow("merging part matrices", e));
    Some(merged)
}

/// Row order (piece, row), ids, label columns and cutoff times of the merged matrix.
type Order = (
    Vec<(usize, usize)>,
    ArrayRef,
    Vec<(String, ArrayRef)>,
    Vec<i64>,
);

/// The parts' matrices and the order they merge in: featuretools' matrix, one column at a time
/// ([`Merged::column`]) or whole ([`Merged::into_batch`]). A writer that takes the columns one
/// at a time never holds the merged matrix.
pub struct Merged {
    /// The batches of every part's matrix, part after part.
    pieces: Vec<RecordBatch>,
    /// The (piece, row) of each row of the matrix.
    order: Vec<(usize, usize)>,
    /// The matrix's columns: the feature values are interleaved from the pieces when asked for.
    columns: Vec<(String, matrix::Slot)>,
}

impl Merged {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn new(
        shards: &Shards,
        graph: &FeatureGraph,
        cutoff: &Cutoff,
        opts: &MatrixOptions,
        target: usize,
        parts: Vec<Vec<RecordBatch>>,
        placement: &[(u32, u32)],
        now: i64,
    ) -> Result<Merged> {
        // Each part's matrix comes as batches (the pieces of its stream), in row order. The
        // merge reads the pieces of all parts one after the other, as it would the parts.
        let (order, ids, extra, times): Order = match cutoff {
            Cutoff::Table(t) => (
                placement.iter().map(locate_in(&parts)).collect(),
                t.ids.clone(),
                t.extra.clone(),
                t.times.clone(),
            ),
            _ => {
                let pieces: Vec<&RecordBatch> = parts.iter().flatten().collect();
                // Instances come in target dataframe order: (time index, index), as each part
                // is sorted.
                let id_parts: Vec<ArrayRef> = pieces.iter().map(|b| b.column(0).clone()).collect();
                let order = instance_order(&pieces);
                let refs: Vec<&dyn Array> = id_parts.iter().map(|a| a.as_ref()).collect();
                let ids = if refs.is_empty() {
                    arrow_array::new_empty_array(&DataType::Int64)
                } else {
                    arrow_select::interleave::interleave(&refs, &order)
                        .map_err(|e| Error::arrow("merging", e))?
                };
                let t = match cutoff {
                    Cutoff::At(t) => *t,
                    _ => now,
                };
                let n = order.len();
                (order, ids, Vec::new(), vec![t; n])
            }
        };
        let queries: Vec<Query> = times
            .iter()
            .map(|&t| Query { row: None, time: t })
            .collect();
        let columns = matrix::layout(
            &shards.schema,
            target,
            graph,
            &queries,
            ids,
            extra,
            opts.cutoff_time_in_index,
        );
        Ok(Merged {
            pieces: parts.into_iter().flatten().collect(),
            order,
            columns,
        })
    }

    /// The matrix's rows.
    pub fn num_rows(&self) -> usize {
        self.order.len()
    }

    /// The matrix's column names, in order.
    pub fn names(&self) -> Vec<String> {
        self.columns.iter().map(|(n, _)| n.clone()).collect()
    }

    /// Column `i` of the matrix.
    pub fn column(&self, i: usize) -> Result<ArrayRef> {
        match &self.columns[i].1 {
            matrix::Slot::Ready(a) => Ok(Arc::clone(a)),
            matrix::Slot::Value(c) => self.values(*c),
        }
    }

    /// Feature output `c`'s values: its column of every piece, interleaved.
    fn values(&self, c: usize) -> Result<ArrayRef> {
        let cols: Vec<&dyn Array> = self
            .pieces
            .iter()
            .map(|b| b.column(2 + c).as_ref())
            .collect();
        if let Some(merged) = interleave_dictionaries(&cols, &self.order) {
            return merged;
        }
        let floats = common_numbers(&cols);
        let cols: Vec<&dyn Array> = match &floats {
            Some(f) => f.iter().map(|a| a.as_ref()).collect(),
            None => cols,
        };
        arrow_select::interleave::interleave(&cols, &self.order)
            .map_err(|e| Error::arrow("merging part matrices", e))
    }

    /// The whole matrix, its columns interleaved on every core (the coordinator has nothing
    /// else to do now).
    pub fn into_batch(self) -> Result<RecordBatch> {
        let cols = (0..self.columns.len())
            .into_par_iter()
            .map(|i| self.column(i))
            .collect::<Result<Vec<_>>>()?;
        matrix::named_batch(
            self.names().into_iter().zip(cols).collect(),
            "assembling the feature matrix",
        )
    }
}

/// Where a (part, row) is among the pieces of all parts: (piece, row in it).
fn locate_in(parts: &[Vec<RecordBatch>]) -> impl Fn(&(u32, u32)) -> (usize, usize) + '_ {
    let mut first_piece = Vec::with_capacity(parts.len());
    let mut starts: Vec<Vec<usize>> = Vec::with_capacity(parts.len());
    let mut n = 0;
    for pieces in parts {
        first_piece.push(n);
        n += pieces.len();
        let mut at = 0;
        starts.push(
            pieces
                .iter()
                .map(|b| {
                    let start = at;
                    at += b.num_rows();
                    start
                })
                .collect(),
        );
    }
    move |&(p, r)| {
        let (p, r) = (p as usize, r as usize);
        let piece = starts[p].partition_point(|&s| s <= r).saturating_sub(1);
        (first_piece[p] + piece, r - starts[p][piece])
    }
}

/// The (piece, row) of each instance in target dataframe order: by time index (missing last),
/// then index; ties in part order, then row order (a stable sort of the parts one after the
/// other).
fn instance_order(parts: &[&RecordBatch]) -> Vec<(usize, usize)> {
    let times: Vec<Vec<i64>> = parts
        .iter()
        .map(|b| crate::entityset::time_values(b.column(1)))
        .collect();
    // Integer ids without missing values (the usual index) sort as plain tuples.
    let ints: Option<Vec<&arrow_array::Int64Array>> = parts
        .iter()
        .map(|b| {
            b.column(0)
                .as_primitive_opt::<arrow_array::types::Int64Type>()
                .filter(|a| a.null_count() == 0)
        })
        .collect();
    if let Some(ints) = ints {
        let key = |p: usize, i: usize| {
            let t = times[p][i];
            let none = t == crate::entityset::NULL_TIME;
            (none, if none { 0 } else { t }, ints[p].value(i))
        };
        return merge_runs(&parts.iter().map(|b| b.num_rows()).collect::<Vec<_>>(), key);
    }
    let mut all: Vec<(Option<i64>, Option<Key>, usize, usize)> =
        Vec::with_capacity(parts.iter().map(|b| b.num_rows()).sum());
    for (p, (b, ti)) in parts.iter().zip(&times).enumerate() {
        for (i, (k, &t)) in key_values(b.column(0)).into_iter().zip(ti).enumerate() {
            let t = (t != crate::entityset::NULL_TIME).then_some(t);
            all.push((t, k, p, i));
        }
    }
    all.sort_by(|a, b| {
        let tc = match (a.0, b.0) {
            (Some(x), Some(y)) => x.cmp(&y),
            (None, None) => std::cmp::Ordering::Equal,
            (None, _) => std::cmp::Ordering::Greater,
            (_, None) => std::cmp::Ordering::Less,
        };
        tc.then_with(|| match (&a.1, &b.1) {
            (Some(Key::Int(x)), Some(Key::Int(y))) => x.cmp(y),
            (Some(Key::Str(x)), Some(Key::Str(y))) => x.cmp(y),
            _ => std::cmp::Ordering::Equal,
        })
    });
    all.iter().map(|x| (x.2, x.3)).collect()
}

/// The head of a run in [`merge_runs`]: (key, global row, piece, row, global row the run ends
/// before).
type Head<K> = (K, usize, usize, usize, usize);

/// The (piece, row) of every row of pieces of these lengths, read one after the other, sorted by
/// `key` with ties in (piece, row) order: what a stable sort of all rows gives. Each part's
/// rows come sorted, so the rows form a few ascending runs (one per part, where the part's
/// pieces continue one another), merged here without a sort or a copy of the keys.
fn merge_runs<K: Ord + Copy>(
    lens: &[usize],
    key: impl Fn(usize, usize) -> K,
) -> Vec<(usize, usize)> {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let total: usize = lens.iter().sum();
    // A run: its first (piece, row), as a global row number, and the global row it ends before.
    let mut runs: Vec<(usize, usize, usize, usize)> = Vec::new();
    let mut last: Option<K> = None;
    let mut g = 0;
    for (p, &n) in lens.iter().enumerate() {
        for i in 0..n {
            let k = key(p, i);
            if last.is_none_or(|l| k < l) {
                if let Some(r) = runs.last_mut() {
                    r.3 = g;
                }
                runs.push((p, i, g, total));
            }
            last = Some(k);
            g += 1;
        }
    }
    // Heap entries: (key, global row, piece, row, end); the global row orders ties as the
    // stable sort does.
    let mut heap: BinaryHeap<Reverse<Head<K>>> = runs
        .iter()
        .map(|&(p, i, g, end)| Reverse((key(p, i), g, p, i, end)))
        .collect();
    let mut order = Vec::with_capacity(total);
    while let Some(mut top) = heap.peek_mut() {
        let (_, g, mut p, mut i, end) = top.0;
        order.push((p, i));
        if g + 1 == end {
            std::collections::binary_heap::PeekMut::pop(top);
            continue;
        }
        i += 1;
        while i == lens[p] {
            p += 1;
            i = 0;
        }
        top.0 = (key(p, i), g + 1, p, i, end);
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::types::Int32Type;
    use arrow_array::DictionaryArray;

    /// The run merge gives a stable sort's order, whether the pieces hold sorted parts, parts
    /// split over pieces, unsorted rows or empty pieces.
    #[test]
    fn merged_runs_are_the_stable_sort() {
        let cases: Vec<Vec<Vec<i64>>> = vec![
            vec![vec![1, 4, 7], vec![2, 5], vec![3, 6, 8]],
            vec![vec![1, 3], vec![5, 9], vec![], vec![2, 4, 6]],
            vec![vec![5, 1, 4], vec![4, 4, 2], vec![0]],
            vec![vec![], vec![]],
            vec![vec![3, 3, 3], vec![3]],
        ];
        for pieces in cases {
            let lens: Vec<usize> = pieces.iter().map(|p| p.len()).collect();
            let mut all: Vec<(i64, usize, usize)> = Vec::new();
            for (p, rows) in pieces.iter().enumerate() {
                for (i, &k) in rows.iter().enumerate() {
                    all.push((k, p, i));
                }
            }
            all.sort();
            let want: Vec<(usize, usize)> = all.iter().map(|x| (x.1, x.2)).collect();
            assert_eq!(merge_runs(&lens, |p, i| pieces[p][i]), want, "{pieces:?}");
        }
    }

    /// Regression: part matrices' categorical columns, each with its own dictionary, were
    /// interleaved into one whose category list repeated values (pandas: "Categorical categories
    /// must be unique"; found by ftpart.calculate_feature_matrix(n_jobs=2) on 5M transactions).
    #[test]
    fn merged_categorical_parts_hold_each_category_once() {
        let a: DictionaryArray<Int32Type> = vec![Some("b"), None, Some("a")].into_iter().collect();
        let b: DictionaryArray<Int32Type> = vec![Some("c"), Some("b")].into_iter().collect();
        let cols: Vec<&dyn Array> = vec![&a, &b];
        let merged = interleave_dictionaries(&cols, &[(0, 0), (1, 0), (0, 1), (1, 1), (0, 2)])
            .expect("dictionaries")
            .unwrap();
        let d = merged.as_dictionary::<Int32Type>();
        let values = d.values().as_string::<i32>();
        let cats: Vec<&str> = values.iter().flatten().collect();
        assert_eq!(cats, ["b", "a", "c"]);
        let cells: Vec<Option<&str>> = d
            .keys()
            .iter()
            .map(|k| k.map(|k| values.value(k as usize)))
            .collect();
        assert_eq!(cells, [Some("b"), Some("c"), None, Some("b"), Some("a")]);
        let plain = arrow_array::Int64Array::from(vec![1]);
        assert!(interleave_dictionaries(&[&plain as &dyn Array], &[(0, 0)]).is_none());
    }
}
