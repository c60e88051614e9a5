"""Durable witness state: a JSON file, replaced atomically, under an exclusive lock (§TL-8.3).

Internal module. The file maps each log origin to the size and root hash of
the last checkpoint the witness cosigned::

    {"format": "tohyo-witness-state/1",
     "logs": {"<origin>": {"size": 12, "root_hash": "<base64>"}}}

Writes go to a fresh temporary file in the same directory, which is fsynced,
renamed over the state file, and followed by an fsync of the directory, so a
crash leaves either the old or the new state, never a mix. A missing file is
the empty state; a corrupt file is an error, never "empty": resetting a
witness to empty would let a log roll back.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from tohyo.log._encoding import b64decode, b64encode
from tohyo.log.errors import InvalidEncoding
from tohyo.log.tree import HASH_SIZE, Hash

__all__ = ["STATE_FORMAT", "LogRecord", "exclusive_lock", "load_state", "store_state"]

STATE_FORMAT = "tohyo-witness-state/1"


@dataclass(frozen=True, slots=True)
class LogRecord:
    """The latest checkpoint a witness cosigned for one origin."""

    size: int
    root_hash: Hash


def _decode_record(origin: str, value: object) -> LogRecord:
    if not isinstance(value, dict) or set(value) != {"size", "root_hash"}:
        raise InvalidEncoding(f"witness state for {origin!r} is malformed")
    size, root_b64 = value["size"], value["root_hash"]
    if isinstance(size, bool) or not isinstance(size, int) or not 0 <= size < 1 << 64:
        raise InvalidEncoding(f"witness state size for {origin!r} is malformed")
    if not isinstance(root_b64, str):
        raise InvalidEncoding(f"witness state root for {origin!r} is malformed")
    root_hash = b64decode(root_b64, "witness state root hash")
    if len(root_hash) != HASH_SIZE:
        raise InvalidEncoding(f"witness state root for {origin!r} is not {HASH_SIZE} bytes")
    return LogRecord(size, root_hash)


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("duplicate key in witness state")
    return result


def load_state(path: Path) -> dict[str, LogRecord]:
    """Read the state file; a missing file is the empty state.

    Raises:
        InvalidEncoding: the file exists but is not a valid state document.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    try:
        document = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicates)
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidEncoding("witness state file is not valid JSON") from exc
    if not isinstance(document, dict) or set(document) != {"format", "logs"}:
        raise InvalidEncoding("witness state file is malformed")
    if document["format"] != STATE_FORMAT:
        raise InvalidEncoding("witness state file has an unknown format")
    logs = document["logs"]
    if not isinstance(logs, dict):
        raise InvalidEncoding("witness state file is malformed")
    return {origin: _decode_record(origin, value) for origin, value in logs.items()}


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def store_state(path: Path, records: Mapping[str, LogRecord]) -> None:
    """Replace the state file atomically and durably (write, fsync, rename, fsync dir)."""
    document = {
        "format": STATE_FORMAT,
        "logs": {
            origin: {"size": record.size, "root_hash": b64encode(record.root_hash)}
            for origin, record in sorted(records.items())
        },
    }
    data = (json.dumps(document, indent=2, sort_keys=True) + "\n").encode()
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _fsync_directory(path.parent)


@contextlib.contextmanager
def exclusive_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``<state>.lock`` for the duration of the block.

    ``flock`` locks belong to the open file description, so the lock excludes
    other processes *and* other open()s in this process; the witness adds a
    threading lock on top only to queue its own threads cheaply.
    """
    lock_path = path.with_name(path.name + ".lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
