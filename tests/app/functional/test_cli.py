"""The officials' commands, end to end on SQLite (they call services, never SQL)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from tohyo.cli import serve

from .approvals import ADMIN, OPERATOR, Clerk, approved


@pytest.fixture
def backend() -> str:
    return "sqlite"


@pytest.fixture
def cli() -> typer.Typer:
    app = typer.Typer()
    serve.register(app)
    return app


def test_election_from_manifest_to_close(
    cli: typer.Typer, tmp_path: Path, manifest_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    data = ["--data-dir", str(tmp_path / "var")]

    def run(*args: str) -> str:
        result = runner.invoke(cli, [*args, *data])
        assert result.exit_code == 0, result.output
        return result.output

    assert "schema at" in run("db", "upgrade")
    from tohyo.app.store.db import make_engine

    settings = serve.settings_from(tmp_path / "var", None)
    engine = make_engine(settings.effective_database_url)
    clerk = Clerk(engine, settings.keys_dir, monkeypatch)

    def signed(*args: str, user: str = ADMIN) -> str:
        """A privileged command: the official signs in (authentication.md §AUTH-APPR-2)."""
        result = clerk.invoke(cli, *args, *data, user=user)
        assert result.exit_code == 0, result.output
        return result.stdout

    manifest = tmp_path / "manifest.json"
    manifest.write_bytes(manifest_for("cli-vote"))
    roll = tmp_path / "roll.csv"
    roll.write_text(
        "voter_id,name,birth_date,address_code,district\n"
        "A1,甲,1980-01-01,082201,\nA2,乙,1981-01-01,082201,\nA3,丙,2019-01-01,082201,\n"
    )
    created = signed("election", "create", "--manifest", str(manifest))
    assert json.loads(created)["state"] == "draft"
    imported = signed("voters", "import", "cli-vote", str(roll))
    assert "added 2" in imported and "under_age" in imported
    assert json.loads(signed("election", "dev-key", "cli-vote"))["state"] == "key_ceremony"

    def approval(action: str) -> list[str]:
        return ["--approval", approved(engine, settings.keys_dir, action, "cli-vote")]

    assert json.loads(run("election", "open", "cli-vote", *approval("open")))["state"] == "open"
    no_roll = runner.invoke(cli, ["codes", "issue", "cli-vote", *data])
    assert no_roll.exit_code == 2 and "--roll" in no_roll.output  # whose codes? say it first
    unreadable = tmp_path / "not-a-roll.csv"
    unreadable.write_text("number,who\n1,x\n")
    refused = clerk.invoke(cli, "codes", "issue", "cli-vote", "--roll", str(unreadable), *data)
    assert refused.exit_code == 1 and "roll.bad_file" in refused.output  # before any code
    codes = signed("codes", "issue", "cli-vote", "--roll", str(roll)).strip().splitlines()
    # One line per voter: the roll number the official can deliver to, then the code.
    assert sorted(line.split("\t")[0] for line in codes) == ["A1", "A2"]
    assert all(len(line.split("\t")[1]) == 19 for line in codes)
    again = signed("codes", "issue", "cli-vote", "--voter-id", "A2").strip().splitlines()
    assert [line.split("\t")[0] for line in again] == ["A2"]
    paper = signed("election", "paper-vote", "cli-vote", "--voter-id", "A1", user=OPERATOR)
    assert "credential" in paper
    # --name/--birth-date name an open roll's voter; this election has a roll (and codes)
    by_name = ["election", "paper-vote", "cli-vote", "--name", "Ａ", "--birth-date", "1980-01-01"]
    closed_roll = clerk.invoke(cli, *by_name, *data, user=OPERATOR)
    assert closed_roll.exit_code == 1 and "override.closed_roll" in closed_roll.output
    both = runner.invoke(cli, [*by_name, "--voter-id", "A1", *data])
    assert both.exit_code == 2
    counts = json.loads(run("election", "counts", "cli-vote"))
    assert (counts["voters_on_roll"], counts["paper_overrides"]) == (2, 1)
    refused = runner.invoke(cli, ["election", "close", "cli-vote", *approval("close"), *data])
    assert refused.exit_code == 1 and "election.reason_required" in refused.output
    closed = run("election", "close", "cli-vote", "--reason", "test", *approval("close"))
    assert json.loads(closed)["state"] == "closed"
    assert "cli-vote\tclosed" in run("election", "list")

    # Both audit trails name the official who signed in; dev-key says it is DEV ONLY.
    from tohyo.app.services.runtime import build_runtime

    runtime = build_runtime(settings)
    try:
        with runtime.uow() as uow:
            actors = {(e.kind, e.actor) for e in uow.audit_events("cli-vote")}
    finally:
        runtime.close()
    assert ("election.create", ADMIN) in actors
    assert ("election.key_installed", f"dev-key:{ADMIN}") in actors
    assert ("paper_vote.record", OPERATOR) in actors
    assert ("codes.issue", ADMIN) in actors
    assert not {actor for _, actor in actors} & {"cli", ""}
    trail = clerk.trail()
    for step in [(ADMIN, "cli.election.create"), (ADMIN, "cli.voters.import"),
                 (ADMIN, "cli.election.dev_key"), (ADMIN, "cli.codes.issue"),
                 (OPERATOR, "cli.election.paper_vote")]:
        assert step in [(a, b) for a, b, _ in trail], step
    assert (ADMIN, "cli.election.dev_key", {"election": "cli-vote", "dev_only": True}) in trail


def test_witness_keygen(cli: typer.Typer, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["witness", "keygen", "--name", "observer.example", "--out", str(tmp_path / "w.key")]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("observer.example+")
    assert (tmp_path / "w.key").stat().st_mode & 0o777 == 0o600


def test_refusal_to_start_is_reported(cli: typer.Typer, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["election", "list", "--data-dir", str(tmp_path), "--database-url", "sqlite:///:memory:"],
    )
    assert result.exit_code == 2 and "refusing to start" in result.output


def test_witness_run_against_a_live_server(
    cli: typer.Typer, tmp_path: Path, election: Any, live_server: str
) -> None:
    runner = CliRunner()
    key = tmp_path / "w.key"
    runner.invoke(cli, ["witness", "keygen", "--name", "observer.example", "--out", str(key)])
    args = [
        "witness",
        "run",
        "--server",
        live_server,
        "--election",
        election.id,
        "--key",
        str(key),
        "--state",
        str(tmp_path / "state.json"),
        "--rounds",
        "2",
        "--interval",
        "0",
    ]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "co-signed size 0" in result.output
