#!/usr/bin/env bash
# One command for the sync benchmark: builds sync_bench (release preset), installs the JS peers once in
# build/release/peers (a copy of ../shared/bench/peers: that folder is read-only), runs casepack and the
# peers (Yjs, Loro, Automerge, diamond-types) in the same run, and prints a side-by-side table of medians and ratios.
#
#   tests/bench/sync/run.sh              # RUNS=5 for casepack, PEER_RUNS=3 per peer case
#   PEER_CASES=yjs:per-edit,yjs:merge2 tests/bench/sync/run.sh   # fewer peers (each case is 3 processes)
#   tests/bench/sync/run.sh table        # only the Eg-walker paper's table (S1, C1, C2, A1, A2)
#   tests/bench/sync/run.sh keystrokes   # only per keystroke, casepack and diamond-types alternating (ROUNDS=15);
#                                        # the full run takes its per-keystroke casepack and dt figures from these rounds
#
# The table: per trace, the time to merge the whole encoded history into an empty document (decode +
# apply), the memory of the loaded document and the encoded sizes with and without deleted text, for
# casepack (sync_bench table) beside Yjs, Loro, Automerge and diamond-types (peers_table.mjs, which
# converts each trace once per library into its encoded document and caches it in build/release/peers/cache;
# a conversion that fails or takes over CONVERT_TIMEOUT seconds, default 3600, is cached as failed and
# printed as such: RETRY_FAILED=1 tries again). TRACES=automerge-paper.json.gz,... limits the traces.
set -euo pipefail
mode=${1:-all}
case "$mode" in all|table|keystrokes) ;; *) echo "usage: $0 [table|keystrokes]" >&2; exit 2 ;; esac
root=$(cd "$(dirname "$0")/../../.." && pwd)
shared=$(cd "$root/.." && pwd)/shared
traces="$shared/data/traces"
build="$root/build/release"
[ -f "$traces/automerge-paper.json.gz" ] || { echo "sync bench: $traces/automerge-paper.json.gz not found" >&2; exit 1; }

cd "$root"
echo "== building sync_bench (release)" >&2
cmake --preset release >/dev/null
cmake --build --preset release -j2 --target sync_bench >/dev/null

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
peers_dir="$build/peers"
have_peers=0
if command -v node >/dev/null && [ -d "$shared/bench/peers" ]; then
  if [ ! -d "$peers_dir/node_modules" ] || ! cmp -s "$shared/bench/peers/package-lock.json" "$peers_dir/package-lock.json"; then
    echo "== installing peers in $peers_dir (npm ci)" >&2
    mkdir -p "$peers_dir"
    cp "$shared/bench/peers/"* "$peers_dir/"
    (cd "$peers_dir" && npm ci --no-audit --no-fund >&2)
  fi
  cp "$shared/bench/peers/bench.mjs" "$root/tests/bench/sync/peers_table.mjs" "$peers_dir/"
  have_peers=1
else
  echo "== node or ../shared/bench/peers missing: peers skipped" >&2
fi
load() { echo "$(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) on $(nproc) CPUs"; }

