"""The fixed corpus of the OpenSSH parity test: signatures made by ssh-keygen, then
changed one thing at a time (the armor, each field of the blob, each kind of key)."""

from __future__ import annotations

import base64
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from openbook.trust.sshwire import Reader, string
from testing.sshsig_cases import (
    BEGIN,
    ED25519_L,
    END,
    Blob,
    Key,
    armor,
    forge,
    keygen_sign,
    mp,
)

# -------------------------------------------------------------------------- corpus


@dataclass
class Case:
    name: str
    key: Key  # the signer the allowed-signers file is asked about
    armored: bytes
    message: bytes


MESSAGE = b"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a@x> 1 +0000\n\nhello\n"


def _text_cases(sig: bytes) -> dict[str, bytes]:
    """The armored text changed around its base64 (what ssh-keygen's dearmor sees)."""
    head, *body, foot = sig.rstrip(b"\n").split(b"\n")
    joined = b"".join(body)
    return {
        "as made": sig,
        "CRLF line ends": sig.replace(b"\n", b"\r\n"),
        "CRLF in the body only": sig.replace(b"\n", b"\r\n").replace(
            BEGIN + b"\r\n", BEGIN + b"\n"
        ),
        "text after END": sig + b"Signed-off-by: someone\n",
        "blank lines after END": sig + b"\n\n",
        "text on the END line": sig.rstrip(b"\n") + b" and more\n",
        "no final newline": sig.rstrip(b"\n"),
        "blank line before BEGIN": b"\n" + sig,
        "space before BEGIN": b" " + sig,
        "space after BEGIN": sig.replace(BEGIN + b"\n", BEGIN + b" \n", 1),
        "spaces and tabs in the body": sig.replace(b"\n", b" \t\n").replace(BEGIN + b" \t", BEGIN),
        "body on one line": b"\n".join([head, joined, foot]) + b"\n",
        "body wrapped at 64": armor(base64.b64decode(joined), 64),
        "blank line in the body": b"\n".join([head, *body[:1], b"", *body[1:], foot]) + b"\n",
        "no END line": b"\n".join([head, *body]) + b"\n",
        "END glued to the body": b"\n".join([head, *body]) + foot + b"\n",
        "lower-case BEGIN": sig.replace(BEGIN, BEGIN.lower()),
        "lower-case END": sig.replace(END, END.lower()),
        "one = too many": b"\n".join([head, joined + b"=", foot]) + b"\n",
        "padding removed": b"\n".join([head, joined.rstrip(b"="), foot]) + b"\n",
        "a ! in the base64": b"\n".join([head, joined[:10] + b"!" + joined[10:], foot]) + b"\n",
        "NUL before END": b"\n".join([head, joined + b"\0", foot]) + b"\n",
        "NUL inside the body": b"\n".join([head, joined[:8] + b"\0" + joined[8:], foot]) + b"\n",
        "second signature after END": sig + sig,
    }


def _flip(data: bytes, at: int, bit: int = 0x01) -> bytes:
    return data[:at] + bytes([data[at] ^ bit]) + data[at + 1 :]


