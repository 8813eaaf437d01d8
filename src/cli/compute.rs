//! `ftpart compute`: the feature matrix from shards, one job per part.

use std::path::PathBuf;
use std::process::ExitCode;

use ftpart::features::FeatureGraph;
use ftpart::shards::Shards;

use super::common::{JobArgs, TimeArgs, Watch, WatchArgs};

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
    #[command(flatten)]
    watch: WatchArgs,
    /// Output file: .csv, .parquet or .arrow.
    #[arg(long)]
    out: PathBuf,
}

/// Runs the command.
pub fn exec(a: Args) -> anyhow::Result<ExitCode> {
    let watch = Watch::start(&a.watch, &a.jobs)?;
    let outcome = (|| {
        let shards = Shards::open(&a.shards)?;
        let graph = FeatureGraph::read(&a.features)?;
        let inputs = vec![
            a.shards.display().to_string(),
            a.features.display().to_string(),
        ];
        let rows = super::common::compute_and_write(
            &watch,
            &shards,
            &graph,
            &a.features,
            &a.time,
            &a.jobs,
            &a.out,
            inputs,
        )?;
        Ok(((), rows))
    })();
    watch.finish(outcome)?;
    Ok(ExitCode::SUCCESS)
}
