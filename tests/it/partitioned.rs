//! Split then compute: every conformance case at 1, 3 and 8 parts gives featuretools' matrix and
//! the same bytes as the in-process calculator (STYLE.md's "one expectation, every code path").

use crate::util::{cases, compare_csv, ftpart, split, tmp, Case};

/// Runs `ftpart split` + `ftpart compute` for a case; returns the matrix CSV.
pub fn split_compute(c: &Case, parts: usize, jobs: usize) -> Result<String, String> {
    split_compute_outer(c, parts, jobs).map(|(csv, _)| csv)
}

/// Like [`split_compute`]; also says whether aggregations were answered across parts.
pub fn split_compute_outer(c: &Case, parts: usize, jobs: usize) -> Result<(String, bool), String> {
    split_compute_with(c, parts, jobs, &[])
}

/// Like [`split_compute_outer`], with `split_args` given to `ftpart split`.
pub fn split_compute_with(
    c: &Case,
    parts: usize,
    jobs: usize,
    split_args: &[&str],
) -> Result<(String, bool), String> {
    let dir = tmp();
    let shards = dir.path().join("shards");
    let o = split(&c.entityset, &c.by, parts, &shards, split_args);
    if !o.status.success() {
        return Err(format!("split: {}", String::from_utf8_lossy(&o.stderr)));
    }
    let out = dir.path().join("fm.csv");
    let mut args = vec![
        "compute".to_string(),
        shards.display().to_string(),
        "--features".into(),
        c.features.display().to_string(),
    ];
    args.extend(c.time_args());
    args.extend([
        "--jobs".to_string(),
        jobs.to_string(),
        "--out".to_string(),
        out.display().to_string(),
    ]);
    let o = ftpart(&args.iter().map(String::as_str).collect::<Vec<_>>());
    if !o.status.success() {
        return Err(format!("compute: {}", String::from_utf8_lossy(&o.stderr)));
    }
    let sh = ftpart::shards::Shards::open(&shards).map_err(|e| e.to_string())?;
    let graph = ftpart::features::FeatureGraph::read(&c.features).map_err(|e| e.to_string())?;
    let outer = !ftpart::outer::find(&sh, &graph)
        .map_err(|e| e.to_string())?
        .is_empty();
    Ok((
        std::fs::read_to_string(&out).map_err(|e| e.to_string())?,
        outer,
    ))
}

/// A case whose features aggregate across parts of a split by customers.
fn has_outer_features(c: &Case) -> bool {
    c.name == "mc0_transactions_by_customers"
}

