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
use crate::primitives;
use crate::primitives::agg::Builtin;
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
    /// Its inputs (or `where`) depend on the cutoff time: AGE, direct features of parents,
    /// nested aggregations, columns under a secondary time index. The parts then evaluate them
    /// at each cutoff requested for the row's outer key ([`contributions_at`]).
    pub timed: bool,
}

/// Whether the outer keys of `spec` (the index of its first relationship's parent) are integers.
pub fn key_is_int(schema: &crate::schema::EntitySetSchema, spec: &OuterSpec) -> bool {
    let rel = &schema.relationships[spec.relationship];
    schema
        .dataframe(&rel.parent_dataframe_name)
        .and_then(|p| p.column(&p.index))
        .is_some_and(|c| c.storage() == crate::schema::Storage::Int64)
}

/// The graph that computes an aggregation's inputs (and `where` mask) on its child dataframe.
fn inputs_graph(graph: &FeatureGraph, bases: &[usize], where_: &Option<usize>) -> FeatureGraph {
    FeatureGraph {
        features: graph.features.clone(),
        requested: bases.iter().chain(where_.iter()).copied().collect(),
    }
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

/// Which nodes of a plan reach only rows that a part owns, in a part of these shards: the
/// target's rows (the part's instances), then each step that keeps rows with their owner. A
/// step down a tree link from owned rows gives owned rows (a parent owns all its children
/// through its tree link); a step up a tree link from owned rows gives their owner's rows. Any
/// other step may reach copies, whose children are spread over the parts.
/// (`ftpart_partitioner`'s crate docs give the rule for which rows a part holds.)
fn owned_nodes(shards: &Shards, plan: &Plan) -> Vec<bool> {
    let m = &shards.manifest;
    let tree_link = |rel: usize| {
        let child = &shards.schema.relationships[rel].child_dataframe_name;
        m.tree_links.get(child) == Some(&rel)
    };
    let mut owned = vec![false; plan.nodes.len()];
    for (n, node) in plan.nodes.iter().enumerate() {
        owned[n] = match node.parent {
            None => true,
            Some((p, Step::Backward(rel) | Step::Forward(rel))) => owned[p] && tree_link(rel),
            // Every row of the dataframe the part holds, less its copies: owned rows only.
            Some((_, Step::Full)) => true,
            Some((p, Step::Fetched)) => owned[p],
        };
    }
    owned
}

/// Finds the aggregations of the plan that reach outside a part, checking that each can be
/// answered exactly; a feature that cannot is an error naming it.
///
/// An aggregation is computed inside the part when the rows it aggregates are all owned by the
/// part that owns the rows it is computed for ([`owned_nodes`]). Any other is answered across
/// parts: each part sends the rows it owns of the aggregation's child dataframe, keyed by the
/// parent row they count for (found by walking up the path in the part, which holds every row
/// its rows refer to), and the coordinator answers every (parent row, cutoff) the instances
/// need. It is refused by name when its inputs would themselves need rows of other parts.
pub fn find(shards: &Shards, graph: &FeatureGraph) -> Result<Vec<OuterSpec>> {
    let m = &shards.manifest;
    if m.parts.len() == 1 {
        return Ok(Vec::new()); // one part owns every row: it is the whole entity set
    }
    let empty = EntitySet::empty(shards.schema.clone())?;
    let plan = Plan::build(&empty, graph)?;
    let owned = owned_nodes(shards, &plan);
    // The node an aggregation placed at `node` aggregates the rows of.
    let leaf_node = |node: usize, path: &[crate::schema::Relationship]| {
        path.iter().fold(node, |n, r| {
            let rel = empty.relationship_position(r).expect("planned");
            plan.find_child(n, Step::Backward(rel))
        })
    };
    refuse_whole_dataframe_transforms(shards, graph, &plan, &owned)?;
    let mut across: Vec<(usize, usize)> = Vec::new();
    for &(f, node) in &plan.placements {
        if let Kind::Aggregation { path, .. } = &graph.features[f].kind {
            let leaf = leaf_node(node, path);
            if !owned[leaf] {
                across.push((f, leaf));
            }
        }
    }
    // Nodes at and below an aggregation answered across parts are evaluated by the parts that
    // own its child rows, as its inputs: aggregations among them are not answered on their own.
    let mut inside = vec![false; plan.nodes.len()];
    for &(_, leaf) in &across {
        inside[leaf] = true;
    }
    for (n, node) in plan.nodes.iter().enumerate() {
        if let Some((p, _)) = node.parent {
            inside[n] |= inside[p];
        }
    }
    let mut specs: Vec<OuterSpec> = Vec::new();
    for &(f, node) in &plan.placements {
        if inside[node] {
            continue;
        }
        let feat = &graph.features[f];
        let Kind::Aggregation {
            bases,
            path,
            where_,
            use_previous,
            primitive,
        } = &feat.kind
        else {
            continue;
        };
        if owned[leaf_node(node, path)] {
            continue;
        }
        let r = &path[0];
        let rel = empty.relationship_position(r).expect("planned");
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
        let leaf = &path[path.len() - 1].child_dataframe_name;
        if matches!(
            use_previous,
            Some(crate::features::UsePrevious::Observations(_))
        ) && shards
            .schema
            .dataframe(leaf)
            .is_none_or(|d| d.time_index.is_none())
        {
            return refuse("it counts use_previous in observations of a dataframe without a time index, whose order the parts do not keep");
        }
        if primitive.aggregation().is_some_and(|a| a.order_dependent())
            && shards
                .schema
                .dataframe(leaf)
                .is_none_or(|d| d.time_index.is_none())
        {
            return refuse(&format!("{primitive:?} reads them in order, and the order of a dataframe without a time index is not kept across the parts"));
        }
        let leaf_df = empty.df_position(leaf)?;
        let mut timed = false;
        for &b in bases.iter().chain(where_.iter()) {
            timed |= calc::row_local(&empty, graph, leaf_df, b)?.is_none();
        }
        if timed {
            // The parts evaluate such inputs for the child rows they own: those inputs must
            // not reach rows of other parts themselves.
            let sub = inputs_graph(graph, bases, where_);
            let sub_plan = Plan::build(&empty, &sub)?;
            let sub_owned = owned_nodes(shards, &sub_plan);
            if let Some((n, _)) = sub_plan.nodes.iter().enumerate().find(|&(n, node)| {
                !sub_owned[n] && matches!(node.parent, Some((_, Step::Backward(_))))
            }) {
                let Some((_, Step::Backward(rel))) = sub_plan.nodes[n].parent else {
                    unreachable!("found a backward step")
                };
                let x = &shards.schema.relationships[rel];
                return refuse(&format!(
                    "its inputs, which depend on the cutoff time, themselves aggregate '{}' rows of each '{}' row across parts",
                    x.child_dataframe_name, x.parent_dataframe_name
                ));
            }
        }
        if !specs.iter().any(|s| s.feature == f) {
            specs.push(OuterSpec {
                feature: f,
                relationship: rel,
                path: rels,
                timed,
            });
        }
    }
    Ok(specs)
}

/// Transforms that read the whole dataframe (`uses_full_dataframe`: cumulative, rolling, lag,
/// diff, percentile...) see every row of it visible at the cutoff, and those rows are spread over
/// the parts. A part computes one exactly only as a group-by transform whose groups each lie in
/// one part (grouped by the dataframe's index, or by the key of its tree link, whose rows all
/// belong to the owner of their parent) for rows it owns; any other is refused by name.
fn refuse_whole_dataframe_transforms(
    shards: &Shards,
    graph: &FeatureGraph,
    plan: &Plan,
    owned: &[bool],
) -> Result<()> {
    let m = &shards.manifest;
    for &(f, node) in &plan.placements {
        if !plan.is_full(node) && !plan.is_fetched(node) {
            continue;
        }
        let feat = &graph.features[f];
        let (primitive, groupby) = match &feat.kind {
            Kind::Transform { primitive, .. } => (primitive, None),
            Kind::GroupByTransform {
                primitive, groupby, ..
            } => (primitive, Some(*groupby)),
            _ => continue,
        };
        if !primitive.uses_full_dataframe() && !graph.reads_frame(f, &shards.schema) {
            continue;
        }
        let text_dates = graph.compares_dates_with_text(f, &shards.schema);
        let df = &shards.schema.dataframes[plan.nodes[node].df];
        let parent_owned = plan.nodes[node].parent.is_some_and(|(p, _)| owned[p]);
        let key = groupby.and_then(|g| match &graph.features[g].kind {
            Kind::Identity { column } => Some(column.as_str()),
            _ => None,
        });
        let tree_key = m
            .tree_links
            .get(&df.name)
            .map(|&rel| shards.schema.relationships[rel].child_column_name.as_str());
        // Rows sharing a dangling tree key are in one part too (shard format version 3).
        let whole_groups = key.is_some_and(|k| k == df.index || Some(k) == tree_key);
        if parent_owned && whole_groups {
            continue;
        }
        let why = match key {
            Some(k) => format!("its groups by '{k}' are spread over the parts"),
            None => "and they are spread over the parts".to_string(),
        };
        let rows = if primitive.uses_full_dataframe() {
            "every row of '{}' visible at the cutoff (featuretools' uses_full_dataframe)"
        } else if text_dates {
            "the '{}' rows of every instance computed at the same cutoff (a datetime against text: pandas reads the strings as dates only when every one of them is a date)"
        } else {
            "the '{}' rows of every instance computed at the same cutoff, in order"
        }
        .replace("{}", &df.name);
        return Err(Error::feature(
            &feat.unique_name,
            format!(
                "{primitive:?} reads {rows}, {why} of shards split by '{}'; compute it with `ftpart calculate`, or split into one part",
                m.root
            ),
        ));
    }
    Ok(())
}

/// An aggregation's inputs, `where` and `use_previous`.
type AggregationParts<'g> = (
    &'g [usize],
    &'g Option<usize>,
    &'g Option<crate::features::UsePrevious>,
);

