"""Paper counts: double entry, refusals, signed leaves, the official result (results.md §RES-2).

Two administrators enter the count of a counting place after the close; only
matching entries are accepted, signed and appended to the log; every bad entry
is a typed refusal naming the field, and stores nothing. The published record
carries the counts and ``official.json``, and verifies (V15). Runs on SQLite
and PostgreSQL.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tohyo.app.errors import Refusal
from tohyo.app.results.errors import InvalidPaperEntry, PaperEntryConflict
from tohyo.app.results.official import official_result
from tohyo.app.results.paper import accepted_counts, enter_paper_count, pending_entries
from tohyo.app.services.tally import publish_record, record_tally
from tohyo.cli.witness import witness_round
from tohyo.record.official import OfficialResult
from tohyo.verify import verify_record

from .test_tally import DEV, _cast_and_close, _shares, _witness

COUNT: dict[str, Any] = {
    "election_id": "test-election", "place": "第1投票所", "kind": "election_day",
    "voters": 10, "rejected": 1,
    "questions": [
        {"id": "services", "ballots": 9, "blank": 1, "invalid": {"other_writing": 1},
         "options": {"internet-voting": 4, "digital-counters": 2, "ai-voice": 1}},
        {"id": "mobility", "ballots": 9, "blank": 3,
         "options": {"tsukumobi": 3, "smart-mobility": 3}},
        {"id": "healthcare", "ballots": 9, "blank": 0, "invalid": {"unclear": 2},
         "options": {"home-care": 7}},
    ],
}


def _state(runtime: Any, eid: str) -> tuple[int, int, int]:
    """(log size, pending entries, accepted counts): what a refusal must leave alone."""
    with runtime.uow() as uow:
        state = uow.log_state(eid)
        size = state.size if state is not None else 0
    return (size, len(pending_entries(runtime, eid)), len(accepted_counts(runtime, eid)))


def _refused(call: Any) -> Refusal:
    with pytest.raises(Refusal) as caught:
        call()
    return caught.value


def _with(change: dict[str, Any], question: dict[str, Any] | None = None) -> dict[str, Any]:
    count = copy.deepcopy(COUNT)
    count.update(change)
    if question is not None:
        count["questions"][0].update(question)
    return count


def test_double_entry_accepts_only_matching_counts_from_two_officials(
    election: Any, voter: Any, runtime: Any, client: Any, tmp_path: Path
) -> None:
    eid = election.id
    refusal = _refused(lambda: enter_paper_count(runtime, eid, COUNT, official="clerk-a"))
    assert refusal.code == "paper.not_closed"
    _cast_and_close(election, voter, runtime)
    before = _state(runtime, eid)

    first = enter_paper_count(runtime, eid, COUNT, official="clerk-a")
    assert first.status == "pending" and first.leaf_index is None
    assert _state(runtime, eid) == (before[0], 1, 0)  # no leaf for a first entry
    refusal = _refused(lambda: enter_paper_count(runtime, eid, COUNT, official="clerk-a"))
    assert refusal.code == "paper.same_official"

    other = copy.deepcopy(COUNT)
    other["questions"][0]["options"]["internet-voting"] = 3
    other["questions"][0]["options"]["ai-voice"] = 2
    other["voters"] = 11
    mismatch = _refused(lambda: enter_paper_count(runtime, eid, other, official="clerk-b"))
    assert isinstance(mismatch, PaperEntryConflict) and mismatch.code == "paper.mismatch"
    assert set(mismatch.fields) == {"/voters", "/questions/0/options/internet-voting",
                                    "/questions/0/options/ai-voice"}
    assert "/questions/0/options/internet-voting" in mismatch.message
    assert mismatch.to_json()["error"]["fields"] == list(mismatch.fields)
    assert _state(runtime, eid) == (before[0], 1, 0)

    accepted = enter_paper_count(runtime, eid, COUNT, official="clerk-b")
    assert accepted.status == "accepted" and accepted.leaf_index == before[0]
    assert accepted.entered_by == ("clerk-a", "clerk-b")
    assert _state(runtime, eid) == (before[0] + 1, 0, 1)
    with runtime.uow() as uow:
        (leaf,) = uow.leaves(eid, before[0], before[0] + 1)
    assert leaf.kind == "paper_count"
    assert json.loads(leaf.data)["entered_by"] == ["clerk-a", "clerk-b"]
    refusal = _refused(lambda: enter_paper_count(runtime, eid, COUNT, official="clerk-c"))
    assert refusal.code == "paper.duplicate"


@pytest.mark.parametrize(("count", "code", "field"), [
    (_with({}, {"options": {"internet-voting": 5, "digital-counters": 2, "ai-voice": 1}}),
     "paper.sums", "/questions/0/options"),
    (_with({}, {"blank": 9}), "paper.sums", "/questions/0/ballots"),
    (_with({}, {"options": {"internet-voting": 4, "digital-counters": 2, "nobody": 1}}),
     "paper.unknown_option", "/questions/0/options/nobody"),
    (_with({"voters": -10}), "paper.negative", "/voters"),
    (_with({}, {"blank": 1.0}), "paper.not_integer", "/questions/0/blank"),
    (_with({}, {"invalid": {"bribe": 1}}), "paper.unknown_reason", "/questions/0/invalid/bribe"),
    (_with({"kind": "internet"}), "paper.unknown_kind", "/kind"),
    (_with({"voters": 8}), "paper.sums", "/questions/0/ballots"),
])
def test_bad_counts_are_refused_naming_the_field_and_store_nothing(
    election: Any, voter: Any, runtime: Any, count: dict[str, Any], code: str, field: str
) -> None:
    _cast_and_close(election, voter, runtime)
    before = _state(runtime, election.id)
    refusal = _refused(lambda: enter_paper_count(runtime, election.id, count, official="a"))
    assert isinstance(refusal, InvalidPaperEntry)
    assert (refusal.code, refusal.fields) == (code, (field,))
    assert _state(runtime, election.id) == before


def test_counts_are_published_signed_and_the_record_verifies(
    election: Any, voter: Any, runtime: Any, client: Any, tmp_path: Path
) -> None:
    eid = election.id
    _cast_and_close(election, voter, runtime)
    for official in ("clerk-a", "clerk-b"):
        enter_paper_count(runtime, eid, COUNT, official=official)
    record_tally(runtime, eid, _shares(runtime, eid, (1, 2)), approval=DEV)
    early = {**COUNT, "place": "期日前投票所", "kind": "early", "rejected": 0}
    for official in ("clerk-b", "clerk-c"):  # after the tally, before publication
        enter_paper_count(runtime, eid, early, official=official)
    enter_paper_count(runtime, eid, {**early, "kind": "mobile"}, official="clerk-a")
    out = tmp_path / "record"
    refusal = _refused(lambda: publish_record(runtime, eid, out, actor="t"))
    assert refusal.code == "record.paper_pending"  # a count lacks its second entry
    enter_paper_count(runtime, eid, {**early, "kind": "mobile"}, official="clerk-c")

    result = official_result(runtime, eid)
    services = result.question("services")
    assert [(o.electronic, o.paper) for o in services.options] == [(1, 12), (1, 6), (0, 3)]
    assert result.turnout.paper == (("early", 10), ("election_day", 10), ("mobile", 10),
                                    ("absentee", 0))
    assert result.turnout.internet == 2 and result.turnout.roll == 6
    assert services.count_form is not None and services.count_form.g == 32

    witness, vkey = _witness(tmp_path, runtime, eid, "witness.example")
    witness_round(client, eid, witness, vkey)  # cosigns the head after the paper counts
    header = publish_record(runtime, eid, out, actor="t", witness_keys=(vkey,))
    assert header.format == "tohyo-record/2"
    report = verify_record(out, workers=0)
    assert report.ok, report.to_json()
    assert report.checks["V15"].note.startswith("3 paper counts")
    assert OfficialResult.from_json(json.loads((out / "official.json").read_bytes())) == result
    assert "(G) 投票者総数 32" in report.tables[0]
    refusal = _refused(lambda: enter_paper_count(runtime, eid, {**early, "kind": "absentee"},
                                                 official="clerk-a"))
    assert refusal.code == "paper.published"


def test_paper_commands_enter_list_show_and_tally_prints_the_table(
    election: Any, voter: Any, runtime: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from tohyo.cli.main import _register, app

    from .approvals import ADMIN, OPERATOR, Clerk, approved, ensure_admins

    _register()
    eid, settings = election.id, runtime.settings
    db = ["--data-dir", str(settings.data_dir), "--database-url", settings.database_url]
    _cast_and_close(election, voter, runtime)
    clerk = Clerk(runtime.engine, settings.keys_dir, monkeypatch)
    clerk.totp.update(ensure_admins(runtime.engine, settings.keys_dir, "second"))
    path = tmp_path / "count.json"
    path.write_text(json.dumps(COUNT, ensure_ascii=False))
    enter = ["paper", "enter", "--election", eid, "--count", str(path), *db]

    denied = clerk.invoke(app, *enter, user=OPERATOR)
    assert denied.exit_code == 3 and "auth.forbidden.role" in denied.output
    done = clerk.invoke(app, *enter)
    assert done.exit_code == 0 and "first entry of 第1投票所 / election_day" in done.output
    listed = clerk.invoke(app, "paper", "list", "--election", eid, *db)
    assert f"waiting   第1投票所 / election_day: first entry by {ADMIN}" in listed.output
    again = clerk.invoke(app, *enter)
    assert again.exit_code == 1 and "paper.same_official" in again.output
    bad = copy.deepcopy(COUNT)
    bad["questions"][1]["options"]["tsukumobi"] = 4
    path.write_text(json.dumps(bad))
    mismatch = clerk.invoke(app, *enter, user="second")
    assert mismatch.exit_code == 1
    assert "paper.sums" in mismatch.output and "/questions/1/options" in mismatch.output
    path.write_text(json.dumps(COUNT))
    done = clerk.invoke(app, *enter, user="second")
    assert done.exit_code == 0 and "accepted 第1投票所 / election_day" in done.output
    assert f"entered by {ADMIN} and second" in done.output

    for i in (1, 2):
        (tmp_path / f"shares-{i}.json").write_text(
            json.dumps([s.to_json() for s in _shares(runtime, eid, (i,))]))
    approval = approved(runtime.engine, settings.keys_dir, "tally", eid)
    done = CliRunner().invoke(app, ["record", "tally", "--election", eid,
                                    "--shares", str(tmp_path / "shares-1.json"),
                                    "--shares", str(tmp_path / "shares-2.json"),
                                    "--approval", approval, *db])
    assert done.exit_code == 0, done.output
    assert "Q1 services (services)" in done.output
    assert "(E) 投票総数 11" in done.output and "(G) 投票者総数 12" in done.output
    shown = clerk.invoke(app, "paper", "show", "--election", eid, "--json", *db)
    assert shown.exit_code == 0, shown.output
    result = OfficialResult.from_json(json.loads(shown.output))
    assert result.question("services").option("internet-voting").total == 5


def test_started_but_not_finished_counts_sessions_without_a_ballot(
    election: Any, voter: Any, runtime: Any
) -> None:
    from tohyo.app.services.elections import close_election

    eid = election.id
    info = voter.election(eid)
    voter.cast(info, voter.start_session(eid, election.next_code()), {"services": []})
    voter.start_session(eid, election.next_code())  # signed in, never cast
    close_election(runtime, eid, approval=DEV, reason="over")
    record_tally(runtime, eid, _shares(runtime, eid, (1, 2)), approval=DEV)
    turnout = official_result(runtime, eid).turnout
    assert (turnout.internet, turnout.started_not_finished, turnout.voters) == (1, 1, 1)
