//! Transform primitives (`featuretools/primitives/standard/transform/**`): one trait, one file
//! per family, each file with its registry entries.

use arrow_array::ArrayRef;

use super::registry::Entry;

mod arith;
mod builtin;
mod cumulative;
mod datetime;
mod expanding;
mod exponential;
mod holidays;
mod is_in;
mod latlong;
mod numeric;
mod rolling;
mod savgol;
mod series;
mod text;
mod web;

pub use builtin::Scalar;

/// Every transform family's registry entries, by family (`kind/file`).
pub(super) const ENTRIES: &[(&str, &[Entry])] = &[
    ("trans/builtin", builtin::ENTRIES),
    ("trans/arith", arith::ENTRIES),
    ("trans/cumulative", cumulative::ENTRIES),
    ("trans/datetime", datetime::ENTRIES),
    ("trans/expanding", expanding::ENTRIES),
    ("trans/exponential", exponential::ENTRIES),
    ("trans/holidays", holidays::ENTRIES),
    ("trans/is_in", is_in::ENTRIES),
    ("trans/latlong", latlong::ENTRIES),
    ("trans/numeric", numeric::ENTRIES),
    ("trans/rolling", rolling::ENTRIES),
    ("trans/savgol", savgol::ENTRIES),
    ("trans/series", series::ENTRIES),
    ("trans/text", text::ENTRIES),
    ("trans/web", web::ENTRIES),
];

/// One transform primitive: a column kernel.
pub trait Transform: Send + Sync {
    /// Number of inputs.
    fn arity(&self) -> usize {
        1
    }
    /// Whether the kernel reads each row's cutoff time (`uses_calc_time`).
    fn uses_cutoff(&self) -> bool {
        false
    }
    /// Whether the kernel reads the whole dataframe in order (`uses_full_dataframe`:
    /// cumulative, rolling, lag and diff transforms), rather than each row on its own.
    fn uses_full_dataframe(&self) -> bool {
        false
    }
    /// Whether a row's value depends on the other rows the calculator holds, in their order,
    /// without the whole dataframe: featuretools computes such transforms (TIME_SINCE_PREVIOUS,
    /// SAME_AS_PREVIOUS, PERCENT_CHANGE, ...) over the rows it fetched for the instances computed
    /// together at one cutoff, each row once, in the dataframe's order.
    fn reads_frame(&self) -> bool {
        false
    }
    /// Whether the kernel reads the pandas Series' labels (the dataframe's index), given as
    /// one more input after its own (EXPANDING_COUNT blanks rows by label).
    fn reads_index(&self) -> bool {
        false
    }
    /// The output for each row; `times` holds each row's cutoff when [`Self::uses_cutoff`].
    fn transform(&self, inputs: &[ArrayRef], times: &[i64]) -> Result<ArrayRef, String>;
}
