//! Subcommands: one file each with its arguments and an `exec` function.

mod calculate;
mod common;
mod compute;
mod demo;
mod run;
mod serve;
mod split;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Featuretools feature matrices, exact and in parallel over partitioned data.
#[derive(Debug, Parser)]
#[command(name = "ftpart", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Compute a feature matrix in this process from an entity set directory.
    Calculate(calculate::Args),
    /// Partition an entity set by a dataframe's key into self-contained shards.
    Split(split::Args),
    /// Compute a feature matrix from shards in parallel worker processes.
    Compute(compute::Args),
    /// Split into a temporary directory and compute, in one step.
    Run(run::Args),
    /// Worker process (started by compute; not for direct use).
    #[command(name = "__worker", hide = true)]
    Worker,
    /// Write a mock-customer entity set (featuretools' demo data) of any size.
    Demo(demo::Args),
    /// Start a pool of workers that keeps shards loaded, reached by address (`compute --pool`).
    Serve(serve::ServeArgs),
    /// Ask a pool started by `serve`: its status, or to stop.
    Pool(serve::PoolArgs),
}

/// An error and its causes, `: `-separated, leaving out a cause whose text the message already
/// ends with (ftpart's messages name their cause, and thiserror also gives it as the source).
pub fn message(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.is_empty() {
            out = text;
        } else if !out.ends_with(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
    }
    out
}

/// Runs the chosen subcommand.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Calculate(a) => calculate::exec(a),
        Command::Split(a) => split::exec(a),
        Command::Compute(a) => compute::exec(a),
        Command::Demo(a) => demo::exec(a),
        Command::Run(a) => run::exec(a),
        Command::Serve(a) => serve::exec_serve(a),
        Command::Pool(a) => serve::exec_pool(a),
        Command::Worker => {
            ftpart::pool::serve_worker()?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
