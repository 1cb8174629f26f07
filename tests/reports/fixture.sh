#!/bin/bash
# Builds a store with one MAS, one MAPF and one MAPM case through the real casepack CLI, Welsh letters in
# names and notes, dates relative to today. Usage: fixture.sh CASEPACK DIR [CHRONOLOGY_ROWS]
# Prints "MAS=<id> MAPF=<id> MAPM=<id>" on its last line. Used by report_files_test.py.
set -euo pipefail
CP=$1 DIR=$2 ROWS=${3:-40}
mkdir -p "$DIR"
printf 'correct horse battery staple\n' > "$DIR/pass"
cp() { "$CP" --store "$DIR/store" --passphrase-file "$DIR/pass" "$@"; }
day() { date -u -d "$1 days" +%F; }
cp init --insecure-test-kdf >/dev/null

mas=$(cp case new --type MAS --subject "Ŵyn Ïfan" --area "Caerdydd" --lead-agency "Gwasanaethau Cymdeithasol" \
  --date referral-conference="$(day -40)" --date event="$(day -3)" --facilitator "Siân Bowen" --facilitator "Dafydd ap Gwilym" | head -1 | cut -d' ' -f1)
note() { printf '%s' "$3" > "$DIR/note"; cp note add "$1" "$2" --file "$DIR/note" >/dev/null; }
note "$mas" story "The family moved to Tŷ Newydd in Llanŵst last spring. Mam's partner, Siôn, left in the summer; the school reports that the child is more settled.

A second paragraph: contact with the paternal grandmother at Penybontfawr has resumed."
note "$mas" protective-factors "Grandmother (Nain) is protective and visits daily; the child attends Ysgol Gymraeg Bro Ŵyr and is doing well."
note "$mas" risk-factors "Unresolved concerns about domestic abuse; missed health appointments (three since the last conference)."
note "$mas" grey-areas "Whether Siôn still visits the house at weekends."
note "$mas" where-next "Core group to review the plan at its next meeting; consider step-down to care and support."
printf 'The core group works well together; health was represented for the first time. Câi pawb gyfle i siarad; diolch i Gwenllïan am y ŷd.' > "$DIR/c"
cp comments "$mas" --file "$DIR/c" >/dev/null
cp attend "$mas" --agency "Social Services" --role "Social worker" --name "Eira Huws" --status attended >/dev/null
cp attend "$mas" --agency "Health" --role "Health visitor" --status attended >/dev/null
cp attend "$mas" --agency "Education" --role "Designated safeguarding lead" --status apologies --reason "Inset day training" >/dev/null
cp attend "$mas" --agency "Police" --role "PPU officer" --status invited >/dev/null
cp action add "$mas" --what "Arrange a joint home visit with health to discuss missed appointments" --owner-agency "Social Services" --owner-role "Social worker" --due "$(day 14)" >/dev/null
cp action add "$mas" --what "Share the school attendance record with the core group" --owner-agency "Education" --due "$(day 7)" >/dev/null
cp feedback add "$mas" --agency "Health" --role "Health visitor" --barriers no \
  --answer most-useful="FEEDBACK-ANSWER-ONE: hearing every agency's view of the story in one room; the Signs of Safety map made the worries and strengths very clear to everyone present, which we rarely achieve in core groups" \
  --answer overall-process="FEEDBACK-ANSWER-TWO: the facilitators' style was calm and inclusive; Siân made sure that the quieter members of the group were heard and kept us to time without rushing anyone" >/dev/null
cp feedback add "$mas" --agency "Social Services" --role "Social worker" --barriers yes \
  --answer barriers="FEEDBACK-ANSWER-THREE: the venue was hard to reach by public transport from Llanŵst" >/dev/null
