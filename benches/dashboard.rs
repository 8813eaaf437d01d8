//! What watching a run costs: `compute/<data>/plain` against `compute/<data>/dashboard` (the event
//! state, the memory sampler, the dashboard server, and a page polling /json/run and
//! /json/workers every 500 ms), on 2 persistent workers. Run: `cargo bench --bench dashboard`.
#![allow(missing_docs)] // criterion_group! generates undocumented functions

use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use ftpart::cutoff::Cutoff;
use ftpart::demo::{write_mock_customer, MockOptions};
use ftpart::events::Events;
use ftpart::features::FeatureGraph;
use ftpart::pool::{WorkerPool, WorkerPoolOptions};

const FEATURES: &str = "tests/fixtures/conformance/cases/mc0_customers_nocutoff/features.json";
const TRANSACTIONS: usize = 500_000;

fn get(addr: std::net::SocketAddr, path: &str) {
    if let Ok(mut s) = std::net::TcpStream::connect(addr) {
        let _ = write!(s, "GET {path} HTTP/1.0\r\n\r\n");
        let _ = s.read_to_end(&mut Vec::new());
    }
}

fn dashboard(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let es = dir.path().join("es");
    write_mock_customer(&es, &MockOptions::with_transactions(TRANSACTIONS)).unwrap();
    let out = dir.path().join("shards");
    let split = ftpart::shards::SplitEntitySet {
        by: "customers".into(),
        parts: 8,
        out: out.clone(),
        force: false,
        durable: true,
    };
    ftpart::shards::split_entityset(&es, &split, &mut |_| {}).unwrap();
    let shards = ftpart::shards::Shards::open(&out).unwrap();
    let graph = FeatureGraph::read(FEATURES.as_ref()).unwrap();
    let mut pool = WorkerPool::start(WorkerPoolOptions {
        workers: 2,
        ..Default::default()
    })
    .unwrap();
    let opts = Default::default();
    let mut g = c.benchmark_group("compute");
    g.sample_size(20);
    let name = format!("mock_{}k_tx_8_parts", TRANSACTIONS / 1000);
    g.bench_function(format!("{name}/plain"), |b| {
        b.iter(|| {
            let events = Events::new();
            ftpart::compute::compute_observed(
                &shards,
                &graph,
                &Cutoff::Now,
                &opts,
                &mut pool,
                &events,
            )
            .unwrap()
        })
    });
    // Set-up and tear-down stay outside the measured time: only the computation is timed, with
    // everything that watches it running.
    g.bench_function(format!("{name}/dashboard"), |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let events = Events::new();
                let state = ftpart::events::state::follow(&events);
                let sampler =
                    ftpart::events::memory::Sampler::start(&events, Duration::from_millis(250));
                sampler.watch_shards(&out);
                let addr = "127.0.0.1:0".parse().unwrap();
                let d = ftpart::dashboard::Dashboard::start(addr, state, &events).unwrap();
                let stop = Arc::new(AtomicBool::new(false));
                let (s, a) = (stop.clone(), d.addr());
                let page = std::thread::spawn(move || {
                    let mut polls = 0u64;
                    while !s.load(Ordering::SeqCst) {
                        get(a, "/json/run?since=0");
                        get(a, "/json/workers");
                        polls += 1;
                        for _ in 0..50 {
                            if s.load(Ordering::SeqCst) {
                                break;
                            }
                            std::thread::sleep(Duration::from_millis(10));
                        }
                    }
                    polls
                });
                let start = std::time::Instant::now();
                let fm = ftpart::compute::compute_observed(
                    &shards,
                    &graph,
                    &Cutoff::Now,
                    &opts,
                    &mut pool,
                    &events,
                )
                .unwrap();
                total += start.elapsed();
                criterion::black_box(fm);
                stop.store(true, Ordering::SeqCst);
                let _ = page.join();
                sampler.stop();
                d.stop();
            }
            total
        })
    });
    g.finish();
    pool.shutdown().unwrap();
}

criterion_group!(benches, dashboard);
criterion_main!(benches);
