"""Tables of paper-count entry (docs/spec/results.md §RES-2.3).

On the service's metadata (docs/adr/0019), created by the Alembic migration
``h4_0001`` (its own branch from ``0001``):

* ``paper_entries``: the first, still unmatched entry of a (place, kind), by
  one official; deleted when a second official's matching entry is accepted.
  One pending entry per (election, place, kind).
* ``paper_counts``: accepted counts, one per (election, place, kind), with the
  two officials and the index of their ``paper_count`` leaf.

The counts are the canonical JSON of the count's normal form (§RES-2.1).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tohyo.app.store.models import Base, UtcDateTime

__all__ = ["PAPER_KINDS", "AcceptedPaperCount", "PaperEntry"]

PAPER_KINDS = ("early", "election_day", "mobile", "absentee")
_KIND_CHECK = f"kind IN ({', '.join(repr(k) for k in PAPER_KINDS)})"


class PaperEntry(Base):
    """A first entry waiting for a second official's matching entry."""

    __tablename__ = "paper_entries"
    __table_args__ = (CheckConstraint(_KIND_CHECK, name="kind"),)

    election_id: Mapped[str] = mapped_column(ForeignKey("elections.id"), primary_key=True)
    place: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    official: Mapped[str] = mapped_column(String(64))
    count_json: Mapped[str] = mapped_column(Text)
    entered_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AcceptedPaperCount(Base):
    """A count two officials entered alike; its leaf is on the log."""

    __tablename__ = "paper_counts"
    __table_args__ = (
        CheckConstraint(_KIND_CHECK, name="kind"),
        CheckConstraint("first_official < second_official", name="two_officials"),
        UniqueConstraint("election_id", "leaf_index"),
    )

    election_id: Mapped[str] = mapped_column(ForeignKey("elections.id"), primary_key=True)
    place: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    first_official: Mapped[str] = mapped_column(String(64))
    second_official: Mapped[str] = mapped_column(String(64))
    count_json: Mapped[str] = mapped_column(Text)
    leaf_index: Mapped[int] = mapped_column(BigInteger)
    accepted_at: Mapped[datetime] = mapped_column(UtcDateTime)
