"""``ftpart.calculate_feature_matrix``: featuretools' call, computed by ftpart.

The featuretools objects stay in memory: the features cross as ``ft.save_features`` JSON, the
entity set as its description (``entityset_to_description``) and one ``pyarrow.RecordBatch`` per
dataframe (Arrow C data interface: numeric columns are not copied). The matrix comes back as Arrow
and gets the index, column order, dtypes and woodwork schema that featuretools'
``calculate_feature_matrix`` gives it: the dtypes from Rust (``ftpart::pandas``, the same types
the Parquet and Arrow files hold), the woodwork schema from featuretools' own helpers
(``computational_backends/utils.py::get_ww_types_from_features``, and the nullable types of
``calculate_feature_matrix.py::init_ww_and_concat_fm``).
"""

from __future__ import annotations

import json
import os
import time as _time
import warnings
from datetime import datetime
from typing import Any, Callable, Optional

import numpy as np
import pandas as pd
import pyarrow as pa

from . import _ftpart

FtpartError = _ftpart.FtpartError

#: What ``fallback`` defaults to: ``"error"`` (raise :class:`NotSupportedError`). The other value,
#: ``"featuretools"``, warns and lets featuretools compute the matrix instead.
DEFAULT_FALLBACK = "error"

PBAR_FORMAT = "Elapsed: {elapsed} | Progress: {l_bar}{bar}"
FEATURE_CALCULATION_PERCENTAGE = 0.95


class NotSupportedError(FtpartError):
    """A parameter, primitive or input ftpart does not compute; the message names it."""


class FallbackWarning(UserWarning):
    """ftpart handed a call to featuretools (``fallback="featuretools"``); the message says why."""


def _ft():
    import featuretools as ft

    return ft


def _original_calculate_feature_matrix():
    from . import _patch

    return _patch.original("calculate_feature_matrix")


def calculate_feature_matrix(
    features,
    entityset=None,
    cutoff_time=None,
    instance_ids=None,
    dataframes=None,
    relationships=None,
    cutoff_time_in_index=False,
    training_window=None,
    approximate=None,
    save_progress=None,
    verbose=False,
    chunk_size=None,
    n_jobs=1,
    dask_kwargs=None,
    progress_callback=None,
    include_cutoff_time=True,
    *,
    fallback: Optional[str] = None,
    parts: Optional[int] = None,
):
    """featuretools' ``calculate_feature_matrix``, computed by ftpart.

    Same arguments and result as ``featuretools.calculate_feature_matrix`` (1.31). ``n_jobs=1``
    computes in this process; ``n_jobs > 1`` (``-1``: every core) splits the entity set into
    ``parts`` shards (default ``4 * n_jobs``) and computes them on ftpart worker processes.

    ``dask_kwargs={"cluster": pool}`` with an :class:`ftpart.Pool` computes on that pool's
    workers (started once, reused across calls); ``{"cluster": "ftpart://HOST:PORT"}`` on a pool
    started by ``ftpart serve``. A Dask cluster (a ``distributed.Client``, a cluster object, or a
    scheduler address such as ``"tcp://HOST:8786"``) runs each part as a Dask task
    (:mod:`ftpart.dask`); ``dask_kwargs["shards_dir"]`` names a directory all its workers read,
    where the entity set's shards are kept by content between calls.

    ``dask_kwargs`` without a ``"cluster"`` (featuretools' options for the LocalCluster it would
    start, such as ``diagnostics_port``) are ignored with a warning: ftpart's own ``n_jobs``
    workers compute.

    What ftpart does not compute (``approximate``, ``save_progress``, ``chunk_size``, a
    primitive ftpart does not implement) raises :class:`NotSupportedError`
    naming it, unless ``fallback="featuretools"``: then a :class:`FallbackWarning` says why and
    featuretools computes the matrix. The default is :data:`DEFAULT_FALLBACK` (``"error"``), or
    the ``FTPART_FALLBACK`` environment variable.
    """
    args = dict(
        features=features,
        entityset=entityset,
        cutoff_time=cutoff_time,
        instance_ids=instance_ids,
        dataframes=dataframes,
        relationships=relationships,
        cutoff_time_in_index=cutoff_time_in_index,
        training_window=training_window,
        approximate=approximate,
        save_progress=save_progress,
        verbose=verbose,
        chunk_size=chunk_size,
        n_jobs=n_jobs,
        dask_kwargs=dask_kwargs,
        progress_callback=progress_callback,
        include_cutoff_time=include_cutoff_time,
    )
    fallback = fallback or os.environ.get("FTPART_FALLBACK") or DEFAULT_FALLBACK
    if fallback not in ("error", "featuretools"):
        raise ValueError(f"fallback must be 'error' or 'featuretools', not {fallback!r}")
    try:
        return _calculate(parts=parts, **args)
    except FtpartError as e:
        # NotSupportedError names a parameter or primitive; any other FtpartError is ftpart's
        # computation refusing an input (a feature, a column) with the message naming it.
        if fallback != "featuretools":
            raise
        warnings.warn(
            f"ftpart: computing with featuretools instead: {e}", FallbackWarning, stacklevel=2
        )
        return _original_calculate_feature_matrix()(**args)


