"""A bounded soak with chaos (THREATS #50): casts at a set rate while the server is killed.

A real server (uvicorn subprocess, as ``tohyo serve`` runs it) on loopback, on
SQLite and/or PostgreSQL with the durability gate on. Clients cast pre-encrypted
ballots of the 2025 survey at ``--rate`` per second (open loop: a request is
due at its time whether or not the last one was answered), one voter per
cast. Every ``--chaos-every`` seconds one of:

* ``kill -9`` of the server, then a restart (startup checks the log against its
  signed head and reconciles the second medium, storage.md §ST-6.2);
* on PostgreSQL, every other time (first): ``pg_terminate_backend`` of every connection
  to the election's database (the server's pool must recover; the shared
  PostgreSQL server itself is not restarted).

After ``--duration`` seconds the server stops and the run checks, in process:
every acknowledged ballot (a 201 with a receipt) is stored, in the log and in
the journal (``lost_acknowledged`` must be 0); the count invariant; then the
close, the tally with the dev key shares, the published record and the
independent verifier. Prints one JSON object per backend; exits 1 on a loss or
an invalid record. Defaults: 50 s per backend, both backends (under 2 minutes
of soak, plus the preparation).

    .venv/bin/python bench/bench_soak.py [--backend both] [--duration 50] [--rate 4]
        [--chaos-every 8] [--workers 8]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, select, text

from tohyo.app.auth.authority import DevApproval
from tohyo.app.services.counts import check_count_invariant
from tohyo.app.services.demo import demo_manifest, demo_roll
from tohyo.app.services.devkeys import install_dev_key
from tohyo.app.services.elections import close_election, create_election, open_election
from tohyo.app.services.roll import import_roll, issue_codes
from tohyo.app.services.runtime import build_runtime
from tohyo.app.services.sessions import start_session_with_code
from tohyo.app.services.tally import (
    board_snapshot,
    propose_tally,
    publish_record,
    record_tally,
    trustee_shares,
)
from tohyo.app.settings import Settings
from tohyo.app.store.models import Ballot
from tohyo.app.voter_client import Session, VoterClient
from tohyo.crypto import ballot_hash
from tohyo.crypto.dkg_state import TrusteeKey
from tohyo.record.canonical import dumps_canonical
from tohyo.verify import verify_record

PG = os.environ.get("TOHYO_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
ELECTION = "soak-survey"
DEV = DevApproval("simulation")
CHOICES = [
    {"administrative-services": ["internet-voting"], "mobility": ["smart-mobility"],
     "healthcare": ["online-home-care"]},
    {"administrative-services": ["digital-counters"], "mobility": [], "healthcare": []},
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    """The uvicorn subprocess; :meth:`kill9` and :meth:`start` are the chaos."""

    settings: Settings
    log: Path
    port: int = field(default_factory=_free_port)
    process: subprocess.Popen[bytes] | None = None
    restarts: list[float] = field(default_factory=list)
    failed_starts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> float:
        """Start and wait until it answers; the seconds it took."""
        env = {
            **os.environ,
            "TOHYO_DATA_DIR": str(self.settings.data_dir),
            "TOHYO_DATABASE_URL": self.settings.effective_database_url,
        }
        command = [
            sys.executable, "-m", "uvicorn", "--factory", "tohyo.app.main:create_app",
            "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning",
            "--no-access-log",
        ]
        began = time.monotonic()
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(command, env=env, stdout=out, stderr=out)
        while time.monotonic() - began < 120:
            if self.process.poll() is not None:
                break
            try:
                httpx.get(f"{self.url}/api/v1/elections", timeout=1)
                return time.monotonic() - began
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError(f"server did not start: {self.log.read_text()[-2000:]}")

    def kill9(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


def _prepare(settings: Settings, voters: int) -> tuple[list[Session], list[bytes], list[str]]:
    """An open election, one session per voter, and each voter's encrypted ballot.

    The voters' devices encrypt through the app in process (no server start).
    """
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # starlette's note on httpx versions
        from fastapi.testclient import TestClient

    from tohyo.app.main import create_app

    runtime = build_runtime(settings)
    try:
        create_election(runtime, demo_manifest(runtime, ELECTION), actor="bench")
        roll, _ids = demo_roll(voters)
        import_roll(runtime, ELECTION, roll, actor="bench")
        install_dev_key(runtime, ELECTION, actor="bench")
        open_election(runtime, ELECTION, approval=DEV)
        sessions = []
        for code in issue_codes(runtime, ELECTION, actor="bench"):
            issued = start_session_with_code(runtime, ELECTION, code.code)
            sessions.append(Session(ELECTION, issued.token, issued.session.credential))
        with TestClient(create_app(settings, runtime=runtime)) as http:
            client = VoterClient(http)  # type: ignore[arg-type]
            info = client.election(ELECTION)
            bodies, trackers = [], []
            for i, session in enumerate(sessions):
                ballot = client.encrypt(info, session, CHOICES[i % 2])
                trackers.append(ballot_hash(info.context(session.credential), ballot).hex())
                bodies.append(
                    dumps_canonical({"ballot": ballot.to_json(), "idempotency_key": f"s{i}"})
                )
    finally:
        runtime.close()
    return sessions, bodies, trackers


def _terminate_backends(url: str) -> int:
    """``pg_terminate_backend`` on every other connection to the election's database."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            return len(conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )).all())
    finally:
        engine.dispose()


