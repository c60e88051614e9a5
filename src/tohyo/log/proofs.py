"""Inclusion and consistency proofs (docs/spec/transparency-log.md §TL-2, §TL-3).

Generation follows the recursive definitions of RFC 9162 §2.1.3.1 (PATH) and
§2.1.4.1 (PROOF/SUBPROOF), unrolled into loops. Verification follows the
algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2 step by step, so that the code
can be read side by side with the RFC.

Verifiers return nothing and raise :class:`~tohyo.log.errors.InvalidProof` on
any failure, including malformed inputs (a hash that is not 32 bytes, a size
outside uint64). Root comparisons use :func:`hmac.compare_digest`; roots are
public, but constant-time comparison costs nothing and removes the question.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence

from tohyo.log.errors import InvalidProof
from tohyo.log.tree import EMPTY_ROOT, HASH_SIZE, Hash, MerkleTree, node_hash

__all__ = [
    "consistency_proof",
    "inclusion_proof",
    "root_from_inclusion_proof",
    "verify_consistency",
    "verify_inclusion",
]

_UINT64_LIMIT = 1 << 64


def _split(n: int) -> int:
    """k of RFC 9162 §2.1.1: the largest power of two strictly smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def _check_tree_size(tree: MerkleTree, size: int) -> None:
    if not 0 <= size <= tree.size:
        raise IndexError(f"size {size} outside [0, {tree.size}]")


def inclusion_proof(tree: MerkleTree, index: int, size: int) -> tuple[Hash, ...]:
    """Return PATH(index, D[0:size]) of RFC 9162 §2.1.3.1 (§TL-2.1).

    The audit path lists sibling subtree hashes from the leaf upwards.

    Raises:
        IndexError: not ``0 <= index < size <= tree.size``.
    """
    _check_tree_size(tree, size)
    if not 0 <= index < size:
        raise IndexError(f"leaf index {index} outside [0, {size})")
    path: list[Hash] = []
    lo, hi = 0, size
    # Descend from the root: at each split keep the half holding the leaf and
    # record the other half. The recursion emits siblings bottom-up, so reverse.
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            path.append(tree.subtree_hash(lo + k, hi))
            hi = lo + k
        else:
            path.append(tree.subtree_hash(lo, lo + k))
            lo += k
    path.reverse()
    return tuple(path)


def consistency_proof(tree: MerkleTree, old_size: int, new_size: int) -> tuple[Hash, ...]:
    """Return PROOF(old_size, D[0:new_size]) of RFC 9162 §2.1.4.1 (§TL-3.1).

    The proof is empty when ``old_size == new_size`` (nothing to prove) and when
    ``old_size == 0`` (every tree extends the empty tree; tlog-witness requires
    the empty proof there, §TL-8).

    Raises:
        IndexError: not ``0 <= old_size <= new_size <= tree.size``.
    """
    _check_tree_size(tree, new_size)
    if not 0 <= old_size <= new_size:
        raise IndexError(f"old size {old_size} outside [0, {new_size}]")
    if old_size in (0, new_size):
        return ()
    path: list[Hash] = []
    lo, hi = 0, new_size
    complete = True  # the b flag of SUBPROOF: is D[lo:old_size] the whole old tree?
    while True:
        if old_size == hi:
            # SUBPROOF(m, D[m], true) = {}; SUBPROOF(m, D[m], false) = {MTH(D[m])}.
            if not complete:
                path.append(tree.subtree_hash(lo, hi))
            break
        k = _split(hi - lo)
        if old_size - lo <= k:
            path.append(tree.subtree_hash(lo + k, hi))
            hi = lo + k
        else:
            path.append(tree.subtree_hash(lo, lo + k))
            lo += k
            complete = False
    path.reverse()
    return tuple(path)


