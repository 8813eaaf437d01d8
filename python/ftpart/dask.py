"""``ftpart.dask``: ftpart's part jobs as tasks on an existing Dask cluster.

The coordinator's rounds (rows across parts, inputs at cutoffs, the matrix) run in this process as
they do locally; each part job of a round is one Dask task, named
``ftpart-{round}-part{p}-{token}`` in Dask's dashboard, that runs ftpart's worker code in the Dask
worker process with the GIL released. A Dask worker keeps the parts it loaded (memory maps of the
shard files, ``FTPART_PART_CACHE_BYTES``: a quarter of its machine's memory by default, all of
them dropped when less than a tenth of memory is available) and a part's next task goes to the
worker that holds it. No EntitySet is scattered: the workers read the shards from a directory
they can all reach (``shards_dir``).

>>> fm = ftpart.calculate_feature_matrix(features, es, cutoff_time=ct,          # doctest: +SKIP
...                                      dask_kwargs={"cluster": "tcp://10.0.0.5:8786",
...                                                   "shards_dir": "/shared/ftpart"})

Every Dask worker needs the ``ftpart`` package installed (the same version as the client's).
"""

from __future__ import annotations

import os
import queue
import socket
import tempfile
import time
import uuid
from typing import Optional

from . import _ftpart

#: What the shards of an in-memory EntitySet are kept under when ``shards_dir`` is not given:
#: a directory of this machine (so for Dask workers on this machine only).
DEFAULT_SHARDS_DIR_ENV = "FTPART_DASK_SHARDS"


def default_shards_dir() -> str:
    """``$FTPART_DASK_SHARDS``, else ``ftpart-dask-{uid}`` in the temporary directory."""
    return os.environ.get(DEFAULT_SHARDS_DIR_ENV) or os.path.join(
        tempfile.gettempdir(), f"ftpart-dask-{os.getuid()}"
    )


def _client_of(cluster):
    """A ``distributed.Client`` for a client, a cluster object or a scheduler address, and
    whether this module made it (and so closes it)."""
    try:
        from distributed import Client
    except ImportError as e:  # pragma: no cover - distributed is a test requirement
        raise ImportError("ftpart.dask needs dask.distributed (pip install distributed)") from e
    if isinstance(cluster, Client):
        return cluster, False
    if isinstance(cluster, str) or hasattr(cluster, "scheduler_address"):
        try:
            return Client(cluster, set_as_default=False), True
        except Exception as e:
            where = cluster if isinstance(cluster, str) else cluster.scheduler_address
            raise _ftpart.FtpartError(
                f"ftpart.dask: cannot connect to the Dask scheduler {where!r}: "
                f"{type(e).__name__}: {e}"
            ) from e
    raise TypeError(
        "ftpart.dask: the cluster must be a distributed.Client, a Dask cluster object or a "
        f"scheduler address such as 'tcp://HOST:8786', not {type(cluster).__name__}"
    )


def _run_part(payload: bytes) -> dict:
    """A part job, in a Dask worker: ftpart's worker code on the part this process holds."""
    import resource

    start = time.perf_counter()
    kind, data, loaded = _ftpart.run_part_job(payload)
    try:
        from distributed import get_worker

        worker = get_worker().address
    except Exception:  # run outside a Dask worker (a test calling it directly)
        worker = f"local-{os.getpid()}"
    out = {
        "kind": kind,
        "worker": worker,
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "seconds": time.perf_counter() - start,
        # ru_maxrss is in KiB on Linux.
        "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "loaded": loaded,
    }
    if kind == "ok":
        out["data"] = data
    else:
        out["message"] = data
    return out


def _cache_stats() -> dict:
    return _ftpart.part_cache_stats()


def _clear_cache() -> None:
    _ftpart.clear_part_cache()


