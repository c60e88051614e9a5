"""The official result of a tallied election (docs/spec/results.md §RES-3).

The stored tally's results (record.md §REC-7.3) plus the accepted paper counts,
combined by :func:`tohyo.record.official.combine`, the same function the
verifier runs. The roll is the number of eligible voters (the record header's
``roll.voters``); started-but-not-finished counts the credentials that opened
a voting session and have neither a ballot nor a paper vote (§RES-3.5).
"""

from __future__ import annotations

from sqlalchemy import distinct, func, select

from tohyo.app.results.paper import accepted_counts
from tohyo.app.services.common import load_election, manifest_of
from tohyo.app.services.runtime import Runtime
from tohyo.app.services.tally import recorded_tally
from tohyo.app.store.models import Ballot, PaperOverride, Voter, VoterSessionRow
from tohyo.record.official import OfficialResult, TurnoutInputs, combine
from tohyo.record.results import Results

__all__ = ["official_result", "started_not_finished"]


def started_not_finished(runtime: Runtime, election_id: str) -> int:
    """Credentials with a voting session but no ballot and no paper vote (途中終了者数)."""
    with runtime.uow() as uow:
        cast = select(Ballot.credential).where(Ballot.election_id == election_id)
        paper = select(PaperOverride.credential).where(PaperOverride.election_id == election_id)
        query = (select(func.count(distinct(VoterSessionRow.credential)))
                 .where(VoterSessionRow.election_id == election_id,
                        VoterSessionRow.credential.not_in(cast),
                        VoterSessionRow.credential.not_in(paper)))
        return int(uow.session.scalar(query) or 0)


def _roll(runtime: Runtime, election_id: str) -> int:
    with runtime.uow() as uow:
        query = select(func.count()).select_from(Voter).where(
            Voter.election_id == election_id, Voter.eligible.is_(True))
        return int(uow.session.scalar(query) or 0)


def official_result(runtime: Runtime, election_id: str) -> OfficialResult:
    """The official result: the stored tally and the accepted paper counts (§RES-3).

    Raises:
        NotFound: ``election.not_found``.
        Conflict: ``tally.not_recorded`` before the tally.
    """
    with runtime.uow() as uow:
        manifest = manifest_of(runtime, load_election(uow, election_id))
    document = recorded_tally(runtime, election_id)
    inputs = TurnoutInputs(_roll(runtime, election_id),
                           started_not_finished(runtime, election_id),
                           document.counts.get("paper_overrides", 0))
    return combine(manifest, Results.from_json(document.results),
                   accepted_counts(runtime, election_id), inputs)
