"""The durability gate (THREATS #27): refuse to run where a commit could be lost."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tohyo.app.errors import StartupError
from tohyo.app.services.runtime import build_runtime
from tohyo.app.settings import Settings
from tohyo.app.store.db import check_durability, check_postgres_settings, make_engine


def test_every_sqlite_connection_is_wal_and_full(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    try:
        conns = [engine.connect() for _ in range(3)]
        for conn in conns:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        for conn in conns:
            conn.close()
        check_durability(engine)
    finally:
        engine.dispose()


def test_sqlite_that_cannot_do_wal_is_refused(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url="sqlite:///:memory:")
    with pytest.raises(StartupError, match="journal_mode"):
        build_runtime(settings)


def test_sqlite_without_the_service_settings_is_refused(tmp_path: Path) -> None:
    plain = create_engine(f"sqlite:///{tmp_path / 'plain.sqlite3'}")  # rollback journal, FULL
    try:
        with pytest.raises(StartupError, match="journal_mode=delete"):
            check_durability(plain)
    finally:
        plain.dispose()


def test_postgres_with_async_commit_is_refused(tmp_path: Path, pg_database: str | None) -> None:
    if pg_database is None:
        pytest.skip("PostgreSQL unreachable (and CI is not set)")
    url = f"{pg_database}?options=-csynchronous_commit%3Doff"
    with pytest.raises(StartupError, match="synchronous_commit=off"):
        build_runtime(Settings(data_dir=tmp_path, database_url=url))


def test_postgres_as_configured_here_is_accepted(pg_database: str | None) -> None:
    if pg_database is None:
        pytest.skip("PostgreSQL unreachable (and CI is not set)")
    engine = make_engine(pg_database)
    try:
        check_durability(engine)
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("values", "bad"),
    [
        ({"synchronous_commit": "off"}, "synchronous_commit=off"),
        ({"synchronous_commit": "local"}, "synchronous_commit=local"),
        ({"fsync": "off"}, "fsync=off"),
        ({"full_page_writes": "off"}, "full_page_writes=off"),
    ],
)
def test_postgres_settings_that_lose_commits(values: dict[str, str], bad: str) -> None:
    settings = {"synchronous_commit": "on", "fsync": "on", "full_page_writes": "on", **values}
    with pytest.raises(StartupError, match=bad):
        check_postgres_settings(settings)


@pytest.mark.parametrize("mode", ["on", "remote_write", "remote_apply"])
def test_postgres_safe_settings(mode: str) -> None:
    check_postgres_settings({"synchronous_commit": mode, "fsync": "on", "full_page_writes": "on"})


def test_unsupported_database_is_refused(monkeypatch: Any, tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'y.sqlite3'}")
    monkeypatch.setattr(engine.dialect, "name", "mysql")
    try:
        with pytest.raises(StartupError, match="unsupported"):
            check_durability(engine)
    finally:
        engine.dispose()
