"""The ftpart package's PEP 517 build backend: maturin's, after putting the worker in the package.

``ftpart.calculate_feature_matrix(..., n_jobs > 1)`` runs worker processes of the ``ftpart``
executable (the CLI crate, not the extension module), which the wheel carries as
``ftpart/bin/ftpart``. maturin builds only the extension, so before its ``build_wheel`` and
``build_editable`` hooks this module runs ``cargo build --release --bin ftpart`` in the
workspace and copies the executable into ``python/ftpart/bin``; every other hook is maturin's
own. pyproject.toml names it with ``backend-path = ["build_backend"]``, so ``pip install
./python`` works with and without build isolation.

``maturin develop`` does not go through PEP 517: run ``python python/build_backend/ftpart_backend.py``
first (it does the same copy).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import maturin
from maturin import (  # noqa: F401  (the hooks pip calls, re-exported unchanged)
    build_sdist,
    get_requires_for_build_editable,
    get_requires_for_build_sdist,
    get_requires_for_build_wheel,
    prepare_metadata_for_build_editable,
    prepare_metadata_for_build_wheel,
)

PYTHON_DIR = Path(__file__).resolve().parents[1]
WORKSPACE = PYTHON_DIR.parent
BIN_DIR = PYTHON_DIR / "ftpart" / "bin"


class WorkerBuildError(RuntimeError):
    """The ``ftpart`` worker executable could not be built; the message says why."""


def _cargo() -> str:
    cargo = os.environ.get("CARGO") or shutil.which("cargo")
    if cargo is None:
        home = Path.home() / ".cargo" / "bin" / "cargo"
        if home.is_file():
            cargo = str(home)
    if cargo is None:
        raise WorkerBuildError(
            "ftpart: cargo not found (set $CARGO or put it on PATH): building the package needs Rust"
        )
    return cargo


def build_worker() -> Path:
    """Builds the ``ftpart`` executable (release) and copies it to ``python/ftpart/bin/ftpart``.

    The executable's path comes from cargo's own build messages, so ``CARGO_TARGET_DIR`` and
    ``.cargo/config.toml`` are honoured."""
    if not (WORKSPACE / "Cargo.toml").is_file():
        raise WorkerBuildError(
            f"ftpart: {WORKSPACE / 'Cargo.toml'} not found: the package builds from the ftpart "
            "repository (pip install ./python)"
        )
    cmd = [
        _cargo(),
        "build",
        "--release",
        "--bin",
        "ftpart",
        "--manifest-path",
        str(WORKSPACE / "Cargo.toml"),
        "--message-format=json-render-diagnostics",
    ]
    # cargo's messages go to stdout (parsed here), its progress and diagnostics to stderr (shown).
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise WorkerBuildError(
            f"ftpart: `{' '.join(cmd)}` failed with exit code {proc.returncode}"
        )
    exe = None
    for line in proc.stdout.splitlines():
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        if (
            msg.get("reason") == "compiler-artifact"
            and msg.get("target", {}).get("name") == "ftpart"
            and "bin" in msg.get("target", {}).get("kind", [])
            and msg.get("executable")
        ):
            exe = Path(msg["executable"])
    if exe is None or not exe.is_file():
        raise WorkerBuildError("ftpart: cargo built no ftpart executable")
    BIN_DIR.mkdir(parents=True, exist_ok=True)
    dest = BIN_DIR / "ftpart"
    tmp = BIN_DIR / ".ftpart.tmp"
    shutil.copy2(exe, tmp)
    # The release profile keeps line tables for the CLI's backtraces; the wheel need not.
    strip = shutil.which("strip")
    if strip is not None:
        subprocess.run([strip, str(tmp)], check=False)
    os.replace(tmp, dest)
    return dest


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    build_worker()
    return maturin.build_wheel(wheel_directory, config_settings, metadata_directory)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    build_worker()
    return maturin.build_editable(wheel_directory, config_settings, metadata_directory)


if __name__ == "__main__":
    try:
        print(build_worker())
    except WorkerBuildError as e:
        print(e, file=sys.stderr)
        sys.exit(1)
