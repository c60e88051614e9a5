"""``tohyo monitor URL``: follow a live election log and keep evidence of a fork (§TL-9, §TL-13).

``URL`` is the prefix of an election's public log endpoints
(``https://vote.example/api/v1/elections/ID/log``). Each poll the monitor

1. fetches the latest signed head and checks the log's signature with the
   pinned key (``--manifest`` or ``--log-key``; without either it trusts the
   server's ``/key`` on first use, and says so);
2. asks for the consistency proof from the last head it accepted and checks
   that the new head extends it (:class:`tohyo.log.Monitor`): no rollback, no
   time travel, no second root for a size;
3. checks the witnesses' cosignatures on the served head (the declared ones
   when ``--manifest`` is given) and prints each witness's last cosigned size;
4. gossips: each ``--witness-head`` (a URL or a file where a witness publishes
   the latest head it cosigned) is held against the monitor's own view, with a
   consistency proof from the log between the two sizes.

Any inconsistency writes a fork evidence file (``--evidence``,
:mod:`tohyo.log.evidence`) holding the signed heads and the proof, which
``tohyo verify --fork-evidence FILE`` holds against the published record; the
command then exits with status 3. The last accepted head is kept in
``--state`` so that a rollback between two runs is caught too.
"""

# ruff: noqa: B008  (Typer declares options as argument defaults)

from __future__ import annotations

import base64
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import typer

from tohyo.log import (
    CosignatureVerifier,
    LogError,
    Monitor,
    NoteVerifier,
    SignedCheckpoint,
    check_head_sequence,
    open_checkpoint,
    parse_note,
    verifier_from_key,
    verify_cosignature,
)
from tohyo.log.evidence import ForkEvidence

__all__ = ["ForkFound", "LogFollower", "register"]


class ForkFound(Exception):
    """The log showed heads that do not extend each other; the evidence is written."""

    def __init__(self, evidence: ForkEvidence, path: Path) -> None:
        super().__init__(evidence.reason)
        self.evidence, self.path = evidence, path


@dataclass
class LogFollower:
    """One monitor of one log: its pinned keys, its memory and where evidence goes."""

    http: httpx.Client
    url: str
    log_key: str
    witnesses: tuple[CosignatureVerifier, ...]
    evidence_path: Path
    state_path: Path | None = None
    witness_heads: tuple[str, ...] = ()
    lines: list[str] = field(default_factory=list)
    cosigned: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        verifier = verifier_from_key(self.log_key)
        self._log: tuple[NoteVerifier, ...] = (verifier,)
        self.origin = verifier.name
        self.monitor = Monitor(self._log)
        if self.state_path is not None and self.state_path.exists():
            # A monitor that forgets its last head cannot see a rollback: resume from it.
            self.monitor.update(self.state_path.read_text(encoding="utf-8"))

    # ------------------------------------------------------------ HTTP

    def _get(self, path: str, **params: int) -> httpx.Response:
        response = self.http.get(f"{self.url}/{path}", params=params or None)
        response.raise_for_status()
        return response

    def _proof(self, old: int, new: int) -> tuple[bytes, ...]:
        if not 0 < old < new:
            return ()
        found = self._get("consistency", old=old, new=new).json()["consistency_proof"]
        return tuple(base64.b64decode(h, validate=True) for h in found)

    # ------------------------------------------------------------ checks

    def _fork(self, heads: list[tuple[str, str]], proof: tuple[bytes, ...], exc: Exception
              ) -> ForkFound:
        code = getattr(exc, "code", type(exc).__name__)
        evidence = ForkEvidence(self.origin, self.log_key, tuple(h for _, h in heads), proof,
                                f"{code}: {exc}", tuple(s for s, _ in heads))
        tmp = self.evidence_path.with_suffix(".tmp")
        tmp.write_bytes(evidence.to_bytes())
        tmp.replace(self.evidence_path)
        return ForkFound(evidence, self.evidence_path)

    def _against(self, mine: SignedCheckpoint, mine_source: str, other: SignedCheckpoint,
                 other_source: str) -> None:
        """Hold two log-signed heads against each other, with a proof from the log."""
        older, newer = sorted(((mine, mine_source), (other, other_source)),
                              key=lambda h: h[0].checkpoint.size)
        proof: tuple[bytes, ...] = ()
        try:
            proof = self._proof(older[0].checkpoint.size, newer[0].checkpoint.size)
            check_head_sequence(older[0], newer[0], proof)
        except LogError as exc:
            raise self._fork([(older[1], older[0].note.to_text()),
                              (newer[1], newer[0].note.to_text())], proof, exc) from exc

    def poll(self) -> SignedCheckpoint:
        """One round: fetch, check, gossip. Returns the accepted head.

        Raises:
            ForkFound: an inconsistency (the evidence file is written).
            LogError: the served head is not validly signed by the pinned key.
            httpx.HTTPError: the log could not be reached.
        """
        text = self._get("checkpoint").text
        head = open_checkpoint(text, self._log)
        previous = self.monitor.latest
        proof: tuple[bytes, ...] = ()
        try:
            if previous is not None:
                proof = self._proof(previous.checkpoint.size, head.checkpoint.size)
            self.monitor.update(text, proof)
        except LogError as exc:
            if previous is None:  # the first head is accepted on its signature alone
                raise
            raise self._fork([("log", previous.note.to_text()), ("log", text)], proof,
                             exc) from exc
        self._cosignatures(head)
        for source in self.witness_heads:
            self._gossip(head, source)
        if self.state_path is not None:
            tmp = self.state_path.with_suffix(".tmp")
            tmp.write_text(head.note.to_text(), encoding="utf-8")
            tmp.replace(self.state_path)
        return head

    def _cosignatures(self, head: SignedCheckpoint) -> None:
        for witness in self.witnesses:
            try:
                verify_cosignature(head.note, witness)
            except LogError:
                continue
            self.cosigned[witness.name] = head.checkpoint.size

    def _gossip(self, mine: SignedCheckpoint, source: str) -> None:
        """Compare with the head a witness published (a URL or a file)."""
        if source.startswith(("http://", "https://")):
            response = self.http.get(source)
            response.raise_for_status()
            text = response.text
        else:
            text = Path(source).read_text(encoding="utf-8")
        other = open_checkpoint(parse_note(text), self._log)
        for witness in self.witnesses:  # a published head carries its witness's cosignature
            try:
                verify_cosignature(other.note, witness)
            except LogError:
                continue
            self.cosigned[witness.name] = max(self.cosigned.get(witness.name, 0),
                                              other.checkpoint.size)
        self._against(mine, "log", other, source)


