//! The run as the event stream tells it so far: workers, part jobs, rounds, stages, memory. The
//! dashboard serves it, the report writes it, the end summary reads it. Built only from
//! [`RunEvent`]s, so it is the same whatever executed the parts.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use serde_json::{json, Value};

use super::{Events, Round, RunEvent, Stage, Stamped};

/// Points of memory history kept per process before the history halves its resolution.
const HISTORY_POINTS: usize = 1000;

/// What the run was started with.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Info {
    /// Parts.
    pub parts: usize,
    /// Worker processes (0: in this process).
    pub workers: usize,
    /// Feature columns.
    pub features: usize,
    /// The command line.
    pub command: Vec<String>,
    /// Inputs.
    pub inputs: Vec<String>,
    /// Start, milliseconds since the Unix epoch.
    pub unix_ms: u64,
}

/// How a part job attempt ended (or that it has not yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// On its worker.
    Running,
    /// Its result arrived.
    Done,
    /// Its worker crashed while running it.
    Crashed,
    /// It failed the run.
    Failed,
}

/// One attempt of one part job.
#[derive(Debug, Clone, Serialize)]
pub struct Task {
    /// Index in [`RunState::tasks`].
    pub id: usize,
    /// Round.
    pub round: Round,
    /// Part.
    pub part: usize,
    /// Worker slot.
    pub worker: usize,
    /// Attempt, counting from 1.
    pub attempt: u32,
    /// Start, seconds since the run began.
    pub start: f64,
    /// End.
    pub end: Option<f64>,
    /// State.
    pub status: TaskStatus,
    /// Peak resident memory of the worker during the job, bytes.
    pub peak_rss: u64,
    /// Version of the last change (for deltas).
    pub seq: u64,
}

/// Memory over time, at most [`HISTORY_POINTS`] points: when full, every other point goes and
/// only every other later sample is kept.
#[derive(Debug, Clone, Default, Serialize)]
pub struct History {
    /// (seconds, RSS bytes).
    pub points: Vec<(f64, u64)>,
    #[serde(skip)]
    stride: usize,
    #[serde(skip)]
    count: usize,
}

impl History {
    fn push(&mut self, t: f64, rss: u64) {
        self.stride = self.stride.max(1);
        // Keep one sample in `stride`.
        self.count += 1;
        if self.count < self.stride {
            return;
        }
        self.count = 0;
        if self.points.len() >= HISTORY_POINTS {
            self.points = self.points.iter().step_by(2).copied().collect();
            self.stride *= 2;
        }
        self.points.push((t, rss));
    }
}

/// A process's memory.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Memory {
    /// Pid.
    pub pid: i32,
    /// Resident set size, bytes.
    pub rss: u64,
    /// Peak resident set size, bytes.
    pub peak: u64,
    /// Shard bytes mapped.
    pub shards: u64,
    /// RSS over time.
    pub history: History,
}

/// A worker slot.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Worker {
    /// Slot.
    pub worker: usize,
    /// `idle`, `busy` or `crashed`.
    pub state: &'static str,
    /// The (round, part) it runs.
    pub current: Option<(Round, usize)>,
    /// Memory of its current process.
    pub memory: Memory,
    /// Parts it computed in the matrix round.
    pub parts: usize,
    /// Seconds of all its jobs.
    pub busy_seconds: f64,
    /// Largest peak memory of one of its jobs, bytes.
    pub peak_job_rss: u64,
    /// Pids it had (a replacement takes the slot of the worker it replaces).
    pub pids: Vec<i32>,
    /// Parts it loaded from disk (workers that keep parts loaded between jobs).
    pub loads: usize,
    /// Jobs that found their part loaded already.
    pub reuses: usize,
}

/// A round.
#[derive(Debug, Clone, Serialize)]
pub struct RoundState {
    /// Which.
    pub round: Round,
    /// Jobs.
    pub jobs: usize,
    /// Jobs done.
    pub done: usize,
    /// Start, seconds.
    pub start: f64,
    /// End.
    pub end: Option<f64>,
}

/// A coordinator stage.
#[derive(Debug, Clone, Serialize)]
pub struct StageState {
    /// Which.
    pub stage: Stage,
    /// Start.
    pub start: f64,
    /// End.
    pub end: Option<f64>,
}

/// A worker crash, a retry or a failure.
#[derive(Debug, Clone, Serialize)]
pub struct Incident {
    /// When.
    pub t: f64,
    /// `crashed`, `retried` or `failed`.
    pub kind: &'static str,
    /// Round of the part job, when one was concerned.
    pub round: Option<Round>,
    /// Part.
    pub part: Option<usize>,
    /// Worker slot.
    pub worker: Option<usize>,
    /// What happened.
    pub message: String,
}

