"""Shared by the hand-written peers (duckdb_features.py, polars_features.py): the 75 feature
names in ftpart's (= featuretools') column order, their output types, the cutoff CSV's reading
rule and the Parquet writer that gives ftpart's matrix layout (index `customer_id` as the first
column, recorded as the pandas index in the `pandas` schema metadata, so `pd.read_parquet`
returns the same frame for a peer's file as for ftpart's)."""
import datetime as dt
import json
import os

import pyarrow as pa
import pyarrow.parquet as pq

INDEX = "customer_id"

# The eight numeric session features of depth 1 that the depth-2 aggregations stack on, in the
# alphabetical order DFS generates them.
SESSION_NUMERIC = [
    "COUNT(transactions)",
    "MAX(transactions.amount)",
    "MEAN(transactions.amount)",
    "MIN(transactions.amount)",
    "NUM_UNIQUE(transactions.product_id)",
    "SKEW(transactions.amount)",
    "STD(transactions.amount)",
    "SUM(transactions.amount)",
]
# Stacking (featuretools 1.31 DFS): MAX/MIN/SKEW/STD/SUM are stack_on_self=False (they skip the
# session feature of their own primitive); MEAN stacks on all eight; SUM excludes COUNT.
STACKS = {
    "MAX": [x for x in SESSION_NUMERIC if not x.startswith("MAX(")],
    "MEAN": list(SESSION_NUMERIC),
    "MIN": [x for x in SESSION_NUMERIC if not x.startswith("MIN(")],
    "SKEW": [x for x in SESSION_NUMERIC if not x.startswith("SKEW(")],
    "STD": [x for x in SESSION_NUMERIC if not x.startswith("STD(")],
    "SUM": [x for x in SESSION_NUMERIC if not x.startswith(("SUM(", "COUNT("))],
}
DATE_PARTS = ["DAY", "MONTH", "WEEKDAY", "YEAR"]


def stacked(p):
    return [f"{p}(sessions.{x})" for x in STACKS[p]]


SESSION_CATS = ["DAY(session_start)", "MODE(transactions.product_id)", "MONTH(session_start)",
                "WEEKDAY(session_start)", "YEAR(session_start)"]

FEATURES = (
    ["zip_code", "COUNT(sessions)", "MODE(sessions.device)", "NUM_UNIQUE(sessions.device)",
     "COUNT(transactions)", "MAX(transactions.amount)", "MEAN(transactions.amount)",
     "MIN(transactions.amount)", "MODE(transactions.product_id)",
     "NUM_UNIQUE(transactions.product_id)", "SKEW(transactions.amount)",
     "STD(transactions.amount)", "SUM(transactions.amount)"]
    + [f"{p}({c})" for p in DATE_PARTS for c in ("birthday", "join_date")]
    + stacked("MAX") + stacked("MEAN") + stacked("MIN")
    + [f"MODE(sessions.{x})" for x in SESSION_CATS]
    + [f"NUM_UNIQUE(sessions.{x})" for x in SESSION_CATS]
    + stacked("SKEW") + stacked("STD") + stacked("SUM")
    + ["MODE(transactions.sessions.device)", "NUM_UNIQUE(transactions.sessions.device)"]
)
assert len(FEATURES) == 75 and len(set(FEATURES)) == 75

# Output types as ftpart writes them: categories of strings as dictionary<string>, counts,
# NUM_UNIQUE, date parts and modes of integers as int64, every other aggregation float64.
STRINGS = {"zip_code", "MODE(sessions.device)", "MODE(transactions.sessions.device)"}


def out_type(name):
    if name in STRINGS:
        return pa.dictionary(pa.int32(), pa.string())
    if name.split("(")[0] in ("MAX", "MEAN", "MIN", "SKEW", "STD", "SUM"):
        return pa.float64()
    return pa.int64()


def now():
    """featuretools' cutoff when none is given: datetime.now() (naive, local time)."""
    return dt.datetime.now()


def cutoff_arg(argv):
    """The --cutoff CUTOFF.csv argument (customer_id,time; one row per customer), or None."""
    if "--cutoff" in argv:
        i = argv.index("--cutoff")
        path = argv[i + 1]
        del argv[i:i + 2]
        return path
    return None


def write_matrix(table, path):
    """Writes a pyarrow table (customer_id then the 75 features, in order) as ftpart does."""
    names = [INDEX] + FEATURES
    if table.column_names != names:
        missing = [n for n in names if n not in table.column_names]
        extra = [n for n in table.column_names if n not in names]
        raise SystemExit(f"peer output columns wrong: missing {missing[:5]}, extra {extra[:5]}")
    cols = [table.column(INDEX).cast(pa.int64())]
    for n in FEATURES:
        c = table.column(n)
        t = out_type(n)
        if pa.types.is_dictionary(t):
            c = c.cast(pa.string()).dictionary_encode() if not pa.types.is_dictionary(c.type) else c
        else:
            c = c.cast(t)
        cols.append(c)
    out = pa.table(cols, names=names)
    def pandas_col(n, t):
        if pa.types.is_dictionary(t):
            return "categorical", "int32"
        if t == pa.int64():  # COUNT and NUM_UNIQUE are IntegerNullable (pandas Int64), as ftpart writes
            return ("int64", "Int64") if n.startswith(("COUNT(", "NUM_UNIQUE(")) else ("int64", "int64")
        return "float64", "float64"

    meta = {"index_columns": [INDEX],
            "column_indexes": [{"field_name": None, "metadata": {"encoding": "UTF-8"}, "name": None,
                                "numpy_type": "object", "pandas_type": "unicode"}],
            "columns": [{"name": n, "field_name": n, "pandas_type": pandas_col(n, f.type)[0],
                         "numpy_type": pandas_col(n, f.type)[1], "metadata": None}
                        for n, f in zip(names, out.schema)],
            "creator": {"library": "pyarrow", "version": pa.__version__}, "pandas_version": "2.2.3"}
    out = out.replace_schema_metadata({"pandas": json.dumps(meta)})
    pq.write_table(out, path)
    return out.num_rows


def q(s, quote='"'):
    """An SQL identifier ("...") or string literal ('...')."""
    return quote + s.replace(quote, quote * 2) + quote


def read_cutoffs(path):
    """The cutoff CSV as a pyarrow table (k = its row number, customer_id, time): featuretools'
    output follows the cutoff frame's row order, one row per (customer_id, time) pair (a
    duplicated pair is an error in featuretools: AssertionError, here too). Extra (label)
    columns are not read: they are pass-through in featuretools, not features."""
    import pyarrow.csv as pcsv

    t = pcsv.read_csv(path, convert_options=pcsv.ConvertOptions(
        column_types={INDEX: pa.int64(), "time": pa.timestamp("us")}, include_columns=[INDEX, "time"]))
    if t.group_by([INDEX, "time"]).aggregate([]).num_rows != t.num_rows:
        raise SystemExit(f"{path}: Duplicated rows in cutoff time dataframe.")
    return pa.table({"k": pa.array(range(t.num_rows), pa.int64()), INDEX: t.column(INDEX), "time": t.column("time")})
