"""The election logs: Merkle trees, signed heads, appends (docs/spec/storage.md §ST-5).

The database is the log's primary storage (``log_leaves``, ``checkpoints``,
``log_states``); this module keeps one in-memory :class:`MerkleTree` per
election as a cache for roots and proofs, and signs a new checkpoint for
every append. Appends happen only while the caller holds both the process
lock (:meth:`Ledger.lock`) and the database lock on the election's
``log_states`` row, so the cache and the database advance together.

The cache is never trusted blindly: before each use its root at the
database's size must equal the stored root, else it is rebuilt from the
leaves, and if the rebuilt root still differs the log was edited behind the
service's back (THREATS #21) and :class:`LogCorrupt` stops all appends.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from tohyo.app.services.coarse_time import coarse_ms, to_ms
from tohyo.app.store.keys import ServiceKeys
from tohyo.app.store.models import Checkpoint as CheckpointRow
from tohyo.app.store.models import LogLeaf, LogState
from tohyo.app.store.uow import UnitOfWork
from tohyo.log import (
    Checkpoint,
    Ed25519Signer,
    Ed25519Verifier,
    MerkleTree,
    encode_verifier_key,
    inclusion_proof,
    leaf_hash,
    parse_note,
    sign_checkpoint,
)

__all__ = ["Appended", "Ledger", "LogCorrupt"]


class LogCorrupt(RuntimeError):
    """The stored log does not reproduce its own signed root: stop acknowledging."""


@dataclass(frozen=True, slots=True)
class Appended:
    """One leaf added: where it went and the head signed over it."""

    index: int
    leaf_hash: bytes
    size: int
    checkpoint: str  # signed note text
    inclusion_proof: tuple[bytes, ...]  # of the leaf in the head of ``size``


def _ms(moment: datetime) -> int:
    # Public per-cast time: rounded down to its bucket (§TL-5.2.1).
    return coarse_ms(to_ms(moment))


class Ledger:
    """Per-election Merkle trees, the process locks and the log signing key."""

    def __init__(self, keys: ServiceKeys, origin_prefix: str) -> None:
        self._private = keys.log_private_key()
        self._prefix = origin_prefix.rstrip("/")
        self._trees: dict[str, MerkleTree] = {}
        self._locks: dict[str, threading.RLock] = {}
        self._signers: dict[str, Ed25519Signer] = {}
        self._guard = threading.Lock()

    # ------------------------------------------------------------ identity

    def origin(self, election_id: str) -> str:
        """The checkpoint origin line (and log key name) of an election's log."""
        return f"{self._prefix}/{election_id}"

    def signer(self, election_id: str) -> Ed25519Signer:
        with self._guard:
            signer = self._signers.get(election_id)
            if signer is None:
                signer = Ed25519Signer(self.origin(election_id), self._private)
                self._signers[election_id] = signer
            return signer

    def verifier(self, election_id: str) -> Ed25519Verifier:
        return self.signer(election_id).verifier()

    def verifier_key(self, election_id: str) -> str:
        """The log's public key as a C2SP vkey, for witnesses and voters."""
        return encode_verifier_key(self.verifier(election_id))

    def lock(self, election_id: str) -> threading.RLock:
        """The process lock serializing appends (and proofs) of one election."""
        with self._guard:
            return self._locks.setdefault(election_id, threading.RLock())

    # ------------------------------------------------------------ cache

    def invalidate(self, election_id: str) -> None:
        """Forget the cached tree (after a rolled-back append)."""
        self._trees.pop(election_id, None)

    def _rebuild(self, uow: UnitOfWork, election_id: str) -> MerkleTree:
        tree = MerkleTree()
        for value in uow.leaf_hashes(election_id):
            tree.append_leaf_hash(bytes.fromhex(value))
        self._trees[election_id] = tree
        return tree

    def tree(self, uow: UnitOfWork, state: LogState, *, authoritative: bool) -> MerkleTree:
        """The cached tree, brought up to ``state`` and checked against its root.

        Call with :meth:`lock` held. ``authoritative`` means ``state`` was read
        under the row lock, so a cache *ahead* of it holds a rolled-back leaf.

        Raises:
            LogCorrupt: the stored leaves do not reproduce the stored root.
        """
        eid = state.election_id
        tree = self._trees.get(eid)
        if tree is None or (authoritative and tree.size > state.size):
            tree = self._rebuild(uow, eid)
        elif tree.size < state.size:
            for value in uow.leaf_hashes(eid, tree.size):
                tree.append_leaf_hash(bytes.fromhex(value))
        if tree.size >= state.size and tree.root(state.size).hex() == state.root_hash:
            return tree
        tree = self._rebuild(uow, eid)
        if tree.size != state.size or tree.root().hex() != state.root_hash:
            raise LogCorrupt(
                f"log of {eid}: the stored leaves do not match the signed head of size "
                f"{state.size}; refusing to sign a head that does not extend it"
            )
        return tree

    # ------------------------------------------------------------ writes

    def start(self, uow: UnitOfWork, election_id: str, now: datetime) -> str:
        """Create the empty log and sign its head (size 0): the empty ballot box."""
        tree = MerkleTree()
        note = self._sign(election_id, tree, _ms(now))
        uow.add(
            LogState(
                election_id=election_id,
                size=0,
                root_hash=tree.root().hex(),
                checkpoint=note,
                updated_at=now,
            )
        )
        uow.add(
            CheckpointRow(
                election_id=election_id,
                size=0,
                root_hash=tree.root().hex(),
                timestamp_ms=_ms(now),
                note=note,
            )
        )
        self._trees[election_id] = tree
        return note

    def append(
        self, uow: UnitOfWork, state: LogState, kind: str, data: bytes, now: datetime
    ) -> Appended:
        """Append one leaf and sign the new head, in the caller's transaction.

        ``state`` must have been read with the row lock, and :meth:`lock` must
        be held. If the transaction does not commit, call :meth:`invalidate`.
        """
        eid = state.election_id
        tree = self.tree(uow, state, authoritative=True)
        # Heads never go back in time, even if the clock does (§TL-9). The last
        # head is in the locked row itself: no query. A head signed before the
        # coarse times (§TL-5.2.1) may carry a finer time; keeping it is safe,
        # since it is public already, and rounding it down would go back.
        last = Checkpoint.from_text(parse_note(state.checkpoint).text).timestamp_ms
        stamp = max(_ms(now), last)
        index = tree.append(data)
        note = self._sign(eid, tree, stamp)
        root = tree.root().hex()
        uow.add(
            LogLeaf(
                election_id=eid,
                leaf_index=index,
                kind=kind,
                leaf_hash=leaf_hash(data).hex(),
                data=data.decode(),
            )
        )
        uow.add(
            CheckpointRow(
                election_id=eid, size=tree.size, root_hash=root, timestamp_ms=stamp, note=note
            )
        )
        state.size = tree.size
        state.root_hash = root
        state.checkpoint = note
        state.updated_at = now
        proof = inclusion_proof(tree, index, tree.size)
        return Appended(index, leaf_hash(data), tree.size, note, proof)

    def _sign(self, election_id: str, tree: MerkleTree, stamp_ms: int) -> str:
        head = Checkpoint.timestamped(self.origin(election_id), tree.size, tree.root(), stamp_ms)
        return sign_checkpoint(head, self.signer(election_id)).to_text()
