"""The periodic purge of expired sign-in state (app/disposal/purge.py; issue 10 item 5).

Expired voting sessions, card challenges, OIDC transactions, officials'
sessions and old rate-limit rows are deleted; live ones and those inside the
grace period stay; the counts of the result report do not move. The purge runs
by itself as a task of the app's lifespan. SQLite and PostgreSQL.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from tohyo.app.auth import tables as auth
from tohyo.app.disposal.purge import GRACE, LAST_REPORT, RUNS, purge_expired
from tohyo.app.services.counts import report_counts
from tohyo.app.services.runtime import Runtime, build_runtime
from tohyo.app.store.models import VoterSessionRow
from tohyo.app.store.retention import voter_session_marks


def _count(runtime: Runtime, table: Any) -> int:
    with runtime.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _seed_auth_rows(runtime: Runtime, eid: str) -> None:
    """One expired (beyond the grace) and one live row of each kind, by its times."""
    now = runtime.now().astimezone(UTC)
    old, live = now - GRACE - timedelta(minutes=5), now + timedelta(minutes=5)
    with runtime.engine.begin() as conn:
        for tag, expires in (("old", old), ("live", live)):
            conn.execute(auth.challenges.insert().values(
                id_hash=f"{tag:0>64}", election_id=eid, nonce=b"n" * 32, purpose="sign-in",
                created_at=expires - timedelta(minutes=2), expires_at=expires))
            conn.execute(auth.oidc_transactions.insert().values(
                state_hash=f"{tag:0>64}", election_id=eid, nonce="n", code_verifier="v",
                created_at=expires - timedelta(minutes=10), expires_at=expires))
        day = timedelta(seconds=runtime.settings.rate_row_ttl_seconds)
        for tag, touched in (("old", now - day - timedelta(minutes=1)), ("live", now)):
            conn.execute(auth.rate_counters.insert().values(
                key=f"{tag:0>64}", failures=1, window_start=touched, last_failure_at=touched))
        for tag, seen, ended in (
            ("ended", now - GRACE * 2, now - GRACE * 2),  # signed out long ago
            ("idle", now - GRACE * 2, None),  # idle far beyond 15 minutes
            ("live", now, None),
        ):
            conn.execute(auth.official_sessions.insert().values(
                token_hash=f"{tag:0>64}", username="ada", created_at=seen,
                last_seen_at=seen, ended_at=ended))


def test_purge_deletes_only_expired_rows_and_keeps_the_counts(
    runtime: Runtime, voter: Any, clock: Any, election_factory: Any
) -> None:
    election = election_factory("purged", voters=4)
    info = voter.election(election.id)
    # Two voters cast, a third only signs in; all three sessions then expire.
    for choice in ({"services": ["ai-voice"]}, {"mobility": ["tsukumobi"]}):
        voter.cast(info, voter.start_session(election.id, election.next_code()), choice)
    voter.start_session(election.id, election.next_code())
    before = report_counts(runtime, election.id)
    assert before.sessions_started == 3 and before.started_not_finished == 1
    clock.advance(seconds=runtime.settings.session_ttl_seconds, hours=1, minutes=1)
    voter.start_session(election.id, election.next_code())  # a fourth, live session
    _seed_auth_rows(runtime, election.id)

    report = purge_expired(runtime)

    assert (report.voter_sessions, report.challenges, report.oidc_transactions,
            report.official_sessions, report.rate_limit_rows) == (3, 1, 1, 2, 1)
    assert _count(runtime, VoterSessionRow.__table__) == 1
    assert _count(runtime, voter_session_marks) == 3
    for table in (auth.challenges, auth.oidc_transactions, auth.rate_counters,
                  auth.official_sessions):
        with runtime.engine.connect() as conn:
            left = {r[0].lstrip("0") for r in conn.execute(select(table.c[0]))}
        assert "live" in left and not left & {"old", "ended", "idle"}, (table.name, left)
    after = report_counts(runtime, election.id)
    assert after.sessions_started == 4 and after.started_not_finished == 2
    assert (after.casts, after.voters_cast) == (before.casts, before.voters_cast)
    assert purge_expired(runtime).total == 0  # a second run finds nothing


def test_the_service_purges_by_itself(settings: Any, clock: Any) -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*starlette.testclient")
        from fastapi.testclient import TestClient

    from tohyo.app.main import create_app

    runtime = build_runtime(settings.with_(purge_interval_seconds=0.05), clock=clock)
    try:
        _seed_auth_rows(runtime, "auto")
        assert _count(runtime, auth.challenges) == 2
        with TestClient(create_app(runtime.settings, runtime=runtime)):
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and runtime.cache.get(RUNS, 0) < 2:
                time.sleep(0.05)
            assert runtime.cache.get(RUNS, 0) >= 2
        runs = runtime.cache[RUNS]
        assert runtime.cache[LAST_REPORT].at <= datetime.now(UTC)
        assert _count(runtime, auth.challenges) == 1  # the live one is left
        assert _count(runtime, auth.oidc_transactions) == 1
        assert _count(runtime, auth.rate_counters) == 1
        time.sleep(0.3)
        assert runtime.cache[RUNS] == runs  # the task stopped with the app
    finally:
        runtime.close()


def test_the_purge_can_be_turned_off(settings: Any, clock: Any) -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*starlette.testclient")
        from fastapi.testclient import TestClient

    from tohyo.app.main import create_app

    runtime = build_runtime(settings.with_(purge_interval_seconds=0), clock=clock)
    try:
        _seed_auth_rows(runtime, "off")
        with TestClient(create_app(runtime.settings, runtime=runtime)):
            time.sleep(0.3)
        assert RUNS not in runtime.cache and _count(runtime, auth.challenges) == 2
    finally:
        runtime.close()
