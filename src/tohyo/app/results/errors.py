"""Typed refusals of paper-count entry (docs/spec/results.md §RES-2).

Each names the offending cells as JSON pointers into the entered count
(``fields``), in the message and in the JSON body, so an official sees which
cell to re-count.
"""

from __future__ import annotations

from tohyo.app.errors import Conflict, Unprocessable

__all__ = ["InvalidPaperEntry", "PaperEntryConflict"]


class InvalidPaperEntry(Unprocessable):
    """A count that breaks §RES-2.1–2.2 (``paper.sums``, ``paper.negative`` …)."""

    def __init__(self, code: str, message: str, fields: tuple[str, ...]) -> None:
        super().__init__(code, message)
        self.fields = fields

    def to_json(self) -> dict[str, dict[str, str]]:
        out = super().to_json()
        out["error"]["fields"] = list(self.fields)  # type: ignore[assignment]
        return out


class PaperEntryConflict(Conflict):
    """A refusal of the double-entry rule or the lifecycle (§RES-2.3)."""

    def __init__(self, code: str, message: str, fields: tuple[str, ...] = ()) -> None:
        super().__init__(code, message)
        self.fields = fields

    def to_json(self) -> dict[str, dict[str, str]]:
        out = super().to_json()
        out["error"]["fields"] = list(self.fields)  # type: ignore[assignment]
        return out
