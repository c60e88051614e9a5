"""Bounded, throttled event streams (docs/spec/observe.md §OBS-4).

Every open Server-Sent Events stream holds a slot of a :class:`StreamGate`:
at most ``per_client`` per client address and ``total`` in all. Past either
bound the stream is refused before any work (429 ``observe.too_many_streams``
for one client, 503 ``observe.busy`` for the server), so opening a stream a
thousand times costs a thousand cheap refusals, not a thousand streams.

Snapshots are shared: :class:`SnapshotCache` builds at most one per election
and view every ``interval`` seconds, however many streams are open, so the
database sees a bounded load and every stream updates at most that often.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from tohyo.app.errors import ServiceError, Unavailable
from tohyo.app.observe.snapshot import Snapshot

__all__ = ["Slot", "SnapshotCache", "StreamGate", "TooManyStreams"]


class TooManyStreams(ServiceError):
    """One client holds as many streams as it may (429)."""

    http_status = 429


@dataclass
class StreamGate:
    """Counts open streams per client and in total; hands out slots or refuses."""

    per_client: int = 4
    total: int = 200
    _open: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def open_streams(self) -> int:
        with self._lock:
            return sum(self._open.values())

    def acquire(self, client: str) -> Slot:
        """One stream slot for ``client``; release it with :meth:`Slot.release`.

        Raises:
            TooManyStreams: ``observe.too_many_streams`` (this client's bound).
            Unavailable: ``observe.busy`` (the server's bound).
        """
        with self._lock:
            mine = self._open.get(client, 0)
            if mine >= self.per_client:
                raise TooManyStreams(
                    "observe.too_many_streams",
                    f"at most {self.per_client} live streams per client; close one first",
                )
            if sum(self._open.values()) >= self.total:
                raise Unavailable("observe.busy", "too many live streams; retry later")
            self._open[client] = mine + 1
        return Slot(self, client)

    def _release(self, client: str) -> None:
        with self._lock:
            left = self._open.get(client, 1) - 1
            if left > 0:
                self._open[client] = left
            else:
                self._open.pop(client, None)


class Slot:
    """A held stream slot; releasing it twice releases it once."""

    def __init__(self, gate: StreamGate, client: str) -> None:
        self._gate = gate
        self._client = client
        self._held = True
        self._lock = threading.Lock()

    def release(self) -> None:
        with self._lock:
            if not self._held:
                return
            self._held = False
        self._gate._release(self._client)


@dataclass
class SnapshotCache:
    """At most one snapshot per (election, view) per ``interval`` seconds."""

    build: Callable[[str, bool], Snapshot]
    interval: float = 5.0
    _entries: dict[tuple[str, bool], tuple[float, Snapshot]] = field(default_factory=dict)
    _locks: dict[tuple[str, bool], asyncio.Lock] = field(default_factory=dict)

    async def get(self, election_id: str, detail: bool) -> Snapshot:
        """The cached snapshot, rebuilt (in a worker thread) once it is older than the interval."""
        key = (election_id, detail)
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:  # one rebuild at a time, the other streams wait for it
            found = self._entries.get(key)
            if found is not None and time.monotonic() - found[0] < self.interval:
                return found[1]
            snapshot = await asyncio.to_thread(self.build, election_id, detail)
            self._entries[key] = (time.monotonic(), snapshot)
            return snapshot
