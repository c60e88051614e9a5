"""What a coercer holding a receipt can learn (issue 9 item 5; casting.md §CAST-8.4,
transparency-log.md §TL-5.2.1).

The public lookup says only "in the ballot box"; the voter's own session sees
whether the ballot still counts; every public per-cast time is a bucket start.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tohyo.app.auth.authority import DevApproval
from tohyo.app.services.coarse_time import GRANULARITY_MS, coarse_datetime
from tohyo.app.services.elections import close_election
from tohyo.app.services.overrides import record_paper_vote
from tohyo.app.services.roll import voter_key_hex
from tohyo.app.services.sessions import credential_for
from tohyo.app.services.tally import export_board
from tohyo.log import Checkpoint, parse_note

CHOICE = {"services": ["internet-voting"], "mobility": [], "healthcare": ["home-care"]}
PUBLIC_KEYS = {
    "credential",
    "ballot_hash",
    "recorded",
    "leaf_index",
    "tree_size",
    "leaf_hash",
    "inclusion_proof",
    "checkpoint",
}


def _lookup(voter: Any, election_id: str, code: str, token: str | None = None) -> Any:
    suffix = "/status" if token is not None else ""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return voter.http.get(
        f"/api/v1/elections/{election_id}/ballots/{code}{suffix}", headers=headers
    )


def _voter_key(election: Any, credential: str) -> str:
    """The roll key of the voter behind ``credential`` (what an official enters)."""
    for voter_id in election.voter_ids:
        key = voter_key_hex(election.runtime, election.id, voter_id)
        if credential_for(election.runtime, election.id, key) == credential:
            return key
    raise LookupError(credential)


def test_public_lookup_reveals_no_revote_and_no_paper_vote(
    election: Any, voter: Any, runtime: Any
) -> None:
    info = voter.election(election.id)
    session = voter.start_session(election.id, election.next_code())
    first = voter.cast(info, session, CHOICE).receipt
    before = _lookup(voter, election.id, first["tracking_code"]).json()
    second = voter.cast(info, session, {"services": ["ai-voice"]}).receipt
    after_revote = _lookup(voter, election.id, first["tracking_code"]).json()
    latest = _lookup(voter, election.id, second["tracking_code"]).json()
    record_paper_vote(runtime, election.id, _voter_key(election, session.credential), actor="t")
    after_paper = _lookup(voter, election.id, second["tracking_code"]).json()
    for found in (before, after_revote, latest, after_paper):
        assert set(found) == PUBLIC_KEYS
        assert found["recorded"] is True
        text = json.dumps(found)
        for word in ("superseded", "excluded", "effective", "paper", "sequence", "status"):
            assert word not in text
    # The superseded ballot's answer differs from its answer before the re-vote
    # only in the (public, growing) head it is proved in.
    moving = {"tree_size", "inclusion_proof", "checkpoint"}
    assert {k: v for k, v in before.items() if k not in moving} == {
        k: v for k, v in after_revote.items() if k not in moving
    }


def test_the_voters_own_session_sees_whether_the_ballot_counts(
    election: Any, voter: Any, runtime: Any
) -> None:
    info = voter.election(election.id)
    session = voter.start_session(election.id, election.next_code())
    first = voter.cast(info, session, CHOICE).receipt
    mine = _lookup(voter, election.id, first["tracking_code"], session.token)
    assert mine.status_code == 200
    assert (mine.json()["status"], mine.json()["counts"]) == ("effective", True)
    second = voter.cast(info, session, {"services": ["ai-voice"]}).receipt
    mine = _lookup(voter, election.id, first["tracking_code"], session.token).json()
    assert (mine["status"], mine["sequence"], mine["counts"]) == ("superseded", 1, False)

    # Another voter's session, no session, a bad token: refused, nothing told.
    other = voter.start_session(election.id, election.next_code())
    refused = _lookup(voter, election.id, first["tracking_code"], other.token)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "ballot.not_yours")
    assert "superseded" not in refused.text
    anonymous = voter.http.get(
        f"/api/v1/elections/{election.id}/ballots/{first['tracking_code']}/status"
    )
    assert anonymous.status_code == 401
    forged = _lookup(voter, election.id, first["tracking_code"], "x" * 43)
    assert (forged.status_code, forged.json()["error"]["code"]) == (401, "session.invalid")

    record_paper_vote(runtime, election.id, _voter_key(election, session.credential), actor="t")
    mine = _lookup(voter, election.id, second["tracking_code"], session.token).json()
    assert (mine["paper_override"], mine["counts"]) == (True, False)


def test_no_public_output_carries_a_time_finer_than_the_bucket(
    election: Any, voter: Any, runtime: Any, clock: Any, tmp_path: Path
) -> None:
    # Mid-bucket, to the microsecond (the election's period started an hour ago).
    clock.moment = coarse_datetime(clock.moment) + timedelta(
        minutes=1, seconds=33, microseconds=123456
    )
    info = voter.election(election.id)
    receipts = []
    for step in range(3):
        session = voter.start_session(election.id, election.next_code())
        receipts.append(voter.cast(info, session, CHOICE).receipt)
        clock.advance(minutes=7, milliseconds=411 + step)
    for receipt in receipts:
        head = Checkpoint.from_text(parse_note(receipt["checkpoint"]).text)
        assert head.timestamp_ms % GRANULARITY_MS == 0
        cast_at = datetime.fromisoformat(receipt["cast_at"])
        assert int(cast_at.timestamp() * 1000) % GRANULARITY_MS == 0
        assert cast_at.microsecond == 0 and cast_at.second == 0
    # The buckets still order the casts: first two in one bucket, the third later.
    stamps = [Checkpoint.from_text(parse_note(r["checkpoint"]).text).timestamp_ms for r in receipts]
    assert stamps == sorted(stamps) and stamps[0] < stamps[2]
    latest = voter.http.get(f"/api/v1/elections/{election.id}/log/checkpoint").text
    assert Checkpoint.from_text(parse_note(latest).text).timestamp_ms % GRANULARITY_MS == 0

    close_election(runtime, election.id, approval=DevApproval("test"), reason="test over")
    out = tmp_path / "board"
    export_board(runtime, election.id, out)
    heads = (out / "heads.jsonl").read_text().splitlines()
    assert len(heads) >= 5  # empty box, three casts, the close
    for line in heads:
        head = Checkpoint.from_text(parse_note(json.loads(line)["note"]).text)
        assert head.timestamp_ms % GRANULARITY_MS == 0
    for path in out.iterdir():  # no other exact time slipped into the record
        text = path.read_text()
        for found in re.findall(r"tohyo-time-ms (\d+)", text):
            assert int(found) % GRANULARITY_MS == 0, path.name
        assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d", text), path.name
