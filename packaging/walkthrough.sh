#!/usr/bin/env bash
# The README's first command: builds casepack and walks through it on a throwaway store in a temporary
# directory, printing each command as a new user would type it. Nothing outside the temporary directory
# is touched, and it is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

packaging/install-deps.sh >&2
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target casepack casepackd >&2
bin="$root/build/release/client"
server_bin="$root/build/release/sync/server"

demo=$(mktemp -d -t casepack-walkthrough-XXXXXX)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$demo"
}
trap cleanup EXIT
cd "$demo"
export PATH="$bin:$server_bin:$PATH"
# Dates relative to today, so that the case is always current (retention purges old cases on its own).
day() { date -u -d "$1 days" +%F; }
conference=$(day -20); booked=$(day -13); papers=$(day -2); event=$(day 8); due=$(day 22); later=$(day 18)

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
run 'casepack init --name "Alex Jones"'

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
  --date referral-conference=$conference --date event-booked=$booked --date event=$event \
  --facilitator "Alex Jones" --facilitator "Sam Price")
printf '$ casepack case new --type MAS --subject "J.S." --area Newport ... \n%s\n' "$case_id"
c=${case_id:0:8}
run "casepack case list"
run "casepack referral $c --reason stuck --kind drift --detail \"Three plans in a year, little change\""
run_fails "casepack referral $c --not-referred"

step "The case pack arrives a week before the event: each document is encrypted into the store"
run 'printf "Review Child Protection Conference minutes for J.S. (demonstration text)\n" > rcpc-minutes.txt'
run 'printf "Child Protection Plan for J.S. (demonstration text)\n" > cp-plan.txt'
run "casepack doc add $c rcpc-minutes.txt --type rcpc-minutes --from \"Newport Children's Services\" --received $papers"
run "casepack doc add $c cp-plan.txt --type child-protection-plan --from \"Newport Children's Services\" --received $papers"
run "casepack doc list $c"
run "casepack doc papers $c"
run_fails "casepack doc add $c cp-plan.txt --type child-protection-plan --from Police"

step "At the event, offline: attendance, Signs of Safety notes, actions"
run "casepack attend $c --agency \"Children's Services\" --role \"Social worker\" --status attended"
run "casepack attend $c --agency Health --role \"Health visitor\" --status attended"
run "casepack attend $c --agency Education --role \"Head teacher\" --status apologies --reason \"Ofsted inspection\""
run "echo 'Mum has kept every appointment with the health visitor since September.' | casepack note add $c protective-factors"
run "echo 'Father still visits the home although the plan says he should not.' | casepack note add $c risk-factors"
run "echo 'A shared understanding of what safe enough looks like was agreed.' | casepack comments $c"
run "casepack action add $c --what \"Core group to agree a written safety plan with the family\" --owner-agency \"Children's Services\" --owner-role \"Social worker\" --due $due"
run "echo 'Everyone found the time to reflect together useful.' | casepack note add $c evaluation"
run "casepack case set $c --date facilitators-prepare=$(day 7) --date facilitators-debrief=$event --report-writer \"Alex Jones\""
act=$(casepack action list "$c" --json | sed -n 's/.*"id": "\([0-9a-f]*\)".*/\1/p' | head -n 1)
run "casepack action report $c $act --to core-group --on $event"
fb=$(casepack feedback add $c --agency Health --role "Health visitor" --answer most-useful="Time to reflect" | cut -d' ' -f1)
printf '$ casepack feedback add %s --agency Health ...\n%s\n' "$c" "$fb"
run "casepack feedback set $c $fb --answer improve=\"A longer session\""
run "casepack feedback list $c"
run "casepack chronology add $c --when $(day -80)T10:15 --source Police --event \"Domestic incident at the family home\" --action-taken \"Referral to Children's Services\""
run "printf 'Date & Time,Source,Significant Event,Action Taken,Analysis\\r\\n%s 10:00,Health,Missed appointment (second this month),Letter sent,\\r\\n' $(date -u -d '-60 days' +%d/%m/%Y) > health-chronology.csv"
run "casepack chronology import $c health-chronology.csv"
run "casepack case set $c --date papers-received=$papers"
run "casepack case show $c"

step "Slips are put right: a mistyped command, a document filed on the wrong child, an empty note, a wrong subject"
run_fails "casepack case shwo $c"
other=$(casepack case new --type MAS --subject "Gwenllïan" --area "Ynys Môn" --date referral-conference=$(day -3))
printf '$ casepack case new --type MAS --subject "Gwenllïan" --area "Ynys Môn" ...\n%s\n' "$other"
wrong=$(casepack doc add ${other:0:8} cp-plan.txt --type child-protection-plan --from Police --received $papers | cut -d' ' -f1)
printf '$ casepack doc add %s cp-plan.txt ...\n%s\n' "${other:0:8}" "$wrong"
run "casepack doc rm ${other:0:8} $wrong"
run_fails "printf '' | casepack note set $c protective-factors"
run "casepack case set ${other:0:8} --subject Gwenllian --area Gwynedd --clear-date referral-conference"
run_fails "casepack case set $c --date summary-report-sent=$(day -30)"
run "casepack note show $c story"
run "casepack --lang cy case list"
run "casepack case list --sort deadline"
run "casepack audit list | grep delete"

