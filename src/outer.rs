//! Aggregations that reach outside a part (issue 5): e.g. `products.COUNT(transactions)` when the
//! shards are split by customers. Each part holds only its own customers' transactions, so the
//! aggregation is answered in two rounds: workers send each such aggregation's per-row inputs
//! (outer key, time, row-local input values) and the (outer key, cutoff) pairs their instances
//! need; the coordinator answers every pair over all parts' rows, and the answers are given to
//! the workers' second, ordinary round. No process holds more than those columns.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use arrow_array::{Array, ArrayRef, BooleanArray, Int64Array, RecordBatch, UInt32Array};
use arrow_schema::DataType;

use crate::calc::{self, Plan, Step, TimeOptions};
use crate::entityset::keys::{coerce, key_values, Key};
use crate::entityset::{EntitySet, NULL_TIME};
use crate::error::{Error, Result};
use crate::features::{FeatureGraph, Kind};
use crate::primitives::{self, Primitive};
use crate::shards::Shards;

/// One aggregation answered across parts.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct OuterSpec {
    /// The aggregation feature.
    pub feature: usize,
    /// Its first relationship (outer dataframe → child), the one that crosses parts.
    pub relationship: usize,
    /// Its whole path, as relationship positions (the steps after the first keep rows together).
    pub path: Vec<usize>,
}

const NO_KEY: u32 = u32::MAX;

/// Numbers outer keys; dictionary columns are resolved once per dictionary value.
struct Interner {
    int: bool,
    ids: HashMap<Key, u32>,
}

impl Interner {
    fn new(int: bool) -> Self {
        Interner {
            int,
            ids: HashMap::new(),
        }
    }
    fn len(&self) -> usize {
        self.ids.len()
    }
    fn id(&mut self, k: Option<Key>) -> u32 {
        match k.and_then(|k| coerce(k, self.int)) {
            None => NO_KEY,
            Some(k) => {
                let n = self.ids.len() as u32;
                *self.ids.entry(k).or_insert(n)
            }
        }
    }
    fn ids(&mut self, col: &ArrayRef) -> Vec<u32> {
        if let Some(d) = col
            .as_any()
            .downcast_ref::<arrow_array::DictionaryArray<arrow_array::types::Int32Type>>()
        {
            let per_value: Vec<u32> = key_values(d.values())
                .into_iter()
                .map(|k| self.id(k))
                .collect();
            return (0..d.len())
                .map(|i| {
                    if d.is_valid(i) {
                        per_value[d.keys().value(i) as usize]
                    } else {
                        NO_KEY
                    }
                })
                .collect();
        }
        if let Some(a) = col.as_any().downcast_ref::<Int64Array>() {
            return (0..a.len())
                .map(|i| {
                    if a.is_valid(i) {
                        self.id(Some(Key::Int(a.value(i))))
                    } else {
                        NO_KEY
                    }
                })
                .collect();
        }
        key_values(col).into_iter().map(|k| self.id(k)).collect()
    }
}

/// Time of a contribution from a dataframe without a time index: always visible.
const ALWAYS: i64 = i64::MIN + 1;

