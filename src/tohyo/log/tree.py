"""Merkle tree hashing and an append-only in-memory tree (docs/spec/transparency-log.md §TL-1).

The hashes are those of RFC 6962 §2.1 / RFC 9162 §2.1.1 with SHA-256:

* leaf hash  ``SHA-256(0x00 || data)``
* node hash  ``SHA-256(0x01 || left || right)``
* empty tree ``SHA-256("")``

The distinct one-byte prefixes are the leaf/node domain separation: without
them an interior node could be presented as a leaf (THREATS #20).

:class:`MerkleTree` keeps every *perfect* subtree hash (aligned, power-of-two
width) in one contiguous ``bytearray`` per level, so an append costs O(1)
amortised and O(log n) worst-case hashing, 1,000,000 leaves take ~64 MB, and
the hash of any prefix or any proof node costs O(log n) hashing. It is a
builder for the log operator and for auditors replaying a board; clients only
need :mod:`tohyo.log.proofs`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import TypeAlias

from tohyo.log.errors import InvalidEncoding

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "Hash",
    "MerkleTree",
    "leaf_hash",
    "node_hash",
    "root_from_leaf_hashes",
]

Hash: TypeAlias = bytes
"""A 32-byte SHA-256 output: a leaf hash, an interior node hash or a root hash."""

HASH_SIZE = 32
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"

EMPTY_ROOT: Hash = hashlib.sha256(b"").digest()
"""MTH({}) = SHA-256() (§TL-1.3)."""

_sha256 = hashlib.sha256


def leaf_hash(data: bytes) -> Hash:
    """Return ``SHA-256(0x00 || data)`` (§TL-1.1)."""
    return _sha256(LEAF_PREFIX + data).digest()


def node_hash(left: Hash, right: Hash) -> Hash:
    """Return ``SHA-256(0x01 || left || right)`` (§TL-1.2).

    Callers pass 32-byte hashes; this hot path does not re-check lengths (the
    verifiers check every input hash once at their boundary).
    """
    return _sha256(NODE_PREFIX + left + right).digest()


def _check_hash(value: bytes, what: str) -> None:
    if not isinstance(value, bytes) or len(value) != HASH_SIZE:
        raise InvalidEncoding(f"{what} must be {HASH_SIZE} bytes")


def _largest_power_of_two_below(n: int) -> int:
    """The k of RFC 9162 §2.1.1: the largest power of two strictly smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_from_leaf_hashes(hashes: list[Hash]) -> Hash:
    """Reference MTH over a list of leaf hashes, straight from the recursive definition.

    O(n) and recursive: for tests and small inputs. :meth:`MerkleTree.root`
    is the efficient equivalent.
    """
    n = len(hashes)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return hashes[0]
    k = _largest_power_of_two_below(n)
    return node_hash(root_from_leaf_hashes(hashes[:k]), root_from_leaf_hashes(hashes[k:]))


class MerkleTree:
    """An append-only RFC 9162 Merkle tree over leaf hashes (§TL-1.4).

    ``_levels[h]`` holds, back to back, the 32-byte hashes of the perfect
    subtrees of width ``2**h`` completed so far, left to right. Level 0 is the
    leaf hashes. Nothing is ever removed or overwritten: a replaced leaf means
    a new tree, whose heads fail consistency with the old ones (THREATS #21).

    Not thread-safe: the owner serialises appends (and reads that race them).
    """

    __slots__ = ("_levels", "_size")

    def __init__(self, leaves: Iterable[bytes] = ()) -> None:
        self._levels: list[bytearray] = [bytearray()]
        self._size = 0
        for data in leaves:
            self.append(data)

    @property
    def size(self) -> int:
        """Number of leaves appended so far."""
        return self._size

    def __len__(self) -> int:
        return self._size

    def append(self, data: bytes) -> int:
        """Hash ``data`` as a leaf (§TL-1.1), append it, and return its index."""
        return self.append_leaf_hash(_sha256(LEAF_PREFIX + data).digest())

    def append_leaf_hash(self, value: Hash) -> int:
        """Append an already computed leaf hash and return its index.

        Raises:
            InvalidEncoding: ``value`` is not 32 bytes.
        """
        _check_hash(value, "leaf hash")
        index = self._size
        levels = self._levels
        levels[0] += value
        # Completing a left sibling closes one perfect subtree per trailing one
        # bit of the index: that is where the O(log n) worst case comes from.
        current = value
        level = 0
        position = index
        while position & 1:
            start = (position - 1) * HASH_SIZE
            current = _sha256(
                NODE_PREFIX + levels[level][start : start + HASH_SIZE] + current
            ).digest()
            level += 1
            position >>= 1
            if level == len(levels):
                levels.append(bytearray())
            levels[level] += current
        self._size = index + 1
        return index

    def leaf_hash(self, index: int) -> Hash:
        """Return the leaf hash at ``index``.

        Raises:
            IndexError: ``index`` is not in ``[0, size)``.
        """
        if not 0 <= index < self._size:
            raise IndexError(f"leaf index {index} outside [0, {self._size})")
        return bytes(self._levels[0][index * HASH_SIZE : (index + 1) * HASH_SIZE])

    def _perfect(self, level: int, position: int) -> Hash:
        start = position * HASH_SIZE
        return bytes(self._levels[level][start : start + HASH_SIZE])

    def subtree_hash(self, start: int, end: int) -> Hash:
        """Return MTH(D[start:end]) for a subtree that the proofs of §TL-2/§TL-3 use.

        ``start`` must be a multiple of a power of two that is at least
        ``end - start``; every node of an RFC 9162 path or consistency proof has
        that shape. The range then splits left to right into perfect subtrees of
        strictly decreasing width, and folding them from the right reproduces
        the recursive definition of MTH.

        Raises:
            IndexError: the range is empty, unaligned, or beyond ``size``.
        """
        width = end - start
        if not (0 <= start < end <= self._size):
            raise IndexError(f"range [{start}, {end}) outside [0, {self._size}]")
        if start & ((1 << (width - 1).bit_length()) - 1):
            raise IndexError(f"range [{start}, {end}) is not an aligned subtree")
        parts: list[Hash] = []
        position = start
        while position < end:
            level = (end - position).bit_length() - 1
            parts.append(self._perfect(level, position >> level))
            position += 1 << level
        result = parts.pop()
        while parts:
            result = node_hash(parts.pop(), result)
        return result

    def root(self, size: int | None = None) -> Hash:
        """Return MTH of the first ``size`` leaves (default: all of them) (§TL-1.3).

        Raises:
            IndexError: ``size`` is negative or larger than the tree.
        """
        if size is None:
            size = self._size
        if not 0 <= size <= self._size:
            raise IndexError(f"size {size} outside [0, {self._size}]")
        if size == 0:
            return EMPTY_ROOT
        return self.subtree_hash(0, size)
