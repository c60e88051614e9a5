"""Witness statements posted to the service (record.md §REC-10; issue 13 item 3).

Only a witness the manifest declares, a valid signature, a head the log signed
and an event that fits that point of the log are accepted; each accepted
statement becomes a ``statement`` leaf, the trustees' board stops at the
close, and the published record verifies. Every refusal is typed and stores
nothing. Runs on SQLite and PostgreSQL (the ``runtime`` fixture).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tohyo.app.auth.authority import DevApproval
from tohyo.app.services.devkeys import install_dev_key
from tohyo.app.services.elections import close_election, create_election, open_election
from tohyo.app.services.roll import import_roll, issue_codes
from tohyo.app.services.tally import board_snapshot, publish_record, record_tally
from tohyo.cli.witness import witness_round
from tohyo.log import (
    Checkpoint,
    CosignatureSigner,
    Ed25519Signer,
    Witness,
    encode_verifier_key,
    parse_note,
    verifier_from_key,
)
from tohyo.record.canonical import dumps_canonical
from tohyo.record.manifest import parse_manifest
from tohyo.record.statements import StatementEvent, sign_statement
from tohyo.record.transparency import declare_log
from tohyo.verify import verify_record

from .test_tally import CHOICES, _shares

EID = "stated-election"
DEV = DevApproval("test")


class _Witness:
    """A declared witness: its statement key and its cosigner share one Ed25519 seed."""

    def __init__(self, name: str) -> None:
        seed = Ed25519PrivateKey.generate()
        self.cosigner = CosignatureSigner(name, seed)
        self.signer = Ed25519Signer(name, seed)
        self.vkey = encode_verifier_key(self.cosigner.verifier())

    def state(self, event: str, head: str, checked: str = "checked") -> dict[str, Any]:
        return sign_statement(EID, StatementEvent(event), checked, head, self.signer,
                              self.vkey).to_json()


@pytest.fixture
def witnesses(runtime: Any, manifest_for: Any) -> list[_Witness]:
    found = [_Witness(f"witness-{i}.example") for i in (1, 2)]
    base = parse_manifest(manifest_for(EID))
    manifest = declare_log(base, runtime.ledger.verifier_key(EID), [w.vkey for w in found], 2)
    create_election(runtime, dumps_canonical(manifest.to_json()), actor="test")
    return found


@pytest.fixture
def codes(runtime: Any, witnesses: list[_Witness]) -> list[str]:
    """The election opened, with a roll of four and one voting code each."""
    ids = [f"V{n:04d}" for n in range(4)]
    roll = ["voter_id,name,birth_date,address_code,district"]
    roll += [f"{v},投票者 {i},1985-05-0{1 + i},082201," for i, v in enumerate(ids)]
    import_roll(runtime, EID, ("\n".join(roll) + "\n").encode(), actor="test")
    install_dev_key(runtime, EID, actor="test")
    open_election(runtime, EID, approval=DEV)
    return [c.code for c in issue_codes(runtime, EID, actor="test", voter_ids=ids)]


def _head(client: Any, size: int | None = None) -> str:
    params = {} if size is None else {"size": size}
    return parse_note(client.get(f"/api/v1/elections/{EID}/log/checkpoint",
                                 params=params).text).text


def _size(runtime: Any) -> int:
    with runtime.uow() as uow:
        state = uow.log_state(EID)
        return state.size if state is not None else 0


def _post(client: Any, body: Any) -> Any:
    return client.post(f"/api/v1/elections/{EID}/statements", json=body)


def _refused(client: Any, runtime: Any, body: Any, status: int, code: str) -> None:
    before = _size(runtime)
    response = _post(client, body)
    assert (response.status_code, response.json()["error"]["code"]) == (status, code)
    assert _size(runtime) == before  # nothing stored


def _cosign(client: Any, witnesses: list[_Witness], tmp_path: Path, runtime: Any) -> None:
    log_key = verifier_from_key(runtime.ledger.verifier_key(EID))
    for w in witnesses:
        state = tmp_path / f"{w.cosigner.name}.state"
        witness_round(client, EID, Witness(w.cosigner, [log_key], state), w.vkey)


def test_statements_are_checked_appended_and_the_record_verifies(
    codes: list[str], witnesses: list[_Witness], client: Any, voter: Any, runtime: Any,
    tmp_path: Path
) -> None:
    w1, w2 = witnesses
    empty = _head(client, 0)
    accepted = _post(client, w1.state("opening", empty, "the ballot box is empty"))
    assert accepted.status_code == 201, accepted.text
    assert accepted.json() == {"event": "opening", "witness": "witness-1.example",
                               "head_size": 0, "leaf_index": 0}
    with runtime.uow() as uow:
        (leaf,) = uow.leaves(EID, 0, 1)
    assert leaf.kind == "statement" and json.loads(leaf.data)["event"] == "opening"

    _refused(client, runtime, w1.state("opening", empty), 409, "statement.duplicate")
    stranger = _Witness("witness-1.example")  # a declared name, another key
    _refused(client, runtime, stranger.state("opening", empty), 403,
             "statement.unlisted_witness")
    forged = w2.state("opening", empty)
    forged["checked"] = "something else"
    _refused(client, runtime, forged, 400, "statement.invalid")
    other_election = {**w2.state("opening", empty), "election_id": "another"}
    _refused(client, runtime, other_election, 400, "statement.wrong_election")
    cp = Checkpoint.from_text(empty)
    never = Checkpoint.timestamped(cp.origin, 0, cp.root_hash, 1).to_text()
    _refused(client, runtime, w2.state("opening", never), 422, "statement.unknown_head")
    beyond = Checkpoint.timestamped(cp.origin, 7, cp.root_hash, 1).to_text()
    _refused(client, runtime, w2.state("opening", beyond), 422, "statement.unknown_head")
    _refused(client, runtime, w2.state("close", _head(client)), 409, "statement.out_of_place")
    _refused(client, runtime, {"event": "opening"}, 400, "request.invalid_fields")

    info = voter.election(EID)
    for code, choice in zip(codes, CHOICES, strict=False):
        voter.cast(info, voter.start_session(EID, code), choice)
    # w2 saw the empty box, but a ballot is on the log now: too late for an opening.
    _refused(client, runtime, w2.state("opening", empty), 409, "statement.out_of_place")

    before_close = _head(client)
    close_election(runtime, EID, approval=DEV, reason="test over")
    _cosign(client, witnesses, tmp_path, runtime)  # the close head carries the quorum
    closed = _head(client)
    _refused(client, runtime, w1.state("close", before_close), 409, "statement.out_of_place")
    for w in witnesses:
        response = _post(client, w.state("close", closed, "the final head is the one I cosigned"))
        assert response.status_code == 201, response.text
    _refused(client, runtime, w1.state("close", closed), 409, "statement.duplicate")

    snapshot = board_snapshot(runtime, EID)  # the trustees' board stops at the close
    assert json.loads(snapshot.leaves[-1])["kind"] == "close"
    assert len(board_snapshot(runtime, EID, whole=True).leaves) == len(snapshot.leaves) + 2
    record_tally(runtime, EID, _shares(runtime, EID, (1, 2)), approval=DEV)
    response = _post(client, w2.state("decryption", _head(client), "the shares verified"))
    assert response.status_code == 201, response.text
    _cosign(client, witnesses, tmp_path, runtime)
    out = tmp_path / "record"
    publish_record(runtime, EID, out, actor="t")
    report = verify_record(out, workers=0)
    assert report.ok, report.to_json()
    assert "4 witness statements" in report.checks["V7"].note
    _refused(client, runtime, w1.state("decryption", _head(client)), 409,
             "statement.published")


def test_no_statement_follows_a_seal(
    codes: list[str], witnesses: list[_Witness], client: Any, runtime: Any, tmp_path: Path
) -> None:
    """A seal covers the log's final head; a leaf after it would stop the tally (§ST-8)."""
    from .test_seals import _seal, _unseal

    w1, w2 = witnesses
    close_election(runtime, EID, approval=DEV, reason="test over")
    _cosign(client, witnesses, tmp_path, runtime)
    assert _post(client, w1.state("close", _head(client))).status_code == 201
    _seal(runtime, EID)
    _refused(client, runtime, w2.state("close", _head(client)), 409, "statement.sealed")
    _unseal(runtime, EID)  # the media are unchanged: the seal still holds
    _refused(client, runtime, w2.state("unsealed", _head(client)), 409, "statement.sealed")


