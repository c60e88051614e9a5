"""The periodic purge of expired sign-in state, inside the service (docs/adr/0057).

:func:`purge_expired` deletes, in one write transaction:

* voting sessions that expired more than :data:`GRACE` ago — what the result
  report and the envelope audit still need, (election, credential, method), is
  kept as a mark first (``store/retention.py``), so no count changes;
* card challenges and OIDC transactions that expired more than :data:`GRACE` ago;
* officials' sessions that ended, or passed their idle or absolute time-out
  (``auth/sessions.py`` ``SessionPolicy``), more than :data:`GRACE` ago;
* rate-limit rows last touched more than ``Settings.rate_row_ttl_seconds`` ago
  (default one day: longer than every rate window, so no live counter is lost;
  a ``known`` mark older than that is forgotten).

The grace keeps the precise refusal (``session.expired`` rather than
``session.invalid``) for a while after expiry. :func:`purging` runs it every
``Settings.purge_interval_seconds`` (0 turns it off) as an asyncio task of the
app's lifespan (``app/main.py``), in a worker thread; a storage failure skips
one run. The last report and the number of runs are kept in
``runtime.cache`` under :data:`LAST_REPORT` and :data:`RUNS`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.exc import SQLAlchemyError

from tohyo.app.auth import tables as auth
from tohyo.app.auth.sessions import SessionPolicy
from tohyo.app.services.runtime import Runtime
from tohyo.app.store.models import VoterSessionRow
from tohyo.app.store.retention import voter_session_marks

__all__ = ["GRACE", "LAST_REPORT", "RUNS", "PurgeReport", "purge_expired", "purging"]

#: How long an expired row is kept before the purge deletes it.
GRACE = timedelta(hours=1)
LAST_REPORT = "purge.last_report"
RUNS = "purge.runs"


@dataclass(frozen=True, slots=True)
class PurgeReport:
    """How many rows one run deleted, per kind."""

    at: datetime
    voter_sessions: int
    challenges: int
    oidc_transactions: int
    official_sessions: int
    rate_limit_rows: int

    @property
    def total(self) -> int:
        return (self.voter_sessions + self.challenges + self.oidc_transactions
                + self.official_sessions + self.rate_limit_rows)


def purge_expired(runtime: Runtime) -> PurgeReport:
    """Delete expired sign-in state (see the module docstring); one transaction."""
    now = runtime.now().astimezone(UTC)
    cutoff = now - GRACE
    policy = SessionPolicy()
    rate_cutoff = now - timedelta(seconds=runtime.settings.rate_row_ttl_seconds)
    with runtime.uow(write=True) as uow:
        conn = uow.session.connection()
        expired = VoterSessionRow.expires_at < cutoff
        seen = {
            (r.election_id, r.credential, r.method)
            for r in conn.execute(
                select(VoterSessionRow.election_id, VoterSessionRow.credential,
                       VoterSessionRow.method).where(expired).distinct()
            )
        }
        marks = voter_session_marks
        if seen:
            known = {
                (r.election_id, r.credential, r.method)
                for r in conn.execute(
                    select(marks).where(marks.c.election_id.in_({e for e, _, _ in seen}))
                )
            }
            rows = [
                {"election_id": e, "credential": c, "method": m}
                for e, c, m in sorted(seen - known)
            ]
            if rows:
                conn.execute(marks.insert(), rows)
        sessions = conn.execute(delete(VoterSessionRow).where(expired)).rowcount
        ch, oidc, off = auth.challenges, auth.oidc_transactions, auth.official_sessions
        challenges = conn.execute(delete(ch).where(ch.c.expires_at < cutoff)).rowcount
        transactions = conn.execute(delete(oidc).where(oidc.c.expires_at < cutoff)).rowcount
        officials = conn.execute(
            delete(off).where(
                or_(
                    off.c.ended_at < cutoff,
                    off.c.last_seen_at < cutoff - policy.idle,
                    off.c.created_at < cutoff - policy.absolute,
                )
            )
        ).rowcount
        rc = auth.rate_counters
        rates = conn.execute(delete(rc).where(rc.c.last_failure_at < rate_cutoff)).rowcount
        uow.commit()
    return PurgeReport(now, sessions, challenges, transactions, officials, rates)


async def _every(runtime: Runtime, interval: float) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            report = await asyncio.to_thread(purge_expired, runtime)
        except SQLAlchemyError:  # the database is down or busy: the next run catches up
            continue
        runtime.cache[LAST_REPORT] = report
        runtime.cache[RUNS] = int(runtime.cache.get(RUNS, 0)) + 1


@contextlib.asynccontextmanager
async def purging(runtime: Runtime) -> AsyncIterator[None]:
    """Run :func:`purge_expired` every ``purge_interval_seconds`` while the app is up."""
    interval = runtime.settings.purge_interval_seconds
    if interval <= 0:
        yield
        return
    task = asyncio.create_task(_every(runtime, interval), name="tohyo-purge")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
