#!/usr/bin/env bash
# The README's first command: builds casepack and walks through it on a throwaway store in a temporary
# directory, printing each command as a new user would type it. Nothing outside the temporary directory
# is touched, and it is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

packaging/install-deps.sh >&2
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target casepack >&2
bin="$root/build/release/client"

demo=$(mktemp -d -t casepack-walkthrough-XXXXXX)
trap 'rm -rf "$demo"' EXIT
cd "$demo"
export PATH="$bin:$PATH"

bold=""; plain=""
if [ -t 1 ]; then bold=$'\033[1m'; plain=$'\033[0m'; fi
step() { printf '\n%s# %s%s\n' "$bold" "$*" "$plain"; }
# Prints a command line as the user would type it, then runs it.
run() { printf '$ %s\n' "$1"; eval "$1" 2>&1; }
# The same for a command that must fail; its message is part of the demonstration.
run_fails() {
  printf '$ %s\n' "$1"
  if eval "$1" 2>&1; then echo "walkthrough: that should have failed" >&2; exit 1; fi
}

step "A facilitator's passphrase lives in a file only for this demonstration (normally casepack asks on the terminal, without echo)"
run 'echo "correct horse battery staple" > facilitator.pass && chmod 600 facilitator.pass'
export CASEPACK_STORE="$demo/laptop-a"
export CASEPACK_PASSPHRASE_FILE="$demo/facilitator.pass"
printf '$ export CASEPACK_STORE=%s CASEPACK_PASSPHRASE_FILE=%s\n' "$CASEPACK_STORE" "$CASEPACK_PASSPHRASE_FILE"

step "Create the encrypted store (the real default key derivation takes about half a second)"
run 'casepack init'

step "Unlock it and see what it holds"
run 'casepack status'

step "A weak passphrase is refused"
run 'echo "hunter2" > weak.pass'
run_fails 'casepack --store other-store --passphrase-file weak.pass init'

step "A wrong passphrase changes nothing"
run 'echo "not my passphrase at all" > wrong.pass'
run_fails 'casepack --passphrase-file wrong.pass status'

step "Change the passphrase: the key is re-wrapped, the data is untouched, the old passphrase stops working"
run 'echo "a new and longer passphrase" > new.pass && chmod 600 new.pass'
run 'casepack passwd --new-passphrase-file new.pass'
run_fails 'casepack status'
export CASEPACK_PASSPHRASE_FILE="$demo/new.pass"
printf '$ export CASEPACK_PASSPHRASE_FILE=%s\n' "$CASEPACK_PASSPHRASE_FILE"
run 'casepack status --json'

step "Nothing on disk is readable without the key"
run 'ls -l "$CASEPACK_STORE"'
run 'grep -c "CREATE TABLE" "$CASEPACK_STORE/store.db" || echo "no schema text in the raw database file"'

printf '\nDone: the walkthrough used %s, now removed.\n' "$demo"
