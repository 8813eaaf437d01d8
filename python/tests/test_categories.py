"""Categorical columns whose categories are floats, booleans, integers or text keep their values'
type and order through every feature that takes its values from them (identity, Lag, Mode,
First), as featuretools' matrix does; object categories of mixed types are refused naming the
dataframe and column. Also primitive arguments of inf and NaN, which ``ft.save_features`` writes
as bare ``Infinity`` / ``NaN`` tokens.

Regressions: float categories came back as text (``'1.5'`` for 1.5), integers of mixed
categories as text, boolean categories were refused (``value 'true' is not one of the column's
categories``), and inf / NaN arguments were refused as not JSON.
"""

import warnings

import featuretools as ft
import numpy as np
import pandas as pd
import pytest
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

import ftpart

#: Case → (values, logical type, the dtype of featuretools' categories).
CASES = {
    "float": ([1.5, 2.5, 1.5, 4.0, np.nan, 1e-07], Categorical(), "float64"),
    "bool": ([True, False, True, True, None, False], Categorical(), "bool"),
    "int": ([1, 2, 1, 30, 2, 1], Categorical(), "int64"),
    "str": (["a", "b", "a", None, "c", "b"], Categorical(), "object"),
    "digits": (["1", "2.0", "1", "1e-07", "2.0", "1"], Categorical(), "object"),
    "ordinal_float": ([1.5, 2.5, 1.5, 4.0, 2.5, np.nan], Ordinal(order=[4.0, 2.5, 1.5]), "float64"),
}


def _entityset(values, ltype):
    data = pd.DataFrame(
        {
            "id": range(6),
            "p": [0, 0, 1, 1, 1, 2],
            "t": pd.date_range("2020-01-01", periods=6, freq="D"),
            "c": pd.Series(values, dtype="object"),
        }
    )
    es = ft.EntitySet("es")
    es.add_dataframe(data, dataframe_name="data", index="id", time_index="t",
                     logical_types={"c": ltype})
    es.add_dataframe(pd.DataFrame({"p": [0, 1, 2, 3]}), dataframe_name="parent", index="p")
    es.add_relationship("parent", "p", "data", "p")
    return es


def _features(es):
    c, t = ft.Feature(es["data"].ww["c"]), ft.Feature(es["data"].ww["t"])
    on_data = [c, ft.Feature([c, t], primitive=Lag())]
    on_parent = [ft.Feature(c, parent_dataframe_name="parent", primitive=p) for p in (Mode, First)]
    return {"data": on_data, "parent": on_parent}


def _expected(features, es, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ft.calculate_feature_matrix(features, es, **kw)


@pytest.mark.parametrize("n_jobs", [1, 2])
@pytest.mark.parametrize("target", ["data", "parent"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_categories_keep_their_type_and_order(case, target, n_jobs):
    values, ltype, cat_dtype = CASES[case]
    es = _entityset(values, ltype)
    features = _features(es)[target]
    if target == "data" and n_jobs > 1:
        # Lag reads the whole of `data`, which two jobs split: refused by name (another test).
        features = features[:1]
    expected = _expected(features, es)
    got = ftpart.calculate_feature_matrix(features, es, n_jobs=n_jobs, fallback="error")
    pd.testing.assert_frame_equal(got, expected)
    assert got.ww.schema == expected.ww.schema
    for col in expected.columns:
        assert str(got[col].dtype.categories.dtype) == cat_dtype, col
        assert list(got[col].dtype.categories) == list(expected[col].dtype.categories), col
        assert got[col].dtype.ordered == isinstance(ltype, Ordinal), col


@pytest.mark.parametrize("case", sorted(CASES))
def test_files_hold_featuretools_categories(case, tmp_path):
    """Arrow: featuretools' matrix exactly. Parquet: what featuretools' own matrix gives through
    Parquet (pyarrow's Parquet reader rebuilds categories of text only)."""
    values, ltype, _ = CASES[case]
    es = _entityset(values, ltype)
    for target, features in _features(es).items():
        # Lag reads the whole of `data`: refused over several parts, by name.
        parts = 1 if target == "data" else 2
        shards = ftpart.split(es, by="parent", parts=parts, out=tmp_path / f"shards-{target}")
        expected = pd.DataFrame(_expected(features, es))
        for ext in ["arrow", "parquet"]:
            out = tmp_path / f"{target}.{ext}"
            ftpart.compute(shards, features, out=out)
            if ext == "arrow":
                pd.testing.assert_frame_equal(pd.read_feather(out), expected)
                continue
            ft_file = tmp_path / f"ft-{target}.parquet"
            expected.to_parquet(ft_file)
            want = pd.read_parquet(ft_file)
            got = pd.read_parquet(out)
            # Text categories keep their order and the ones no row uses.
            pd.testing.assert_frame_equal(got, want)


def test_mixed_categories_are_refused_naming_the_dataframe_and_column():
    es = _entityset([1, "a", 1, "b", None, 1], Categorical())
    features = _features(es)["data"]
    expected = _expected(features, es)
    assert list(expected["c"].dtype.categories) == [1, "a", "b"]
    with pytest.raises(ftpart.FtpartError, match="column 'c' of dataframe 'data'.*mixed types"):
        ftpart.calculate_feature_matrix(features, es, fallback="error")


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_nonfinite_primitive_arguments(n_jobs):
    df = pd.DataFrame({"id": range(6), "p": [0, 0, 1, 1, 1, 2],
                       "x": [1.0, np.inf, 3.0, -np.inf, 5.0, np.nan]})
    es = ft.EntitySet("es")
    es.add_dataframe(df, dataframe_name="data", index="id")
    es.add_dataframe(pd.DataFrame({"p": [0, 1, 2, 3]}), dataframe_name="parent", index="p")
    es.add_relationship("parent", "p", "data", "p")
    x = ft.Feature(es["data"].ww["x"])
    primitives = [
        CountGreaterThan(threshold=np.inf),
        CountGreaterThan(threshold=-np.inf),
        CountGreaterThan(threshold=np.nan),
        CountLessThan(threshold=np.inf),
        CountLessThan(threshold=np.nan),
        CountInsideRange(lower=-np.inf, upper=np.inf),
        CountInsideRange(lower=np.nan, upper=np.inf),
        CountOutsideRange(lower=-np.inf, upper=2.0),
        CountOutsideRange(lower=np.nan, upper=np.nan),
    ]
    features = [ft.Feature(x, parent_dataframe_name="parent", primitive=p) for p in primitives]
    assert "Infinity" in ft.save_features(features)
    expected = _expected(features, es)
    got = ftpart.calculate_feature_matrix(features, es, n_jobs=n_jobs, fallback="error")
    pd.testing.assert_frame_equal(got, expected)
    assert got.ww.schema == expected.ww.schema


def test_datetime_categories_are_refused_naming_the_dataframe_and_column():
    es = _entityset(list(pd.date_range("2020-01-01", periods=6, freq="D")), Categorical())
    features = _features(es)["data"]
    assert str(_expected(features, es)["c"].dtype.categories.dtype) == "datetime64[ns]"
    with pytest.raises(ftpart.NotSupportedError, match="dataframe 'data', column 'c'"):
        ftpart.calculate_feature_matrix(features, es, fallback="error")
