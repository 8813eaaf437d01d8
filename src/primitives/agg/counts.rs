//! Counting aggregations (`featuretools/primitives/standard/aggregation/`): COUNT_ABOVE_MEAN,
//! COUNT_BELOW_MEAN, COUNT_GREATER_THAN, COUNT_LESS_THAN, COUNT_INSIDE_NTH_STD,
//! COUNT_OUTSIDE_NTH_STD, COUNT_INSIDE_RANGE, COUNT_OUTSIDE_RANGE, MAX_COUNT, MIN_COUNT,
//! MEDIAN_COUNT (numeric input), AVERAGE_COUNT_PER_UNIQUE, N_MOST_COMMON_FREQUENCY,
//! PERCENT_UNIQUE, HAS_NO_DUPLICATES, IS_UNIQUE (value codes) and ALL, ANY (booleans).
//!
//! featuretools hands each group's Series to the primitive's function (`groupby(...).agg`), so
//! the semantics are pandas' on one Series: a categorical's `value_counts` lists every category
//! of the column, the unobserved ones with 0 (the Dictionary's values are the categories).

use std::collections::HashSet;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type};
use arrow_array::{Array, ArrayRef, BooleanArray, Float64Array, Int64Array};
use arrow_schema::DataType;

use super::moments::{pd_mean, pd_var};
use super::{AggInput, Aggregation};
use crate::primitives::registry::{Args, Entry};
use crate::primitives::{booleans, float_out, rank, strings, Counter, Default, Implementation};

fn entry(a: impl Aggregation + 'static) -> Result<Implementation, String> {
    Ok(Implementation::Aggregation(Arc::new(a)))
}

fn skipna(a: &Args) -> Result<bool, String> {
    a.bool("skipna", true)
}

/// CountInsideNthSTD / CountOutsideNthSTD's `n` ("n must be a positive number": ValueError).
fn nth(a: &Args) -> Result<f64, String> {
    let n = a.num("n", 1.0)?;
    if n < 0.0 {
        return Err(a.error("n", format!("is {n}; featuretools refuses a negative n")));
    }
    Ok(n)
}

pub(crate) const ENTRIES: &[Entry] = &[
    Entry {
        class: "CountAboveMean",
        make: |a| {
            entry(CountVsMean {
                above: true,
                skipna: skipna(a)?,
            })
        },
    },
    Entry {
        class: "CountBelowMean",
        make: |a| {
            entry(CountVsMean {
                above: false,
                skipna: skipna(a)?,
            })
        },
    },
    Entry {
        class: "CountGreaterThan",
        make: |a| {
            entry(CountVsThreshold {
                greater: true,
                threshold: a.num("threshold", 10.0)?,
            })
        },
    },
    Entry {
        class: "CountLessThan",
        make: |a| {
            entry(CountVsThreshold {
                greater: false,
                threshold: a.num("threshold", 10.0)?,
            })
        },
    },
    Entry {
        class: "CountInsideNthSTD",
        make: |a| {
            entry(CountNthStd {
                inside: true,
                n: nth(a)?,
            })
        },
    },
    Entry {
        class: "CountOutsideNthSTD",
        make: |a| {
            entry(CountNthStd {
                inside: false,
                n: nth(a)?,
            })
        },
    },
    Entry {
        class: "CountInsideRange",
        make: |a| {
            entry(CountRange {
                inside: true,
                lower: a.num("lower", 0.0)?,
                upper: a.num("upper", 1.0)?,
                skipna: skipna(a)?,
            })
        },
    },
    Entry {
        class: "CountOutsideRange",
        make: |a| {
            entry(CountRange {
                inside: false,
                lower: a.num("lower", 0.0)?,
                upper: a.num("upper", 1.0)?,
                skipna: skipna(a)?,
            })
        },
    },
    Entry {
        class: "MaxCount",
        make: |a| {
            entry(CountOf {
                of: Extreme::Max,
                skipna: skipna(a)?,
            })
        },
    },
    Entry {
        class: "MinCount",
        make: |a| {
            entry(CountOf {
                of: Extreme::Min,
                skipna: skipna(a)?,
            })
        },
    },
    Entry {
        class: "MedianCount",
        make: |a| {
            entry(CountOf {
                of: Extreme::Median,
                skipna: skipna(a)?,
            })
        },
    },
    Entry {
        class: "AverageCountPerUnique",
        make: |a| entry(AverageCountPerUnique { skipna: skipna(a)? }),
    },
    Entry {
        class: "NMostCommonFrequency",
        make: |a| {
            let n = a.num("n", 3.0)?;
            if !(n >= 1.0 && n.fract() == 0.0) {
                return Err(a.error("n", format!("must be a positive whole number, not {n}")));
            }
            entry(NMostCommonFrequency {
                n: n as usize,
                skipna: skipna(a)?,
            })
        },
    },
    Entry {
        class: "PercentUnique",
        make: |a| entry(PercentUnique { skipna: skipna(a)? }),
    },
    Entry {
        class: "HasNoDuplicates",
        make: |a| entry(HasNoDuplicates { skipna: skipna(a)? }),
    },
    Entry {
        class: "IsUnique",
        make: |_| entry(IsUnique),
    },
    Entry {
        class: "All",
        make: |_| entry(AllAny { all: true }),
    },
    Entry {
        class: "Any",
        make: |_| entry(AllAny { all: false }),
    },
];

/// One Int64 value per group from the numbers of its rows (an empty group has none: the caller
/// fills featuretools' default).
fn ints(x: &AggInput, f: impl Fn(&[f64], &[u32]) -> Option<i64>) -> Result<Vec<ArrayRef>, String> {
    let vals = x.numbers()?;
    let out: Int64Array = (0..x.groups.len())
        .map(|g| {
            let rows = x.groups.get(g);
            if rows.is_empty() {
                None
            } else {
                f(&vals, rows)
            }
        })
        .collect();
    Ok(vec![Arc::new(out)])
}

fn count(vals: &[f64], rows: &[u32], keep: impl Fn(f64) -> bool) -> i64 {
    // NaN compares false, as in pandas.
    rows.iter().filter(|&&r| keep(vals[r as usize])).count() as i64
}

