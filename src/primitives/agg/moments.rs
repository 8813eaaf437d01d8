//! VARIANCE, KURTOSIS, MAX_MIN_DELTA and ENTROPY
//! (`featuretools/primitives/standard/aggregation/{variance,kurtosis,max_min_delta,entropy}.py`),
//! with the numpy / pandas summation the count family shares ([`np_sum`], [`pd_mean`],
//! [`pd_var`]).

use std::sync::Arc;

use arrow_array::ArrayRef;

use super::counts::{value_codes, Codes};
use super::{AggInput, Aggregation};
use crate::primitives::registry::Entry;
use crate::primitives::{float_out, Counter, Default, Implementation};

fn entry(a: impl Aggregation + 'static) -> Result<Implementation, String> {
    Ok(Implementation::Aggregation(Arc::new(a)))
}

pub(crate) const ENTRIES: &[Entry] = &[
    Entry {
        class: "Variance",
        make: |_| entry(Variance),
    },
    Entry {
        class: "Kurtosis",
        make: |a| {
            entry(Kurtosis {
                fisher: a.bool("fisher", true)?,
                bias: a.bool("bias", true)?,
                nan_policy: match a
                    .choice("nan_policy", "propagate", &["propagate", "raise", "omit"])?
                    .as_str()
                {
                    "omit" => NanPolicy::Omit,
                    "raise" => NanPolicy::Raise,
                    _ => NanPolicy::Propagate,
                },
            })
        },
    },
    Entry {
        class: "MaxMinDelta",
        make: |a| {
            entry(MaxMinDelta {
                skipna: a.bool("skipna", true)?,
            })
        },
    },
    Entry {
        class: "Entropy",
        make: |a| {
            let base = a.opt_num("base")?;
            if let Some(b) = base {
                // scipy.stats.entropy: "`base` must be a positive number or `None`" (ValueError
                // on every group featuretools computes).
                if b <= 0.0 {
                    return Err(a.error(
                        "base",
                        format!("is {b}; scipy.stats.entropy refuses a base that is not positive"),
                    ));
                }
            }
            entry(Entropy {
                dropna: a.bool("dropna", false)?,
                base,
            })
        },
    },
];

/// numpy's `np.add.reduce` of a contiguous float64 array, bit for bit: pairwise summation
/// (`pairwise_sum_DOUBLE`: 8 accumulators up to 128 values, halves above) over each block of
/// 8192 values (the iterator's buffer), the blocks added in order.
pub(crate) fn np_sum(a: &[f64]) -> f64 {
    a.chunks(8192).fold(0.0, |s, c| s + pairwise(c))
}

