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

step "A Multi-Agency Supervision case: the Business Unit books it after the referral conference"
run 'casepack case keys --type MAS'
case_id=$(casepack case new --type MAS --subject "J.S." --area Newport --lead-agency "Newport Children's Services" \
  --date referral-conference=2026-11-02 --date event-booked=2026-11-09 --date event=2026-11-30 \
  --facilitator "Alex Jones" --facilitator "Sam Price")
printf '$ casepack case new --type MAS --subject "J.S." --area Newport ... \n%s\n' "$case_id"
c=${case_id:0:8}
run "casepack case list"

step "The case pack arrives a week before the event: each document is encrypted into the store"
run 'printf "Review Child Protection Conference minutes for J.S. (demonstration text)\n" > rcpc-minutes.txt'
run 'printf "Child Protection Plan for J.S. (demonstration text)\n" > cp-plan.txt'
run "casepack doc add $c rcpc-minutes.txt --type rcpc-minutes --from \"Newport Children's Services\" --received 2026-11-20"
run "casepack doc add $c cp-plan.txt --type child-protection-plan --from \"Newport Children's Services\" --received 2026-11-20"
run "casepack doc list $c"
run_fails "casepack doc add $c cp-plan.txt --type child-protection-plan --from Police"

step "At the event, offline: attendance, Signs of Safety notes, actions"
run "casepack attend $c --agency \"Children's Services\" --role \"Social worker\" --status attended"
run "casepack attend $c --agency Health --role \"Health visitor\" --status attended"
run "casepack attend $c --agency Education --role \"Head teacher\" --status apologies --reason \"Ofsted inspection\""
run "echo 'Mum has kept every appointment with the health visitor since September.' | casepack note add $c protective-factors"
run "echo 'Father still visits the home although the plan says he should not.' | casepack note add $c risk-factors"
run "echo 'A shared understanding of what safe enough looks like was agreed.' | casepack comments $c"
run "casepack action add $c --what \"Core group to agree a written safety plan with the family\" --owner-agency \"Children's Services\" --owner-role \"Social worker\" --due 2026-12-14"
run "casepack chronology add $c --when 2026-09-03T10:15 --source Police --event \"Domestic incident at the family home\" --action-taken \"Referral to Children's Services\""
run "casepack case set $c --date papers-received=2026-11-20"
run "casepack case show $c"

step "Timescales: what is done, due and overdue (counted as if today were 2026-12-10)"
run "casepack deadlines --today 2026-12-10"

step "The Facilitator's Summary (Appendix 3), as Markdown on the terminal and as a printable HTML file"
run "casepack report $c --format md --date 2026-12-01 -o - | head -n 40"
run "casepack report $c --format html --date 2026-12-01 -o summary.html"
run_fails "casepack report $c --format html -o summary.html"
run "casepack status"

step "Nothing on disk is readable without the key"
run 'ls -l "$CASEPACK_STORE"'
run 'grep -c "CREATE TABLE" "$CASEPACK_STORE/store.db" || echo "no schema text in the raw database file"'

printf '\nDone: the walkthrough used %s, now removed.\n' "$demo"
