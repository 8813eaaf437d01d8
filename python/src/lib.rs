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
use ftpart::compute::{Executor, Round};
use ftpart::cutoff::{Cutoff, CutoffTable};
use ftpart::features::FeatureGraph;
use ftpart::matrix::MatrixOptions;
use ftpart::pandas::MatrixTypes;
use ftpart::pool::{WorkerPool, WorkerPoolOptions};
use ftpart::schema::EntitySetSchema;
use ftpart_worker::Event;
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyKeyboardInterrupt};
use pyo3::prelude::*;

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

/// One `calculate_feature_matrix` request, owned so that it can run on a thread of its own while
/// the calling thread waits for Ctrl-C.
struct Request {
    features: FeatureGraph,
    schema: EntitySetSchema,
    data: Vec<(String, RecordBatch)>,
    cutoff_table: Option<RecordBatch>,
    cutoff_at: Option<f64>,
    cutoff_at_ns: Option<i64>,
    opts: MatrixOptions,
    n_jobs: usize,
    parts: Option<usize>,
    worker: Option<PathBuf>,
}

/// Progress reported to Python: (round, parts done, parts in all).
type ProgressFn = Box<dyn FnMut(&str, usize, usize) + Send>;

impl Request {
    fn cutoff(&self, es: &ftpart::entityset::EntitySet) -> ftpart::Result<Cutoff> {
        let numeric = es.schema.numeric_time();
        if let Some(t) = &self.cutoff_table {
            let target = es.df_position(self.features.target())?;
            return Ok(Cutoff::Table(CutoffTable::from_batch(
                t,
                &es.schema.dataframes[target],
                numeric,
                "DataFrame",
            )?));
        }
        Ok(match (self.cutoff_at_ns, self.cutoff_at) {
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
        let cutoff = self.cutoff(&es)?;
        let types = MatrixTypes::new(&self.schema, &self.features, &cutoff, &self.opts);
        if self.n_jobs <= 1 {
            let fm =
                ftpart::matrix::calculate_feature_matrix(&es, &self.features, &cutoff, &self.opts)?;
            if let Some(p) = progress.as_mut() {
                p("parts", 1, 1);
            }
            return types.apply(&fm);
        }
        let parts = self.parts.unwrap_or(4 * self.n_jobs).max(1);
        let dir = tempfile::Builder::new()
            .prefix("ftpart-shards-")
            .tempdir()
            .map_err(|source| ftpart::Error::Io {
                path: std::env::temp_dir(),
                source,
            })?;
        let shards = ftpart::run::split_in_memory(
            &es,
            self.features.target(),
            parts,
            &dir.path().join("shards"),
        )?;
        drop(es);
        let n_parts = shards.parts();
        let mut pool = WorkerPool::start(WorkerPoolOptions {
            workers: self.n_jobs.min(n_parts.max(1)),
            retries: 2,
            memory_limit: None,
            program: self.worker.clone(),
            interrupt: Some(interrupt),
        })?;
        if let Some(mut p) = progress {
            let round = Arc::new(Mutex::new(("parts", 0usize)));
            let next = round.clone();
            pool.on_round(move |r| {
                if let Ok(mut g) = next.lock() {
                    *g = (
                        match r {
                            Round::OuterRows => "rows across parts",
                            Round::OuterInputs => "inputs at cutoffs",
                            Round::Matrix => "parts",
                        },
                        0,
                    );
                }
            });
            pool.on_event(move |e| {
                if let Event::JobFinished { .. } = e {
                    if let Ok(mut g) = round.lock() {
                        g.1 += 1;
                        p(g.0, g.1, n_parts);
                    }
                }
            });
        }
        let exec: &mut dyn Executor = &mut pool;
        let fm = ftpart::compute::compute(&shards, &self.features, &cutoff, &self.opts, exec);
        let down = pool.shutdown();
        let fm = fm?;
        down?;
        types.apply(&fm)
    }
}

/// The feature list (`ft.save_features` JSON), the entity set description and the training
/// window of a call, read and checked.
fn parse_inputs(
    features_json: &str,
    description_json: &str,
    training_window: Option<&str>,
) -> PyResult<(FeatureGraph, EntitySetSchema, Option<ftpart::time::Span>)> {
    let fv: serde_json::Value = serde_json::from_str(features_json)
        .map_err(|e| invalid(format!("features: not valid JSON: {e}")))?;
    let features = FeatureGraph::from_json(&fv).map_err(err)?;
    let dv: serde_json::Value = serde_json::from_str(description_json)
        .map_err(|e| invalid(format!("entity set description: not valid JSON: {e}")))?;
    let (schema, _) = EntitySetSchema::from_description(&dv)
        .map_err(|m| invalid(format!("entity set description: {m}")))?;
    let training_window = match training_window {
        Some(s) => Some(
            ftpart::time::parse_span(s).map_err(|m| invalid(format!("training_window: {m}")))?,
        ),
        None => None,
    };
    Ok((features, schema, training_window))
}

/// Runs `f` on a thread of its own with the GIL released; a KeyboardInterrupt in the meantime sets
/// `interrupt` (which stops the worker processes) and is raised once the computation has ended.
/// In one process the computation cannot be stopped half-way: the interrupt is raised at once and
/// the thread finishes in the background.
fn run_interruptible<T: Send + 'static>(
    py: Python<'_>,
    interrupt: Arc<AtomicBool>,
    in_process: bool,
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
            if !in_process {
                // The pool sees the flag, stops its workers and returns.
                let _ = py.detach(|| recv(Duration::from_secs(30)));
            }
            return Err(e);
        }
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
    progress: Option<Py<PyAny>>,
) -> PyResult<PyArrowType<RecordBatch>> {
    let (features, schema, training_window) =
        parse_inputs(features_json, description_json, training_window)?;
    let req = Request {
        features,
        schema,
        data: data.into_iter().map(|(n, b)| (n, b.0)).collect(),
        cutoff_table: cutoff_table.map(|b| b.0),
        cutoff_at,
        cutoff_at_ns,
        opts: MatrixOptions {
            time: TimeOptions {
                include_cutoff_time,
                training_window,
            },
            cutoff_time_in_index,
        },
        n_jobs,
        parts,
        worker,
    };
    let progress: Option<ProgressFn> = progress.map(|cb| {
        Box::new(move |what: &str, done: usize, total: usize| {
            Python::attach(|py| {
                if let Err(e) = cb.call1(py, (what, done, total)) {
                    e.write_unraisable(py, None);
                }
            })
        }) as ProgressFn
    });
    let interrupt = Arc::new(AtomicBool::new(false));
    let flag = interrupt.clone();
    let in_process = n_jobs <= 1;
    let fm = run_interruptible(py, interrupt, in_process, move || req.run(flag, progress))?;
    Ok(PyArrowType(fm))
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
    m.add_function(wrap_pyfunction!(find_worker_binary, m)?)?;
    m.add_function(wrap_pyfunction!(matrix_warnings, m)?)?;
    Ok(())
}
