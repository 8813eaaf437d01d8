//! `ftpart._ftpart`: the extension module behind the `ftpart` Python package.
//!
//! The Python layer (`python/ftpart/`) turns featuretools objects into what this module takes:
//! the features as `ft.save_features` JSON, the entity set's description
//! (`entityset_to_description`) as JSON, and each dataframe as a `pyarrow.RecordBatch`, which
//! crosses through the Arrow C data interface without a copy. The matrix comes back the same way,
//! in featuretools' column types with pyarrow's `pandas` metadata (`ftpart::pandas`); the Python
//! layer gives it featuretools' index and woodwork schema.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use arrow_array::RecordBatch;
use arrow_pyarrow::PyArrowType;
use ftpart::calc::TimeOptions;
use ftpart::compute::Executor;
use ftpart::cutoff::{Cutoff, CutoffTable};
use ftpart::features::FeatureGraph;
use ftpart::matrix::MatrixOptions;
use ftpart::pandas::MatrixTypes;
use ftpart::pool::{WorkerPool, WorkerPoolOptions};
use ftpart::schema::EntitySetSchema;
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyKeyboardInterrupt};
use pyo3::prelude::*;

mod dask;
mod pool;
mod remote;

create_exception!(
    _ftpart,
    FtpartError,
    PyException,
    "An error of ftpart's computation; the message names the dataframe, column, feature or part."
);

fn err(e: ftpart::Error) -> PyErr {
    match e {
        ftpart::Error::Interrupted => PyKeyboardInterrupt::new_err("ftpart: interrupted"),
        e => FtpartError::new_err(e.to_string()),
    }
}

fn invalid(m: impl Into<String>) -> PyErr {
    FtpartError::new_err(m.into())
}

/// The cutoff of a call: a table (`instance_id`, `time`), one time, or none (now).
struct CutoffArgs {
    table: Option<RecordBatch>,
    at: Option<f64>,
    at_ns: Option<i64>,
}

impl CutoffArgs {
    fn cutoff(&self, schema: &EntitySetSchema, target: &str) -> ftpart::Result<Cutoff> {
        let numeric = schema.numeric_time();
        if let Some(t) = &self.table {
            let df = schema.dataframe(target).ok_or_else(|| {
                ftpart::Error::Invalid(format!(
                    "the features are for '{target}', which the entity set does not have"
                ))
            })?;
            return Ok(Cutoff::Table(CutoffTable::from_batch(
                t,
                df,
                numeric,
                "DataFrame",
            )?));
        }
        Ok(match (self.at_ns, self.at) {
            (Some(ns), _) => Cutoff::At(ns),
            (None, Some(x)) if numeric => Cutoff::At(ftpart::time::numeric_time_key(x)),
            (None, Some(_)) => {
                return Err(ftpart::Error::Invalid(
                    "a numeric cutoff time was given for an entity set whose time indexes are datetimes"
                        .into(),
                ))
            }
            (None, None) => Cutoff::Now,
        })
    }
}

/// Who computes the parts: ftpart's in-process executor, `n_jobs` workers started for this call,
/// a persistent pool, or a Dask cluster.
struct Workers {
    n_jobs: usize,
    worker: Option<PathBuf>,
    pool: Option<pool::Shared>,
    dask: Option<DaskArgs>,
}

/// A Dask cluster's runner (`ftpart.dask.DaskExecutor`), and where splits of in-memory entity
/// sets are kept for its workers to read.
struct DaskArgs {
    runner: Py<PyAny>,
    shards_dir: Option<PathBuf>,
    workers: usize,
}

