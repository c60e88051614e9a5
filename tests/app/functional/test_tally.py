"""Tally and publication through the services and ``tohyo record``: lifecycle, refusals.

After the close the trustees' shares are combined (``closed`` → ``tallied``,
a bad share named and set aside), and the first export of the record publishes
the election (``tallied`` → ``published``); the record lists the witness that
cosigned the final head and verifies. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tohyo.app.auth.authority import DevApproval
from tohyo.app.errors import Conflict
from tohyo.app.services.elections import close_election, get_election
from tohyo.app.services.tally import (
    board_snapshot,
    propose_tally,
    publish_record,
    record_tally,
    trustee_shares,
)
from tohyo.cli.main import _register, app
from tohyo.cli.witness import witness_round
from tohyo.crypto.decryption import DecryptionShare
from tohyo.crypto.dkg_state import TrusteeKey
from tohyo.log import CosignatureSigner, Witness, encode_verifier_key, verifier_from_key
from tohyo.simulate.direct import _corrupt
from tohyo.verify import verify_record

from .approvals import ADMIN, Clerk, approved

DEV = DevApproval("test")
CHOICES = [
    {"services": ["internet-voting"], "mobility": ["tsukumobi"], "healthcare": []},
    {"services": ["digital-counters"], "mobility": [], "healthcare": ["home-care"]},
]


def _cast_and_close(election: Any, voter: Any, runtime: Any) -> None:
    info = voter.election(election.id)
    for choice in CHOICES:
        voter.cast(info, voter.start_session(election.id, election.next_code()), choice)
    close_election(runtime, election.id, approval=DEV, reason="test over")


def _shares(runtime: Any, election_id: str, trustees: tuple[int, ...],
            cheat: int | None = None) -> list[DecryptionShare]:
    """Each trustee's shares, computed from its dev key file after the §REC-6 checks."""
    snapshot = board_snapshot(runtime, election_id)
    board = propose_tally(snapshot)
    out: list[DecryptionShare] = []
    for i in trustees:
        path = runtime.settings.trustee_dir / election_id / f"t{i}.key.json"
        mine = trustee_shares(snapshot, TrusteeKey.from_json(json.loads(path.read_bytes())),
                              board.aggregates)
        out += [_corrupt(s) for s in mine] if i == cheat else mine
    return out


def _witness(tmp_path: Path, runtime: Any, election_id: str, name: str) -> tuple[Witness, str]:
    signer = CosignatureSigner.generate(name)
    log_key = verifier_from_key(get_election(runtime, election_id).log_key)
    (tmp_path / name).mkdir()
    return Witness(signer, [log_key], tmp_path / name / "state"), \
        encode_verifier_key(signer.verifier())


def _code(call: Any) -> str:
    with pytest.raises(Conflict) as caught:
        call()
    return caught.value.code


