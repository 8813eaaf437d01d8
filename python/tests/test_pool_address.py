"""ftpart.Pool("ftpart://..."): a pool started by `ftpart serve`, reached by address."""

import os
import subprocess
import warnings

import featuretools as ft
import pandas as pd
import pytest

import ftpart
from test_calculate import CUTOFF


def _ftpart_bin():
    """The package's ftpart executable (the wheel ships it for the workers)."""
    from ftpart._calculate import _worker_binary

    path = _worker_binary()
    assert path, "the package has no ftpart executable"
    return path


@pytest.fixture
def served(es, tmp_path, monkeypatch):
    shards = ftpart.split(es, by="customers", parts=3, out=tmp_path / "shards")
    state = tmp_path / "pool.json"
    monkeypatch.setenv("FTPART_POOL_STATE", str(state))
    monkeypatch.delenv("FTPART_POOL", raising=False)
    proc = subprocess.Popen(
        [_ftpart_bin(), "serve", os.fspath(shards), "--jobs", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    address = None
    for line in proc.stdout:
        if line.startswith("connect: ftpart compute --pool "):
            address = line.split()[4]
            break
    assert address, "the pool printed no address"
    yield address, shards
    if proc.poll() is None:
        subprocess.run([_ftpart_bin(), "pool", "stop", address], check=False)
    proc.wait(timeout=30)


def _ft(features, es, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ft.calculate_feature_matrix(features, es, **kw)


def test_a_pool_by_address_gives_featuretools_matrix(es, features, served):
    address, shards = served
    expected = _ft(features, es, cutoff_time=CUTOFF)
    pool = ftpart.Pool(address)
    for _ in range(2):
        got = pool.compute(None, features, cutoff_time=CUTOFF)
        pd.testing.assert_frame_equal(got, expected)
        assert got.ww.schema == expected.ww.schema
    # As featuretools users pass a scheduler's address; the local pool needs none.
    got = ftpart.calculate_feature_matrix(
        features, cutoff_time=CUTOFF, dask_kwargs={"cluster": address}
    )
    pd.testing.assert_frame_equal(got, expected)
    got = ftpart.Pool("local").compute(features=features, cutoff_time=CUTOFF)
    pd.testing.assert_frame_equal(got, expected)
    status = pool.status()
    assert status["part_reuses"] >= 3 and len(status["history"]) == 4
    assert len(pool.pids) == 2
    # An EntitySet of this process is not what the pool computes on: refused, not ignored.
    with pytest.raises(ftpart.NotSupportedError, match="shards it serves"):
        ftpart.calculate_feature_matrix(features, es, cutoff_time=CUTOFF,
                                        dask_kwargs={"cluster": address})
    pool.stop()
    with pytest.raises(ftpart.FtpartError, match="cannot reach the pool"):
        pool.status()


def test_a_wrong_token_is_refused(served):
    address, _ = served
    host_port = address.rsplit("@", 1)[1]
    with pytest.raises(ftpart.FtpartError, match="wrong token"):
        ftpart.Pool(f"ftpart://nope@{host_port}").status()
