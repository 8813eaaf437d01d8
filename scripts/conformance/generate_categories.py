"""Writes tests/fixtures/categories/: an entity set (es.to_csv) whose categorical columns have
categories of every type pandas gives them (float, bool, int, text, an Ordinal of floats, text
that reads as numbers), features taking their values from them (identity, Mode, First, Lag), and
featuretools' own matrix: its dtypes (dtypes.json: per column, index first, the dtype and for
categoricals the categories with their order) and its CSV (expected.csv). Also features with
float arguments of inf and NaN (features_nonfinite.json, written by ft.save_features with bare
Infinity and NaN tokens) and their matrix (expected_nonfinite.csv). tests/it/cli.rs checks
ftpart against them.

Usage: python scripts/conformance/generate_categories.py tests/fixtures/categories
"""
import json
import sys
import warnings
from pathlib import Path

warnings.simplefilter("ignore")
import featuretools as ft
import numpy as np
import pandas as pd
from featuretools.primitives import (
    CountGreaterThan,
    CountInsideRange,
    CountLessThan,
    CountOutsideRange,
    First,
    Lag,
    Mode,
)
from woodwork.logical_types import Categorical, Ordinal

#: Column → (values, logical type). Every kind of category pandas holds that ftpart gives back.
COLUMNS = {
    "f": ([1.5, 2.5, 1.5, 4.0, np.nan, 1e-07], Categorical()),
    "b": ([True, False, True, True, None, False], Categorical()),
    "i": ([1, 2, 1, 30, 2, 1], Categorical()),
    "s": (["a", "b", "a", None, "c", "b"], Categorical()),
    "d": (["1", "2.0", "1", "1e-07", "2.0", "1"], Categorical()),
    "o": ([1.5, 2.5, 1.5, 4.0, 2.5, np.nan], Ordinal(order=[4.0, 2.5, 1.5])),
}


def entityset():
    data = pd.DataFrame(
        {
            "id": range(6),
            "p": [0, 0, 1, 1, 1, 2],
            "t": pd.date_range("2020-01-01", periods=6, freq="D"),
            "x": [1.0, np.inf, 3.0, -np.inf, 5.0, np.nan],
            **{c: pd.Series(v, dtype="object") for c, (v, _) in COLUMNS.items()},
        }
    )
    es = ft.EntitySet("cats")
    es.add_dataframe(
        data,
        dataframe_name="data",
        index="id",
        time_index="t",
        logical_types={c: lt for c, (_, lt) in COLUMNS.items()},
    )
    es.add_dataframe(pd.DataFrame({"p": [0, 1, 2, 3]}), dataframe_name="parent", index="p")
    es.add_relationship("parent", "p", "data", "p")
    return es


def features(es):
    """Two lists, one per target dataframe: on `data` each categorical column's identity and
    Lag features, on `parent` its Mode and First."""
    t = ft.Feature(es["data"].ww["t"])
    on_data, on_parent = [], []
    for c in COLUMNS:
        base = ft.Feature(es["data"].ww[c])
        on_data += [base, ft.Feature([base, t], primitive=Lag())]
        for p in (Mode, First):
            on_parent.append(ft.Feature(base, parent_dataframe_name="parent", primitive=p))
    return on_data, on_parent


def nonfinite(es):
    x = ft.Feature(es["data"].ww["x"])

    def agg(p):
        return ft.Feature(x, parent_dataframe_name="parent", primitive=p)

    return [
        agg(CountGreaterThan(threshold=np.inf)),
        agg(CountGreaterThan(threshold=-np.inf)),
        agg(CountGreaterThan(threshold=np.nan)),
        agg(CountLessThan(threshold=np.inf)),
        agg(CountLessThan(threshold=np.nan)),
        agg(CountInsideRange(lower=-np.inf, upper=np.inf)),
        agg(CountInsideRange(lower=np.nan, upper=np.inf)),
        agg(CountOutsideRange(lower=-np.inf, upper=2.0)),
        agg(CountOutsideRange(lower=np.nan, upper=np.nan)),
    ]


def describe(s: pd.Series):
    d = {"dtype": str(s.dtype)}
    if isinstance(s.dtype, pd.CategoricalDtype):
        d["categories_dtype"] = str(s.dtype.categories.dtype)
        d["categories"] = [c.item() if hasattr(c, "item") else c for c in s.dtype.categories]
        d["ordered"] = bool(s.dtype.ordered)
    return d


def main(out: Path):
    es = entityset()
    out.mkdir(parents=True, exist_ok=True)
    es.to_csv(str(out / "entityset"))
    cols = []
    for name, fs in zip(["data", "parent"], features(es)):
        fm = ft.calculate_feature_matrix(fs, es)
        ft.save_features(fs, str(out / f"features_{name}.json"))
        fm.to_csv(out / f"expected_{name}.csv")
        cols = [{"name": fm.index.name, "index": True, **describe(fm.index.to_series())}]
        cols += [{"name": c, "index": False, **describe(fm[c])} for c in fm.columns]
        (out / f"dtypes_{name}.json").write_text(json.dumps(cols, indent=1) + "\n")
    fs = nonfinite(es)
    ft.save_features(fs, str(out / "features_nonfinite.json"))
    ft.calculate_feature_matrix(fs, es).to_csv(out / "expected_nonfinite.csv")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
