"""``tohyo witness state``: a witness signs what it checked over a head the server serves."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from tohyo.cli.main import _register, app
from tohyo.record.statements import StatementEvent, WitnessStatement
from tohyo.record.transparency import DeclaredWitness, LogDeclaration


def test_a_witness_states_the_empty_ballot_box(
    live_server: str, election: Any, runtime: Any, tmp_path: Path
) -> None:
    _register()
    runner = CliRunner()
    key = tmp_path / "witness.key"
    made = runner.invoke(app, ["witness", "keygen", "--name", "witness.example", "--out",
                               str(key)])
    assert made.exit_code == 0, made.output
    vkey = made.output.strip().splitlines()[-1]
    log_key = runtime.ledger.verifier_key(election.id)
    out = tmp_path / "statement.json"
    args = ["witness", "state", "--server", live_server, "--election", election.id, "--key",
            str(key), "--checked", "the ballot box is empty", "--log-key", log_key,
            "--size", "0", "--out", str(out)]
    result = runner.invoke(app, [*args, "--event", "opening"])
    assert result.exit_code == 0, result.output
    statement = WitnessStatement.from_json(json.loads(out.read_text()))
    assert statement.event is StatementEvent.OPENING and statement.checkpoint.size == 0
    declared = LogDeclaration(log_key, (DeclaredWitness("w", "w", vkey),), 1)
    assert statement.witness(declared).key == vkey
    refused = runner.invoke(app, [*args, "--event", "party"])
    assert refused.exit_code != 0
    wrong_log = runner.invoke(app, [*args[:-6], "--log-key", vkey, "--size", "0", "--out",
                                    str(tmp_path / "x.json"), "--event", "opening"])
    assert wrong_log.exit_code == 1 and "REFUSED" in wrong_log.output
    assert not (tmp_path / "x.json").exists()
