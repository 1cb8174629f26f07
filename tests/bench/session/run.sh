#!/usr/bin/env bash
# The session benchmarks: keystroke cost (one character into a note, durable on return, p50/p99 at 1 KB and
# at 1 MB of notes with 50,000 operations of history) and unlock to a session with 100 cases listed.
# Extra arguments go to keystroke_bench (--keys N, --dir PARENT, --set-note 1 for the whole-text call).
set -euo pipefail
cd "$(dirname "$0")/../../.."
cmake --preset release >/dev/null
cmake --build --preset release -j 2 --target keystroke_bench unlock_bench >/dev/null
build/release/tests/bench/session/keystroke_bench "$@"
build/release/tests/bench/session/unlock_bench
