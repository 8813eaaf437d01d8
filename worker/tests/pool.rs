//! The pool driving real worker processes (`ftpart-worker-echo`, built from `src/bin`).

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ftpart_worker::{Event, Pool, PoolError, PoolOptions, RunError, WorkerEnd};

const ECHO: &str = env!("CARGO_BIN_EXE_ftpart-worker-echo");

fn options(workers: usize) -> PoolOptions {
    let mut opts = PoolOptions::new(ECHO);
    opts.workers = workers;
    opts.handshake_timeout = Duration::from_secs(20);
    opts
}

fn jobs(list: &[(u64, &str)]) -> Vec<(u64, Vec<u8>)> {
    list.iter()
        .map(|(id, payload)| (*id, payload.as_bytes().to_vec()))
        .collect()
}

fn text(results: &[(u64, Vec<u8>)]) -> Vec<(u64, String)> {
    results
        .iter()
        .map(|(id, out)| (*id, String::from_utf8_lossy(out).into_owned()))
        .collect()
}

type Outcome = Result<Vec<(u64, Vec<u8>)>, RunError>;

/// Runs `jobs` on `pool`, returning the outcome and the events.
fn run(pool: &mut Pool, jobs: Vec<(u64, Vec<u8>)>) -> (Outcome, Vec<Event>) {
    let mut events = Vec::new();
    let outcome = pool.run(jobs, &mut |e| events.push(e.clone()));
    let outcome = outcome.map(|r| r.into_iter().map(|(id, o)| (id, o.into_vec())).collect());
    (outcome, events)
}

fn started_pids(events: &[Event]) -> Vec<i32> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::WorkerStarted { pid, .. } => Some(*pid),
            _ => None,
        })
        .collect()
}

/// True when `pid` is not a process of ours any more: reaped, or a zombie some other process owns.
fn gone(pid: i32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return true;
    };
    // Fields after the command name (which is in parentheses): state, ppid, ...
    let rest = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let mut fields = rest.split_whitespace();
    let state = fields.next().unwrap_or("");
    let ppid: u32 = fields.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    state == "Z" && ppid != std::process::id()
}

fn assert_gone(pids: &[i32]) {
    for &pid in pids {
        assert!(gone(pid), "worker process {pid} is still alive or unreaped");
    }
}

#[test]
fn jobs_spread_over_two_workers_and_come_back_by_id() {
    let mut pool = Pool::start(options(2)).unwrap();
    let list: Vec<(u64, String)> = (0..8).map(|i| (100 - i, format!("double:j{i}"))).collect();
    let refs: Vec<(u64, &str)> = list.iter().map(|(id, p)| (*id, p.as_str())).collect();
    let (outcome, events) = run(&mut pool, jobs(&refs));
    let expected: Vec<(u64, String)> = (0..8).map(|i| (100 - i, format!("j{i}j{i}"))).collect();
    assert_eq!(text(&outcome.unwrap()), expected);
    let workers: HashSet<usize> = events
        .iter()
        .filter_map(|e| match e {
            Event::JobStarted { worker, .. } => Some(*worker),
            _ => None,
        })
        .collect();
    assert_eq!(workers, HashSet::from([0, 1]));
    let finished = events
        .iter()
        .filter(|e| matches!(e, Event::JobFinished { .. }))
        .count();
    assert_eq!(finished, 8);
    let pids = started_pids(&events);
    assert_eq!(pids.len(), 2);
    pool.shutdown().unwrap();
    assert_gone(&pids);
}

#[test]
fn a_crash_is_retried_and_the_run_completes() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("crashed-once");
    let payload = format!("sigkill-once:{}", marker.display());
    let mut pool = Pool::start(options(1)).unwrap();
    let (outcome, events) = run(
        &mut pool,
        jobs(&[(1, "echo:a"), (2, &payload), (3, "echo:c")]),
    );
    assert_eq!(
        text(&outcome.unwrap()),
        vec![(1, "a".into()), (2, "survived".into()), (3, "c".into())]
    );
    let crashed = WorkerEnd::Signaled("SIGKILL".into());
    assert!(events.contains(&Event::WorkerCrashed {
        worker: 0,
        job: Some(2),
        end: crashed
    }));
    assert!(events.contains(&Event::JobRetried { job: 2, attempt: 2 }));
    let pids = started_pids(&events);
    assert_eq!(pids.len(), 2, "the crashed worker is replaced: {events:?}");
    assert_gone(&pids[..1]);
    assert_eq!(pool.worker_pids(), vec![pids[1]]);
    pool.shutdown().unwrap();
    assert_gone(&pids);
}