def _unsupported(what: str) -> NotSupportedError:
    return NotSupportedError(f"{what} is not supported by ftpart")


def _check_supported(approximate, save_progress, chunk_size, dask_kwargs):
    """Refuses what ftpart does not do; returns where ``dask_kwargs={"cluster": ...}`` computes:
    an ftpart :class:`~ftpart.Pool` (or one by ``ftpart://`` address), a
    :class:`ftpart.dask.DaskExecutor` (a Dask client, cluster object or scheduler address), or
    None."""
    if approximate is not None:
        raise _unsupported("approximate")
    if save_progress is not None:
        raise _unsupported("save_progress")
    if chunk_size is not None:
        raise _unsupported("chunk_size (ftpart chooses its parts, see the `parts` argument)")
    if dask_kwargs is None:
        return None
    from ._pool import Pool

    if not isinstance(dask_kwargs, dict):
        raise TypeError(f"dask_kwargs must be a dict, not {type(dask_kwargs).__name__}")
    if "cluster" not in dask_kwargs:
        # featuretools starts a LocalCluster of n_jobs workers with these keys; ftpart's own
        # worker processes are that cluster here.
        warnings.warn(
            f"dask_kwargs {sorted(dask_kwargs)} without a 'cluster' configure the Dask LocalCluster "
            "featuretools would start; ftpart computes on its own n_jobs worker processes instead "
            "and ignores them (pass {'cluster': client_or_address} for an existing Dask cluster)"
        )
        return None
    cluster = dask_kwargs["cluster"]
    others = set(dask_kwargs) - {"cluster", "shards_dir"}
    if isinstance(cluster, str) and cluster.startswith("ftpart://"):
        cluster = Pool(cluster)
    if isinstance(cluster, Pool):
        if others or "shards_dir" in dask_kwargs:
            raise NotSupportedError(
                f"dask_kwargs {sorted(set(dask_kwargs) - {'cluster'})}: an ftpart.Pool takes "
                "only 'cluster'"
            )
        return cluster
    if others:
        # featuretools reads the other keys only to start a cluster of its own.
        warnings.warn(
            f"dask_kwargs {sorted(others)} are ignored with a 'cluster' (as featuretools does)"
        )
    from .dask import DaskExecutor

    if isinstance(cluster, DaskExecutor):
        return cluster
    return DaskExecutor(cluster, dask_kwargs.get("shards_dir"))


def _check_primitives(features):
    """featuretools primitives only: a primitive from another module is a user's own class."""
    seen = set()
    for f in features:
        for dep in [f] + f.get_dependencies(deep=True):
            p = dep.primitive
            if p is None or type(p) in seen:
                continue
            seen.add(type(p))
            module = type(p).__module__
            if not module.startswith("featuretools.primitives"):
                raise NotSupportedError(
                    f"feature '{dep.get_name()}': primitive {type(p).__name__} from module "
                    f"{module} is not a featuretools primitive; ftpart computes featuretools' own"
                )


def _check_categories(entityset):
    """Categorical columns whose categories are datetimes or timedeltas: ``ft.save_features``
    cannot write their description (``Timestamp is not JSON serializable``), and ftpart gives
    categories of integers, floats, booleans or text only."""
    for df in entityset.dataframes:
        for c in df.columns:
            dtype = df[c].dtype
            if isinstance(dtype, pd.CategoricalDtype) and dtype.categories.dtype.kind in "mM":
                raise NotSupportedError(
                    f"dataframe '{df.ww.name}', column '{c}': categories of dtype "
                    f"{dtype.categories.dtype} are not supported by ftpart (it gives categories "
                    "of integers, floats, booleans or text)"
                )


