#!/usr/bin/env python3
"""End-to-end comparison of ftpart with featuretools 1.31 on the same data and the same features.

    python3 benches/compare.py --sizes 0.5M,5M

Creates (or reuses) a virtualenv with featuretools (benches/requirements.txt) and re-executes itself
inside it, builds `target/release/ftpart`, then for each size generates mock-customer data
(`ftpart demo`, 75 DFS features) plus a per-instance cutoff CSV, and times, each in its own process
(wall time; peak RSS summed over the process tree, sampled every ~5 ms):

  * featuretools calculate_feature_matrix, n_jobs=1 and n_jobs=2 (read + calculate + write, and the
    calculate call alone, as the child reports it),
  * ftpart split (8 parts) + compute --jobs 1 and --jobs 2,
  * the in-memory path: ftpart.calculate_feature_matrix(..., n_jobs=2) on the EntitySet that
    ft.read_entityset returns, in the same child as featuretools' runs (read + calculate + write;
    the Python package from python/, installed into --ftpart-venv, made if needed),

without cutoff times and with one distinct cutoff per customer, checks that ftpart's matrices equal
featuretools' (columns, rows, values to 1e-6), prints a table and writes benches/RESULTS.md.

Options: --skip ft-cutoff-above:1M (skip featuretools per-instance-cutoff runs above that size: it
recomputes everything once per distinct cutoff), --skip ft-above:SIZE (skip every featuretools run
above that size, e.g. where its memory would exceed the machine's), --skip ft-jobs2-cutoff-above:SIZE,
--ft-timeout SECONDS (default 1800), --data DIR (default /work/bench-compare), --venv DIR,
--ftpart-venv DIR (default DATA/venv-ftpart: python/requirements-test.txt and the package),
--no-inmemory, --bin PATH (an ftpart binary built elsewhere; implies --no-build).

Peers (issue #17): --peers VENV also times the hand-written DuckDB and polars versions of the same
75 features (benches/peers/, run with VENV's python, made from benches/peers/requirements.txt if
needed) against `ftpart calculate` and `ftpart run --jobs 2` (split + compute in one step), all four
on the same Parquet entity set (the demo data converted to the es.to_parquet layout by
benches/peers/to_parquet.py) and writing Parquet, each run its own process measured as above,
--repeat N times (default 3) round-robin, medians reported; every peer matrix and ftpart run's
are checked equal to ftpart calculate's. --peers-only runs just that (no featuretools, no
featuretools virtualenv: the script re-executes itself in VENV) and writes benches/RESULTS-peers.md.
"""
import argparse
import datetime as dt
import json
import os
import platform
import shlex
import signal
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.path.join(REPO, "target", "release", "ftpart")
COMPARE_FM = "/work/shared/conformance/compare_fm.py"


# ----------------------------------------------------------------------------------------------
# virtualenv


FT_PROBE = ("import featuretools, distributed, pandas, pyarrow; assert featuretools.__version__ == '1.31.0'; "
            "assert distributed.__version__ == '2024.6.2'")
PEERS_PROBE = "import duckdb, polars, pyarrow, pandas, numpy"
PEERS_REQUIREMENTS = os.path.join(HERE, "peers", "requirements.txt")


def ensure_python(venv, probe, requirements):
    """`venv`'s interpreter, the virtualenv created and filled from `requirements` if `probe` fails."""
    py = os.path.join(venv, "bin", "python")
    if not os.path.exists(py):
        print(f"creating virtualenv {venv}", flush=True)
        subprocess.check_call([sys.executable, "-m", "venv", venv])
    if subprocess.call([py, "-c", probe], stderr=subprocess.DEVNULL) != 0:
        print(f"installing {requirements} into {venv}", flush=True)
        subprocess.check_call([py, "-m", "pip", "install", "-q", "-r", requirements])
    return py


def ensure_venv(venv, argv, probe=FT_PROBE, requirements=os.path.join(HERE, "requirements.txt")):
    """Re-executes this script inside `venv` (created and filled from requirements.txt if needed)."""
    if os.path.realpath(sys.prefix) == os.path.realpath(venv):
        return
    py = ensure_python(venv, probe, requirements)
    os.execv(py, [py, os.path.abspath(__file__)] + argv)


def ensure_ftpart_venv(venv):
    """An interpreter with the ftpart package (python/, built by its build backend) and the
    pinned featuretools it is tested with; made once."""
    py = os.path.join(venv, "bin", "python")
    if not os.path.exists(py):
        print(f"creating virtualenv {venv}", flush=True)
        subprocess.check_call([sys.executable, "-m", "venv", venv])
    if subprocess.call([py, "-c", "import ftpart, featuretools"], stderr=subprocess.DEVNULL) != 0:
        print(f"installing python/requirements-test.txt and ./python into {venv}", flush=True)
        subprocess.check_call([py, "-m", "pip", "install", "-q", "-r",
                               os.path.join(REPO, "python", "requirements-test.txt")])
        env = dict(os.environ, PATH=os.path.join(venv, "bin") + os.pathsep + os.environ["PATH"])
        subprocess.check_call([py, "-m", "pip", "install", "-q", "--no-build-isolation",
                               os.path.join(REPO, "python")], env=env)
    return py


