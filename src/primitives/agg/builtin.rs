//! The first aggregations ftpart implemented, with running accumulators in the sweep across
//! parts (`outer`): COUNT, SUM, MEAN, STD, MAX, MIN, SKEW, MEDIAN, MODE, NUM_UNIQUE,
//! PERCENT_TRUE, NUM_TRUE and N_MOST_COMMON (`featuretools/primitives/standard/aggregation/`).

use std::sync::Arc;

use arrow_array::{Array, ArrayRef, Int64Array};
use arrow_schema::DataType;

use super::{AggInput, Aggregation};
use crate::primitives::registry::Entry;
use crate::primitives::Dtype;
use crate::primitives::{float_out, rank, to_f64, Counter, Default, Groups, Implementation};

/// An aggregation with a running accumulator in the sweep across parts.
#[derive(Debug, Clone, Copy, PartialEq)]
#[allow(missing_docs)]
pub enum Builtin {
    Count,
    Sum,
    Mean { skipna: bool },
    Std,
    Max,
    Min,
    Skew,
    Median,
    Mode,
    NumUnique,
    PercentTrue,
    NumTrue,
    NMostCommon { n: usize },
}

fn entry(b: Builtin) -> Result<Implementation, String> {
    Ok(Implementation::Aggregation(Arc::new(b)))
}

pub(crate) const ENTRIES: &[Entry] = &[
    Entry {
        class: "Count",
        make: |_| entry(Builtin::Count),
    },
    Entry {
        class: "Sum",
        make: |_| entry(Builtin::Sum),
    },
    Entry {
        class: "Mean",
        make: |a| {
            entry(Builtin::Mean {
                skipna: a.bool("skipna", true)?,
            })
        },
    },
    Entry {
        class: "Std",
        make: |_| entry(Builtin::Std),
    },
    Entry {
        class: "Max",
        make: |_| entry(Builtin::Max),
    },
    Entry {
        class: "Min",
        make: |_| entry(Builtin::Min),
    },
    Entry {
        class: "Skew",
        make: |_| entry(Builtin::Skew),
    },
    Entry {
        class: "Median",
        make: |_| entry(Builtin::Median),
    },
    Entry {
        class: "Mode",
        make: |_| entry(Builtin::Mode),
    },
    Entry {
        class: "NumUnique",
        // `use_string_for_pd_calc` changes how pandas counts, not the count.
        make: |a| {
            a.bool("use_string_for_pd_calc", true)?;
            entry(Builtin::NumUnique)
        },
    },
    Entry {
        class: "PercentTrue",
        make: |_| entry(Builtin::PercentTrue),
    },
    Entry {
        class: "NumTrue",
        make: |_| entry(Builtin::NumTrue),
    },
    Entry {
        class: "NMostCommon",
        make: |a| {
            let n = a.num("n", 3.0)?;
            if !(n >= 1.0 && n.fract() == 0.0) {
                return Err(a.error("n", format!("must be a positive whole number, not {n}")));
            }
            entry(Builtin::NMostCommon { n: n as usize })
        },
    },
];

impl Aggregation for Builtin {
    /// MEDIAN and PERCENT_TRUE are numpy `float64` whatever the input (a masked `Int64` /
    /// `boolean` input gives the others a masked result).
    fn dtype(&self, inputs: &[Dtype]) -> Dtype {
        match self {
            Builtin::Median | Builtin::PercentTrue => Dtype::Numpy,
            _ => Dtype::masked_if(inputs.contains(&Dtype::Masked)),
        }
    }
    fn outputs(&self) -> usize {
        match self {
            Builtin::NMostCommon { n } => *n,
            _ => 1,
        }
    }

    fn default_value(&self) -> Default {
        match self {
            Builtin::Count | Builtin::Sum | Builtin::NumTrue => Default::Zero,
            _ => Default::Null,
        }
    }

    fn numeric_input(&self) -> bool {
        matches!(
            self,
            Builtin::Sum
                | Builtin::Mean { .. }
                | Builtin::Std
                | Builtin::Skew
                | Builtin::Max
                | Builtin::Min
                | Builtin::Median
        )
    }

    fn batch(&self, x: &AggInput) -> Result<Vec<ArrayRef>, String> {
        aggregate_with(self, x.inputs, x.groups, x.numeric)
    }

    fn running(&self) -> Option<Builtin> {
        match self {
            // The running moments skip NaN; skipna=False is answered by the batch kernel.
            Builtin::Mean { skipna: false } => None,
            b => Some(*b),
        }
    }
}

