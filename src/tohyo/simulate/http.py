"""A whole election through a real server on loopback (issue 4, ``tohyo simulate``).

A uvicorn server on 127.0.0.1 (a free port) serves the real app on a temporary
SQLite database; officials' steps (manifest, roll, voting codes, key ceremony,
opening, paper votes, close) call the same services as the ``tohyo election``
commands; every ballot is encrypted by the Python voter client and cast over
HTTP, and each receipt is checked. The clock is simulated, so that a manifest
whose period is in the past (the 2025 survey) can still be voted in. Then the
trustees each check the final board and decrypt (§REC-6), and the record is
written.
"""

from __future__ import annotations

import socket
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tohyo.crypto.context import ProofContext
from tohyo.crypto.decryption import DecryptionShare
from tohyo.record.canonical import dumps_canonical
from tohyo.record.format import RecordHeader
from tohyo.record.manifest import Manifest, manifest_hash
from tohyo.simulate.ceremony import run_ceremony
from tohyo.simulate.direct import Voter, _corrupt

__all__ = ["simulate_over_http"]


class _Clock:
    def __init__(self, start: datetime) -> None:
        self.moment = start
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            self.moment += timedelta(milliseconds=1)
            return self.moment

    def set(self, moment: datetime) -> None:
        with self._lock:
            self.moment = max(self.moment, moment)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _roll(manifest: Manifest, count: int) -> tuple[list[str], bytes]:
    area = manifest.eligibility.areas[0]
    code, _, district = area.partition("-")
    ids = [f"V{n:07d}" for n in range(count)]
    lines = ["voter_id,name,birth_date,address_code,district"]
    lines += [f"{v},投票者,1960-04-01,{code},{district}" for v in ids]
    return ids, ("\n".join(lines) + "\n").encode()


def simulate_over_http(
    manifest: Manifest,
    manifest_bytes: bytes,
    voters: Sequence[Voter],
    out: Path | str,
    *,
    trustees: tuple[int, int] | None = None,
    withdrawals: Sequence[tuple[str, str]] = (),
    cheating_trustee: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> RecordHeader:
    """Run the election through a loopback server and write its record to ``out``.

    Raises:
        ValueError: ``trustees`` differ from the manifest's (edit the manifest).
    """
    import httpx
    import uvicorn

    from tohyo.app.main import create_app
    from tohyo.app.services import elections, overrides, roll, tally
    from tohyo.app.services.runtime import build_runtime
    from tohyo.app.settings import Settings
    from tohyo.app.voter_client import VoterClient

    if trustees is not None and trustees != (manifest.threshold, len(manifest.trustees)):
        raise ValueError("--trustees must match the manifest's trustees (t of n)")
    say = progress or (lambda _: None)
    t, n = manifest.threshold, len(manifest.trustees)
    work = Path(tempfile.mkdtemp(prefix="tohyo-simulate-"))
    clock = _Clock(manifest.period.start.astimezone(UTC) - timedelta(hours=1))
    settings = Settings(data_dir=work / "data", database_url=f"sqlite:///{work / 'db.sqlite3'}")
    runtime = build_runtime(settings, clock=clock)
    eid, actor = manifest.id, "simulate"
    try:
        elections.create_election(runtime, manifest_bytes, actor=actor)
        ids, roll_csv = _roll(manifest, len(voters))
        roll.import_roll(runtime, eid, roll_csv, actor=actor)
        codes = [c.code for c in roll.issue_codes(runtime, eid, actor=actor, voter_ids=ids)]
        elections.start_key_ceremony(runtime, eid, actor=actor)
        say(f"key ceremony: {t} of {n} trustees")
        transcript, keys = run_ceremony(ProofContext(eid, manifest_hash(manifest)), t, n)
        joint = keys[0].joint
        ceremony = dumps_canonical({"transcript": transcript.to_json(),
                                    "joint_key": joint.to_json()}).decode()
        elections.install_public_key(runtime, eid, joint.public_key.to_hex(), ceremony,
                                     actor=actor)
        for _, candidate in withdrawals:
            elections.withdraw_candidate(runtime, eid, candidate, "withdrew", actor=actor)
        elections.open_election(runtime, eid, actor=actor)
        clock.set(manifest.period.start.astimezone(UTC) + timedelta(minutes=1))

        port = _free_port()
        app = create_app(settings, runtime=runtime)
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                               log_level="warning", lifespan="off"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.time() + 30
        while not server.started:
            if time.time() > deadline or not thread.is_alive():
                raise RuntimeError("the simulation server did not start")
            time.sleep(0.05)
        try:
            _cast_all(VoterClient, httpx, port, eid, voters, codes, say)
        finally:
            server.should_exit = True
            thread.join(timeout=30)
        for number, voter in enumerate(voters):
            if voter.paper:
                key = roll.voter_key_hex(runtime, eid, ids[number])
                overrides.record_paper_vote(runtime, eid, key, actor=actor)
        clock.set(manifest.period.end.astimezone(UTC))
        elections.close_election(runtime, eid, actor=actor)

        say("tally: every trustee checks the final board and decrypts")
        snapshot = tally.board_snapshot(runtime, eid)
        board = tally.propose_tally(snapshot)
        shares: list[DecryptionShare] = []
        for key in keys:
            mine = tally.trustee_shares(snapshot, key, board.aggregates)
            if key.trustee == cheating_trustee:
                mine = tuple(_corrupt(s) for s in mine)
            shares += mine
        document = tally.run_tally(snapshot, board, shares)
        return tally.export_record(snapshot, document, out)
    finally:
        runtime.close()


def _cast_all(client_cls, httpx, port, eid, voters, codes, say) -> None:  # type: ignore[no-untyped-def]
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
        client = client_cls(http)
        info = client.election(eid)
        start = time.time()
        for number, (voter, code) in enumerate(zip(voters, codes, strict=False)):
            session = client.start_session(eid, code)
            for choices in voter.ballots:
                client.cast(info, session, choices)
            if (number + 1) % 100 == 0:
                say(f"cast {number + 1}/{len(voters)} voters over HTTP "
                    f"({time.time() - start:.0f}s)")
