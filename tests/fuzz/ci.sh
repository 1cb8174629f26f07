#!/usr/bin/env bash
# CI's fuzz step: builds the fuzz preset (every library instrumented) and runs every fuzz target for
# SECONDS (default 60) from a scratch copy of its seed corpus, as many at once as there are cores. A crash,
# leak, sanitizer report or timeout fails the step; the reproducer stays in the printed scratch directory.
# Prints one line per target: executions and coverage (libFuzzer's "cov" counter) at the end.
#   tests/fuzz/ci.sh [SECONDS]        (CASEPACK_FUZZ_TARGETS="a b" runs only those)
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-60}"
cmake --preset fuzz >/dev/null
targets=${CASEPACK_FUZZ_TARGETS:-$(sed -n 's/^casepack_fuzz_target(\([A-Za-z0-9_]*\) .*/\1/p' tests/fuzz/*/CMakeLists.txt)}
# shellcheck disable=SC2086
cmake --build --preset fuzz -j "$(nproc)" --target $targets
work=$(mktemp -d -t casepack-fuzz-XXXXXX)
run_one() {
  local target="$1" seconds="$2" work="$3"
  local src seeds bin
  src=$(grep -l "casepack_fuzz_target($target " tests/fuzz/*/CMakeLists.txt)
  seeds="$(dirname "$src")/corpus"
  bin=$(find build/fuzz/tests/fuzz -type f -name "$target" | head -n 1)
  mkdir -p "$work/$target/corpus" "$work/$target/crashes"
  cp -r "$seeds"/. "$work/$target/corpus"/
  if ! "$bin" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="$work/$target/crashes/" "$work/$target/corpus" >"$work/$target/log" 2>&1; then
    tail -n 40 "$work/$target/log" >&2
    echo "fuzz: error: $target failed; reproducer in $work/$target/crashes/" >&2
    return 1
  fi
  local execs cov
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$target/log")
  cov=$(grep -o 'cov: [0-9]*' "$work/$target/log" | tail -n 1 | cut -d' ' -f2)
  printf 'fuzz: %-22s %10s executions  coverage %6s  (%ss)\n' "$target" "$execs" "$cov" "$seconds"
}
export -f run_one
# shellcheck disable=SC2086
printf '%s\n' $targets | xargs -P "$(nproc)" -I{} bash -c 'run_one "$@"' _ {} "$seconds" "$work"
echo "fuzz: every target ran ${seconds}s without a crash (scratch corpora: $work)"