impl Builtin {
    fn outputs(&self) -> usize {
        Aggregation::outputs(self)
    }
}

fn kahan_sum(vals: &[f64], rows: &[u32]) -> (f64, usize) {
    let (mut sum, mut comp, mut n) = (0.0f64, 0.0f64, 0usize);
    for &r in rows {
        let v = vals[r as usize];
        if v.is_nan() {
            continue;
        }
        n += 1;
        let y = v - comp;
        let t = sum + y;
        comp = (t - sum) - y;
        // pandas' `group_sum` / `group_mean` (GH#53606, GH#50367): an infinite value makes the
        // compensation NaN, which would make the sum NaN instead of ±inf.
        if comp.is_nan() {
            comp = 0.0;
        }
        sum = t;
    }
    (sum, n)
}

/// STD: `np.std`, which `groupby(...).agg` replaces by `SeriesGroupBy.std()` (the cython
/// `group_var`, ddof 1, the root taken there): NaN below two values.
fn std(vals: &[f64], rows: &[u32]) -> f64 {
    let (n, m2) = super::moments::welford(vals, rows);
    if n < 2.0 {
        return f64::NAN;
    }
    (m2 / (n - 1.0)).sqrt()
}

/// The batch kernels of the builtin aggregations.
fn aggregate_with(
    p: &Builtin,
    inputs: &[ArrayRef],
    groups: &Groups,
    as_f64: Option<&[f64]>,
) -> Result<Vec<ArrayRef>, String> {
    let input = inputs.first().ok_or("aggregation without input")?;
    let g = groups.len();
    let numeric = |f: &dyn Fn(&[f64], &[u32]) -> f64| -> Result<ArrayRef, String> {
        let owned;
        let vals = match as_f64 {
            Some(v) => v,
            None => {
                owned = to_f64(input)?;
                &owned
            }
        };
        Ok(float_out((0..g).map(|i| f(vals, groups.get(i))).collect()))
    };
    let out: ArrayRef = match p {
        Builtin::Count => {
            let valid = |r: u32| input.is_valid(r as usize);
            Arc::new(Int64Array::from_iter_values((0..g).map(|i| {
                groups.get(i).iter().filter(|&&r| valid(r)).count() as i64
            })))
        }
        Builtin::Sum => numeric(&|v, rows| kahan_sum(v, rows).0)?,
        Builtin::Mean { skipna } => {
            // skipna=False is `np.mean(series.values)`: NaN in a float column propagates, but a
            // nullable integer or boolean column (pandas' masked arrays) skips its NAs.
            let skipna =
                *skipna || matches!(input.data_type(), DataType::Int64 | DataType::Boolean);
            numeric(&move |v, rows| {
                let (s, n) = kahan_sum(v, rows);
                if !skipna && n < rows.len() || n == 0 {
                    f64::NAN
                } else {
                    s / n as f64
                }
            })?
        }
        Builtin::Std => numeric(&std)?,
        Builtin::Skew => numeric(&super::moments::pd_skew)?,
        Builtin::Max => numeric(&|v, rows| {
            rows.iter()
                .map(|&r| v[r as usize])
                .filter(|x| !x.is_nan())
                .fold(f64::NAN, |a, b| if a.is_nan() || b > a { b } else { a })
        })?,
        Builtin::Min => numeric(&|v, rows| {
            rows.iter()
                .map(|&r| v[r as usize])
                .filter(|x| !x.is_nan())
                .fold(f64::NAN, |a, b| if a.is_nan() || b < a { b } else { a })
        })?,
        Builtin::Median => numeric(&|v, rows| {
            let mut x: Vec<f64> = rows
                .iter()
                .map(|&r| v[r as usize])
                .filter(|x| !x.is_nan())
                .collect();
            if x.is_empty() {
                return f64::NAN;
            }
            x.sort_by(f64::total_cmp);
            let m = x.len() / 2;
            if x.len() % 2 == 1 {
                x[m]
            } else {
                (x[m - 1] + x[m]) / 2.0
            }
        })?,
        Builtin::PercentTrue => {
            let vals = to_f64(input)?;
            // `s.fillna(False).mean()`: missing counts as False in the denominator.
            float_out(
                (0..g)
                    .map(|i| {
                        let rows = groups.get(i);
                        if rows.is_empty() {
                            return f64::NAN;
                        }
                        rows.iter().filter(|&&r| vals[r as usize] == 1.0).count() as f64
                            / rows.len() as f64
                    })
                    .collect(),
            )
        }
        Builtin::NumTrue => {
            let vals = to_f64(input)?;
            Arc::new(Int64Array::from_iter_values((0..g).map(|i| {
                groups
                    .get(i)
                    .iter()
                    .filter(|&&r| vals[r as usize] == 1.0)
                    .count() as i64
            })))
        }
        Builtin::NumUnique => {
            let ranked = rank(input)?;
            let mut counter = Counter::new(ranked.values.len());
            // An empty group has no value (default NaN); a group of missing values has 0.
            Arc::new(Int64Array::from_iter((0..g).map(|i| {
                let rows = groups.get(i);
                counter.count(rows.iter().map(|&r| ranked.ranks[r as usize]));
                (!rows.is_empty()).then_some(counter.distinct.len() as i64)
            })))
        }
        Builtin::Mode | Builtin::NMostCommon { .. } => {
            let n_out = p.outputs();
            let ranked = rank(input)?;
            let mut outs: Vec<Vec<Option<u32>>> = vec![Vec::with_capacity(g); n_out];
            let mut counter = Counter::new(ranked.values.len());
            let mut counts: Vec<(u32, usize)> = Vec::new();
            for i in 0..g {
                counter.count(groups.get(i).iter().map(|&r| ranked.ranks[r as usize]));
                counts.clear();
                counts.extend(
                    counter
                        .distinct
                        .iter()
                        .map(|&v| (v, counter.counts[v as usize] as usize)),
                );
                // Most frequent first; ties go to the smaller value (`Series.mode` sorts its result).
                counts.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                for (k, out) in outs.iter_mut().enumerate() {
                    out.push(counts.get(k).map(|c| c.0));
                }
            }
            return outs.into_iter().map(|o| ranked.decode(o)).collect();
        }
    };
    Ok(vec![out])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::primitives::aggregate;
    use crate::primitives::test_util::{prim, prim_with};
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float64Type, Int32Type, Int64Type};
    use arrow_array::{BooleanArray, DictionaryArray, Float64Array};

    fn groups(sizes: &[usize]) -> Groups {
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

    fn f(vals: &[Option<f64>]) -> ArrayRef {
        Arc::new(Float64Array::from(vals.to_vec()))
    }

    fn floats(a: &ArrayRef) -> Vec<Option<f64>> {
        a.as_primitive::<Float64Type>().iter().collect()
    }

    #[test]
    fn std_is_sample_std_and_single_row_is_nan() {
        let a = f(&[Some(1.0), Some(2.0), Some(4.0), Some(5.0)]);
        let out = aggregate(&prim("Std"), &[a], &groups(&[3, 1, 0])).unwrap();
        let v = floats(&out[0]);
        assert!((v[0].unwrap() - 1.527525231651947).abs() < 1e-12);
        assert_eq!(v[1], None);
        assert_eq!(v[2], None);
    }

    #[test]
    fn std_and_skew_are_pandas_groupby_to_the_bit() {
        // s = pd.Series([nan if k % 5 == 0 else ((k*7919) % 1000)/7.0 - 50.0 for k in range(9487)])
        // in groups of 3, 7, 8, 40, 129, 300 and 9000 rows, in row order:
        // s.groupby(g).agg(np.std) and s.groupby(g).agg(pd.Series.skew), as featuretools calls them
        let sizes = [3usize, 7, 8, 40, 129, 300, 9000];
        let n: usize = sizes.iter().sum();
        let vals: Vec<Option<f64>> = (0..n)
            .map(|k| (k % 5 != 0).then(|| ((k * 7919) % 1000) as f64 / 7.0 - 50.0))
            .collect();
        let std = floats(&aggregate(&prim("Std"), &[f(&vals)], &groups(&sizes)).unwrap()[0]);
        let want_std = [
            8.18223561087291,
            26.80644911743654,
            55.453118030636716,
            39.824169172705254,
            42.01630220251338,
            41.31414934429893,
            41.24196286972744,
        ];
        assert_eq!(std, want_std.map(Some).to_vec());
        let skew = floats(&aggregate(&prim("Skew"), &[f(&vals)], &groups(&sizes)).unwrap()[0]);
        let want_skew = [
            None,
            Some(0.30028928507945407),
            Some(-0.6215144873394638),
            Some(9.513235754863491e-17),
            Some(0.04099912952854314),
            Some(-0.021323831581972062),
            Some(-1.5011415000161411e-16),
        ];
        assert_eq!(skew, want_skew.to_vec());
    }

    #[test]
    fn skew_matches_pandas() {
        // pd.Series([1, 2, 4, 8]).skew() == 1.1376243669576889 ; fewer than 3 → NaN
        let a = f(&[
            Some(1.0),
            Some(2.0),
            Some(4.0),
            Some(8.0),
            Some(3.0),
            Some(3.0),
            Some(3.0),
        ]);
        let out = aggregate(&prim("Skew"), &[a], &groups(&[4, 3])).unwrap();
        let v = floats(&out[0]);
        assert!((v[0].unwrap() - 1.1376243669576889).abs() < 1e-12);
        assert_eq!(v[1], Some(0.0));
        let a = f(&[Some(1.0), Some(2.0)]);
        assert_eq!(
            floats(&aggregate(&prim("Skew"), &[a], &groups(&[2])).unwrap()[0]),
            vec![None]
        );
    }

    #[test]
    fn nan_is_skipped_and_all_nan_sums_to_zero() {
        let a = f(&[Some(1.0), None, Some(3.0), None, None]);
        let g = groups(&[3, 2, 0]);
        assert_eq!(
            floats(&aggregate(&prim("Sum"), std::slice::from_ref(&a), &g).unwrap()[0]),
            vec![Some(4.0), Some(0.0), Some(0.0)]
        );
        assert_eq!(
            floats(&aggregate(&prim("Mean"), std::slice::from_ref(&a), &g).unwrap()[0]),
            vec![Some(2.0), None, None]
        );
        assert_eq!(
            floats(&aggregate(&prim("Max"), std::slice::from_ref(&a), &g).unwrap()[0]),
            vec![Some(3.0), None, None]
        );
        assert_eq!(
            floats(&aggregate(&prim("Min"), std::slice::from_ref(&a), &g).unwrap()[0]),
            vec![Some(1.0), None, None]
        );
        let c = aggregate(&prim("Count"), &[a], &g).unwrap();
        assert_eq!(
            c[0].as_primitive::<Int64Type>().values().to_vec(),
            vec![2, 0, 0]
        );
    }

    /// pandas' `group_sum` / `group_mean` reset the Kahan compensation an infinity makes NaN
    /// (GH#53606): an infinity followed by numbers sums to the infinity, not NaN (found by the
    /// partition fuzzer, seed 100491, whose STD of an infinity differed across parts).
    #[test]
    fn an_infinity_then_numbers_sums_to_the_infinity() {
        let inf = f64::INFINITY;
        let a = f(&[
            Some(inf),
            Some(1.0),
            Some(2.0),
            Some(-inf),
            Some(1.0),
            Some(inf),
            Some(-inf),
            Some(1.0),
        ]);
        let g = groups(&[3, 2, 3]);
        let get = |p: &str| floats(&aggregate(&prim(p), std::slice::from_ref(&a), &g).unwrap()[0]);
        assert_eq!(get("Sum"), vec![Some(inf), Some(-inf), None]);
        assert_eq!(get("Mean"), vec![Some(inf), Some(-inf), None]);
        assert_eq!(get("Std"), vec![None, None, None]);
    }

    #[test]
    fn mode_ties_go_to_the_smallest_value() {
        let s: ArrayRef = Arc::new(arrow_array::StringArray::from(vec![
            Some("m"),
            Some("d"),
            Some("m"),
            Some("d"),
            None,
            None,
        ]));
        let out = aggregate(&prim("Mode"), std::slice::from_ref(&s), &groups(&[4, 2])).unwrap();
        let v: Vec<Option<&str>> = out[0].as_string::<i32>().iter().collect();
        assert_eq!(v, vec![Some("d"), None]);
        let u = aggregate(&prim("NumUnique"), &[s], &groups(&[4, 2])).unwrap();
        assert_eq!(
            u[0].as_primitive::<Int64Type>().iter().collect::<Vec<_>>(),
            vec![Some(2), Some(0)]
        );
        let empty = aggregate(
            &prim("NumUnique"),
            &[Arc::new(Int64Array::from(Vec::<i64>::new())) as ArrayRef],
            &groups(&[0]),
        )
        .unwrap();
        assert_eq!(empty[0].null_count(), 1);
        let i: ArrayRef = Arc::new(Int64Array::from(vec![10, 2, 10, 2, 7]));
        let out = aggregate(&prim("Mode"), &[i], &groups(&[5])).unwrap();
        assert_eq!(out[0].as_primitive::<Int64Type>().value(0), 2);
    }

    #[test]
    fn single_rows_and_all_missing_groups() {
        let a = f(&[Some(5.0), None, None]);
        let g = groups(&[1, 2]);
        let get = |p: crate::primitives::Primitive| {
            floats(&aggregate(&p, std::slice::from_ref(&a), &g).unwrap()[0])
        };
        assert_eq!(get(prim("Mean")), vec![Some(5.0), None]);
        assert_eq!(get(prim("Std")), vec![None, None]);
        assert_eq!(get(prim("Skew")), vec![None, None]);
        assert_eq!(get(prim("Max")), vec![Some(5.0), None]);
        assert_eq!(get(prim("Median")), vec![Some(5.0), None]);
        let m = aggregate(&prim("Mode"), std::slice::from_ref(&a), &g).unwrap();
        assert_eq!(floats(&m[0]), vec![Some(5.0), None]);
    }

    #[test]
    fn n_most_common_fills_missing_places() {
        let s: ArrayRef = Arc::new(arrow_array::StringArray::from(vec![
            Some("b"),
            Some("a"),
            Some("b"),
            None,
        ]));
        let out = aggregate(
            &prim_with("NMostCommon", serde_json::json!({"n": 3})),
            &[s],
            &groups(&[4]),
        )
        .unwrap();
        let firsts: Vec<Option<&str>> = out
            .iter()
            .map(|a| a.as_string::<i32>().iter().next().flatten())
            .collect();
        assert_eq!(firsts, vec![Some("b"), Some("a"), None]);
    }

    /// Regression: contributions concatenated from several parts carry the category list twice;
    /// MODE and NUM_UNIQUE counted the two copies of a value as different values.
    #[test]
    fn duplicated_dictionary_values_count_as_one_value() {
        let values: ArrayRef = Arc::new(arrow_array::StringArray::from(vec!["a", "b", "a", "b"]));
        let keys = arrow_array::Int32Array::from(vec![0, 1, 2, 2, 3]);
        let d: ArrayRef = Arc::new(DictionaryArray::<Int32Type>::try_new(keys, values).unwrap());
        let u = aggregate(&prim("NumUnique"), std::slice::from_ref(&d), &groups(&[5])).unwrap();
        assert_eq!(u[0].as_primitive::<Int64Type>().value(0), 2);
        let m = aggregate(&prim("Mode"), std::slice::from_ref(&d), &groups(&[5])).unwrap();
        assert_eq!(crate::matrix::cell(&m[0], 0), "a");
    }

    #[test]
    fn percent_true_counts_missing_as_false() {
        let b: ArrayRef = Arc::new(BooleanArray::from(vec![
            Some(true),
            None,
            Some(false),
            Some(true),
        ]));
        let out = aggregate(
            &prim("PercentTrue"),
            std::slice::from_ref(&b),
            &groups(&[4]),
        )
        .unwrap();
        assert_eq!(floats(&out[0]), vec![Some(0.5)]);
        let out = aggregate(&prim("NumTrue"), &[b], &groups(&[4])).unwrap();
        assert_eq!(out[0].as_primitive::<Int64Type>().value(0), 2);
    }
}

