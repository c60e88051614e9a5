"""The public log endpoints and the witness protocol (§CAST-8, THREATS #22-#23)."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

from tohyo.cli.witness import witness_round
from tohyo.log import (
    Checkpoint,
    CosignatureSigner,
    InconsistentHead,
    Witness,
    encode_verifier_key,
    leaf_hash,
    open_checkpoint,
    parse_note,
    sign_checkpoint,
    verifier_from_key,
    verify_consistency,
    verify_cosignature,
    verify_inclusion,
)
from tohyo.record.canonical import dumps_canonical

CHOICE = {"healthcare": ["lifestyle"]}


def _b64(values: list[str]) -> list[bytes]:
    return [base64.b64decode(v) for v in values]


@pytest.fixture
def cast_three(election: Any, voter: Any) -> list[dict[str, Any]]:
    info = voter.election(election.id)
    receipts = []
    for _ in range(3):
        session = voter.start_session(election.id, election.next_code())
        receipts.append(voter.cast(info, session, CHOICE).receipt)
    return receipts


def test_entries_inclusion_and_consistency(
    election: Any, client: Any, cast_three: list[dict[str, Any]]
) -> None:
    base = f"/api/v1/elections/{election.id}/log"
    key = verifier_from_key(client.get(f"{base}/key").text.strip())
    latest = open_checkpoint(client.get(f"{base}/checkpoint").text, [key]).checkpoint
    assert latest.size == 3
    page = client.get(f"{base}/entries", params={"start": 1, "end": 3}).json()
    assert [e["index"] for e in page["entries"]] == [1, 2]
    for entry in page["entries"]:
        data = dumps_canonical(entry["data"])
        proof = client.get(f"{base}/inclusion", params={"index": entry["index"]}).json()
        verify_inclusion(
            leaf_hash(data),
            entry["index"],
            latest.size,
            _b64(proof["inclusion_proof"]),
            latest.root_hash,
        )
    first = open_checkpoint(cast_three[0]["checkpoint"], [key]).checkpoint
    found = client.get(f"{base}/consistency", params={"old": first.size}).json()
    verify_consistency(
        first.size,
        latest.size,
        first.root_hash,
        latest.root_hash,
        _b64(found["consistency_proof"]),
    )
    by_code = client.get(
        f"/api/v1/elections/{election.id}/ballots/{cast_three[1]['tracking_code'].lower()}"
    ).json()
    assert (by_code["leaf_index"], by_code["recorded"]) == (1, True)
    by_hash = client.get(
        f"/api/v1/elections/{election.id}/ballots/{cast_three[2]['ballot_hash']}"
    ).json()
    assert by_hash["leaf_index"] == 2


@pytest.mark.parametrize(
    ("path", "params", "status", "code"),
    [
        ("entries", {"start": 5, "end": 2}, 400, "log.bad_range"),
        ("inclusion", {"index": 3}, 404, "log.bad_index"),
        ("consistency", {"old": 2, "new": 1}, 400, "log.bad_range"),
        ("checkpoint", {"size": 99}, 404, "log.no_checkpoint"),
    ],
)
def test_log_query_refusals(
    election: Any, client: Any, cast_three: Any, path: str, params: Any, status: int, code: str
) -> None:
    response = client.get(f"/api/v1/elections/{election.id}/log/{path}", params=params)
    assert (response.status_code, response.json()["error"]["code"]) == (status, code)


def test_witness_cosigns_and_the_server_serves_it(
    election: Any, voter: Any, client: Any, tmp_path: Any, cast_three: Any
) -> None:
    base = f"/api/v1/elections/{election.id}/log"
    log_key = client.get(f"{base}/key").text.strip()
    signer = CosignatureSigner.generate("witness.example")
    vkey = encode_verifier_key(signer.verifier())
    witness = Witness(signer, [verifier_from_key(log_key)], tmp_path / "state.json")
    assert witness_round(client, election.id, witness, vkey).size == 3
    info = voter.election(election.id)
    session = voter.start_session(election.id, election.next_code())
    voter.cast(info, session, CHOICE)
    second = witness_round(client, election.id, witness, vkey)
    assert (second.old_size, second.size) == (3, 4)
    note = parse_note(client.get(f"{base}/checkpoint").text)
    verify_cosignature(note, signer.verifier())
    open_checkpoint(note, [verifier_from_key(log_key)])
    # Posting the same cosignature again is harmless.
    assert witness_round(client, election.id, witness, vkey).size == 4


def test_witness_refuses_a_forked_head(
    election: Any, client: Any, tmp_path: Any, cast_three: Any, runtime: Any
) -> None:
    base = f"/api/v1/elections/{election.id}/log"
    log_key = client.get(f"{base}/key").text.strip()
    signer = CosignatureSigner.generate("witness.example")
    vkey = encode_verifier_key(signer.verifier())
    witness = Witness(signer, [verifier_from_key(log_key)], tmp_path / "state.json")
    witness_round(client, election.id, witness, vkey)
    # A server that shows another tree of the same size (a split view), signed with its key.
    forged = sign_checkpoint(
        Checkpoint.timestamped(runtime.ledger.origin(election.id), 3, b"\x07" * 32, 2**41),
        runtime.ledger.signer(election.id),
    ).to_text()
    posted: list[Any] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            posted.append(request)
        return httpx.Response(200, text=forged)

    with httpx.Client(transport=httpx.MockTransport(handler), base_url="http://x") as fake:
        with pytest.raises(InconsistentHead):
            witness_round(fake, election.id, witness, vkey)
    assert posted == []


@pytest.mark.parametrize("case", ["garbage", "log-key", "wrong-head", "no-size"])
def test_bad_cosignatures_are_refused(
    election: Any, client: Any, cast_three: Any, case: str
) -> None:
    base = f"/api/v1/elections/{election.id}/log"
    signer = CosignatureSigner.generate("witness.example")
    head = parse_note(client.get(f"{base}/checkpoint", params={"size": 2}).text)
    line = signer.sign(head.text.encode()).to_line()
    body = {"size": 3, "witness_key": encode_verifier_key(signer.verifier()), "signature": line}
    expected = (400, "cosignature.invalid")
    if case == "garbage":
        body["signature"] = "— witness.example AAAA"
    elif case == "log-key":
        body["witness_key"] = client.get(f"{base}/key").text.strip()
        expected = (403, "cosignature.untrusted")
    elif case == "no-size":
        body["size"] = 42
        expected = (404, "log.no_checkpoint")
    response = client.post(f"{base}/cosignatures", json=body)
    assert (response.status_code, response.json()["error"]["code"]) == expected
    assert client.get(f"{base}/checkpoint").text.count("\u2014") == 1
