#!/usr/bin/env bash
# Builds the fuzz targets and runs each for SECONDS (default 60), one after another.
#
#   fuzz/run.sh [SECONDS] [TARGET...]     e.g. fuzz/run.sh 480, fuzz/run.sh 30 csv_data
#   fuzz/run.sh --build                   only build
#   fuzz/run.sh --regressions             replay fuzz/regressions/<target>/* once each
#
# FTPART=target/release/ftpart uses that binary to split the fixture the shard targets' seeds come
# from; FUZZ_TARGET_DIR overrides fuzz/target; FUZZ_NO_BUILD=1 skips the build.
#
# cargo fuzz passes nightly-only flags (-Z sanitizer, sancov); RUSTC_BOOTSTRAP=1 makes the
# stable toolchain accept them. Each target starts from a corpus built here from the committed
# fixtures (fuzz/corpus/<target>/, not committed) plus what earlier runs kept there, and the
# JSON targets get a dictionary of their keys (fuzz/dicts/). One fuzzer
# at a time, under nice: the machine is shared.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
fixtures="$root/tests/fixtures"
targets_all=(data_description features_json cutoff_table csv_data parquet_data shard_manifest shard_ipc)
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$here/target}"
# libFuzzer limits: 2 GB of RSS, 10 s per input.
flags=(-rss_limit_mb=2048 -timeout=10 -print_final_stats=1)

build() {
    # Optimised, with debug assertions and overflow checks: an overflow on input is a finding.
    (cd "$here" && nice -n 15 cargo fuzz build -O -a "$@")
}

# Seeds: the fixtures' own files of each kind, and a real split's manifest and part files.
seed() {
    local t="$1" c="$here/corpus/$1"
    mkdir -p "$c"
    case "$t" in
    data_description)
        for f in "$fixtures"/*/entitysets/*/data_description.json; do
            cp "$f" "$c/$(basename "$(dirname "$f")").json"
        done ;;
    features_json)
        for f in "$fixtures"/*/cases/*/features.json; do
            cp "$f" "$c/$(basename "$(dirname "$f")").json"
        done ;;
    cutoff_table)
        for f in "$fixtures"/*/cases/*/cutoff.csv; do
            cp "$f" "$c/$(basename "$(dirname "$f")").csv"
        done ;;
    csv_data)
        for f in "$fixtures"/extra/entitysets/*/data/*/data/*.csv \
            "$fixtures"/conformance/entitysets/mock_customer_s0/data/*/data/*.csv; do
            cp "$f" "$c/$(basename "$(dirname "$(dirname "$(dirname "$(dirname "$f")")")")")-$(basename "$f")"
        done ;;
    parquet_data)
        for f in "$fixtures"/*/entitysets/*/data/*/data/*.parquet; do
            cp "$f" "$c/$(basename "$(dirname "$(dirname "$(dirname "$(dirname "$f")")")")")-$(basename "$f")"
        done ;;
    shard_manifest | shard_ipc)
        local s="$tmp/seed-shards"
        if [ ! -f "$s/manifest.json" ]; then
            # The same split the targets open (ftpart_fuzz::split_mock_customer).
            # $FTPART: an ftpart binary already built (else cargo builds one).
            local ftpart=("${FTPART:-}")
            [ -n "${FTPART:-}" ] || ftpart=(cargo run -q --release --bin ftpart --)
            (cd "$root" && nice -n 15 "${ftpart[@]}" split \
                "$fixtures/extra/entitysets/x_mock_customer" --by customers --parts 2 \
                --out "$s" --force --quiet)
        fi
        if [ "$t" = shard_manifest ]; then
            cp "$s/manifest.json" "$c/x_mock_customer-2-parts.json"
        else
            for f in "$s"/part-*/*.arrow; do
                cp "$f" "$c/$(basename "$(dirname "$f")")-$(basename "$f")"
            done
        fi ;;
    esac
}

tmp="$(mktemp -d "${TMPDIR:-/tmp}/ftpart-fuzz.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
# The targets' scratch directories go here and are removed with it.
export TMPDIR="$tmp"

case "${1:-}" in
--build)
    build
    exit 0 ;;
--regressions)
    build
    for d in "$here"/regressions/*/; do
        t="$(basename "$d")"
        inputs=("$d"*)
        [ -e "${inputs[0]}" ] || continue
        nice -n 15 "$CARGO_TARGET_DIR/x86_64-unknown-linux-gnu/release/$t" "${flags[@]}" "${inputs[@]}"
    done
    exit 0 ;;
esac

seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${targets_all[@]}")
# FUZZ_NO_BUILD=1 runs the binaries as last built.
[ -n "${FUZZ_NO_BUILD:-}" ] || build
mkdir -p "$here/logs"
for t in "${targets[@]}"; do
    seed "$t"
    mkdir -p "$here/artifacts/$t"
    log="$here/logs/$t.log"
    echo "== $t: ${seconds} s (log: $log)"
    # Not through `cargo fuzz run`, which would rebuild: the binary it built, with its flags.
    dict=()
    [ -f "$here/dicts/$t.dict" ] && dict=(-dict="$here/dicts/$t.dict")
    nice -n 15 "$CARGO_TARGET_DIR/x86_64-unknown-linux-gnu/release/$t" "${flags[@]}" "${dict[@]}" \
        -max_total_time="$seconds" -artifact_prefix="$here/artifacts/$t/" \
        "$here/corpus/$t" >"$log" 2>&1 || echo "   $t stopped on a finding: see $log"
    grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|Done [0-9]+ runs)' "$log" | sed 's/^/   /' || true
done
