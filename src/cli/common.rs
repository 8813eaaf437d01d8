//! Arguments shared by the commands that compute matrices.

use std::path::PathBuf;

use anyhow::Context;
use ftpart::calc::TimeOptions;
use ftpart::cutoff::{Cutoff, CutoffTable};
use ftpart::matrix::MatrixOptions;
use ftpart::schema::DataFrameSchema;

/// Cutoff and time arguments, as `calculate_feature_matrix` takes them.
#[derive(Debug, clap::Args)]
pub struct TimeArgs {
    /// Cutoff times: a CSV or Parquet file with the instance id, `time`, then label columns;
    /// or a single date/time applied to every instance.
    #[arg(long, value_name = "FILE|TIME")]
    pub cutoff_time: Option<String>,
    /// Only use data within this span before each cutoff, e.g. "1 hour", "30 days".
    #[arg(long, value_name = "SPAN")]
    pub training_window: Option<String>,
    /// Whether data stamped exactly at the cutoff time is used.
    #[arg(long, value_name = "BOOL", default_value = "true", action = clap::ArgAction::Set)]
    pub include_cutoff_time: bool,
    /// Keep the cutoff time as a `time` column after the index.
    #[arg(long)]
    pub cutoff_time_in_index: bool,
}

impl TimeArgs {
    /// The matrix options.
    pub fn options(&self) -> anyhow::Result<MatrixOptions> {
        let training_window = match &self.training_window {
            Some(s) => Some(
                ftpart::time::parse_timedelta(s)
                    .map_err(ftpart::Error::Invalid)
                    .context("--training-window")?,
            ),
            None => None,
        };
        Ok(MatrixOptions {
            time: TimeOptions {
                include_cutoff_time: self.include_cutoff_time,
                training_window,
            },
            cutoff_time_in_index: self.cutoff_time_in_index,
        })
    }

    /// The cutoff: a file when one exists at that path, else a single time.
    pub fn cutoff(&self, target: &DataFrameSchema) -> anyhow::Result<Cutoff> {
        let Some(c) = &self.cutoff_time else {
            return Ok(Cutoff::Now);
        };
        let path = PathBuf::from(c);
        if path.exists() {
            return Ok(Cutoff::Table(CutoffTable::read(&path, target)?));
        }
        match ftpart::time::parse_datetime(c) {
            Some(t) => Ok(Cutoff::At(t)),
            None => Err(ftpart::Error::Invalid(format!(
                "--cutoff-time '{c}' is neither an existing file nor a date/time"
            ))
            .into()),
        }
    }
}

/// How many worker processes, and how they are supervised.
#[derive(Debug, clap::Args)]
pub struct JobArgs {
    /// Worker processes (default: the number of cores). 0 computes in this process.
    #[arg(long)]
    pub jobs: Option<usize>,
}

impl JobArgs {
    /// Number of worker processes.
    pub fn count(&self) -> usize {
        self.jobs.unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        })
    }

    /// The executor for these arguments.
    pub fn executor(&self) -> anyhow::Result<Box<dyn ftpart::compute::Executor>> {
        Ok(Box::new(ftpart::compute::InProcess))
    }
}

/// A one-line progress display on a terminal; silent otherwise or with --quiet.
pub struct Progress {
    on: bool,
}

impl Progress {
    /// A progress line, shown only on a terminal and without `quiet`.
    pub fn new(quiet: bool) -> Self {
        use std::io::IsTerminal;
        Progress {
            on: !quiet && std::io::stderr().is_terminal(),
        }
    }
    /// Replaces the line.
    pub fn message(&self, m: &str) {
        if self.on {
            eprint!("\r\x1b[2K{m}");
        }
    }
    /// Clears the line.
    pub fn finish(&self) {
        if self.on {
            eprint!("\r\x1b[2K");
        }
    }
}
