"""Seals of the media, their opening, and the rebuild from the second medium (§ST-6.5, §ST-8).

At the close the media are sealed (officials and a witness sign); before the tally
the unseal hashes them again. Tampering with any one medium — a ballot row
deleted, a byte of the journal changed, a leaf edited — makes the unseal refuse
naming that medium, and the tally refuses to run. Destroying the primary after
the close and rebuilding it from the copy still publishes the same record, which
verifies. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select, update

from tohyo.app.auth.authority import DevApproval
from tohyo.app.errors import Conflict
from tohyo.app.seals.rebuild import RebuildRefused, rebuild_from_second_medium
from tohyo.app.seals.service import (
    MediumChanged,
    SealRefused,
    prepare_seal,
    prepare_unseal,
    record_seal,
    record_unseal,
    recorded_seals,
)
from tohyo.app.services.elections import close_election
from tohyo.app.services.overrides import record_paper_vote
from tohyo.app.services.roll import voter_key_hex
from tohyo.app.services.tally import board_snapshot, publish_record, record_tally
from tohyo.app.store.journal import JournalEntry
from tohyo.app.store.models import Ballot, LogLeaf
from tohyo.log.note import Ed25519Signer
from tohyo.record.seals import SignedSeal, sign_statement
from tohyo.verify import verify_record

from .test_tally import CHOICES, _shares

DEV = DevApproval("test")
ADA, BEN, WITNESS = (Ed25519Signer.generate(n) for n in ("ada", "ben", "witness.example"))


def _cast_and_close(election: Any, voter: Any, runtime: Any, *, revote: bool = False) -> None:
    info = voter.election(election.id)
    sessions = [voter.start_session(election.id, election.next_code()) for _ in CHOICES]
    for session, choice in zip(sessions, CHOICES, strict=True):
        voter.cast(info, session, choice)
    if revote:  # the first voter changes their mind: one ballot superseded
        voter.cast(info, sessions[0], CHOICES[1])
        voter_id = election.voter_ids[1]  # the second voter votes on paper: excluded
        record_paper_vote(runtime, election.id, voter_key_hex(runtime, election.id, voter_id),
                          actor="official")
    close_election(runtime, election.id, approval=DEV, reason="test over")


def _signed(statement: Any) -> SignedSeal:
    signed = SignedSeal(statement)
    for signer, role in ((ADA, "official"), (BEN, "official"), (WITNESS, "witness")):
        signed = signed.with_signature(sign_statement(statement, role, signer))
    return signed


def _seal(runtime: Any, eid: str) -> SignedSeal:
    signed = _signed(prepare_seal(runtime, eid))
    record_seal(runtime, eid, signed, approval=DEV)
    return signed


def _unseal(runtime: Any, eid: str) -> None:
    record_unseal(runtime, eid, _signed(prepare_unseal(runtime, eid, actor="t")), approval=DEV)


def _code(call: Any) -> str:
    with pytest.raises(Conflict) as caught:
        call()
    return caught.value.code


def _publish(runtime: Any, eid: str, out: Path) -> Any:
    record_tally(runtime, eid, _shares(runtime, eid, (1, 2)), approval=DEV)
    publish_record(runtime, eid, out, actor="t")
    report = verify_record(out, workers=0)
    assert report.ok, report.to_json()
    return report


def test_seal_then_unseal_lets_the_tally_run(
    election: Any, voter: Any, runtime: Any, tmp_path: Path
) -> None:
    eid = election.id
    assert _code(lambda: prepare_seal(runtime, eid)) == "seal.not_closed"
    _cast_and_close(election, voter, runtime)
    assert _code(lambda: prepare_unseal(runtime, eid, actor="t")) == "seal.none"
    statement = prepare_seal(runtime, eid)
    unsigned = SignedSeal(statement).with_signature(sign_statement(statement, "official", ADA))
    assert _code(lambda: record_seal(runtime, eid, unsigned, approval=DEV)) == "seal.signatures"
    seal = _seal(runtime, eid)
    assert _code(lambda: prepare_seal(runtime, eid)) == "seal.exists"
    # Sealed and not yet opened: the tally path reads no board.
    assert _code(lambda: board_snapshot(runtime, eid)) == "tally.unseal_required"

    opening = prepare_unseal(runtime, eid, actor="t")
    assert opening.seal == seal.statement.digest().hex()
    assert opening.media == seal.statement.media
    record_unseal(runtime, eid, _signed(opening), approval=DEV)
    assert _code(lambda: prepare_unseal(runtime, eid, actor="t")) == "seal.already_opened"
    assert [s.kind for s in recorded_seals(runtime, eid)] == ["seal", "unseal"]
    report = _publish(runtime, eid, tmp_path / "record")
    assert report.checks["V16"].note.startswith("1 seals, 1 matching openings")
    _tampered_seals_fail(tmp_path / "record", tmp_path)
    with runtime.uow() as uow:
        kinds = [e.kind for e in uow.audit_events(eid)]
    assert "seal.seal" in kinds and "seal.unseal" in kinds


def _delete_ballot(runtime: Any, eid: str) -> None:
    with runtime.engine.begin() as conn:
        first = conn.execute(select(Ballot.id).where(Ballot.election_id == eid).limit(1)).scalar()
        conn.execute(delete(Ballot).where(Ballot.id == first))


def _flip_journal_byte(runtime: Any, eid: str) -> None:
    path = runtime.journal.path(eid)
    data = bytearray(path.read_bytes())
    at = data.index(b'credential\\":\\"') + len(b'credential\\":\\"')
    data[at] = ord("Z") if data[at] != ord("Z") else ord("Y")  # inside the leaf's data
    path.write_bytes(bytes(data))


def _edit_leaf(runtime: Any, eid: str) -> None:
    with runtime.engine.begin() as conn:
        data = conn.execute(select(LogLeaf.data).where(
            LogLeaf.election_id == eid, LogLeaf.leaf_index == 0)).scalar_one()
        conn.execute(update(LogLeaf).where(LogLeaf.election_id == eid, LogLeaf.leaf_index == 0)
                     .values(data=data.replace('"sequence":1', '"sequence":2')))


TAMPER = {"ballots": _delete_ballot, "second_medium": _flip_journal_byte, "log": _edit_leaf}


@pytest.mark.parametrize("medium", sorted(TAMPER))
def test_a_changed_medium_stops_the_unseal_and_the_tally(
    medium: str, election: Any, voter: Any, runtime: Any
) -> None:
    eid = election.id
    _cast_and_close(election, voter, runtime)
    _seal(runtime, eid)
    opening = prepare_unseal(runtime, eid, actor="t")  # prepared while intact
    TAMPER[medium](runtime, eid)
    with pytest.raises(MediumChanged) as caught:
        prepare_unseal(runtime, eid, actor="t")
    assert caught.value.medium == medium and caught.value.code == "seal.medium_mismatch"
    assert caught.value.message.startswith(f"{medium}:")
    with pytest.raises(MediumChanged) as again:  # a statement signed before the damage
        record_unseal(runtime, eid, _signed(opening), approval=DEV)
    assert again.value.medium == medium
    assert [s.kind for s in recorded_seals(runtime, eid)] == ["seal"]  # nothing recorded
    assert _code(lambda: board_snapshot(runtime, eid)) == "tally.unseal_required"
    with runtime.uow() as uow:
        mismatches = [json.loads(e.detail) for e in uow.audit_events(eid)
                      if e.kind == "seal.mismatch"]
    assert mismatches and all(m["medium"] == medium for m in mismatches)


def _destroy_primary(runtime: Any, eid: str) -> None:
    with runtime.engine.begin() as conn:
        conn.execute(delete(Ballot).where(Ballot.election_id == eid))
        conn.execute(delete(LogLeaf).where(LogLeaf.election_id == eid))


def test_destroyed_primary_is_rebuilt_from_the_copy_and_publishes_the_same_record(
    election: Any, voter: Any, runtime: Any, tmp_path: Path
) -> None:
    eid = election.id
    _cast_and_close(election, voter, runtime, revote=True)
    _seal(runtime, eid)
    with runtime.uow() as uow:
        leaves = [leaf.data for leaf in uow.leaves(eid)]
        before = sorted((b.leaf_index, b.state, b.ballot_hash, b.content_hash, b.sequence)
                        for b in uow.session.scalars(select(Ballot)))
    assert sorted(b[1] for b in before) == ["effective", "excluded", "superseded"]

    _destroy_primary(runtime, eid)
    with pytest.raises(MediumChanged) as caught:  # the unseal sees the loss
        prepare_unseal(runtime, eid, actor="t")
    assert caught.value.medium == "log"
    report = rebuild_from_second_medium(runtime, eid, approval=DEV)
    assert report.size == len(leaves) and report.ballots == len(CHOICES) + 1
    with runtime.uow() as uow:
        assert [leaf.data for leaf in uow.leaves(eid)] == leaves
        after = sorted((b.leaf_index, b.state, b.ballot_hash, b.content_hash, b.sequence)
                       for b in uow.session.scalars(select(Ballot)))
    assert after == before  # the index derived from the leaves is the one cast built
    _unseal(runtime, eid)  # every medium matches its seal again
    _publish(runtime, eid, tmp_path / "record")
    published = (tmp_path / "record" / "entries.jsonl").read_text().splitlines()
    assert published == leaves
    with runtime.uow() as uow:
        (event,) = [e for e in uow.audit_events(eid) if e.kind == "second_medium.rebuild"]
    assert event.actor == "dev:test"


def _forge_line(runtime: Any, eid: str) -> None:
    """Replace leaf 0's line by a self-consistent line with other data (a forged copy)."""
    path = runtime.journal.path(eid)
    lines = path.read_bytes().splitlines(keepends=True)
    entry = JournalEntry.from_line(lines[0])
    data = entry.data.replace('"sequence":1', '"sequence":7')
    from tohyo.app.store.journal import entry_for

    lines[0] = entry_for(eid, entry.index, entry.kind, data.encode()).to_line()
    path.write_bytes(b"".join(lines))


