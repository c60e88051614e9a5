"""Typed failures of the election record layer (docs/spec/encodings.md §ENC-JSON).

Every parser in :mod:`tohyo.record` raises one of these; nothing returns ``None``
or ``False`` for failure. Each subclasses ``ValueError`` so that callers that
only know the builtin category still catch it.

Hierarchy::

    ValueError
    └── RecordError
        ├── InvalidJson        bytes that are not strict (or canonical) JSON
        └── InvalidManifest    JSON that is not a valid manifest; lists every problem
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["InvalidJson", "InvalidManifest", "Problem", "RecordError", "json_pointer"]


class RecordError(ValueError):
    """Base class of every error raised by :mod:`tohyo.record`."""


class InvalidJson(RecordError):
    """Input that is not strict JSON (§ENC-JSON-2), or a value with no canonical form."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One validation problem: where (an RFC 6901 JSON pointer) and why.

    Attributes:
        path: JSON pointer to the offending value, ``""`` for the whole document.
        reason: a short, stable English sentence naming the broken rule.
    """

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path or '/'}: {self.reason}"


class InvalidManifest(RecordError):
    """A manifest that breaks one or more rules of docs/spec/manifest.md.

    Attributes:
        problems: every problem found, in document order (never empty).
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        if not self.problems:
            raise ValueError("InvalidManifest needs at least one problem")
        lines = "; ".join(str(p) for p in self.problems[:10])
        more = len(self.problems) - 10
        suffix = f"; and {more} more" if more > 0 else ""
        super().__init__(f"invalid manifest ({len(self.problems)} problems): {lines}{suffix}")


def json_pointer(*tokens: str | int) -> str:
    """The RFC 6901 pointer for ``tokens`` (``~`` and ``/`` escaped)."""
    return "".join("/" + str(t).replace("~", "~0").replace("/", "~1") for t in tokens)
