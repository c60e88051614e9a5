"""The auth_0001 migration on SQLite and PostgreSQL: it builds exactly the tables the code uses."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, inspect

from tohyo.app.auth import tables
from tohyo.app.store.migrate import current_revisions, head_revisions, upgrade

AUTH_TABLES = {
    "auth_challenges",
    "auth_oidc_transactions",
    "auth_envelopes",
    "auth_roll_links",
    "auth_rate_counters",
    "auth_officials",
    "auth_official_sessions",
    "auth_approvals",
    "auth_audit",
}


def _auth_only(metadata: MetaData) -> MetaData:
    only = MetaData(naming_convention=metadata.naming_convention)
    for table in metadata.sorted_tables:
        if table.name in AUTH_TABLES:
            table.to_metadata(only)
    return only


def test_migration_matches_the_tables(runtime: Any) -> None:
    """Upgraded at startup to every head; no difference from ``auth.tables`` (types, keys)."""
    engine = runtime.engine
    assert "auth_0001" in current_revisions(engine)
    assert current_revisions(engine) == head_revisions()
    assert AUTH_TABLES <= set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = [
            d
            for d in compare_metadata(context, _auth_only(tables.metadata))
            if not (d[0] == "remove_table" or (d[0] == "remove_index")) and "auth_" in repr(d)
        ]
    assert diffs == []
    names = {c["name"] for c in inspect(engine).get_unique_constraints("auth_envelopes")}
    assert "uq_auth_envelopes_election_id_ballot_hash" in names


def test_downgrade_and_upgrade_again(runtime: Any) -> None:
    from alembic import command

    from tohyo.app.store.migrate import alembic_config

    cfg = alembic_config()
    with runtime.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "auth_0001-1")
    assert not AUTH_TABLES & set(inspect(runtime.engine).get_table_names())
    upgrade(runtime.engine)
    assert AUTH_TABLES <= set(inspect(runtime.engine).get_table_names())
