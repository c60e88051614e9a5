"""Helpers shared by the transparency-log tests (imported as ``log_support``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tohyo.log import (
    Checkpoint,
    CosignatureSigner,
    Ed25519Signer,
    MerkleTree,
    SignedNote,
    sign_checkpoint,
)

VECTORS = Path(__file__).resolve().parent.parent / "vectors" / "merkle"
ORIGIN = "tohyo.example/election-2025/log"
WITNESS = "witness.example/w1"
T0 = 1_740_000_000_000  # ms: the time of the first head in these tests


def load_vectors(name: str) -> Any:
    """Load one of the JSON vector files in tests/vectors/merkle."""
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def fixed_key(seed_byte: int) -> Ed25519PrivateKey:
    """A deterministic Ed25519 key, so failures are reproducible."""
    return Ed25519PrivateKey.from_private_bytes(bytes([seed_byte]) * 32)


def make_log_signer(seed_byte: int = 1, origin: str = ORIGIN) -> Ed25519Signer:
    """The log's key (name = origin, §TL-5.3)."""
    return Ed25519Signer(origin, fixed_key(seed_byte))


def make_witness_signer(seed_byte: int = 2, now: int = 1_740_000_000) -> CosignatureSigner:
    """A witness key with a frozen clock."""
    return CosignatureSigner(WITNESS, fixed_key(seed_byte), clock=lambda: now)


def ballots(count: int, start: int = 0) -> list[bytes]:
    """Distinct leaf payloads standing in for ballots."""
    return [f"ballot-{i}".encode() for i in range(start, start + count)]


def signed_head(
    tree: MerkleTree, signer: Ed25519Signer, size: int | None = None, time_ms: int = T0
) -> SignedNote:
    """Sign the Tohyo head of ``tree`` at ``size`` (default: all leaves)."""
    size = tree.size if size is None else size
    head = Checkpoint.timestamped(signer.name, size, tree.root(size), time_ms)
    return sign_checkpoint(head, signer)
