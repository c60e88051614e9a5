"""Times as officials read them: Japan time, to the second (``2026-12-04 23:35:12 JST``).

The service keeps UTC; the terminal shows what a city office's clock shows.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

__all__ = ["JST", "japan_time"]

JST = timezone(timedelta(hours=9), "JST")


def japan_time(moment: datetime) -> str:
    """``moment`` in Japan time, seconds precision; a naive value is taken as UTC."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(JST).strftime("%Y-%m-%d %H:%M:%S JST")
