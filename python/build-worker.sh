#!/usr/bin/env bash
# Puts the ftpart executable into the Python package (python/ftpart/bin/ftpart), where
# ftpart.calculate_feature_matrix(..., n_jobs>1) finds its worker program; maturin ships it in the
# wheel. Run before `pip install ./python` (or `maturin build`); without it n_jobs>1 needs
# $FTPART_BIN. Honors CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --bin ftpart
target="${CARGO_TARGET_DIR:-target}"
mkdir -p python/ftpart/bin
cp "$target/release/ftpart" python/ftpart/bin/ftpart
strip python/ftpart/bin/ftpart 2>/dev/null || true