class DaskExecutor:
    """Runs ftpart's part jobs on a Dask cluster: a ``distributed.Client``, a cluster object
    (``LocalCluster``, ...) or a scheduler address. ``shards_dir``: where the shards of an
    in-memory EntitySet are written, a directory every Dask worker reads at the same path
    (default :func:`default_shards_dir`, right for workers on this machine). A split is kept
    there by the EntitySet's content: a later call on the same data reuses it, and the parts
    the workers hold.
    """

    def __init__(self, cluster, shards_dir: Optional[str] = None):
        self.client, self._own = _client_of(cluster)
        self.shards_dir = os.fspath(shards_dir) if shards_dir is not None else default_shards_dir()
        self._host = socket.gethostname()

    def n_workers(self) -> int:
        return len(self.client.scheduler_info().get("workers", {}))

    def workers(self) -> list:
        """The Dask workers' addresses, sorted."""
        return sorted(self.client.scheduler_info().get("workers", {}))

    def cache_stats(self) -> dict:
        """Each Dask worker's part cache: ``{address: {"loads", "hits", "reloads", "evictions",
        "parts": [(shards_dir, part, bytes)]}}``."""
        return self.client.run(_cache_stats)

    def clear_cache(self) -> None:
        """Drops the parts every Dask worker holds."""
        self.client.run(_clear_cache)

    def start_round(self, name: str, shards_dir: str, jobs: list) -> "_Round":
        return _Round(self, name, os.fspath(shards_dir), jobs)

    def close(self) -> None:
        """Closes the client when this executor made it (a cluster or address); a client given
        stays open."""
        if self._own:
            self.client.close()

    def __enter__(self) -> "DaskExecutor":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<ftpart.dask.DaskExecutor {self.client.scheduler.address} ({self.n_workers()} workers)>"


class _Round:
    """One round's tasks: a part goes to the worker that holds it loaded, the others are spread
    over the workers holding the fewest; Dask may still move a task (allow_other_workers), and
    reschedules those of a worker that dies."""

    def __init__(self, executor: DaskExecutor, name: str, shards_dir: str, jobs: list):
        client = executor.client
        self._host = executor._host
        workers = executor.workers()
        if not workers:
            raise _ftpart.FtpartError(
                f"ftpart.dask: the Dask cluster at {client.scheduler.address} has no workers"
            )
        held = {}
        for address, stats in executor.cache_stats().items():
            for directory, part, _ in stats.get("parts", []):
                if directory == shards_dir:
                    held.setdefault(part, address)
        load = {w: 0 for w in workers}
        place = {}
        for part, _ in jobs:
            w = held.get(part)
            if w in load:
                place[part] = w
                load[w] += 1
        for i, (part, _) in enumerate(jobs):
            if part not in place:
                w = min(workers, key=lambda w: (load[w], (workers.index(w) - i) % len(workers)))
                place[part] = w
                load[w] += 1
        token = uuid.uuid4().hex[:8]
        self._futures = {}
        # Finished futures, in the order they finish (done callbacks run on the client's thread).
        self._done = queue.Queue()
        for part, payload in jobs:
            f = client.submit(
                _run_part,
                payload,
                key=f"ftpart-{name}-part{part}-{token}",
                workers=[place[part]],
                allow_other_workers=True,
                pure=False,
            )
            self._futures[f] = part
            f.add_done_callback(self._done.put)

    def next_done(self, timeout: float):
        """One finished task as a dict (``id``, ``kind``, ``data`` or ``message``, ``worker``,
        ``pid``, ``seconds``, ``peak_rss_bytes``, ``loaded``), or None after ``timeout`` seconds."""
        if not self._futures:
            return None
        try:
            f = self._done.get(timeout=timeout)
        except queue.Empty:
            return None
        part = self._futures.pop(f, None)
        if part is None:  # cancelled with the round
            return None
        if f.status == "finished":
            out = f.result()
            f.release()
            out["id"] = part
            if out.get("host") != self._host:
                out["pid"] = 0
            return out
        # Dask gave up on the task (its workers died: KilledWorker) or it raised.
        try:
            e = f.exception()
            message = f"{type(e).__name__}: {e}"
        except Exception as e:  # cancelled
            message = f"{type(e).__name__}: {e}"
        lost = "KilledWorker" in message or f.status == "cancelled"
        what = "Dask gave up on the task" if lost else "the Dask task failed"
        return {
            "id": part,
            "kind": "lost" if lost else "failure",
            "message": f"{what} ({message})",
            "worker": "",
            "pid": 0,
            "seconds": 0.0,
            "peak_rss_bytes": 0,
            "loaded": None,
        }

    def cancel(self) -> None:
        """Cancels the round's unfinished tasks."""
        if self._futures:
            futures = list(self._futures)
            self._futures.clear()
            try:
                futures[0].client.cancel(futures)
            except Exception:
                pass
