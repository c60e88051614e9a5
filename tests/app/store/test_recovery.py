"""Restart, reconciliation and fail-stop (THREATS #21, #25, #29; §ST-6.2).

The storage is tampered with directly (as an insider with database access
would) and the service must refuse to start rather than sign a head that does
not extend the published one.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import text

from tohyo.app.errors import StartupError, Unavailable
from tohyo.app.services.counts import CountInvariantViolated, check_count_invariant
from tohyo.app.services.runtime import build_runtime
from tohyo.app.store.journal import JournalError
from tohyo.app.voter_client import Refused

CHOICE = {"mobility": ["hands-free"]}


def _cast(election: Any, voter: Any, n: int) -> list[dict[str, Any]]:
    info = voter.election(election.id)
    out = []
    for _ in range(n):
        session = voter.start_session(election.id, election.next_code())
        out.append(voter.cast(info, session, CHOICE).receipt)
    return out


def _restart(runtime: Any, clock: Any) -> Any:
    return build_runtime(runtime.settings, clock=clock)


def test_restart_copies_leaves_missing_from_the_journal(
    election: Any, voter: Any, runtime: Any, clock: Any
) -> None:
    _cast(election, voter, 3)
    path = runtime.journal.path(election.id)
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:1]))  # as if we crashed after two commits
    again = _restart(runtime, clock)
    try:
        assert sorted(again.journal.read(election.id)) == list(range(3))
    finally:
        again.close()


def test_an_edited_leaf_stops_the_service(
    election: Any, voter: Any, runtime: Any, clock: Any
) -> None:
    _cast(election, voter, 2)
    with runtime.engine.begin() as conn:
        conn.execute(
            text("UPDATE log_leaves SET data = :d WHERE leaf_index = 0"),
            {"d": json.dumps({"kind": "ballot", "forged": True})},
        )
    with pytest.raises(StartupError, match="edited"):
        _restart(runtime, clock)


def test_a_rewritten_leaf_does_not_reproduce_the_signed_root(
    election: Any, voter: Any, runtime: Any, clock: Any
) -> None:
    _cast(election, voter, 2)
    with runtime.engine.begin() as conn:
        conn.execute(
            text("UPDATE log_leaves SET leaf_hash = :h WHERE leaf_index = 1"), {"h": "ab" * 32}
        )
    with pytest.raises(StartupError, match="do not match the signed head"):
        _restart(runtime, clock)


def test_a_deleted_leaf_stops_the_service(
    election: Any, voter: Any, runtime: Any, clock: Any
) -> None:
    _cast(election, voter, 2)
    with runtime.engine.begin() as conn:
        conn.execute(text("DELETE FROM ballots WHERE leaf_index = 1"))
        conn.execute(text("DELETE FROM log_leaves WHERE leaf_index = 1"))
    with pytest.raises(StartupError):
        _restart(runtime, clock)


def test_a_journal_that_disagrees_stops_the_service(
    election: Any, voter: Any, runtime: Any, clock: Any
) -> None:
    _cast(election, voter, 2)
    path = runtime.journal.path(election.id)
    lines = path.read_bytes().splitlines(keepends=True)
    from tohyo.app.store.journal import entry_for

    forged = entry_for(election.id, 1, "ballot", b'{"kind":"ballot"}').to_line()
    path.write_bytes(lines[0] + forged)
    with pytest.raises(StartupError, match="differs"):
        _restart(runtime, clock)


def test_journal_failure_halts_acknowledgements(
    election: Any, voter: Any, runtime: Any, clock: Any, monkeypatch: Any
) -> None:
    _cast(election, voter, 1)

    def broken(_entries: Any) -> None:
        raise JournalError(28, "No space left on device")

    monkeypatch.setattr(runtime.journal, "append", broken)
    info = voter.election(election.id)
    session = voter.start_session(election.id, election.next_code())
    with pytest.raises(Refused) as caught:
        voter.cast(info, session, CHOICE)
    assert (caught.value.status, caught.value.code) == (503, "service.halted")
    with pytest.raises(Refused) as caught:  # and every later cast, until an operator acts
        voter.cast(info, session, CHOICE)
    assert caught.value.code == "service.halted"
    monkeypatch.undo()
    again = _restart(runtime, clock)  # the committed ballot reaches the journal at restart
    try:
        with again.uow() as uow:
            size = uow.log_state(election.id).size
        assert sorted(again.journal.read(election.id)) == list(range(size))
    finally:
        again.close()


def test_halted_runtime_refuses_with_retry_after(runtime: Any) -> None:
    runtime.halt("test")
    with pytest.raises(Unavailable):
        runtime.ensure_running()


def test_count_invariant_catches_a_lost_update(election: Any, voter: Any, runtime: Any) -> None:
    _cast(election, voter, 2)
    assert check_count_invariant(runtime, election.id) == 2
    with runtime.engine.begin() as conn:
        conn.execute(text("UPDATE ballots SET state = 'superseded' WHERE leaf_index = 0"))
    with pytest.raises(CountInvariantViolated):
        check_count_invariant(runtime, election.id)


def test_a_refusal_in_the_critical_section_keeps_the_cached_tree(
    election: Any, voter: Any, runtime: Any
) -> None:
    from tohyo.app.errors import Conflict
    from tohyo.app.services.common import append_leaves

    _cast(election, voter, 1)
    tree = runtime.ledger._trees[election.id]

    def refuse(_uow: Any, _state: Any) -> list[Any]:
        raise Conflict("test.refused", "no")

    with pytest.raises(Conflict):
        append_leaves(runtime, election.id, refuse)
    assert runtime.ledger._trees[election.id] is tree  # no O(n) rebuild per refusal
    assert ("journal-dirty", election.id) not in runtime.cache
