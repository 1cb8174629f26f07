#!/usr/bin/env bash
# Installs the three Debian packages on this machine with dpkg -i, uses the installed programs (versions,
# casepackd admin init, a sync on loopback between two stores through the installed casepackd running as
# the casepackd account), then purges the packages and checks that nothing is left: files, the account,
# /etc/casepackd, /var/lib/casepackd, systemd links. Needs root. CI runs it after the release build,
# whose objects build-debs.sh reuses through ccache (its own build/deb has no test-only code). It refuses to touch a machine where casepack is already installed.
#   packaging/test-debs.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build/deb}"
packages=(casepack casepack-desktop casepackd)
fail() { echo "test-debs: FAIL: $*" >&2; exit 1; }

if [ "$(id -u)" -ne 0 ]; then
  sudo -n true 2>/dev/null || fail "needs root (dpkg -i) or password-less sudo"
  exec sudo -n "$0" "$@"
fi
for p in "${packages[@]}"; do
  if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'installed'; then
    fail "$p is already installed here; this test installs and purges it, so it will not run"
  fi
done
getent passwd casepackd >/dev/null && fail "a casepackd account already exists"

mapfile -t debs < <(packaging/build-debs.sh "$build")
[ ${#debs[@]} -ge 2 ] || fail "build-debs.sh made ${#debs[@]} packages"
work=$(mktemp -d -t casepack-debs-XXXXXX)
chmod 755 "$work"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  dpkg --purge "${packages[@]}" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== lintian"
# initial-upload-closes-no-bugs: these packages are not uploaded to Debian, so there is no ITP bug to close.
lintian --fail-on error --suppress-tags initial-upload-closes-no-bugs "${debs[@]}" > "$work/lintian" 2>&1 \
  || { cat "$work/lintian"; fail "lintian reports errors"; }
grep -v 'root privileges' "$work/lintian" || echo "no lintian errors or warnings"

echo "== dpkg -i ${debs[*]##*/}"
# dpkg -i fetches no dependencies: here they are the libraries that the build's -dev packages brought.
dpkg -i "${debs[@]}"
for p in "${packages[@]}"; do
  if [[ " ${debs[*]##*/} " == *" ${p}_"* ]]; then
    dpkg-query -W -f='${Status}\n' "$p" | grep -q '^install ok installed$' || fail "$p is not installed"
  fi
done
dpkg -L casepack casepackd $(dpkg-query -W -f='${Package}\n' casepack-desktop 2>/dev/null) > "$work/files"

echo "== installed layout"
[ "$(casepack --version)" = "casepack $(dpkg-query -W -f='${Version}' casepack | cut -d- -f1)" ] \
  || fail "casepack --version: $(casepack --version)"
casepackd --version
# Test aids never ship: no fault point or other CASEPACK_FAULT_* knob, and no injected clock, in any installed program.
for f in $(grep -E '^/usr/s?bin/|\.so$' "$work/files"); do
  [ -f "$f" ] || continue
  if grep -aqE 'CASEPACK_FAULT_|CASEPACKD?_TEST_NOW' "$f"; then fail "$f holds a test-only aid"; fi
done
echo "no test-only aid in the installed programs"
getent passwd casepackd | grep -q ':/var/lib/casepackd:/usr/sbin/nologin$' || fail "casepackd account: $(getent passwd casepackd)"
[ "$(stat -c '%a %U %G' /var/lib/casepackd)" = "700 casepackd casepackd" ] \
  || fail "/var/lib/casepackd is $(stat -c '%a %U %G' /var/lib/casepackd)"
grep -qx /etc/casepackd/casepackd.conf /var/lib/dpkg/info/casepackd.conffiles || fail "casepackd.conf is not a conffile"
for f in /usr/share/man/man1/casepack.1.gz /usr/share/man/man8/casepackd.8.gz \
         /usr/share/bash-completion/completions/casepack /lib/systemd/system/casepackd.service; do
  [ -f "$f" ] || fail "$f missing"
done
# The completion asks the installed casepack for its subcommands.
completion=$(bash -c 'source /usr/share/bash-completion/completions/casepack
  COMP_WORDS=(casepack case sh); COMP_CWORD=2; _casepack; echo "${COMPREPLY[*]}"')
[ "$completion" = "show share" ] || fail "bash completion of 'casepack case sh': '$completion'"
if command -v systemd-analyze >/dev/null; then
  echo "== systemd-analyze verify / security (offline, on the installed unit)"
  systemd-analyze verify /lib/systemd/system/casepackd.service || fail "systemd-analyze verify"
  systemd-analyze security --offline=true /lib/systemd/system/casepackd.service | tail -n 1
fi
if dpkg-query -W -f='${Status}' casepack-desktop 2>/dev/null | grep -q 'ok installed'; then
  QT_QPA_PLATFORM=offscreen casepack-desktop --version
  command -v appstreamcli >/dev/null && appstreamcli validate --no-net /usr/share/metainfo/org.casepack.desktop.metainfo.xml
  command -v desktop-file-validate >/dev/null && desktop-file-validate /usr/share/applications/org.casepack.desktop.desktop
fi

echo "== casepackd admin init and a sync on loopback, installed programs only"
srv="$work/server"
install -d -o casepackd -g casepackd -m 0700 "$srv"
as_casepackd() { setpriv --reuid casepackd --regid casepackd --init-groups -- "$@"; }
as_casepackd casepackd admin init --data "$srv" > "$work/init.txt"
code=$(sed -n 's/^invitation code: //p' "$work/init.txt")
fingerprint=$(sed -n 's/^server certificate sha256: //p' "$work/init.txt")
[ -n "$code" ] && [ -n "$fingerprint" ] || fail "admin init printed no code or fingerprint"
# The packaged configuration file, as the unit uses it; port 0 and the port file instead of 8443.
# setpriv execs, so $! is casepackd itself (a shell function run with & would be a subshell instead).
setpriv --reuid casepackd --regid casepackd --init-groups -- casepackd --config /etc/casepackd/casepackd.conf --data "$srv" --listen 127.0.0.1:0 \
  > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do [ -s "$srv/casepackd.port" ] && break; kill -0 "$server_pid" || break; sleep 0.1; done
[ -s "$srv/casepackd.port" ] || { cat "$work/server.log" >&2; fail "casepackd did not start"; }
url="https://127.0.0.1:$(cat "$srv/casepackd.port")"

echo "a passphrase for the package test only" > "$work/pass"
export CASEPACK_PASSPHRASE_FILE="$work/pass"
bu="$work/business-unit" fac="$work/facilitator"
casepack --store "$bu" init --name "Business Unit" >/dev/null
casepack --store "$bu" server add "$url" --invite "$code" --fingerprint "$fingerprint" >/dev/null
invite=$(casepack --store "$bu" server invite --role facilitator 2>/dev/null)
casepack --store "$fac" init --name "Facilitator" >/dev/null
casepack --store "$fac" server add "$url" --invite "$invite" --fingerprint "$fingerprint" >/dev/null
user=$(casepack --store "$fac" server show --json | sed -n 's/.*"user_id": "\([0-9a-f]*\)".*/\1/p')
day() { date -u -d "$1 days" +%F; }
case_id=$(casepack --store "$bu" case new --type MAS --subject "P.K." --area Newport \
  --lead-agency "Newport Children's Services" --date referral-conference="$(day -20)" \
  --date event-booked="$(day -13)" --date event="$(day 8)" --facilitator "Facilitator")
casepack --store "$bu" sync >/dev/null
casepack --store "$bu" case share "$case_id" --with "$user" >/dev/null
casepack --store "$fac" sync >/dev/null
casepack --store "$fac" case list | grep -qF "P.K." || fail "the shared case did not reach the second store"
echo "the case reached the second store through the installed casepackd"
# PDF and Word come from /usr/lib/casepack/casepack-render.so, which the installed casepack loads only then.
[ -f /usr/lib/casepack/casepack-render.so ] || fail "/usr/lib/casepack/casepack-render.so missing"
ldd "$(command -v casepack)" | grep -q 'libcairo\|libpango\|libqpdf' && fail "casepack links the report libraries"
casepack --store "$bu" report "$case_id" --format pdf -o "$work/report.pdf" 2>/dev/null
[ "$(head -c 5 "$work/report.pdf")" = "%PDF-" ] || fail "the installed casepack made no PDF report"
echo "the installed casepack made a PDF report through its module"
kill "$server_pid"; status=0; wait "$server_pid" || status=$?
[ "$status" -eq 0 ] || { cat "$work/server.log" >&2; fail "casepackd exited with status $status on SIGTERM"; }
server_pid=""
grep -qF 'P.K.' "$srv"/casepackd.db* && fail "case content in the server store"
rm -rf "$work/business-unit" "$work/facilitator" "$srv"

echo "== dpkg --remove, then --purge"
dpkg --remove "${packages[@]}" >/dev/null
getent passwd casepackd >/dev/null || fail "remove (not purge) deleted the casepackd account"
[ -f /etc/casepackd/casepackd.conf ] || fail "remove (not purge) deleted the conffile"
dpkg --purge "${packages[@]}" >/dev/null
left=()
while read -r f; do
  [ -e "$f" ] || continue
  [ -d "$f" ] && [ -n "$(dpkg -S "$f" 2>/dev/null)" ] && continue  # shared directories (/usr/bin, …)
  left+=("$f")
done < "$work/files"
for f in /etc/casepackd /var/lib/casepackd /usr/share/doc/casepack /usr/share/doc/casepackd \
         /etc/systemd/system/casepackd.service /etc/systemd/system/multi-user.target.wants/casepackd.service \
         /var/lib/systemd/deb-systemd-helper-enabled/casepackd.service.dsh-also \
         /var/lib/systemd/deb-systemd-helper-enabled/multi-user.target.wants/casepackd.service \
         /var/lib/systemd/deb-systemd-helper-masked/casepackd.service; do
  [ -e "$f" ] || [ -L "$f" ] && left+=("$f")
done
[ ${#left[@]} -eq 0 ] || fail "left behind after purge: ${left[*]}"
getent passwd casepackd >/dev/null && fail "the casepackd account is still there"
getent group casepackd >/dev/null && fail "the casepackd group is still there"
echo "test-debs: ok (installed, used, removed and purged; nothing left behind)"
