"""Casts per second, sustained, on loopback, with every proof checked and every receipt durable.

Runs the real server (uvicorn subprocess, as ``tohyo serve`` does) on SQLite
and/or PostgreSQL with the durability gate on (WAL + synchronous=FULL;
synchronous_commit=on), and casts pre-encrypted ballots of the 2025 Tsukuba
three-question survey from client threads. The server verifies every proof,
commits, appends to the signed log, fsyncs the second medium, then answers;
the client checks every receipt afterwards. Encryption happens before the
clock starts (it is the voters' devices' work). Prints one JSON object per
backend.

    .venv/bin/python bench/bench_cast.py --backend both --casts 400 --threads 8
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text

from tohyo.app.auth.authority import DevApproval
from tohyo.app.services.demo import demo_manifest, demo_roll
from tohyo.app.services.devkeys import install_dev_key
from tohyo.app.services.elections import create_election, open_election
from tohyo.app.services.roll import import_roll, issue_codes
from tohyo.app.services.runtime import build_runtime
from tohyo.app.services.sessions import start_session_with_code
from tohyo.app.settings import Settings
from tohyo.app.voter_client import Session, VoterClient
from tohyo.crypto import EncryptedBallot
from tohyo.record.canonical import dumps_canonical, loads_strict

PG = os.environ.get("TOHYO_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
ELECTION = "bench-survey"
CHOICES = [
    {"administrative-services": ["internet-voting"], "mobility": ["smart-mobility"],
     "healthcare": ["online-home-care"]},
    {"administrative-services": ["digital-counters"], "mobility": [], "healthcare": []},
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _prepare(settings: Settings, casts: int) -> list[tuple[Session, bytes]]:
    runtime = build_runtime(settings)
    try:
        create_election(runtime, demo_manifest(runtime, ELECTION), actor="bench")
        roll, _ids = demo_roll(casts)
        import_roll(runtime, ELECTION, roll, actor="bench")
        install_dev_key(runtime, ELECTION, actor="bench")
        open_election(runtime, ELECTION, approval=DevApproval("simulation"))
        codes = [c.code for c in issue_codes(runtime, ELECTION, actor="bench")]
        sessions = []
        for code in codes:
            issued = start_session_with_code(runtime, ELECTION, code)
            sessions.append(Session(ELECTION, issued.token, issued.session.credential))
    finally:
        runtime.close()
    return sessions  # type: ignore[return-value]


def _serve(settings: Settings, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {
        **os.environ,
        "TOHYO_DATA_DIR": str(settings.data_dir),
        "TOHYO_DATABASE_URL": settings.effective_database_url,
    }
    command = [
        sys.executable, "-m", "uvicorn", "--factory", "tohyo.app.main:create_app",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log",
    ]
    with open(log, "ab") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=out)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}/api/v1/elections", timeout=1)
            return process, url
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"server did not start: {log.read_text()[-2000:]}")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc), load-independent."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _load() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


def run(backend: str, casts: int, threads: int) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="tohyo-bench-"))
    database = f"tohyo_bench_{uuid.uuid4().hex[:10]}"
    admin = None
    if backend == "sqlite":
        url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    else:
        admin = create_engine(f"{PG}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{database}"'))
        url = f"{PG}/{database}"
    settings = Settings(data_dir=workdir / "data", database_url=url)
    process = None
    try:
        sessions = _prepare(settings, casts)
        process, base = _serve(settings, workdir / "server.log")
        with httpx.Client(base_url=base, timeout=60) as http:
            client = VoterClient(http)
            info = client.election(ELECTION)
            bodies = []
            for i, session in enumerate(sessions):
                ballot = client.encrypt(info, session, CHOICES[i % 2])
                bodies.append(
                    dumps_canonical({"ballot": ballot.to_json(), "idempotency_key": f"b{i}"})
                )
        receipts: list[Any] = [None] * casts
        latencies: list[float] = [0.0] * casts
        cursor = iter(range(casts))
        lock = threading.Lock()

        def worker() -> None:
            with httpx.Client(base_url=base, timeout=60) as own:
                while True:
                    with lock:
                        i = next(cursor, None)
                    if i is None:
                        return
                    started = time.perf_counter()
                    response = own.post(
                        f"/api/v1/elections/{ELECTION}/ballots",
                        content=bodies[i],
                        headers={"Authorization": f"Bearer {sessions[i].token}"},
                    )
                    latencies[i] = time.perf_counter() - started
                    if response.status_code != 201:
                        raise RuntimeError(f"{response.status_code}: {response.text}")
                    receipts[i] = response.json()

        cpu_before = _cpu_seconds(process.pid)
        load_before = _load()
        began = time.perf_counter()
        pool = [threading.Thread(target=worker) for _ in range(threads)]
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        elapsed = time.perf_counter() - began
        server_cpu = _cpu_seconds(process.pid) - cpu_before
        with httpx.Client(base_url=base, timeout=60) as http:
            checker = VoterClient(http)
            for i, receipt in enumerate(receipts):
                ballot = EncryptedBallot.from_json(loads_strict(bodies[i])["ballot"])
                checker.verify_receipt(info, sessions[i], ballot, receipt)
        ordered = sorted(latencies)
        return {
            "backend": backend,
            "casts": casts,
            "client_threads": threads,
            "seconds": round(elapsed, 3),
            "casts_per_second": round(casts / elapsed, 1),
            "latency_ms_p50": round(statistics.median(ordered) * 1000, 1),
            "latency_ms_p95": round(ordered[int(0.95 * (casts - 1))] * 1000, 1),
            "questions": len(info.style.questions),
            "range_proofs_per_ballot": sum(
                len(q.option_ids) + int(q.allow_blank) + 1 for q in info.style.questions
            ),
            "receipts_verified": casts,
            # Load-independent: the server's CPU per cast (parse, every proof, DB,
            # signing) and the machine's load while measuring (other jobs share it).
            "server_cpu_ms_per_cast": round(server_cpu * 1000 / casts, 1),
            "load_average_1m": round(max(load_before, _load()), 1),
            "durability": "sqlite WAL+synchronous=FULL"
            if backend == "sqlite"
            else "postgresql synchronous_commit=on",
            "cpus": os.cpu_count(),
        }
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=30)
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--casts", type=int, default=400)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for backend in backends:
        print(json.dumps(run(backend, args.casts, args.threads)), flush=True)


if __name__ == "__main__":
    main()