/// Finds the aggregations of the plan that reach outside a part, checking that each can be
/// answered exactly; a feature that cannot is an error naming it.
pub fn find(shards: &Shards, graph: &FeatureGraph) -> Result<Vec<OuterSpec>> {
    let m = &shards.manifest;
    if m.parts.len() == 1 && m.rows_without_root.values().all(|&n| n == 0) {
        return Ok(Vec::new()); // one part holding every row is the whole entity set
    }
    let empty = EntitySet::empty(shards.schema.clone())?;
    let plan = Plan::build(&empty, graph)?;
    let mut specs: Vec<OuterSpec> = Vec::new();
    // Nodes below an outer aggregation belong to it.
    let mut inside = HashSet::new();
    for (n, node) in plan.nodes.iter().enumerate() {
        if let Some((p, step)) = node.parent {
            if inside.contains(&p) {
                inside.insert(n);
                continue;
            }
            if let Step::Backward(rel) = step {
                let r = &shards.schema.relationships[rel];
                if m.tree_links.get(&r.child_dataframe_name) != Some(&rel) {
                    inside.insert(n);
                }
            }
        }
    }
    for &(f, node) in &plan.placements {
        if inside.contains(&node) {
            continue;
        }
        let feat = &graph.features[f];
        let Kind::Aggregation {
            bases,
            path,
            primitive,
            where_,
            use_previous,
        } = &feat.kind
        else {
            continue;
        };
        let rel = empty.relationship_position(&path[0]).expect("planned");
        let r = &path[0];
        if m.tree_links.get(&r.child_dataframe_name) == Some(&rel) {
            continue;
        }
        let refuse = |why: &str| {
            Err(Error::feature(
                &feat.unique_name,
                format!(
                    "aggregates '{}' rows of each '{}' row, which are spread over the parts of shards split by '{}', and {why}; compute it with `ftpart calculate` or split by '{}'",
                    path[path.len() - 1].child_dataframe_name, r.parent_dataframe_name, m.root, r.parent_dataframe_name
                ),
            ))
        };
        let rels: Vec<usize> = path
            .iter()
            .map(|x| empty.relationship_position(x).expect("planned"))
            .collect();
        // Past the first step, each step must follow the links that keep rows in their parents'
        // part, so that a leaf row's ancestors on the path are in the leaf row's part.
        for (x, &rp) in path.iter().zip(&rels).skip(1) {
            if m.tree_links.get(&x.child_dataframe_name) != Some(&rp) {
                return refuse(&format!(
                    "its step from '{}' to '{}' also crosses parts",
                    x.parent_dataframe_name, x.child_dataframe_name
                ));
            }
        }
        let leaf = &path[path.len() - 1].child_dataframe_name;
        if leaf != &m.root && !m.tree_links.contains_key(leaf) {
            return refuse("its rows are copied into several parts");
        }
        if m.rows_without_root.get(leaf).copied().unwrap_or(0) > 0 {
            return refuse("some of its rows belong to no instance and are in no part");
        }
        if matches!(
            use_previous,
            Some(crate::features::UsePrevious::Observations(_))
        ) {
            return refuse("ftpart does not yet answer such aggregations with use_previous counted in observations");
        }
        if matches!(primitive, Primitive::Median | Primitive::NMostCommon { .. }) {
            return refuse(&format!("{primitive:?} is not answered across parts yet"));
        }
        let leaf_df = empty.df_position(leaf)?;
        for &b in bases.iter().chain(where_.iter()) {
            if calc::row_local(&empty, graph, leaf_df, b)?.is_none() {
                return refuse(&format!(
                    "its input '{}' depends on the cutoff time",
                    graph.features[b].unique_name
                ));
            }
        }
        if !specs.iter().any(|s| s.feature == f) {
            specs.push(OuterSpec {
                feature: f,
                relationship: rel,
                path: rels,
            });
        }
    }
    Ok(specs)
}

