"""C2SP signed notes with Ed25519 signatures (docs/spec/transparency-log.md §TL-4).

A signed note is UTF-8 text ending in a newline, a blank line, and one or more
signature lines ``— <key name> base64(key ID || signature)``. This module
parses notes strictly, signs them, and verifies them against a set of trusted
:class:`NoteVerifier` objects, following c2sp.org/signed-note:

* signatures whose (name, key ID) match no trusted verifier are ignored;
* a signature from a trusted key that fails rejects the whole note;
* at least one trusted signature must verify.

Hazmat: a verified note only says that a trusted key signed *this text*; what
the text means is decided by :mod:`tohyo.log.checkpoint`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from cryptography.exceptions import InvalidSignature as _CryptoInvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tohyo.log._ed25519 import load_public_key, raw_public_key
from tohyo.log._encoding import b64decode, b64encode
from tohyo.log.errors import InvalidEncoding, InvalidSignature, LogError

__all__ = [
    "MAX_NOTE_BYTES",
    "MAX_SIGNATURES",
    "SIG_TYPE_COSIGNATURE_V1",
    "SIG_TYPE_ED25519",
    "Ed25519Signer",
    "Ed25519Verifier",
    "NoteSignature",
    "NoteSigner",
    "NoteVerifier",
    "SignedNote",
    "check_key_name",
    "compute_key_id",
    "parse_note",
    "sign_note",
    "verify_note",
]

SIG_TYPE_ED25519 = 0x01
"""signed-note signature type of plain Ed25519 note signatures."""
SIG_TYPE_COSIGNATURE_V1 = 0x04
"""signed-note signature type of timestamped Ed25519 cosignatures (c2sp.org/tlog-cosignature)."""

MAX_SIGNATURES = 64
"""Signature lines accepted per note; signed-note requires at least 16."""
MAX_NOTE_BYTES = 64 * 1024
"""Notes are small; the cap bounds parsing work on hostile input."""

_EM_DASH_PREFIX = "\u2014 "


def _check_utf8(text: str, what: str) -> None:
    # A Python str may hold lone surrogates, which have no UTF-8 encoding.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidEncoding(f"{what} is not valid Unicode") from exc


def check_key_name(name: str) -> None:
    """Reject key names that signed-note forbids: empty, spaces, ``+``, control characters.

    Raises:
        InvalidEncoding: ``name`` is not a valid key name.
    """
    if not isinstance(name, str) or not name:
        raise InvalidEncoding("key name must be a non-empty string")
    _check_utf8(name, "key name")
    for char in name:
        if char == "+" or char.isspace() or ord(char) < 0x20:
            raise InvalidEncoding("key name contains a space, '+' or a control character")


def compute_key_id(name: str, sig_type: int, public_key: bytes) -> int:
    """Return the key ID ``SHA-256(name || 0x0A || sig_type || public_key)[:4]`` (§TL-4.2).

    The four bytes are read as a big-endian uint32.
    """
    check_key_name(name)
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([sig_type]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


@dataclass(frozen=True, slots=True)
class NoteSignature:
    """One signature line: key name, 32-bit key ID and the signature bytes after the ID."""

    name: str
    key_id: int
    signature: bytes

    def __post_init__(self) -> None:
        check_key_name(self.name)
        if not 0 <= self.key_id < 1 << 32:
            raise InvalidEncoding("key ID must be a uint32")
        if not self.signature:
            raise InvalidEncoding("signature must not be empty")

    def to_line(self) -> str:
        """Render ``— <name> base64(key ID || signature)`` with its final newline."""
        blob = self.key_id.to_bytes(4, "big") + self.signature
        return f"{_EM_DASH_PREFIX}{self.name} {b64encode(blob)}\n"


class NoteVerifier(Protocol):
    """A trusted public key: its name, key ID, and a check of one signature."""

    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> int: ...

    def verify(self, text: bytes, signature: bytes) -> None:
        """Return ``None`` if ``signature`` signs ``text``; raise InvalidSignature otherwise."""


class NoteSigner(Protocol):
    """A private key that produces note signatures."""

    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> int: ...

    def sign(self, text: bytes) -> NoteSignature:
        """Sign the note text (UTF-8, final newline included)."""


@dataclass(frozen=True, slots=True)
class Ed25519Verifier:
    """Verifier for plain Ed25519 note signatures, type 0x01 (§TL-4.2)."""

    name: str
    public_key: bytes
    key_id: int = field(init=False)

    def __post_init__(self) -> None:
        load_public_key(self.public_key)
        object.__setattr__(
            self, "key_id", compute_key_id(self.name, SIG_TYPE_ED25519, self.public_key)
        )

    def verify(self, text: bytes, signature: bytes) -> None:
        """Check an Ed25519 signature over the note text.

        Raises:
            InvalidSignature: wrong length or the signature does not verify.
        """
        if len(signature) != 64:
            raise InvalidSignature(f"Ed25519 signature by {self.name} is not 64 bytes")
        try:
            load_public_key(self.public_key).verify(signature, text)
        except _CryptoInvalidSignature as exc:
            raise InvalidSignature(f"Ed25519 signature by {self.name} does not verify") from exc


class Ed25519Signer:
    """Signs notes with plain Ed25519, type 0x01: how a log signs its checkpoints (§TL-4.2)."""

    __slots__ = ("_key", "key_id", "name", "public_key")

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        check_key_name(name)
        self.name = name
        self._key = private_key
        self.public_key = raw_public_key(private_key)
        self.key_id = compute_key_id(name, SIG_TYPE_ED25519, self.public_key)

    @classmethod
    def generate(cls, name: str) -> Ed25519Signer:
        """A signer with a fresh key from the OS CSPRNG."""
        return cls(name, Ed25519PrivateKey.generate())

    def __repr__(self) -> str:  # never print key material
        return f"Ed25519Signer(name={self.name!r}, key_id={self.key_id:08x})"

    def sign(self, text: bytes) -> NoteSignature:
        """Sign ``text`` (the note text, final newline included)."""
        return NoteSignature(self.name, self.key_id, self._key.sign(text))

    def verifier(self) -> Ed25519Verifier:
        """The matching public verifier."""
        return Ed25519Verifier(self.name, self.public_key)


@dataclass(frozen=True, slots=True)
class SignedNote:
    """A note text and its signature lines, in order (§TL-4.1)."""

    text: str
    signatures: tuple[NoteSignature, ...]

    def __post_init__(self) -> None:
        _check_text(self.text)
        if not self.signatures:
            raise InvalidEncoding("a signed note needs at least one signature")
        if len(self.signatures) > MAX_SIGNATURES:
            raise InvalidEncoding(f"more than {MAX_SIGNATURES} signatures")
        seen = {(sig.name, sig.key_id) for sig in self.signatures}
        if len(seen) != len(self.signatures):
            raise InvalidEncoding("two signatures from the same key")

    def to_text(self) -> str:
        """The canonical serialisation: text, blank line, signature lines."""
        return self.text + "\n" + "".join(sig.to_line() for sig in self.signatures)

    def to_bytes(self) -> bytes:
        """UTF-8 of :meth:`to_text`."""
        return self.to_text().encode()

    def with_signatures(self, *signatures: NoteSignature) -> SignedNote:
        """Return a copy with ``signatures`` appended, e.g. witness cosignatures."""
        return SignedNote(self.text, self.signatures + signatures)


def _check_chars(text: str) -> None:
    _check_utf8(text, "note")
    for char in text:
        if ord(char) < 0x20 and char != "\n":
            raise InvalidEncoding("note contains a control character")


def _check_text(text: str) -> None:
    if not isinstance(text, str) or not text.endswith("\n"):
        raise InvalidEncoding("note text must end with a newline")
    _check_chars(text)
    if len(text.encode()) > MAX_NOTE_BYTES:
        raise InvalidEncoding("note is too large")


def _parse_signature_line(line: str) -> NoteSignature:
    if not line.startswith(_EM_DASH_PREFIX):
        raise InvalidEncoding("signature line must start with an em dash and a space")
    parts = line[len(_EM_DASH_PREFIX) :].split(" ")
    if len(parts) != 2:
        raise InvalidEncoding("signature line must be '— <name> <base64>'")
    name, blob_b64 = parts
    check_key_name(name)
    blob = b64decode(blob_b64, "signature")
    if len(blob) < 5:
        raise InvalidEncoding("signature is shorter than a key ID plus one byte")
    return NoteSignature(name, int.from_bytes(blob[:4], "big"), blob[4:])


def parse_note(data: bytes | str) -> SignedNote:
    """Parse a signed note strictly; do not verify it (§TL-4.1).

    Rejects invalid UTF-8, control characters other than newline, a missing
    final newline, a missing or empty signature block, malformed or
    non-canonical signature lines, duplicate signatures, and more than
    :data:`MAX_SIGNATURES` lines. Because the serialisation is canonical,
    ``parse_note(x).to_bytes() == x`` for every accepted ``x``.

    Raises:
        InvalidEncoding: ``data`` is not a canonical signed note.
    """
    if isinstance(data, bytes):
        if len(data) > MAX_NOTE_BYTES:
            raise InvalidEncoding("note is too large")
        try:
            data = data.decode("utf-8", errors="strict")
        except UnicodeDecodeError as exc:
            raise InvalidEncoding("note is not valid UTF-8") from exc
    _check_text(data)
    # The text ends at the *last* blank line: signature lines are never empty.
    split = data.rfind("\n\n")
    if split < 0:
        raise InvalidEncoding("note has no blank line before its signatures")
    text, block = data[: split + 1], data[split + 2 :]
    if not block:
        raise InvalidEncoding("note has no signature lines")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise InvalidEncoding(f"more than {MAX_SIGNATURES} signatures")
    return SignedNote(text, tuple(_parse_signature_line(line) for line in lines))


def sign_note(text: str, *signers: NoteSigner) -> SignedNote:
    """Sign ``text`` with each signer, in order (§TL-4.2).

    Raises:
        InvalidEncoding: ``text`` is not valid note text, or no signer is given.
    """
    _check_text(text)
    payload = text.encode()
    return SignedNote(text, tuple(signer.sign(payload) for signer in signers))


def verify_note(note: SignedNote, verifiers: Iterable[NoteVerifier]) -> tuple[NoteVerifier, ...]:
    """Verify ``note`` against trusted keys and return those whose signature verified (§TL-4.3).

    Raises:
        InvalidSignature: a trusted key's signature fails, or none is present.
        LogError: two trusted verifiers share a name and key ID.
    """
    trusted: dict[tuple[str, int], NoteVerifier] = {}
    for verifier in verifiers:
        key = (verifier.name, verifier.key_id)
        if key in trusted:
            raise LogError(f"two trusted verifiers for {verifier.name}+{verifier.key_id:08x}")
        trusted[key] = verifier
    payload = note.text.encode()
    verified: list[NoteVerifier] = []
    for signature in note.signatures:
        match = trusted.get((signature.name, signature.key_id))
        if match is None:
            continue  # unknown keys are ignored, even if name or ID collides
        match.verify(payload, signature.signature)
        verified.append(match)
    if not verified:
        raise InvalidSignature("no signature from a trusted key")
    return tuple(verified)
