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
    /// Splitting into shards, or reading shards, failed.
    #[error(transparent)]
    Partition(ftpart_partitioner::PartitionError),
    /// Something that should not fail did (a bug): not the input's fault.
    #[error("internal error: {0}")]
    Internal(String),
}

/// A partitioner error, unwrapped when it carries one of ours (a [`Source`] read that failed).
///
/// [`Source`]: ftpart_partitioner::Source
impl From<ftpart_partitioner::PartitionError> for Error {
    fn from(e: ftpart_partitioner::PartitionError) -> Self {
        match e {
            ftpart_partitioner::PartitionError::Source(inner) => match inner.downcast::<Error>() {
                Ok(ours) => *ours,
                Err(other) => Error::Partition(ftpart_partitioner::PartitionError::Source(other)),
            },
            e => Error::Partition(e),
        }
    }
}

impl Error {
    /// The process exit code for this error, as the CLI documents them: 2 for bad input or
    /// usage, 1 for failures of I/O, workers or ftpart itself, 130 when interrupted.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Interrupted => 130,
            // A path that names nothing (or nothing readable) is the caller's to fix.
            Error::Io { source, .. }
                if matches!(
                    source.kind(),
                    std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied
                ) =>
            {
                2
            }
            Error::Io { .. } | Error::Worker(_) | Error::Internal(_) => 1,
            Error::Partition(p) => match p {
                ftpart_partitioner::PartitionError::Io { source, .. }
                    if source.kind() == std::io::ErrorKind::NotFound =>
                {
                    2
                }
                p if p.is_bad_input() => 2,
                _ => 1,
            },
            _ => 2,
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use ftpart_partitioner::PartitionError;

    #[test]
    fn errors_from_the_partitioner_keep_their_kind_and_exit_code() {
        // A data error met while the partitioner reads the entity set comes back as itself.
        let data = Error::Data {
            path: "es/data/t/data/t.csv".into(),
            dataframe: "t".into(),
            column: "when".into(),
            message: "unparsable time 'someday'".into(),
        };
        let e: Error = PartitionError::Source(Box::new(data)).into();
        assert!(
            matches!(e, Error::Data { ref column, .. } if column == "when"),
            "{e:?}"
        );
        assert_eq!(e.exit_code(), 2);
        // Writing shards failed: the machine's fault, not the input's.
        let full: Error = PartitionError::Io {
            path: "shards/part-00000/t.arrow".into(),
            source: std::io::Error::other("no space left on device"),
        }
        .into();
        assert_eq!(full.exit_code(), 1);
        let missing: Error = PartitionError::Io {
            path: "shards/manifest.json".into(),
            source: std::io::ErrorKind::NotFound.into(),
        }
        .into();
        assert_eq!(missing.exit_code(), 2);
        let bad: Error = PartitionError::Invalid("--parts must be at least 1".into()).into();
        assert_eq!(bad.exit_code(), 2);
        assert_eq!(Error::Internal("encoding a job".into()).exit_code(), 1);
        assert_eq!(Error::Interrupted.exit_code(), 130);
    }
}