/// A part's contributions to an outer aggregation: its rows of the child dataframe as
/// `__key` (the outer key), `__time`, the inputs, then the `where` mask if any.
pub fn contributions(
    es: &EntitySet,
    graph: &FeatureGraph,
    spec: &OuterSpec,
    time: &TimeOptions,
) -> Result<RecordBatch> {
    let last = &es.schema.relationships[*spec.path.last().expect("non-empty path")];
    let leaf = es.df_position(&last.child_dataframe_name)?;
    let Kind::Aggregation {
        bases,
        where_,
        use_previous,
        ..
    } = &graph.features[spec.feature].kind
    else {
        return Err(Error::feature(
            &graph.features[spec.feature].unique_name,
            "is not an aggregation",
        ));
    };
    let n = es.num_rows(leaf);
    // A row also stops counting once the cutoff passes its training window (by time index or
    // last time index, `_handle_time`) or the aggregation's use_previous span: `__hi` is the
    // first cutoff at which it no longer counts.
    let bound = |df: usize, r: usize| -> i64 {
        let (Some(w), Some(ti)) = (time.training_window, es.times(df)) else {
            return i64::MAX;
        };
        let mut x = ti[r];
        if let Some(l) = es.last_times(df) {
            if l[r] != NULL_TIME {
                x = x.max(l[r]);
            }
        }
        if x == NULL_TIME {
            return i64::MIN;
        }
        let hi = x.saturating_add(w);
        if time.include_cutoff_time {
            hi
        } else {
            hi.saturating_add(1)
        }
    };
    let mut his: Vec<i64> = (0..n).map(|r| bound(leaf, r)).collect();
    if let (Some(crate::features::UsePrevious::Span(up)), Some(ti)) = (use_previous, es.times(leaf))
    {
        for (r, h) in his.iter_mut().enumerate() {
            if ti[r] != NULL_TIME {
                *h = (*h).min(ti[r].saturating_add(*up).saturating_add(1));
            }
        }
    }
    // Each leaf row counts when it and its ancestors on the path are visible: at the latest of
    // their times. Its outer key is the first step's foreign key on the top ancestor.
    let mut rows: Vec<u32> = (0..n as u32).collect();
    let mut times: Vec<i64> = match es.times(leaf) {
        Some(t) => t.to_vec(),
        None => vec![ALWAYS; n],
    };
    for &rel in spec.path.iter().skip(1).rev() {
        let parent_df = es.df_position(&es.schema.relationships[rel].parent_dataframe_name)?;
        let up = es.parent_rows(rel);
        for ((r, t), h) in rows.iter_mut().zip(times.iter_mut()).zip(his.iter_mut()) {
            if *r == crate::entityset::keys::NO_ROW {
                continue;
            }
            *r = up[*r as usize];
            if *r == crate::entityset::keys::NO_ROW {
                *t = NULL_TIME;
                continue;
            }
            *h = (*h).min(bound(parent_df, *r as usize));
            if let Some(pt) = es.times(parent_df) {
                let x = pt[*r as usize];
                *t = if x == NULL_TIME || *t == NULL_TIME {
                    NULL_TIME
                } else {
                    (*t).max(x)
                };
            }
        }
    }
    let first = &es.schema.relationships[spec.relationship];
    let top = es.df_position(&first.child_dataframe_name)?;
    let fk = es.column(top, &first.child_column_name).expect("validated");
    let idx = UInt32Array::from(
        rows.iter()
            .map(|&r| (r != crate::entityset::keys::NO_ROW).then_some(r))
            .collect::<Vec<_>>(),
    );
    let key = arrow_select::take::take(fk.as_ref(), &idx, None)
        .map_err(|e| Error::arrow("outer aggregation", e))?;
    let mut cols: Vec<(String, ArrayRef)> = vec![
        ("__key".into(), key),
        ("__time".into(), Arc::new(Int64Array::from(times))),
        ("__hi".into(), Arc::new(Int64Array::from(his))),
    ];
    for (i, &b) in bases.iter().chain(where_.iter()).enumerate() {
        let v = calc::row_local(es, graph, leaf, b)?.ok_or_else(|| {
            Error::feature(&graph.features[b].unique_name, "depends on the cutoff time")
        })?;
        cols.push((format!("__in{i}"), v));
    }
    crate::matrix::named_batch(cols, "outer aggregation")
}

