//! Arguments shared by the commands that compute matrices.

use std::path::{Path, PathBuf};

use anyhow::Context;
use ftpart::calc::TimeOptions;
use ftpart::cutoff::{Cutoff, CutoffTable};
use ftpart::events::state::{RunState, SharedState};
use ftpart::events::{Events, Round, RunEvent, Stage};
use ftpart::matrix::MatrixOptions;
use ftpart::schema::EntitySetSchema;

/// Cutoff and time arguments, as `calculate_feature_matrix` takes them.
#[derive(Debug, clap::Args)]
pub struct TimeArgs {
    /// Cutoff times: a CSV or Parquet file with the instance id, `time`, then label columns;
    /// or a single date/time applied to every instance.
    #[arg(long, value_name = "FILE|TIME")]
    pub cutoff_time: Option<String>,
    /// Only use data within this span before each cutoff, e.g. "1 hour", "30 days".
    #[arg(long, value_name = "SPAN")]
    pub training_window: Option<String>,
    /// Whether data stamped exactly at the cutoff time is used.
    #[arg(long, value_name = "BOOL", default_value = "true", action = clap::ArgAction::Set)]
    pub include_cutoff_time: bool,
    /// Keep the cutoff time as a `time` column after the index.
    #[arg(long)]
    pub cutoff_time_in_index: bool,
}

impl TimeArgs {
    /// The matrix options.
    pub fn options(&self) -> anyhow::Result<MatrixOptions> {
        let training_window = match &self.training_window {
            Some(s) => Some(
                ftpart::time::parse_span(s)
                    .map_err(ftpart::Error::Invalid)
                    .context("--training-window")?,
            ),
            None => None,
        };
        Ok(MatrixOptions {
            time: TimeOptions {
                include_cutoff_time: self.include_cutoff_time,
                training_window,
            },
            cutoff_time_in_index: self.cutoff_time_in_index,
        })
    }

    /// The cutoff: a file when one exists at that path, else a single time.
    pub fn cutoff(&self, schema: &EntitySetSchema, target: usize) -> anyhow::Result<Cutoff> {
        let numeric = schema.numeric_time();
        if numeric && self.training_window.is_some() {
            // featuretools fails here too (`_check_timedelta` on a number).
            return Err(ftpart::Error::Invalid(
                "--training-window needs Datetime time indexes; this entity set's are numeric"
                    .into(),
            )
            .into());
        }
        let Some(c) = &self.cutoff_time else {
            return Ok(Cutoff::Now);
        };
        let path = PathBuf::from(c);
        if path.exists() {
            return Ok(Cutoff::Table(CutoffTable::read(
                &path,
                &schema.dataframes[target],
                numeric,
            )?));
        }
        Ok(Cutoff::parse_single(c, numeric)?)
    }
}

/// How many worker processes, and how they are supervised.
#[derive(Debug, clap::Args)]
pub struct JobArgs {
    /// Worker processes (default: the number of cores). 0 computes in this process.
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Times a part is retried after its worker crashed.
    #[arg(long, default_value_t = 2)]
    pub retries: u32,
    /// Address-space limit of each worker, e.g. 512M or 4G.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub worker_memory: Option<u64>,
    /// No progress bar and no summary.
    #[arg(long, short)]
    pub quiet: bool,
    /// Log every worker event.
    #[arg(long, short)]
    pub verbose: bool,
}

pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (num, mult) = match t.chars().last() {
        Some('K' | 'k') => (&t[..t.len() - 1], 1u64 << 10),
        Some('M' | 'm') => (&t[..t.len() - 1], 1 << 20),
        Some('G' | 'g') => (&t[..t.len() - 1], 1 << 30),
        _ => (t, 1),
    };
    num.trim()
        .parse::<f64>()
        .map(|n| (n * mult as f64) as u64)
        .map_err(|_| format!("'{s}' is not a size such as 512M or 4G"))
}

