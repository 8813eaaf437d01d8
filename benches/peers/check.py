#!/usr/bin/env python3
"""Checks the hand-written peers (duckdb_features.py, polars_features.py) against ftpart:

    /tmp/venv-peers/bin/python benches/peers/check.py [--data DIR] [--transactions N] [--bin FTPART]
    (FTPART_BIN=/path/to/ftpart works too)

1. `ftpart demo DIR/es-csv --transactions N` (default 200000; the 75 features to DIR/features.json),
   converted to the `es.to_parquet` layout (to_parquet.py), and a per-instance cutoff CSV made
   exactly as benches/compare.py makes it (its write_cutoffs, seed 7);
2. `ftpart calculate` on the Parquet entity set without and with the cutoffs: the reference;
3. each peer on the same input, its matrix compared with ftpart's by
   /work/shared/conformance/compare_fm.py (same columns in the same order, same rows in the same
   order, values to rtol 1e-6);
4. each peer on the featuretools conformance cases of the customers target that these peers cover
   (no training window, inclusive cutoff, no cutoff in the index: entity sets
   mock_customer_s0[_parquet] and mock_customer_s1_medium), compared with featuretools 1.31's own
   expected.csv (its label pass-through columns left out; --no-conformance skips this).

Run it with an interpreter that has benches/peers/requirements.txt. Exit status 1 on any mismatch.
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
BENCHES = os.path.dirname(HERE)
sys.path.insert(0, BENCHES)
import compare  # noqa: E402  (benches/compare.py: write_cutoffs, load_compare)

PEERS = {"duckdb": os.path.join(HERE, "duckdb_features.py"),
         "polars": os.path.join(HERE, "polars_features.py")}
CONFORMANCE = "/work/shared/conformance"


def wait_for(path, timeout=900):
    """A binary being rebuilt is briefly missing: wait for it (up to `timeout` s)."""
    import time
    t0 = time.monotonic()
    while not os.path.exists(path):
        if time.monotonic() - t0 > timeout:
            raise SystemExit(f"{path} not found")
        time.sleep(5)


def sh(cmd, **kw):
    print("  $ " + " ".join(cmd), flush=True)
    wait_for(cmd[0])
    return subprocess.run(cmd, check=True, **kw)


def make_data(bin_, data, n, seed=7):
    """DIR/es-csv (ftpart demo), DIR/es (Parquet), DIR/features.json, DIR/cutoff.csv."""
    csv, pq, feats, ct = (os.path.join(data, x) for x in ("es-csv", "es", "features.json", "cutoff.csv"))
    os.makedirs(data, exist_ok=True)
    sh([bin_, "demo", csv, "--transactions", str(n), "--features", feats, "--force"])
    sh([sys.executable, os.path.join(HERE, "to_parquet.py"), csv, pq])
    compare.write_cutoffs(csv, ct, seed)
    return pq, feats, ct


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="/tmp/peers-check")
    ap.add_argument("--transactions", type=int, default=200_000)
    ap.add_argument("--bin", default=os.environ.get("FTPART_BIN", compare.BIN),
                    help="the ftpart binary (default $FTPART_BIN, else target/release/ftpart)")
    ap.add_argument("--no-conformance", action="store_true")
    args = ap.parse_args()
    cfm = compare.load_compare()
    import pandas as pd

    es, feats, ct = make_data(args.bin, args.data, args.transactions)
    results = []
    for tag, cutoff in (("none", None), ("per-instance", ct)):
        ref = os.path.join(args.data, f"ftpart_{tag}.parquet")
        sh([args.bin, "calculate", es, "--features", feats, "--out", ref]
           + (["--cutoff-time", cutoff] if cutoff else []))
        expected = pd.read_parquet(ref)
        for peer, script in PEERS.items():
            out = os.path.join(args.data, f"{peer}_{tag}.parquet")
            sh([sys.executable, script, es, out] + (["--cutoff", cutoff] if cutoff else []),
               stdout=subprocess.DEVNULL)
            got = pd.read_parquet(out)
            errs = cfm.compare(got, expected)
            # compare_fm compares the columns; the index (customer_id, row order) here
            if got.index.name != expected.index.name or not got.index.equals(expected.index):
                errs.append(f"index differs: {got.index.name} {list(got.index[:5])} vs "
                            f"{expected.index.name} {list(expected.index[:5])}")
            name = f"{args.transactions} transactions, cutoff {tag}: {peer} vs ftpart calculate"
            results.append((name, errs, f"{len(expected)} rows x {expected.shape[1]} features"))

    if not args.no_conformance:
        cases = os.path.join(CONFORMANCE, "cases")
        converted = {}
        for case in sorted(os.listdir(cases)):
            c = json.load(open(os.path.join(cases, case, "case.json")))
            if (c["target"] != "customers" or c["training_window"] or not c["include_cutoff_time"]
                    or c["cutoff_time_in_index"]):
                continue
            src = os.path.normpath(os.path.join(cases, case, c["entityset"]))
            desc = json.load(open(os.path.join(src, "data_description.json")))
            if desc.get("format") == "csv":
                if src not in converted:
                    converted[src] = os.path.join(args.data, "conformance", os.path.basename(src))
                    sh([sys.executable, os.path.join(HERE, "to_parquet.py"), src, converted[src]])
                src = converted[src]
            exp = pd.read_csv(os.path.join(cases, case, c["expected"]))
            for peer, script in PEERS.items():
                out = os.path.join(args.data, f"conformance_{case}_{peer}.parquet")
                cmd = [sys.executable, script, src, out]
                if c["cutoff_time"]:
                    cmd += ["--cutoff", os.path.join(cases, case, c["cutoff_time"])]
                sh(cmd, stdout=subprocess.DEVNULL)
                got = pd.read_parquet(out).reset_index()
                # featuretools appends the cutoff frame's extra (label) columns: not features
                want = exp[[x for x in exp.columns if x in got.columns]]
                errs = cfm.compare(got, want)
                results.append((f"conformance {case}: {peer} vs featuretools 1.31 expected.csv", errs,
                                f"{len(want)} rows x {want.shape[1] - 1} features"))

    print()
    for name, errs, what in results:
        print(f"{'PASS' if not errs else 'FAIL'} {name}: " + (what if not errs else "; ".join(errs[:3])))
    bad = sum(1 for _, e, _ in results if e)
    print(f"\n{len(results) - bad} of {len(results)} checks passed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
