//! Cumulative transforms over the whole dataframe in its order (`uses_full_dataframe`):
//! CUM_SUM, CUM_COUNT, CUM_MEAN, CUM_MIN, CUM_MAX
//! (`featuretools/primitives/standard/transform/cumulative/`). Missing values stay missing
//! and are skipped by the running value, as pandas' `cumsum`/`cummin`/`cummax` do.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{Array, ArrayRef, Int64Array};
use arrow_schema::DataType;

use super::{Dtype, Transform};
use crate::primitives::registry::Entry;
use crate::primitives::{float_out, to_f64, Implementation};

/// Which running value.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Cum {
    Sum,
    Count,
    Mean,
    Min,
    Max,
}

fn entry(c: Cum) -> Result<Implementation, String> {
    Ok(Implementation::Transform(Arc::new(c)))
}

pub(crate) const ENTRIES: &[Entry] = &[
    Entry {
        class: "CumSum",
        make: |_| entry(Cum::Sum),
    },
    Entry {
        class: "CumCount",
        make: |_| entry(Cum::Count),
    },
    Entry {
        class: "CumMean",
        make: |_| entry(Cum::Mean),
    },
    Entry {
        class: "CumMin",
        make: |_| entry(Cum::Min),
    },
    Entry {
        class: "CumMax",
        make: |_| entry(Cum::Max),
    },
];

impl Transform for Cum {
    fn uses_full_dataframe(&self) -> bool {
        true
    }

    fn transform(
        &self,
        inputs: &[ArrayRef],
        _dtypes: &[Dtype],
        _times: &[i64],
    ) -> Result<ArrayRef, String> {
        let a = inputs.first().ok_or("transform without input")?;
        let n = a.len();
        // `np.arange(1, len(values) + 1)`: every row counts, missing or not.
        if *self == Cum::Count {
            return Ok(Arc::new(Int64Array::from_iter_values(1..=n as i64)));
        }
        // Integers stay integers (pandas' int64 / Int64 cumsum, cummin, cummax).
        if *self != Cum::Mean && *a.data_type() == DataType::Int64 {
            let x = a.as_primitive::<Int64Type>();
            let mut acc: Option<i64> = None;
            let out: Int64Array = (0..n)
                .map(|i| {
                    if x.is_null(i) {
                        return None;
                    }
                    let v = x.value(i);
                    let next = match (self, acc) {
                        (_, None) => v,
                        (Cum::Sum, Some(s)) => s.wrapping_add(v),
                        (Cum::Min, Some(m)) => m.min(v),
                        (_, Some(m)) => m.max(v),
                    };
                    acc = Some(next);
                    acc
                })
                .collect();
            return Ok(Arc::new(out));
        }
        let v = to_f64(a)?;
        let mut acc = f64::NAN;
        let mut sum = 0.0;
        let out = v
            .iter()
            .enumerate()
            .map(|(i, &x)| {
                if x.is_nan() {
                    return f64::NAN;
                }
                match self {
                    Cum::Sum => {
                        sum += x;
                        sum
                    }
                    // `values.cumsum() / np.arange(1, len(values) + 1)`.
                    Cum::Mean => {
                        sum += x;
                        sum / (i + 1) as f64
                    }
                    Cum::Min => {
                        acc = if acc.is_nan() { x } else { acc.min(x) };
                        acc
                    }
                    _ => {
                        acc = if acc.is_nan() { x } else { acc.max(x) };
                        acc
                    }
                }
            })
            .collect();
        Ok(float_out(out))
    }
}

#[cfg(test)]
mod tests {
    use crate::matrix::cell;
    use crate::primitives::test_util::prim;
    use crate::primitives::test_util::transform;
    use arrow_array::{ArrayRef, Float64Array, Int64Array};
    use std::sync::Arc;

    fn cells(a: &ArrayRef) -> Vec<String> {
        (0..a.len()).map(|i| cell(a, i)).collect()
    }

    #[test]
    fn missing_values_stay_missing_and_are_skipped() {
        // pd.Series([1.5, None, -2.0, 4.0]).cumsum() -> 1.5, NaN, -0.5, 3.5
        // .cummin() -> 1.5, NaN, -2.0, -2.0 ; .cummax() -> 1.5, NaN, 1.5, 4.0
        // cumsum / arange(1, 5) -> 1.5, NaN, -0.16666666666666666, 0.875
        let x: ArrayRef = Arc::new(Float64Array::from(vec![
            Some(1.5),
            None,
            Some(-2.0),
            Some(4.0),
        ]));
        let t = [0i64; 4];
        let run = |c: &str| cells(&transform(&prim(c), std::slice::from_ref(&x), &t).unwrap());
        assert_eq!(run("CumSum"), ["1.5", "", "-0.5", "3.5"]);
        assert_eq!(run("CumMin"), ["1.5", "", "-2.0", "-2.0"]);
        assert_eq!(run("CumMax"), ["1.5", "", "1.5", "4.0"]);
        assert_eq!(run("CumMean"), ["1.5", "", "-0.16666666666666666", "0.875"]);
        assert_eq!(run("CumCount"), ["1", "2", "3", "4"]);
    }

    #[test]
    fn integers_stay_integers() {
        // pd.Series([3, None, 1], dtype="Int64").cumsum() -> 3, <NA>, 4
        let x: ArrayRef = Arc::new(Int64Array::from(vec![Some(3), None, Some(1)]));
        let out = transform(&prim("CumSum"), &[x], &[0; 3]).unwrap();
        assert_eq!(cells(&out), ["3", "", "4"]);
    }
}