# Per keystroke against the closest peer, in rounds that alternate the two processes: this 2-core VM's
# speed drifts by a third over minutes (the same binary's whole-process CPU time went 590 -> 814 ms), so
# figures taken minutes apart, as above, can put a slow spell on one side only.
keystroke_rounds() {
  : > "$out/rounds.txt"
  [ "$have_peers" = 1 ] || { echo "per keystroke rounds: no peers (node or ../shared/bench/peers missing)" >&2; return 0; }
  rounds=${ROUNDS:-15}
  echo >&2
  echo "== per keystroke, casepack and diamond-types alternating ($rounds rounds)" >&2
  for ((i = 0; i < rounds; i++)); do
    ours_ms=$(ONLY=per-edit RUNS=5 "$build/tests/bench/sync/sync_bench" "$traces" 2>/dev/null |
      python3 -c 'import json, sys; print(json.loads(sys.stdin.readline())["ms"])')
    dt_ms=$(cd "$peers_dir" && TRACE_DIR="$traces" node --expose-gc bench.mjs case dt per-edit 2>/dev/null |
      python3 -c 'import json, sys; print(json.loads(sys.stdin.readline())["applyMs"])')
    echo "$ours_ms $dt_ms" | tee -a "$out/rounds.txt" >&2
  done
  python3 - "$out/rounds.txt" "$(load)" <<'PY'
import statistics, sys
rows = [tuple(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
ours = [r[0] for r in rows]; dt = [r[1] for r in rows]; ratios = sorted(d / o for o, d in rows)
print()
print(f"per keystroke, {len(rows)} alternating rounds (casepack: median of 5 runs per process; diamond-types: one per process)")
print(f"  casepack median {statistics.median(ours):.2f} ms, diamond-types median {statistics.median(dt):.1f} ms: "
      f"{statistics.median(dt) / statistics.median(ours):.1f}x; per round {ratios[0]:.1f}x to {ratios[-1]:.1f}x, "
      f"median {statistics.median(ratios):.1f}x (load after: {sys.argv[2]})")
PY
}

if [ "$mode" = keystrokes ]; then
  keystroke_rounds
  exit 0
fi

if [ "$mode" = table ]; then
  load_before=$(load)
  echo "== casepack: the table (RUNS=${RUNS:-5}); load $load_before" >&2
  RUNS=${RUNS:-5} "$build/tests/bench/sync/sync_bench" table "$traces" "$out" | tee "$out/table-ours.jsonl" >&2
  : > "$out/table-peers.jsonl"
  if [ "$have_peers" = 1 ]; then
    echo "== peers: the table (RUNS=${PEER_RUNS:-5} processes per cell; conversions cached in $peers_dir/cache)" >&2
    (cd "$peers_dir" && TRACE_DIR="$traces" CACHE_DIR="$peers_dir/cache" RUNS=${PEER_RUNS:-5} node peers_table.mjs) \
      | tee "$out/table-peers.jsonl" >&2
  fi
  python3 "$root/tests/bench/sync/table.py" "$out/table-ours.jsonl" "$out/table-peers.jsonl" "${RUNS:-5}" \
    "${PEER_RUNS:-5}" "$load_before" "$(load)"
  exit 0
fi

echo "== casepack (RUNS=${RUNS:-5})" >&2
RUNS=${RUNS:-5} "$build/tests/bench/sync/sync_bench" "$traces" | tee "$out/ours.jsonl" >&2
peer_cases=${PEER_CASES:-yjs:per-edit,loro:per-edit,automerge-wasm:per-edit,dt:per-edit,yjs:merge2,loro:merge2,automerge-wasm:merge2,dt:merge2}
if [ "$have_peers" = 1 ]; then
  echo "== peers (PEER_RUNS=${PEER_RUNS:-3}): $peer_cases" >&2
  (cd "$peers_dir" && TRACE_DIR="$traces" RUNS=${PEER_RUNS:-3} CASES="$peer_cases" node bench.mjs) | tee "$out/peers.jsonl" >&2
else
  : > "$out/peers.jsonl"
fi

# The per-keystroke row's casepack and diamond-types figures come from rounds that alternate the two
# processes (keystroke_rounds): the runs above put minutes between casepack's run and each peer's, and a
# slow spell of this VM during one of them alone moves the ratio by a third. Yjs, Loro and Automerge are
# over 100x away, so their one run above is enough.
keystroke_rounds
python3 - "$out/ours.jsonl" "$out/peers.jsonl" "$out/rounds.txt" <<'PY'
import json, statistics, sys
ours = {}
for line in open(sys.argv[1]):
    line = line.strip()
    if line.startswith('{'):
        o = json.loads(line); ours[o['case']] = o
peers = {}
for line in open(sys.argv[2]):
    line = line.strip()
    if line.startswith('{'):
        o = json.loads(line); peers[o['case']] = o

def peer(case, key):
    p = peers.get(case)
    return None if p is None else p.get(key)

def fmt(x, unit='ms'):
    return '-' if x is None else (f'{x:.1f} {unit}' if unit else str(x))

def ratio(peer_ms, our_ms):
    return '-' if peer_ms is None or not our_ms else f'{peer_ms / our_ms:.1f}x'

pe = ours.get('casepack:per-edit', {}).get('ms')
fl = ours.get('floor:per-edit', {}).get('ms')
rounds = [tuple(map(float, l.split())) for l in open(sys.argv[3]) if l.strip()] if len(sys.argv) > 3 else []
if rounds:
    pe_run = pe
    pe = statistics.median(r[0] for r in rounds)
    peers.setdefault('dt:per-edit', {})['applyMs'] = statistics.median(r[1] for r in rounds)
m2 = ours.get('casepack:merge2', {})
ld = ours.get('casepack:load', {})
print()
print('automerge-paper trace (259,778 edits), medians; ratio = peer time / casepack time (higher = casepack faster)')
print()
print(f"{'figure':44} {'casepack':>12} {'Yjs':>10} {'Loro':>10} {'Automerge':>10} {'dt':>10} {'vs Yjs':>8} {'vs Loro':>8} {'vs AM':>8} {'vs dt':>8}")
def row(name, ours_ms, case_mode, key):
    y, l, a, d = (peer(lib + ':' + case_mode, key) for lib in ('yjs', 'loro', 'automerge-wasm', 'dt'))
    print(f"{name:44} {fmt(ours_ms):>12} {fmt(y):>10} {fmt(l):>10} {fmt(a):>10} {fmt(d):>10} "
          f"{ratio(y, ours_ms):>8} {ratio(l, ours_ms):>8} {ratio(a, ours_ms):>8} {ratio(d, ours_ms):>8}")
row('apply, one op per keystroke (ids + clocks)', pe, 'per-edit', 'applyMs')
if rounds:
    print(f"  (casepack and dt: medians of the {len(rounds)} alternating rounds above; casepack's own run {fmt(pe_run)})")
row('merge 2 replicas that typed it concurrently', m2.get('ms'), 'merge2', 'mergeMs')
print()
pf = ours.get('casepack:per-edit', {}).get('ms')  # the floor ran in the same process as this one
print(f"gap buffer floor (same splices, no CRDT):     {fmt(fl)}   casepack / floor = {pf / fl:.1f}x (casepack {fmt(pf)} in the same process)" if pf and fl else 'floor: -')
print(f"merge: apply only (after decoding the bytes):  {fmt(m2.get('applyOnlyMs'))}; delta {m2.get('deltaBytes')} bytes (Yjs {peer('yjs:merge2','deltaBytes')})")
print(f"load saved document cold:                     {fmt(ld.get('ms'))}   (Yjs {fmt(peer('yjs:per-edit','loadMs.load'))}, Loro {fmt(peer('loro:per-edit','loadMs.load'))})")
hl = ld.get('heapAfterLoadBytes')
print(f"heap after load:                              {hl/1048576:.2f} MB" if hl else 'heap after load: -')
print(f"full-history snapshot (deflated):             {ld.get('snapshotBytes')} bytes; as an op batch: {ld.get('opBatchBytes')} bytes in {ld.get('ops')} ops")
ys = peers.get('yjs:per-edit', {}).get('sizes')
if ys: print(f"  (Yjs update v1/v2: {ys.get('v1')}/{ys.get('v2')} bytes)")
ff = ours.get('casepack:ff', {}).get('ms')
print(f"friendsforever replay with merges:            {fmt(ff)}")
PY

echo >&2
echo "== the Eg-walker paper's table" >&2
"$0" table
