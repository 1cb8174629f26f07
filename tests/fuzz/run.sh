#!/usr/bin/env bash
# Runs one libFuzzer target for a while: tests/fuzz/run.sh TARGET [SECONDS]
# e.g. tests/fuzz/run.sh fuzz_store_header 60. New inputs go to a scratch copy of the seed corpus, so the
# committed corpus only changes when someone copies a finding in on purpose.
set -euo pipefail
cd "$(dirname "$0")/../.."
target="$1"; seconds="${2:-60}"
packaging/install-deps.sh >/dev/null
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target "$target"
bin=$(find build/fuzz/tests/fuzz -type f -name "$target" | head -n 1)
src=$(grep -rl "casepack_fuzz_target($target " tests/fuzz/*/CMakeLists.txt | head -n 1)
seeds="$(dirname "$src")/corpus"
scratch=$(mktemp -d -t "casepack-$target-XXXXXX")
cp -r "$seeds"/. "$scratch"/
echo "fuzzing $target for ${seconds}s (corpus: $scratch, seeds: $seeds)"
"$bin" -max_total_time="$seconds" -print_final_stats=1 "$scratch"
