//! `ftpart run`: split into a temporary directory, then compute.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use ftpart::entityset::project::ProjectionOptions;
use ftpart::events::Stage;
use ftpart::features::FeatureGraph;
use ftpart::shards::{split_entityset_for, Shards, SplitEntitySet, SplitFor};

use super::common::{JobArgs, TimeArgs, Watch, WatchArgs};

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
    #[command(flatten)]
    watch: WatchArgs,
    /// Output file: .csv, .parquet or .arrow.
    #[arg(long)]
    out: PathBuf,
}

/// Runs the command.
pub fn exec(a: Args) -> anyhow::Result<ExitCode> {
    // Bad time options fail before the split, not after it.
    a.time.options()?;
    let watch = Watch::start(&a.watch, &a.jobs)?;
    let outcome = (|| {
        let graph = FeatureGraph::read(&a.features)?;
        let by = a.by.clone().unwrap_or_else(|| graph.target().to_string());
        let parts = a.parts.unwrap_or(4 * a.jobs.count().max(1));
        let tmp = tempfile::Builder::new()
            .prefix("ftpart-shards-")
            .tempdir()
            .context("creating a temporary directory for the shards")?;
        let out = tmp.path().join("shards");
        watch.events.stage(Stage::Split, || {
            // The shards are this computation's alone: only the columns its features need.
            split_entityset_for(
                &a.entityset,
                &SplitEntitySet {
                    by,
                    parts,
                    out: out.clone(),
                    force: false,
                    // This computation's alone, removed after it: not flushed to disk.
                    durable: false,
                },
                Some(SplitFor {
                    graph: &graph,
                    given: &format!("--features {}", a.features.display()),
                    opts: ProjectionOptions {
                        training_window: a.time.training_window.is_some(),
                    },
                }),
                &mut |_| {},
            )
        })?;
        let shards = Shards::open(&out)?;
        let inputs = vec![
            a.entityset.display().to_string(),
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
