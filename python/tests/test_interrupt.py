"""Ctrl-C during ftpart.calculate_feature_matrix(n_jobs=2) stops the computation and its workers."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

CHILD = r"""
import sys, warnings
warnings.simplefilter("ignore")
import numpy as np, pandas as pd, featuretools as ft, ftpart
from woodwork.logical_types import Datetime, Double, Integer
rng = np.random.default_rng(0)
n, m = 2_000_000, 20_000
tx = pd.DataFrame({
    "id": np.arange(n, dtype="int64"),
    "customer_id": rng.integers(0, m, n, dtype="int64"),
    "amount": rng.random(n),
    "time": pd.Timestamp("2014-01-01") + pd.to_timedelta(np.arange(n, dtype="int64"), unit="s"),
})
cu = pd.DataFrame({"customer_id": np.arange(m, dtype="int64")})
es = ft.EntitySet("big")
es.add_dataframe(dataframe_name="transactions", dataframe=tx, index="id", time_index="time",
                 logical_types={"id": Integer, "customer_id": Integer, "amount": Double, "time": Datetime})
es.add_dataframe(dataframe_name="customers", dataframe=cu, index="customer_id",
                 logical_types={"customer_id": Integer})
es.add_relationship("customers", "customer_id", "transactions", "customer_id")
features = ft.dfs(entityset=es, target_dataframe_name="customers", features_only=True,
                  agg_primitives=["sum", "mean", "std", "max", "min", "count", "skew"],
                  trans_primitives=[])
