"""Whole elections built directly with the crypto and log APIs, no server (record.md §REC).

For the verifier's tests, the tampered corpus and the benchmarks: a key
ceremony run in one process, ballots encrypted (in parallel, optionally),
leaves appended to a Merkle tree with a signed head after every append (as the
service does), witness cosignatures, the close, the tally with every trustee's
decryption shares, and the record written with :class:`RecordWriter`.
``tohyo simulate`` does the same through a real server over HTTP.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tohyo.crypto.ballot import ballot_hash, encrypt_ballot
from tohyo.crypto.context import ProofContext
from tohyo.crypto.decryption import DecryptionShare, compute_shares
from tohyo.crypto.dkg_local import run_local_ceremony
from tohyo.crypto.elgamal import PublicKey
from tohyo.crypto.group import Element
from tohyo.log import (
    Checkpoint,
    CosignatureSigner,
    Ed25519Signer,
    MerkleTree,
    encode_verifier_key,
    sign_checkpoint,
)
from tohyo.record.canonical import dumps_canonical
from tohyo.record.counting import ballot_style, count_board, finish_tally
from tohyo.record.format import LogInfo, RecordHeader, RollCommitment
from tohyo.record.leaves import (
    ballot_leaf,
    close_leaf,
    override_leaf,
    paper_count_leaf,
    statement_leaf,
    withdrawal_leaf,
)
from tohyo.record.manifest import Manifest, manifest_hash
from tohyo.record.official import TurnoutInputs, combine
from tohyo.record.paper import parse_paper_count, sign_paper_count
from tohyo.record.results import Results
from tohyo.record.statements import StatementEvent, sign_statement
from tohyo.record.transparency import declare_log
from tohyo.record.writer import RecordWriter

__all__ = ["Voter", "credential_for", "generate_record"]

Choices = Mapping[str, Sequence[str]]
#: Start of the simulated clock (ms since the epoch); heads advance 1 ms per leaf.
_T0_MS = 1_740_000_000_000


@dataclass(frozen=True, slots=True)
class Voter:
    """One voter's actions: ballots in casting order, then possibly a paper vote.

    Attributes:
        ballots: the choices of each cast, the last one counts (re-votes before it).
        paper: the voter also voted on paper, cancelling every internet ballot.
    """

    ballots: tuple[Choices, ...]
    paper: bool = False


def credential_for(number: int, salt: str = "") -> str:
    """A 32-hex-digit pseudonymous credential for voter ``number``."""
    return hashlib.sha256(f"{salt}voter-{number}".encode()).hexdigest()[:32]


def _encrypt_one(args: tuple[str, bytes, str, dict[str, list[str]], bytes]) -> bytes:
    """Worker: the canonical leaf of one encrypted ballot."""
    manifest_json, mhash, credential, choices, key = args
    from tohyo.record.manifest import parse_manifest

    manifest = _manifest_cache.get(manifest_json)
    if manifest is None:
        manifest = parse_manifest(manifest_json.encode())
        _manifest_cache[manifest_json] = manifest
    public = PublicKey(Element.from_bytes(key))
    context = ProofContext(manifest.id, mhash, public.element).bound(credential)
    ballot = encrypt_ballot(context, public, ballot_style(manifest), choices)
    tracker = ballot_hash(context, ballot).hex()
    return dumps_canonical(ballot_leaf(manifest.id, credential, ballot.to_json(), tracker))


_manifest_cache: dict[str, Manifest] = {}


def _casts(voters: Sequence[Voter], salt: str) -> list[tuple[int, str, Choices]]:
    """Casting order: every voter's first ballot, then the re-votes, round by round."""
    out: list[tuple[int, str, Choices]] = []
    rounds = max((len(v.ballots) for v in voters), default=0)
    for r in range(rounds):
        for n, v in enumerate(voters):
            if r < len(v.ballots):
                out.append((n, credential_for(n, salt), v.ballots[r]))
    return out


