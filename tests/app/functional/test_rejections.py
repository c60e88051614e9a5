"""Every refusal through the real HTTP path: a stable code, nothing stored (THREATS "reject").

Each test checks the status, the machine-readable code, and that the log and
the ballot table did not change (no leaf, no receipt, no row).
"""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tohyo.app.auth.authority import DevApproval
from tohyo.app.services.elections import close_election
from tohyo.app.services.overrides import record_paper_vote
from tohyo.app.voter_client import Refused
from tohyo.crypto.group import ORDER

CHOICE = {"services": ["internet-voting"], "mobility": ["tsukumobi"], "healthcare": []}
FF = "ff" * 32  # RFC 9496: not a canonical field element encoding


@pytest.fixture
def backend() -> str:
    """HTTP-level refusals do not depend on the database: SQLite only, for speed.

    The storage-level guarantees (nothing stored on rollback) run on both in
    tests/app/store.
    """
    return "sqlite"


def snapshot(runtime: Any, election_id: str) -> tuple[int, dict[str, int]]:
    with runtime.uow() as uow:
        state = uow.log_state(election_id)
        return (state.size if state else -1), uow.ballot_counts(election_id)


@pytest.fixture
def cast_setup(election: Any, voter: Any) -> Any:
    info = voter.election(election.id)
    session = voter.start_session(election.id, election.next_code())
    ballot = voter.encrypt(info, session, CHOICE)
    return info, session, ballot


def refused(voter: Any, election: Any, token: str, body: Any, status: int, code: str) -> None:
    before = snapshot(election.runtime, election.id)
    with pytest.raises(Refused) as caught:
        voter.post_ballot(election.id, token, body)
    assert (caught.value.status, caught.value.code) == (status, code), caught.value.message
    assert snapshot(election.runtime, election.id) == before


def body_of(ballot_json: Any, key: str = "k-1") -> dict[str, Any]:
    return {"ballot": ballot_json, "idempotency_key": key}


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"{not json", "request.invalid_json"),
        (b'{"ballot": {}, "ballot": {}, "idempotency_key": "a"}', "request.invalid_json"),
        (b'{"ballot": 1.5, "idempotency_key": "a"}', "request.invalid_json"),
        (b"[" * 40 + b"]" * 40, "request.invalid_json"),
        (b'{"ballot": {}}', "request.invalid_fields"),
        (b'{"ballot": {}, "idempotency_key": "a", "x": 1}', "request.invalid_fields"),
        (b'{"ballot": {}, "idempotency_key": "has space"}', "request.bad_idempotency_key"),
        (b'{"ballot": {"questions": []}, "idempotency_key": "a"}', "ballot.bad_encoding"),
    ],
)
def test_malformed_requests(
    election: Any, voter: Any, cast_setup: Any, raw: bytes, code: str
) -> None:
    _, session, _ = cast_setup
    refused(voter, election, session.token, raw, 400, code)


def test_payload_too_large_before_parsing(election: Any, voter: Any, cast_setup: Any) -> None:
    _, session, _ = cast_setup
    limit = election.runtime.settings.max_body_bytes
    refused(voter, election, session.token, b"{" + b" " * limit + b"}", 413, "request.too_large")