fn pairwise(a: &[f64]) -> f64 {
    let n = a.len();
    if n < 8 {
        a.iter().fold(0.0, |s, &x| s + x)
    } else if n <= 128 {
        let mut r = [0.0f64; 8];
        r.copy_from_slice(&a[..8]);
        let mut i = 8;
        while i < n - n % 8 {
            for (j, acc) in r.iter_mut().enumerate() {
                *acc += a[i + j];
            }
            i += 8;
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for &x in &a[i..] {
            res += x;
        }
        res
    } else {
        let mut n2 = n / 2;
        n2 -= n2 % 8;
        pairwise(&a[..n2]) + pairwise(&a[n2..])
    }
}

/// A group's values in row order with missing values as 0 (pandas' `_get_values(...,
/// fill_value=0)`), and how many are present.
fn filled(vals: &[f64], rows: &[u32]) -> (Vec<f64>, usize) {
    let mut n = 0;
    let v = rows
        .iter()
        .map(|&r| {
            let x = vals[r as usize];
            if x.is_nan() {
                0.0
            } else {
                n += 1;
                x
            }
        })
        .collect();
    (v, n)
}

/// pandas' `Series.mean(skipna=...)` (`nanops.nanmean`): the numpy sum of the values with
/// missing ones as 0, over the number present; NaN when none is, or when one is missing and
/// `skipna` is false.
pub(crate) fn pd_mean(vals: &[f64], rows: &[u32], skipna: bool) -> f64 {
    let (v, n) = filled(vals, rows);
    if n == 0 || !skipna && n < rows.len() {
        return f64::NAN;
    }
    np_sum(&v) / n as f64
}

/// pandas' `Series.var(ddof=...)` with `skipna` (`nanops.nanvar`, two passes): NaN when no more
/// than `ddof` values are present.
pub(crate) fn pd_var(vals: &[f64], rows: &[u32], ddof: usize) -> f64 {
    let (mut v, n) = filled(vals, rows);
    if n <= ddof {
        return f64::NAN;
    }
    let avg = np_sum(&v) / n as f64;
    for (x, &r) in v.iter_mut().zip(rows) {
        *x = if vals[r as usize].is_nan() {
            0.0
        } else {
            (avg - *x) * (avg - *x)
        };
    }
    np_sum(&v) / (n - ddof) as f64
}

/// pandas' cython `group_var` over one group (`SeriesGroupBy.var` and `.std`, which
/// `groupby(...).agg` puts in place of `np.var` and `np.std`): Welford's online update in row
/// order, skipping missing values. The number of values present and the sum of squared
/// deviations (`out` before it is divided by `ct - ddof`).
pub(crate) fn welford(vals: &[f64], rows: &[u32]) -> (f64, f64) {
    let (mut n, mut mean, mut m2) = (0.0f64, 0.0f64, 0.0f64);
    for &r in rows {
        let v = vals[r as usize];
        if v.is_nan() {
            continue;
        }
        n += 1.0;
        let old = mean;
        mean += (v - old) / n;
        m2 += (v - mean) * (v - old);
    }
    (n, m2)
}

/// pandas' `Series.skew()` (`nanops.nanskew`), bit for bit: the mean, then the sums of squared
/// and cubed deviations, each a numpy sum over the group's rows with missing ones as 0;
/// `_zero_out_fperr` on both sums; 0 when the squared deviations sum to 0, NaN below three
/// values.
pub(crate) fn pd_skew(vals: &[f64], rows: &[u32]) -> f64 {
    let (mut v, n) = filled(vals, rows);
    if n < 3 {
        return f64::NAN;
    }
    let count = n as f64;
    let mean = np_sum(&v) / count;
    let mut squares = Vec::with_capacity(v.len());
    for (x, &r) in v.iter_mut().zip(rows) {
        let d = if vals[r as usize].is_nan() {
            0.0
        } else {
            *x - mean
        };
        let d2 = d * d;
        squares.push(d2);
        *x = d2 * d;
    }
    let zero_fperr = |m: f64| if m.abs() < 1e-14 { 0.0 } else { m };
    let (m2, m3) = (zero_fperr(np_sum(&squares)), zero_fperr(np_sum(&v)));
    if m2 == 0.0 {
        return 0.0;
    }
    (count * (count - 1.0).sqrt() / (count - 2.0)) * (m3 / m2.powf(1.5))
}

/// The group's present values in row order.
fn present(vals: &[f64], rows: &[u32]) -> Vec<f64> {
    rows.iter()
        .map(|&r| vals[r as usize])
        .filter(|x| !x.is_nan())
        .collect()
}

/// VARIANCE. The primitive's function is `np.var` (ddof 0), but featuretools hands it to
/// `groupby(...).agg`, and pandas 2.2 replaces `np.var` there by `SeriesGroupBy.var()`
/// (`com.get_cython_func`, with a FutureWarning): the cython `group_var`, Welford's online
/// algorithm in row order with ddof 1, NaN below two values.
struct Variance;

impl Aggregation for Variance {
    fn numeric_input(&self) -> bool {
        true
    }
    fn batch(&self, x: &AggInput) -> Result<Vec<ArrayRef>, String> {
        let vals = x.numbers()?;
        Ok(vec![float_out(
            (0..x.groups.len())
                .map(|g| {
                    let (n, m2) = welford(&vals, x.groups.get(g));
                    if n <= 1.0 {
                        f64::NAN
                    } else {
                        m2 / (n - 1.0)
                    }
                })
                .collect(),
        )])
    }
}

#[derive(Clone, Copy, PartialEq)]
enum NanPolicy {
    Propagate,
    Raise,
    Omit,
}

/// KURTOSIS: `scipy.stats.kurtosis(x, fisher, bias, nan_policy)` (scipy 1.17): moments about
/// `np.mean`, NaN where `m2 <= (eps * mean)**2` (a constant group, a single value), the bias
/// correction only above 3 values.
struct Kurtosis {
    fisher: bool,
    bias: bool,
    nan_policy: NanPolicy,
}

impl Kurtosis {
    fn of(&self, v: &[f64]) -> f64 {
        let n = v.len() as f64;
        if v.is_empty() {
            return f64::NAN;
        }
        let mean = np_sum(v) / n;
        let d: Vec<f64> = v.iter().map(|x| x - mean).collect();
        let sq: Vec<f64> = d.iter().map(|x| x * x).collect();
        let m2 = np_sum(&sq) / n;
        let q: Vec<f64> = sq.iter().map(|x| x * x).collect();
        let m4 = np_sum(&q) / n;
        let eps = f64::EPSILON * mean;
        let zero = m2 <= eps * eps;
        let mut vals = if zero { f64::NAN } else { m4 / (m2 * m2) };
        if !self.bias && !zero && v.len() > 3 {
            let nval = 1.0 / (n - 2.0) / (n - 3.0)
                * ((n * n - 1.0) * m4 / (m2 * m2) - 3.0 * ((n - 1.0) * (n - 1.0)));
            vals = nval + 3.0;
        }
        if self.fisher {
            vals - 3.0
        } else {
            vals
        }
    }
}

impl Aggregation for Kurtosis {
    fn default_value(&self) -> Default {
        Default::Zero
    }
    fn numeric_input(&self) -> bool {
        true
    }
    fn batch(&self, x: &AggInput) -> Result<Vec<ArrayRef>, String> {
        let vals = x.numbers()?;
        let mut out = Vec::with_capacity(x.groups.len());
        for g in 0..x.groups.len() {
            let rows = x.groups.get(g);
            if rows.is_empty() {
                out.push(f64::NAN);
                continue;
            }
            let v = present(&vals, rows);
            let value = if v.len() == rows.len() {
                self.of(&v)
            } else {
                match self.nan_policy {
                    NanPolicy::Propagate => f64::NAN,
                    NanPolicy::Omit => self.of(&v),
                    NanPolicy::Raise => {
                        return Err(
                            "Kurtosis(nan_policy='raise'): the input contains nan values \
                             (scipy.stats.kurtosis raises ValueError, and so does featuretools)"
                                .to_string(),
                        )
                    }
                }
            };
            out.push(value);
        }
        Ok(vec![float_out(out)])
    }
}

/// MAX_MIN_DELTA: `x.max(skipna) - x.min(skipna)`. The return type has no logical type; the
/// column is a float one wherever an instance has no value to fill (pandas' merge), so Float64.
struct MaxMinDelta {
    skipna: bool,
}

impl Aggregation for MaxMinDelta {
    fn default_value(&self) -> Default {
        Default::Zero
    }
    fn numeric_input(&self) -> bool {
        true
    }
    fn batch(&self, x: &AggInput) -> Result<Vec<ArrayRef>, String> {
        let vals = x.numbers()?;
        Ok(vec![float_out(
            (0..x.groups.len())
                .map(|g| {
                    let rows = x.groups.get(g);
                    let v = present(&vals, rows);
                    if v.is_empty() || !self.skipna && v.len() < rows.len() {
                        return f64::NAN;
                    }
                    let max = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    let min = v.iter().copied().fold(f64::INFINITY, f64::min);
                    max - min
                })
                .collect(),
        )])
    }
}

/// ENTROPY: `scipy.stats.entropy(s.value_counts(normalize=True, dropna=dropna), base)`. A
/// categorical input counts every category (pandas' value_counts lists the unobserved ones with
/// 0, which add nothing, except that a group of missing values only is then 0/0: NaN, where
/// another input has no value at all: 0). The missing values are one more value when `dropna`
/// is false.
struct Entropy {
    dropna: bool,
    base: Option<f64>,
}

impl Aggregation for Entropy {
    fn batch(&self, x: &AggInput) -> Result<Vec<ArrayRef>, String> {
        let Codes {
            ranks,
            space,
            categories,
        } = value_codes(x.input()?)?;
        let mut counter = Counter::new(space);
        let mut counts: Vec<f64> = Vec::new();
        let mut out = Vec::with_capacity(x.groups.len());
        for g in 0..x.groups.len() {
            let rows = x.groups.get(g);
            if rows.is_empty() {
                out.push(f64::NAN);
                continue;
            }
            counter.count(rows.iter().map(|&r| ranks[r as usize]));
            counts.clear();
            counts.extend(
                counter
                    .distinct
                    .iter()
                    .map(|&v| counter.counts[v as usize] as f64),
            );
            let present: usize = counter
                .distinct
                .iter()
                .map(|&v| counter.counts[v as usize] as usize)
                .sum();
            let missing = rows.len() - present;
            if !self.dropna && missing > 0 {
                counts.push(missing as f64);
            }
            // value_counts' order: most frequent first.
            counts.sort_by(|a, b| b.total_cmp(a));
            let total: f64 = counts.iter().sum();
            let s = if counts.is_empty() {
                // A categorical's value_counts of only missing values: zeros over zero.
                if categories.is_some_and(|c| c > 0) {
                    f64::NAN
                } else {
                    0.0
                }
            } else {
                // pandas normalizes, then scipy normalizes again.
                let p: Vec<f64> = counts.iter().map(|c| c / total).collect();
                let sum_p = np_sum(&p);
                let e: Vec<f64> = p
                    .iter()
                    .map(|q| {
                        let q = q / sum_p;
                        if q > 0.0 {
                            -q * q.ln()
                        } else {
                            0.0
                        }
                    })
                    .collect();
                np_sum(&e)
            };
            out.push(match self.base {
                Some(b) => s / b.ln(),
                None => s,
            });
        }
        Ok(vec![float_out(out)])
    }
}

#[cfg(test)]
// Expected values are featuretools' own (ln 2 among them).
#[allow(clippy::approx_constant)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{ArrayRef, DictionaryArray, StringArray};

    use super::*;
    use crate::primitives::agg::counts::test_support::*;
    use crate::primitives::test_util::prim;
    use crate::primitives::{aggregate, Primitive};

    const NAN: f64 = f64::NAN;

    fn x(i: usize) -> f64 {
        ((i * 7919) % 1000) as f64 / 7.0 - 50.0
    }

    #[test]
    fn sums_are_numpys_to_the_bit() {
        // np.sum(np.array([x(i) for i in range(n)])) with x(i) = ((i*7919) % 1000)/7.0 - 50.0
        for (n, want) in [
            (7, 264.1428571428571),
            (100, 2007.1428571428573),
            (1000, 21357.142857142855),
            (10000, 213571.42857142858),
            (20001, 427092.8571428571),
        ] {
            let v: Vec<f64> = (0..n).map(x).collect();
            assert_eq!(np_sum(&v), want, "n={n}");
        }
        // a = pd.Series([nan if i%5==0 else x(i) for i in range(3000)])
        // a.mean() == 21.428571428571427, a.var(ddof=0) == 1700.6632653061222,
        // a.var() == 1701.3721703771128
        let v: Vec<f64> = (0..3000)
            .map(|i| if i % 5 == 0 { NAN } else { x(i) })
            .collect();
        let rows: Vec<u32> = (0..3000).collect();
        assert_eq!(pd_mean(&v, &rows, true), 21.428571428571427);
        assert!(pd_mean(&v, &rows, false).is_nan());
        assert_eq!(pd_var(&v, &rows, 0), 1700.6632653061222);
        assert_eq!(pd_var(&v, &rows, 1), 1701.3721703771128);
    }

    const FLOATS: &[&[f64]] = &[
        &[1.0, 2.0, 2.0, 5.0, NAN, 3.0],
        &[NAN, NAN],
        &[4.0],
        &[],
        &[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1],
        &[-1.0, -1.0, 3.0, 10.0, 11.0, 10.0],
        &[0.5, 0.5, 1.0, 0.0, -0.5],
    ];
    const INTS: &[&[i64]] = &[&[3, 1, 3, 2], &[7], &[1, 2, 3, 4, 100]];

    type Case = (
        &'static str,
        &'static str,
        &'static [Option<f64>],
        &'static [Option<f64>],
    );

    /// `Prim(**args).get_function()(pd.Series(group, dtype=float))` for each group of FLOATS
    /// (None for NaN, and for the empty group), and `pd.Series(group, dtype="int64")` for INTS.
    const CASES: &[Case] = &[
        // MaxMinDelta()
        (
            "MaxMinDelta",
            r#"{}"#,
            &[
                Some(4.0),
                None,
                Some(0.0),
                None,
                Some(1.0),
                Some(12.0),
                Some(1.5),
            ],
            &[Some(2.0), Some(0.0), Some(99.0)],
        ),
        // MaxMinDelta(skipna=False)
        (
            "MaxMinDelta",
            r#"{"skipna": false}"#,
            &[
                None,
                None,
                Some(0.0),
                None,
                Some(1.0),
                Some(12.0),
                Some(1.5),
            ],
            &[Some(2.0), Some(0.0), Some(99.0)],
        ),
        // Kurtosis()
        (
            "Kurtosis",
            r#"{}"#,
            &[
                None,
                None,
                None,
                None,
                Some(-1.2199999999999998),
                Some(-1.79506181271771),
                Some(-1.0443786982248517),
            ],
            &[Some(-1.371900826446281), None, Some(0.24671648930016365)],
        ),
        // Kurtosis(fisher=False, bias=False, nan_policy='omit')
        (
            "Kurtosis",
            r#"{"fisher": false, "bias": false, "nan_policy": "omit"}"#,
            &[
                Some(4.45557655954631),
                None,
                None,
                None,
                Some(1.8000000000000007),
                Some(0.264403046240012),
                Some(2.8224852071005935),
            ],
            &[Some(1.7107438016528924), None, Some(7.986865957200654)],
        ),
        // Kurtosis(bias=False)
        (
            "Kurtosis",
            r#"{"bias": false}"#,
            &[
                None,
                None,
                None,
                None,
                Some(-1.1999999999999993),
                Some(-2.735596953759988),
                Some(-0.17751479289940653),
            ],
            &[Some(-1.2892561983471076), None, Some(4.986865957200654)],
        ),
    ];

    #[test]
    fn max_min_delta_and_kurtosis_match_featuretools() {
        let (f, fg) = float_groups(FLOATS);
        let (i, ig) = int_groups(INTS);
        for (class, args, want_f, want_i) in CASES {
            let case = format!("{class}({args})");
            let out = run(class, args, &f, &fg);
            assert_numbers(&format!("{case} on floats"), &numbers(&out[0]), want_f);
            let out = run(class, args, &i, &ig);
            assert_numbers(&format!("{case} on ints"), &numbers(&out[0]), want_i);
        }
    }

    #[test]
    fn kurtosis_nan_policy_raise_fails_on_a_missing_value() {
        // Kurtosis(nan_policy="raise").get_function()(pd.Series([1.0, nan]))
        //   ValueError: The input contains nan values
        let p = Primitive::featuretools("Kurtosis", serde_json::json!({"nan_policy": "raise"}))
            .unwrap();
        let (f, g) = float_groups(&[&[1.0, 2.0, 4.0, 8.0], &[1.0, NAN]]);
        let e = aggregate(&p, std::slice::from_ref(&f), &g).unwrap_err();
        assert!(e.contains("nan"), "{e}");
        // [1, 2, 4, 8] alone: -1.0989792060491494, as with 'propagate'
        let (f, g) = float_groups(&[&[1.0, 2.0, 4.0, 8.0]]);
        let out = aggregate(&p, &[f], &g).unwrap();
        assert_numbers("raise", &numbers(&out[0]), &[Some(-1.0989792060491494)]);
        let e = Primitive::featuretools("Kurtosis", serde_json::json!({"nan_policy": "x"}))
            .unwrap_err();
        assert!(e.contains("'nan_policy'"), "{e}");
    }

    #[test]
    fn variance_is_pandas_groupby_var() {
        // ft.calculate_feature_matrix([Feature(x, parent, primitive=Variance)]) over a Double
        // column with these groups (one instance per group):
        //   [0.125, nan, nan, nan, 0.11000000000000003, 4.666666666666667, 7.55357142857143]
        // while Variance().get_function() (np.var, ddof 0) on the same Series gives
        //   [0.0625, nan, 0.0, nan, 0.1, 3.5, 6.609375]
        let groups: &[&[f64]] = &[
            &[1.5, 2.0, NAN],
            &[NAN, NAN],
            &[4.0],
            &[],
            &[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1],
            &[1e10, 1e10 + 1.0, 1e10 + 2.0, 1e10 + 5.0],
            &[3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0],
        ];
        let (f, g) = float_groups(groups);
        let got = numbers(&run("Variance", "{}", &f, &g)[0]);
        assert_numbers(
            "variance",
            &got,
            &[
                Some(0.125),
                None,
                None,
                None,
                Some(0.11000000000000003),
                Some(4.666666666666667),
                Some(7.55357142857143),
            ],
        );
        // Welford's running update, not the two-pass 0.11000000000000001 of Series.var()
        assert_eq!(got[4], Some(0.11000000000000003));
        // Integer column: [0.9166666666666666, nan, 1902.5]
        let (i, g) = int_groups(INTS);
        assert_numbers(
            "variance ints",
            &numbers(&run("Variance", "{}", &i, &g)[0]),
            &[Some(0.9166666666666666), None, Some(1902.5)],
        );
        assert_eq!(prim("Variance").default_value(), Default::Null);
        assert_eq!(prim("Kurtosis").default_value(), Default::Zero);
        assert_eq!(prim("MaxMinDelta").default_value(), Default::Zero);
        assert_eq!(prim("Entropy").default_value(), Default::Null);
        for class in ["Variance", "Kurtosis", "MaxMinDelta"] {
            assert!(prim(class).numeric_input(), "{class}");
        }
        assert!(!prim("Entropy").numeric_input());
    }

    const CATS: &[&[Option<&str>]] = &[
        &[Some("a"), Some("b"), Some("a"), None, Some("c"), Some("a")],
        &[None, None],
        &[Some("d")],
        &[Some("a"), Some("b"), Some("b"), Some("a")],
        &[Some("b"), None],
        &[],
    ];
    const VALUES: &[&[f64]] = &[
        &[0.0, -0.0, 1.5],
        &[NAN, NAN],
        &[2.0],
        &[1.0, NAN, 3.0],
        &[5.0, 5.0, NAN],
        &[],
    ];

    type EntropyCase = (
        &'static str,
        &'static str,
        &'static [Option<f64>],
        &'static [Option<f64>],
        &'static [Option<f64>],
    );

    /// `Entropy(**args).get_function()(s)` for each group of CATS as
    /// `pd.Series(pd.Categorical(g, categories=["a","b","c","d"]))`, as `pd.Series(g,
    /// dtype=object)`, and each group of VALUES as `pd.Series(g, dtype=float)`; None for NaN
    /// and for the empty group.
    const ENTROPY: &[EntropyCase] = &[
        // Entropy()
        (
            "Entropy",
            r#"{}"#,
            &[
                Some(1.2424533248940002),
                Some(0.0),
                Some(0.0),
                Some(0.6931471805599453),
                Some(0.6931471805599453),
                None,
            ],
            &[
                Some(1.2424533248940002),
                Some(0.0),
                Some(0.0),
                Some(0.6931471805599453),
                Some(0.6931471805599453),
                None,
            ],
            &[
                Some(0.6365141682948128),
                Some(0.0),
                Some(0.0),
                Some(1.0986122886681096),
                Some(0.6365141682948128),
                None,
            ],
        ),
        // Entropy(dropna=True)
        (
            "Entropy",
            r#"{"dropna": true}"#,
            &[
                Some(0.9502705392332347),
                None,
                Some(0.0),
                Some(0.6931471805599453),
                Some(0.0),
                None,
            ],
            &[
                Some(0.9502705392332347),
                Some(0.0),
                Some(0.0),
                Some(0.6931471805599453),
                Some(0.0),
                None,
            ],
            &[
                Some(0.6365141682948128),
                Some(0.0),
                Some(0.0),
                Some(0.6931471805599453),
                Some(0.0),
                None,
            ],
        ),
        // Entropy(base=2)
        (
            "Entropy",
            r#"{"base": 2}"#,
            &[
                Some(1.7924812503605783),
                Some(0.0),
                Some(0.0),
                Some(1.0),
                Some(1.0),
                None,
            ],
            &[
                Some(1.7924812503605783),
                Some(0.0),
                Some(0.0),
                Some(1.0),
                Some(1.0),
                None,
            ],
            &[
                Some(0.9182958340544894),
                Some(0.0),
                Some(0.0),
                Some(1.584962500721156),
                Some(0.9182958340544894),
                None,
            ],
        ),
        // Entropy(dropna=True, base=10)
        (
            "Entropy",
            r#"{"dropna": true, "base": 10}"#,
            &[
                Some(0.4126972515042214),
                None,
                Some(0.0),
                Some(0.30102999566398114),
                Some(0.0),
                None,
            ],
            &[
                Some(0.4126972515042214),
                Some(0.0),
                Some(0.0),
                Some(0.30102999566398114),
                Some(0.0),
                None,
            ],
            &[
                Some(0.27643459094367495),
                Some(0.0),
                Some(0.0),
                Some(0.30102999566398114),
                Some(0.0),
                None,
            ],
        ),
    ];

    #[test]
    fn entropy_matches_featuretools() {
        let sizes: Vec<usize> = CATS.iter().map(|g| g.len()).collect();
        let g = groups(&sizes);
        let keys: arrow_array::Int32Array = CATS
            .iter()
            .flat_map(|g| g.iter())
            .map(|v| v.map(|s| (s.as_bytes()[0] - b'a') as i32))
            .collect();
        let values: ArrayRef = Arc::new(StringArray::from(vec!["a", "b", "c", "d"]));
        let cat: ArrayRef = Arc::new(DictionaryArray::try_new(keys, values).unwrap());
        let txt: ArrayRef = Arc::new(
            CATS.iter()
                .flat_map(|g| g.iter().copied())
                .collect::<StringArray>(),
        );
        let (val, gv) = float_groups(VALUES);
        for (class, args, want_cat, want_txt, want_val) in ENTROPY {
            let case = format!("{class}({args})");
            let out = run(class, args, &cat, &g);
            assert_numbers(&format!("{case} categorical"), &numbers(&out[0]), want_cat);
            let out = run(class, args, &txt, &g);
            assert_numbers(&format!("{case} text"), &numbers(&out[0]), want_txt);
            let out = run(class, args, &val, &gv);
            assert_numbers(&format!("{case} numbers"), &numbers(&out[0]), want_val);
        }
    }

    #[test]
    fn entropy_base_as_scipy_takes_it() {
        // Entropy(base=1).get_function()(pd.Series(["a","b"])) == inf, (["a","a"]) is nan
        let txt: ArrayRef = Arc::new(StringArray::from(vec!["a", "b", "a", "a"]));
        let out = run("Entropy", r#"{"base": 1}"#, &txt, &groups(&[2, 2]));
        assert_eq!(numbers(&out[0]), vec![Some(f64::INFINITY), None]);
        // Entropy(base=0.5).get_function()(pd.Series(["a","b","b"])) == -0.9182958340544894
        let txt: ArrayRef = Arc::new(StringArray::from(vec!["a", "b", "b"]));
        let out = run("Entropy", r#"{"base": 0.5}"#, &txt, &groups(&[3]));
        assert_numbers("base 0.5", &numbers(&out[0]), &[Some(-0.9182958340544894)]);
        // base=-1: ValueError("`base` must be a positive number or `None`.")
        for base in [serde_json::json!(-1), serde_json::json!(0)] {
            let e =
                Primitive::featuretools("Entropy", serde_json::json!({"base": base})).unwrap_err();
            assert!(e.contains("'base'"), "{e}");
        }
    }
}
