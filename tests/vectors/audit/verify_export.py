#!/usr/bin/env python3
"""An independent verifier of casepack audit exports (docs/audit.md), in Python with the `cryptography`
package: proof that the format can be checked without casepack. Usage: verify_export.py FILE...
Prints "ok N" or "bad SEQ: reason" per file; exit 0 only if all verify."""
import hashlib
import json
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def verify(path):
    lines = [l for l in open(path, encoding="utf-8").read().split("\n") if l]
    header = json.loads(lines[0])
    if header.get("format") != "casepack-audit-export" or header.get("version") != 1:
        return "bad 0: not an export"
    key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(header["public_key"]))
    unsigned = {k: v for k, v in header.items() if k != "signature"}
    try:
        key.verify(bytes.fromhex(header["signature"]), canonical(unsigned))
    except (InvalidSignature, ValueError):
        return "bad 0: header signature"
    prev = bytes(32)
    n = 0
    for line in lines[1:]:
        e = json.loads(line)
        n += 1
        if e["seq"] != n:
            return f"bad {n}: sequence"
        if bytes.fromhex(e["prev_hash"]) != prev:
            return f"bad {n}: chain"
        body = {k: e[k] for k in ("at", "case_id", "detail", "kind", "prev_hash", "seq", "store_id")}
        h = hashlib.sha256(canonical(body)).digest()
        if h.hex() != e["hash"]:
            return f"bad {n}: hash"
        try:
            key.verify(bytes.fromhex(e["signature"]), h)
        except (InvalidSignature, ValueError):
            return f"bad {n}: signature"
        prev = h
    if n != header["entries"] or (n and prev.hex() != header["head_hash"]):
        return f"bad {n + 1}: count or head"
    return f"ok {n}"


if __name__ == "__main__":
    results = [(p, verify(p)) for p in sys.argv[1:]]
    for p, r in results:
        print(f"{p}: {r}")
    sys.exit(0 if all(r.startswith("ok") for _, r in results) else 1)
