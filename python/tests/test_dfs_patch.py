"""ftpart.dfs and ftpart.patch_featuretools."""

import warnings

import featuretools as ft
import pandas as pd
import pytest

import ftpart

from test_calculate import CUTOFF, assert_same_matrix


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def test_dfs_returns_featuretools_matrix_and_features(es):
    kw = dict(entityset=es, target_dataframe_name="customers", cutoff_time=CUTOFF, max_depth=2)
    fm, feats = ftpart.dfs(n_jobs=2, **kw)
    efm, efeats = ft.dfs(**kw)
    assert [f.unique_name() for f in feats] == [f.unique_name() for f in efeats]
    assert_same_matrix(fm, efm)
    only = ftpart.dfs(features_only=True, **kw)
    assert [f.unique_name() for f in only] == [f.unique_name() for f in efeats]


def test_patch_featuretools_routes_both_calls_to_ftpart_and_unpatch_restores(es, features):
    original_cfm, original_dfs = ft.calculate_feature_matrix, ft.dfs
    expected = ft.calculate_feature_matrix(features, es, cutoff_time=CUTOFF)
    ftpart.patch_featuretools()
    try:
        assert ft.calculate_feature_matrix is ftpart.calculate_feature_matrix
        assert ft.dfs is ftpart.dfs
        assert_same_matrix(ft.calculate_feature_matrix(features, es, cutoff_time=CUTOFF), expected)
        fm, _ = ft.dfs(entityset=es, target_dataframe_name="customers", cutoff_time=CUTOFF)
        assert_same_matrix(fm, expected)
        # Proof that ftpart computed: what it refuses is refused.
        with pytest.raises(ftpart.NotSupportedError, match="approximate"):
            ft.calculate_feature_matrix(features, es, cutoff_time=CUTOFF, approximate="1 day")
    finally:
        ftpart.unpatch_featuretools()
    assert ft.calculate_feature_matrix is original_cfm and ft.dfs is original_dfs
    fm = ft.calculate_feature_matrix(features, es, cutoff_time=CUTOFF, approximate="1 day")
    assert isinstance(fm, pd.DataFrame)
