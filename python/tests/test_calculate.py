"""ftpart.calculate_feature_matrix against featuretools' own, on featuretools' mock customer data."""

import io
import warnings

import featuretools as ft
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import ftpart
from ftpart._calculate import _arrow_column

CUTOFF = pd.DataFrame(
    {
        "customer_id": [1, 2, 3, 4, 5, 1],
        "time": pd.to_datetime(
            [
                "2014-01-01 01:00",
                "2014-01-01 02:00",
                "2014-01-01 03:00",
                "2014-01-01 04:00",
                "2014-01-01 05:00",
                "2014-01-01 06:00",
            ]
        ),
        "label": [True, False, True, False, True, True],
    }
)

CASES = {
    "no_cutoff": {},
    "single_time": {"cutoff_time": pd.Timestamp("2014-01-01 02:00")},
    "single_time_in_index": {
        "cutoff_time": pd.Timestamp("2014-01-01 02:00"),
        "cutoff_time_in_index": True,
    },
    "instance_ids": {"cutoff_time": pd.Timestamp("2014-01-01 02:00"), "instance_ids": [3, 1, 2]},
    "cutoff_table": {"cutoff_time": CUTOFF},
    "cutoff_table_in_index": {"cutoff_time": CUTOFF, "cutoff_time_in_index": True},
    "training_window": {"cutoff_time": CUTOFF, "training_window": "1 hour"},
    "training_window_timedelta": {
        "cutoff_time": CUTOFF,
        "training_window": pd.Timedelta("90 minutes"),
    },
    "exclude_cutoff_time": {"cutoff_time": CUTOFF, "include_cutoff_time": False},
    "instance_id_column": {
        "cutoff_time": CUTOFF.rename(columns={"customer_id": "instance_id"}),
    },
}


