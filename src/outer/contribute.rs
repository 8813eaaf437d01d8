//! The worker's side: a part's rows and requests for each aggregation across parts.

use super::*;

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
pub(super) fn with_row_ids(graph: &FeatureGraph, spec: &OuterSpec) -> bool {
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
pub(super) fn own_times(es: &EntitySet, df: usize, idx: Option<&UInt32Array>) -> ArrayRef {
    let n = es.num_rows(df);
    let at = |r: usize| es.times(df).map_or(ALWAYS, |t| t[r]);
    Arc::new(match idx {
        Some(idx) => Int64Array::from_iter_values(idx.values().iter().map(|&r| at(r as usize))),
        None => Int64Array::from_iter_values((0..n).map(at)),
    })
}

/// The index values of the child dataframe's rows (at `idx`, else all).
pub(super) fn row_ids(es: &EntitySet, df: usize, idx: Option<&UInt32Array>) -> Result<ArrayRef> {
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
pub(super) fn leaf_rows(
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
