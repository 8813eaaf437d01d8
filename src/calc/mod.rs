//! The calculator: featuretools' `FeatureSetCalculator` for all (instance, cutoff) pairs at once.
//!
//! featuretools runs its calculator once per distinct cutoff time, filtering every dataframe each
//! time (`calculate_feature_matrix.py::calculate_chunk`). Here every row of every node's frame
//! carries its own cutoff time, so one pass serves all cutoffs: work grows with the rows visited and
//! the (instance, cutoff) pairs, never with the number of distinct cutoff times. Children of a parent
//! are visited through a precomputed row index in time order, so "rows visible at t" is a prefix
//! found by binary search; parents reached forward are deduplicated by (row, cutoff).
//!
//! The requested features are computed on the calling thread or on several ([`Threads`],
//! `parallel.rs`): every value is computed once, by one thread, so the matrix is the same bit for
//! bit.

mod parallel;
mod plan;

use rustc_hash::FxHashMap as HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{Array, ArrayRef, Float64Array, Int64Array, UInt32Array};
use arrow_schema::DataType;

pub use parallel::Threads;
pub use plan::{Plan, Step};

use crate::entityset::keys::NO_ROW;
use crate::entityset::{EntitySet, NULL_TIME};
use crate::error::{Error, Result};
use crate::features::{FeatureGraph, Kind, UsePrevious};
use crate::primitives::{self, Default, Dtype, Groups};
use parallel::Memo;

/// Time filtering options shared by all features (`calculate_feature_matrix` arguments).
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
pub struct TimeOptions {
    /// Keep rows stamped exactly at the cutoff (featuretools' default `True`).
    pub include_cutoff_time: bool,
    /// Only rows within this span before the cutoff (by time index or last time index).
    pub training_window: Option<crate::time::Span>,
}

/// featuretools' visibility rule (`EntitySet._handle_time`), in one place: every path (the
/// calculator, the contributions and answers across parts) asks these.
impl TimeOptions {
    /// Whether a row stamped `ti` is visible at cutoff `c`: `ti <= c` (`<` when
    /// `include_cutoff_time` is false); rows without a time never are.
    pub fn sees(&self, ti: i64, c: i64) -> bool {
        ti != NULL_TIME && c >= self.first_seen(ti)
    }

    /// The first cutoff at which a row stamped `ti` is visible.
    pub fn first_seen(&self, ti: i64) -> i64 {
        if self.include_cutoff_time {
            ti
        } else {
            ti.saturating_add(1)
        }
    }

    /// Whether a time `x` (a time index or last time index) is inside the training window of
    /// cutoff `c`: `x > c - window` (`>=` when `include_cutoff_time` is false).
    pub fn in_window(&self, x: i64, c: i64) -> bool {
        match self.training_window {
            None => true,
            Some(w) => x != NULL_TIME && x >= self.window_reach(w.before(c)),
        }
    }

    /// The first cutoff at which a row whose latest time is `x` has left the training window
    /// (`i64::MAX` without a window).
    pub fn window_end(&self, x: i64) -> i64 {
        match self.training_window {
            None => i64::MAX,
            Some(_) if x == NULL_TIME => i64::MIN,
            Some(w) => {
                // Out once window_reach(c - w) > x, i.e. c - w >= x (inclusive) or > x.
                let reach = if self.include_cutoff_time {
                    x
                } else {
                    x.saturating_add(1)
                };
                w.first_cutoff_reaching(reach)
            }
        }
    }

    /// The smallest time inside a window that starts at `start`.
    fn window_reach(&self, start: i64) -> i64 {
        if self.include_cutoff_time {
            start.saturating_add(1)
        } else {
            start
        }
    }
}

impl std::default::Default for TimeOptions {
    fn default() -> Self {
        TimeOptions {
            include_cutoff_time: true,
            training_window: None,
        }
    }
}

/// One row of the feature matrix to compute: a target row (`None` for an unknown instance) at a cutoff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Query {
    /// Row of the target dataframe.
    pub row: Option<u32>,
    /// Cutoff time, ns since the epoch.
    pub time: i64,
}

enum Link {
    Root { entry_of_query: Vec<u32> },
    Backward { offsets: Vec<u32> },
    Forward { map: Vec<u32> },
}

struct Frame {
    rows: Vec<u32>,
    times: Times,
    link: Link,
}

/// The cutoff of each frame entry: one for all (no cutoff table, or a single cutoff time, which
/// then stays single at every node) or one per entry.
enum Times {
    Uniform(i64),
    PerEntry(Vec<i64>),
}

impl Times {
    fn get(&self, e: usize) -> i64 {
        match self {
            Times::Uniform(t) => *t,
            Times::PerEntry(v) => v[e],
        }
    }

    fn iter(&self, len: usize) -> impl Iterator<Item = i64> + '_ {
        (0..len).map(move |e| self.get(e))
    }

    fn to_vec(&self, len: usize) -> Vec<i64> {
        match self {
            Times::Uniform(t) => vec![*t; len],
            Times::PerEntry(v) => v.clone(),
        }
    }
}

/// Computes the requested features for each query; one array per output column, in feature order.
pub fn calculate(
    es: &EntitySet,
    graph: &FeatureGraph,
    queries: &[Query],
    opts: &TimeOptions,
) -> Result<Vec<ArrayRef>> {
    calculate_with(es, graph, queries, opts, &Given::default())
}

