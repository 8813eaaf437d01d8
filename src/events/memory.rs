//! Memory samples of the run's processes: a thread reads `/proc/PID/status` (VmRSS, VmHWM) and
//! `/proc/PID/maps` (bytes of shard files mapped) of the coordinator and of every worker the event
//! stream announced, and emits [`RunEvent::Memory`] for each.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use super::{Events, RunEvent};

/// One process's memory, bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sample {
    /// Resident set size.
    pub rss: u64,
    /// Peak resident set size.
    pub peak: u64,
    /// Bytes of mapped files under the shard directory.
    pub shards: u64,
}

/// Reads `pid`'s memory; `None` when the process is gone or /proc cannot be read.
pub fn sample(pid: i32, shards: Option<&Path>) -> Option<Sample> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb = |key: &str| -> u64 {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse::<u64>().ok())
            .map_or(0, |k| k * 1024)
    };
    let mut s = Sample {
        rss: kb("VmRSS:"),
        peak: kb("VmHWM:"),
        shards: 0,
    };
    if let Some(dir) = shards {
        if let Ok(maps) = std::fs::read_to_string(format!("/proc/{pid}/maps")) {
            s.shards = mapped_under(&maps, dir);
        }
    }
    Some(s)
}

/// The machine's memory from `/proc/meminfo`: (total, available) bytes.
fn meminfo() -> Option<(u64, u64)> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let kb = |key: &str| -> Option<u64> {
        text.lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse::<u64>().ok())
            .map(|k| k * 1024)
    };
    Some((kb("MemTotal:")?, kb("MemAvailable:")?))
}

/// The machine's memory, bytes.
pub fn total_bytes() -> Option<u64> {
    meminfo().map(|(t, _)| t)
}

/// The fraction of the machine's memory available (`MemAvailable` / `MemTotal`).
pub fn available_fraction() -> Option<f64> {
    meminfo()
        .filter(|(t, _)| *t > 0)
        .map(|(t, a)| a as f64 / t as f64)
}

/// Bytes of the mappings in a `/proc/PID/maps` text whose file lies under `dir`.
fn mapped_under(maps: &str, dir: &Path) -> u64 {
    let dir = dir.to_string_lossy();
    maps.lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            let range = f.next()?;
            let path = f.nth(4)?;
            if !path.starts_with(dir.as_ref()) {
                return None;
            }
            let (a, b) = range.split_once('-')?;
            let a = u64::from_str_radix(a, 16).ok()?;
            let b = u64::from_str_radix(b, 16).ok()?;
            Some(b.saturating_sub(a))
        })
        .sum()
}

/// The sampling thread; stops when dropped.
#[derive(Debug)]
pub struct Sampler {
    stop: Arc<AtomicBool>,
    shards: Arc<Mutex<Option<PathBuf>>>,
    handle: Option<JoinHandle<()>>,
}

impl Sampler {
    /// Samples the coordinator and the workers announced on `events` every `every`.
    pub fn start(events: &Events, every: Duration) -> Sampler {
        let pids: Arc<Mutex<BTreeMap<usize, i32>>> = Arc::default();
        let p = pids.clone();
        events.subscribe(move |e| {
            let Ok(mut p) = p.lock() else { return };
            match &e.event {
                RunEvent::WorkerStarted { worker, pid } => {
                    p.insert(*worker, *pid);
                }
                RunEvent::WorkerCrashed { worker, .. } => {
                    p.remove(worker);
                }
                _ => {}
            }
        });
        let stop = Arc::new(AtomicBool::new(false));
        let shards: Arc<Mutex<Option<PathBuf>>> = Arc::default();
        let (events, s, dir) = (events.clone(), stop.clone(), shards.clone());
        let handle = std::thread::Builder::new()
            .name("ftpart-memory".into())
            .spawn(move || {
                let me = i32::try_from(std::process::id()).unwrap_or(i32::MAX);
                loop {
                    let dir = dir.lock().ok().and_then(|d| d.clone());
                    let workers: Vec<(usize, i32)> = pids
                        .lock()
                        .map(|p| p.iter().map(|(&w, &pid)| (w, pid)).collect())
                        .unwrap_or_default();
                    let all = std::iter::once((None, me))
                        .chain(workers.into_iter().map(|(w, pid)| (Some(w), pid)));
                    for (worker, pid) in all {
                        if let Some(m) = sample(pid, dir.as_deref()) {
                            events.emit(RunEvent::Memory {
                                worker,
                                pid,
                                rss_bytes: m.rss,
                                peak_bytes: m.peak,
                                shard_bytes: m.shards,
                            });
                        }
                    }
                    if s.load(Ordering::SeqCst) {
                        return;
                    }
                    std::thread::park_timeout(every);
                }
            })
            .ok();
        Sampler {
            stop,
            shards,
            handle,
        }
    }

    /// Counts mappings of files under `dir` as shard bytes.
    pub fn watch_shards(&self, dir: &Path) {
        let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        if let Ok(mut d) = self.shards.lock() {
            *d = Some(dir);
        }
    }

    /// Takes a last sample and stops.
    pub fn stop(mut self) {
        self.finish();
    }

    fn finish(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(h) = self.handle.take() {
            h.thread().unpark();
            let _ = h.join();
        }
    }
}

impl Drop for Sampler {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapped_bytes_count_only_files_under_the_directory() {
        let maps = "7f0000000000-7f0000001000 r--p 00000000 fd:00 12 /data/shards/part-0/a.arrow\n\
                    7f0000002000-7f0000004000 r--p 00000000 fd:00 13 /data/shards/part-1/b.arrow\n\
                    7f0000005000-7f0000006000 r-xp 00000000 fd:00 14 /usr/lib/libc.so.6\n\
                    7f0000007000-7f0000008000 rw-p 00000000 00:00 0 \n";
        assert_eq!(
            mapped_under(maps, Path::new("/data/shards")),
            0x1000 + 0x2000
        );
        assert_eq!(mapped_under(maps, Path::new("/elsewhere")), 0);
    }

    #[test]
    fn this_process_has_resident_memory() {
        let me = std::process::id() as i32;
        let s = sample(me, None).expect("own /proc");
        assert!(s.rss > 0 && s.peak >= s.rss, "{s:?}");
        assert!(sample(-1, None).is_none());
    }

    #[test]
    fn a_mapped_shard_file_counts_as_shard_bytes() {
        use arrow_array::{ArrayRef, Int64Array, RecordBatch};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.arrow");
        let col: ArrayRef = std::sync::Arc::new(Int64Array::from_iter_values(0..100_000));
        let batch = RecordBatch::try_from_iter([("x", col)]).unwrap();
        let file = std::fs::File::create(&path).unwrap();
        let mut w = arrow_ipc::writer::FileWriter::try_new(file, &batch.schema()).unwrap();
        w.write(&batch).unwrap();
        w.finish().unwrap();
        let me = std::process::id() as i32;
        let dir = dir.path().canonicalize().unwrap();
        let mapped = ftpart_worker::mmap::map_ipc_file(&path).unwrap();
        let s = sample(me, Some(&dir)).unwrap();
        assert!(s.shards >= 800_000, "{s:?}");
        drop(mapped);
    }
}
