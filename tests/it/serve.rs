//! `ftpart serve`: a real pool process on a free loopback port, and clients of it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{compare_csv, fixtures, split, tmp};

/// A pool process and its address (with the token).
struct Pool {
    child: Child,
    addr: String,
    host_port: String,
    state: PathBuf,
}

impl Pool {
    fn start(dir: &Path, shards: &Path, env: &[(&str, &str)]) -> Pool {
        let state = dir.join("pool.json");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ftpart"));
        cmd.args([
            "serve",
            shards.to_str().unwrap(),
            "--jobs",
            "2",
            "--state-file",
        ])
        .arg(&state)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        let out = child.stdout.take().unwrap();
        let mut lines = BufReader::new(out).lines();
        let mut addr = String::new();
        for l in lines.by_ref() {
            let l = l.unwrap();
            if let Some(rest) = l.strip_prefix("connect: ftpart compute --pool ") {
                addr = rest.split_whitespace().next().unwrap().to_string();
                break;
            }
        }
        assert!(!addr.is_empty(), "the pool printed no address");
        let host_port = addr.rsplit_once('@').unwrap().1.to_string();
        // Keep reading its output so that it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Pool {
            child,
            addr,
            host_port,
            state,
        }
    }

    fn status(&self) -> serde_json::Value {
        let o = ftpart_at(&self.state, &["pool", "status", &self.addr, "--json"]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_slice(&o.stdout).unwrap()
    }

    fn stop(mut self) {
        let o = ftpart_at(&self.state, &["pool", "stop", &self.addr]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                assert!(st.success());
                break;
            }
            assert!(Instant::now() < deadline, "the pool did not stop");
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(!self.state.exists(), "the state file is removed");
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs ftpart with the pool state file at `state`.
fn ftpart_at(state: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ftpart"))
        .args(args)
        .env("FTPART_POOL_STATE", state)
        .env_remove("FTPART_POOL")
        .env_remove("FTPART_POOL_TOKEN")
        .output()
        .unwrap()
}

fn case() -> PathBuf {
    fixtures().join("conformance/cases/mc0_customers_per_instance")
}

fn shards(dir: &Path) -> PathBuf {
    let s = dir.join("shards");
    let es = fixtures().join("conformance/entitysets/mock_customer_s0");
    assert!(split(&es, "customers", 3, &s, &[]).status.success());
    s
}

fn compute_args<'a>(
    pool: &'a str,
    features: &'a str,
    cutoff: &'a str,
    out: &'a str,
) -> Vec<&'a str> {
    vec![
        "compute",
        "--pool",
        pool,
        "--features",
        features,
        "--cutoff-time",
        cutoff,
        "--out",
        out,
        "--quiet",
    ]
}