def test_tally_then_publication_follow_the_lifecycle(
    election: Any, voter: Any, runtime: Any, client: Any, tmp_path: Path
) -> None:
    eid = election.id
    assert _code(lambda: record_tally(runtime, eid, [], approval=DEV)) == "tally.not_closed"
    _cast_and_close(election, voter, runtime)
    out = tmp_path / "record"
    assert _code(lambda: publish_record(runtime, eid, out, actor="t")) == "tally.not_recorded"
    assert _code(lambda: record_tally(runtime, eid, _shares(runtime, eid, (1,)), approval=DEV)
                 ) == "tally.not_enough_shares"  # 1 of a 2-of-3 key
    assert get_election(runtime, eid).state == "closed"

    document = record_tally(runtime, eid, _shares(runtime, eid, (1, 2, 3), cheat=2), approval=DEV)
    assert [e.trustee for e in document.excluded] == [2] and document.trustees == (1, 3)
    assert get_election(runtime, eid).state == "tallied"
    assert _code(lambda: record_tally(runtime, eid, _shares(runtime, eid, (1, 3)), approval=DEV)
                 ) == "election.invalid_transition"

    witness, vkey = _witness(tmp_path, runtime, eid, "witness.example")
    witness_round(client, eid, witness, vkey)  # cosigns the final head
    _, absent = _witness(tmp_path, runtime, eid, "absent.example")
    assert _code(lambda: publish_record(runtime, eid, out, actor="t", witness_keys=(vkey, absent))
                 ) == "record.witness_missing"
    assert get_election(runtime, eid).state == "tallied"

    header = publish_record(runtime, eid, out, actor="t", witness_keys=(vkey,))
    assert get_election(runtime, eid).state == "published"
    assert header.log.witnesses == (vkey,)
    report = verify_record(out, workers=0)
    assert report.ok, report.to_json()
    assert report.checks["V7"].note.startswith("1 witnesses; 1 heads cosigned")
    assert "excluded [2]" in report.checks["V13"].note
    publish_record(runtime, eid, tmp_path / "again", actor="t", witness_keys=(vkey,))
    assert get_election(runtime, eid).state == "published"  # a re-export changes nothing
    with runtime.uow() as uow:
        kinds = [e.kind for e in uow.audit_events(eid)]
    assert kinds.count("election.tally") == 1 and kinds.count("election.publish") == 1


def test_record_commands_tally_and_export(
    election: Any, voter: Any, runtime: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _register()
    eid, settings = election.id, runtime.settings
    db = ["--data-dir", str(settings.data_dir), "--database-url", settings.database_url]
    _cast_and_close(election, voter, runtime)
    clerk = Clerk(runtime.engine, settings.keys_dir, monkeypatch)

    board = tmp_path / "board"
    done = clerk.invoke(app, "record", "board", "--election", eid, "--out", str(board), *db)
    assert done.exit_code == 0, done.output
    proposal = json.loads((board / "proposal.json").read_bytes())
    expected = propose_tally(board_snapshot(runtime, eid)).aggregates
    assert {a["label"]: a["ct"] for a in proposal["aggregates"]} == {
        lab: ct.to_json() for lab, ct in expected.items()}

    files = []
    for i in (2, 3):
        files += ["--shares", str(tmp_path / f"shares-{i}.json")]
        (tmp_path / f"shares-{i}.json").write_text(
            json.dumps([s.to_json() for s in _shares(runtime, eid, (i,))]))
    tally = ["record", "tally", "--election", eid, *files, *db]
    missing = CliRunner().invoke(app, tally)
    assert missing.exit_code == 2 and "--approval" in missing.output  # no single-person tally
    approval = approved(runtime.engine, settings.keys_dir, "tally", eid)
    done = CliRunner().invoke(app, [*tally, "--approval", approval])
    assert done.exit_code == 0, done.output
    assert "tallied with trustees 2, 3: 2 ballots" in done.output

    out = tmp_path / "record"
    done = clerk.invoke(app, "record", "export", "--election", eid, "--out", str(out), *db)
    assert done.exit_code == 0, done.output
    assert "record hash" in done.output
    assert get_election(runtime, eid).state == "published"
    assert verify_record(out, workers=0).ok

    again = approved(runtime.engine, settings.keys_dir, "tally", eid)
    refused = CliRunner().invoke(app, [*tally, "--approval", again])
    assert refused.exit_code == 1 and "election.invalid_transition" in refused.output
    used = CliRunner().invoke(app, [*tally, "--approval", approval])
    assert used.exit_code == 3 and "auth.approval.used" in used.output
    with runtime.uow() as uow:
        (event,) = [e for e in uow.audit_events(eid) if e.kind == "election.tally"]
    assert event.actor == "ada+ben" and approval in event.detail
    with runtime.uow() as uow:
        (event,) = [e for e in uow.audit_events(eid) if e.kind == "election.publish"]
    assert event.actor == ADMIN
    trail = [(a, b) for a, b, _ in clerk.trail()]
    assert (ADMIN, "cli.record.board") in trail and (ADMIN, "cli.record.export") in trail
