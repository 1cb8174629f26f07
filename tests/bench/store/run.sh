#!/usr/bin/env bash
# Unlock benchmark: builds and runs store_bench; prints medians of the KDF and after-KDF times.
set -euo pipefail
cd "$(dirname "$0")/../../.."
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target store_bench >/dev/null
exec build/release/tests/bench/store/store_bench "$@"