/// The answers of one outer aggregation: for each distinct requested (outer key, cutoff), the
/// aggregate over every part's rows with that key visible at the cutoff. Returns the keys, the
/// cutoffs and the values (one array per output).
pub fn answer(
    graph: &FeatureGraph,
    spec: &OuterSpec,
    contributions: &[RecordBatch],
    requests: &[(ArrayRef, Vec<i64>)],
    include_cutoff_time: bool,
    key_is_int: bool,
) -> Result<(ArrayRef, Vec<i64>, Vec<ArrayRef>)> {
    let feat = &graph.features[spec.feature];
    let err = |m: String| Error::feature(&feat.unique_name, m);
    let Kind::Aggregation {
        bases,
        primitive,
        where_,
        ..
    } = &feat.kind
    else {
        return Err(err("is not an aggregation".into()));
    };
    let whole = match contributions.first() {
        Some(first) => arrow_select::concat::concat_batches(&first.schema(), contributions)
            .map_err(|e| err(e.to_string()))?,
        None => return Err(err("no part sent its rows".into())),
    };
    let mut interner = Interner::new(key_is_int);
    let keys: Vec<u32> = interner.ids(whole.column(0));
    let times = whole
        .column(1)
        .as_any()
        .downcast_ref::<Int64Array>()
        .ok_or_else(|| err("malformed rows".into()))?
        .values()
        .clone();
    let mask = match where_ {
        Some(_) => Some(
            arrow_cast::cast(whole.column(3 + bases.len()), &DataType::Boolean)
                .map_err(|e| err(e.to_string()))?,
        ),
        None => None,
    };
    let mask = mask.as_ref().map(|m| {
        m.as_any()
            .downcast_ref::<BooleanArray>()
            .expect("boolean")
            .clone()
    });
    // Rows by key, in time order; rows with no time or excluded by `where` never count.
    let n_keys = interner.len();
    let mut starts = vec![0usize; n_keys + 1];
    let keep = |i: usize| {
        keys[i] != NO_KEY
            && times[i] != NULL_TIME
            && mask.as_ref().is_none_or(|m| m.is_valid(i) && m.value(i))
    };
    for (i, &k) in keys.iter().enumerate() {
        if keep(i) {
            starts[k as usize + 1] += 1;
        }
    }
    for k in 0..n_keys {
        starts[k + 1] += starts[k];
    }
    let mut fill = starts.clone();
    let mut rows = vec![0u32; starts[n_keys]];
    for (i, &k) in keys.iter().enumerate() {
        if keep(i) {
            rows[fill[k as usize]] = i as u32;
            fill[k as usize] += 1;
        }
    }
    for k in 0..n_keys {
        rows[starts[k]..starts[k + 1]].sort_by_key(|&i| (times[i as usize], i));
    }
    // Distinct requests.
    let req_arrays: Vec<&dyn Array> = requests.iter().map(|(k, _)| k.as_ref()).collect();
    let all_keys = if req_arrays.is_empty() {
        arrow_array::new_empty_array(&DataType::Int64)
    } else {
        arrow_select::concat::concat(&req_arrays).map_err(|e| err(e.to_string()))?
    };
    let all_times: Vec<i64> = requests
        .iter()
        .flat_map(|(_, t)| t.iter().copied())
        .collect();
    let req_ids = interner.ids(&all_keys);
    let mut seen: HashMap<(u32, i64), ()> = HashMap::new();
    let mut picked: Vec<u32> = Vec::new();
    let mut ranges = Vec::new();
    for (i, &k) in req_ids.iter().enumerate() {
        if k == NO_KEY {
            continue;
        }
        let t = all_times[i];
        if seen.insert((k, t), ()).is_some() {
            continue;
        }
        picked.push(i as u32);
        let (start, end) = if (k as usize) < n_keys {
            (starts[k as usize], starts[k as usize + 1])
        } else {
            (0, 0)
        };
        let visible = rows[start..end].partition_point(|&r| {
            let x = times[r as usize];
            if include_cutoff_time {
                x <= t
            } else {
                x < t
            }
        });
        ranges.push((start, start + visible));
    }
    let inputs: Vec<ArrayRef> = (0..bases.len())
        .map(|i| whole.column(3 + i).clone())
        .collect();
    let his = whole
        .column(2)
        .as_any()
        .downcast_ref::<Int64Array>()
        .ok_or_else(|| err("malformed rows".into()))?
        .values()
        .clone();
    let values = if rows.iter().any(|&r| his[r as usize] != i64::MAX) {
        let req_t: Vec<i64> = picked.iter().map(|&i| all_times[i as usize]).collect();
        sweep_windowed(primitive, &inputs, &rows, &ranges, &his, &req_t).map_err(err)?
    } else {
        sweep(primitive, &inputs, &rows, &ranges).map_err(err)?
    };
    let idx = UInt32Array::from(picked.clone());
    let out_keys =
        arrow_select::take::take(all_keys.as_ref(), &idx, None).map_err(|e| err(e.to_string()))?;
    let out_times = picked.iter().map(|&i| all_times[i as usize]).collect();
    Ok((out_keys, out_times, values))
}

