#!/usr/bin/env bash
# Seal and open a 100 MB file with an X25519 recipient: casepack's age (tests/bench/age/age_bench) beside the
# `age` CLI, 5 runs each in one go, medians; plus libsodium's raw ChaCha20-Poly1305 on the same 100 MB in
# memory, which bounds any implementation. MB = 10^6 bytes. Usage: tests/bench/age/run.sh [MB] [RUNS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
mb=${1:-100}
runs=${2:-5}
command -v age >/dev/null || { echo "age is not installed (packaging/install-deps.sh)"; exit 1; }

cmake --preset release -S "$root" >/dev/null
cmake --build "$root/build/release" -j2 --target age_bench >/dev/null
bench="$root/build/release/tests/bench/age/age_bench"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/casepack-age-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
head -c $((mb * 1000 * 1000)) /dev/urandom > "$tmp/in"
age-keygen -o "$tmp/key.txt" 2>/dev/null
recipient=$(age-keygen -y "$tmp/key.txt")

# "wall cpu" seconds of a command: wall from bash's microsecond clock, CPU (user + system, all threads)
# from GNU time when installed. On a shared machine CPU time is the steadier figure.
timed() {
  local t0=$EPOCHREALTIME cpu="-"
  if [ -x /usr/bin/time ]; then
    cpu=$(/usr/bin/time -f "%U %S" "$@" 2>&1 >/dev/null | tail -1 | awk '{printf "%.3f", $1 + $2}')
  else
    "$@"
  fi
  local t1=$EPOCHREALTIME
  echo "$t0 $t1 $cpu" | awk '{printf "%.4f %s\n", $2 - $1, $3}'
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

declare -A t
for kind in ours_seal ours_open age_seal age_open; do t[$kind]=""; done
cat "$tmp/in" > /dev/null  # warm the page cache for everyone alike
load0=$(cut -d' ' -f1-3 /proc/loadavg)
for ((i = 0; i < runs; i++)); do
  t[ours_seal]+="$(timed "$bench" seal "$recipient" "$tmp/in" "$tmp/ours.age")"$'\n'
  t[age_seal]+="$(timed age -r "$recipient" -o "$tmp/age.age" "$tmp/in")"$'\n'
  t[ours_open]+="$(timed "$bench" open "$tmp/key.txt" "$tmp/age.age" "$tmp/ours.out")"$'\n'
  t[age_open]+="$(timed age -d -i "$tmp/key.txt" -o "$tmp/age.out" "$tmp/ours.age")"$'\n'
done
# Both directions were cross-checked: each tool opened the other's file; the outputs must match the input.
cmp -s "$tmp/in" "$tmp/ours.out" || { echo "ours failed to open age's file correctly"; exit 1; }
cmp -s "$tmp/in" "$tmp/age.out" || { echo "age failed to open our file correctly"; exit 1; }
raw=$("$bench" raw "$mb")

rate() { awk -v mb="$mb" -v s="$1" 'BEGIN {printf "%6.0f MB/s", mb / s}'; }
echo "age v1, X25519 recipient, $mb MB file, median of $runs runs ($(nproc) cores, $(age --version 2>/dev/null || echo age))"
echo "load average before: $load0"
printf "%-6s %-9s %-9s %-13s %-13s %-9s | %-8s %-8s %s\n" "" "ours (s)" "age (s)" "ours" "age" "ours/age" \
  "CPU ours" "CPU age" "ours/age"
for op in seal open; do
  o=$(printf "%s" "${t[ours_$op]}" | awk '{print $1}' | median); a=$(printf "%s" "${t[age_$op]}" | awk '{print $1}' | median)
  co=$(printf "%s" "${t[ours_$op]}" | awk '{print $2}' | median); ca=$(printf "%s" "${t[age_$op]}" | awk '{print $2}' | median)
  printf "%-6s %-9s %-9s %-13s %-13s %-9s | %-8s %-8s %s\n" "$op" "$o" "$a" "$(rate "$o")" "$(rate "$a")" \
    "$(awk -v o="$o" -v a="$a" 'BEGIN {printf "%.2f", o / a}')" "$co" "$ca" \
    "$(awk -v o="$co" -v a="$ca" 'BEGIN {if (a > 0) printf "%.2f", o / a; else print "-"}')"
done
printf "libsodium raw crypto_aead_chacha20poly1305_ietf (64 KiB chunks, in memory): %s s, %s\n" "$raw" "$(rate "$raw")"