impl Workers {
    /// Computes the matrix of `shards`.
    fn compute(
        &self,
        shards: &ftpart::shards::Shards,
        features: &FeatureGraph,
        cutoff: &Cutoff,
        opts: &MatrixOptions,
        interrupt: Arc<AtomicBool>,
        progress: Option<ProgressFn>,
    ) -> ftpart::Result<RecordBatch> {
        let n_parts = shards.parts();
        let events = pool::progress_events(n_parts, progress);
        let compute = |exec: &mut dyn Executor| {
            ftpart::compute::compute_observed(shards, features, cutoff, opts, exec, &events)
        };
        if let Some(d) = &self.dask {
            let dir = std::fs::canonicalize(&shards.dir).map_err(|source| ftpart::Error::Io {
                path: shards.dir.clone(),
                source,
            })?;
            let runner = Python::attach(|py| d.runner.clone_ref(py));
            return compute(&mut dask::DaskExecutor::new(runner, dir, interrupt));
        }
        if let Some(shared) = &self.pool {
            let mut pool = shared.borrow()?;
            let fm = compute(&mut pool);
            let interrupted = matches!(fm, Err(ftpart::Error::Interrupted));
            shared.give_back(pool, interrupted);
            return fm;
        }
        if self.n_jobs <= 1 {
            let fm = compute(&mut ftpart::compute::InProcess::interruptible(interrupt));
            return fm;
        }
        let mut pool = WorkerPool::start(WorkerPoolOptions {
            workers: self.n_jobs.min(n_parts.max(1)),
            retries: 2,
            memory_limit: None,
            program: self.worker.clone(),
            interrupt: Some(interrupt),
            part_cache_bytes: 0,
        })?;
        let fm = compute(&mut pool);
        let down = pool.shutdown();
        let fm = fm?;
        down?;
        Ok(fm)
    }

    /// The parts to split into when the caller names none: 4 per worker.
    fn default_parts(&self) -> usize {
        let workers = match (&self.dask, &self.pool) {
            (Some(d), _) => d.workers,
            (None, Some(p)) => p.workers,
            (None, None) => self.n_jobs,
        };
        4 * workers.max(1)
    }

    fn in_process(&self) -> bool {
        self.pool.is_none() && self.dask.is_none() && self.n_jobs <= 1
    }
}

/// One `calculate_feature_matrix` request, owned so that it can run on a thread of its own while
/// the calling thread waits for Ctrl-C.
struct Request {
    features: FeatureGraph,
    schema: EntitySetSchema,
    data: Vec<(String, RecordBatch)>,
    cutoff: CutoffArgs,
    opts: MatrixOptions,
    parts: Option<usize>,
    workers: Workers,
}

/// Progress reported to Python: (round, parts done, parts in all).
type ProgressFn = Box<dyn FnMut(&str, usize, usize) + Send>;

impl Request {
    fn run(
        self,
        interrupt: Arc<AtomicBool>,
        mut progress: Option<ProgressFn>,
    ) -> ftpart::Result<RecordBatch> {
        let es = ftpart::entityset::entityset_from_batches(self.schema.clone(), {
            let mut d = self.data.clone();
            d.shrink_to_fit();
            d
        })?;
        let cutoff = self.cutoff.cutoff(&self.schema, self.features.target())?;
        let types = MatrixTypes::new(&self.schema, &self.features, &cutoff, &self.opts);
        if self.workers.in_process() {
            // Stopped by Ctrl-C before the next feature; the bar moves feature by feature.
            let mut report = |done: usize, total: usize| {
                if let Some(p) = progress.as_mut() {
                    p("features", done, total);
                }
            };
            // n_jobs=1: one process, as featuretools computes it, its features on every core
            // (`RAYON_NUM_THREADS` caps them), bit for bit the single-threaded matrix.
            let control = ftpart::calc::Control {
                interrupt: Some(interrupt.as_ref()),
                progress: Some(&mut report),
                threads: ftpart::calc::Threads::All,
            };
            let fm = ftpart::matrix::calculate_feature_matrix_with(
                &es,
                &self.features,
                &cutoff,
                &self.opts,
                control,
            )?;
            return types.apply(&fm);
        }
        let parts = self.parts.unwrap_or(self.workers.default_parts()).max(1);
        let target = self.features.target();
        // A Dask cluster's workers read a split kept by content, so that they keep its parts
        // loaded between calls on the same data; other workers read one for this call.
        let (shards, _dir) = match self
            .workers
            .dask
            .as_ref()
            .and_then(|d| d.shards_dir.as_ref())
        {
            Some(base) => (ftpart::run::split_kept(&es, target, parts, base)?, None),
            None => {
                let dir = temp_dir("ftpart-shards-")?;
                let out = dir.path().join("shards");
                (
                    ftpart::run::split_in_memory(&es, target, parts, &out)?,
                    Some(dir),
                )
            }
        };
        drop(es);
        let fm = self.workers.compute(
            &shards,
            &self.features,
            &cutoff,
            &self.opts,
            interrupt,
            progress,
        )?;
        types.apply(&fm)
    }
}

fn temp_dir(prefix: &str) -> ftpart::Result<tempfile::TempDir> {
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir()
        .map_err(|source| ftpart::Error::Io {
            path: std::env::temp_dir(),
            source,
        })
}