def _blob_cases(key: Key, base: Blob, others: list[Key]) -> dict[str, Blob | bytes]:
    """Changes inside the decoded blob, one field at a time."""

    def with_(**changes: Any) -> Blob:
        return Blob(**{**base.__dict__, **changes})

    inner = Reader(base.sig)
    sig_type, raw = inner.cstring(), inner.string()
    key_reader = Reader(base.key)
    key_type, key_rest = key_reader.string(), base.key[key_reader.pos :]
    encoded = base.encode()
    cases: dict[str, Blob | bytes] = {
        "one byte after the signature": with_(tail=b"\0"),
        "three bytes after the signature": with_(tail=b"abc"),
        "version 0": with_(version=0),
        "version 2": with_(version=2),
        "version 2**32-1": with_(version=2**32 - 1),
        "magic SSHSIH": with_(magic=b"SSHSIH"),
        "namespace git + NUL": with_(namespace=b"git\0"),
        "namespace git + NUL + x": with_(namespace=b"git\0x"),
        "namespace Git": with_(namespace=b"Git"),
        "namespace empty": with_(namespace=b""),
        "reserved not empty": with_(reserved=b"x"),
        "hash sha512 + NUL": with_(hashalg=b"sha512\0"),
        "hash SHA512": with_(hashalg=b"SHA512"),
        "hash relabelled sha256": with_(hashalg=b"sha256"),
        "hash relabelled sha384": with_(hashalg=b"sha384"),
        "signature type + NUL": with_(sig=string(sig_type + b"\0") + string(raw)),
        "signature type + NUL + x": with_(sig=string(sig_type + b"\0x") + string(raw)),
        "byte after the raw signature": with_(sig=base.sig + b"\0"),
        "raw signature empty": with_(sig=string(sig_type) + string(b"")),
        "inner signature empty": with_(sig=b""),
        "key type + NUL": with_(key=string(key_type + b"\0") + key_rest),
        "byte after the key": with_(key=base.key + b"\0"),
        "key of another signer": with_(key=others[0].public.blob),
        "flip in the key": with_(key=_flip(base.key, len(base.key) - 2)),
        "flip in the key type": with_(key=_flip(base.key, 6)),
        "flip in the signature type": with_(sig=_flip(base.sig, 5)),
        "flip in the raw signature (last byte)": with_(sig=_flip(base.sig, len(base.sig) - 1)),
        "flip in the raw signature (middle)": with_(sig=_flip(base.sig, len(base.sig) // 2, 0x40)),
        "flip in the version": _flip(encoded, 9, 0x80),
        "length of the key too big": encoded[:10]
        + struct.pack(">I", len(base.key) + 1)
        + encoded[14:],
        "length of the namespace too big": encoded[: 14 + len(base.key)]
        + struct.pack(">I", 2**31)
        + encoded[18 + len(base.key) :],
    }
    for cut in (3, 6, 10, 40, len(encoded) - 1):
        cases[f"cut to {cut} bytes"] = encoded[:cut]
    return cases


def stray_bits(base: Blob) -> bytes:
    """The blob (with a reserved field sized to end in `==`) whose last base64 digit
    carries a bit after the last whole byte: b64_pton refuses it."""
    size = len(base.encode())
    stray = Blob(**{**base.__dict__, "reserved": b"x" * ((1 - size) % 3 or 3)})
    text = base64.b64encode(stray.encode())
    assert text.endswith(b"==")
    alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    last = alphabet[alphabet.index(text[-3]) | 0x01]
    return BEGIN + b"\n" + text[:-3] + bytes([last]) + b"==\n" + END + b"\n"


def _typed_cases(key: Key, base: Blob) -> dict[str, Blob]:
    """What only one kind of key can get wrong: RSA signature types and lengths, ECDSA
    points and numbers, ed25519 scalars."""

    def with_(**changes: Any) -> Blob:
        return Blob(**{**base.__dict__, **changes})

    inner = Reader(base.sig)
    sig_type, raw = inner.cstring(), inner.string()
    kr = Reader(base.key)
    kind = kr.string()
    out: dict[str, Blob] = {}
    if kind == b"ssh-rsa":
        e, n = kr.string(), kr.string()
        out["RSA ssh-rsa (SHA-1) signature"] = forge(key, MESSAGE, rsa_alg=b"ssh-rsa")
        out["RSA rsa-sha2-256 over a sha512 hash"] = forge(key, MESSAGE, rsa_alg=b"rsa-sha2-256")
        out["RSA signature with a zero byte in front"] = with_(
            sig=string(sig_type) + string(b"\0" + raw)
        )
        out["RSA modulus with a zero byte in front"] = with_(
            key=string(kind) + string(e) + string(b"\0" + n)
        )
        out["RSA exponent with zero bytes in front"] = with_(
            key=string(kind) + string(b"\0\0" + e) + string(n)
        )
        out["RSA modulus with its sign byte missing"] = with_(
            key=string(kind) + string(e) + string(n.lstrip(b"\0"))
        )
    elif kind.startswith(b"ecdsa"):
        curve, point = kr.string(), kr.string()
        half = (len(point) - 1) // 2
        y_odd = point[-1] & 1
        compressed = bytes([2 + y_odd]) + point[1 : 1 + half]
        out["ECDSA key with a compressed point"] = with_(
            key=string(kind) + string(curve) + string(compressed)
        )
        out["ECDSA key naming another curve"] = with_(
            key=string(kind)
            + string(b"nistp256" if curve != b"nistp256" else b"nistp384")
            + string(point)
        )
        rs = Reader(raw)
        r, s = rs.mpint(), rs.mpint()
        order = {b"nistp256": ec.SECP256R1(), b"nistp384": ec.SECP384R1()}.get(
            curve, ec.SECP521R1()
        )
        n_order = _ORDERS[order.name]
        out["ECDSA r with zero bytes in front"] = with_(
            sig=string(sig_type) + string(string(b"\0\0" + _be(r)) + mp(s))
        )
        out["ECDSA s replaced by n - s"] = with_(
            sig=string(sig_type) + string(mp(r) + mp(n_order - s))
        )
        out["ECDSA r with its sign byte missing"] = with_(
            sig=string(sig_type) + string(string(_be(r | (1 << (8 * len(_be(r)) - 1)))) + mp(s))
        )
        out["ECDSA r + n"] = with_(sig=string(sig_type) + string(mp(r + n_order) + mp(s)))
    else:
        s_value = int.from_bytes(raw[32:], "little")
        big = (s_value + ED25519_L).to_bytes(32, "little")
        out["ed25519 S + L"] = with_(sig=string(sig_type) + string(raw[:32] + big))
        out["ed25519 raw signature of 63 bytes"] = with_(sig=string(sig_type) + string(raw[:63]))
        out["ed25519 raw signature of 65 bytes"] = with_(sig=string(sig_type) + string(raw + b"\0"))
    return out


def _be(value: int) -> bytes:
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


_ORDERS = {
    "secp256r1": 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
    "secp384r1": int(
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973",
        16,
    ),
    "secp521r1": int(
        "01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFA"
        "51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409",
        16,
    ),
}


def corpus(keys: dict[str, Key], folder: Path) -> list[Case]:
    cases: list[Case] = []
    names = list(keys)
    for at, key in enumerate(keys.values()):
        other = keys[names[(at + 1) % len(names)]]
        sig = keygen_sign(key, MESSAGE, folder, "-n", "git")
        base = Blob.read(sig)
        for name, text in _text_cases(sig).items():
            cases.append(Case(f"{key.name}: {name}", key, text, MESSAGE))
        made = {
            "signed with -O hashalg=sha256": keygen_sign(
                key, MESSAGE, folder, "-n", "git", "-O", "hashalg=sha256"
            ),
            "signed for namespace file": keygen_sign(key, MESSAGE, folder, "-n", "file"),
            "signed for namespace gitx": keygen_sign(key, MESSAGE, folder, "-n", "gitx"),
            "stray bits before the padding": stray_bits(base),
        }
        for hashalg in (b"sha1", b"md5", b"sha384", b"sha256", b"sha3-512", b""):
            made[f"made in-process with hash {hashalg.decode() or '(none)'}"] = armor(
                forge(key, MESSAGE, hashalg=hashalg).encode()
            )
        made["made in-process for namespace file"] = armor(
            forge(key, MESSAGE, namespace=b"file").encode()
        )
        for name, text in made.items():
            cases.append(Case(f"{key.name}: {name}", key, text, MESSAGE))
        changed = {**_blob_cases(key, base, [other]), **_typed_cases(key, base)}
        for name, blob in changed.items():
            raw = blob.encode() if isinstance(blob, Blob) else blob
            cases.append(Case(f"{key.name}: {name}", key, armor(raw), MESSAGE))
        if key.name == "rsa2048":
            cases.append(_rsa_short_signature(key))
        cases.append(Case(f"{key.name}: another message", key, sig, MESSAGE + b"\n"))
        cases.append(Case(f"{key.name}: empty message", key, sig, b""))
        cases.append(Case(f"{key.name}: asked as {other.name}", other, sig, MESSAGE))
    return cases


def _rsa_short_signature(key: Key) -> Case:
    """An RSA signature whose first byte is zero, written without it (OpenSSH pads it)."""
    for n in range(100_000):
        message = MESSAGE + str(n).encode()
        blob = forge(key, message)
        r = Reader(blob.sig)
        sig_type, raw = r.string(), r.string()
        if raw[0] == 0:
            blob.sig = string(sig_type) + string(raw[1:])
            return Case(
                f"{key.name}: RSA signature one byte short", key, armor(blob.encode()), message
            )
    raise AssertionError("no RSA signature began with a zero byte")