/// An aggregation's parts, or an error naming it.
fn aggregation<'g>(graph: &'g FeatureGraph, spec: &OuterSpec) -> Result<AggregationParts<'g>> {
    match &graph.features[spec.feature].kind {
        Kind::Aggregation {
            bases,
            where_,
            use_previous,
            ..
        } => Ok((bases, where_, use_previous)),
        _ => Err(Error::feature(
            &graph.features[spec.feature].unique_name,
            "is not an aggregation",
        )),
    }
}

/// A part's contributions to an outer aggregation: its rows of the child dataframe as
/// `__key` (the outer key), `__time`, `__hi`, the inputs, then the `where` mask if any.
pub fn contributions(
    es: &EntitySet,
    graph: &FeatureGraph,
    spec: &OuterSpec,
    time: &TimeOptions,
) -> Result<RecordBatch> {
    let (bases, where_, _) = aggregation(graph, spec)?;
    let (leaf, key, times, his) = leaf_rows(es, graph, spec, time)?;
    let mut cols: Vec<(String, ArrayRef)> = vec![
        ("__key".into(), key),
        ("__time".into(), Arc::new(Int64Array::from(times))),
        ("__hi".into(), Arc::new(Int64Array::from(his))),
    ];
    if with_row_ids(graph, spec) {
        cols.push(("__row".into(), row_ids(es, leaf, None)?));
        cols.push(("__own".into(), own_times(es, leaf, None)));
    }
    for (i, &b) in bases.iter().chain(where_.iter()).enumerate() {
        let v = calc::row_local(es, graph, leaf, b)?.ok_or_else(|| {
            Error::feature(&graph.features[b].unique_name, "depends on the cutoff time")
        })?;
        cols.push((format!("__in{i}"), v));
    }
    crate::matrix::named_batch(cols, "outer aggregation")
}

/// [`contributions`] for an aggregation whose inputs depend on the cutoff
/// ([`OuterSpec::timed`]): one row per (child row, cutoff requested for its outer key at which it
/// counts), with the cutoff as `__at` and the inputs evaluated at that cutoff. `requests` holds
/// the (`__key`, `__time`) pairs every part needs.
///
/// Work grows with those (row, cutoff) pairs: with one cutoff for all instances, once per row;
/// with per-instance cutoffs, once per row and distinct cutoff requested for its key, as
/// featuretools does for every feature.
pub fn contributions_at(
    es: &EntitySet,
    graph: &FeatureGraph,
    spec: &OuterSpec,
    time: &TimeOptions,
    requests: &RecordBatch,
) -> Result<RecordBatch> {
    let name = &graph.features[spec.feature].unique_name;
    let (bases, where_, _) = aggregation(graph, spec)?;
    let (leaf, key, times, his) = leaf_rows(es, graph, spec, time)?;
    let mut interner = Interner::new(key_is_int(&es.schema, spec));
    let row_keys = interner.ids(&key);
    let req_keys = interner.ids(requests.column(0));
    let req_times = requests
        .column(1)
        .as_any()
        .downcast_ref::<Int64Array>()
        .ok_or_else(|| Error::feature(name, "malformed requests"))?;
    let mut cutoffs: Vec<Vec<i64>> = vec![Vec::new(); interner.len()];
    for (&k, t) in req_keys.iter().zip(req_times.values()) {
        if k != NO_KEY {
            cutoffs[k as usize].push(*t);
        }
    }
    for c in &mut cutoffs {
        c.sort_unstable();
        c.dedup();
    }
    let (mut rows, mut at) = (Vec::new(), Vec::new());
    for (i, &k) in row_keys.iter().enumerate() {
        if k == NO_KEY || times[i] == NULL_TIME {
            continue;
        }
        // The cutoffs at which the row counts: from its time on, until its end.
        let cs = &cutoffs[k as usize];
        let from = cs.partition_point(|&c| !time.sees(times[i], c));
        let to = cs.partition_point(|&c| c < his[i]);
        for &c in cs.get(from..to).unwrap_or_default() {
            rows.push(i as u32);
            at.push(c);
        }
    }
    let queries: Vec<calc::Query> = rows
        .iter()
        .zip(&at)
        .map(|(&r, &t)| calc::Query {
            row: Some(r),
            time: t,
        })
        .collect();
    let sub = inputs_graph(graph, bases, where_);
    let values = calc::calculate(es, &sub, &queries, time)?;
    if values.len() != sub.requested.len() {
        return Err(Error::feature(name, "an input has several outputs"));
    }
    let idx = UInt32Array::from(rows);
    let take = |a: &ArrayRef| {
        arrow_select::take::take(a.as_ref(), &idx, None)
            .map_err(|e| Error::arrow("outer aggregation", e))
    };
    let pick = |v: &[i64]| -> ArrayRef {
        Arc::new(Int64Array::from_iter_values(
            idx.values().iter().map(|&r| v[r as usize]),
        ))
    };
    let mut cols: Vec<(String, ArrayRef)> = vec![
        ("__key".into(), take(&key)?),
        ("__time".into(), pick(&times)),
        ("__hi".into(), pick(&his)),
        ("__at".into(), Arc::new(Int64Array::from(at))),
    ];
    if with_row_ids(graph, spec) {
        cols.push(("__row".into(), row_ids(es, leaf, Some(&idx))?));
        cols.push(("__own".into(), own_times(es, leaf, Some(&idx))));
    }
    for (i, v) in values.into_iter().enumerate() {
        cols.push((format!("__in{i}"), v));
    }
    crate::matrix::named_batch(cols, "outer aggregation")
}

/// Whether the parts send each child row's index and own time: to put the rows in the child
/// dataframe's order (use_previous in observations, and primitives that read the rows in order).
fn with_row_ids(graph: &FeatureGraph, spec: &OuterSpec) -> bool {
    match &graph.features[spec.feature].kind {
        Kind::Aggregation {
            use_previous,
            primitive,
            ..
        } => {
            primitive.order_dependent()
                || matches!(
                    use_previous,
                    Some(crate::features::UsePrevious::Observations(_))
                )
        }
        _ => false,
    }
}

/// The child dataframe's own times of its rows (at `idx`, else all): with their index, the order
/// in which use_previous in observations takes the last n rows.
fn own_times(es: &EntitySet, df: usize, idx: Option<&UInt32Array>) -> ArrayRef {
    let n = es.num_rows(df);
    let at = |r: usize| es.times(df).map_or(ALWAYS, |t| t[r]);
    Arc::new(match idx {
        Some(idx) => Int64Array::from_iter_values(idx.values().iter().map(|&r| at(r as usize))),
        None => Int64Array::from_iter_values((0..n).map(at)),
    })
}

/// The index values of the child dataframe's rows (at `idx`, else all).
fn row_ids(es: &EntitySet, df: usize, idx: Option<&UInt32Array>) -> Result<ArrayRef> {
    let col = es
        .column(df, &es.schema.dataframes[df].index)
        .expect("validated index");
    match idx {
        Some(idx) => arrow_select::take::take(col.as_ref(), idx, None)
            .map_err(|e| Error::arrow("outer aggregation", e)),
        None => Ok(col.clone()),
    }
}

