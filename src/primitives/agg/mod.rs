//! Aggregation primitives (`featuretools/primitives/standard/aggregation/*.py`): one trait, one
//! file per family, each file with its registry entries.

use arrow_array::ArrayRef;

use super::registry::Entry;
use super::{Default, Groups};

mod builtin;
mod consecutive;
mod counts;
mod dates;
mod moments;
mod order;
mod times;

pub use builtin::Builtin;
pub(crate) use moments::np_sum;

/// Every aggregation family's registry entries, by family (`kind/file`).
pub(super) const ENTRIES: &[(&str, &[Entry])] = &[
    ("agg/builtin", builtin::ENTRIES),
    ("agg/consecutive", consecutive::ENTRIES),
    ("agg/counts", counts::ENTRIES),
    ("agg/dates", dates::ENTRIES),
    ("agg/moments", moments::ENTRIES),
    ("agg/order", order::ENTRIES),
    ("agg/times", times::ENTRIES),
];

/// What an aggregation kernel reads.
pub struct AggInput<'a> {
    /// The input features' values on the child rows (one array per input).
    pub inputs: &'a [ArrayRef],
    /// The child rows of each group, in the child's order (time, then index).
    pub groups: &'a Groups,
    /// The first input converted by [`super::to_f64`], when the caller has it.
    pub numeric: Option<&'a [f64]>,
    /// Each group's cutoff time (featuretools' `time` argument), for the primitives whose
    /// [`Aggregation::uses_time`] is true; may be empty otherwise.
    pub times: &'a [i64],
}

impl AggInput<'_> {
    /// The first input.
    pub fn input(&self) -> Result<&ArrayRef, String> {
        self.inputs
            .first()
            .ok_or_else(|| "aggregation without input".to_string())
    }

    /// The first input as numbers (NaN for missing), shared when the caller converted it.
    pub fn numbers(&self) -> Result<std::borrow::Cow<'_, [f64]>, String> {
        match self.numeric {
            Some(v) => Ok(std::borrow::Cow::Borrowed(v)),
            None => Ok(std::borrow::Cow::Owned(super::to_f64(self.input()?)?)),
        }
    }
}

/// One aggregation primitive: the batch kernel every path uses.
pub trait Aggregation: Send + Sync {
    /// Number of inputs.
    fn arity(&self) -> usize {
        1
    }
    /// Number of outputs (`number_output_features`).
    fn outputs(&self) -> usize {
        1
    }
    /// featuretools' `default_value`, for instances without child rows.
    fn default_value(&self) -> Default {
        Default::Null
    }
    /// Whether the kernel reads its first input as numbers ([`AggInput::numbers`]).
    fn numeric_input(&self) -> bool {
        false
    }
    /// Whether the kernel reads the cutoff time (`uses_calc_time`).
    fn uses_time(&self) -> bool {
        false
    }
    /// Whether the value depends on the order of each group's rows (FIRST, LAST, TREND, the
    /// consecutive counts, NUM_PEAKS, TIME_SINCE_LAST...), beyond the last bits of a sum: across
    /// parts the rows must then come in the child dataframe's order.
    fn order_dependent(&self) -> bool {
        false
    }
    /// One array per output, one value per group.
    fn batch(&self, x: &AggInput) -> Result<Vec<ArrayRef>, String>;
    /// A running accumulator the sweep across parts may use instead of the batch kernel
    /// (checked against it by `outer`'s tests).
    fn running(&self) -> Option<Builtin> {
        None
    }
}
