"""Client/monitor checks (§TL-9) and voter receipts (§TL-11, THREATS #22)."""

from __future__ import annotations

import pytest
from log_support import ORIGIN, T0, ballots, make_log_signer, signed_head

from tohyo.log import (
    Checkpoint,
    Ed25519Signer,
    InconsistentHead,
    InvalidCheckpoint,
    InvalidProof,
    InvalidSignature,
    MerkleTree,
    Monitor,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    sign_checkpoint,
    verify_head_sequence,
    verify_receipt,
)


@pytest.fixture
def tree() -> MerkleTree:
    return MerkleTree(ballots(40))


def test_valid_sequence(tree: MerkleTree, log_signer: Ed25519Signer) -> None:
    verifiers = [log_signer.verifier()]
    old = signed_head(tree, log_signer, 10, T0)
    new = signed_head(tree, log_signer, 25, T0 + 5_000)
    head = verify_head_sequence(old, new, consistency_proof(tree, 10, 25), verifiers)
    assert head.checkpoint.size == 25
    # Same head re-signed later (freshness) is fine; so is an equal timestamp.
    again = signed_head(tree, log_signer, 25, T0 + 9_000)
    verify_head_sequence(new.to_bytes(), again.to_text(), [], verifiers)
    verify_head_sequence(new, new, [], verifiers)
    # From the empty tree nothing needs proving.
    empty = signed_head(MerkleTree(), log_signer, 0, T0 - 1)
    verify_head_sequence(empty, old, [], verifiers)


def test_rolled_back_size(tree: MerkleTree, log_signer: Ed25519Signer) -> None:
    with pytest.raises(InconsistentHead, match="went back"):
        verify_head_sequence(
            signed_head(tree, log_signer, 25, T0),
            signed_head(tree, log_signer, 10, T0 + 1),
            [],
            [log_signer.verifier()],
        )


def test_older_timestamp(tree: MerkleTree, log_signer: Ed25519Signer) -> None:
    with pytest.raises(InconsistentHead, match="time"):
        verify_head_sequence(
            signed_head(tree, log_signer, 10, T0),
            signed_head(tree, log_signer, 25, T0 - 1),
            consistency_proof(tree, 10, 25),
            [log_signer.verifier()],
        )


def test_different_root_at_same_size(tree: MerkleTree, log_signer: Ed25519Signer) -> None:
    forked = MerkleTree([*ballots(9), b"swapped ballot", *ballots(30, start=10)])
    with pytest.raises(InconsistentHead, match="different roots"):
        verify_head_sequence(
            signed_head(tree, log_signer, 25, T0),
            signed_head(forked, log_signer, 25, T0 + 1),
            [],
            [log_signer.verifier()],
        )


def test_bad_or_missing_consistency_proof(tree: MerkleTree, log_signer: Ed25519Signer) -> None:
    verifiers = [log_signer.verifier()]
    old = signed_head(tree, log_signer, 10, T0)
    new = signed_head(tree, log_signer, 25, T0 + 1)
    proof = list(consistency_proof(tree, 10, 25))
    for bad in ([], proof[:-1], [leaf_hash(b"x"), *proof[1:]], consistency_proof(tree, 11, 25)):
        with pytest.raises(InvalidProof):
            verify_head_sequence(old, new, bad, verifiers)
    with pytest.raises(InvalidProof):
        verify_head_sequence(new, new, proof, verifiers)
    empty = signed_head(MerkleTree(), log_signer, 0, T0 - 1)
    with pytest.raises(InvalidProof):
        verify_head_sequence(empty, old, [tree.root(1)], verifiers)


def test_signatures_and_origins_are_checked(tree: MerkleTree, log_signer: Ed25519Signer) -> None:
    verifiers = [log_signer.verifier()]
    good = signed_head(tree, log_signer, 10, T0)
    forged = signed_head(tree, make_log_signer(seed_byte=66), 12, T0 + 1)
    with pytest.raises(InvalidSignature):
        verify_head_sequence(good, forged, consistency_proof(tree, 10, 12), verifiers)
    with pytest.raises(InvalidSignature):
        verify_head_sequence(forged, good, [], verifiers)
    other_log = make_log_signer(seed_byte=5, origin="other.example/log")
    other = signed_head(tree, other_log, 12, T0 + 1)
    with pytest.raises(InconsistentHead, match="different logs"):
        verify_head_sequence(good, other, [], [*verifiers, other_log.verifier()])
    untimed = sign_checkpoint(Checkpoint(ORIGIN, 12, tree.root(12)), log_signer)
    with pytest.raises(InvalidCheckpoint):
        verify_head_sequence(good, untimed, consistency_proof(tree, 10, 12), verifiers)


