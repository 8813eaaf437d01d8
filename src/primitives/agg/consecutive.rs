//! Aggregations over runs of the child rows in their order (time index, then index):
//! MAX_CONSECUTIVE_FALSE, MAX_CONSECUTIVE_NEGATIVES, MAX_CONSECUTIVE_POSITIVES,
//! MAX_CONSECUTIVE_TRUE, MAX_CONSECUTIVE_ZEROS, NUM_FALSE_SINCE_LAST_TRUE and
//! NUM_TRUE_SINCE_LAST_FALSE (`featuretools/primitives/standard/aggregation/`).
//!
//! featuretools counts runs with `x != x.shift()`, `cumsum` and `groupby(...).cumcount()`: a
//! missing value is unequal to its neighbours, so it ends a run and starts none, and the
//! maximum skips it; a group with no value present is NaN (the default 0 then). The numeric ones
//! drop missing values first when `skipna` (the default), so a missing value no longer breaks a
//! run. The boolean ones read missing values as the object column a Boolean feature with missing
//! values is in pandas (a direct feature without a parent row).

use std::sync::Arc;

use arrow_array::{Array, ArrayRef, Int64Array};

use super::{AggInput, Aggregation};
use crate::primitives::registry::Entry;
use crate::primitives::{booleans, Default, Implementation};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Consecutive {
    MaxFalse,
    MaxTrue,
    MaxNegatives { skipna: bool },
    MaxPositives { skipna: bool },
    MaxZeros { skipna: bool },
    NumFalseSinceLastTrue,
    NumTrueSinceLastFalse,
}

fn entry(c: Consecutive) -> Result<Implementation, String> {
    Ok(Implementation::Aggregation(Arc::new(c)))
}

pub(crate) const ENTRIES: &[Entry] = &[
    Entry {
        class: "MaxConsecutiveFalse",
        make: |_| entry(Consecutive::MaxFalse),
    },
    Entry {
        class: "MaxConsecutiveTrue",
        make: |_| entry(Consecutive::MaxTrue),
    },
    Entry {
        class: "MaxConsecutiveNegatives",
        make: |a| {
            entry(Consecutive::MaxNegatives {
                skipna: a.bool("skipna", true)?,
            })
        },
    },
    Entry {
        class: "MaxConsecutivePositives",
        make: |a| {
            entry(Consecutive::MaxPositives {
                skipna: a.bool("skipna", true)?,
            })
        },
    },
    Entry {
        class: "MaxConsecutiveZeros",
        make: |a| {
            entry(Consecutive::MaxZeros {
                skipna: a.bool("skipna", true)?,
            })
        },
    },
    Entry {
        class: "NumFalseSinceLastTrue",
        make: |_| entry(Consecutive::NumFalseSinceLastTrue),
    },
    Entry {
        class: "NumTrueSinceLastFalse",
        make: |_| entry(Consecutive::NumTrueSinceLastFalse),
    },
];

/// The longest run of `true`; `None` (missing) ends a run unless `skip_missing`; no value
/// present → None.
fn max_run(values: impl Iterator<Item = Option<bool>>, skip_missing: bool) -> Option<i64> {
    let (mut best, mut run, mut any) = (0i64, 0i64, false);
    for v in values {
        match v {
            None if skip_missing => {}
            None => run = 0,
            Some(b) => {
                any = true;
                if b {
                    run += 1;
                    best = best.max(run);
                } else {
                    run = 0;
                }
            }
        }
    }
    any.then_some(best)
}

/// The number of values equal to `counted` after the last value unequal to it, missing values
/// dropped; None when every value is `counted` or none is present.
fn since_last(values: impl Iterator<Item = Option<bool>>, counted: bool) -> Option<i64> {
    let mut count = None;
    for v in values.flatten() {
        if v == counted {
            if let Some(c) = count.as_mut() {
                *c += 1;
            }
        } else {
            count = Some(0);
        }
    }
    count
}

impl Aggregation for Consecutive {
    fn default_value(&self) -> Default {
        Default::Zero
    }

    fn order_dependent(&self) -> bool {
        true
    }

    fn numeric_input(&self) -> bool {
        matches!(
            self,
            Consecutive::MaxNegatives { .. }
                | Consecutive::MaxPositives { .. }
                | Consecutive::MaxZeros { .. }
        )
    }

