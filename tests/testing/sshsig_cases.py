"""Keys, signatures and the ssh-keygen oracle for the OpenSSH parity tests.

The oracle is the installed `ssh-keygen -Y verify -n git`, with the fixes OpenSSH made
since applied when it predates them, so that every clone judges alike whatever OpenSSH
it has (docs/signing.md, "Signatures are checked as OpenSSH checks them"):

- OpenSSH 9.5 reads a BEGIN line ended by CRLF (before it, only LF);
- OpenSSH 10.4 refuses an ed25519 signature whose S is not below the group order.
"""

from __future__ import annotations

import base64
import re
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from openbook.trust import sshsig
from openbook.trust.sshwire import Reader, string

KINDS = {
    "ed25519": ["-t", "ed25519"],
    "p256": ["-t", "ecdsa", "-b", "256"],
    "p384": ["-t", "ecdsa", "-b", "384"],
    "p521": ["-t", "ecdsa", "-b", "521"],
    "rsa1024": ["-t", "rsa", "-b", "1024"],
    "rsa2048": ["-t", "rsa", "-b", "2048"],
    "rsa3072": ["-t", "rsa", "-b", "3072"],
    "rsa4096": ["-t", "rsa", "-b", "4096"],
}
BEGIN = sshsig.ARMOR_BEGIN.encode()
END = sshsig.ARMOR_END.encode()
ED25519_L = 2**252 + 27742317777372353535851937790883648493


def openssh_version() -> tuple[int, int]:
    out = subprocess.run(["ssh", "-V"], capture_output=True, text=True).stderr
    found = re.search(r"OpenSSH_(\d+)\.(\d+)", out)
    return (int(found[1]), int(found[2])) if found else (0, 0)


@dataclass
class Key:
    name: str
    path: Path  # private key; the public one is path.pub
    public: sshsig.PublicKey
    private: Any  # the `cryptography` private key

    @property
    def principal(self) -> str:
        return f"{self.name}@example.org"


def make_keys(folder: Path) -> dict[str, Key]:
    keys = {}
    for name, args in KINDS.items():
        path = folder / name
        subprocess.run(
            ["ssh-keygen", "-q", *args, "-N", "", "-C", name, "-f", str(path)], check=True
        )
        pub = path.with_suffix(".pub").read_text()
        private = serialization.load_ssh_private_key(path.read_bytes(), None)
        blob = base64.b64decode(pub.split()[1])  # as written: the allowed-signers key
        keys[name] = Key(name, path, sshsig.PublicKey(pub.split()[0], blob), private)
    lines = [
        f"{k.principal} {k.path.with_suffix('.pub').read_text().strip()}" for k in keys.values()
    ]
    (folder / "allowed_signers").write_text("\n".join(lines) + "\n")
    return keys


def keygen_sign(key: Key, message: bytes, folder: Path, *options: str) -> bytes:
    """A signature made by `ssh-keygen -Y sign` (options: -n NAMESPACE, -O hashalg=...)."""
    msg = folder / f"to-sign-{key.name}"
    msg.write_bytes(message)
    sig = msg.with_name(msg.name + ".sig")
    sig.unlink(missing_ok=True)
    args = ["ssh-keygen", "-q", "-Y", "sign", "-f", str(key.path), *options, str(msg)]
    subprocess.run(args, check=True, capture_output=True)
    return sig.read_bytes()


# ----------------------------------------------------------------- the blob, by hand


@dataclass
class Blob:
    """The fields of an SSHSIG blob, to change one at a time and armor again."""

    key: bytes
    namespace: bytes
    reserved: bytes
    hashalg: bytes
    sig: bytes
    version: int = 1
    magic: bytes = b"SSHSIG"
    tail: bytes = b""

    @classmethod
    def read(cls, armored: bytes) -> Blob:
        r = Reader(sshsig.dearmor(armored))
        magic, version = r.raw(6), r.uint32()
        fields = [r.string() for _ in range(5)]
        return cls(*fields, version=version, magic=magic)

    def encode(self) -> bytes:
        fields = (self.key, self.namespace, self.reserved, self.hashalg, self.sig)
        head = self.magic + struct.pack(">I", self.version)
        return head + b"".join(string(f) for f in fields) + self.tail


def armor(blob: bytes, width: int = 70, eol: bytes = b"\n") -> bytes:
    body = base64.b64encode(blob)
    lines = [body[i : i + width] for i in range(0, len(body), width)] if width else [body]
    return eol.join([BEGIN, *lines, END]) + eol


def signed_data(namespace: bytes, hashalg: bytes, message: bytes) -> bytes:
    digest = hashes.Hash(
        {b"sha1": hashes.SHA1(), b"md5": hashes.MD5()}.get(hashalg)
        or {b"sha256": hashes.SHA256(), b"sha384": hashes.SHA384()}.get(hashalg, hashes.SHA512())
    )
    digest.update(message)
    parts = (namespace, b"", hashalg, digest.finalize())
    return b"SSHSIG" + b"".join(string(p) for p in parts)