def test_a_copy_that_disagrees_with_a_signed_head_is_refused_and_nothing_written(
    election: Any, voter: Any, runtime: Any
) -> None:
    eid = election.id
    assert _code(lambda: rebuild_from_second_medium(runtime, eid, approval=DEV)
                 ) == "rebuild.not_closed"
    _cast_and_close(election, voter, runtime)
    _destroy_primary(runtime, eid)
    good = runtime.journal.path(eid).read_bytes()
    for damage, code in ((_forge_line, "rebuild.disagrees"),
                         (_flip_journal_byte, "rebuild.copy_damaged")):
        damage(runtime, eid)
        with pytest.raises(RebuildRefused) as caught:
            rebuild_from_second_medium(runtime, eid, approval=DEV)
        assert caught.value.code == code
        with runtime.uow() as uow:
            assert list(uow.leaves(eid)) == []  # nothing written
            assert uow.session.scalars(select(Ballot)).all() == []
        runtime.journal.path(eid).write_bytes(good)
    truncated = b"".join(good.splitlines(keepends=True)[:-1])
    runtime.journal.path(eid).write_bytes(truncated)
    assert _code(lambda: rebuild_from_second_medium(runtime, eid, approval=DEV)
                 ) == "rebuild.incomplete"
    with runtime.uow() as uow:
        assert not [e for e in uow.audit_events(eid) if e.kind == "second_medium.rebuild"]