/// Values of some aggregation features given from outside, by (row key of the dataframe the
/// feature is defined on, cutoff time): the answers of aggregations across parts.
#[derive(Debug, Default)]
pub struct Given {
    features: HashMap<usize, GivenFeature>,
}

#[derive(Debug)]
struct GivenFeature {
    index: HashMap<(crate::entityset::keys::Key, i64), u32>,
    values: Vec<ArrayRef>,
}

impl Given {
    /// Adds the values of feature `f`: row `i` of `values` is the value for `(keys[i], times[i])`.
    pub fn insert(&mut self, f: usize, keys: &ArrayRef, times: &[i64], values: Vec<ArrayRef>) {
        let index = crate::entityset::keys::key_values(keys)
            .into_iter()
            .zip(times)
            .enumerate()
            .filter_map(|(i, (k, &t))| k.map(|k| ((k, t), i as u32)))
            .collect();
        self.features.insert(f, GivenFeature { index, values });
    }

    /// The features given.
    pub fn features(&self) -> std::collections::HashSet<usize> {
        self.features.keys().copied().collect()
    }
}

/// Stops, follows and spreads over threads an in-process calculation
/// (`ftpart.calculate_feature_matrix(n_jobs=1)`: Ctrl-C, the progress bar; `ftpart calculate
/// --threads`).
#[derive(Default)]
pub struct Control<'a> {
    /// Once set, the calculation ends with [`Error::Interrupted`] before the next feature it
    /// computes (at any depth: a requested feature's dependencies are features too), on every
    /// thread.
    pub interrupt: Option<&'a AtomicBool>,
    /// Called on the calling thread with (requested features computed, requested features):
    /// first with none done, then after each one, the count going up by one each time.
    pub progress: Option<&'a mut dyn FnMut(usize, usize)>,
    /// Threads computing the requested features (the default is the calling thread alone). The
    /// matrix is the same bit for bit whatever the number.
    pub threads: Threads,
}

/// [`calculate`] with some features' values given ([`Given`]).
pub fn calculate_with(
    es: &EntitySet,
    graph: &FeatureGraph,
    queries: &[Query],
    opts: &TimeOptions,
    given: &Given,
) -> Result<Vec<ArrayRef>> {
    calculate_controlled(es, graph, queries, opts, given, Control::default())
}

/// [`calculate_with`], stopped by and reporting to `control`.
pub fn calculate_controlled(
    es: &EntitySet,
    graph: &FeatureGraph,
    queries: &[Query],
    opts: &TimeOptions,
    given: &Given,
    control: Control<'_>,
) -> Result<Vec<ArrayRef>> {
    let plan = Plan::build_except(es, graph, &given.features())?;
    let mut calc = Calc::new(es, graph, plan, opts, Some(given));
    calc.interrupt = control.interrupt;
    calc.build_frames(queries);
    let entry_of_query = match &calc.frame(0).link {
        Link::Root { entry_of_query } => entry_of_query.clone(),
        _ => unreachable!("root frame"),
    };
    let idx = UInt32Array::from(
        entry_of_query
            .iter()
            .map(|&e| (e != NO_ROW).then_some(e))
            .collect::<Vec<_>>(),
    );
    // featuretools fills an aggregation's or a direct feature's every missing value with its
    // default (`fillna`), a transform's only on instances it has no row for
    // (`generate_default_df`).
    let unknown = arrow_array::BooleanArray::from(
        entry_of_query
            .iter()
            .map(|&e| e == NO_ROW)
            .collect::<Vec<_>>(),
    );
    let run = parallel::Run {
        threads: control.threads,
        interrupt: control.interrupt,
        progress: control.progress,
    };
    let columns = parallel::in_order(graph.requested.len(), run, |i| {
        calc.requested_columns(graph.requested[i], &idx, &unknown)
    })?;
    Ok(columns.into_iter().flatten().collect())
}

/// `parent`'s rows once per cutoff, cutoffs in time order and each cutoff's rows in the
/// dataframe's order; the link maps each parent entry to its row at its cutoff.
fn fetched(parent: &Frame) -> Frame {
    let mut pairs: Vec<(i64, u32)> = (0..parent.rows.len())
        .map(|e| (parent.times.get(e), parent.rows[e]))
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    let entry: HashMap<(i64, u32), u32> = pairs
        .iter()
        .enumerate()
        .map(|(i, &p)| (p, i as u32))
        .collect();
    let map = (0..parent.rows.len())
        .map(|e| entry[&(parent.times.get(e), parent.rows[e])])
        .collect();
    let times = match parent.times {
        Times::Uniform(t) => Times::Uniform(t),
        Times::PerEntry(_) => Times::PerEntry(pairs.iter().map(|p| p.0).collect()),
    };
    Frame {
        rows: pairs.into_iter().map(|p| p.1).collect(),
        times,
        link: Link::Forward { map },
    }
}

