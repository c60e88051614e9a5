"""Lifecycle through the services: open, close, withdrawals, paper votes, counts."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tohyo.app.auth.authority import DevApproval
from tohyo.app.errors import Conflict, Forbidden
from tohyo.app.services.counts import check_count_invariant, report_counts
from tohyo.app.services.elections import (
    close_election,
    create_election,
    open_election,
    withdraw_candidate,
)
from tohyo.app.services.overrides import record_paper_vote
from tohyo.app.services.roll import import_roll, voter_key_hex
from tohyo.app.services.sessions import credential_for, open_voting_session
from tohyo.log import EMPTY_ROOT, open_checkpoint, verifier_from_key

CHOICE = {"services": ["digital-counters"]}


def _entries(client: Any, election_id: str) -> list[dict[str, Any]]:
    return client.get(f"/api/v1/elections/{election_id}/log/entries").json()["entries"]


def test_opening_publishes_the_empty_head(election_factory: Any, client: Any) -> None:
    election = election_factory("fresh")
    info = client.get(f"/api/v1/elections/{election.id}").json()
    note = client.get(f"/api/v1/elections/{election.id}/log/checkpoint", params={"size": 0}).text
    head = open_checkpoint(note, [verifier_from_key(info["log"]["key"])]).checkpoint
    assert (head.size, head.root_hash, head.origin) == (0, EMPTY_ROOT, info["log"]["origin"])


def test_open_needs_a_key_and_the_key_ceremony(runtime: Any, manifest_for: Any) -> None:
    create_election(runtime, manifest_for("nokey"), actor="t")
    with pytest.raises(Conflict) as caught:
        open_election(runtime, "nokey", approval=DevApproval("test"))
    assert caught.value.code == "election.invalid_transition"


def test_closing_stops_casts_and_logs_a_final_leaf(
    election: Any, voter: Any, client: Any, runtime: Any
) -> None:
    info = voter.election(election.id)
    session = voter.start_session(election.id, election.next_code())
    voter.cast(info, session, CHOICE)
    with pytest.raises(Conflict) as caught:
        # before the end: needs a reason
        close_election(runtime, election.id, approval=DevApproval("test"))
    assert caught.value.code == "election.reason_required"
    close_election(runtime, election.id, approval=DevApproval("test"), reason="test over")
    entries = _entries(client, election.id)
    assert [e["kind"] for e in entries] == ["ballot", "close"]
    assert entries[-1]["data"]["election_id"] == election.id
    with pytest.raises(Conflict):
        close_election(runtime, election.id, approval=DevApproval("test"), reason="again")
    with pytest.raises(Conflict) as caught:
        open_voting_session(runtime, election.id, "00" * 32, method="code")
    assert caught.value.code == "election.closed"


def test_candidate_withdrawal_is_logged(runtime: Any, client: Any, manifest_for: Any) -> None:
    raw = json.loads(manifest_for("mayor"))
    raw["questions"] = [
        {
            "id": "mayor",
            "kind": "candidates",
            "title": {"ja": "市長"},
            "allow_blank": True,
            "min_selections": 1,
            "max_selections": 1,
            "candidates": [
                {
                    "id": f"c{n}",
                    "number": n,
                    "name": {"ja": f"候補 {n}"},
                    "kana": "こうほ",
                    "party": None,
                }
                for n in (1, 2, 3)
            ],
        }
    ]
    from tohyo.app.services.devkeys import install_dev_key

    create_election(runtime, json.dumps(raw).encode(), actor="t")
    install_dev_key(runtime, "mayor")
    withdraw_candidate(runtime, "mayor", "c2", "withdrew", actor="t")  # before opening
    open_election(runtime, "mayor", approval=DevApproval("test"))
    withdraw_candidate(runtime, "mayor", "c3", "died", actor="t")  # while open
    kinds = [(e["kind"], e["data"].get("candidate_id")) for e in _entries(client, "mayor")]
    assert kinds == [("withdrawal", "c2"), ("withdrawal", "c3")]
    with pytest.raises(Conflict) as caught:
        withdraw_candidate(runtime, "mayor", "c3", "died", actor="t")
    assert caught.value.code == "election.already_withdrawn"


def test_paper_vote_excludes_internet_ballots(
    election: Any, voter: Any, client: Any, runtime: Any
) -> None:
    info = voter.election(election.id)
    key = voter_key_hex(runtime, election.id, election.voter_ids[0])
    session = voter.start_session(election.id, election.codes[0])
    assert session.credential == credential_for(runtime, election.id, key)
    voter.cast(info, session, CHOICE)
    voter.cast(info, session, CHOICE)
    other = voter.start_session(election.id, election.codes[1])
    voter.cast(info, other, CHOICE)
    assert record_paper_vote(runtime, election.id, key, actor="official") == session.credential
    assert check_count_invariant(runtime, election.id) == 1
    counts = report_counts(runtime, election.id)
    assert (counts.casts, counts.supersessions, counts.paper_overrides, counts.effective) == (
        3,
        1,
        1,
        1,
    )
    last = _entries(client, election.id)[-1]
    assert last["data"] == {
        "kind": "paper_override",
        "election_id": election.id,
        "credential": session.credential,
    }
    with pytest.raises(Conflict):
        record_paper_vote(runtime, election.id, key, actor="official")
    with pytest.raises(Forbidden) as caught:
        open_voting_session(runtime, election.id, key, method="code")
    assert caught.value.code == "voter.voted_on_paper"


def test_started_but_not_finished(election: Any, voter: Any, runtime: Any) -> None:
    info = voter.election(election.id)
    finished = voter.start_session(election.id, election.next_code())
    voter.cast(info, finished, CHOICE)
    voter.start_session(election.id, election.next_code())  # never casts
    voter.start_session(election.id, election.next_code())  # never casts
    counts = report_counts(runtime, election.id)
    assert (counts.sessions_started, counts.started_not_finished, counts.voters_cast) == (3, 2, 1)
    assert counts.voters_on_roll == len(election.voter_ids)


def test_ineligible_voters_are_refused(election: Any, runtime: Any) -> None:
    with pytest.raises(Forbidden) as caught:
        open_voting_session(runtime, election.id, "ab" * 32, method="jpki")
    assert caught.value.code == "voter.not_eligible"


def test_roll_amendment_only_before_opening(runtime: Any, election: Any, manifest_for: Any) -> None:
    roll = b"voter_id,name,birth_date,address_code,district\nX1,x,1980-01-01,082201,\n"
    with pytest.raises(Conflict):
        import_roll(runtime, election.id, roll, actor="t", reason="late")
    create_election(runtime, manifest_for("draft-one"), actor="t")
    first = import_roll(runtime, "draft-one", roll, actor="t")
    amended = import_roll(
        runtime,
        "draft-one",
        roll + b"X2,y,1980-01-01,082201,\nX3,z,2015-01-01,082201,\n",
        actor="t",
        reason="fix",
    )
    assert (first.added, amended.added, amended.removed, len(amended.excluded)) == (1, 1, 0, 1)
    with runtime.uow() as uow:
        kinds = [e.kind for e in uow.audit_events("draft-one")]
    assert kinds.count("roll.amend") == 2
