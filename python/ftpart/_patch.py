"""``patch_featuretools``: featuretools' ``calculate_feature_matrix`` and ``dfs`` computed by ftpart."""

from __future__ import annotations

from typing import Any, Callable, Dict

_originals: Dict[str, Callable[..., Any]] = {}

# Where featuretools binds the two functions: the package, and the modules that import them by
# name (ft.dfs calls the calculate_feature_matrix bound in synthesis/dfs.py).
_SITES = {
    "calculate_feature_matrix": [
        "featuretools",
        "featuretools.computational_backends",
        "featuretools.computational_backends.calculate_feature_matrix",
        "featuretools.synthesis.dfs",
    ],
    "dfs": ["featuretools", "featuretools.synthesis", "featuretools.synthesis.dfs"],
}


def original(name: str) -> Callable[..., Any]:
    """featuretools' own function, patched or not."""
    if name in _originals:
        return _originals[name]
    if name == "calculate_feature_matrix":
        from featuretools.computational_backends.calculate_feature_matrix import (
            calculate_feature_matrix,
        )

        return calculate_feature_matrix
    from featuretools.synthesis.dfs import dfs

    return dfs


def _replacements() -> Dict[str, Callable[..., Any]]:
    from ._calculate import calculate_feature_matrix
    from ._dfs import dfs

    return {"calculate_feature_matrix": calculate_feature_matrix, "dfs": dfs}


def patch_featuretools() -> None:
    """Makes ``ft.calculate_feature_matrix`` and ``ft.dfs`` compute with ftpart.

    Calls ftpart does not support raise :class:`ftpart.NotSupportedError`, or fall back to
    featuretools with a warning when ``FTPART_FALLBACK=featuretools`` is set. Undo with
    :func:`unpatch_featuretools`.
    """
    import importlib

    for name, new in _replacements().items():
        if name not in _originals:
            _originals[name] = original(name)
        for mod in _SITES[name]:
            m = importlib.import_module(mod)
            if hasattr(m, name):
                setattr(m, name, new)


def unpatch_featuretools() -> None:
    """Restores featuretools' own ``calculate_feature_matrix`` and ``dfs``."""
    import importlib

    for name, old in list(_originals.items()):
        for mod in _SITES[name]:
            m = importlib.import_module(mod)
            if hasattr(m, name):
                setattr(m, name, old)
    _originals.clear()
