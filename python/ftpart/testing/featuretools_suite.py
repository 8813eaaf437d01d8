"""A pytest plugin that runs featuretools' own test suite with ftpart as its computation backend.

featuretools 1.31's wheel ships its tests (``featuretools/tests``). With this plugin every
``calculate_feature_matrix`` they call (directly, or through ``ft.dfs``) is computed by
:func:`ftpart.calculate_feature_matrix`; a call ftpart does not support
(:class:`ftpart.NotSupportedError`: ``approximate``, ``chunk_size``, a user's primitive, ...)
falls back to featuretools and is recorded with its reason.

The primitive tests call a primitive's function directly (``Primitive(...).get_function()(series)``,
or ``Primitive(...)(series)``). The primitive seam (``_primitive_seam``) routes those calls too: a
call from a featuretools test gets a function that computes the value as a feature of a small
entity set built from the arguments (one row per element; for an aggregation, the rows of one
parent) with :func:`ftpart.calculate_feature_matrix`, shaped like featuretools' own result (a
Series with its index, a scalar, a list of outputs). A call that is no feature of such an entity
set (a keyword argument, an input no logical type of the primitive's ``input_types`` holds, a
value where featuretools' own matrix differs from its function: an aggregation over no rows, a
default value, a ``pandas.groupby`` variance), or that ftpart refuses, gets featuretools' result
and is recorded as a fallback with its reason. Each test ends in one class:

- ``ftpart``: passed, and every matrix it computed, and every primitive value it took from a
  primitive's function, came from ftpart;
- ``fallback``: passed, some matrix or primitive value came from featuretools (the reasons are
  listed; a primitive call's reason starts with the primitive's class name);
- ``not-routed``: passed without computing a matrix or calling a primitive's function (names,
  arguments, errors raised when a primitive is made);
- ``skipped``: skipped by featuretools' test itself;
- ``failed``: failed (on ftpart's values or errors, or on fallback).

Run (see ``python/featuretools_suite/run.sh``)::

    python -m pytest -p ftpart.testing.featuretools_suite --pyargs featuretools.tests.computational_backend
        --ftpart-report results.tsv [--ftpart-expected expected.tsv]

``--ftpart-expected``: a committed report; the session fails when a test falls back or fails that
is not marked so there (``fallback`` / ``failed``), so that CI catches a new mismatch or a new
fallback.
"""

from __future__ import annotations

import csv
import os
from collections import Counter
from typing import Dict, List

import pytest

_events: List[tuple] = []
_results: Dict[str, dict] = {}


def pytest_addoption(parser):
    g = parser.getgroup("ftpart")
    g.addoption("--ftpart-report", default=None, help="write each test's class to this TSV file")
    g.addoption(
        "--ftpart-expected",
        default=None,
        help="a committed report: fail on a fallback or failure it does not list",
    )


def _routed(*args, **kwargs):
    import ftpart
    from ftpart import _patch

    try:
        fm = ftpart.calculate_feature_matrix(*args, fallback="error", **kwargs)
    except ftpart.FtpartError as e:
        why = str(e).replace("\t", " ").replace("\n", " ")
        if not isinstance(e, ftpart.NotSupportedError):
            why = f"refused: {why}"
        _events.append(("fallback", why))
        _in_featuretools.append(True)
        try:
            return _patch.original("calculate_feature_matrix")(*args, **kwargs)
        finally:
            _in_featuretools.pop()
    _events.append(("ftpart", ""))
    return fm


def _routed_run(self, instance_ids, progress_callback=None, include_cutoff_time=True):
    """``FeatureSetCalculator.run`` on ftpart: the features at ``time_last`` for these ids."""
    import numpy as np
    import pandas as pd

    import ftpart

    original = _original_run[0]
    if _in_featuretools:
        # Inside a featuretools calculate_feature_matrix the plugin fell back to.
        return original(self, instance_ids, progress_callback, include_cutoff_time)
    why = None
    precalculated = [
        v for _, v in self.precalculated_features if v is not None and len(v.columns) > 0
    ]
    if precalculated:
        why = "precalculated (approximated) features"
    elif len(instance_ids) == 0:
        why = "no instance ids"
    if why is None:
        try:
            ids = pd.unique(np.asarray(instance_ids))
            fm = ftpart.calculate_feature_matrix(
                list(self.feature_set.target_features),
                self.entityset,
                cutoff_time=self.time_last,
                instance_ids=list(ids),
                training_window=self.training_window,
                include_cutoff_time=include_cutoff_time,
                fallback="error",
            )
        except ftpart.FtpartError as e:
            why = str(e).replace("\t", " ").replace("\n", " ")
            if not isinstance(e, ftpart.NotSupportedError):
                why = f"refused: {why}"
        else:
            _events.append(("ftpart", ""))
            if progress_callback is not None:
                progress_callback(1)
            columns = []
            for feat in self.feature_set.target_features:
                columns.extend(feat.get_feature_names())
            return pd.DataFrame(fm)[columns]
    _events.append(("fallback", f"FeatureSetCalculator: {why}"))
    return original(self, instance_ids, progress_callback, include_cutoff_time)


