"""Paper votes that cancel internet votes (MISSION: free will; §CAST-9).

An official records that a voter voted on paper (early voting or election
day). From then on the voter's internet ballots are excluded, further casts
are refused, and the board shows a ``paper_override`` leaf under the voter's
credential only: no name, no roll number.
"""

from __future__ import annotations

from tohyo.app.errors import Conflict, NotFound
from tohyo.app.services.common import LeafWrite, append_leaves, audit, load_election
from tohyo.app.services.runtime import Runtime
from tohyo.app.services.sessions import credential_for
from tohyo.app.store.models import LogState, PaperOverride
from tohyo.app.store.uow import UnitOfWork

__all__ = ["record_paper_vote"]

#: Only while open: the close leaf must be the log's last (record.md §REC-4.4), so
#: paper votes (advance voting runs alongside internet voting) are entered before it.
_STATES = ("open",)


def record_paper_vote(runtime: Runtime, election_id: str, voter_key: str, *, actor: str) -> str:
    """Record a paper vote for the voter with ``voter_key``; returns their credential.

    Raises:
        NotFound: ``voter.not_found`` (not on the roll).
        Conflict: ``override.exists``, or ``election.invalid_transition``
            unless the election is open.
    """
    credential = credential_for(runtime, election_id, voter_key)

    def body(uow: UnitOfWork, state: LogState) -> list[LeafWrite]:
        row = load_election(uow, election_id)
        if row.state not in _STATES:
            raise Conflict(
                "election.invalid_transition",
                "paper votes are recorded while the election is open, before it closes",
            )
        if uow.voter_by_key(election_id, voter_key) is None:
            raise NotFound("voter.not_found", "no such voter on the roll")
        if uow.paper_override(election_id, credential) is not None:
            raise Conflict("override.exists", "a paper vote is already recorded for this voter")
        now = runtime.now()
        excluded = 0
        for ballot in uow.ballots_of(election_id, credential):
            if ballot.state == "effective":
                ballot.state = "excluded"
                excluded += 1
        uow.add(
            PaperOverride(
                election_id=election_id,
                credential=credential,
                leaf_index=state.size,
                recorded_at=now,
            )
        )
        audit(uow, election_id, "paper_vote.record", actor, {"credential": credential}, now)
        return [LeafWrite("paper_override", {"credential": credential})]

    append_leaves(runtime, election_id, body)
    return credential