def _check(settings: Settings, acknowledged: set[str], record: Path) -> dict[str, Any]:
    """After the soak, in process: nothing acknowledged is lost; the record verifies."""
    runtime = build_runtime(settings)  # reconciles the journal with the log (§ST-6.2)
    try:
        with runtime.uow() as uow:
            stored = set(uow.session.scalars(
                select(Ballot.ballot_hash).where(Ballot.election_id == ELECTION)))
            size = uow.log_state(ELECTION).size  # type: ignore[union-attr]
        journal = runtime.settings.journal_dir / f"{ELECTION}.jsonl"
        journal_lines = len(journal.read_bytes().splitlines()) if journal.exists() else 0
        effective = check_count_invariant(runtime, ELECTION)
        close_election(runtime, ELECTION, approval=DEV, reason="soak over")
        snapshot = board_snapshot(runtime, ELECTION)
        board = propose_tally(snapshot)
        shares = []
        for path in sorted((runtime.settings.trustee_dir / ELECTION).glob("t*.key.json")):
            key = TrusteeKey.from_json(json.loads(path.read_bytes()))
            shares += trustee_shares(snapshot, key, board.aggregates)
        record_tally(runtime, ELECTION, shares, approval=DEV)
        publish_record(runtime, ELECTION, record, actor="bench")
    finally:
        runtime.close()
    report = verify_record(record, workers=1)
    return {
        "stored": len(stored),
        "lost_acknowledged": len(acknowledged - stored),
        "stored_not_acknowledged": len(stored - acknowledged),
        "log_size": size,
        "journal_lines": journal_lines,
        "count_invariant_effective": effective,
        "verifier": "VALID" if report.ok else "INVALID",
    }