/// The child rows of an outer aggregation in this part: their leaf dataframe, outer keys,
/// times (the latest on the path: when the row starts to count) and ends (`__hi`).
fn leaf_rows(
    es: &EntitySet,
    graph: &FeatureGraph,
    spec: &OuterSpec,
    time: &TimeOptions,
) -> Result<(usize, ArrayRef, Vec<i64>, Vec<i64>)> {
    let (_, _, use_previous) = aggregation(graph, spec)?;
    let last = &es.schema.relationships[*spec.path.last().expect("non-empty path")];
    let leaf = es.df_position(&last.child_dataframe_name)?;
    let n = es.num_rows(leaf);
    // A row also stops counting once the cutoff passes its training window (by time index or
    // last time index, `_handle_time`) or the aggregation's use_previous span: `__hi` is the
    // first cutoff at which it no longer counts.
    let bound = |df: usize, r: usize| -> i64 {
        let (Some(_), Some(ti)) = (time.training_window, es.times(df)) else {
            return i64::MAX;
        };
        let mut x = ti[r];
        if let Some(l) = es.last_times(df) {
            if l[r] != NULL_TIME {
                x = x.max(l[r]);
            }
        }
        time.window_end(x)
    };
    let mut his: Vec<i64> = (0..n).map(|r| bound(leaf, r)).collect();
    if let (Some(crate::features::UsePrevious::Span(up)), Some(ti)) = (use_previous, es.times(leaf))
    {
        for (r, h) in his.iter_mut().enumerate() {
            if ti[r] != NULL_TIME {
                // Counted while `ti >= cutoff - use_previous`.
                *h = (*h).min(up.first_cutoff_reaching(ti[r].saturating_add(1)));
            }
        }
    }
    // Each leaf row counts when it and its ancestors on the path are visible: at the latest of
    // their times. Its outer key is the first step's foreign key on the top ancestor.
    // Only the rows this part owns count: other parts own its copies.
    let mut rows: Vec<u32> = (0..n as u32)
        .map(|r| {
            if es.is_copy(leaf, r) {
                crate::entityset::keys::NO_ROW
            } else {
                r
            }
        })
        .collect();
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
    Ok((leaf, key, times, his))
}

/// What makes two outer aggregations read the same rows from the parts: path, inputs, `where`,
/// use_previous. Aggregations whose inputs depend on the cutoff are
/// evaluated at their own requests and share nothing (`None`).
fn share_key(graph: &FeatureGraph, spec: &OuterSpec) -> Option<String> {
    let (bases, where_, use_previous) = aggregation(graph, spec).ok()?;
    // Rows read in order are ordered otherwise ([`prepare`]).
    let ordered = with_row_ids(graph, spec);
    (!spec.timed).then(|| {
        format!(
            "{:?}|{bases:?}|{where_:?}|{use_previous:?}|{ordered}",
            spec.path
        )
    })
}

/// For each aggregation, the first one in `specs` that reads the same rows ([`share_key`]):
/// parts send those rows once, and the coordinator prepares them once.
pub fn shared_with(graph: &FeatureGraph, specs: &[OuterSpec]) -> Vec<usize> {
    let keys: Vec<Option<String>> = specs.iter().map(|s| share_key(graph, s)).collect();
    (0..specs.len())
        .map(|i| match &keys[i] {
            Some(k) => keys.iter().position(|x| x.as_ref() == Some(k)).unwrap_or(i),
            None => i,
        })
        .collect()
}

/// An outer aggregation's rows from every part, numbered by key and in time order per key:
/// prepared once for every aggregation that reads the same rows ([`shared_with`]).
pub struct Prepared {
    whole: RecordBatch,
    interner: Interner,
    pairs: HashMap<(u32, i64), u32>,
    timed: bool,
    n_keys: usize,
    starts: Vec<usize>,
    rows: Vec<u32>,
    times: arrow_buffer::ScalarBuffer<i64>,
    /// Per row: the first cutoff at which it no longer counts (`__hi`).
    his: arrow_buffer::ScalarBuffer<i64>,
    /// Some row stops counting before the end (training window or use_previous span).
    windowed: bool,
    first_input: usize,
    last: Option<usize>,
    plan: Option<RequestPlan>,
}