/// Replaces missing values by a zero default (featuretools' `fillna(default_value)`).
fn fill_default(a: &ArrayRef, d: Default) -> ArrayRef {
    if d == Default::Null || a.null_count() == 0 {
        return a.clone();
    }
    match a.data_type() {
        DataType::Int64 => Arc::new(
            a.as_primitive::<Int64Type>()
                .iter()
                .map(|v| v.unwrap_or(0))
                .collect::<Int64Array>(),
        ),
        DataType::Float64 => Arc::new(
            a.as_primitive::<Float64Type>()
                .iter()
                .map(|v| v.unwrap_or(0.0))
                .collect::<Float64Array>(),
        ),
        // `fillna(0)` on a datetime column: 0 reads as 1970-01-01 (DATE_FIRST_EVENT).
        DataType::Timestamp(_, _) if d == Default::Zero => Arc::new(
            a.as_primitive::<arrow_array::types::TimestampNanosecondType>()
                .iter()
                .map(|v| Some(v.unwrap_or(0)))
                .collect::<arrow_array::TimestampNanosecondArray>(),
        ),
        DataType::Boolean => match d {
            Default::Bool(b) => Arc::new(
                a.as_boolean()
                    .iter()
                    .map(|v| Some(v.unwrap_or(b)))
                    .collect::<arrow_array::BooleanArray>(),
            ),
            _ => a.clone(),
        },
        _ => a.clone(),
    }
}

struct Calc<'a> {
    es: &'a EntitySet,
    graph: &'a FeatureGraph,
    plan: Plan,
    opts: TimeOptions,
    /// Each node's frame, built once ([`Calc::frame`]).
    frames: Vec<OnceLock<Frame>>,
    /// Each feature's values at each node (node, feature), computed once whatever the threads.
    memo: Memo<(usize, usize), Arc<Vec<ArrayRef>>>,
    /// Groups of an aggregation path without `where` or `use_previous`, shared by every
    /// aggregation over that path.
    plain_groups: Memo<(usize, usize), Arc<Groups>>,
    /// Numeric inputs as f64, shared by every aggregation of the same input.
    numeric: Memo<(usize, usize), arrow_buffer::ScalarBuffer<f64>>,
    /// Values computed elsewhere.
    given: Option<&'a Given>,
    /// How pandas holds each feature's outputs ([`FeatureGraph::dtypes`]).
    dtypes: Vec<Vec<Dtype>>,
    /// Per feature, whether it reads the frame of a cutoff ([`FeatureGraph::reads_frame`]):
    /// judged once from the graph, not at every evaluation.
    reads_frame: Vec<bool>,
    /// [`Control::interrupt`].
    interrupt: Option<&'a AtomicBool>,
}

impl<'a> Calc<'a> {
    fn new(
        es: &'a EntitySet,
        graph: &'a FeatureGraph,
        plan: Plan,
        opts: &TimeOptions,
        given: Option<&'a Given>,
    ) -> Self {
        Calc {
            es,
            graph,
            plan,
            opts: *opts,
            frames: Vec::new(),
            memo: Memo::default(),
            plain_groups: Memo::default(),
            numeric: Memo::default(),
            given,
            dtypes: graph.dtypes(&es.schema),
            reads_frame: (0..graph.features.len())
                .map(|f| graph.reads_frame(f, &es.schema))
                .collect(),
            interrupt: None,
        }
    }

    /// `EntitySet._handle_time`: time index ≤ cutoff (< when exclusive), and within the training
    /// window by time index or last time index.
    fn visible(&self, df: usize, row: u32, t: i64) -> bool {
        let Some(times) = self.es.times(df) else {
            return true;
        };
        let ti = times[row as usize];
        if !self.opts.sees(ti, t) {
            return false;
        }
        if self.opts.training_window.is_some() {
            let lti = self.es.last_times(df).map(|l| l[row as usize]);
            if !(self.opts.in_window(ti, t) || lti.is_some_and(|x| self.opts.in_window(x, t))) {
                return false;
            }
        }
        true
    }

    /// The root frame, from the queries, and an empty slot for every other node's.
    fn build_frames(&mut self, queries: &[Query]) {
        let root_df = self.plan.nodes[0].df;
        let mut rows = Vec::new();
        let mut times = Vec::new();
        let mut entry_of_query = Vec::with_capacity(queries.len());
        let uniform = queries.windows(2).all(|w| w[0].time == w[1].time);
        for q in queries {
            match q.row {
                Some(r) if self.visible(root_df, r, q.time) => {
                    entry_of_query.push(rows.len() as u32);
                    rows.push(r);
                    times.push(q.time);
                }
                _ => entry_of_query.push(NO_ROW),
            }
        }
        let times = match (uniform, times.first()) {
            (true, Some(&t)) => Times::Uniform(t),
            _ => Times::PerEntry(times),
        };
        let root = Frame {
            rows,
            times,
            link: Link::Root { entry_of_query },
        };
        self.frames = (0..self.plan.nodes.len())
            .map(|_| OnceLock::new())
            .collect();
        if self.frames[0].set(root).is_err() {
            unreachable!("a new root");
        }
    }

    /// The frame of `node`: the root's is built from the queries; every other one when a feature
    /// first needs it, from its parent's, by whichever thread asks first (so frames that only some
    /// features need are built while other threads compute other features).
    fn frame(&self, node: usize) -> &Frame {
        self.frames[node].get_or_init(|| {
            let (parent, step) = self.plan.nodes[node].parent.expect("non-root node");
            let df = self.plan.nodes[node].df;
            let parent = self.frame(parent);
            match step {
                Step::Backward(rel) => self.backward(parent, rel, df),
                Step::Forward(rel) => self.forward(parent, rel, df),
                Step::Full => self.full(parent, df),
                Step::Fetched => fetched(parent),
            }
        })
    }