fn every_path(set: &str) {
    let mut failures = Vec::new();
    let mut refused = Vec::new();
    let all = cases(set);
    assert!(!all.is_empty(), "fixtures/{set} has cases");
    for c in &all {
        let in_process = c.compute_in_process().unwrap();
        if let Err(e) = compare_csv(&in_process, &c.expected) {
            failures.push(format!("{} in-process: {e}", c.name));
            continue;
        }
        for (parts, jobs) in [(1, 1), (3, 2), (8, 2), (3, 0)] {
            match split_compute_outer(c, parts, jobs) {
                Ok(_) if c.name.ends_with("_refused") && parts > 1 => {
                    failures.push(format!("{} parts={parts}: computed, not refused", c.name))
                }
                Ok((csv, _)) if csv == in_process => {}
                // Aggregations answered across parts add the same values in another order, which
                // can change the last bits of a sum: such runs must still equal featuretools.
                Ok((csv, true)) if compare_csv(&csv, &c.expected).is_ok() => {}
                Ok((csv, _)) => failures.push(format!(
                    "{} parts={parts} jobs={jobs}: differs from in-process: {:?}",
                    c.name,
                    compare_csv(&csv, &c.expected)
                )),
                // Features that aggregate across parts are refused by name (never computed wrong):
                // only in the cases made for that.
                Err(e) if e.contains("spread over the parts") && c.name.ends_with("_refused") => {}
                Err(e) if e.contains("spread over the parts") => {
                    refused.push(format!("{} parts={parts}", c.name))
                }
                Err(e) => failures.push(format!("{} parts={parts} jobs={jobs}: {e}", c.name)),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        refused.is_empty(),
        "every case computes from shards; refused: {refused:?}"
    );
}

#[test]
fn every_path_gives_featuretools_matrix_on_shared_cases() {
    every_path("conformance");
}

#[test]
fn every_path_gives_featuretools_matrix_on_extra_cases() {
    every_path("extra");
}

#[test]
fn aggregations_that_cannot_be_answered_across_parts_are_refused_by_name() {
    // regions.MEAN(stores.COUNT(customers)) split by customers: the input of the aggregation
    // across parts is itself an aggregation across parts.
    let c = cases("extra")
        .into_iter()
        .find(|c| c.name == "x_outer_nested_refused")
        .unwrap();
    let e = split_compute(&c, 3, 1).unwrap_err();
    assert!(
        e.contains("regions: MEAN(stores.COUNT(customers))")
            && e.contains("spread over the parts")
            && e.contains("themselves aggregate 'customers' rows of each 'stores' row"),
        "{e}"
    );
    // One part holding every row computes it, as featuretools does.
    let csv = split_compute(&c, 1, 1).unwrap();
    compare_csv(&csv, &c.expected).unwrap();
}

#[test]
fn aggregations_with_cutoff_dependent_inputs_are_exact_across_parts() {
    // MEAN(customers.AGE(date_of_birth)) per store, customers split by customers: every
    // instance's cutoff gives other customers' ages.
    for name in [
        "x_transforms_customers",
        "x_transforms_customers_random_cutoffs",
    ] {
        let c = cases("extra").into_iter().find(|c| c.name == name).unwrap();
        for parts in [3, 8] {
            let (csv, outer) = split_compute_outer(&c, parts, 2).unwrap();
            assert!(outer, "{name}");
            compare_csv(&csv, &c.expected).unwrap_or_else(|e| panic!("{name} parts={parts}: {e}"));
        }
    }
}

#[test]
fn aggregations_across_parts_are_exact() {
    // products.COUNT/MEAN/...(transactions) on a transactions target split by customers.
    let c = cases("conformance")
        .into_iter()
        .find(has_outer_features)
        .unwrap();
    for parts in [3, 8] {
        let (csv, outer) = split_compute_outer(&c, parts, 2).unwrap();
        assert!(outer);
        compare_csv(&csv, &c.expected).unwrap();
    }
}

#[test]
fn one_part_without_orphans_computes_outer_features_exactly() {
    let c = cases("conformance")
        .into_iter()
        .find(has_outer_features)
        .unwrap();
    let csv = split_compute(&c, 1, 1).unwrap();
    compare_csv(&csv, &c.expected).unwrap();
}

#[test]
fn the_summary_counts_each_part_once_when_aggregations_take_extra_rounds() {
    // Rows across parts, then the matrices: two rounds over the same 3 parts.
    let c = cases("conformance")
        .into_iter()
        .find(has_outer_features)
        .unwrap();
    let dir = tmp();
    let shards = dir.path().join("shards");
    assert!(split(&c.entityset, &c.by, 3, &shards, &[]).status.success());
    let out = dir.path().join("fm.csv");
    let o = ftpart(&[
        "compute",
        shards.to_str().unwrap(),
        "--features",
        c.features.to_str().unwrap(),
        "--jobs",
        "2",
        "--out",
        out.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    let parts: usize = err
        .lines()
        .filter_map(|l| l.trim().strip_prefix("worker "))
        .map(|l| {
            let n = l.split(": ").nth(1).unwrap().split(' ').next().unwrap();
            n.parse::<usize>().unwrap()
        })
        .sum();
    assert_eq!(parts, 3, "{err}");
}

#[test]
fn every_path_gives_featuretools_matrix_on_entityset_shapes() {
    // featuretools' own fixtures (the ecommerce set split by customers, whose stores hang below
    // régions; diamond_es split by countries; games_es; default_value_es) and random shapes.
    every_path("shapes");
}