/// The feature list (`ft.save_features` JSON), the entity set description and the training
/// window of a call, read and checked.
fn parse_inputs(
    features_json: &str,
    description_json: &str,
    training_window: Option<&str>,
) -> PyResult<(FeatureGraph, EntitySetSchema, Option<ftpart::time::Span>)> {
    let features = parse_features(features_json)?;
    let dv: serde_json::Value = serde_json::from_str(description_json)
        .map_err(|e| invalid(format!("entity set description: not valid JSON: {e}")))?;
    let (schema, _) = EntitySetSchema::from_description(&dv)
        .map_err(|m| invalid(format!("entity set description: {m}")))?;
    Ok((features, schema, parse_window(training_window)?))
}

/// The feature list of `ft.save_features` JSON, read and checked.
pub(crate) fn parse_features(features_json: &str) -> PyResult<FeatureGraph> {
    let fv = FeatureGraph::parse(features_json).map_err(|e| invalid(format!("features: {e}")))?;
    FeatureGraph::from_json(&fv).map_err(err)
}

/// A training window's text ("1 hour"), read.
fn parse_window(training_window: Option<&str>) -> PyResult<Option<ftpart::time::Span>> {
    training_window
        .map(|s| ftpart::time::parse_span(s).map_err(|m| invalid(format!("training_window: {m}"))))
        .transpose()
}

/// Runs `f` on a thread of its own with the GIL released; a KeyboardInterrupt in the meantime sets
/// `interrupt` (which stops the worker processes, or the in-process calculation before its next
/// feature) and is raised once the computation has ended.
fn run_interruptible<T: Send + 'static>(
    py: Python<'_>,
    interrupt: Arc<AtomicBool>,
    f: impl FnOnce() -> ftpart::Result<T> + Send + 'static,
) -> PyResult<T> {
    let (tx, rx) = mpsc::channel();
    // A Mutex makes the receiver shareable with the GIL-free closures below.
    let rx = Mutex::new(rx);
    let recv = |d: Duration| match rx.lock() {
        Ok(r) => r.recv_timeout(d),
        Err(_) => Err(mpsc::RecvTimeoutError::Disconnected),
    };
    std::thread::Builder::new()
        .name("ftpart-compute".into())
        .spawn(move || {
            let _ = tx.send(f());
        })
        .map_err(|e| invalid(format!("cannot start the computation thread: {e}")))?;
    loop {
        match py.detach(|| recv(Duration::from_millis(50))) {
            Ok(r) => return r.map_err(err),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(invalid("the computation thread ended without an answer"))
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
        if let Err(e) = py.check_signals() {
            interrupt.store(true, Ordering::SeqCst);
            // The pool sees the flag and stops its workers; the in-process calculation stops
            // before its next feature. Either returns.
            let _ = py.detach(|| recv(Duration::from_secs(30)));
            return Err(e);
        }
    }
}

fn progress_fn(progress: Option<Py<PyAny>>) -> Option<ProgressFn> {
    progress.map(|cb| {
        Box::new(move |what: &str, done: usize, total: usize| {
            Python::attach(|py| {
                if let Err(e) = cb.call1(py, (what, done, total)) {
                    e.write_unraisable(py, None);
                }
            })
        }) as ProgressFn
    })
}

fn workers(
    n_jobs: usize,
    worker: Option<PathBuf>,
    pool: Option<PyRef<'_, pool::PyWorkerPool>>,
    dask: Option<Bound<'_, PyAny>>,
    shards_dir: Option<PathBuf>,
) -> PyResult<(Workers, Arc<AtomicBool>)> {
    let dask = match dask {
        Some(runner) => Some(DaskArgs {
            workers: runner.call_method0("n_workers")?.extract()?,
            runner: runner.unbind(),
            shards_dir,
        }),
        None => None,
    };
    let pool = pool.map(|p| p.shared.clone());
    if let Some(p) = &pool {
        p.begin();
    }
    // A persistent pool's workers watch the flag they were started with.
    let interrupt = pool
        .as_ref()
        .map_or_else(|| Arc::new(AtomicBool::new(false)), |p| p.interrupt.clone());
    Ok((
        Workers {
            n_jobs,
            worker,
            pool,
            dask,
        },
        interrupt,
    ))
}

fn matrix_options(
    include_cutoff_time: bool,
    cutoff_time_in_index: bool,
    training_window: Option<ftpart::time::Span>,
) -> MatrixOptions {
    MatrixOptions {
        time: TimeOptions {
            include_cutoff_time,
            training_window,
        },
        cutoff_time_in_index,
    }
}

/// Computes a feature matrix. See `ftpart/_ftpart.pyi`.
#[pyfunction]
#[pyo3(signature = (
    features_json,
    description_json,
    data,
    *,
    cutoff_table = None,
    cutoff_at = None,
    cutoff_at_ns = None,
    training_window = None,
    include_cutoff_time = true,
    cutoff_time_in_index = false,
    n_jobs = 1,
    parts = None,
    worker = None,
    pool = None,
    dask = None,
    shards_dir = None,
    progress = None,
))]
#[allow(clippy::too_many_arguments)]
fn calculate_feature_matrix(
    py: Python<'_>,
    features_json: &str,
    description_json: &str,
    data: Vec<(String, PyArrowType<RecordBatch>)>,
    cutoff_table: Option<PyArrowType<RecordBatch>>,
    cutoff_at: Option<f64>,
    cutoff_at_ns: Option<i64>,
    training_window: Option<&str>,
    include_cutoff_time: bool,
    cutoff_time_in_index: bool,
    n_jobs: usize,
    parts: Option<usize>,
    worker: Option<PathBuf>,
    pool: Option<PyRef<'_, pool::PyWorkerPool>>,
    dask: Option<Bound<'_, PyAny>>,
    shards_dir: Option<PathBuf>,
    progress: Option<Py<PyAny>>,
) -> PyResult<PyArrowType<RecordBatch>> {
    let (features, schema, training_window) =
        parse_inputs(features_json, description_json, training_window)?;
    let (workers, interrupt) = workers(n_jobs, worker, pool, dask, shards_dir)?;
    let req = Request {
        features,
        schema,
        data: data.into_iter().map(|(n, b)| (n, b.0)).collect(),
        cutoff: CutoffArgs {
            table: cutoff_table.map(|b| b.0),
            at: cutoff_at,
            at_ns: cutoff_at_ns,
        },
        opts: matrix_options(include_cutoff_time, cutoff_time_in_index, training_window),
        parts,
        workers,
    };
    let progress = progress_fn(progress);
    let flag = interrupt.clone();
    let fm = run_interruptible(py, interrupt, move || req.run(flag, progress))?;
    Ok(PyArrowType(fm))
}

