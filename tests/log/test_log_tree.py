"""The append-only tree (§TL-1): hashes, prefix roots, subtree hashes, bad inputs."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tohyo.log import EMPTY_ROOT, InvalidEncoding, MerkleTree, leaf_hash, node_hash
from tohyo.log.tree import root_from_leaf_hashes


def test_hash_definitions() -> None:
    assert leaf_hash(b"abc") == hashlib.sha256(b"\x00abc").digest()
    left, right = bytes(32), bytes([1]) * 32
    assert node_hash(left, right) == hashlib.sha256(b"\x01" + left + right).digest()
    assert EMPTY_ROOT == hashlib.sha256(b"").digest()


def test_every_prefix_root_matches_the_recursive_definition() -> None:
    tree = MerkleTree()
    hashes: list[bytes] = []
    for i in range(70):
        assert tree.root() == root_from_leaf_hashes(hashes)
        index = tree.append(i.to_bytes(2, "big"))
        assert index == i
        hashes.append(leaf_hash(i.to_bytes(2, "big")))
    for size in range(71):
        assert tree.root(size) == root_from_leaf_hashes(hashes[:size])
    assert len(tree) == tree.size == 70


@given(st.lists(st.binary(max_size=8), max_size=40))
def test_root_property(leaves: list[bytes]) -> None:
    tree = MerkleTree(leaves)
    assert tree.root() == root_from_leaf_hashes([leaf_hash(leaf) for leaf in leaves])
    assert [tree.leaf_hash(i) for i in range(len(leaves))] == [leaf_hash(x) for x in leaves]


def test_append_leaf_hash_equals_append() -> None:
    a, b = MerkleTree(), MerkleTree()
    for i in range(10):
        a.append(bytes([i]))
        b.append_leaf_hash(leaf_hash(bytes([i])))
    assert a.root() == b.root()


@pytest.mark.parametrize("bad", [b"", bytes(31), bytes(33), "x" * 32])
def test_append_leaf_hash_rejects_non_hashes(bad: object) -> None:
    tree = MerkleTree()
    with pytest.raises(InvalidEncoding):
        tree.append_leaf_hash(bad)  # type: ignore[arg-type]
    assert tree.size == 0


def test_out_of_range_queries() -> None:
    tree = MerkleTree([b"a", b"b", b"c"])
    for bad in (-1, 3):
        with pytest.raises(IndexError):
            tree.leaf_hash(bad)
    for bad_size in (-1, 4):
        with pytest.raises(IndexError):
            tree.root(bad_size)
    for start, end in ((0, 0), (2, 1), (0, 4), (-1, 1)):
        with pytest.raises(IndexError):
            tree.subtree_hash(start, end)
    # [1, 3) is not an aligned subtree: 1 is not a multiple of 2.
    with pytest.raises(IndexError):
        tree.subtree_hash(1, 3)


def test_subtree_hash_of_right_border() -> None:
    tree = MerkleTree(bytes([i]) for i in range(7))
    # [4, 7) = node(node(l4, l5), l6)
    expected = node_hash(node_hash(tree.leaf_hash(4), tree.leaf_hash(5)), tree.leaf_hash(6))
    assert tree.subtree_hash(4, 7) == expected
    assert tree.subtree_hash(6, 7) == tree.leaf_hash(6)


def test_million_leaves_fit(benchmark_size: int = 1 << 14) -> None:
    # A scaled-down check of the layout; bench/bench_log.py runs 1,000,000.
    tree = MerkleTree()
    for i in range(benchmark_size):
        tree.append_leaf_hash(hashlib.sha256(i.to_bytes(4, "big")).digest())
    # Levels hold 2n - popcount(n) hashes in total, each 32 bytes, nothing else.
    stored = sum(len(level) for level in tree._levels)
    assert stored == 32 * (2 * benchmark_size - 1)
