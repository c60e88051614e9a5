"""``tohyo demo-core``: the cryptographic core end to end, with timings.

A 3-of-5 threshold key from the real key-generation protocol (spec §7), N
encrypted 1-of-5 ballots with proofs (spec §10), verification of every proof,
the homomorphic tally, decryption by a random quorum of trustees with proofs
(spec §8) and discrete-log recovery (spec §9). Nothing here is mocked; only the
trustees run in one process.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table

from tohyo.crypto import BallotStyle, ProofContext, QuestionStyle, encrypt_ballot, verify_ballot
from tohyo.crypto.decryption import combine_robust, compute_shares, verify_share
from tohyo.crypto.dkg_local import run_local_ceremony
from tohyo.crypto.dlog import recover
from tohyo.crypto.elgamal import ZERO, Ciphertext

OPTIONS = ("internet-voting", "digital-counter", "ai-voice", "mobility", "home-care")
QUESTION = "q1"


def _progress(console: Console) -> Progress:
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


@contextmanager
def _timed(timings: dict[str, float], name: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    timings[name] = time.perf_counter() - start


def _each(progress: Progress, label: str, count: int, step: Callable[[int], None]) -> None:
    task = progress.add_task(label, total=count)
    for i in range(count):
        step(i)
        progress.advance(task)


def run_core_demo(ballots: int, threshold: int, trustees: int, console: Console) -> dict[str, Any]:
    """Run the demo and return its figures (also printed)."""
    style = BallotStyle((QuestionStyle(QUESTION, OPTIONS, 1, 1, True),))
    manifest_hash = hashlib.sha256(json.dumps(OPTIONS).encode()).digest()
    timings: dict[str, float] = {}
    with _timed(timings, "key_ceremony_s"):
        ceremony = run_local_ceremony(ProofContext("demo-core", manifest_hash), threshold, trustees)
    key = ceremony.joint.public_key
    election = ProofContext("demo-core", manifest_hash, key.element)
    console.print(f"[bold]Joint key[/] ({threshold} of {trustees}): {key.to_hex()}")

    choices = [secrets.choice((*OPTIONS, "")) for _ in range(ballots)]
    cast: list[tuple[ProofContext, Any]] = []
    with _progress(console) as progress:

        def encrypt(i: int) -> None:
            ctx = election.bound(f"voter-{i:06d}")
            chosen = [choices[i]] if choices[i] else []
            cast.append((ctx, encrypt_ballot(ctx, key, style, {QUESTION: chosen})))

        with _timed(timings, "encrypt_s"):
            _each(progress, "Encrypting ballots", ballots, encrypt)
        with _timed(timings, "verify_s"):
            _each(progress, "Verifying proofs", ballots,
                  lambda i: verify_ballot(cast[i][0], key, style, cast[i][1]))

    with _timed(timings, "tally_s"):
        totals: dict[str, Ciphertext] = {}
        for _, ballot in cast:
            q = ballot.questions[0]
            pairs = [*zip(OPTIONS, q.selections, strict=True), ("#blank", q.blank)]
            for label, sel in pairs:
                totals[label] = totals.get(label, ZERO) + sel.ciphertext
    quorum = sorted(secrets.SystemRandom().sample(range(1, trustees + 1), threshold))
    with _timed(timings, "decrypt_s"):
        shares = [s for j in quorum for s in compute_shares(election, ceremony.keys[j - 1], totals)]
        for share in shares:
            verify_share(election, share, ceremony.joint.verification_keys[share.trustee - 1],
                         share.label, totals[share.label])
        decryption = combine_robust(election, shares, threshold,
                                    ceremony.joint.verification_key_map(), totals)
        result = {label: recover(decryption.plaintext(label)) for label in totals}

    expected = Counter(c or "#blank" for c in choices)
    table = Table(title=f"Result: {ballots} ballots, decrypted by trustees {quorum}")
    table.add_column("option")
    table.add_column("votes", justify="right")
    table.add_column("check", justify="center")
    for label in (*OPTIONS, "#blank"):
        ok = result.get(label, 0) == expected.get(label, 0)
        table.add_row(label, str(result.get(label, 0)), "✓" if ok else "✗ MISMATCH")
    console.print(table)
    if any(result.get(k, 0) != expected.get(k, 0) for k in (*OPTIONS, "#blank")):
        raise typer.Exit(1)
    figures = {
        "ballots": ballots,
        "threshold": f"{threshold}/{trustees}",
        "quorum": quorum,
        **{k: round(v, 4) for k, v in timings.items()},
        "encrypt_ms_per_ballot": round(1000 * timings["encrypt_s"] / max(ballots, 1), 3),
        "verify_ms_per_ballot": round(1000 * timings["verify_s"] / max(ballots, 1), 3),
        "result": result,
    }
    console.print_json(json.dumps(figures))
    return figures


def register(app: typer.Typer) -> None:
    @app.command("demo-core")
    def demo_core(
        ballots: int = typer.Option(200, min=1, max=1_000_000, help="Number of ballots."),
        threshold: int = typer.Option(3, min=1, help="t: trustees needed to decrypt."),
        trustees: int = typer.Option(5, min=1, help="n: trustees holding key shares."),
    ) -> None:
        """The cryptographic core end to end: key ceremony, ballots, tally, decryption."""
        run_core_demo(ballots, threshold, trustees, Console())
