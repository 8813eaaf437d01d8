//! The run's event stream and its readers as a user meets them: the dashboard's JSON endpoints
//! and metrics during a run, the report, and a killed worker's retry in the event sequence.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use ftpart::events::{Events, Round, RunEvent};
use ftpart::pool::{WorkerPool, WorkerPoolOptions};

use crate::util::{ftpart, split, tmp};

/// A small mock-customer entity set split into `parts` shards: (shards, features).
fn shards(dir: &Path, parts: usize) -> (PathBuf, PathBuf) {
    let es = dir.join("es");
    let features = dir.join("features.json");
    let o = ftpart(&[
        "demo",
        es.to_str().unwrap(),
        "--transactions",
        "20000",
        "--features",
        features.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    let shards = dir.join("shards");
    assert!(split(&es, "customers", parts, &shards, &[])
        .status
        .success());
    (shards, features)
}

/// GET `path` from `addr`: (status line, body).
fn get(addr: &str, path: &str) -> (String, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    (head.lines().next().unwrap().to_string(), body.to_string())
}

#[test]
fn dashboard_endpoints_parse_during_a_run_and_the_matrix_is_unchanged() {
    let dir = tmp();
    let (shards, features) = shards(dir.path(), 6);
    let expected = dir.path().join("expected.csv");
    let o = ftpart(&[
        "compute",
        shards.to_str().unwrap(),
        "--features",
        features.to_str().unwrap(),
        "--jobs",
        "2",
        "--out",
        expected.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    let out = dir.path().join("fm.csv");
    let report = dir.path().join("run.html");
    let mut child = Command::new(env!("CARGO_BIN_EXE_ftpart"))
        .args(["compute", shards.to_str().unwrap(), "--features"])
        .arg(&features)
        .args(["--jobs", "2", "--dashboard", "0", "--report"])
        .arg(&report)
        .arg("--out")
        .arg(&out)
        // Test-only: each part job waits 300 ms, so the run lasts while it is read.
        .env("FTPART_TEST_JOB_DELAY_MS", "300")
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    let addr = line
        .trim()
        .strip_prefix("ftpart: dashboard at http://")
        .and_then(|a| a.strip_suffix('/'))
        .unwrap_or_else(|| panic!("no dashboard address: {line}"))
        .to_string();
    let (status, page) = get(&addr, "/");
    assert!(status.contains("200"), "{status}");
    assert!(
        page.contains("<svg") || page.contains("FT.render"),
        "{page}"
    );
    let (_, health) = get(&addr, "/health");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&health).unwrap()["status"],
        "ok"
    );
    // While the run lasts, the workers appear and part jobs start.
    let mut seen_running = false;
    for _ in 0..100 {
        let (_, run) = get(&addr, "/json/run?since=0");
        let run: serde_json::Value = serde_json::from_str(&run).unwrap();
        let (_, workers) = get(&addr, "/json/workers");
        let workers: serde_json::Value = serde_json::from_str(&workers).unwrap();
        let tasks = run["tasks"].as_array().unwrap();
        let pids: Vec<i64> = workers["workers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["pid"].as_i64().unwrap())
            .collect();
        if run["finished"].is_null() && !tasks.is_empty() && pids.len() == 2 {
            assert!(pids.iter().all(|&p| p > 0), "{workers}");
            assert_eq!(run["info"]["parts"], 6);
            seen_running = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(seen_running, "the dashboard never showed the running jobs");
    let (status, metrics) = get(&addr, "/metrics");
    assert!(status.contains("200"));
    let mut names = Vec::new();
    for l in metrics.lines().filter(|l| !l.starts_with('#')) {
        let (name, value) = l.rsplit_once(' ').unwrap_or_else(|| panic!("{l}"));
        value
            .parse::<f64>()
            .unwrap_or_else(|_| panic!("not a number: {l}"));
        let bare = name.split('{').next().unwrap();
        assert!(bare.starts_with("ftpart_"), "{l}");
        names.push(bare.to_string());
    }
    for n in [
        "ftpart_parts",
        "ftpart_jobs_finished_total",
        "ftpart_rss_bytes",
    ] {
        assert!(names.iter().any(|x| x == n), "{n} missing from {metrics}");
    }
    let (status, _) = get(&addr, "/nothing");
    assert!(status.contains("404"), "{status}");
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    assert!(child.wait().unwrap().success(), "{rest}");
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        std::fs::read_to_string(&expected).unwrap()
    );
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.contains(r#"id="ftpart-data""#));
    // One finished matrix job per part, in the inline data.
    let n = html.matches(r#""round":"matrix""#).count();
    assert!(n > 6, "{n} matrix entries for 6 parts (and the round)");
}

#[test]
fn a_failed_run_still_writes_its_report_saying_where() {
    let dir = tmp();
    let es = dir.path().join("es");
    let features = dir.path().join("features.json");
    assert!(ftpart(&[
        "demo",
        es.to_str().unwrap(),
        "--transactions",
        "2000",
        "--features",
        features.to_str().unwrap(),
    ])
    .status
    .success());
    // Shards split by sessions cannot give the customers' features.
    let shards = dir.path().join("shards");
    assert!(split(&es, "sessions", 2, &shards, &[]).status.success());
    let report = dir.path().join("run.html");
    let out = dir.path().join("fm.csv");
    let o = ftpart(&[
        "compute",
        shards.to_str().unwrap(),
        "--features",
        features.to_str().unwrap(),
        "--jobs",
        "0",
        "--report",
        report.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(!out.exists());
    assert!(
        stderr.contains("the report of the failed run is in"),
        "{stderr}"
    );
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.contains("in the plan stage: "), "{html}");
}

#[test]
fn a_killed_worker_shows_in_the_event_stream_as_a_crash_then_a_retry() {
    let dir = tmp();
    let (shards_dir, features) = shards(dir.path(), 4);
    let shards = ftpart::shards::Shards::open(&shards_dir).unwrap();
    let graph = ftpart::features::FeatureGraph::read(&features).unwrap();
    let cutoff = ftpart::cutoff::Cutoff::Now;
    let expected = ftpart::compute::compute(
        &shards,
        &graph,
        &cutoff,
        &Default::default(),
        &mut ftpart::compute::InProcess::default(),
    )
    .unwrap();
    let mut pool = WorkerPool::start(WorkerPoolOptions {
        workers: 2,
        program: Some(PathBuf::from(env!("CARGO_BIN_EXE_ftpart"))),
        ..Default::default()
    })
    .unwrap();
    let events = Events::new();
    let seen: Arc<Mutex<Vec<RunEvent>>> = Arc::default();
    let s = seen.clone();
    let mut pids = std::collections::HashMap::new();
    let mut killed = false;
    events.subscribe(move |e| {
        match &e.event {
            RunEvent::WorkerStarted { worker, pid } => {
                pids.insert(*worker, *pid);
            }
            // The first matrix job's worker is killed as the job goes to it.
            RunEvent::JobStarted {
                round: Round::Matrix,
                worker,
                ..
            } if !killed => {
                killed = true;
                nix::sys::signal::kill(
                    nix::unistd::Pid::from_raw(pids[worker]),
                    nix::sys::signal::Signal::SIGKILL,
                )
                .unwrap();
            }
            _ => {}
        }
        s.lock().unwrap().push(e.event.clone());
    });
    let fm = ftpart::compute::compute_observed(
        &shards,
        &graph,
        &cutoff,
        &Default::default(),
        &mut pool,
        &events,
    )
    .unwrap();
    pool.shutdown().unwrap();
    assert_eq!(fm, expected);
    let seen = seen.lock().unwrap();
    let pos = |f: &dyn Fn(&RunEvent) -> bool| seen.iter().position(f);
    let first = pos(&|e| {
        matches!(
            e,
            RunEvent::JobStarted {
                round: Round::Matrix,
                ..
            }
        )
    })
    .unwrap();
    let RunEvent::JobStarted { part, worker, .. } = seen[first].clone() else {
        unreachable!()
    };
    let crash = pos(&|e| {
        matches!(e, RunEvent::WorkerCrashed { worker: w, part: Some(p), .. } if *w == worker && *p == part)
    })
    .expect("the crash");
    let retry = pos(&|e| {
        matches!(e, RunEvent::JobRetried { round: Round::Matrix, part: p, attempt: 2 } if *p == part)
    })
    .expect("the retry");
    let again = seen
        .iter()
        .enumerate()
        .skip(retry)
        .position(|(_, e)| matches!(e, RunEvent::JobStarted { round: Round::Matrix, part: p, .. } if *p == part))
        .expect("the second attempt")
        + retry;
    let done = pos(
        &|e| matches!(e, RunEvent::JobFinished { round: Round::Matrix, part: p, .. } if *p == part),
    )
    .expect("the part finished");
    assert!(
        first < crash && crash < retry && retry < again && again < done,
        "{seen:#?}"
    );
    assert!(matches!(seen.first(), Some(RunEvent::StageStarted { .. })));
    assert!(matches!(
        seen.last(),
        Some(RunEvent::StageFinished {
            stage: ftpart::events::Stage::Merge
        })
    ));
}
