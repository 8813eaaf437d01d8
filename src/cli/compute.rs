//! `ftpart compute`: the feature matrix from shards, one job per part.

use std::path::PathBuf;
use std::process::ExitCode;

use ftpart::features::FeatureGraph;
use ftpart::shards::Shards;

use super::common::{JobArgs, TimeArgs, Watch, WatchArgs};

/// Arguments of `ftpart compute`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Shard directory written by `ftpart split` (with --pool: which of the pool's, when it
    /// serves several).
    #[arg(required_unless_present = "pool")]
    shards: Option<PathBuf>,
    /// Compute on a pool started by `ftpart serve` (ftpart://[TOKEN@]HOST:PORT; `local` for the
    /// one recorded on this machine, or $FTPART_POOL).
    #[arg(long, value_name = "ADDR", conflicts_with_all = ["jobs", "retries", "worker_memory", "dashboard", "report"])]
    pool: Option<String>,
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
    if let Some(pool) = &a.pool {
        return on_pool(&a, pool);
    }
    let shards_dir = a.shards.clone().expect("required without --pool");
    let watch = Watch::start(&a.watch, &a.jobs)?;
    let outcome = (|| {
        let shards = Shards::open(&shards_dir)?;
        let graph = FeatureGraph::read(&a.features)?;
        let inputs = vec![
            shards_dir.display().to_string(),
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

/// `compute --pool`: the pool computes, this process types and writes the matrix.
fn on_pool(a: &Args, pool: &str) -> anyhow::Result<ExitCode> {
    use anyhow::Context;
    use ftpart::serve::wire::{ComputeRequest, CutoffSpec};
    let graph = FeatureGraph::read(&a.features)?;
    let features_json = std::fs::read_to_string(&a.features)
        .with_context(|| format!("features {}", a.features.display()))?;
    let opts = a.time.options()?;
    let cutoff = match &a.time.cutoff_time {
        None => CutoffSpec::Now,
        Some(c) if std::path::Path::new(c).exists() => {
            let path = std::path::Path::new(c);
            CutoffSpec::File {
                name: c.clone(),
                bytes: std::fs::read(path).map_err(|e| ftpart::Error::Io {
                    path: path.to_path_buf(),
                    source: e,
                })?,
            }
        }
        Some(c) => CutoffSpec::Value(c.clone()),
    };
    // Checked here so that a bad path fails before the pool computes.
    ftpart::matrix::check_output_path(&a.out)?;
    let addr = ftpart::serve::Address::resolve((pool != "local").then_some(pool))?;
    let client = ftpart::serve::Client::new(addr);
    let req = ComputeRequest {
        shards: a.shards.clone(),
        features_json,
        cutoff,
        training_window: a.time.training_window.clone(),
        include_cutoff_time: a.time.include_cutoff_time,
        cutoff_time_in_index: opts.cutoff_time_in_index,
        client: std::env::args().collect::<Vec<_>>().join(" "),
    };
    let interrupt = ftpart_worker::install_interrupt_handler()?;
    let progress = super::common::Progress::new(a.jobs.quiet);
    let start = std::time::Instant::now();
    let computed = client.compute(
        req,
        &mut |round, done, total| {
            progress.message(&format!(
                "{round} {done}/{total} on {}, {:.1} s",
                client.address(),
                start.elapsed().as_secs_f64()
            ))
        },
        Some(&interrupt),
    );
    progress.finish();
    let computed = computed?;
    for w in &computed.warnings {
        eprintln!("ftpart: warning: {w}");
    }
    let types = ftpart::pandas::MatrixTypes::with_labels(
        &computed.schema,
        &graph,
        computed.labels.clone(),
        opts.cutoff_time_in_index,
    );
    ftpart::matrix::write_matrix(&computed.matrix, &a.out, &types)?;
    if !a.jobs.quiet {
        eprintln!(
            "ftpart: {} rows x {} columns on {} in {:.2} s",
            computed.matrix.num_rows(),
            computed.matrix.num_columns(),
            client.address(),
            start.elapsed().as_secs_f64()
        );
    }
    Ok(ExitCode::SUCCESS)
}
