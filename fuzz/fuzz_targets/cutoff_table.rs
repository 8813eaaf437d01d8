//! A cutoff time table (CSV), read as `ftpart calculate --cutoff-time FILE` reads it
//! (`CutoffTable::read`) for a Datetime target (x_retail customers, with a 30-day training
//! window) and for a numeric-time target (x_numeric_time customers), then used to compute
//! those cases' features.
#![no_main]

use std::path::PathBuf;
use std::sync::LazyLock;

use ftpart::calc::TimeOptions;
use ftpart::cutoff::{Cutoff, CutoffTable};
use ftpart::entityset::EntitySet;
use ftpart::features::FeatureGraph;
use ftpart::matrix::{calculate_feature_matrix, MatrixOptions};
use ftpart_fuzz::{entityset, features, scratch, window, write};
use libfuzzer_sys::fuzz_target;

struct Case {
    es: EntitySet,
    graph: FeatureGraph,
    time: TimeOptions,
}

static CASES: LazyLock<Vec<Case>> = LazyLock::new(|| {
    vec![
        Case {
            es: entityset("x_retail"),
            graph: features("x_edges_window_lti"),
            time: window("30 days"),
        },
        Case {
            es: entityset("x_numeric_time"),
            graph: features("x_numeric_time_cutoffs"),
            time: TimeOptions::default(),
        },
    ]
});

static PATH: LazyLock<PathBuf> = LazyLock::new(|| scratch("cutoff_table").join("cutoff.csv"));

fuzz_target!(|data: &[u8]| {
    write(&PATH, data);
    for case in CASES.iter() {
        let target = case
            .es
            .schema
            .dataframe(case.graph.target())
            .expect("fixture target");
        let Ok(table) = CutoffTable::read(&PATH, target, case.es.schema.numeric_time()) else {
            continue;
        };
        let opts = MatrixOptions {
            time: case.time,
            cutoff_time_in_index: true,
        };
        let _ = calculate_feature_matrix(&case.es, &case.graph, &Cutoff::Table(table), &opts);
    }
});
