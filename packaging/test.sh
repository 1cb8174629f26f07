#!/usr/bin/env bash
# The README's test command: installs what is missing, configures, builds and runs the whole suite with ctest.
#   packaging/test.sh          release build, every test
#   packaging/test.sh asan     ASan+UBSan build, unit tests only
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
packaging/install-deps.sh
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$(nproc)"
ctest --preset "$preset" -j "$(nproc)" --timeout 900
