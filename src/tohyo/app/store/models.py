"""The relational schema of the election service (docs/spec/storage.md §ST-3).

SQLAlchemy 2 declarative models with named constraints (the naming
convention below), so that migrations and error messages refer to stable
names. The database enforces the invariants the service relies on:

* one *effective* ballot per credential and election: the partial unique
  index ``uq_ballots_one_effective`` (THREATS #31);
* one tracker per election (``uq_ballots_election_id_ballot_hash``, THREATS #24);
* one log leaf per index, one checkpoint per tree size;
* one paper override per credential.

No secret key is stored here: the signing and HMAC keys are files (§ST-2).
Timestamps are UTC; :class:`UtcDateTime` gives them back timezone-aware on
every backend (SQLite keeps naive text).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "AuditEvent",
    "Ballot",
    "Base",
    "Checkpoint",
    "Cosignature",
    "Election",
    "ELECTION_STATES",
    "LogLeaf",
    "LogState",
    "PaperOverride",
    "Voter",
    "VoterSessionRow",
    "VotingCode",
    "Withdrawal",
]

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: The lifecycle states (tohyo.app.domain.lifecycle) as stored strings.
ELECTION_STATES = (
    "draft",
    "key_ceremony",
    "open",
    "closed",
    "tallied",
    "published",
    "disposed",
)
BALLOT_STATES = ("effective", "superseded", "excluded")
LEAF_KINDS = ("ballot", "paper_override", "withdrawal", "close", "paper_count", "statement")

HEX64 = String(64)
CREDENTIAL = String(32)


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment: datetime = value
        if moment.tzinfo is None:
            return moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Election(Base):
    __tablename__ = "elections"
    __table_args__ = (CheckConstraint(_in("state", ELECTION_STATES), name="state"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    manifest_json: Mapped[str] = mapped_column(Text)  # canonical JSON (§ENC-JSON-1)
    manifest_hash: Mapped[str] = mapped_column(HEX64)
    state: Mapped[str] = mapped_column(String(16))
    public_key: Mapped[str | None] = mapped_column(HEX64)
    key_transcript: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    opened_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class LogState(Base):
    """The head of an election's log: the row every append locks (§ST-5)."""

    __tablename__ = "log_states"
    __table_args__ = (CheckConstraint("size >= 0", name="size"),)

    election_id: Mapped[str] = mapped_column(ForeignKey("elections.id"), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    root_hash: Mapped[str] = mapped_column(HEX64)
    checkpoint: Mapped[str] = mapped_column(Text)  # the latest signed note
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class LogLeaf(Base):
    __tablename__ = "log_leaves"
    __table_args__ = (CheckConstraint(_in("kind", LEAF_KINDS), name="kind"),)

    election_id: Mapped[str] = mapped_column(ForeignKey("elections.id"), primary_key=True)
    leaf_index: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    leaf_hash: Mapped[str] = mapped_column(HEX64)
    data: Mapped[str] = mapped_column(Text)  # canonical JSON of the leaf (§CAST-5)


class Checkpoint(Base):
    """Every signed head ever handed out, so that each can be shown again."""

    __tablename__ = "checkpoints"

    election_id: Mapped[str] = mapped_column(ForeignKey("elections.id"), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    root_hash: Mapped[str] = mapped_column(HEX64)
    timestamp_ms: Mapped[int] = mapped_column(BigInteger)
    note: Mapped[str] = mapped_column(Text)


class Cosignature(Base):
    __tablename__ = "cosignatures"
    __table_args__ = (UniqueConstraint("election_id", "size", "witness", "key_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    election_id: Mapped[str] = mapped_column(ForeignKey("elections.id"))
    size: Mapped[int] = mapped_column(BigInteger)
    witness: Mapped[str] = mapped_column(String(255))
    key_id: Mapped[int] = mapped_column(BigInteger)
    line: Mapped[str] = mapped_column(Text)  # the signature line, verbatim
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Voter(Base):
    """A roll entry, stored under the keyed hash of the identity (the voter key)."""

    __tablename__ = "voters"
    __table_args__ = (UniqueConstraint("election_id", "voter_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    election_id: Mapped[str] = mapped_column(ForeignKey("elections.id"))
    voter_key: Mapped[str] = mapped_column(String(128))
    eligible: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(String(255))  # why not eligible
    added_at: Mapped[datetime] = mapped_column(UtcDateTime)


class VotingCode(Base):
    """A one-time voting code; only its hash is kept (issue #6 item 3)."""

    __tablename__ = "voting_codes"

    code_hash: Mapped[str] = mapped_column(HEX64, primary_key=True)
    election_id: Mapped[str] = mapped_column(ForeignKey("elections.id"))
    voter_id: Mapped[int] = mapped_column(ForeignKey("voters.id"), index=True)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class VoterSessionRow(Base):
    """A voting session: bearer token hash → voter, credential (§CAST-2)."""

    __tablename__ = "voter_sessions"

    token_hash: Mapped[str] = mapped_column(HEX64, primary_key=True)
    election_id: Mapped[str] = mapped_column(ForeignKey("elections.id"), index=True)
    voter_id: Mapped[int] = mapped_column(ForeignKey("voters.id"))
    credential: Mapped[str] = mapped_column(CREDENTIAL)
    method: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_cast_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Ballot(Base):
    __tablename__ = "ballots"
    __table_args__ = (
        CheckConstraint(_in("state", BALLOT_STATES), name="state"),
        UniqueConstraint("election_id", "ballot_hash"),
        UniqueConstraint("election_id", "content_hash"),
        UniqueConstraint("election_id", "leaf_index"),
        UniqueConstraint("election_id", "credential", "sequence"),
        UniqueConstraint("election_id", "credential", "idempotency_key"),
        Index(
            "uq_ballots_one_effective",
            "election_id",
            "credential",
            unique=True,
            sqlite_where=text("state = 'effective'"),
            postgresql_where=text("state = 'effective'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    election_id: Mapped[str] = mapped_column(ForeignKey("elections.id"))
    credential: Mapped[str] = mapped_column(CREDENTIAL)
    ballot_hash: Mapped[str] = mapped_column(HEX64)  # the tracker (crypto ballot_hash)
    # SHA-256 of the submitted ballot's canonical JSON, independent of the
    # voter: finds a ballot replayed under another credential (§CAST-6).
    content_hash: Mapped[str] = mapped_column(HEX64)
    leaf_index: Mapped[int] = mapped_column(BigInteger)
    sequence: Mapped[int] = mapped_column(Integer)  # 1 for the credential's first cast
    idempotency_key: Mapped[str] = mapped_column(String(128))
    state: Mapped[str] = mapped_column(String(16))
    cast_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PaperOverride(Base):
    """A paper vote that cancels the credential's internet ballots (MISSION)."""

    __tablename__ = "paper_overrides"

    election_id: Mapped[str] = mapped_column(ForeignKey("elections.id"), primary_key=True)
    credential: Mapped[str] = mapped_column(CREDENTIAL, primary_key=True)
    leaf_index: Mapped[int] = mapped_column(BigInteger)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Withdrawal(Base):
    """A candidate who withdrew or died: stays on the ballot, votes are invalid."""

    __tablename__ = "withdrawals"

    election_id: Mapped[str] = mapped_column(ForeignKey("elections.id"), primary_key=True)
    candidate_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    reason: Mapped[str] = mapped_column(String(32))
    # None until the log exists: withdrawals before opening are logged at opening.
    leaf_index: Mapped[int | None] = mapped_column(BigInteger)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AuditEvent(Base):
    """Officials' actions (roll amendments, key installation, open, close)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    election_id: Mapped[str | None] = mapped_column(ForeignKey("elections.id"), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(128))
    detail: Mapped[str] = mapped_column(Text)  # canonical JSON, no secrets
    at: Mapped[datetime] = mapped_column(UtcDateTime)