/// How the run ended.
#[derive(Debug, Clone, Serialize)]
pub struct Finished {
    /// When.
    pub t: f64,
    /// Matrix rows.
    pub rows: usize,
    /// Where it failed.
    pub error: Option<String>,
}

/// The run so far.
#[derive(Debug, Default, Serialize)]
pub struct RunState {
    /// What it was started with.
    pub info: Info,
    /// Seconds of the last event.
    pub t: f64,
    /// Its end.
    pub finished: Option<Finished>,
    /// Rounds in order.
    pub rounds: Vec<RoundState>,
    /// Stages in order.
    pub stages: Vec<StageState>,
    /// Worker slots.
    pub workers: BTreeMap<usize, Worker>,
    /// The coordinator's memory.
    pub coordinator: Memory,
    /// Every part job attempt.
    pub tasks: Vec<Task>,
    /// Crashes, retries and failures.
    pub incidents: Vec<Incident>,
    /// Largest sum of the sampled RSS of the coordinator and its live workers, bytes.
    pub tree_peak_rss: u64,
    /// Version counter: each change of a task takes the next value.
    pub seq: u64,
    #[serde(skip)]
    open: HashMap<(Round, usize), usize>,
    #[serde(skip)]
    attempts: HashMap<(Round, usize), u32>,
    #[serde(skip)]
    live_rss: BTreeMap<i32, u64>,
}

/// A shared [`RunState`] fed by an event sink.
pub type SharedState = Arc<Mutex<RunState>>;

/// Subscribes a new state to `events`.
pub fn follow(events: &Events) -> SharedState {
    let state: SharedState = Arc::default();
    let s = state.clone();
    events.subscribe(move |e| {
        if let Ok(mut s) = s.lock() {
            s.apply(e);
        }
    });
    state
}

impl RunState {
    fn round_mut(&mut self, round: Round) -> Option<&mut RoundState> {
        self.rounds.iter_mut().rev().find(|r| r.round == round)
    }

    fn touch(&mut self, task: usize) {
        self.seq += 1;
        self.tasks[task].seq = self.seq;
    }

    /// Ends the open attempt of (round, part) with `status`; returns its index.
    fn close(&mut self, round: Round, part: usize, status: TaskStatus, t: f64) -> Option<usize> {
        let i = self.open.remove(&(round, part))?;
        self.tasks[i].status = status;
        self.tasks[i].end = Some(t);
        self.touch(i);
        Some(i)
    }

    fn worker_mut(&mut self, worker: usize) -> &mut Worker {
        self.workers.entry(worker).or_insert_with(|| Worker {
            worker,
            state: "idle",
            ..Default::default()
        })
    }

