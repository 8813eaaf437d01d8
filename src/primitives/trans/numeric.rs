//! One-column numeric transforms: ABSOLUTE, COSINE, SINE, TANGENT, NATURAL_LOGARITHM,
//! SQUARE_ROOT and NEGATE (`featuretools/primitives/standard/transform/numeric/`).
//!
//! featuretools applies the numpy ufunc to the column (`np.absolute`, `np.cos`, ...; NEGATE is
//! `vals * -1`). An integer column (Int64) stays integer under ABSOLUTE and NEGATE (numpy wraps
//! around: `abs(-2**63) == -2**63`) and becomes float under the others; missing values stay
//! missing. Out-of-domain values give numpy's answer: `log(0) == -inf`, `log(-1)`, `sqrt(-1)`,
//! `cos(inf)` are NaN (missing here).

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{Array, ArrayRef, Int64Array};
use arrow_schema::DataType;

use super::{Dtype, Transform};
use crate::primitives::registry::Entry;
use crate::primitives::{float_out, Implementation};

/// A transform of this file.
#[derive(Debug, Clone, Copy, PartialEq)]
#[allow(missing_docs)]
pub enum Numeric {
    Absolute,
    Cosine,
    Sine,
    Tangent,
    NaturalLogarithm,
    SquareRoot,
    Negate,
}

fn entry(n: Numeric) -> Result<Implementation, String> {
    Ok(Implementation::Transform(Arc::new(n)))
}

pub(crate) const ENTRIES: &[Entry] = &[
    Entry {
        class: "Absolute",
        make: |_| entry(Numeric::Absolute),
    },
    Entry {
        class: "Cosine",
        make: |_| entry(Numeric::Cosine),
    },
    Entry {
        class: "Sine",
        make: |_| entry(Numeric::Sine),
    },
    Entry {
        class: "Tangent",
        make: |_| entry(Numeric::Tangent),
    },
    Entry {
        class: "NaturalLogarithm",
        make: |_| entry(Numeric::NaturalLogarithm),
    },
    Entry {
        class: "SquareRoot",
        make: |_| entry(Numeric::SquareRoot),
    },
    Entry {
        class: "Negate",
        make: |_| entry(Numeric::Negate),
    },
];

impl Numeric {
    fn float(self, x: f64) -> f64 {
        match self {
            Numeric::Absolute => x.abs(),
            Numeric::Cosine => x.cos(),
            Numeric::Sine => x.sin(),
            Numeric::Tangent => x.tan(),
            Numeric::NaturalLogarithm => x.ln(),
            Numeric::SquareRoot => x.sqrt(),
            // `vals * -1`: the same as a sign flip for every float but NaN.
            Numeric::Negate => -x,
        }
    }

    /// The integer result, for the ufuncs that keep an integer dtype.
    fn int(self, x: i64) -> Option<i64> {
        match self {
            Numeric::Absolute => Some(x.wrapping_abs()),
            Numeric::Negate => Some(x.wrapping_neg()),
            _ => None,
        }
    }
}

