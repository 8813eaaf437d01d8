#!/usr/bin/env python3
"""featuretools and ftpart on one Dask cluster: time and memory of the whole process tree.

    python benches/on_dask.py --es ES_DIR --features F.json [--workers 2]
        [--results benches/RESULTS-dask.md]

Run with an interpreter that has ftpart, featuretools 1.31 and distributed
(python/requirements-test.txt). On one EntitySet read once (``ft.read_entityset``), it times:

  * featuretools ``n_jobs=WORKERS`` (it starts a LocalCluster for the call and stops it);
  * featuretools ``dask_kwargs={"cluster": cluster}`` on a persistent LocalCluster of WORKERS
    processes, first call (the EntitySet is scattered) and second call (reused);
  * ftpart on that same cluster (``dask_kwargs={"cluster": cluster}``), first call (split, parts
    mapped by the Dask workers) and second call (the kept split, parts held);
  * ftpart's own workers, ``n_jobs=WORKERS``.

Memory: the peak of the summed RSS of this process and all its descendants (the cluster's
nannies and workers), sampled every 50 ms, less the tree's RSS before the call (the EntitySet
this process holds and the idle cluster). Each matrix is checked equal to ftpart's in-process one
(rtol 1e-9).
"""
import argparse
import datetime
import os
import platform
import sys
import tempfile
import threading
import time
import warnings

import pandas as pd
import psutil


def tree_rss():
    me = psutil.Process()
    total = me.memory_info().rss
    for c in me.children(recursive=True):
        try:
            total += c.memory_info().rss
        except psutil.Error:
            pass
    return total


class Peak:
    def __init__(self):
        self.base = tree_rss()
        self.peak = self.base
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss())
            time.sleep(0.05)

    def __enter__(self):
        self._t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join()
        self.peak = max(self.peak, tree_rss())


def timed(f):
    with Peak() as p:
        start = time.perf_counter()
        out = f()
        wall = time.perf_counter() - start
    return out, wall, (p.peak - p.base) / 2**20, p.base / 2**20


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--es", required=True, help="an entity set directory (es.to_csv / to_parquet)")
    ap.add_argument("--features", required=True, help="ft.save_features JSON")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--results", default=None, help="write the Markdown table here")
    a = ap.parse_args()
    import featuretools as ft
    from distributed import LocalCluster

    import ftpart

    warnings.simplefilter("ignore")
    t0 = time.perf_counter()
    es = ft.read_entityset(a.es)
    read_s = time.perf_counter() - t0
    features = ft.load_features(a.features)
    n_tx = len(es["transactions"])
    print(f"read {n_tx} transactions in {read_s:.1f} s", flush=True)
    reference = ftpart.calculate_feature_matrix(features, es)
    rows = []

    def check(fm):
        pd.testing.assert_frame_equal(
            fm[reference.columns].sort_index(), reference.sort_index(), check_dtype=False, rtol=1e-9
        )
        return "equal"

    def row(name, f):
        fm, wall, mb, base = timed(f)
        eq = check(fm)
        rows.append((name, wall, mb, base, eq))
        print(f"{name}: {wall:.2f} s, +{mb:.0f} MB over {base:.0f} MB, {eq}", flush=True)

    w = a.workers
    row(f"featuretools n_jobs={w} (a LocalCluster per call)",
        lambda: ft.calculate_feature_matrix(features, es, n_jobs=w))
    shards_dir = tempfile.mkdtemp(prefix="ftpart-dask-bench-")
    with LocalCluster(n_workers=w, threads_per_worker=1, dashboard_address=None) as cluster:
        for i in (1, 2):
            row(f"featuretools on a persistent LocalCluster, call {i}",
                lambda: ft.calculate_feature_matrix(features, es, dask_kwargs={"cluster": cluster}))
    with LocalCluster(n_workers=w, threads_per_worker=1, dashboard_address=None) as cluster:
        kw = {"cluster": cluster, "shards_dir": shards_dir}
        for i in (1, 2):
            row(f"ftpart on a persistent LocalCluster, call {i}",
                lambda: ftpart.calculate_feature_matrix(features, es, dask_kwargs=kw))
    row(f"ftpart n_jobs={w} (its own workers)",
        lambda: ftpart.calculate_feature_matrix(features, es, n_jobs=w))

    lines = [
        "# featuretools and ftpart on one Dask cluster",
        "",
        f"Date: {datetime.datetime.utcnow():%Y-%m-%d %H:%M} (UTC)  ",
        f"Machine: {platform.processor() or platform.machine()}, nproc {os.cpu_count()}, "
        f"{psutil.virtual_memory().total / 2**30:.1f} GiB  ",
        f"Command: `python {' '.join(sys.argv)}`  ",
        f"Data: {n_tx} transactions ({a.es}), {len(features)} features, no cutoff (now); "
        f"`ft.read_entityset` took {read_s:.1f} s and is not in the times.",
        "",
        "Time: the call. Memory: the peak summed RSS of this process and every descendant (the "
        "cluster's nannies and workers) during the call, over the tree's RSS before it (which "
        "holds the EntitySet and the idle cluster).",
        "",
        "| run | wall s | peak MB over the tree before | tree before MB | matrix |",
        "|---|---|---|---|---|",
    ]
    for name, wall, mb, base, eq in rows:
        lines.append(f"| {name} | {wall:.2f} | {mb:.0f} | {base:.0f} | {eq} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if a.results:
        with open(a.results, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
