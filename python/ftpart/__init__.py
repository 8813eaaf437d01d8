"""ftpart: featuretools 1.31 feature matrices computed by ftpart (Rust), in memory.

Replace ``ft.calculate_feature_matrix(...)`` by ``ftpart.calculate_feature_matrix(...)`` (same
arguments, same DataFrame), ``ft.dfs(...)`` by ``ftpart.dfs(...)``, or call
``ftpart.patch_featuretools()`` to make featuretools' own functions compute with ftpart.
"""

from ._ftpart import FtpartError, __version__, find_worker_binary
from ._calculate import (
    DEFAULT_FALLBACK,
    FallbackWarning,
    NotSupportedError,
    calculate_feature_matrix,
)
from ._dfs import dfs
from ._patch import patch_featuretools, unpatch_featuretools

__all__ = [
    "DEFAULT_FALLBACK",
    "FallbackWarning",
    "FtpartError",
    "NotSupportedError",
    "__version__",
    "calculate_feature_matrix",
    "dfs",
    "find_worker_binary",
    "patch_featuretools",
    "unpatch_featuretools",
]