def _check_size(value: int, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidProof(f"{what} must be an integer")
    if not 0 <= value < _UINT64_LIMIT:
        raise InvalidProof(f"{what} outside uint64")


def _check_hash(value: bytes, what: str) -> None:
    if not isinstance(value, bytes) or len(value) != HASH_SIZE:
        raise InvalidProof(f"{what} must be {HASH_SIZE} bytes")


def _check_path(path: Sequence[bytes]) -> None:
    for position, value in enumerate(path):
        _check_hash(value, f"proof[{position}]")


def root_from_inclusion_proof(
    leaf_hash: Hash, index: int, size: int, proof: Sequence[Hash]
) -> Hash:
    """Recompute the root implied by an inclusion proof: RFC 9162 §2.1.3.2 steps 1-4 (§TL-2.2).

    The caller still has to compare the result with a *trusted* root;
    :func:`verify_inclusion` does both.

    Raises:
        InvalidProof: malformed input, or a proof of the wrong length for
            ``index`` and ``size``.
    """
    _check_size(index, "leaf index")
    _check_size(size, "tree size")
    _check_hash(leaf_hash, "leaf hash")
    _check_path(proof)
    # Step 1.
    if index >= size:
        raise InvalidProof(f"leaf index {index} is not below tree size {size}")
    # Steps 2-3.
    fn, sn = index, size - 1
    r = leaf_hash
    # Step 4.
    for p in proof:
        if sn == 0:
            raise InvalidProof("inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    # Step 5, first half: the path must reach the root level exactly.
    if sn != 0:
        raise InvalidProof("inclusion proof is too short")
    return r


def verify_inclusion(
    leaf_hash: Hash, index: int, size: int, proof: Sequence[Hash], root: Hash
) -> None:
    """Check that ``leaf_hash`` is leaf ``index`` of the tree of ``size`` with ``root`` (§TL-2.2).

    RFC 9162 §2.1.3.2. Returns ``None``.

    Raises:
        InvalidProof: the proof does not verify, or any input is malformed.
    """
    _check_hash(root, "root hash")
    computed = root_from_inclusion_proof(leaf_hash, index, size, proof)
    if not hmac.compare_digest(computed, root):
        raise InvalidProof("inclusion proof does not lead to the root hash")


def verify_consistency(
    old_size: int,
    new_size: int,
    old_root: Hash,
    new_root: Hash,
    proof: Sequence[Hash],
) -> None:
    """Check that the tree (new_size, new_root) extends the tree (old_size, old_root) (§TL-3.2).

    RFC 9162 §2.1.4.2 for ``0 < old_size < new_size``. Two edge cases the RFC
    leaves to the caller are fixed here as in transparency-dev/merkle:

    * ``old_size == new_size``: the proof must be empty and the roots equal;
      a size-0 root must be ``SHA-256("")``;
    * ``old_size == 0 < new_size``: rejected, because a consistency proof from
      the empty tree proves nothing. Callers that accept a first head (the
      witness, a monitor's first sighting) handle that case explicitly.

    Raises:
        InvalidProof: the proof does not verify, or any input is malformed.
    """
    _check_size(old_size, "old size")
    _check_size(new_size, "new size")
    _check_hash(old_root, "old root hash")
    _check_hash(new_root, "new root hash")
    _check_path(proof)
    if old_size > new_size:
        raise InvalidProof(f"old size {old_size} is above new size {new_size}")
    if old_size == 0 and not hmac.compare_digest(old_root, EMPTY_ROOT):
        raise InvalidProof("the root of the empty tree must be SHA-256 of the empty string")
    if old_size == new_size:
        if proof:
            raise InvalidProof("sizes are equal but the proof is not empty")
        if not hmac.compare_digest(old_root, new_root):
            raise InvalidProof("sizes are equal but the roots differ")
        return
    if old_size == 0:
        raise InvalidProof("a consistency proof from the empty tree is meaningless")
    # Step 1.
    if not proof:
        raise InvalidProof("consistency proof is empty")
    path = list(proof)
    # Step 2: a power-of-two old tree is itself a node of the new tree and is
    # not repeated in the proof.
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    # Steps 3-4.
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # Step 5.
    fr = sr = path[0]
    # Step 6.
    for c in path[1:]:
        if sn == 0:
            raise InvalidProof("consistency proof is too long")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    # Step 7.
    if sn != 0:
        raise InvalidProof("consistency proof is too short")
    if not hmac.compare_digest(fr, old_root):
        raise InvalidProof("consistency proof does not lead to the old root hash")
    if not hmac.compare_digest(sr, new_root):
        raise InvalidProof("consistency proof does not lead to the new root hash")