/// Answers prefix groups (each `(start, end)` a prefix of one key's time-ordered rows) in one
/// sweep per key: rows are added as the cutoff grows, so the work is O(rows + requests · log)
/// rather than O(requests · rows). The accumulators follow the batch kernels ([`primitives`]):
/// Kahan sums in time order, Welford moments for STD and SKEW, counts for MODE (ties to the
/// smaller value) and NUM_UNIQUE.
fn sweep(
    p: &Primitive,
    inputs: &[ArrayRef],
    rows: &[u32],
    ranges: &[(usize, usize)],
) -> std::result::Result<Vec<ArrayRef>, String> {
    use arrow_array::Float64Array;
    let input = inputs.first().ok_or("aggregation without input")?;
    // Requests of one key share `start`; visit them by prefix length.
    let mut order: Vec<usize> = (0..ranges.len()).collect();
    order.sort_by_key(|&q| ranges[q]);
    let n = ranges.len();
    let numeric = matches!(
        p,
        Primitive::Sum
            | Primitive::Mean { .. }
            | Primitive::Std
            | Primitive::Skew
            | Primitive::Max
            | Primitive::Min
            | Primitive::PercentTrue
            | Primitive::NumTrue
    );
    let vals: Vec<f64> = if numeric {
        primitives::to_f64(input)?
    } else {
        Vec::new()
    };
    let ranks: Vec<u32> = if matches!(p, Primitive::Mode | Primitive::NumUnique) {
        primitives::rank_codes(input)?
    } else {
        Vec::new()
    };
    let mut out_f = vec![f64::NAN; n];
    let mut out_i: Vec<Option<i64>> = vec![None; n];
    let mut out_r: Vec<Option<u32>> = vec![None; n];
    let mut k = 0;
    while k < order.len() {
        let start = ranges[order[k]].0;
        let mut acc = Acc::default();
        let mut at = start;
        while k < order.len() && ranges[order[k]].0 == start {
            let q = order[k];
            let end = ranges[q].1;
            while at < end {
                let r = rows[at];
                acc.add(p, r, &vals, &ranks, input.is_valid(r as usize));
                at += 1;
            }
            let m = end - start;
            match p {
                Primitive::Count => out_i[q] = Some(acc.n as i64),
                Primitive::NumTrue => out_i[q] = Some(acc.trues as i64),
                Primitive::NumUnique => out_i[q] = (m > 0).then_some(acc.distinct as i64),
                Primitive::Mode => out_r[q] = acc.mode,
                Primitive::PercentTrue => {
                    out_f[q] = if m > 0 {
                        acc.trues as f64 / m as f64
                    } else {
                        f64::NAN
                    }
                }
                _ => out_f[q] = acc.value(p),
            }
            k += 1;
        }
    }
    Ok(vec![match p {
        Primitive::Count | Primitive::NumTrue | Primitive::NumUnique => {
            Arc::new(Int64Array::from(out_i)) as ArrayRef
        }
        Primitive::Mode => primitives::decode_codes(input, out_r)?,
        _ => Arc::new(
            out_f
                .into_iter()
                .map(|x| (!x.is_nan()).then_some(x))
                .collect::<Float64Array>(),
        ),
    }])
}

/// Running state of one key's sweep.
#[derive(Default)]
struct Acc {
    n: usize,
    sum: f64,
    comp: f64,
    mean: f64,
    m2: f64,
    m3: f64,
    max: f64,
    min: f64,
    trues: usize,
    counts: HashMap<u32, usize>,
    distinct: usize,
    mode: Option<u32>,
    best: usize,
}

impl Acc {
    fn add(&mut self, p: &Primitive, r: u32, vals: &[f64], ranks: &[u32], valid: bool) {
        match p {
            Primitive::Count => self.n += valid as usize,
            Primitive::Mode | Primitive::NumUnique => {
                let v = ranks[r as usize];
                if v == u32::MAX {
                    return;
                }
                let c = self.counts.entry(v).or_insert(0);
                *c += 1;
                if *c == 1 {
                    self.distinct += 1;
                }
                if *c > self.best || (*c == self.best && self.mode.is_none_or(|m| v < m)) {
                    self.best = *c;
                    self.mode = Some(v);
                }
            }
            Primitive::PercentTrue | Primitive::NumTrue => {
                self.trues += (vals[r as usize] == 1.0) as usize
            }
            _ => {
                let x = vals[r as usize];
                if x.is_nan() {
                    return;
                }
                if self.n == 0 {
                    self.max = x;
                    self.min = x;
                } else {
                    self.max = self.max.max(x);
                    self.min = self.min.min(x);
                }
                // Kahan sum, as the batch kernel, in the same (time) order.
                let y = x - self.comp;
                let t = self.sum + y;
                self.comp = (t - self.sum) - y;
                self.sum = t;
                // Running central moments (Welford, Terriberry).
                let n1 = self.n as f64;
                self.n += 1;
                let n = self.n as f64;
                let delta = x - self.mean;
                let dn = delta / n;
                let term = delta * dn * n1;
                self.m3 += term * dn * (n - 2.0) - 3.0 * dn * self.m2;
                self.m2 += term;
                self.mean += dn;
            }
        }
    }

