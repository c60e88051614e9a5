"""``tohyo card``: stands in for the card-reader app (docs/spec/authentication.md §AUTH-JPKI-3)."""

# ruff: noqa: B008  (Typer declares options as argument defaults)

from __future__ import annotations

import base64
import json
from pathlib import Path

import typer

from tohyo.testca import sign_challenge, sign_envelope

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


def register(app: typer.Typer) -> None:
    app.add_typer(cli, name="card")
