#!/usr/bin/env bash
# Transfer packs with a 100 MB document: `casepack pack seal --to age1…` and `casepack pack open` (into a
# fresh store each run) beside `age -r` / `age -d -i` on the very same 100 MB tar, 5 runs each in one go,
# medians, MB/s and the ratio casepack/age; plus the blob store alone (`doc add`, `doc export`) and
# libsodium's raw ChaCha20-Poly1305 (tests/bench/age's age_bench), so the costs can be told apart:
#   seal = blob store decrypt (XChaCha20-Poly1305 secretstream) + tar + age encrypt
#   open = age decrypt + tar + SHA-256 + blob store encrypt + fsync + one store transaction
# age does one ChaCha20-Poly1305 pass and nothing else. MB = 10^6 bytes. Usage: run.sh [MB] [RUNS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
mb=${1:-100}
runs=${2:-5}
command -v age >/dev/null || { echo "age is not installed (packaging/install-deps.sh)"; exit 1; }

cmake --preset release -S "$root" >/dev/null
cmake --build "$root/build/release" -j2 --target casepack age_bench >/dev/null
casepack="$root/build/release/client/casepack"
age_bench="$root/build/release/tests/bench/age/age_bench"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/casepack-pack-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
echo "benchmark store passphrase, not a secret" > pass
cp_() { local store=$1; shift; "$casepack" --store "$store" --passphrase-file "$tmp/pass" "$@"; }
head -c $((mb * 1000 * 1000)) /dev/urandom > doc.bin
age-keygen -o key.txt 2>/dev/null
recipient=$(age-keygen -y key.txt)

# A store holding one case with the document.
cp_ a init --insecure-test-kdf >/dev/null
id=$(cp_ a case new --type MAS --subject "B.M." --area Benchshire --date event="$(date -u +%F)")
cp_ a doc add "$id" doc.bin --type other --from Bench >/dev/null
doc_id=$(cp_ a doc list "$id" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')

# The same tar age will encrypt: the plaintext of our own pack.
cp_ a pack seal "$id" -o ref.age --from Bench --to "$recipient" >/dev/null
age -d -i key.txt -o pack.tar ref.age
tar_mb=$(stat -c %s pack.tar | awk '{printf "%.1f", $1 / 1e6}')

# Each timed command starts with nothing waiting to be written: an open must have its blob on the disk
# before it commits (docs/packs.md, Durability), `age -d` never waits for the disk, so without the `sync`
# an open would also wait behind the writeback of the 200 MB the two seals before it left in the page cache.
timed() { sync; local t0=$EPOCHREALTIME; "$@" >/dev/null; local t1=$EPOCHREALTIME; echo "$t0 $t1" | awk '{printf "%.4f\n", $2-$1}'; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

declare -A t
for k in ours_seal ours_open age_seal age_open blob_put blob_get lib_seal lib_open; do t[$k]=""; done
cat doc.bin pack.tar > /dev/null  # warm the page cache for everyone alike
load0=$(cut -d' ' -f1-3 /proc/loadavg)
for ((i = 0; i < runs; i++)); do
  rm -f ours.age age.age age.out export.bin
  rm -rf "b$i" "c$i"
  cp_ "b$i" init --insecure-test-kdf >/dev/null
  cp_ "c$i" init --insecure-test-kdf >/dev/null
  cid=$(cp_ "c$i" case new --type MAS --subject "B.M." --area Benchshire)
  t[ours_seal]+="$(timed cp_ a pack seal "$id" -o ours.age --from Bench --to "$recipient")"$'\n'
  t[age_seal]+="$(timed age -r "$recipient" -o age.age pack.tar)"$'\n'
  t[ours_open]+="$(timed cp_ "b$i" pack open ours.age --identity key.txt)"$'\n'
  t[age_open]+="$(timed age -d -i key.txt -o age.out age.age)"$'\n'
  t[blob_put]+="$(timed cp_ "c$i" doc add "$cid" doc.bin --type other --from Bench)"$'\n'
  t[blob_get]+="$(timed cp_ a doc export "$id" "$doc_id" -o export.bin)"$'\n'
  t[lib_seal]+="$(timed "$age_bench" seal "$recipient" pack.tar lib.age)"$'\n'
  t[lib_open]+="$(timed "$age_bench" open key.txt age.age lib.out)"$'\n'
  rm -rf "b$i" "c$i"
done
# Cross-checks: age opens our pack and gets the document back; so does doc export.
cp_ a pack seal "$id" -o check.age --from Bench --to "$recipient" >/dev/null
mkdir x && age -d -i key.txt check.age | tar xf - -C x
cmp -s doc.bin x/documents/*-doc.bin || { echo "age did not get the document back from our pack"; exit 1; }
cmp -s doc.bin export.bin || { echo "doc export did not give the document back"; exit 1; }
cmp -s pack.tar lib.out || { echo "age_bench did not decrypt age's file correctly"; exit 1; }
raw=$("$age_bench" raw "$mb")

rate() { awk -v mb="$mb" -v s="$1" 'BEGIN {printf "%6.0f MB/s", mb / s}'; }
echo "transfer pack with one $mb MB document ($tar_mb MB tar), median of $runs runs ($(nproc) cores, age $(age --version 2>/dev/null))"
echo "load average before: $load0, after: $(cut -d' ' -f1-3 /proc/loadavg) (quote it beside the figures)"
printf "%-6s %-12s %-10s %-13s %-13s %s\n" "" "casepack (s)" "age (s)" "casepack" "age" "casepack/age"
for op in seal open; do
  o=$(printf "%s" "${t[ours_$op]}" | median); a=$(printf "%s" "${t[age_$op]}" | median)
  printf "%-6s %-12s %-10s %-13s %-13s %s\n" "$op" "$o" "$a" "$(rate "$o")" "$(rate "$a")" \
    "$(awk -v o="$o" -v a="$a" 'BEGIN {printf "%.2f", o / a}')"
done
p=$(printf "%s" "${t[blob_put]}" | median); g=$(printf "%s" "${t[blob_get]}" | median)
printf "blob store alone: doc add %s s (%s), doc export %s s (%s)\n" "$p" "$(rate "$p")" "$g" "$(rate "$g")"
l1=$(printf "%s" "${t[lib_seal]}" | median); l2=$(printf "%s" "${t[lib_open]}" | median)
printf "casepack's age layer alone on the same tar (tests/bench/age/age_bench): seal %s s (%s), open %s s (%s)\n" \
  "$l1" "$(rate "$l1")" "$l2" "$(rate "$l2")"
printf "libsodium raw crypto_aead_chacha20poly1305_ietf (64 KiB chunks, in memory): %s s (%s)\n" "$raw" "$(rate "$raw")"
echo "seal = doc export's work + age's; open = age's + doc add's (each casepack run also unlocks its store)"
