//! Arithmetic transforms (`featuretools/primitives/standard/transform/binary/`): ADD_NUMERIC,
//! SUBTRACT_NUMERIC, MULTIPLY_NUMERIC, DIVIDE_NUMERIC, MODULO_NUMERIC between two columns;
//! ADD_NUMERIC_SCALAR, SUBTRACT_NUMERIC_SCALAR, SCALAR_SUBTRACT_NUMERIC_FEATURE,
//! MULTIPLY_NUMERIC_SCALAR, DIVIDE_NUMERIC_SCALAR, DIVIDE_BY_FEATURE, MODULO_NUMERIC_SCALAR,
//! MODULO_BY_FEATURE with a scalar `value`; MULTIPLY_NUMERIC_BOOLEAN and MULTIPLY_BOOLEAN.
//!
//! featuretools runs the pandas operator (`np.add(x, y)`, `vals + self.value`, ...), so the
//! result is pandas':
//! - integer (Int64) with integer (an Int64 column or an integral `value`) stays integer under
//!   `+ - *` (numpy wraps around on overflow) and `%`; `/` is float (`1/0 = inf`, `-1/0 = -inf`,
//!   `0/0 = NaN`); a float operand or a float `value` (`2.0`, saved as such) makes it float;
//! - `%` is Python's: the remainder has the sign of the divisor (`-7 % 2 == 1`, `4.0 % -2.0 ==
//!   -0.0`), `x % 0` is NaN; except that a nullable-integer left operand (an Int64 column with
//!   missing values) takes numpy's integer `x % 0 == 0` (pandas' masked arrays skip the
//!   zero-division fill for `mod`: `pandas/core/arrays/masked.py::_arith_method`), and the
//!   integer result of `%` becomes float where a divisor is 0;
//! - a missing operand gives a missing result.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{Array, ArrayRef, Float64Array, Int64Array};
use arrow_schema::DataType;
use serde_json::Value;

use super::{Dtype, Transform};
use crate::primitives::registry::{Args, Entry};
use crate::primitives::{booleans, float_out, Implementation};

/// An arithmetic operator.
#[derive(Debug, Clone, Copy, PartialEq)]
#[allow(missing_docs)]
pub enum Op {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

/// A number as pandas holds it: an integer stays integer with integers.
#[derive(Debug, Clone, Copy, PartialEq)]
#[allow(missing_docs)]
pub enum Num {
    Int(i64),
    Float(f64),
}

impl Num {
    fn float(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(x) => x,
        }
    }
}

/// A transform of this file.
#[derive(Debug, Clone, Copy, PartialEq)]
#[allow(missing_docs)]
pub enum Arith {
    /// `x op y` between two numeric columns.
    Columns(Op),
    /// `vals op value` (`scalar_first`: `value op vals`).
    Scalar {
        op: Op,
        value: Num,
        scalar_first: bool,
    },
    /// `vals * bools.astype("Int64")`, whichever input is the boolean one.
    MultiplyNumericBoolean,
    /// `np.bitwise_and` of two boolean columns (Kleene logic with missing values).
    MultiplyBoolean,
}

fn entry(a: Arith) -> Result<Implementation, String> {
    Ok(Implementation::Transform(Arc::new(a)))
}

/// The `value` argument (featuretools' default `default`). A boolean is the integer pandas
/// takes it for (`vals + True == vals + 1`).
fn value(a: &Args, default: i64) -> Result<Num, String> {
    match a.value("value") {
        None => Ok(Num::Int(default)),
        Some(Value::Bool(b)) => Ok(Num::Int(*b as i64)),
        Some(Value::Number(n)) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Ok(Num::Int(i)),
            (None, Some(_)) if n.is_u64() => Err(a.error(
                "value",
                format!("is {n}, beyond int64: numpy would compute it as uint64 or object"),
            )),
            (None, Some(x)) => Ok(Num::Float(x)),
            (None, None) => Err(a.error("value", format!("must be a number, not {n}"))),
        },
        Some(other) => Err(a.error("value", format!("must be a number, not {other}"))),
    }
}

fn scalar(a: &Args, op: Op, default: i64, scalar_first: bool) -> Result<Implementation, String> {
    entry(Arith::Scalar {
        op,
        value: value(a, default)?,
        scalar_first,
    })
}

/// `commutative` only tells Deep Feature Synthesis which pairs to build; it is read (so a
/// wrong type is an error) and does not change the values.
fn columns(a: &Args, op: Op, commutative: Option<bool>) -> Result<Implementation, String> {
    if let Some(default) = commutative {
        a.bool("commutative", default)?;
    }
    entry(Arith::Columns(op))
}

