"""Type stubs of the extension module ``ftpart._ftpart`` (python/src/lib.rs)."""

from os import PathLike
from typing import Callable, Optional, Sequence, Tuple, Union

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
    progress: Optional[Callable[[str, int, int], None]] = None,
) -> pyarrow.RecordBatch:
    """The feature matrix as Arrow: the target index, the features' columns, then label columns.

    ``features_json``: ``ft.save_features(features)``; ``description_json``: the entity set's
    ``entityset_to_description``; ``data``: (dataframe name, batch) for every dataframe.
    Cutoff: ``cutoff_table`` (``instance_id``, ``time``), or one time (``cutoff_at_ns`` for
    datetimes, ``cutoff_at`` for numeric time indexes), or none (now). ``n_jobs`` > 1 splits into
    ``parts`` shards computed by that many ``worker`` processes (the ``ftpart`` executable).
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