def _expected(features, es, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ft.calculate_feature_matrix(features, es, **kw)


def assert_same_matrix(got, expected):
    pd.testing.assert_frame_equal(got, expected)
    assert got.ww.schema == expected.ww.schema


@pytest.mark.parametrize("n_jobs", [1, 2])
@pytest.mark.parametrize("case", sorted(CASES))
def test_matrix_equals_featuretools(es, features, case, n_jobs):
    kw = CASES[case]
    expected = _expected(features, es, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = ftpart.calculate_feature_matrix(features, es, n_jobs=n_jobs, **kw)
    assert_same_matrix(got, expected)


def test_all_cores_with_n_jobs_minus_one(es, features):
    kw = CASES["cutoff_table"]
    got = ftpart.calculate_feature_matrix(features, es, n_jobs=-1, **kw)
    assert_same_matrix(got, _expected(features, es, **kw))


def test_dataframes_and_relationships_instead_of_an_entityset(es):
    dataframes = {
        df.ww.name: (df.copy(), df.ww.index, df.ww.time_index, df.ww.logical_types)
        for df in es.dataframes
    }
    relationships = [
        (
            r.parent_dataframe.ww.name,
            r._parent_column_name,
            r.child_dataframe.ww.name,
            r._child_column_name,
        )
        for r in es.relationships
    ]
    kw = dict(dataframes=dataframes, relationships=relationships, cutoff_time=CUTOFF)
    built = ft.EntitySet("entityset", dataframes, relationships)
    features = ft.dfs(entityset=built, target_dataframe_name="customers", features_only=True)
    got = ftpart.calculate_feature_matrix(features, **kw)
    expected = _expected(features, None, **kw)
    assert_same_matrix(got, expected)


def test_a_label_named_like_a_feature_replaces_it_as_in_featuretools(es, features):
    name = features[1].get_name()
    cutoff = CUTOFF.assign(**{name: np.arange(len(CUTOFF), dtype="int64")})
    got = ftpart.calculate_feature_matrix(features, es, cutoff_time=cutoff)
    assert_same_matrix(got, _expected(features, es, cutoff_time=cutoff))


@pytest.mark.parametrize(
    "kw, name",
    [
        ({"approximate": "1 day"}, "approximate"),
        ({"save_progress": "/tmp/ftpart-progress"}, "save_progress"),
        ({"chunk_size": 10}, "chunk_size"),
    ],
)
def test_what_ftpart_does_not_do_is_refused_by_name(es, features, kw, name):
    with pytest.raises(ftpart.NotSupportedError, match=name):
        ftpart.calculate_feature_matrix(features, es, cutoff_time=CUTOFF, **kw)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_dask_kwargs_without_a_cluster_compute_on_ftpart_workers_with_a_warning(
    es, features, n_jobs
):
    """featuretools would start a LocalCluster of n_jobs workers with these options; ftpart
    computes on its own workers, says so, and gives featuretools' matrix."""
    with pytest.warns(UserWarning, match=r"dask_kwargs \['diagnostics_port'\] without a 'cluster'"):
        got = ftpart.calculate_feature_matrix(
            features, es, cutoff_time=CUTOFF, n_jobs=n_jobs, dask_kwargs={"diagnostics_port": 8789}
        )
    pd.testing.assert_frame_equal(got, ftpart.calculate_feature_matrix(features, es, cutoff_time=CUTOFF))


def test_fallback_to_featuretools_warns_and_computes_with_featuretools(es, features):
    with pytest.warns(ftpart.FallbackWarning, match="approximate"):
        got = ftpart.calculate_feature_matrix(
            features, es, cutoff_time=CUTOFF, approximate="1 day", fallback="featuretools"
        )
    expected = _expected(features, es, cutoff_time=CUTOFF, approximate="1 day")
    assert_same_matrix(got, expected)


class MyAbsolute(ft.primitives.TransformPrimitive):
    name = "my_absolute"
    input_types = [ft.primitives.Absolute.input_types[0]]
    return_type = ft.primitives.Absolute.return_type

    def get_function(self):
        return np.absolute


def test_a_custom_primitive_is_refused_naming_it(es):
    f = ft.Feature(es["transactions"].ww["amount"], primitive=MyAbsolute)
    with pytest.raises(ftpart.NotSupportedError, match="MyAbsolute"):
        ftpart.calculate_feature_matrix([f], es)
    with pytest.warns(ftpart.FallbackWarning, match="MyAbsolute"):
        got = ftpart.calculate_feature_matrix([f], es, fallback="featuretools")
    assert_same_matrix(got, _expected([f], es))


def test_a_training_window_ftpart_does_not_read_is_refused_by_name(es, features):
    with pytest.raises(ftpart.NotSupportedError, match="training_window '3 fortnights'"):
        ftpart.calculate_feature_matrix(
            features, es, cutoff_time=CUTOFF, training_window="3 fortnights"
        )


def test_progress_callback_is_called_as_featuretools_calls_it(es, features):
    for n_jobs in (1, 2):
        calls = []
        ftpart.calculate_feature_matrix(
            features,
            es,
            cutoff_time=CUTOFF,
            n_jobs=n_jobs,
            progress_callback=lambda *a: calls.append(a),
        )
        assert calls, n_jobs
        assert all(len(c) == 3 for c in calls)
        assert calls[-1][1] == pytest.approx(100.0)
        assert sum(c[0] for c in calls) == pytest.approx(100.0)
        assert all(b[1] >= a[1] for a, b in zip(calls, calls[1:]))
        assert all(c[2] >= 0 for c in calls)


def test_verbose_shows_featuretools_progress_bar(es, features, capsys):
    ftpart.calculate_feature_matrix(features, es, cutoff_time=CUTOFF, verbose=True, n_jobs=2)
    # featuretools' bar (make_tqdm_iterator) writes to stdout.
    out = capsys.readouterr().out
    assert "Elapsed:" in out and "Progress: 100%" in out, out


def test_numeric_columns_reach_arrow_without_a_copy():
    s = pd.Series(np.arange(1000, dtype="float64"))
    a = _arrow_column(s)
    assert a.buffers()[1].address == s.to_numpy().ctypes.data
    i = pd.Series(np.arange(1000, dtype="int64"))
    assert _arrow_column(i).buffers()[1].address == i.to_numpy().ctypes.data


def test_the_extension_takes_and_returns_arrow(es, features):
    import json

    from featuretools.entityset.serialize import entityset_to_description

    data = [
        (df.ww.name, pa.RecordBatch.from_pandas(df, preserve_index=False))
        for df in es.dataframes
    ]
    batch = ftpart._ftpart.calculate_feature_matrix(
        ft.save_features(features),
        json.dumps(entityset_to_description(es), default=str),
        data,
        cutoff_at_ns=pd.Timestamp("2014-01-01 02:00").value,
    )
    assert isinstance(batch, pa.RecordBatch)
    assert batch.schema.names[0] == "customer_id"
    assert batch.schema.names[1:] == [f.get_name() for f in features]
    with pytest.raises(ftpart.FtpartError, match="not valid JSON"):
        ftpart._ftpart.calculate_feature_matrix("{", "{}", data)
    with pytest.raises(ftpart.FtpartError, match="dataframe 'sessions': no data was given"):
        ftpart._ftpart.calculate_feature_matrix(
            ft.save_features(features),
            json.dumps(entityset_to_description(es), default=str),
            [d for d in data if d[0] != "sessions"],
        )


def test_in_process_progress_advances_feature_by_feature(es, features):
    """n_jobs=1: progress_callback (and the verbose bar) moves as features are computed, not
    from 0 to 100% at the end."""
    calls = []
    ftpart.calculate_feature_matrix(
        features, es, n_jobs=1, progress_callback=lambda u, p, t: calls.append(p)
    )
    assert len(calls) > 10
    assert calls == sorted(calls)
    assert calls[-1] == pytest.approx(100.0)
    assert any(0 < p < 90 for p in calls)