    fn value(&self, p: &Primitive) -> f64 {
        let n = self.n as f64;
        match p {
            Primitive::Sum => self.sum,
            Primitive::Mean { .. } if self.n > 0 => self.sum / n,
            Primitive::Max if self.n > 0 => self.max,
            Primitive::Min if self.n > 0 => self.min,
            Primitive::Std if self.n > 1 => (self.m2.max(0.0) / (n - 1.0)).sqrt(),
            Primitive::Skew if self.n > 2 => {
                // pandas nanskew, with its `_zero_out_fperr` on the moments.
                let m2 = if self.m2.abs() < 1e-14 { 0.0 } else { self.m2 };
                let m3 = if self.m3.abs() < 1e-14 { 0.0 } else { self.m3 };
                if m2 == 0.0 {
                    0.0
                } else {
                    (n * (n - 1.0).sqrt() / (n - 2.0)) * (m3 / m2.powf(1.5))
                }
            }
            _ => f64::NAN,
        }
    }
}

/// Like [`sweep`] for rows that also stop counting (training window, use_previous): row `r`
/// counts for a cutoff `t` from its time on while `t < his[r]`. Rows enter in time order and
/// leave through a min-heap of their ends, so each row is added and removed once per key.
fn sweep_windowed(
    p: &Primitive,
    inputs: &[ArrayRef],
    rows: &[u32],
    ranges: &[(usize, usize)],
    his: &[i64],
    req_t: &[i64],
) -> std::result::Result<Vec<ArrayRef>, String> {
    use arrow_array::Float64Array;
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let input = inputs.first().ok_or("aggregation without input")?;
    let mut order: Vec<usize> = (0..ranges.len()).collect();
    order.sort_by_key(|&q| (ranges[q].0, req_t[q], ranges[q].1));
    let n = ranges.len();
    let vals: Vec<f64> = if matches!(p, Primitive::Mode | Primitive::NumUnique | Primitive::Count) {
        Vec::new()
    } else {
        primitives::to_f64(input)?
    };
    let ranks: Vec<u32> = if matches!(p, Primitive::Mode | Primitive::NumUnique) {
        primitives::rank_codes(input)?
    } else {
        Vec::new()
    };
    let mut out_f = vec![f64::NAN; n];
    let mut out_i: Vec<Option<i64>> = vec![None; n];
    let mut out_r: Vec<Option<u32>> = vec![None; n];
    let mut k = 0;
    while k < order.len() {
        let start = ranges[order[k]].0;
        let mut acc = WAcc::default();
        let mut heap: BinaryHeap<Reverse<(i64, u32)>> = BinaryHeap::new();
        let mut at = start;
        while k < order.len() && ranges[order[k]].0 == start {
            let q = order[k];
            let t = req_t[q];
            while at < ranges[q].1 {
                let r = rows[at];
                acc.change(p, r, &vals, &ranks, input.is_valid(r as usize), 1);
                heap.push(Reverse((his[r as usize], r)));
                at += 1;
            }
            while let Some(&Reverse((h, r))) = heap.peek() {
                if h > t {
                    break;
                }
                acc.change(p, r, &vals, &ranks, input.is_valid(r as usize), -1);
                heap.pop();
            }
            match p {
                Primitive::Count => out_i[q] = Some(acc.valid),
                Primitive::NumTrue => out_i[q] = Some(acc.trues),
                Primitive::NumUnique => {
                    out_i[q] = (acc.rows > 0)
                        .then(|| acc.counts.values().filter(|&&c| c > 0).count() as i64)
                }
                Primitive::Mode => {
                    out_r[q] = acc
                        .counts
                        .iter()
                        .filter(|(_, &c)| c > 0)
                        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                        .map(|(&v, _)| v)
                }
                Primitive::PercentTrue => {
                    out_f[q] = if acc.rows > 0 {
                        acc.trues as f64 / acc.rows as f64
                    } else {
                        f64::NAN
                    }
                }
                _ => out_f[q] = acc.value(p),
            }
            k += 1;
        }
    }
    Ok(vec![match p {
        Primitive::Count | Primitive::NumTrue | Primitive::NumUnique => {
            Arc::new(Int64Array::from(out_i)) as ArrayRef
        }
        Primitive::Mode => primitives::decode_codes(input, out_r)?,
        _ => Arc::new(
            out_f
                .into_iter()
                .map(|x| (!x.is_nan()).then_some(x))
                .collect::<Float64Array>(),
        ),
    }])
}

