//! Errors of the featuretools layer. Every variant names what the user has to fix.

use std::path::PathBuf;

/// Result alias for ftpart's library functions.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, with the file, dataframe, column or feature involved.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A JSON file is malformed or lacks a key.
    #[error("{path}: {message}")]
    Json {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The entity set's schema is invalid.
    #[error("entity set: {0}")]
    Schema(String),
    /// A data file does not match its schema or holds a bad value.
    #[error("{path}: dataframe '{dataframe}', column '{column}': {message}")]
    Data {
        /// The data file.
        path: PathBuf,
        /// The dataframe.
        dataframe: String,
        /// The column.
        column: String,
        /// What is wrong.
        message: String,
    },
    /// A relationship or key is inconsistent with the data.
    #[error("dataframe '{dataframe}': {message}")]
    DataFrame {
        /// The dataframe.
        dataframe: String,
        /// What is wrong.
        message: String,
    },
    /// A feature definition cannot be used.
    #[error("feature '{feature}': {message}")]
    Feature {
        /// The feature's unique name.
        feature: String,
        /// What is wrong.
        message: String,
    },
    /// The cutoff time table is invalid.
    #[error("cutoff time {source_name}: {message}")]
    Cutoff {
        /// Where the cutoff came from (file path or "argument").
        source_name: String,
        /// What is wrong.
        message: String,
    },
    /// An option has an invalid value.
    #[error("{0}")]
    Invalid(String),
    /// Worker processes failed.
    #[error("{0}")]
    Worker(String),
    /// Interrupted by a signal (Ctrl-C, SIGTERM).
    #[error("interrupted")]
    Interrupted,
    /// Arrow or Parquet failed.
    #[error("{context}: {message}")]
    Arrow {
        /// What was being done.
        context: String,
        /// The library's message.
        message: String,
    },
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
    pub(crate) fn json(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::Json {
            path: path.into(),
            message: message.into(),
        }
    }
    pub(crate) fn feature(feature: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Feature {
            feature: feature.into(),
            message: message.into(),
        }
    }
    pub(crate) fn df(dataframe: impl Into<String>, message: impl Into<String>) -> Self {
        Error::DataFrame {
            dataframe: dataframe.into(),
            message: message.into(),
        }
    }
    pub(crate) fn arrow(context: impl Into<String>, e: impl std::fmt::Display) -> Self {
        Error::Arrow {
            context: context.into(),
            message: e.to_string(),
        }
    }
}
