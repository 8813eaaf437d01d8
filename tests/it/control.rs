//! The in-process calculation stopped by an interrupt flag and followed by a progress callback
//! (`calc::Control`, what the Python package's `n_jobs=1` uses for Ctrl-C and `verbose=True`).

use std::sync::atomic::{AtomicBool, Ordering};

use ftpart::calc::{Control, Threads};
use ftpart::cutoff::Cutoff;
use ftpart::entityset::read_entityset;
use ftpart::features::FeatureGraph;
use ftpart::matrix::{calculate_feature_matrix, calculate_feature_matrix_with};

use crate::util::fixtures;

fn case() -> (ftpart::entityset::EntitySet, FeatureGraph) {
    let dir = fixtures().join("conformance");
    let es = read_entityset(&dir.join("entitysets/mock_customer_s0")).unwrap();
    let features =
        FeatureGraph::read(&dir.join("cases/mc0_customers_nocutoff/features.json")).unwrap();
    (es, features)
}

#[test]
fn progress_is_reported_feature_by_feature_and_the_matrix_is_unchanged() {
    let (es, features) = case();
    let cutoff = Cutoff::At(1_400_000_000_000_000_000);
    let plain = calculate_feature_matrix(&es, &features, &cutoff, &Default::default()).unwrap();
    let mut seen = Vec::new();
    let mut progress = |done: usize, total: usize| seen.push((done, total));
    let control = Control {
        interrupt: None,
        progress: Some(&mut progress),
        threads: Threads::One,
    };
    let fm = calculate_feature_matrix_with(&es, &features, &cutoff, &Default::default(), control)
        .unwrap();
    assert_eq!(fm, plain);
    let n = features.requested.len();
    assert!(n > 10);
    let want: Vec<(usize, usize)> = (0..=n).map(|d| (d, n)).collect();
    assert_eq!(seen, want);
}

/// `compute` on shards in this process (what `ftpart.compute(n_jobs=1)` runs): an interruptible
/// executor whose flag is set gives `Interrupted`, and an unset flag the plain matrix.
#[test]
fn the_in_process_executor_stops_on_its_interrupt_flag() {
    use ftpart::compute::{compute, InProcess};
    use std::sync::Arc;
    let dir = fixtures().join("conformance");
    let tmp = crate::util::tmp();
    let shards = ftpart::run::split_in_memory(
        &read_entityset(&dir.join("entitysets/mock_customer_s0")).unwrap(),
        "customers",
        3,
        &tmp.path().join("shards"),
    )
    .unwrap();
    let features =
        FeatureGraph::read(&dir.join("cases/mc0_customers_nocutoff/features.json")).unwrap();
    let opts = Default::default();
    let plain = compute(
        &shards,
        &features,
        &Cutoff::Now,
        &opts,
        &mut InProcess::default(),
    )
    .unwrap();
    let flag = Arc::new(AtomicBool::new(false));
    let mut exec = InProcess::interruptible(flag.clone());
    let fm = compute(&shards, &features, &Cutoff::Now, &opts, &mut exec).unwrap();
    assert_eq!(fm, plain);
    flag.store(true, Ordering::SeqCst);
    let e = compute(&shards, &features, &Cutoff::Now, &opts, &mut exec).unwrap_err();
    assert!(matches!(e, ftpart::Error::Interrupted), "{e}");
}
