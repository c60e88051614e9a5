"""The table of accepted witness statements (record.md §REC-10).

On the service's metadata (docs/adr/0019), created by the Alembic migration
``h9_0001``: one row per (election, witness key, event), with the index of its
``statement`` leaf, so that a witness states each event once (a replay is a
refusal, and the primary key refuses it even if a check were skipped).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tohyo.app.store.models import Base, UtcDateTime
from tohyo.record.statements import StatementEvent

__all__ = ["EVENT_CHECK", "AcceptedStatement"]

EVENT_CHECK = f"event IN ({', '.join(repr(e.value) for e in StatementEvent)})"


class AcceptedStatement(Base):
    """A statement on the log: who stated which event, over which head, at which leaf."""

    __tablename__ = "witness_statements"
    __table_args__ = (
        CheckConstraint(EVENT_CHECK, name="event"),
        CheckConstraint("head_size >= 0 AND head_size <= leaf_index", name="head_before_leaf"),
        UniqueConstraint("election_id", "leaf_index"),
    )

    election_id: Mapped[str] = mapped_column(ForeignKey("elections.id"), primary_key=True)
    witness_key: Mapped[str] = mapped_column(String(512), primary_key=True)
    event: Mapped[str] = mapped_column(String(16), primary_key=True)
    head_size: Mapped[int] = mapped_column(BigInteger)
    leaf_index: Mapped[int] = mapped_column(BigInteger)
    accepted_at: Mapped[datetime] = mapped_column(UtcDateTime)
