"""The service runtime: engine, keys, logs, journal and clock, built once (§ST-1).

:func:`build_runtime` is the one place that starts the storage layer, and it
refuses to return a runtime that could lose an acknowledged ballot:

1. the durability gate (THREATS #27) on the database;
2. schema migrations (or a check that the schema is current);
3. the key files (mode 0600);
4. for every election with a log: the stored leaves must reproduce the stored
   signed root, and the second medium is reconciled (§ST-6.2).

The web app (``create_app``) and the CLI both use it; services take the
runtime as their first argument.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from tohyo.app.errors import StartupError, Unavailable
from tohyo.app.services.ledger import Ledger, LogCorrupt
from tohyo.app.settings import Settings
from tohyo.app.store import retention as _retention  # noqa: F401  (its tables on the metadata)
from tohyo.app.store.db import check_durability, make_engine
from tohyo.app.store.journal import (
    Journal,
    JournalCorrupt,
    JournalEntry,
    ReconcileReport,
    entry_for,
)
from tohyo.app.store.keys import ServiceKeys
from tohyo.app.store.migrate import current_revisions, head_revisions, upgrade
from tohyo.app.store.second_medium import check_placement
from tohyo.app.store.uow import UnitOfWorkFactory

__all__ = ["Clock", "Runtime", "build_runtime", "stored_entries", "system_clock"]

Clock = Callable[[], datetime]
_PAGE = 2000


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime:
    """Everything a service needs; one per process (or per test)."""

    settings: Settings
    engine: Engine
    uow: UnitOfWorkFactory
    keys: ServiceKeys
    ledger: Ledger
    journal: Journal
    clock: Clock = system_clock
    cache: dict[Any, Any] = field(default_factory=dict)
    _halt_reason: str | None = None
    _halt_lock: threading.Lock = field(default_factory=threading.Lock)

    def now(self) -> datetime:
        moment = self.clock()
        if moment.tzinfo is None:
            raise ValueError("the clock must return timezone-aware datetimes")
        return moment

    def halt(self, reason: str) -> None:
        """Stop acknowledging ballots until restart (fail-stop, THREATS #29)."""
        with self._halt_lock:
            if self._halt_reason is None:
                self._halt_reason = reason

    @property
    def halted(self) -> str | None:
        return self._halt_reason

    def ensure_running(self) -> None:
        """Raise 503 ``service.halted`` once a durability failure was seen."""
        if self._halt_reason is not None:
            raise Unavailable(
                "service.halted",
                "the service stopped accepting ballots after a storage failure; "
                "an operator must restart it",
            )

    def close(self) -> None:
        self.engine.dispose()


def build_runtime(
    settings: Settings, *, clock: Clock = system_clock, reconcile: bool = True
) -> Runtime:
    """Open storage, check it, and return a runtime (see the module docstring).

    ``reconcile=False`` skips step 4 for the officials' commands that examine a
    damaged primary or copy themselves (``tohyo record unseal|rebuild``,
    storage.md §ST-6.5, §ST-8.3); the service never starts without it.

    Raises:
        StartupError: unsafe durability settings, an outdated schema, bad key
            files, a log that does not match its signed head, or a second
            medium that diverges from the database.
    """
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.effective_database_url)
    try:
        if settings.check_durability:
            check_durability(engine)
        if settings.run_migrations:
            upgrade(engine)
        elif current_revisions(engine) != head_revisions():
            raise StartupError("the database schema is not current: run `tohyo db upgrade`")
        check_placement(
            settings.journal_dir,
            engine,
            configured=settings.second_medium_dir is not None,
            production=settings.production,
        )
        keys = ServiceKeys.load(
            settings.log_key_path, settings.roll_key_path, settings.credential_key_path
        )
        runtime = Runtime(
            settings=settings,
            engine=engine,
            uow=UnitOfWorkFactory(engine),
            keys=keys,
            ledger=Ledger(keys, settings.log_origin),
            journal=Journal(settings.journal_dir),
            clock=clock,
        )
        if reconcile:
            reconcile_all(runtime)
    except BaseException:
        engine.dispose()
        raise
    return runtime


def stored_entries(runtime: Runtime, election_id: str, size: int) -> Iterator[JournalEntry]:
    """The database's leaves ``[0, size)`` as journal entries, a page at a time.

    Raises:
        LogCorrupt: a leaf's data does not hash to its stored leaf hash.
    """
    for start in range(0, size, _PAGE):
        with runtime.uow() as uow:
            rows = uow.leaves(election_id, start, min(size, start + _PAGE))
        for leaf in rows:
            entry = entry_for(election_id, leaf.leaf_index, leaf.kind, leaf.data.encode())
            if entry.leaf_hash != leaf.leaf_hash:
                raise LogCorrupt(f"log of {election_id}: leaf {leaf.leaf_index} was edited")
            yield entry


def reconcile_all(runtime: Runtime) -> list[ReconcileReport]:
    """Check every log against its head and copy missing leaves to the journal.

    Raises:
        StartupError: a log or the journal diverges (the message says which).
    """
    reports = []
    with runtime.uow() as uow:
        elections = [e.id for e in uow.elections()]
    for eid in elections:
        with runtime.ledger.lock(eid):
            with runtime.uow() as uow:
                state = uow.log_state(eid)
                if state is None:
                    continue
                try:
                    runtime.ledger.tree(uow, state, authoritative=True)
                except LogCorrupt as exc:
                    raise StartupError(str(exc)) from exc
                size = state.size
            try:
                reports.append(runtime.journal.reconcile(eid, stored_entries(runtime, eid, size)))
            except (LogCorrupt, JournalCorrupt) as exc:
                raise StartupError(str(exc)) from exc
    return reports
