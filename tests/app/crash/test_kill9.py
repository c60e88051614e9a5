"""kill -9 under load (issue #3 item 9, THREATS #26, #30).

The real server runs as a uvicorn subprocess on a loopback port. Client
threads cast a bounded set of ballots (every voter casts twice, so revotes
race the kills) while the test SIGKILLs the server a few times and restarts
it. A request whose response was lost is retried with the same idempotency
key, as a real client would. Afterwards, every receipt that was handed out
must be in the database, in the second medium and in the log at its index,
and every head handed out must be a prefix of the final log.
"""

from __future__ import annotations

import base64
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tohyo.app.services.counts import check_count_invariant
from tohyo.app.services.runtime import build_runtime
from tohyo.app.services.sessions import start_session_with_code
from tohyo.app.voter_client import Session
from tohyo.crypto import EncryptedBallot
from tohyo.log import MerkleTree, open_checkpoint, verifier_from_key, verify_inclusion
from tohyo.record.canonical import dumps_canonical, loads_strict

VOTERS = 24
KILLS = 3
THREADS = 6
CHOICES = [{"services": ["internet-voting"]}, {"mobility": ["smart-mobility"]}]


@dataclass
class Server:
    settings: Any
    log: Path
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    def start(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        env = {
            **os.environ,
            "TOHYO_DATA_DIR": str(self.settings.data_dir),
            "TOHYO_DATABASE_URL": self.settings.effective_database_url,
        }
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "tohyo.app.main:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--log-level",
            "warning",
        ]
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(command, env=env, stdout=out, stderr=out)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                httpx.get(f"{self.url}/api/v1/elections", timeout=1)
                self.starts += 1
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)  # our own child, by its pid
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class Load:
    """Each job is one voter's two casts, in order; outcomes land in ``receipts``."""

    server: Server
    jobs: list[tuple[Session, list[bytes]]]
    receipts: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    next_job: int = 0
    unavailable: int = 0

    def take(self) -> int | None:
        with self.lock:
            if self.next_job >= len(self.jobs):
                return None
            self.next_job += 1
            return self.next_job - 1

    def run_worker(self, stop_at: float) -> None:
        # One client per thread: building one per request (an SSL context
        # each) would starve the restarting server of CPU.
        with httpx.Client(timeout=10) as http:
            while time.monotonic() < stop_at:
                job = self.take()
                if job is None:
                    return
                session, bodies = self.jobs[job]
                for n, body in enumerate(bodies):
                    self.receipts[(job, n)] = self._cast(http, session, body, stop_at)

    def _cast(
        self, http: httpx.Client, session: Session, body: bytes, stop_at: float
    ) -> dict[str, Any]:
        while True:
            if time.monotonic() > stop_at:
                raise TimeoutError("the load did not finish in time")
            try:
                response = http.post(
                    f"{self.server.url}/api/v1/elections/{session.election_id}/ballots",
                    content=body,
                    headers={"Authorization": f"Bearer {session.token}"},
                )
            except httpx.HTTPError:
                time.sleep(0.1)  # the server died: retry with the same idempotency key
                continue
            if response.status_code == 201:
                return dict(response.json())
            if response.status_code == 503:
                self.unavailable += 1
                time.sleep(0.05)
                continue
            raise AssertionError(f"unexpected {response.status_code}: {response.text}")


@pytest.fixture
def server(runtime: Any, tmp_path: Path) -> Iterator[Server]:
    srv = Server(runtime.settings, tmp_path / "server.log")
    try:
        yield srv
    finally:
        srv.stop()


def test_kill9_under_load_loses_no_acknowledged_ballot(
    election_factory: Any, runtime: Any, server: Server, voter: Any
) -> None:
    election = election_factory("crash", voters=VOTERS)
    info = voter.election(election.id)
    jobs = []
    for code in election.codes:
        issued = start_session_with_code(runtime, election.id, code)
        session = Session(election.id, issued.token, issued.session.credential)
        bodies = [
            dumps_canonical(
                {
                    "ballot": voter.encrypt(info, session, choice).to_json(),
                    "idempotency_key": f"{session.credential}-{n}",
                }
            )
            for n, choice in enumerate(CHOICES)
        ]
        jobs.append((session, bodies))
    load = Load(server, jobs)
    server.start()
    stop_at = time.monotonic() + 45
    workers = [threading.Thread(target=load.run_worker, args=(stop_at,)) for _ in range(THREADS)]
    for w in workers:
        w.start()
    for _ in range(KILLS):
        target = len(load.receipts) + max(3, VOTERS // (KILLS + 1))
        while len(load.receipts) < target and any(w.is_alive() for w in workers):
            time.sleep(0.01)
        server.kill()
        server.start()
    for w in workers:
        w.join(timeout=60)
    assert server.starts == KILLS + 1
    assert len(load.receipts) == 2 * VOTERS, "every cast eventually got its receipt"
    server.stop()
    _check_everything(runtime, election.id, info, jobs, load.receipts, voter)


def _check_everything(
    runtime: Any, eid: str, info: Any, jobs: Any, receipts: dict[Any, Any], voter: Any
) -> None:
    again = build_runtime(runtime.settings)  # runs the startup reconciliation
    try:
        with again.uow() as uow:
            size = uow.log_state(eid).size
            leaves = {leaf.leaf_index: leaf for leaf in uow.leaves(eid)}
            journal = again.journal.read(eid)
            tree = MerkleTree()
            for index in range(size):
                tree.append_leaf_hash(bytes.fromhex(leaves[index].leaf_hash))
            key = verifier_from_key(info.log_key)
            for (job, n), receipt in receipts.items():
                session, bodies = jobs[job]
                row = uow.ballot_by_hash(eid, receipt["ballot_hash"])
                assert row is not None and row.leaf_index == receipt["leaf_index"]
                assert leaves[receipt["leaf_index"]].leaf_hash == receipt["leaf_hash"]
                assert journal[receipt["leaf_index"]].leaf_hash == receipt["leaf_hash"]
                head = open_checkpoint(receipt["checkpoint"], [key]).checkpoint
                assert tree.root(head.size) == head.root_hash  # consistent with the final log
                verify_inclusion(
                    bytes.fromhex(receipt["leaf_hash"]),
                    receipt["leaf_index"],
                    head.size,
                    [base64.b64decode(h) for h in receipt["inclusion_proof"]],
                    head.root_hash,
                )
                sent = EncryptedBallot.from_json(loads_strict(bodies[n])["ballot"])
                voter.verify_receipt(info, session, sent, receipt)
            assert sorted(journal) == list(range(size))
        assert check_count_invariant(again, eid) == VOTERS
    finally:
        again.close()
