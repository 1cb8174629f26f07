#!/usr/bin/env bash
# The README's test command: installs what is missing, configures, builds and runs the whole suite with ctest.
#   packaging/test.sh          release build, every test
#   packaging/test.sh asan     ASan+UBSan build, unit tests only
#   packaging/test.sh tsan     TSan build, the tests of the code that runs its own threads (label "threads")
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
packaging/install-deps.sh
# ccache (installed by install-deps.sh) makes rebuilds of unchanged files free; a fresh machine just fills it.
if [ -z "${CMAKE_CXX_COMPILER_LAUNCHER:-}" ] && command -v ccache >/dev/null 2>&1; then
  export CMAKE_CXX_COMPILER_LAUNCHER=ccache
fi
# Objects are the same whichever build folder compiles them (the deb build reuses the release build's);
# ccache would otherwise key each on the folder, as debug info records it (only line tables here, -g1).
export CCACHE_NOHASHDIR=true
cmake --preset "$preset" >/dev/null
if [ "$preset" = asan ]; then
  # Only what the asan test preset runs (label "unit"): the rest would be compiled under ASan for nothing.
  cmake --build --preset "$preset" -j "$(nproc)" --target unit_tests
elif [ "$preset" = tsan ]; then
  cmake --build --preset "$preset" -j "$(nproc)" --target thread_tests
else
  cmake --build --preset "$preset" -j "$(nproc)"
fi
ctest --preset "$preset" -j "$(nproc)" --timeout 900