    fn backward(&self, parent: &Frame, rel: usize, df: usize) -> Frame {
        let children = self.es.children(rel);
        let times_of = self.es.times(df);
        let prefix_only = self.opts.training_window.is_none();
        let mut offsets = Vec::with_capacity(parent.rows.len() + 1);
        let (mut rows, mut times) = (Vec::new(), Vec::new());
        let per_entry = matches!(parent.times, Times::PerEntry(_));
        offsets.push(0u32);
        for (e, &p) in parent.rows.iter().enumerate() {
            let t = parent.times.get(e);
            let kids = children.of(p);
            match times_of {
                // Children are in time order with missing times last: the visible ones are a prefix.
                Some(ti) if prefix_only => {
                    let end = kids.partition_point(|&c| self.opts.sees(ti[c as usize], t));
                    rows.extend_from_slice(&kids[..end]);
                    if per_entry {
                        times.extend(std::iter::repeat_n(t, end));
                    }
                }
                _ => {
                    for &c in kids {
                        if self.visible(df, c, t) {
                            rows.push(c);
                            if per_entry {
                                times.push(t);
                            }
                        }
                    }
                }
            }
            offsets.push(rows.len() as u32);
        }
        let times = match parent.times {
            Times::Uniform(t) => Times::Uniform(t),
            Times::PerEntry(_) => Times::PerEntry(times),
        };
        Frame {
            rows,
            times,
            link: Link::Backward { offsets },
        }
    }

    fn forward(&self, child: &Frame, rel: usize, df: usize) -> Frame {
        let parent_rows = self.es.parent_rows(rel);
        let (mut rows, mut times) = (Vec::new(), Vec::new());
        let mut map = Vec::with_capacity(child.rows.len());
        if let Times::Uniform(t) = child.times {
            // One cutoff: parents are deduplicated by row alone.
            let mut entry_of_row = vec![NO_ROW; self.es.num_rows(df)];
            for &c in &child.rows {
                let p = parent_rows[c as usize];
                if p == NO_ROW || !self.visible(df, p, t) {
                    map.push(NO_ROW);
                    continue;
                }
                let e = &mut entry_of_row[p as usize];
                if *e == NO_ROW {
                    *e = rows.len() as u32;
                    rows.push(p);
                }
                map.push(*e);
            }
            return Frame {
                rows,
                times: Times::Uniform(t),
                link: Link::Forward { map },
            };
        }
        let mut seen: HashMap<(u32, i64), u32> = HashMap::default();
        for (e, &c) in child.rows.iter().enumerate() {
            let t = child.times.get(e);
            let p = parent_rows[c as usize];
            if p == NO_ROW || !self.visible(df, p, t) {
                map.push(NO_ROW);
                continue;
            }
            let e = *seen.entry((p, t)).or_insert_with(|| {
                rows.push(p);
                times.push(t);
                (rows.len() - 1) as u32
            });
            map.push(e);
        }
        Frame {
            rows,
            times: Times::PerEntry(times),
            link: Link::Forward { map },
        }
    }

    /// Every row of `df` visible at each cutoff of `parent`'s entries, cutoff by cutoff in time
    /// order and each cutoff's rows in the dataframe's order (featuretools' `query_by_values`
    /// without instance values, once per cutoff time); rows a part holds as copies are left
    /// out (their owner computes them). The link maps each parent entry to its row at its cutoff.
    fn full(&self, parent: &Frame, df: usize) -> Frame {
        let n = self.es.num_rows(df) as u32;
        let mut cutoffs: Vec<i64> = match &parent.times {
            _ if parent.rows.is_empty() => Vec::new(),
            Times::Uniform(t) => vec![*t],
            Times::PerEntry(v) => {
                let mut c = v.clone();
                c.sort_unstable();
                c.dedup();
                c
            }
        };
        let (mut rows, mut times) = (Vec::new(), Vec::new());
        let mut entry: HashMap<(u32, i64), u32> = HashMap::default();
        for &c in &cutoffs {
            for r in 0..n {
                if self.visible(df, r, c) && !self.es.is_copy(df, r) {
                    entry.insert((r, c), rows.len() as u32);
                    rows.push(r);
                    times.push(c);
                }
            }
        }
        let map = parent
            .rows
            .iter()
            .enumerate()
            .map(|(e, &r)| {
                entry
                    .get(&(r, parent.times.get(e)))
                    .copied()
                    .unwrap_or(NO_ROW)
            })
            .collect();
        let times = if cutoffs.len() == 1 {
            Times::Uniform(cutoffs.pop().expect("one cutoff"))
        } else {
            Times::PerEntry(times)
        };
        Frame {
            rows,
            times,
            link: Link::Forward { map },
        }
    }

