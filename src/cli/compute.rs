//! `ftpart compute`: the feature matrix from shards, one job per part.

use std::path::PathBuf;
use std::process::ExitCode;

use ftpart::features::FeatureGraph;
use ftpart::shards::Shards;

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
    let shards = Shards::open(&a.shards)?;
    let graph = FeatureGraph::read(&a.features)?;
    super::common::compute_and_write(&shards, &graph, &a.features, &a.time, &a.jobs, &a.out)?;
    Ok(ExitCode::SUCCESS)
}
