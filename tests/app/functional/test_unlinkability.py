"""THREATS #47: no link between a credential, a ballot hash and an address or user agent.

A whole election over HTTP against a real uvicorn server configured as ``tohyo
serve`` runs it (``access_log=False``, log level ``info``): every voter comes
from its own loopback address (127.0.0.x) with its own user agent, some vote
twice, one mistypes a code first; then the close, the tally and the published
record. Afterwards every database row, every line of the second medium (the
journal), every line of the record and every log record the process emitted
(the access log included, were it on) is one *unit*, and the scan asks which
units hold an address or a user agent (none may, in clear or as a bare
SHA-256) and which hold a credential next to a ballot hash (only the documented
public linkage may: the board's leaves and the ``ballots`` table, privacy
impact assessment §3). The addresses did reach the service: the rate limiter's
rows are keyed by them, under an HMAC whose key file stays outside the
database. SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import MetaData, select

from tohyo.app.auth import tables as auth
from tohyo.app.auth.authority import DevApproval
from tohyo.app.auth.codes import CODE_SCOPE
from tohyo.app.auth.wiring import rate_limit_key
from tohyo.app.main import create_app
from tohyo.app.services.elections import close_election
from tohyo.app.services.tally import publish_record, record_tally
from tohyo.app.voter_client import VoterClient

from .test_tally import _shares

DEV = DevApproval("test")
VOTERS = 5


class _Captured(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.name} {record.getMessage()} {record.args!r}")


@pytest.fixture
def served(runtime: Any) -> Iterator[tuple[str, _Captured]]:
    """The app under uvicorn as ``tohyo serve`` starts it, every log record captured."""
    captured = _Captured()
    loggers = [logging.getLogger(n) for n in ("", "uvicorn", "uvicorn.error", "uvicorn.access")]
    for logger in loggers:
        logger.addHandler(captured)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(create_app(runtime.settings, runtime=runtime), host="127.0.0.1",
                            port=port, log_level="info", access_log=False)  # cli/serve.py
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}", captured
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        for logger in loggers:
            logger.removeHandler(captured)


def _address(i: int) -> str:
    return f"127.0.0.{11 + i}"


def _agent(i: int) -> str:
    return f"Mozilla/5.0 (probe-{i}; UA47x{i:03d}) Gecko/20100101"


def _units(runtime: Any, record: Path, logs: list[str]) -> Iterator[tuple[str, str]]:
    meta = MetaData()
    meta.reflect(bind=runtime.engine)
    with runtime.engine.connect() as conn:
        for table in meta.sorted_tables:
            for row in conn.execute(select(table)):
                yield f"db:{table.name}", " ".join(
                    v.hex() if isinstance(v, bytes | memoryview) else str(v) for v in row
                )
    for path in sorted(runtime.settings.journal_dir.rglob("*")):
        if path.is_file():
            for line in path.read_text().splitlines():
                yield f"journal:{path.name}", line
    for path in sorted(record.rglob("*")):
        if path.is_file():
            for line in path.read_bytes().decode("utf-8", "replace").splitlines():
                yield f"record:{path.name}", line
    for line in logs:
        yield "log", line


def test_no_address_or_user_agent_is_linked_to_a_credential_or_ballot(
    runtime: Any, served: tuple[str, _Captured], election_factory: Any, tmp_path: Path
) -> None:
    base, captured = served
    election = election_factory("unlinkable", voters=VOTERS)
    credentials: set[str] = set()
    trackers: set[str] = set()
    for i in range(VOTERS):
        transport = httpx.HTTPTransport(local_address=_address(i))
        with httpx.Client(base_url=base, transport=transport, timeout=30,
                          headers={"User-Agent": _agent(i)}) as http:
            if i == 0:  # a mistyped code first: the rate limiter sees the address
                bad = http.post(f"/api/v1/elections/{election.id}/sessions",
                                json={"code": "AAAA-AAAA-AAAA-AAAA"})
                assert bad.status_code == 401
            client = VoterClient(http)
            info = client.election(election.id)
            session = client.start_session(election.id, election.next_code())
            credentials.add(session.credential)
            for choice in ({"services": ["ai-voice"]}, {"mobility": ["tsukumobi"]})[: 1 + i % 2]:
                done = client.cast(info, session, choice)
                trackers.add(done.receipt["ballot_hash"])
    close_election(runtime, election.id, approval=DEV, reason="test over")
    record_tally(runtime, election.id, _shares(runtime, election.id, (1, 2)), approval=DEV)
    record = tmp_path / "record"
    publish_record(runtime, election.id, record, actor="t")
    assert len(trackers) == VOTERS + VOTERS // 2

    needles = {
        "address": {a for i in range(VOTERS) for a in
                    (_address(i), hashlib.sha256(_address(i).encode()).hexdigest())},
        "agent": {_agent(i) for i in range(VOTERS)} | {f"UA47x{i:03d}" for i in range(VOTERS)},
        "credential": credentials,
        "ballot_hash": trackers,
    }
    linked: dict[str, set[str]] = {}
    for where, text in _units(runtime, record, captured.lines):
        kinds = {kind for kind, values in needles.items() if any(v in text for v in values)}
        assert not kinds & {"address", "agent"}, (where, kinds, text[:300])
        if {"credential", "ballot_hash"} <= kinds:
            linked.setdefault(where.split(":")[0], set()).add(where)
    # The documented public linkage, and only it (the scan can see a link when there is one).
    assert linked["db"] == {"db:ballots", "db:log_leaves"}, linked
    assert linked["journal"] and linked["record"], linked
    assert "log" not in linked

    # The addresses reached the service: the limiter keys the row of voter 0's mistyped
    # code by its address (authentication.md §AUTH-RATE-2), under a key file; a code that
    # succeeds writes nothing.
    key = rate_limit_key(runtime.settings.keys_dir)
    expected = {
        hmac.new(key, "\x00".join((CODE_SCOPE, "address", _address(0), election.id)).encode(),
                 "sha256").hexdigest()
    }
    with runtime.engine.connect() as conn:
        rows = {r[0] for r in conn.execute(select(auth.rate_counters.c.key))}
    assert expected <= rows
    assert json.dumps(sorted(rows)).find(_address(0)) == -1