    /// Values of feature `f` at `node`'s child `c` (reached by a forward or full step), brought to
    /// `node`'s entries.
    fn through_link(&self, c: usize, f: usize, default: Default) -> Result<Vec<ArrayRef>> {
        let feat = &self.graph.features[f];
        let values = self.value(c, f)?;
        let Link::Forward { map } = &self.frame(c).link else {
            unreachable!("forward or full node")
        };
        let idx = UInt32Array::from(
            map.iter()
                .map(|&e| (e != NO_ROW).then_some(e))
                .collect::<Vec<_>>(),
        );
        values
            .iter()
            .map(|v| {
                arrow_select::take::take(v.as_ref(), &idx, None)
                    .map(|a| fill_default(&a, default))
                    .map_err(|e| Error::feature(&feat.unique_name, e.to_string()))
            })
            .collect()
    }

    /// A transform over groups of `node`'s entries, each group in frame order: one group per
    /// cutoff for transforms that read the whole dataframe, one per (cutoff, key) for group-by
    /// transforms (`_calculate_groupby_features`: entries whose key is missing get nothing).
    fn grouped_transform(
        &self,
        primitive: &primitives::Primitive,
        inputs: &[ArrayRef],
        dtypes: &[Dtype],
        node: usize,
        keys: Option<&ArrayRef>,
    ) -> std::result::Result<ArrayRef, String> {
        let frame = self.frame(node);
        let len = frame.rows.len();
        let codes = match keys {
            Some(k) => Some(primitives::rank_codes(k)?),
            None => None,
        };
        let mut group_of: HashMap<(i64, u32), usize> = HashMap::default();
        let mut groups: Vec<Vec<u32>> = Vec::new();
        for e in 0..len {
            let code = codes.as_ref().map_or(0, |c| c[e]);
            if code == u32::MAX {
                continue;
            }
            let g = *group_of
                .entry((frame.times.get(e), code))
                .or_insert_with(|| {
                    groups.push(Vec::new());
                    groups.len() - 1
                });
            groups[g].push(e as u32);
        }
        let times = frame.times.to_vec(len);
        if groups.len() == 1 && groups[0].len() == len {
            return primitives::transform(primitive, inputs, dtypes, &times);
        }
        let mut outs: Vec<ArrayRef> = Vec::with_capacity(groups.len());
        let mut position: Vec<Option<u32>> = vec![None; len];
        let mut at = 0u32;
        for g in &groups {
            let idx = UInt32Array::from(g.clone());
            let part: Vec<ArrayRef> = inputs
                .iter()
                .map(|a| arrow_select::take::take(a.as_ref(), &idx, None))
                .collect::<std::result::Result<_, _>>()
                .map_err(|e| e.to_string())?;
            let t: Vec<i64> = g.iter().map(|&e| times[e as usize]).collect();
            outs.push(primitives::transform(primitive, &part, dtypes, &t)?);
            for &e in g {
                position[e as usize] = Some(at);
                at += 1;
            }
        }
        let all: Vec<&dyn Array> = outs.iter().map(|a| a.as_ref()).collect();
        let cat = if all.is_empty() {
            // No group (no rows, or every key missing): featuretools calls nothing; the kernel
            // on no rows gives the output's type.
            let none: Vec<ArrayRef> = inputs.iter().map(|a| a.slice(0, 0)).collect();
            primitives::transform(primitive, &none, dtypes, &[])?
        } else {
            arrow_select::concat::concat(&all).map_err(|e| e.to_string())?
        };
        arrow_select::take::take(cat.as_ref(), &UInt32Array::from(position), None)
            .map_err(|e| e.to_string())
    }

    fn default_of(&self, f: usize) -> Default {
        match &self.graph.features[f].kind {
            Kind::Aggregation { primitive, .. } => primitive.default_value(),
            Kind::Direct { base, .. } | Kind::Slice { base, .. } => self.default_of(*base),
            Kind::Transform { primitive, .. } | Kind::GroupByTransform { primitive, .. } => {
                primitive.default_value()
            }
            Kind::Identity { .. } => Default::Null,
        }
    }

    /// The columns of requested feature `f`: its values gathered for every query (`idx`, the
    /// root entry of each) and filled with its default where featuretools fills them.
    fn requested_columns(
        &self,
        f: usize,
        idx: &UInt32Array,
        unknown: &arrow_array::BooleanArray,
    ) -> Result<Vec<ArrayRef>> {
        let values = self.value(0, f)?;
        let default = self.default_of(f);
        let everywhere = !matches!(
            self.graph.features[f].kind,
            Kind::Transform { .. } | Kind::GroupByTransform { .. } | Kind::Identity { .. }
        );
        let mut out = Vec::with_capacity(values.len());
        for v in values.iter() {
            let taken = arrow_select::take::take(v.as_ref(), idx, None)
                .map_err(|e| Error::arrow("gathering results", e))?;
            if everywhere {
                out.push(fill_default(&taken, default));
            } else if default == Default::Null || unknown.true_count() == 0 {
                // Every instance known (a part whose cutoff rows all name its rows): nothing
                // to fill (the partition fuzzer's seed 234: WHITESPACE_COUNT of a missing text
                // was 0 in a part without unknown instances).
                out.push(taken);
            } else {
                let filled = fill_default(&taken, default);
                out.push(
                    arrow_select::zip::zip(unknown, &filled, &taken)
                        .map_err(|e| Error::arrow("gathering results", e))?,
                );
            }
        }
        Ok(out)
    }

