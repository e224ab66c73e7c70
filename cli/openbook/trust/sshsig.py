"""SSH signatures as git writes them with `gpg.format=ssh` (OpenSSH's PROTOCOL.sshsig).

Verification happens in this process with `cryptography`, never by running ssh-keygen:
a history of thousands of commits is checked in well under a second. It accepts exactly
what `ssh-keygen -Y verify -n git` accepts (sshsig.c: sshsig_dearmor, sshsig_verifyb,
sshsig_wrap_verify), except that RSA keys under 2048 bits and key types other than
ssh-ed25519, ssh-rsa and ecdsa-sha2-nistp* are refused with a sentence naming them.
docs/signing.md lists each case.

    byte[6] "SSHSIG"  uint32 version  string publickey  string namespace
    string reserved  string hash_algorithm  string signature

The signed data is "SSHSIG" + namespace + "" + hash_algorithm + H(message), each a
length-prefixed string.
"""

from __future__ import annotations

import base64
import hashlib
import struct
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from openbook.trust.sshwire import ECDSA as ECDSA
from openbook.trust.sshwire import ED25519 as ED25519
from openbook.trust.sshwire import KEY_TYPES as KEY_TYPES
from openbook.trust.sshwire import RSA as RSA
from openbook.trust.sshwire import (
    Reader,
    UnsupportedKey,
    WireError,
    b64decode,
    read_key,
    refuse_type,
    string,
)

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

ARMOR_BEGIN = "-----BEGIN SSH SIGNATURE-----"
ARMOR_END = "-----END SSH SIGNATURE-----"
MAGIC = b"SSHSIG"
NAMESPACE = "git"
VERSION = 1  # versions above it are refused; 0 is read as 1 (sshsig_parse_preamble)

_RSA_SIG_HASH = {b"rsa-sha2-256": "sha256", b"rsa-sha2-512": "sha512"}
_MESSAGE_HASH = {b"sha256": hashlib.sha256, b"sha512": hashlib.sha512}


class KeyFormatError(ValueError):
    """Text that is not an SSH public key openbook can use."""


class BadSignature(ValueError):
    """A signature that cannot be parsed or does not verify."""


@dataclass(frozen=True)
class PublicKey:
    """An SSH public key: its algorithm, its canonical wire-format blob and its comment."""

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
        raise KeyFormatError(str(refuse_type(algorithm.encode("utf-8", "replace"))))
    try:
        blob = b64decode(encoded.encode("ascii"))
        found, canonical, _ = _key(blob)
        if found != algorithm:
            raise WireError(f"its text says {algorithm} but it holds {found}")
    except UnsupportedKey as exc:
        raise KeyFormatError(str(exc)) from None
    except (ValueError, UnicodeError) as exc:
        raise KeyFormatError(f"the {algorithm} key is damaged ({exc})") from None
    comment = "".join(c for c in (parts[2] if len(parts) > 2 else "") if c.isprintable())
    return PublicKey(algorithm, canonical, comment.strip())


_KEYS: dict[bytes, tuple[str, bytes, Any]] = {}


def _key(blob: bytes) -> tuple[str, bytes, Any]:
    """`read_key`, cached: the same few keys sign every commit."""
    cached = _KEYS.get(blob)
    if cached is None:
        if len(_KEYS) > 256:  # a history signed by many keys is not kept whole
            _KEYS.clear()
        cached = _KEYS[blob] = read_key(blob)
    return cached


@dataclass(frozen=True)
class Signature:
    """The fields of one SSHSIG blob (names without the NUL OpenSSH allows after them)."""

    public_key: bytes
    namespace: str
    hash_algorithm: str
    signature: bytes  # the inner signature blob: string algorithm, then its fields
    raw_namespace: bytes = field(default=b"", repr=False)
    raw_hash: bytes = field(default=b"", repr=False)

    @property
    def sig_algorithm(self) -> str:
        try:
            return Reader(self.signature).cstring().decode("ascii", "replace")
        except WireError:
            return ""


def dearmor(armored: bytes | str) -> bytes:
    """The blob inside the armor, read as sshsig_dearmor reads it: the BEGIN line at the
    very start (LF or CRLF), the body up to the first LF + END line, anything after the
    END line ignored, the body decoded as b64_pton decodes it (white space skipped)."""
    data = armored.encode("utf-8") if isinstance(armored, str) else armored
    begin = ARMOR_BEGIN.encode()
    if not data.startswith(begin):
        raise WireError("the signature does not start with its BEGIN line")
    start = len(begin)
    if data.startswith(b"\r\n", start):
        start += 2
    elif data.startswith(b"\n", start):
        start += 1
    else:
        raise WireError("the BEGIN line does not end the line")
    end = data.find(b"\n" + ARMOR_END.encode(), start)
    if end < 0:
        raise WireError("the signature has no END line")
    body = data[start:end]
    nul = body.find(b"\0")
    if nul >= 0:
        if nul != len(body) - 1:
            raise WireError("the signature holds a NUL byte")
        body = body[:-1]
    return b64decode(body)