cp chronology add "$mas" --when "$(day -200)" --source "Health" --event "Missed 6-8 week check" --action-taken "Letter sent" >/dev/null
# The process around the event (issue 16): referral, facilitators' meetings, the writer, one paper, an action reported back.
cp referral "$mas" --reason stuck --kind split-decisions --detail "PROCESS-DETAIL: the core group splits on contact at Llanŵst" >/dev/null
cp case set "$mas" --date facilitators-prepare="$(day -4)" --date facilitators-debrief="$(day -3)" --report-writer "Siân Bowen" >/dev/null
printf 'ICPC minutes (demonstration)\n' > "$DIR/icpc.txt"
cp doc add "$mas" "$DIR/icpc.txt" --type icpc-minutes --from "Gwasanaethau Cymdeithasol" --received "$(day -10)" >/dev/null
mas_action=$(cp action list "$mas" --json | sed -n 's/.*"id": "\([0-9a-f]*\)".*/\1/p' | head -n 1)
cp action report "$mas" "$mas_action" --to line-managers --on "$(day -1)" >/dev/null

mapf=$(cp case new --type MAPF --subject "A.B." --area "Powys" --lead-agency "Education" \
  --date referral-agreed="$(day -60)" --date event="$(day -2)" --facilitator "Gwenllïan Rhys" | head -1 | cut -d' ' -f1)
note "$mapf" working-well "Early help from the school nurse; grandmother's support at Bryn Tâf."
note "$mapf" worried-about "Information about the father's history did not reach the health visitor."
note "$mapf" needs-to-happen "A shared chronology at the first strategy discussion."
cp attend "$mapf" --agency "Education" --role "Head teacher" --status attended >/dev/null
cp attend "$mapf" --agency "Health" --role "School nurse" --status attended >/dev/null
for i in $(seq 1 "$ROWS"); do
  src=$([ $((i % 3)) = 0 ] && echo Police || ([ $((i % 3)) = 1 ] && echo Health || echo Education))
  cp chronology add "$mapf" --when "$(day $((-400 + i)))T09:$((10 + i % 50))" --source "$src" \
    --event "Event $i: home visit at Tŷ Gwyn; mother reported that the child had not slept; neighbour's concern passed on" \
    --action-taken "Referral $i discussed with the duty team" --analysis "Pattern $i: missed information between agencies" >/dev/null
done
cp action add "$mapf" --what "Single agency reviews to include a shared chronology" --owner-agency "Local Operational Group" --due "$(day 60)" \
  --recommendation "Share chronologies at the first strategy discussion" --rationale "Information did not reach the health visitor" \
  --outcome "Every agency sees the whole history" --measure "Audit of ten strategy discussions" --progress "Template drafted" >/dev/null
for member in "Powys County Council:local-authority" "Powys Teaching Health Board:health-board" "Dyfed-Powys Police:police" "Ysgol Bro Tâf:education"; do
  m=$(cp planning add "$mapf" --agency "${member%%:*}" --kind "${member##*:}")
  cp planning agree "$mapf" "$m" --on "$(day -1)" >/dev/null
done

mapm=$(cp case new --type MAPM --subject "C.D." --area "Gwynedd" --lead-agency "Housing" --date meeting="$(day -1)" \
  --facilitator "Elin Prŷs" | head -1 | cut -d' ' -f1)
cp attend "$mapm" --agency "Housing" --role "Officer" --status attended >/dev/null
cp attend "$mapm" --agency "Probation" --role "Officer" --status apologies --reason "Court" >/dev/null
cp action add "$mapm" --what "Review tenancy support" --owner-agency "Housing" --due "$(day 21)" >/dev/null
# 002 §5-§10: the chair and minute-taker, the time, the family, the distribution, a review agreeing a late next one.
cp case set "$mapm" --chair "Rhian Lewis (Health)" --minute-taker "Owain Rees (Housing)" --meeting-time 14:30 \
  --informs-family "Lead practitioner (Housing)" --family agreed --minutes-to-family yes >/dev/null
cp report sent "$mapm" --recipient family --date "$(day 0)" >/dev/null
cp review add "$mapm" --held "$(day 0)" --next "$(day 120)" --note "Tenancy secure" >/dev/null
echo "MAS=$mas MAPF=$mapf MAPM=$mapm"
