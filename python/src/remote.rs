//! `ftpart.Pool("ftpart://…")`: a client of a pool started by `ftpart serve`.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_pyarrow::PyArrowType;
use ftpart::pandas::MatrixTypes;
use ftpart::serve::wire::{ComputeRequest, CutoffSpec};
use ftpart::serve::{Address, Client};
use pyo3::prelude::*;

use super::{err, progress_fn, run_interruptible};

/// A pool reached by address.
#[pyclass(module = "ftpart._ftpart", name = "RemotePool")]
pub(crate) struct PyRemotePool {
    client: Client,
}

#[pymethods]
impl PyRemotePool {
    /// Connects (lazily: each request is a connection) to the pool at `address`
    /// (`ftpart://[TOKEN@]HOST:PORT`; None: `$FTPART_POOL`, else the local pool's state file).
    #[new]
    #[pyo3(signature = (address = None))]
    fn new(address: Option<&str>) -> PyResult<Self> {
        let addr = Address::resolve(address).map_err(err)?;
        Ok(PyRemotePool {
            client: Client::new(addr),
        })
    }

    /// `ftpart://HOST:PORT` (without the token).
    #[getter]
    fn address(&self) -> String {
        self.client.address().to_string()
    }

    /// The pool's status as JSON text (`ftpart pool status --json`).
    fn status(&self, py: Python<'_>) -> PyResult<String> {
        let c = self.client.clone();
        py.detach(move || c.status())
            .map(|v| v.to_string())
            .map_err(err)
    }

    /// Stops the pool and waits until its workers are gone.
    fn stop(&self, py: Python<'_>) -> PyResult<()> {
        let c = self.client.clone();
        py.detach(move || c.stop()).map_err(err)
    }

    /// Computes on the pool's shards (`shards`: which of them, when it serves several). The
    /// cutoff is a batch (instance id, time, labels), a time key, or nothing. Returns the matrix
    /// typed as featuretools types it; `out` also writes it to a file, as the command line does.
    #[pyo3(signature = (
        features_json,
        *,
        shards = None,
        cutoff_table = None,
        cutoff_at_ns = None,
        cutoff_at = None,
        training_window = None,
        include_cutoff_time = true,
        cutoff_time_in_index = false,
        out = None,
        progress = None,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn compute(
        &self,
        py: Python<'_>,
        features_json: String,
        shards: Option<PathBuf>,
        cutoff_table: Option<PyArrowType<RecordBatch>>,
        cutoff_at_ns: Option<i64>,
        cutoff_at: Option<f64>,
        training_window: Option<String>,
        include_cutoff_time: bool,
        cutoff_time_in_index: bool,
        out: Option<PathBuf>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<PyArrowType<RecordBatch>> {
        let graph = crate::parse_features(&features_json)?;
        let cutoff = match (cutoff_table, cutoff_at_ns, cutoff_at) {
            (Some(t), _, _) => CutoffSpec::Table {
                ipc: ftpart::compute::ipc_bytes(&t.0).map_err(err)?,
            },
            (None, Some(ns), _) => CutoffSpec::At(ns),
            (None, None, Some(x)) => CutoffSpec::Value(x.to_string()),
            (None, None, None) => CutoffSpec::Now,
        };
        let req = ComputeRequest {
            shards,
            features_json,
            cutoff,
            training_window,
            include_cutoff_time,
            cutoff_time_in_index,
            client: format!("python (pid {})", std::process::id()),
        };
        let client = self.client.clone();
        let interrupt = Arc::new(AtomicBool::new(false));
        let flag = interrupt.clone();
        let mut progress = progress_fn(progress);
        let typed = run_interruptible(py, interrupt, move || {
            let mut report = |round: &str, done: usize, total: usize| {
                if let Some(p) = progress.as_mut() {
                    p(round, done, total);
                }
            };
            let c = client.compute(req, &mut report, Some(&flag))?;
            let types = MatrixTypes::with_labels(&c.schema, &graph, c.labels, cutoff_time_in_index);
            if let Some(out) = &out {
                ftpart::matrix::write_matrix(&c.matrix, out, &types)?;
            }
            types.apply(&c.matrix)
        })?;
        Ok(PyArrowType(typed))
    }
}