    /// The values of feature `f` at `node`, computed once (by whichever thread asks first).
    fn value(&self, node: usize, f: usize) -> Result<Arc<Vec<ArrayRef>>> {
        self.memo.get_or_try((node, f), || {
            if self.interrupt.is_some_and(|i| i.load(Ordering::Relaxed)) {
                return Err(Error::Interrupted);
            }
            self.compute(node, f).map(Arc::new)
        })
    }

    fn compute(&self, node: usize, f: usize) -> Result<Vec<ArrayRef>> {
        let feat = &self.graph.features[f];
        let err = |m: String| Error::feature(&feat.unique_name, m);
        if let Some(g) = self.given.and_then(|g| g.features.get(&f)) {
            return self.given_values(node, f, g).map_err(err);
        }
        let values: Vec<ArrayRef> = match &feat.kind {
            Kind::Identity { column } => vec![self.identity(node, column).map_err(err)?],
            Kind::Transform { primitive, .. } | Kind::GroupByTransform { primitive, .. }
                if primitive.uses_full_dataframe() && !self.plan.is_full(node) =>
            {
                let c = self.plan.find_child(node, Step::Full);
                self.through_link(c, f, Default::Null)?
            }
            Kind::Transform { primitive, .. } | Kind::GroupByTransform { primitive, .. }
                if self.reads_frame[f]
                    && !self.plan.is_full(node)
                    && !self.plan.is_fetched(node) =>
            {
                let c = self.plan.find_child(node, Step::Fetched);
                self.through_link(c, f, Default::Null)?
            }
            Kind::Transform { bases, primitive }
            | Kind::GroupByTransform {
                bases, primitive, ..
            } => {
                let mut inputs = Vec::new();
                for &b in bases {
                    inputs.push(self.value(node, b)?[0].clone());
                }
                let mut dtypes = self.input_dtypes(bases);
                let reads_frame = self.reads_frame[f];
                if primitive.reads_index() {
                    let df = self.plan.nodes[node].df;
                    let index = self.es.schema.dataframes[df].index.clone();
                    inputs.push(self.identity(node, &index).map_err(err)?);
                    dtypes.push(Dtype::Numpy);
                }
                let out = match &feat.kind {
                    Kind::GroupByTransform { groupby, .. } => {
                        let keys = self.value(node, *groupby)?[0].clone();
                        let out = if primitive.uses_full_dataframe() || reads_frame {
                            self.grouped_transform(primitive, &inputs, &dtypes, node, Some(&keys))
                                .map_err(err)?
                        } else {
                            // Row by row: the same as per group, but for missing keys.
                            let out = primitives::transform(
                                primitive,
                                &inputs,
                                &dtypes,
                                &self.cutoffs_for(primitive, node),
                            )
                            .map_err(err)?;
                            if keys.null_count() > 0 {
                                let mask = arrow_array::BooleanArray::from(
                                    (0..keys.len()).map(|i| keys.is_null(i)).collect::<Vec<_>>(),
                                );
                                arrow_select::nullif::nullif(&out, &mask)
                                    .map_err(|e| err(e.to_string()))?
                            } else {
                                out
                            }
                        };
                        // The column starts as the default and takes only the non-missing
                        // results (`frame[name].update(...)`).
                        fill_default(&out, primitive.default_value())
                    }
                    _ if primitive.uses_full_dataframe() || reads_frame => self
                        .grouped_transform(primitive, &inputs, &dtypes, node, None)
                        .map_err(err)?,
                    _ => primitives::transform(
                        primitive,
                        &inputs,
                        &dtypes,
                        &self.cutoffs_for(primitive, node),
                    )
                    .map_err(err)?,
                };
                vec![out]
            }
            Kind::Direct { relationship, base } => {
                let rel = self
                    .es
                    .relationship_position(relationship)
                    .expect("planned");
                let c = self.plan.find_child(node, Step::Forward(rel));
                // `_calculate_direct_features` fills the column's missing values (`fillna`).
                let default = self.default_of(*base);
                self.through_link(c, *base, default)?
            }
            Kind::Aggregation {
                bases,
                path,
                primitive,
                where_,
                use_previous,
            } => {
                let (leaf, offsets) = self.compose_path(node, path);
                let mut inputs = Vec::new();
                for &b in bases {
                    inputs.push(self.value(leaf, b)?[0].clone());
                }
                let mask = match where_ {
                    Some(w) => Some(self.value(leaf, *w)?[0].clone()),
                    None => None,
                };
                let groups = if where_.is_none() && use_previous.is_none() {
                    self.plain_groups
                        .get_or_try((node, leaf), || {
                            self.groups(node, leaf, &offsets, None, None, path.len() > 1)
                                .map(Arc::new)
                        })
                        .map_err(err)?
                } else {
                    Arc::new(
                        self.groups(
                            node,
                            leaf,
                            &offsets,
                            mask.as_ref(),
                            *use_previous,
                            path.len() > 1,
                        )
                        .map_err(err)?,
                    )
                };
                let numeric = match (bases.first(), primitive.numeric_input()) {
                    (Some(&b), true) => Some(
                        self.numeric
                            .get_or_try((leaf, b), || primitives::f64_values(&inputs[0]))
                            .map_err(err)?,
                    ),
                    _ => None,
                };
                let times = if primitive.aggregation().is_some_and(|a| a.uses_time()) {
                    let frame = self.frame(node);
                    frame.times.to_vec(frame.rows.len())
                } else {
                    Vec::new()
                };
                let out = primitives::aggregate_at(
                    primitive,
                    &inputs,
                    &groups,
                    numeric.as_deref(),
                    &times,
                )
                .map_err(err)?;
                let d = primitive.default_value();
                out.iter().map(|a| fill_default(a, d)).collect()
            }
            Kind::Slice { base, n } => vec![self.value(node, *base)?[*n].clone()],
        };
        Ok(values)
    }