    /// Takes in one event.
    pub fn apply(&mut self, e: &Stamped) {
        let t = e.t;
        self.t = self.t.max(t);
        match &e.event {
            RunEvent::RunStarted {
                parts,
                workers,
                features,
                command,
                inputs,
                unix_ms,
            } => {
                self.info = Info {
                    parts: *parts,
                    workers: *workers,
                    features: *features,
                    command: command.clone(),
                    inputs: inputs.clone(),
                    unix_ms: *unix_ms,
                }
            }
            RunEvent::RoundStarted { round, jobs } => self.rounds.push(RoundState {
                round: *round,
                jobs: *jobs,
                done: 0,
                start: t,
                end: None,
            }),
            RunEvent::RoundFinished { round } => {
                if let Some(r) = self.round_mut(*round) {
                    r.end = Some(t);
                }
            }
            RunEvent::JobQueued { .. } | RunEvent::JobProgress { .. } => {}
            RunEvent::PartLoaded { worker, reused, .. } => {
                let w = self.worker_mut(*worker);
                if *reused {
                    w.reuses += 1;
                } else {
                    w.loads += 1;
                }
            }
            RunEvent::JobStarted {
                round,
                part,
                worker,
            } => {
                let attempt = self.attempts.entry((*round, *part)).or_insert(0);
                *attempt += 1;
                let id = self.tasks.len();
                self.tasks.push(Task {
                    id,
                    round: *round,
                    part: *part,
                    worker: *worker,
                    attempt: *attempt,
                    start: t,
                    end: None,
                    status: TaskStatus::Running,
                    peak_rss: 0,
                    seq: 0,
                });
                self.touch(id);
                self.open.insert((*round, *part), id);
                let w = self.worker_mut(*worker);
                w.state = "busy";
                w.current = Some((*round, *part));
            }
            RunEvent::JobFinished {
                round,
                part,
                worker,
                seconds,
                peak_rss_bytes,
                ..
            } => {
                if let Some(i) = self.close(*round, *part, TaskStatus::Done, t) {
                    self.tasks[i].peak_rss = *peak_rss_bytes;
                }
                if let Some(r) = self.round_mut(*round) {
                    r.done += 1;
                }
                let w = self.worker_mut(*worker);
                w.state = "idle";
                w.current = None;
                if *round == Round::Matrix {
                    w.parts += 1;
                }
                w.busy_seconds += seconds;
                w.peak_job_rss = w.peak_job_rss.max(*peak_rss_bytes);
            }
            RunEvent::JobFailed {
                round,
                part,
                worker,
                message,
            } => {
                let closed = self.close(*round, *part, TaskStatus::Failed, t);
                let worker = worker.or(closed.map(|i| self.tasks[i].worker));
                if let Some(w) = worker {
                    let w = self.worker_mut(w);
                    w.state = "idle";
                    w.current = None;
                }
                self.incidents.push(Incident {
                    t,
                    kind: "failed",
                    round: Some(*round),
                    part: Some(*part),
                    worker,
                    message: message.clone(),
                });
            }
            RunEvent::JobRetried {
                round,
                part,
                attempt,
            } => self.incidents.push(Incident {
                t,
                kind: "retried",
                round: Some(*round),
                part: Some(*part),
                worker: None,
                message: format!("attempt {attempt}"),
            }),
            RunEvent::WorkerStarted { worker, pid } => {
                let w = self.worker_mut(*worker);
                w.state = "idle";
                w.current = None;
                if w.pids.last() != Some(pid) {
                    w.memory.pid = *pid;
                    w.memory.rss = 0;
                    w.pids.push(*pid);
                }
            }
            RunEvent::WorkerCrashed { worker, part, end } => {
                let running = self.workers.get(worker).and_then(|w| w.current);
                if let Some((round, p)) = running {
                    self.close(round, p, TaskStatus::Crashed, t);
                }
                let w = self.worker_mut(*worker);
                w.state = "crashed";
                w.current = None;
                let pid = w.memory.pid;
                self.live_rss.remove(&pid);
                self.incidents.push(Incident {
                    t,
                    kind: "crashed",
                    round: running.map(|r| r.0),
                    part: *part,
                    worker: Some(*worker),
                    message: end.clone(),
                });
            }
            RunEvent::StageStarted { stage } => self.stages.push(StageState {
                stage: *stage,
                start: t,
                end: None,
            }),
            RunEvent::StageFinished { stage } => {
                if let Some(s) = self
                    .stages
                    .iter_mut()
                    .rev()
                    .find(|s| s.stage == *stage && s.end.is_none())
                {
                    s.end = Some(t);
                }
            }
            RunEvent::Memory {
                worker,
                pid,
                rss_bytes,
                peak_bytes,
                shard_bytes,
            } => {
                let m = match worker {
                    None => &mut self.coordinator,
                    Some(w) => match self.workers.get_mut(w) {
                        Some(w) if w.memory.pid == *pid => &mut w.memory,
                        _ => return,
                    },
                };
                m.pid = *pid;
                m.rss = *rss_bytes;
                m.peak = *peak_bytes;
                m.shards = *shard_bytes;
                m.history.push(t, *rss_bytes);
                self.live_rss.insert(*pid, *rss_bytes);
                self.tree_peak_rss = self.tree_peak_rss.max(self.live_rss.values().sum());
            }
            RunEvent::RunFinished { rows, error } => {
                for w in self.workers.values_mut() {
                    if w.state == "busy" {
                        w.state = "idle";
                        w.current = None;
                    }
                }
                self.finished = Some(Finished {
                    t,
                    rows: *rows,
                    error: error.clone(),
                })
            }
        }
    }

    /// Jobs finished, over all rounds.
    pub fn jobs_done(&self) -> usize {
        self.rounds.iter().map(|r| r.done).sum()
    }

    /// Retries so far.
    pub fn retries(&self) -> usize {
        self.incidents
            .iter()
            .filter(|i| i.kind == "retried")
            .count()
    }

