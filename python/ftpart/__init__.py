"""ftpart: featuretools 1.31 feature matrices computed by ftpart (Rust), in memory.

Replace ``ft.calculate_feature_matrix(...)`` by ``ftpart.calculate_feature_matrix(...)`` (same
arguments, same DataFrame), ``ft.dfs(...)`` by ``ftpart.dfs(...)``, or call
``ftpart.patch_featuretools()`` to make featuretools' own functions compute with ftpart. The
command line's steps are here too: ``ftpart.split`` (shards on disk), ``ftpart.compute`` (a matrix
from shards) and ``ftpart.Pool`` (worker processes reused across calls).
"""

from ._ftpart import FtpartError, __version__, find_worker_binary
from ._calculate import (
    DEFAULT_FALLBACK,
    FallbackWarning,
    NotSupportedError,
    calculate_feature_matrix,
)
from ._dfs import dfs
from ._pool import Pool
from ._shards import compute, split
from ._patch import patch_featuretools, unpatch_featuretools

__all__ = [
    "DEFAULT_FALLBACK",
    "FallbackWarning",
    "FtpartError",
    "NotSupportedError",
    "Pool",
    "__version__",
    "calculate_feature_matrix",
    "compute",
    "dfs",
    "find_worker_binary",
    "patch_featuretools",
    "split",
    "unpatch_featuretools",
]