/// Running state with removal: counts, Kahan sums, power sums about a shift (for STD and
/// SKEW), and a multiset of values (for MAX and MIN).
#[derive(Default)]
struct WAcc {
    rows: i64,
    valid: i64,
    n: i64,
    trues: i64,
    sum: f64,
    comp: f64,
    shift: Option<f64>,
    s1: f64,
    s2: f64,
    s3: f64,
    values: std::collections::BTreeMap<i64, (f64, i64)>,
    counts: HashMap<u32, i64>,
}

impl WAcc {
    fn change(&mut self, p: &Primitive, r: u32, vals: &[f64], ranks: &[u32], valid: bool, d: i64) {
        self.rows += d;
        self.valid += if valid { d } else { 0 };
        match p {
            Primitive::Count => {}
            Primitive::Mode | Primitive::NumUnique => {
                let v = ranks[r as usize];
                if v != u32::MAX {
                    *self.counts.entry(v).or_insert(0) += d;
                }
            }
            Primitive::PercentTrue | Primitive::NumTrue => {
                self.trues += if vals[r as usize] == 1.0 { d } else { 0 }
            }
            _ => {
                let x = vals[r as usize];
                if x.is_nan() {
                    return;
                }
                self.n += d;
                let y = d as f64 * x - self.comp;
                let t = self.sum + y;
                self.comp = (t - self.sum) - y;
                self.sum = t;
                let k = *self.shift.get_or_insert(x);
                let z = x - k;
                self.s1 += d as f64 * z;
                self.s2 += d as f64 * z * z;
                self.s3 += d as f64 * z * z * z;
                let e = self
                    .values
                    .entry(crate::time::numeric_time_key(x))
                    .or_insert((x, 0));
                e.1 += d;
                if e.1 == 0 {
                    self.values.remove(&crate::time::numeric_time_key(x));
                }
            }
        }
    }

