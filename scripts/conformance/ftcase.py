"""Shared helpers of the conformance generators (generate_extra.py, generate_shapes.py): writing
entity sets and cases in the format of /work/shared/conformance (see its README.md), and the
checks run while writing each case (they never change what is written).

Importing this module first re-executes the running script with PYTHONHASHSEED=0 (see below);
a generator then calls `setup(out_dir, only)`, `save_es` / `case` for each entity set and case,
and `finish()` at the end.
"""
import json, os, shutil, sys, warnings

# DFS keeps where clauses in a set of features hashed by name, so the order of the WHERE features
# it returns depends on Python's string hash seed. Fix the seed so that reruns write the same bytes.
if os.environ.get("PYTHONHASHSEED") != "0":
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable] + sys.argv)

import numpy as np, pandas as pd
import featuretools as ft
import pandas.core.frame, pandas.core.series, pandas.core.indexes.base
from pandas.core.construction import extract_array

NAN = np.nan
T = pd.Timestamp
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"

# where the files go, and which cases to write (all when empty): set by setup()
_out = None
_only = set()


def setup(out, only=()):
    """Write into OUT (created when missing); only the cases named in ONLY when it is not empty."""
    global _out, _only
    warnings.filterwarnings("ignore")
    _out, _only = out, set(only)
    os.makedirs(out, exist_ok=True)


def out_dir():
    return _out


def wanted(name):
    """Whether case NAME is written in this run."""
    return not _only or name in _only


# ---------------------------------------------------------------------------------------------
# writing: same behaviour and file formats as /work/shared/conformance/generate.py
# ---------------------------------------------------------------------------------------------
def save_es(es, name, fmt="csv"):
    path = os.path.join(_out, "entitysets", name)
    if os.path.exists(path):
        shutil.rmtree(path)
    (es.to_csv if fmt == "csv" else es.to_parquet)(path)
    return f"entitysets/{name}"


def case(name, es, es_rel, target, features, by=None, cutoff=None, training_window=None,
         include_cutoff_time=True, cutoff_time_in_index=False):
    if not wanted(name):
        return None
    d = os.path.join(_out, "cases", name)
    if os.path.exists(d):
        shutil.rmtree(d)
    os.makedirs(d, exist_ok=True)
    ft.save_features(features, os.path.join(d, "features.json"))
    spec = {"entityset": "../../" + es_rel, "target": target, "by": by or target,
            "features": "features.json", "cutoff_time": None, "training_window": training_window,
            "include_cutoff_time": include_cutoff_time, "cutoff_time_in_index": cutoff_time_in_index,
            "expected": "expected.csv"}
    kw = dict(training_window=training_window, include_cutoff_time=include_cutoff_time,
              cutoff_time_in_index=cutoff_time_in_index)
    if cutoff is not None:
        cutoff.to_csv(os.path.join(d, "cutoff.csv"), index=False, date_format=DATE_FORMAT)
        spec["cutoff_time"] = "cutoff.csv"
        fm = ft.calculate_feature_matrix(features, es, cutoff_time=cutoff, **kw)
    else:
        fm = ft.calculate_feature_matrix(features, es, **kw)
    fm.to_csv(os.path.join(d, "expected.csv"), date_format=DATE_FORMAT)
    json.dump(spec, open(os.path.join(d, "case.json"), "w"), indent=2)
    check_tie_robust(name, features, es, cutoff, kw, fm)
    check_reloaded(name, es_rel, features, cutoff, kw, fm)
    print(name, fm.shape, flush=True)
    return fm


def finish():
    """Exit non-zero when a check failed on some case."""
    if RELOAD_DIFFS:
        print("cases whose matrix differs on the entity set read back from disk:", RELOAD_DIFFS)
        sys.exit(1)


# ---------------------------------------------------------------------------------------------
# checks (they never change what is written)
# ---------------------------------------------------------------------------------------------
_orig_nargsort = pandas.core.series.nargsort


