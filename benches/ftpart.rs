//! Criterion benchmarks, named `group/case/variant`: aggregation kernels, cutoff handling (many
//! distinct cutoffs vs one), one thread vs every core, zero-copy shard reads against a plain read,
//! split throughput.
//! Inputs are built once, outside `b.iter`. Run: `cargo bench --bench ftpart`.
#![allow(missing_docs)] // criterion_group! generates undocumented functions

use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ftpart::calc::{Control, Threads};
use ftpart::cutoff::{Cutoff, CutoffTable};
use ftpart::demo::{write_mock_customer, MockOptions};
use ftpart::entityset::read_entityset;
use ftpart::features::FeatureGraph;
use ftpart::matrix::{calculate_feature_matrix_with, MatrixOptions};
use ftpart::primitives::{aggregate, Groups, Primitive};

const FEATURES: &str = "tests/fixtures/conformance/cases/mc0_customers_nocutoff/features.json";

fn kernels(c: &mut Criterion) {
    let n = 1_000_000usize;
    let values: ArrayRef = Arc::new(
        (0..n)
            .map(|i| (i % 97 != 0).then_some((i % 1000) as f64 / 7.0))
            .collect::<Float64Array>(),
    );
    let group_size = 500;
    let offsets: Vec<usize> = (0..=n / group_size).map(|g| g * group_size).collect();
    let groups = Groups {
        offsets,
        rows: (0..n as u32).collect(),
        ranges: None,
    };
    let mut g = c.benchmark_group("aggregate");
    g.throughput(Throughput::Elements(n as u64));
    for (name, class) in [
        ("sum", "Sum"),
        ("mean", "Mean"),
        ("std", "Std"),
        ("skew", "Skew"),
        ("max", "Max"),
        ("num_unique", "NumUnique"),
        ("mode", "Mode"),
    ] {
        let p = Primitive::featuretools(class, serde_json::json!({})).unwrap();
        g.bench_function(BenchmarkId::new(name, "1M_rows/2000_groups"), |b| {
            b.iter(|| aggregate(&p, std::slice::from_ref(&values), &groups).unwrap())
        });
    }
    g.finish();
}

/// A small mock-customer entity set written once per run.
fn mock(dir: &Path, transactions: usize) -> ftpart::entityset::EntitySet {
    let es_dir = dir.join(format!("es{transactions}"));
    if !es_dir.join("data_description.json").exists() {
        write_mock_customer(&es_dir, &MockOptions::with_transactions(transactions)).unwrap();
    }
    read_entityset(&es_dir).unwrap()
}

fn cutoffs(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let es = mock(dir.path(), 200_000);
    let graph = FeatureGraph::read(Path::new(FEATURES)).unwrap();
    let target = es.df_position("customers").unwrap();
    let customers = es.num_rows(target);
    // One distinct cutoff per customer, against one cutoff for all: featuretools' cost grows with
    // the number of distinct cutoffs; ftpart's should not.
    let ids = es.column(target, "customer_id").unwrap().clone();
    // The data spans about 160 days from 2014-01-01: one cutoff after its end, or one per
    // customer spread over the span.
    let start = ftpart::time::parse_datetime("2014-01-01 00:00:00").unwrap();
    let end = ftpart::time::parse_datetime("2014-07-01 00:00:00").unwrap();
    let step = (end - start) / customers as i64;
    let table = |distinct: bool| {
        let times: Vec<i64> = (0..customers as i64)
            .map(|i| {
                if distinct {
                    start + (i + 1) * step
                } else {
                    end
                }
            })
            .collect();
        Cutoff::Table(CutoffTable {
            ids: ids.clone(),
            times,
            extra: Vec::new(),
        })
    };
    // On one thread, as these were measured before the calculation had threads.
    let one_thread = || Control {
        threads: Threads::One,
        ..Default::default()
    };
    let mut g = c.benchmark_group("calculate");
    g.sample_size(10);
    for (name, distinct) in [
        ("one_cutoff", false),
        ("distinct_cutoff_per_instance", true),
    ] {
        let cutoff = table(distinct);
        g.bench_function(BenchmarkId::new("mock_200k_tx_75_features", name), |b| {
            b.iter(|| {
                calculate_feature_matrix_with(
                    &es,
                    &graph,
                    &cutoff,
                    &MatrixOptions::default(),
                    one_thread(),
                )
                .unwrap()
            })
        });
    }
    g.finish();
    // The same on one thread and on every core (`calculate_feature_matrix`'s default).
    let mut g = c.benchmark_group("calculate_threads");
    g.sample_size(10);
    for (name, distinct) in [
        ("one_cutoff", false),
        ("distinct_cutoff_per_instance", true),
    ] {
        let cutoff = table(distinct);
        for (variant, threads) in [("1_thread", Threads::One), ("all_threads", Threads::All)] {
            let case = format!("mock_200k_tx_75_features_{name}");
            g.bench_function(BenchmarkId::new(case, variant), |b| {
                b.iter(|| {
                    let control = Control {
                        threads,
                        ..Default::default()
                    };
                    calculate_feature_matrix_with(
                        &es,
                        &graph,
                        &cutoff,
                        &MatrixOptions::default(),
                        control,
                    )
                    .unwrap()
                })
            });
        }
    }
    g.finish();
}

fn shards(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let es_dir = dir.path().join("es");
    write_mock_customer(&es_dir, &MockOptions::with_transactions(500_000)).unwrap();
    let mut g = c.benchmark_group("split");
    g.sample_size(10);
    g.throughput(Throughput::Elements(500_000));
    g.bench_function("mock_500k_tx/8_parts", |b| {
        b.iter(|| {
            let out = dir.path().join("shards-bench");
            let _ = std::fs::remove_dir_all(&out);
            let opts = ftpart::shards::SplitEntitySet {
                by: "customers".into(),
                parts: 8,
                out,
                force: false,
                durable: true,
            };
            ftpart::shards::split_entityset(&es_dir, &opts, &mut |_| {}).unwrap()
        })
    });
    g.finish();
    let out = dir.path().join("shards");
    let opts = ftpart::shards::SplitEntitySet {
        by: "customers".into(),
        parts: 1,
        out: out.clone(),
        force: false,
        durable: true,
    };
    ftpart::shards::split_entityset(&es_dir, &opts, &mut |_| {}).unwrap();
    let file = out.join("part-00000").join("transactions.arrow");
    let mut g = c.benchmark_group("FileReader");
    g.bench_function("transactions_500k/mmap", |b| {
        b.iter(|| ftpart_worker::mmap::map_ipc_file(&file).unwrap())
    });
    g.bench_function("transactions_500k/read", |b| {
        b.iter(|| ftpart::shards::read_ipc_file(&file).unwrap())
    });
    g.finish();
}

criterion_group!(benches, kernels, cutoffs, shards);
criterion_main!(benches);
