//! Exponentially weighted transforms over the whole dataframe in its order
//! (`uses_full_dataframe`): EXPONENTIAL_WEIGHTED_AVERAGE, EXPONENTIAL_WEIGHTED_STD,
//! EXPONENTIAL_WEIGHTED_VARIANCE (`featuretools/primitives/standard/transform/exponential/`):
//! `x.ewm(com, span, halflife, alpha, ignore_na=...).mean() / .std() / .var()` with pandas'
//! defaults (`adjust=True`, `min_periods=0`, taken as 1), pandas' `ewm` and `ewmcov` kernels.

use std::sync::Arc;

use arrow_array::ArrayRef;

use super::{Dtype, Transform};
use crate::primitives::registry::{Args, Entry};
use crate::primitives::{float_out, to_f64, Implementation};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Moment {
    Mean,
    Std,
    Var,
}

#[derive(Debug, Clone, PartialEq)]
struct Ewm {
    moment: Moment,
    /// The center of mass (`get_center_of_mass`).
    com: f64,
    ignore_na: bool,
}

/// featuretools' `com = 0.5` when no decay is given, then pandas' `get_center_of_mass`.
fn make(a: &Args, moment: Moment) -> Result<Implementation, String> {
    let com = a.opt_num("com")?;
    let span = a.opt_num("span")?;
    let halflife = a.opt_num("halflife")?;
    let alpha = a.opt_num("alpha")?;
    let given: Vec<&str> = [
        ("com", com),
        ("span", span),
        ("halflife", halflife),
        ("alpha", alpha),
    ]
    .iter()
    .filter(|(_, v)| v.is_some())
    .map(|(k, _)| *k)
    .collect();
    if given.len() > 1 {
        return Err(a.error(
            given[1],
            format!(
                "is given with '{}'; pandas: comass, span, halflife, and alpha are mutually \
                 exclusive",
                given[0]
            ),
        ));
    }
    let com = if let Some(c) = com {
        if c < 0.0 {
            return Err(a.error("com", "must satisfy: comass >= 0"));
        }
        c
    } else if let Some(s) = span {
        if s < 1.0 {
            return Err(a.error("span", "must satisfy: span >= 1"));
        }
        (s - 1.0) / 2.0
    } else if let Some(h) = halflife {
        if h <= 0.0 {
            return Err(a.error("halflife", "must satisfy: halflife > 0"));
        }
        let decay = 1.0 - ((0.5f64).ln() / h).exp();
        1.0 / decay - 1.0
    } else if let Some(al) = alpha {
        if al <= 0.0 || al > 1.0 {
            return Err(a.error("alpha", "must satisfy: 0 < alpha <= 1"));
        }
        (1.0 - al) / al
    } else {
        0.5
    };
    Ok(Implementation::Transform(Arc::new(Ewm {
        moment,
        com,
        ignore_na: a.bool("ignore_na", false)?,
    })))
}

pub(crate) const ENTRIES: &[Entry] = &[
    Entry {
        class: "ExponentialWeightedAverage",
        make: |a| make(a, Moment::Mean),
    },
    Entry {
        class: "ExponentialWeightedSTD",
        make: |a| make(a, Moment::Std),
    },
    Entry {
        class: "ExponentialWeightedVariance",
        make: |a| make(a, Moment::Var),
    },
];

impl Transform for Ewm {
    /// pandas' `ewm` gives numpy `float64`, whatever the input's dtype.
    fn dtype(&self, _inputs: &[Dtype]) -> Dtype {
        Dtype::Numpy
    }
    fn uses_full_dataframe(&self) -> bool {
        true
    }

    fn transform(
        &self,
        inputs: &[ArrayRef],
        _dtypes: &[Dtype],
        _times: &[i64],
    ) -> Result<ArrayRef, String> {
        let v = to_f64(inputs.first().ok_or("ewm transform without input")?)?;
        // _prep_values: ±inf as NaN.
        let v: Vec<f64> = v
            .into_iter()
            .map(|x| if x.is_infinite() { f64::NAN } else { x })
            .collect();
        Ok(float_out(match self.moment {
            Moment::Mean => ewma(&v, self.com, self.ignore_na),
            Moment::Var => ewmvar(&v, self.com, self.ignore_na),
            Moment::Std => ewmvar(&v, self.com, self.ignore_na)
                .into_iter()
                .map(|x| if x < 0.0 { 0.0 } else { x.sqrt() })
                .collect(),
        }))
    }
}

/// pandas' `window_aggregations.ewm` (normalize=True, adjust=True, no times, min_periods 1).
fn ewma(vals: &[f64], com: f64, ignore_na: bool) -> Vec<f64> {
    let Some(&first) = vals.first() else {
        return Vec::new();
    };
    let alpha = 1.0 / (1.0 + com);
    let old_wt_factor = 1.0 - alpha;
    let new_wt = 1.0;
    let mut out = Vec::with_capacity(vals.len());
    let mut weighted = first;
    let mut nobs = usize::from(!weighted.is_nan());
    out.push(if nobs >= 1 { weighted } else { f64::NAN });
    let mut old_wt = 1.0;
    for &cur in &vals[1..] {
        let is_observation = !cur.is_nan();
        nobs += usize::from(is_observation);
        if !weighted.is_nan() {
            if is_observation || !ignore_na {
                old_wt *= old_wt_factor;
                if is_observation {
                    // avoid numerical errors on constant series
                    if weighted != cur {
                        weighted = old_wt * weighted + new_wt * cur;
                        weighted /= old_wt + new_wt;
                    }
                    old_wt += new_wt;
                }
            }
        } else if is_observation {
            weighted = cur;
        }
        out.push(if nobs >= 1 { weighted } else { f64::NAN });
    }
    out
}

