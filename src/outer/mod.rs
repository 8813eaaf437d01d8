//! Aggregations that reach outside a part (issue 5): e.g. `products.COUNT(transactions)` when the
//! shards are split by customers. Each part holds only its own customers' transactions, so the
//! aggregation is answered in two rounds: workers send each such aggregation's per-row inputs
//! (outer key, time, row-local input values) and the (outer key, cutoff) pairs their instances
//! need; the coordinator answers every pair over all parts' rows, and the answers are given to
//! the workers' second, ordinary round. No process holds more than those columns.
//!
//! This module finds the aggregations answered across parts ([`find`]); a part's rows and
//! requests are `contribute.rs` (the worker's side), the coordinator joins and answers them in
//! `answer.rs` with the running accumulators of `sweep.rs`.

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
        map_keys(col, NO_KEY, |k| self.id(k))
    }
}

/// `f` of each key of a key column, `missing` for a missing row of a dictionary; a
/// dictionary's values are resolved once each.
fn map_keys<T: Copy>(col: &ArrayRef, missing: T, mut f: impl FnMut(Option<Key>) -> T) -> Vec<T> {
    if let Some(d) = col
        .as_any()
        .downcast_ref::<arrow_array::DictionaryArray<arrow_array::types::Int32Type>>()
    {
        let per_value: Vec<T> = key_values(d.values()).into_iter().map(&mut f).collect();
        return (0..d.len())
            .map(|i| {
                if d.is_valid(i) {
                    per_value[d.keys().value(i) as usize]
                } else {
                    missing
                }
            })
            .collect();
    }
    key_values(col).into_iter().map(f).collect()
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

mod answer;
mod contribute;
mod ranges;
mod sweep;
#[cfg(test)]
mod tests;

pub use answer::{answer, prepare, same_requests, Answers, Prepared};
use contribute::*;
pub use contribute::{contributions, contributions_at};
pub use ranges::{answer_range, join_ranges, range_of, ranges_of, split_by_range};
use sweep::*;
