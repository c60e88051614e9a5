"""Whether a ballot still counts: for its own voter only (docs/spec/casting.md §CAST-8.4).

The public lookup by tracking code (:func:`tohyo.app.services.board.inclusion_by_ballot`)
says only that the ballot is in the ballot box. Whether it was superseded by a
later ballot or cancelled by a paper vote is told only to a signed-in session of
the same credential: a receipt shown to a coercer or a vote buyer then no longer
tells them whether the voter re-voted or voted on paper (issue 9 item 5; the
residual risk through the public board is in §CAST-8.4 and the PIA).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any

from tohyo.app.errors import Forbidden, NotFound
from tohyo.app.services.common import load_election
from tohyo.app.services.receipts import tracking_prefix
from tohyo.app.services.runtime import Runtime
from tohyo.app.services.sessions import resolve_session
from tohyo.app.store.models import Ballot
from tohyo.app.store.uow import UnitOfWork

__all__ = ["BallotStatus", "ballot_status", "find_ballot"]


@dataclass(frozen=True, slots=True)
class BallotStatus:
    """What the voter's own session may learn about one of their ballots."""

    ballot_hash: str
    sequence: int
    status: str  # effective | superseded | excluded
    paper_override: bool

    @property
    def counts(self) -> bool:
        return self.status == "effective" and not self.paper_override

    def to_json(self) -> dict[str, Any]:
        return {
            "ballot_hash": self.ballot_hash,
            "sequence": self.sequence,
            "status": self.status,
            "paper_override": self.paper_override,
            "counts": self.counts,
        }


def find_ballot(uow: UnitOfWork, election_id: str, tracker: str) -> Ballot:
    """A ballot by hash (64 hex) or tracking code.

    Raises:
        NotFound: ``ballot.not_found``.
    """
    text = tracker.strip().lower()
    row = None
    if len(text) == 64:
        row = uow.ballot_by_hash(election_id, text)
    else:
        prefix = tracking_prefix(tracker)
        row = uow.ballot_by_hash_prefix(election_id, prefix) if prefix else None
    if row is None:
        raise NotFound("ballot.not_found", "no ballot with this tracking code")
    return row


def ballot_status(runtime: Runtime, election_id: str, tracker: str, token: str) -> BallotStatus:
    """The status of a ballot, for a session of the credential that cast it.

    Raises:
        Unauthorized: ``session.*`` (no valid session for this election).
        NotFound: ``ballot.not_found``.
        Forbidden: ``ballot.not_yours`` (another credential's ballot: its
            status is that voter's business alone).
    """
    with runtime.uow() as uow:
        load_election(uow, election_id)
        voter = resolve_session(runtime, uow, election_id, token)
        row = find_ballot(uow, election_id, tracker)
        if not hmac.compare_digest(row.credential.encode(), voter.credential.encode()):
            raise Forbidden("ballot.not_yours", "this ballot was cast under another credential")
        override = uow.paper_override(election_id, row.credential)
        return BallotStatus(row.ballot_hash, row.sequence, row.state, override is not None)