/// COUNT_ABOVE_MEAN / COUNT_BELOW_MEAN: `len(x[x > x.mean(skipna)])` (`<`), NaN where the mean
/// is NaN (no value, or a missing one without `skipna`).
///
/// On an IntegerNullable (pandas Int64) column, featuretools itself fails there
/// (`np.isnan(pd.NA)` is NA: "boolean value of NA is ambiguous"); ftpart gives the float
/// column's answer.
struct CountVsMean {
    above: bool,
    skipna: bool,
}

impl Aggregation for CountVsMean {
    fn numeric_input(&self) -> bool {
        true
    }
    fn batch(&self, x: &AggInput) -> Result<Vec<ArrayRef>, String> {
        ints(x, |vals, rows| {
            let mean = pd_mean(vals, rows, self.skipna);
            if mean.is_nan() {
                return None;
            }
            Some(if self.above {
                count(vals, rows, |v| v > mean)
            } else {
                count(vals, rows, |v| v < mean)
            })
        })
    }
}

/// COUNT_GREATER_THAN / COUNT_LESS_THAN: `x[x > threshold].count()` (`<`).
struct CountVsThreshold {
    greater: bool,
    threshold: f64,
}

impl Aggregation for CountVsThreshold {
    fn default_value(&self) -> Default {
        Default::Zero
    }
    fn numeric_input(&self) -> bool {
        true
    }
    fn batch(&self, x: &AggInput) -> Result<Vec<ArrayRef>, String> {
        let t = self.threshold;
        ints(x, |vals, rows| {
            Some(if self.greater {
                count(vals, rows, |v| v > t)
            } else {
                count(vals, rows, |v| v < t)
            })
        })
    }
}

/// COUNT_INSIDE_NTH_STD / COUNT_OUTSIDE_NTH_STD: `np.abs(x - np.mean(x)) <= np.std(x) * n`
/// (`>`): on a Series those are `Series.mean()` and `Series.std(ddof=0)`, missing values
/// skipped (and never counted).
struct CountNthStd {
    inside: bool,
    n: f64,
}

impl Aggregation for CountNthStd {
    fn default_value(&self) -> Default {
        Default::Zero
    }
    fn numeric_input(&self) -> bool {
        true
    }
    fn batch(&self, x: &AggInput) -> Result<Vec<ArrayRef>, String> {
        ints(x, |vals, rows| {
            let mean = pd_mean(vals, rows, true);
            let limit = pd_var(vals, rows, 0).sqrt() * self.n;
            Some(if self.inside {
                count(vals, rows, |v| (v - mean).abs() <= limit)
            } else {
                count(vals, rows, |v| (v - mean).abs() > limit)
            })
        })
    }
}

/// COUNT_INSIDE_RANGE / COUNT_OUTSIDE_RANGE: `(lower <= x) & (x <= upper)` (`(x < lower) |
/// (x > upper)`) summed; NaN when a value is missing and `skipna` is false.
struct CountRange {
    inside: bool,
    lower: f64,
    upper: f64,
    skipna: bool,
}

