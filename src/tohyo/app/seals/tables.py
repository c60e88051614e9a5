"""The ``seals`` table: every recorded seal and unseal statement (storage.md §ST-8.2).

SQLAlchemy Core on the service's metadata (docs/adr/0019), created by the
migration ``h7_0001``. ``body`` is the canonical JSON of the signed statement
(:class:`tohyo.record.seals.SignedSeal`); ``digest`` is its statement digest.
Rows are only ever added.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer, String, Table, Text

from tohyo.app.store.models import Base, UtcDateTime

__all__ = ["seals"]

seals = Table(
    "seals",
    Base.metadata,
    Column("election_id", String(64), ForeignKey("elections.id"), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("kind", String(8), nullable=False),
    Column("digest", String(64), nullable=False, unique=True),
    Column("body", Text, nullable=False),
    Column("actor", String(128), nullable=False),
    Column("recorded_at", UtcDateTime(), nullable=False),
    CheckConstraint("kind IN ('seal', 'unseal')", name="kind"),
    CheckConstraint("seq >= 1", name="seq"),
)
