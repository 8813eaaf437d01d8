//! ftpart's integration tests: one binary, modules by area.

mod categories;
mod cli;
mod conformance;
mod control;
mod dashboard;
mod errors;
mod partitioned;
mod pfuzz;
mod primitives;
mod serve;
mod split;
mod threads;
mod util;
mod workers;
