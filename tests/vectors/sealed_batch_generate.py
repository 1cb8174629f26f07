#!/usr/bin/env python3
"""Writes the sealed batch vectors (blob version 2, docs/sync-client.md "A batch on the wire") with an
implementation independent of casepack's: python-cryptography (Ed25519, ChaCha20-Poly1305), hashlib
(BLAKE2b), zlib, and HChaCha20 written out below (XChaCha20-Poly1305 = HChaCha20 subkey + IETF AEAD).
Writes into sealed_batch/ beside this script: python3 tests/vectors/sealed_batch_generate.py"""
import hashlib
import struct
import zlib
import os

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sealed_batch")

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


def rotl(v, c):
    return ((v << c) & 0xFFFFFFFF) | (v >> (32 - c))


def hchacha20(key, nonce16):
    s = [0x61707865, 0x3320646E, 0x79622D32, 0x6B206574] + list(struct.unpack("<8I", key)) + list(struct.unpack("<4I", nonce16))

    def qr(a, b, c, d):
        s[a] = (s[a] + s[b]) & 0xFFFFFFFF; s[d] = rotl(s[d] ^ s[a], 16)
        s[c] = (s[c] + s[d]) & 0xFFFFFFFF; s[b] = rotl(s[b] ^ s[c], 12)
        s[a] = (s[a] + s[b]) & 0xFFFFFFFF; s[d] = rotl(s[d] ^ s[a], 8)
        s[c] = (s[c] + s[d]) & 0xFFFFFFFF; s[b] = rotl(s[b] ^ s[c], 7)

    for _ in range(10):
        qr(0, 4, 8, 12); qr(1, 5, 9, 13); qr(2, 6, 10, 14); qr(3, 7, 11, 15)
        qr(0, 5, 10, 15); qr(1, 6, 11, 12); qr(2, 7, 8, 13); qr(3, 4, 9, 14)
    return struct.pack("<8I", *(s[0:4] + s[12:16]))


def xchacha_seal(key, nonce24, plain, ad):
    sub = hchacha20(key, nonce24[:16])
    return ChaCha20Poly1305(sub).encrypt(b"\0\0\0\0" + nonce24[16:], plain, ad)


KEY = bytes(range(32))
SEED = bytes(range(0x80, 0xA0))
SK = Ed25519PrivateKey.from_private_bytes(SEED)
PK = SK.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
CASE = "0123456789abcdef0123456789abcdef"
# The payload is sealed as it is: any bytes do for the crypto layer.
BATCH = b"CPOP\x02" + b"batch bytes for the vector, any bytes to the crypto layer"


def payload(batch):
    return struct.pack(">I", len(batch)) + zlib.compress(batch, 9)


def seal(batch_id, epoch, pl, key=KEY, sk=SK):
    context = f"casepack-opbatch-v2\n{CASE}\n{batch_id}\n{epoch}\n".encode()
    sig = sk.sign(context + pl)
    plain = sig + pl
    subkey = hashlib.blake2b(b"casepack-opbatch-nonce-v2", key=key, digest_size=32).digest()
    nonce = hashlib.blake2b(context + plain, key=subkey, digest_size=24).digest()
    return bytes([2]) + nonce + xchacha_seal(key, nonce, plain, context)


def write(name, expect, comment, batch_id, epoch, blob, pl=None, pk=PK):
    head = [f"expect: {expect}", f"comment: {comment}", f"epoch key: {KEY.hex()}",
            f"author ed25519 secret: {(SEED + PK).hex()}", f"author ed25519 public: {pk.hex()}",
            f"case id: {CASE}", f"batch id: {batch_id}", f"epoch: {epoch}"]
    if pl is not None:
        head.append(f"payload: {pl.hex()}")
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(("\n".join(head) + "\n\n").encode() + blob)


BID = "1111111111111111-1-11"
PL = payload(BATCH)
good = seal(BID, 1, PL)
write("ok_batch", "success", "a deflated batch, epoch 1", BID, 1, good, PL)
write("ok_epoch_3", "success", "the same payload at epoch 3", BID, 3, seal(BID, 3, PL), PL)
write("ok_empty_payload", "success", "an empty payload (a client never sends one; the crypto layer seals it)",
      "1111111111111111-1-1", 1, seal("1111111111111111-1-1", 1, b""), b"")
write("other_batch_id", "auth failure", "opened under another batch id (one counter more)",
      "1111111111111111-1-12", 1, good)
write("other_epoch", "auth failure", "opened as epoch 2", BID, 2, good)
flipped = bytearray(good); flipped[40] ^= 1
write("ciphertext_bit_flipped", "auth failure", "one ciphertext bit flipped", BID, 1, bytes(flipped))
v1 = bytearray(good); v1[0] = 1
write("version_byte_1", "auth failure", "the version byte says 1 (a single sealed operation)", BID, 1, bytes(v1))
write("no_version_byte", "auth failure", "the version byte left off", BID, 1, good[1:])
other = Ed25519PrivateKey.from_private_bytes(bytes(32))
write("other_author", "signature failure", "signed by another key than the author's", BID, 1, seal(BID, 1, PL, sk=other), pk=PK)
