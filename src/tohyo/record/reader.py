"""Reading an election record directory, failing with a location (record.md §REC-2, §REC-3).

Nothing here trusts the record: every failure is an :class:`InvalidRecord`
naming the file (and line or JSON pointer) at fault, never a bare exception.
Large files are streamed in blocks of lines, and each file's SHA-256 and size
are checked against the header as it is read.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tohyo.record.canonical import loads_canonical
from tohyo.record.errors import InvalidJson
from tohyo.record.format import (
    ENTRIES,
    HEADER,
    HEADS,
    FileDigest,
    InvalidRecord,
    RecordHeader,
)

__all__ = ["EntryBlock", "RecordReader"]

#: Bounds of the JSON parts (the leaves and heads are bounded per line).
MAX_HEADER = 1 << 20
MAX_PART = 256 << 20
MAX_LINE = 4 << 20
_READ_SIZE = 1 << 20


@dataclass(frozen=True, slots=True)
class EntryBlock:
    """Consecutive leaves of ``entries.jsonl``: ``lines[k]`` is leaf ``first + k``.

    ``offsets[k]`` is the byte offset of ``lines[k]`` in the file.
    """

    first: int
    lines: tuple[bytes, ...]
    offsets: tuple[int, ...]


def _parse(data: bytes, location: str, max_bytes: int) -> Any:
    try:
        return loads_canonical(data, max_bytes=max_bytes, max_depth=64)
    except InvalidJson as exc:
        raise InvalidRecord(location, str(exc)) from None


class RecordReader:
    """A record directory opened for reading; the header is read and checked at once.

    Raises:
        InvalidRecord: the directory or its header is missing, malformed, or of an
            unknown version.
    """

    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory)
        if not self.directory.is_dir():
            raise InvalidRecord(str(directory), "not a record directory")
        raw = self._read_bytes(HEADER, MAX_HEADER)
        self.header = RecordHeader.from_json(_parse(raw, HEADER, MAX_HEADER))

    def _read_bytes(self, name: str, limit: int) -> bytes:
        path = self.directory / name
        try:
            with path.open("rb") as handle:
                data = handle.read(limit + 1)
        except FileNotFoundError:
            raise InvalidRecord(name, "file is missing") from None
        except OSError as exc:
            raise InvalidRecord(name, f"cannot be read: {exc.strerror}") from None
        if len(data) > limit:
            raise InvalidRecord(name, f"larger than {limit} bytes")
        return data

    def _check_digest(self, name: str, digest: FileDigest) -> None:
        listed = self.header.file(name)
        if digest.size != listed.size:
            raise InvalidRecord(name, f"is {digest.size} bytes, the header says {listed.size}")
        if digest.sha256 != listed.sha256:
            raise InvalidRecord(name, "SHA-256 differs from the header's")

    def read_json(self, name: str) -> Any:
        """A canonical-JSON part, checked against the header's digest.

        Raises:
            InvalidRecord: missing, too large, digest mismatch, or not canonical JSON.
        """
        data = self._read_bytes(name, MAX_PART)
        self._check_digest(name, FileDigest.of(data))
        return _parse(data, name, MAX_PART)

    def _lines(self, name: str) -> Iterator[tuple[int, bytes]]:
        """(offset, line without its line feed), checking the digest at the end."""
        h, size, pending, offset = hashlib.sha256(), 0, b"", 0
        try:
            handle = (self.directory / name).open("rb")
        except FileNotFoundError:
            raise InvalidRecord(name, "file is missing") from None
        with handle:
            line_no = 0
            while True:
                chunk = handle.read(_READ_SIZE)
                if not chunk:
                    break
                h.update(chunk)
                size += len(chunk)
                pending += chunk
                parts = pending.split(b"\n")
                pending = parts.pop()
                for line in parts:
                    line_no += 1
                    if len(line) > MAX_LINE:
                        raise InvalidRecord(f"{name}:{line_no}", "line too long")
                    yield offset, line
                    offset += len(line) + 1
                if len(pending) > MAX_LINE:
                    raise InvalidRecord(f"{name}:{line_no + 1}", "line too long")
        if pending:
            raise InvalidRecord(f"{name}:{line_no + 1}",
                                "truncated: the last line has no line feed")
        self._check_digest(name, FileDigest(h.hexdigest(), size))

    def entry_blocks(self, block_size: int = 500) -> Iterator[EntryBlock]:
        """``entries.jsonl`` in blocks of up to ``block_size`` leaves, in log order.

        The digest is checked after the last block; a mismatch raises then.

        Raises:
            InvalidRecord: missing file, over-long or truncated line, digest mismatch.
        """
        lines: list[bytes] = []
        offsets: list[int] = []
        first = 0
        for offset, line in self._lines(ENTRIES):
            lines.append(line)
            offsets.append(offset)
            if len(lines) == block_size:
                yield EntryBlock(first, tuple(lines), tuple(offsets))
                first += len(lines)
                lines, offsets = [], []
        if lines:
            yield EntryBlock(first, tuple(lines), tuple(offsets))

    def read_lines_at(self, offsets: list[int]) -> list[bytes]:
        """The ``entries.jsonl`` lines starting at the given byte offsets (second pass)."""
        out = []
        with (self.directory / ENTRIES).open("rb") as handle:
            for offset in offsets:
                handle.seek(offset)
                out.append(handle.readline(MAX_LINE + 1).rstrip(b"\n"))
        return out

    def heads(self) -> Iterator[tuple[int, str]]:
        """(line number, signed note text) of every line of ``heads.jsonl``.

        Raises:
            InvalidRecord: a line that is not canonical ``{"note": text}``.
        """
        for number, (_, line) in enumerate(self._lines(HEADS), start=1):
            where = f"{HEADS}:{number}"
            obj = _parse(line, where, MAX_LINE)
            if not isinstance(obj, dict) or set(obj) != {"note"} or not isinstance(
                obj["note"], str
            ):
                raise InvalidRecord(where, 'expected {"note": <signed note text>}')
            yield number, obj["note"]