def _nargsort_ties(ties_first_index_first):
    """nargsort with a fixed order among equal values (numpy's default quicksort for int64
    uses x86-simd-sort on AVX512 machines and is not stable, so pandas sort_values /
    value_counts can order ties differently from one CPU to another)."""
    def f(items, kind="quicksort", ascending=True, na_position="last", key=None, mask=None):
        arr = extract_array(items) if key is None else None
        if key is not None or not isinstance(arr, np.ndarray) or mask is not None:
            return _orig_nargsort(items, kind, ascending, na_position, key, mask)
        m = np.asarray(pd.isna(arr))
        idx = np.arange(len(arr))
        nn, nn_idx = arr[~m], idx[~m]
        # ascending order; equal values keep index order (or reversed index order)
        want_asc_ties = ties_first_index_first if ascending else not ties_first_index_first
        if want_asc_ties:
            order = np.argsort(nn, kind="stable")
        else:
            order = len(nn) - 1 - np.argsort(nn[::-1], kind="stable")
        ind = nn_idx[order]
        if not ascending:
            ind = ind[::-1]
        nan_idx = np.nonzero(m)[0]
        ind = np.concatenate([ind, nan_idx] if na_position == "last" else [nan_idx, ind])
        return ind.astype(np.intp)
    return f


def _calc(features, es, cutoff, kw):
    if cutoff is not None:
        return ft.calculate_feature_matrix(features, es, cutoff_time=cutoff, **kw)
    return ft.calculate_feature_matrix(features, es, **kw)


def calc_with_tie_order(features, es, cutoff, kw, first):
    """The matrix computed with equal values sorted in index order (FIRST) or reversed."""
    mods = (pandas.core.series, pandas.core.frame, pandas.core.indexes.base)
    for m in mods:
        m.nargsort = _nargsort_ties(first)
    try:
        return _calc(features, es, cutoff, kw)
    finally:
        for m in mods:
            m.nargsort = _orig_nargsort


def check_tie_robust(name, features, es, cutoff, kw, fm):
    for first in (True, False):
        other = calc_with_tie_order(features, es, cutoff, kw, first)
        pd.testing.assert_frame_equal(fm, other, check_dtype=False, check_categorical=False,
                                      obj=f"{name}: result depends on the order of sort ties")


def check_reloaded(name, es_rel, features, cutoff, kw, fm):
    """The matrix computed on the entity set read back from disk must be the same."""
    path = os.path.join(_out, es_rel)
    if path not in _reloaded:
        _reloaded[path] = ft.read_entityset(path)
    other = _calc(features, _reloaded[path], cutoff, kw)
    a = fm.to_csv(date_format=DATE_FORMAT)
    b = other.to_csv(date_format=DATE_FORMAT)
    if a != b:
        print(f"  WARNING {name}: the matrix differs when computed on the entity set read back "
              f"from {es_rel}", flush=True)
        RELOAD_DIFFS.append(name)


_reloaded, RELOAD_DIFFS = {}, []


# ---------------------------------------------------------------------------------------------
# building blocks
# ---------------------------------------------------------------------------------------------
def per_instance_cutoffs(es, target, seed, dup_frac=0.3, labels=True):
    idx = es[target].ww.index
    tcol = es[target].ww.time_index
    rng = np.random.default_rng(seed)
    ids = es[target][idx].to_numpy()
    # spread cutoffs over the time span of the largest time-indexed dataframe
    big = max((d for d in es.dataframes if d.ww.time_index), key=len)
    lo, hi = big[big.ww.time_index].min(), big[big.ww.time_index].max()
    extra = rng.choice(ids, size=max(1, int(len(ids) * dup_frac)))
    all_ids = np.concatenate([ids, extra])
    rng.shuffle(all_ids)
    t = lo + (hi - lo) * rng.uniform(0.05, 1.05, len(all_ids))
    ct = pd.DataFrame({idx: all_ids, "time": pd.Series(t).dt.floor("s")})
    if labels:
        ct["label"] = rng.integers(0, 2, len(ct))
    return ct


def idf(es, df, col):
    return ft.IdentityFeature(es[df].ww[col])


def agg(base, parent, prim, where=None, use_previous=None):
    return ft.Feature(base, parent_dataframe_name=parent, primitive=prim, where=where,
                      use_previous=use_previous)


def dfs(es, target, **kw):
    return ft.dfs(entityset=es, target_dataframe_name=target, features_only=True, **kw)