/// Computes a feature matrix from a shard directory (`ftpart compute`). See `ftpart/_ftpart.pyi`.
#[pyfunction]
#[pyo3(signature = (
    shards,
    features_json,
    *,
    cutoff_table = None,
    cutoff_at = None,
    cutoff_at_ns = None,
    training_window = None,
    include_cutoff_time = true,
    cutoff_time_in_index = false,
    n_jobs = 1,
    worker = None,
    pool = None,
    dask = None,
    out = None,
    progress = None,
))]
#[allow(clippy::too_many_arguments)]
fn compute(
    py: Python<'_>,
    shards: PathBuf,
    features_json: &str,
    cutoff_table: Option<PyArrowType<RecordBatch>>,
    cutoff_at: Option<f64>,
    cutoff_at_ns: Option<i64>,
    training_window: Option<&str>,
    include_cutoff_time: bool,
    cutoff_time_in_index: bool,
    n_jobs: usize,
    worker: Option<PathBuf>,
    pool: Option<PyRef<'_, pool::PyWorkerPool>>,
    dask: Option<Bound<'_, PyAny>>,
    out: Option<PathBuf>,
    progress: Option<Py<PyAny>>,
) -> PyResult<PyArrowType<RecordBatch>> {
    let features = parse_features(features_json)?;
    let training_window = parse_window(training_window)?;
    let opts = matrix_options(include_cutoff_time, cutoff_time_in_index, training_window);
    let cutoff = CutoffArgs {
        table: cutoff_table.map(|b| b.0),
        at: cutoff_at,
        at_ns: cutoff_at_ns,
    };
    let (workers, interrupt) = workers(n_jobs, worker, pool, dask, None)?;
    let progress = progress_fn(progress);
    let flag = interrupt.clone();
    let fm = run_interruptible(py, interrupt, move || {
        let shards = ftpart::shards::Shards::open(&shards)?;
        let cutoff = cutoff.cutoff(&shards.schema, features.target())?;
        let types = MatrixTypes::new(&shards.schema, &features, &cutoff, &opts);
        let fm = workers.compute(&shards, &features, &cutoff, &opts, flag, progress)?;
        if let Some(out) = &out {
            ftpart::matrix::write_matrix(&fm, out, &types)?;
        }
        types.apply(&fm)
    })?;
    Ok(PyArrowType(fm))
}

