"""Audit or cast over HTTP: a spoiled ballot hash can never be cast; a cast one
cannot be spoiled (booth-crypto.md §B3.4, THREATS #43)."""

from __future__ import annotations

from typing import Any

import pytest

from tohyo.app.services.audits import RESPONSE_BYTES, count_spoiled
from tohyo.app.services.demo import DEMO_ID
from tohyo.app.services.runtime import Runtime
from tohyo.app.voter_client import Refused, VoterClient
from tohyo.crypto import ballot_hash

CHOICES = {
    "administrative-services": ["internet-voting"],
    "mobility": [],
    "healthcare": ["emergency-data"],
}


def _spoil(client: Any, token: str | None, body: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(f"/api/v1/elections/{DEMO_ID}/audits", json=body, headers=headers)


def test_audited_ballot_is_never_cast(client: Any, demo_codes: list[str], runtime: Runtime) -> None:
    voter = VoterClient(client)
    info = voter.election(DEMO_ID)
    session = voter.start_session(DEMO_ID, demo_codes[0])
    ballot = voter.encrypt(info, session, CHOICES)
    tracker = ballot_hash(info.context(session.credential), ballot).hex()

    first = _spoil(client, session.token, {"ballot_hash": tracker})
    assert first.status_code == 201
    assert len(first.content) == RESPONSE_BYTES  # padded: the same size for every ballot
    assert first.json()["status"] == "spoiled"
    assert _spoil(client, session.token, {"ballot_hash": tracker}).status_code == 201  # idempotent
    assert count_spoiled(runtime, DEMO_ID) == 1

    with pytest.raises(Refused) as refused:
        voter.cast(info, session, ballot=ballot)
    assert (refused.value.status, refused.value.code) == (409, "ballot.audited")
    with runtime.uow() as uow:
        assert uow.ballot_by_hash(DEMO_ID, tracker) is None

    # A fresh encryption of the same choices casts; it cannot be spoiled afterwards.
    cast = voter.cast(info, session, CHOICES)
    again = _spoil(client, session.token, {"ballot_hash": cast.receipt["ballot_hash"]})
    assert (again.status_code, again.json()["error"]["code"]) == (409, "ballot.already_cast")


def test_another_voter_cannot_reuse_a_spoiled_hash(client: Any, demo_codes: list[str]) -> None:
    voter = VoterClient(client)
    one = voter.start_session(DEMO_ID, demo_codes[0])
    two = voter.start_session(DEMO_ID, demo_codes[1])
    assert _spoil(client, one.token, {"ballot_hash": "ab" * 32}).status_code == 201
    other = _spoil(client, two.token, {"ballot_hash": "ab" * 32})
    assert (other.status_code, other.json()["error"]["code"]) == (409, "ballot.audited")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"ballot_hash": "AB" * 32}, "request.invalid_fields"),
        ({"ballot_hash": "ab" * 31}, "request.invalid_fields"),
        ({"ballot_hash": "ab" * 32, "extra": 1}, "request.invalid_fields"),
        ([], "request.invalid_fields"),
    ],
)
def test_malformed_spoil_requests(client: Any, demo_codes: list[str], body: Any, code: str) -> None:
    session = VoterClient(client).start_session(DEMO_ID, demo_codes[0])
    response = _spoil(client, session.token, body)
    assert (response.status_code, response.json()["error"]["code"]) == (400, code)


def test_spoil_needs_a_session(client: Any) -> None:
    assert _spoil(client, None, {"ballot_hash": "ab" * 32}).status_code == 401
    refused = _spoil(client, "not-a-token", {"ballot_hash": "ab" * 32})
    assert (refused.status_code, refused.json()["error"]["code"]) == (401, "session.invalid")