    /// How pandas holds each of these input features (their first output).
    fn input_dtypes(&self, bases: &[usize]) -> Vec<Dtype> {
        bases
            .iter()
            .map(|&b| self.dtypes[b].first().copied().unwrap_or_default())
            .collect()
    }

    /// The cutoff of each entry of `node`'s frame for a transform that reads it (AGE), else none.
    fn cutoffs_for(&self, primitive: &primitives::Primitive, node: usize) -> Vec<i64> {
        let frame = self.frame(node);
        if primitive.uses_cutoff() {
            frame.times.to_vec(frame.rows.len())
        } else {
            Vec::new()
        }
    }

    fn given_values(
        &self,
        node: usize,
        f: usize,
        g: &GivenFeature,
    ) -> std::result::Result<Vec<ArrayRef>, String> {
        let frame = self.frame(node);
        let df = self.plan.nodes[node].df;
        let index = &self.es.schema.dataframes[df].index;
        let col = self.es.column(df, index).ok_or("index column is missing")?;
        let keys =
            arrow_select::take::take(col.as_ref(), &UInt32Array::from(frame.rows.clone()), None)
                .map_err(|e| e.to_string())?;
        let idx: UInt32Array = crate::entityset::keys::key_values(&keys)
            .into_iter()
            .zip(frame.times.iter(frame.rows.len()))
            .map(|(k, t)| k.and_then(|k| g.index.get(&(k, t)).copied()))
            .collect();
        if idx.null_count() > 0 {
            return Err(format!(
                "{} rows lack a value computed across parts",
                idx.null_count()
            ));
        }
        let d = self.default_of(f);
        g.values
            .iter()
            .map(|v| {
                arrow_select::take::take(v.as_ref(), &idx, None)
                    .map(|a| fill_default(&a, d))
                    .map_err(|e| e.to_string())
            })
            .collect()
    }

    fn identity(&self, node: usize, column: &str) -> std::result::Result<ArrayRef, String> {
        let frame = self.frame(node);
        let df = self.plan.nodes[node].df;
        let col = self
            .es
            .column(df, column)
            .ok_or_else(|| format!("column '{column}' is missing"))?;
        let idx = UInt32Array::from(frame.rows.clone());
        let mut out =
            arrow_select::take::take(col.as_ref(), &idx, None).map_err(|e| e.to_string())?;
        // Secondary time index: governed cells are missing where sti >= cutoff (`_handle_time`).
        let schema = &self.es.schema.dataframes[df];
        for (sti, cols) in &schema.secondary_time_index {
            if !cols.iter().any(|c| c == column) {
                continue;
            }
            let sti_col = self
                .es
                .column(df, sti)
                .ok_or_else(|| format!("secondary time index '{sti}' is missing"))?;
            let st = crate::entityset::time_values(sti_col);
            let mask: arrow_array::BooleanArray = frame
                .rows
                .iter()
                .zip(frame.times.iter(frame.rows.len()))
                .map(|(&r, t)| Some(st[r as usize] != NULL_TIME && st[r as usize] >= t))
                .collect();
            out = arrow_select::nullif::nullif(&out, &mask).map_err(|e| e.to_string())?;
        }
        Ok(out)
    }

    /// Follows an aggregation's backward path from `node`; returns the leaf node and, for each
    /// entry of `node`, the range of leaf entries below it.
    fn compose_path(&self, node: usize, path: &[crate::schema::Relationship]) -> (usize, Vec<u32>) {
        let mut n = node;
        let mut offsets: Option<Vec<u32>> = None;
        for r in path {
            let rel = self.es.relationship_position(r).expect("planned");
            n = self.plan.find_child(n, Step::Backward(rel));
            let Link::Backward { offsets: off } = &self.frame(n).link else {
                unreachable!("backward node")
            };
            offsets = Some(match offsets {
                None => off.clone(),
                Some(prev) => prev.iter().map(|&x| off[x as usize]).collect(),
            });
        }
        (n, offsets.expect("non-empty path"))
    }

