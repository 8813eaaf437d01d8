"""The installed package runs its own worker executable (ftpart/bin/ftpart, put in the wheel by
python/build_backend/ftpart_backend.py), not one found on PATH or through $FTPART_BIN."""

import os
import subprocess
import sys
from pathlib import Path

import ftpart

SCRIPT = r"""
import os, shutil, sys, warnings
import featuretools as ft, pandas as pd, psutil
import ftpart
from ftpart._calculate import _worker_binary

assert "FTPART_BIN" not in os.environ
assert shutil.which("ftpart") is None, shutil.which("ftpart")
bundled = os.path.join(os.path.dirname(ftpart.__file__), "bin", "ftpart")
assert _worker_binary() == bundled, (_worker_binary(), bundled)
es = ft.demo.load_mock_customer(return_entityset=True, random_seed=0)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    features = ft.dfs(entityset=es, target_dataframe_name="customers", features_only=True)
exes = set()
def seen(update, percent, elapsed):
    for c in psutil.Process().children(recursive=True):
        try:
            exes.add(c.exe())
        except psutil.Error:
            pass
one = ftpart.calculate_feature_matrix(features, es, n_jobs=1)
two = ftpart.calculate_feature_matrix(features, es, n_jobs=2, parts=4, progress_callback=seen)
pd.testing.assert_frame_equal(one, two)
assert exes == {os.path.realpath(bundled)}, exes
print("ok", sorted(exes))
"""


def test_installed_package_runs_its_bundled_worker(tmp_path):
    bundled = Path(ftpart.__file__).parent / "bin" / "ftpart"
    assert bundled.is_file() and os.access(bundled, os.X_OK), f"{bundled}: no worker in the package"
    env = {k: v for k, v in os.environ.items() if k not in ("FTPART_BIN", "PYTHONPATH")}
    # Only the interpreter's folder and the system's: no ftpart executable on PATH.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), "/usr/bin", "/bin"])
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.startswith("ok"), out.stdout
