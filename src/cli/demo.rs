//! `ftpart demo`: write a mock-customer entity set (featuretools' demo data, any size).

use std::path::PathBuf;
use std::process::ExitCode;

use ftpart::demo::{write_mock_customer, MockOptions};

/// Arguments of `ftpart demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output directory (featuretools `es.to_csv` layout; `ft.read_entityset` reads it).
    out: PathBuf,
    /// Number of transactions; customers and sessions scale with it (500 and 25 per customer/session).
    #[arg(long, default_value_t = 500)]
    transactions: usize,
    /// Random seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Skewed customer sizes (a few customers with many sessions).
    #[arg(long)]
    skewed: bool,
    /// Seconds between a session's transactions (featuretools' mock data: 65). The data spans
    /// about transactions × step seconds from 2014: a smaller step keeps a large set before today.
    #[arg(long, default_value_t = 65)]
    step_seconds: i64,
    /// Also write the 75 DFS features (customers target, depth 2) to this file.
    #[arg(long)]
    features: Option<PathBuf>,
    /// Replace an entity set directory written before (one with a data_description.json).
    #[arg(long)]
    force: bool,
}

/// The 75 features featuretools' `dfs(target_dataframe_name="customers", max_depth=2)` gives on
/// mock-customer data, as `ft.save_features` wrote them (a conformance fixture).
const CUSTOMER_FEATURES: &str =
    include_str!("../../tests/fixtures/conformance/cases/mc0_customers_nocutoff/features.json");

/// Runs the command.
pub fn exec(a: Args) -> anyhow::Result<ExitCode> {
    if a.out.exists() && std::fs::read_dir(&a.out)?.next().is_some() {
        if !(a.force && a.out.join("data_description.json").exists()) {
            return Err(ftpart::Error::Invalid(format!(
                "{}: output directory is not empty (--force replaces an entity set directory)",
                a.out.display()
            ))
            .into());
        }
        std::fs::remove_dir_all(&a.out)?;
    }
    let mut opts = if a.transactions == 500 {
        MockOptions::default()
    } else {
        MockOptions::with_transactions(a.transactions)
    };
    opts.seed = a.seed;
    opts.skewed = a.skewed;
    opts.step_seconds = a.step_seconds;
    let bytes = write_mock_customer(&a.out, &opts)?;
    if let Some(f) = &a.features {
        std::fs::write(f, CUSTOMER_FEATURES)?;
    }
    eprintln!(
        "wrote {} customers, {} sessions, {} transactions, {} products ({bytes} bytes) to {}",
        opts.customers,
        opts.sessions,
        opts.transactions,
        opts.products,
        a.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