/// Joins the parts' rows of an outer aggregation ([`contributions`], [`contributions_at`]) and
/// orders them by key and time.
pub fn prepare(
    graph: &FeatureGraph,
    spec: &OuterSpec,
    contributions: &[RecordBatch],
    key_is_int: bool,
) -> Result<Prepared> {
    let feat = &graph.features[spec.feature];
    let err = |m: String| Error::feature(&feat.unique_name, m);
    let Kind::Aggregation {
        bases,
        where_,
        use_previous,
        primitive,
        ..
    } = &feat.kind
    else {
        return Err(err("is not an aggregation".into()));
    };
    let last = match use_previous {
        Some(crate::features::UsePrevious::Observations(n)) => Some(*n),
        _ => None,
    };
    let whole = match contributions.first() {
        Some(first) => concat_keeping_categories(&first.schema(), contributions).map_err(err)?,
        None => return Err(err("no part sent its rows".into())),
    };
    let mut interner = Interner::new(key_is_int);
    let mut keys: Vec<u32> = interner.ids(whole.column(0));
    // Rows evaluated at a cutoff (`contributions_at`) only answer requests at that cutoff: they
    // are grouped by (key, cutoff) instead of key.
    let at = match whole.column_by_name("__at") {
        Some(a) => Some(
            a.as_any()
                .downcast_ref::<Int64Array>()
                .ok_or_else(|| err("malformed rows".into()))?
                .clone(),
        ),
        None => None,
    };
    let row_col = whole.column_by_name("__row");
    // `__row` comes with `__own`, the rows' own times.
    let first_input = 3 + usize::from(at.is_some()) + 2 * usize::from(row_col.is_some());
    let row_ids = row_col.map(key_values).unwrap_or_default();
    let own: Vec<i64> = match whole.column_by_name("__own") {
        Some(c) => c
            .as_any()
            .downcast_ref::<Int64Array>()
            .ok_or_else(|| err("malformed rows".into()))?
            .values()
            .to_vec(),
        None => Vec::new(),
    };
    let mut pairs: HashMap<(u32, i64), u32> = HashMap::new();
    if let Some(at) = &at {
        pair_ids(&mut pairs, &mut keys, at.values());
    }
    let int64 = |c: usize| -> Result<arrow_buffer::ScalarBuffer<i64>> {
        Ok(whole
            .column(c)
            .as_any()
            .downcast_ref::<Int64Array>()
            .ok_or_else(|| err("malformed rows".into()))?
            .values()
            .clone())
    };
    let times = int64(1)?;
    let his = int64(2)?;
    let mask = match where_ {
        Some(_) => Some(
            arrow_cast::cast(whole.column(first_input + bases.len()), &DataType::Boolean)
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
    let n_keys = if at.is_some() {
        pairs.len()
    } else {
        interner.len()
    };
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
        let key_rows = &mut rows[starts[k]..starts[k + 1]];
        if last.is_some() || primitive.order_dependent() {
            // The last n rows are taken in the child dataframe's order: its own time, then
            // index (featuretools' `iloc[-n:]` on the child's rows); FIRST, LAST, TREND... read
            // the rows in that order too (featuretools groups the child's rows, in its order).
            if row_ids.is_empty() || own.len() != row_ids.len() {
                return Err(err(
                    "the parts did not send their rows' index and times".into()
                ));
            }
            key_rows.sort_by(|&a, &b| {
                own[a as usize].cmp(&own[b as usize]).then_with(|| {
                    crate::entityset::keys::cmp_keys(&row_ids[a as usize], &row_ids[b as usize])
                })
            });
            // The sweep adds rows as the cutoff passes their times (the latest on the path):
            // exact when that is also their own order. A parent newer than its children
            // (a row counts from its parent's time on) can break it.
            if key_rows
                .windows(2)
                .any(|w| times[w[0] as usize] > times[w[1] as usize])
            {
                let what = if last.is_some() {
                    "it counts use_previous in observations".to_string()
                } else {
                    format!("{primitive:?} reads them in order")
                };
                return Err(err(format!("aggregates rows that are spread over the parts, and {what} along a path whose rows become visible in another order than their own (a parent newer than its children); compute it with `ftpart calculate`")));
            }
        } else {
            key_rows.sort_by_key(|&i| (times[i as usize], i));
        }
    }
    // How rows stop counting, the same for every aggregation reading these rows.
    let windowed = rows.iter().any(|&r| his[r as usize] != i64::MAX);
    if last.is_some() && windowed {
        // The last n of the rows in the window are the last n rows that came, minus those
        // that left the window, when rows leave in the order they came (their ends grow
        // with their times, as under a window on the child's own time index).
        let in_order = (0..n_keys).all(|k| {
            rows[starts[k]..starts[k + 1]]
                .windows(2)
                .all(|w| his[w[0] as usize] <= his[w[1] as usize])
        });
        if !in_order {
            return Err(err("aggregates rows that are spread over the parts, and it counts use_previous in observations under a training window whose rows leave it in another order than they came (last time indexes); compute it with `ftpart calculate`".into()));
        }
    }
    Ok(Prepared {
        whole,
        interner,
        pairs,
        timed: at.is_some(),
        n_keys,
        starts,
        rows,
        times,
        his,
        windowed,
        first_input,
        last,
        plan: None,
    })
}

/// Numbers each (key, cutoff) pair: `keys[i]` becomes the pair id of (`keys[i]`, `times[i]`).
fn pair_ids(pairs: &mut HashMap<(u32, i64), u32>, keys: &mut [u32], times: &[i64]) {
    for (k, &t) in keys.iter_mut().zip(times) {
        if *k != NO_KEY {
            let n = pairs.len() as u32;
            *k = *pairs.entry((*k, t)).or_insert(n);
        }
    }
}

/// The answers of one outer aggregation: for each distinct requested (outer key, cutoff), the
/// aggregate over every part's rows with that key visible at the cutoff.
pub struct Answers {
    /// Outer keys.
    pub keys: ArrayRef,
    /// Cutoffs.
    pub times: Vec<i64>,
    /// Values, one array per output.
    pub values: Vec<ArrayRef>,
    /// For each request (all parts' requests, in the order given): its row above.
    pub answer_of: Vec<Option<u32>>,
}

/// Answers each distinct (key, cutoff) of `requests` (every part's, in part order).
pub fn answer(
    graph: &FeatureGraph,
    spec: &OuterSpec,
    prepared: &mut Prepared,
    requests: &[(ArrayRef, Vec<i64>)],
    time: &TimeOptions,
) -> Result<Answers> {
    let feat = &graph.features[spec.feature];
    let err = |m: String| Error::feature(&feat.unique_name, m);
    let Kind::Aggregation {
        bases, primitive, ..
    } = &feat.kind
    else {
        return Err(err("is not an aggregation".into()));
    };
    // Aggregations over the same rows are usually requested at the same (key, cutoff) pairs:
    // those are resolved once.
    let known = prepared
        .plan
        .as_ref()
        .is_some_and(|p| same_requests(&p.requests, requests));
    if !known {
        prepared.plan = Some(plan_requests(prepared, requests, time).map_err(err)?);
    }
    let Prepared {
        whole,
        rows,
        his,
        windowed,
        first_input,
        last,
        plan,
        ..
    } = &*prepared;
    let (first_input, last) = (*first_input, *last);
    let RequestPlan {
        all_keys,
        all_times,
        picked,
        req_keys,
        req_t,
        ranges,
        answer_of,
        ..
    } = plan.as_ref().expect("planned");
    let inputs: Vec<ArrayRef> = (0..bases.len())
        .map(|i| whole.column(first_input + i).clone())
        .collect();
    let leave = match (last, *windowed) {
        (Some(n), true) => Leave::Either(his, n),
        (Some(n), false) => Leave::After(n),
        (None, true) => Leave::At(his),
        (None, false) => Leave::Never,
    };
    let values = match (primitive.running(), leave) {
        (Some(b), Leave::Never) => sweep::<Acc>(&b, &inputs, rows, ranges, req_keys, req_t, leave),
        (Some(b), _) => sweep::<WAcc>(&b, &inputs, rows, ranges, req_keys, req_t, leave),
        // Every other primitive: its own batch kernel on each request's visible rows.
        (None, _) => primitives::aggregate_at(
            primitive,
            &inputs,
            &visible_groups(rows, ranges, req_t, leave),
            None,
            req_t,
        ),
    }
    .map_err(err)?;
    let idx = UInt32Array::from(picked.clone());
    let out_keys =
        arrow_select::take::take(all_keys.as_ref(), &idx, None).map_err(|e| err(e.to_string()))?;
    let out_times = picked.iter().map(|&i| all_times[i as usize]).collect();
    Ok(Answers {
        keys: out_keys,
        times: out_times,
        values,
        answer_of: answer_of.clone(),
    })
}

/// Requests resolved against prepared rows: each distinct (key, cutoff) and its visible prefix.
struct RequestPlan {
    /// The requests it resolves (every part's, in part order).
    requests: Vec<(ArrayRef, Vec<i64>)>,
    all_keys: ArrayRef,
    all_times: Vec<i64>,
    /// Per distinct request: its first position in the requests.
    picked: Vec<u32>,
    req_keys: Vec<u32>,
    req_t: Vec<i64>,
    ranges: Vec<(usize, usize)>,
    answer_of: Vec<Option<u32>>,
}

fn same_requests(a: &[(ArrayRef, Vec<i64>)], b: &[(ArrayRef, Vec<i64>)]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|((ka, ta), (kb, tb))| ta == tb && ka.as_ref() == kb.as_ref())
}

fn plan_requests(
    prepared: &mut Prepared,
    requests: &[(ArrayRef, Vec<i64>)],
    time: &TimeOptions,
) -> std::result::Result<RequestPlan, String> {
    let Prepared {
        interner,
        pairs,
        timed,
        n_keys,
        starts,
        rows,
        times,
        ..
    } = prepared;
    let n_keys = *n_keys;
    // Distinct requests.
    let req_arrays: Vec<&dyn Array> = requests.iter().map(|(k, _)| k.as_ref()).collect();
    let all_keys = if req_arrays.is_empty() {
        arrow_array::new_empty_array(&DataType::Int64)
    } else {
        arrow_select::concat::concat(&req_arrays).map_err(|e| e.to_string())?
    };
    let all_times: Vec<i64> = requests
        .iter()
        .flat_map(|(_, t)| t.iter().copied())
        .collect();
    let mut req_ids = interner.ids(&all_keys);
    if *timed {
        // Requests at a cutoff no row was evaluated at get a (key, cutoff) group of their own.
        pair_ids(pairs, &mut req_ids, &all_times);
    }
    let mut seen: rustc_hash::FxHashMap<(u32, i64), u32> = Default::default();
    seen.reserve(req_ids.len());
    let mut picked: Vec<u32> = Vec::new();
    let mut req_keys = Vec::new();
    let mut answer_of: Vec<Option<u32>> = vec![None; req_ids.len()];
    for (i, &k) in req_ids.iter().enumerate() {
        if k == NO_KEY {
            continue;
        }
        let t = all_times[i];
        if let Some(&a) = seen.get(&(k, t)) {
            answer_of[i] = Some(a);
            continue;
        }
        seen.insert((k, t), picked.len() as u32);
        answer_of[i] = Some(picked.len() as u32);
        picked.push(i as u32);
        req_keys.push(k);
    }
    let req_t: Vec<i64> = picked.iter().map(|&i| all_times[i as usize]).collect();
    // Each request's visible rows: a prefix of its key's time-ordered rows, found by walking
    // each key's rows once along its requests in cutoff order.
    let mut by_key: Vec<u32> = (0..picked.len() as u32).collect();
    by_key.sort_unstable_by_key(|&q| (req_keys[q as usize], req_t[q as usize]));
    let mut ranges = vec![(0usize, 0usize); picked.len()];
    let mut i = 0;
    while i < by_key.len() {
        let k = req_keys[by_key[i] as usize] as usize;
        let (start, end) = if k < n_keys {
            (starts[k], starts[k + 1])
        } else {
            (0, 0)
        };
        let mut at = start;
        while i < by_key.len() && req_keys[by_key[i] as usize] as usize == k {
            let q = by_key[i] as usize;
            let t = req_t[q];
            while at < end && time.sees(times[rows[at] as usize], t) {
                at += 1;
            }
            ranges[q] = (start, at);
            i += 1;
        }
    }
    Ok(RequestPlan {
        requests: requests.to_vec(),
        all_keys,
        all_times,
        picked,
        req_keys,
        req_t,
        ranges,
        answer_of,
    })
}

