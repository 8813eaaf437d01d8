#!/usr/bin/env bash
# featuretools' own test suite (from the installed featuretools 1.31 wheel) with ftpart as its
# computation backend, through the pytest plugin ftpart.testing.featuretools_suite.
#
#   python/featuretools_suite/run.sh PYTHON [--update]
#
# PYTHON: an interpreter with ftpart and python/requirements-test.txt installed. Each test ends
# as ftpart / fallback / not-routed / skipped / failed (the plugin's docstring says which is
# which); the run fails on a fallback or failure that expected.tsv does not list. --update
# rewrites expected.tsv from this run instead.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
python="$1"
shift
P=featuretools.tests
modules=(
    $P.computational_backend.test_calculate_feature_matrix
    $P.computational_backend.test_feature_set_calculator
    $P.primitive_tests.test_agg_feats
    $P.primitive_tests.test_transform_features
    $P.primitive_tests.test_groupby_transform_primitives
    $P.primitive_tests.test_direct_features
    $P.synthesis.test_dfs_method
    $P.primitive_tests.aggregation_primitive_tests
    $P.primitive_tests.transform_primitive_tests
)
report="$(mktemp -d)/featuretools-suite.tsv"
expected=(--ftpart-expected "$here/expected.tsv")
if [ "${1:-}" = "--update" ]; then
    expected=()
fi
status=0
# From an empty directory: featuretools' tests import their conftest from the installed package.
(cd "$(mktemp -d)" && "$python" -m pytest -p ftpart.testing.featuretools_suite \
    -p no:cacheprovider -p no:warnings -q --timeout 600 \
    --pyargs "${modules[@]}" --ftpart-report "$report" "${expected[@]}") || status=$?
if [ "${1:-}" = "--update" ]; then
    cp "$report" "$here/expected.tsv"
    exit 0
fi
if [ "$status" -eq 5 ]; then
    echo "featuretools suite: pytest collected no tests" >&2
    exit 1
fi
exit "$status"
