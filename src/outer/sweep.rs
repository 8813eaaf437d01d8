//! The running accumulators that answer an aggregation's requests in one sweep per key.

use super::*;

/// One request's aggregate, before it becomes an Arrow value.
pub(super) enum Answer {
    Int(Option<i64>),
    Float(f64),
    Code(Option<u32>),
    Codes(Vec<Option<u32>>),
}

/// The input in the forms the accumulators read.
pub(super) struct Inputs<'a> {
    input: &'a ArrayRef,
    vals: Vec<f64>,
    ranks: Vec<u32>,
}

/// One key's running state: rows come in (`d = 1`) in time order and, under a training window or
/// use_previous, go out again (`d = -1`).
pub(super) trait Running: Default {
    fn change(&mut self, p: &Builtin, r: u32, x: &Inputs, d: i64);
    fn answer(&self, p: &Builtin) -> Answer;
}

/// Counts every accumulator keeps, and the answers that only need them.
#[derive(Default)]
pub(super) struct Counts {
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
pub(super) struct Halves {
    lower: std::collections::BTreeMap<u64, u32>,
    upper: std::collections::BTreeMap<u64, u32>,
    n_lower: usize,
    n_upper: usize,
}

/// `f64` → `u64` in `f64::total_cmp` order (the median kernel's sort order).
pub(super) fn total_key(v: f64) -> u64 {
    let b = v.to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | 1 << 63
    }
}

pub(super) fn from_total_key(k: u64) -> f64 {
    f64::from_bits(if k >> 63 == 1 { k & !(1 << 63) } else { !k })
}

pub(super) fn multiset_add(m: &mut std::collections::BTreeMap<u64, u32>, k: u64) {
    *m.entry(k).or_insert(0) += 1;
}

pub(super) fn multiset_take(m: &mut std::collections::BTreeMap<u64, u32>, k: u64) -> bool {
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
pub(super) enum Leave<'a> {
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
pub(super) fn visible_groups(
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
pub(super) fn sweep<A: Running>(
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
pub(super) struct Acc {
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
pub(super) fn infinite(p: &Builtin, pos: i64, neg: i64) -> Option<f64> {
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

pub(super) fn moments(p: &Builtin, n: f64, sum: f64, max: f64, min: f64, m2: f64, m3: f64) -> f64 {
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
pub(super) struct WAcc {
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
