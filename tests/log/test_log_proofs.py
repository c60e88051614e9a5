"""Inclusion and consistency proofs (§TL-2, §TL-3): completeness, soundness against
single-bit changes, leaf/node domain separation (THREATS #20) and append-only
tampering (THREATS #21)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tohyo.log import (
    EMPTY_ROOT,
    InvalidProof,
    MerkleTree,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_from_inclusion_proof,
    verify_consistency,
    verify_inclusion,
)

_TREES: dict[int, MerkleTree] = {}


def _tree(size: int) -> MerkleTree:
    # Hypothesis calls these tests hundreds of times: build each size once.
    if size not in _TREES:
        _TREES[size] = MerkleTree(f"leaf-{i}".encode() for i in range(size))
    return _TREES[size]


def _flip(value: bytes, bit: int) -> bytes:
    out = bytearray(value)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


def _flip_in_proof(proof: Sequence[bytes], position: int, bit: int) -> list[bytes]:
    mutated = list(proof)
    mutated[position] = _flip(mutated[position], bit)
    return mutated


@st.composite
def inclusion_cases(draw: st.DrawFn) -> tuple[MerkleTree, int, int]:
    size = draw(st.integers(1, 300))
    index = draw(st.integers(0, size - 1))
    return _tree(size), index, size


@st.composite
def consistency_cases(draw: st.DrawFn) -> tuple[MerkleTree, int, int]:
    new = draw(st.integers(2, 300))
    old = draw(st.integers(1, new - 1))
    return _tree(new), old, new


@given(inclusion_cases(), st.data())
def test_inclusion_complete_and_sound(
    case: tuple[MerkleTree, int, int], data: st.DataObject
) -> None:
    tree, index, size = case
    root, leaf = tree.root(size), tree.leaf_hash(index)
    proof = inclusion_proof(tree, index, size)
    verify_inclusion(leaf, index, size, proof, root)
    assert root_from_inclusion_proof(leaf, index, size, proof) == root

    bit = data.draw(st.integers(0, 255), label="bit")
    with pytest.raises(InvalidProof):
        verify_inclusion(_flip(leaf, bit), index, size, proof, root)
    with pytest.raises(InvalidProof):
        verify_inclusion(leaf, index, size, proof, _flip(root, bit))
    if proof:
        position = data.draw(st.integers(0, len(proof) - 1), label="position")
        with pytest.raises(InvalidProof):
            verify_inclusion(leaf, index, size, _flip_in_proof(proof, position, bit), root)
        with pytest.raises(InvalidProof):
            verify_inclusion(leaf, index, size, proof[:-1], root)
    with pytest.raises(InvalidProof):
        verify_inclusion(leaf, index, size, [*proof, root], root)
    other = data.draw(st.integers(0, 2 * size).filter(lambda i: i != index), label="index")
    with pytest.raises(InvalidProof):
        verify_inclusion(leaf, other, size, proof, root)


@given(consistency_cases(), st.data())
def test_consistency_complete_and_sound(
    case: tuple[MerkleTree, int, int], data: st.DataObject
) -> None:
    tree, old, new = case
    old_root, new_root = tree.root(old), tree.root(new)
    proof = consistency_proof(tree, old, new)
    verify_consistency(old, new, old_root, new_root, proof)

    bit = data.draw(st.integers(0, 255), label="bit")
    position = data.draw(st.integers(0, len(proof) - 1), label="position")
    with pytest.raises(InvalidProof):
        verify_consistency(old, new, old_root, new_root, _flip_in_proof(proof, position, bit))
    with pytest.raises(InvalidProof):
        verify_consistency(old, new, _flip(old_root, bit), new_root, proof)
    with pytest.raises(InvalidProof):
        verify_consistency(old, new, old_root, _flip(new_root, bit), proof)
    with pytest.raises(InvalidProof):
        verify_consistency(old, new, old_root, new_root, proof[:-1])
    with pytest.raises(InvalidProof):
        verify_consistency(old, new, old_root, new_root, [*proof, new_root])
    with pytest.raises(InvalidProof):
        verify_consistency(old, new, new_root, old_root, proof)


def test_every_pair_up_to_64() -> None:
    tree = _tree(64)
    for new in range(1, 65):
        new_root = tree.root(new)
        for old in range(1, new + 1):
            proof = consistency_proof(tree, old, new)
            verify_consistency(old, new, tree.root(old), new_root, proof)
            for wrong_old in {old - 1, old + 1} - {0, new + 1}:
                if wrong_old != old and wrong_old <= new:
                    with pytest.raises(InvalidProof):
                        verify_consistency(wrong_old, new, tree.root(old), new_root, proof)
        for index in range(new):
            verify_inclusion(
                tree.leaf_hash(index), index, new, inclusion_proof(tree, index, new), new_root
            )


def test_equal_and_empty_sizes() -> None:
    tree = _tree(5)
    assert consistency_proof(tree, 5, 5) == ()
    assert consistency_proof(tree, 0, 5) == ()
    verify_consistency(5, 5, tree.root(5), tree.root(5), [])
    verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    with pytest.raises(InvalidProof, match="empty tree"):
        verify_consistency(0, 0, tree.root(1), tree.root(1), [])
    with pytest.raises(InvalidProof, match="meaningless"):
        verify_consistency(0, 5, EMPTY_ROOT, tree.root(5), [])
    with pytest.raises(InvalidProof, match="roots differ"):
        verify_consistency(5, 5, tree.root(5), tree.root(4), [])
    with pytest.raises(InvalidProof, match="not empty"):
        verify_consistency(5, 5, tree.root(5), tree.root(5), [tree.root(5)])
    with pytest.raises(InvalidProof, match="above"):
        verify_consistency(5, 4, tree.root(5), tree.root(4), [])


@pytest.mark.parametrize(
    ("index", "size"), [(-1, 5), (True, 5), (0, 1 << 64), (0, "5"), (0, 0), (5, 5)]
)
def test_inclusion_rejects_malformed_arguments(index: object, size: object) -> None:
    with pytest.raises(InvalidProof):
        verify_inclusion(leaf_hash(b""), index, size, [], leaf_hash(b""))  # type: ignore[arg-type]


def test_verifiers_reject_wrong_length_hashes() -> None:
    tree = _tree(4)
    proof = inclusion_proof(tree, 1, 4)
    with pytest.raises(InvalidProof, match="root hash"):
        verify_inclusion(tree.leaf_hash(1), 1, 4, proof, tree.root(4)[:31])
    with pytest.raises(InvalidProof, match=r"proof\[2\]"):
        verify_inclusion(tree.leaf_hash(1), 1, 4, [*proof, b"x"], tree.root(4))
    with pytest.raises(InvalidProof, match="leaf hash"):
        verify_inclusion("x" * 32, 1, 4, proof, tree.root(4))  # type: ignore[arg-type]
    with pytest.raises(InvalidProof, match="old root"):
        verify_consistency(2, 4, b"", tree.root(4), consistency_proof(tree, 2, 4))


def test_proof_generation_rejects_bad_ranges() -> None:
    tree = _tree(4)
    for index, size in ((4, 4), (-1, 4), (0, 0), (0, 5)):
        with pytest.raises(IndexError):
            inclusion_proof(tree, index, size)
    for old, new in ((3, 2), (-1, 2), (1, 5)):
        with pytest.raises(IndexError):
            consistency_proof(tree, old, new)


# --- THREATS #20: leaf/node domain separation ------------------------------------------


def test_interior_node_presented_as_leaf_fails() -> None:
    tree = _tree(8)
    root, size = tree.root(8), 8  # what the signed head says
    # The parent of leaves 0 and 1 is an interior node; the rest of leaf 0's
    # path leads from it to the root.
    interior = node_hash(tree.leaf_hash(0), tree.leaf_hash(1))
    level1_path = inclusion_proof(tree, 0, 8)[1:]
    for index in range(size):
        with pytest.raises(InvalidProof):
            verify_inclusion(interior, index, size, level1_path, root)
        with pytest.raises(InvalidProof):
            verify_inclusion(interior, index, size, inclusion_proof(tree, index, size), root)
    # Second-preimage style: a leaf whose *data* is 0x01 || l || r is hashed
    # with the 0x00 prefix, so it can never equal the interior node.
    crafted = b"\x01" + tree.leaf_hash(0) + tree.leaf_hash(1)
    assert leaf_hash(crafted) != interior
    for index in range(size):
        with pytest.raises(InvalidProof):
            verify_inclusion(leaf_hash(crafted), index, size, level1_path, root)
    # The same data as an honest leaf only proves itself, at its own index.
    other = MerkleTree([crafted, b"x"])
    verify_inclusion(leaf_hash(crafted), 0, 2, inclusion_proof(other, 0, 2), other.root())


def test_tree_size_must_come_from_the_signed_head() -> None:
    # Why §TL-2.3 insists on the signed size and on hashing the entry yourself:
    # a level-1 node *is* "leaf 0" of the 4-leaf tree whose leaves are the
    # level-1 nodes, and that tree has the same root. Only the size (8, not 4)
    # and the 0x00 prefix on data the verifier hashes itself rule this out.
    tree = _tree(8)
    interior = node_hash(tree.leaf_hash(0), tree.leaf_hash(1))
    level1_path = inclusion_proof(tree, 0, 8)[1:]
    verify_inclusion(interior, 0, 4, level1_path, tree.root(8))  # the hazard, pinned


def test_bare_node_without_prefix_is_not_a_leaf() -> None:
    tree = MerkleTree([b"a", b"b"])
    # A verifier that forgot the 0x00 prefix would accept sha256(data) as a leaf.
    import hashlib

    unprefixed = hashlib.sha256(b"a").digest()
    with pytest.raises(InvalidProof):
        verify_inclusion(unprefixed, 0, 2, inclusion_proof(tree, 0, 2), tree.root())


# --- THREATS #21: append-only under tampering -------------------------------------------


@pytest.mark.parametrize("tampered_index", [0, 3, 6, 9])
def test_replaced_leaf_breaks_consistency_with_earlier_head(tampered_index: int) -> None:
    leaves = [f"ballot-{i}".encode() for i in range(10)]
    honest = MerkleTree(leaves)
    published_size, published_root = 10, honest.root(10)
    # The operator edits one ballot row and rebuilds, then keeps appending.
    edited = list(leaves)
    edited[tampered_index] = b"ballot-X"
    forged = MerkleTree([*edited, b"ballot-10", b"ballot-11"])
    assert forged.root(10) != published_root
    proof = consistency_proof(forged, published_size, 12)
    with pytest.raises(InvalidProof):
        verify_consistency(published_size, 12, published_root, forged.root(12), proof)
    # Even a proof built from the honest tree's nodes cannot bridge the two.
    honest_ext = MerkleTree([*leaves, b"ballot-10", b"ballot-11"])
    with pytest.raises(InvalidProof):
        verify_consistency(
            published_size,
            12,
            published_root,
            forged.root(12),
            consistency_proof(honest_ext, published_size, 12),
        )


def test_deleted_or_reordered_leaves_break_consistency() -> None:
    leaves = [f"ballot-{i}".encode() for i in range(9)]
    published = MerkleTree(leaves)
    deleted = MerkleTree(leaves[:4] + leaves[5:] + [b"ballot-9", b"ballot-10"])
    reordered = MerkleTree([leaves[1], leaves[0], *leaves[2:], b"ballot-9"])
    for forged in (deleted, reordered):
        size = forged.size
        with pytest.raises(InvalidProof):
            verify_consistency(
                9, size, published.root(9), forged.root(size), consistency_proof(forged, 9, size)
            )
