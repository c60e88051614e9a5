"""Client and monitor checks on signed heads and receipts (§TL-9, §TL-11).

A voter's client, an auditor or a monitor keeps the last head it verified
and accepts a new one only if it is signed by the log, does not go back in
size or time, and provably extends the old one. Two validly signed heads that
fail these checks are transferable evidence that the log forked or rolled
back: keep both.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeAlias

from tohyo.log.checkpoint import SignedCheckpoint, open_checkpoint
from tohyo.log.errors import InconsistentHead, InvalidProof
from tohyo.log.note import NoteVerifier, SignedNote
from tohyo.log.proofs import verify_consistency, verify_inclusion
from tohyo.log.tree import Hash

__all__ = ["Monitor", "check_head_sequence", "verify_head_sequence", "verify_receipt"]

SignedHeadInput: TypeAlias = SignedNote | bytes | str


def check_head_sequence(
    previous: SignedCheckpoint, new: SignedCheckpoint, consistency_proof: Sequence[Hash]
) -> None:
    """The §TL-9 rules on two heads whose signatures were already verified.

    Raises:
        InconsistentHead: other origin, smaller size, older timestamp, or a
            different root at the same size.
        InvalidProof: the consistency proof does not verify.
        InvalidCheckpoint: a head lacks the Tohyo time line.
    """
    old, cur = previous.checkpoint, new.checkpoint
    if old.origin != cur.origin:
        raise InconsistentHead(f"heads are from different logs: {old.origin!r}, {cur.origin!r}")
    if cur.size < old.size:
        raise InconsistentHead(f"tree size went back from {old.size} to {cur.size}")
    if cur.timestamp_ms < old.timestamp_ms:
        raise InconsistentHead(
            f"head time went back from {old.timestamp_ms} to {cur.timestamp_ms} ms"
        )
    if cur.size == old.size:
        if not hmac.compare_digest(cur.root_hash, old.root_hash):
            raise InconsistentHead(f"two different roots for tree size {cur.size}")
        if consistency_proof:
            raise InvalidProof("sizes are equal but the consistency proof is not empty")
        return
    if old.size == 0:
        # Every tree extends the empty one; there is nothing to prove.
        if consistency_proof:
            raise InvalidProof("the consistency proof from size 0 must be empty")
        return
    verify_consistency(old.size, cur.size, old.root_hash, cur.root_hash, consistency_proof)


def verify_head_sequence(
    previous_signed_head: SignedHeadInput,
    new_signed_head: SignedHeadInput,
    consistency_proof: Sequence[Hash],
    log_verifiers: Iterable[NoteVerifier],
) -> SignedCheckpoint:
    """Verify both heads' log signatures and that ``new`` extends ``previous`` (§TL-9).

    Returns the verified new head.

    Raises:
        InvalidEncoding, InvalidCheckpoint: a head is malformed.
        UnknownOrigin, InvalidSignature: a head is not signed by a trusted log key.
        InconsistentHead: rollback, time travel or fork.
        InvalidProof: the consistency proof does not verify.
    """
    verifiers = tuple(log_verifiers)
    previous = open_checkpoint(previous_signed_head, verifiers)
    new = open_checkpoint(new_signed_head, verifiers)
    check_head_sequence(previous, new, consistency_proof)
    return new


def verify_receipt(
    leaf_hash: Hash,
    index: int,
    inclusion_proof: Sequence[Hash],
    signed_head: SignedHeadInput,
    log_verifiers: Iterable[NoteVerifier],
) -> SignedCheckpoint:
    """Check a voter's receipt: the log signed a head that includes this leaf (§TL-11).

    Returns the verified head, which the client then checks against later
    heads with :func:`verify_head_sequence` or a :class:`Monitor`.

    Raises:
        UnknownOrigin, InvalidSignature, InvalidEncoding, InvalidCheckpoint:
            the head is not a valid signed Tohyo head.
        InvalidProof: the leaf is not at ``index`` in that head.
    """
    head = open_checkpoint(signed_head, log_verifiers)
    _ = head.timestamp_ms  # a receipt head must be a full Tohyo head
    checkpoint = head.checkpoint
    verify_inclusion(leaf_hash, index, checkpoint.size, inclusion_proof, checkpoint.root_hash)
    return head


@dataclass(slots=True)
class Monitor:
    """Tracks the latest verified head of one log and accepts only extensions (§TL-9).

    Mutable on purpose: it is the client's memory. Persist ``latest.note``
    between runs; a client that forgets its last head cannot detect rollback.
    """

    log_verifiers: tuple[NoteVerifier, ...]
    latest: SignedCheckpoint | None = None

    def update(
        self, new_signed_head: SignedHeadInput, consistency_proof: Sequence[Hash] = ()
    ) -> SignedCheckpoint:
        """Accept ``new_signed_head`` if it extends the latest head; return it.

        The first head is accepted on its signature alone (trust on first use).

        Raises:
            the errors of :func:`verify_head_sequence`; the state is unchanged.
        """
        new = open_checkpoint(new_signed_head, self.log_verifiers)
        _ = new.timestamp_ms
        if self.latest is not None:
            check_head_sequence(self.latest, new, consistency_proof)
        self.latest = new
        return new
