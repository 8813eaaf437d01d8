//! ftpart computes Featuretools feature matrices exactly as featuretools 1.31 does.
//!
//! ```no_run
//! use ftpart::{cutoff::Cutoff, entityset::read_entityset, features::FeatureGraph, matrix};
//! let es = read_entityset("examples/mock_customer".as_ref())?;
//! let features = FeatureGraph::read("examples/mock_customer_features.json".as_ref())?;
//! let fm = matrix::calculate_feature_matrix(&es, &features, &Cutoff::Now, &Default::default())?;
//! let types = ftpart::pandas::MatrixTypes::new(&es.schema, &features, &Cutoff::Now, &Default::default());
//! matrix::write_matrix(&fm, "fm.parquet".as_ref(), &types)?;
//! # Ok::<(), ftpart::Error>(())
//! ```
#![warn(missing_docs)]

pub mod calc;
pub mod compute;
pub mod cutoff;
pub mod dashboard;
pub mod demo;
pub mod entityset;
pub mod error;
pub mod events;
pub mod features;
pub mod json;
pub mod matrix;
pub mod outer;
pub mod pandas;
pub mod parquet_out;
pub mod pool;
pub mod primitives;
pub mod run;
pub mod schema;
pub mod serve;
pub mod shards;
pub mod time;

pub use error::{Error, Result};
