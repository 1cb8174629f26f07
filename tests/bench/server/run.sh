#!/bin/sh
# Builds and runs the casepackd loopback benchmark (10 clients x 10,000 ops over 100 cases by default).
# Extra arguments go to server_bench, e.g. `tests/bench/server/run.sh --clients 4 --ops 2000`.
set -eu
cd "$(dirname "$0")/../../.."
cmake --preset release >/dev/null
cmake --build --preset release -j2 --target server_bench casepackd >/dev/null
exec build/release/tests/bench/server/server_bench "$@"