    fn groups(
        &self,
        node: usize,
        leaf: usize,
        offsets: &[u32],
        mask: Option<&ArrayRef>,
        use_previous: Option<UsePrevious>,
        multi_hop: bool,
    ) -> std::result::Result<Groups, String> {
        let parent = self.frame(node);
        let leaf_frame = self.frame(leaf);
        let leaf_times = self.es.times(self.plan.nodes[leaf].df);
        let mask = match mask {
            Some(m) => Some(arrow_cast::cast(m, &DataType::Boolean).map_err(|e| e.to_string())?),
            None => None,
        };
        let mask = mask.as_ref().map(|m| m.as_boolean());
        let mut g = Groups {
            offsets: Vec::with_capacity(parent.rows.len() + 1),
            rows: Vec::new(),
            ranges: None,
        };
        g.offsets.push(0);
        for e in 0..parent.rows.len() {
            let t = parent.times.get(e);
            let start = g.rows.len();
            for j in offsets[e]..offsets[e + 1] {
                if let Some(m) = mask {
                    // `base_frame.loc[base_frame[where]]`: missing counts as False.
                    if !(m.is_valid(j as usize) && m.value(j as usize)) {
                        continue;
                    }
                }
                if let (Some(UsePrevious::Span(span)), Some(ti)) = (use_previous, leaf_times) {
                    // `ti >= cutoff - use_previous`, whatever include_cutoff_time says.
                    let x = ti[leaf_frame.rows[j as usize] as usize];
                    if x == NULL_TIME || x < span.before(t) {
                        continue;
                    }
                }
                g.rows.push(j);
            }
            if multi_hop {
                // featuretools groups the leaf's rows (fetched in dataframe order, the ancestor
                // key merged in) by the ancestor key: each group in the leaf dataframe's order,
                // whatever the order of the intermediate rows. FIRST, LAST, TREND, the
                // consecutive counts... read that order.
                g.rows[start..].sort_by_key(|&j| leaf_frame.rows[j as usize]);
            }
            if let Some(UsePrevious::Observations(n)) = use_previous {
                // The last n rows of the group in dataframe order (`df.iloc[-n:]`).
                let sel = &g.rows[start..];
                if sel.len() > n {
                    let drop = sel.len() - n;
                    g.rows.drain(start..start + drop);
                }
            }
            g.offsets.push(g.rows.len());
        }
        Ok(g)
    }
}

/// Rows of dataframe `df` visible at `t` (the instances of a single cutoff), in dataframe order.
pub fn visible_rows(es: &EntitySet, df: usize, t: i64, opts: &TimeOptions) -> Vec<u32> {
    let graph = FeatureGraph {
        features: Vec::new(),
        requested: Vec::new(),
    };
    let calc = Calc::new(
        es,
        &graph,
        Plan {
            nodes: Vec::new(),
            placements: Vec::new(),
        },
        opts,
        None,
    );
    (0..es.num_rows(df) as u32)
        .filter(|&r| calc.visible(df, r, t))
        .collect()
}

/// For aggregations answered across parts: the (index value, cutoff) pairs at which this entity
/// set's queries need each feature in `outer`, as (feature, index values, cutoffs).
pub fn requests(
    es: &EntitySet,
    graph: &FeatureGraph,
    queries: &[Query],
    opts: &TimeOptions,
    outer: &std::collections::HashSet<usize>,
) -> Result<Vec<(usize, ArrayRef, Vec<i64>)>> {
    let plan = Plan::build_except(es, graph, outer)?;
    let mut calc = Calc::new(es, graph, plan, opts, None);
    calc.build_frames(queries);
    let mut out = Vec::new();
    for &(f, node) in &calc.plan.placements {
        if !outer.contains(&f) {
            continue;
        }
        let df = calc.plan.nodes[node].df;
        let frame = calc.frame(node);
        let col = es
            .column(df, &es.schema.dataframes[df].index)
            .expect("validated index");
        let keys =
            arrow_select::take::take(col.as_ref(), &UInt32Array::from(frame.rows.clone()), None)
                .map_err(|e| Error::arrow("outer requests", e))?;
        out.push((f, keys, frame.times.to_vec(frame.rows.len())));
    }
    Ok(out)
}

/// A feature's values on every row of dataframe `df` when they do not depend on the cutoff time
/// (columns not governed by a secondary time index, and transforms of them other than AGE);
/// `None` otherwise.
pub fn row_local(
    es: &EntitySet,
    graph: &FeatureGraph,
    df: usize,
    f: usize,
) -> Result<Option<ArrayRef>> {
    row_local_with(es, graph, &graph.dtypes(&es.schema), df, f)
}

fn row_local_with(
    es: &EntitySet,
    graph: &FeatureGraph,
    dtypes: &[Vec<Dtype>],
    df: usize,
    f: usize,
) -> Result<Option<ArrayRef>> {
    let feat = &graph.features[f];
    if feat.dataframe != es.schema.dataframes[df].name {
        return Ok(None);
    }
    match &feat.kind {
        Kind::Identity { column } => {
            let schema = &es.schema.dataframes[df];
            if schema
                .secondary_time_index
                .values()
                .any(|cols| cols.contains(column))
            {
                return Ok(None);
            }
            Ok(es.column(df, column).cloned())
        }
        Kind::Transform { bases, primitive }
            if !primitive.uses_cutoff()
                && !primitive.uses_full_dataframe()
                && !graph.reads_frame(f, &es.schema) =>
        {
            let mut inputs = Vec::new();
            for &b in bases {
                match row_local_with(es, graph, dtypes, df, b)? {
                    Some(a) => inputs.push(a),
                    None => return Ok(None),
                }
            }
            let times = vec![0i64; es.num_rows(df)];
            let input_dtypes: Vec<Dtype> = bases
                .iter()
                .map(|&b| dtypes[b].first().copied().unwrap_or_default())
                .collect();
            primitives::transform(primitive, &inputs, &input_dtypes, &times)
                .map(Some)
                .map_err(|m| Error::feature(&feat.unique_name, m))
        }
        _ => Ok(None),
    }
}
