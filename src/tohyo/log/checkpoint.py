"""Checkpoints: signed tree heads in the C2SP tlog-checkpoint format (§TL-5).

A checkpoint is the text of a signed note (:mod:`tohyo.log.note`)::

    <origin>
    <tree size, decimal>
    <root hash, base64>
    [extension lines]

Tohyo heads carry exactly one extension line, ``tohyo-time-ms <ms>``, the
log's own clock when it signed the head in milliseconds since the Unix epoch
(§TL-5.2). The line sits in the signed body, so the log's signature covers it
and witness cosignatures (which sign the whole body, §TL-7) cover it too.
Monitors reject a head whose time goes backwards (§TL-9).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tohyo.log._encoding import b64decode, b64encode, decode_uint, encode_uint
from tohyo.log.errors import InvalidCheckpoint, InvalidEncoding, InvalidSignature, UnknownOrigin
from tohyo.log.note import (
    NoteSigner,
    NoteVerifier,
    SignedNote,
    parse_note,
    sign_note,
    verify_note,
)
from tohyo.log.tree import HASH_SIZE, Hash

__all__ = [
    "TIME_EXTENSION",
    "Checkpoint",
    "SignedCheckpoint",
    "open_checkpoint",
    "sign_checkpoint",
]

TIME_EXTENSION = "tohyo-time-ms"
"""Keyword of the Tohyo timestamp extension line (§TL-5.2)."""

_UINT64_LIMIT = 1 << 64
_MAX_TIMESTAMP_MS = (1 << 63) - 1


def _check_line(line: str, what: str) -> None:
    if not isinstance(line, str) or not line:
        raise InvalidCheckpoint(f"{what} must be a non-empty string")
    try:
        line.encode("utf-8")
    except UnicodeEncodeError as exc:  # lone surrogates
        raise InvalidCheckpoint(f"{what} is not valid Unicode") from exc
    for char in line:
        if ord(char) < 0x20:
            raise InvalidCheckpoint(f"{what} contains a newline or control character")


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A tree head: origin, size, root hash and opaque extension lines (§TL-5.1)."""

    origin: str
    size: int
    root_hash: Hash
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_line(self.origin, "origin")
        if isinstance(self.size, bool) or not isinstance(self.size, int):
            raise InvalidCheckpoint("tree size must be an integer")
        if not 0 <= self.size < _UINT64_LIMIT:
            raise InvalidCheckpoint("tree size outside uint64")
        if not isinstance(self.root_hash, bytes) or len(self.root_hash) != HASH_SIZE:
            raise InvalidCheckpoint(f"root hash must be {HASH_SIZE} bytes")
        if not isinstance(self.extensions, tuple):
            raise InvalidCheckpoint("extensions must be a tuple of lines")
        for line in self.extensions:
            _check_line(line, "extension line")

    @classmethod
    def timestamped(cls, origin: str, size: int, root_hash: Hash, timestamp_ms: int) -> Checkpoint:
        """A Tohyo head: a checkpoint whose only extension is the time line (§TL-5.2)."""
        if isinstance(timestamp_ms, bool) or not isinstance(timestamp_ms, int):
            raise InvalidCheckpoint("timestamp must be an integer")
        if not 0 <= timestamp_ms <= _MAX_TIMESTAMP_MS:
            raise InvalidCheckpoint("timestamp outside [0, 2**63 - 1]")
        return cls(origin, size, root_hash, (f"{TIME_EXTENSION} {encode_uint(timestamp_ms)}",))

    @property
    def timestamp_ms(self) -> int:
        """The Tohyo time line's value (§TL-5.2).

        Raises:
            InvalidCheckpoint: the extensions are not exactly one canonical time line.
        """
        if len(self.extensions) != 1:
            raise InvalidCheckpoint("a Tohyo head has exactly one extension line, the time")
        keyword, _, value = self.extensions[0].partition(" ")
        if keyword != TIME_EXTENSION:
            raise InvalidCheckpoint(f"extension line is not '{TIME_EXTENSION} <ms>'")
        try:
            return decode_uint(value, "timestamp", _MAX_TIMESTAMP_MS + 1)
        except InvalidEncoding as exc:
            raise InvalidCheckpoint(str(exc)) from exc

    def to_text(self) -> str:
        """The note text: one line per field, each ending in a newline."""
        lines = [self.origin, encode_uint(self.size), b64encode(self.root_hash), *self.extensions]
        return "".join(line + "\n" for line in lines)

    @classmethod
    def from_text(cls, text: str) -> Checkpoint:
        """Parse note text as a checkpoint, accepting only the canonical spelling (§TL-5.1).

        Raises:
            InvalidCheckpoint: fewer than three lines, an empty line, a size
                with leading zeros or sign, non-canonical base64, a root hash
                that is not 32 bytes, or a missing final newline.
        """
        if not isinstance(text, str) or not text.endswith("\n"):
            raise InvalidCheckpoint("checkpoint text must end with a newline")
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise InvalidCheckpoint("checkpoint needs origin, size and root hash lines")
        try:
            size = decode_uint(lines[1], "tree size")
            root_hash = b64decode(lines[2], "root hash")
        except InvalidEncoding as exc:
            raise InvalidCheckpoint(str(exc)) from exc
        checkpoint = cls(lines[0], size, root_hash, tuple(lines[3:]))
        if checkpoint.to_text() != text:  # pragma: no cover - guaranteed by the checks above
            raise InvalidCheckpoint("checkpoint text is not canonical")
        return checkpoint


@dataclass(frozen=True, slots=True)
class SignedCheckpoint:
    """A checkpoint together with the verified note that carried it.

    Only :func:`open_checkpoint` should build these: holding one means a
    trusted log key signed ``checkpoint``.
    """

    checkpoint: Checkpoint
    note: SignedNote

    @property
    def timestamp_ms(self) -> int:
        """Shortcut for ``checkpoint.timestamp_ms``."""
        return self.checkpoint.timestamp_ms


def sign_checkpoint(checkpoint: Checkpoint, signer: NoteSigner) -> SignedNote:
    """Sign a checkpoint as a note with the log's key (§TL-5.3).

    Tohyo requires the log's key name to equal the origin line, so that a
    verifier finds the log key by origin and never mistakes a witness key for it.

    Raises:
        InvalidSignature: ``signer.name`` is not ``checkpoint.origin``.
    """
    if signer.name != checkpoint.origin:
        raise InvalidSignature("the log key name must equal the checkpoint origin")
    return sign_note(checkpoint.to_text(), signer)


def open_checkpoint(
    data: bytes | str | SignedNote, log_verifiers: Iterable[NoteVerifier]
) -> SignedCheckpoint:
    """Parse and verify a signed checkpoint (§TL-5.3).

    Only verifiers named like the checkpoint's origin are used; signatures by
    any other key (witness cosignatures, rotated keys) are ignored.

    Raises:
        InvalidEncoding: the note is malformed.
        InvalidCheckpoint: the note text is not a canonical checkpoint.
        UnknownOrigin: no verifier is named like the origin.
        InvalidSignature: a trusted signature fails, or none is present.
    """
    note = data if isinstance(data, SignedNote) else parse_note(data)
    checkpoint = Checkpoint.from_text(note.text)
    matching = [v for v in log_verifiers if v.name == checkpoint.origin]
    if not matching:
        raise UnknownOrigin(f"no trusted key for origin {checkpoint.origin!r}")
    verify_note(note, matching)
    return SignedCheckpoint(checkpoint, note)