    fn batch(&self, x: &AggInput) -> Result<Vec<ArrayRef>, String> {
        let groups = x.groups;
        let n = groups.len();
        let out: Int64Array = match *self {
            Consecutive::MaxNegatives { skipna }
            | Consecutive::MaxPositives { skipna }
            | Consecutive::MaxZeros { skipna } => {
                let v = x.numbers()?;
                let test: fn(f64) -> bool = match self {
                    Consecutive::MaxNegatives { .. } => |v| v < 0.0,
                    Consecutive::MaxPositives { .. } => |v| v > 0.0,
                    _ => |v| v == 0.0,
                };
                (0..n)
                    .map(|g| {
                        let values = groups.get(g).iter().map(|&r| {
                            let c = v[r as usize];
                            (!c.is_nan()).then(|| test(c))
                        });
                        max_run(values, skipna)
                    })
                    .collect()
            }
            _ => {
                let b = booleans(x.input()?)?;
                let get = |r: u32| b.is_valid(r as usize).then(|| b.value(r as usize));
                (0..n)
                    .map(|g| {
                        let values = groups.get(g).iter().map(|&r| get(r));
                        match self {
                            Consecutive::MaxTrue => max_run(values, false),
                            Consecutive::MaxFalse => max_run(values.map(|v| v.map(|b| !b)), false),
                            Consecutive::NumFalseSinceLastTrue => since_last(values, false),
                            _ => since_last(values, true),
                        }
                    })
                    .collect()
            }
        };
        Ok(vec![Arc::new(out)])
    }
}

#[cfg(test)]
mod tests {
    use super::super::order::testing::*;
    use crate::primitives::test_util::{prim, prim_with};
    use crate::primitives::Default;
    use serde_json::json;

    fn cases_f(groups: &[Vec<Option<f64>>]) -> (arrow_array::ArrayRef, Vec<usize>) {
        (f(&groups.concat()), groups.iter().map(Vec::len).collect())
    }

    #[test]
    fn max_consecutive_numbers_with_and_without_skipna() {
        // MaxConsecutiveNegatives / Positives / Zeros(skipna=...)(pd.Series(v, dtype="float64"))
        // v: [], [nan], [nan, nan], [1.0], [-1.0], [0.0], [-1, -2, nan, -3, 1, -1],
        //    [nan, -1, -2], [1, 2, 0, 3, 4, 5], [0, 0, nan, 0, 1], [-1, nan]
        // Negatives:        nan nan nan 0 1 0 3 2 0 0 1
        // Negatives(False): nan nan nan 0 1 0 2 2 0 0 1
        // Positives:        nan nan nan 1 0 0 1 0 3 1 0   (skipna=False: the same)
        // Zeros:            nan nan nan 0 0 1 0 0 1 3 0
        // Zeros(False):     nan nan nan 0 0 1 0 0 1 2 0
        let o = |v: f64| (!v.is_nan()).then_some(v);
        let nan = f64::NAN;
        let groups: Vec<Vec<Option<f64>>> = vec![
            vec![],
            vec![None],
            vec![None, None],
            vec![Some(1.0)],
            vec![Some(-1.0)],
            vec![Some(0.0)],
            [-1.0, -2.0, nan, -3.0, 1.0, -1.0].map(o).to_vec(),
            [nan, -1.0, -2.0].map(o).to_vec(),
            [1.0, 2.0, 0.0, 3.0, 4.0, 5.0].map(o).to_vec(),
            [0.0, 0.0, nan, 0.0, 1.0].map(o).to_vec(),
            [-1.0, nan].map(o).to_vec(),
        ];
        let (a, sizes) = cases_f(&groups);
        let get = |class: &str, args: serde_json::Value| {
            ints(&run(
                &prim_with(class, args),
                std::slice::from_ref(&a),
                &sizes,
                &[],
            ))
        };
        let s = Some;
        let head = [None, None, None];
        let with = |rest: [i64; 8]| -> Vec<Option<i64>> {
            head.iter().copied().chain(rest.map(s)).collect()
        };
        assert_eq!(
            get("MaxConsecutiveNegatives", json!({})),
            with([0, 1, 0, 3, 2, 0, 0, 1])
        );
        assert_eq!(
            get("MaxConsecutiveNegatives", json!({"skipna": false})),
            with([0, 1, 0, 2, 2, 0, 0, 1])
        );
        for args in [json!({}), json!({"skipna": false})] {
            assert_eq!(
                get("MaxConsecutivePositives", args),
                with([1, 0, 0, 1, 0, 3, 1, 0])
            );
        }
        assert_eq!(
            get("MaxConsecutiveZeros", json!({"skipna": true})),
            with([0, 0, 1, 0, 0, 1, 3, 0])
        );
        assert_eq!(
            get("MaxConsecutiveZeros", json!({"skipna": false})),
            with([0, 0, 1, 0, 0, 1, 2, 0])
        );
        // Integer input: pd.Series([1, 2, 0, 3, 4, 5]) (int64) -> Positives 3, Zeros 1
        let iv = i(&[1, 2, 0, 3, 4, 5].map(Some));
        let out = run(
            &prim("MaxConsecutivePositives"),
            std::slice::from_ref(&iv),
            &[6],
            &[],
        );
        assert_eq!(ints(&out), vec![Some(3)]);
        let out = run(&prim("MaxConsecutiveZeros"), &[iv], &[6], &[]);
        assert_eq!(ints(&out), vec![Some(1)]);
        assert_eq!(prim("MaxConsecutiveZeros").default_value(), Default::Zero);
    }

