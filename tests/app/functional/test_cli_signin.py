"""Every privileged command signs an official in at the terminal (authentication.md
§AUTH-APPR-2, docs/adr/0041; issue 6 item 4, THREATS #41).

``election create|dev-key|withdraw|paper-vote``, ``voters import``, ``codes issue|letters``,
``record board|export`` and ``trustee init --election|install`` refuse a wrong password, a
wrong one-time code, a wrong role and a missing sign-in with exit status 3 and a
``code: message`` line, before the service acts; with a valid sign-in both audit trails name
the official. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from tohyo.app.services.devkeys import install_dev_key
from tohyo.app.services.elections import create_election, get_election
from tohyo.cli.main import _register, app

from .approvals import ADMIN, OPERATOR, PASSWORD, WITNESS, Clerk

Args = Callable[[Path], list[str]]

# command -> (arguments given the test directory, the officials' audit action, who may run it)
COMMANDS: dict[str, tuple[Args, str, tuple[str, ...]]] = {
    "election create": (lambda d: ["election", "create", "--manifest", str(d / "m.json")],
                        "cli.election.create", (ADMIN,)),
    "election dev-key": (lambda d: ["election", "dev-key", "e1"], "cli.election.dev_key",
                         (ADMIN,)),
    "election withdraw": (lambda d: ["election", "withdraw", "e1", "c1"],
                          "cli.election.withdraw", (ADMIN,)),
    "election paper-vote": (lambda d: ["election", "paper-vote", "e1", "--voter-id", "V0000"],
                            "cli.election.paper_vote", (ADMIN, OPERATOR)),
    "voters import": (lambda d: ["voters", "import", "e1", str(d / "roll.csv")],
                      "cli.voters.import", (ADMIN,)),
    "codes issue": (lambda d: ["codes", "issue", "e1", "--roll", str(d / "roll.csv")],
                    "cli.codes.issue", (ADMIN,)),
    "codes letters": (lambda d: ["codes", "letters", "--election", "e1", "--roll",
                                 str(d / "roll.csv"), "--out", str(d / "letters"),
                                 "--booth-url", "https://vote.example"],
                      "cli.codes.letters", (ADMIN,)),
    "record board": (lambda d: ["record", "board", "--election", "e1", "--out", str(d / "b")],
                     "cli.record.board", (ADMIN,)),
    "record export": (lambda d: ["record", "export", "--election", "e1", "--out",
                                 str(d / "r")], "cli.record.export", (ADMIN,)),
    "trustee init": (lambda d: ["trustee", "init", "--election", "e1"], "cli.trustee.init",
                     (ADMIN,)),
    "trustee install": (lambda d: ["trustee", "install", "--election", "e1"],
                        "cli.trustee.install", (ADMIN,)),
}


@pytest.fixture
def cli() -> typer.Typer:
    _register()
    return app


def _refused(result: Any, code: str) -> None:
    assert result.exit_code == 3, result.output
    assert f"{code}: " in result.output, result.output


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_each_privileged_command_refuses_without_a_valid_sign_in(
    command: str, cli: typer.Typer, runtime: Any, manifest_for: Any, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    args, action, allowed = COMMANDS[command]
    s = runtime.settings
    db = ["--data-dir", str(s.data_dir), "--database-url", s.database_url]
    (tmp_path / "m.json").write_bytes(manifest_for("e1"))
    (tmp_path / "roll.csv").write_text(
        "voter_id,name,birth_date,address_code,district\nV0000,甲,1980-01-01,082201,\n")
    argv = [*args(tmp_path), *db]
    clerk = Clerk(runtime.engine, s.keys_dir, monkeypatch)
    wrong_role = OPERATOR if OPERATOR not in allowed else WITNESS

    _refused(clerk.invoke(cli, *argv, password="not the password at all"), "auth.signin.failed")
    _refused(clerk.invoke(cli, *argv, totp=clerk.wrong_code(ADMIN)), "auth.signin.failed")
    _refused(clerk.invoke(cli, *argv, user="nobody", totp=clerk.code(ADMIN)), "auth.signin.failed")
    _refused(clerk.invoke(cli, *argv, user=wrong_role), "auth.forbidden.role")
    nobody = CliRunner().invoke(cli, argv, input="")  # no --user, nothing typed
    _refused(nobody, "auth.signin.required")
    assert "--actor" not in CliRunner().invoke(cli, [*args(tmp_path)[:2], "--help"]).output

    trail = clerk.trail()
    assert not [t for t in trail if t[1].startswith("cli.")]  # nothing was done
    assert [a for a, b, _ in trail if b == "official.sign_in_failed"] == [ADMIN, ADMIN, "nobody"]
    denied = [(a, d) for a, b, d in trail if b == "official.denied"]
    assert denied == [(wrong_role, {"role": {OPERATOR: "operator", WITNESS: "witness"}[wrong_role],
                                    "needs": sorted({ADMIN: "administrator",
                                                     OPERATOR: "operator"}[r] for r in allowed),
                                    "command": action.removeprefix("cli.")})]
    with pytest.raises(Exception, match="e1"):
        get_election(runtime, "e1")  # not even `election create` went through


def _candidates(manifest_for: Any, election_id: str) -> bytes:
    raw = json.loads(manifest_for(election_id))
    raw["questions"] = [{
        "id": "mayor", "kind": "candidates", "title": {"ja": "市長"}, "allow_blank": True,
        "min_selections": 1, "max_selections": 1,
        "candidates": [{"id": f"c{n}", "number": n, "name": {"ja": f"候補 {n}"},
                        "kana": "こうほ", "party": None} for n in (1, 2)],
    }]
    return json.dumps(raw).encode()


def test_a_signed_in_official_is_named_in_both_trails(
    cli: typer.Typer, runtime: Any, manifest_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = runtime.settings
    db = ["--data-dir", str(s.data_dir), "--database-url", s.database_url]
    create_election(runtime, _candidates(manifest_for, "mayor"), actor="t")
    install_dev_key(runtime, "mayor")
    clerk = Clerk(runtime.engine, s.keys_dir, monkeypatch)

    # Typed at the terminal: user name, hidden password, one-time code.
    typed = f"{ADMIN}\n{PASSWORD}\n{clerk.code(ADMIN)}\n"
    done = CliRunner().invoke(cli, ["election", "withdraw", "mayor", "c2", *db], input=typed)
    assert done.exit_code == 0, done.output
    assert PASSWORD not in done.output
    # A refusal by the service after a valid sign-in: exit 1, logged with its code.
    again = clerk.invoke(cli, "election", "withdraw", "mayor", "c2", *db)
    assert again.exit_code == 1, again.output

    with runtime.uow() as uow:
        events = [(e.kind, e.actor) for e in uow.audit_events("mayor")]
    assert ("election.withdraw", ADMIN) in events
    trail = clerk.trail()
    done_ = [(a, d) for a, b, d in trail if b == "cli.election.withdraw"]
    assert done_[0] == (ADMIN, {"election": "mayor", "candidate": "c2", "reason": "withdrew"})
    assert done_[1][0] == ADMIN and done_[1][1]["refused"].startswith("election.")
