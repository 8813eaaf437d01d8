"""ftpart.split, ftpart.compute and ftpart.Pool: the command line's steps from Python."""

import os
import warnings

import featuretools as ft
import pandas as pd
import pytest

import ftpart
from test_calculate import CUTOFF


def _ft(features, es, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ft.calculate_feature_matrix(features, es, **kw)


@pytest.mark.parametrize("source", ["memory", "csv"])
def test_split_then_compute_equals_featuretools(es, features, tmp_path, source):
    if source == "csv":
        es_dir = tmp_path / "es"
        es.to_csv(str(es_dir))
        src = es_dir
    else:
        src = es
    shards = ftpart.split(src, by="customers", parts=3, out=tmp_path / "shards")
    assert (tmp_path / "shards" / "manifest.json").is_file() or os.listdir(shards)
    for kw in [{}, {"cutoff_time": CUTOFF}, {"cutoff_time": CUTOFF, "cutoff_time_in_index": True}]:
        expected = _ft(features, es, **kw)
        for n_jobs in [1, 2]:
            got = ftpart.compute(shards, features, n_jobs=n_jobs, **kw)
            if "cutoff_time" not in kw:
                # No cutoff: "now" differs between the two calls; the index is the instances.
                pd.testing.assert_frame_equal(got, expected, check_exact=False)
            else:
                pd.testing.assert_frame_equal(got, expected)
                assert got.ww.schema == expected.ww.schema


@pytest.mark.parametrize("source", ["memory", "csv"])
def test_split_for_features_writes_only_their_columns_and_refuses_others(
    es, features, tmp_path, source
):
    import pyarrow as pa

    if source == "csv":
        src = tmp_path / "es"
        es.to_csv(str(src))
    else:
        src = es
    names = {"COUNT(sessions)", "SUM(transactions.amount)"}
    few = [f for f in features if f.get_name() in names]
    assert len(few) == 2
    shards = ftpart.split(src, by="customers", parts=3, out=tmp_path / "shards", features=few)
    whole = ftpart.split(src, by="customers", parts=3, out=tmp_path / "whole")

    def columns(shards, table):
        with pa.OSFile(os.path.join(shards, "part-00000", f"{table}.arrow"), "rb") as f:
            return pa.ipc.open_file(f).schema.names

    # The keys, time indexes and the column the features read; not the others.
    assert {"amount", "session_id"} <= set(columns(shards, "transactions"))
    assert "session_start" in columns(shards, "sessions")
    assert "join_date" in columns(shards, "customers")
    assert "device" not in columns(shards, "sessions") and "device" in columns(whole, "sessions")
    assert "birthday" not in columns(shards, "customers")
    assert "birthday" in columns(whole, "customers")
    for n_jobs in [1, 2]:
        got = ftpart.compute(shards, few, cutoff_time=CUTOFF, n_jobs=n_jobs)
        pd.testing.assert_frame_equal(got, _ft(few, es, cutoff_time=CUTOFF))
    # Features that read a column left out: refused, naming the column and how the split was made.
    with pytest.raises(ftpart.FtpartError, match=r"ftpart\.split\(features=\.\.\.\) \(2 features"):
        ftpart.compute(shards, features, cutoff_time=CUTOFF)
    # Features that do not fit the entity set are refused before anything is written.
    other = ft.demo.load_mock_customer(return_entityset=True, random_seed=0)
    other.dataframe_dict["sessions"].ww.pop("device")
    with pytest.raises(ftpart.FtpartError, match="device"):
        ftpart.split(other, by="customers", parts=2, out=tmp_path / "bad", features=features)
    assert not (tmp_path / "bad").exists() or not os.listdir(tmp_path / "bad")
    with pytest.raises(TypeError, match="features"):
        ftpart.split(es, by="customers", parts=2, out=tmp_path / "bad", features=[])


def test_compute_writes_the_file_the_cli_writes(es, features, tmp_path):
    shards = ftpart.split(es, by="customers", parts=2, out=tmp_path / "shards")
    out = tmp_path / "fm.arrow"
    got = ftpart.compute(shards, features, cutoff_time=CUTOFF, out=out)
    back = pd.read_feather(out)
    pd.testing.assert_frame_equal(back, pd.DataFrame(got))


def test_split_refuses_an_existing_directory_unless_forced(es, tmp_path):
    out = tmp_path / "shards"
    ftpart.split(es, by="customers", parts=2, out=out)
    with pytest.raises(ftpart.FtpartError):
        ftpart.split(es, by="customers", parts=2, out=out)
    ftpart.split(es, by="customers", parts=3, out=out, force=True)
    with pytest.raises(ftpart.FtpartError, match="nope"):
        ftpart.split(es, by="nope", parts=2, out=tmp_path / "other")


def test_pool_workers_start_once_and_serve_every_call(es, features, tmp_path):
    expected = _ft(features, es, cutoff_time=CUTOFF)
    with ftpart.Pool(2) as pool:
        pids = pool.pids
        assert len(pids) == 2 and all(p > 0 for p in pids)
        a = pool.calculate_feature_matrix(features, es, cutoff_time=CUTOFF)
        assert pool.pids == pids
        b = ftpart.calculate_feature_matrix(
            features, es, cutoff_time=CUTOFF, dask_kwargs={"cluster": pool}
        )
        assert pool.pids == pids
        shards = ftpart.split(es, by="customers", parts=4, out=tmp_path / "shards")
        c = pool.compute(shards, features, cutoff_time=CUTOFF)
        assert pool.pids == pids
        for got in (a, b, c):
            pd.testing.assert_frame_equal(got, expected)
    assert pool.closed
    for pid in pids:
        # The workers are gone (reaped by the pool).
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    with pytest.raises(ftpart.FtpartError, match="closed"):
        pool.calculate_feature_matrix(features, es, cutoff_time=CUTOFF)
    with pytest.raises(ftpart.FtpartError, match="closed"):
        pool.pids
    pool.close()  # twice is fine
