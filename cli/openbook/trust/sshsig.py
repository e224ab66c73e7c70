"""SSH signatures as git writes them with `gpg.format=ssh` (OpenSSH's PROTOCOL.sshsig).

Verification happens in this process with `cryptography`, never by running ssh-keygen:
a history of thousands of commits is checked in well under a second.

    byte[6] "SSHSIG"  uint32 1  string publickey  string namespace  string reserved
    string hash_algorithm  string signature

The signed data is "SSHSIG" + namespace + reserved + hash_algorithm + H(message), each
a length-prefixed string.
"""

from __future__ import annotations

import base64
import hashlib
import struct
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

ARMOR_BEGIN = "-----BEGIN SSH SIGNATURE-----"
ARMOR_END = "-----END SSH SIGNATURE-----"
MAGIC = b"SSHSIG"
NAMESPACE = "git"

ED25519 = "ssh-ed25519"
RSA = "ssh-rsa"
ECDSA = {
    "ecdsa-sha2-nistp256": ("nistp256", "sha256"),
    "ecdsa-sha2-nistp384": ("nistp384", "sha384"),
    "ecdsa-sha2-nistp521": ("nistp521", "sha512"),
}
KEY_TYPES = (ED25519, RSA, *ECDSA)
_RSA_SIG_HASH = {"rsa-sha2-256": "sha256", "rsa-sha2-512": "sha512"}
_MESSAGE_HASH = {"sha256": hashlib.sha256, "sha512": hashlib.sha512}


class KeyFormatError(ValueError):
    """Text that is not an SSH public key openbook can use."""


class BadSignature(ValueError):
    """A signature that cannot be parsed or does not verify."""


class _Reader:
    """SSH wire format: uint32 and length-prefixed strings."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def uint32(self) -> int:
        if self.pos + 4 > len(self.data):
            raise ValueError("truncated")
        (value,) = struct.unpack_from(">I", self.data, self.pos)
        self.pos += 4
        return int(value)

    def string(self) -> bytes:
        size = self.uint32()
        end = self.pos + size
        if end > len(self.data):
            raise ValueError("truncated")
        value = self.data[self.pos : end]
        self.pos = end
        return value

    def mpint(self) -> int:
        return int.from_bytes(self.string(), "big", signed=True)

    def raw(self, size: int) -> bytes:
        end = self.pos + size
        if end > len(self.data):
            raise ValueError("truncated")
        value = self.data[self.pos : end]
        self.pos = end
        return value

    @property
    def done(self) -> bool:
        return self.pos == len(self.data)


def _string(value: bytes) -> bytes:
    return struct.pack(">I", len(value)) + value


@dataclass(frozen=True)
class PublicKey:
    """An SSH public key: its algorithm, its wire-format blob and the comment after it."""

    algorithm: str
    blob: bytes
    comment: str = field(default="", compare=False)

    @property
    def fingerprint(self) -> str:
        """`SHA256:...` exactly as `ssh-keygen -l` prints it."""
        digest = base64.b64encode(hashlib.sha256(self.blob).digest()).decode("ascii")
        return "SHA256:" + digest.rstrip("=")

    @property
    def text(self) -> str:
        """`algorithm base64` without the comment (what two keys are compared by)."""
        return f"{self.algorithm} {base64.b64encode(self.blob).decode('ascii')}"

    @property
    def line(self) -> str:
        """The key as an authorized_keys line, comment included."""
        return f"{self.text} {self.comment}".strip()


def parse_public_key(text: str) -> PublicKey:
    """Parse `ssh-ed25519 AAAA... comment`. Raises KeyFormatError with a short reason."""
    parts = text.strip().split(None, 2)
    if len(parts) < 2:
        raise KeyFormatError("it is not an SSH public key (expected 'ssh-ed25519 AAAA...')")
    algorithm, encoded = parts[0], parts[1]
    if algorithm not in KEY_TYPES:
        raise KeyFormatError(
            f"key type {algorithm} is not supported; use ssh-ed25519, ssh-rsa or ecdsa-sha2-*"
        )
    try:
        blob = base64.b64decode(encoded, validate=True)
        reader = _Reader(blob)
        if reader.string().decode("ascii") != algorithm:
            raise ValueError("type mismatch")
        _verifier(blob)
    except (ValueError, UnicodeDecodeError) as exc:
        raise KeyFormatError(f"the {algorithm} key is damaged ({exc})") from None
    comment = "".join(c for c in (parts[2] if len(parts) > 2 else "") if c.isprintable())
    return PublicKey(algorithm, blob, comment.strip())


_VERIFIERS: dict[bytes, tuple[str, Any]] = {}


def _verifier(blob: bytes) -> tuple[str, Any]:
    """The `cryptography` public key for a wire-format blob (cached: keys repeat)."""
    cached = _VERIFIERS.get(blob)
    if cached is not None:
        return cached
    reader = _Reader(blob)
    algorithm = reader.string().decode("ascii")
    key: Any
    if algorithm == ED25519:
        raw = reader.string()
        if len(raw) != 32:
            raise ValueError("an ed25519 key is 32 bytes")
        key = Ed25519PublicKey.from_public_bytes(raw)
    elif algorithm == RSA:
        from cryptography.hazmat.primitives.asymmetric import rsa

        e, n = reader.mpint(), reader.mpint()
        key = rsa.RSAPublicNumbers(e, n).public_key()
    elif algorithm in ECDSA:
        from cryptography.hazmat.primitives.asymmetric import ec

        curve_name = reader.string().decode("ascii")
        if curve_name != ECDSA[algorithm][0]:
            raise ValueError("curve does not match the key type")
        curve: ec.EllipticCurve = {
            "nistp256": ec.SECP256R1(),
            "nistp384": ec.SECP384R1(),
            "nistp521": ec.SECP521R1(),
        }[curve_name]
        key = ec.EllipticCurvePublicKey.from_encoded_point(curve, reader.string())
    else:
        raise ValueError(f"key type {algorithm} is not supported")
    if not reader.done:
        raise ValueError("trailing data")
    _VERIFIERS[blob] = (algorithm, key)
    return algorithm, key


@dataclass(frozen=True)
class Signature:
    """The fields of one SSHSIG blob."""

    public_key: bytes
    namespace: str
    hash_algorithm: str
    sig_algorithm: str
    sig: bytes


def dearmor(armored: bytes | str) -> bytes:
    """The base64 body between the BEGIN and END lines, decoded."""
    text = armored.decode("ascii") if isinstance(armored, bytes) else armored
    lines = [line.strip() for line in text.strip().splitlines()]
    if len(lines) < 3 or lines[0] != ARMOR_BEGIN or lines[-1] != ARMOR_END:
        raise ValueError("not an armored SSH signature")
    return base64.b64decode("".join(lines[1:-1]), validate=True)


def parse_signature(armored: bytes | str) -> Signature:
    try:
        reader = _Reader(dearmor(armored))
        if reader.raw(6) != MAGIC or reader.uint32() != 1:
            raise ValueError("not an SSHSIG version 1 blob")
        public_key = reader.string()
        namespace = reader.string().decode("utf-8")
        reader.string()  # reserved
        hash_algorithm = reader.string().decode("ascii")
        inner = _Reader(reader.string())
        sig_algorithm = inner.string().decode("ascii")
        sig = inner.string()
        if not reader.done:
            raise ValueError("trailing data")
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadSignature(f"the signature cannot be read ({exc})") from None
    return Signature(public_key, namespace, hash_algorithm, sig_algorithm, sig)


def signed_data(namespace: str, hash_algorithm: str, message: bytes) -> bytes:
    digest = _MESSAGE_HASH[hash_algorithm](message).digest()
    return (
        MAGIC
        + _string(namespace.encode("utf-8"))
        + _string(b"")
        + _string(hash_algorithm.encode("ascii"))
        + _string(digest)
    )


def verify(armored: bytes | str, message: bytes, namespace: str = NAMESPACE) -> PublicKey:
    """Check `armored` over `message`. Returns the signer's public key; raises BadSignature."""
    sig = parse_signature(armored)
    if sig.namespace != namespace:
        raise BadSignature(f"the signature is for '{sig.namespace}', not '{namespace}'")
    if sig.hash_algorithm not in _MESSAGE_HASH:
        raise BadSignature(f"hash {sig.hash_algorithm} is not allowed")
    try:
        algorithm, key = _verifier(sig.public_key)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadSignature(f"the signing key cannot be read ({exc})") from None
    data = signed_data(namespace, sig.hash_algorithm, message)
    try:
        _check(algorithm, key, sig, data)
    except (InvalidSignature, ValueError):
        raise BadSignature("the signature does not match the commit") from None
    return PublicKey(algorithm, sig.public_key)


