"""Turnout over the voting period, from the log (docs/spec/reports.md §REP-4).

The log's leaves carry no time; its signed heads do (transparency-log.md
§TL-5.2): a head of size *n* at time *t* says the first *n* leaves were on the
log by *t*. So the cumulative turnout at the end of each hour is read at the
last head signed before that hour ended, counting among its leaves

- ``internet``: the distinct credentials with at least one ``ballot`` leaf
  (a re-vote is not a second voter);
- ``paper``: the ``paper_override`` leaves, i.e. voters whose paper vote at a
  station was recorded on the log while voting was open.

Anyone can recompute the series from the published record, and it uses only
what the verifier checks (heads' sizes and times, leaf kinds); it is an
illustration of when people voted, never an input to the count.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tohyo.app.reports.errors import ReportError
from tohyo.log.checkpoint import Checkpoint
from tohyo.log.errors import LogError

__all__ = ["CHANNELS", "TurnoutPoint", "TurnoutSeries", "turnout_from_log"]

#: The channels of the series, in chart order.
CHANNELS: tuple[str, ...] = ("internet", "paper")
_HOUR = timedelta(hours=1)
#: Longest period charted hour by hour (a year); longer is refused, not truncated.
_MAX_HOURS = 366 * 24


@dataclass(frozen=True, slots=True)
class TurnoutPoint:
    """Cumulative voters at the end of one hour (``end`` is exclusive, local time)."""

    end: datetime
    internet: int
    paper: int

    @property
    def total(self) -> int:
        return self.internet + self.paper

    def to_json(self) -> dict[str, Any]:
        return {"end": self.end.isoformat(), "internet": self.internet, "paper": self.paper}


@dataclass(frozen=True, slots=True)
class TurnoutSeries:
    """Hourly cumulative turnout over ``[start, end)`` by channel."""

    start: datetime
    points: tuple[TurnoutPoint, ...]

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start.isoformat(), "hourly": [p.to_json() for p in self.points]}

    def daily(self) -> tuple[TurnoutPoint, ...]:
        """The points that end a local day (and the last point): the table for long periods."""
        out = [p for p in self.points if p.end.hour == 0 and p.end.minute == 0]
        if self.points and (not out or out[-1] != self.points[-1]):
            out.append(self.points[-1])
        return tuple(out)


def _head_time_size(note: str, where: str) -> tuple[int, int]:
    text = note.split("\n\n", 1)[0] + "\n"
    try:
        checkpoint = Checkpoint.from_text(text)
        return checkpoint.timestamp_ms, checkpoint.size
    except LogError as exc:
        raise ReportError("report.bad_head", f"{where}: {exc}") from exc


def _hour_ends(start: datetime, end: datetime) -> list[datetime]:
    if start.tzinfo is None or end.tzinfo is None or end <= start:
        raise ReportError("report.bad_period", "the period needs aware start < end")
    first = start.replace(minute=0, second=0, microsecond=0) + _HOUR
    hours = int((end - first) / _HOUR) + 1
    if hours > _MAX_HOURS:
        raise ReportError("report.bad_period", f"a period of {hours} hours is too long to chart")
    out = [first + i * _HOUR for i in range(hours)]
    if out[-1] < end:
        out.append(out[-1] + _HOUR)
    return out


def turnout_from_log(
    leaves: Iterable[bytes], heads: Iterable[str], start: datetime, end: datetime
) -> TurnoutSeries:
    """The hourly series of reports.md §REP-4 from the log's leaves and signed heads.

    Args:
        leaves: the leaves in log order (``entries.jsonl`` lines, or the stored leaves).
        heads: the signed notes in increasing size (``heads.jsonl``'s notes).
        start, end: the voting period (aware datetimes); hours are in ``start``'s zone.

    Raises:
        ReportError: a head or leaf that does not parse, heads out of order, or a bad period.
    """
    tz = start.tzinfo
    ends = _hour_ends(start, end)
    ends_ms = [int(e.timestamp() * 1000) for e in ends]
    leaf_iter: Iterator[bytes] = iter(leaves)
    seen: set[str] = set()
    paper = 0
    consumed = 0
    # At each head: cumulative (internet, paper); then each hour takes its last head.
    at_hour = [(0, 0)] * len(ends)
    hour = 0
    last_size = -1
    for number, note in enumerate(heads, start=1):
        stamp, size = _head_time_size(note, f"heads.jsonl:{number}")
        if size < last_size:
            raise ReportError("report.bad_head", f"heads.jsonl:{number}: heads out of order")
        last_size = size
        while hour < len(ends) and ends_ms[hour] <= stamp:
            at_hour[hour] = (len(seen), paper)
            hour += 1
        while consumed < size:
            line = next(leaf_iter, None)
            if line is None:
                raise ReportError("report.bad_head",
                                  f"heads.jsonl:{number}: size {size} beyond the leaves")
            consumed += 1
            try:
                leaf = json.loads(line)
                kind = leaf["kind"]
                if kind == "ballot":
                    seen.add(str(leaf["credential"]))
                elif kind == "paper_override":
                    paper += 1
            except (ValueError, KeyError, TypeError) as exc:
                raise ReportError("report.bad_leaf", f"leaf {consumed - 1}: {exc}") from exc
    while hour < len(ends):
        at_hour[hour] = (len(seen), paper)
        hour += 1
    points = tuple(
        TurnoutPoint(e.astimezone(tz), i, p) for e, (i, p) in zip(ends, at_hour, strict=True)
    )
    return TurnoutSeries(start, points)