def raw_sign(key: Key, data: bytes, rsa_alg: bytes = b"rsa-sha2-512") -> tuple[bytes, bytes]:
    """(signature type, raw signature) over `data` with the key's private half."""
    k = key.private
    if isinstance(k, ed25519.Ed25519PrivateKey):
        return b"ssh-ed25519", k.sign(data)
    if isinstance(k, rsa.RSAPrivateKey):
        chosen = {b"ssh-rsa": hashes.SHA1(), b"rsa-sha2-256": hashes.SHA256()}.get(rsa_alg)
        return rsa_alg, k.sign(data, padding.PKCS1v15(), chosen or hashes.SHA512())
    assert isinstance(k, ec.EllipticCurvePrivateKey)
    chosen = {256: hashes.SHA256(), 384: hashes.SHA384()}.get(k.curve.key_size, hashes.SHA512())
    r, s = decode_dss_signature(k.sign(data, ec.ECDSA(chosen)))
    return key.public.algorithm.encode(), mp(r) + mp(s)


def mp(value: int) -> bytes:
    return string(value.to_bytes(value.bit_length() // 8 + 1, "big"))


def forge(
    key: Key,
    message: bytes,
    *,
    namespace: bytes = b"git",
    hashalg: bytes = b"sha512",
    rsa_alg: bytes = b"rsa-sha2-512",
) -> Blob:
    """A signature made in this process: any hash name, any RSA signature type."""
    sig_type, raw = raw_sign(key, signed_data(namespace, hashalg, message), rsa_alg)
    return Blob(key.public.blob, namespace, b"", hashalg, string(sig_type) + string(raw))


# ------------------------------------------------------------------------ verdicts


@dataclass
class Oracle:
    folder: Path
    version: tuple[int, int]
    calls: int = 0
    emulated: int = 0

    def accepts(self, key: Key, armored: bytes, message: bytes) -> bool:
        """`ssh-keygen -Y verify -n git` for the signer listed as `key.principal`, as
        current OpenSSH judges it (`emulated` counts where the installed one differs)."""
        fixed = armored
        if self.version < (9, 5) and armored.startswith(BEGIN + b"\r\n"):
            fixed = BEGIN + armored[len(BEGIN) + 1 :]  # OpenSSH 9.5 takes CRLF there
        verdict = self._run(key, fixed, message)
        if self.version < (10, 4) and verdict and _ed25519_s_too_big(armored):
            self.emulated += 1
            return False  # OpenSSH 10.4 refuses S >= L (signature malleability)
        if fixed != armored and self._run(key, armored, message) != verdict:
            self.emulated += 1
        return verdict

    def _run(self, key: Key, armored: bytes, message: bytes) -> bool:
        self.calls += 1
        sig = self.folder / "case.sig"
        sig.write_bytes(armored)
        allowed = str(self.folder / "allowed_signers")
        args = ["ssh-keygen", "-Y", "verify", "-n", "git", "-f", allowed, "-I", key.principal]
        done = subprocess.run([*args, "-s", str(sig)], input=message, capture_output=True)
        return done.returncode == 0


def _ed25519_s_too_big(armored: bytes) -> bool:
    try:
        blob = Blob.read(armored)
        r = Reader(blob.sig)
        if r.cstring() != b"ssh-ed25519":
            return False
        raw = r.string()
    except ValueError:
        return False
    return len(raw) == 64 and int.from_bytes(raw[32:], "little") >= ED25519_L


def openbook_accepts(key: Key, armored: bytes, message: bytes) -> tuple[bool, str]:
    try:
        signer = sshsig.verify(armored, message)
    except sshsig.BadSignature as exc:
        return False, str(exc)
    return signer == key.public, "" if signer == key.public else "another key signed it"


SK_ED25519 = "sk-ssh-ed25519@openssh.com"


def add_sk_key(folder: Path) -> Key:
    """A security-key (FIDO) ed25519 key held in software, listed in allowed_signers."""
    private = ed25519.Ed25519PrivateKey.generate()
    raw = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    blob = string(SK_ED25519.encode()) + string(raw) + string(b"ssh:")
    public = sshsig.PublicKey(SK_ED25519, blob)
    path = folder / "sk-ed25519"
    path.with_suffix(".pub").write_text(public.text + " sk\n")
    key = Key("sk-ed25519", path, public, private)
    with (folder / "allowed_signers").open("a") as allowed:
        allowed.write(f"{key.principal} {public.text}\n")
    return key


def sk_sign(key: Key, message: bytes, flags: int = 0x01) -> bytes:
    """What `ssh-keygen -Y sign` with a FIDO ed25519 key writes (user presence flag set)."""
    digest = hashes.Hash(hashes.SHA256())
    digest.update(signed_data(b"git", b"sha512", message))
    app = hashes.Hash(hashes.SHA256())
    app.update(b"ssh:")
    counter = struct.pack(">BI", flags, 7)
    raw = key.private.sign(app.finalize() + counter + digest.finalize())
    sig = string(SK_ED25519.encode()) + string(raw) + counter
    return armor(Blob(key.public.blob, b"git", b"", b"sha512", sig).encode())


def intended_difference(key: Key, reason: str) -> str | None:
    """The differences openbook means to have, by name: RSA keys under 2048 bits and
    security-key (sk-) types are refused with a sentence naming the type."""
    if key.name == "rsa1024" and "ssh-rsa key has 1024 bits" in reason:
        return "RSA under 2048 bits"
    if key.name.startswith("sk-") and f"key type {key.public.algorithm} is not" in reason:
        return "security-key type"
    return None
