"""Engines and the durability gate (docs/spec/storage.md §ST-2, THREATS #27).

A receipt is a promise that the ballot survives a crash, so the service only
runs on a database configuration where a returned COMMIT is on stable storage:

* SQLite: ``journal_mode=WAL`` and ``synchronous=FULL`` (in WAL mode, NORMAL
  may lose the last transactions on power loss). Both are set on *every*
  connection and read back; a connection that does not report them is refused.
* PostgreSQL: ``fsync=on``, ``full_page_writes=on`` and ``synchronous_commit``
  one of ``on``, ``remote_write``, ``remote_apply`` (``off`` and ``local``
  acknowledge before the WAL reaches the standby or the disk).

SQLite transactions: pysqlite's own implicit BEGIN is switched off so that the
service decides; a write unit of work begins with ``BEGIN IMMEDIATE`` (takes
the database write lock up front, so two writers serialize instead of failing
at upgrade time), a read unit of work with a plain deferred ``BEGIN``.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import Connection
from sqlalchemy.pool import ConnectionPoolEntry, QueuePool

from tohyo.app.errors import StartupError

__all__ = [
    "WRITE_OPTION",
    "begin_write",
    "check_durability",
    "check_postgres_settings",
    "make_engine",
]

#: Execution option that makes a SQLite transaction begin with BEGIN IMMEDIATE.
WRITE_OPTION = "tohyo_write"
_PG_SAFE_COMMIT = frozenset({"on", "remote_write", "remote_apply"})
_SQLITE_BUSY_TIMEOUT_MS = 30_000


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    """An engine for ``url`` with the service's per-connection settings."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": _SQLITE_BUSY_TIMEOUT_MS / 1000},
            poolclass=QueuePool,
            pool_size=pool_size,
            max_overflow=0,
            pool_timeout=60,
        )
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    return create_engine(
        url, pool_size=pool_size, max_overflow=0, pool_pre_ping=True, pool_timeout=30
    )


def begin_write(engine: Engine) -> AbstractContextManager[Connection]:
    """``engine.begin()`` for a transaction that may write (storage.md §ST-9).

    On SQLite it begins with ``BEGIN IMMEDIATE``: a deferred transaction that
    reads, then writes, fails at once with ``SQLITE_BUSY`` when another
    connection wrote in between, instead of waiting for the lock.
    """
    return engine.execution_options(**{WRITE_OPTION: True}).begin()


def _sqlite_on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # Autocommit at the driver level: BEGIN is ours (see _sqlite_on_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_TIMEOUT_MS}")
        mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
        sync = cursor.execute("PRAGMA synchronous").fetchone()[0]
    finally:
        cursor.close()
    # Read back rather than trust: an in-memory database or a read-only file
    # silently keeps another journal mode.
    if str(mode).lower() != "wal" or int(sync) != 2:
        raise StartupError(
            f"SQLite refused durable settings (journal_mode={mode}, synchronous={sync}); "
            "need journal_mode=WAL and synchronous=FULL (THREATS #27)"
        )


def _sqlite_on_begin(conn: Connection) -> None:
    if conn.get_execution_options().get(WRITE_OPTION):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")


def check_postgres_settings(settings: Mapping[str, str]) -> None:
    """Refuse PostgreSQL settings that could lose an acknowledged commit.

    Args:
        settings: ``SHOW`` values of ``synchronous_commit``, ``fsync`` and
            ``full_page_writes``.

    Raises:
        StartupError: naming each unsafe setting.
    """
    problems = []
    sync = settings.get("synchronous_commit", "").lower()
    if sync not in _PG_SAFE_COMMIT:
        problems.append(f"synchronous_commit={sync or '?'} (need on, remote_write or remote_apply)")
    for name in ("fsync", "full_page_writes"):
        value = settings.get(name, "").lower()
        if value != "on":
            problems.append(f"{name}={value or '?'} (need on)")
    if problems:
        raise StartupError(
            "PostgreSQL could lose acknowledged ballots: " + "; ".join(problems) + " (THREATS #27)"
        )


def check_durability(engine: Engine) -> None:
    """Verify the database acknowledges only durable commits, or raise StartupError."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            mode = conn.execute(text("PRAGMA journal_mode")).scalar_one()
            sync = conn.execute(text("PRAGMA synchronous")).scalar_one()
            if str(mode).lower() != "wal" or int(sync) != 2:  # pragma: no cover - on_connect
                raise StartupError(f"SQLite journal_mode={mode}, synchronous={sync}")
            return
        if engine.dialect.name != "postgresql":
            raise StartupError(f"unsupported database {engine.dialect.name}")
        values = {
            name: str(conn.execute(text(f"SHOW {name}")).scalar_one())
            for name in ("synchronous_commit", "fsync", "full_page_writes")
        }
        conn.rollback()
    check_postgres_settings(values)
