"""Helpers shared by the services: loading elections, audit entries, log appends.

:func:`append_leaves` is the one write path into an election's log. It runs
the serialized critical section of docs/spec/casting.md §CAST-4 (process
lock, then the ``log_states`` row lock inside a write transaction), commits,
and only then copies the new leaves to the second medium; a failure of that
copy halts the service (THREATS #29).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError

from tohyo.app.domain.errors import DomainError
from tohyo.app.domain.lifecycle import ElectionState, Phase, WithdrawalReason
from tohyo.app.domain.lifecycle import Withdrawal as DomainWithdrawal
from tohyo.app.errors import Conflict, NotFound, ServiceError, Unavailable
from tohyo.app.services.ledger import Appended, LogCorrupt
from tohyo.app.services.runtime import Runtime, stored_entries
from tohyo.app.store.journal import JournalEntry, JournalError, entry_for
from tohyo.app.store.models import AuditEvent, Election, LogState
from tohyo.app.store.uow import UnitOfWork
from tohyo.record.canonical import dumps_canonical
from tohyo.record.manifest import Manifest, parse_manifest

__all__ = [
    "LeafWrite",
    "append_leaves",
    "audit",
    "domain_error",
    "domain_state",
    "load_election",
    "manifest_of",
]

T = TypeVar("T")


def load_election(uow: UnitOfWork, election_id: str) -> Election:
    """The election row, or 404 ``election.not_found``."""
    row = uow.election(election_id)
    if row is None:
        raise NotFound("election.not_found", f"no election {election_id!r}")
    return row


def manifest_of(runtime: Runtime, row: Election) -> Manifest:
    """The parsed manifest, cached by content hash (it never changes after the draft)."""
    key = ("manifest", row.id, row.manifest_hash)
    manifest = runtime.cache.get(key)
    if manifest is None:
        manifest = parse_manifest(row.manifest_json.encode())
        runtime.cache[key] = manifest
    return manifest


def domain_state(runtime: Runtime, uow: UnitOfWork, row: Election) -> ElectionState:
    """The pure lifecycle state of an election, rebuilt from its rows."""
    manifest = manifest_of(runtime, row)
    withdrawals = []
    for w in uow.withdrawals(row.id):
        question, _ = manifest.candidate(w.candidate_id)
        withdrawals.append(
            DomainWithdrawal(question.id, w.candidate_id, WithdrawalReason(w.reason), w.recorded_at)
        )
    return ElectionState(manifest=manifest, phase=Phase(row.state), withdrawals=tuple(withdrawals))


def domain_error(exc: DomainError, prefix: str = "election") -> ServiceError:
    """A lifecycle refusal as a 409 with a stable code (``election.period_over``...)."""
    return Conflict(f"{prefix}.{exc.code}", str(exc))


def audit(
    uow: UnitOfWork,
    election_id: str | None,
    kind: str,
    actor: str,
    detail: Mapping[str, Any],
    now: datetime,
) -> None:
    """Record an official's action; ``detail`` must hold no secrets or identities."""
    uow.add(
        AuditEvent(
            election_id=election_id,
            kind=kind,
            actor=actor,
            detail=dumps_canonical(dict(detail)).decode(),
            at=now,
        )
    )


@dataclass(frozen=True, slots=True)
class LeafWrite:
    """A leaf to append: its kind and its fields besides ``kind`` and ``election_id``."""

    kind: str
    data: Mapping[str, Any]


def leaf_bytes(election_id: str, leaf: LeafWrite) -> bytes:
    """The canonical JSON of a leaf (§CAST-5, record.md §REC-4): what the leaf hash covers."""
    obj = {**leaf.data, "kind": leaf.kind, "election_id": election_id}
    return dumps_canonical(obj, max_depth=16)


def append_leaves(
    runtime: Runtime,
    election_id: str,
    body: Callable[[UnitOfWork, LogState], Sequence[LeafWrite] | tuple[Sequence[LeafWrite], T]],
) -> tuple[list[Appended], T | None]:
    """Run ``body`` in the serialized critical section and append what it returns.

    ``body(uow, state)`` checks whatever must be checked under the lock, adds
    its own rows, and returns the leaves to append (optionally with a result
    value). The leaves are appended and signed, the transaction committed,
    and the leaves written to the journal, all before this returns.

    Raises:
        ServiceError: from ``body`` (nothing is stored).
        Unavailable: ``service.halted`` or ``storage.unavailable`` (503).
    """
    runtime.ensure_running()
    ledger = runtime.ledger
    # Only a failure after the cached tree grew needs a rebuild, and only one
    # during COMMIT can have an unknown outcome: a refusal by ``body`` costs
    # nothing (rebuilding a large tree for every refusal would be a DoS).
    appending = committing = False
    with ledger.lock(election_id):
        try:
            with runtime.uow(write=True) as uow:
                state = uow.log_state(election_id, lock=True)
                if state is None:
                    raise Conflict("election.log_not_started", "the election's log is not open")
                outcome = body(uow, state)
                leaves, extra = outcome if isinstance(outcome, tuple) else (outcome, None)
                now = runtime.now()
                appended, entries = [], []
                for leaf in leaves:
                    data = leaf_bytes(election_id, leaf)
                    appending = True
                    done = ledger.append(uow, state, leaf.kind, data, now)
                    appended.append(done)
                    entries.append(entry_for(election_id, done.index, leaf.kind, data))
                committing = True
                uow.commit()
        except BaseException as exc:
            if appending:
                ledger.invalidate(election_id)
            if committing:
                # The outcome of a failed COMMIT is unknown: the next journal
                # write re-reads the database first; the client retries.
                runtime.cache[("journal-dirty", election_id)] = True
            if isinstance(exc, LogCorrupt):
                runtime.halt(str(exc))
                raise Unavailable("service.halted", "the log failed its integrity check") from exc
            if isinstance(exc, DBAPIError):
                raise Unavailable(
                    "storage.unavailable", "the database is unavailable; retry with the same key"
                ) from exc
            raise
        _journal(runtime, election_id, entries)
    return appended, extra


def _journal(runtime: Runtime, election_id: str, entries: list[JournalEntry]) -> None:
    try:
        if runtime.cache.pop(("journal-dirty", election_id), False):
            # An earlier COMMIT failed ambiguously: copy whatever did commit.
            with runtime.uow() as uow:
                state = uow.log_state(election_id)
                size = state.size if state is not None else 0
            runtime.journal.reconcile(election_id, stored_entries(runtime, election_id, size))
            return
        runtime.journal.append(entries)
    except (JournalError, OSError, ValueError, LogCorrupt) as exc:
        runtime.halt(f"second medium failed: {exc}")
        raise Unavailable(
            "service.halted",
            "the ballot was stored but could not be copied to the second medium; "
            "no receipt is issued and the service has stopped",
        ) from exc


def parse_json_object(text: str) -> dict[str, Any]:
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("expected a JSON object")
    return value
