#!/usr/bin/env bash
# The dashboard's and the report's tests in headless Chromium (Debian's package, installed here
# when missing). Screenshots: target/test-artifacts/. Usage: scripts/browser/run.sh [FTPART]
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v chromium >/dev/null; then
    sudo=""
    if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null; then sudo=sudo; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi
python3 scripts/browser/test_dashboard.py "${1:-target/release/ftpart}"