step "A professionals' meeting (MAPM): its chair and minute-taker, the time, the family, the minutes' distribution, every review"
mapm=$(casepack case new --type MAPM --subject "T.R." --area Caerphilly --lead-agency "Caerphilly Education" --venue "Ysgol y Cwm" --date meeting=$(day -10))
printf '$ casepack case new --type MAPM --subject "T.R." --area Caerphilly ...\n%s\n' "$mapm"
m=${mapm:0:8}
run "casepack case set $m --chair \"Rhian Lewis (Health)\" --minute-taker \"Owain Rees (Education)\" --meeting-time 14:30 --family informed --informs-family \"Lead practitioner (Education)\" --minutes-to-family yes"
run "casepack attend $m --agency Health --role \"School nurse\" --status attended"
run "casepack report recipients $m"
run "casepack report sent $m --recipient family --date $(day -8)"
run "casepack review add $m --held $(day -1) --next $(day 120) --note \"Attendance improving\""
run "casepack review list $m"
run "casepack case show $m | tail -n 12"

step "Timescales: what is done, due and overdue (counted as if today were $later, after the event)"
run "casepack deadlines --today $later"

step "A MAPF (000): the route to it, a planning group of every agency, their agreement, then the LOG's"
mapf=$(casepack case new --type MAPF --subject "Baby T" --area Powys --lead-agency "Powys Children's Services" \
  --date referral-agreed=$(day -60) --date chair-approved=$(day -55) --date event=$(day -30) --date principles-agreed=$(day -30))
printf '$ casepack case new --type MAPF --subject "Baby T" --area Powys ...\n%s\n' "$mapf"
m=${mapf:0:8}
la=$(casepack planning add $m --agency "Powys Children's Services" --kind local-authority --name "Rhian Price")
hb=$(casepack planning add $m --agency "Powys Teaching Health Board" --kind health-board)
run "casepack planning list $m"
run_fails "casepack planning log-agreed $m --on $(day -5)"
po=$(casepack planning add $m --agency "Dyfed-Powys Police" --kind police)
for member in $la $hb $po; do casepack planning agree $m $member --on $(day -10) >/dev/null; done
run "casepack planning list $m"
run "casepack action add $m --what \"Joint pre-birth assessment training\" --owner-agency \"Powys Teaching Health Board\" --due $due --recommendation \"R1: assessments start by 20 weeks\" --outcome \"Earlier planning\" --measure \"Audit of 10 cases\""
run "casepack planning log-agreed $m --on $(day -5)"
run "casepack deadlines --today $later | grep -A4 'Baby T'"

step "A Child Practice Review (001, 004): referral to publication, dates as the guidance writes them, the chronology's header"
dmy() { date -u -d "$1 days" +%d/%m/%Y; }
cpr=$(casepack case new --type cpr --subject "Baby R" --area "Merthyr Tydfil" --lead-agency "South Wales Police" \
  --facilitator "Dr Ann Reviewer" --date referral=$(dmy -90) --date sub-group-recommended=$(dmy -80) --date chair-decided=$(dmy -78))
printf '$ casepack case new --type cpr --subject "Baby R" --area "Merthyr Tydfil" ...\n%s\n' "$cpr"
r=${cpr:0:8}
run "casepack case set $r --date first-panel=$(dmy -60) --date timelines-due=$(dmy -20) --date event=$(dmy 10) --date completion-agreed=$(dmy 120)"
run "echo 'The father was never assessed.' | casepack note add $r learning-points"
run "casepack chronology add $r --when \"$(dmy -200) 09:30\" --source Health --event \"Missed 6-8 week check\""
run "casepack chronology header $r --subject \"Baby R\" --from $(dmy -365) --to $(dmy -90) --completed-by \"Safeguarding lead, Health\" --date $(dmy -30) --version 2"
run "casepack chronology list $r"
run "casepack deadlines | grep -A3 'Baby R'"
run "casepack report recipients $r"
run "casepack --lang cy report $r --format md -o - | head -n 30"

step "The Facilitator's Summary (Appendix 3), as Markdown on the terminal and as a printable HTML file"
run "casepack report $c --format md --date $event -o - | head -n 40"
run "casepack report $c --format html --date $event -o summary.html"
run_fails "casepack report $c --format html -o summary.html"
run "casepack status"

