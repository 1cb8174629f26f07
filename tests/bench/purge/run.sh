#!/usr/bin/env bash
# Purge benchmark: 1,000 cases (notes, an action, a small document each) purged on the device in one
# PurgeDue (what every store open runs). Prints the median of several runs; goal: under 1 s.
# Usage: tests/bench/purge/run.sh [CASES] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../../.."
cmake --preset release >/dev/null
cmake --build --preset release -j 2 --target purge_bench >/dev/null
exec build/release/tests/bench/purge/purge_bench "$@"