def _check(algorithm: str, key: Any, sig: Signature, data: bytes) -> None:
    if algorithm == ED25519:
        if sig.sig_algorithm != ED25519:
            raise ValueError("signature type does not match the key")
        key.verify(sig.sig, data)
        return
    from cryptography.hazmat.primitives import hashes

    if algorithm == RSA:
        from cryptography.hazmat.primitives.asymmetric import padding

        name = _RSA_SIG_HASH.get(sig.sig_algorithm)
        if name is None:
            raise ValueError("RSA signatures must use rsa-sha2-256 or rsa-sha2-512")
        chosen = hashes.SHA256() if name == "sha256" else hashes.SHA512()
        key.verify(sig.sig, data, padding.PKCS1v15(), chosen)
        return
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    if sig.sig_algorithm != algorithm:
        raise ValueError("signature type does not match the key")
    inner = _Reader(sig.sig)
    r, s = inner.mpint(), inner.mpint()
    digest: hashes.HashAlgorithm = {
        "sha256": hashes.SHA256(),
        "sha384": hashes.SHA384(),
        "sha512": hashes.SHA512(),
    }[ECDSA[algorithm][1]]
    key.verify(encode_dss_signature(r, s), data, ec.ECDSA(digest))


# ------------------------------------------------------------------------ signing


def ed25519_public(private: Ed25519PrivateKey, comment: str = "") -> PublicKey:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    raw = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return PublicKey(ED25519, _string(ED25519.encode()) + _string(raw), comment)


def sign_ed25519(private: Ed25519PrivateKey, message: bytes, namespace: str = NAMESPACE) -> str:
    """An armored SSHSIG over `message`, as `ssh-keygen -Y sign` writes it (for tools
    that build signed commits in bulk, such as the benchmark)."""
    public = ed25519_public(private)
    data = signed_data(namespace, "sha512", message)
    sig = _string(ED25519.encode()) + _string(private.sign(data))
    blob = (
        MAGIC
        + struct.pack(">I", 1)
        + _string(public.blob)
        + _string(namespace.encode("utf-8"))
        + _string(b"")
        + _string(b"sha512")
        + _string(sig)
    )
    body = base64.b64encode(blob).decode("ascii")
    lines = [body[i : i + 70] for i in range(0, len(body), 70)]
    return "\n".join([ARMOR_BEGIN, *lines, ARMOR_END]) + "\n"