def _arrow_column(series: pd.Series) -> pa.Array:
    """A dataframe column as Arrow, without a copy for numeric data."""
    try:
        return pa.Array.from_pandas(series)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        # Values of no single Arrow type (LatLong tuples, mixed objects): as their text.
        text = series.astype(str).where(series.notna(), None)
        return pa.array(text, type=pa.string())


def _latlong_text(v) -> Optional[str]:
    # As featuretools' es.to_csv writes a LatLong: "(lat, lon)", NaN parts as nan.
    if isinstance(v, (tuple, list)) and len(v) == 2:
        return f"({float(v[0])}, {float(v[1])})"
    return None


def _batch(df: pd.DataFrame) -> pa.RecordBatch:
    names = [str(c) for c in df.columns]
    ltypes = df.ww.logical_types if df.ww.schema is not None else {}
    arrays = []
    for c in df.columns:
        if getattr(ltypes.get(c), "type_string", None) == "lat_long":
            arrays.append(pa.array(df[c].map(_latlong_text), type=pa.string()))
        else:
            arrays.append(_arrow_column(df[c]))
    return pa.RecordBatch.from_arrays(arrays, names=names)


def _description(entityset) -> str:
    from featuretools.entityset.serialize import entityset_to_description

    return json.dumps(entityset_to_description(entityset), default=str)


def _jobs(n_jobs) -> int:
    if n_jobs is None:
        return 1
    n = int(n_jobs)
    if n == -1 or n < -1:
        cores = os.cpu_count() or 1
        return max(1, cores + 1 + n) if n < -1 else cores
    if n == 0:
        raise ValueError("n_jobs must not be 0")
    return n


def _worker_binary() -> Optional[str]:
    env = os.environ.get("FTPART_BIN")
    if env:
        return env
    here = os.path.join(os.path.dirname(__file__), "bin", "ftpart")
    if os.path.isfile(here):
        return here
    return None


class _Progress:
    """featuretools' progress bar and callback (``make_tqdm_iterator`` with its ``PBAR_FORMAT``):
    a total of ``rows / 0.95``, updated as parts finish, forced to 100% at the end."""

    def __init__(self, rows: int, verbose: bool, callback: Optional[Callable]):
        self.callback = callback
        self.bar = None
        self.rows = max(rows, 0)
        if verbose or callback is not None:
            from featuretools.utils.gen_utils import make_tqdm_iterator

            opts = {
                "total": self.rows / FEATURE_CALCULATION_PERCENTAGE,
                "bar_format": PBAR_FORMAT,
                "disable": False,
            }
            if not verbose:
                opts["file"] = open(os.devnull, "w")
            self.bar = make_tqdm_iterator(**opts)

    def _update(self, n: float):
        if self.bar is None:
            return
        previous = self.bar.n
        self.bar.update(n)
        if self.callback is not None:
            total = self.bar.total
            update = (self.bar.n - previous) / total * 100 if total else 100.0
            percent = self.bar.n / total * 100 if total else 100.0
            self.callback(update, percent, self.bar.format_dict["elapsed"])

    def parts(self, what: str, done: int, total: int):
        """A part of the matrix round finished, or (in process) a feature was computed; rounds
        across parts do not move the bar."""
        if what in ("parts", "features") and self.bar is not None and total:
            target = self.rows * done / total
            self._update(max(0.0, target - self.bar.n))

    def finish(self):
        if self.bar is None:
            return
        self._update(self.bar.total - self.bar.n)
        self.bar.refresh()
        self.bar.close()


