//! Worker processes as a user meets them: a worker killed mid-run, a part that always crashes,
//! Ctrl-C, bad shards, and persistent pools.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{compare_csv, fixtures, ftpart, split, tmp};

/// Child processes of `pid` (from /proc).
fn children(pid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(p) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{p}/stat")) else {
            continue;
        };
        // pid (comm) state ppid ...
        let after = &stat[stat.rfind(')').unwrap_or(0) + 1..];
        let ppid: u32 = after
            .split_whitespace()
            .nth(1)
            .and_then(|x| x.parse().ok())
            .unwrap_or(0);
        if ppid == pid {
            out.push(p);
        }
    }
    out
}

fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| !s.contains(") Z "))
        .unwrap_or(false)
}

struct Big {
    _dir: tempfile::TempDir,
    shards: PathBuf,
    features: PathBuf,
    out: PathBuf,
    root: PathBuf,
}

/// A mock-customer entity set large enough that a run lasts a while, split into many parts.
fn big(transactions: usize, parts: usize) -> Big {
    let dir = tmp();
    let es = dir.path().join("es");
    let features = dir.path().join("features.json");
    let o = ftpart(&[
        "demo",
        es.to_str().unwrap(),
        "--transactions",
        &transactions.to_string(),
        "--features",
        features.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    let shards = dir.path().join("shards");
    assert!(split(&es, "customers", parts, &shards, &[])
        .status
        .success());
    let out = dir.path().join("fm.csv");
    let root = dir.path().to_path_buf();
    Big {
        _dir: dir,
        shards,
        features,
        out,
        root,
    }
}

fn compute(b: &Big, extra: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_ftpart"))
        .args([
            "compute",
            b.shards.to_str().unwrap(),
            "--features",
            b.features.to_str().unwrap(),
            "--out",
            b.out.to_str().unwrap(),
        ])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn wait_for_workers(pid: u32, n: usize) -> Vec<u32> {
    let start = Instant::now();
    loop {
        let c = children(pid);
        if c.len() >= n || start.elapsed() > Duration::from_secs(30) {
            return c;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn a_worker_killed_mid_run_is_replaced_and_the_matrix_is_right() {
    let b = big(800_000, 24);
    let expected = b.root.join("expected.csv");
    let o = ftpart(&[
        "compute",
        b.shards.to_str().unwrap(),
        "--features",
        b.features.to_str().unwrap(),
        "--jobs",
        "0",
        "--out",
        expected.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    // The kill must land while parts are still running; on a fast machine a run can finish first,
    // so try again (never passing without a kill).
    for attempt in 0..5 {
        let _ = std::fs::remove_file(&b.out);
        let child = compute(&b, &["--jobs", "2", "--verbose"]);
        let workers = wait_for_workers(child.id(), 2);
        assert!(!workers.is_empty(), "workers started");
        std::thread::sleep(Duration::from_millis(20 / (attempt + 1)));
        let killed = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(workers[0] as i32),
            nix::sys::signal::Signal::SIGKILL,
        )
        .is_ok();
        let o = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "{stderr}");
        assert_eq!(
            std::fs::read_to_string(&b.out).unwrap(),
            std::fs::read_to_string(&expected).unwrap()
        );
        if killed && stderr.contains("WorkerCrashed") {
            return;
        }
    }
    panic!("no run was still going when its worker was killed");
}

#[test]
fn a_part_that_always_crashes_fails_the_run_cleanly() {
    // Parts of 150,000 transactions need tens of MB more than a worker's start (about 26 MB of
    // address space with the primitive tables): under 40M every attempt runs out of memory.
    let b = big(600_000, 4);
    let child = compute(
        &b,
        &["--jobs", "2", "--retries", "1", "--worker-memory", "40M"],
    );
    let pid = child.id();
    let o = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("part ") && stderr.contains("after 2 attempts"),
        "{stderr}"
    );
    assert!(!b.out.exists(), "no output file");
    assert!(children(pid).is_empty());
}

#[test]
fn ctrl_c_stops_every_worker_and_writes_nothing() {
    let b = big(800_000, 32);
    let child = compute(&b, &["--jobs", "2"]);
    let workers = wait_for_workers(child.id(), 2);
    assert!(!workers.is_empty());
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGINT,
    )
    .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(!b.out.exists());
    std::thread::sleep(Duration::from_millis(100));
    for w in workers {
        assert!(!alive(w), "worker {w} outlived the coordinator");
    }
}

fn small_shards(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let case = fixtures().join("conformance/cases/mc0_customers_per_instance");
    let es = fixtures().join("conformance/entitysets/mock_customer_s0");
    let shards = dir.join("shards");
    assert!(split(&es, "customers", 3, &shards, &[]).status.success());
    (shards, case.join("features.json"), case)
}

fn compute_fails(shards: &Path, features: &Path, dir: &Path, needles: &[&str]) {
    let out = dir.join("fm.csv");
    let o = ftpart(&[
        "compute",
        shards.to_str().unwrap(),
        "--features",
        features.to_str().unwrap(),
        "--jobs",
        "2",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    for n in needles {
        assert!(stderr.contains(n), "expected {n:?} in {stderr}");
    }
    assert!(!stderr.contains("panicked at"), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn bad_shards_give_clear_errors() {
    let dir = tmp();
    let (shards, features, _) = small_shards(dir.path());
    let sessions = shards.join("part-00001/sessions.arrow");
    let good = std::fs::read(&sessions).unwrap();
    // Truncated.
    std::fs::write(&sessions, &good[..good.len() / 2]).unwrap();
    compute_fails(
        &shards,
        &features,
        dir.path(),
        &["part-00001/sessions.arrow"],
    );
    // Garbage.
    std::fs::write(&sessions, vec![7u8; good.len()]).unwrap();
    compute_fails(
        &shards,
        &features,
        dir.path(),
        &["part-00001/sessions.arrow"],
    );
    // Missing.
    std::fs::remove_file(&sessions).unwrap();
    compute_fails(
        &shards,
        &features,
        dir.path(),
        &["part-00001/sessions.arrow", "missing"],
    );
    std::fs::write(&sessions, &good).unwrap();
    // A manifest from another version.
    let m = shards.join("manifest.json");
    let text = std::fs::read_to_string(&m).unwrap();
    std::fs::write(&m, text.replacen("\"version\": 3", "\"version\": 7", 1)).unwrap();
    compute_fails(&shards, &features, dir.path(), &["shard format version 7"]);
    std::fs::write(&m, text).unwrap();
    // Features for a dataframe outside the shards.
    let f2 = dir.path().join("f2.json");
    let t = std::fs::read_to_string(&features).unwrap();
    std::fs::write(
        &f2,
        t.replace("\"customers: ", "\"clients: ").replace(
            "\"dataframe_name\": \"customers\"",
            "\"dataframe_name\": \"clients\"",
        ),
    )
    .unwrap();
    compute_fails(&shards, &f2, dir.path(), &["'clients'"]);
}

#[test]
fn a_persistent_pool_computes_twice_with_the_same_workers() {
    use ftpart::pool::{WorkerPool, WorkerPoolOptions};
    let dir = tmp();
    let (shards_dir, features, case) = small_shards(dir.path());
    let shards = ftpart::shards::Shards::open(&shards_dir).unwrap();
    let graph = ftpart::features::FeatureGraph::read(&features).unwrap();
    let target = &shards.schema.dataframes[shards.schema.position("customers").unwrap()];
    let cutoff = ftpart::cutoff::Cutoff::Table(
        ftpart::cutoff::CutoffTable::read(&case.join("cutoff.csv"), target, false).unwrap(),
    );
    let opts = WorkerPoolOptions {
        workers: 2,
        program: Some(PathBuf::from(env!("CARGO_BIN_EXE_ftpart"))),
        ..Default::default()
    };
    let mut pool = WorkerPool::start(opts).unwrap();
    let pids = pool.pids();
    for _ in 0..2 {
        let fm = ftpart::compute::compute(&shards, &graph, &cutoff, &Default::default(), &mut pool)
            .unwrap();
        let mut csv = Vec::new();
        ftpart::matrix::write_csv(&fm, &mut csv).unwrap();
        compare_csv(&String::from_utf8(csv).unwrap(), &case.join("expected.csv")).unwrap();
        assert_eq!(pool.pids(), pids, "same workers");
    }
    pool.shutdown().unwrap();
    for p in pids {
        assert!(!alive(p as u32));
    }
}

#[test]
fn a_part_cache_reuses_unchanged_parts_and_reloads_or_refuses_changed_ones() {
    use ftpart::compute::{Load, PartCache};
    let dir = tmp();
    let (shards_dir, _, _) = small_shards(dir.path());
    let cache = PartCache::new(1 << 40);
    let (a, load) = cache.get(&shards_dir, 1).unwrap();
    assert!(matches!(load, Load::Loaded { bytes } if bytes > 0));
    let (b, load) = cache.get(&shards_dir, 1).unwrap();
    assert_eq!(load, Load::Reused);
    assert!(std::sync::Arc::ptr_eq(&a, &b));
    cache.get(&shards_dir, 2).unwrap();
    let s = cache.stats();
    assert_eq!((s.loads, s.hits, s.reloads), (2, 1, 0));
    assert_eq!(s.parts.len(), 2);

    // A file rewritten with the same bytes (a new inode, new times): loaded again, content checked.
    let m = ftpart_partitioner::Manifest::read(&shards_dir).unwrap();
    let file = m.table_path(&shards_dir, 1, "transactions").unwrap();
    let bytes = std::fs::read(&file).unwrap();
    let tmp_file = file.with_extension("tmp");
    std::fs::write(&tmp_file, &bytes).unwrap();
    std::fs::rename(&tmp_file, &file).unwrap();
    let (_, load) = cache.get(&shards_dir, 1).unwrap();
    assert!(matches!(load, Load::Loaded { .. }), "{load:?}");
    assert_eq!(cache.stats().reloads, 1);

    // The same size, other content, no new manifest: refused by name, and not held.
    let mut changed = bytes.clone();
    let at = changed.len() / 2;
    changed[at] ^= 0xff;
    std::fs::write(&tmp_file, &changed).unwrap();
    std::fs::rename(&tmp_file, &file).unwrap();
    let err = cache.get(&shards_dir, 1).unwrap_err().to_string();
    assert!(
        err.contains("changed since the split") && err.contains("transactions"),
        "{err}"
    );
    assert!(cache.stats().parts.iter().all(|(_, p, _)| *p != 1));

    // Capacity: a cache of 0 bytes holds only the last part.
    let small = PartCache::new(0);
    small.get(&shards_dir, 0).unwrap();
    small.get(&shards_dir, 2).unwrap();
    let s = small.stats();
    assert_eq!(s.parts.iter().map(|p| p.1).collect::<Vec<_>>(), vec![2]);
    assert_eq!(s.evictions, 1);
    small.clear();
    assert!(small.stats().parts.is_empty());
}
