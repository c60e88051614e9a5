"""Disposal of an election's personal data after its retention date (manifest.md §MAN-3.1).

:func:`dispose_election` is the only way an election reaches ``disposed``
(§MAN-17.1 ``Dispose``). In order:

1. refusals that need no approval, checked before the approval is spent (so a
   refused attempt does not waste it): unknown election, not ``published``
   (``disposal.not_published``) or already ``disposed``
   (``disposal.already_disposed``), no ``retain_until``
   (``disposal.no_retention_date``), before the day after it
   (``disposal.retention_not_over``);
2. the two officials' approval is spent (authentication.md §AUTH-APPR);
3. one write transaction runs every registered disposer
   (:mod:`tohyo.app.disposal.registry`), re-checks the phase, moves the election
   to ``disposed`` and writes the certificate into ``audit_events``; a failure
   rolls everything back (nothing half-deleted);
4. the database gives back the space the deleted rows held (SQLite: ``VACUUM``
   and a truncating WAL checkpoint, so no deleted value lingers in free pages
   or the WAL file; PostgreSQL: ``VACUUM`` of the affected tables), and the
   certificate is appended to the officials' audit log.

The public record is kept: the election row and manifest, the log leaves,
signed heads and cosignatures, the ballots' rows (credentials are public
pseudonyms), the journal (second medium), the tally and the audit logs.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from tohyo.app.auth.approvals import GuardedAction
from tohyo.app.auth.audit import AuditLog
from tohyo.app.auth.authority import Authority, spend_authority
from tohyo.app.disposal.certificate import DisposalCertificate
from tohyo.app.disposal.errors import DisposalRefused
from tohyo.app.disposal.registry import DisposalContext, disposers
from tohyo.app.domain.errors import DomainError
from tohyo.app.domain.lifecycle import Dispose, Phase, transition
from tohyo.app.services.common import audit, domain_error, domain_state, load_election, manifest_of
from tohyo.app.services.runtime import Runtime
from tohyo.app.store.models import Election

__all__ = ["KEPT", "disposable_from", "dispose_election"]

JST = timezone(timedelta(hours=9))
#: What disposal keeps: the public record, which holds no personal data (record.md §REC-1).
KEPT = (
    "manifest",
    "log_leaves",
    "signed_heads",
    "cosignatures",
    "ballots",
    "paper_overrides",
    "journal",
    "tally",
    "audit_logs",
)


def disposable_from(retain_until: date) -> datetime:
    """The first instant disposal is allowed: the day after ``retain_until``, 00:00 JST."""
    return datetime.combine(retain_until, time(0), tzinfo=JST) + timedelta(days=1)


def _check(runtime: Runtime, row: Election, now: datetime) -> DisposalCertificate:
    if row.state == Phase.DISPOSED.value:
        raise DisposalRefused("disposal.already_disposed", "the election is already disposed of")
    if row.state != Phase.PUBLISHED.value:
        raise DisposalRefused(
            "disposal.not_published", "only an election whose record is published is disposed of"
        )
    retain_until = manifest_of(runtime, row).retain_until
    if retain_until is None:
        raise DisposalRefused(
            "disposal.no_retention_date", "the manifest sets no retention date (retain_until)"
        )
    if now < disposable_from(retain_until):
        raise DisposalRefused(
            "disposal.retention_not_over",
            f"the data must be kept until {retain_until.isoformat()} (Japan time)",
        )
    return DisposalCertificate(row.id, retain_until, now, "", {}, {}, KEPT)


def dispose_election(
    runtime: Runtime, election_id: str, *, approval: Authority
) -> DisposalCertificate:
    """Delete every piece of personal data the election holds; keep the public record.

    Raises:
        NotFound: ``election.not_found``.
        DisposalRefused: ``disposal.not_published``, ``.already_disposed``,
            ``.no_retention_date``, ``.retention_not_over`` (nothing is spent or deleted).
        ApprovalRejected: the approval is unknown, unapproved, used, expired or mismatched.
        TypeError: no approval.
    """
    with runtime.uow() as uow:
        _check(runtime, load_election(uow, election_id), runtime.now())
    spent = spend_authority(
        approval, GuardedAction.DISPOSE, election_id, engine=runtime.engine, now=runtime.now()
    )
    with runtime.ledger.lock(election_id), runtime.uow(write=True) as uow:
        now = runtime.now()
        row = load_election(uow, election_id)
        draft = _check(runtime, row, now)  # again, under the write lock: one disposal only
        context = DisposalContext(uow.session, runtime, election_id, now)
        deleted = {d.name: d.run(context) for d in disposers()}
        try:
            state = transition(domain_state(runtime, uow, row), Dispose(), now=now)
        except DomainError as exc:  # pragma: no cover (the phase was checked above)
            raise domain_error(exc) from exc
        row.state = state.phase.value
        certificate = DisposalCertificate(
            election_id, draft.retain_until, now, spent.actor, dict(spent.detail), deleted, KEPT
        )
        audit(uow, election_id, "election.dispose", spent.actor, certificate.to_json(), now)
        uow.commit()
    compacted = compact(runtime.engine)
    AuditLog(runtime.engine).append(
        spent.actor, "election.dispose", {**certificate.to_json(), "compacted": compacted}, now=now
    )
    return certificate


#: Tables whose rows disposal deletes (PostgreSQL ``VACUUM`` list).
_VACUUMED = (
    "voting_codes",
    "voter_sessions",
    "voter_session_marks",
    "voters",
    "auth_roll_links",
    "auth_envelopes",
    "auth_challenges",
    "auth_oidc_transactions",
    "auth_rate_counters",
    "disposal_files",
)


def compact(engine: Engine) -> bool:
    """Give back the space of deleted rows so their bytes do not linger on disk.

    SQLite keeps deleted rows in free pages and old page images in the WAL until
    they are reused: ``VACUUM`` rewrites the file and a ``TRUNCATE`` checkpoint
    empties the WAL. PostgreSQL's ``VACUUM`` marks dead tuples reusable (their
    bytes stay in the server's files until overwritten; ``VACUUM FULL`` would
    rewrite the tables under an exclusive lock, which a running service avoids).

    Returns:
        Whether it completed; if not (another connection held the database), the
        deletion stands and the space is given back by a later ``VACUUM`` (the
        officials' log records ``"compacted": false``).
    """
    try:
        if engine.dialect.name == "sqlite":
            # On the driver's connection: the engine's "begin" hook would wrap the
            # statements in a transaction, where VACUUM is not allowed (store/db.py).
            raw = engine.raw_connection()
            try:
                cursor = raw.cursor()
                cursor.execute("VACUUM")
                busy = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            finally:
                raw.close()
            return busy is not None and int(busy[0]) == 0
        if engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                for table in _VACUUMED:
                    conn.execute(text(f'VACUUM "{table}"'))
        return True
    except (DBAPIError, sqlite3.Error):
        return False
