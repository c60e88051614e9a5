"""Timestamped Ed25519 witness cosignatures, cosignature/v1 (§TL-7).

A cosignature is a note signature of type 0x04 whose bytes are
``timestamp (u64, big-endian) || Ed25519 signature`` over::

    cosignature/v1
    time <timestamp>
    <the whole checkpoint body, final newline included>

It states that, as of ``timestamp`` (POSIX seconds), the largest consistent
head the witness has seen for that origin is this one (c2sp.org/tlog-cosignature).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature as _CryptoInvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tohyo.log._ed25519 import load_public_key, raw_public_key
from tohyo.log.errors import InvalidEncoding, InvalidSignature
from tohyo.log.note import (
    SIG_TYPE_COSIGNATURE_V1,
    NoteSignature,
    SignedNote,
    check_key_name,
    compute_key_id,
)

__all__ = [
    "COSIGNATURE_HEADER",
    "CosignatureSigner",
    "CosignatureVerifier",
    "cosignature_timestamp",
    "cosigned_message",
    "verify_cosignature",
]

COSIGNATURE_HEADER = "cosignature/v1"
"""First line of the signed message: domain separation from plain note signatures."""

MAX_TIMESTAMP = (1 << 63) - 1
_SIGNATURE_BYTES = 8 + 64


def cosigned_message(note_text: str, timestamp: int) -> bytes:
    """Return the bytes a cosignature/v1 signs (§TL-7.1).

    Raises:
        InvalidEncoding: ``timestamp`` is outside ``[0, 2**63 - 1]``.
    """
    if isinstance(timestamp, bool) or not isinstance(timestamp, int):
        raise InvalidEncoding("cosignature timestamp must be an integer")
    if not 0 <= timestamp <= MAX_TIMESTAMP:
        raise InvalidEncoding("cosignature timestamp outside [0, 2**63 - 1]")
    return f"{COSIGNATURE_HEADER}\ntime {timestamp}\n{note_text}".encode()


def cosignature_timestamp(signature: NoteSignature) -> int:
    """Read the timestamp of a cosignature/v1 signature without verifying it.

    Raises:
        InvalidEncoding: the signature is not 72 bytes or the timestamp exceeds 2**63 - 1.
    """
    if len(signature.signature) != _SIGNATURE_BYTES:
        raise InvalidEncoding("a cosignature/v1 signature is 8 + 64 bytes")
    timestamp = int.from_bytes(signature.signature[:8], "big")
    if timestamp > MAX_TIMESTAMP:
        raise InvalidEncoding("cosignature timestamp exceeds 2**63 - 1")
    return timestamp


@dataclass(frozen=True, slots=True)
class CosignatureVerifier:
    """A trusted witness key for cosignature/v1 (type 0x04) (§TL-7.2).

    It satisfies :class:`~tohyo.log.note.NoteVerifier`, so a cosigned note can
    also be checked with :func:`~tohyo.log.note.verify_note`.
    """

    name: str
    public_key: bytes
    key_id: int = field(init=False)

    def __post_init__(self) -> None:
        load_public_key(self.public_key)
        object.__setattr__(
            self, "key_id", compute_key_id(self.name, SIG_TYPE_COSIGNATURE_V1, self.public_key)
        )

    def verify(self, text: bytes, signature: bytes) -> None:
        """Check a cosignature/v1 signature over the note text ``text``.

        Raises:
            InvalidSignature: malformed, or the Ed25519 signature does not verify.
        """
        if len(signature) != _SIGNATURE_BYTES:
            raise InvalidSignature(f"cosignature by {self.name} is not 72 bytes")
        timestamp = int.from_bytes(signature[:8], "big")
        if timestamp > MAX_TIMESTAMP:
            raise InvalidSignature(f"cosignature by {self.name} has an invalid timestamp")
        try:
            note_text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidSignature("cosigned text is not UTF-8") from exc
        message = cosigned_message(note_text, timestamp)
        try:
            load_public_key(self.public_key).verify(signature[8:], message)
        except _CryptoInvalidSignature as exc:
            raise InvalidSignature(f"cosignature by {self.name} does not verify") from exc


class CosignatureSigner:
    """A witness key producing cosignature/v1 signatures (§TL-7.2).

    ``clock`` returns POSIX seconds; it is the seam for known-answer tests.
    """

    __slots__ = ("_clock", "_key", "key_id", "name", "public_key")

    def __init__(
        self,
        name: str,
        private_key: Ed25519PrivateKey,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        check_key_name(name)
        self.name = name
        self._key = private_key
        self._clock = clock
        self.public_key = raw_public_key(private_key)
        self.key_id = compute_key_id(name, SIG_TYPE_COSIGNATURE_V1, self.public_key)

    @classmethod
    def generate(cls, name: str) -> CosignatureSigner:
        """A signer with a fresh key from the OS CSPRNG."""
        return cls(name, Ed25519PrivateKey.generate())

    def __repr__(self) -> str:  # never print key material
        return f"CosignatureSigner(name={self.name!r}, key_id={self.key_id:08x})"

    def sign(self, text: bytes) -> NoteSignature:
        """Cosign note text at the current clock time."""
        return self.sign_at(text, int(self._clock()))

    def sign_at(self, text: bytes, timestamp: int) -> NoteSignature:
        """Cosign note text with an explicit timestamp (POSIX seconds).

        Raises:
            InvalidEncoding: ``text`` is not UTF-8 or ``timestamp`` is out of range.
        """
        try:
            note_text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidEncoding("note text is not UTF-8") from exc
        message = cosigned_message(note_text, timestamp)
        signature = timestamp.to_bytes(8, "big") + self._key.sign(message)
        return NoteSignature(self.name, self.key_id, signature)

    def verifier(self) -> CosignatureVerifier:
        """The matching public verifier."""
        return CosignatureVerifier(self.name, self.public_key)


def verify_cosignature(
    note: SignedNote,
    verifier: CosignatureVerifier,
    *,
    not_after: int | None = None,
) -> int:
    """Verify the cosignature of one witness on a note and return its timestamp (§TL-7.3).

    Args:
        note: the cosigned checkpoint (other signature lines are ignored).
        verifier: the witness key.
        not_after: if given, reject timestamps later than this (POSIX seconds),
            e.g. now plus an allowed clock skew.

    Raises:
        InvalidSignature: no signature line from this witness, it fails, or it
            is dated after ``not_after``.
    """
    for signature in note.signatures:
        if (signature.name, signature.key_id) != (verifier.name, verifier.key_id):
            continue
        verifier.verify(note.text.encode(), signature.signature)
        timestamp = int.from_bytes(signature.signature[:8], "big")
        if not_after is not None and timestamp > not_after:
            raise InvalidSignature(f"cosignature by {verifier.name} is dated in the future")
        return timestamp
    raise InvalidSignature(f"no cosignature by {verifier.name}")
