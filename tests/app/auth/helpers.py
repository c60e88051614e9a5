"""Helpers of the HTTP tests: elections per sign-in method, casting with an envelope."""

from __future__ import annotations

import base64
import json
import secrets
from typing import Any

from sqlalchemy import func, select

from tohyo.app.auth.authority import DevApproval
from tohyo.app.services.devkeys import install_dev_key
from tohyo.app.services.elections import create_election, open_election
from tohyo.app.services.roll import import_roll, issue_codes
from tohyo.app.store.models import Voter, VoterSessionRow
from tohyo.app.voter_client import ElectionInfo, Session, VoterClient
from tohyo.crypto import ballot_hash
from tohyo.record.canonical import dumps_canonical
from tohyo.testca import IssuedCard, sign_challenge, sign_envelope

PIN = b"123456"
CHOICES = {"services": ["internet-voting"], "mobility": ["tsukumobi"], "healthcare": ["home-care"]}


def make_election(
    runtime: Any,
    manifest_for: Any,
    election_id: str,
    methods: list[str],
    roll: list[tuple[str, str, str]] | None = None,
    *,
    open_: bool = True,
) -> list[str]:
    """Create, key and open an election taking ``methods``; ``roll`` rows are
    (voter id, name, birth date). Returns one voting code per roll row if codes are taken."""
    manifest = json.loads(manifest_for(election_id))
    manifest["authentication"] = methods
    create_election(runtime, json.dumps(manifest, ensure_ascii=False).encode(), actor="t")
    if roll:
        lines = ["voter_id,name,birth_date,address_code,district"]
        lines += [f"{vid},{name},{birth},082201," for vid, name, birth in roll]
        import_roll(runtime, election_id, ("\n".join(lines) + "\n").encode(), actor="t")
    install_dev_key(runtime, election_id, actor="t")
    if not open_:
        return []
    open_election(runtime, election_id, approval=DevApproval("test"))
    if roll and "code" in methods:
        ids = [vid for vid, _, _ in roll]
        return [c.code for c in issue_codes(runtime, election_id, actor="t", voter_ids=ids)]
    return []


def counts(runtime: Any, election_id: str) -> tuple[int, int]:
    """(voters, voting sessions) of an election: a refusal must leave both unchanged."""
    with runtime.uow() as uow:
        voters = uow.session.scalar(
            select(func.count()).select_from(Voter).where(Voter.election_id == election_id)
        )
        sessions = uow.session.scalar(
            select(func.count())
            .select_from(VoterSessionRow)
            .where(VoterSessionRow.election_id == election_id)
        )
    return int(voters or 0), int(sessions or 0)


def card_sign_in(http: Any, election_id: str, card: IssuedCard, **override: Any) -> Any:
    """Challenge, sign with the card, respond; returns the response of the last step."""
    got = http.post("/auth/jpki/challenge", json={"election_id": election_id})
    assert got.status_code == 201, got.text
    signed = sign_challenge(card.pkcs12, PIN, election_id, got.json()["challenge"])
    body = {
        "election_id": election_id,
        "challenge": got.json()["challenge"],
        "certificate": base64.b64encode(signed.certificate).decode(),
        "signature": base64.b64encode(signed.signature).decode(),
    }
    body.update(override)
    return http.post("/auth/jpki/response", json=body)


def error_code(response: Any) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def session_of(response: Any) -> Session:
    assert response.status_code == 201, response.text
    data = response.json()
    return Session(data["election_id"], data["token"], data["credential"])


def cast_with_envelope(
    http: Any,
    election_id: str,
    session: Session,
    card: IssuedCard | None,
    *,
    envelope: Any = "sign",
) -> tuple[Any, str, ElectionInfo]:
    """Encrypt, have ``card`` sign the ballot hash, cast. Returns (response, tracker, info)."""
    client = VoterClient(http)
    info = client.election(election_id)
    ballot = client.encrypt(info, session, CHOICES)
    tracker = ballot_hash(info.context(session.credential), ballot).hex()
    body: dict[str, Any] = {"ballot": ballot.to_json(), "idempotency_key": secrets.token_hex(8)}
    if envelope == "sign" and card is not None:
        signed = sign_envelope(card.pkcs12, PIN, election_id, bytes.fromhex(tracker))
        body["envelope"] = {
            "certificate": base64.b64encode(signed.certificate).decode(),
            "signature": base64.b64encode(signed.signature).decode(),
        }
    elif envelope != "sign" and envelope is not None:
        body["envelope"] = envelope
    response = http.post(
        f"/api/v1/elections/{election_id}/ballots",
        content=dumps_canonical(body),
        headers={"Authorization": f"Bearer {session.token}", "Content-Type": "application/json"},
    )
    return response, tracker, info
