"""Coarse public times (docs/spec/transparency-log.md §TL-5.2.1).

Every cast signs a head, and heads, receipts and the election record are
public for ever. A head time to the millisecond would date each ballot leaf
exactly, which lets anyone holding network logs (an ISP, a reverse proxy)
tie an address to a credential, and a coercer date a re-vote. So every time
that is made public per cast is rounded *down* to a multiple of
:data:`GRANULARITY_MS`; the database keeps the exact time for the operator.
"""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["GRANULARITY_MS", "coarse_datetime", "coarse_ms", "to_ms"]

GRANULARITY_MS = 15 * 60 * 1000
"""Fifteen minutes: the bucket of every public per-cast time (§TL-5.2.1)."""


def to_ms(moment: datetime) -> int:
    """Milliseconds since the Unix epoch."""
    return int(moment.timestamp() * 1000)


def coarse_ms(ms: int) -> int:
    """``ms`` rounded down to the start of its bucket."""
    if isinstance(ms, bool) or not isinstance(ms, int) or ms < 0:
        raise ValueError("a time in milliseconds must be a non-negative integer")
    return ms - ms % GRANULARITY_MS


def coarse_datetime(moment: datetime) -> datetime:
    """The start of the bucket holding ``moment``, in UTC."""
    return datetime.fromtimestamp(coarse_ms(to_ms(moment)) / 1000, tz=UTC)