def test_a_seal_of_another_kind_or_election_is_refused(
    election: Any, voter: Any, runtime: Any
) -> None:
    eid = election.id
    _cast_and_close(election, voter, runtime)
    statement = prepare_seal(runtime, eid)
    signed = _signed(statement)
    other = _signed(type(statement)("seal", "another-election", statement.size, statement.root,
                                    statement.media, statement.at))
    assert _code(lambda: record_seal(runtime, eid, other, approval=DEV)) == "seal.wrong_statement"
    _flip_journal_byte(runtime, eid)  # damaged between preparing and recording
    with pytest.raises(SealRefused) as caught:
        record_seal(runtime, eid, signed, approval=DEV)
    assert caught.value.code == "seal.medium_mismatch"
    assert recorded_seals(runtime, eid) == []


def test_the_officials_procedure_on_the_command_line(
    election: Any, voter: Any, runtime: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """seal-key, seal, sign, witness sign-seal, approvals, unseal naming the medium, rebuild."""
    from typer.testing import CliRunner

    from tohyo.cli.main import _register, app

    from .approvals import Clerk, approved

    _register()
    eid, settings = election.id, runtime.settings
    db = ["--data-dir", str(settings.data_dir), "--database-url", settings.database_url]
    run = CliRunner().invoke
    _cast_and_close(election, voter, runtime)
    clerk = Clerk(runtime.engine, settings.keys_dir, monkeypatch)
    keys = {n: tmp_path / f"{n}.key" for n in ("ada", "ben", "w")}
    for name in ("ada", "ben"):
        made = run(app, ["record", "seal-key", "--name", name, "--out", str(keys[name])])
        assert made.exit_code == 0 and made.output.startswith(f"{name}+"), made.output
    assert run(app, ["witness", "keygen", "--name", "w.example", "--out", str(keys["w"])]
               ).exit_code == 0

    def sign_all(statement: Path) -> None:
        for name in ("ada", "ben"):
            done = run(app, ["record", "sign", "--statement", str(statement),
                             "--key", str(keys[name])])
            assert done.exit_code == 0, done.output
        done = run(app, ["witness", "sign-seal", "--statement", str(statement),
                         "--key", str(keys["w"])])
        assert done.exit_code == 0 and "3 signatures" in done.output, done.output

    seal = tmp_path / "seal.json"
    done = clerk.invoke(app, "record", "seal", "--election", eid, "--out", str(seal), *db)
    assert done.exit_code == 0 and "digest to sign" in done.output, done.output
    sign_all(seal)
    again = run(app, ["record", "sign", "--statement", str(seal), "--key", str(keys["ada"])])
    assert again.exit_code == 1 and "already signed" in again.output
    record = ["record", "seal", "--election", eid, "--statement", str(seal), *db]
    assert run(app, record).exit_code == 2  # no single official records a seal
    done = run(app, [*record, "--approval", approved(runtime.engine, settings.keys_dir,
                                                     "seal", eid)])
    assert done.exit_code == 0 and "recorded by ada+ben" in done.output, done.output
    board = ["record", "board", "--election", eid, "--out", str(tmp_path / "board"), *db]
    done = clerk.invoke(app, *board)
    assert done.exit_code == 1 and "tally.unseal_required" in done.output

    _delete_ballot(runtime, eid)
    opening = tmp_path / "unseal.json"
    unseal = ["record", "unseal", "--election", eid, "--out", str(opening), *db]
    done = clerk.invoke(app, *unseal)
    assert done.exit_code == 1 and "seal.medium_mismatch: ballots:" in done.output, done.output

    _destroy_primary(runtime, eid)  # the primary fails: the officials decide to use the copy
    rebuild = ["record", "rebuild", "--election", eid, "--from-second-medium", *db]
    done = run(app, [*rebuild, "--approval", approved(runtime.engine, settings.keys_dir,
                                                      "rebuild", eid)])
    assert done.exit_code == 0 and f"{len(CHOICES)} ballots" in done.output, done.output
    done = clerk.invoke(app, *unseal)
    assert done.exit_code == 0 and "matches its seal" in done.output, done.output
    sign_all(opening)
    done = run(app, ["record", "unseal", "--election", eid, "--statement", str(opening), *db,
                     "--approval", approved(runtime.engine, settings.keys_dir, "unseal", eid)])
    assert done.exit_code == 0, done.output
    assert clerk.invoke(app, *board).exit_code == 0


def _rewrite_seals(record: Path, out: Path, change: Any) -> Path:
    """A copy of ``record`` whose seals.json is changed and re-listed in its header."""
    import hashlib
    import shutil

    from tohyo.record.canonical import dumps_canonical

    shutil.copytree(record, out)
    seals = json.loads((out / "seals.json").read_bytes())
    change(seals["seals"])
    data = dumps_canonical(seals)
    (out / "seals.json").write_bytes(data)
    header = json.loads((out / "record.json").read_bytes())
    header["files"]["seals.json"] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    (out / "record.json").write_bytes(dumps_canonical(header))
    return out


def _tampered_seals_fail(record: Path, tmp_path: Path) -> None:
    def drop_unseal(items: list[Any]) -> None:
        del items[1]

    def forge_signature(items: list[Any]) -> None:
        sig = items[0]["signatures"][0]
        sig["signature"] = sig["signature"][:10] + ("A" if sig["signature"][10] != "A" else "B") \
            + sig["signature"][11:]

    def changed_opening(items: list[Any]) -> None:
        # An unseal that found another ballots digest, re-signed by the same keys.
        from tohyo.record.seals import SealStatement

        old = SignedSeal.from_json(items[1]).statement
        media = {**old.media, "ballots": "0" * 64}
        items[1] = _signed(SealStatement("unseal", old.election_id, old.size, old.root, media,
                                         old.at, seal=old.seal)).to_json()

    for change, message in ((drop_unseal, "never opened"), (forge_signature, "does not verify"),
                            (changed_opening, "changed media: ballots")):
        bad = _rewrite_seals(record, tmp_path / change.__name__, change)
        report = verify_record(bad, workers=0)
        assert not report.ok and report.checks["V16"].status.value == "FAIL"
        assert any(message in str(f) for f in report.checks["V16"].failures), \
            report.checks["V16"].failures


def test_an_old_database_is_brought_forward_by_the_copy_and_a_later_signed_head(
    election: Any, voter: Any, runtime: Any, tmp_path: Path
) -> None:
    """THREATS #33: a restore from an older backup lacks acknowledged ballots; the copy holds
    them, and the final head the officials kept (e.g. a witness's) vouches for them."""
    from tohyo.app.store.models import Checkpoint, LogState, PaperOverride

    eid = election.id
    _cast_and_close(election, voter, runtime, revote=True)
    with runtime.uow() as uow:
        final_note = uow.log_state(eid).checkpoint
        leaves = [leaf.data for leaf in uow.leaves(eid)]
        older = next(c for c in uow.checkpoints(eid) if c.size == 2)
        older_note, older_root = older.note, older.root_hash
    with runtime.engine.begin() as conn:  # "restore" a backup taken after two leaves
        for table in (Ballot, LogLeaf, PaperOverride):
            conn.execute(delete(table).where(table.election_id == eid,
                                             table.leaf_index >= 2))
        conn.execute(delete(Checkpoint).where(Checkpoint.election_id == eid,
                                              Checkpoint.size > 2))
        conn.execute(update(LogState).where(LogState.election_id == eid).values(
            size=2, root_hash=older_root, checkpoint=older_note))
    assert _code(lambda: rebuild_from_second_medium(runtime, eid, approval=DEV)
                 ) == "rebuild.beyond_head"
    forged = final_note.replace(final_note.split("\n")[2], older_root)  # a wrong root
    assert _code(lambda: rebuild_from_second_medium(runtime, eid, approval=DEV,
                                                    heads=[forged])) == "rebuild.bad_head"
    report = rebuild_from_second_medium(runtime, eid, approval=DEV, heads=[final_note])
    assert report.size == len(leaves)
    with runtime.uow() as uow:
        assert uow.log_state(eid).checkpoint == final_note
        assert [leaf.data for leaf in uow.leaves(eid)] == leaves
    _publish(runtime, eid, tmp_path / "record")
