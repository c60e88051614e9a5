"""The per-leaf work of the verifier, run in worker processes (record.md §REC-8, V4/V9).

A worker gets a block of ``entries.jsonl`` lines and returns, per block: the
leaf hashes (for the tree, V5), the facts the effective-ballot rules need
(kind, credential, tracker, validity), the failures of V4 (leaf form) and V9
(ballot proofs), and the homomorphic sum of the block's valid ballots per
label (V12). Everything in and out is plain picklable data, so the same
functions run in a local process pool or on a Dask cluster.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from tohyo.crypto.ballot import BallotStyle, EncryptedBallot, ballot_hash, verify_ballot
from tohyo.crypto.context import ProofContext
from tohyo.crypto.elgamal import Ciphertext, PublicKey
from tohyo.crypto.errors import CryptoError
from tohyo.crypto.group import Element
from tohyo.log import leaf_hash
from tohyo.record.canonical import loads_canonical
from tohyo.record.counting import ballot_style, option_map
from tohyo.record.errors import RecordError
from tohyo.record.leaves import (
    BallotLeaf,
    CloseLeaf,
    OverrideLeaf,
    PaperCountLeaf,
    StatementLeaf,
    WithdrawalLeaf,
    parse_leaf,
)
from tohyo.record.manifest import Manifest, parse_manifest
from tohyo.record.results import aggregate_labels
from tohyo.record.tally import Accumulator

__all__ = [
    "BlockJob",
    "BlockResult",
    "Setup",
    "check_block",
    "decode_sums",
    "location",
    "sum_block",
]

# Fact kinds.
BALLOT, OVERRIDE, WITHDRAWAL, CLOSE, BAD = "b", "o", "w", "c", "x"
PAPER = "p"  #: a paper_count leaf (results.md §RES-2.4)
STATEMENT = "s"  #: a witness statement leaf (record.md §REC-10), checked in V7


def location(index: int) -> str:
    """Where leaf ``index`` is: its line in ``entries.jsonl``."""
    return f"entries.jsonl:{index + 1} (leaf {index})"


@dataclass(frozen=True, slots=True)
class Setup:
    """What every worker needs: the election, its manifest and the joint key."""

    election_id: str
    manifest_hash: bytes
    public_key: bytes
    manifest_json: bytes

    @property
    def key(self) -> str:
        return hashlib.sha256(self.manifest_hash + self.public_key + self.manifest_json
                              + self.election_id.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class BlockJob:
    setup: Setup
    first: int
    lines: tuple[bytes, ...]


@dataclass(slots=True)
class BlockResult:
    """What a worker found in one block; ``facts`` are (index, kind, a, b, valid)."""

    first: int
    count: int
    leaf_hashes: bytes = b""
    facts: list[tuple[int, str, str, str, bool]] = field(default_factory=list)
    entry_failures: list[tuple[str, str]] = field(default_factory=list)
    ballot_failures: list[tuple[str, str]] = field(default_factory=list)
    sums: dict[str, tuple[bytes, bytes]] = field(default_factory=dict)
    valid_ballots: int = 0
    papers: list[tuple[int, bytes]] = field(default_factory=list)
    statements: list[tuple[int, bytes]] = field(default_factory=list)


class _Election:
    """A worker's parsed view of the setup (cached per process)."""

    def __init__(self, setup: Setup) -> None:
        self.manifest: Manifest = parse_manifest(setup.manifest_json)
        self.style: BallotStyle = ballot_style(self.manifest)
        self.public = PublicKey(Element.from_bytes(setup.public_key))
        self.context = ProofContext(setup.election_id, setup.manifest_hash, self.public.element)
        self.labels = aggregate_labels(self.manifest)
        self.options = option_map(self.manifest)

    def accumulator(self) -> Accumulator:
        return Accumulator(self.labels, self.options)


_CACHE: dict[str, _Election] = {}


def _election(setup: Setup) -> _Election:
    found = _CACHE.get(setup.key)
    if found is None:
        found = _Election(setup)
        _CACHE.clear()
        _CACHE[setup.key] = found
    return found


def _sums(acc: Accumulator) -> dict[str, tuple[bytes, bytes]]:
    return {lab: (ct.alpha.to_bytes(), ct.beta.to_bytes()) for lab, ct in acc.totals().items()}


