"""Paper votes that cancel internet votes (MISSION: free will; §CAST-9).

An official records that a voter voted on paper (early voting or election
day). From then on the voter's internet ballots are excluded, further casts
are refused, and the board shows a ``paper_override`` leaf under the voter's
credential only: no name, no roll number.

A closed roll names the voter by roll number (:func:`record_paper_vote`). An
open roll (docs/adr/0016) has no roll numbers: the voter is whoever signs in
with a card, keyed by name and birth date, so the polling station names them
the same way (:func:`record_paper_vote_for_resident`); a person who never
signed in is enrolled by the paper vote, so a later internet sign-in is refused.
"""

from __future__ import annotations

from datetime import date

from tohyo.app.errors import Conflict, NotFound
from tohyo.app.services.common import LeafWrite, append_leaves, audit, load_election, manifest_of
from tohyo.app.services.identity import identity_keyer, is_open_roll, person_key
from tohyo.app.services.runtime import Runtime
from tohyo.app.services.sessions import credential_for
from tohyo.app.store.models import LogState, PaperOverride, Voter
from tohyo.app.store.uow import UnitOfWork

__all__ = ["record_paper_vote", "record_paper_vote_for_resident"]

#: Only while open: the close leaf must be the log's last (record.md §REC-4.4), so
#: paper votes (advance voting runs alongside internet voting) are entered before it.
_STATES = ("open",)


def record_paper_vote(
    runtime: Runtime, election_id: str, voter_key: str, *, actor: str, enrol: bool = False
) -> str:
    """Record a paper vote for the voter with ``voter_key``; returns their credential.

    Args:
        enrol: open roll: add the voter if they never signed in (the official
            checked their eligibility at the polling station).

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
            if not enrol:
                raise NotFound("voter.not_found", "no such voter on the roll")
            enrolled = Voter(
                election_id=election_id, voter_key=voter_key, eligible=True, added_at=runtime.now()
            )
            uow.add(enrolled)
            uow.flush()
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


def record_paper_vote_for_resident(
    runtime: Runtime, election_id: str, name: str, birth_date: date, *, actor: str
) -> str:
    """Record a paper vote in an open-roll election for the person of ``name`` and ``birth_date``.

    The key is the resident identity a card (or a resident-vouching provider)
    signs in with (authentication.md §AUTH-ID-2), so it is the same voter.

    Raises:
        Conflict: ``override.closed_roll`` (the election has a roll: use the
            roll number), ``override.exists``, ``election.invalid_transition``.
    """
    with runtime.uow() as uow:
        manifest = manifest_of(runtime, load_election(uow, election_id))
    if not is_open_roll(manifest):
        raise Conflict(
            "override.closed_roll", "this election has a roll: record the paper vote by roll number"
        )
    identity = identity_keyer(runtime).for_resident(name, birth_date)
    voter_key = person_key(runtime, election_id, identity)
    return record_paper_vote(runtime, election_id, voter_key, actor=actor, enrol=True)
