"""The election record's header and file layout (docs/spec/record.md §REC-2, §REC-3).

A record is a directory::

    record.json     the header: versions, election, log keys, file hashes (canonical JSON)
    manifest.json   the manifest's normal form (canonical JSON)
    ceremony.json   the key-generation transcript and the joint key (canonical JSON)
    entries.jsonl   the log's leaves, one per line, leaf i on line i (canonical JSON each)
    heads.jsonl     every signed head, by increasing size, cosignatures included
    tally.json      aggregates, decryption shares with proofs, results (canonical JSON)
    official.json   format 2 only: the official result, paper counts included
                    (docs/spec/results.md §RES-4)

The header lists every other file with its SHA-256 and size, so the header's
content hash (:func:`record_hash`) identifies the whole record.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tohyo import PROTOCOL_VERSION
from tohyo.record.canonical import content_hash
from tohyo.record.errors import RecordError

__all__ = [
    "CEREMONY",
    "ENTRIES",
    "FILES",
    "FORMAT",
    "FORMAT_2",
    "HEADER",
    "HEADS",
    "MANIFEST",
    "OFFICIAL",
    "RECORD_DST",
    "TALLY",
    "FileDigest",
    "InvalidRecord",
    "LogInfo",
    "RecordHeader",
    "RollCommitment",
    "record_hash",
]

#: The record format of internet-only records (§REC-2); still read and written.
FORMAT = "tohyo-record/1"
#: Format 1 plus ``official.json`` and ``paper_count`` leaves after the close
#: (docs/spec/results.md §RES-5).
FORMAT_2 = "tohyo-record/2"
#: Domain-separation tag of the record's content hash (§REC-2).
RECORD_DST = b"tohyo/1/record/header"

HEADER = "record.json"
MANIFEST = "manifest.json"
CEREMONY = "ceremony.json"
ENTRIES = "entries.jsonl"
HEADS = "heads.jsonl"
TALLY = "tally.json"
#: Every file a complete record lists in its header, in this order (§REC-3).
FILES = (MANIFEST, CEREMONY, ENTRIES, HEADS, TALLY)
OFFICIAL = "official.json"
#: The files of each format, in header order.
FILES_BY_FORMAT: dict[str, tuple[str, ...]] = {FORMAT: FILES, FORMAT_2: (*FILES, OFFICIAL)}


class InvalidRecord(RecordError):
    """A record that cannot be read as §REC-2/§REC-3 describe.

    Attributes:
        location: where in the record: a file name, ``file:line`` or ``file#/pointer``.
    """

    def __init__(self, location: str, message: str) -> None:
        super().__init__(f"{location}: {message}")
        self.location = location
        self.reason = message


def _hex(value: Any, where: str, size: int = 32) -> str:
    if not isinstance(value, str) or len(value) != 2 * size or value.lower() != value:
        raise InvalidRecord(where, f"expected {2 * size} lowercase hex digits")
    try:
        bytes.fromhex(value)
    except ValueError:
        raise InvalidRecord(where, "not hexadecimal") from None
    return value


def _int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidRecord(where, "expected a non-negative integer")
    return value


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidRecord(where, "expected a non-empty string")
    return value


def _object(value: Any, keys: set[str], where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise InvalidRecord(where, "expected a JSON object")
    if set(value) != keys:
        missing, extra = sorted(keys - set(value)), sorted(set(value) - keys)
        raise InvalidRecord(where, f"missing fields {missing}, unexpected fields {extra}")
    return value


@dataclass(frozen=True, slots=True)
class FileDigest:
    """SHA-256 and size in bytes of one file of the record (§REC-2)."""

    sha256: str
    size: int

    @classmethod
    def of(cls, data: bytes) -> FileDigest:
        return cls(hashlib.sha256(data).hexdigest(), len(data))

    def to_json(self) -> dict[str, Any]:
        return {"sha256": self.sha256, "bytes": self.size}


@dataclass(frozen=True, slots=True)
class RollCommitment:
    """How many voters the roll had, and a commitment to it (§REC-2)."""

    voters: int
    commitment: str

    def to_json(self) -> dict[str, Any]:
        return {"voters": self.voters, "commitment": self.commitment}


@dataclass(frozen=True, slots=True)
class LogInfo:
    """The log's identity: origin line, its key and the witnesses' keys (C2SP vkeys)."""

    origin: str
    key: str
    witnesses: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"origin": self.origin, "key": self.key, "witnesses": list(self.witnesses)}


@dataclass(frozen=True, slots=True)
class RecordHeader:
    """The content of ``record.json`` (§REC-2)."""

    election_id: str
    manifest_hash: str
    roll: RollCommitment
    log: LogInfo
    files: tuple[tuple[str, FileDigest], ...]
    format: str = FORMAT
    protocol: str = PROTOCOL_VERSION

    def file(self, name: str) -> FileDigest:
        """The digest listed for ``name``.

        Raises:
            InvalidRecord: the header does not list it.
        """
        for listed, digest in self.files:
            if listed == name:
                return digest
        raise InvalidRecord(f"{HEADER}#/files", f"does not list {name}")

    def to_json(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "protocol": self.protocol,
            "election_id": self.election_id,
            "manifest_hash": self.manifest_hash,
            "roll": self.roll.to_json(),
            "log": self.log.to_json(),
            "files": {name: d.to_json() for name, d in self.files},
        }

    @classmethod
    def from_json(cls, obj: Any) -> RecordHeader:
        """Decode and check a header (§REC-2).

        Raises:
            InvalidRecord: an unknown format or protocol version, or a bad field.
        """
        where = f"{HEADER}#"
        if isinstance(obj, dict) and obj.get("format") not in FILES_BY_FORMAT:
            raise InvalidRecord(f"{where}/format",
                                f"unknown record format {str(obj.get('format'))[:40]!r}")
        keys = {"format", "protocol", "election_id", "manifest_hash", "roll", "log", "files"}
        f = _object(obj, keys, where)
        if f["protocol"] != PROTOCOL_VERSION:
            raise InvalidRecord(f"{where}/protocol",
                                f"unknown protocol version {str(f['protocol'])[:40]!r}")
        roll = _object(f["roll"], {"voters", "commitment"}, f"{where}/roll")
        log = _object(f["log"], {"origin", "key", "witnesses"}, f"{where}/log")
        witnesses = log["witnesses"]
        if not isinstance(witnesses, list):
            raise InvalidRecord(f"{where}/log/witnesses", "expected an array")
        files = f["files"]
        if not isinstance(files, dict):
            raise InvalidRecord(f"{where}/files", "expected an object")
        digests = []
        wanted = FILES_BY_FORMAT[f["format"]]
        for name in wanted:
            if name not in files:
                raise InvalidRecord(f"{where}/files", f"does not list {name}")
            d = _object(files[name], {"sha256", "bytes"}, f"{where}/files/{name}")
            digests.append((name, FileDigest(_hex(d["sha256"], f"{where}/files/{name}/sha256"),
                                             _int(d["bytes"], f"{where}/files/{name}/bytes"))))
        unknown = sorted(set(files) - set(wanted))
        if unknown:
            raise InvalidRecord(f"{where}/files", f"unknown files {unknown}")
        return cls(
            election_id=_text(f["election_id"], f"{where}/election_id"),
            manifest_hash=_hex(f["manifest_hash"], f"{where}/manifest_hash"),
            roll=RollCommitment(_int(roll["voters"], f"{where}/roll/voters"),
                                _hex(roll["commitment"], f"{where}/roll/commitment")),
            log=LogInfo(
                _text(log["origin"], f"{where}/log/origin"),
                _text(log["key"], f"{where}/log/key"),
                tuple(_text(w, f"{where}/log/witnesses/{i}") for i, w in enumerate(witnesses)),
            ),
            files=tuple(digests),
            format=f["format"],
        )


def record_hash(header: RecordHeader) -> bytes:
    """The record's content hash: ``content_hash(header, RECORD_DST)`` (§REC-2)."""
    return content_hash(header.to_json(), dst=RECORD_DST)