    /// `/json/run`: everything but the workers, with the tasks changed after version `since`
    /// (at most `limit`, oldest change first; `seq` says up to which version they go).
    pub fn run_json(&self, since: u64, limit: usize, now: f64) -> Value {
        let mut changed: Vec<&Task> = self.tasks.iter().filter(|t| t.seq > since).collect();
        changed.sort_by_key(|t| t.seq);
        changed.truncate(limit);
        let seq = changed.last().map_or(since.max(self.seq), |t| t.seq);
        let more = changed.len() == limit && seq < self.seq;
        json!({
            "info": self.info,
            "t": if self.finished.is_some() { self.t } else { now },
            "finished": self.finished,
            "rounds": self.rounds,
            "stages": self.stages,
            "incidents": self.incidents,
            "totals": self.totals(),
            "tasks": changed,
            "seq": seq,
            "more": more,
            "coordinator": memory_json(&self.coordinator, 0),
        })
    }

    /// `/json/workers`: each worker now, with its last `history` memory points.
    pub fn workers_json(&self, history: usize) -> Value {
        let workers: Vec<Value> = self
            .workers
            .values()
            .map(|w| {
                json!({
                    "worker": w.worker,
                    "pid": w.memory.pid,
                    "state": w.state,
                    "current": w.current.map(|(r, p)| json!({"round": r, "part": p})),
                    "memory": memory_json(&w.memory, history),
                    "parts": w.parts,
                    "busy_seconds": w.busy_seconds,
                    "peak_job_rss": w.peak_job_rss,
                    "pids": w.pids,
                })
            })
            .collect();
        json!({ "workers": workers, "coordinator": memory_json(&self.coordinator, history) })
    }

    /// Totals so far.
    pub fn totals(&self) -> Value {
        let running = self
            .tasks
            .iter()
            .filter(|t| t.status == TaskStatus::Running)
            .count();
        json!({
            "jobs": self.rounds.iter().map(|r| r.jobs).sum::<usize>(),
            "jobs_done": self.jobs_done(),
            "jobs_running": running,
            "attempts": self.tasks.len(),
            "retries": self.retries(),
            "crashes": self.incidents.iter().filter(|i| i.kind == "crashed").count(),
            "failures": self.incidents.iter().filter(|i| i.kind == "failed").count(),
            "tree_peak_rss": self.tree_peak_rss,
            "rss_now": self.live_rss.values().sum::<u64>(),
        })
    }

    /// Prometheus text exposition of the run's counters and gauges.
    pub fn metrics(&self, now: f64) -> String {
        use std::fmt::Write;
        let mut m = String::new();
        let mut metric = |name: &str, kind: &str, help: &str, rows: Vec<(String, f64)>| {
            let _ = writeln!(
                m,
                "# HELP ftpart_{name} {help}\n# TYPE ftpart_{name} {kind}"
            );
            for (labels, v) in rows {
                let _ = writeln!(m, "ftpart_{name}{labels} {v}");
            }
        };
        let one = |v: f64| vec![(String::new(), v)];
        metric(
            "parts",
            "gauge",
            "Parts of the run.",
            one(self.info.parts as f64),
        );
        metric(
            "elapsed_seconds",
            "gauge",
            "Seconds since the run began.",
            one(if self.finished.is_some() { self.t } else { now }),
        );
        metric(
            "finished",
            "gauge",
            "1 once the run has ended.",
            one(f64::from(u8::from(self.finished.is_some()))),
        );
        let rounds = |f: &dyn Fn(&RoundState) -> f64| {
            self.rounds
                .iter()
                .map(|r| {
                    let name = serde_json::to_value(r.round).unwrap_or_default();
                    (
                        format!("{{round=\"{}\"}}", name.as_str().unwrap_or("")),
                        f(r),
                    )
                })
                .collect()
        };
        metric(
            "jobs",
            "gauge",
            "Part jobs of each round.",
            rounds(&|r| r.jobs as f64),
        );
        metric(
            "jobs_finished_total",
            "counter",
            "Part jobs finished in each round.",
            rounds(&|r| r.done as f64),
        );
        let count = |kind: &str| self.incidents.iter().filter(|i| i.kind == kind).count() as f64;
        metric(
            "retries_total",
            "counter",
            "Part jobs retried after their worker crashed.",
            one(count("retried")),
        );
        metric(
            "worker_crashes_total",
            "counter",
            "Worker processes that ended unexpectedly.",
            one(count("crashed")),
        );
        metric(
            "job_failures_total",
            "counter",
            "Part jobs that failed.",
            one(count("failed")),
        );
        let per_worker = |f: &dyn Fn(&Memory) -> u64| {
            let mut rows = vec![(
                format!(
                    "{{worker=\"coordinator\",pid=\"{}\"}}",
                    self.coordinator.pid
                ),
                f(&self.coordinator) as f64,
            )];
            rows.extend(self.workers.values().map(|w| {
                (
                    format!("{{worker=\"{}\",pid=\"{}\"}}", w.worker, w.memory.pid),
                    f(&w.memory) as f64,
                )
            }));
            rows
        };
        metric(
            "rss_bytes",
            "gauge",
            "Resident set size of each process.",
            per_worker(&|m| m.rss),
        );
        metric(
            "peak_rss_bytes",
            "gauge",
            "Peak resident set size of each process.",
            per_worker(&|m| m.peak),
        );
        metric(
            "shard_mapped_bytes",
            "gauge",
            "Bytes of shard files each process has mapped.",
            per_worker(&|m| m.shards),
        );
        metric(
            "tree_peak_rss_bytes",
            "gauge",
            "Largest sampled sum of the RSS of the coordinator and its workers.",
            one(self.tree_peak_rss as f64),
        );
        m
    }
}

