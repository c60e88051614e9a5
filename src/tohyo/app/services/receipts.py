"""Receipts and tracking codes (docs/spec/casting.md §CAST-5).

A receipt lets a voter prove that their ballot is on the board: the signed
head of size ``leaf_index + 1`` (kept for ever, so a retry returns the very
same receipt), the inclusion proof of the leaf in it, and what the voter needs
to rebuild the leaf from their own ballot (credential, ballot hash, sequence).
It shows nothing about the choices, and its time is the start of the cast's
15-minute bucket (transparency-log.md §TL-5.2.1), like the head it carries.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from tohyo.app.errors import NotFound
from tohyo.app.services.coarse_time import coarse_datetime
from tohyo.app.services.ledger import Appended
from tohyo.app.services.runtime import Runtime
from tohyo.app.store.models import Ballot
from tohyo.log import inclusion_proof

__all__ = [
    "Receipt",
    "receipt_for_ballot",
    "receipt_from_append",
    "tracking_code",
    "tracking_prefix",
]

TRACKING_BYTES = 15  # 120 bits: 24 base32 characters


def tracking_code(ballot_hash_hex: str) -> str:
    """``XXXX-XXXX-XXXX-XXXX-XXXX-XXXX``: base32 of the first 15 bytes of the ballot hash."""
    raw = base64.b32encode(bytes.fromhex(ballot_hash_hex)[:TRACKING_BYTES]).decode()
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def tracking_prefix(text: str) -> str | None:
    """The ballot-hash prefix (hex) a tracking code stands for, or None if malformed.

    Case, spaces and hyphens typed by a person are forgiven.
    """
    raw = "".join(text.split()).replace("-", "").upper()
    if len(raw) != 24:
        return None
    try:
        return base64.b32decode(raw).hex()
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Receipt:
    election_id: str
    credential: str
    tracking_code: str
    ballot_hash: str
    sequence: int
    leaf_index: int
    leaf_hash: str
    checkpoint: str  # the signed note of the head of size leaf_index + 1
    inclusion_proof: tuple[str, ...]  # base64 hashes, leaf to root
    cast_at: str

    def to_json(self) -> dict[str, Any]:
        return {
            "election_id": self.election_id,
            "credential": self.credential,
            "tracking_code": self.tracking_code,
            "ballot_hash": self.ballot_hash,
            "sequence": self.sequence,
            "leaf_index": self.leaf_index,
            "leaf_hash": self.leaf_hash,
            "checkpoint": self.checkpoint,
            "inclusion_proof": list(self.inclusion_proof),
            "cast_at": self.cast_at,
        }


def _b64(values: tuple[bytes, ...] | list[bytes]) -> tuple[str, ...]:
    return tuple(base64.b64encode(v).decode() for v in values)


def receipt_from_append(row: Ballot, appended: Appended) -> Receipt:
    return Receipt(
        election_id=row.election_id,
        credential=row.credential,
        tracking_code=tracking_code(row.ballot_hash),
        ballot_hash=row.ballot_hash,
        sequence=row.sequence,
        leaf_index=appended.index,
        leaf_hash=appended.leaf_hash.hex(),
        checkpoint=appended.checkpoint,
        inclusion_proof=_b64(appended.inclusion_proof),
        cast_at=coarse_datetime(row.cast_at).astimezone(UTC).isoformat(),
    )


def receipt_for_ballot(runtime: Runtime, row: Ballot) -> Receipt:
    """The receipt of a stored ballot, identical to the one first returned."""
    eid, index = row.election_id, row.leaf_index
    with runtime.ledger.lock(eid), runtime.uow() as uow:
        state = uow.log_state(eid)
        head = uow.checkpoint(eid, index + 1)
        leaf = uow.leaf(eid, index)
        if state is None or head is None or leaf is None:
            raise NotFound("ballot.not_found", "no such ballot on the board")
        tree = runtime.ledger.tree(uow, state, authoritative=False)
        proof = inclusion_proof(tree, index, index + 1)
    return Receipt(
        election_id=eid,
        credential=row.credential,
        tracking_code=tracking_code(row.ballot_hash),
        ballot_hash=row.ballot_hash,
        sequence=row.sequence,
        leaf_index=index,
        leaf_hash=leaf.leaf_hash,
        checkpoint=head.note,
        inclusion_proof=_b64(proof),
        cast_at=coarse_datetime(row.cast_at).astimezone(UTC).isoformat(),
    )
