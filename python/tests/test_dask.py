"""ftpart.dask: parts as tasks on a real Dask cluster (a `dask scheduler` and two `dask worker`
processes with nannies, on loopback ports), against ftpart's local executor."""

import copy
import json
import os
import signal
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import featuretools as ft
import pandas as pd
import pytest

import ftpart
from ftpart.dask import DaskExecutor
from test_calculate import CUTOFF

distributed = pytest.importorskip("distributed")

CASES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "conformance" / "cases"
BIN = Path(sys.executable).parent


def _start_scheduler(directory: Path, host: str = "127.0.0.1", env=None):
    """A scheduler on ``host``, a free port: its process and address."""
    scheduler_file = directory / "scheduler.json"
    proc = subprocess.Popen(
        [BIN / "dask", "scheduler", "--host", host, "--port", "0", "--no-dashboard",
         "--scheduler-file", scheduler_file],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
    )
    deadline = time.time() + 60
    while not scheduler_file.exists():
        assert time.time() < deadline, "the Dask scheduler did not start"
        time.sleep(0.1)
    return proc, json.loads(scheduler_file.read_text())["address"]


def _start_worker(address: str, name: str, host: str = "127.0.0.1", env=None, prefix=()):
    """A nanny-managed worker of one thread (``prefix``: e.g. ``ip netns exec NS``)."""
    return subprocess.Popen(
        [*prefix, BIN / "dask", "worker", address, "--nthreads", "1", "--nanny",
         "--no-dashboard", "--host", host, "--name", name],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
    )


def _start_cluster(directory: Path, workers: int = 2, env=None):
    """A scheduler and `workers` nanny-managed workers of one thread each; their processes."""
    env = dict(os.environ, **(env or {}))
    scheduler, address = _start_scheduler(directory, env=env)
    procs = [scheduler] + [_start_worker(address, f"w{i}", env=env) for i in range(workers)]
    client = distributed.Client(address, set_as_default=False)
    client.wait_for_workers(workers, timeout=60)
    return client, procs


def _stop_cluster(client, procs):
    try:
        client.shutdown()
    except Exception:
        pass
    for p in procs:
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    client, procs = _start_cluster(tmp_path_factory.mktemp("dask"))
    yield client
    _stop_cluster(client, procs)


def _case(name):
    d = CASES / name
    case = json.loads((d / "case.json").read_text())
    es_dir = (d / case["entityset"]).resolve()
    features = ft.load_features(str(d / case["features"]))
    cutoff = None
    if case.get("cutoff_time"):
        cutoff = pd.read_csv(d / case["cutoff_time"], parse_dates=["time"])
    return case, es_dir, features, cutoff


@pytest.mark.parametrize("parts", [3, 8])
@pytest.mark.parametrize(
    "name",
    ["mc0_customers_per_instance", "mc0_sessions_by_customers", "mc0_transactions_by_customers",
     "mc1_customers_window_6h"],
)
def test_dask_matrix_equals_the_local_executor(cluster, tmp_path, name, parts):
    case, es_dir, features, cutoff = _case(name)
    shards = ftpart.split(es_dir, by=case["by"], parts=parts, out=tmp_path / "shards")
    kw = dict(
        training_window=case.get("training_window"),
        include_cutoff_time=case.get("include_cutoff_time", True),
        cutoff_time_in_index=case.get("cutoff_time_in_index", False),
    )
    local = ftpart.compute(shards, features, cutoff, **kw)
    on_dask = ftpart.compute(shards, features, cutoff, dask=cluster, **kw)
    pd.testing.assert_frame_equal(on_dask, local)
    # The tasks ran on both workers, named by round and part.
    ran = {w for w, stats in DaskExecutor(cluster).cache_stats().items()
           if any(p[0] == os.path.realpath(shards) for p in stats["parts"])}
    assert len(ran) == 2


