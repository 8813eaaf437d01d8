//! Arguments shared by the commands that compute matrices.

use std::path::PathBuf;

use anyhow::Context;
use ftpart::calc::TimeOptions;
use ftpart::cutoff::{Cutoff, CutoffTable};
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
        let single = if numeric {
            c.trim()
                .parse::<f64>()
                .ok()
                .filter(|x| !x.is_nan())
                .map(ftpart::time::numeric_time_key)
        } else {
            ftpart::time::parse_datetime(c)
        };
        match single {
            Some(t) => Ok(Cutoff::At(t)),
            None => Err(ftpart::Error::Invalid(format!(
                "--cutoff-time '{c}' is neither an existing file nor a {}",
                if numeric { "number" } else { "date/time" }
            ))
            .into()),
        }
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

fn parse_size(s: &str) -> Result<u64, String> {
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

/// What the workers did, for the end-of-run summary.
#[derive(Debug, Default, Clone)]
pub struct WorkerStats {
    /// Per worker: parts, seconds, peak RSS bytes.
    pub workers: std::collections::BTreeMap<usize, (usize, f64, u64)>,
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

    /// The executor for these arguments; events go to the progress display and the summary.
    pub fn executor(
        &self,
        parts: usize,
        stats: std::sync::Arc<std::sync::Mutex<WorkerStats>>,
    ) -> anyhow::Result<Box<dyn ftpart::compute::Executor>> {
        if self.jobs == Some(0) {
            return Ok(Box::new(ftpart::compute::InProcess));
        }
        let interrupt =
            ftpart_worker::install_interrupt_handler().map_err(|e| anyhow::anyhow!("{e}"))?;
        let opts = ftpart::pool::WorkerPoolOptions {
            workers: self.count().min(parts.max(1)),
            retries: self.retries,
            memory_limit: self.worker_memory,
            program: None,
            interrupt: Some(interrupt),
        };
        let mut pool = ftpart::pool::WorkerPool::start(opts)?;
        // Each round (rows across parts, inputs at cutoffs, matrices) visits every part once.
        let round = std::sync::Arc::new(std::sync::Mutex::new((
            ftpart::compute::Round::Matrix,
            std::time::Instant::now(),
            0usize,
        )));
        let next = round.clone();
        pool.on_round(move |r| {
            if let Ok(mut g) = next.lock() {
                *g = (r, std::time::Instant::now(), 0);
            }
        });
        let progress = Progress::new(self.quiet);
        let verbose = self.verbose;
        pool.on_event(move |e| {
            use ftpart::compute::Round;
            use ftpart_worker::Event;
            if verbose {
                eprintln!("{e:?}");
            }
            let Event::JobFinished {
                worker, stats: s, ..
            } = e
            else {
                return;
            };
            let Ok(mut g) = round.lock() else {
                return;
            };
            let (r, start, done) = &mut *g;
            *done += 1;
            let elapsed = start.elapsed().as_secs_f64();
            let eta = elapsed / *done as f64 * (parts.saturating_sub(*done)) as f64;
            let what = match r {
                Round::OuterRows => "rows across parts",
                Round::OuterInputs => "inputs at cutoffs",
                Round::Matrix => "parts",
            };
            progress.message(&format!(
                "{what} {done}/{parts}, {elapsed:.1} s, ETA {eta:.1} s"
            ));
            if *done == parts {
                progress.finish();
            }
            if let Ok(mut st) = stats.lock() {
                let w = st.workers.entry(*worker).or_default();
                // Parts are counted once, in the matrix round; time and memory over all rounds.
                if *r == Round::Matrix {
                    w.0 += 1;
                }
                w.1 += s.seconds;
                w.2 = w.2.max(s.peak_rss_bytes);
            }
        });
        Ok(Box::new(pool))
    }

    /// Prints the per-worker summary.
    pub fn summary(&self, stats: &WorkerStats, seconds: f64) {
        if self.quiet {
            return;
        }
        eprintln!("computed in {seconds:.2} s");
        for (w, (parts, secs, rss)) in &stats.workers {
            eprintln!(
                "  worker {w}: {parts} parts, {secs:.2} s, peak memory {:.1} MB",
                *rss as f64 / 1048576.0
            );
        }
    }
}

/// A one-line progress display on a terminal; silent otherwise or with --quiet.
pub struct Progress {
    on: bool,
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
pub fn compute_and_write(
    shards: &ftpart::shards::Shards,
    graph: &ftpart::features::FeatureGraph,
    features_path: &std::path::Path,
    time: &TimeArgs,
    jobs: &JobArgs,
    out: &std::path::Path,
) -> anyhow::Result<()> {
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
    let stats = std::sync::Arc::new(std::sync::Mutex::new(WorkerStats::default()));
    let start = std::time::Instant::now();
    let mut exec = jobs.executor(shards.parts(), stats.clone())?;
    let fm = ftpart::compute::compute(shards, graph, &cutoff, &opts, exec.as_mut())?;
    drop(exec);
    let seconds = start.elapsed().as_secs_f64();
    let types = ftpart::pandas::MatrixTypes::new(&shards.schema, graph, &cutoff, &opts);
    ftpart::matrix::write_matrix(&fm, out, &types)?;
    if let Ok(st) = stats.lock() {
        jobs.summary(&st, seconds);
    }
    Ok(())
}
