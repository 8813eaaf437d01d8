//! Every featuretools primitive on its featuretools cases (`tests/fixtures/primitives`, written
//! by `scripts/conformance/generate_primitives.py` with featuretools 1.31): in process, and split
//! at 1, 3 and 8 parts, each run equal to featuretools' matrix or refused by name.

use crate::partitioned::split_compute_outer;
use crate::util::{cases, compare_csv, fixtures, Case};

/// Cases known to differ from featuretools, each with why. Every one must still differ: a case
/// that starts to match fails the test until it leaves this list.
const KNOWN: &[(&str, &str)] = &[
    ("a_date_first_event_edge", "featuretools fills an empty group's DATE_FIRST_EVENT with 0: 1970-01-01 in a process's first computation, NaT afterwards (the fixture holds NaT); ftpart always gives 1970-01-01"),
    ("t_date_to_holiday_extra", "DATE_TO_HOLIDAY(country='CA') is refused by name: the holidays package names CA's holidays in the locale of the featuretools process"),
];

/// A case's runs; `Ok(refused)` says whether a split refused a feature by name.
fn check(c: &Case) -> Result<bool, String> {
    let in_process = c.compute_in_process()?;
    compare_csv(&in_process, &c.expected).map_err(|e| format!("in process: {e}"))?;
    let mut refused = false;
    for (parts, jobs) in [(1, 1), (3, 0), (8, 2)] {
        match split_compute_outer(c, parts, jobs) {
            Ok((csv, _)) if csv == in_process => {}
            Ok((csv, _)) => compare_csv(&csv, &c.expected)
                .map_err(|e| format!("parts={parts} jobs={jobs}: {e}"))?,
            // Features that read rows of several parts without an exact answer are refused by
            // name (transforms over the whole dataframe, inputs that aggregate across parts).
            Err(e) if parts > 1 && e.contains("spread over the parts") => refused = true,
            Err(e) => return Err(format!("parts={parts} jobs={jobs}: {e}")),
        }
    }
    Ok(refused)
}

#[test]
fn every_primitive_gives_featuretools_matrix_on_its_cases() {
    let all = cases("primitives");
    // Every primitive featuretools lists has cases.
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("primitives/primitives.json")).unwrap(),
    )
    .unwrap();
    let prims = manifest["primitives"].as_array().unwrap();
    assert_eq!(prims.len(), ftpart::primitives::catalog::KNOWN.len());
    for p in prims {
        let listed = p["cases"].as_array().unwrap();
        assert!(!listed.is_empty(), "{} has no case", p["name"]);
        for c in listed {
            let c = c.as_str().unwrap();
            assert!(all.iter().any(|x| x.name == c), "case {c} is missing");
        }
    }
    // Two threads: each run spawns `ftpart split` and `ftpart compute`.
    let results: Vec<(String, Result<bool, String>)> = std::thread::scope(|s| {
        let halves: Vec<_> = (0..2)
            .map(|k| {
                let mine: Vec<&Case> = all.iter().skip(k).step_by(2).collect();
                s.spawn(move || {
                    mine.into_iter()
                        .map(|c| (c.name.clone(), check(c)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        halves.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    let mut failures = Vec::new();
    let mut refused = 0;
    for (name, r) in &results {
        let known = KNOWN.iter().find(|(k, _)| k == name);
        match (r, known) {
            (Ok(true), None) => refused += 1,
            (Ok(false), None) | (Err(_), Some(_)) => {}
            (Ok(_), Some((_, why))) => failures.push(format!(
                "{name} now matches featuretools; remove it from KNOWN ({why})"
            )),
            (Err(e), None) => failures.push(format!("{name}: {e}")),
        }
    }
    eprintln!(
        "{} cases, {} known differences, {refused} refused across parts by name",
        results.len(),
        KNOWN.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