# ----------------------------------------------------------------------------------------------
# process-tree measurement


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid):
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{tid}/children") as f:
                    out += [int(x) for x in f.read().split()]
            except OSError:
                pass
    except OSError:
        pass
    return out


def tree_rss_kb(root):
    total, stack, seen = 0, [root], set()
    while stack:
        p = stack.pop()
        if p in seen:
            continue
        seen.add(p)
        total += rss_kb(p)
        stack += children(p)
    return total


def worker_stats(log_path, shards):
    """From `compute --verbose`'s log and the manifest: the largest worker peak (VmHWM, MB), the
    largest part matrix a worker sent (MB) and the largest shard part (MB)."""
    import re
    text = open(log_path).read()
    peaks = [float(x) for x in re.findall(r"worker \d+: \d+ parts, [0-9.]+ s, peak memory ([0-9.]+) MB", text)]
    outs = [int(x) for x in re.findall(r"output_bytes: (\d+)", text)]
    m = json.load(open(os.path.join(shards, "manifest.json")))
    part = max(sum(t["bytes"] for t in p["tables"].values()) for p in m["parts"])
    return dict(worker_mb=max(peaks, default=0.0), result_mb=max(outs, default=0) / 2**20,
                shard_part_mb=part / 2**20)


def measure(cmd, timeout, log_path):
    """Runs cmd; returns dict(wall, peak_mb, rc, timed_out, stdout)."""
    t0 = time.monotonic()
    with open(log_path, "w") as log:
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log, text=True, start_new_session=True)
        peak, timed_out = 0, False
        # stdout is small (a JSON line at most); read it after exit. Pipe buffers 64 KiB.
        while p.poll() is None:
            peak = max(peak, tree_rss_kb(p.pid))
            if timeout and time.monotonic() - t0 > timeout:
                timed_out = True
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                p.wait()
                break
            time.sleep(0.005)
        wall = time.monotonic() - t0
        out = p.stdout.read()
    return dict(wall=wall, peak_mb=peak / 1024, rc=p.returncode, timed_out=timed_out, stdout=out)


# ----------------------------------------------------------------------------------------------
# featuretools child

FT_CHILD = r'''
import json, sys, time, warnings
warnings.filterwarnings("ignore")
def main():
    es_dir, feats_path, cutoff, n_jobs, out = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
    engine = sys.argv[6] if len(sys.argv) > 6 else "featuretools"
    t0 = time.perf_counter()
    import featuretools as ft, pandas as pd
    calculate = ft.calculate_feature_matrix
    if engine == "ftpart":
        import ftpart
        calculate = ftpart.calculate_feature_matrix
    es = ft.read_entityset(es_dir)
    feats = ft.load_features(feats_path)
    ct = None
    if cutoff != "-":
        ct = pd.read_csv(cutoff, parse_dates=["time"])
    t1 = time.perf_counter()
    fm = calculate(feats, es, cutoff_time=ct, n_jobs=n_jobs)
    t2 = time.perf_counter()
    fm.to_csv(out)
    t3 = time.perf_counter()
    print(json.dumps(dict(read=t1 - t0, calculate=t2 - t1, write=t3 - t2, rows=len(fm), cols=fm.shape[1])))
if __name__ == "__main__":
    main()
'''


# ----------------------------------------------------------------------------------------------
# helpers


def parse_size(s):
    s = s.strip().upper()
    mult = {"K": 1_000, "M": 1_000_000}.get(s[-1:], 1)
    return int(float(s[:-1] if s[-1:] in "KM" else s) * mult)


def fmt_size(n):
    if n >= 1_000_000:
        return f"{n / 1e6:g}M"
    if n >= 1_000:
        return f"{n / 1e3:g}k"
    return str(n)


def machine():
    info = {"nproc": os.cpu_count()}
    try:
        info["nproc"] = int(subprocess.check_output(["nproc"], text=True))
    except Exception:
        pass
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal:"):
                info["mem"] = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    try:
        for line in subprocess.check_output(["lscpu"], text=True).splitlines():
            if line.startswith("Model name:"):
                info["cpu"] = line.split(":", 1)[1].strip()
    except Exception:
        info["cpu"] = platform.processor()
    return info


def write_cutoffs(es_dir, path, seed):
    import numpy as np
    import pandas as pd

    data = os.path.join(es_dir, "data")
    cust = pd.read_csv(os.path.join(data, "customers", "data", "customers.csv"), usecols=["customer_id"])
    tx = pd.read_csv(os.path.join(data, "transactions", "data", "transactions.csv"), usecols=["transaction_time"])
    t = pd.to_datetime(tx["transaction_time"])
    lo, hi = t.min().value // 10**9, t.max().value // 10**9
    rng = np.random.default_rng(seed)
    n = len(cust)
    # distinct seconds, drawn without materialising the range (50M spans ~3.5e9 seconds)
    times = lo + 1 + rng.choice(hi - lo - 1, size=n, replace=False)
    ct = pd.DataFrame({"customer_id": cust["customer_id"], "time": pd.to_datetime(times, unit="s")})
    ct.to_csv(path, index=False, date_format="%Y-%m-%d %H:%M:%S")
    return n, pd.Timestamp(lo, unit="s"), pd.Timestamp(hi, unit="s")


