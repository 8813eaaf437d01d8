//! `ftpart run`: split into a temporary directory, then compute.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use ftpart::features::FeatureGraph;
use ftpart::shards::{split_entityset, Shards, SplitEntitySet};
use ftpart::{compute, matrix};

use super::common::{JobArgs, TimeArgs};

/// Arguments of `ftpart run`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Entity set directory written by featuretools' es.to_csv() or es.to_parquet().
    entityset: PathBuf,
    /// Features saved with ft.save_features().
    #[arg(long)]
    features: PathBuf,
    /// The dataframe to partition by (default: the features' target).
    #[arg(long)]
    by: Option<String>,
    /// Number of parts (default: 4 per job).
    #[arg(long)]
    parts: Option<usize>,
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
    let graph = FeatureGraph::read(&a.features)?;
    let by = a.by.clone().unwrap_or_else(|| graph.target().to_string());
    let parts = a.parts.unwrap_or(4 * a.jobs.count().max(1));
    let tmp = tempfile::Builder::new()
        .prefix("ftpart-shards-")
        .tempdir()
        .context("creating a temporary directory for the shards")?;
    let out = tmp.path().join("shards");
    split_entityset(
        &a.entityset,
        &SplitEntitySet {
            by,
            parts,
            out: out.clone(),
            force: false,
        },
        &mut |_| {},
    )?;
    let shards = Shards::open(&out)?;
    let target = shards
        .schema
        .position(graph.target())
        .ok_or_else(|| {
            ftpart::Error::Invalid(format!(
                "the features are for '{}', which the entity set does not have",
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
