#!/usr/bin/env python3
"""The 75 DFS features of `ftpart demo` (featuretools 1.31, customers target, depth 2), written
by hand as one DuckDB SQL query:

    python benches/peers/duckdb_features.py ES_DIR OUT.parquet [--cutoff CUTOFF.csv] [--print-sql]

ES_DIR is an entity set in featuretools' `es.to_parquet` layout (benches/peers/to_parquet.py
makes one from `ftpart demo`'s CSV). OUT.parquet gets ftpart's matrix layout: `customer_id`
(the pandas index) then the 75 features in ftpart's order. DuckDB's default threads.

Without --cutoff every customer that joined by now (featuretools' datetime.now()) is a row, in
the customers' (join_date, customer_id) order. With --cutoff (CSV `customer_id,time[,labels]`,
e.g. benches/compare.py's one-per-customer file; a customer may appear at several times) each
row k of the CSV is one instance: the rows counted are those with time index <= its cutoff, in
every dataframe on the path (customers, sessions, transactions), and the output rows come in the
CSV's order (no `time` column, as ftpart's and featuretools' default); an instance not yet
joined at its cutoff gets featuretools' defaults (0 for COUNT and SUM, null elsewhere). Every
grouping is by the instance k (and session), so one customer at two cutoffs gives two rows.

featuretools semantics kept (see /work/shared/reference/featuretools-1.31-semantics.md):
STD is the sample std (ddof=1); SKEW is pandas' bias-corrected skew (nanskew: two-pass centred
moments, m2 and m3 below 1e-14 zeroed, 0 for a constant group, null below 3 values); MODE breaks
ties by the smallest value (pandas Series.mode() sorts, featuretools takes the first);
NUM_UNIQUE excludes nulls and is null for a customer with no child rows; a session without
visible transactions has COUNT 0 and SUM 0 (so it adds 0 to MEAN(sessions.SUM(...))) and null
MEAN/MAX/MIN/STD/SKEW/NUM_UNIQUE/MODE (skipped by the customer-level aggregations).
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from common import SESSION_NUMERIC, STACKS, q  # noqa: E402

import duckdb  # noqa: E402

# Per session, over its visible transactions: the eight numeric features the depth-2
# aggregations stack on, as SQL over `tx` grouped by session_id (s1), and SKEW from the centred
# moments (s2). COUNT and SUM default to 0 for a session without transactions.
SESSION_AGGS = {
    "COUNT(transactions)": "count(*)",
    "MAX(transactions.amount)": "max(amount)",
    "MEAN(transactions.amount)": "avg(amount)",
    "MIN(transactions.amount)": "min(amount)",
    "NUM_UNIQUE(transactions.product_id)": "count(DISTINCT product_id)",
    "STD(transactions.amount)": "stddev_samp(amount)",
    "SUM(transactions.amount)": "sum(amount)",
}


def pd_skew(n, m2, m3):
    """pandas nanskew from the count and the sums of squared and cubed deviations."""
    return (f"CASE WHEN {n} < 3 THEN NULL WHEN abs({m2}) < 1e-14 THEN 0.0 "
            f"ELSE {n} * sqrt({n} - 1) / ({n} - 2) * (CASE WHEN abs({m3}) < 1e-14 THEN 0.0 ELSE {m3} END) "
            f"/ pow({m2}, 1.5) END")


def mode_cte(name, source, key, value, weight="count(*)", where=None):
    """MODE of `value` per `key`: the most frequent non-null value, ties to the smallest."""
    cond = f"{value} IS NOT NULL" + (f" AND {where}" if where else "")
    return (f"{name} AS (SELECT {key}, first(v ORDER BY c DESC, v ASC) AS m FROM "
            f"(SELECT {key}, {value} AS v, {weight} AS c FROM {source} WHERE {cond} GROUP BY ALL) "
            f"GROUP BY {key})")


def query(es, cutoff):
    data = lambda df: q(os.path.join(es, "data", df, "data", f"{df}.parquet"), "'")
    if cutoff:
        cut = "SELECT k, customer_id, time FROM cutoffs"  # the CSV, read by common.read_cutoffs
    else:
        # featuretools' instances without a cutoff: the customers whose join_date <= now, in the
        # customers' time-index order
        now = f"TIMESTAMP '{common.now():%Y-%m-%d %H:%M:%S.%f}'"
        cut = (f"SELECT row_number() OVER (ORDER BY join_date, customer_id) AS k, customer_id, "
               f"{now} AS time FROM read_parquet({data('customers')}) WHERE join_date <= {now}")

    ctes = [
        f"cut AS ({cut})",
        # visible rows: time index <= the customer's cutoff, in every dataframe on the path
        f"cust AS (SELECT cut.k, c.customer_id, c.zip_code, c.birthday, c.join_date, cut.time AS cutoff "
        f"FROM read_parquet({data('customers')}) c JOIN cut USING (customer_id) WHERE c.join_date <= cut.time)",
        f"sess AS (SELECT cust.k, s.session_id, s.device, s.session_start, cust.cutoff "
        f"FROM read_parquet({data('sessions')}) s JOIN cust USING (customer_id) WHERE s.session_start <= cust.cutoff)",
        f"tx AS (SELECT sess.k, t.session_id, sess.device, t.product_id, t.amount "
        f"FROM read_parquet({data('transactions')}) t JOIN sess USING (session_id) "
        f"WHERE t.transaction_time <= sess.cutoff)",
        # --- depth 1 on sessions (per session over its transactions)
        "s1 AS (SELECT k, session_id, count(amount) AS n_amount, "
        + ", ".join(f"{e} AS {q(k)}" for k, e in SESSION_AGGS.items())
        + " FROM tx GROUP BY k, session_id)",
        "s2 AS (SELECT k, session_id, sum(power(amount - s1.\"SUM(transactions.amount)\" / s1.n_amount, 2)) AS m2, "
        "sum(power(amount - s1.\"SUM(transactions.amount)\" / s1.n_amount, 3)) AS m3 "
        "FROM tx JOIN s1 USING (k, session_id) WHERE amount IS NOT NULL GROUP BY k, session_id)",
        "sp AS (SELECT k, session_id, product_id, count(*) AS c FROM tx WHERE product_id IS NOT NULL GROUP BY ALL)",
        "smode AS (SELECT k, session_id, first(product_id ORDER BY c DESC, product_id ASC) AS m FROM sp GROUP BY k, session_id)",
        # one row per visible session with its features (depth 1 aggregations, date parts)
        "sf AS (SELECT sess.k, sess.session_id, sess.device, "
        "day(session_start) AS \"DAY(session_start)\", month(session_start) AS \"MONTH(session_start)\", "
        "isodow(session_start) - 1 AS \"WEEKDAY(session_start)\", year(session_start) AS \"YEAR(session_start)\", "
        "smode.m AS \"MODE(transactions.product_id)\", "
        "coalesce(s1.\"COUNT(transactions)\", 0) AS \"COUNT(transactions)\", "
        "s1.\"MAX(transactions.amount)\", s1.\"MEAN(transactions.amount)\", s1.\"MIN(transactions.amount)\", "
        "s1.\"NUM_UNIQUE(transactions.product_id)\", "
        f"{pd_skew('s1.n_amount', 's2.m2', 's2.m3')} AS \"SKEW(transactions.amount)\", "
        "s1.\"STD(transactions.amount)\", coalesce(s1.\"SUM(transactions.amount)\", 0) AS \"SUM(transactions.amount)\" "
        "FROM sess LEFT JOIN s1 USING (k, session_id) LEFT JOIN s2 USING (k, session_id) LEFT JOIN smode USING (k, session_id))",
    ]
    # --- depth 1 and 2 on customers over sessions (c1: one pass; c2: centred moments for SKEW)
    c1 = ["count(*) AS \"COUNT(sessions)\"", "count(DISTINCT device) AS \"NUM_UNIQUE(sessions.device)\""]
    for x in common.SESSION_CATS:
        c1.append(f"count(DISTINCT {q(x)}) AS {q('NUM_UNIQUE(sessions.' + x + ')')}")
    for p, fn in (("MAX", "max"), ("MEAN", "avg"), ("MIN", "min"), ("STD", "stddev_samp"), ("SUM", "sum")):
        for x in STACKS[p]:
            c1.append(f"{fn}({q(x)}) AS {q(p + '(sessions.' + x + ')')}")
    for x in STACKS["SKEW"]:
        c1.append(f"count({q(x)}) AS {q('n ' + x)}")
        c1.append(f"sum({q(x)}) AS {q('sum ' + x)}")
    ctes.append("c1 AS (SELECT k, " + ", ".join(c1) + " FROM sf GROUP BY k)")
    c2 = []
    for x in STACKS["SKEW"]:
        d = f"(sf.{q(x)} - c1.{q('sum ' + x)} / c1.{q('n ' + x)})"
        c2.append(f"sum(power({d}, 2)) AS {q('m2 ' + x)}, sum(power({d}, 3)) AS {q('m3 ' + x)}")
    ctes.append("c2 AS (SELECT k, " + ", ".join(c2) + " FROM sf JOIN c1 USING (k) GROUP BY k)")
    ctes.append(mode_cte("m_device", "sf", "k", "device"))
    for i, x in enumerate(common.SESSION_CATS):
        ctes.append(mode_cte(f"m_s{i}", "sf", "k", q(x)))
    # --- depth 1 and 2 on customers over transactions (c3; c4: centred moments for SKEW)
    ctes.append(
        "c3 AS (SELECT k, count(*) AS \"COUNT(transactions)\", max(amount) AS \"MAX(transactions.amount)\", "
        "avg(amount) AS \"MEAN(transactions.amount)\", min(amount) AS \"MIN(transactions.amount)\", "
        "count(DISTINCT product_id) AS \"NUM_UNIQUE(transactions.product_id)\", "
        "stddev_samp(amount) AS \"STD(transactions.amount)\", sum(amount) AS \"SUM(transactions.amount)\", "
        "count(amount) AS n_amount, count(DISTINCT device) AS \"NUM_UNIQUE(transactions.sessions.device)\" "
        "FROM tx GROUP BY k)")
    ctes.append(
        "c4 AS (SELECT k, sum(power(amount - c3.\"SUM(transactions.amount)\" / c3.n_amount, 2)) AS m2, "
        "sum(power(amount - c3.\"SUM(transactions.amount)\" / c3.n_amount, 3)) AS m3 "
        "FROM tx JOIN c3 USING (k) WHERE amount IS NOT NULL GROUP BY k)")
    # transaction counts per (customer, product) and per (customer, device), from the per-session
    # counts (a session's transactions all have its customer and its device)
    ctes.append(mode_cte("m_product", "sp", "k", "product_id", "sum(c)"))
    ctes.append(mode_cte("m_txdevice", "sf", "k", "device", "sum(\"COUNT(transactions)\")",
                         "\"COUNT(transactions)\" > 0"))

    sel = {"customer_id": "cut.customer_id", "zip_code": "cust.zip_code",
           "COUNT(sessions)": "coalesce(c1.\"COUNT(sessions)\", 0)",
           "MODE(sessions.device)": "m_device.m",
           "NUM_UNIQUE(sessions.device)": "c1.\"NUM_UNIQUE(sessions.device)\"",
           "COUNT(transactions)": "coalesce(c3.\"COUNT(transactions)\", 0)",
           "MODE(transactions.product_id)": "m_product.m",
           "SKEW(transactions.amount)": pd_skew("c3.n_amount", "c4.m2", "c4.m3"),
           "SUM(transactions.amount)": "coalesce(c3.\"SUM(transactions.amount)\", 0)",
           "MODE(transactions.sessions.device)": "m_txdevice.m",
           "NUM_UNIQUE(transactions.sessions.device)": "c3.\"NUM_UNIQUE(transactions.sessions.device)\""}
    for f in ("MAX", "MEAN", "MIN", "STD"):
        sel[f"{f}(transactions.amount)"] = f"c3.\"{f}(transactions.amount)\""
    sel["NUM_UNIQUE(transactions.product_id)"] = "c3.\"NUM_UNIQUE(transactions.product_id)\""
    for col in ("birthday", "join_date"):
        sel[f"DAY({col})"] = f"day(cust.{col})"
        sel[f"MONTH({col})"] = f"month(cust.{col})"
        sel[f"WEEKDAY({col})"] = f"isodow(cust.{col}) - 1"
        sel[f"YEAR({col})"] = f"year(cust.{col})"
    for p in ("MAX", "MEAN", "MIN", "STD"):
        for x in STACKS[p]:
            n = f"{p}(sessions.{x})"
            sel[n] = f"c1.{q(n)}"
    for x in STACKS["SUM"]:
        n = f"SUM(sessions.{x})"
        sel[n] = f"coalesce(c1.{q(n)}, 0)"
    for x in STACKS["SKEW"]:
        sel[f"SKEW(sessions.{x})"] = pd_skew(f"c1.{q('n ' + x)}", f"c2.{q('m2 ' + x)}", f"c2.{q('m3 ' + x)}")
    for i, x in enumerate(common.SESSION_CATS):
        sel[f"MODE(sessions.{x})"] = f"m_s{i}.m"
        sel[f"NUM_UNIQUE(sessions.{x})"] = f"c1.{q('NUM_UNIQUE(sessions.' + x + ')')}"
    assert set(sel) == set([common.INDEX] + common.FEATURES), set(sel) ^ set([common.INDEX] + common.FEATURES)
    cols = ",\n  ".join(f"{sel[n]} AS {q(n)}" for n in [common.INDEX] + common.FEATURES)
    joins = "\n".join(f"LEFT JOIN {t} USING (k)" for t in
                      ["cust", "c1", "c2", "c3", "c4", "m_device", "m_product", "m_txdevice"]
                      + [f"m_s{i}" for i in range(len(common.SESSION_CATS))])
    return ("WITH\n" + ",\n".join(ctes) + f"\nSELECT\n  {cols}\nFROM cut\n{joins}\nORDER BY cut.k")


def main(argv):
    cutoff = common.cutoff_arg(argv)
    show = "--print-sql" in argv
    argv = [a for a in argv if a != "--print-sql"]
    if len(argv) != 2:
        raise SystemExit(__doc__)
    es, out = argv
    sql = query(es, cutoff)
    if show:
        print(sql)
        return 0
    t0 = time.perf_counter()
    con = duckdb.connect()
    if cutoff:
        cutoffs = common.read_cutoffs(cutoff)  # noqa: F841 (DuckDB scans the Python variable)
        con.register("cutoffs", cutoffs)
    table = con.sql(sql).to_arrow_table()
    t1 = time.perf_counter()
    rows = common.write_matrix(table, out)
    t2 = time.perf_counter()
    threads = con.sql("SELECT current_setting('threads')").fetchall()[0][0]
    print(json.dumps(dict(compute=t1 - t0, write=t2 - t1, rows=rows, threads=threads)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
