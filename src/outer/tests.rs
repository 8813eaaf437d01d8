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