def test_monitor_tracks_and_refuses(tree: MerkleTree, log_signer: Ed25519Signer) -> None:
    monitor = Monitor((log_signer.verifier(),))
    monitor.update(signed_head(tree, log_signer, 10, T0))
    monitor.update(signed_head(tree, log_signer, 20, T0 + 1), consistency_proof(tree, 10, 20))
    assert monitor.latest is not None and monitor.latest.checkpoint.size == 20
    with pytest.raises(InconsistentHead):
        monitor.update(signed_head(tree, log_signer, 15, T0 + 2))
    assert monitor.latest.checkpoint.size == 20  # unchanged after a refusal
    untimed = sign_checkpoint(Checkpoint(ORIGIN, 30, tree.root(30)), log_signer)
    with pytest.raises(InvalidCheckpoint):
        Monitor((log_signer.verifier(),)).update(untimed)


# --- receipts: inclusion or provable withholding (§TL-11) ---------------------------------


def test_receipt_proves_inclusion(tree: MerkleTree, log_signer: Ed25519Signer) -> None:
    verifiers = [log_signer.verifier()]
    ballot = b"ballot-17"
    head = signed_head(tree, log_signer, 18, T0)
    receipt = (leaf_hash(ballot), 17, inclusion_proof(tree, 17, 18), head.to_bytes())
    assert verify_receipt(*receipt, verifiers).checkpoint.size == 18
    # Wrong ballot, wrong index, forged head: rejected.
    with pytest.raises(InvalidProof):
        verify_receipt(leaf_hash(b"ballot-16"), 17, receipt[2], receipt[3], verifiers)
    with pytest.raises(InvalidProof):
        verify_receipt(receipt[0], 16, receipt[2], receipt[3], verifiers)
    forged = signed_head(tree, make_log_signer(seed_byte=66), 18, T0)
    with pytest.raises(InvalidSignature):
        verify_receipt(receipt[0], 17, receipt[2], forged, verifiers)
    untimed = sign_checkpoint(Checkpoint(ORIGIN, 18, tree.root(18)), log_signer)
    with pytest.raises(InvalidCheckpoint):
        verify_receipt(receipt[0], 17, receipt[2], untimed, verifiers)


def test_withheld_ballot_is_provable(tree: MerkleTree, log_signer: Ed25519Signer) -> None:
    """A receipt plus the final head convicts a log that drops a receipted ballot."""
    verifiers = [log_signer.verifier()]
    ballot = b"ballot-17"
    receipt_head = signed_head(tree, log_signer, 18, T0)
    verify_receipt(leaf_hash(ballot), 17, inclusion_proof(tree, 17, 18), receipt_head, verifiers)
    # Later the operator publishes a final board without ballot 17.
    final_board = MerkleTree(ballots(17) + ballots(22, start=18))
    final_head = signed_head(final_board, log_signer, final_board.size, T0 + 60_000)
    # 1. The final head cannot be shown to extend the receipt's head ...
    with pytest.raises(InvalidProof):
        verify_head_sequence(
            receipt_head,
            final_head,
            consistency_proof(final_board, 18, final_board.size),
            verifiers,
        )
    # 2. ... and no inclusion proof for the ballot at its index verifies in it.
    with pytest.raises(InvalidProof):
        verify_receipt(
            leaf_hash(ballot),
            17,
            inclusion_proof(final_board, 17, final_board.size),
            final_head,
            verifiers,
        )
    # With an honest final head, both checks pass: the ballot is in the tally's tree.
    honest = signed_head(tree, log_signer, 40, T0 + 60_000)
    verify_head_sequence(receipt_head, honest, consistency_proof(tree, 18, 40), verifiers)
    verify_receipt(leaf_hash(ballot), 17, inclusion_proof(tree, 17, 40), honest, verifiers)
