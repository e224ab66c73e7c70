"""SSH wire format, base64 and public keys, read by OpenSSH's own rules.

Each rule here is the one OpenSSH applies when `ssh-keygen -Y verify` reads a signature
(sshbuf-getput-basic.c, sshbuf-getput-crypto.c, sshkey.c, openbsd-compat/base64.c), so
that openbook accepts and refuses the same bytes:

- a C string (key type, namespace, hash and signature algorithm names) may end in one
  NUL byte, which is not part of the name; a NUL anywhere else refuses it;
- an mpint is refused when negative or longer than 2049 bytes; leading zero bytes are
  skipped;
- base64 skips white space anywhere, takes `=` padding only at the end and refuses
  non-zero bits after the last whole byte;
- an ECDSA point must be uncompressed; a key blob must hold nothing after its fields.

Keys are kept in their canonical encoding (as `ssh-keygen -l` hashes them), so a key
spelled with extra zero bytes or a NUL after its type name is still the same key.
"""

from __future__ import annotations

import base64
import struct
from typing import Any

ED25519 = "ssh-ed25519"
RSA = "ssh-rsa"
ECDSA = {
    "ecdsa-sha2-nistp256": ("nistp256", "sha256"),
    "ecdsa-sha2-nistp384": ("nistp384", "sha384"),
    "ecdsa-sha2-nistp521": ("nistp521", "sha512"),
}
KEY_TYPES = (ED25519, RSA, *ECDSA)
RSA_MIN_BITS = 2048  # openbook's floor (SPEC section 7); OpenSSH's is 1024 bits
_MAX_BIGNUM = 16384 // 8
_MAX_ECPOINT = (528 * 2 // 8) + 1
_SPACE = b" \t\n\v\f\r"  # C isspace() in the C locale
_B64 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


class WireError(ValueError):
    """Bytes OpenSSH would refuse to read."""


class UnsupportedKey(WireError):
    """A key type or size that openbook does not verify (the reason names it)."""


class Reader:
    """SSH wire format: uint32, strings, C strings and mpints."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def raw(self, size: int) -> bytes:
        end = self.pos + size
        if end > len(self.data):
            raise WireError("truncated")
        value = self.data[self.pos : end]
        self.pos = end
        return value

    def uint32(self) -> int:
        (value,) = struct.unpack(">I", self.raw(4))
        return int(value)

    def string(self) -> bytes:
        return self.raw(self.uint32())

    def cstring(self) -> bytes:
        value = self.string()
        nul = value.find(b"\0")
        if nul >= 0:
            if nul != len(value) - 1:
                raise WireError("a name holds a NUL byte")
            value = value[:-1]
        return value

    def mpint(self) -> int:
        value = self.string()
        if value and value[0] & 0x80:
            raise WireError("negative number")
        if len(value) > _MAX_BIGNUM + 1 or (len(value) == _MAX_BIGNUM + 1 and value[0]):
            raise WireError("number too large")
        return int.from_bytes(value, "big")

    @property
    def done(self) -> bool:
        return self.pos == len(self.data)


def string(value: bytes) -> bytes:
    return struct.pack(">I", len(value)) + value


def mpint(value: int) -> bytes:
    return string(value.to_bytes(value.bit_length() // 8 + 1, "big") if value else b"")


def b64decode(text: bytes) -> bytes:
    """Base64 as OpenSSH's b64_pton reads it."""
    compact = text.translate(None, _SPACE)
    pad = compact.find(b"=")
    body, padding = (compact, b"") if pad < 0 else (compact[:pad], compact[pad:])
    if body.translate(None, _B64):
        raise WireError("not base64")
    rest = len(body) % 4
    if (rest, padding) not in ((0, b""), (2, b"=="), (3, b"=")):
        raise WireError("base64 padding is wrong")
    if rest and _B64.index(body[-1]) & (0x0F if rest == 2 else 0x03):
        raise WireError("base64 has stray bits")
    return base64.b64decode(compact)


# ------------------------------------------------------------------------- keys


def _curve(name: str) -> Any:
    from cryptography.hazmat.primitives.asymmetric import ec

    return {"nistp256": ec.SECP256R1(), "nistp384": ec.SECP384R1(), "nistp521": ec.SECP521R1()}[
        name
    ]


def refuse_type(name: bytes) -> UnsupportedKey:
    shown = name.decode("ascii", "replace") or "(none)"
    return UnsupportedKey(
        f"key type {shown} is not one openbook verifies; use ssh-ed25519, "
        "ecdsa-sha2-nistp256/384/521 or ssh-rsa of 2048 bits or more"
    )


def read_key(blob: bytes) -> tuple[str, bytes, Any]:
    """Parse a public key blob: (type, canonical blob, `cryptography` key).
    Raises WireError for what OpenSSH refuses, UnsupportedKey for what openbook does."""
    reader = Reader(blob)
    name = reader.cstring()
    algorithm = name.decode("ascii", "replace")
    key: Any
    if algorithm == ED25519:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        raw = reader.string()
        if len(raw) != 32:
            raise WireError("an ed25519 key is 32 bytes")
        key, canonical = Ed25519PublicKey.from_public_bytes(raw), string(raw)
    elif algorithm == RSA:
        from cryptography.hazmat.primitives.asymmetric import rsa

        e, n = reader.mpint(), reader.mpint()
        if n.bit_length() < RSA_MIN_BITS:
            raise UnsupportedKey(
                f"the ssh-rsa key has {n.bit_length()} bits; openbook accepts RSA keys of "
                f"{RSA_MIN_BITS} bits or more (make one with 'ssh-keygen -t ed25519')"
            )
        key, canonical = rsa.RSAPublicNumbers(e, n).public_key(), mpint(e) + mpint(n)
    elif algorithm in ECDSA:
        from cryptography.hazmat.primitives.asymmetric import ec

        curve = reader.cstring()
        if curve.decode("ascii", "replace") != ECDSA[algorithm][0]:
            raise WireError("the curve does not match the key type")
        point = reader.string()
        if not point or len(point) > _MAX_ECPOINT or point[0] != 4:
            raise WireError("an ECDSA point must be uncompressed")
        key = ec.EllipticCurvePublicKey.from_encoded_point(_curve(curve.decode()), point)
        canonical = string(curve) + string(point)
    else:
        raise refuse_type(name)
    if not reader.done:
        raise WireError("trailing data after the key")
    return algorithm, string(algorithm.encode()) + canonical, key