/// Computes the case on `pool` into `out` and checks the matrix.
fn computes_right(pool: &Pool, out: &Path) {
    let c = case();
    let (f, ct) = (c.join("features.json"), c.join("cutoff.csv"));
    let o = ftpart_at(
        &pool.state,
        &compute_args(
            &pool.addr,
            f.to_str().unwrap(),
            ct.to_str().unwrap(),
            out.to_str().unwrap(),
        ),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    compare_csv(
        &std::fs::read_to_string(out).unwrap(),
        &c.join("expected.csv"),
    )
    .unwrap();
}

fn part_loads(s: &serde_json::Value) -> (u64, u64) {
    (
        s["part_loads"].as_u64().unwrap(),
        s["part_reuses"].as_u64().unwrap(),
    )
}

#[test]
fn a_pool_computes_twice_without_reloading_and_stops_cleanly() {
    let dir = tmp();
    let sh = shards(dir.path());
    let pool = Pool::start(dir.path(), &sh, &[]);
    let c = case();
    let (f, ct) = (c.join("features.json"), c.join("cutoff.csv"));
    for (i, local) in ["", "local"].iter().enumerate() {
        // The second client finds the pool through the state file alone.
        let addr = if local.is_empty() {
            pool.addr.as_str()
        } else {
            local
        };
        let out = dir.path().join(format!("fm{i}.csv"));
        let o = ftpart_at(
            &pool.state,
            &compute_args(
                addr,
                f.to_str().unwrap(),
                ct.to_str().unwrap(),
                out.to_str().unwrap(),
            ),
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        compare_csv(
            &std::fs::read_to_string(&out).unwrap(),
            &c.join("expected.csv"),
        )
        .unwrap();
    }
    let s = pool.status();
    let (loads, reuses) = part_loads(&s);
    // Three parts loaded by the first computation; the second found every part loaded where its
    // job went (a job goes to the worker of its part number when that worker is idle), at most
    // one reloaded by a worker that took another's part.
    assert!((3..=4).contains(&loads), "{s}");
    assert!(reuses >= 2, "{s}");
    assert_eq!(s["history"].as_array().unwrap().len(), 2);
    assert_eq!(s["workers"].as_array().unwrap().len(), 2);
    // The matrix a pool writes as Parquet is the plain compute's.
    let out = dir.path().join("fm.parquet");
    let plain = dir.path().join("plain.parquet");
    let o = ftpart_at(
        &pool.state,
        &compute_args(
            "local",
            f.to_str().unwrap(),
            ct.to_str().unwrap(),
            out.to_str().unwrap(),
        ),
    );
    assert!(o.status.success());
    let o = ftpart_at(
        &pool.state,
        &[
            "compute",
            sh.to_str().unwrap(),
            "--features",
            f.to_str().unwrap(),
            "--cutoff-time",
            ct.to_str().unwrap(),
            "--out",
            plain.to_str().unwrap(),
            "--quiet",
            "--jobs",
            "0",
        ],
    );
    assert!(o.status.success());
    let read = |p: &Path| {
        let f = std::fs::File::open(p).unwrap();
        let r = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(f)
            .unwrap()
            .build()
            .unwrap();
        r.map(|b| b.unwrap()).collect::<Vec<_>>()
    };
    assert_eq!(read(&out), read(&plain));
    pool.stop();
}

/// Sends raw bytes to the pool and returns what it answers before closing.
fn raw(host_port: &str, bytes: &[u8]) -> Vec<u8> {
    let mut s = TcpStream::connect(host_port).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let _ = s.write_all(bytes);
    let _ = s.shutdown(std::net::Shutdown::Write);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    out
}

#[test]
fn wrong_tokens_garbage_and_huge_frames_leave_the_pool_serving() {
    let dir = tmp();
    let sh = shards(dir.path());
    let pool = Pool::start(dir.path(), &sh, &[]);
    let wrong = format!("ftpart://nope@{}", pool.host_port);
    let o = ftpart_at(&pool.state, &["pool", "status", &wrong]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("wrong token"));
    // An address without a token, and no state file naming it: refused the same way.
    let bare = format!("ftpart://{}", pool.host_port);
    let o = ftpart_at(
        &dir.path().join("elsewhere.json"),
        &["pool", "status", &bare],
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("wrong token"));
    for bytes in [
        b"GET / HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
        vec![0xff; 4096],
        [&u32::MAX.to_be_bytes()[..], b"FTPARTPL"].concat(),
        vec![
            0, 0, 0, 12, b'F', b'T', b'P', b'A', b'R', b'T', b'P', b'L', 1, 2, 3, 4,
        ],
        Vec::new(),
    ] {
        let answer = raw(&pool.host_port, &bytes);
        assert!(answer.len() < 4096, "a short refusal at most");
    }
    // A client that connects and says nothing does not hold the pool either.
    let _idle = TcpStream::connect(&pool.host_port).unwrap();
    let s = pool.status();
    assert_eq!(s["workers"].as_array().unwrap().len(), 2);
    pool.stop();
}

#[test]
fn a_client_killed_mid_run_cancels_it_and_queued_work_is_refused_at_stop() {
    let dir = tmp();
    let sh = shards(dir.path());
    // Each part job waits 1.5 s: long enough to act while it runs.
    let pool = Pool::start(dir.path(), &sh, &[("FTPART_TEST_JOB_DELAY_MS", "1500")]);
    let c = case();
    let (f, ct) = (c.join("features.json"), c.join("cutoff.csv"));
    let spawn = |out: &str| {
        Command::new(env!("CARGO_BIN_EXE_ftpart"))
            .args(compute_args(
                &pool.addr,
                f.to_str().unwrap(),
                ct.to_str().unwrap(),
                out,
            ))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let out1 = dir.path().join("a.csv");
    let mut first = spawn(out1.to_str().unwrap());
    let wait_for = |f: &dyn Fn(&serde_json::Value) -> bool| {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let s = pool.status();
            if f(&s) {
                return s;
            }
            assert!(Instant::now() < deadline, "waited too long: {s}");
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    wait_for(&|s| s["running"].is_object());
    first.kill().unwrap();
    first.wait().unwrap();
    let s = wait_for(&|s| s["running"].is_null());
    let h = s["history"].as_array().unwrap();
    assert_eq!(h.last().unwrap()["outcome"], "cancelled", "{s}");
    assert!(!out1.exists());
    // The pool is healthy: the next computation is right.
    let out2 = dir.path().join("b.csv");
    computes_right(&pool, &out2);
    // Two at once: one runs, one queues; stop cancels the first and refuses the second.
    let (o3, o4) = (dir.path().join("c.csv"), dir.path().join("d.csv"));
    let mut third = spawn(o3.to_str().unwrap());
    wait_for(&|s| s["running"].is_object());
    let mut fourth = spawn(o4.to_str().unwrap());
    wait_for(&|s| s["queued"].as_array().is_some_and(|q| q.len() == 1));
    pool.stop();
    for (child, needle) in [(&mut third, "stopping"), (&mut fourth, "stopping")] {
        let st = child.wait().unwrap();
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        assert!(!st.success());
        assert!(err.contains(needle), "{err}");
    }
    assert!(!o3.exists() && !o4.exists());
}

#[test]
fn a_worker_killed_mid_run_is_replaced_and_a_changed_shard_is_refused() {
    let dir = tmp();
    let sh = shards(dir.path());
    let pool = Pool::start(dir.path(), &sh, &[("FTPART_TEST_JOB_DELAY_MS", "700")]);
    let c = case();
    let (f, ct) = (c.join("features.json"), c.join("cutoff.csv"));
    let before = pool.status();
    let pids: Vec<i64> = before["workers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["pid"].as_i64().unwrap())
        .collect();
    let out = dir.path().join("a.csv");
    let mut child = Command::new(env!("CARGO_BIN_EXE_ftpart"))
        .args(compute_args(
            &pool.addr,
            f.to_str().unwrap(),
            ct.to_str().unwrap(),
            out.to_str().unwrap(),
        ))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pids[0] as i32),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    let st = child.wait().unwrap();
    assert!(st.success());
    compare_csv(
        &std::fs::read_to_string(&out).unwrap(),
        &c.join("expected.csv"),
    )
    .unwrap();
    let after = pool.status();
    let new_pids: Vec<i64> = after["workers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["pid"].as_i64().unwrap())
        .collect();
    assert!(!new_pids.contains(&pids[0]), "{after}");

    // A shard file changed on disk, the manifest not: refused by name, never stale.
    let m = ftpart_partitioner::Manifest::read(&sh).unwrap();
    for p in 0..3 {
        let file = m.table_path(&sh, p, "transactions").unwrap();
        let mut bytes = std::fs::read(&file).unwrap();
        let at = bytes.len() / 2;
        bytes[at] ^= 0x55;
        let tmp_file = file.with_extension("new");
        std::fs::write(&tmp_file, &bytes).unwrap();
        std::fs::rename(&tmp_file, &file).unwrap();
    }
    let out = dir.path().join("b.csv");
    let o = ftpart_at(
        &pool.state,
        &compute_args(
            &pool.addr,
            f.to_str().unwrap(),
            ct.to_str().unwrap(),
            out.to_str().unwrap(),
        ),
    );
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("changed since the split") && err.contains("transactions"),
        "{err}"
    );
    assert!(!out.exists());
    // Split again into the same directory: the pool loads the new parts.
    std::fs::remove_dir_all(&sh).unwrap();
    shards(dir.path());
    computes_right(&pool, &out);
    pool.stop();
}
