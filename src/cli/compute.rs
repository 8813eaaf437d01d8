//! `ftpart compute`: the feature matrix from shards, one job per part.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use ftpart::features::FeatureGraph;
use ftpart::shards::Shards;
use ftpart::{compute, matrix};

use super::common::{JobArgs, TimeArgs};

/// Arguments of `ftpart compute`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Shard directory written by `ftpart split`.
    shards: PathBuf,
    /// Features saved with ft.save_features().
    #[arg(long)]
    features: PathBuf,
    #[command(flatten)]
    time: TimeArgs,
    #[command(flatten)]
    jobs: JobArgs,
    /// Output file: .csv, .parquet or .arrow.
    #[arg(long)]
    out: PathBuf,
}

/// Runs the command.
pub fn exec(a: Args) -> anyhow::Result<ExitCode> {
    let opts = a.time.options()?;
    let shards = Shards::open(&a.shards)?;
    let graph = FeatureGraph::read(&a.features)?;
    let target = shards
        .schema
        .position(graph.target())
        .ok_or_else(|| {
            ftpart::Error::Invalid(format!(
                "the features are for '{}', which the shards do not have",
                graph.target()
            ))
        })
        .with_context(|| format!("features {}", a.features.display()))?;
    let cutoff = a.time.cutoff(&shards.schema, target)?;
    let stats = std::sync::Arc::new(std::sync::Mutex::new(super::common::WorkerStats::default()));
    let start = std::time::Instant::now();
    let mut exec = a.jobs.executor(shards.parts(), stats.clone())?;
    let fm = compute::compute(&shards, &graph, &cutoff, &opts, exec.as_mut())?;
    drop(exec);
    let seconds = start.elapsed().as_secs_f64();
    matrix::write_matrix(&fm, &a.out)?;
    if let Ok(st) = stats.lock() {
        a.jobs.summary(&st, seconds);
    }
    Ok(ExitCode::SUCCESS)
}