def test_payload_too_large_without_content_length(election: Any, client: Any) -> None:
    session = client.post(
        f"/api/v1/elections/{election.id}/sessions", json={"code": election.next_code()}
    ).json()
    limit = election.runtime.settings.max_body_bytes

    def chunks() -> Any:
        for _ in range(limit // 65536 + 2):
            yield b" " * 65536

    response = client.post(
        f"/api/v1/elections/{election.id}/ballots",
        content=chunks(),
        headers={"Authorization": f"Bearer {session['token']}"},
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request.too_large"


def _set_first(ballot_json: Any, path: tuple[Any, ...], value: str) -> Any:
    tampered = copy.deepcopy(ballot_json)
    node = tampered
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return tampered


def test_malformed_point_is_a_bad_encoding(election: Any, voter: Any, cast_setup: Any) -> None:
    _, session, ballot = cast_setup
    bad = _set_first(ballot.to_json(), ("questions", 0, "selections", 0, "ct", "alpha"), FF)
    refused(voter, election, session.token, body_of(bad), 400, "ballot.bad_encoding")


def test_identity_alpha_is_a_bad_encoding(election: Any, voter: Any, cast_setup: Any) -> None:
    _, session, ballot = cast_setup
    bad = _set_first(ballot.to_json(), ("questions", 0, "selections", 0, "ct", "alpha"), "00" * 32)
    refused(voter, election, session.token, body_of(bad), 400, "ballot.bad_encoding")


def test_non_canonical_scalar_is_a_bad_encoding(election: Any, voter: Any, cast_setup: Any) -> None:
    _, session, ballot = cast_setup
    data = ballot.to_json()
    z = data["questions"][0]["selections"][0]["proof"]["z"][0]
    value = int.from_bytes(bytes.fromhex(z), "little") + ORDER  # same scalar, not reduced
    bad = _set_first(
        data, ("questions", 0, "selections", 0, "proof", "z", 0), value.to_bytes(32, "little").hex()
    )
    refused(voter, election, session.token, body_of(bad), 400, "ballot.bad_encoding")


def test_uppercase_hex_is_a_bad_encoding(election: Any, voter: Any, cast_setup: Any) -> None:
    _, session, ballot = cast_setup
    data = ballot.to_json()
    alpha = data["questions"][0]["selections"][0]["ct"]["alpha"]
    bad = _set_first(data, ("questions", 0, "selections", 0, "ct", "alpha"), alpha.upper())
    refused(voter, election, session.token, body_of(bad), 400, "ballot.bad_encoding")


def test_tampered_proof_is_refused(election: Any, voter: Any, cast_setup: Any) -> None:
    _, session, ballot = cast_setup
    data = ballot.to_json()
    z = data["questions"][1]["total_proof"]["z"][0]
    other = ((int.from_bytes(bytes.fromhex(z), "little") + 1) % ORDER).to_bytes(32, "little")
    bad = _set_first(data, ("questions", 1, "total_proof", "z", 0), other.hex())
    refused(voter, election, session.token, body_of(bad), 422, "ballot.invalid_proof")


def test_wrong_shape(election: Any, voter: Any, cast_setup: Any) -> None:
    _, session, ballot = cast_setup
    data = ballot.to_json()
    fewer = {"questions": data["questions"][:2]}
    refused(voter, election, session.token, body_of(fewer), 422, "ballot.wrong_shape")
    no_blank = copy.deepcopy(data)
    no_blank["questions"][0]["blank"] = None
    refused(voter, election, session.token, body_of(no_blank), 422, "ballot.wrong_shape")
    short = copy.deepcopy(data)
    short["questions"][0]["selections"] = short["questions"][0]["selections"][:2]
    refused(voter, election, session.token, body_of(short), 422, "ballot.wrong_shape")


def test_ballot_for_another_election_fails_its_proofs(
    election: Any, voter: Any, cast_setup: Any
) -> None:
    info, session, _ = cast_setup
    elsewhere = replace(info, election_id="another-election")
    ballot = voter.encrypt(elsewhere, session, CHOICE)
    refused(voter, election, session.token, body_of(ballot.to_json()), 422, "ballot.invalid_proof")


def test_ballot_made_for_another_voter_fails_its_proofs(
    election: Any, voter: Any, cast_setup: Any
) -> None:
    _info, _alice, alice_ballot = cast_setup
    bob = voter.start_session(election.id, election.next_code())
    refused(
        voter, election, bob.token, body_of(alice_ballot.to_json()), 422, "ballot.invalid_proof"
    )


def test_replay_of_another_voters_cast_ballot(election: Any, voter: Any, cast_setup: Any) -> None:
    info, alice, alice_ballot = cast_setup
    voter.cast(info, alice, ballot=alice_ballot)
    bob = voter.start_session(election.id, election.next_code())
    refused(voter, election, bob.token, body_of(alice_ballot.to_json()), 403, "ballot.replay")


def test_same_idempotency_key_for_another_ballot(
    election: Any, voter: Any, cast_setup: Any
) -> None:
    info, session, ballot = cast_setup
    voter.cast(info, session, ballot=ballot, idempotency_key="once")
    other = voter.encrypt(info, session, CHOICE)
    refused(
        voter,
        election,
        session.token,
        body_of(other.to_json(), "once"),
        409,
        "ballot.idempotency_conflict",
    )


def test_closed_election(election: Any, voter: Any, cast_setup: Any) -> None:
    _, session, ballot = cast_setup
    close_election(election.runtime, election.id, approval=DevApproval("test"), reason="test")
    refused(voter, election, session.token, body_of(ballot.to_json()), 409, "election.closed")


def test_period_over(election: Any, voter: Any, clock: Any) -> None:
    clock.advance(hours=23, minutes=50)
    session = voter.start_session(election.id, election.next_code())
    ballot = voter.encrypt(voter.election(election.id), session, CHOICE)
    clock.advance(minutes=15)  # the period ends; the session is still valid
    refused(voter, election, session.token, body_of(ballot.to_json()), 409, "election.closed")


@pytest.mark.parametrize(
    ("token", "code"),
    [("", "session.missing"), ("not-a-token", "session.invalid")],
)
def test_bad_session(election: Any, voter: Any, cast_setup: Any, token: str, code: str) -> None:
    _, _, ballot = cast_setup
    refused(voter, election, token, body_of(ballot.to_json()), 401, code)


def test_session_of_another_election(
    election: Any, voter: Any, cast_setup: Any, election_factory: Any
) -> None:
    _, _, ballot = cast_setup
    other = election_factory("other-election")
    stranger = voter.start_session(other.id, other.next_code())
    refused(voter, election, stranger.token, body_of(ballot.to_json()), 401, "session.invalid")


def test_session_expired(election: Any, voter: Any, cast_setup: Any, clock: Any) -> None:
    _, session, ballot = cast_setup
    clock.advance(minutes=31)
    refused(voter, election, session.token, body_of(ballot.to_json()), 401, "session.expired")


def test_voter_who_voted_on_paper(election: Any, voter: Any, cast_setup: Any) -> None:
    _info, session, ballot = cast_setup
    with election.runtime.uow() as uow:
        voter_key = next(
            v.voter_key
            for v in uow.voters(election.id)
            if v.voter_key and _credential(election, v.voter_key) == session.credential
        )
    record_paper_vote(election.runtime, election.id, voter_key, actor="official")
    refused(voter, election, session.token, body_of(ballot.to_json()), 403, "voter.voted_on_paper")


def _credential(election: Any, voter_key: str) -> str:
    from tohyo.app.services.sessions import credential_for

    return credential_for(election.runtime, election.id, voter_key)


def test_bad_and_reused_codes(election: Any, voter: Any) -> None:
    code = election.next_code()
    voter.start_session(election.id, code)
    for attempt in (code, "AAAA-BBBB-CCCC-DDDD", "x"):
        with pytest.raises(Refused) as caught:
            voter.start_session(election.id, attempt)
        assert (caught.value.status, caught.value.code) == (401, "session.bad_code")


def test_session_before_the_period_starts(runtime: Any, voter: Any, manifest_for: Any) -> None:
    from tohyo.app.services.devkeys import install_dev_key
    from tohyo.app.services.elections import create_election, open_election
    from tohyo.app.services.roll import import_roll, issue_codes

    create_election(runtime, manifest_for("later", start_h=2, end_h=30), actor="t")
    import_roll(
        runtime,
        "later",
        b"voter_id,name,birth_date,address_code,district\nA1,x,1980-01-01,082201,\n",
        actor="t",
    )
    install_dev_key(runtime, "later")
    open_election(runtime, "later", approval=DevApproval("test"))
    code = issue_codes(runtime, "later", actor="t")[0].code
    with pytest.raises(Refused) as caught:
        voter.start_session("later", code)
    assert (caught.value.status, caught.value.code) == (409, "election.not_started")


def test_unknown_election_and_route(voter: Any) -> None:
    response = voter.http.get("/api/v1/elections/nope")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "election.not_found"
    response = voter.http.get("/api/v1/nowhere")
    assert response.json()["error"]["code"] == "request.not_found"
    response = voter.http.get("/api/v1/elections/nope/log/inclusion", params={"index": "x"})
    assert (response.status_code, response.json()["error"]["code"]) == (400, "request.invalid")


def test_error_bodies_are_json(election: Any, client: Any) -> None:
    response = client.post(f"/api/v1/elections/{election.id}/ballots", content=b"{}")
    assert response.status_code == 401
    assert set(json.loads(response.text)) == {"error"}


def test_every_rfc9496_invalid_encoding_is_refused(
    election: Any, voter: Any, cast_setup: Any
) -> None:
    """RFC 9496 §A.2: each invalid encoding, as α and as β of a ciphertext."""
    vectors = json.loads(
        (Path(__file__).parents[2] / "vectors" / "ristretto255" / "rfc9496.json").read_text()
    )["invalid_encodings"]["vectors"]
    _, session, ballot = cast_setup
    for vector in vectors:
        for field in ("alpha", "beta"):
            bad = _set_first(
                ballot.to_json(), ("questions", 2, "selections", 1, "ct", field), vector["encoding"]
            )
            refused(voter, election, session.token, body_of(bad), 400, "ballot.bad_encoding")


def test_database_outage_is_a_fast_503(
    election: Any, voter: Any, cast_setup: Any, monkeypatch: Any
) -> None:
    from sqlalchemy.exc import OperationalError

    _, session, ballot = cast_setup

    def down(*_args: Any, **_kwargs: Any) -> Any:
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(type(election.runtime.uow), "__call__", down)
    with pytest.raises(Refused) as caught:
        voter.post_ballot(election.id, session.token, body_of(ballot.to_json()))
    assert (caught.value.status, caught.value.code) == (503, "storage.unavailable")
    monkeypatch.undo()
    voter.post_ballot(election.id, session.token, body_of(ballot.to_json()))  # recovers
