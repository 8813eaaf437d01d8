"""Type stubs of the extension module ``ftpart._ftpart`` (python/src/lib.rs)."""

from os import PathLike
from typing import Any, Callable, Optional, Sequence, Tuple, Union

import pyarrow

__version__: str

class FtpartError(Exception):
    """An error of ftpart's computation; the message names the dataframe, column, feature or part."""

def calculate_feature_matrix(
    features_json: str,
    description_json: str,
    data: Sequence[Tuple[str, pyarrow.RecordBatch]],
    *,
    cutoff_table: Optional[pyarrow.RecordBatch] = None,
    cutoff_at: Optional[float] = None,
    cutoff_at_ns: Optional[int] = None,
    training_window: Optional[str] = None,
    include_cutoff_time: bool = True,
    cutoff_time_in_index: bool = False,
    n_jobs: int = 1,
    parts: Optional[int] = None,
    worker: Optional[Union[str, PathLike[str]]] = None,
    pool: Optional[WorkerPool] = None,
    dask: Optional[Any] = None,
    shards_dir: Optional[Union[str, PathLike[str]]] = None,
    progress: Optional[Callable[[str, int, int], None]] = None,
) -> pyarrow.RecordBatch:
    """The feature matrix as Arrow: the target index, the features' columns, then label columns,
    in featuretools' dtypes with pyarrow's ``pandas`` metadata.

    ``features_json``: ``ft.save_features(features)``; ``description_json``: the entity set's
    ``entityset_to_description``; ``data``: (dataframe name, batch) for every dataframe.
    Cutoff: ``cutoff_table`` (``instance_id``, ``time``), or one time (``cutoff_at_ns`` for
    datetimes, ``cutoff_at`` for numeric time indexes), or none (now). ``n_jobs`` > 1 splits into
    ``parts`` shards computed by that many ``worker`` processes (the ``ftpart`` executable), or
    by ``pool``'s workers, or as tasks of ``dask`` (an ``ftpart.dask.DaskExecutor``) on a split
    kept in ``shards_dir`` by the data's content.
    ``progress(round, parts_done, parts)`` is called as parts finish. The GIL is released while
    Rust computes; Ctrl-C stops the workers and raises KeyboardInterrupt.
    """

def find_worker_binary() -> str:
    """The ``ftpart`` executable for worker processes (``$FTPART_BIN``, next to the program, ``PATH``)."""

def matrix_warnings(
    features_json: str, description_json: str, training_window: Optional[str] = None
) -> list[str]:
    """featuretools' warnings for these options ("Using training_window but last_time_index is
    not set for dataframe X")."""

class WorkerPool:
    """ftpart worker processes started once and reused by every call given this pool."""

    def __init__(
        self,
        workers: int,
        worker: Optional[Union[str, PathLike[str]]] = None,
        retries: int = 2,
    ) -> None: ...
    @property
    def workers(self) -> int: ...
    @property
    def closed(self) -> bool: ...
    def pids(self) -> list[int]:
        """Process ids of the workers; FtpartError once closed."""
    def close(self) -> None:
        """Stops the workers; closing twice is fine."""

def compute(
    shards: Union[str, PathLike[str]],
    features_json: str,
    *,
    cutoff_table: Optional[pyarrow.RecordBatch] = None,
    cutoff_at: Optional[float] = None,
    cutoff_at_ns: Optional[int] = None,
    training_window: Optional[str] = None,
    include_cutoff_time: bool = True,
    cutoff_time_in_index: bool = False,
    n_jobs: int = 1,
    worker: Optional[Union[str, PathLike[str]]] = None,
    pool: Optional[WorkerPool] = None,
    dask: Optional[Any] = None,
    out: Optional[Union[str, PathLike[str]]] = None,
    progress: Optional[Callable[[str, int, int], None]] = None,
) -> pyarrow.RecordBatch:
    """The feature matrix of a shard directory (``ftpart compute``), typed as
    :func:`calculate_feature_matrix`'s; ``out`` also writes it (.csv, .parquet, .arrow)."""

def split(
    by: str,
    parts: int,
    out: Union[str, PathLike[str]],
    *,
    es_dir: Optional[Union[str, PathLike[str]]] = None,
    description_json: Optional[str] = None,
    data: Optional[Sequence[Tuple[str, pyarrow.RecordBatch]]] = None,
    force: bool = False,
    features_json: Optional[str] = None,
) -> int:
    """Splits an entity set directory (``es_dir``) or one in memory (``description_json`` and
    ``data``) into ``parts`` shards under ``out``, with only the columns the features of
    ``features_json`` (``ft.save_features``) need when it is given; returns the number of parts
    written."""

def run_part_job(payload: bytes) -> Tuple[str, Union[bytes, str], Optional[int]]:
    """One part job in this process (a Dask worker), on the part this process keeps loaded:
    ``("ok", result, loaded_bytes_or_None)`` or ``("input" | "failure", message, None)``."""

def part_cache_stats() -> dict:
    """This process's part cache: loads, hits, reloads, evictions, parts held."""

def clear_part_cache() -> None:
    """Drops every part this process's cache holds."""

class RemotePool:
    """A client of a pool started by ``ftpart serve`` (``ftpart://[TOKEN@]HOST:PORT``; None:
    ``$FTPART_POOL``, else the pool recorded on this machine)."""

    def __init__(self, address: Optional[str] = None) -> None: ...
    @property
    def address(self) -> str: ...
    def status(self) -> str: ...
    def stop(self) -> None: ...
    def compute(
        self,
        features_json: str,
        *,
        shards: Optional[str] = None,
        cutoff_table: Any = None,
        cutoff_at_ns: Optional[int] = None,
        cutoff_at: Optional[float] = None,
        training_window: Optional[str] = None,
        include_cutoff_time: bool = True,
        cutoff_time_in_index: bool = False,
        out: Optional[str] = None,
        progress: Optional[Callable[[str, int, int], None]] = None,
    ) -> Any: ...
