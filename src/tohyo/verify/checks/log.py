"""V5–V8: the log's tree, signed heads, witness cosignatures and close (record.md §REC-8).

The verifier rebuilds the Merkle tree from the leaves themselves, so each
leaf's inclusion is proven by construction: the root of the first ``size``
leaves must equal the root every head signed at that size (transparency-log.md
§TL-1, §TL-9). Checking every head against the rebuilt tree also proves every
pair of heads consistent, without consistency proofs. Signatures are checked
in the workers (:func:`check_head_block`); the tree comparisons in the main
process (:class:`HeadChecker`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tohyo.log import (
    CosignatureVerifier,
    Ed25519Verifier,
    LogError,
    MerkleTree,
    open_checkpoint,
    parse_note,
    verifier_from_key,
)
from tohyo.log.cosignature import cosignature_timestamp
from tohyo.record.format import HEADS
from tohyo.verify.report import Report

__all__ = ["HeadBlockJob", "HeadChecker", "HeadFact", "check_head_block"]


@dataclass(frozen=True, slots=True)
class HeadBlockJob:
    """Heads to check: (line number, note text), with the keys of the header."""

    log_key: str
    witness_keys: tuple[str, ...]
    heads: tuple[tuple[int, str], ...]


@dataclass(frozen=True, slots=True)
class HeadFact:
    """A head whose log signature verified (or the reason it did not)."""

    line: int
    size: int = -1
    root: bytes = b""
    time_ms: int = -1
    cosigners: tuple[str, ...] = ()
    log_failure: str = ""
    witness_failures: tuple[str, ...] = ()


def _witnesses(keys: tuple[str, ...]) -> dict[tuple[str, int], CosignatureVerifier]:
    out: dict[tuple[str, int], CosignatureVerifier] = {}
    for vkey in keys:
        verifier = verifier_from_key(vkey)
        if not isinstance(verifier, CosignatureVerifier):
            raise LogError(f"witness key {vkey[:40]!r} is not a cosignature/v1 key")
        out[(verifier.name, verifier.key_id)] = verifier
    return out


def check_head_block(job: HeadBlockJob) -> list[HeadFact]:
    """Verify the log signature and every cosignature of each head (worker side).

    Raises:
        LogError: the header's log or witness keys are malformed (checked first by
            the main process, so a worker never sees that).
    """
    log = verifier_from_key(job.log_key)
    witnesses = _witnesses(job.witness_keys)
    out = []
    for line, text in job.heads:
        try:
            note = parse_note(text)
            head = open_checkpoint(note, [log]).checkpoint
            stamp = head.timestamp_ms
        except LogError as exc:
            out.append(HeadFact(line, log_failure=str(exc)))
            continue
        cosigners, failures = [], []
        for sig in note.signatures:
            if (sig.name, sig.key_id) == (log.name, log.key_id):
                continue
            witness = witnesses.get((sig.name, sig.key_id))
            if witness is None:
                failures.append(f"signature by unknown key {sig.name}+{sig.key_id:08x}")
                continue
            try:
                witness.verify(note.text.encode(), sig.signature)
                cosignature_timestamp(sig)
            except LogError as exc:
                failures.append(str(exc))
                continue
            cosigners.append(sig.name)
        out.append(HeadFact(line, head.size, head.root_hash, stamp, tuple(cosigners),
                            "", tuple(failures)))
    return out


@dataclass
class HeadChecker:
    """The main process's side of V6/V7: order, time, roots against the rebuilt tree."""

    report: Report
    witness_names: tuple[str, ...]
    last_size: int = -1
    last_time: int = -1
    final: HeadFact | None = None
    count: int = 0
    cosigned: int = 0
    pending: list[HeadFact] = field(default_factory=list)
    #: Sizes of the heads that are signed and match the entries (results.md §RES-5).
    sizes: set[int] = field(default_factory=set)

    def add(self, facts: list[HeadFact], tree: MerkleTree) -> None:
        for fact in facts:
            where = f"{HEADS}:{fact.line}"
            self.count += 1
            if fact.log_failure:
                self.report.fail("V6", where, fact.log_failure)
                continue
            for failure in fact.witness_failures:
                self.report.fail("V7", where, failure)
            if fact.cosigners:
                self.cosigned += 1
            if fact.size <= self.last_size:
                self.report.fail("V6", where, f"size {fact.size} does not grow "
                                              f"(previous head: {self.last_size})")
            if fact.time_ms < self.last_time:
                self.report.fail("V6", where, "head time goes backwards")
            if fact.size > tree.size:
                self.report.fail("V6", where, f"size {fact.size} exceeds the "
                                              f"{tree.size} entries")
            elif tree.root(fact.size) != fact.root:
                self.report.fail("V6", where, f"root at size {fact.size} is not the root of "
                                              f"the first {fact.size} entries (fork or edit)")
            else:
                self.sizes.add(fact.size)
            self.last_size = max(self.last_size, fact.size)
            self.last_time = max(self.last_time, fact.time_ms)
            self.final = fact

    def finish(self, tree: MerkleTree) -> HeadFact | None:
        """Final-head checks (V5, V6, V7); returns the final head if V6 holds for it."""
        final = self.final
        if final is None:
            self.report.fail("V6", HEADS, "no valid signed head")
            self.report.fail("V5", HEADS, "no final signed head to compare the tree with")
            return None
        if final.size != tree.size:
            self.report.fail("V5", f"{HEADS}:{final.line}",
                             f"the final head covers {final.size} entries, the record has "
                             f"{tree.size} (entries withheld or added)")
        elif final.root != tree.root():
            self.report.fail("V5", f"{HEADS}:{final.line}", "root differs from the entries'")
        missing = sorted(set(self.witness_names) - set(final.cosigners))
        if missing:
            self.report.fail("V7", f"{HEADS}:{final.line}",
                             f"final head not cosigned by {', '.join(missing)}")
        return final

    @staticmethod
    def log_keys(log_key: str, witness_keys: tuple[str, ...], origin: str) -> tuple[str, ...]:
        """Validate the header's keys; returns the witness names.

        Raises:
            LogError: a malformed key, a log key that is not Ed25519 or not named
                like the origin.
        """
        log = verifier_from_key(log_key)
        if not isinstance(log, Ed25519Verifier) or log.name != origin:
            raise LogError("the log key must be an Ed25519 key named like the origin")
        return tuple(name for name, _ in _witnesses(witness_keys))
