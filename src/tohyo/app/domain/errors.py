"""Typed failures of the election domain (docs/spec/manifest.md §MAN-17, §MAN-18).

Hierarchy::

    ValueError
    └── DomainError
        ├── InvalidTransition   an action the election's phase does not allow
        ├── CastingNotAllowed   a cast outside the open phase or the voting period
        ├── NotEligible         a voter outside the election's areas or under age
        └── InvalidRoll         a voter-roll file with one or more bad rows
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "CastingNotAllowed",
    "DomainError",
    "InvalidRoll",
    "InvalidTransition",
    "NotEligible",
    "RollProblem",
]


class DomainError(ValueError):
    """Base class of every error raised by :mod:`tohyo.app.domain`.

    Attributes:
        code: a stable machine-readable code for API responses.
    """

    code = "domain_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class InvalidTransition(DomainError):
    """An action that the election's current phase does not allow."""

    code = "invalid_transition"


class CastingNotAllowed(DomainError):
    """A ballot cast while the election is not open or outside the voting period."""

    code = "casting_not_allowed"


class NotEligible(DomainError):
    """A voter who does not meet the election's eligibility rules."""

    code = "not_eligible"


@dataclass(frozen=True, slots=True)
class RollProblem:
    """One problem in a voter-roll file.

    Attributes:
        row: 1-based record number; the header is row 1, the first voter row 2.
            Row 0 means the file as a whole.
        field: the column name, or ``""`` for the whole row or file.
        reason: a short English sentence; never contains the bad value itself
            (roll data is personal data and reports may be shared).
    """

    row: int
    field: str
    reason: str

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row else "file"
        return f"{where}{', ' + self.field if self.field else ''}: {self.reason}"


class InvalidRoll(DomainError):
    """A voter-roll file that was refused as a whole.

    Attributes:
        problems: every problem found (never empty), in file order.
    """

    code = "invalid_roll"

    def __init__(self, problems: Iterable[RollProblem]) -> None:
        self.problems: tuple[RollProblem, ...] = tuple(problems)
        if not self.problems:
            raise ValueError("InvalidRoll needs at least one problem")
        shown = "; ".join(str(p) for p in self.problems[:10])
        more = len(self.problems) - 10
        super().__init__(
            f"voter roll refused ({len(self.problems)} problems): {shown}"
            + (f"; and {more} more" if more > 0 else "")
        )