    fn value(&self, p: &Primitive) -> f64 {
        let n = self.n as f64;
        let m2 = || (self.s2 - self.s1 * self.s1 / n).max(0.0);
        match p {
            Primitive::Sum => {
                if self.n == 0 {
                    0.0
                } else {
                    self.sum
                }
            }
            Primitive::Mean { .. } if self.n > 0 => self.sum / n,
            Primitive::Max if self.n > 0 => self
                .values
                .values()
                .next_back()
                .map(|v| v.0)
                .unwrap_or(f64::NAN),
            Primitive::Min if self.n > 0 => {
                self.values.values().next().map(|v| v.0).unwrap_or(f64::NAN)
            }
            Primitive::Std if self.n > 1 => (m2() / (n - 1.0)).sqrt(),
            Primitive::Skew if self.n > 2 => {
                let m3 = self.s3 - 3.0 * self.s1 * self.s2 / n + 2.0 * self.s1.powi(3) / (n * n);
                let m2 = m2();
                let m2 = if m2.abs() < 1e-14 { 0.0 } else { m2 };
                let m3 = if m3.abs() < 1e-14 { 0.0 } else { m3 };
                if m2 == 0.0 {
                    0.0
                } else {
                    (n * (n - 1.0).sqrt() / (n - 2.0)) * (m3 / m2.powf(1.5))
                }
            }
            _ => f64::NAN,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::primitives::Groups;
    use arrow_array::{Float64Array, StringArray};

    /// The sweep's answers equal the batch kernels' on the same prefixes (a small LCG makes the
    /// data: values with missing ones and ties, two keys, many overlapping prefixes).
    #[test]
    fn sweep_matches_the_batch_kernels() {
        let mut seed = 7u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as u32
        };
        let n = 300;
        let nums: ArrayRef = Arc::new(
            (0..n)
                .map(|_| {
                    let v = next() % 50;
                    (v > 3).then_some(v as f64 / 3.0)
                })
                .collect::<Float64Array>(),
        );
        let cats: ArrayRef = Arc::new(
            (0..n)
                .map(|_| {
                    let v = next() % 6;
                    (v > 0).then(|| ["a", "b", "c", "d", "e"][v as usize - 1])
                })
                .collect::<StringArray>(),
        );
        let bools: ArrayRef = Arc::new(
            (0..n)
                .map(|_| {
                    let v = next() % 3;
                    (v > 0).then_some(v == 1)
                })
                .collect::<arrow_array::BooleanArray>(),
        );
        let rows: Vec<u32> = (0..n as u32).collect();
        let mut ranges = Vec::new();
        for _ in 0..200 {
            let start = if next() % 2 == 0 { 0 } else { 150 };
            ranges.push((start, start + (next() % 150) as usize));
        }
        let groups = Groups {
            offsets: Vec::new(),
            rows: rows.clone(),
            ranges: Some(ranges.clone()),
        };
        use Primitive::*;
        for (p, input) in [
            (Count, &nums),
            (Sum, &nums),
            (Mean { skipna: true }, &nums),
            (Std, &nums),
            (Skew, &nums),
            (Max, &nums),
            (Min, &nums),
            (Mode, &cats),
            (NumUnique, &cats),
            (PercentTrue, &bools),
            (NumTrue, &bools),
        ] {
            let a = sweep(&p, std::slice::from_ref(input), &rows, &ranges).unwrap();
            let b = primitives::aggregate(&p, std::slice::from_ref(input), &groups).unwrap();
            for i in 0..ranges.len() {
                let (x, y) = (crate::matrix::cell(&a[0], i), crate::matrix::cell(&b[0], i));
                match (x.parse::<f64>(), y.parse::<f64>()) {
                    (Ok(u), Ok(v)) => assert!(
                        (u - v).abs() <= 1e-9 * v.abs().max(1.0),
                        "{p:?} group {i}: {u} vs {v}"
                    ),
                    _ => assert_eq!(x, y, "{p:?} group {i}"),
                }
            }
        }
    }

    /// With rows that stop counting, the windowed sweep equals aggregating, for each request, the
    /// rows whose interval holds the cutoff (brute force).
    #[test]
    fn windowed_sweep_matches_brute_force() {
        let mut seed = 11u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as u32
        };
        let n = 200;
        let nums: ArrayRef = Arc::new(
            (0..n)
                .map(|_| {
                    let v = next() % 40;
                    (v > 2).then_some(v as f64 * 1.5)
                })
                .collect::<Float64Array>(),
        );
        let cats: ArrayRef = Arc::new(
            (0..n)
                .map(|_| {
                    let v = next() % 5;
                    (v > 0).then(|| ["a", "b", "c", "d"][v as usize - 1])
                })
                .collect::<StringArray>(),
        );
        let bools: ArrayRef = Arc::new(
            (0..n)
                .map(|_| Some(next() % 2 == 0))
                .collect::<arrow_array::BooleanArray>(),
        );
        // One key: rows sorted by start time lo = row index; each ends at hi.
        let rows: Vec<u32> = (0..n as u32).collect();
        let his: Vec<i64> = (0..n)
            .map(|i| i as i64 + 1 + (next() % 60) as i64)
            .collect();
        let mut ranges = Vec::new();
        let mut req_t = Vec::new();
        for _ in 0..150 {
            let t = (next() % (n as u32 + 20)) as i64;
            ranges.push((0usize, ((t + 1) as usize).min(n)));
            req_t.push(t);
        }
        use Primitive::*;
        for (p, input) in [
            (Count, &nums),
            (Sum, &nums),
            (Mean { skipna: true }, &nums),
            (Std, &nums),
            (Skew, &nums),
            (Max, &nums),
            (Min, &nums),
            (Mode, &cats),
            (NumUnique, &cats),
            (PercentTrue, &bools),
            (NumTrue, &bools),
        ] {
            let got = sweep_windowed(
                &p,
                std::slice::from_ref(input),
                &rows,
                &ranges,
                &his,
                &req_t,
            )
            .unwrap();
            let mut offsets = vec![0];
            let mut sel = Vec::new();
            for (q, &(_, end)) in ranges.iter().enumerate() {
                sel.extend((0..end as u32).filter(|&r| his[r as usize] > req_t[q]));
                offsets.push(sel.len());
            }
            let groups = Groups {
                offsets,
                rows: sel,
                ranges: None,
            };
            let want = primitives::aggregate(&p, std::slice::from_ref(input), &groups).unwrap();
            for q in 0..ranges.len() {
                let (x, y) = (
                    crate::matrix::cell(&got[0], q),
                    crate::matrix::cell(&want[0], q),
                );
                let empty = groups.get(q).is_empty();
                match (x.parse::<f64>(), y.parse::<f64>()) {
                    (Ok(u), Ok(v)) => assert!(
                        (u - v).abs() <= 1e-9 * v.abs().max(1.0),
                        "{p:?} request {q}: {u} vs {v}"
                    ),
                    // Empty groups get the feature's default afterwards; only the values differ in form.
                    _ if empty => {}
                    _ => assert_eq!(x, y, "{p:?} request {q}"),
                }
            }
        }
    }
}
