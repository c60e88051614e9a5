"""Queries the services use, one small method each (§ST-3).

Repositories read and add rows; they never commit (the unit of work does)
and hold no business rules beyond "which rows".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from tohyo.app.store.models import (
    AuditEvent,
    Ballot,
    Checkpoint,
    Cosignature,
    Election,
    LogLeaf,
    LogState,
    PaperOverride,
    Voter,
    VoterSessionRow,
    VotingCode,
    Withdrawal,
)

__all__ = ["Repositories"]


class Repositories:
    """Query helpers bound to one session."""

    def __init__(self, session: Session | None) -> None:
        self._session = session

    @property
    def session(self) -> Session:
        """The bound session (a unit of work has one only inside its ``with`` block)."""
        if self._session is None:
            raise RuntimeError("no session: use the unit of work as `with uow_factory() as uow:`")
        return self._session

    def add(self, row: object) -> None:
        self.session.add(row)

    # ------------------------------------------------------------ elections

    def election(self, election_id: str) -> Election | None:
        return self.session.get(Election, election_id)

    def elections(self) -> Sequence[Election]:
        return self.session.scalars(select(Election).order_by(Election.id)).all()

    def withdrawals(self, election_id: str) -> Sequence[Withdrawal]:
        q = select(Withdrawal).where(Withdrawal.election_id == election_id)
        return self.session.scalars(q.order_by(Withdrawal.recorded_at)).all()

    def audit_events(self, election_id: str) -> Sequence[AuditEvent]:
        q = select(AuditEvent).where(AuditEvent.election_id == election_id)
        return self.session.scalars(q.order_by(AuditEvent.id)).all()

    # ------------------------------------------------------------ log

    def log_state(self, election_id: str, *, lock: bool = False) -> LogState | None:
        """The log head row; ``lock`` takes the row lock every append holds (PostgreSQL)."""
        q = select(LogState).where(LogState.election_id == election_id)
        if lock:
            q = q.with_for_update()
        return self.session.scalars(q).one_or_none()

    def leaves(self, election_id: str, start: int = 0, end: int | None = None) -> Sequence[LogLeaf]:
        q = select(LogLeaf).where(LogLeaf.election_id == election_id, LogLeaf.leaf_index >= start)
        if end is not None:
            q = q.where(LogLeaf.leaf_index < end)
        return self.session.scalars(q.order_by(LogLeaf.leaf_index)).all()

    def leaf_hashes(self, election_id: str, start: int = 0) -> Sequence[str]:
        q = (
            select(LogLeaf.leaf_hash)
            .where(LogLeaf.election_id == election_id, LogLeaf.leaf_index >= start)
            .order_by(LogLeaf.leaf_index)
        )
        return self.session.scalars(q).all()

    def leaf(self, election_id: str, index: int) -> LogLeaf | None:
        return self.session.get(LogLeaf, (election_id, index))

    def checkpoint(self, election_id: str, size: int) -> Checkpoint | None:
        return self.session.get(Checkpoint, (election_id, size))

    def checkpoints(self, election_id: str) -> Sequence[Checkpoint]:
        q = select(Checkpoint).where(Checkpoint.election_id == election_id)
        return self.session.scalars(q.order_by(Checkpoint.size)).all()

    def cosignatures(self, election_id: str, size: int) -> Sequence[Cosignature]:
        q = select(Cosignature).where(
            Cosignature.election_id == election_id, Cosignature.size == size
        )
        return self.session.scalars(q.order_by(Cosignature.id)).all()

    # ------------------------------------------------------------ roll, codes, sessions

    def voter_by_key(self, election_id: str, voter_key: str) -> Voter | None:
        q = select(Voter).where(Voter.election_id == election_id, Voter.voter_key == voter_key)
        return self.session.scalars(q).one_or_none()

    def voter(self, voter_id: int) -> Voter | None:
        return self.session.get(Voter, voter_id)

    def voters(self, election_id: str) -> Sequence[Voter]:
        q = select(Voter).where(Voter.election_id == election_id).order_by(Voter.id)
        return self.session.scalars(q).all()

    def voting_code(self, code_hash: str) -> VotingCode | None:
        return self.session.get(VotingCode, code_hash)

    def voting_codes_of(self, voter_id: int) -> Sequence[VotingCode]:
        q = select(VotingCode).where(VotingCode.voter_id == voter_id)
        return self.session.scalars(q).all()

    def voter_session(self, token_hash: str) -> VoterSessionRow | None:
        return self.session.get(VoterSessionRow, token_hash)

    # ------------------------------------------------------------ ballots

    def ballot_by_idempotency(self, election_id: str, credential: str, key: str) -> Ballot | None:
        q = select(Ballot).where(
            Ballot.election_id == election_id,
            Ballot.credential == credential,
            Ballot.idempotency_key == key,
        )
        return self.session.scalars(q).one_or_none()

    def ballots_matching(
        self, election_id: str, content_hash: str, credential: str, key: str
    ) -> Sequence[Ballot]:
        """Ballots with this content, or this voter's ballot under this idempotency key."""
        q = select(Ballot).where(
            Ballot.election_id == election_id,
            or_(
                Ballot.content_hash == content_hash,
                and_(Ballot.credential == credential, Ballot.idempotency_key == key),
            ),
        )
        return self.session.scalars(q).all()

    def touch_session(self, token_hash: str, moment: datetime) -> None:
        self.session.execute(
            update(VoterSessionRow)
            .where(VoterSessionRow.token_hash == token_hash)
            .values(last_cast_at=moment)
        )

    def ballot_by_content(self, election_id: str, content_hash: str) -> Ballot | None:
        q = select(Ballot).where(
            Ballot.election_id == election_id, Ballot.content_hash == content_hash
        )
        return self.session.scalars(q).one_or_none()

    def ballot_by_hash(self, election_id: str, ballot_hash: str) -> Ballot | None:
        q = select(Ballot).where(
            Ballot.election_id == election_id, Ballot.ballot_hash == ballot_hash
        )
        return self.session.scalars(q).one_or_none()

    def ballot_by_hash_prefix(self, election_id: str, prefix: str) -> Ballot | None:
        """The ballot whose hash starts with ``prefix`` (lowercase hex; a tracking code)."""
        q = select(Ballot).where(
            Ballot.election_id == election_id,
            Ballot.ballot_hash >= prefix,
            Ballot.ballot_hash < prefix + "g",  # a range, so the unique index serves it
        )
        rows = self.session.scalars(q.limit(2)).all()
        return rows[0] if len(rows) == 1 else None

    def ballots_of(self, election_id: str, credential: str) -> Sequence[Ballot]:
        q = select(Ballot).where(Ballot.election_id == election_id, Ballot.credential == credential)
        return self.session.scalars(q.order_by(Ballot.leaf_index)).all()

    def effective_ballot(self, election_id: str, credential: str) -> Ballot | None:
        q = select(Ballot).where(
            Ballot.election_id == election_id,
            Ballot.credential == credential,
            Ballot.state == "effective",
        )
        return self.session.scalars(q).one_or_none()

    def last_sequence(self, election_id: str, credential: str) -> int:
        q = select(func.max(Ballot.sequence)).where(
            Ballot.election_id == election_id, Ballot.credential == credential
        )
        return self.session.scalar(q) or 0

    def ballot_counts(self, election_id: str) -> dict[str, int]:
        q = (
            select(Ballot.state, func.count())
            .where(Ballot.election_id == election_id)
            .group_by(Ballot.state)
        )
        return {state: int(n) for state, n in self.session.execute(q).all()}

    def paper_override(self, election_id: str, credential: str) -> PaperOverride | None:
        return self.session.get(PaperOverride, (election_id, credential))

    def paper_overrides(self, election_id: str) -> Sequence[PaperOverride]:
        q = select(PaperOverride).where(PaperOverride.election_id == election_id)
        return self.session.scalars(q.order_by(PaperOverride.leaf_index)).all()
