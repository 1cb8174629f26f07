#!/usr/bin/env bash
# Installs the Debian 12 packages casepack needs to build, test, fuzz and benchmark.
# Idempotent: installs only what is missing, and says what it installs.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git ccache
  libsqlcipher-dev sqlcipher          # client store, and the CLI for interoperability tests
  libsqlite3-dev sqlite3              # the server's embedded store (never linked with SQLCipher)
  libpq-dev postgresql-15             # the server's PostgreSQL backend; tests start a throwaway cluster
  libsodium-dev                       # all cryptography
  libboost1.81-dev                    # Asio/Beast (1.74 lacks what we use)
  libssl-dev                          # TLS
  nlohmann-json3-dev libcli11-dev libarchive-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  zlib1g-dev                          # sync snapshots (deflate); trace replay and compressed age vectors in tests
  liblzma-dev                         # a sealed batch's payload (xz: client/src/batch_payload.h)
  clang libclang-rt-14-dev            # libFuzzer and sanitizers
  age                                 # interoperability tests against the reference CLI
  util-linux procps                   # script(1) drives age's passphrase prompt; setpriv, prlimit in tests
  python3 tar                         # tests: hostile tar archives (tarfile), the server store edited in a test
  libcairo2-dev libpango1.0-dev libqpdf-dev   # reports: tagged PDF (cairo + pango); /Lang and /MarkInfo (qpdf)
  fonts-dejavu-core                   # the reports' embedded font (Welsh ŵ ŷ)
  poppler-utils python3-pikepdf python3-docx libreoffice-writer-nogui unzip  # tests: reports read back as readers do
  faketime                            # CI: the suite again with the clock a year and five years ahead
  qt6-base-dev qt6-qpa-plugins        # casepack-desktop (Qt 6.4 Widgets, DBus, Test; xcb and offscreen platforms)
  qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools  # the window's Welsh: lupdate/lrelease (qt_add_translations)
  libicu-dev                          # Welsh sorting (ICU's "cy" collation: ch, dd, ff, ng, ll, ph, rh, th)
  xvfb xauth fonts-dejavu-core        # desktop screenshot tests on a virtual X server, with real fonts
  dbus-bin dbus-daemon                # dbus-run-session: the window's screen-lock test on a private session bus
  dpkg-dev file adduser               # Debian packages (CPack DEB): dpkg-shlibdeps, and file(1) to find the ELF files
  help2man librsvg2-bin               #   man pages from --help; the icon's PNG sizes from its SVG
  lintian appstream desktop-file-utils systemd man-db  # package checks: lintian, AppStream, .desktop,
                                    #   systemd-analyze (verify looks up the unit's man: link)
)

missing=()
# Node.js is only for the peer benchmarks (Yjs, Loro, Automerge); the machine may already carry its own.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "casepack: all build dependencies are installed"
  exit 0
fi

echo "casepack: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
