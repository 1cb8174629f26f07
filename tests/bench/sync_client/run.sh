#!/usr/bin/env bash
# One command for the client sync benchmark (release preset): a real casepackd on 127.0.0.1 (TLS), two
# real casepack stores (--insecure-test-kdf, on /dev/shm when it exists). Per run: a fresh case shared
# between the two; the editing laptop edits offline (notes typed, actions added and updated) until it has
# made N operations, and pushes them ("push"); the other laptop, back from a week offline, syncs them in
# ("catch-up": pull, verify, decrypt, apply). Prints each run and the medians.
#
#   tests/bench/sync_client/run.sh            # N=5000 operations, RUNS=5
#   N=20000 RUNS=3 tests/bench/sync_client/run.sh
#   tests/bench/sync_client/run.sh wire     # bytes on the wire for a week of typing (wire.sh)
set -euo pipefail
[ "${1:-}" = wire ] && exec "$(dirname "$0")/wire.sh"
root=$(cd "$(dirname "$0")/../../.." && pwd)
build="$root/build/release"
N=${N:-5000}
RUNS=${RUNS:-5}

cd "$root"
echo "== building casepack, casepackd, sync_client_edits (release)" >&2
cmake --preset release >/dev/null
cmake --build --preset release -j2 --target casepack casepackd sync_client_edits >/dev/null
cli="$build/client/casepack"
srv="$build/sync/server/casepackd"
edits="$build/tests/bench/sync_client/sync_client_edits"

parent=/dev/shm
[ -d "$parent" ] && [ -w "$parent" ] || parent=${TMPDIR:-/tmp}
work=$(mktemp -d "$parent/casepack-syncbench-XXXXXX")
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
echo "correct horse battery staple" > "$work/pass"
ed() { "$cli" --store "$work/editor" --passphrase-file "$work/pass" "$@"; }
lap() { "$cli" --store "$work/laptop" --passphrase-file "$work/pass" "$@"; }
now_ms() { date +%s%3N; }

"$srv" admin init --data "$work/srv" > "$work/init.out" 2>&1
code=$(sed -n 's/.*invitation code: //p' "$work/init.out")
fp=$(sed -n 's/.*server certificate sha256: //p' "$work/init.out")
"$srv" --data "$work/srv" --listen 127.0.0.1:0 > "$work/srv.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 200); do [ -s "$work/srv/casepackd.port" ] && break; sleep 0.05; done
port=$(cat "$work/srv/casepackd.port")
lap init --insecure-test-kdf --name "Bea (Business Unit)" >/dev/null
ed init --insecure-test-kdf --name "Alex Jones" >/dev/null
lap server add "https://127.0.0.1:$port" --invite "$code" --fingerprint "$fp" >/dev/null
invite=$(lap server invite --role facilitator | tail -1 | awk '{print $NF}')
ed server add "https://127.0.0.1:$port" --invite "$invite" --fingerprint "$fp" >/dev/null
laptop_user=$(lap server show --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["user_id"])')

printf '%-4s %8s %8s %10s %12s %8s %8s\n' run edits ops "push ms" "catch-up ms" pushed pulled >&2
push=(); pull=()
for r in $(seq 1 "$RUNS"); do
  c=$(ed case new --type MAS --subject "Bench $r" --area Newport --date event="$(date -u +%F)")
  ed sync >/dev/null
  ed case share "$c" --with "$laptop_user" >/dev/null
  lap sync >/dev/null
  read -r nedits nops < <("$edits" "$work/editor" "$work/pass" "$c" "$N")
  t0=$(now_ms); ed sync --json > "$work/push.json"; t1=$(now_ms)
  lap sync --json > "$work/pull.json"; t2=$(now_ms)
  pushed=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pushed"])' "$work/push.json")
  pulled=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pulled"])' "$work/pull.json")
  # The same case on both laptops afterwards, or the figure means nothing.
  if [ "$(ed case show "$c" --json)" != "$(lap case show "$c" --json)" ]; then
    echo "sync client bench: the laptops differ after run $r" >&2; exit 1
  fi
  push+=($((t1 - t0))); pull+=($((t2 - t1)))
  printf '%-4s %8s %8s %10s %12s %8s %8s\n' "$r" "$nedits" "$nops" "$((t1 - t0))" "$((t2 - t1))" "$pushed" "$pulled" >&2
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo
echo "client sync, $N operations (about $nedits edits: notes typed, actions added and updated), medians of $RUNS runs"
echo "(real casepackd on loopback TLS, whole casepack processes incl. store unlock with --insecure-test-kdf)"
printf '%-52s %10s\n' "figure" "median"
printf '%-52s %7s ms\n' "push $N ops from the editing laptop (casepack sync)" "$(median "${push[@]}")"
printf '%-52s %7s ms\n' "laptop back after a week: pull+apply $N ops" "$(median "${pull[@]}")"
