"""Casting through the real HTTP path: receipts, revotes, idempotent retries (§CAST-3)."""

from __future__ import annotations

from typing import Any

import pytest

from tohyo.app.services.counts import check_count_invariant, report_counts
from tohyo.app.voter_client import BadReceipt
from tohyo.log import MerkleTree, leaf_hash, open_checkpoint, verifier_from_key

CHOICE = {"services": ["internet-voting"], "mobility": [], "healthcare": ["home-care"]}


def test_cast_returns_a_receipt_the_voter_can_check(election: Any, voter: Any) -> None:
    info = voter.election(election.id)
    session = voter.start_session(election.id, election.next_code())
    result = voter.cast(info, session, CHOICE)  # verifies the receipt
    receipt = result.receipt
    assert receipt["leaf_index"] == 0 and receipt["sequence"] == 1
    assert receipt["credential"] == session.credential
    assert len(receipt["tracking_code"]) == 29
    assert result.head.checkpoint.size == 1
    assert check_count_invariant(election.runtime, election.id) == 1


def test_a_forged_receipt_is_refused_by_the_client(election: Any, voter: Any) -> None:
    info = voter.election(election.id)
    session = voter.start_session(election.id, election.next_code())
    result = voter.cast(info, session, CHOICE)
    other = voter.encrypt(info, session, CHOICE)
    with pytest.raises(BadReceipt):
        voter.verify_receipt(info, session, other, result.receipt)
    tampered = {**result.receipt, "leaf_index": 1}
    with pytest.raises(BadReceipt):
        voter.verify_receipt(info, session, result.ballot, tampered)


def test_revote_supersedes_and_last_counts(election: Any, voter: Any, runtime: Any) -> None:
    info = voter.election(election.id)
    session = voter.start_session(election.id, election.next_code())
    first = voter.cast(info, session, CHOICE)
    second = voter.cast(info, session, {"services": ["ai-voice"]})
    assert second.receipt["sequence"] == 2
    assert second.receipt["leaf_index"] > first.receipt["leaf_index"]
    assert check_count_invariant(runtime, election.id) == 1
    counts = report_counts(runtime, election.id)
    assert (counts.casts, counts.supersessions, counts.effective) == (2, 1, 1)
    status = voter.http.get(
        f"/api/v1/elections/{election.id}/ballots/{first.receipt['tracking_code']}/status",
        headers={"Authorization": f"Bearer {session.token}"},
    ).json()
    assert (status["status"], status["counts"]) == ("superseded", False)


def test_idempotent_retry_returns_the_same_receipt(election: Any, voter: Any, runtime: Any) -> None:
    info = voter.election(election.id)
    session = voter.start_session(election.id, election.next_code())
    ballot = voter.encrypt(info, session, CHOICE)
    body = {"ballot": ballot.to_json(), "idempotency_key": "tab-1"}
    first = voter.post_ballot(election.id, session.token, body)
    again = voter.post_ballot(election.id, session.token, body)
    # The same ballot under another key (a second tab) is also the same cast.
    other_key = voter.post_ballot(election.id, session.token, {**body, "idempotency_key": "tab-2"})
    assert first == again == other_key
    assert report_counts(runtime, election.id).casts == 1
    size = voter.http.get(f"/api/v1/elections/{election.id}/log/entries").json()["size"]
    assert size == 1


def test_every_receipt_head_is_consistent_with_the_final_log(
    election: Any, voter: Any, runtime: Any
) -> None:
    info = voter.election(election.id)
    receipts = []
    for _ in range(4):
        session = voter.start_session(election.id, election.next_code())
        receipts.append(voter.cast(info, session, CHOICE).receipt)
        assert check_count_invariant(runtime, election.id) == len(receipts)
    entries = voter.http.get(f"/api/v1/elections/{election.id}/log/entries").json()
    tree = MerkleTree()
    from tohyo.record.canonical import dumps_canonical

    for entry in entries["entries"]:
        data = dumps_canonical(entry["data"])
        assert leaf_hash(data).hex() == entry["leaf_hash"]
        tree.append(data)
    verifier = verifier_from_key(info.log_key)
    for receipt in receipts:
        head = open_checkpoint(receipt["checkpoint"], [verifier]).checkpoint
        assert tree.root(head.size) == head.root_hash


def test_openapi_document_lists_the_api(client: Any) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    cast = paths["/api/v1/elections/{election_id}/ballots"]["post"]
    assert {"ballot", "idempotency_key"} == set(
        cast["requestBody"]["content"]["application/json"]["schema"]["required"]
    )
    for path in ("checkpoint", "entries", "inclusion", "consistency", "cosignatures", "key"):
        assert f"/api/v1/elections/{{election_id}}/log/{path}" in paths
