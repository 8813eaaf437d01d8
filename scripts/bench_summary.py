#!/usr/bin/env python3
"""Sums up a `cargo bench --bench primitives` run per family, from criterion's estimates.

Usage: python3 scripts/bench_summary.py [target/criterion] [--rows 5000000]
Prints a Markdown table: family, primitives, median throughput (M rows/s) of the family's
primitives, the slowest primitive and its time per 5M rows.
"""
import json
import pathlib
import statistics
import sys


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    rows = 5_000_000
    if "--rows" in sys.argv:
        rows = int(sys.argv[sys.argv.index("--rows") + 1])
    root = pathlib.Path(args[0] if args else "target/criterion")
    print("| family | primitives | median M rows/s | fastest | slowest (time per run) |")
    print("| --- | --- | --- | --- | --- |")
    for fam in sorted(root.iterdir()):
        if not (fam.name.startswith("agg_") or fam.name.startswith("trans_")):
            continue
        times = {}
        for prim in sorted(fam.iterdir()):
            est = prim / "new" / "estimates.json"
            if est.exists():
                times[prim.name] = json.loads(est.read_text())["median"]["point_estimate"]
        if not times:
            continue
        rates = {k: rows / (v / 1e9) / 1e6 for k, v in times.items()}
        slow = max(times, key=times.get)
        fast = min(times, key=times.get)
        print(
            f"| {fam.name.replace('_', '/', 1)} | {len(times)} | {statistics.median(rates.values()):.0f} "
            f"| {fast} ({rates[fast]:.0f}) | {slow} ({times[slow] / 1e6:.0f} ms) |"
        )


if __name__ == "__main__":
    main()
