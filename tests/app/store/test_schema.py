"""The schema on SQLite and PostgreSQL: migrations, named constraints, invariants (§ST-3)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from tohyo.app.store.migrate import current_revisions, head_revisions
from tohyo.app.store.models import Ballot, Base, Election, UtcDateTime

NOW = datetime(2028, 10, 1, 12, 0, tzinfo=UTC)


def test_migrations_reach_head_and_match_the_models(runtime: Any) -> None:
    assert current_revisions(runtime.engine) == head_revisions()
    with runtime.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        mine = {t.name for t in Base.metadata.sorted_tables}
        diff = [
            d
            for d in compare_metadata(context, Base.metadata)
            if _table_of(d) in mine  # other packages keep their own tables here
        ]
    assert diff == []


def _table_of(diff: Any) -> str | None:
    item = diff[0] if isinstance(diff, list) else diff
    for part in item[1:]:
        name = getattr(part, "name", None)
        table = getattr(part, "table", None)
        if table is not None:
            return str(table.name)
        if isinstance(part, str):
            return part
        if name is not None:
            return str(name)
    return None


def test_constraints_are_named(runtime: Any) -> None:
    inspector = inspect(runtime.engine)
    uniques = {u["name"] for u in inspector.get_unique_constraints("ballots")}
    assert {
        "uq_ballots_election_id_ballot_hash",
        "uq_ballots_election_id_leaf_index",
        "uq_ballots_election_id_credential_idempotency_key",
    } <= uniques
    indexes = {i["name"] for i in inspector.get_indexes("ballots")}
    assert "uq_ballots_one_effective" in indexes
    assert inspector.get_pk_constraint("log_leaves")["name"] == "pk_log_leaves"


def _election(uow: Any, eid: str = "e1") -> None:
    uow.add(
        Election(id=eid, manifest_json="{}", manifest_hash="0" * 64, state="open", created_at=NOW)
    )
    uow.flush()


def _ballot(index: int, state: str = "effective", credential: str = "C1", **kw: Any) -> Ballot:
    values = {
        "election_id": "e1",
        "credential": credential,
        "ballot_hash": f"{index:064x}",
        "content_hash": f"{index:064x}",
        "leaf_index": index,
        "sequence": index + 1,
        "idempotency_key": f"k{index}",
        "state": state,
        "cast_at": NOW,
    }
    return Ballot(**{**values, **kw})


def test_one_effective_ballot_per_voter_is_enforced_by_the_database(runtime: Any) -> None:
    with runtime.uow(write=True) as uow:
        _election(uow)
        uow.add(_ballot(0, "superseded"))
        uow.add(_ballot(1, "effective"))
        uow.add(_ballot(2, "effective", credential="C2"))
        uow.commit()
    with runtime.uow(write=True) as uow, pytest.raises(IntegrityError):
        uow.add(_ballot(3, "effective"))
        uow.flush()


@pytest.mark.parametrize(
    "clash",
    [
        {"ballot_hash": f"{0:064x}"},
        {"leaf_index": 0},
        {"idempotency_key": "k0"},
        {"sequence": 1},
        {"content_hash": f"{0:064x}"},
    ],
)
def test_trackers_indices_and_keys_are_unique(runtime: Any, clash: dict[str, Any]) -> None:
    with runtime.uow(write=True) as uow:
        _election(uow)
        uow.add(_ballot(0, "superseded"))
        uow.commit()
    with runtime.uow(write=True) as uow, pytest.raises(IntegrityError):
        uow.add(_ballot(5, "superseded", **clash))
        uow.flush()


def test_ballot_state_is_checked(runtime: Any) -> None:
    with runtime.uow(write=True) as uow:
        _election(uow)
        uow.commit()
    with runtime.uow(write=True) as uow, pytest.raises(IntegrityError):
        uow.add(_ballot(0, "counted"))
        uow.flush()


def test_unit_of_work_rolls_back_unless_committed(runtime: Any) -> None:
    with runtime.uow(write=True) as uow:
        _election(uow, "ghost")
    with runtime.uow() as uow:
        assert uow.election("ghost") is None


def test_times_come_back_aware_and_naive_ones_are_refused(runtime: Any) -> None:
    with runtime.uow(write=True) as uow:
        _election(uow)
        uow.commit()
    with runtime.uow() as uow:
        row = uow.election("e1")
        assert row is not None and row.created_at == NOW and row.created_at.tzinfo is not None
    with pytest.raises(ValueError, match="naive"):
        UtcDateTime().process_bind_param(datetime(2028, 1, 1), runtime.engine.dialect)