def run(backend: str, duration: float, rate: float, chaos_every: float,
        workers: int) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="tohyo-soak-"))
    database = f"tohyo_soak_{uuid.uuid4().hex[:10]}"
    admin = None
    if backend == "sqlite":
        url = f"sqlite:///{workdir / 'soak.sqlite3'}"
    else:
        admin = create_engine(f"{PG}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{database}"'))
        url = f"{PG}/{database}"
    settings = Settings(data_dir=workdir / "data", database_url=url)
    server = Server(settings, workdir / "server.log")
    try:
        voters = max(1, int(duration * rate) + 1)
        sessions, bodies, trackers = _prepare(settings, voters)
        server.start()
        outcomes: list[str] = [""] * voters
        latencies: list[float] = []
        acknowledged: set[str] = set()
        lock = threading.Lock()

        def cast(i: int) -> None:
            started = time.monotonic()
            try:
                response = httpx.post(
                    f"{server.url}/api/v1/elections/{ELECTION}/ballots", content=bodies[i],
                    headers={"Authorization": f"Bearer {sessions[i].token}",
                             "Content-Type": "application/json"},
                    timeout=10,
                )
            except httpx.HTTPError as exc:
                outcomes[i] = f"error:{type(exc).__name__}"
                return
            if response.status_code == 201 and response.json().get("ballot_hash") == trackers[i]:
                with lock:
                    acknowledged.add(trackers[i])
                    latencies.append(time.monotonic() - started)
                outcomes[i] = "acknowledged"
            else:
                try:
                    code = response.json()["error"]["code"]
                except (ValueError, KeyError, TypeError):
                    code = "unparsed"
                outcomes[i] = f"{response.status_code}:{code}"

        kills = terminations = 0
        began = time.monotonic()
        stop = threading.Event()

        def chaos() -> None:
            nonlocal kills, terminations
            event = 0
            while not stop.wait(chaos_every):
                event += 1
                if backend == "postgresql" and event % 2 == 1:  # cheap first, then kill
                    _terminate_backends(url)
                    terminations += 1
                else:
                    server.kill9()
                    kills += 1
                    while True:
                        try:
                            server.restarts.append(server.start())
                            break
                        except RuntimeError:  # too slow to start on a loaded machine: again
                            server.failed_starts += 1
                            server.kill9()
                            if stop.is_set():
                                break

        monkey = threading.Thread(target=chaos, daemon=True)
        monkey.start()
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for i in range(voters):
                due = began + i / rate
                time.sleep(max(0.0, due - time.monotonic()))
                pool.submit(cast, i)
        stop.set()
        monkey.join()  # a restart in progress ends (bounded by the start timeout)
        soaked = time.monotonic() - began
        server.stop()
        checked = _check(settings, acknowledged, workdir / "record")
        tally = Counter(outcomes)  # "error:ConnectError" (down), "error:ReadTimeout" (slow), ...
        ordered = sorted(latencies) or [0.0]
        return {
            "backend": backend,
            "soak_seconds": round(soaked, 1),
            "rate_per_second": rate,
            "attempts": voters,
            "acknowledged": len(acknowledged),
            "availability": round(len(acknowledged) / voters, 4),
            "outcomes": dict(sorted(tally.items())),
            "kill9": kills,
            "pg_terminate_backend_rounds": terminations,
            "restart_seconds_median": round(statistics.median(server.restarts), 2)
            if server.restarts else None,
            "failed_starts": server.failed_starts,
            "load_average_1m": round(os.getloadavg()[0], 1),
            "latency_ms_p50": round(statistics.median(ordered) * 1000, 1),
            "latency_ms_p95": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 1),
            **checked,
        }
    finally:
        server.stop()
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            admin.dispose()
        shutil.rmtree(workdir, ignore_errors=True)  # keys and a database: leave nothing behind


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--duration", type=float, default=50.0, help="seconds per backend")
    parser.add_argument("--rate", type=float, default=4.0, help="casts per second")
    parser.add_argument("--chaos-every", type=float, default=8.0, help="seconds between faults")
    parser.add_argument("--workers", type=int, default=8, help="client threads")
    args = parser.parse_args()
    if not 0 < args.duration <= 600 or args.rate <= 0 or args.chaos_every <= 0:
        parser.error("--duration must be in (0, 600]; --rate and --chaos-every positive")
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    failed = False
    for backend in backends:
        result = run(backend, args.duration, args.rate, args.chaos_every, args.workers)
        print(json.dumps(result), flush=True)
        failed |= result["lost_acknowledged"] != 0 or result["verifier"] != "VALID"
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
