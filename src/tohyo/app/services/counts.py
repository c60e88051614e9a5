"""Counts for the official report and the count invariant (§CAST-10, THREATS #25).

The invariant ties the database to the public log: the effective ballots
are exactly one per credential that has a ballot leaf and no paper override,
and each is that credential's *last* ballot leaf. Any mismatch means a lost
update, a double count or an edit of the urn, and must stop acknowledgements.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import func, select

from tohyo.app.services.common import load_election
from tohyo.app.services.runtime import Runtime
from tohyo.app.store.models import Ballot
from tohyo.app.store.retention import session_methods

__all__ = ["CountInvariantViolated", "ReportCounts", "check_count_invariant", "report_counts"]


class CountInvariantViolated(RuntimeError):
    """The ballots table and the log disagree about who has an effective ballot."""


@dataclass(frozen=True, slots=True)
class ReportCounts:
    """The electronic-procedure figures of the official report form (seed 003)."""

    election_id: str
    voters_on_roll: int
    sessions_started: int  # distinct voters who started a session
    started_not_finished: int  # ... of whom never cast an internet ballot
    casts: int  # every ballot accepted, revotes included
    voters_cast: int  # distinct credentials with at least one ballot
    supersessions: int  # ballots replaced by a later one of the same voter
    paper_overrides: int  # voters whose internet ballots a paper vote cancelled
    effective: int  # ballots that count

    def to_json(self) -> dict[str, int | str]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def report_counts(runtime: Runtime, election_id: str) -> ReportCounts:
    with runtime.uow() as uow:
        load_election(uow, election_id)
        by_state = uow.ballot_counts(election_id)
        session = uow.session
        # Live sessions and the marks of purged ones (store/retention.py).
        started = set(session_methods(session, election_id))
        cast = set(
            session.scalars(
                select(Ballot.credential).distinct().where(Ballot.election_id == election_id)
            )
        )
        return ReportCounts(
            election_id=election_id,
            voters_on_roll=len(uow.voters(election_id)),
            sessions_started=len(started),
            started_not_finished=len(started - cast),
            casts=sum(by_state.values()),
            voters_cast=len(cast),
            supersessions=by_state.get("superseded", 0),
            paper_overrides=len(uow.paper_overrides(election_id)),
            effective=by_state.get("effective", 0),
        )


def check_count_invariant(runtime: Runtime, election_id: str) -> int:
    """Check the invariant against the log; return the number of effective ballots.

    Raises:
        CountInvariantViolated: naming what disagrees.
    """
    with runtime.uow() as uow:
        last: dict[str, int] = {}
        overridden: set[str] = set()
        ballot_leaves = 0
        for leaf in uow.leaves(election_id):
            if leaf.kind == "ballot":
                ballot_leaves += 1
                last[json.loads(leaf.data)["credential"]] = leaf.leaf_index
            elif leaf.kind == "paper_override":
                overridden.add(json.loads(leaf.data)["credential"])
        expected = {c: i for c, i in last.items() if c not in overridden}
        rows = uow.session.execute(
            select(Ballot.credential, Ballot.leaf_index).where(
                Ballot.election_id == election_id, Ballot.state == "effective"
            )
        ).all()
        actual = {c: i for c, i in rows}
        total = uow.session.scalar(
            select(func.count()).select_from(Ballot).where(Ballot.election_id == election_id)
        )
    if len(rows) != len(actual):  # pragma: no cover - the partial unique index forbids it
        raise CountInvariantViolated("two effective ballots for one credential")
    if actual != expected:
        raise CountInvariantViolated(
            f"effective ballots ({len(actual)}) differ from the log's last ballot per "
            f"credential without paper vote ({len(expected)})"
        )
    if total != ballot_leaves:
        raise CountInvariantViolated(
            f"{total} stored ballots but {ballot_leaves} ballot leaves in the log"
        )
    return len(actual)