step "Transfer packs (age files) for agencies: standard tools open them, casepack opens what they send"
run 'casepack password generate'
run 'age-keygen -o police.key 2>/dev/null; age-keygen -y police.key > police.pub; cat police.pub'
run "casepack pack seal $c --to \$(cat police.pub) --from \"Gwent Safeguarding Board Business Unit\" --report html -o for-police.age"
run 'casepack pack inspect for-police.age'
run 'age -d -i police.key for-police.age | tar tv'
run "casepack pack seal $c --generate-password --from \"Gwent Safeguarding Board Business Unit\" --armor -o for-colleague.age | tee sealed.txt"
run 'head -n 3 for-colleague.age'
run 'sed -n "s/^password: //p" sealed.txt > colleague.pw'
run 'casepack --store health-visitor init --insecure-test-kdf --name "Health visitor" > /dev/null'
run 'casepack --store health-visitor pack open for-colleague.age --password-file colleague.pw'
run 'echo wrong-password > wrong.pw'
run_fails 'casepack --store health-visitor pack open for-colleague.age --password-file wrong.pw'

step "The central store: casepackd on loopback, HTTPS with its own certificate; it only ever holds ciphertext"
run 'casepackd admin init --data server | tee server-init.txt'
casepackd --data server --listen 127.0.0.1:0 > server.log 2>&1 &
server_pid=$!
printf '$ casepackd --data server --listen 127.0.0.1:0 &\n'
for _ in $(seq 1 50); do [ -s server/casepackd.port ] && break; sleep 0.1; done
url="https://127.0.0.1:$(cat server/casepackd.port)"
code=$(sed -n 's/^invitation code: //p' server-init.txt)
fingerprint=$(sed -n 's/^server certificate sha256: //p' server-init.txt)

step "The Business Unit enrols with the one-time code and the pinned fingerprint, then invites both facilitators"
run 'casepack --store business-unit init --insecure-test-kdf --name "Bea Evans (Business Unit)" > /dev/null'
run "casepack --store business-unit server add $url --invite $code --fingerprint $fingerprint"
invite_a=$(casepack --store business-unit server invite --role facilitator 2>/dev/null)
invite_b=$(casepack --store business-unit server invite --role facilitator 2>/dev/null)
printf '$ casepack --store business-unit server invite --role facilitator\n%s\n' "$invite_a"
run "casepack server add $url --invite $invite_a --fingerprint $fingerprint"
run 'casepack --store laptop-b init --insecure-test-kdf --name "Sam Price" > /dev/null'
run "casepack --store laptop-b server add $url --invite $invite_b --fingerprint $fingerprint"
run 'casepack --store business-unit server users'
user_b=$(casepack --store laptop-b server show --json | sed -n 's/.*"user_id": "\([0-9a-f]*\)".*/\1/p')

step "Alex syncs the case and shares it with Sam; Sam's laptop receives it, documents included"
run_fails "casepack case share $c --with ${user_b:0:8}"
run 'casepack sync'
run "casepack case share $c --with 'sam price'"
run 'casepack --store laptop-b sync'
run "casepack --store laptop-b doc list $c"

step "Both facilitators type notes and change the same action offline, then reconnect"
action=$(casepack action list "$c" --json | sed -n 's/.*"id": "\([0-9a-f]*\)".*/\1/p' | head -n 1)
run "echo 'Alex: the family want the grandmother involved in the safety plan.' | casepack note add $c where-next"
run "echo 'Sam: school will report attendance weekly to the core group.' | casepack --store laptop-b note add $c where-next"
run "casepack action update $c $action --owner-role \"Team manager\""
run "casepack --store laptop-b action update $c $action --owner-role \"Independent reviewing officer\""
run 'casepack sync'
run 'casepack --store laptop-b sync'
run 'casepack sync --json | head -n 30'
run "casepack case show $c | tail -n 3"
run "casepack note show $c where-next"
run "casepack --store laptop-b note show $c where-next"
run "casepack action list $c"

step "A person resolves the conflict; the choice reaches everyone"
run "casepack action update $c $action --owner-role \"Team manager\""
run 'casepack sync && casepack --store laptop-b sync'
run "casepack --store laptop-b action list $c"

step "A pack of a case the central store holds but has not shared with you: said once, the rest syncs"
run "casepack pack seal $c -o for-bea.age --from \"Social Services\" --to $(casepack --store business-unit identity)"
run 'casepack --store business-unit pack open for-bea.age'
run 'casepack --store business-unit sync'
run 'casepack --store business-unit sync'

step "Retention: the case is purged everywhere after the review period, unless it is on legal hold"
run 'casepack purge --dry-run'
run "casepack case hold $c --reason \"Care proceedings have started\""
run 'casepack purge --dry-run'
run 'casepack audit verify'
run 'casepack audit list | tail -n 5'

step "Nothing on disk is readable without the key"
run 'ls -l "$CASEPACK_STORE"'
run 'grep -c "CREATE TABLE" "$CASEPACK_STORE/store.db" || echo "no schema text in the raw database file"'

printf '\nDone: the walkthrough used %s, now removed.\n' "$demo"
