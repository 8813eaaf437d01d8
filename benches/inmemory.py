"""The in-memory path: ftpart.calculate_feature_matrix on a featuretools EntitySet in memory,
against featuretools' calculate_feature_matrix on the same objects, with equal matrices.

    python benches/inmemory.py --transactions 5M --ftpart-bin target/release/ftpart [--ft-jobs 1]

PYTHON must have ftpart installed (python/). The data is `ftpart demo --transactions N` (the
mock-customer generator benches/compare.py uses), read once with ft.read_entityset; each
computation is timed in this process, memory is the peak summed RSS of this process and its
children (the ftpart workers) while it runs, sampled every 5 ms, minus the RSS before it.
"""

import argparse
import os
import subprocess
import threading
import time
import warnings


def tree_rss_kb(root):
    total = 0
    todo = [root]
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            with open(f"/proc/{pid}/task/{pid}/children") as f:
                todo.extend(int(c) for c in f.read().split())
        except OSError:
            pass
    return total


def measure(fn):
    base = tree_rss_kb(os.getpid())
    peak = [base]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss_kb(os.getpid()))
            time.sleep(0.005)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    start = time.perf_counter()
    out = fn()
    seconds = time.perf_counter() - start
    done.set()
    t.join()
    return out, seconds, (peak[0] - base) / 1024


def size(s):
    s = s.strip().upper()
    mult = {"K": 1_000, "M": 1_000_000}.get(s[-1], 1)
    return int(float(s.rstrip("KM")) * mult)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--transactions", default="5M")
    ap.add_argument("--data", default="/tmp/ftpart-bench-inmemory")
    ap.add_argument("--ftpart-bin", default="target/release/ftpart")
    ap.add_argument("--ft-jobs", default="1", help="featuretools n_jobs values, e.g. 1,2")
    ap.add_argument("--ftpart-jobs", default="1,2")
    args = ap.parse_args()
    n = size(args.transactions)
    es_dir = os.path.join(args.data, f"es-{n}")
    feats = os.path.join(args.data, f"features-{n}.json")
    if not os.path.exists(os.path.join(es_dir, "data_description.json")):
        subprocess.run(
            [args.ftpart_bin, "demo", es_dir, "--force", "--transactions", str(n),
             "--features", feats],
            check=True,
        )
    os.environ.setdefault("FTPART_BIN", os.path.abspath(args.ftpart_bin))
    warnings.simplefilter("ignore")
    import featuretools as ft
    import pandas as pd

    import ftpart

    t = time.perf_counter()
    es = ft.read_entityset(es_dir)
    features = ft.load_features(feats)
    print(f"{n} transactions, {len(features)} features; ft.read_entityset {time.perf_counter() - t:.1f} s")
    results = {}
    for j in [int(x) for x in args.ftpart_jobs.split(",") if x]:
        fm, s, mb = measure(lambda: ftpart.calculate_feature_matrix(features, es, n_jobs=j))
        results[f"ftpart n_jobs={j}"] = fm
        print(f"ftpart.calculate_feature_matrix n_jobs={j}: {s:.2f} s, +{mb:.0f} MB")
    for j in [int(x) for x in args.ft_jobs.split(",") if x]:
        fm, s, mb = measure(lambda: ft.calculate_feature_matrix(features, es, n_jobs=j))
        results[f"ft n_jobs={j}"] = fm
        print(f"ft.calculate_feature_matrix n_jobs={j}: {s:.2f} s, +{mb:.0f} MB")
    ref_name = next((k for k in results if k.startswith("ft ")), None)
    if ref_name:
        for k, fm in results.items():
            if k != ref_name:
                pd.testing.assert_frame_equal(fm, results[ref_name])
                print(f"{k} equals {ref_name}")


if __name__ == "__main__":
    main()
