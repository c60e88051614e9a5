"""Tables of the trustees' work: the key-ceremony relay and the recorded tally (§ST-3).

On the service's one metadata (``store.models.Base``, docs/adr/0019), created by
the Alembic migration ``trustees_0001``. Nothing secret is stored here
(THREATS #46, storage.md §ST-2):

* ``ceremony_seats``: one seat per trustee and ceremony attempt, with the
  SHA-256 of the one-time enrolment token the officials handed that trustee
  (the token itself is shown once);
* ``ceremony_messages``: the public messages of threshold.md §7 — transport
  keys, dealings (whose shares are encrypted to each recipient), complaints,
  answers, key confirmations — one per kind, trustee and attempt, as the
  canonical JSON the trustee posted;
* ``election_tallies``: the tally document (record.md §REC-7) of a tallied
  election, bound to the final head it was computed from.

Queries are small functions over the unit of work's session, so the
service's own repositories stay untouched.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from tohyo.app.store.models import HEX64, Base, UtcDateTime

__all__ = [
    "MESSAGE_KINDS",
    "CeremonyMessage",
    "CeremonySeat",
    "ElectionTally",
    "current_attempt",
    "messages",
    "seat_by_token",
    "seats",
    "tally_of",
]

#: The relayed message kinds, in round order (threshold.md §7.1).
MESSAGE_KINDS = ("transport", "dealing", "complaints", "answers", "confirmation")


class CeremonySeat(Base):
    """Trustee ``trustee`` of attempt ``attempt``, and the hash of its enrolment token."""

    __tablename__ = "ceremony_seats"
    __table_args__ = (
        CheckConstraint("attempt >= 1", name="attempt"),
        CheckConstraint("trustee >= 1", name="trustee"),
        UniqueConstraint("token_hash"),
    )

    election_id: Mapped[str] = mapped_column(ForeignKey("elections.id"), primary_key=True)
    attempt: Mapped[int] = mapped_column(Integer, primary_key=True)
    trustee: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(HEX64)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CeremonyMessage(Base):
    """One public ceremony message: ``kind`` from ``trustee`` in ``attempt``."""

    __tablename__ = "ceremony_messages"
    __table_args__ = (
        CheckConstraint(f"kind IN ({', '.join(repr(k) for k in MESSAGE_KINDS)})", name="kind"),
        ForeignKeyConstraint(
            ["election_id", "attempt", "trustee"],
            ["ceremony_seats.election_id", "ceremony_seats.attempt", "ceremony_seats.trustee"],
        ),
    )

    election_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    attempt: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    trustee: Mapped[int] = mapped_column(Integer, primary_key=True)
    body: Mapped[str] = mapped_column(Text)  # canonical JSON, exactly as relayed
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ElectionTally(Base):
    """The tally of a tallied election (record.md §REC-7), as canonical JSON."""

    __tablename__ = "election_tallies"
    __table_args__ = (CheckConstraint("final_size >= 1", name="final_size"),)

    election_id: Mapped[str] = mapped_column(ForeignKey("elections.id"), primary_key=True)
    final_size: Mapped[int] = mapped_column(BigInteger)
    final_root: Mapped[str] = mapped_column(HEX64)
    tally_json: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)


def current_attempt(session: Session, election_id: str) -> int:
    """The latest ceremony attempt of an election (0 if the relay was never opened)."""
    found = session.scalar(
        select(func.max(CeremonySeat.attempt)).where(CeremonySeat.election_id == election_id)
    )
    return int(found or 0)


def seats(session: Session, election_id: str, attempt: int) -> Sequence[CeremonySeat]:
    return session.scalars(
        select(CeremonySeat)
        .where(CeremonySeat.election_id == election_id, CeremonySeat.attempt == attempt)
        .order_by(CeremonySeat.trustee)
    ).all()


def seat_by_token(session: Session, token_hash: str) -> CeremonySeat | None:
    return session.scalar(select(CeremonySeat).where(CeremonySeat.token_hash == token_hash))


def messages(
    session: Session, election_id: str, attempt: int, kind: str | None = None
) -> Sequence[CeremonyMessage]:
    """The messages of one attempt (of one kind), by kind then trustee."""
    query = select(CeremonyMessage).where(
        CeremonyMessage.election_id == election_id, CeremonyMessage.attempt == attempt
    )
    if kind is not None:
        query = query.where(CeremonyMessage.kind == kind)
    return session.scalars(query.order_by(CeremonyMessage.kind, CeremonyMessage.trustee)).all()


def tally_of(session: Session, election_id: str) -> ElectionTally | None:
    return session.get(ElectionTally, election_id)