def load_compare():
    import importlib.util

    if os.path.exists(COMPARE_FM):
        spec = importlib.util.spec_from_file_location("compare_fm", COMPARE_FM)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        return mod
    raise SystemExit(f"{COMPARE_FM} not found")


def run(cmd, **kw):
    print("  $ " + " ".join(shlex.quote(c) for c in cmd), flush=True)
    subprocess.check_call(cmd, **kw)


# ----------------------------------------------------------------------------------------------
# main


def main():
    argv = sys.argv[1:]
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="0.5M,5M", help="transaction counts, e.g. 0.5M,5M")
    ap.add_argument("--venv", default="/work/venv-ft")
    ap.add_argument("--data", default="/work/bench-compare")
    ap.add_argument("--parts", type=int, default=8)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--ft-timeout", type=float, default=1800, help="seconds per featuretools run")
    ap.add_argument("--skip", action="append", default=[],
                    help="ft-above:SIZE | ft-cutoff-above:SIZE | ft-jobs2-cutoff-above:SIZE | ft-jobs2-above:SIZE (repeatable)")
    ap.add_argument("--no-build", action="store_true", help="use the existing target/release/ftpart")
    ap.add_argument("--results", default=os.path.join(HERE, "RESULTS.md"))
    ap.add_argument("--ftpart-venv", default=None,
                    help="virtualenv with the ftpart package (default DATA/venv-ftpart, made if needed)")
    ap.add_argument("--no-inmemory", action="store_true", help="skip ftpart.calculate_feature_matrix")
    ap.add_argument("--dask", action="store_true",
                    help="also featuretools and ftpart on one Dask LocalCluster (benches/on_dask.py, in the "
                         "ftpart virtualenv), no cutoff")
    ap.add_argument("--bin", default=None, help="ftpart binary to use (implies --no-build)")
    ap.add_argument("--peers", metavar="VENV", default=None,
                    help="also time the DuckDB and polars peers (benches/peers/) with VENV's python")
    ap.add_argument("--peers-only", action="store_true",
                    help="with --peers: only ftpart calculate/run and the peers (no featuretools)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each peer-section command (median)")
    args = ap.parse_args(argv)
    if args.peers_only and not args.peers:
        raise SystemExit("--peers-only needs --peers VENV")
    if args.peers_only:
        ensure_venv(args.peers, argv, PEERS_PROBE, PEERS_REQUIREMENTS)
        args.no_inmemory = True
        if args.results == os.path.join(HERE, "RESULTS.md"):
            args.results = os.path.join(HERE, "RESULTS-peers.md")
    else:
        ensure_venv(args.venv, argv)
    global BIN
    if args.bin:
        BIN, args.no_build = os.path.abspath(args.bin), True
    peers_py = ensure_python(args.peers, PEERS_PROBE, PEERS_REQUIREMENTS) if args.peers else None

    sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    skips = {}
    for s in args.skip:
        k, _, v = s.partition(":")
        if k not in ("ft-above", "ft-cutoff-above", "ft-jobs2-cutoff-above", "ft-jobs2-above"):
            raise SystemExit(f"unknown --skip {s}")
        skips[k] = parse_size(v) if v else 0
    command = "python3 benches/compare.py " + " ".join(shlex.quote(a) for a in argv)

    if not args.no_build:
        print("building ftpart (release)", flush=True)
        run(["cargo", "build", "--release", "-p", "ftpart"], cwd=REPO)
    cmpmod = load_compare()
    import pandas as pd

    ftpart_py = None
    if not args.no_inmemory:
        ftpart_py = ensure_ftpart_venv(args.ftpart_venv or os.path.join(args.data, "venv-ftpart"))

    os.makedirs(args.data, exist_ok=True)
    child = os.path.join(args.data, "ft_child.py")
    with open(child, "w") as f:
        f.write(FT_CHILD)
    py = sys.executable
    rows, checks, skipped = [], [], []
    dask_tables = []
    peer_rows = []

    def ft_skip_reason(n, cutoff, jobs):
        if "ft-above" in skips and n > skips["ft-above"]:
            return f"skipped (--skip ft-above:{fmt_size(skips['ft-above'])})"
        if cutoff and "ft-cutoff-above" in skips and n > skips["ft-cutoff-above"]:
            return f"skipped (--skip ft-cutoff-above:{fmt_size(skips['ft-cutoff-above'])})"
        if cutoff and jobs == 2 and "ft-jobs2-cutoff-above" in skips and n > skips["ft-jobs2-cutoff-above"]:
            return f"skipped (--skip ft-jobs2-cutoff-above:{fmt_size(skips['ft-jobs2-cutoff-above'])})"
        if jobs == 2 and "ft-jobs2-above" in skips and n > skips["ft-jobs2-above"]:
            return f"skipped (--skip ft-jobs2-above:{fmt_size(skips['ft-jobs2-above'])})"
        return None

    for n in sizes:
        label = fmt_size(n)
        base = os.path.join(args.data, label)
        es_dir, feats = os.path.join(base, "es"), os.path.join(base, "features.json")
        shards, ct_path = os.path.join(base, "shards"), os.path.join(base, "cutoff.csv")
        os.makedirs(base, exist_ok=True)
        print(f"\n=== {label} transactions ===", flush=True)
        t0 = time.monotonic()
        # featuretools' mock data puts transactions 65 s apart, so its span grows with the size;
        # above 5M a smaller step keeps the data within 2014-2025 (a run without cutoff times,
        # at today's date, then sees all of it, as at the smaller sizes).
        step = max(1, min(65, 65 * 5_000_000 // n))
        run([BIN, "demo", es_dir, "--transactions", str(n), "--features", feats, "--force",
             "--step-seconds", str(step)])
        gen = time.monotonic() - t0
        ncust, lo, hi = write_cutoffs(es_dir, ct_path, args.seed)
        print(f"  data written in {gen:.1f} s; {ncust} customers, cutoffs in ({lo}, {hi})", flush=True)
        if peers_py:
            peer_rows += run_peers(peers_py, label, n, ncust, base, es_dir, feats, ct_path, args.repeat,
                                   cmpmod, checks, (str(lo), str(hi)))
        if args.peers_only:
            continue

        # ftpart split (once per size; the same shards serve both cutoff settings)
        subprocess.call(["rm", "-rf", shards])
        parts = max(args.parts, -(-n // 625_000))  # above 5M: the part size of 5M at 8 parts
        sp = measure([BIN, "split", es_dir, "--by", "customers", "--parts", str(parts), "--out", shards],
                     None, os.path.join(base, "split.log"))
        if sp["rc"] != 0:
            raise SystemExit(f"ftpart split failed, see {base}/split.log")
        print(f"  ftpart split: {sp['wall']:.2f} s, peak {sp['peak_mb']:.0f} MB", flush=True)

        for cutoff in (False, True):
            cname = "per-instance" if cutoff else "none"
            tag = "ct" if cutoff else "now"
            res = dict(size=label, n=n, customers=ncust, cutoff=cname, split=sp, span=(str(lo), str(hi)))
            for jobs in (1, 2):
                out = os.path.join(base, f"ftpart_{tag}_j{jobs}.csv")
                cmd = [BIN, "compute", shards, "--features", feats, "--jobs", str(jobs), "--out", out,
                       "--verbose"]
                if cutoff:
                    cmd[5:5] = ["--cutoff-time", ct_path]
                r = measure(cmd, None, os.path.join(base, f"ftpart_{tag}_j{jobs}.log"))
                r["out"] = out
                r.update(worker_stats(os.path.join(base, f"ftpart_{tag}_j{jobs}.log"), shards))
                if r["rc"] != 0:
                    r["error"] = open(os.path.join(base, f"ftpart_{tag}_j{jobs}.log")).read()[-400:]
                print(f"  ftpart compute --jobs {jobs} cutoff={cname}: {r['wall']:.2f} s, peak {r['peak_mb']:.0f} MB, rc {r['rc']}", flush=True)
                res[f"ftpart_j{jobs}"] = r
            for jobs in (1, 2):
                why = ft_skip_reason(n, cutoff, jobs)
                if why:
                    res[f"ft_j{jobs}"] = dict(skipped=why)
                    skipped.append(f"{label}, cutoff {cname}, featuretools n_jobs={jobs}: {why}")
                    print(f"  featuretools n_jobs={jobs} cutoff={cname}: {why}", flush=True)
                    continue
                out = os.path.join(base, f"ft_{tag}_j{jobs}.csv")
                cmd = [py, child, es_dir, feats, ct_path if cutoff else "-", str(jobs), out]
                r = measure(cmd, args.ft_timeout, os.path.join(base, f"ft_{tag}_j{jobs}.log"))
                r["out"] = out
                if r["timed_out"]:
                    r["skipped"] = f"did not finish within {args.ft_timeout / 60:g} min"
                elif r["rc"] != 0:
                    r["skipped"] = f"failed (exit {r['rc']}, see {base}/ft_{tag}_j{jobs}.log)"
                else:
                    r.update(json.loads(r["stdout"].strip().splitlines()[-1]))
                print(f"  featuretools n_jobs={jobs} cutoff={cname}: {r['wall']:.2f} s "
                      f"(calculate {r.get('calculate', float('nan')):.2f} s), peak {r['peak_mb']:.0f} MB "
                      f"{r.get('skipped', '')}", flush=True)
                res[f"ft_j{jobs}"] = r
            if ftpart_py is not None:
                # In memory: the same child, ftpart.calculate_feature_matrix on the EntitySet.
                out = os.path.join(base, f"inmem_{tag}_j2.csv")
                cmd = [ftpart_py, child, es_dir, feats, ct_path if cutoff else "-", "2", out, "ftpart"]
                r = measure(cmd, None, os.path.join(base, f"inmem_{tag}_j2.log"))
                r["out"] = out
                if r["rc"] == 0:
                    r.update(json.loads(r["stdout"].strip().splitlines()[-1]))
                else:
                    r["error"] = open(os.path.join(base, f"inmem_{tag}_j2.log")).read()[-400:]
                print(f"  ftpart.calculate_feature_matrix n_jobs=2 cutoff={cname}: {r['wall']:.2f} s "
                      f"(calculate {r.get('calculate', float('nan')):.2f} s), peak {r['peak_mb']:.0f} MB, "
                      f"rc {r['rc']}", flush=True)
                res["inmem_j2"] = r
            # conformance: every ftpart matrix against every featuretools matrix of this configuration
            for fj in (1, 2):
                f = res[f"ft_j{fj}"]
                if "skipped" in f:
                    continue
                expected = pd.read_csv(f["out"], low_memory=False)
                for pj in (1, 2, "inmem"):
                    p = res.get("inmem_j2") if pj == "inmem" else res[f"ftpart_j{pj}"]
                    if p is None:
                        continue
                    what = ("ftpart.calculate_feature_matrix n_jobs=2" if pj == "inmem"
                            else f"ftpart --jobs {pj}")
                    name = f"{label} cutoff={cname}: {what} vs featuretools n_jobs={fj}"
                    if p["rc"] != 0:
                        checks.append((name, False, "ftpart failed: " + p.get("error", "")))
                        continue
                    errs = cmpmod.compare(pd.read_csv(p["out"], low_memory=False), expected)
                    checks.append((name, not errs, "; ".join(errs[:3]) if errs else
                                   f"{len(expected)} rows x {expected.shape[1]} columns equal"))
                    print(f"  check {name}: {'ok' if not errs else 'MISMATCH ' + errs[0]}", flush=True)
            rows.append(res)
        if args.dask and ftpart_py is not None:
            # featuretools n_jobs=2, featuretools and ftpart on a persistent LocalCluster (first
            # and second call), ftpart's own workers: one process tree each, matrices checked.
            table = os.path.join(base, "dask.md")
            r = subprocess.run([ftpart_py, os.path.join(HERE, "on_dask.py"), "--es", es_dir,
                                "--features", feats, "--workers", "2", "--results", table])
            dask_tables.append((label, open(table).read() if r.returncode == 0 else
                                f"benches/on_dask.py failed (exit {r.returncode})\n"))

    if args.peers_only:
        report = render_peers(peer_rows, checks, command, args, header=True)
    else:
        report = render(rows, checks, skipped, command, args, skips)
        if peer_rows:
            report += "\n" + render_peers(peer_rows, [], command, args, header=False)
    for label, text in dask_tables:
        report += f"\n## On one Dask cluster, {label} transactions (benches/on_dask.py)\n\n"
        report += "\n".join(text.splitlines()[2:]) + "\n"
    print("\n" + report)
    with open(args.results, "w") as f:
        f.write(report)
    print(f"wrote {args.results}")
    return 0 if all(ok for _, ok, _ in checks) else 1


# ----------------------------------------------------------------------------------------------
# peers (issue #17): hand-written DuckDB and polars versions of the 75 features


def run_peers(py, label, n, ncust, base, csv_es, feats, ct_path, repeat, cmpmod, checks, span):
    """Times ftpart calculate, ftpart run --jobs 2, and the DuckDB and polars peers (each its own
    process, `measure`), all on the Parquet form of the demo entity set and writing Parquet,
    `repeat` rounds round-robin; checks every matrix against ftpart calculate's. One row per
    (cutoff setting, tool) with the runs and their medians."""
    import statistics
    import pandas as pd

    es = os.path.join(base, "es-parquet")
    t0 = time.monotonic()
    run([py, os.path.join(HERE, "peers", "to_parquet.py"), csv_es, es])
    print(f"  es.to_parquet layout written in {time.monotonic() - t0:.1f} s", flush=True)
    tools = {
        "ftpart calculate": lambda out, ct: [BIN, "calculate", es, "--features", feats, "--out", out]
        + (["--cutoff-time", ct] if ct else []),
        "ftpart run -j2": lambda out, ct: [BIN, "run", es, "--features", feats, "--jobs", "2", "--quiet",
                                           "--out", out] + (["--cutoff-time", ct] if ct else []),
        "DuckDB": lambda out, ct: [py, os.path.join(HERE, "peers", "duckdb_features.py"), es, out]
        + (["--cutoff", ct] if ct else []),
        "polars": lambda out, ct: [py, os.path.join(HERE, "peers", "polars_features.py"), es, out]
        + (["--cutoff", ct] if ct else []),
    }
    out_rows = []
    load0 = os.getloadavg()
    for cutoff in (False, True):
        cname, tag = ("per-instance", "ct") if cutoff else ("none", "now")
        runs = {t: [] for t in tools}
        for i in range(repeat):
            for tool, cmd in tools.items():
                slug = tool.replace(" ", "_").replace("-", "")
                out = os.path.join(base, f"peers_{slug}_{tag}.parquet")
                log = os.path.join(base, f"peers_{slug}_{tag}_{i}.log")
                while not os.path.exists(cmd(out, None)[0]):  # a binary being rebuilt
                    time.sleep(5)
                r = measure(cmd(out, ct_path if cutoff else None), None, log)
                r["out"] = out
                if r["rc"] != 0:
                    r["error"] = open(log).read()[-400:]
                print(f"  [{i + 1}/{repeat}] {tool} cutoff={cname}: {r['wall']:.2f} s, peak {r['peak_mb']:.0f} MB, "
                      f"rc {r['rc']}", flush=True)
                runs[tool].append(r)
                if r["rc"] == 0 and tool in ("DuckDB", "polars"):
                    r.update(json.loads(r["stdout"].strip().splitlines()[-1]))
            # every round's matrices against ftpart calculate's of the same round
            ref = runs["ftpart calculate"][-1]
            expected = pd.read_parquet(ref["out"]) if ref["rc"] == 0 else None
            for tool in ("ftpart run -j2", "DuckDB", "polars"):
                r = runs[tool][-1]
                name = f"{label} cutoff={cname} round {i + 1}: {tool} vs ftpart calculate"
                if r["rc"] != 0 or expected is None:
                    r["equal"] = False
                    checks.append((name, False, "failed: " + r.get("error", ref.get("error", ""))))
                    continue
                got = pd.read_parquet(r["out"])
                errs = cmpmod.compare(got, expected)
                if not got.index.equals(expected.index):
                    errs.append("index (customer_id, row order) differs")
                r["equal"] = not errs
                checks.append((name, not errs, "; ".join(errs[:3]) if errs else
                               f"{len(expected)} rows x {expected.shape[1]} columns equal"))
                print(f"  check {name}: {'ok' if not errs else 'MISMATCH ' + errs[0]}", flush=True)
        for tool, rs in runs.items():
            ok = [r for r in rs if r["rc"] == 0]
            row = dict(size=label, n=n, customers=ncust, cutoff=cname, tool=tool, runs=rs, span=span,
                       wall=statistics.median(r["wall"] for r in ok) if ok else None,
                       peak_mb=statistics.median(r["peak_mb"] for r in ok) if ok else None,
                       equal=None if tool == "ftpart calculate" else all(r.get("equal") for r in rs))
            if tool in ("DuckDB", "polars") and ok:
                row["compute"] = statistics.median(r["compute"] for r in ok)
                row["threads"] = ok[0].get("threads")
            out_rows.append(row)
    for row in out_rows:
        row["load"] = (load0, os.getloadavg())
    return out_rows


def render_peers(rows, checks, command, args, header):
    m = machine()
    L = []
    if header:
        L += ["# ftpart vs hand-written DuckDB and polars (the same 75 features)", "",
              f"Date: {dt.datetime.now().strftime('%Y-%m-%d %H:%M %Z').strip()} (UTC)  ",
              f"Machine: {m.get('cpu', '?')}, nproc {m.get('nproc')}, MemTotal {m.get('mem', '?')}  ",
              f"Command: `{command}`  ", ""]
    else:
        L += ["## Peers: hand-written DuckDB and polars (benches/peers/)", ""]
    vers = {}
    try:
        for line in open(PEERS_REQUIREMENTS):
            if "==" in line and not line.startswith("#"):
                k, v = line.strip().split("==")
                vers[k] = v
    except OSError:
        pass
    L += [f"Data: `ftpart demo --transactions N` (mock-customer, 500 transactions per customer, the 75 DFS "
          f"features of the customers target, depth 2), converted to featuretools' `es.to_parquet` layout "
          f"(benches/peers/to_parquet.py); per-instance cutoffs: benches/compare.py's seeded CSV, one distinct "
          f"time per customer (seed {args.seed}); \"none\" = no cutoff (datetime.now(), after the data). "
          f"All four read the same Parquet entity set and write a Parquet matrix. "
          f"`ftpart calculate`: one process, its default threads (one per core); `ftpart run -j2`: split into a "
          f"temporary directory + compute on 2 worker processes (its default parts); DuckDB "
          f"{vers.get('duckdb', '?')} (benches/peers/duckdb_features.py, one SQL query, default threads) and "
          f"polars {vers.get('polars', '?')} (benches/peers/polars_features.py, one lazy plan, default threads), "
          f"pyarrow {vers.get('pyarrow', '?')}, each peer a Python process (interpreter start and imports "
          f"included in its wall time). Each command is its own process: wall time, and peak of the summed "
          f"VmRSS of the process tree sampled every ~5 ms (the helper `measure` of benches/compare.py); "
          f"{args.repeat} rounds, round-robin, medians.", ""]
    for r in rows:
        if r["tool"] == "ftpart calculate" and r["cutoff"] == "none":
            (a1, a5, _), (b1, b5, _) = r["load"]
            L.append(f"- {r['size']}: {r['n']} transactions, {r['customers']} customers, transaction times "
                     f"{r['span'][0]} .. {r['span'][1]}; load average (1 min, 5 min) {a1:.2f}, {a5:.2f} "
                     f"before these runs, {b1:.2f}, {b5:.2f} after")
    L += ["", "| size | cutoff | command | wall s (median) | wall s (each run) | peak MB (median) "
          "| peer's own query time s (median) | equal to ftpart calculate |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        each = ", ".join(f"{x['wall']:.2f}" if x["rc"] == 0 else "failed" for x in r["runs"])
        eq = "reference" if r["equal"] is None else ("yes" if r["equal"] else "NO")
        wall = "failed" if r["wall"] is None else f"{r['wall']:.2f}"
        peak = "" if r["peak_mb"] is None else f"{r['peak_mb']:.0f}"
        inner = f"{r['compute']:.2f}" if "compute" in r else ""
        L.append(f"| {r['size']} | {r['cutoff']} | {r['tool']} | {wall} | {each} | {peak} | {inner} | {eq} |")
    L += ["", "Ratios ftpart / peer (medians; below 1 means ftpart takes less time or memory):", "",
          "| size | cutoff | calculate / DuckDB | calculate / polars | run -j2 / DuckDB | run -j2 / polars "
          "| memory: calculate / DuckDB | memory: calculate / polars | memory: run -j2 / DuckDB | memory: run -j2 / polars |",
          "|---|---|---|---|---|---|---|---|---|---|"]
    keys = sorted({(r["size"], r["n"], r["cutoff"]) for r in rows}, key=lambda k: (k[1], k[2] != "none"))
    for size, _, cutoff in keys:
        by = {r["tool"]: r for r in rows if r["size"] == size and r["cutoff"] == cutoff}
        cells = [size, cutoff]
        for key in ("wall", "peak_mb"):
            for ft in ("ftpart calculate", "ftpart run -j2"):
                for peer in ("DuckDB", "polars"):
                    a, b = by[ft][key], by[peer][key]
                    cells.append("n/a" if a is None or b is None else f"{a / b:.2f}")
        L.append("| " + " | ".join(cells) + " |")
    if header:
        L += ["", "## Equality checks (each round: matrix vs ftpart calculate's, compare_fm.py: same columns, "
              "rows, values to rtol 1e-6; and the same customer_id index)", ""]
        for name, ok, msg in checks:
            L.append(f"- {'PASS' if ok else 'FAIL'} {name}: {msg}")
        if not checks:
            L.append("- none run")
    return "\n".join(L) + "\n"


def render(rows, checks, skipped, command, args, skips):
    m = machine()
    s = lambda v: f"{v:.2f}"
    L = ["# ftpart vs featuretools 1.31: end-to-end comparison", "",
         f"Date: {dt.datetime.now().strftime('%Y-%m-%d %H:%M %Z').strip()} (UTC)  ",
         f"Machine: {m.get('cpu', '?')}, nproc {m.get('nproc')}, MemTotal {m.get('mem', '?')}  ",
         f"Command: `{command}`  ",
         f"Data: `ftpart demo --transactions N` (mock-customer; 500 transactions per customer; featuretools' "
         f"65 s between transactions, above 5M a step that keeps the data within 2014-2025), the 75 DFS "
         f"features it writes (customers target, depth 2, `ft.save_features` format); per-instance cutoffs: "
         f"one distinct random time per customer inside the data's time span (seed {args.seed}). "
         f"\"none\" = no cutoff_time (featuretools uses datetime.now(), after the end of the data). "
         f"ftpart split: `--by customers --parts {args.parts}` (above 5M: one part per 625k transactions, the "
         f"part size of 5M; Arrow IPC shards); compute writes CSV. "
         f"Each run is a separate process; memory = peak of the summed VmRSS of the process and all its "
         f"descendants, sampled every ~5 ms. featuretools timeout {args.ft_timeout / 60:g} min per run.", "",
         ] + [f"- {r['size']}: {r['n']} transactions, {r['customers']} customers, transaction times "
                f"{r['span'][0]} .. {r['span'][1]}" for r in rows if r["cutoff"] == "none"] + ["",
         "## Times (seconds) and peak memory (MB)", "",
         "| size | cutoff | ft n_jobs=1 calc | ft n_jobs=1 total | ft n_jobs=1 MB | ft n_jobs=2 calc | ft n_jobs=2 total | ft n_jobs=2 MB "
         "| ftpart split | split MB | compute -j1 | -j1 MB | compute -j2 | -j2 MB | split+compute -j2 |",
         "|" + "---|" * 15]
    for r in rows:
        cells = [r["size"], r["cutoff"]]
        for j in (1, 2):
            f = r[f"ft_j{j}"]
            if "skipped" in f:
                cells += [f["skipped"], "", ""]
            else:
                cells += [s(f["calculate"]), s(f["wall"]), f"{f['peak_mb']:.0f}"]
        sp = r["split"]
        cells += [s(sp["wall"]), f"{sp['peak_mb']:.0f}"]
        for j in (1, 2):
            p = r[f"ftpart_j{j}"]
            cells += [s(p["wall"]) if p["rc"] == 0 else "failed", f"{p['peak_mb']:.0f}"]
        cells.append(s(sp["wall"] + r["ftpart_j2"]["wall"]))
        L.append("| " + " | ".join(cells) + " |")
    L += ["", "## ftpart workers (compute -j2): peak memory of the largest worker (VmHWM, incl. the "
          "mapped shard pages) against its budget = largest shard part + largest part matrix + 64 MB", "",
          "| size | cutoff | shard part MB | part matrix MB | budget MB | worker peak MB | within |",
          "|---|---|---|---|---|---|---|"]
    for r in rows:
        p = r["ftpart_j2"]
        if "worker_mb" not in p or p["rc"] != 0:
            continue
        budget = p["shard_part_mb"] + p["result_mb"] + 64
        L.append(f"| {r['size']} | {r['cutoff']} | {p['shard_part_mb']:.1f} | {p['result_mb']:.2f} | "
                 f"{budget:.1f} | {p['worker_mb']:.1f} | {'yes' if p['worker_mb'] <= budget else 'no'} |")
    L += ["", "## Ratios (featuretools / ftpart; >1 means ftpart is faster or smaller)", "",
          "| size | cutoff | ft n_jobs=1 calc / ftpart compute -j2 | ft n_jobs=1 total / ftpart split+compute -j2 "
          "| ft n_jobs=2 total / ftpart split+compute -j2 | memory: ft n_jobs=1 / ftpart compute -j2 "
          "| memory: ft n_jobs=2 / ftpart compute -j2 |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        p2, sp = r["ftpart_j2"], r["split"]
        ok = p2["rc"] == 0
        tot = sp["wall"] + p2["wall"]
        cells = [r["size"], r["cutoff"]]
        f1, f2 = r["ft_j1"], r["ft_j2"]
        g = lambda f, _: "skipped" in f or not ok  # no ratio when either side did not run
        cells.append("n/a" if g(f1, 0) else f"{f1['calculate'] / p2['wall']:.1f}x")
        cells.append("n/a" if g(f1, 0) else f"{f1['wall'] / tot:.1f}x")
        cells.append("n/a" if g(f2, 0) else f"{f2['wall'] / tot:.1f}x")
        cells.append("n/a" if g(f1, 0) else f"{f1['peak_mb'] / p2['peak_mb']:.1f}x")
        cells.append("n/a" if g(f2, 0) else f"{f2['peak_mb'] / p2['peak_mb']:.1f}x")
        L.append("| " + " | ".join(cells) + " |")
    inmem = [r for r in rows if "inmem_j2" in r]
    if inmem:
        L += ["", "## In memory: ftpart.calculate_feature_matrix(n_jobs=2) on a featuretools EntitySet", "",
              "The same child process as featuretools' runs (ft.read_entityset, ft.load_features, the "
              "call, fm.to_csv), with `ftpart.calculate_feature_matrix` (the Python package, "
              "python/) instead of `ft.calculate_feature_matrix`; time and peak memory of the whole "
              "process tree (the ftpart workers included).", "",
              "| size | cutoff | ftpart n_jobs=2 calc | total | MB | ft n_jobs=1 calc / ftpart calc "
              "| ft n_jobs=2 calc / ftpart calc | ft n_jobs=1 MB / ftpart MB | ft n_jobs=2 MB / ftpart MB |",
              "|---|---|---|---|---|---|---|---|---|"]
        for r in inmem:
            p = r["inmem_j2"]
            ok = p["rc"] == 0
            cells = [r["size"], r["cutoff"]]
            cells += [s(p["calculate"]), s(p["wall"]), f"{p['peak_mb']:.0f}"] if ok else ["failed", "", ""]
            for key in ("calculate", "peak_mb"):
                for j in (1, 2):
                    f = r[f"ft_j{j}"]
                    cells.append("n/a" if "skipped" in f or not ok else f"{f[key] / p[key]:.1f}x")
            # calc ratios first, then memory ratios, as the header says
            L.append("| " + " | ".join(cells) + " |")
    L += ["", "## Equality checks (ftpart matrix vs featuretools matrix: same columns, rows, values to rtol 1e-6)", ""]
    for name, ok, msg in checks:
        L.append(f"- {'PASS' if ok else 'FAIL'} {name}: {msg}")
    if not checks:
        L.append("- none run")
    L += ["", "## Skipped runs", ""]
    L += [f"- {x}" for x in skipped] or ["- none"]
    if skipped:
        L += ["", "featuretools computes the whole matrix once per distinct cutoff time (here one per "
              "customer), so per-instance-cutoff runs at the larger sizes would not finish in the time "
              "available for this run; ftpart computes all (instance, cutoff) pairs in one pass."]
        big = [r for r in rows if r["cutoff"] == "none" and "skipped" not in r["ft_j1"]]
        if "ft-above" in skips and big:
            r = big[-1]
            L.append(f"featuretools holds the whole entity set in pandas: at {r['size']} its n_jobs=1 run peaked at "
                     f"{r['ft_j1']['peak_mb']:.0f} MB and took {r['ft_j1']['wall']:.0f} s; memory grows with the "
                     f"rows, so above {fmt_size(skips['ft-above'])} it would need more than this machine's memory "
                     f"and featuretools was not run there.")
        done = [r for r in rows if r["cutoff"] == "per-instance" and "skipped" not in r["ft_j1"]]
        if done:
            r = done[-1]
            L.append(f"Measured here: at {r['size']} ({r['customers']} distinct cutoffs) featuretools n_jobs=1 "
                     f"took {r['ft_j1']['calculate']:.1f} s to calculate; the larger sizes have "
                     f"proportionally more customers (distinct cutoffs) and more rows per cutoff.")
    return "\n".join(L) + "\n"


if __name__ == "__main__":
    sys.exit(main())
