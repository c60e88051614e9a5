"""``tohyo verify-audit``: an audited ballot made in the browser's format opens on a
second device to the voter's choices; a tampered document or another election fails."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from typer.testing import CliRunner

from tohyo.app.services.demo import DEMO_ID
from tohyo.app.voter_client import VoterClient
from tohyo.cli import audit
from tohyo.crypto import ballot_hash
from tohyo.crypto.audit import AuditedBallot, _encrypt_ballot_for_audit
from tohyo.crypto.randomness import SYSTEM


def _app() -> typer.Typer:
    app = typer.Typer()
    audit.register(app)
    app.command("noop")(lambda: None)  # a group, so that the command is named
    return app


def _document(client: Any, code: str, tmp_path: Path) -> tuple[Path, Path]:
    voter = VoterClient(client)
    info = voter.election(DEMO_ID)
    session = voter.start_session(DEMO_ID, code)
    choices = {
        "administrative-services": ["ai-citizen-voice"],
        "mobility": [],
        "healthcare": ["online-home-care"],
    }
    context = info.context(session.credential)
    ballot, nonces = _encrypt_ballot_for_audit(
        context, info.public_key, info.style, choices, SYSTEM
    )
    audited = AuditedBallot(
        DEMO_ID, session.credential, ballot_hash(context, ballot), ballot, nonces
    )
    document = tmp_path / "audited.json"
    document.write_text(json.dumps(audited.to_json()), encoding="utf-8")
    election = tmp_path / "election.json"
    election.write_text(client.get(f"/api/v1/elections/{DEMO_ID}").text, encoding="utf-8")
    return document, election


def test_verify_audit_prints_the_choices(
    client: Any, demo_codes: list[str], tmp_path: Path
) -> None:
    document, election = _document(client, demo_codes[0], tmp_path)
    result = CliRunner().invoke(
        _app(), ["verify-audit", str(document), "--election", str(election)]
    )
    assert result.exit_code == 0, result.output
    assert "AIによる市民の声の分析" in result.output
    assert "(blank)" in result.output
    assert "オンライン在宅医療" in result.output
    english = CliRunner().invoke(
        _app(), ["verify-audit", str(document), "--election", str(election), "--lang", "en"]
    )
    assert "AI citizen voice" in english.output


def test_verify_audit_refuses_tampering(client: Any, demo_codes: list[str], tmp_path: Path) -> None:
    document, election = _document(client, demo_codes[0], tmp_path)
    data = json.loads(document.read_text(encoding="utf-8"))
    data["nonces"]["questions"][0]["selections"].reverse()  # claim another choice
    document.write_text(json.dumps(data), encoding="utf-8")
    result = CliRunner().invoke(
        _app(), ["verify-audit", str(document), "--election", str(election)]
    )
    assert result.exit_code == 1
    assert "FAILED" in result.output
    other = json.loads(election.read_text(encoding="utf-8"))
    other["id"] = "another-election"
    election.write_text(json.dumps(other), encoding="utf-8")
    data["nonces"]["questions"][0]["selections"].reverse()
    document.write_text(json.dumps(data), encoding="utf-8")
    result = CliRunner().invoke(
        _app(), ["verify-audit", str(document), "--election", str(election)]
    )
    assert result.exit_code == 1