impl JobArgs {
    /// Number of worker processes.
    pub fn count(&self) -> usize {
        self.jobs.unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        })
    }

    /// The executor for these arguments.
    pub fn executor(&self, parts: usize) -> anyhow::Result<Box<dyn ftpart::compute::Executor>> {
        if self.jobs == Some(0) {
            return Ok(Box::new(ftpart::compute::InProcess::default()));
        }
        let interrupt =
            ftpart_worker::install_interrupt_handler().map_err(|e| anyhow::anyhow!("{e}"))?;
        let opts = ftpart::pool::WorkerPoolOptions {
            workers: self.count().min(parts.max(1)),
            retries: self.retries,
            memory_limit: self.worker_memory,
            program: None,
            interrupt: Some(interrupt),
            part_cache_bytes: 0,
        };
        Ok(Box::new(ftpart::pool::WorkerPool::start(opts)?))
    }

    /// Prints the per-worker summary.
    pub fn summary(&self, state: &RunState, seconds: f64) {
        if self.quiet {
            return;
        }
        eprintln!("computed in {seconds:.2} s");
        for (w, s) in &state.workers {
            eprintln!(
                "  worker {w}: {} parts, {:.2} s, peak memory {:.1} MB",
                s.parts,
                s.busy_seconds,
                s.peak_job_rss as f64 / 1048576.0
            );
        }
    }
}

/// The dashboard and the report.
#[derive(Debug, clap::Args)]
pub struct WatchArgs {
    /// Serve a live dashboard of the run at [ADDR:]PORT (ADDR defaults to 127.0.0.1; port 0
    /// picks a free one); its address is printed.
    #[arg(long, value_name = "[ADDR:]PORT", value_parser = ftpart::dashboard::parse_address)]
    pub dashboard: Option<std::net::SocketAddr>,
    /// Write an HTML report of the run to this file (also when the run fails).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
}

/// One run's event stream and its readers: the progress line, the verbose log, the state behind
/// the summary, the dashboard and the report, and the memory sampler that feeds the last two.
pub struct Watch {
    /// The run's events.
    pub events: Events,
    state: SharedState,
    sampler: Option<ftpart::events::memory::Sampler>,
    dashboard: Option<ftpart::dashboard::Dashboard>,
    report: Option<PathBuf>,
}

impl Watch {
    /// Subscribes the readers and starts the dashboard (printing its address).
    pub fn start(watch: &WatchArgs, jobs: &JobArgs) -> anyhow::Result<Watch> {
        let events = Events::new();
        let state = ftpart::events::state::follow(&events);
        if jobs.verbose {
            events.subscribe(|e| {
                if !matches!(e.event, RunEvent::Memory { .. }) {
                    eprintln!("{:8.3} {:?}", e.t, e.event);
                }
            });
        }
        let progress = Progress::new(jobs.quiet);
        if progress.on {
            let mut round = (Round::Matrix, 0.0, 0usize, 0usize);
            events.subscribe(move |e| match &e.event {
                RunEvent::RoundStarted { round: r, jobs } => round = (*r, e.t, 0, *jobs),
                RunEvent::JobFinished { .. } => {
                    let (r, start, done, jobs) = &mut round;
                    *done += 1;
                    let elapsed = e.t - *start;
                    let eta = elapsed / *done as f64 * jobs.saturating_sub(*done) as f64;
                    progress.message(&format!(
                        "{} {done}/{jobs}, {elapsed:.1} s, ETA {eta:.1} s",
                        r.label()
                    ));
                    if done == jobs {
                        progress.finish();
                    }
                }
                RunEvent::RunFinished { .. } => progress.finish(),
                _ => {}
            });
        }
        let observed = watch.dashboard.is_some() || watch.report.is_some();
        let sampler = observed.then(|| {
            ftpart::events::memory::Sampler::start(&events, std::time::Duration::from_millis(250))
        });
        let dashboard = match watch.dashboard {
            Some(addr) => {
                let d = ftpart::dashboard::Dashboard::start(addr, state.clone(), &events)?;
                eprintln!("ftpart: dashboard at {}", d.url());
                Some(d)
            }
            None => None,
        };
        Ok(Watch {
            events,
            state,
            sampler,
            dashboard,
            report: watch.report.clone(),
        })
    }

    /// Counts mappings of files under `dir` as shard memory.
    pub fn shards(&self, dir: &std::path::Path) {
        if let Some(s) = &self.sampler {
            s.watch_shards(dir);
        }
    }