/// Concatenates the parts' rows. A categorical column keeps every part's category list, in
/// order, one after the other (codes shifted): arrow's `concat` may instead merge them into the
/// values used, in order of use, which loses the category order MODE breaks ties by. Repeated
/// categories are counted as one value by [`primitives::rank_codes`].
fn concat_keeping_categories(
    schema: &arrow_schema::SchemaRef,
    batches: &[RecordBatch],
) -> std::result::Result<RecordBatch, String> {
    use arrow_array::cast::AsArray;
    use arrow_array::types::Int32Type;
    let mut columns = Vec::with_capacity(schema.fields().len());
    for (c, field) in schema.fields().iter().enumerate() {
        let parts: Vec<&dyn Array> = batches.iter().map(|b| b.column(c).as_ref()).collect();
        let DataType::Dictionary(_, _) = field.data_type() else {
            // Inputs whose type follows their data (integers in one part, floats in another).
            let floats = crate::compute::common_numbers(&parts);
            let parts: Vec<&dyn Array> = match &floats {
                Some(f) => f.iter().map(|a| a.as_ref()).collect(),
                None => parts,
            };
            columns.push(arrow_select::concat::concat(&parts).map_err(|e| e.to_string())?);
            continue;
        };
        let mut values: Vec<&dyn Array> = Vec::with_capacity(parts.len());
        let mut keys: Vec<Option<i32>> = Vec::new();
        let mut offset = 0usize;
        for a in &parts {
            let d = a.as_dictionary_opt::<Int32Type>().ok_or_else(|| {
                format!("column {} is not a dictionary in every part", field.name())
            })?;
            let shift = i32::try_from(offset).map_err(|_| "too many categories".to_string())?;
            keys.extend(d.keys().iter().map(|k| k.map(|k| k + shift)));
            values.push(d.values().as_ref());
            offset += d.values().len();
        }
        let values = arrow_select::concat::concat(&values).map_err(|e| e.to_string())?;
        let d = arrow_array::DictionaryArray::<Int32Type>::try_new(
            arrow_array::Int32Array::from(keys),
            values,
        )
        .map_err(|e| e.to_string())?;
        columns.push(Arc::new(d) as ArrayRef);
    }
    let fields: Vec<arrow_schema::Field> = schema
        .fields()
        .iter()
        .zip(&columns)
        .map(|(f, c)| f.as_ref().clone().with_data_type(c.data_type().clone()))
        .collect();
    RecordBatch::try_new(Arc::new(arrow_schema::Schema::new(fields)), columns)
        .map_err(|e| e.to_string())
}

/// One request's aggregate, before it becomes an Arrow value.
enum Answer {
    Int(Option<i64>),
    Float(f64),
    Code(Option<u32>),
    Codes(Vec<Option<u32>>),
}

/// The input in the forms the accumulators read.
struct Inputs<'a> {
    input: &'a ArrayRef,
    vals: Vec<f64>,
    ranks: Vec<u32>,
}

/// One key's running state: rows come in (`d = 1`) in time order and, under a training window or
/// use_previous, go out again (`d = -1`).
trait Running: Default {
    fn change(&mut self, p: &Builtin, r: u32, x: &Inputs, d: i64);
    fn answer(&self, p: &Builtin) -> Answer;
}

/// Counts every accumulator keeps, and the answers that only need them.
#[derive(Default)]
struct Counts {
    rows: i64,
    valid: i64,
    trues: i64,
    counts: HashMap<u32, i64>,
    distinct: i64,
    halves: Halves,
}

/// A multiset of numbers split into a lower and an upper half (the lower one holds the middle
/// value when the count is odd): a running MEDIAN with insertion and removal in O(log n).
#[derive(Default)]
struct Halves {
    lower: std::collections::BTreeMap<u64, u32>,
    upper: std::collections::BTreeMap<u64, u32>,
    n_lower: usize,
    n_upper: usize,
}

/// `f64` → `u64` in `f64::total_cmp` order (the median kernel's sort order).
fn total_key(v: f64) -> u64 {
    let b = v.to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | 1 << 63
    }
}

fn from_total_key(k: u64) -> f64 {
    f64::from_bits(if k >> 63 == 1 { k & !(1 << 63) } else { !k })
}

fn multiset_add(m: &mut std::collections::BTreeMap<u64, u32>, k: u64) {
    *m.entry(k).or_insert(0) += 1;
}

fn multiset_take(m: &mut std::collections::BTreeMap<u64, u32>, k: u64) -> bool {
    match m.get_mut(&k) {
        Some(c) => {
            *c -= 1;
            if *c == 0 {
                m.remove(&k);
            }
            true
        }
        None => false,
    }
}

impl Halves {
    fn insert(&mut self, v: f64) {
        let k = total_key(v);
        match self.lower.last_key_value() {
            Some((&top, _)) if k > top => {
                multiset_add(&mut self.upper, k);
                self.n_upper += 1;
            }
            _ => {
                multiset_add(&mut self.lower, k);
                self.n_lower += 1;
            }
        }
        self.rebalance();
    }

    /// Removes one copy of `v` (present): every value below the lower half's top is in it.
    fn remove(&mut self, v: f64) {
        let k = total_key(v);
        let in_lower = matches!(self.lower.last_key_value(), Some((&top, _)) if k <= top);
        if in_lower && multiset_take(&mut self.lower, k) {
            self.n_lower -= 1;
        } else if multiset_take(&mut self.upper, k) {
            self.n_upper -= 1;
        }
        self.rebalance();
    }

    fn rebalance(&mut self) {
        while self.n_lower > self.n_upper + 1 {
            let k = *self.lower.last_key_value().expect("non-empty").0;
            multiset_take(&mut self.lower, k);
            multiset_add(&mut self.upper, k);
            (self.n_lower, self.n_upper) = (self.n_lower - 1, self.n_upper + 1);
        }
        while self.n_upper > self.n_lower {
            let k = *self.upper.first_key_value().expect("non-empty").0;
            multiset_take(&mut self.upper, k);
            multiset_add(&mut self.lower, k);
            (self.n_lower, self.n_upper) = (self.n_lower + 1, self.n_upper - 1);
        }
    }

    /// `Series.median()`: NaN when empty, the mean of the two middle values when even.
    fn median(&self) -> f64 {
        let Some((&lo, _)) = self.lower.last_key_value() else {
            return f64::NAN;
        };
        if self.n_lower > self.n_upper {
            return from_total_key(lo);
        }
        let hi = *self.upper.first_key_value().expect("balanced").0;
        (from_total_key(lo) + from_total_key(hi)) / 2.0
    }
}

impl Counts {
    fn change(&mut self, p: &Builtin, r: u32, x: &Inputs, d: i64) {
        self.rows += d;
        if x.input.is_valid(r as usize) {
            self.valid += d;
        }
        match p {
            Builtin::PercentTrue | Builtin::NumTrue if x.vals[r as usize] == 1.0 => self.trues += d,
            Builtin::Median => {
                let v = x.vals[r as usize];
                if !v.is_nan() {
                    if d > 0 {
                        self.halves.insert(v)
                    } else {
                        self.halves.remove(v)
                    }
                }
            }
            Builtin::Mode | Builtin::NumUnique | Builtin::NMostCommon { .. } => {
                let v = x.ranks[r as usize];
                if v != u32::MAX {
                    let c = self.counts.entry(v).or_insert(0);
                    *c += d;
                    if *c == 0 && d < 0 {
                        self.distinct -= 1;
                    } else if *c == 1 && d > 0 {
                        self.distinct += 1;
                    }
                }
            }
            _ => {}
        }
    }

    /// MODE: the most frequent value, ties to the smaller (`Series.mode` sorts its result).
    fn mode(&self) -> Option<u32> {
        self.counts
            .iter()
            .filter(|(_, &c)| c > 0)
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(&v, _)| v)
    }

    /// N_MOST_COMMON: the n most frequent values, ties to the smaller, missing past the distinct.
    fn most_common(&self, n: usize) -> Vec<Option<u32>> {
        let mut c: Vec<(u32, i64)> = self
            .counts
            .iter()
            .filter(|(_, &c)| c > 0)
            .map(|(&v, &c)| (v, c))
            .collect();
        c.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        (0..n).map(|k| c.get(k).map(|x| x.0)).collect()
    }

    fn answer(
        &self,
        p: &Builtin,
        mode: impl FnOnce() -> Option<u32>,
        value: impl FnOnce() -> f64,
    ) -> Answer {
        match p {
            Builtin::Median => Answer::Float(self.halves.median()),
            Builtin::NMostCommon { n } => Answer::Codes(self.most_common(*n)),
            Builtin::Count => Answer::Int(Some(self.valid)),
            Builtin::NumTrue => Answer::Int(Some(self.trues)),
            Builtin::NumUnique => Answer::Int((self.rows > 0).then_some(self.distinct)),
            Builtin::Mode => Answer::Code(mode()),
            // `np.mean(series.values)`: NaN when a value is missing (the batch kernel's rule).
            Builtin::Mean { skipna: false } if self.valid < self.rows => Answer::Float(f64::NAN),
            // `s.fillna(False).mean()`: missing counts as False.
            Builtin::PercentTrue => Answer::Float(if self.rows > 0 {
                self.trues as f64 / self.rows as f64
            } else {
                f64::NAN
            }),
            _ => Answer::Float(value()),
        }
    }
}