def _calculate(
    features,
    entityset,
    cutoff_time,
    instance_ids,
    dataframes,
    relationships,
    cutoff_time_in_index,
    training_window,
    approximate,
    save_progress,
    verbose,
    chunk_size,
    n_jobs,
    dask_kwargs,
    progress_callback,
    include_cutoff_time,
    parts,
):
    ft = _ft()
    from featuretools.computational_backends.utils import (
        _check_cutoff_time_type,
        _validate_cutoff_time,
    )
    from featuretools.entityset.entityset import EntitySet
    from featuretools.feature_base import FeatureBase

    assert (
        isinstance(features, list)
        and features != []
        and all([isinstance(feature, FeatureBase) for feature in features])
    ), "features must be a non-empty list of features"
    pool = _check_supported(approximate, save_progress, chunk_size, dask_kwargs)
    dask = None
    if pool is not None and not hasattr(pool, "_remote"):
        dask, pool = pool, None
    if pool is not None and pool._remote is not None:
        # A pool by address computes on the shards it serves, not on this process's data.
        if entityset is not None or dataframes is not None:
            raise NotSupportedError(
                f"dask_kwargs={{'cluster': '{pool.address}'}}: a pool by address computes on the "
                "shards it serves, not on an EntitySet in this process; pass entityset=None (or "
                "call pool.compute(features, cutoff_time))"
            )
        from ._shards import compute

        return compute(
            None, features, cutoff_time, pool=pool, training_window=training_window,
            include_cutoff_time=include_cutoff_time, cutoff_time_in_index=cutoff_time_in_index,
            verbose=verbose, progress_callback=progress_callback,
        )
    if not isinstance(entityset, EntitySet):
        if dataframes is not None:
            entityset = EntitySet("entityset", dataframes, relationships)
        else:
            raise TypeError("No dataframes or valid EntitySet provided")
    _check_primitives(features)

    target_df = entityset[features[0].dataframe_name]
    index_name = target_df.ww.index
    cutoff_time = _validate_cutoff_time(cutoff_time, target_df)
    entityset._check_time_indexes()

    rust_kwargs: dict[str, Any] = {}
    pass_columns: list[str] = []
    single_ids = None
    if isinstance(cutoff_time, pd.DataFrame):
        if instance_ids:
            warnings.warn(
                "Passing 'instance_ids' is valid only if 'cutoff_time' is a single value or None - ignoring"
            )
        pass_columns = [c for c in cutoff_time.columns if c not in ["instance_id", "time"]]
        ltype = target_df.ww.logical_types[index_name]
        cutoff_time.ww.init(logical_types={"instance_id": ltype})
        _check_cutoff_time_type(cutoff_time, entityset.time_type)
        assert (
            cutoff_time[["instance_id", "time"]].duplicated().sum() == 0
        ), "Duplicated rows in cutoff time dataframe."
        rust_kwargs["cutoff_table"] = _batch(
            pd.DataFrame(
                {
                    "instance_id": cutoff_time["instance_id"].to_numpy(),
                    "time": cutoff_time["time"].to_numpy(),
                }
            )
        )
        n_rows = len(cutoff_time)
        single_time = None
    else:
        single_time = cutoff_time
        if single_time is None:
            single_time = np.inf if entityset.time_type == "numeric" else datetime.now()
        _check_cutoff_time_type((single_time, None), entityset.time_type)
        if instance_ids is not None:
            ids = pd.Series(instance_ids) if not isinstance(instance_ids, pd.Series) else instance_ids
            rust_kwargs["cutoff_table"] = _batch(
                pd.DataFrame(
                    {
                        "instance_id": ids.to_numpy(),
                        "time": np.repeat(
                            np.array([_time_value(single_time, entityset)]), len(ids)
                        ),
                    }
                )
            )
            n_rows = len(ids)
            single_ids = ids
        else:
            if entityset.time_type == "numeric":
                rust_kwargs["cutoff_at"] = float(single_time)
            else:
                rust_kwargs["cutoff_at_ns"] = int(pd.Timestamp(single_time).as_unit("ns").value)
            n_rows = len(target_df)

    jobs = _jobs(n_jobs)
    progress = _Progress(n_rows, verbose, progress_callback)
    worker = _worker_binary() if jobs > 1 and pool is None else None
    _check_categories(entityset)
    features_json = ft.save_features(features)
    description = _description(entityset)
    window = _window_text(training_window)
    if window is not None:
        try:
            found = _ftpart.matrix_warnings(features_json, description, window)
        except FtpartError as e:
            if not str(e).startswith("training_window"):
                raise
            # Observation windows ("2 observations") and spans ftpart does not read.
            name = getattr(training_window, "get_name", None)
            shown = repr(name()) if callable(name) else repr(training_window)
            raise NotSupportedError(f"training_window {shown} ({e})") from None
        for w in found:
            warnings.warn(w)
    data = [(df.ww.name, _batch(df)) for df in entityset.dataframes]
    try:
        batch = _ftpart.calculate_feature_matrix(
            features_json,
            description,
            data,
            training_window=window,
            include_cutoff_time=bool(include_cutoff_time),
            cutoff_time_in_index=False,
            n_jobs=jobs,
            parts=parts,
            worker=worker,
            pool=pool._checked() if pool is not None else None,
            dask=dask,
            shards_dir=dask.shards_dir if dask is not None else None,
            progress=progress.parts if progress.bar is not None else None,
            **rust_kwargs,
        )
    finally:
        if dask is not None and dask is not dask_kwargs.get("cluster"):
            dask.close()
    fm = _to_pandas(
        batch, features, entityset, target_df, cutoff_time, pass_columns, single_time, single_ids
    )
    if not cutoff_time_in_index:
        fm.ww.reset_index(level="time", drop=True, inplace=True)
    progress.finish()
    return fm