print("started", flush=True)
ftpart.calculate_feature_matrix(features, es, n_jobs=2, parts=400)
print("finished", flush=True)
"""


def _running(binary: str):
    pids = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                if (p / "cmdline").read_bytes().split(b"\0")[0].decode() == binary:
                    pids.append(int(p.name))
            except OSError:
                pass
    return pids


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_ctrl_c_stops_the_computation_and_its_workers(tmp_path):
    import ftpart

    source = os.environ.get("FTPART_BIN") or str(Path(ftpart.__file__).parent / "bin" / "ftpart")
    # A copy of its own, so that the workers of this test are told from any other ftpart's.
    binary = str(tmp_path / "ftpart")
    shutil.copy(source, binary)
    env = dict(os.environ, FTPART_BIN=binary)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        assert child.stdout.readline().strip() == "started"
        deadline = time.monotonic() + 60
        while not _running(binary) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _running(binary), "no worker started"
        child.send_signal(signal.SIGINT)
        start = time.monotonic()
        out, err = child.communicate(timeout=30)
        stopped_in = time.monotonic() - start
    finally:
        if child.poll() is None:
            child.kill()
    assert "finished" not in out
    assert child.returncode != 0
    assert "KeyboardInterrupt" in err, err
    assert stopped_in < 20
    deadline = time.monotonic() + 10
    while _running(binary) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _running(binary) == []


IN_PROCESS = CHILD.replace(
    'ftpart.calculate_feature_matrix(features, es, n_jobs=2, parts=400)\nprint("finished", flush=True)\n',
    r'''
import os, time
def compute_threads():
    names = []
    for t in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{t}/comm") as f:
                names.append(f.read().strip())
        except OSError:
            pass
    return names.count("ftpart-compute")
try:
    from featuretools.primitives import Max, Mean, Std, Sum
    amount = ft.Feature(es["transactions"].ww["amount"])
    many = [ft.Feature(amount, parent_dataframe_name="customers", primitive=p,
                       use_previous=f"{k} hours") for k in range(1, 200) for p in (Sum, Mean, Std, Max)]
    ftpart.calculate_feature_matrix(many, es, n_jobs=1)
    print("finished", flush=True)
except KeyboardInterrupt:
    cpu = time.process_time()
    time.sleep(1.0)
    print("interrupted", compute_threads(), round(time.process_time() - cpu, 2), flush=True)
''',
)


def _threads_named(pid: int, name: str) -> int:
    n = 0
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return 0
    for t in tasks:
        try:
            if Path(f"/proc/{pid}/task/{t}/comm").read_text().strip() == name:
                n += 1
        except OSError:
            pass
    return n


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_ctrl_c_stops_the_in_process_computation():
    """n_jobs=1: Ctrl-C stops the Rust computation thread itself (before its next feature), not
    only the Python call: after the KeyboardInterrupt no ftpart-compute thread is left and the
    process uses no CPU."""
    assert "use_previous" in IN_PROCESS
    child = subprocess.Popen(
        [sys.executable, "-c", IN_PROCESS], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout.readline().strip() == "started"
        deadline = time.monotonic() + 60
        while _threads_named(child.pid, "ftpart-compute") == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert _threads_named(child.pid, "ftpart-compute") == 1, "the computation did not start"
        time.sleep(0.3)
        child.send_signal(signal.SIGINT)
        start = time.monotonic()
        out, err = child.communicate(timeout=60)
        stopped_in = time.monotonic() - start
    finally:
        if child.poll() is None:
            child.kill()
    assert "finished" not in out, "the computation ended before the interrupt: make it longer"
    words = out.split()
    assert words[0] == "interrupted", out + err
    threads, cpu = int(words[1]), float(words[2])
    assert threads == 0, "the compute thread is still running"
    assert cpu < 0.3, f"{cpu} s of CPU in the second after the interrupt"
    assert stopped_in < 10


# ftpart.compute on shards with n_jobs=1 runs the parts in this process: Ctrl-C stops it too.
COMPUTE_IN_PROCESS = IN_PROCESS.replace(
    "    ftpart.calculate_feature_matrix(many, es, n_jobs=1)\n",
    "    import tempfile\n"
    "    shards = ftpart.split(es, by='customers', parts=4, out=tempfile.mkdtemp() + '/shards')\n"
    "    print('computing', flush=True)\n"
    "    ftpart.compute(shards, many, n_jobs=1)\n",
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_ctrl_c_stops_compute_on_shards_in_process():
    """ftpart.compute(shards, n_jobs=1): Ctrl-C stops the part being computed (before its next
    feature) and no later part starts; no compute thread is left."""
    assert "ftpart.compute(shards, many, n_jobs=1)" in COMPUTE_IN_PROCESS
    child = subprocess.Popen(
        [sys.executable, "-c", COMPUTE_IN_PROCESS],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout.readline().strip() == "started"
        assert child.stdout.readline().strip() == "computing"
        time.sleep(0.5)
        child.send_signal(signal.SIGINT)
        start = time.monotonic()
        out, err = child.communicate(timeout=60)
        stopped_in = time.monotonic() - start
    finally:
        if child.poll() is None:
            child.kill()
    assert "finished" not in out, "the computation ended before the interrupt: make it longer"
    words = out.split()
    assert words[0] == "interrupted", out + err
    assert int(words[1]) == 0, "the compute thread is still running"
    assert stopped_in < 10, f"stopped in {stopped_in:.1f} s"


WITH_POOL = CHILD.replace(
    'ftpart.calculate_feature_matrix(features, es, n_jobs=2, parts=400)\nprint("finished", flush=True)\n',
    r'''
import os
pool = ftpart.Pool(2)
pids = pool.pids
try:
    pool.calculate_feature_matrix(features, es, parts=400)
    print("finished", flush=True)
except KeyboardInterrupt:
    alive = []
    for p in pids:
        try:
            os.kill(p, 0)
            alive.append(p)
        except ProcessLookupError:
            pass
    try:
        pool.calculate_feature_matrix(features, es)
        again = "computed"
    except ftpart.FtpartError as e:
        again = "refused" if "closed" in str(e) else repr(e)
    print("interrupted", pool.closed, len(alive), again, flush=True)
''',
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_ctrl_c_on_a_pool_stops_its_workers_and_closes_it(tmp_path):
    import ftpart

    assert "ftpart.Pool(2)" in WITH_POOL
    source = os.environ.get("FTPART_BIN") or str(Path(ftpart.__file__).parent / "bin" / "ftpart")
    binary = str(tmp_path / "ftpart")
    shutil.copy(source, binary)
    env = dict(os.environ, FTPART_BIN=binary)
    child = subprocess.Popen(
        [sys.executable, "-c", WITH_POOL],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        assert child.stdout.readline().strip() == "started"
        # The pool's workers are up before the call: wait until the call is in Rust (its
        # computation thread), then a little, into the split or the parts.
        deadline = time.monotonic() + 60
        while _threads_named(child.pid, "ftpart-compute") == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert _running(binary), "no worker started"
        time.sleep(0.5)
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
    assert "finished" not in out, out
    assert out.split()[-4:] == ["interrupted", "True", "0", "refused"], out + err
