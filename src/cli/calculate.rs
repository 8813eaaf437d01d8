//! `ftpart calculate`: the whole feature matrix in this process.

use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use ftpart::calc::{Control, Threads};
use ftpart::entityset::project::ProjectionOptions;
use ftpart::entityset::read_entityset_projected;
use ftpart::features::FeatureGraph;
use ftpart::matrix;

use super::common::TimeArgs;

/// Arguments of `ftpart calculate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Entity set directory written by featuretools' es.to_csv() or es.to_parquet().
    entityset: PathBuf,
    /// Features saved with ft.save_features().
    #[arg(long)]
    features: PathBuf,
    #[command(flatten)]
    time: TimeArgs,
    /// Output file: .csv, .parquet or .arrow.
    #[arg(long)]
    out: PathBuf,
    /// Threads computing the features (default: RAYON_NUM_THREADS, else one per core; 1
    /// computes on the main thread alone). The matrix is the same whatever the number.
    #[arg(long, value_name = "N")]
    threads: Option<NonZeroUsize>,
}

/// Runs the command.
pub fn exec(a: Args) -> anyhow::Result<ExitCode> {
    let opts = a.time.options()?;
    let graph = FeatureGraph::read(&a.features)?;
    // Only the columns the features read are decoded (keys, time indexes and their inputs).
    let projection = ProjectionOptions {
        training_window: opts.time.training_window.is_some(),
    };
    let es = read_entityset_projected(&a.entityset, &graph, projection)
        .with_context(|| format!("reading entity set {}", a.entityset.display()))?;
    let target = es
        .df_position(graph.target())
        .with_context(|| format!("target of the features in {}", a.features.display()))?;
    let cutoff = a.time.cutoff(&es.schema, target)?;
    for w in matrix::warnings(&es.schema, &graph, &opts) {
        eprintln!("ftpart: warning: {w}");
    }
    let control = Control {
        threads: a.threads.map_or(Threads::All, Threads::Count),
        ..Default::default()
    };
    let fm = matrix::calculate_feature_matrix_with(&es, &graph, &cutoff, &opts, control)?;
    let types = ftpart::pandas::MatrixTypes::new(&es.schema, &graph, &cutoff, &opts);
    matrix::write_matrix(&fm, &a.out, &types)?;
    Ok(ExitCode::SUCCESS)
}