pub(crate) const ENTRIES: &[Entry] = &[
    Entry {
        class: "AddNumeric",
        make: |a| columns(a, Op::Add, None),
    },
    Entry {
        class: "SubtractNumeric",
        make: |a| columns(a, Op::Sub, Some(true)),
    },
    Entry {
        class: "MultiplyNumeric",
        make: |a| columns(a, Op::Mul, None),
    },
    Entry {
        class: "DivideNumeric",
        make: |a| columns(a, Op::Div, Some(false)),
    },
    Entry {
        class: "ModuloNumeric",
        make: |a| columns(a, Op::Mod, None),
    },
    Entry {
        class: "AddNumericScalar",
        make: |a| scalar(a, Op::Add, 0, false),
    },
    Entry {
        class: "SubtractNumericScalar",
        make: |a| scalar(a, Op::Sub, 0, false),
    },
    Entry {
        class: "ScalarSubtractNumericFeature",
        make: |a| scalar(a, Op::Sub, 0, true),
    },
    Entry {
        class: "MultiplyNumericScalar",
        make: |a| scalar(a, Op::Mul, 1, false),
    },
    Entry {
        class: "DivideNumericScalar",
        make: |a| scalar(a, Op::Div, 1, false),
    },
    Entry {
        class: "DivideByFeature",
        make: |a| scalar(a, Op::Div, 1, true),
    },
    Entry {
        class: "ModuloNumericScalar",
        make: |a| scalar(a, Op::Mod, 1, false),
    },
    Entry {
        class: "ModuloByFeature",
        make: |a| scalar(a, Op::Mod, 1, true),
    },
    Entry {
        class: "MultiplyNumericBoolean",
        make: |_| entry(Arith::MultiplyNumericBoolean),
    },
    Entry {
        class: "MultiplyBoolean",
        make: |_| entry(Arith::MultiplyBoolean),
    },
];

impl Transform for Arith {
    fn arity(&self) -> usize {
        match self {
            Arith::Scalar { .. } => 1,
            _ => 2,
        }
    }

    /// `vals * bools.astype("Int64")`: MULTIPLY_NUMERIC_BOOLEAN is masked whatever its inputs;
    /// the operators are masked when an operand is (`int64 % Int64` is `Float64`).
    fn dtype(&self, inputs: &[Dtype]) -> Dtype {
        match self {
            Arith::MultiplyNumericBoolean => Dtype::Masked,
            _ => Dtype::masked_if(inputs.contains(&Dtype::Masked)),
        }
    }

    fn transform(
        &self,
        inputs: &[ArrayRef],
        dtypes: &[Dtype],
        _times: &[i64],
    ) -> Result<ArrayRef, String> {
        // Where a divisor is 0, `%` gives numpy's 0 under a masked integer left operand.
        let left_masked = dtypes.first() == Some(&Dtype::Masked);
        let a = inputs.first().ok_or("transform without input")?;
        let b = || {
            inputs
                .get(1)
                .ok_or_else(|| format!("{self:?} takes two inputs"))
        };
        match *self {
            Arith::Columns(op) => {
                let (x, y) = (Operand::column(a)?, Operand::column(b()?)?);
                Ok(compute(op, &x, &y, left_masked, a.len()))
            }
            Arith::Scalar {
                op,
                value,
                scalar_first,
            } => {
                let (x, v) = (Operand::column(a)?, Operand::Scalar(value));
                Ok(if scalar_first {
                    compute(op, &v, &x, false, a.len())
                } else {
                    compute(op, &x, &v, left_masked, a.len())
                })
            }
            Arith::MultiplyNumericBoolean => {
                let b = b()?;
                let (bools, vals) = if a.data_type() == &DataType::Boolean {
                    (a, b)
                } else {
                    (b, a)
                };
                if bools.data_type() != &DataType::Boolean {
                    return Err(format!(
                        "MultiplyNumericBoolean takes a boolean column, found {} and {}",
                        a.data_type(),
                        b.data_type()
                    ));
                }
                let bools = bools.as_boolean();
                let bit = |i: usize| bools.is_valid(i).then(|| bools.value(i) as i64);
                Ok(match Operand::column(vals)? {
                    Operand::Int(v) => Arc::new(
                        (0..v.len())
                            .map(|i| Some(v.is_valid(i).then(|| v.value(i))? * bit(i)?))
                            .collect::<Int64Array>(),
                    ),
                    Operand::Float(v) => float_out(
                        (0..v.len())
                            .map(|i| match (v.is_valid(i), bit(i)) {
                                (true, Some(b)) => v.value(i) * b as f64,
                                _ => f64::NAN,
                            })
                            .collect(),
                    ),
                    Operand::Scalar(_) => unreachable!("a column"),
                })
            }
            Arith::MultiplyBoolean => {
                let b = b()?;
                for c in [a, b] {
                    if c.data_type() != &DataType::Boolean {
                        return Err(format!(
                            "MultiplyBoolean takes boolean columns, found {}",
                            c.data_type()
                        ));
                    }
                }
                Ok(Arc::new(
                    arrow_arith::boolean::and_kleene(&booleans(a)?, &booleans(b)?)
                        .map_err(|e| e.to_string())?,
                ))
            }
        }
    }
}