#[cfg(test)]
mod dtype_tests {
    use crate::primitives::test_util::prim;
    use crate::primitives::Dtype;

    #[test]
    fn output_dtypes_of_masked_inputs() {
        // featuretools' raw columns (FeatureSetCalculator.run) of aggregations over an Int64
        // column: SUM, MAX, MIN Int64, MEAN, STD Float64, MEDIAN float64; over a boolean one:
        // NUM_TRUE Int64, PERCENT_TRUE float64.
        let m = [Dtype::Masked];
        for (class, want) in [
            ("Sum", Dtype::Masked),
            ("Max", Dtype::Masked),
            ("Min", Dtype::Masked),
            ("Mean", Dtype::Masked),
            ("Std", Dtype::Masked),
            ("NumTrue", Dtype::Masked),
            ("Median", Dtype::Numpy),
            ("PercentTrue", Dtype::Numpy),
            ("First", Dtype::Masked),
            ("Trend", Dtype::Numpy),
            ("TimeSinceLastMax", Dtype::Numpy),
        ] {
            assert_eq!(prim(class).dtype(&m), want, "{class}");
        }
        // int64 inputs: float64 or int64, numpy.
        assert_eq!(prim("Sum").dtype(&[Dtype::Numpy]), Dtype::Numpy);
    }
}
