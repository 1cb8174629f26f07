#!/usr/bin/env bash
# The window's figures: builds desktop_bench and runs it offscreen (no display needed).
set -euo pipefail
cd "$(dirname "$0")/../../.."
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target desktop_bench >/dev/null
QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}" exec build/release/tests/bench/desktop/desktop_bench "$@"   # [RUNS [REMOTE_CHANGES]]
