from os import PathLike
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

import pandas as pd

from ._ftpart import FtpartError as FtpartError
from ._ftpart import __version__ as __version__
from ._ftpart import find_worker_binary as find_worker_binary

DEFAULT_FALLBACK: str

class NotSupportedError(FtpartError): ...
class FallbackWarning(UserWarning): ...

def calculate_feature_matrix(
    features: List[Any],
    entityset: Any = None,
    cutoff_time: Any = None,
    instance_ids: Any = None,
    dataframes: Optional[dict] = None,
    relationships: Optional[list] = None,
    cutoff_time_in_index: bool = False,
    training_window: Any = None,
    approximate: Any = None,
    save_progress: Optional[str] = None,
    verbose: bool = False,
    chunk_size: Optional[Union[int, float]] = None,
    n_jobs: int = 1,
    dask_kwargs: Optional[dict] = None,
    progress_callback: Optional[Callable[[float, float, float], Any]] = None,
    include_cutoff_time: bool = True,
    *,
    fallback: Optional[str] = None,
    parts: Optional[int] = None,
) -> pd.DataFrame: ...
def dfs(
    dataframes: Optional[dict] = None,
    relationships: Optional[list] = None,
    entityset: Any = None,
    target_dataframe_name: Optional[str] = None,
    cutoff_time: Any = None,
    instance_ids: Any = None,
    agg_primitives: Any = None,
    trans_primitives: Any = None,
    groupby_trans_primitives: Any = None,
    allowed_paths: Any = None,
    max_depth: int = 2,
    ignore_dataframes: Any = None,
    ignore_columns: Any = None,
    primitive_options: Any = None,
    seed_features: Any = None,
    drop_contains: Any = None,
    drop_exact: Any = None,
    where_primitives: Any = None,
    max_features: int = -1,
    cutoff_time_in_index: bool = False,
    save_progress: Optional[str] = None,
    features_only: bool = False,
    training_window: Any = None,
    approximate: Any = None,
    chunk_size: Any = None,
    n_jobs: int = 1,
    dask_kwargs: Optional[dict] = None,
    verbose: bool = False,
    return_types: Any = None,
    progress_callback: Optional[Callable[[float, float, float], Any]] = None,
    include_cutoff_time: bool = True,
    *,
    fallback: Optional[str] = None,
    parts: Optional[int] = None,
) -> Union[Tuple[pd.DataFrame, List[Any]], List[Any]]: ...
def split(
    entityset_or_path: Any,
    by: str,
    parts: int,
    out: Union[str, PathLike[str]],
    *,
    force: bool = False,
    features: Optional[List[Any]] = None,
) -> str: ...
def compute(
    shards: Union[str, PathLike[str]],
    features: List[Any],
    cutoff_time: Any = None,
    *,
    n_jobs: int = 1,
    out: Optional[Union[str, PathLike[str]]] = None,
    training_window: Any = None,
    include_cutoff_time: bool = True,
    cutoff_time_in_index: bool = False,
    verbose: bool = False,
    progress_callback: Optional[Callable[[float, float, float], Any]] = None,
    pool: Optional[Pool] = None,
    dask: Optional[Any] = None,
) -> pd.DataFrame: ...

class Pool:
    def __init__(
        self, n_workers: Union[int, str] = 2, *, worker: Optional[str] = None, retries: int = 2
    ) -> None: ...
    @property
    def address(self) -> Optional[str]: ...
    def status(self) -> Dict[str, Any]: ...
    def stop(self) -> None: ...
    @property
    def n_workers(self) -> int: ...
    @property
    def pids(self) -> List[int]: ...
    @property
    def closed(self) -> bool: ...
    def close(self) -> None: ...
    def __enter__(self) -> Pool: ...
    def __exit__(self, *exc: Any) -> None: ...
    def calculate_feature_matrix(
        self, features: List[Any], entityset: Any = None, cutoff_time: Any = None, **kwargs: Any
    ) -> pd.DataFrame: ...
    def compute(
        self,
        shards: Optional[Union[str, PathLike[str]]] = None,
        features: Optional[List[Any]] = None,
        cutoff_time: Any = None,
        **kwargs: Any,
    ) -> pd.DataFrame: ...

def patch_featuretools() -> None: ...
def unpatch_featuretools() -> None: ...
