"""A whole election through a real server on loopback (issue 4, ``tohyo simulate``).

A uvicorn server on 127.0.0.1 (a free port) serves the real app on a temporary
SQLite database; officials' steps (manifest, roll, voting codes, key ceremony,
opening, paper votes, close) call the same services as the ``tohyo election``
commands; every ballot is encrypted by the Python voter client and cast over
HTTP, and each receipt is checked. The clock is simulated, so that a manifest
whose period is in the past (the 2025 survey) can still be voted in.

Independent witnesses (:class:`tohyo.log.Witness`, each with its own Ed25519
key and state file, driven by the same round as ``tohyo witness run``) fetch
the signed head over HTTP, check its consistency with the last head they
cosigned, and post their cosignatures back: at the opening, every
:data:`WITNESS_EVERY` voters, and after the close, so the final head carries
every witness's cosignature (check V7). Then the trustees each check the final
board and decrypt (§REC-6), the service combines the shares (the election
becomes ``tallied``) and exports the record listing the witnesses' keys (it
becomes ``published``).
"""

from __future__ import annotations

import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tohyo.crypto.context import ProofContext
from tohyo.crypto.decryption import DecryptionShare
from tohyo.crypto.dkg_local import run_local_ceremony
from tohyo.record.canonical import dumps_canonical
from tohyo.record.format import RecordHeader
from tohyo.record.manifest import Manifest, manifest_hash
from tohyo.simulate.direct import Voter, _corrupt

__all__ = ["WITNESS_EVERY", "WorkDirNotEmpty", "simulate_over_http"]

#: Witnesses cosign the latest head after every this many voters (and at the close).
WITNESS_EVERY = 25


class WorkDirNotEmpty(ValueError):
    """``--keep-dir`` names a directory that already holds files (nothing is overwritten)."""


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
    witnesses: int = 2,
    declare_witnesses: bool = True,
    progress: Callable[[str], None] | None = None,
    paper_counts: Sequence[Mapping[str, Any]] = (),
    roll_size: int = 0,
    keep_dir: Path | None = None,
    statements: bool = False,
) -> RecordHeader:
    """Run the election through a loopback server and write its record to ``out``.

    The server's working directory (database, journal, and its signing and
    HMAC key files) is a fresh temporary directory, deleted when the run ends,
    whether it succeeds or fails; with ``keep_dir`` it is that directory
    instead (created, and refused if it exists and is not empty), and kept.

    Args:
        witnesses: how many independent witnesses cosign the log's heads.
        paper_counts: paper counts (results.md §RES-2.1) that two dev officials
            enter after the close, each twice (double entry), before the
            witnesses cosign the final head.
        roll_size: eligible voters on the roll; at least the internet voters plus
            the paper voters of ``paper_counts`` (who are on the roll too).
        declare_witnesses: the manifest declares the log key and the witnesses,
            all of them required (``tohyo-manifest/2``, manifest.md §MAN-21);
            otherwise the record lists them as the exporter's choice.
        keep_dir: keep the working directory here (for inspection).
        statements: every witness posts a signed statement (record.md §REC-10)
            of the empty ballot box before the first ballot, and of the close
            after cosigning the close's head, as ``tohyo witness state --post``
            does; they become ``statement`` leaves of the log and the record.

    Raises:
        ValueError: ``trustees`` differ from the manifest's (edit the manifest).
        WorkDirNotEmpty: ``keep_dir`` exists and is not empty.
    """
    if trustees is not None and trustees != (manifest.threshold, len(manifest.trustees)):
        raise ValueError("--trustees must match the manifest's trustees (t of n)")
    say = progress or (lambda _: None)
    t, n = manifest.threshold, len(manifest.trustees)
    if keep_dir is not None:
        keep_dir.mkdir(parents=True, exist_ok=True)
        if any(keep_dir.iterdir()):
            raise WorkDirNotEmpty(f"--keep-dir {keep_dir} is not empty")
        work = keep_dir
    else:
        work = Path(tempfile.mkdtemp(prefix="tohyo-simulate-"))
    try:
        return _simulate_in(work, manifest, manifest_bytes, voters, out, t, n, withdrawals,
                            cheating_trustee, witnesses, say, declare_witnesses=declare_witnesses,
                            paper_counts=paper_counts, roll_size=roll_size,
                            statements=statements)
    finally:
        if keep_dir is None:
            shutil.rmtree(work, ignore_errors=True)


