"""``tohyo witness state --post`` and ``tohyo witness submit`` against a real server (§REC-10).

The witness's key (from ``tohyo witness keygen``) is declared in the manifest;
its opening statement is posted and becomes a leaf; the same statement again
is refused by the server (``statement.duplicate``) and the CLI exits with 1.
Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from tohyo.app.auth.authority import DevApproval
from tohyo.app.services.devkeys import install_dev_key
from tohyo.app.services.elections import create_election, open_election
from tohyo.cli.main import _register, app
from tohyo.record.canonical import dumps_canonical
from tohyo.record.manifest import parse_manifest
from tohyo.record.transparency import declare_log

EID = "cli-statements"


def test_a_witness_posts_its_statement_and_a_replay_is_refused(
    live_server: str, runtime: Any, manifest_for: Any, tmp_path: Path
) -> None:
    _register()
    runner = CliRunner()
    key = tmp_path / "witness.key"
    made = runner.invoke(app, ["witness", "keygen", "--name", "witness.example", "--out",
                               str(key)])
    assert made.exit_code == 0, made.output
    vkey = made.output.strip().splitlines()[-1]
    log_key = runtime.ledger.verifier_key(EID)
    manifest = declare_log(parse_manifest(manifest_for(EID)), log_key, [vkey], 1)
    create_election(runtime, dumps_canonical(manifest.to_json()), actor="test")
    install_dev_key(runtime, EID, actor="test")
    open_election(runtime, EID, approval=DevApproval("test"))

    out = tmp_path / "opening.json"
    posted = runner.invoke(app, [
        "witness", "state", "--server", live_server, "--election", EID, "--key", str(key),
        "--event", "opening", "--checked", "the ballot box is empty", "--log-key", log_key,
        "--out", str(out), "--post"])
    assert posted.exit_code == 0, posted.output
    assert "posted: leaf 0 of the log" in posted.output
    with runtime.uow() as uow:
        (leaf,) = uow.leaves(EID)
    assert leaf.kind == "statement"
    assert {k: v for k, v in json.loads(leaf.data).items() if k != "kind"} == \
        json.loads(out.read_text())

    again = runner.invoke(app, ["witness", "submit", str(out), "--server", live_server])
    assert again.exit_code == 1
    assert "statement.duplicate" in again.output
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**json.loads(out.read_text()), "event": "lunch"}))
    refused = runner.invoke(app, ["witness", "submit", str(bad), "--server", live_server])
    assert refused.exit_code == 1 and "not a statement" in refused.output
    with runtime.uow() as uow:
        assert len(uow.leaves(EID)) == 1  # nothing more stored
