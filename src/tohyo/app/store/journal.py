"""The second medium: an append-only JSON-lines journal per election (§ST-6).

Hiroshima's rule (seed 003) copies every recorded vote *at once* to a second
medium. Here the medium is a file ``<journal dir>/<election id>.jsonl``, one
canonical JSON object per log leaf::

    {"data":"<leaf JSON text>","election_id":"…","index":7,"kind":"ballot","leaf_hash":"<hex>"}

Each append is written with ``O_APPEND`` and ``fsync``'ed before the receipt
leaves the server; the directory is ``fsync``'ed when the file is created, so
the file itself survives a power cut. The leaf hash makes every line
self-checking. A torn last line (a crash in the middle of a write, which was
never acknowledged) is cut off on the next open; damage anywhere else is a
:class:`JournalCorrupt` error. Lines are keyed by ``index``; a re-copy of an
identical line (startup reconciliation after a crash) is harmless.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from tohyo.log.tree import leaf_hash
from tohyo.record.canonical import dumps_canonical

__all__ = [
    "Journal",
    "JournalCorrupt",
    "JournalEntry",
    "JournalError",
    "ReconcileReport",
    "entry_for",
]


_COPY_BATCH = 1000
_TAIL_CHUNK = 1 << 16


class JournalError(OSError):
    """Writing or syncing the journal failed: acknowledgements must stop (THREATS #29)."""


class JournalCorrupt(ValueError):
    """The journal and the database disagree, or a journal line is damaged."""


@dataclass(frozen=True, slots=True)
class JournalEntry:
    election_id: str
    index: int
    kind: str
    leaf_hash: str  # hex SHA-256(0x00 || data), RFC 9162 leaf hash
    data: str  # canonical JSON text of the leaf

    def to_line(self) -> bytes:
        obj = {
            "data": self.data,
            "election_id": self.election_id,
            "index": self.index,
            "kind": self.kind,
            "leaf_hash": self.leaf_hash,
        }
        return dumps_canonical(obj) + b"\n"

    @classmethod
    def from_line(cls, line: bytes) -> JournalEntry:
        try:
            obj = json.loads(line)
            entry = cls(
                obj["election_id"], obj["index"], obj["kind"], obj["leaf_hash"], obj["data"]
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise JournalCorrupt(f"unreadable journal line: {exc}") from None
        if leaf_hash(entry.data.encode()).hex() != entry.leaf_hash:
            raise JournalCorrupt(f"journal line {entry.index}: leaf hash does not match data")
        return entry


@dataclass(frozen=True, slots=True)
class ReconcileReport:
    election_id: str
    database_size: int
    journal_size: int
    copied: int


class Journal:
    """Append-only journal files under ``directory``; thread- and process-safe."""

    def __init__(self, directory: Path) -> None:
        self._dir = directory
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def path(self, election_id: str) -> Path:
        return self._dir / f"{election_id}.jsonl"

    def _lock(self, election_id: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(election_id, threading.Lock())

    def append(self, entries: Sequence[JournalEntry]) -> None:
        """Write ``entries`` (one election) and ``fsync`` them before returning.

        Raises:
            JournalError: any I/O failure; the caller must not acknowledge.
        """
        if not entries:
            return
        election_id = entries[0].election_id
        payload = b"".join(e.to_line() for e in entries)
        try:
            with self._lock(election_id):
                self._write(self.path(election_id), payload)
        except OSError as exc:
            raise JournalError(exc.errno, f"journal write failed: {exc}") from exc

    def _write(self, path: Path, payload: bytes) -> None:
        created = not path.exists()
        if created:
            path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # other processes append whole lines too
            view = memoryview(payload)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        if created:
            _fsync_dir(path.parent)

    def entries(self, election_id: str) -> Iterator[JournalEntry]:
        """Stream the entries in file order, after cutting off a torn final line.

        Raises:
            JournalCorrupt: a damaged line before the end.
        """
        path = self.path(election_id)
        if not path.exists():
            return
        with self._lock(election_id):
            _cut_torn_tail(path)
        with open(path, "rb") as lines:
            for line in lines:
                if not line.endswith(b"\n"):  # another writer is mid-line: not ours yet
                    return
                entry = JournalEntry.from_line(line)
                if entry.election_id != election_id:
                    raise JournalCorrupt(
                        f"journal of {election_id} holds a line of another election"
                    )
                yield entry

    def read(self, election_id: str) -> dict[int, JournalEntry]:
        """Every entry by index (small journals and tests; see :meth:`hashes`).

        Raises:
            JournalCorrupt: a damaged line, or two different entries for one index.
        """
        out: dict[int, JournalEntry] = {}
        for entry in self.entries(election_id):
            seen = out.setdefault(entry.index, entry)
            if seen != entry:
                raise JournalCorrupt(f"journal holds two different entries at index {entry.index}")
        return out

    def hashes(self, election_id: str) -> dict[int, str]:
        """Leaf hash by index, streaming: memory stays small at a million lines.

        Raises:
            JournalCorrupt: as :meth:`read`.
        """
        out: dict[int, str] = {}
        for entry in self.entries(election_id):
            seen = out.setdefault(entry.index, entry.leaf_hash)
            if seen != entry.leaf_hash:
                raise JournalCorrupt(f"journal holds two different entries at index {entry.index}")
        return out

    def reconcile(self, election_id: str, leaves: Iterable[JournalEntry]) -> ReconcileReport:
        """Copy committed leaves missing from the journal; detect divergence (§ST-6.2).

        Both sides are streamed; each journal line was checked against its own
        leaf hash on reading, so comparing hashes compares the data.

        Args:
            leaves: the database's leaves of the election, every index from 0.

        Raises:
            JournalCorrupt: a leaf differs between the media, or the journal
                holds leaves the database does not (the database lost commits:
                an operator must decide which medium to use, seed 003).
        """
        journal = self.hashes(election_id)
        missing: list[JournalEntry] = []
        size = copied = 0
        for leaf in leaves:
            size += 1
            copy = journal.get(leaf.index)
            if copy is None:
                missing.append(leaf)
                if len(missing) >= _COPY_BATCH:
                    self.append(missing)
                    copied += len(missing)
                    missing = []
            elif copy != leaf.leaf_hash:
                raise JournalCorrupt(
                    f"election {election_id}: leaf {leaf.index} differs between the database "
                    "and the journal"
                )
        beyond = sorted(i for i in journal if i >= size)
        if beyond:
            raise JournalCorrupt(
                f"election {election_id}: the journal holds leaves {beyond[0]}..{beyond[-1]} "
                f"that the database (size {size}) does not; the database lost commits"
            )
        self.append(missing)
        return ReconcileReport(election_id, size, len(journal), copied + len(missing))


def _cut_torn_tail(path: Path) -> None:
    """Truncate an unfinished last line (never acknowledged), reading only the tail."""
    size = path.stat().st_size
    if size == 0:
        return
    with open(path, "rb") as f:
        end = size
        while end > 0:
            start = max(0, end - _TAIL_CHUNK)
            f.seek(start)
            chunk = f.read(end - start)
            if end == size and chunk.endswith(b"\n"):
                return  # the common case: nothing torn
            newline = chunk.rfind(b"\n")
            if newline >= 0:
                good_end = start + newline + 1
                break
            end = start
        else:
            good_end = 0
    os.truncate(path, good_end)
    fd = os.open(path, os.O_WRONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def entry_for(election_id: str, index: int, kind: str, data: bytes) -> JournalEntry:
    """The journal entry of one leaf (``data`` is its canonical JSON bytes)."""
    return JournalEntry(election_id, index, kind, leaf_hash(data).hex(), data.decode())