/// Splits an entity set into shards (`ftpart split`): a featuretools entity set directory
/// (`es_dir`), or the description and batches of one in memory; with `features_json`, only the
/// columns those features need (`ftpart split --features`). See `ftpart/_ftpart.pyi`.
#[pyfunction]
#[pyo3(signature = (by, parts, out, *, es_dir = None, description_json = None, data = None, force = false, features_json = None))]
#[allow(clippy::too_many_arguments)]
fn split(
    py: Python<'_>,
    by: String,
    parts: usize,
    out: PathBuf,
    es_dir: Option<PathBuf>,
    description_json: Option<&str>,
    data: Option<Vec<(String, PyArrowType<RecordBatch>)>>,
    force: bool,
    features_json: Option<&str>,
) -> PyResult<usize> {
    if parts == 0 {
        return Err(invalid("split: parts must be at least 1"));
    }
    let opts = ftpart::shards::SplitEntitySet {
        by,
        parts,
        out,
        force,
        durable: true,
    };
    let graph = features_json.map(parse_features).transpose()?;
    let given = graph.as_ref().map(|g| {
        format!(
            "ftpart.split(features=...) ({} features of '{}')",
            g.requested.len(),
            g.target()
        )
    });
    let only = graph
        .as_ref()
        .zip(given.as_deref())
        .map(|(graph, given)| ftpart::shards::SplitFor::kept(graph, given));
    let summary = match (es_dir, description_json, data) {
        (Some(dir), None, None) => py
            .detach(|| ftpart::shards::split_entityset_for(&dir, &opts, only, &mut |_| {}))
            .map_err(err)?,
        (None, Some(description), Some(data)) => {
            let dv: serde_json::Value = serde_json::from_str(description)
                .map_err(|e| invalid(format!("entity set description: not valid JSON: {e}")))?;
            let (schema, _) = EntitySetSchema::from_description(&dv)
                .map_err(|m| invalid(format!("entity set description: {m}")))?;
            let data: Vec<(String, RecordBatch)> =
                data.into_iter().map(|(n, b)| (n, b.0)).collect();
            py.detach(|| {
                let es = ftpart::entityset::entityset_from_batches(schema, data)?;
                ftpart::run::split_entityset_in_memory(&es, &opts, only)
            })
            .map_err(err)?
        }
        _ => {
            return Err(invalid(
                "split: give es_dir, or description_json and data (not both)",
            ))
        }
    };
    Ok(summary.manifest.parts.len())
}

/// featuretools' warnings for these features and options ("Using training_window but
/// last_time_index is not set for dataframe X"), which the Python layer raises as UserWarning.
#[pyfunction]
#[pyo3(signature = (features_json, description_json, training_window = None))]
fn matrix_warnings(
    features_json: &str,
    description_json: &str,
    training_window: Option<&str>,
) -> PyResult<Vec<String>> {
    let (features, schema, training_window) =
        parse_inputs(features_json, description_json, training_window)?;
    let opts = MatrixOptions {
        time: TimeOptions {
            include_cutoff_time: true,
            training_window,
        },
        cutoff_time_in_index: false,
    };
    Ok(ftpart::matrix::warnings(&schema, &features, &opts))
}

/// The `ftpart` executable worker processes run: `$FTPART_BIN`, next to this program, or on
/// `PATH`; an error when there is none.
#[pyfunction]
fn find_worker_binary() -> PyResult<PathBuf> {
    ftpart::pool::find_worker_binary().map_err(err)
}

#[pymodule]
fn _ftpart(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("FtpartError", m.py().get_type::<FtpartError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(calculate_feature_matrix, m)?)?;
    m.add_function(wrap_pyfunction!(compute, m)?)?;
    m.add_function(wrap_pyfunction!(split, m)?)?;
    m.add_class::<pool::PyWorkerPool>()?;
    m.add_class::<remote::PyRemotePool>()?;
    m.add_function(wrap_pyfunction!(find_worker_binary, m)?)?;
    m.add_function(wrap_pyfunction!(matrix_warnings, m)?)?;
    m.add_function(wrap_pyfunction!(dask::run_part_job, m)?)?;
    m.add_function(wrap_pyfunction!(dask::part_cache_stats, m)?)?;
    m.add_function(wrap_pyfunction!(dask::clear_part_cache, m)?)?;
    Ok(())
}
