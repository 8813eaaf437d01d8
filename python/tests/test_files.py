"""Parquet and Arrow files written by ftpart read back as featuretools' matrix, dtypes included
(integer and text categories with their order, a primitive's ordinal range, masked integers and
booleans, the target's index requested as a feature, a label column named like a feature).

The case is tests/fixtures/types (scripts/conformance/generate_types.py): featuretools'
ecommerce entity set, computed here by featuretools and by the ``ftpart`` executable the
package ships (``ftpart calculate`` and ``ftpart run``), and in memory by
``ftpart.calculate_feature_matrix``.
"""

import importlib.util
import subprocess
import sys
import warnings
from pathlib import Path

import featuretools as ft
import pandas as pd
import pytest
from featuretools.tests.testing_utils import make_ecommerce_entityset

import ftpart

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "types"
BUNDLED = Path(ftpart.__file__).parent / "bin" / "ftpart"


def _generator():
    spec = importlib.util.spec_from_file_location(
        "generate_types", REPO / "scripts" / "conformance" / "generate_types.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def case():
    gen = _generator()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        es = make_ecommerce_entityset()
        features = gen.features(es)
        expected = ft.calculate_feature_matrix(features, es, cutoff_time=gen.CUTOFF)
    return es, features, gen.CUTOFF, expected


def _int_categories(df):
    return [
        c
        for c in df.columns
        if isinstance(df[c].dtype, pd.CategoricalDtype)
        and pd.api.types.is_integer_dtype(df[c].dtype.categories.dtype)
    ]


def test_the_case_has_every_kind_of_column(case):
    *_, expected = case
    dtypes = {str(t) for t in expected.dtypes}
    assert {"category", "Int64", "boolean", "bool", "int64"} <= dtypes
    assert _int_categories(expected)
    assert any(
        isinstance(t, pd.CategoricalDtype) and t.ordered for t in expected.dtypes
    ), "no ordinal"
    assert expected.index.name in expected.columns, "no index/feature name collision"
    assert list(expected["age"]) == [5, 6, 7, 8], "the label does not take the feature's place"


@pytest.mark.parametrize("command", ["calculate", "run"])
def test_files_read_back_as_featuretools_matrix(case, command, tmp_path):
    """Arrow: featuretools' matrix exactly. Parquet: what featuretools' own matrix gives
    through Parquet, but for the categories the file does not hold (see below)."""
    es, features, cutoff, expected = case
    # The fixture's files are the ones the Rust tests read; they must be this case's.
    saved = ft.load_features(str(FIXTURE / "features.json"))
    assert [f.unique_name() for f in saved] == [f.unique_name() for f in features]
    for ext in ["arrow", "parquet"]:
        out = tmp_path / f"fm.{ext}"
        args = [
            str(BUNDLED),
            command,
            str(REPO / "tests/fixtures/shapes/entitysets/ecom"),
            "--features",
            str(FIXTURE / "features.json"),
            "--cutoff-time",
            str(FIXTURE / "cutoff.csv"),
            "--out",
            str(out),
        ]
        if command == "run":
            args += ["--by", "customers", "--parts", "2"]
        done = subprocess.run(args, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        if ext == "arrow":
            # Arrow keeps every dtype featuretools has.
            pd.testing.assert_frame_equal(pd.read_feather(out), pd.DataFrame(expected))
        else:
            got = pd.read_parquet(out)
            # What featuretools' own matrix gives through Parquet (fm.to_parquet()): pyarrow's
            # Parquet reader rebuilds categories of text only, integer categories come back as
            # their values.
            ft_file = tmp_path / "ft.parquet"
            pd.DataFrame(expected).to_parquet(ft_file)
            want = pd.read_parquet(ft_file)
            # Every column's values and dtype, text categories with their order and the
            # categories no row uses (ftpart writes them as the column's dictionary page, as
            # pyarrow does).
            pd.testing.assert_frame_equal(got, want)
            assert _int_categories(expected)
            for c in _int_categories(expected):
                assert list(got[c]) == list(expected[c].astype("int64")), c


def test_in_memory_matrix_has_featuretools_dtypes(case):
    es, features, cutoff, expected = case
    got = ftpart.calculate_feature_matrix(features, es, cutoff_time=cutoff)
    pd.testing.assert_frame_equal(got, expected)
    assert got.ww.schema == expected.ww.schema