def test_a_rebuild_from_the_copy_restores_the_accepted_statements(
    codes: list[str], witnesses: list[_Witness], client: Any, voter: Any, runtime: Any
) -> None:
    """A database restored from before the vote lacks the statements made since (§ST-6.5)."""
    from sqlalchemy import delete, select

    from tohyo.app.seals.rebuild import rebuild_from_second_medium
    from tohyo.app.witnessing.tables import AcceptedStatement

    w1 = witnesses[0]
    empty = _head(client, 0)
    for w in witnesses:
        assert _post(client, w.state("opening", empty, "empty")).status_code == 201
    info = voter.election(EID)
    voter.cast(info, voter.start_session(EID, codes[0]), CHOICES[0])
    close_election(runtime, EID, approval=DEV, reason="test over")

    def rows() -> list[tuple[Any, ...]]:
        with runtime.uow() as uow:
            found = uow.session.scalars(select(AcceptedStatement)).all()
            return sorted((r.witness_key, r.event, r.head_size, r.leaf_index) for r in found)

    before = rows()
    assert [r[1] for r in before] == ["opening", "opening"]
    with runtime.uow(write=True) as uow:
        uow.session.execute(delete(AcceptedStatement))
        uow.commit()
    rebuild_from_second_medium(runtime, EID, approval=DEV)
    assert rows() == before
    _refused(client, runtime, w1.state("opening", empty), 409, "statement.duplicate")