def parse_signature(armored: bytes | str) -> Signature:
    try:
        reader = Reader(dearmor(armored))
        if reader.raw(6) != MAGIC:
            raise WireError("not an SSHSIG blob")
        version = reader.uint32()
        if version > VERSION:
            raise WireError(f"signature version {version} is newer than version {VERSION}")
        public_key = reader.string()
        namespace = reader.cstring()
        reader.string()  # reserved: read and ignored, as OpenSSH does
        hash_algorithm = reader.cstring()
        signature = reader.string()
        if not reader.done:
            raise WireError("trailing data after the signature")
    except WireError as exc:
        raise BadSignature(f"the signature cannot be read ({exc})") from None
    return Signature(
        public_key,
        namespace.decode("utf-8", "replace"),
        hash_algorithm.decode("ascii", "replace"),
        signature,
        namespace,
        hash_algorithm,
    )


def signed_data(namespace: str, hash_algorithm: str, message: bytes) -> bytes:
    digest = _MESSAGE_HASH[hash_algorithm.encode()](message).digest()
    return (
        MAGIC
        + string(namespace.encode("utf-8"))
        + string(b"")
        + string(hash_algorithm.encode("ascii"))
        + string(digest)
    )


def verify(armored: bytes | str, message: bytes, namespace: str = NAMESPACE) -> PublicKey:
    """Check `armored` over `message`. Returns the signer's public key; raises BadSignature."""
    from cryptography.exceptions import InvalidSignature  # loaded when a signature is checked

    sig = parse_signature(armored)
    if sig.raw_hash not in _MESSAGE_HASH:
        raise BadSignature(f"hash {sig.hash_algorithm} is not allowed (only sha256, sha512)")
    try:
        algorithm, canonical, key = _key(sig.public_key)
    except UnsupportedKey as exc:
        raise BadSignature(f"the signature cannot be checked: {exc}") from None
    except ValueError as exc:
        raise BadSignature(f"the signing key cannot be read ({exc})") from None
    if sig.raw_namespace != namespace.encode("utf-8"):
        raise BadSignature(f"the signature is for '{sig.namespace}', not '{namespace}'")
    data = signed_data(namespace, sig.hash_algorithm, message)
    try:
        _check(algorithm, key, sig.signature, data)
    except (InvalidSignature, ValueError):
        raise BadSignature("the signature does not match the commit") from None
    return PublicKey(algorithm, canonical)


def _check(algorithm: str, key: Any, signature: bytes, data: bytes) -> None:
    """sshkey_verify for one key type (ssh-ed25519.c, ssh-rsa.c, ssh-ecdsa.c)."""
    reader = Reader(signature)
    sig_type = reader.cstring()
    blob = reader.string()
    if not reader.done:
        raise WireError("trailing data in the signature")
    if algorithm == ED25519:
        if sig_type != ED25519.encode() or len(blob) != 64:
            raise WireError("not an ed25519 signature")
        key.verify(blob, data)
        return
    from cryptography.hazmat.primitives import hashes

    if algorithm == RSA:
        from cryptography.hazmat.primitives.asymmetric import padding

        name = _RSA_SIG_HASH.get(sig_type)
        size = (key.key_size + 7) // 8
        if name is None:
            raise WireError("RSA signatures must use rsa-sha2-256 or rsa-sha2-512")
        if len(blob) > size:
            raise WireError("the RSA signature is longer than the key")
        chosen = hashes.SHA256() if name == "sha256" else hashes.SHA512()
        key.verify(blob.rjust(size, b"\0"), data, padding.PKCS1v15(), chosen)
        return
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    if sig_type != algorithm.encode():
        raise WireError("signature type does not match the key")
    inner = Reader(blob)
    r, s = inner.mpint(), inner.mpint()
    if not inner.done:
        raise WireError("trailing data in the ECDSA signature")
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
    return PublicKey(ED25519, string(ED25519.encode()) + string(raw), comment)


def sign_ed25519(private: Ed25519PrivateKey, message: bytes, namespace: str = NAMESPACE) -> str:
    """An armored SSHSIG over `message`, as `ssh-keygen -Y sign` writes it (for tools
    that build signed commits in bulk, such as the benchmark)."""
    public = ed25519_public(private)
    data = signed_data(namespace, "sha512", message)
    sig = string(ED25519.encode()) + string(private.sign(data))
    blob = (
        MAGIC
        + struct.pack(">I", VERSION)
        + string(public.blob)
        + string(namespace.encode("utf-8"))
        + string(b"")
        + string(b"sha512")
        + string(sig)
    )
    body = base64.b64encode(blob).decode("ascii")
    lines = [body[i : i + 70] for i in range(0, len(body), 70)]
    return "\n".join([ARMOR_BEGIN, *lines, ARMOR_END]) + "\n"
