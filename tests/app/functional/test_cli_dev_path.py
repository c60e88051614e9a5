"""The officials' guide's DEV ONLY quick path ends in a count (issue 12 item 10):
`election dev-key` … close, then `election dev-shares` writes one shares file per dev
trustee, `record tally --shares … --approval` combines them, `record export` publishes,
and the independent verifier passes the record. An election keyed by a real ceremony
is refused. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from tohyo.app.services.elections import get_election
from tohyo.cli.main import _register, app

from .approvals import ADMIN, Clerk, approved
from .test_tally import _cast_and_close


@pytest.fixture
def cli() -> typer.Typer:
    _register()
    return app


def test_dev_key_path_ends_in_a_verified_count(
    cli: typer.Typer, runtime: Any, election: Any, voter: Any, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    eid = election.id
    _cast_and_close(election, voter, runtime)
    clerk = Clerk(runtime.engine, runtime.settings.keys_dir, monkeypatch)
    where = ["--data-dir", str(runtime.settings.data_dir),
             "--database-url", runtime.settings.database_url]

    made = clerk.invoke(cli, "election", "dev-shares", eid, "--out", str(tmp_path / "s"), *where)
    assert made.exit_code == 0, made.output
    assert "DEV ONLY" in made.output
    files = [line for line in made.stdout.splitlines() if line.endswith(".shares.json")]
    assert len(files) == 3  # every dev trustee of the 2-of-3 key

    tally_args = ["record", "tally", "--election", eid]
    for f in files:
        tally_args += ["--shares", f]
    ticket = approved(runtime.engine, runtime.settings.keys_dir, "tally", eid)

    tallied = CliRunner().invoke(cli, [*tally_args, "--approval", ticket, *where])
    assert tallied.exit_code == 0, tallied.output
    assert get_election(runtime, eid).state == "tallied"

    record = tmp_path / "record"
    exported = clerk.invoke(cli, "record", "export", "--election", eid, "--out", str(record),
                            *where)
    assert exported.exit_code == 0, exported.output
    checked = CliRunner().invoke(cli, ["verify", str(record)])
    assert checked.exit_code == 0, checked.output
    trail = [(a, act) for a, act, _ in clerk.trail()]
    assert (ADMIN, "cli.election.dev_shares") in trail
    with runtime.uow() as uow:
        kinds = {(e.kind, e.actor) for e in uow.audit_events(eid)}
    assert ("election.dev_shares", f"dev-key:{ADMIN}") in kinds


def test_dev_shares_refuses_before_the_close_and_for_a_real_ceremony(
    cli: typer.Typer, runtime: Any, election: Any, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clerk = Clerk(runtime.engine, runtime.settings.keys_dir, monkeypatch)
    where = ["--data-dir", str(runtime.settings.data_dir),
             "--database-url", runtime.settings.database_url]
    early = clerk.invoke(cli, "election", "dev-shares", election.id, "--out",
                         str(tmp_path / "s"), *where)
    assert early.exit_code == 1 and "tally.not_closed" in early.output
    assert not (tmp_path / "s").exists()

    from tohyo.app.errors import Conflict
    from tohyo.app.services.devkeys import dev_decryption_shares

    with runtime.uow(write=True) as uow:  # as if a real ceremony had installed the key
        from tohyo.app.services.common import load_election

        row = load_election(uow, election.id)
        row.key_transcript = row.key_transcript.replace('"dev_only":true', '"dev_only":false')
        row.key_transcript = row.key_transcript.replace('"dev_only": true', '"dev_only": false')
        uow.commit()
    from tohyo.app.auth.authority import DevApproval
    from tohyo.app.services.elections import close_election

    close_election(runtime, election.id, approval=DevApproval("test"), reason="test")
    with pytest.raises(Conflict) as caught:
        dev_decryption_shares(runtime, election.id, actor="test")
    assert caught.value.code == "election.not_dev_key"
