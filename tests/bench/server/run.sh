#!/bin/sh
# Builds and runs the casepackd loopback benchmark on SQLite and on PostgreSQL with one and two processes:
# throughput (10 clients x 10,000 ops over 100 cases) and the load test (200 clients syncing every minute
# with 5 ops for two minutes, compressed 10x). Extra arguments go to server_bench, e.g.
# `tests/bench/server/run.sh --clients 4 --ops 2000 --backend pg2 --no-load`.
set -eu
cd "$(dirname "$0")/../../.."
cmake --preset release >/dev/null
cmake --build --preset release -j2 --target server_bench casepackd >/dev/null
exec build/release/tests/bench/server/server_bench "$@"
