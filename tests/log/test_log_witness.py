"""The witness (§TL-8, THREATS #23): tlog-witness status codes, durable state,
and the add-checkpoint race."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from log_support import ORIGIN, T0, ballots, make_log_signer, make_witness_signer, signed_head

from tohyo.log import (
    EMPTY_ROOT,
    Checkpoint,
    CosignatureSigner,
    Ed25519Signer,
    InconsistentHead,
    InvalidEncoding,
    InvalidProof,
    InvalidRequest,
    InvalidSignature,
    MerkleTree,
    OldSizeMismatch,
    UnknownOrigin,
    Witness,
    consistency_proof,
    encode_add_checkpoint_request,
    leaf_hash,
    parse_add_checkpoint_request,
    sign_checkpoint,
    verify_cosignature,
)


@pytest.fixture
def tree() -> MerkleTree:
    return MerkleTree(ballots(20))


@pytest.fixture
def witness(
    tmp_path: Path, log_signer: Ed25519Signer, witness_signer: CosignatureSigner
) -> Witness:
    return Witness(witness_signer, [log_signer.verifier()], tmp_path / "witness.json")


def test_first_checkpoint_then_extension(
    witness: Witness, tree: MerkleTree, log_signer: Ed25519Signer
) -> None:
    head5 = signed_head(tree, log_signer, 5)
    cosig = witness.add_checkpoint(0, [], head5.to_bytes())
    assert verify_cosignature(head5.with_signatures(cosig), witness.signer.verifier())
    assert witness.latest(ORIGIN).size == 5
    head12 = signed_head(tree, log_signer, 12, T0 + 1)
    witness.add_checkpoint(5, consistency_proof(tree, 5, 12), head12)
    assert witness.latest(ORIGIN) == witness.latest(ORIGIN)
    assert witness.latest(ORIGIN).root_hash == tree.root(12)
    # Re-submitting the same head is fine (fresh cosignature, same state).
    witness.add_checkpoint(12, [], head12.to_text())
    assert witness.latest(ORIGIN).size == 12
    assert witness.name == "witness.example/w1"


def test_unknown_origin_is_404(witness: Witness, tree: MerkleTree) -> None:
    stranger = Ed25519Signer("stranger.example/log", make_log_signer()._key)
    with pytest.raises(UnknownOrigin) as info:
        witness.add_checkpoint(0, [], signed_head(tree, stranger, 3))
    assert info.value.http_status == 404


def test_bad_signature_is_403(witness: Witness, tree: MerkleTree) -> None:
    attacker = make_log_signer(seed_byte=66)
    with pytest.raises(InvalidSignature) as info:
        witness.add_checkpoint(0, [], signed_head(tree, attacker, 3))
    assert info.value.http_status == 403
    assert witness.latest(ORIGIN).size == 0


def test_old_size_above_checkpoint_is_400(
    witness: Witness, tree: MerkleTree, log_signer: Ed25519Signer
) -> None:
    with pytest.raises(InvalidRequest) as info:
        witness.add_checkpoint(6, [], signed_head(tree, log_signer, 5))
    assert info.value.http_status == 400
    for bad in (-1, True):
        with pytest.raises(InvalidRequest):
            witness.add_checkpoint(bad, [], signed_head(tree, log_signer, 5))
    with pytest.raises(InvalidRequest):
        witness.add_checkpoint(0, [leaf_hash(b"")] * 64, signed_head(tree, log_signer, 5))


def test_old_size_mismatch_is_409_with_latest_size(
    witness: Witness, tree: MerkleTree, log_signer: Ed25519Signer
) -> None:
    witness.add_checkpoint(0, [], signed_head(tree, log_signer, 5))
    with pytest.raises(OldSizeMismatch) as info:
        witness.add_checkpoint(4, consistency_proof(tree, 4, 9), signed_head(tree, log_signer, 9))
    assert info.value.http_status == 409
    assert info.value.latest_size == 5
    # A client without state starts from 0 and learns the size the same way.
    with pytest.raises(OldSizeMismatch) as info:
        witness.add_checkpoint(0, [], signed_head(tree, log_signer, 9))
    assert info.value.latest_size == 5


def test_rolled_back_size_is_refused(
    witness: Witness, tree: MerkleTree, log_signer: Ed25519Signer
) -> None:
    witness.add_checkpoint(0, [], signed_head(tree, log_signer, 12))
    # Honest old size: old > new is a 400; any other old size is a 409.
    with pytest.raises(InvalidRequest):
        witness.add_checkpoint(12, [], signed_head(tree, log_signer, 8))
    with pytest.raises(OldSizeMismatch):
        witness.add_checkpoint(8, [], signed_head(tree, log_signer, 8))
    assert witness.latest(ORIGIN).size == 12


def test_bad_consistency_proof_is_422(
    witness: Witness, tree: MerkleTree, log_signer: Ed25519Signer
) -> None:
    witness.add_checkpoint(0, [], signed_head(tree, log_signer, 5))
    proof = list(consistency_proof(tree, 5, 12))
    proof[0] = leaf_hash(b"evil")
    with pytest.raises(InvalidProof) as info:
        witness.add_checkpoint(5, proof, signed_head(tree, log_signer, 12))
    assert info.value.http_status == 422
    with pytest.raises(InvalidProof):
        witness.add_checkpoint(5, [], signed_head(tree, log_signer, 12))
    assert witness.latest(ORIGIN).size == 5


def test_nonempty_proof_from_zero_is_422(
    witness: Witness, tree: MerkleTree, log_signer: Ed25519Signer
) -> None:
    with pytest.raises(InvalidProof):
        witness.add_checkpoint(0, [tree.root(1)], signed_head(tree, log_signer, 5))
    witness.add_checkpoint(0, [], signed_head(tree, log_signer, 5))
    with pytest.raises(InvalidProof):
        witness.add_checkpoint(5, [tree.root(5)], signed_head(tree, log_signer, 5))


def test_fork_after_rewrite_is_refused(
    witness: Witness, tree: MerkleTree, log_signer: Ed25519Signer
) -> None:
    witness.add_checkpoint(0, [], signed_head(tree, log_signer, 10))
    # The operator rewrites leaf 3 and signs a head of the same size (THREATS #21).
    forged = MerkleTree([*ballots(3), b"rewritten", *ballots(16, start=4)])
    with pytest.raises(InconsistentHead) as info:
        witness.add_checkpoint(10, [], signed_head(forged, log_signer, 10))
    assert info.value.http_status == 409
    # ... or a longer one with a proof computed from the forged tree.
    with pytest.raises(InvalidProof):
        witness.add_checkpoint(
            10, consistency_proof(forged, 10, 15), signed_head(forged, log_signer, 15)
        )
    # An empty head with a non-empty root is a fork of the empty tree.
    fresh_tree = MerkleTree()
    bogus = sign_checkpoint(Checkpoint.timestamped(ORIGIN, 0, leaf_hash(b"x"), T0), log_signer)
    other = Witness(
        witness.signer, [log_signer.verifier()], witness._state_path.with_name("w2.json")
    )
    with pytest.raises(InconsistentHead):
        other.add_checkpoint(0, [], bogus)
    other.add_checkpoint(0, [], signed_head(fresh_tree, log_signer, 0))
    assert other.latest(ORIGIN).root_hash == EMPTY_ROOT


def test_state_is_durable_and_shared(
    tmp_path: Path, tree: MerkleTree, log_signer: Ed25519Signer
) -> None:
    path = tmp_path / "state.json"
    first = Witness(make_witness_signer(), [log_signer.verifier()], path)
    first.add_checkpoint(0, [], signed_head(tree, log_signer, 7))
    document = json.loads(path.read_text())
    assert document["format"] == "tohyo-witness-state/1"
    assert document["logs"][ORIGIN]["size"] == 7
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json", "state.json.lock"]
    # A restarted witness (new instance) remembers, and refuses a rollback.
    second = Witness(make_witness_signer(), [log_signer.verifier()], path)
    assert second.latest(ORIGIN).size == 7
    with pytest.raises(OldSizeMismatch):
        second.add_checkpoint(0, [], signed_head(tree, log_signer, 3))


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\xff",
        b"[]",
        b'{"format": "tohyo-witness-state/1"}',
        b'{"format": "other", "logs": {}}',
        b'{"format": "tohyo-witness-state/1", "logs": []}',
        b'{"format": "tohyo-witness-state/1", "logs": {"o": {"size": -1, "root_hash": ""}}}',
        b'{"format": "tohyo-witness-state/1", "logs": {"o": {"size": 1, "root_hash": 5}}}',
        b'{"format": "tohyo-witness-state/1", "logs": {"o": {"size": 1, "root_hash": "AAAA"}}}',
        b'{"format": "tohyo-witness-state/1", "logs": {"o": {"size": 1}}}',
        b'{"format": "tohyo-witness-state/1", "logs": {}, "logs": {}}',
    ],
)
def test_corrupt_state_fails_closed(
    tmp_path: Path, content: bytes, tree: MerkleTree, log_signer: Ed25519Signer
) -> None:
    path = tmp_path / "state.json"
    path.write_bytes(content)
    witness = Witness(make_witness_signer(), [log_signer.verifier()], path)
    with pytest.raises(InvalidEncoding):
        witness.add_checkpoint(0, [], signed_head(tree, log_signer, 3))
    assert path.read_bytes() == content


def test_failed_write_leaves_old_state(
    tmp_path: Path, tree: MerkleTree, log_signer: Ed25519Signer, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "state.json"
    witness = Witness(make_witness_signer(), [log_signer.verifier()], path)
    witness.add_checkpoint(0, [], signed_head(tree, log_signer, 4))
    before = path.read_bytes()

    def broken_fsync(fd: int) -> None:
        raise OSError(5, "EIO")

    monkeypatch.setattr("tohyo.log._state.os.fsync", broken_fsync)
    with pytest.raises(OSError):
        witness.add_checkpoint(4, consistency_proof(tree, 4, 9), signed_head(tree, log_signer, 9))
    monkeypatch.undo()
    assert path.read_bytes() == before  # no cosignature and no partial state
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    assert witness.latest(ORIGIN).size == 4


# --- the race of tlog-witness §add-checkpoint ------------------------------------------


@pytest.mark.parametrize("shared_instance", [True, False])
def test_concurrent_add_checkpoint_exactly_one_success(
    tmp_path: Path, tree: MerkleTree, log_signer: Ed25519Signer, shared_instance: bool
) -> None:
    path = tmp_path / "state.json"
    verifiers = [log_signer.verifier()]
    base = Witness(make_witness_signer(), verifiers, path)
    base.add_checkpoint(0, [], signed_head(tree, log_signer, 4))
    # Sixteen requests from the same old size 4, to different new sizes: at
    # most one can win; the rest must see the new size and get a 409.
    sizes = list(range(5, 21))
    barrier = threading.Barrier(len(sizes))
    results: dict[int, object] = {}

    def submit(size: int) -> None:
        witness = base if shared_instance else Witness(make_witness_signer(), verifiers, path)
        head = signed_head(tree, log_signer, size, T0 + size)
        proof = consistency_proof(tree, 4, size)
        barrier.wait()
        try:
            results[size] = witness.add_checkpoint(4, proof, head)
        except OldSizeMismatch as exc:
            results[size] = exc

    threads = [threading.Thread(target=submit, args=(size,)) for size in sizes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [size for size, result in results.items() if not isinstance(result, Exception)]
    assert len(winners) == 1
    assert base.latest(ORIGIN).size == winners[0]
    assert all(
        isinstance(r, OldSizeMismatch) and r.latest_size == winners[0]
        for s, r in results.items()
        if s != winners[0]
    )


# --- request body codec -------------------------------------------------------------------


def test_request_body_roundtrip(
    witness: Witness, tree: MerkleTree, log_signer: Ed25519Signer
) -> None:
    witness.add_checkpoint(0, [], signed_head(tree, log_signer, 5))
    head = signed_head(tree, log_signer, 12)
    proof = consistency_proof(tree, 5, 12)
    body = encode_add_checkpoint_request(5, proof, head)
    assert body.startswith(b"old 5\n") and b"\n\n" + ORIGIN.encode() in body
    request = parse_add_checkpoint_request(body)
    assert request.old_size == 5 and request.consistency_proof == proof
    assert request.checkpoint == head.to_bytes()
    witness.handle_request(body)
    assert witness.latest(ORIGIN).size == 12
    empty = encode_add_checkpoint_request(0, [], head.to_bytes())
    assert empty.startswith(b"old 0\n\n")


@pytest.mark.parametrize(
    "body",
    [
        b"\xff",
        b"old 5\nAAAA",
        b"new 5\n\nx",
        b"old 05\n\nx",
        b"old -1\n\nx",
        b"old 5\nnot base64!\n\nx",
        b"old 5\nAAAA\n\nx",  # 3-byte hash
        b"old 1\n" + b"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n" * 64 + b"\nx",
        b"old 1\n\n" + b"x" * 200_000,
    ],
)
def test_malformed_request_bodies(body: bytes) -> None:
    with pytest.raises(InvalidEncoding):
        parse_add_checkpoint_request(body)
