#!/usr/bin/env bash
# Builds the three Debian packages (casepack, casepack-desktop, casepackd) into build/release/debs.
# Reuses build/release when it exists (CI builds it first), so this only relinks what changed, renders
# the man pages and icons, and runs CPack. Prints the paths of the .deb files.
#   packaging/build-debs.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build/release}"
umask 022  # the packages' files and directories get Debian's usual modes (0644, 0755)
if [ ! -f "$build/CMakeCache.txt" ]; then
  packaging/install-deps.sh >&2
  cmake --preset release >/dev/null
fi
targets=(casepack casepackd casepack_package_data)
grep -q '^CASEPACK_BUILD_DESKTOP:BOOL=ON' "$build/CMakeCache.txt" && targets+=(casepack-desktop)
cmake --build "$build" -j "$(nproc)" --target "${targets[@]}" >&2
rm -rf "$build/debs"
(cd "$build" && cpack -G DEB -B "$PWD/debs" >&2)
ls "$PWD/$build"/debs/*.deb
