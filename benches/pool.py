#!/usr/bin/env python3
"""The pool's saving: first and second computation on `ftpart serve` against a fresh `ftpart compute`.

    python3 benches/pool.py --ftpart target/release/ftpart --shards SHARDS --features F.json \
        [--cutoff CUTOFF.csv] [--jobs 2] [--runs 3]

For each cutoff (none, and the given table) it starts a pool, times its first computation (parts
loaded) and the median of `--runs` later ones (parts held), and the median of `--runs` fresh
`compute --jobs J` runs; it checks that the matrices are equal and prints a Markdown table.
Standard library only.
"""
import argparse
import filecmp
import os
import statistics
import subprocess
import sys
import tempfile
import time


def timed(cmd, env=None):
    start = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ftpart", required=True)
    ap.add_argument("--shards", required=True)
    ap.add_argument("--features", required=True)
    ap.add_argument("--cutoff")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="ftpart-pool-bench-")
    env = dict(os.environ, FTPART_POOL_STATE=os.path.join(tmp, "pool.json"))
    rows = []
    for label, cutoff in [("no cutoff", None), ("per-instance cutoffs", a.cutoff)]:
        if label != "no cutoff" and not cutoff:
            continue
        extra = ["--cutoff-time", cutoff] if cutoff else []
        out = lambda name: os.path.join(tmp, name)
        fresh = [
            timed([a.ftpart, "compute", a.shards, "--features", a.features, "--jobs", str(a.jobs),
                   "--quiet", "--out", out("fresh.parquet")] + extra, env)
            for _ in range(a.runs)
        ]
        pool = subprocess.Popen(
            [a.ftpart, "serve", a.shards, "--jobs", str(a.jobs)], env=env,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            for line in pool.stdout:
                if line.startswith("connect:"):
                    break
            on_pool = [a.ftpart, "compute", "--pool", "local", "--features", a.features, "--quiet"] + extra
            first = timed(on_pool + ["--out", out("pool1.parquet")], env)
            later = [timed(on_pool + ["--out", out("pool2.parquet")], env) for _ in range(a.runs)]
            status = subprocess.run([a.ftpart, "pool", "status", "--json"], env=env, check=True,
                                    capture_output=True, text=True).stdout
        finally:
            subprocess.run([a.ftpart, "pool", "stop"], env=env, check=False)
            pool.wait(timeout=60)
        for f in ["pool1.parquet", "pool2.parquet"]:
            if not filecmp.cmp(out("fresh.parquet"), out(f), shallow=False):
                sys.exit(f"{label}: the pool's matrix {f} differs from the fresh compute's")
        import json
        s = json.loads(status)
        rows.append((label, statistics.median(fresh), first, statistics.median(later),
                     s["part_loads"], s["part_reuses"]))
    print(f"| cutoff | fresh `compute --jobs {a.jobs}` | pool, first call | pool, later calls | parts loaded / reused |")
    print("| --- | --- | --- | --- | --- |")
    for label, fresh, first, later, loads, reuses in rows:
        print(f"| {label} | {fresh:.3f} s | {first:.3f} s | {later:.3f} s | {loads} / {reuses} |")


if __name__ == "__main__":
    main()