def _pinned(http: httpx.Client, url: str, manifest: Path | None, log_key: str | None
            ) -> tuple[str, tuple[CosignatureVerifier, ...], str]:
    """(log key, witnesses, warning): from the manifest, the option, or the server."""
    witnesses: tuple[CosignatureVerifier, ...] = ()
    if manifest is not None:
        from tohyo.record.manifest import parse_manifest

        declared = parse_manifest(manifest.read_bytes()).log
        if declared is None:
            raise typer.BadParameter("the manifest (tohyo-manifest/1) declares no log key; "
                                     "pass --log-key")
        if log_key is not None and log_key != declared.key:
            raise typer.BadParameter("--log-key is not the key the manifest declares")
        return declared.key, declared.witness_verifiers(), ""
    if log_key is not None:
        return log_key, witnesses, ""
    response = http.get(f"{url}/key")
    response.raise_for_status()
    return (response.text.strip(), witnesses,
            "WARNING: the log key was taken from the server (trust on first use); "
            "pin it with --manifest or --log-key")


def monitor(
    url: str = typer.Argument(..., help="The log's URL prefix: …/api/v1/elections/ID/log"),
    manifest: Path | None = typer.Option(None, exists=True, dir_okay=False,
                                         help="The election manifest: pins the log key and "
                                              "the declared witnesses."),
    log_key: str | None = typer.Option(None, help="The log's vkey (if no --manifest)."),
    witness_head: list[str] = typer.Option(
        [], "--witness-head", help="A URL or file where a witness publishes the latest head "
                                   "it cosigned (gossip; repeatable)."),
    evidence: Path = typer.Option(Path("fork-evidence.json"),
                                  help="Where to write fork evidence."),
    state: Path | None = typer.Option(None, help="Keep the last accepted head here "
                                                 "(catches rollbacks between runs)."),
    interval: float = typer.Option(10.0, min=0.0, help="Seconds between polls."),
    max_polls: int = typer.Option(0, min=0, help="Stop after this many polls (0: never)."),
    once: bool = typer.Option(False, "--once", help="Poll once and stop."),
) -> None:
    """Follow a live log: check every head, gossip with witnesses, keep fork evidence."""
    limit = 1 if once else max_polls
    with httpx.Client(timeout=30) as http:
        base = url.rstrip("/")
        key, witnesses, warning = _pinned(http, base, manifest, log_key)
        if warning:
            typer.echo(warning, err=True)
        try:
            follower = LogFollower(http, base, key, witnesses, evidence, state,
                                   tuple(witness_head))
        except (LogError, OSError) as exc:
            typer.echo(f"error: the log key or the state file is not usable: {exc}", err=True)
            raise typer.Exit(2) from exc
        polls, failures = 0, 0
        while True:
            try:
                head = follower.poll()
            except ForkFound as found:
                typer.echo(f"ALARM: {found.evidence.reason}", err=True)
                typer.echo(f"fork evidence written to {found.path}", err=True)
                raise typer.Exit(3) from found
            except LogError as exc:
                typer.echo(f"ALARM: the served head is not validly signed: {exc.code}: {exc}",
                           err=True)
                raise typer.Exit(3) from exc
            except (httpx.HTTPError, ValueError, KeyError, OSError) as exc:
                failures += 1
                typer.echo(f"log unreachable or malformed answer: {exc}", err=True)
            else:
                size = head.checkpoint.size
                lags = ", ".join(f"{name} {size - seen} behind"
                                 for name, seen in sorted(follower.cosigned.items()))
                typer.echo(f"head {size} consistent" + (f"; witnesses: {lags}" if lags else ""))
            polls += 1
            if limit and polls >= limit:
                raise typer.Exit(1 if failures == polls else 0)
            time.sleep(interval)


def register(app: typer.Typer) -> None:
    app.command("monitor")(monitor)