def generate_record(
    manifest: Manifest,
    voters: Sequence[Voter],
    out: Path | str,
    *,
    trustees: tuple[int, int] | None = None,
    withdrawals: Iterable[tuple[str, str]] = (),
    witnesses: int = 2,
    quorum: int | None = None,
    declare_witnesses: bool = True,
    log_signer: Ed25519Signer | None = None,
    workers: int = 1,
    absent_trustees: Iterable[int] = (),
    cheating_trustee: int | None = None,
    salt: str = "",
    progress: Callable[[int, int], None] | None = None,
    paper_counts: Sequence[Mapping[str, Any]] = (),
    started_not_finished: int = 0,
    statements: bool = False,
) -> RecordHeader:
    """Run a whole election in process and write its record to ``out``.

    Args:
        manifest: the election manifest.
        voters: one :class:`Voter` per voter.
        out: the record directory.
        trustees: (t, n); by default the manifest's threshold and trustees.
        withdrawals: (question id, candidate id) withdrawn before the opening.
        witnesses: how many witnesses cosign the heads.
        quorum: the quorum the manifest declares (default: every witness).
        declare_witnesses: the manifest declares the log key and the witnesses
            (``tohyo-manifest/2``, manifest.md §MAN-21); False keeps a
            ``tohyo-manifest/1`` manifest as given (V7 then warns).
        log_signer: the log's key (default: a fresh one); tests that forge heads
            with it pass their own.
        workers: processes for encrypting ballots.
        absent_trustees: trustees who give no decryption shares.
        cheating_trustee: a trustee whose decryption shares are corrupted (it is
            named and set aside in the tally).
        salt: varies the credentials between elections.
        progress: called with (ballots encrypted, total).
        paper_counts: paper counts (results.md §RES-2.1) appended after the close,
            signed by the log key as if two officials had entered them; with
            any, the record is ``tohyo-record/2`` with ``official.json``.
        started_not_finished: the declared 途中終了者数 (results.md §RES-3.5).
        statements: every witness signs an ``opening`` statement over the empty
            log's head and a ``close`` statement over the close's head, each a
            ``statement`` leaf (record.md §REC-10); the record is then
            ``tohyo-record/2``, with ``official.json``.

    Raises:
        ValueError: the manifest already declares a log (the simulation makes its own keys).
    """
    t, n = trustees or (manifest.threshold, len(manifest.trustees))
    if statements and not declare_witnesses:
        raise ValueError("witness statements need witnesses declared in the manifest")
    if manifest.log is not None:
        raise ValueError("the simulation makes its own log and witness keys: give it a "
                         "manifest that declares none (tohyo-manifest/1)")
    origin = f"tohyo.example/log/{manifest.id}"
    log_signer = log_signer or Ed25519Signer(origin, Ed25519PrivateKey.generate())
    origin = log_signer.name
    seeds = [Ed25519PrivateKey.generate() for _ in range(witnesses)]
    cosigners = [CosignatureSigner(f"witness-{i}.example", seed) for i, seed in enumerate(seeds)]
    # A witness signs its statements with the seed of its cosignature key (§REC-10).
    stating = [Ed25519Signer(f"witness-{i}.example", seed) for i, seed in enumerate(seeds)]
    if declare_witnesses:
        manifest = declare_log(manifest, encode_verifier_key(log_signer.verifier()),
                               [encode_verifier_key(w.verifier()) for w in cosigners],
                               len(cosigners) if quorum is None else quorum)
    mhash = manifest_hash(manifest)
    base = ProofContext(manifest.id, mhash)
    ceremony = run_local_ceremony(base, t, n)
    transcript, keys, joint = ceremony.transcript, ceremony.keys, ceremony.joint
    context = ProofContext(manifest.id, mhash, joint.public_key.element)
    tree = MerkleTree()
    leaves: list[bytes] = []

    writer = RecordWriter(out)
    writer.write_manifest(manifest.to_json())
    writer.write_ceremony(transcript.to_json(), joint.to_json())

    def append(leaf: bytes, cosign: bool = False) -> None:
        writer.add_entry(leaf)
        leaves.append(leaf)
        tree.append(leaf)
        head = Checkpoint.timestamped(origin, tree.size, tree.root(), _T0_MS + tree.size)
        note = sign_checkpoint(head, log_signer)
        if cosign:
            text = note.text.encode()
            note = note.with_signatures(*(w.sign_at(text, _T0_MS // 1000 + tree.size)
                                          for w in cosigners))
        writer.add_head(note.to_text())

    def stated(event: StatementEvent, checked: str) -> list[bytes]:
        """Every witness's statement over the current head (its text as the log signed it)."""
        head = Checkpoint.timestamped(origin, tree.size, tree.root(), _T0_MS + tree.size)
        return [dumps_canonical(statement_leaf(sign_statement(
            manifest.id, event, checked, head.to_text(), signer,
            encode_verifier_key(w.verifier())).to_json()))
            for signer, w in zip(stating, cosigners, strict=True)]

    if statements:  # the empty ballot box: its head is on the record too (§REC-10)
        empty = Checkpoint.timestamped(origin, 0, tree.root(), _T0_MS)
        writer.add_head(sign_checkpoint(empty, log_signer).to_text())
        for leaf in stated(StatementEvent.OPENING, "the ballot box is empty"):
            append(leaf)
    for question_id, candidate_id in withdrawals:
        append(dumps_canonical(withdrawal_leaf(manifest.id, question_id, candidate_id,
                                               "withdrew")))
    casts = _casts(voters, salt)
    manifest_json = dumps_canonical(manifest.to_json()).decode()
    key_bytes = joint.public_key.element.to_bytes()
    jobs = [(manifest_json, mhash, cred, {q: list(c) for q, c in ch.items()}, key_bytes)
            for _, cred, ch in casts]
    pool = ProcessPoolExecutor(workers) if workers > 1 else None
    results = pool.map(_encrypt_one, jobs, chunksize=64) if pool else map(_encrypt_one, jobs)
    for done, leaf in enumerate(results, start=1):
        append(leaf, cosign=done % 100 == 0)
        if progress is not None:
            progress(done, len(jobs))
    if pool is not None:
        pool.shutdown()
    for number, voter in enumerate(voters):
        if voter.paper:
            append(dumps_canonical(override_leaf(manifest.id, credential_for(number, salt))))
    append(dumps_canonical(close_leaf(manifest.id)), cosign=not (paper_counts or statements))
    close_head = (tree.size, tree.root())
    after_close = stated(StatementEvent.CLOSE, "the final head is the one I cosigned") \
        if statements else []

    board = count_board(manifest, mhash, joint.public_key, leaves[:close_head[0]],
                        check_proofs=False)
    shares: list[DecryptionShare] = []
    absent = set(absent_trustees)
    for key in keys:
        if key.trustee in absent:
            continue
        mine = compute_shares(context, key, board.aggregates)
        if key.trustee == cheating_trustee:
            mine = tuple(_corrupt(s) for s in mine)
        shares += mine
    tally = finish_tally(manifest, context, joint, board, close_head, shares)
    writer.write_tally(tally.to_json())
    if paper_counts or statements:
        accepted = [parse_paper_count(manifest, p) for p in paper_counts]
        entered_by = ("official-a", "official-b")
        for count in accepted:
            signature = sign_paper_count(count, entered_by, log_signer)
            after_close.append(dumps_canonical(paper_count_leaf(
                manifest.id, count.to_json(), entered_by, signature)))
        for i, leaf in enumerate(after_close):  # the last head carries the cosignatures
            append(leaf, cosign=i == len(after_close) - 1)
        official = combine(manifest, Results.from_json(tally.results), accepted, TurnoutInputs(
            len(voters), started_not_finished, tally.counts.get("paper_overrides", 0)))
        writer.write_official(official.to_json())
    return writer.finish(
        election_id=manifest.id,
        manifest_hash=mhash,
        roll=RollCommitment(len(voters), hashlib.sha256(f"roll:{salt}".encode()).hexdigest()),
        log=LogInfo(origin, encode_verifier_key(log_signer.verifier()),
                    tuple(encode_verifier_key(w.verifier()) for w in cosigners)),
    )


def _corrupt(share: DecryptionShare) -> DecryptionShare:
    from tohyo.crypto.group import GENERATOR

    return DecryptionShare(share.trustee, share.label, share.share + GENERATOR, share.proof)