def _time_value(t, entityset):
    if entityset.time_type == "numeric":
        return float(t)
    return pd.Timestamp(t).as_unit("ns").to_datetime64()


def _window_text(training_window) -> Optional[str]:
    """The training window as ftpart's span text ("1 hour"): a string as given, a
    ``pd.Timedelta`` or ``pd.DateOffset`` through featuretools' own ``_check_timedelta``."""
    if training_window is None or isinstance(training_window, str):
        return training_window
    from featuretools.utils.wrangle import _check_timedelta

    td = _check_timedelta(training_window)
    times = getattr(td, "times", None)
    if not isinstance(times, dict) or len(times) != 1:
        raise NotSupportedError(f"training_window {training_window!r} (more than one unit)")
    ((unit, value),) = times.items()
    return f"{value} {unit}"


def _to_pandas(
    batch, features, entityset, target_df, cutoff_time, pass_columns, single_time, single_ids
):
    from featuretools.computational_backends.utils import get_ww_types_from_features

    index_name = target_df.ww.index
    # The Rust matrix: index, features' columns in order, in featuretools' dtypes (categories
    # of the source column, masked integers and booleans) as its `pandas` metadata says (pass
    # columns are taken from the cutoff table here, with their own dtypes).
    ids = batch.column(0).to_pandas()
    table = pa.Table.from_batches([batch])
    del batch
    fm = table.to_pandas(split_blocks=True, self_destruct=True)
    n = len(fm)
    if isinstance(cutoff_time, pd.DataFrame):
        index = pd.MultiIndex.from_frame(
            cutoff_time[["instance_id", "time"]], names=[index_name, "time"]
        )
    else:
        dtype = target_df.index.dtype
        if single_ids is not None:
            # featuretools reindexes to the instance ids as given, in the index's dtype
            # (a categorical index takes its categories from the ids).
            ids = single_ids
            if isinstance(dtype, pd.CategoricalDtype):
                dtype = "category"
        id_index = pd.Index(pd.Series(ids).to_numpy(), name=index_name)
        try:
            id_index = id_index.astype(dtype)
        except (TypeError, ValueError):
            pass
        index = pd.MultiIndex.from_arrays(
            [id_index, pd.Index([single_time] * n, name="time")], names=[index_name, "time"]
        )
    fm.index = index
    for col in pass_columns:
        fm[col] = cutoff_time[col].to_numpy()

    ww_init = get_ww_types_from_features(features, entityset, pass_columns, cutoff_time)
    _ww_nullable(fm, ww_init)
    fm.ww.init(**ww_init)
    return fm


def _ww_nullable(fm, ww_init):
    """featuretools' ``init_ww_and_concat_fm``: Age, Boolean and Integer columns holding a
    missing value are typed AgeNullable, BooleanNullable, IntegerNullable."""
    from woodwork.logical_types import AgeNullable, BooleanNullable, IntegerNullable

    replacement = {
        "age": AgeNullable(),
        "boolean": BooleanNullable(),
        "integer": IntegerNullable(),
    }
    for col, ltype in list(ww_init["logical_types"].items()):
        type_string = getattr(ltype, "type_string", None)
        if type_string in replacement and col in fm and fm[col].isnull().any():
            ww_init["logical_types"][col] = replacement[type_string]
