#!/usr/bin/env bash
# Report rendering benchmark: a MAPF learning report with a 300-row merged chronology (about 20 A4 pages)
# to tagged PDF and to Word, from the layout in memory. Prints medians; goal: at most 300 ms each.
# Usage: tests/bench/reports/run.sh [ROWS] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../../.."
cmake --preset release >/dev/null
cmake --build --preset release -j 2 --target reports_bench >/dev/null
exec build/release/tests/bench/reports/reports_bench "$@"