/// pandas' `window_aggregations.ewmcov` of the values with themselves (bias=False,
/// adjust=True, min_periods 1).
fn ewmvar(x: &[f64], com: f64, ignore_na: bool) -> Vec<f64> {
    let Some(&first) = x.first() else {
        return Vec::new();
    };
    let alpha = 1.0 / (1.0 + com);
    let old_wt_factor = 1.0 - alpha;
    let new_wt = 1.0;
    let mut out = Vec::with_capacity(x.len());
    let mut mean_x = first;
    let mut mean_y = first;
    let is_observation = !first.is_nan();
    let mut nobs = usize::from(is_observation);
    if !is_observation {
        mean_x = f64::NAN;
        mean_y = f64::NAN;
    }
    out.push(f64::NAN);
    let (mut cov, mut sum_wt, mut sum_wt2, mut old_wt) = (0.0f64, 1.0f64, 1.0f64, 1.0f64);
    for &cur in &x[1..] {
        let (cur_x, cur_y) = (cur, cur);
        let is_observation = !cur.is_nan();
        nobs += usize::from(is_observation);
        if !mean_x.is_nan() {
            if is_observation || !ignore_na {
                sum_wt *= old_wt_factor;
                sum_wt2 *= old_wt_factor * old_wt_factor;
                old_wt *= old_wt_factor;
                if is_observation {
                    let old_mean_x = mean_x;
                    let old_mean_y = mean_y;
                    // avoid numerical errors on constant series
                    if mean_x != cur_x {
                        mean_x = ((old_wt * old_mean_x) + (new_wt * cur_x)) / (old_wt + new_wt);
                    }
                    if mean_y != cur_y {
                        mean_y = ((old_wt * old_mean_y) + (new_wt * cur_y)) / (old_wt + new_wt);
                    }
                    cov = ((old_wt * (cov + ((old_mean_x - mean_x) * (old_mean_y - mean_y))))
                        + (new_wt * ((cur_x - mean_x) * (cur_y - mean_y))))
                        / (old_wt + new_wt);
                    sum_wt += new_wt;
                    sum_wt2 += new_wt * new_wt;
                    old_wt += new_wt;
                }
            }
        } else if is_observation {
            mean_x = cur_x;
            mean_y = cur_y;
        }
        out.push(if nobs >= 1 {
            let numerator = sum_wt * sum_wt;
            let denominator = numerator - sum_wt2;
            if denominator > 0.0 {
                (numerator / denominator) * cov
            } else {
                f64::NAN
            }
        } else {
            f64::NAN
        });
    }
    out
}

#[cfg(test)]
// The tables of featuretools' output: long float literals, tuples of slices.
#[allow(
    clippy::approx_constant,
    clippy::type_complexity,
    clippy::excessive_precision
)]
mod tests {
    use crate::primitives::test_util::prim_with;
    use crate::primitives::test_util::transform;
    use arrow_array::cast::AsArray;
    use arrow_array::types::Float64Type;
    use arrow_array::{Array, ArrayRef, Float64Array};
    use std::sync::Arc;

    include!("exponential_cases.rs");

    #[test]
    fn ewm_matches_featuretools() {
        for (class, args, values, want) in CASES {
            let what = format!("{class}({args}) on {values}");
            let args: serde_json::Value = serde_json::from_str(args).unwrap();
            let v = VALUES.iter().find(|(n, _)| n == values).unwrap().1;
            let v: ArrayRef = Arc::new(
                v.iter()
                    .map(|x| (!x.is_nan()).then_some(*x))
                    .collect::<Float64Array>(),
            );
            let got = transform(&prim_with(class, args), &[v], &[]).unwrap();
            let f = got.as_primitive::<Float64Type>();
            let got: Vec<Option<f64>> = (0..f.len())
                .map(|i| f.is_valid(i).then(|| f.value(i)))
                .collect();
            assert_eq!(&got, want, "{what}");
        }
    }

    #[test]
    fn decay_arguments_as_pandas_checks_them() {
        use crate::primitives::Primitive;
        use serde_json::json;
        for (args, what) in [
            (json!({"com": 1, "span": 2}), "span"),
            (json!({"com": -1}), "com"),
            (json!({"span": 0.5}), "span"),
            (json!({"halflife": 0}), "halflife"),
            (json!({"halflife": "1 day"}), "halflife"),
            (json!({"alpha": 0}), "alpha"),
            (json!({"alpha": 1.5}), "alpha"),
        ] {
            let e =
                Primitive::featuretools("ExponentialWeightedAverage", args.clone()).unwrap_err();
            assert!(e.contains(what), "{args}: {e}");
        }
    }
}
