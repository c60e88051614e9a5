"""Tohyo's Merkle transparency log: RFC 9162 trees and proofs, C2SP checkpoints,
signed notes, witness cosignatures (docs/spec/transparency-log.md).

Pure library: it imports only the standard library and ``cryptography``
(Ed25519), and does no I/O except the witness state file. Everything that
verifies returns ``None`` (or the verified value) and raises a
:class:`LogError` subclass on failure.

Typical use::

    tree = MerkleTree()
    index = tree.append(ballot_bytes)
    head = Checkpoint.timestamped(origin, tree.size, tree.root(), now_ms)
    note = sign_checkpoint(head, log_signer)            # the signed tree head
    proof = inclusion_proof(tree, index, tree.size)     # goes into the receipt
    verify_receipt(leaf_hash(ballot_bytes), index, proof, note.to_bytes(), [log_verifier])
"""

from tohyo.log.checkpoint import (
    TIME_EXTENSION,
    Checkpoint,
    SignedCheckpoint,
    open_checkpoint,
    sign_checkpoint,
)
from tohyo.log.cosignature import (
    CosignatureSigner,
    CosignatureVerifier,
    cosignature_timestamp,
    cosigned_message,
    verify_cosignature,
)
from tohyo.log.errors import (
    Conflict,
    InconsistentHead,
    InvalidCheckpoint,
    InvalidEncoding,
    InvalidProof,
    InvalidRequest,
    InvalidSignature,
    LogError,
    OldSizeMismatch,
    UnknownOrigin,
)
from tohyo.log.keys import (
    encode_signer_key,
    encode_verifier_key,
    signer_from_key,
    verifier_from_key,
)
from tohyo.log.monitor import Monitor, check_head_sequence, verify_head_sequence, verify_receipt
from tohyo.log.note import (
    Ed25519Signer,
    Ed25519Verifier,
    NoteSignature,
    NoteSigner,
    NoteVerifier,
    SignedNote,
    parse_note,
    sign_note,
    verify_note,
)
from tohyo.log.proofs import (
    consistency_proof,
    inclusion_proof,
    root_from_inclusion_proof,
    verify_consistency,
    verify_inclusion,
)
from tohyo.log.tree import EMPTY_ROOT, HASH_SIZE, Hash, MerkleTree, leaf_hash, node_hash
from tohyo.log.witness import (
    AddCheckpointRequest,
    Witness,
    encode_add_checkpoint_request,
    parse_add_checkpoint_request,
)

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "TIME_EXTENSION",
    "AddCheckpointRequest",
    "Checkpoint",
    "Conflict",
    "CosignatureSigner",
    "CosignatureVerifier",
    "Ed25519Signer",
    "Ed25519Verifier",
    "Hash",
    "InconsistentHead",
    "InvalidCheckpoint",
    "InvalidEncoding",
    "InvalidProof",
    "InvalidRequest",
    "InvalidSignature",
    "LogError",
    "MerkleTree",
    "Monitor",
    "NoteSignature",
    "NoteSigner",
    "NoteVerifier",
    "OldSizeMismatch",
    "SignedCheckpoint",
    "SignedNote",
    "UnknownOrigin",
    "Witness",
    "check_head_sequence",
    "consistency_proof",
    "cosignature_timestamp",
    "cosigned_message",
    "encode_add_checkpoint_request",
    "encode_signer_key",
    "encode_verifier_key",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "open_checkpoint",
    "parse_add_checkpoint_request",
    "parse_note",
    "root_from_inclusion_proof",
    "sign_checkpoint",
    "sign_note",
    "signer_from_key",
    "verifier_from_key",
    "verify_consistency",
    "verify_cosignature",
    "verify_head_sequence",
    "verify_inclusion",
    "verify_note",
    "verify_receipt",
]
