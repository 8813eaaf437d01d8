"""``ftpart.Pool``: ftpart's worker processes started once and reused across calls, as
featuretools users reuse a Dask cluster (``dask_kwargs={"cluster": ...}``)."""

from __future__ import annotations

from typing import Optional

from . import _ftpart


class Pool:
    """``n_workers`` ftpart worker processes (the package's ``ftpart`` executable), kept alive
    until :meth:`close` or the end of a ``with`` block.

    >>> with ftpart.Pool(2) as pool:                                     # doctest: +SKIP
    ...     fm1 = pool.calculate_feature_matrix(features, es, cutoff_time=ct1)
    ...     fm2 = ftpart.calculate_feature_matrix(features, es, cutoff_time=ct2,
    ...                                           dask_kwargs={"cluster": pool})

    Both calls run on the same worker processes (:attr:`pids`). One computation at a time; a
    computation stopped by Ctrl-C stops the workers and closes the pool. Using a closed pool
    raises :class:`ftpart.FtpartError`.
    """

    def __init__(self, n_workers=2, *, worker: Optional[str] = None, retries: int = 2):
        from ._calculate import _jobs, _worker_binary

        self._remote = None
        self._pool = None
        if isinstance(n_workers, str):
            # A pool started by `ftpart serve`, by address ("local": the one this machine
            # recorded). Closing this object leaves that pool running; stop() stops it.
            self._remote = _ftpart.RemotePool(None if n_workers == "local" else n_workers)
            return
        n = _jobs(n_workers)
        self._pool = _ftpart.WorkerPool(n, worker=worker or _worker_binary(), retries=retries)

    @property
    def address(self) -> Optional[str]:
        """``ftpart://HOST:PORT`` of a pool by address (None for a pool of this process)."""
        return self._remote.address if self._remote is not None else None

    def status(self) -> dict:
        """A pool by address's status (``ftpart pool status --json``)."""
        import json

        if self._remote is None:
            raise TypeError("status() is for a pool by address; this pool's workers are pids")
        return json.loads(self._remote.status())

    def stop(self) -> None:
        """Stops a pool by address (``ftpart pool stop``)."""
        if self._remote is None:
            raise TypeError("stop() is for a pool by address; close() stops this pool's workers")
        self._remote.stop()

    @property
    def n_workers(self) -> int:
        if self._remote is not None:
            return len(self.status().get("workers") or [])
        return self._pool.workers

    @property
    def pids(self) -> list:
        """Process ids of the workers."""
        if self._remote is not None:
            return [w["pid"] for w in self.status().get("workers") or []]
        return self._pool.pids()

    @property
    def closed(self) -> bool:
        return self._pool.closed if self._pool is not None else False

    def close(self) -> None:
        """Stops the workers (closing twice is fine); a pool by address keeps running."""
        if self._pool is not None:
            self._pool.close()

    def _checked(self):
        if self._pool is None:
            raise TypeError("a pool by address computes on the shards it serves")
        if self._pool.closed:
            raise _ftpart.FtpartError("the worker pool is closed")
        return self._pool

    def __enter__(self) -> "Pool":
        self._checked()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def __repr__(self) -> str:
        if self._remote is not None:
            return f"<ftpart.Pool {self._remote.address}>"
        state = "closed" if self.closed else f"{self.n_workers} workers"
        return f"<ftpart.Pool {state}>"

    def calculate_feature_matrix(self, features, entityset=None, cutoff_time=None, **kwargs):
        """:func:`ftpart.calculate_feature_matrix` on this pool's workers."""
        from ._calculate import calculate_feature_matrix

        if kwargs.get("dask_kwargs") is not None:
            raise TypeError("Pool.calculate_feature_matrix computes on the pool: no dask_kwargs")
        kwargs["dask_kwargs"] = {"cluster": self}
        return calculate_feature_matrix(features, entityset, cutoff_time, **kwargs)

    def compute(self, shards=None, features=None, cutoff_time=None, **kwargs):
        """:func:`ftpart.compute` on this pool's workers."""
        from ._shards import compute

        return compute(shards, features, cutoff_time, pool=self, **kwargs)