fn memory_json(m: &Memory, history: usize) -> Value {
    let h = &m.history.points;
    json!({
        "pid": m.pid,
        "rss": m.rss,
        "peak": m.peak,
        "shards": m.shards,
        "history": &h[h.len().saturating_sub(history)..],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(t: f64, event: RunEvent) -> Stamped {
        Stamped { t, event }
    }

    #[test]
    fn a_crashed_attempt_and_its_retry_are_two_tasks() {
        let mut s = RunState::default();
        let round = Round::Matrix;
        for e in [
            at(0.0, RunEvent::WorkerStarted { worker: 0, pid: 10 }),
            at(0.0, RunEvent::RoundStarted { round, jobs: 1 }),
            at(
                0.1,
                RunEvent::JobStarted {
                    round,
                    part: 0,
                    worker: 0,
                },
            ),
            at(
                0.2,
                RunEvent::WorkerCrashed {
                    worker: 0,
                    part: Some(0),
                    end: "killed by SIGKILL".into(),
                },
            ),
            at(
                0.2,
                RunEvent::JobRetried {
                    round,
                    part: 0,
                    attempt: 2,
                },
            ),
            at(0.3, RunEvent::WorkerStarted { worker: 0, pid: 11 }),
            at(
                0.3,
                RunEvent::JobStarted {
                    round,
                    part: 0,
                    worker: 0,
                },
            ),
            at(
                0.5,
                RunEvent::JobFinished {
                    round,
                    part: 0,
                    worker: 0,
                    seconds: 0.2,
                    peak_rss_bytes: 5,
                    output_bytes: 1,
                },
            ),
        ] {
            s.apply(&e);
        }
        let st: Vec<(TaskStatus, u32)> = s.tasks.iter().map(|t| (t.status, t.attempt)).collect();
        assert_eq!(st, [(TaskStatus::Crashed, 1), (TaskStatus::Done, 2)]);
        assert_eq!(s.retries(), 1);
        assert_eq!(s.workers[&0].pids, [10, 11]);
        assert_eq!(s.workers[&0].parts, 1);
        // Deltas: after the first change (the first attempt started) both attempts changed; after
        // the first attempt's crash only the second.
        assert_eq!(s.run_json(1, 10, 1.0)["tasks"].as_array().unwrap().len(), 2);
        let crashed = s.tasks[0].seq;
        let d = s.run_json(crashed, 10, 1.0);
        assert_eq!(d["tasks"].as_array().unwrap().len(), 1);
        assert_eq!(d["seq"], s.seq);
        let d = s.run_json(s.seq, 10, 1.0);
        assert!(d["tasks"].as_array().unwrap().is_empty());
        let m = s.metrics(1.0);
        assert!(m.contains("ftpart_retries_total 1\n"), "{m}");
        assert!(
            m.contains("ftpart_jobs_finished_total{round=\"matrix\"} 1\n"),
            "{m}"
        );
    }

    #[test]
    fn history_keeps_a_bounded_number_of_points() {
        let mut h = History::default();
        for i in 0..10 * HISTORY_POINTS {
            h.push(i as f64, i as u64);
        }
        assert!(h.points.len() <= HISTORY_POINTS, "{}", h.points.len());
        assert!(h.points.len() >= HISTORY_POINTS / 4);
        assert!(h.points.windows(2).all(|w| w[0].0 < w[1].0));
    }
}
