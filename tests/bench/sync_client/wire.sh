#!/usr/bin/env bash
# Bytes on the wire for a week offline (tests/bench/sync_client/run.sh wire): the automerge-paper trace
# (259,778 keystrokes, ../shared/data/traces) typed into a case note on the editing laptop, one EditNote per
# keystroke as the window saves them; then the editing laptop pushes ("push") and the other laptop, back
# from a week offline, catches up ("catch-up"). A byte-counting TCP proxy (wire_proxy.py) sits between each
# casepack and a real casepackd on 127.0.0.1: the figures are the TLS bytes both ways of the whole
# `casepack sync`, request and response. An empty sync afterwards gives the fixed cost of a sync.
# Before each push, sync_client_trace prints where its bytes go ("breakdown:" lines): the sealed batches the
# store cuts, their operations by kind, the inserted text and register values, the encoded and deflated sizes
# with and without register changes (docs/sync-client.md), and the fixed cost of sealing each batch.
#
# BEFORE=DIR compares against another build's casepack and casepackd (e.g. main's, built in DIR), run
# interleaved with this tree's, RUNS times each; the load average is printed beside every run.
#   tests/bench/sync_client/run.sh wire
#   BEFORE=/tmp/main/build/release RUNS=3 tests/bench/sync_client/run.sh wire
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
build="$root/build/release"
RUNS=${RUNS:-3}
TRACE=${TRACE:-$root/../shared/data/traces/automerge-paper.json.gz}
[ -f "$TRACE" ] || { echo "sync client wire bench: no trace at $TRACE" >&2; exit 1; }

cd "$root"
echo "== building casepack, casepackd, sync_client_trace (release)" >&2
cmake --preset release >/dev/null
cmake --build --preset release -j2 --target casepack casepackd sync_client_trace >/dev/null
proxy="$root/tests/bench/sync_client/wire_proxy.py"

parent=/dev/shm
[ -d "$parent" ] && [ -w "$parent" ] || parent=${TMPDIR:-/tmp}
work=$(mktemp -d "$parent/casepack-wirebench-XXXXXX")
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done; rm -rf "$work"; }
trap cleanup EXIT
echo "correct horse battery staple" > "$work/pass"
now_ms() { date +%s%3N; }
load() { cut -d' ' -f1 /proc/loadavg; }

# Bytes so far through the proxy, once every connection has closed: "UP DOWN".
counted() {
  local s
  for _ in $(seq 1 400); do
    s=$(cat "$1")
    [ "$(echo "$s" | cut -d' ' -f3)" = 0 ] && { echo "$s" | cut -d' ' -f1,2; return; }
    sleep 0.05
  done
  echo "sync client wire bench: connections still open" >&2; exit 1
}

