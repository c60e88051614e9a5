"""Writing an election record directory (docs/spec/record.md §REC-2, §REC-3).

The writer streams: leaves and heads are appended one at a time, so a record of
a million ballots never sits in memory. :meth:`RecordWriter.finish` writes the
header last, listing every file's SHA-256 and size.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import IO, Any

from tohyo.record.canonical import dumps_canonical
from tohyo.record.format import (
    CEREMONY,
    ENTRIES,
    FILES_BY_FORMAT,
    FORMAT,
    FORMAT_2,
    HEADER,
    HEADS,
    MANIFEST,
    OFFICIAL,
    TALLY,
    FileDigest,
    LogInfo,
    RecordHeader,
    RollCommitment,
)

__all__ = ["RecordWriter", "head_line"]

_MAX_DEPTH = 64


def head_line(note_text: str) -> bytes:
    """One line of ``heads.jsonl``: ``{"note": <signed note text>}`` (§REC-3.3)."""
    return dumps_canonical({"note": note_text}) + b"\n"


class _Stream:
    def __init__(self, path: Path) -> None:
        self.handle: IO[bytes] = path.open("wb")
        self.hash = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self.handle.write(data)
        self.hash.update(data)
        self.size += len(data)

    def close(self) -> FileDigest:
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()
        return FileDigest(self.hash.hexdigest(), self.size)


class RecordWriter:
    """Writes one record directory; use as a context manager or call :meth:`finish`.

    Args:
        directory: created if missing; existing record files are overwritten.
    """

    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._digests: dict[str, FileDigest] = {}
        self._entries = _Stream(self.directory / ENTRIES)
        self._heads = _Stream(self.directory / HEADS)
        self.entry_count = 0

    def _write_json(self, name: str, obj: Any) -> None:
        stream = _Stream(self.directory / name)
        stream.write(dumps_canonical(obj, max_depth=_MAX_DEPTH))
        self._digests[name] = stream.close()

    def write_manifest(self, manifest_json: Any) -> None:
        """``manifest.json``: the manifest's normal form (§REC-3.1)."""
        self._write_json(MANIFEST, manifest_json)

    def write_ceremony(self, transcript_json: Any, joint_key_json: Any) -> None:
        """``ceremony.json``: ``{"transcript": …, "joint_key": …}`` (§REC-3.2)."""
        self._write_json(CEREMONY, {"transcript": transcript_json, "joint_key": joint_key_json})

    def write_tally(self, tally_json: Any) -> None:
        """``tally.json`` (§REC-7)."""
        self._write_json(TALLY, tally_json)

    def write_official(self, official_json: Any) -> None:
        """``official.json`` (results.md §RES-4); makes the record format 2."""
        self._write_json(OFFICIAL, official_json)

    def add_entry(self, leaf: bytes) -> int:
        """Append one log leaf (its canonical JSON bytes); returns its index (§REC-3.3)."""
        if b"\n" in leaf:
            raise ValueError("a canonical leaf never contains a line feed")
        self._entries.write(leaf + b"\n")
        self.entry_count += 1
        return self.entry_count - 1

    def add_head(self, note_text: str) -> None:
        """Append one signed head (note text, cosignature lines included) (§REC-3.4)."""
        self._heads.write(head_line(note_text))

    def finish(
        self,
        *,
        election_id: str,
        manifest_hash: bytes,
        roll: RollCommitment,
        log: LogInfo,
    ) -> RecordHeader:
        """Close the streams and write ``record.json`` (§REC-2).

        Raises:
            ValueError: a JSON part was never written.
        """
        self._digests[ENTRIES] = self._entries.close()
        self._digests[HEADS] = self._heads.close()
        version = FORMAT_2 if OFFICIAL in self._digests else FORMAT
        files = FILES_BY_FORMAT[version]
        missing = [name for name in files if name not in self._digests]
        if missing:
            raise ValueError(f"record parts not written: {missing}")
        header = RecordHeader(
            election_id=election_id,
            manifest_hash=manifest_hash.hex(),
            roll=roll,
            log=log,
            files=tuple((name, self._digests[name]) for name in files),
            format=version,
        )
        stream = _Stream(self.directory / HEADER)
        stream.write(dumps_canonical(header.to_json()))
        stream.close()
        return header

    def __enter__(self) -> RecordWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        for stream in (self._entries, self._heads):
            if not stream.handle.closed:
                stream.handle.close()
