"""``tohyo verify-audit FILE``: check an audited ballot on a second device.

The booth's "check this encryption" offers the audited-ballot document
(docs/spec/booth-crypto.md §B3.2). This command opens it with the election's
own parameters (manifest hash, public key, ballot style), taken from the
election service (``--server``) or from a saved copy of its election JSON
(``--election``, the answer of ``GET /api/v1/elections/{id}``), never from the
document, and prints the tracking code and the choices the ballot encodes
(§B3.3), for the voter to compare with what they chose.

Exit status: 0 when the document opens, 1 when it does not (with the reason),
2 for a usage problem.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from tohyo.crypto import CryptoError, InvalidEncoding, PublicKey
from tohyo.crypto.audit import AuditedBallot, check_audited_ballot
from tohyo.record.manifest import Manifest, Question

__all__ = ["register", "verify_audit"]


def _election_json(server: str | None, election: Path | None, election_id: str) -> dict[str, Any]:
    if (server is None) == (election is None):
        raise typer.BadParameter("give exactly one of --server and --election")
    if election is not None:
        data: dict[str, Any] = json.loads(election.read_text(encoding="utf-8"))
        return data
    import httpx

    with httpx.Client(base_url=str(server), timeout=30) as http:
        response = http.get(f"/api/v1/elections/{election_id}")
        response.raise_for_status()
        found: dict[str, Any] = response.json()
        return found


def _label(question: Question, option_id: str, lang: str) -> str:
    for option in getattr(question, "candidates", ()):
        if option.id == option_id:
            return f"{option.number} {option.name.get(lang)} ({option.kana})"
    for option in getattr(question, "options", ()):
        if option.id == option_id:
            return str(option.label.get(lang))
    for level in getattr(question, "levels", ()):
        if level.id == option_id:
            return str(level.value)
    return option_id


def _tracking_code(ballot_hash: bytes) -> str:
    import base64

    raw = base64.b32encode(ballot_hash[:15]).decode()
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


FILE = typer.Argument(..., exists=True, dir_okay=False, help="The audited-ballot JSON.")
SERVER = typer.Option(None, help="Election service URL, e.g. https://vote.example")
ELECTION = typer.Option(
    None, exists=True, dir_okay=False, help="Saved GET /api/v1/elections/{id} JSON."
)
LANG = typer.Option("ja", help="Language of the printed labels (ja, en, ja-x-easy).")


def verify_audit(
    file: Path = FILE,
    server: str | None = SERVER,
    election: Path | None = ELECTION,
    lang: str = LANG,
) -> None:
    """Open an audited ballot and print the choices it encodes (booth-crypto.md §B3.3)."""
    try:
        audited = AuditedBallot.from_json(json.loads(file.read_text(encoding="utf-8")))
    except (ValueError, InvalidEncoding) as exc:
        typer.echo(f"verify-audit: not an audited-ballot document: {exc}", err=True)
        raise typer.Exit(1) from exc
    data = _election_json(server, election, audited.election_id)
    manifest = Manifest.from_json(data["manifest"])
    from tohyo.app.services.context import ballot_style

    try:
        choices = check_audited_ballot(
            audited,
            election_id=str(data["id"]),
            manifest_hash=bytes.fromhex(data["manifest_hash"]),
            key=PublicKey.from_hex(data["public_key"]),
            style=ballot_style(manifest),
        )
    except CryptoError as exc:
        typer.echo(f"verify-audit: FAILED: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"election:      {audited.election_id}")
    typer.echo(f"tracking code: {_tracking_code(audited.ballot_hash)}")
    typer.echo("This ballot was audited: it can never be cast. It encodes:")
    for question in manifest.questions:
        chosen = choices[question.id]
        text = ", ".join(_label(question, o, lang) for o in chosen) if chosen else "(blank)"
        typer.echo(f"  {question.title.get(lang)}: {text}")
    typer.echo("OK: compare these with the choices you made in the booth.")


def register(app: typer.Typer) -> None:
    app.command("verify-audit")(verify_audit)
