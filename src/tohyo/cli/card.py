"""``tohyo card``: stands in for the card-reader app (docs/spec/authentication.md §AUTH-JPKI-3)."""

# ruff: noqa: B008  (Typer declares options as argument defaults)

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from tohyo.testca import sign_challenge, sign_envelope

if TYPE_CHECKING:
    import httpx

cli = typer.Typer(help="Sign with a test card (stands in for the My Number Card reader app).")


def _out(certificate: bytes, signature: bytes) -> None:
    typer.echo(
        json.dumps(
            {
                "certificate": base64.b64encode(certificate).decode(),
                "signature": base64.b64encode(signature).decode(),
            }
        )
    )


@cli.command("sign")
def sign(
    card: Path = typer.Option(..., "--card", help="The card (.p12)."),
    challenge: str = typer.Option(..., help="The challenge from POST /auth/jpki/challenge."),
    election: str = typer.Option(..., help="The election id."),
    pin: str = typer.Option(..., prompt=True, hide_input=True),
) -> None:
    """Sign a sign-in challenge; prints the JSON to post to /auth/jpki/response."""
    signed = sign_challenge(card.read_bytes(), pin.encode(), election, challenge)
    _out(signed.certificate, signed.signature)


@cli.command("sign-ballot")
def sign_ballot(
    card: Path = typer.Option(..., "--card"),
    ballot_hash: str = typer.Option(..., help="Hex SHA-256 of the encrypted ballot."),
    election: str = typer.Option(...),
    pin: str = typer.Option(..., prompt=True, hide_input=True),
) -> None:
    """Sign a ballot hash: the outer envelope."""
    signed = sign_envelope(card.read_bytes(), pin.encode(), election, bytes.fromhex(ballot_hash))
    _out(signed.certificate, signed.signature)


def _answer(response: httpx.Response) -> dict[str, Any]:
    """The JSON of a 2xx answer, or :class:`~tohyo.app.voter_client.Refused`."""
    from tohyo.app.voter_client import Refused

    body = response.json()
    if response.status_code >= 400 or not isinstance(body, dict):
        error = body.get("error", {}) if isinstance(body, dict) else {}
        code, message = error.get("code", "http.error"), error.get("message", "")
        raise Refused(response.status_code, code, message)
    return body


@cli.command("vote")
def vote(
    card: Path = typer.Option(..., "--card", help="The card (.p12)."),
    election: str = typer.Option(..., help="The election id."),
    server: str = typer.Option("http://127.0.0.1:8000", help="The election service."),
    choice: list[str] = typer.Option(
        [], "--choice", help="question=option (repeat); a question left out is blank."
    ),
    pin: str = typer.Option(..., prompt=True, hide_input=True),
) -> None:
    """Vote with the card, as a card-reader app and booth would (demo and tests).

    Signs in (challenge, signature), encrypts the choices on this computer,
    has the card sign the ballot hash (the outer envelope), casts, and checks
    the receipt against the signed log head before printing it.
    """
    import secrets

    import httpx

    from tohyo.app.voter_client import Refused, Session, VoterClient
    from tohyo.crypto import ballot_hash
    from tohyo.record.canonical import dumps_canonical

    chosen: dict[str, list[str]] = {}
    for item in choice:
        question, sep, option = item.partition("=")
        if not sep:
            raise typer.BadParameter(f"--choice {item!r}: use question=option")
        chosen.setdefault(question, []).append(option)
    data = card.read_bytes()
    with httpx.Client(base_url=server, timeout=30) as http:
        client = VoterClient(http)
        try:
            info = client.election(election)
            got = _answer(http.post("/auth/jpki/challenge", json={"election_id": election}))
            signed = sign_challenge(data, pin.encode(), election, got["challenge"])
            body = {
                "election_id": election,
                "challenge": got["challenge"],
                "certificate": base64.b64encode(signed.certificate).decode(),
                "signature": base64.b64encode(signed.signature).decode(),
            }
            opened = _answer(http.post("/auth/jpki/response", json=body))
            session = Session(election, opened["token"], opened["credential"])
            ballot = client.encrypt(info, session, chosen)
            tracker = ballot_hash(info.context(session.credential), ballot)
            outer = sign_envelope(data, pin.encode(), election, tracker)
            request = {
                "ballot": ballot.to_json(),
                "idempotency_key": secrets.token_urlsafe(16),
                "envelope": {
                    "certificate": base64.b64encode(outer.certificate).decode(),
                    "signature": base64.b64encode(outer.signature).decode(),
                },
            }
            receipt = client.post_ballot(election, session.token, dumps_canonical(request))
            client.verify_receipt(info, session, ballot, receipt)
        except Refused as exc:
            typer.echo(f"refused: {exc.code}: {exc.message}", err=True)
            raise typer.Exit(1) from exc
    typer.echo(json.dumps({"tracking_code": receipt["tracking_code"], "receipt": receipt}))


def register(app: typer.Typer) -> None:
    app.add_typer(cli, name="card")
