#!/usr/bin/env bash
# The whole test suite (the README's test command): the Rust tests, the dashboard's browser tests,
# then the Python package built in a fresh virtualenv from pinned requirements and tested with
# pytest, then featuretools' own test suite with ftpart as its backend.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --release --workspace
# The dashboard and the report in headless Chromium (installs Debian's chromium when missing).
bash scripts/browser/run.sh target/release/ftpart

# The Python package (python/): its build backend (python/build_backend/ftpart_backend.py) builds
# the worker executable into the wheel and the extension with maturin (pinned in
# python/requirements-test.txt, no build isolation), then its tests run.
venv="$(mktemp -d)/venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r python/requirements-test.txt
# maturin's PEP 517 hook runs the maturin executable from PATH.
PATH="$venv/bin:$PATH" "$venv/bin/pip" install --quiet --disable-pip-version-check --no-build-isolation ./python
# From python/tests, so that the installed package (not the source folder python/ftpart) is tested.
status=0
(cd python/tests && "$venv/bin/python" -m pytest -p no:cacheprovider -p no:warnings -q -rfE .) || status=$?
if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests" >&2
    exit 1
fi
if [ "$status" -ne 0 ]; then
    exit "$status"
fi
# featuretools' own test suite with ftpart as its backend: fails on a fallback or a failure that
# python/featuretools_suite/expected.tsv does not list.
bash python/featuretools_suite/run.sh "$venv/bin/python"