def _simulate_in(
    work: Path, manifest: Manifest, manifest_bytes: bytes, voters: Sequence[Voter],
    out: Path | str, t: int, n: int, withdrawals: Sequence[tuple[str, str]],
    cheating_trustee: int | None, witnesses: int, say: Callable[[str], None], *,
    declare_witnesses: bool, paper_counts: Sequence[Mapping[str, Any]], roll_size: int,
    statements: bool = False,
) -> RecordHeader:
    import httpx
    import uvicorn

    from tohyo.app.auth.authority import DevApproval
    from tohyo.app.main import create_app
    from tohyo.app.results.paper import enter_paper_count
    from tohyo.app.services import elections, overrides, roll, tally
    from tohyo.app.services.runtime import build_runtime
    from tohyo.app.settings import Settings
    from tohyo.app.voter_client import VoterClient

    clock = _Clock(manifest.period.start.astimezone(UTC) - timedelta(hours=1))
    settings = Settings(data_dir=work / "data", database_url=f"sqlite:///{work / 'db.sqlite3'}")
    runtime = build_runtime(settings, clock=clock)
    eid, actor = manifest.id, "simulate"
    signers, stating = _witness_signers(witnesses, clock)
    if declare_witnesses and manifest.log is None:
        from tohyo.log import encode_verifier_key
        from tohyo.record.transparency import declare_log

        manifest = declare_log(manifest, runtime.ledger.verifier_key(eid),
                               [encode_verifier_key(w.verifier()) for w in signers],
                               len(signers))
        manifest_bytes = dumps_canonical(manifest.to_json())
    try:
        elections.create_election(runtime, manifest_bytes, actor=actor)
        paper_voters = sum(int(c.get("voters", 0)) for c in paper_counts)
        ids, roll_csv = _roll(manifest, max(roll_size, len(voters) + paper_voters))
        roll.import_roll(runtime, eid, roll_csv, actor=actor)
        codes = [c.code for c in roll.issue_codes(runtime, eid, actor=actor,
                                                  voter_ids=ids[:len(voters)])]
        elections.start_key_ceremony(runtime, eid, actor=actor)
        say(f"key ceremony: {t} of {n} trustees")
        ceremony = run_local_ceremony(ProofContext(eid, manifest_hash(manifest)), t, n)
        transcript, keys, joint = ceremony.transcript, ceremony.keys, ceremony.joint
        ceremony = dumps_canonical({"transcript": transcript.to_json(),
                                    "joint_key": joint.to_json()}).decode()
        elections.install_public_key(runtime, eid, joint.public_key.to_hex(), ceremony,
                                     actor=actor)
        for _, candidate in withdrawals:
            elections.withdraw_candidate(runtime, eid, candidate, "withdrew", actor=actor)
        elections.open_election(runtime, eid, approval=DevApproval("simulation"))
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
        base = f"http://127.0.0.1:{port}"
        try:
            with httpx.Client(base_url=base, timeout=60) as http:
                observers = _Witnesses(http, eid, work, signers, stating)
                observers.round()
                if statements:
                    observers.state("opening", "the ballot box is empty")
                    say(f"{witnesses} witnesses stated the empty ballot box")
                opened = manifest.period.start.astimezone(UTC) + timedelta(minutes=1)
                span = manifest.period.end.astimezone(UTC) - opened - timedelta(minutes=2)

                def advance(fraction: float) -> None:
                    # Spread the voters over the period, so that turnout has a shape.
                    clock.set(opened + span * fraction)

                _cast_all(VoterClient, http, eid, voters, codes, say, observers.round, advance)
                for number, voter in enumerate(voters):
                    if voter.paper:
                        key = roll.voter_key_hex(runtime, eid, ids[number])
                        overrides.record_paper_vote(runtime, eid, key, actor=actor)
                clock.set(manifest.period.end.astimezone(UTC))
                elections.close_election(runtime, eid, approval=DevApproval("simulation"))
                # The witnesses cosign the head at the close (the trustees' board, §RES-5),
                # then again after the paper counts (the record's final head).
                observers.round()
                if statements:
                    observers.state("close", "the final head is the one I cosigned")
                    say(f"{witnesses} witnesses stated the close")
                for count in paper_counts:
                    for official in ("simulation-clerk-1", "simulation-clerk-2"):
                        entered = enter_paper_count(runtime, eid, count, official=official)
                    say(f"paper count of {entered.count.place} / {entered.count.kind.value} "
                        f"entered twice and {entered.status}")
                if paper_counts or statements:
                    observers.round()
                say(f"{witnesses} witnesses cosigned the head at the close and the final head")
        finally:
            server.should_exit = True
            thread.join(timeout=30)

        say("tally: every trustee checks the final board and decrypts")
        snapshot = tally.board_snapshot(runtime, eid)
        board = tally.propose_tally(snapshot)
        shares: list[DecryptionShare] = []
        for key in keys:
            mine = tally.trustee_shares(snapshot, key, board.aggregates)
            if key.trustee == cheating_trustee:
                mine = tuple(_corrupt(s) for s in mine)
            shares += mine
        tally.record_tally(runtime, eid, shares, approval=DevApproval("simulation"))
        return tally.publish_record(runtime, eid, out, actor=actor,
                                    witness_keys=observers.keys)
    finally:
        runtime.close()