/// When rows stop counting in a sweep.
#[derive(Clone, Copy)]
enum Leave<'a> {
    /// Never (no training window, no use_previous).
    Never,
    /// Once the cutoff reaches the row's end (training windows, use_previous spans).
    At(&'a [i64]),
    /// Once n later rows of the key count (use_previous in observations: the last n rows).
    After(usize),
    /// Whichever comes first (use_previous in observations under a training window; exact when
    /// rows leave the window in the order they came, see [`answer`]).
    Either(&'a [i64], usize),
}

/// Each request's rows as the running sweep counts them (see [`sweep`]), in the key's time order,
/// for the aggregations answered by their batch kernel: the prefix `ranges[q]`, less the rows
/// that have left by `req_t[q]`. The work is the sum of the groups' sizes.
fn visible_groups(
    rows: &[u32],
    ranges: &[(usize, usize)],
    req_t: &[i64],
    leave: Leave,
) -> primitives::Groups {
    let mut g = primitives::Groups {
        offsets: Vec::with_capacity(ranges.len() + 1),
        rows: Vec::new(),
        ranges: None,
    };
    g.offsets.push(0);
    for (&(start, end), &t) in ranges.iter().zip(req_t) {
        let prefix = &rows[start..end];
        match leave {
            Leave::Never => g.rows.extend_from_slice(prefix),
            Leave::At(ends) => g
                .rows
                .extend(prefix.iter().filter(|&&r| ends[r as usize] > t)),
            Leave::After(n) => g
                .rows
                .extend_from_slice(&prefix[prefix.len().saturating_sub(n)..]),
            Leave::Either(ends, n) => g.rows.extend(
                prefix[prefix.len().saturating_sub(n)..]
                    .iter()
                    .filter(|&&r| ends[r as usize] > t),
            ),
        }
        g.offsets.push(g.rows.len());
    }
    g
}

/// Answers prefix groups (each `(start, end)` a prefix of one key's time-ordered rows, for the
/// cutoff `req_t`) in one sweep per key: rows are added as the cutoff grows and, when `ends` is
/// given, removed through a min-heap once the cutoff reaches their end. Each row enters and
/// leaves once per key, so the work is O(rows + requests · log) rather than O(requests · rows).
fn sweep<A: Running>(
    p: &Builtin,
    inputs: &[ArrayRef],
    rows: &[u32],
    ranges: &[(usize, usize)],
    keys: &[u32],
    req_t: &[i64],
    leave: Leave,
) -> std::result::Result<Vec<ArrayRef>, String> {
    use arrow_array::Float64Array;
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let input = inputs.first().ok_or("aggregation without input")?;
    let x = Inputs {
        input,
        vals: if matches!(
            p,
            Builtin::Mode | Builtin::NumUnique | Builtin::Count | Builtin::NMostCommon { .. }
        ) {
            Vec::new()
        } else {
            primitives::to_f64(input)?
        },
        ranks: if matches!(
            p,
            Builtin::Mode | Builtin::NumUnique | Builtin::NMostCommon { .. }
        ) {
            primitives::rank_codes(input)?
        } else {
            Vec::new()
        },
    };
    let mut order: Vec<usize> = (0..ranges.len()).collect();
    // By key, then cutoff: a key's requests share its rows (keys without rows may share a
    // range start with another key, so the key, not the start, separates them).
    order.sort_unstable_by_key(|&q| (keys[q], req_t[q], ranges[q].1));
    let mut answers: Vec<Option<Answer>> = (0..ranges.len()).map(|_| None).collect();
    let mut k = 0;
    while k < order.len() {
        let key = keys[order[k]];
        let mut acc = A::default();
        let mut heap: BinaryHeap<Reverse<(i64, u32)>> = BinaryHeap::new();
        let mut window: std::collections::VecDeque<u32> = std::collections::VecDeque::new();
        // Under `Either`, rows still counted (a row leaves once, by whichever rule comes first).
        let mut counted: HashSet<u32> = HashSet::new();
        let mut at = ranges[order[k]].0;
        while k < order.len() && keys[order[k]] == key {
            let q = order[k];
            while at < ranges[q].1 {
                let r = rows[at];
                acc.change(p, r, &x, 1);
                match leave {
                    Leave::Never => {}
                    Leave::At(e) => heap.push(Reverse((e[r as usize], r))),
                    Leave::After(n) => {
                        window.push_back(r);
                        if window.len() > n {
                            let old = window.pop_front().expect("non-empty");
                            acc.change(p, old, &x, -1);
                        }
                    }
                    Leave::Either(e, n) => {
                        heap.push(Reverse((e[r as usize], r)));
                        counted.insert(r);
                        window.push_back(r);
                        if window.len() > n {
                            let old = window.pop_front().expect("non-empty");
                            if counted.remove(&old) {
                                acc.change(p, old, &x, -1);
                            }
                        }
                    }
                }
                at += 1;
            }
            while let Some(&Reverse((end, r))) = heap.peek() {
                if end > req_t[q] {
                    break;
                }
                if !matches!(leave, Leave::Either(..)) || counted.remove(&r) {
                    acc.change(p, r, &x, -1);
                }
                heap.pop();
            }
            answers[q] = Some(acc.answer(p));
            k += 1;
        }
    }
    if let Builtin::NMostCommon { n } = p {
        let codes: Vec<Vec<Option<u32>>> = answers
            .into_iter()
            .map(|a| match a {
                Some(Answer::Codes(c)) => c,
                _ => vec![None; *n],
            })
            .collect();
        return (0..*n)
            .map(|k| primitives::decode_codes(input, codes.iter().map(|c| c[k]).collect()))
            .collect();
    }
    let answers = answers
        .into_iter()
        .map(|a| a.unwrap_or(Answer::Float(f64::NAN)));
    Ok(vec![match p {
        Builtin::Count | Builtin::NumTrue | Builtin::NumUnique => Arc::new(
            answers
                .map(|a| if let Answer::Int(v) = a { v } else { None })
                .collect::<Int64Array>(),
        ) as ArrayRef,
        Builtin::Mode => primitives::decode_codes(
            input,
            answers
                .map(|a| if let Answer::Code(v) = a { v } else { None })
                .collect(),
        )?,
        _ => Arc::new(
            answers
                .map(|a| {
                    if let Answer::Float(v) = a {
                        (!v.is_nan()).then_some(v)
                    } else {
                        None
                    }
                })
                .collect::<Float64Array>(),
        ),
    }])
}

/// Running state without removal: Kahan sums in time order (as the batch kernels), Welford /
/// Terriberry central moments for STD and SKEW, running MAX/MIN and MODE.
#[derive(Default)]
struct Acc {
    counts: Counts,
    n: usize,
    /// Values counted in the sums and moments: the finite ones ([`infinite`]).
    finite: usize,
    pos_inf: i64,
    neg_inf: i64,
    sum: f64,
    comp: f64,
    mean: f64,
    m2: f64,
    m3: f64,
    max: f64,
    min: f64,
    mode: Option<u32>,
    best: i64,
}

impl Running for Acc {
    fn change(&mut self, p: &Builtin, r: u32, x: &Inputs, d: i64) {
        debug_assert_eq!(d, 1, "rows only enter without a window");
        self.counts.change(p, r, x, d);
        match p {
            Builtin::Count
            | Builtin::PercentTrue
            | Builtin::NumTrue
            | Builtin::NumUnique
            | Builtin::Median
            | Builtin::NMostCommon { .. } => {}
            Builtin::Mode => {
                let v = x.ranks[r as usize];
                if v == u32::MAX {
                    return;
                }
                let c = self.counts.counts[&v];
                if c > self.best || (c == self.best && self.mode.is_none_or(|m| v < m)) {
                    self.best = c;
                    self.mode = Some(v);
                }
            }
            _ => {
                let v = x.vals[r as usize];
                if v.is_nan() {
                    return;
                }
                if self.n == 0 {
                    (self.max, self.min) = (v, v);
                } else {
                    self.max = self.max.max(v);
                    self.min = self.min.min(v);
                }
                self.n += 1;
                if v.is_infinite() {
                    if v > 0.0 {
                        self.pos_inf += 1;
                    } else {
                        self.neg_inf += 1;
                    }
                    return;
                }
                let y = v - self.comp;
                let t = self.sum + y;
                self.comp = (t - self.sum) - y;
                self.sum = t;
                let n1 = self.finite as f64;
                self.finite += 1;
                let n = self.finite as f64;
                let delta = v - self.mean;
                let dn = delta / n;
                let term = delta * dn * n1;
                self.m3 += term * dn * (n - 2.0) - 3.0 * dn * self.m2;
                self.m2 += term;
                self.mean += dn;
            }
        }
    }

    fn answer(&self, p: &Builtin) -> Answer {
        self.counts.answer(
            p,
            || self.mode,
            || {
                infinite(p, self.pos_inf, self.neg_inf).unwrap_or_else(|| {
                    moments(
                        p,
                        self.n as f64,
                        self.sum,
                        self.max,
                        self.min,
                        self.m2,
                        self.m3,
                    )
                })
            },
        )
    }
}

/// SUM, MEAN, MAX, MIN, STD (ddof 1) and pandas' bias-corrected SKEW (with `_zero_out_fperr`)
/// from a count, a sum, extremes and central moments.
/// SUM, MEAN, STD and SKEW of values of which some are infinite, as pandas gives them (the
/// accumulators keep infinities out of their sums): a sum resets its Kahan compensation when an
/// infinity makes it NaN (`group_sum`, GH#53606), so it is ±inf, or NaN with both signs; STD and
/// SKEW subtract an infinite mean (NaN). None when no value is infinite, or for the others.
fn infinite(p: &Builtin, pos: i64, neg: i64) -> Option<f64> {
    if pos == 0 && neg == 0 {
        return None;
    }
    let sum = match (pos > 0, neg > 0) {
        (true, true) => f64::NAN,
        (true, false) => f64::INFINITY,
        _ => f64::NEG_INFINITY,
    };
    match p {
        Builtin::Sum | Builtin::Mean { .. } => Some(sum),
        Builtin::Std | Builtin::Skew => Some(f64::NAN),
        _ => None,
    }
}

fn moments(p: &Builtin, n: f64, sum: f64, max: f64, min: f64, m2: f64, m3: f64) -> f64 {
    match p {
        Builtin::Sum => sum,
        Builtin::Mean { .. } if n > 0.0 => sum / n,
        Builtin::Max if n > 0.0 => max,
        Builtin::Min if n > 0.0 => min,
        Builtin::Std if n > 1.0 => (m2.max(0.0) / (n - 1.0)).sqrt(),
        Builtin::Skew if n > 2.0 => {
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

/// Running state with removal: Kahan sums, power sums about a shift (for STD and SKEW), and a
/// multiset of values (for MAX and MIN).
#[derive(Default)]
struct WAcc {
    counts: Counts,
    /// Finite values (those in the sums and power sums, [`infinite`]).
    n: i64,
    pos_inf: i64,
    neg_inf: i64,
    sum: f64,
    comp: f64,
    shift: Option<f64>,
    s1: f64,
    s2: f64,
    s3: f64,
    values: std::collections::BTreeMap<i64, (f64, i64)>,
}

impl Running for WAcc {
    fn change(&mut self, p: &Builtin, r: u32, x: &Inputs, d: i64) {
        self.counts.change(p, r, x, d);
        if matches!(
            p,
            Builtin::Count
                | Builtin::PercentTrue
                | Builtin::NumTrue
                | Builtin::NumUnique
                | Builtin::Mode
                | Builtin::Median
                | Builtin::NMostCommon { .. }
        ) {
            return;
        }
        let v = x.vals[r as usize];
        if v.is_nan() {
            return;
        }
        let key = crate::time::numeric_time_key(v);
        let e = self.values.entry(key).or_insert((v, 0));
        e.1 += d;
        if e.1 == 0 {
            self.values.remove(&key);
        }
        if v.is_infinite() {
            if v > 0.0 {
                self.pos_inf += d;
            } else {
                self.neg_inf += d;
            }
            return;
        }
        self.n += d;
        let y = d as f64 * v - self.comp;
        let t = self.sum + y;
        self.comp = (t - self.sum) - y;
        self.sum = t;
        let z = v - *self.shift.get_or_insert(v);
        self.s1 += d as f64 * z;
        self.s2 += d as f64 * z * z;
        self.s3 += d as f64 * z * z * z;
    }

    fn answer(&self, p: &Builtin) -> Answer {
        let n = self.n as f64;
        let m2 = self.s2 - self.s1 * self.s1 / n;
        let m3 = self.s3 - 3.0 * self.s1 * self.s2 / n + 2.0 * self.s1.powi(3) / (n * n);
        let max = self
            .values
            .values()
            .next_back()
            .map(|v| v.0)
            .unwrap_or(f64::NAN);
        let min = self.values.values().next().map(|v| v.0).unwrap_or(f64::NAN);
        let sum = if self.n == 0 { 0.0 } else { self.sum };
        let all = (self.n + self.pos_inf + self.neg_inf) as f64;
        self.counts.answer(
            p,
            || self.counts.mode(),
            || {
                infinite(p, self.pos_inf, self.neg_inf)
                    .unwrap_or_else(|| moments(p, all, sum, max, min, m2, m3))
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::primitives::agg::{AggInput, Aggregation};
    use crate::primitives::Groups;
    use arrow_array::{Float64Array, StringArray};

    /// A small LCG: the tests' data.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> u32 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (self.0 >> 33) as u32
        }
    }

    /// Numbers (with missing values and ties), categories (with missing ones) and booleans.
    fn columns(n: usize, rng: &mut Lcg) -> [ArrayRef; 3] {
        let nums: Float64Array = (0..n)
            .map(|_| {
                let v = rng.next() % 50;
                (v > 3).then_some(v as f64 / 3.0)
            })
            .collect();
        let cats: StringArray = (0..n)
            .map(|_| {
                let v = rng.next() % 6;
                (v > 0).then(|| ["a", "b", "c", "d", "e"][v as usize - 1])
            })
            .collect();
        let bools: arrow_array::BooleanArray = (0..n)
            .map(|_| {
                let v = rng.next() % 3;
                (v > 0).then_some(v == 1)
            })
            .collect();
        [Arc::new(nums), Arc::new(cats), Arc::new(bools)]
    }

    /// Every primitive the sweep answers, with an input of its kind.
    fn primitives_and_inputs(cols: &[ArrayRef; 3]) -> Vec<(Builtin, &ArrayRef)> {
        use Builtin::*;
        let [nums, cats, bools] = cols;
        vec![
            (Count, nums),
            (Sum, nums),
            (Mean { skipna: true }, nums),
            (Mean { skipna: false }, nums),
            (Std, nums),
            (Skew, nums),
            (Max, nums),
            (Min, nums),
            (Median, nums),
            (Mode, cats),
            (NumUnique, cats),
            (NMostCommon { n: 3 }, cats),
            (PercentTrue, bools),
            (NumTrue, bools),
        ]
    }

    /// Groups from one list of rows per request (the brute-force answer's rows).
    fn groups_of(lists: impl IntoIterator<Item = Vec<u32>>) -> Groups {
        let mut g = Groups {
            offsets: vec![0],
            rows: Vec::new(),
            ranges: None,
        };
        for l in lists {
            g.rows.extend(l);
            g.offsets.push(g.rows.len());
        }
        g
    }

    /// The sweep's answers equal the batch kernel's on `groups`, output by output, to 1e-9
    /// relative; for an empty group only the form may differ (the default comes afterwards).
    fn assert_matches(p: &Builtin, input: &ArrayRef, got: &[ArrayRef], groups: &Groups) {
        let want = p
            .batch(&AggInput {
                inputs: std::slice::from_ref(input),
                groups,
                numeric: None,
                times: &[],
            })
            .unwrap();
        assert_eq!(got.len(), want.len(), "{p:?} outputs");
        for (o, (g, w)) in got.iter().zip(&want).enumerate() {
            for q in 0..groups.len() {
                let (x, y) = (crate::matrix::cell(g, q), crate::matrix::cell(w, q));
                match (x.parse::<f64>(), y.parse::<f64>()) {
                    (Ok(u), Ok(v)) => assert!(
                        u == v || (u - v).abs() <= 1e-9 * v.abs().max(1.0),
                        "{p:?} output {o} request {q}: {u} vs {v}"
                    ),
                    _ if groups.get(q).is_empty() => {}
                    _ => assert_eq!(x, y, "{p:?} output {o} request {q}"),
                }
            }
        }
    }

    /// The sweep's answers equal the batch kernels' on the same prefixes (two keys, many
    /// overlapping prefixes).
    #[test]
    fn sweep_matches_the_batch_kernels() {
        let mut rng = Lcg(7);
        let n = 300;
        let cols = columns(n, &mut rng);
        let rows: Vec<u32> = (0..n as u32).collect();
        let ranges: Vec<(usize, usize)> = (0..200)
            .map(|_| {
                let start = if rng.next().is_multiple_of(2) { 0 } else { 150 };
                (start, start + (rng.next() % 150) as usize)
            })
            .collect();
        let groups = groups_of(ranges.iter().map(|&(s, e)| (s as u32..e as u32).collect()));
        let req_t: Vec<i64> = ranges.iter().map(|r| r.1 as i64).collect();
        let keys: Vec<u32> = ranges.iter().map(|r| r.0 as u32).collect();
        for (p, input) in primitives_and_inputs(&cols) {
            let got = sweep::<Acc>(
                &p,
                std::slice::from_ref(input),
                &rows,
                &ranges,
                &keys,
                &req_t,
                Leave::Never,
            )
            .unwrap();
            assert_matches(&p, input, &got, &groups);
        }
    }

    /// One key's rows 0..n (row i at time i) and requests at random cutoffs, each over the
    /// prefix of rows up to its cutoff.
    struct OneKey {
        cols: [ArrayRef; 3],
        rows: Vec<u32>,
        ranges: Vec<(usize, usize)>,
        req_t: Vec<i64>,
        keys: Vec<u32>,
    }

    impl OneKey {
        fn new(n: usize, requests: usize, rng: &mut Lcg) -> Self {
            let cols = columns(n, rng);
            let req_t: Vec<i64> = (0..requests)
                .map(|_| (rng.next() % (n as u32 + 20)) as i64)
                .collect();
            OneKey {
                cols,
                rows: (0..n as u32).collect(),
                ranges: req_t
                    .iter()
                    .map(|&t| (0, ((t + 1) as usize).min(n)))
                    .collect(),
                req_t,
                keys: vec![0; requests],
            }
        }

        /// For every primitive, the removable sweep under `leave` equals the batch kernel on
        /// `groups` (one group per request).
        fn check(&self, leave: Leave, groups: &Groups) {
            // The batch kernels' fallback sees the same rows.
            let visible = visible_groups(&self.rows, &self.ranges, &self.req_t, leave);
            assert_eq!(visible.len(), groups.len());
            for q in 0..groups.len() {
                assert_eq!(visible.get(q), groups.get(q), "request {q}");
            }
            for (p, input) in primitives_and_inputs(&self.cols) {
                let got = sweep::<WAcc>(
                    &p,
                    std::slice::from_ref(input),
                    &self.rows,
                    &self.ranges,
                    &self.keys,
                    &self.req_t,
                    leave,
                )
                .unwrap();
                assert_matches(&p, input, &got, groups);
            }
        }

        /// Per request: its prefix's rows that are still in (end after the cutoff).
        fn inside(&self, his: &[i64]) -> Vec<Vec<u32>> {
            self.ranges
                .iter()
                .zip(&self.req_t)
                .map(|(&(_, end), &t)| (0..end as u32).filter(|&r| his[r as usize] > t).collect())
                .collect()
        }
    }

    /// Numbers with infinities (LN(0), 1 / 0): the running sums are ±inf, or NaN with both signs,
    /// as pandas' are, STD and SKEW NaN, and once the infinities have left a window the finite
    /// values' aggregates again (the fuzzer's seed 100491: STD of [ln 1.5, ln 0] across parts
    /// was inf, not NaN).
    #[test]
    fn sweeps_with_infinite_values_match_the_batch_kernels() {
        use arrow_array::cast::AsArray;
        use arrow_array::types::Float64Type;
        let mut rng = Lcg(17);
        let mut k = OneKey::new(200, 150, &mut rng);
        let nums: Float64Array = k.cols[0]
            .as_primitive::<Float64Type>()
            .iter()
            .enumerate()
            .map(|(i, v)| match i % 41 {
                7 => Some(f64::INFINITY),
                23 if i > 100 => Some(f64::NEG_INFINITY),
                _ => v,
            })
            .collect();
        k.cols[0] = Arc::new(nums);
        let prefixes = groups_of(
            k.ranges
                .iter()
                .map(|&(s, e)| (s as u32..e as u32).collect()),
        );
        for (p, input) in primitives_and_inputs(&k.cols) {
            let got = sweep::<Acc>(
                &p,
                std::slice::from_ref(input),
                &k.rows,
                &k.ranges,
                &k.keys,
                &k.req_t,
                Leave::Never,
            )
            .unwrap();
            assert_matches(&p, input, &got, &prefixes);
        }
        let his: Vec<i64> = (0..200)
            .map(|i| i as i64 + 1 + (rng.next() % 40) as i64)
            .collect();
        k.check(Leave::At(&his), &groups_of(k.inside(&his)));
    }

    /// With rows that stop counting, the windowed sweep equals aggregating, for each request, the
    /// rows whose interval holds the cutoff (brute force).
    #[test]
    fn windowed_sweep_matches_brute_force() {
        let mut rng = Lcg(11);
        let k = OneKey::new(200, 150, &mut rng);
        let his: Vec<i64> = (0..200)
            .map(|i| i as i64 + 1 + (rng.next() % 60) as i64)
            .collect();
        k.check(Leave::At(&his), &groups_of(k.inside(&his)));
    }

    /// use_previous in observations: each request aggregates the last n rows of its prefix.
    #[test]
    fn last_n_sweep_matches_brute_force() {
        let k = OneKey::new(120, 80, &mut Lcg(5));
        for last in [1usize, 3, 10] {
            let groups = groups_of(
                k.ranges
                    .iter()
                    .map(|&(_, end)| (end.saturating_sub(last) as u32..end as u32).collect()),
            );
            k.check(Leave::After(last), &groups);
        }
    }

    /// use_previous in observations under a training window whose rows leave in the order they
    /// came: the last n of the rows still in the window.
    #[test]
    fn last_n_within_a_window_matches_brute_force() {
        let mut rng = Lcg(13);
        let k = OneKey::new(150, 100, &mut rng);
        // Ends grow with the rows' times, by uneven steps.
        let mut his: Vec<i64> = (0..150).map(|i| i + 1 + (rng.next() % 30) as i64).collect();
        for i in 1..his.len() {
            his[i] = his[i].max(his[i - 1]);
        }
        for last in [1usize, 2, 5] {
            let groups = groups_of(
                k.inside(&his)
                    .into_iter()
                    .map(|inside| inside[inside.len().saturating_sub(last)..].to_vec()),
            );
            k.check(Leave::Either(&his, last), &groups);
        }
    }

    /// Regression: a key with no rows has an empty range whose start can equal another key's;
    /// grouping requests by range start gave it the other key's rows (COUNT 5 instead of 0).
    #[test]
    fn a_key_without_rows_gets_nothing_from_a_neighbour() {
        let vals: ArrayRef = Arc::new(Float64Array::from(vec![1.0, 2.0, 3.0, 4.0, 5.0]));
        let rows: Vec<u32> = (0..5).collect();
        // Key 0 owns rows 0..5 and asks at cutoffs 1 and 9; key 1 owns nothing and asks at 5.
        let ranges = vec![(0, 2), (0, 0), (0, 5)];
        let keys = vec![0, 1, 0];
        let req_t = vec![1, 5, 9];
        for ends in [None, Some(vec![i64::MAX; 5])] {
            let out = match &ends {
                None => sweep::<Acc>(
                    &Builtin::Count,
                    std::slice::from_ref(&vals),
                    &rows,
                    &ranges,
                    &keys,
                    &req_t,
                    Leave::Never,
                ),
                Some(e) => sweep::<WAcc>(
                    &Builtin::Count,
                    std::slice::from_ref(&vals),
                    &rows,
                    &ranges,
                    &keys,
                    &req_t,
                    Leave::At(e),
                ),
            }
            .unwrap();
            let counts: Vec<String> = (0..3).map(|q| crate::matrix::cell(&out[0], q)).collect();
            assert_eq!(counts, vec!["2", "0", "5"]);
        }
    }
}
