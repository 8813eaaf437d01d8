//! Subcommands: one file each with its arguments and an `exec` function.

mod calculate;
mod common;

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
}

/// Runs the chosen subcommand.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Calculate(a) => calculate::exec(a),
    }
}
