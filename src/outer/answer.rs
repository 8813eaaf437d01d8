//! The coordinator's side: every part's rows of an aggregation joined, ordered by key and
//! time, and each (key, cutoff) request answered.

use super::*;

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
pub(super) fn pair_ids(pairs: &mut HashMap<(u32, i64), u32>, keys: &mut [u32], times: &[i64]) {
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
pub(super) struct RequestPlan {
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

/// Whether two lists of every part's requests are the same.
pub fn same_requests(a: &[(ArrayRef, Vec<i64>)], b: &[(ArrayRef, Vec<i64>)]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|((ka, ta), (kb, tb))| ta == tb && ka.as_ref() == kb.as_ref())
}

pub(super) fn plan_requests(
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
pub(super) fn concat_keeping_categories(
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
