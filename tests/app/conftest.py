"""Fixtures of the election-service tests: both databases, a runtime, open elections.

``backend`` runs a test on SQLite and on PostgreSQL (127.0.0.1:5432). Each
pytest worker creates its own PostgreSQL database with a unique name and
drops it at the end; each test starts from empty tables. PostgreSQL is
skipped only when it is unreachable *and* ``CI`` is unset: in CI it must run.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tohyo.app.auth.authority import DevApproval
from tohyo.app.services.devkeys import install_dev_key
from tohyo.app.services.elections import create_election, open_election
from tohyo.app.services.roll import import_roll, issue_codes
from tohyo.app.services.runtime import Runtime, build_runtime
from tohyo.app.settings import Settings
from tohyo.app.store.models import Base

PG_HOST = os.environ.get("TOHYO_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
BACKENDS = ("sqlite", "postgresql")
JST = timezone(timedelta(hours=9))


class FakeClock:
    """A settable clock (timezone-aware), shared by a runtime and its test."""

    def __init__(self, start: datetime | None = None) -> None:
        self.moment = start or datetime.now(UTC)
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self.moment

    def advance(self, **delta: float) -> None:
        with self._lock:
            self.moment += timedelta(**delta)


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str | None]:
    """A PostgreSQL database for this worker, or None if unreachable outside CI."""
    name = f"tohyo_t_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(f"{PG_HOST}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        admin.dispose()
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI but unreachable: {exc}")
        yield None
        return
    try:
        yield f"{PG_HOST}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _truncate(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            exists = conn.execute(text("SELECT to_regclass('public.elections')")).scalar()
            if exists:  # DELETE: much faster than TRUNCATE on tables this small
                for table in reversed(Base.metadata.sorted_tables):
                    conn.execute(table.delete())
    finally:
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, tmp_path: Path, pg_database: str | None) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'db.sqlite3'}"
    if pg_database is None:
        pytest.skip("PostgreSQL unreachable (and CI is not set)")
    _truncate(pg_database)
    return pg_database


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def runtime(settings: Settings, clock: FakeClock) -> Iterator[Runtime]:
    rt = build_runtime(settings, clock=clock)
    try:
        yield rt
    finally:
        rt.close()


def survey_manifest(election_id: str, start: datetime, end: datetime) -> bytes:
    """The 2025 Tsukuba three-field survey (one choice or blank per field)."""

    def question(qid: str, options: list[str]) -> dict[str, Any]:
        return {
            "id": qid,
            "kind": "choice",
            "title": {"ja": qid},
            "allow_blank": True,
            "min_selections": 1,
            "max_selections": 1,
            "options": [{"id": o, "label": {"ja": o}} for o in options],
        }

    manifest = {
        "format": "tohyo-manifest/1",
        "id": election_id,
        "title": {"ja": "テスト投票", "en": "Test vote"},
        "period": {
            "start": start.astimezone(JST).isoformat(timespec="seconds"),
            "end": end.astimezone(JST).isoformat(timespec="seconds"),
        },
        "authentication": ["code"],
        "trustees": {
            "threshold": 2,
            "members": [{"id": f"t{i}", "name": f"Trustee {i}"} for i in (1, 2, 3)],
        },
        "eligibility": {
            "minimum_age": 18,
            "election_day": end.astimezone(JST).date().isoformat(),
            "areas": ["082201"],
        },
        "questions": [
            question("services", ["internet-voting", "digital-counters", "ai-voice"]),
            question("mobility", ["tsukumobi", "smart-mobility", "hands-free"]),
            question("healthcare", ["home-care", "lifestyle", "emergency-data"]),
        ],
    }
    return json.dumps(manifest, ensure_ascii=False).encode()


def roll_csv(voter_ids: list[str], *, minor: str | None = None) -> bytes:
    lines = ["voter_id,name,birth_date,address_code,district"]
    lines += [f"{v},投票者 {i},1985-05-0{1 + i % 9},082201," for i, v in enumerate(voter_ids)]
    if minor:
        lines.append(f"{minor},子ども,2020-01-01,082201,")
    return ("\n".join(lines) + "\n").encode()


@dataclass
class OpenElection:
    """An open election with a roll and one unused voting code per voter."""

    runtime: Runtime
    id: str
    voter_ids: list[str]
    codes: list[str]
    used: int = field(default=0)

    def next_code(self) -> str:
        code = self.codes[self.used]
        self.used += 1
        return code


def make_election(
    runtime: Runtime, election_id: str = "test-election", *, voters: int = 6, open_: bool = True
) -> OpenElection:
    now = runtime.now()
    create_election(
        runtime,
        survey_manifest(election_id, now - timedelta(hours=1), now + timedelta(days=1)),
        actor="test",
    )
    ids = [f"V{n:04d}" for n in range(voters)]
    import_roll(runtime, election_id, roll_csv(ids), actor="test")
    install_dev_key(runtime, election_id, actor="test")
    codes: list[str] = []
    if open_:
        open_election(runtime, election_id, approval=DevApproval("test"))
        codes = [c.code for c in issue_codes(runtime, election_id, actor="test", voter_ids=ids)]
    return OpenElection(runtime, election_id, ids, codes)


@pytest.fixture
def election(runtime: Runtime) -> OpenElection:
    return make_election(runtime)


@pytest.fixture
def election_factory(runtime: Runtime) -> Callable[..., OpenElection]:
    def factory(election_id: str, **kwargs: Any) -> OpenElection:
        return make_election(runtime, election_id, **kwargs)

    return factory


@pytest.fixture
def client(runtime: Runtime) -> Iterator[Any]:
    """Starlette's test client on the real ASGI app (the real HTTP path, in process)."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*starlette.testclient")
        from fastapi.testclient import TestClient

    from tohyo.app.main import create_app

    with TestClient(create_app(runtime.settings, runtime=runtime)) as test_client:
        yield test_client


@pytest.fixture
def voter(client: Any, runtime: Runtime) -> Any:
    """A voter client whose every successful cast is followed by the count invariant."""
    from tohyo.app.services.counts import check_count_invariant
    from tohyo.app.voter_client import VoterClient

    class CheckedVoterClient(VoterClient):
        def cast(self, info: Any, session: Any, *args: Any, **kwargs: Any) -> Any:
            result = super().cast(info, session, *args, **kwargs)
            check_count_invariant(runtime, info.election_id)  # THREATS #25, after each cast
            return result

    return CheckedVoterClient(client)


@pytest.fixture
def manifest_for(clock: FakeClock) -> Callable[..., bytes]:
    """``manifest_for(id, start=..., end=...)``: a survey manifest (offsets in hours)."""

    def build(election_id: str, start_h: float = -1, end_h: float = 24) -> bytes:
        now = clock()
        return survey_manifest(
            election_id, now + timedelta(hours=start_h), now + timedelta(hours=end_h)
        )

    return build


@pytest.fixture
def live_server(runtime: Runtime) -> Iterator[str]:
    """The app under a real uvicorn on a loopback port (in a thread); yields its base URL."""
    import socket
    import time

    import uvicorn

    from tohyo.app.main import create_app

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        create_app(runtime.settings, runtime=runtime),
        host="127.0.0.1", port=port, log_level="warning", access_log=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
