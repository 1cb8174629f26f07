#!/usr/bin/env bash
# Runs the already-built release suite with the clock shifted by each offset given (libfaketime's
# relative syntax, e.g. +400d), one ctest run per offset, and prints how long each took.
#   packaging/calendar-shift.sh +400d +1830d
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || { echo "usage: $0 OFFSET..." >&2; exit 2; }
command -v faketime >/dev/null || { echo "calendar-shift: faketime is missing (packaging/install-deps.sh)" >&2; exit 1; }
# --exclude-monotonic: only the calendar moves. libfaketime 0.9.10 shifts CLOCK_MONOTONIC too but does not
# intercept pthread_cond_clockwait, so a std::condition_variable::wait_for waits until the shifted deadline,
# 400 days of real time: casepackd's periodic retention sweep (sync/server/src/main/main.cpp) would never
# run. Only time-outs use the monotonic clock; dates all come from the real-time clock, which moves.
# -m: the thread-safe libfaketime, as casepackd and the tests run threads.
for shift in "$@"; do
  start=$(date +%s)
  echo "calendar-shift: the suite with the clock at $(faketime -f "$shift" date -u +%F) ($shift)"
  faketime -m --exclude-monotonic -f "$shift" ctest --preset release -j "$(nproc)" --timeout 900
  echo "calendar-shift: $shift took $(( $(date +%s) - start )) s"
done