#[test]
fn a_job_that_always_crashes_fails_naming_the_job_and_the_signal() {
    let mut opts = options(2);
    opts.retries = 2;
    let mut pool = Pool::start(opts).unwrap();
    let (outcome, events) = run(&mut pool, jobs(&[(7, "sigkill")]));
    let err = outcome.unwrap_err();
    assert!(
        matches!(&err, RunError::JobCrashed { job: 7, attempts: 3, end } if *end == WorkerEnd::Signaled("SIGKILL".into())),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message.contains("job 7") && message.contains("killed by signal SIGKILL"),
        "{message}"
    );
    let retries: Vec<u32> = events
        .iter()
        .filter_map(|e| match e {
            Event::JobRetried { job: 7, attempt } => Some(*attempt),
            _ => None,
        })
        .collect();
    assert_eq!(retries, vec![2, 3]);
    let pids = started_pids(&events);
    let live = pool.worker_pids();
    let dead: Vec<i32> = pids.iter().copied().filter(|p| !live.contains(p)).collect();
    assert_eq!(dead.len(), 3, "three workers crashed: {events:?}");
    assert_gone(&dead);
    // The worker that was idle is still there (job 7 went to worker 1, 7 % 2).
    assert_eq!(live, vec![pids[0]]);
    pool.shutdown().unwrap();
    assert_gone(&pids);
}

#[test]
fn panics_aborts_and_exits_are_named() {
    let mut opts = options(1);
    opts.retries = 0;
    let mut pool = Pool::start(opts).unwrap();
    let cases = [
        ("panic", WorkerEnd::Exited(101), "exited with status 101"),
        (
            "abort",
            WorkerEnd::Signaled("SIGABRT".into()),
            "killed by signal SIGABRT",
        ),
        ("exit:3", WorkerEnd::Exited(3), "exited with status 3"),
    ];
    for (payload, expected, words) in cases {
        let (outcome, _) = run(&mut pool, jobs(&[(1, payload)]));
        let err = outcome.unwrap_err();
        assert!(
            matches!(&err, RunError::JobCrashed { job: 1, attempts: 1, end } if *end == expected),
            "{err:?}"
        );
        assert!(err.to_string().contains(words), "{err}");
    }
}

#[test]
fn handler_failures_are_not_retried_and_the_pool_stays_usable() {
    let mut pool = Pool::start(options(1)).unwrap();
    let (outcome, events) = run(&mut pool, jobs(&[(4, "fail")]));
    let err = outcome.unwrap_err();
    assert!(
        matches!(&err, RunError::JobFailed { job: 4, kind, .. } if kind == "bad_input"),
        "{err:?}"
    );
    assert!(
        err.to_string().starts_with("job 4 failed: bad_input: "),
        "{err}"
    );
    assert!(!events.iter().any(|e| matches!(e, Event::JobRetried { .. })));
    let pids = pool.worker_pids();
    let (outcome, _) = run(&mut pool, jobs(&[(5, "echo:again")]));
    assert_eq!(text(&outcome.unwrap()), vec![(5, "again".into())]);
    assert_eq!(pool.worker_pids(), pids);
}