def test_calculate_feature_matrix_on_a_dask_cluster_keeps_parts_between_calls(
    es, features, cluster, tmp_path
):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = ft.calculate_feature_matrix(features, es, cutoff_time=CUTOFF)
    dask_kwargs = {"cluster": cluster.scheduler.address, "shards_dir": str(tmp_path / "kept")}
    executor = DaskExecutor(cluster)
    executor.clear_cache()

    def loads():
        return sum(s["loads"] for s in executor.cache_stats().values())

    def hits():
        return sum(s["hits"] for s in executor.cache_stats().values())

    before = loads()
    first = ftpart.calculate_feature_matrix(
        features, es, cutoff_time=CUTOFF, dask_kwargs=dask_kwargs, parts=4
    )
    pd.testing.assert_frame_equal(first, expected)
    assert first.ww.schema == expected.ww.schema
    assert loads() - before == 4  # every part mapped once, on some worker
    hits_before = hits()
    second = ftpart.calculate_feature_matrix(
        features, es, cutoff_time=CUTOFF, dask_kwargs=dask_kwargs, parts=4
    )
    pd.testing.assert_frame_equal(second, expected)
    # The same data: the same kept split, every part's task on the worker holding it.
    assert loads() - before == 4
    assert hits() - hits_before >= 4
    assert len([p for p in os.listdir(tmp_path / "kept") if p.startswith("es-")]) == 1
    # Other data is another split.
    es2 = copy.deepcopy(es)
    es2["transactions"].loc[es2["transactions"].index[0], "amount"] += 1000.0
    third = ftpart.calculate_feature_matrix(
        features, es2, cutoff_time=CUTOFF, dask_kwargs=dask_kwargs, parts=4
    )
    assert not third.equals(first)
    assert len([p for p in os.listdir(tmp_path / "kept") if p.startswith("es-")]) == 2


def test_progress_and_the_verbose_bar_come_from_dask_tasks(cluster, tmp_path, es, features):
    shards = ftpart.split(es, by="customers", parts=3, out=tmp_path / "shards")
    seen = []
    ftpart.compute(shards, features, CUTOFF, dask=cluster,
                   progress_callback=lambda *a: seen.append(a))
    percents = [a[1] for a in seen]
    # One step per part's matrix task as it finishes, then featuretools' 100% at the end.
    assert len(percents) >= 4 and percents == sorted(percents)
    assert percents[-1] == pytest.approx(100) and percents[-2] < 100


def test_an_input_error_names_the_part_and_writes_nothing(cluster, tmp_path, es, features):
    shards = ftpart.split(es, by="customers", parts=3, out=tmp_path / "shards")
    # A shard file changed after the split: the worker that maps it refuses it by name.
    victim = next(Path(shards).glob("part-00001/transactions.arrow"))
    data = bytearray(victim.read_bytes())
    data[-100] ^= 0xFF
    victim.write_bytes(bytes(data))
    out = tmp_path / "fm.parquet"
    with pytest.raises(ftpart.FtpartError, match=r"part 1: .*transactions.arrow.*changed since the split"):
        ftpart.compute(shards, features, CUTOFF, dask=cluster, out=out)
    assert not out.exists()


def test_a_worker_killed_mid_run(tmp_path, es, features):
    """A worker SIGKILLed while it runs a part: Dask reschedules the task elsewhere and the
    matrix is the same; once Dask gives up (allowed failures 0), the error names the part and
    no output is written."""
    (tmp_path / "cluster").mkdir()
    client, procs = _start_cluster(
        tmp_path / "cluster", env={"FTPART_TEST_JOB_DELAY_MS": "1500"}
    )
    try:
        shards = ftpart.split(es, by="customers", parts=4, out=tmp_path / "shards")
        expected = ftpart.compute(shards, features, CUTOFF)

        def kill_one_running():
            deadline = time.time() + 60
            while time.time() < deadline:
                busy = [w for w, ts in client.processing().items()
                        if any(str(t).startswith("ftpart-") for t in ts)]
                if busy:
                    pid = client.run(os.getpid, workers=[busy[0]])[busy[0]]
                    os.kill(pid, signal.SIGKILL)
                    return pid
                time.sleep(0.05)
            raise AssertionError("no ftpart task started")

        killed = []
        t = threading.Thread(target=lambda: killed.append(kill_one_running()))
        t.start()
        got = ftpart.compute(shards, features, CUTOFF, dask=client)
        t.join()
        assert killed
        pd.testing.assert_frame_equal(got, expected)

        client.wait_for_workers(2, timeout=60)
        client.run_on_scheduler(lambda dask_scheduler: setattr(dask_scheduler, "allowed_failures", 0))
        out = tmp_path / "fm.parquet"
        t = threading.Thread(target=lambda: killed.append(kill_one_running()))
        t.start()
        with pytest.raises(ftpart.FtpartError, match=r"part \d+: Dask gave up on the task"):
            ftpart.compute(shards, features, CUTOFF, dask=client, out=out)
        t.join()
        assert not out.exists()
    finally:
        _stop_cluster(client, procs)