def _witness_signers(count: int, clock: _Clock) -> tuple[list[Any], list[Any]]:
    """Each witness's cosigner, and its statement signer over the same seed (§REC-10)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from tohyo.log import CosignatureSigner, Ed25519Signer

    seeds = [(f"witness-{i}.tohyo.invalid", Ed25519PrivateKey.generate())
             for i in range(1, count + 1)]
    # The service refuses cosignatures dated after its clock: witnesses
    # sign with the simulated time, as they would with a real one.
    return ([CosignatureSigner(name, seed, clock=lambda: clock().timestamp())
             for name, seed in seeds], [Ed25519Signer(name, seed) for name, seed in seeds])


class _Witnesses:
    """Independent witnesses with their own keys and state files, cosigning over HTTP."""

    def __init__(self, http: Any, election_id: str, work: Path, signers: list[Any],
                 stating: list[Any]) -> None:
        from tohyo.log import Witness, encode_verifier_key, verifier_from_key

        self._http, self._election_id = http, election_id
        response = http.get(f"/api/v1/elections/{election_id}/log/key")
        response.raise_for_status()
        log_key = verifier_from_key(response.text.strip())
        self._log_key = log_key
        self._stating = stating
        self._witnesses = []
        for i, signer in enumerate(signers, start=1):
            state = work / f"witness-{i}"
            state.mkdir()
            self._witnesses.append((Witness(signer, [log_key], state / "state.json"),
                                    encode_verifier_key(signer.verifier())))
        self.keys = tuple(vkey for _, vkey in self._witnesses)

    def round(self) -> None:
        """Each witness fetches, checks, cosigns and posts the latest head."""
        from tohyo.cli.witness import witness_round

        for witness, vkey in self._witnesses:
            witness_round(self._http, self._election_id, witness, vkey)

    def state(self, event: str, checked: str) -> None:
        """Each witness signs a statement over the latest head it checked, and posts it.

        Raises:
            RuntimeError: the server refused a statement (its error code says why).
        """
        from tohyo.log import open_checkpoint
        from tohyo.record.statements import StatementEvent, sign_statement

        base = f"/api/v1/elections/{self._election_id}"
        for signer, (_, vkey) in zip(self._stating, self._witnesses, strict=True):
            response = self._http.get(f"{base}/log/checkpoint")
            response.raise_for_status()
            head = open_checkpoint(response.text, [self._log_key])
            statement = sign_statement(self._election_id, StatementEvent(event), checked,
                                       head.note.text, signer, vkey)
            posted = self._http.post(f"{base}/statements", json=statement.to_json())
            if posted.status_code != 201:
                raise RuntimeError(f"the server refused the statement: {posted.text[:200]}")


def _cast_all(client_cls, http, eid, voters, codes, say, cosign, advance) -> None:  # type: ignore[no-untyped-def]
    client = client_cls(http)
    info = client.election(eid)
    start = time.time()
    for number, (voter, code) in enumerate(zip(voters, codes, strict=False)):
        advance(number / max(1, len(voters)))
        session = client.start_session(eid, code)
        for choices in voter.ballots:
            client.cast(info, session, choices)
        if (number + 1) % WITNESS_EVERY == 0:
            cosign()
        if (number + 1) % 100 == 0:
            say(f"cast {number + 1}/{len(voters)} voters over HTTP "
                f"({time.time() - start:.0f}s)")