_original_run: List = []
_in_featuretools: List[bool] = []


def pytest_configure(config):
    # Before the test modules import calculate_feature_matrix by name.
    import importlib

    from ftpart import _patch

    from featuretools.computational_backends.feature_set_calculator import (
        FeatureSetCalculator,
    )

    from . import _primitive_seam

    _primitive_seam.install(lambda kind, why: _events.append((kind, why)), _in_featuretools)
    if not _original_run:
        _original_run.append(FeatureSetCalculator.run)
        FeatureSetCalculator.run = _routed_run
    original = _patch.original("calculate_feature_matrix")
    _patch._originals.setdefault("calculate_feature_matrix", original)
    for mod in _patch._SITES["calculate_feature_matrix"]:
        m = importlib.import_module(mod)
        if hasattr(m, "calculate_feature_matrix"):
            setattr(m, "calculate_feature_matrix", _routed)


_paths: Dict[str, str] = {}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    # The test's module (report.location names where an inherited test method is defined).
    _paths[item.nodeid] = str(item.path)
    from . import _primitive_seam

    _events.clear()
    _primitive_seam.activate(True)
    try:
        yield
    finally:
        _primitive_seam.activate(False)
        _events.clear()


def _test_id(report) -> str:
    # Relative to featuretools/tests, whatever the install path and pytest's rootdir.
    path = _paths.get(report.nodeid, report.location[0]).replace(os.sep, "/")
    marker = "featuretools/tests/"
    i = path.find(marker)
    if i >= 0:
        path = path[i + len(marker) :]
    name = report.nodeid.split("::", 1)[1] if "::" in report.nodeid else report.nodeid
    return f"{path}::{name}"


def pytest_runtest_logreport(report):
    r = _results.setdefault(_test_id(report), {"outcome": "passed", "events": []})
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        r["events"] = list(_events)
    if report.outcome == "failed":
        r["outcome"] = "failed"
    elif report.outcome == "skipped" and r["outcome"] != "failed":
        r["outcome"] = "skipped"


def _classify(r: dict) -> str:
    if r["outcome"] == "failed":
        return "failed"
    if r["outcome"] == "skipped":
        return "skipped"
    kinds = {e[0] for e in r["events"]}
    if "fallback" in kinds:
        return "fallback"
    if "ftpart" in kinds:
        return "ftpart"
    return "not-routed"


def _reasons(r: dict) -> str:
    seen = []
    for kind, why in r["events"]:
        if kind == "fallback" and why not in seen:
            seen.append(why)
    return " | ".join(seen)


def pytest_sessionfinish(session, exitstatus):
    config = session.config
    rows = [(k, _classify(v), _reasons(v)) for k, v in _results.items()]
    rows.sort()
    counts = Counter(c for _, c, _ in rows)
    why = Counter()
    for _, c, reasons in rows:
        if c == "fallback":
            for reason in reasons.split(" | "):
                why[reason] += 1
    tr = config.pluginmanager.get_plugin("terminalreporter")
    lines = [
        "ftpart featuretools-suite: "
        + ", ".join(f"{counts[c]} {c}" for c in ("ftpart", "fallback", "not-routed", "skipped", "failed"))
    ]
    for reason, n in why.most_common():
        lines.append(f"  fell back {n}x: {reason}")
    path = config.getoption("--ftpart-report")
    if path:
        with open(path, "w", newline="") as f:
            w = csv.writer(f, delimiter="\t", lineterminator="\n")
            w.writerow(["test", "class", "fallback_reasons"])
            w.writerows(rows)
    expected_path = config.getoption("--ftpart-expected")
    if expected_path and os.path.exists(expected_path):
        expected = {}
        with open(expected_path) as f:
            for row in csv.DictReader(f, delimiter="\t"):
                expected[row["test"]] = row["class"]
        # A listed failure that now falls back or passes is no regression; a listed fallback
        # that now fails is.
        allowed = {"fallback": ("fallback", "failed"), "failed": ("failed",)}
        new = [
            (t, c)
            for t, c, _ in rows
            if c in allowed and expected.get(t) not in allowed[c]
        ]
        for t, c in new:
            lines.append(f"  NEW {c}: {t}")
        if new:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
        elif exitstatus == pytest.ExitCode.TESTS_FAILED:
            # Every failure is an expected one.
            session.exitstatus = pytest.ExitCode.OK
    if tr is not None:
        tr.write_line("")
        for line in lines:
            tr.write_line(line)
