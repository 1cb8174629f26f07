#!/usr/bin/env bash
# Builds the three Debian packages (casepack, casepack-desktop, casepackd) into BUILD_DIR/debs (default
# build/deb, the `deb` preset: no tests and so no test-only fault points, which refuse to install). Its
# objects are the release build's (through ccache, when CI has built release first), so this mostly links,
# renders the man pages and icons, and runs CPack. Prints the paths of the .deb files.
#   packaging/build-debs.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build/deb}"
umask 022  # the packages' files and directories get Debian's usual modes (0644, 0755)
export CCACHE_NOHASHDIR=true  # reuse the release build's objects from another folder (packaging/test.sh)
if [ ! -f "$build/CMakeCache.txt" ]; then
  packaging/install-deps.sh >&2
  if [ "$build" = build/deb ]; then
    if [ -z "${CMAKE_CXX_COMPILER_LAUNCHER:-}" ] && command -v ccache >/dev/null 2>&1; then
      export CMAKE_CXX_COMPILER_LAUNCHER=ccache
    fi
    cmake --preset deb >/dev/null
  else
    cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCASEPACK_BUILD_TESTS=OFF >/dev/null
  fi
fi
targets=(casepack casepack_render_module casepackd casepack_package_data)
grep -q '^CASEPACK_BUILD_DESKTOP:BOOL=ON' "$build/CMakeCache.txt" && targets+=(casepack-desktop)
cmake --build "$build" -j "$(nproc)" --target "${targets[@]}" >&2
rm -rf "$build/debs"
(cd "$build" && cpack -G DEB -B "$PWD/debs" >&2)
ls "$PWD/$build"/debs/*.deb