def test_a_scheduler_that_cannot_be_reached_is_named(es, features):
    with pytest.raises(ftpart.FtpartError, match="cannot connect to the Dask scheduler 'x'"):
        ftpart.calculate_feature_matrix(features, es, dask_kwargs={"cluster": "x"})


def _ip(*args, check=True):
    return subprocess.run(["ip", *args], check=check, capture_output=True, text=True)


@pytest.fixture
def two_hosts():
    """A second "host": network namespace ``ftpart-h2`` joined to this one by a veth pair
    (10.231.0.1 here, 10.231.0.2 there), sharing only the file system. Skips where network
    namespaces cannot be made (no root, no ``ip``)."""
    ns, here, there = "ftpart-h2", "10.231.0.1", "10.231.0.2"
    try:
        _ip("netns", "add", ns)
    except (OSError, subprocess.CalledProcessError) as e:
        pytest.skip(f"cannot make a network namespace: {getattr(e, 'stderr', e)}")
    try:
        _ip("link", "add", "ftpart-v1", "type", "veth", "peer", "name", "ftpart-v2")
        _ip("link", "set", "ftpart-v2", "netns", ns)
        _ip("addr", "add", f"{here}/24", "dev", "ftpart-v1")
        _ip("link", "set", "ftpart-v1", "up")
        _ip("netns", "exec", ns, "ip", "addr", "add", f"{there}/24", "dev", "ftpart-v2")
        _ip("netns", "exec", ns, "ip", "link", "set", "ftpart-v2", "up")
        _ip("netns", "exec", ns, "ip", "link", "set", "lo", "up")
        yield ns, here, there
    finally:
        _ip("link", "del", "ftpart-v1", check=False)
        _ip("netns", "del", ns, check=False)


def test_workers_on_two_network_hosts_share_only_the_shard_directory(two_hosts, tmp_path, es, features):
    """The scheduler and one worker on this host's veth address, the other worker in another
    network namespace, reached only over the veth: nothing relies on loopback or one host's
    sockets; the parts are read from the shared directory."""
    ns, here, there = two_hosts
    scheduler, address = _start_scheduler(tmp_path, host=here)
    procs = [scheduler]
    try:
        procs.append(_start_worker(address, "a", host=here))
        procs.append(_start_worker(address, "b", host=there, prefix=("ip", "netns", "exec", ns)))
        client = distributed.Client(address, set_as_default=False)
        client.wait_for_workers(2, timeout=60)
        hosts = {w.split("//")[1].split(":")[0] for w in client.scheduler_info()["workers"]}
        assert hosts == {here, there}
        shards = ftpart.split(es, by="customers", parts=4, out=tmp_path / "shards")
        expected = ftpart.compute(shards, features, CUTOFF)
        got = ftpart.compute(shards, features, CUTOFF, dask=client)
        pd.testing.assert_frame_equal(got, expected)
        held = {w.split("//")[1].split(":")[0]: len(s["parts"])
                for w, s in DaskExecutor(client).cache_stats().items()}
        assert held[here] > 0 and held[there] > 0, held
        _stop_cluster(client, procs)
        procs = []
    finally:
        for p in procs:
            p.kill()
            p.wait()