impl Transform for Numeric {
    fn transform(
        &self,
        inputs: &[ArrayRef],
        _dtypes: &[Dtype],
        _times: &[i64],
    ) -> Result<ArrayRef, String> {
        let a = inputs.first().ok_or("transform without input")?;
        match a.data_type() {
            DataType::Int64 => {
                let x = a.as_primitive::<Int64Type>();
                if self.int(0).is_some() {
                    return Ok(Arc::new(
                        x.iter()
                            .map(|v| v.and_then(|v| self.int(v)))
                            .collect::<Int64Array>(),
                    ));
                }
                Ok(float_out(
                    x.iter()
                        .map(|v| v.map_or(f64::NAN, |v| self.float(v as f64)))
                        .collect(),
                ))
            }
            DataType::Float64 => {
                let x = a.as_primitive::<Float64Type>();
                Ok(float_out(
                    (0..x.len())
                        .map(|i| {
                            if x.is_valid(i) {
                                self.float(x.value(i))
                            } else {
                                f64::NAN
                            }
                        })
                        .collect(),
                ))
            }
            other => Err(format!(
                "{self:?} takes a numeric column (Double, Integer), found {other}"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::primitives::test_util::prim;
    use crate::primitives::test_util::transform;
    use arrow_array::Float64Array;

    fn run(class: &str, a: ArrayRef) -> ArrayRef {
        let n = a.len();
        transform(&prim(class), &[a], &vec![0; n]).unwrap()
    }

    fn floats(a: &ArrayRef) -> Vec<Option<f64>> {
        a.as_primitive::<Float64Type>().iter().collect()
    }

    fn ints(a: &ArrayRef) -> Vec<Option<i64>> {
        a.as_primitive::<Int64Type>().iter().collect()
    }

    /// `pd.Series([1.5, -2.0, 0.0, nan, -0.0, 1e6, pi/2, inf, -inf, 1e-300])`
    fn double() -> ArrayRef {
        Arc::new(Float64Array::from(vec![
            Some(1.5),
            Some(-2.0),
            Some(0.0),
            None,
            Some(-0.0),
            Some(1e6),
            Some(std::f64::consts::FRAC_PI_2),
            Some(f64::INFINITY),
            Some(f64::NEG_INFINITY),
            Some(1e-300),
        ]))
    }

    /// `pd.Series([3, -2, 0, None, -2**63, 2**63 - 1], dtype="Int64")`
    fn integer() -> ArrayRef {
        Arc::new(Int64Array::from(vec![
            Some(3),
            Some(-2),
            Some(0),
            None,
            Some(i64::MIN),
            Some(i64::MAX),
        ]))
    }

    /// Equal, or within 1e-13 relative (numpy's SIMD kernels and libm may differ by an ulp);
    /// the sign of a zero counts.
    fn close(got: &[Option<f64>], want: &[Option<f64>]) {
        assert_eq!(got.len(), want.len(), "{got:?} vs {want:?}");
        for (g, w) in got.iter().zip(want) {
            match (g, w) {
                (Some(g), Some(w)) if g == w => {
                    assert_eq!(
                        g.is_sign_negative(),
                        w.is_sign_negative(),
                        "{got:?} vs {want:?}"
                    )
                }
                (Some(g), Some(w)) => {
                    assert!((g - w).abs() <= 1e-13 * w.abs(), "{got:?} vs {want:?}")
                }
                _ => assert_eq!(g, w, "{got:?} vs {want:?}"),
            }
        }
    }

    const INF: f64 = f64::INFINITY;

    #[test]
    fn absolute_and_negate_keep_integers_and_wrap_like_numpy() {
        // Absolute().get_function()(double()) ; (integer()) -> Int64
        close(
            &floats(&run("Absolute", double())),
            &[
                Some(1.5),
                Some(2.0),
                Some(0.0),
                None,
                Some(0.0),
                Some(1e6),
                Some(std::f64::consts::FRAC_PI_2),
                Some(INF),
                Some(INF),
                Some(1e-300),
            ],
        );
        assert_eq!(
            ints(&run("Absolute", integer())),
            vec![
                Some(3),
                Some(2),
                Some(0),
                None,
                Some(i64::MIN),
                Some(i64::MAX)
            ]
        );
        // Negate: `vals * -1`; -0.0 * -1 == 0.0, 0.0 * -1 == -0.0
        close(
            &floats(&run("Negate", double())),
            &[
                Some(-1.5),
                Some(2.0),
                Some(-0.0),
                None,
                Some(0.0),
                Some(-1e6),
                Some(-std::f64::consts::FRAC_PI_2),
                Some(-INF),
                Some(INF),
                Some(-1e-300),
            ],
        );
        assert_eq!(
            ints(&run("Negate", integer())),
            vec![
                Some(-3),
                Some(2),
                Some(0),
                None,
                Some(i64::MIN),
                Some(-i64::MAX)
            ]
        );
    }

    #[test]
    fn trigonometry_matches_numpy() {
        // Cosine().get_function()(double())
        close(
            &floats(&run("Cosine", double())),
            &[
                Some(0.0707372016677029),
                Some(-0.4161468365471424),
                Some(1.0),
                None,
                Some(1.0),
                Some(0.9367521275331447),
                Some(6.123233995736766e-17),
                None,
                None,
                Some(1.0),
            ],
        );
        // Cosine()(integer()) -> Float64
        close(
            &floats(&run("Cosine", integer())),
            &[
                Some(-0.9899924966004454),
                Some(-0.4161468365471424),
                Some(1.0),
                None,
                Some(0.011800076512800236),
                Some(0.011800076512800236),
            ],
        );
        close(
            &floats(&run("Sine", double())),
            &[
                Some(0.9974949866040544),
                Some(-0.9092974268256817),
                Some(0.0),
                None,
                Some(-0.0),
                Some(-0.34999350217129294),
                Some(1.0),
                None,
                None,
                Some(1e-300),
            ],
        );
        close(
            &floats(&run("Sine", integer())),
            &[
                Some(0.1411200080598672),
                Some(-0.9092974268256817),
                Some(0.0),
                None,
                Some(-0.9999303766734422),
                Some(0.9999303766734422),
            ],
        );
        close(
            &floats(&run("Tangent", double())),
            &[
                Some(14.10141994717172),
                Some(2.185039863261519),
                Some(0.0),
                None,
                Some(-0.0),
                Some(-0.3736244539875991),
                Some(1.633123935319537e16),
                None,
                None,
                Some(1e-300),
            ],
        );
        close(
            &floats(&run("Tangent", integer())),
            &[
                Some(-0.1425465430742778),
                Some(2.185039863261519),
                Some(0.0),
                None,
                Some(-84.73931296875567),
                Some(84.73931296875567),
            ],
        );
    }

    #[test]
    fn log_and_sqrt_outside_their_domain() {
        // NaturalLogarithm()(double()): log(0) = log(-0) = -inf, log(-2) = log(-inf) = nan
        close(
            &floats(&run("NaturalLogarithm", double())),
            &[
                Some(0.4054651081081644),
                None,
                Some(-INF),
                None,
                Some(-INF),
                Some(13.815510557964274),
                Some(0.45158270528945477),
                Some(INF),
                None,
                Some(-690.7755278982137),
            ],
        );
        close(
            &floats(&run("NaturalLogarithm", integer())),
            &[
                Some(1.0986122886681096),
                None,
                Some(-INF),
                None,
                None,
                Some(43.66827237527655),
            ],
        );
        // SquareRoot()(double()): sqrt(-0.0) = -0.0
        close(
            &floats(&run("SquareRoot", double())),
            &[
                Some(1.224744871391589),
                None,
                Some(0.0),
                None,
                Some(-0.0),
                Some(1000.0),
                Some(1.2533141373155001),
                Some(INF),
                None,
                Some(1e-150),
            ],
        );
        close(
            &floats(&run("SquareRoot", integer())),
            &[
                Some(1.7320508075688772),
                None,
                Some(0.0),
                None,
                None,
                Some(3037000499.97605),
            ],
        );
    }

    #[test]
    fn empty_and_all_null_columns() {
        let empty: ArrayRef = Arc::new(Float64Array::from(Vec::<f64>::new()));
        assert!(floats(&run("Cosine", empty)).is_empty());
        let nulls: ArrayRef = Arc::new(Int64Array::from(vec![None, None]));
        assert_eq!(ints(&run("Negate", nulls.clone())), vec![None, None]);
        assert_eq!(floats(&run("SquareRoot", nulls)), vec![None, None]);
        let text: ArrayRef = Arc::new(arrow_array::StringArray::from(vec!["a"]));
        assert!(transform(&prim("Absolute"), &[text], &[0]).is_err());
    }
}
