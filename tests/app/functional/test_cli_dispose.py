"""``tohyo election dispose`` at the terminal (manifest.md §MAN-3.1, docs/adr/0056).

Two officials approve; the command refuses before the retention date (exit 1),
without a valid approval (exit 3, or 2 without ``--approval``) and a second
time (exit 1); on success it prints the disposal certificate. The elections are
run on a clock 60 days in the past, so that the command's real clock is after
the first election's retention date and before the second's. SQLite and
PostgreSQL.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import typer

from tohyo.app.auth.authority import DevApproval
from tohyo.app.services.devkeys import install_dev_key
from tohyo.app.services.elections import (
    close_election,
    create_election,
    get_election,
    open_election,
)
from tohyo.app.services.roll import import_roll, issue_codes
from tohyo.app.services.tally import publish_record, record_tally
from tohyo.cli.main import _register, app

from .test_cli_approvals import Terminal, _refused
from .test_tally import _shares

DEV = DevApproval("test")


@pytest.fixture
def clock(clock: Any) -> Any:
    clock.moment = datetime.now(UTC) - timedelta(days=60)
    return clock


@pytest.fixture
def cli() -> typer.Typer:
    _register()
    return app


def _published(
    runtime: Any, voter: Any, manifest_for: Any, eid: str, retain_days: int, tmp: Any
) -> None:
    doc = json.loads(manifest_for(eid, -1, 2))
    end = datetime.fromisoformat(doc["period"]["end"]).date()
    doc["retain_until"] = (end + timedelta(days=retain_days)).isoformat()
    create_election(runtime, json.dumps(doc, ensure_ascii=False).encode(), actor="t")
    roll = "voter_id,name,birth_date,address_code,district\nA1,甲,1980-01-01,082201,\n"
    import_roll(runtime, eid, (roll + "A2,乙,1981-02-02,082201,\n").encode(), actor="t")
    install_dev_key(runtime, eid, actor="t")
    open_election(runtime, eid, approval=DEV)
    codes = [c.code for c in issue_codes(runtime, eid, actor="t")]
    info = voter.election(eid)
    voter.cast(info, voter.start_session(eid, codes[0]), {"services": ["ai-voice"]})
    close_election(runtime, eid, approval=DEV, reason="test over")
    record_tally(runtime, eid, _shares(runtime, eid, (1, 2)), approval=DEV)
    publish_record(runtime, eid, tmp / eid, actor="t")


def test_dispose_at_the_terminal(
    cli: typer.Typer,
    runtime: Any,
    voter: Any,
    manifest_for: Any,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Any,
) -> None:
    _published(runtime, voter, manifest_for, "kept-long", 365, tmp_path)  # kept a year yet
    _published(runtime, voter, manifest_for, "past", 30, tmp_path)  # retention ended
    term = Terminal(cli, runtime, monkeypatch)

    _refused(term.run("election", "dispose", "past"), "--approval", exit_code=2)
    _refused(term.run("election", "dispose", "past", "--approval", "0" * 32),
             "auth.approval.unknown")
    early = term.request("ada", "dispose", "kept-long")
    assert term.approve("ben", early).exit_code == 0
    _refused(term.run("election", "dispose", "kept-long", "--approval", early),
             "disposal.retention_not_over", exit_code=1)
    assert get_election(runtime, "kept-long").state == "published"
    unapproved = term.request("ada", "dispose", "past")
    _refused(term.run("election", "dispose", "past", "--approval", unapproved),
             "auth.approval.not_approved")
    _refused(term.run("election", "dispose", "past", "--approval", early),
             "auth.approval.mismatch")
    assert get_election(runtime, "past").state == "published"

    assert term.approve("ben", unapproved).exit_code == 0
    done = term.run("election", "dispose", "past", "--approval", unapproved)
    assert done.exit_code == 0, done.output
    certificate = json.loads(done.stdout)
    assert certificate["format"] == "tohyo-disposal/1" and certificate["actor"] == "ada+ben"
    assert certificate["deleted"]["voters"] == 2 and certificate["deleted"]["voting_codes"] == 2
    assert certificate["deleted"]["voter_sessions"] == 1
    assert "journal" in certificate["kept"]
    assert get_election(runtime, "past").state == "disposed"
    assert get_election(runtime, "kept-long").state == "published"  # the other is untouched

    again = term.request("ben", "dispose", "past")
    assert term.approve("ada", again).exit_code == 0
    _refused(term.run("election", "dispose", "past", "--approval", again),
             "disposal.already_disposed", exit_code=1)