/// One side of an operator.
enum Operand<'a> {
    Int(&'a Int64Array),
    Float(&'a Float64Array),
    Scalar(Num),
}

impl<'a> Operand<'a> {
    fn column(a: &'a ArrayRef) -> Result<Self, String> {
        match a.data_type() {
            DataType::Int64 => Ok(Operand::Int(a.as_primitive::<Int64Type>())),
            DataType::Float64 => Ok(Operand::Float(a.as_primitive::<Float64Type>())),
            other => Err(format!(
                "numeric input (Double, Integer) expected, found {other}"
            )),
        }
    }

    fn get(&self, i: usize) -> Option<Num> {
        match self {
            Operand::Int(a) => a.is_valid(i).then(|| Num::Int(a.value(i))),
            Operand::Float(a) => a.is_valid(i).then(|| Num::Float(a.value(i))),
            Operand::Scalar(v) => Some(*v),
        }
    }

    fn is_int(&self) -> bool {
        matches!(self, Operand::Int(_) | Operand::Scalar(Num::Int(_)))
    }
}

/// Python's `%` on floats (numpy's `npy_remainder`): the sign of the divisor, `x % 0 == NaN`.
pub(crate) fn py_fmod(a: f64, b: f64) -> f64 {
    let m = a % b;
    if b == 0.0 {
        m
    } else if m != 0.0 {
        if (b < 0.0) != (m < 0.0) {
            m + b
        } else {
            m
        }
    } else {
        0.0f64.copysign(b)
    }
}

/// Python's `%` on integers, for a divisor other than 0 (numpy's, wrapping `MIN % -1 == 0`).
pub(crate) fn py_imod(a: i64, b: i64) -> i64 {
    let r = a.wrapping_rem(b);
    if r != 0 && ((r < 0) != (b < 0)) {
        r + b
    } else {
        r
    }
}

fn float_op(op: Op, x: f64, y: f64) -> f64 {
    match op {
        Op::Add => x + y,
        Op::Sub => x - y,
        Op::Mul => x * y,
        Op::Div => x / y,
        Op::Mod => py_fmod(x, y),
    }
}

/// `x op y`; `x_masked`: whether pandas holds `x` as a masked array.
fn compute(op: Op, x: &Operand, y: &Operand, x_masked: bool, n: usize) -> ArrayRef {
    if x.is_int() && y.is_int() && op != Op::Div {
        let int = |v: Option<Num>| match v {
            Some(Num::Int(i)) => Some(i),
            _ => None,
        };
        // Where a divisor is 0: numpy's 0 under a masked integer left operand (`Int64`,
        // missing values or not), else NaN (and the column becomes float).
        let zero_is_zero = x_masked && matches!(x, Operand::Int(_));
        let mut float = false;
        let out: Vec<Option<i64>> = (0..n)
            .map(|i| {
                let (p, q) = (int(x.get(i))?, int(y.get(i))?);
                Some(match op {
                    Op::Add => p.wrapping_add(q),
                    Op::Sub => p.wrapping_sub(q),
                    Op::Mul => p.wrapping_mul(q),
                    Op::Mod if q == 0 && zero_is_zero => 0,
                    Op::Mod if q == 0 => {
                        float = true;
                        return None;
                    }
                    Op::Mod => py_imod(p, q),
                    Op::Div => unreachable!("true division is float"),
                })
            })
            .collect();
        if float {
            return Arc::new(
                out.into_iter()
                    .map(|v| v.map(|v| v as f64))
                    .collect::<Float64Array>(),
            );
        }
        return Arc::new(Int64Array::from(out));
    }
    float_out(
        (0..n)
            .map(|i| match (x.get(i), y.get(i)) {
                (Some(p), Some(q)) => float_op(op, p.float(), q.float()),
                _ => f64::NAN,
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::primitives::test_util::transform;
    use crate::primitives::test_util::{prim, prim_with};
    use serde_json::json;

    const INF: f64 = f64::INFINITY;
    const NAN: f64 = f64::NAN;

    fn run(p: &crate::primitives::Primitive, inputs: &[ArrayRef]) -> ArrayRef {
        transform(p, inputs, &vec![0; inputs[0].len()]).unwrap()
    }

    /// Float results, NaN for missing; compared bit for bit (the sign of zero counts).
    fn floats(a: &ArrayRef) -> Vec<u64> {
        assert_eq!(a.data_type(), &DataType::Float64, "a float column");
        a.as_primitive::<Float64Type>()
            .iter()
            .map(|v| v.unwrap_or(NAN).to_bits())
            .collect()
    }

    fn want(v: &[f64]) -> Vec<u64> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    fn ints(a: &ArrayRef) -> Vec<Option<i64>> {
        assert_eq!(a.data_type(), &DataType::Int64, "an integer column");
        a.as_primitive::<Int64Type>().iter().collect()
    }

    fn fa(v: &[f64]) -> ArrayRef {
        Arc::new(
            v.iter()
                .map(|x| (!x.is_nan()).then_some(*x))
                .collect::<Float64Array>(),
        )
    }

    fn ia(v: &[Option<i64>]) -> ArrayRef {
        Arc::new(Int64Array::from(v.to_vec()))
    }

    // The columns of the Python calls below:
    // f = pd.Series([1.5, -7.0, 0.0, nan, 4.0, 0.0]); g = pd.Series([0.0, 2.0, 0.0, 1.0, -2.0, -3.0])
    // i = pd.Series([3, -7, 0, 5, 4, 0]); j = pd.Series([0, 2, 0, -3, -2, -3])
    // I = pd.Series([3, -7, 0, None, 4, 0], dtype="Int64"); J = pd.Series([0, 2, 0, 1, None, -3], dtype="Int64")
    fn f() -> ArrayRef {
        fa(&[1.5, -7.0, 0.0, NAN, 4.0, 0.0])
    }
    fn g() -> ArrayRef {
        fa(&[0.0, 2.0, 0.0, 1.0, -2.0, -3.0])
    }
    fn i() -> ArrayRef {
        ia(&[Some(3), Some(-7), Some(0), Some(5), Some(4), Some(0)])
    }
    fn j() -> ArrayRef {
        ia(&[Some(0), Some(2), Some(0), Some(-3), Some(-2), Some(-3)])
    }
    fn big_i() -> ArrayRef {
        ia(&[Some(3), Some(-7), Some(0), None, Some(4), Some(0)])
    }
    fn big_j() -> ArrayRef {
        ia(&[Some(0), Some(2), Some(0), Some(1), None, Some(-3)])
    }

    #[test]
    fn add_subtract_multiply_two_columns() {
        let add = prim("AddNumeric");
        // AddNumeric()(f, g) -> float64
        assert_eq!(
            floats(&run(&add, &[f(), g()])),
            want(&[1.5, -5.0, 0.0, NAN, 2.0, -3.0])
        );
        // (i, j) -> int64
        assert_eq!(
            ints(&run(&add, &[i(), j()])),
            vec![Some(3), Some(-5), Some(0), Some(2), Some(2), Some(-3)]
        );
        // (I, J) -> Int64 [3, -5, 0, <NA>, <NA>, -3]
        assert_eq!(
            ints(&run(&add, &[big_i(), big_j()])),
            vec![Some(3), Some(-5), Some(0), None, None, Some(-3)]
        );
        // (I, g) -> Float64 [3.0, -5.0, 0.0, <NA>, 2.0, -3.0]
        assert_eq!(
            floats(&run(&add, &[big_i(), g()])),
            want(&[3.0, -5.0, 0.0, NAN, 2.0, -3.0])
        );
        // SubtractNumeric()(i, g) -> [3.0, -9.0, 0.0, 4.0, 6.0, 3.0]
        let sub = prim_with("SubtractNumeric", json!({"commutative": false}));
        assert_eq!(
            floats(&run(&sub, &[i(), g()])),
            want(&[3.0, -9.0, 0.0, 4.0, 6.0, 3.0])
        );
        assert_eq!(
            ints(&run(&prim("SubtractNumeric"), &[big_i(), j()])),
            vec![Some(3), Some(-9), Some(0), None, Some(6), Some(3)]
        );
        // MultiplyNumeric()(f, g) -> [0.0, -14.0, 0.0, nan, -8.0, -0.0]
        let mul = prim("MultiplyNumeric");
        assert_eq!(
            floats(&run(&mul, &[f(), g()])),
            want(&[0.0, -14.0, 0.0, NAN, -8.0, -0.0])
        );
        assert_eq!(
            ints(&run(&mul, &[i(), big_j()])),
            vec![Some(0), Some(-14), Some(0), Some(5), None, Some(0)]
        );
        // np.add wraps: [-2**63, 2**63-1] + itself -> [0, -2]; * [-1, 2] -> [-2**63, -2]
        let big = ia(&[Some(i64::MIN), Some(i64::MAX)]);
        assert_eq!(
            ints(&run(&add, &[big.clone(), big.clone()])),
            vec![Some(0), Some(-2)]
        );
        assert_eq!(
            ints(&run(&mul, &[big, ia(&[Some(-1), Some(2)])])),
            vec![Some(i64::MIN), Some(-2)]
        );
    }

    #[test]
    fn divide_two_columns_by_zero() {
        let div = prim("DivideNumeric");
        // DivideNumeric()(f, g) -> [inf, -3.5, nan, nan, -2.0, -0.0]
        assert_eq!(
            floats(&run(&div, &[f(), g()])),
            want(&[INF, -3.5, NAN, NAN, -2.0, -0.0])
        );
        // (i, j) -> [inf, -3.5, nan, -1.6666666666666667, -2.0, -0.0]
        assert_eq!(
            floats(&run(&div, &[i(), j()])),
            want(&[INF, -3.5, NAN, -1.6666666666666667, -2.0, -0.0])
        );
        // (I, J) -> Float64 [inf, -3.5, nan, <NA>, <NA>, -0.0]
        assert_eq!(
            floats(&run(&div, &[big_i(), big_j()])),
            want(&[INF, -3.5, NAN, NAN, NAN, -0.0])
        );
        // -1 / 0 -> -inf
        let commutative = prim_with("DivideNumeric", json!({"commutative": true}));
        assert_eq!(
            floats(&run(&commutative, &[ia(&[Some(-1)]), ia(&[Some(0)])])),
            want(&[-INF])
        );
        assert!(Primitive::featuretools("DivideNumeric", json!({"commutative": "yes"})).is_err());
    }

    use crate::primitives::Primitive;

    #[test]
    fn modulo_two_columns_takes_the_sign_of_the_divisor() {
        let m = prim("ModuloNumeric");
        // ModuloNumeric()(f, g) -> [nan, 1.0, nan, nan, -0.0, -0.0]
        assert_eq!(
            floats(&run(&m, &[f(), g()])),
            want(&[NAN, 1.0, NAN, NAN, -0.0, -0.0])
        );
        // (i, j) -> float64 [nan, 1.0, nan, -1.0, 0.0, 0.0]: int64 % 0 is NaN
        assert_eq!(
            floats(&run(&m, &[i(), j()])),
            want(&[NAN, 1.0, NAN, -1.0, 0.0, 0.0])
        );
        // (I, J) -> Int64 [0, 1, 0, <NA>, <NA>, 0]: a nullable left operand gives numpy's x % 0 == 0
        assert_eq!(
            ints(&run(&m, &[big_i(), big_j()])),
            vec![Some(0), Some(1), Some(0), None, None, Some(0)]
        );
        // (I, j) -> Int64 [0, 1, 0, <NA>, 0, 0]
        assert_eq!(
            ints(&run(&m, &[big_i(), j()])),
            vec![Some(0), Some(1), Some(0), None, Some(0), Some(0)]
        );
        // (i, J) -> Float64 [nan, 1.0, nan, 0.0, <NA>, 0.0]
        assert_eq!(
            floats(&run(&m, &[i(), big_j()])),
            want(&[NAN, 1.0, NAN, 0.0, NAN, 0.0])
        );
        // (I, g) -> Float64 [nan, 1.0, nan, <NA>, -0.0, -0.0]
        assert_eq!(
            floats(&run(&m, &[big_i(), g()])),
            want(&[NAN, 1.0, NAN, NAN, -0.0, -0.0])
        );
        // no zero divisor: int64 stays int64; MIN % -1 == 0 (numpy)
        assert_eq!(
            ints(&run(
                &m,
                &[
                    ia(&[Some(i64::MIN), Some(i64::MAX), Some(7), Some(-7)]),
                    ia(&[Some(-1), Some(2), Some(-3), Some(3)])
                ]
            )),
            vec![Some(0), Some(1), Some(-2), Some(2)]
        );
        // pd.Series([-1.0, 1.0, -inf, inf, 5.0, -5.0]) % pd.Series([inf, -inf, 2.0, 2.0, inf, inf])
        assert_eq!(
            floats(&run(
                &m,
                &[
                    fa(&[-1.0, 1.0, -INF, INF, 5.0, -5.0]),
                    fa(&[INF, -INF, 2.0, 2.0, INF, INF])
                ]
            )),
            want(&[INF, -INF, NAN, NAN, 5.0, INF])
        );
        // np.mod([5.5, -5.5, 5.5, -5.5, 1e300, 0.1], [2.0, 2.0, -2.0, -2.0, 3.0, 0.01])
        assert_eq!(
            floats(&run(
                &m,
                &[
                    fa(&[5.5, -5.5, 5.5, -5.5, 1e300, 0.1]),
                    fa(&[2.0, 2.0, -2.0, -2.0, 3.0, 0.01])
                ]
            )),
            want(&[1.5, 0.5, -0.5, -1.5, 0.0, 3.469446951953614e-18])
        );
    }

    #[test]
    fn scalar_defaults_and_integer_or_float_values() {
        // AddNumericScalar()(i) -> int64 unchanged (value=0); (value=2.5)(i) -> float64
        assert_eq!(ints(&run(&prim("AddNumericScalar"), &[i()])), ints(&i()));
        assert_eq!(
            floats(&run(
                &prim_with("AddNumericScalar", json!({"value": 2.5})),
                &[i()]
            )),
            want(&[5.5, -4.5, 2.5, 7.5, 6.5, 2.5])
        );
        // AddNumericScalar(value=0.0)(I) -> Float64 [3.0, -7.0, 0.0, <NA>, 4.0, 0.0]
        assert_eq!(
            floats(&run(
                &prim_with("AddNumericScalar", json!({"value": 0.0})),
                &[big_i()]
            )),
            want(&[3.0, -7.0, 0.0, NAN, 4.0, 0.0])
        );
        // AddNumericScalar(value=True)(i) -> int64 [4, -6, 1, 6, 5, 1]
        assert_eq!(
            ints(&run(
                &prim_with("AddNumericScalar", json!({"value": true})),
                &[i()]
            )),
            vec![Some(4), Some(-6), Some(1), Some(6), Some(5), Some(1)]
        );
        // SubtractNumericScalar(value=2)(I) -> Int64 [1, -9, -2, <NA>, 2, -2]
        assert_eq!(
            ints(&run(
                &prim_with("SubtractNumericScalar", json!({"value": 2})),
                &[big_i()]
            )),
            vec![Some(1), Some(-9), Some(-2), None, Some(2), Some(-2)]
        );
        // SubtractNumericScalar()(f) keeps -0.0: 0.0 - 0 == 0.0
        let f0 = fa(&[1.5, -0.0, NAN]);
        assert_eq!(
            floats(&run(
                &prim("SubtractNumericScalar"),
                std::slice::from_ref(&f0)
            )),
            want(&[1.5, -0.0, NAN])
        );
        // ScalarSubtractNumericFeature(value=2.5)(i) -> [-0.5, 9.5, 2.5, -2.5, -1.5, 2.5]
        assert_eq!(
            floats(&run(
                &prim_with("ScalarSubtractNumericFeature", json!({"value": 2.5})),
                &[i()]
            )),
            want(&[-0.5, 9.5, 2.5, -2.5, -1.5, 2.5])
        );
        // ScalarSubtractNumericFeature()(f0): 0 - -0.0 == 0.0
        assert_eq!(
            floats(&run(&prim("ScalarSubtractNumericFeature"), &[f0])),
            want(&[-1.5, 0.0, NAN])
        );
        // MultiplyNumericScalar()(I) -> Int64 unchanged (value=1); (value=0.0)(i) -> -7 * 0.0 == -0.0
        assert_eq!(
            ints(&run(&prim("MultiplyNumericScalar"), &[big_i()])),
            ints(&big_i())
        );
        assert_eq!(
            floats(&run(
                &prim_with("MultiplyNumericScalar", json!({"value": 0.0})),
                &[i()]
            )),
            want(&[0.0, -0.0, 0.0, 0.0, 0.0, 0.0])
        );
        assert_eq!(
            ints(&run(
                &prim_with("MultiplyNumericScalar", json!({"value": -2})),
                &[i()]
            )),
            vec![Some(-6), Some(14), Some(0), Some(-10), Some(-8), Some(0)]
        );
        assert!(Primitive::featuretools("AddNumericScalar", json!({"value": "2"})).is_err());
        assert!(Primitive::featuretools(
            "AddNumericScalar",
            json!({"value": 18446744073709551615u64})
        )
        .is_err());
    }

    #[test]
    fn scalar_division() {
        // DivideNumericScalar()(i) -> float64 [3.0, -7.0, 0.0, 5.0, 4.0, 0.0]
        assert_eq!(
            floats(&run(&prim("DivideNumericScalar"), &[i()])),
            want(&[3.0, -7.0, 0.0, 5.0, 4.0, 0.0])
        );
        // DivideNumericScalar(value=0)(f) -> [inf, -inf, nan, nan, inf, nan]
        assert_eq!(
            floats(&run(
                &prim_with("DivideNumericScalar", json!({"value": 0})),
                &[f()]
            )),
            want(&[INF, -INF, NAN, NAN, INF, NAN])
        );
        // DivideNumericScalar(value=-2)(I) -> [-1.5, 3.5, -0.0, <NA>, -2.0, -0.0]
        assert_eq!(
            floats(&run(
                &prim_with("DivideNumericScalar", json!({"value": -2})),
                &[big_i()]
            )),
            want(&[-1.5, 3.5, -0.0, NAN, -2.0, -0.0])
        );
        // DivideByFeature()(f) -> 1 / f; f[5] is 0.0 here
        assert_eq!(
            floats(&run(
                &prim("DivideByFeature"),
                &[fa(&[1.5, -7.0, 0.0, NAN, 4.0, -0.0])]
            )),
            want(&[
                0.6666666666666666,
                -0.14285714285714285,
                INF,
                NAN,
                0.25,
                -INF
            ])
        );
        // DivideByFeature(value=0)(i) -> [0.0, -0.0, nan, 0.0, 0.0, nan]
        assert_eq!(
            floats(&run(
                &prim_with("DivideByFeature", json!({"value": 0})),
                &[i()]
            )),
            want(&[0.0, -0.0, NAN, 0.0, 0.0, NAN])
        );
        // DivideByFeature(value=2.5)(I) -> [0.8333333333333334, -0.35714285714285715, inf, <NA>, 0.625, inf]
        assert_eq!(
            floats(&run(
                &prim_with("DivideByFeature", json!({"value": 2.5})),
                &[big_i()]
            )),
            want(&[
                0.8333333333333334,
                -0.35714285714285715,
                INF,
                NAN,
                0.625,
                INF
            ])
        );
    }

    #[test]
    fn scalar_modulo() {
        // ModuloNumericScalar()(f) -> [0.5, 0.0, 0.0, nan, 0.0, 0.0] (value=1)
        assert_eq!(
            floats(&run(&prim("ModuloNumericScalar"), &[f()])),
            want(&[0.5, 0.0, 0.0, NAN, 0.0, 0.0])
        );
        // ModuloNumericScalar(value=-2)(i) -> int64 [-1, -1, 0, -1, 0, 0]
        assert_eq!(
            ints(&run(
                &prim_with("ModuloNumericScalar", json!({"value": -2})),
                &[i()]
            )),
            vec![Some(-1), Some(-1), Some(0), Some(-1), Some(0), Some(0)]
        );
        // ModuloNumericScalar(value=-2)(f) -> [-0.5, -1.0, -0.0, nan, -0.0, -0.0]
        assert_eq!(
            floats(&run(
                &prim_with("ModuloNumericScalar", json!({"value": -2})),
                &[f()]
            )),
            want(&[-0.5, -1.0, -0.0, NAN, -0.0, -0.0])
        );
        // ModuloNumericScalar(value=0)(i) -> float64 all nan; (I) -> Int64 [0, 0, 0, <NA>, 0, 0]
        let zero = prim_with("ModuloNumericScalar", json!({"value": 0}));
        assert_eq!(floats(&run(&zero, &[i()])), want(&[NAN; 6]));
        assert_eq!(
            ints(&run(&zero, &[big_i()])),
            vec![Some(0), Some(0), Some(0), None, Some(0), Some(0)]
        );
        // ModuloNumericScalar(value=0.0)(I) -> Float64 [nan, nan, nan, <NA>, nan, nan]
        assert_eq!(
            floats(&run(
                &prim_with("ModuloNumericScalar", json!({"value": 0.0})),
                &[big_i()]
            )),
            want(&[NAN; 6])
        );
        // ModuloNumericScalar(value=2.5)(i) -> [0.5, 0.5, 0.0, 0.0, 1.5, 0.0]
        assert_eq!(
            floats(&run(
                &prim_with("ModuloNumericScalar", json!({"value": 2.5})),
                &[i()]
            )),
            want(&[0.5, 0.5, 0.0, 0.0, 1.5, 0.0])
        );
        // ModuloByFeature()(i) -> float64 [1.0, -6.0, nan, 1.0, 1.0, nan]
        assert_eq!(
            floats(&run(&prim("ModuloByFeature"), &[i()])),
            want(&[1.0, -6.0, NAN, 1.0, 1.0, NAN])
        );
        // ModuloByFeature()(I) -> Float64 [1.0, -6.0, nan, <NA>, 1.0, nan]: x % 0 is NaN here
        assert_eq!(
            floats(&run(&prim("ModuloByFeature"), &[big_i()])),
            want(&[1.0, -6.0, NAN, NAN, 1.0, NAN])
        );
        // ModuloByFeature(value=-2)(i) -> [1.0, -2.0, nan, 3.0, 2.0, nan]
        assert_eq!(
            floats(&run(
                &prim_with("ModuloByFeature", json!({"value": -2})),
                &[i()]
            )),
            want(&[1.0, -2.0, NAN, 3.0, 2.0, NAN])
        );
        // ModuloByFeature(value=0)(f) -> [0.0, -0.0, nan, nan, 0.0, nan]; (i) -> 0 % -7 == 0 (int)
        let zero = prim_with("ModuloByFeature", json!({"value": 0}));
        assert_eq!(
            floats(&run(&zero, &[f()])),
            want(&[0.0, -0.0, NAN, NAN, 0.0, NAN])
        );
        assert_eq!(
            floats(&run(&zero, &[i()])),
            want(&[0.0, 0.0, NAN, 0.0, 0.0, NAN])
        );
        // no zero divisor: ModuloByFeature(value=7)(pd.Series([2, -3])) -> int64 [1, -2]
        assert_eq!(
            ints(&run(
                &prim_with("ModuloByFeature", json!({"value": 7})),
                &[ia(&[Some(2), Some(-3)])]
            )),
            vec![Some(1), Some(-2)]
        );
    }

    #[test]
    fn multiply_numeric_boolean_and_multiply_boolean() {
        // f = [1.5, -7.0, nan, nan, 4.0, -2.0]; i = [3, -7, 0, 5, 4, -2]; I = [3, -7, None, None, 4, -2]
        // b = [True, False, True, False, True, False]; B = [True, False, True, None, None, False] (boolean)
        let f = fa(&[1.5, -7.0, NAN, NAN, 4.0, -2.0]);
        let i = ia(&[Some(3), Some(-7), Some(0), Some(5), Some(4), Some(-2)]);
        let big_i = ia(&[Some(3), Some(-7), None, None, Some(4), Some(-2)]);
        let b: ArrayRef = Arc::new(arrow_array::BooleanArray::from(vec![
            true, false, true, false, true, false,
        ]));
        let big_b: ArrayRef = Arc::new(arrow_array::BooleanArray::from(vec![
            Some(true),
            Some(false),
            Some(true),
            None,
            None,
            Some(false),
        ]));
        let p = prim("MultiplyNumericBoolean");
        // (f, b) and (b, f) -> Float64 [1.5, -0.0, <NA>, <NA>, 4.0, -0.0]
        for inputs in [[f.clone(), b.clone()], [b.clone(), f.clone()]] {
            assert_eq!(
                floats(&run(&p, &inputs)),
                want(&[1.5, -0.0, NAN, NAN, 4.0, -0.0])
            );
        }
        // (f, B) -> [1.5, -0.0, <NA>, <NA>, <NA>, -0.0]
        assert_eq!(
            floats(&run(&p, &[f.clone(), big_b.clone()])),
            want(&[1.5, -0.0, NAN, NAN, NAN, -0.0])
        );
        // (i, B) -> Int64 [3, 0, 0, <NA>, <NA>, 0]; (B, I) -> [3, 0, <NA>, <NA>, <NA>, 0]
        assert_eq!(
            ints(&run(&p, &[i.clone(), big_b.clone()])),
            vec![Some(3), Some(0), Some(0), None, None, Some(0)]
        );
        assert_eq!(
            ints(&run(&p, &[big_b.clone(), big_i])),
            vec![Some(3), Some(0), None, None, None, Some(0)]
        );
        assert_eq!(
            ints(&run(&p, &[i.clone(), b.clone()])),
            vec![Some(3), Some(0), Some(0), Some(0), Some(4), Some(0)]
        );
        assert!(transform(&p, &[i.clone(), f.clone()], &[0; 6]).is_err());

        // MultiplyBoolean: B2 = [True, True, False, None, False, None]
        let big_b2: ArrayRef = Arc::new(arrow_array::BooleanArray::from(vec![
            Some(true),
            Some(true),
            Some(false),
            None,
            Some(false),
            None,
        ]));
        let mb = prim("MultiplyBoolean");
        let bools = |a: &ArrayRef| a.as_boolean().iter().collect::<Vec<_>>();
        // (b, b) -> bool [True, False, True, False, True, False]
        assert_eq!(bools(&run(&mb, &[b.clone(), b.clone()])), bools(&b));
        // (b, B) -> boolean [True, False, True, False, <NA>, False]
        assert_eq!(
            bools(&run(&mb, &[b.clone(), big_b.clone()])),
            vec![
                Some(true),
                Some(false),
                Some(true),
                Some(false),
                None,
                Some(false)
            ]
        );
        // (B, B2) -> [True, False, False, <NA>, False, False]
        assert_eq!(
            bools(&run(&mb, &[big_b, big_b2])),
            vec![
                Some(true),
                Some(false),
                Some(false),
                None,
                Some(false),
                Some(false)
            ]
        );
        assert!(transform(&mb, &[b, i], &[0; 6]).is_err());
    }
}

/// `x % 0` follows how pandas holds the left operand, whatever the rows: featuretools 1.31,
/// pandas 2.2.3.
#[cfg(test)]
mod dtype_tests {
    use super::*;
    use crate::primitives::test_util::{prim, prim_with};
    use crate::primitives::{transform, Dtype};
    use serde_json::json;

    const M: Dtype = Dtype::Masked;
    const N: Dtype = Dtype::Numpy;

    fn ia(v: &[i64]) -> ArrayRef {
        Arc::new(Int64Array::from(v.to_vec()))
    }

    /// Integers, or None where the column became float with NaN.
    fn out(a: &ArrayRef) -> Result<Vec<Option<i64>>, Vec<Option<f64>>> {
        match a.data_type() {
            DataType::Int64 => Ok(a.as_primitive::<Int64Type>().iter().collect()),
            _ => Err(a.as_primitive::<Float64Type>().iter().collect()),
        }
    }

    #[test]
    fn modulo_by_zero_follows_the_left_operands_dtype_not_its_missing_values() {
        let x = ia(&[3, 0, 4]);
        let p = prim_with("ModuloNumericScalar", json!({"value": 0}));
        // ModuloNumericScalar(0)(pd.Series([3, 0, 4], dtype="Int64")) -> Int64 [0, 0, 0]
        let got = transform(&p, std::slice::from_ref(&x), &[M], &[]).unwrap();
        assert_eq!(out(&got), Ok(vec![Some(0); 3]));
        // ... (pd.Series([3, 0, 4])) -> float64 [nan, nan, nan]
        let got = transform(&p, std::slice::from_ref(&x), &[N], &[]).unwrap();
        assert_eq!(out(&got), Err(vec![None; 3]));
        // ModuloNumeric()(I, J), I = Series([3, 0, 4], dtype="Int64"), J = [0, 2, 0]:
        // (I, J) and (I, int64 j) -> [0, 0, 0]; (int64 i, J) and (i, j) -> [nan, 0.0, nan]
        let (x, y) = (ia(&[3, 0, 4]), ia(&[0, 2, 0]));
        let m = prim("ModuloNumeric");
        for (d, want) in [
            ([M, M], Ok(vec![Some(0); 3])),
            ([M, N], Ok(vec![Some(0); 3])),
            ([N, M], Err(vec![None, Some(0.0), None])),
            ([N, N], Err(vec![None, Some(0.0), None])),
        ] {
            let got = transform(&m, &[x.clone(), y.clone()], &d, &[]).unwrap();
            assert_eq!(out(&got), want, "{d:?}");
        }
    }

    #[test]
    fn output_dtypes() {
        // AddNumeric()(Int64, float64) -> Float64; (int64, int64) -> int64
        assert_eq!(prim("AddNumeric").dtype(&[M, N]), M);
        assert_eq!(prim("AddNumeric").dtype(&[N, N]), N);
        // MultiplyNumericBoolean()(pd.Series([1, 2, 3]), pd.Series([True, False, True])) -> Int64
        assert_eq!(prim("MultiplyNumericBoolean").dtype(&[N, N]), M);
    }
}