def check_block(job: BlockJob) -> BlockResult:
    """Hash, parse and check every leaf of a block; sum its valid ballots."""
    election = _election(job.setup)
    acc = election.accumulator()
    out = BlockResult(job.first, len(job.lines))
    hashes = bytearray()
    for k, line in enumerate(job.lines):
        index = job.first + k
        hashes += leaf_hash(line)
        where = location(index)
        try:
            leaf = parse_leaf(loads_canonical(line, max_bytes=len(line) + 1, max_depth=64))
        except RecordError as exc:
            out.entry_failures.append((where, str(exc)))
            out.facts.append((index, BAD, "", "", False))
            continue
        if leaf.election_id != job.setup.election_id:
            out.entry_failures.append((where, f"leaf of another election {leaf.election_id!r}"))
        if isinstance(leaf, BallotLeaf):
            tracker, valid = _check_ballot(election, leaf, where, out, acc)
            valid = valid and leaf.election_id == job.setup.election_id
            out.facts.append((index, BALLOT, leaf.credential, tracker, valid))
        elif isinstance(leaf, OverrideLeaf):
            out.facts.append((index, OVERRIDE, leaf.credential, "", True))
        elif isinstance(leaf, WithdrawalLeaf):
            out.facts.append((index, WITHDRAWAL, leaf.question_id, leaf.candidate_id, True))
            _check_withdrawal(election.manifest, leaf, where, out)
        elif isinstance(leaf, CloseLeaf):
            out.facts.append((index, CLOSE, "", "", True))
        elif isinstance(leaf, PaperCountLeaf):
            out.facts.append((index, PAPER, "", "", True))
            out.papers.append((index, line))
        elif isinstance(leaf, StatementLeaf):
            out.facts.append((index, STATEMENT, "", "", True))
            out.statements.append((index, line))
    out.leaf_hashes = bytes(hashes)
    out.sums = _sums(acc)
    return out


def _check_withdrawal(
    manifest: Manifest, leaf: WithdrawalLeaf, where: str, out: BlockResult
) -> None:
    try:
        question, _ = manifest.candidate(leaf.candidate_id)
    except KeyError:
        out.entry_failures.append((where, f"withdrawal of unknown candidate "
                                          f"{leaf.candidate_id[:64]!r}"))
        return
    if question.id != leaf.question_id:
        out.entry_failures.append((where, "withdrawal names the wrong question"))


def _check_ballot(
    election: _Election,
    leaf: BallotLeaf,
    where: str,
    out: BlockResult,
    acc: Accumulator,
) -> tuple[str, bool]:
    context = election.context.bound(leaf.credential)
    try:
        ballot = EncryptedBallot.from_json(leaf.ballot)
    except CryptoError as exc:
        out.ballot_failures.append((where, f"ballot does not decode: {exc}"))
        return "", False
    tracker = ballot_hash(context, ballot).hex()
    try:
        verify_ballot(context, election.public, election.style, ballot)
    except CryptoError as exc:
        out.ballot_failures.append((where, f"ballot proof fails: {exc}"))
        return tracker, False
    if leaf.tracker is not None and leaf.tracker != tracker:
        out.ballot_failures.append((where, "the leaf's ballot_hash is not the ballot's tracker"))
        return tracker, False
    if leaf.election_id != election.context.election_id:
        return tracker, False
    acc.add(ballot)
    out.valid_ballots += 1
    return tracker, True


def sum_block(setup: Setup, lines: list[bytes]) -> dict[str, tuple[bytes, bytes]]:
    """The sum of already-verified ballot leaves (the verifier's second pass)."""
    election = _election(setup)
    acc = election.accumulator()
    for line in lines:
        leaf = parse_leaf(loads_canonical(line, max_bytes=len(line) + 1, max_depth=64))
        if isinstance(leaf, BallotLeaf):
            acc.add(EncryptedBallot.from_json(leaf.ballot))
    return _sums(acc)


def decode_sums(sums: dict[str, tuple[bytes, bytes]]) -> dict[str, Ciphertext]:
    """The worker's byte sums as ciphertexts."""
    return {
        lab: Ciphertext(Element.from_bytes(a, allow_identity=True),
                        Element.from_bytes(b, allow_identity=True))
        for lab, (a, b) in sums.items()
    }
