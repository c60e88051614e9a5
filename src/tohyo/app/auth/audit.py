"""The officials' audit log (docs/spec/authentication.md §AUTH-AUDIT).

Every privileged action (sign-in and its failures, sign-out, account changes,
approval requests and approvals) is one row, hash-chained:
``entry_hash = SHA-256(DST ‖ prev_hash ‖ canonical JSON of the row)``, so a
deleted, edited or reordered row breaks :meth:`AuditLog.verify`. Details are
canonical JSON and never carry a secret (no password, code, token or TOTP).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select
from sqlalchemy.exc import IntegrityError

from tohyo.app.auth import tables
from tohyo.app.auth._time import as_utc, utcnow
from tohyo.app.store.db import begin_write

__all__ = ["AuditEntry", "AuditLog", "BrokenAuditChain"]

_DST = b"tohyo/1/auth/audit"
_GENESIS = "0" * 64


class BrokenAuditChain(ValueError):
    """A row was changed, removed or reordered; ``seq`` is the first bad one."""

    def __init__(self, seq: int) -> None:
        super().__init__(f"audit chain broken at entry {seq}")
        self.seq = seq


@dataclass(frozen=True, slots=True)
class AuditEntry:
    seq: int
    at: datetime
    actor: str
    action: str
    detail: dict[str, Any]
    entry_hash: str


def _canonical(seq: int, at: datetime, actor: str, action: str, detail: dict[str, Any]) -> bytes:
    body = {
        "seq": seq,
        "at": as_utc(at).isoformat(),
        "actor": actor,
        "action": action,
        "detail": detail,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _chain(prev: str, row: bytes) -> str:
    return hashlib.sha256(_DST + bytes.fromhex(prev) + row).hexdigest()


class AuditLog:
    """Append-only, hash-chained log in ``auth_audit``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def append(
        self,
        actor: str,
        action: str,
        detail: dict[str, Any] | None = None,
        *,
        now: datetime | None = None,
        conn: Connection | None = None,
    ) -> AuditEntry:
        """Append one entry in its own transaction, or inside ``conn``'s (then the
        entry commits or rolls back with the caller's work)."""
        moment = utcnow(now).replace(microsecond=0)
        data = detail or {}
        for _ in range(5):  # the primary key on seq serialises concurrent writers
            try:
                if conn is None:
                    with begin_write(self.engine) as own:
                        return self._insert(own, actor, action, data, moment)
                with conn.begin_nested():  # a savepoint: a lost race retries, the caller goes on
                    return self._insert(conn, actor, action, data, moment)
            except IntegrityError:
                continue
        raise RuntimeError("audit log contention")  # pragma: no cover

    @staticmethod
    def _insert(
        conn: Connection, actor: str, action: str, data: dict[str, Any], moment: datetime
    ) -> AuditEntry:
        t = tables.audit
        newest = select(t.c.seq, t.c.entry_hash).order_by(t.c.seq.desc()).limit(1)
        last = conn.execute(newest).first()
        seq = 1 if last is None else int(last.seq) + 1
        prev = _GENESIS if last is None else str(last.entry_hash)
        entry_hash = _chain(prev, _canonical(seq, moment, actor, action, data))
        conn.execute(
            insert(t).values(
                seq=seq,
                at=moment,
                actor=actor,
                action=action,
                detail=json.dumps(data, sort_keys=True, ensure_ascii=False),
                prev_hash=prev,
                entry_hash=entry_hash,
            )
        )
        return AuditEntry(seq, moment, actor, action, data, entry_hash)

    def entries(self) -> tuple[AuditEntry, ...]:
        t = tables.audit
        with self.engine.connect() as conn:
            rows = conn.execute(select(t).order_by(t.c.seq)).all()
        return tuple(
            AuditEntry(
                int(r.seq), as_utc(r.at), r.actor, r.action, json.loads(r.detail), r.entry_hash
            )
            for r in rows
        )

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(tables.audit)).scalar_one())

    def verify(self) -> None:
        """Recompute the chain.

        Raises:
            BrokenAuditChain: at the first entry that does not follow.
        """
        prev = _GENESIS
        for expected_seq, entry in enumerate(self.entries(), start=1):
            row = _canonical(entry.seq, entry.at, entry.actor, entry.action, entry.detail)
            if entry.seq != expected_seq or _chain(prev, row) != entry.entry_hash:
                raise BrokenAuditChain(entry.seq)
            prev = entry.entry_hash
