#!/usr/bin/env python3
"""The 75 DFS features of `ftpart demo` (featuretools 1.31, customers target, depth 2), written
by hand with the polars lazy API:

    python benches/peers/polars_features.py ES_DIR OUT.parquet [--cutoff CUTOFF.csv]

The same contract as duckdb_features.py (read its docstring): ES_DIR in `es.to_parquet` layout,
OUT.parquet in ftpart's matrix layout, rows without a cutoff in the customers' (join_date,
customer_id) order, with a cutoff CSV one row per CSV row k (time index <= its cutoff in every
dataframe), in the CSV's order. Polars' default threads; one `collect()` of one lazy plan.

featuretools semantics as in duckdb_features.py: STD ddof=1; SKEW is pandas' nanskew (centred
moments in the group, m2/m3 below 1e-14 zeroed, 0 for a constant group, null below 3 values;
polars' own skew(bias=False) gives NaN for a constant group); MODE ties to the smallest value
(`mode().min()`); NUM_UNIQUE excludes nulls (polars' n_unique counts null, hence drop_nulls);
a session without visible transactions has COUNT 0 and SUM 0 and null elsewhere.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from common import STACKS  # noqa: E402

import polars as pl  # noqa: E402


def pd_skew(x):
    """pandas nanskew of column expression `x` in a group (nulls skipped)."""
    n = x.count().cast(pl.Float64)
    d = x - x.sum() / n
    m2 = (d ** 2).sum()
    m3 = (d ** 3).sum()
    m3 = pl.when(m3.abs() < 1e-14).then(0.0).otherwise(m3)
    return (pl.when(n < 3).then(None)
            .when(m2.abs() < 1e-14).then(0.0)
            .otherwise(n * (n - 1).sqrt() / (n - 2) * m3 / m2 ** 1.5))


def mode(x):
    """featuretools MODE: the most frequent non-null value, ties to the smallest."""
    return x.drop_nulls().mode().min()


def nunique(x):
    return x.drop_nulls().n_unique()


def plan(es, cutoff):
    data = lambda df: pl.scan_parquet(os.path.join(es, "data", df, "data", f"{df}.parquet"))
    customers = data("customers").select("customer_id", pl.col("zip_code").cast(pl.String),
                                         "join_date", "birthday")
    if cutoff:
        cut = pl.from_arrow(common.read_cutoffs(cutoff)).lazy()
    else:
        now = common.now()
        cut = (customers.filter(pl.col("join_date") <= now).sort("join_date", "customer_id")
               .with_row_index("k").select(pl.col("k").cast(pl.Int64), "customer_id",
                                           pl.lit(now).cast(pl.Datetime("us")).alias("time")))
    ts = lambda c: pl.col(c).cast(pl.Datetime("us"))
    # visible rows: time index <= the instance's cutoff, in every dataframe on the path
    cust = (cut.join(customers, on="customer_id").filter(ts("join_date") <= pl.col("time"))
            .select("k", "customer_id", "zip_code", "join_date", "birthday", pl.col("time").alias("cutoff")))
    sess = (data("sessions").select("session_id", "customer_id", pl.col("device").cast(pl.String), "session_start")
            .join(cust.select("k", "customer_id", "cutoff"), on="customer_id")
            .filter(ts("session_start") <= pl.col("cutoff")))
    tx = (data("transactions").select("session_id", "transaction_time", "product_id", "amount")
          .join(sess.select("k", "session_id", "device", "cutoff"), on="session_id")
          .filter(ts("transaction_time") <= pl.col("cutoff"))
          .select("k", "session_id", "device", "product_id", "amount"))

    a = pl.col("amount")
    # --- depth 1 on sessions (per session over its visible transactions)
    s1 = tx.group_by("k", "session_id").agg(
        pl.len().alias("COUNT(transactions)"),
        a.max().alias("MAX(transactions.amount)"),
        a.mean().alias("MEAN(transactions.amount)"),
        a.min().alias("MIN(transactions.amount)"),
        nunique(pl.col("product_id")).alias("NUM_UNIQUE(transactions.product_id)"),
        pd_skew(a).alias("SKEW(transactions.amount)"),
        a.std(ddof=1).alias("STD(transactions.amount)"),
        a.sum().alias("SUM(transactions.amount)"),
        mode(pl.col("product_id")).alias("MODE(transactions.product_id)"),
    )
    st = pl.col("session_start")
    sf = (sess.join(s1, on=["k", "session_id"], how="left")
          .with_columns(pl.col("COUNT(transactions)").fill_null(0),
                        pl.col("SUM(transactions.amount)").fill_null(0.0),
                        st.dt.day().alias("DAY(session_start)"),
                        st.dt.month().alias("MONTH(session_start)"),
                        (st.dt.weekday() - 1).alias("WEEKDAY(session_start)"),  # pandas: Monday=0
                        st.dt.year().alias("YEAR(session_start)")))
    # --- depth 1 and 2 on customers over sessions
    aggs = [pl.len().alias("COUNT(sessions)"),
            mode(pl.col("device")).alias("MODE(sessions.device)"),
            nunique(pl.col("device")).alias("NUM_UNIQUE(sessions.device)")]
    for x in common.SESSION_CATS:
        aggs.append(mode(pl.col(x)).alias(f"MODE(sessions.{x})"))
        aggs.append(nunique(pl.col(x)).alias(f"NUM_UNIQUE(sessions.{x})"))
    fns = {"MAX": lambda c: c.max(), "MEAN": lambda c: c.mean(), "MIN": lambda c: c.min(),
           "SKEW": pd_skew, "STD": lambda c: c.std(ddof=1), "SUM": lambda c: c.sum()}
    for p, fn in fns.items():
        for x in STACKS[p]:
            aggs.append(fn(pl.col(x).cast(pl.Float64)).alias(f"{p}(sessions.{x})"))
    # a transaction's device is its session's: the per-customer transaction counts by device
    # come from the sessions' COUNT(transactions)
    c_sess = sf.group_by("k").agg(aggs)
    dev = (sf.filter(pl.col("COUNT(transactions)") > 0).drop_nulls("device")
           .group_by("k", "device").agg(pl.col("COUNT(transactions)").sum().alias("c"))
           .sort("k", pl.col("c"), "device", descending=[False, True, False])
           .group_by("k").agg(pl.col("device").first().alias("MODE(transactions.sessions.device)")))
    # --- depth 1 on customers over transactions
    c_tx = tx.group_by("k").agg(
        pl.len().alias("COUNT(transactions)"),
        a.max().alias("MAX(transactions.amount)"),
        a.mean().alias("MEAN(transactions.amount)"),
        a.min().alias("MIN(transactions.amount)"),
        mode(pl.col("product_id")).alias("MODE(transactions.product_id)"),
        nunique(pl.col("product_id")).alias("NUM_UNIQUE(transactions.product_id)"),
        pd_skew(a).alias("SKEW(transactions.amount)"),
        a.std(ddof=1).alias("STD(transactions.amount)"),
        a.sum().alias("SUM(transactions.amount)"),
        nunique(pl.col("device")).alias("NUM_UNIQUE(transactions.sessions.device)"),
    )
    dates = []
    for c in ("birthday", "join_date"):
        dates += [pl.col(c).dt.day().alias(f"DAY({c})"), pl.col(c).dt.month().alias(f"MONTH({c})"),
                  (pl.col(c).dt.weekday() - 1).alias(f"WEEKDAY({c})"), pl.col(c).dt.year().alias(f"YEAR({c})")]
    zero = ["COUNT(sessions)", "COUNT(transactions)", "SUM(transactions.amount)"] + \
        [f"SUM(sessions.{x})" for x in STACKS["SUM"]]
    out = (cut.select("k", "customer_id")
           .join(cust.drop("customer_id").with_columns(dates), on="k", how="left")
           .join(c_sess, on="k", how="left")
           .join(dev, on="k", how="left")
           .join(c_tx, on="k", how="left")
           .with_columns(pl.col(zero).fill_null(0))
           .sort("k")
           .select([common.INDEX] + common.FEATURES))
    return out


def main(argv):
    cutoff = common.cutoff_arg(argv)
    if len(argv) != 2:
        raise SystemExit(__doc__)
    es, out = argv
    t0 = time.perf_counter()
    table = plan(es, cutoff).collect().to_arrow()
    t1 = time.perf_counter()
    rows = common.write_matrix(table, out)
    t2 = time.perf_counter()
    print(json.dumps(dict(compute=t1 - t0, write=t2 - t1, rows=rows, threads=pl.thread_pool_size())))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
