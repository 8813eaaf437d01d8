"""``ftpart.split`` and ``ftpart.compute``: the command line's ``split`` and ``compute`` from
Python. Shards are kept on disk and computed any number of times, with any cutoff."""

from __future__ import annotations

import os
from typing import Optional

import pandas as pd
import pyarrow as pa

from . import _ftpart


def split(
    entityset_or_path, by: str, parts: int, out, *, force: bool = False, features=None
) -> str:
    """Splits an entity set into ``parts`` self-contained shards by dataframe ``by``, written to
    ``out`` (``ftpart split``). ``entityset_or_path``: a featuretools ``EntitySet`` in memory (its
    dataframes cross as Arrow), or a directory written by ``es.to_csv()`` / ``es.to_parquet()``.
    ``force`` replaces an existing shard directory. ``features`` (a list of featuretools
    features) writes only the columns they need (``ftpart split --features``): smaller shards,
    on which features that read another column are refused by name. Returns ``out``."""
    from featuretools.entityset.entityset import EntitySet

    from ._calculate import _batch, _description

    out = os.fspath(out)
    kwargs = {"force": force}
    if features is not None:
        import featuretools as ft

        if not isinstance(features, list) or not features:
            raise TypeError("split: features must be a non-empty list of features")
        kwargs["features_json"] = ft.save_features(features)
    if isinstance(entityset_or_path, EntitySet):
        es = entityset_or_path
        data = [(df.ww.name, _batch(df)) for df in es.dataframes]
        _ftpart.split(by, int(parts), out, description_json=_description(es), data=data, **kwargs)
    else:
        _ftpart.split(by, int(parts), out, es_dir=os.fspath(entityset_or_path), **kwargs)
    return out


def compute(
    shards,
    features,
    cutoff_time=None,
    *,
    n_jobs: int = 1,
    out=None,
    training_window=None,
    include_cutoff_time: bool = True,
    cutoff_time_in_index: bool = False,
    verbose: bool = False,
    progress_callback=None,
    pool=None,
    dask=None,
):
    """The feature matrix of ``features`` on the shards in directory ``shards`` (``ftpart
    compute``): the DataFrame ``calculate_feature_matrix`` returns on the entity set they were
    split from, with the same index, dtypes and woodwork schema. ``cutoff_time``: a DataFrame
    (``instance_id``, ``time``, label columns), one time, or None (now). ``n_jobs=1`` computes the
    parts in this process, ``n_jobs > 1`` on that many worker processes, ``pool`` (an
    :class:`ftpart.Pool`) on its workers. ``out`` also writes the matrix to a ``.csv``,
    ``.parquet`` or ``.arrow`` file, as the command line does."""
    import featuretools as ft
    from featuretools.computational_backends.utils import get_ww_types_from_features

    from ._calculate import (
        _Progress,
        _batch,
        _jobs,
        _window_text,
        _worker_binary,
        _ww_nullable,
    )

    if not isinstance(features, list) or not features:
        raise TypeError("features must be a non-empty list of features")
    kwargs = {}
    pass_columns = []
    if isinstance(cutoff_time, pd.DataFrame):
        ct = cutoff_time
        if "instance_id" not in ct.columns:
            index_name = features[0].dataframe.ww.index
            if index_name not in ct.columns:
                raise AttributeError(
                    "Cutoff time DataFrame must contain a column with either the same name as "
                    'the target dataframe index or a column named "instance_id"'
                )
            ct = ct.rename(columns={index_name: "instance_id"})
        if "time" not in ct.columns:
            raise AttributeError(
                "Cutoff time DataFrame must contain a column with the name 'time'"
            )
        pass_columns = [c for c in ct.columns if c not in ["instance_id", "time"]]
        if pass_columns:
            # The label columns' woodwork types, as featuretools reads them from the cutoff.
            target = features[0].dataframe
            ct = ct.copy()
            ct.ww.init(logical_types={"instance_id": target.ww.logical_types[target.ww.index]})
        # The label columns go along for the file (``out``); the DataFrame takes them from the
        # cutoff as featuretools does.
        table = pd.DataFrame(
            {"instance_id": ct["instance_id"].to_numpy(), "time": ct["time"].to_numpy()}
        )
        for c in pass_columns:
            table[c] = ct[c].to_numpy()
        kwargs["cutoff_table"] = _batch(table)
        n_rows = len(ct)
    elif cutoff_time is not None:
        if isinstance(cutoff_time, (int, float)) and not isinstance(cutoff_time, bool):
            kwargs["cutoff_at"] = float(cutoff_time)
        else:
            kwargs["cutoff_at_ns"] = int(pd.Timestamp(cutoff_time).as_unit("ns").value)
        n_rows = 0
    else:
        n_rows = 0
    jobs = _jobs(n_jobs)
    progress = _Progress(n_rows, verbose, progress_callback)
    remote = getattr(pool, "_remote", None)
    if remote is not None:
        batch = remote.compute(
            ft.save_features(features),
            shards=os.fspath(shards) if shards is not None else None,
            training_window=_window_text(training_window),
            include_cutoff_time=bool(include_cutoff_time),
            cutoff_time_in_index=bool(cutoff_time_in_index),
            out=os.fspath(out) if out is not None else None,
            progress=progress.parts if progress.bar is not None else None,
            **kwargs,
        )
    else:
        executor = None
        if dask is not None:
            from .dask import DaskExecutor

            executor = dask if isinstance(dask, DaskExecutor) else DaskExecutor(dask)
        try:
            batch = _local_compute(
                shards, features, training_window, include_cutoff_time, cutoff_time_in_index,
                jobs, pool, out, progress, dict(kwargs, dask=executor),
            )
        finally:
            if executor is not None and executor is not dask:
                executor.close()
    # Index (the instance id, and time when asked) and columns in featuretools' dtypes, from the
    # pandas metadata.
    fm = pa.Table.from_batches([batch]).to_pandas()
    del batch
    for col in pass_columns:
        fm[col] = ct[col].to_numpy()
    ww_init = get_ww_types_from_features(features, None, pass_columns, ct if pass_columns else None)
    _ww_nullable(fm, ww_init)
    fm.ww.init(**ww_init)
    progress.finish()
    return fm


def _local_compute(
    shards, features, training_window, include_cutoff_time, cutoff_time_in_index, jobs, pool, out,
    progress, kwargs,
):
    """``_ftpart.compute`` on this machine: in this process, ``jobs`` workers, or ``pool``'s."""
    import featuretools as ft

    from ._calculate import _window_text, _worker_binary

    if shards is None:
        raise TypeError("compute: name the shard directory (only a pool by address needs none)")
    return _ftpart.compute(
        os.fspath(shards),
        ft.save_features(features),
        training_window=_window_text(training_window),
        include_cutoff_time=bool(include_cutoff_time),
        cutoff_time_in_index=bool(cutoff_time_in_index),
        n_jobs=jobs,
        worker=_worker_binary() if jobs > 1 and pool is None and kwargs.get("dask") is None else None,
        pool=pool._checked() if pool is not None else None,
        out=os.fspath(out) if out is not None else None,
        progress=progress.parts if progress.bar is not None else None,
        **kwargs,
    )