# One run with the binaries of build dir $1, labelled $2: prints "label load push_up push_down push_ms
# pull_up pull_down pull_ms empty_up empty_down edits ops".
one_run() {
  local bdir=$1 label=$2 w="$work/$2-$RANDOM"
  mkdir -p "$w"
  local cli="$bdir/client/casepack" srv="$bdir/sync/server/casepackd"
  ed() { "$cli" --store "$w/editor" --passphrase-file "$work/pass" "$@"; }
  lap() { "$cli" --store "$w/laptop" --passphrase-file "$work/pass" "$@"; }
  "$srv" admin init --data "$w/srv" > "$w/init.out" 2>&1
  local code fp port pport
  code=$(sed -n 's/.*invitation code: //p' "$w/init.out")
  fp=$(sed -n 's/.*server certificate sha256: //p' "$w/init.out")
  "$srv" --data "$w/srv" --listen 127.0.0.1:0 > "$w/srv.log" 2>&1 &
  local spid=$!; pids+=("$spid")
  for _ in $(seq 1 200); do [ -s "$w/srv/casepackd.port" ] && break; sleep 0.05; done
  port=$(cat "$w/srv/casepackd.port")
  python3 "$proxy" "$port" "$w/wire" &
  local ppid=$!; pids+=("$ppid")
  for _ in $(seq 1 200); do [ -s "$w/wire.port" ] && break; sleep 0.05; done
  pport=$(cat "$w/wire.port")
  lap init --insecure-test-kdf --name "Bea (Business Unit)" >/dev/null
  ed init --insecure-test-kdf --name "Alex Jones" >/dev/null
  lap server add "https://127.0.0.1:$pport" --invite "$code" --fingerprint "$fp" >/dev/null
  local invite laptop_user c
  invite=$(lap server invite --role facilitator | tail -1 | awk '{print $NF}')
  ed server add "https://127.0.0.1:$pport" --invite "$invite" --fingerprint "$fp" >/dev/null
  laptop_user=$(lap server show --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["user_id"])')
  c=$(ed case new --type MAS --subject "Wire bench" --area Newport --date event="$(date -u +%F)")
  ed sync >/dev/null
  ed case share "$c" --with "$laptop_user" >/dev/null
  lap sync >/dev/null
  local nedits nops
  # The typing is that build's too: it writes the store in that build's schema.
  read -r nedits nops < <("$bdir/tests/bench/sync_client/sync_client_trace" "$w/editor" "$work/pass" "$c" "$TRACE")
  local l a0 a1 a2 a3 t0 t1 t2
  l=$(load)
  a0=$(counted "$w/wire"); t0=$(now_ms)
  ed sync >/dev/null; t1=$(now_ms)
  a1=$(counted "$w/wire")
  lap sync >/dev/null; t2=$(now_ms)
  a2=$(counted "$w/wire")
  ed sync >/dev/null
  a3=$(counted "$w/wire")
  if [ "$(ed note show "$c" story 2>/dev/null | sha256sum)" != "$(lap note show "$c" story 2>/dev/null | sha256sum)" ]; then
    echo "sync client wire bench: the laptops differ after the $label run" >&2; exit 1
  fi
  read -r u0 d0 <<<"$a0"; read -r u1 d1 <<<"$a1"; read -r u2 d2 <<<"$a2"; read -r u3 d3 <<<"$a3"
  echo "$label $l $((u1 - u0)) $((d1 - d0)) $((t1 - t0)) $((u2 - u1)) $((d2 - d1)) $((t2 - t1)) $((u3 - u2)) $((d3 - d2)) $nedits $nops"
  kill "$ppid" "$spid" 2>/dev/null; wait "$ppid" "$spid" 2>/dev/null || true
  rm -rf "$w"
}

labels=(after); dirs=("$build")
if [ -n "${BEFORE:-}" ]; then labels=(before after); dirs=("$BEFORE" "$build"); fi
printf '%-7s %5s %11s %11s %8s %11s %11s %9s %9s %9s\n' binary load "push up B" "push down B" "push ms" \
  "pull up B" "pull down B" "pull ms" "empty up" "empty dn" >&2
results="$work/results"
: > "$results"
for r in $(seq 1 "$RUNS"); do
  for i in "${!labels[@]}"; do
    line=$(one_run "${dirs[$i]}" "${labels[$i]}")
    echo "$line" >> "$results"
    read -r lb ld pu pd pm lu ldn lm eu edn ne no <<<"$line"
    printf '%-7s %5s %11s %11s %8s %11s %11s %9s %9s %9s\n' "$lb" "$ld" "$pu" "$pd" "$pm" "$lu" "$ldn" "$lm" "$eu" "$edn" >&2
  done
done
echo
echo "bytes on the wire (TLS, both directions) for $(basename "$TRACE"): $ne keystrokes, $no stored operations, medians of $RUNS runs"
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
printf '%-7s %14s %14s %10s %14s %10s %12s\n' binary "push bytes" "catch-up bytes" "push ms" "empty sync B" "pull ms" "load"
for lb in "${labels[@]}"; do
  f() { awk -v l="$lb" -v c="$1" '$1 == l {print $c}' "$results" | median; }
  pb=$(awk -v l="$lb" '$1 == l {print $3 + $4}' "$results" | median)
  cb=$(awk -v l="$lb" '$1 == l {print $6 + $7}' "$results" | median)
  eb=$(awk -v l="$lb" '$1 == l {print $9 + $10}' "$results" | median)
  printf '%-7s %14s %14s %10s %14s %10s %12s\n' "$lb" "$pb" "$cb" "$(f 5)" "$eb" "$(f 8)" "$(awk -v l="$lb" '$1 == l {printf "%s ", $2}' "$results")"
done