impl Aggregation for CountRange {
    fn default_value(&self) -> Default {
        Default::Zero
    }
    fn numeric_input(&self) -> bool {
        true
    }
    fn batch(&self, x: &AggInput) -> Result<Vec<ArrayRef>, String> {
        let (lo, hi) = (self.lower, self.upper);
        ints(x, |vals, rows| {
            if !self.skipna && rows.iter().any(|&r| vals[r as usize].is_nan()) {
                return None;
            }
            Some(if self.inside {
                count(vals, rows, |v| lo <= v && v <= hi)
            } else {
                count(vals, rows, |v| v < lo || v > hi)
            })
        })
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Extreme {
    Max,
    Min,
    Median,
}

/// MAX_COUNT / MIN_COUNT / MEDIAN_COUNT: `x.eq(m).sum()` for `m = x.max(skipna)` (min,
/// median), NaN where `m` is (no value, or a missing one without `skipna`).
///
/// MAX_COUNT's return type has no logical type: its column is a float one wherever an
/// instance has no value (pandas' merge), so Float64; MIN_COUNT and MEDIAN_COUNT are
/// IntegerNullable. MEDIAN_COUNT's default is 0, the others' NaN. On an IntegerNullable column
/// featuretools fails where `m` is NA (see [`CountVsMean`]).
struct CountOf {
    of: Extreme,
    skipna: bool,
}

impl CountOf {
    fn value(&self, vals: &[f64], rows: &[u32]) -> Option<i64> {
        let mut v: Vec<f64> = rows
            .iter()
            .map(|&r| vals[r as usize])
            .filter(|x| !x.is_nan())
            .collect();
        if v.is_empty() || !self.skipna && v.len() < rows.len() {
            return None;
        }
        let m = match self.of {
            Extreme::Max => v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            Extreme::Min => v.iter().copied().fold(f64::INFINITY, f64::min),
            Extreme::Median => {
                // np.nanmedian: the middle value, or the mean of the middle two.
                v.sort_by(f64::total_cmp);
                let h = v.len() / 2;
                if v.len() % 2 == 1 {
                    v[h]
                } else {
                    (v[h - 1] + v[h]) / 2.0
                }
            }
        };
        if m.is_nan() {
            return None;
        }
        Some(v.iter().filter(|&&x| x == m).count() as i64)
    }
}

impl Aggregation for CountOf {
    fn default_value(&self) -> Default {
        match self.of {
            Extreme::Median => Default::Zero,
            _ => Default::Null,
        }
    }
    fn numeric_input(&self) -> bool {
        true
    }
    fn batch(&self, x: &AggInput) -> Result<Vec<ArrayRef>, String> {
        let out = ints(x, |vals, rows| self.value(vals, rows))?;
        if self.of != Extreme::Max {
            return Ok(out);
        }
        let v: Float64Array = out[0]
            .as_primitive::<arrow_array::types::Int64Type>()
            .iter()
            .map(|c| c.map(|c| c as f64))
            .collect();
        Ok(vec![Arc::new(v)])
    }
}

/// The values of a column as codes for counting ([`Counter`]): equal values share a code,
/// missing ones are `u32::MAX`. Floats compare as pandas' hash table does (0.0 equals -0.0, NaN
/// is missing).
pub(crate) struct Codes {
    pub(crate) ranks: Vec<u32>,
    /// Codes are below this.
    pub(crate) space: usize,
    /// For a categorical (Dictionary) input, the number of its categories (distinct dictionary
    /// values: a dictionary concatenated from parts repeats them).
    pub(crate) categories: Option<usize>,
}

pub(crate) fn value_codes(a: &ArrayRef) -> Result<Codes, String> {
    let (ranked, categories) = match a.data_type() {
        DataType::Float64 => {
            let norm: Float64Array = a
                .as_primitive::<Float64Type>()
                .iter()
                .map(|v| v.filter(|v| !v.is_nan()).map(|v| v + 0.0))
                .collect();
            (rank(&(Arc::new(norm) as ArrayRef))?, None)
        }
        DataType::Dictionary(_, _) => {
            let values = a.as_dictionary::<Int32Type>().values();
            let cats: HashSet<String> = strings(values)?.into_iter().flatten().collect();
            (rank(a)?, Some(cats.len()))
        }
        _ => (rank(a)?, None),
    };
    Ok(Codes {
        space: ranked.values.len(),
        ranks: ranked.ranks,
        categories,
    })
}

/// One group's value counts.
struct Tally {
    /// Distinct values present.
    distinct: usize,
    /// Rows with a value.
    present: usize,
    /// Rows without one.
    missing: usize,
    /// Every distinct value is there once.
    all_once: bool,
}

/// Runs `f` on each non-empty group's tally (an empty group has no value).
fn tallies<T>(
    x: &AggInput,
    mut f: impl FnMut(&Tally, &Counter, &Codes) -> Option<T>,
) -> Result<Vec<Option<T>>, String> {
    let codes = value_codes(x.input()?)?;
    let mut counter = Counter::new(codes.space);
    let mut out = Vec::with_capacity(x.groups.len());
    for g in 0..x.groups.len() {
        let rows = x.groups.get(g);
        if rows.is_empty() {
            out.push(None);
            continue;
        }
        counter.count(rows.iter().map(|&r| codes.ranks[r as usize]));
        let present: usize = counter
            .distinct
            .iter()
            .map(|&v| counter.counts[v as usize] as usize)
            .sum();
        let t = Tally {
            distinct: counter.distinct.len(),
            present,
            missing: rows.len() - present,
            all_once: present == counter.distinct.len(),
        };
        out.push(f(&t, &counter, &codes));
    }
    Ok(out)
}

/// AVERAGE_COUNT_PER_UNIQUE: `x.value_counts(dropna=skipna).mean(skipna=skipna)`: the rows
/// counted over the values listed (every category of a categorical; the missing values as one
/// more when `skipna` is false and there are some); NaN (then 0) when nothing is listed.
struct AverageCountPerUnique {
    skipna: bool,
}

impl Aggregation for AverageCountPerUnique {
    fn default_value(&self) -> Default {
        Default::Zero
    }
    fn batch(&self, x: &AggInput) -> Result<Vec<ArrayRef>, String> {
        let out = tallies(x, |t, _, codes| {
            let mut listed = codes.categories.unwrap_or(t.distinct);
            let mut rows = t.present;
            if !self.skipna && t.missing > 0 {
                listed += 1;
                rows += t.missing;
            }
            Some(if listed == 0 {
                f64::NAN
            } else {
                rows as f64 / listed as f64
            })
        })?;
        Ok(vec![float_out(
            out.into_iter().map(|v| v.unwrap_or(f64::NAN)).collect(),
        )])
    }
}

/// N_MOST_COMMON_FREQUENCY: the first `n` of `x.value_counts(dropna=skipna)` (counts, most
/// frequent first; a categorical lists its unobserved categories with 0; the missing values are
/// one more value when `skipna` is false), padded with NaN. The output is Categorical of
/// numbers that pandas writes as floats wherever a place is padded or an instance has no
/// value, so Float64.
struct NMostCommonFrequency {
    n: usize,
    skipna: bool,
}

impl Aggregation for NMostCommonFrequency {
    fn outputs(&self) -> usize {
        self.n
    }
    fn batch(&self, x: &AggInput) -> Result<Vec<ArrayRef>, String> {
        let n = self.n;
        let mut counts: Vec<usize> = Vec::new();
        let per_group = tallies(x, |t, counter, codes| {
            counts.clear();
            counts.extend(
                counter
                    .distinct
                    .iter()
                    .map(|&v| counter.counts[v as usize] as usize),
            );
            if !self.skipna && t.missing > 0 {
                counts.push(t.missing);
            }
            counts.sort_unstable_by(|a, b| b.cmp(a));
            counts.truncate(n);
            let unobserved = codes.categories.map_or(0, |c| c.saturating_sub(t.distinct));
            let zeros = unobserved.min(n - counts.len());
            counts.extend(std::iter::repeat_n(0, zeros));
            Some(counts.clone())
        })?;
        Ok((0..n)
            .map(|k| {
                let col: Float64Array = per_group
                    .iter()
                    .map(|c| c.as_ref().and_then(|c| c.get(k)).map(|&v| v as f64))
                    .collect();
                Arc::new(col) as ArrayRef
            })
            .collect())
    }
}

/// PERCENT_UNIQUE: `x.nunique(dropna=skipna) / len(x)` (the missing values one more value when
/// `skipna` is false; `len` counts them either way).
struct PercentUnique {
    skipna: bool,
}

impl Aggregation for PercentUnique {
    fn default_value(&self) -> Default {
        Default::Zero
    }
    fn batch(&self, x: &AggInput) -> Result<Vec<ArrayRef>, String> {
        let out = tallies(x, |t, _, _| {
            let unique = t.distinct + usize::from(!self.skipna && t.missing > 0);
            Some(unique as f64 / (t.present + t.missing) as f64)
        })?;
        Ok(vec![float_out(
            out.into_iter().map(|v| v.unwrap_or(f64::NAN)).collect(),
        )])
    }
}

fn bool_out(v: Vec<Option<bool>>) -> Vec<ArrayRef> {
    vec![Arc::new(BooleanArray::from(v))]
}

/// HAS_NO_DUPLICATES: `not data.duplicated().any()`, after `dropna()` with `skipna`; without
/// it two missing values are duplicates. Default True.
struct HasNoDuplicates {
    skipna: bool,
}

impl Aggregation for HasNoDuplicates {
    fn default_value(&self) -> Default {
        Default::Bool(true)
    }
    fn batch(&self, x: &AggInput) -> Result<Vec<ArrayRef>, String> {
        Ok(bool_out(tallies(x, |t, _, _| {
            Some(t.all_once && (self.skipna || t.missing <= 1))
        })?))
    }
}

/// IS_UNIQUE: `x.is_unique` (two missing values are not unique). Default False.
struct IsUnique;

impl Aggregation for IsUnique {
    fn default_value(&self) -> Default {
        Default::Bool(false)
    }
    fn batch(&self, x: &AggInput) -> Result<Vec<ArrayRef>, String> {
        Ok(bool_out(tallies(x, |t, _, _| {
            Some(t.all_once && t.missing <= 1)
        })?))
    }
}

/// ALL / ANY: the primitive's function is `np.all` (`np.any`), which pandas 2.2's
/// `groupby(...).agg` replaces by `SeriesGroupBy.all()` (`any()`), skipping missing values: a
/// group of missing values only is all True and any False. Default NaN.
struct AllAny {
    all: bool,
}

impl Aggregation for AllAny {
    fn batch(&self, x: &AggInput) -> Result<Vec<ArrayRef>, String> {
        let b = booleans(x.input()?)?;
        Ok(bool_out(
            (0..x.groups.len())
                .map(|g| {
                    let rows = x.groups.get(g);
                    if rows.is_empty() {
                        return None;
                    }
                    let mut vals = rows
                        .iter()
                        .filter(|&&r| b.is_valid(r as usize))
                        .map(|&r| b.value(r as usize));
                    Some(if self.all {
                        vals.all(|v| v)
                    } else {
                        vals.any(|v| v)
                    })
                })
                .collect(),
        ))
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Inputs and outputs of the family tests.
    use std::sync::Arc;

    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float64Type, Int64Type};
    use arrow_array::{Array, ArrayRef, Float64Array, Int64Array};
    use arrow_schema::DataType;

    use crate::primitives::test_util::prim_with;
    use crate::primitives::{aggregate, Groups};

    /// Consecutive groups of the given sizes.
    pub fn groups(sizes: &[usize]) -> Groups {
        let mut offsets = vec![0];
        for s in sizes {
            offsets.push(offsets.last().unwrap() + s);
        }
        let rows = (0..*offsets.last().unwrap() as u32).collect();
        Groups {
            offsets,
            rows,
            ranges: None,
        }
    }

    /// Float64 values of groups (NaN → null), and the groups.
    pub fn float_groups(gs: &[&[f64]]) -> (ArrayRef, Groups) {
        let v: Float64Array = gs
            .iter()
            .flat_map(|g| g.iter().map(|x| (!x.is_nan()).then_some(*x)))
            .collect();
        let sizes: Vec<usize> = gs.iter().map(|g| g.len()).collect();
        (Arc::new(v), groups(&sizes))
    }

    /// Int64 values of groups, and the groups.
    pub fn int_groups(gs: &[&[i64]]) -> (ArrayRef, Groups) {
        let v: Int64Array = gs.iter().flat_map(|g| g.iter().copied()).collect();
        let sizes: Vec<usize> = gs.iter().map(|g| g.len()).collect();
        (Arc::new(v), groups(&sizes))
    }

    /// Runs `class(args)` on `input` grouped by `g`.
    pub fn run(class: &str, args: &str, input: &ArrayRef, g: &Groups) -> Vec<ArrayRef> {
        let p = prim_with(class, serde_json::from_str(args).unwrap());
        let out = aggregate(&p, std::slice::from_ref(input), g).unwrap();
        assert_eq!(out.len(), p.outputs());
        out
    }

    /// An Int64 or Float64 output as numbers.
    pub fn numbers(a: &ArrayRef) -> Vec<Option<f64>> {
        match a.data_type() {
            DataType::Int64 => a
                .as_primitive::<Int64Type>()
                .iter()
                .map(|v| v.map(|v| v as f64))
                .collect(),
            DataType::Float64 => a.as_primitive::<Float64Type>().iter().collect(),
            other => panic!("numbers expected, found {other}"),
        }
    }

    /// Asserts equal numbers (to 1e-12 relative), naming the case.
    pub fn assert_numbers(case: &str, got: &[Option<f64>], want: &[Option<f64>]) {
        assert_eq!(got.len(), want.len(), "{case}");
        for (i, (g, w)) in got.iter().zip(want).enumerate() {
            match (g, w) {
                (Some(g), Some(w)) => assert!(
                    (g - w).abs() <= 1e-12 * w.abs().max(1e-300),
                    "{case}: group {i}: {g} != {w}"
                ),
                _ => assert_eq!(g, w, "{case}: group {i}"),
            }
        }
    }

    /// A Boolean output.
    pub fn bools(a: &ArrayRef) -> Vec<Option<bool>> {
        a.as_boolean().iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{ArrayRef, BooleanArray, DictionaryArray, StringArray};
    use arrow_schema::DataType;

    use super::test_support::*;
    use crate::primitives::test_util::{prim, prim_with};
    use crate::primitives::{Default, Primitive};

    const NAN: f64 = f64::NAN;
    /// Groups A..H: ties, missing values, a single row, an empty group (D: featuretools never
    /// calls the function, the caller fills the default), float means.
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

    /// Expected values: `Prim(**args).get_function()(pd.Series(group, dtype=float))` for each
    /// group of FLOATS (None for NaN), and `pd.Series(group, dtype="int64")` for INTS
    /// (featuretools 1.31.0, pandas 2.2.3).
    const CASES: &[Case] = &[
        // CountAboveMean()
        (
            "CountAboveMean",
            r#"{}"#,
            &[
                Some(2.0),
                None,
                Some(0.0),
                None,
                Some(5.0),
                Some(3.0),
                Some(3.0),
            ],
            &[Some(2.0), Some(0.0), Some(1.0)],
        ),
        // CountAboveMean(skipna=False)
        (
            "CountAboveMean",
            r#"{"skipna": false}"#,
            &[None, None, Some(0.0), None, Some(5.0), Some(3.0), Some(3.0)],
            &[Some(2.0), Some(0.0), Some(1.0)],
        ),
        // CountBelowMean()
        (
            "CountBelowMean",
            r#"{}"#,
            &[
                Some(3.0),
                None,
                Some(0.0),
                None,
                Some(5.0),
                Some(3.0),
                Some(2.0),
            ],
            &[Some(2.0), Some(0.0), Some(4.0)],
        ),
        // CountBelowMean(skipna=False)
        (
            "CountBelowMean",
            r#"{"skipna": false}"#,
            &[None, None, Some(0.0), None, Some(5.0), Some(3.0), Some(2.0)],
            &[Some(2.0), Some(0.0), Some(4.0)],
        ),
        // CountGreaterThan()
        (
            "CountGreaterThan",
            r#"{}"#,
            &[
                Some(0.0),
                Some(0.0),
                Some(0.0),
                None,
                Some(0.0),
                Some(1.0),
                Some(0.0),
            ],
            &[Some(0.0), Some(0.0), Some(1.0)],
        ),
        // CountGreaterThan(threshold=2)
        (
            "CountGreaterThan",
            r#"{"threshold": 2}"#,
            &[
                Some(2.0),
                Some(0.0),
                Some(1.0),
                None,
                Some(0.0),
                Some(4.0),
                Some(0.0),
            ],
            &[Some(2.0), Some(1.0), Some(3.0)],
        ),
        // CountLessThan()
        (
            "CountLessThan",
            r#"{}"#,
            &[
                Some(5.0),
                Some(0.0),
                Some(1.0),
                None,
                Some(11.0),
                Some(3.0),
                Some(5.0),
            ],
            &[Some(4.0), Some(1.0), Some(4.0)],
        ),
        // CountLessThan(threshold=2.5)
        (
            "CountLessThan",
            r#"{"threshold": 2.5}"#,
            &[
                Some(3.0),
                Some(0.0),
                Some(0.0),
                None,
                Some(11.0),
                Some(2.0),
                Some(5.0),
            ],
            &[Some(2.0), Some(0.0), Some(2.0)],
        ),
        // CountInsideNthSTD()
        (
            "CountInsideNthSTD",
            r#"{}"#,
            &[
                Some(3.0),
                Some(0.0),
                Some(1.0),
                None,
                Some(7.0),
                Some(3.0),
                Some(3.0),
            ],
            &[Some(3.0), Some(1.0), Some(4.0)],
        ),
        // CountInsideNthSTD(n=0.5)
        (
            "CountInsideNthSTD",
            r#"{"n": 0.5}"#,
            &[
                Some(3.0),
                Some(0.0),
                Some(1.0),
                None,
                Some(3.0),
                Some(1.0),
                Some(2.0),
            ],
            &[Some(1.0), Some(1.0), Some(2.0)],
        ),
        // CountOutsideNthSTD()
        (
            "CountOutsideNthSTD",
            r#"{}"#,
            &[
                Some(2.0),
                Some(0.0),
                Some(0.0),
                None,
                Some(4.0),
                Some(3.0),
                Some(2.0),
            ],
            &[Some(1.0), Some(0.0), Some(1.0)],
        ),
        // CountOutsideNthSTD(n=2)
        (
            "CountOutsideNthSTD",
            r#"{"n": 2}"#,
            &[
                Some(0.0),
                Some(0.0),
                Some(0.0),
                None,
                Some(0.0),
                Some(0.0),
                Some(0.0),
            ],
            &[Some(0.0), Some(0.0), Some(0.0)],
        ),
        // CountInsideRange()
        (
            "CountInsideRange",
            r#"{}"#,
            &[
                Some(1.0),
                Some(0.0),
                Some(0.0),
                None,
                Some(10.0),
                Some(0.0),
                Some(4.0),
            ],
            &[Some(1.0), Some(0.0), Some(1.0)],
        ),
        // CountInsideRange(lower=1, upper=3, skipna=False)
        (
            "CountInsideRange",
            r#"{"lower": 1, "upper": 3, "skipna": false}"#,
            &[None, None, Some(0.0), None, Some(2.0), Some(1.0), Some(1.0)],
            &[Some(4.0), Some(0.0), Some(3.0)],
        ),
        // CountOutsideRange()
        (
            "CountOutsideRange",
            r#"{}"#,
            &[
                Some(4.0),
                Some(0.0),
                Some(1.0),
                None,
                Some(1.0),
                Some(6.0),
                Some(1.0),
            ],
            &[Some(3.0), Some(1.0), Some(4.0)],
        ),
        // CountOutsideRange(lower=1, upper=3, skipna=False)
        (
            "CountOutsideRange",
            r#"{"lower": 1, "upper": 3, "skipna": false}"#,
            &[None, None, Some(1.0), None, Some(9.0), Some(5.0), Some(4.0)],
            &[Some(0.0), Some(1.0), Some(2.0)],
        ),
        // MaxCount()
        (
            "MaxCount",
            r#"{}"#,
            &[
                Some(1.0),
                None,
                Some(1.0),
                None,
                Some(1.0),
                Some(1.0),
                Some(1.0),
            ],
            &[Some(2.0), Some(1.0), Some(1.0)],
        ),
        // MaxCount(skipna=False)
        (
            "MaxCount",
            r#"{"skipna": false}"#,
            &[None, None, Some(1.0), None, Some(1.0), Some(1.0), Some(1.0)],
            &[Some(2.0), Some(1.0), Some(1.0)],
        ),
        // MinCount()
        (
            "MinCount",
            r#"{}"#,
            &[
                Some(1.0),
                None,
                Some(1.0),
                None,
                Some(1.0),
                Some(2.0),
                Some(1.0),
            ],
            &[Some(1.0), Some(1.0), Some(1.0)],
        ),
        // MinCount(skipna=False)
        (
            "MinCount",
            r#"{"skipna": false}"#,
            &[None, None, Some(1.0), None, Some(1.0), Some(2.0), Some(1.0)],
            &[Some(1.0), Some(1.0), Some(1.0)],
        ),
        // MedianCount()
        (
            "MedianCount",
            r#"{}"#,
            &[
                Some(2.0),
                None,
                Some(1.0),
                None,
                Some(1.0),
                Some(0.0),
                Some(2.0),
            ],
            &[Some(0.0), Some(1.0), Some(1.0)],
        ),
        // MedianCount(skipna=False)
        (
            "MedianCount",
            r#"{"skipna": false}"#,
            &[None, None, Some(1.0), None, Some(1.0), Some(0.0), Some(2.0)],
            &[Some(0.0), Some(1.0), Some(1.0)],
        ),
    ];

    #[test]
    fn numeric_counts_match_featuretools() {
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
    fn output_types_and_defaults_are_featuretools() {
        // return_type (IntegerNullable / Integer → Int64, Double → Float64, no logical type →
        // Float64, BooleanNullable → Boolean) and default_value of each class.
        let (f, fg) = float_groups(FLOATS);
        let int = DataType::Int64;
        let float = DataType::Float64;
        let boolean = DataType::Boolean;
        for (class, dt, default, numeric) in [
            ("CountAboveMean", &int, Default::Null, true),
            ("CountBelowMean", &int, Default::Null, true),
            ("CountGreaterThan", &int, Default::Zero, true),
            ("CountLessThan", &int, Default::Zero, true),
            ("CountInsideNthSTD", &int, Default::Zero, true),
            ("CountOutsideNthSTD", &int, Default::Zero, true),
            ("CountInsideRange", &int, Default::Zero, true),
            ("CountOutsideRange", &int, Default::Zero, true),
            ("MaxCount", &float, Default::Null, true),
            ("MinCount", &int, Default::Null, true),
            ("MedianCount", &int, Default::Zero, true),
            ("AverageCountPerUnique", &float, Default::Zero, false),
            ("NMostCommonFrequency", &float, Default::Null, false),
            ("PercentUnique", &float, Default::Zero, false),
            ("HasNoDuplicates", &boolean, Default::Bool(true), false),
            ("IsUnique", &boolean, Default::Bool(false), false),
        ] {
            let p = prim(class);
            assert_eq!(p.default_value(), default, "{class}");
            assert_eq!(p.numeric_input(), numeric, "{class}");
            let out = run(class, "{}", &f, &fg);
            assert_eq!(out[0].data_type(), dt, "{class}");
            assert_eq!(out[0].len(), FLOATS.len(), "{class}");
        }
        let b: ArrayRef = Arc::new(BooleanArray::from(vec![Some(true)]));
        for class in ["All", "Any"] {
            assert_eq!(prim(class).default_value(), Default::Null);
            let out = run(class, "{}", &b, &groups(&[1]));
            assert_eq!(out[0].data_type(), &boolean);
        }
        assert_eq!(prim("NMostCommonFrequency").outputs(), 3);
        assert_eq!(
            prim_with("NMostCommonFrequency", serde_json::json!({"n": 5})).outputs(),
            5
        );
    }

    #[test]
    fn arguments_featuretools_refuses_are_refused() {
        // CountInsideNthSTD(n=-1): "n must be a positive number" (ValueError)
        for class in ["CountInsideNthSTD", "CountOutsideNthSTD"] {
            let e = Primitive::featuretools(class, serde_json::json!({"n": -1})).unwrap_err();
            assert!(e.contains("'n'"), "{e}");
        }
        for n in [serde_json::json!(0), serde_json::json!(2.5)] {
            let e = Primitive::featuretools("NMostCommonFrequency", serde_json::json!({"n": n}))
                .unwrap_err();
            assert!(e.contains("'n'"), "{e}");
        }
        let e =
            Primitive::featuretools("MaxCount", serde_json::json!({"skipna": "no"})).unwrap_err();
        assert!(e.contains("'skipna'"), "{e}");
    }

    /// Category groups: ties, missing values, a single row, an empty group.
    const CATS: &[&[Option<&str>]] = &[
        &[Some("a"), Some("b"), Some("a"), None, Some("c"), Some("a")],
        &[None, None],
        &[Some("d")],
        &[Some("a"), Some("b"), Some("b"), Some("a")],
        &[Some("b"), None],
        &[],
    ];
    /// Number groups for the same primitives: 0.0 and -0.0 are one value for pandas.
    const VALUES: &[&[f64]] = &[
        &[0.0, -0.0, 1.5],
        &[NAN, NAN],
        &[2.0],
        &[1.0, NAN, 3.0],
        &[5.0, 5.0, NAN],
        &[],
    ];

    fn sizes<T>(gs: &[&[T]]) -> Vec<usize> {
        gs.iter().map(|g| g.len()).collect()
    }

    /// CATS as a categorical with categories a, b, c, d (the dictionary).
    fn categorical() -> ArrayRef {
        let keys: arrow_array::Int32Array = CATS
            .iter()
            .flat_map(|g| g.iter())
            .map(|v| v.map(|s| (s.as_bytes()[0] - b'a') as i32))
            .collect();
        let values: ArrayRef = Arc::new(StringArray::from(vec!["a", "b", "c", "d"]));
        Arc::new(DictionaryArray::try_new(keys, values).unwrap())
    }

    /// CATS as plain text (pandas object: value_counts lists the values present only).
    fn text() -> ArrayRef {
        let v: StringArray = CATS.iter().flat_map(|g| g.iter().copied()).collect();
        Arc::new(v)
    }

    fn values() -> ArrayRef {
        float_groups(VALUES).0
    }

    type UniqueCase<T> = (
        &'static str,
        &'static str,
        &'static [T],
        &'static [T],
        &'static [T],
    );

    /// `Prim(**args).get_function()(s)` for each group of CATS as
    /// `pd.Series(pd.Categorical(g, categories=["a","b","c","d"]))`, as `pd.Series(g,
    /// dtype=object)`, and each group of VALUES as `pd.Series(g, dtype=float)`; None for NaN
    /// and for the empty group.
    const UNIQUE_NUMBERS: &[UniqueCase<Option<f64>>] = &[
        // AverageCountPerUnique()
        (
            "AverageCountPerUnique",
            r#"{}"#,
            &[
                Some(1.25),
                Some(0.0),
                Some(0.25),
                Some(1.0),
                Some(0.25),
                None,
            ],
            &[
                Some(1.6666666666666667),
                None,
                Some(1.0),
                Some(2.0),
                Some(1.0),
                None,
            ],
            &[Some(1.5), None, Some(1.0), Some(1.0), Some(2.0), None],
        ),
        // AverageCountPerUnique(skipna=False)
        (
            "AverageCountPerUnique",
            r#"{"skipna": false}"#,
            &[Some(1.2), Some(0.4), Some(0.25), Some(1.0), Some(0.4), None],
            &[Some(1.5), Some(2.0), Some(1.0), Some(2.0), Some(1.0), None],
            &[Some(1.5), Some(2.0), Some(1.0), Some(1.0), Some(1.5), None],
        ),
        // PercentUnique()
        (
            "PercentUnique",
            r#"{}"#,
            &[Some(0.5), Some(0.0), Some(1.0), Some(0.5), Some(0.5), None],
            &[Some(0.5), Some(0.0), Some(1.0), Some(0.5), Some(0.5), None],
            &[
                Some(0.6666666666666666),
                Some(0.0),
                Some(1.0),
                Some(0.6666666666666666),
                Some(0.3333333333333333),
                None,
            ],
        ),
        // PercentUnique(skipna=False)
        (
            "PercentUnique",
            r#"{"skipna": false}"#,
            &[
                Some(0.6666666666666666),
                Some(0.5),
                Some(1.0),
                Some(0.5),
                Some(1.0),
                None,
            ],
            &[
                Some(0.6666666666666666),
                Some(0.5),
                Some(1.0),
                Some(0.5),
                Some(1.0),
                None,
            ],
            &[
                Some(0.6666666666666666),
                Some(0.5),
                Some(1.0),
                Some(1.0),
                Some(0.6666666666666666),
                None,
            ],
        ),
    ];

    const UNIQUE_BOOLS: &[UniqueCase<Option<bool>>] = &[
        // HasNoDuplicates()
        (
            "HasNoDuplicates",
            r#"{}"#,
            &[
                Some(false),
                Some(true),
                Some(true),
                Some(false),
                Some(true),
                None,
            ],
            &[
                Some(false),
                Some(true),
                Some(true),
                Some(false),
                Some(true),
                None,
            ],
            &[
                Some(false),
                Some(true),
                Some(true),
                Some(true),
                Some(false),
                None,
            ],
        ),
        // HasNoDuplicates(skipna=False)
        (
            "HasNoDuplicates",
            r#"{"skipna": false}"#,
            &[
                Some(false),
                Some(false),
                Some(true),
                Some(false),
                Some(true),
                None,
            ],
            &[
                Some(false),
                Some(false),
                Some(true),
                Some(false),
                Some(true),
                None,
            ],
            &[
                Some(false),
                Some(false),
                Some(true),
                Some(true),
                Some(false),
                None,
            ],
        ),
        // IsUnique()
        (
            "IsUnique",
            r#"{}"#,
            &[
                Some(false),
                Some(false),
                Some(true),
                Some(false),
                Some(true),
                None,
            ],
            &[
                Some(false),
                Some(false),
                Some(true),
                Some(false),
                Some(true),
                None,
            ],
            &[
                Some(false),
                Some(false),
                Some(true),
                Some(true),
                Some(false),
                None,
            ],
        ),
    ];

    #[test]
    fn value_counts_match_featuretools_on_categories_text_and_numbers() {
        let g = groups(&sizes(CATS));
        let gv = groups(&sizes(VALUES));
        let (cat, txt, val) = (categorical(), text(), values());
        for (class, args, want_cat, want_txt, want_val) in UNIQUE_NUMBERS {
            let case = format!("{class}({args})");
            let out = run(class, args, &cat, &g);
            assert_numbers(&format!("{case} categorical"), &numbers(&out[0]), want_cat);
            let out = run(class, args, &txt, &g);
            assert_numbers(&format!("{case} text"), &numbers(&out[0]), want_txt);
            let out = run(class, args, &val, &gv);
            assert_numbers(&format!("{case} numbers"), &numbers(&out[0]), want_val);
        }
        for (class, args, want_cat, want_txt, want_val) in UNIQUE_BOOLS {
            let case = format!("{class}({args})");
            assert_eq!(bools(&run(class, args, &cat, &g)[0]), *want_cat, "{case}");
            assert_eq!(bools(&run(class, args, &txt, &g)[0]), *want_txt, "{case}");
            assert_eq!(bools(&run(class, args, &val, &gv)[0]), *want_val, "{case}");
        }
    }

    type NMostCase = (
        &'static str,
        &'static str,
        &'static [&'static [Option<f64>]],
    );

    /// `NMostCommonFrequency(**args).get_function()(s)` on the groups of CATS / VALUES as
    /// above, each output's values over the groups (None: NaN padding, or the empty group). A
    /// categorical lists its unobserved categories with 0 before the padding.
    const NMOST: &[NMostCase] = &[
        // NMostCommonFrequency() on cat: one list per output
        (
            "cat",
            r#"{}"#,
            &[
                &[Some(3.0), Some(0.0), Some(1.0), Some(2.0), Some(1.0), None],
                &[Some(1.0), Some(0.0), Some(0.0), Some(2.0), Some(0.0), None],
                &[Some(1.0), Some(0.0), Some(0.0), Some(0.0), Some(0.0), None],
            ],
        ),
        // NMostCommonFrequency() on utf8: one list per output
        (
            "utf8",
            r#"{}"#,
            &[
                &[Some(3.0), None, Some(1.0), Some(2.0), Some(1.0), None],
                &[Some(1.0), None, None, Some(2.0), None, None],
                &[Some(1.0), None, None, None, None, None],
            ],
        ),
        // NMostCommonFrequency() on float: one list per output
        (
            "float",
            r#"{}"#,
            &[
                &[Some(2.0), None, Some(1.0), Some(1.0), Some(2.0), None],
                &[Some(1.0), None, None, Some(1.0), None, None],
                &[None, None, None, None, None, None],
            ],
        ),
        // NMostCommonFrequency(n=2, skipna=False) on cat: one list per output
        (
            "cat",
            r#"{"n": 2, "skipna": false}"#,
            &[
                &[Some(3.0), Some(2.0), Some(1.0), Some(2.0), Some(1.0), None],
                &[Some(1.0), Some(0.0), Some(0.0), Some(2.0), Some(1.0), None],
            ],
        ),
        // NMostCommonFrequency(n=2, skipna=False) on utf8: one list per output
        (
            "utf8",
            r#"{"n": 2, "skipna": false}"#,
            &[
                &[Some(3.0), Some(2.0), Some(1.0), Some(2.0), Some(1.0), None],
                &[Some(1.0), None, None, Some(2.0), Some(1.0), None],
            ],
        ),
        // NMostCommonFrequency(n=2, skipna=False) on float: one list per output
        (
            "float",
            r#"{"n": 2, "skipna": false}"#,
            &[
                &[Some(2.0), Some(2.0), Some(1.0), Some(1.0), Some(2.0), None],
                &[Some(1.0), None, None, Some(1.0), Some(1.0), None],
            ],
        ),
        // NMostCommonFrequency(n=5) on cat: one list per output
        (
            "cat",
            r#"{"n": 5}"#,
            &[
                &[Some(3.0), Some(0.0), Some(1.0), Some(2.0), Some(1.0), None],
                &[Some(1.0), Some(0.0), Some(0.0), Some(2.0), Some(0.0), None],
                &[Some(1.0), Some(0.0), Some(0.0), Some(0.0), Some(0.0), None],
                &[Some(0.0), Some(0.0), Some(0.0), Some(0.0), Some(0.0), None],
                &[None, None, None, None, None, None],
            ],
        ),
        // NMostCommonFrequency(n=5) on utf8: one list per output
        (
            "utf8",
            r#"{"n": 5}"#,
            &[
                &[Some(3.0), None, Some(1.0), Some(2.0), Some(1.0), None],
                &[Some(1.0), None, None, Some(2.0), None, None],
                &[Some(1.0), None, None, None, None, None],
                &[None, None, None, None, None, None],
                &[None, None, None, None, None, None],
            ],
        ),
        // NMostCommonFrequency(n=5) on float: one list per output
        (
            "float",
            r#"{"n": 5}"#,
            &[
                &[Some(2.0), None, Some(1.0), Some(1.0), Some(2.0), None],
                &[Some(1.0), None, None, Some(1.0), None, None],
                &[None, None, None, None, None, None],
                &[None, None, None, None, None, None],
                &[None, None, None, None, None, None],
            ],
        ),
    ];

    #[test]
    fn n_most_common_frequency_matches_featuretools() {
        let g = groups(&sizes(CATS));
        let gv = groups(&sizes(VALUES));
        for (kind, args, want) in NMOST {
            let (input, g) = match *kind {
                "cat" => (categorical(), &g),
                "utf8" => (text(), &g),
                _ => (values(), &gv),
            };
            let out = run("NMostCommonFrequency", args, &input, g);
            assert_eq!(out.len(), want.len());
            for (k, (o, w)) in out.iter().zip(want.iter()).enumerate() {
                assert_numbers(&format!("{kind} {args} output {k}"), &numbers(o), w);
            }
        }
    }

    /// Contributions concatenated from several parts repeat the category list; the categories
    /// are still a, b, c, d.
    #[test]
    fn repeated_dictionary_values_are_one_category_each() {
        let values: ArrayRef = Arc::new(StringArray::from(vec![
            "a", "b", "c", "d", "a", "b", "c", "d",
        ]));
        // a, a (second copy), b: value_counts a 2, b 1, c 0, d 0
        let keys = arrow_array::Int32Array::from(vec![0, 4, 1]);
        let d: ArrayRef = Arc::new(DictionaryArray::try_new(keys, values).unwrap());
        let g = groups(&[3]);
        // AverageCountPerUnique()(pd.Series(pd.Categorical(["a","a","b"], categories=list("abcd"))))
        assert_numbers(
            "acpu",
            &numbers(&run("AverageCountPerUnique", "{}", &d, &g)[0]),
            &[Some(0.75)],
        );
        assert_eq!(bools(&run("IsUnique", "{}", &d, &g)[0]), vec![Some(false)]);
        let out = run("NMostCommonFrequency", r#"{"n": 4}"#, &d, &g);
        let firsts: Vec<Option<f64>> = out.iter().map(|a| numbers(a)[0]).collect();
        assert_eq!(firsts, vec![Some(2.0), Some(1.0), Some(0.0), Some(0.0)]);
        // PercentUnique: 2 values over 3 rows
        assert_numbers(
            "pu",
            &numbers(&run("PercentUnique", "{}", &d, &g)[0]),
            &[Some(2.0 / 3.0)],
        );
    }

    #[test]
    fn all_and_any_skip_missing_values() {
        // featuretools' calculate_feature_matrix (np.all / np.any become SeriesGroupBy.all /
        // any) on a BooleanNullable column with these groups:
        // ALL [False, True, True, <NA>, True, False, False]
        // ANY [True, False, True, <NA>, True, False, False]
        let b: ArrayRef = Arc::new(BooleanArray::from(vec![
            Some(true),
            Some(false),
            Some(true),
            None,
            None,
            Some(true),
            Some(true),
            None,
            Some(false),
            None,
            Some(false),
            Some(false),
        ]));
        let g = groups(&[3, 2, 1, 0, 2, 2, 2]);
        assert_eq!(
            bools(&run("All", "{}", &b, &g)[0]),
            vec![
                Some(false),
                Some(true),
                Some(true),
                None,
                Some(true),
                Some(false),
                Some(false)
            ]
        );
        assert_eq!(
            bools(&run("Any", "{}", &b, &g)[0]),
            vec![
                Some(true),
                Some(false),
                Some(true),
                None,
                Some(true),
                Some(false),
                Some(false)
            ]
        );
    }
}
