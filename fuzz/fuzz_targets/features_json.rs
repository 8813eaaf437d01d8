//! A feature file written by `ft.save_features`, parsed as `ftpart calculate` parses it
//! (`FeatureGraph::read`), planned against the fixture entity set it names (or the first that has
//! its target) and against that set's empty copy (as `ftpart compute` checks features), then
//! computed at a fixed cutoff, so that the planner and the primitives see hostile definitions.
#![no_main]

use std::sync::LazyLock;

use ftpart::calc::Plan;
use ftpart::entityset::EntitySet;
use ftpart::features::FeatureGraph;
use ftpart::matrix::{calculate_feature_matrix, MatrixOptions};
use ftpart_fuzz::{entityset, late_cutoff};
use libfuzzer_sys::fuzz_target;

static ENTITYSETS: LazyLock<Vec<EntitySet>> = LazyLock::new(|| {
    [
        "x_mock_customer",
        "x_retail",
        "x_nan",
        "x_flights",
        "x_numeric_time",
        "x_sti",
        "x_retail_unreferenced",
    ]
    .into_iter()
    .map(entityset)
    .collect()
});

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(v) = serde_json::from_str::<serde_json::Value>(text) else {
        return;
    };
    let Ok(graph) = FeatureGraph::from_json(&v) else {
        return;
    };
    let id = v.pointer("/entityset/id").and_then(|i| i.as_str());
    let has_target = |es: &&EntitySet| es.schema.dataframe(graph.target()).is_some();
    let es = ENTITYSETS
        .iter()
        .filter(has_target)
        .find(|es| Some(es.schema.id.as_str()) == id)
        .or_else(|| ENTITYSETS.iter().find(has_target))
        .unwrap_or(&ENTITYSETS[0]);
    if let Ok(empty) = EntitySet::empty(es.schema.clone()) {
        let _ = Plan::build(&empty, &graph);
    }
    if Plan::build(es, &graph).is_ok() {
        let _ = calculate_feature_matrix(es, &graph, &late_cutoff(es), &MatrixOptions::default());
    }
});
