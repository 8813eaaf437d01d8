//! featuretools' own matrices (fixtures/conformance and fixtures/extra), reproduced in-process and
//! through the CLI.

use crate::util::{cases, compare_csv, tmp, Case};

fn check_all(set: &str, run: impl Fn(&Case) -> Result<String, String>) {
    let all = cases(set);
    let mut failures = Vec::new();
    for c in &all {
        match run(c).and_then(|csv| compare_csv(&csv, &c.expected)) {
            Ok(()) => {}
            Err(e) => failures.push(format!("{} (partitioned by {}): {e}", c.name, c.by)),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}

#[test]
fn shared_cases_in_process() {
    assert_eq!(
        cases("conformance").len(),
        12,
        "the shared conformance cases are all present"
    );
    check_all("conformance", Case::compute_in_process);
}

#[test]
fn extra_cases_in_process() {
    check_all("extra", Case::compute_in_process);
}

/// Runs `ftpart ARGS... --out DIR/fm.csv` and returns the matrix it wrote.
fn cli_matrix(dir: &std::path::Path, args: Vec<String>) -> Result<String, String> {
    cli_matrix_with_env(dir, args, &[])
}

/// [`cli_matrix`] with `env` set for ftpart and its workers.
fn cli_matrix_with_env(
    dir: &std::path::Path,
    mut args: Vec<String>,
    env: &[(&str, &str)],
) -> Result<String, String> {
    let out = dir.join("fm.csv");
    args.extend(["--out".to_string(), out.display().to_string()]);
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_ftpart"))
        .args(&args)
        .envs(env.iter().copied())
        .output()
        .expect("run ftpart");
    if !o.status.success() {
        return Err(String::from_utf8_lossy(&o.stderr).into_owned());
    }
    std::fs::read_to_string(&out).map_err(|e| e.to_string())
}

#[test]
fn shared_cases_through_cli_calculate() {
    check_all("conformance", |c| {
        let dir = tmp();
        let mut args = vec![
            "calculate".to_string(),
            c.entityset.display().to_string(),
            "--features".into(),
            c.features.display().to_string(),
        ];
        args.extend(c.time_args());
        cli_matrix(dir.path(), args)
    });
}

#[test]
fn shared_cases_on_shards_split_for_their_features() {
    check_all("conformance", |c| {
        let features = ["--features", c.features.to_str().unwrap()];
        crate::partitioned::split_compute_with(c, 3, 2, &features).map(|(csv, _)| csv)
    });
}

#[test]
fn shared_cases_through_cli_run() {
    run_shared_cases(&[]);
}

/// A worker sends its part's matrix (and every other result) as an Arrow stream of batches of
/// about 8 MB; the coordinator merges the batches where they arrived. The cases' matrices are far
/// smaller than one batch: cut them into batches of 2 rows, so that every merge (by cutoff row
/// and by instance order, across parts) reads parts made of many pieces.
#[test]
fn shared_cases_through_cli_run_with_results_in_batches_of_two_rows() {
    run_shared_cases(&[("FTPART_TEST_IPC_BATCH_ROWS", "2")]);
}

fn run_shared_cases(env: &[(&str, &str)]) {
    // `run` splits for the case's features alone (and its training window's last time index).
    check_all("conformance", |c| {
        let dir = tmp();
        let mut args = vec![
            "run".to_string(),
            c.entityset.display().to_string(),
            "--features".into(),
            c.features.display().to_string(),
            "--by".into(),
            c.by.clone(),
            "--parts".into(),
            "3".into(),
            "--jobs".into(),
            "2".into(),
        ];
        args.extend(c.time_args());
        cli_matrix_with_env(dir.path(), args, env)
    });
}

#[test]
fn shape_cases_in_process() {
    check_all("shapes", Case::compute_in_process);
}