#[test]
fn the_handshake_times_out_when_the_program_never_connects() {
    let mut opts = PoolOptions::new("/bin/sleep");
    opts.workers = 1;
    opts.args = vec!["30".into()];
    opts.handshake_timeout = Duration::from_millis(300);
    let started = Instant::now();
    let err = Pool::start(opts).err().unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
    let PoolError::Handshake { end, pid, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(*end, WorkerEnd::HandshakeTimedOut);
    assert_gone(&[*pid]);
    assert!(err.to_string().contains("/bin/sleep"), "{err}");
}

#[test]
fn a_program_that_exits_before_the_handshake_is_reported() {
    let mut opts = PoolOptions::new("/bin/false");
    opts.workers = 1;
    let err = Pool::start(opts).err().unwrap();
    assert!(
        matches!(
            &err,
            PoolError::Handshake {
                end: WorkerEnd::Exited(1),
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn a_missing_program_is_named() {
    let err = Pool::start(PoolOptions::new("/nonexistent/ftpart"))
        .err()
        .unwrap();
    assert!(matches!(err, PoolError::Spawn { .. }), "{err:?}");
    assert!(err.to_string().contains("/nonexistent/ftpart"), "{err}");
}

#[test]
fn a_persistent_pool_reuses_its_workers_between_runs() {
    let mut pool = Pool::start(options(2)).unwrap();
    let pids = pool.worker_pids();
    assert_eq!(pids.len(), 2);
    let work = || jobs(&[(1, "pid"), (2, "pid"), (3, "pid"), (4, "pid")]);
    let (first, first_events) = run(&mut pool, work());
    let (second, second_events) = run(&mut pool, work());
    assert_eq!(started_pids(&first_events), pids);
    assert!(started_pids(&second_events).is_empty());
    for (_, pid) in text(&first.unwrap())
        .into_iter()
        .chain(text(&second.unwrap()))
    {
        assert!(
            pids.contains(&pid.parse().unwrap()),
            "{pid} is not one of {pids:?}"
        );
    }
    assert_eq!(pool.worker_pids(), pids);
    pool.shutdown().unwrap();
    assert_gone(&pids);
}

#[test]
fn dropping_the_pool_leaves_no_processes() {
    let mut pool = Pool::start(options(2)).unwrap();
    let pids = pool.worker_pids();
    // One worker is busy when the pool is dropped.
    let (outcome, _) = run(&mut pool, jobs(&[(1, "echo:x")]));
    outcome.unwrap();
    drop(pool);
    assert_gone(&pids);
}

#[test]
fn an_interrupt_stops_the_workers_and_the_run() {
    let flag = Arc::new(AtomicBool::new(false));
    let mut opts = options(2);
    opts.interrupt = Some(flag.clone());
    let mut pool = Pool::start(opts).unwrap();
    let pids = pool.worker_pids();
    let setter = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        flag.store(true, Ordering::SeqCst);
    });
    let started = Instant::now();
    let (outcome, _) = run(&mut pool, jobs(&[(1, "sleep:30000"), (2, "sleep:30000")]));
    setter.join().unwrap();
    assert!(matches!(outcome, Err(RunError::Interrupted)), "{outcome:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(pool.worker_pids().is_empty());
    assert_gone(&pids);
}

#[test]
fn an_allocation_failure_under_the_memory_limit_is_out_of_memory() {
    let mut opts = options(1);
    opts.retries = 0;
    opts.memory_limit = Some(1 << 30);
    let mut pool = Pool::start(opts).unwrap();
    let (outcome, events) = run(&mut pool, jobs(&[(9, "oom")]));
    let err = outcome.unwrap_err();
    assert!(
        matches!(
            &err,
            RunError::JobCrashed {
                job: 9,
                end: WorkerEnd::OutOfMemory,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("out of memory"), "{err}");
    assert!(events.contains(&Event::WorkerCrashed {
        worker: 0,
        job: Some(9),
        end: WorkerEnd::OutOfMemory
    }));
}

#[test]
fn progress_and_stats_are_reported() {
    let mut pool = Pool::start(options(1)).unwrap();
    let (outcome, events) = run(&mut pool, jobs(&[(3, "progress")]));
    assert_eq!(text(&outcome.unwrap()), vec![(3, "done".into())]);
    assert!(events.contains(&Event::Progress {
        worker: 0,
        job: 3,
        message: "halfway".into()
    }));
    let stats = events
        .iter()
        .find_map(|e| match e {
            Event::JobFinished { job: 3, stats, .. } => Some(stats.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(stats.output_bytes, 4);
    assert!(stats.peak_rss_bytes > 0);
    assert!(stats.seconds >= 0.0);
}

#[test]
fn large_payloads_and_results_cross_intact() {
    let mut pool = Pool::start(options(1)).unwrap();
    let big: String = (0..300_000)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    let (outcome, _) = run(&mut pool, jobs(&[(1, &format!("double:{big}"))]));
    let results = outcome.unwrap();
    assert_eq!(results[0].1, big.repeat(2).into_bytes());
}

#[test]
fn duplicate_ids_are_rejected_and_no_jobs_is_no_results() {
    let mut pool = Pool::start(options(1)).unwrap();
    let (outcome, _) = run(&mut pool, jobs(&[(1, "echo:a"), (1, "echo:b")]));
    assert!(
        matches!(outcome, Err(RunError::DuplicateJob(1))),
        "{outcome:?}"
    );
    let (outcome, _) = run(&mut pool, Vec::new());
    assert!(outcome.unwrap().is_empty());
}

#[test]
fn workers_die_with_their_coordinator() {
    let mut coordinator = Command::new(ECHO)
        .arg("coordinate")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = coordinator.stdout.take().unwrap();
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let worker: i32 = line.trim().parse().unwrap();
    assert!(!gone(worker));
    coordinator.kill().unwrap();
    coordinator.wait().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !gone(worker) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(gone(worker), "worker {worker} outlived its coordinator");
}

#[test]
fn a_failed_run_stops_busy_workers_and_the_next_run_replaces_them() {
    let mut opts = options(2);
    opts.retries = 0;
    let mut pool = Pool::start(opts).unwrap();
    let pids = pool.worker_pids();
    let started = Instant::now();
    let (outcome, _) = run(&mut pool, jobs(&[(1, "sleep:30000"), (2, "fail")]));
    assert!(
        matches!(outcome, Err(RunError::JobFailed { job: 2, .. })),
        "{outcome:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    // The worker busy with job 1 (worker 1, 1 % 2) was stopped; the one that reported the
    // failure stays.
    assert_gone(&pids[1..]);
    assert_eq!(pool.worker_pids(), vec![pids[0]]);
    let (outcome, events) = run(&mut pool, jobs(&[(3, "echo:a"), (4, "echo:b")]));
    assert_eq!(
        text(&outcome.unwrap()),
        vec![(3, "a".into()), (4, "b".into())]
    );
    assert_eq!(started_pids(&events).len(), 1);
    assert_eq!(pool.worker_pids().len(), 2);
}

#[test]
fn sigterm_stops_a_busy_worker_even_if_the_program_handles_sigterm() {
    let flag = Arc::new(AtomicBool::new(false));
    let mut opts = options(1);
    opts.env = vec![("ECHO_INSTALL_INTERRUPT_HANDLER".into(), "1".into())];
    opts.grace = Duration::from_secs(30);
    opts.interrupt = Some(flag.clone());
    let mut pool = Pool::start(opts).unwrap();
    let pids = pool.worker_pids();
    let setter = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        flag.store(true, Ordering::SeqCst);
    });
    let started = Instant::now();
    let (outcome, _) = run(&mut pool, jobs(&[(1, "sleep:60000")]));
    setter.join().unwrap();
    assert!(matches!(outcome, Err(RunError::Interrupted)), "{outcome:?}");
    // SIGTERM ended it, not the SIGKILL that would follow the 30 s grace.
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_gone(&pids);
}

#[test]
fn a_job_goes_to_the_worker_of_its_id_when_that_worker_is_idle() {
    let mut pool = Pool::start(options(2)).unwrap();
    let placement = |events: &[Event]| -> Vec<(u64, usize)> {
        let mut v: Vec<(u64, usize)> = events
            .iter()
            .filter_map(|e| match e {
                Event::JobStarted { worker, job } => Some((*job, *worker)),
                _ => None,
            })
            .collect();
        v.sort();
        v
    };
    // Equal jobs: each worker takes its own ids, in every run.
    for _ in 0..3 {
        let (outcome, events) = run(
            &mut pool,
            jobs(&[
                (0, "sleep:50"),
                (1, "sleep:50"),
                (2, "sleep:50"),
                (3, "sleep:50"),
            ]),
        );
        outcome.unwrap();
        assert_eq!(placement(&events), vec![(0, 0), (1, 1), (2, 0), (3, 1)]);
    }
    // A worker with none of its own left takes the other's: job 2 waits for no one.
    let (outcome, events) = run(
        &mut pool,
        jobs(&[(0, "sleep:600"), (2, "sleep:10"), (4, "sleep:10")]),
    );
    outcome.unwrap();
    let p = placement(&events);
    assert_eq!(p[0], (0, 0));
    assert!(p[1..].iter().any(|&(_, w)| w == 1), "{p:?}");
    pool.shutdown().unwrap();
}
