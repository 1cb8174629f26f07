#!/usr/bin/env bash
# Regenerates the transfer-pack vectors in this folder (docs/packs.md, "Vectors"). Each run makes new files
# (fresh keys, nonces, case id): commit the whole folder together. Usage: make.sh CASEPACK_BINARY
# Needs age, age-keygen, GNU tar, python3.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
casepack=${1:?usage: make.sh path/to/casepack}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

echo "TEST-ONLY store passphrase for the vector generator" > pass
cp_() { "$casepack" --store "$tmp/store" --passphrase-file "$tmp/pass" "$@"; }
cp_ init --insecure-test-kdf >/dev/null
id=$(cp_ case new --type MAS --subject "T.V." --area "Testshire" --date event=2030-03-04 --facilitator "Test Facilitator")
printf 'Minutes of the initial child protection conference (test vector, not a real case).\n' > minutes.txt
python3 -c 'import sys; sys.stdout.buffer.write(b"%PDF-1.4\n% test vector\n" + bytes(range(256)) * 40)' > plan.pdf
cp_ doc add "$id" minutes.txt --type icpc-minutes --from "Test Police" --received 2030-02-01 >/dev/null
cp_ doc add "$id" plan.pdf --type child-protection-plan --from "Test Council" --received 2030-02-02 >/dev/null
printf 'A short story section, for the vector.\n' | cp_ note add "$id" story >/dev/null

# The identity is for these vectors only: it is public, so nothing real must ever be sealed to it.
if [[ ! -f "$here/TEST-ONLY-agency-identity.txt" ]]; then
  { echo "# TEST ONLY: this key is public in the casepack repository (tests/vectors/packs); never seal anything real to it."
    age-keygen 2>/dev/null; } > "$here/TEST-ONLY-agency-identity.txt"
fi
recipient=$(age-keygen -y "$here/TEST-ONLY-agency-identity.txt")
password="TEST-ONLY vector password"
echo "$password" > pw

cp_ pack seal "$id" -o "$here/x25519.age" --force --from "Testshire BU" --to "$recipient" --notes --report md >/dev/null
cp_ pack seal "$id" -o "$here/password.age" --force --from "Testshire BU" --password-file pw --work-factor 10 >/dev/null

# As an agency would make one without casepack: the same manifest and files, GNU tar, the age CLI.
mkdir agency && cd agency
age -d -i "$here/TEST-ONLY-agency-identity.txt" "$here/x25519.age" | tar xf -
rm -f notes.md report.md
python3 - <<'PY'
import json
m = json.load(open("manifest.json"))
m["extras"] = []
m["sending_agency"] = "Test Police (made with tar and age)"
json.dump(m, open("manifest.json", "w"), indent=2)
PY
tar cf - manifest.json documents | age -r "$recipient" > "$here/agency-made.age"
cd ..

# age reads a passphrase only from a terminal: `script` gives it one.
echo "$password" | script -qec "age -d -o $tmp/password.tar $here/password.age" /dev/null >/dev/null

python3 - "$here" "$id" "$password" "$tmp/password.tar" <<'PY'
import hashlib, json, subprocess, sys, tarfile, io
here, case_id, password, password_tar = sys.argv[1:]
def manifest_sha(name, plain=None):
    if plain is None:
        plain = subprocess.run(["age", "-d", "-i", here + "/TEST-ONLY-agency-identity.txt", here + "/" + name],
                               check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(plain)) as t:
        first = t.getmembers()[0]
        assert first.name == "manifest.json", first.name
        return hashlib.sha256(t.extractfile(first).read()).hexdigest()
docs = {n: hashlib.sha256(open(n, "rb").read()).hexdigest() for n in ("minutes.txt", "plan.pdf")}
out = {
  "comment": "transfer-pack vectors: see docs/packs.md; the identity and password are for tests only",
  "case_id": case_id,
  "documents": docs,
  "packs": {
    "x25519.age": {"identity_file": "TEST-ONLY-agency-identity.txt", "recipients": {"X25519": 1},
                   "manifest_sha256": manifest_sha("x25519.age")},
    "agency-made.age": {"identity_file": "TEST-ONLY-agency-identity.txt", "recipients": {"X25519": 1},
                        "manifest_sha256": manifest_sha("agency-made.age")},
    "password.age": {"password": password, "recipients": {"scrypt": 1}, "scrypt_work_factor": 10,
                     "manifest_sha256": manifest_sha("password.age", open(password_tar, "rb").read())},
  },
}
json.dump(out, open(here + "/expected.json", "w"), indent=2)
PY
echo "vectors written to $here"
