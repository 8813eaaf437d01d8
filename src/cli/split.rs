//! `ftpart split`: partition an entity set into self-contained shards.

use std::path::PathBuf;
use std::process::ExitCode;

use ftpart::features::FeatureGraph;
use ftpart::shards::{split_entityset_for, SplitEntitySet, SplitFor};
use ftpart_partitioner::SplitEvent;

use super::common::Progress;

/// Arguments of `ftpart split`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Entity set directory written by featuretools' es.to_csv() or es.to_parquet().
    entityset: PathBuf,
    /// The dataframe whose instances (and everything below them) are distributed over the parts.
    #[arg(long)]
    by: String,
    /// Number of parts.
    #[arg(long, default_value_t = 1)]
    parts: usize,
    /// Output directory for the shards.
    #[arg(long)]
    out: PathBuf,
    /// Features saved with ft.save_features(): write only the columns they need (the keys, time
    /// indexes, last time indexes and the columns the features read), not the whole entity set.
    /// Computing other features on these shards is refused, naming the missing column.
    #[arg(long)]
    features: Option<PathBuf>,
    /// Replace an existing shard directory.
    #[arg(long)]
    force: bool,
    /// No progress bar and no summary.
    #[arg(long, short)]
    quiet: bool,
}

/// Runs the command.
pub fn exec(a: Args) -> anyhow::Result<ExitCode> {
    let opts = SplitEntitySet {
        by: a.by.clone(),
        parts: a.parts,
        out: a.out.clone(),
        force: a.force,
        durable: true,
    };
    let graph = a.features.as_deref().map(FeatureGraph::read).transpose()?;
    let given = a
        .features
        .as_deref()
        .map(|f| format!("--features {}", f.display()));
    let only = graph
        .as_ref()
        .zip(given.as_deref())
        .map(|(graph, given)| SplitFor::kept(graph, given));
    let bar = Progress::new(a.quiet);
    let summary = split_entityset_for(&a.entityset, &opts, only, &mut |e| match e {
        SplitEvent::Read { pass, table, rows } => {
            bar.message(&format!("{pass}: {table} {rows} rows"))
        }
        SplitEvent::PartWritten { written, of, .. } => {
            bar.message(&format!("written {written}/{of} parts"))
        }
    })?;
    bar.finish();
    if !a.quiet {
        let m = &summary.manifest;
        let rows: Vec<u64> = m.parts.iter().map(|p| p.rows()).collect();
        let (min, max) = (
            rows.iter().min().copied().unwrap_or(0),
            rows.iter().max().copied().unwrap_or(0),
        );
        eprintln!(
            "split {} by '{}' into {} parts in {:.2} s",
            a.entityset.display(),
            m.root,
            m.parts.len(),
            summary.seconds
        );
        for p in &m.parts {
            eprintln!(
                "  {}: {} instances, {} rows, {} bytes (largest instance {} rows)",
                p.dir,
                p.instances,
                p.rows(),
                p.bytes(),
                p.largest_instance_rows
            );
        }
        let balance = if min > 0 {
            max as f64 / min as f64
        } else {
            f64::INFINITY
        };
        eprintln!("  rows per part: min {min}, max {max} (max/min {balance:.3})");
        for (t, n) in &m.rows_without_root {
            if *n > 0 {
                eprintln!(
                    "  {n} rows of '{t}' belong to no '{}' row (each is placed in one part with the rows below it)",
                    m.root
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