    /// Ends the run: reports how it went (saying where it failed), writes the report, stops the
    /// dashboard. The run's own error comes first; a report that cannot be written fails a run
    /// that succeeded.
    pub fn finish<T>(self, outcome: anyhow::Result<(T, usize)>) -> anyhow::Result<T> {
        if let Some(s) = self.sampler {
            s.stop();
        }
        let error = outcome.as_ref().err().map(|e| {
            let at = self.state.lock().ok().and_then(|s| {
                let round = s.rounds.iter().rev().find(|r| r.end.is_none());
                let stage = s.stages.iter().rev().find(|st| st.end.is_none());
                match (round, stage) {
                    (Some(r), _) => Some(format!("in the round of {}", r.round.label())),
                    (None, Some(st)) => Some(format!(
                        "in the {} stage",
                        serde_json::to_value(st.stage)
                            .ok()
                            .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
                            .unwrap_or_default()
                    )),
                    _ => None,
                }
            });
            match at {
                Some(at) => format!("{at}: {}", super::message(e)),
                None => super::message(e),
            }
        });
        let rows = outcome.as_ref().map_or(0, |(_, rows)| *rows);
        self.events.emit(RunEvent::RunFinished { rows, error });
        let written = match &self.report {
            Some(path) => match self.state.lock() {
                Ok(s) => ftpart::dashboard::write_report(&s, path)
                    .with_context(|| format!("--report {}", path.display())),
                Err(_) => Err(anyhow::anyhow!(
                    "--report {}: the run's state is unreadable",
                    path.display()
                )),
            },
            None => Ok(()),
        };
        if let Some(d) = self.dashboard {
            d.stop();
        }
        match (outcome, written) {
            (Err(e), Err(w)) => {
                eprintln!("ftpart: error: {w:#}");
                Err(e)
            }
            (Err(e), Ok(())) => {
                if let Some(p) = &self.report {
                    eprintln!("ftpart: the report of the failed run is in {}", p.display());
                }
                Err(e)
            }
            (Ok(_), Err(w)) => Err(w),
            (Ok((v, _)), Ok(())) => Ok(v),
        }
    }

    /// The state the events built.
    pub fn state(&self) -> &SharedState {
        &self.state
    }
}

/// A one-line progress display on a terminal; silent otherwise or with --quiet.
pub struct Progress {
    /// Whether it draws.
    pub on: bool,
}

impl Progress {
    /// A progress line, shown only on a terminal and without `quiet`.
    pub fn new(quiet: bool) -> Self {
        use std::io::IsTerminal;
        Progress {
            on: !quiet && std::io::stderr().is_terminal(),
        }
    }
    /// Replaces the line.
    pub fn message(&self, m: &str) {
        if self.on {
            eprint!("\r\x1b[2K{m}");
        }
    }
    /// Clears the line.
    pub fn finish(&self) {
        if self.on {
            eprint!("\r\x1b[2K");
        }
    }
}

/// Computes the matrix from shards with the time and job arguments, writes it, prints the summary.
#[allow(clippy::too_many_arguments)]
pub fn compute_and_write(
    watch: &Watch,
    shards: &ftpart::shards::Shards,
    graph: &ftpart::features::FeatureGraph,
    features_path: &std::path::Path,
    time: &TimeArgs,
    jobs: &JobArgs,
    out: &std::path::Path,
    inputs: Vec<String>,
) -> anyhow::Result<usize> {
    use anyhow::Context;
    let opts = time.options()?;
    let target = shards
        .schema
        .position(graph.target())
        .ok_or_else(|| {
            ftpart::Error::Invalid(format!(
                "the features are for '{}', which the entity set does not have",
                graph.target()
            ))
        })
        .with_context(|| format!("features {}", features_path.display()))?;
    let cutoff = time.cutoff(&shards.schema, target)?;
    for w in ftpart::matrix::warnings(&shards.schema, graph, &opts) {
        eprintln!("ftpart: warning: {w}");
    }
    watch.shards(&shards.dir);
    let mut inputs = inputs;
    if let Some(c) = time.cutoff_time.as_ref().filter(|c| Path::new(c).exists()) {
        inputs.push(c.clone());
    }
    let start = std::time::Instant::now();
    let mut exec = jobs.executor(shards.parts())?;
    let events = &watch.events;
    events.emit(RunEvent::RunStarted {
        parts: shards.parts(),
        workers: exec.workers(),
        features: graph.output_names().len(),
        command: std::env::args().collect(),
        inputs,
        unix_ms: ftpart::events::unix_ms(),
    });
    let fm = ftpart::compute::compute_merged(shards, graph, &cutoff, &opts, exec.as_mut(), events)?;
    drop(exec);
    let seconds = start.elapsed().as_secs_f64();
    let rows = fm.num_rows();
    let types = ftpart::pandas::MatrixTypes::new(&shards.schema, graph, &cutoff, &opts);
    // The merge of the parts' matrices happens as the output is written.
    events.stage(Stage::Write, || {
        ftpart::matrix::write_merged(fm, out, &types)
    })?;
    if let Ok(st) = watch.state().lock() {
        jobs.summary(&st, seconds);
    }
    Ok(rows)
}
