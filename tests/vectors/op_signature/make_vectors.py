#!/usr/bin/env python3
"""Writes the batch signature vectors of this directory (docs/api.md "Operation signatures").

Independent of casepack: the manifest is built here with hashlib and signed by `openssl pkeyutl -sign
-rawin` (OpenSSL 3), never by the code under test. Run from this directory; it overwrites the vectors.
"""
import hashlib, os, subprocess, tempfile

SEED = bytes(range(0x80, 0xa0))  # the author of tests/vectors/sealed_op/
PUBLIC = "cd14b37f956e953194ff7fb73b3d81dcc561d61a7538094b7c3e1a643ee5f3aa"
CASE = "0123456789abcdef0123456789abcdef"
OPS = [("fedcba9876543210-41", 1, bytes.fromhex("00112233445566778899aabbccddeeff" * 3)),
       ("fedcba9876543210-42", 1, bytes(range(0, 200, 3))),
       ("fedcba9876543210-43", 1, b"\x01")]


def manifest(case, ops, context=b"casepack-opbatch-v1"):
    m = context + b"\n" + case.encode() + b"\n"
    for op_id, epoch, blob in ops:
        m += op_id.encode() + b"\n" + str(epoch).encode() + b"\n" + hashlib.sha256(blob).digest()
    return m


def sign(message):
    der = bytes.fromhex("302e020100300506032b657004220420") + SEED  # PKCS#8 of the Ed25519 seed
    with tempfile.TemporaryDirectory() as d:
        key, msg = os.path.join(d, "k.der"), os.path.join(d, "m")
        open(key, "wb").write(der)
        open(msg, "wb").write(message)
        return subprocess.run(["openssl", "pkeyutl", "-sign", "-rawin", "-keyform", "DER", "-inkey", key, "-in", msg],
                              check=True, capture_output=True).stdout


def write(name, expect, comment, ops, signature, case=CASE):
    lines = [f"expect: {expect}", f"comment: {comment}", f"author ed25519 public: {PUBLIC}", f"case id: {case}"]
    for i, (op_id, epoch, blob) in enumerate(ops, 1):
        lines.append(f"op {i}: {op_id} {epoch} {blob.hex()}")
    if expect == "success":
        lines.append(f"manifest: {manifest(case, ops).hex()}")
    lines.append(f"signature: {signature.hex()}")
    open(name, "w").write("\n".join(lines) + "\n\n")


good = sign(manifest(CASE, OPS))
write("ok", "success", "the pushing device's signature over the batch's manifest", OPS, good)
write("ok_one_op", "success", "a batch of one", OPS[1:2], sign(manifest(CASE, OPS[1:2])))
ep3 = [(i, 3, b) for i, _, b in OPS]
write("ok_epoch_3", "success", "epochs are decimal in the manifest", ep3, sign(manifest(CASE, ep3)))
altered = [OPS[0], (OPS[1][0], 1, OPS[1][2][:-1] + b"\xff"), OPS[2]]
write("blob_altered", "failure", "one blob's last byte changed after signing", altered, good)
write("other_case", "failure", "the batch signed for another case", OPS, good, case="f" * 32)
write("other_epoch", "failure", "one op's epoch changed after signing", [OPS[0], (OPS[1][0], 2, OPS[1][2]), OPS[2]], good)
write("other_op_id", "failure", "one op's id changed after signing", [OPS[0], ("fedcba9876543210-44", 1, OPS[1][2]), OPS[2]], good)
write("op_dropped", "failure", "an op left out of the signed batch", OPS[:2], good)
write("op_added", "failure", "an op added to the signed batch", OPS + [("fedcba9876543210-44", 1, b"\x02")], good)
write("reordered", "failure", "the signed ops in another order", [OPS[1], OPS[0], OPS[2]], good)
write("no_context", "failure", "signed without the casepack-opbatch-v1 line", OPS,
      sign(manifest(CASE, OPS)[len(b"casepack-opbatch-v1\n"):]))
write("old_per_op_context", "failure", "the session-4 per-op context instead of the batch one", OPS,
      sign(manifest(CASE, OPS, context=b"casepack-opsig-v1")))
write("short_signature", "failure", "a 63-byte signature", OPS, good[:63])