    #[test]
    fn max_consecutive_booleans_and_counts_since_the_last_one() {
        // Boolean inputs, pd.Series(v, dtype=object) (a Boolean feature with missing values):
        // v: [], [nan], [True], [False], [T, T, F, T], [F, F, T, F, F, F], [T, nan, T],
        //    [F, nan, F, T]
        // MaxConsecutiveTrue:     nan nan 1 0 2 1 1 1
        // MaxConsecutiveFalse:    nan nan 0 1 1 3 0 1
        // NumFalseSinceLastTrue:  nan nan 0 nan 0 3 0 0
        // NumTrueSinceLastFalse:  nan nan nan 0 1 0 nan 1
        let (t_, f_) = (Some(true), Some(false));
        let groups: Vec<Vec<Option<bool>>> = vec![
            vec![],
            vec![None],
            vec![t_],
            vec![f_],
            vec![t_, t_, f_, t_],
            vec![f_, f_, t_, f_, f_, f_],
            vec![t_, None, t_],
            vec![f_, None, f_, t_],
        ];
        let sizes: Vec<usize> = groups.iter().map(Vec::len).collect();
        let a = b(&groups.concat());
        let get = |class: &str| ints(&run(&prim(class), std::slice::from_ref(&a), &sizes, &[]));
        let s = Some;
        assert_eq!(
            get("MaxConsecutiveTrue"),
            vec![None, None, s(1), s(0), s(2), s(1), s(1), s(1)]
        );
        assert_eq!(
            get("MaxConsecutiveFalse"),
            vec![None, None, s(0), s(1), s(1), s(3), s(0), s(1)]
        );
        assert_eq!(
            get("NumFalseSinceLastTrue"),
            vec![None, None, s(0), None, s(0), s(3), s(0), s(0)]
        );
        assert_eq!(
            get("NumTrueSinceLastFalse"),
            vec![None, None, None, s(0), s(1), s(0), None, s(1)]
        );
        for c in [
            "MaxConsecutiveTrue",
            "MaxConsecutiveFalse",
            "NumFalseSinceLastTrue",
            "NumTrueSinceLastFalse",
        ] {
            assert_eq!(prim(c).default_value(), Default::Zero, "{c}");
        }
    }

    #[test]
    fn a_missing_value_in_the_feature_matrix_run() {
        // ft.calculate_feature_matrix on sessions [T, T, <NA>, T, F] of one device, the flag
        // a direct feature from customers (session 3's customer missing):
        // MAX_CONSECUTIVE_TRUE 2, MAX_CONSECUTIVE_FALSE 1, NUM_TRUE_SINCE_LAST_FALSE 0
        let (t_, f_) = (Some(true), Some(false));
        let a = b(&[t_, t_, None, t_, f_]);
        let get = |class: &str| ints(&run(&prim(class), std::slice::from_ref(&a), &[5], &[]));
        assert_eq!(get("MaxConsecutiveTrue"), vec![Some(2)]);
        assert_eq!(get("MaxConsecutiveFalse"), vec![Some(1)]);
        assert_eq!(get("NumTrueSinceLastFalse"), vec![Some(0)]);
    }
}
