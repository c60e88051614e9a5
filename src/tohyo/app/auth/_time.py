"""The one seam where time enters the authentication layer (STYLE convention 6).

Public functions take ``now: datetime | None``; ``None`` means the clock. SQLite
returns naive datetimes, so everything read back is re-tagged as UTC here.
"""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["as_utc", "utcnow"]


def utcnow(now: datetime | None = None) -> datetime:
    """``now`` as aware UTC, or the current time."""
    return as_utc(now) if now is not None else datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """Tag a naive value (as SQLite returns it) as UTC; convert an aware one."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
