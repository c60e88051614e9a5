"""The public board: heads, entries, proofs and witness cosignatures (§CAST-8).

Everything here is public and read-only, except :func:`submit_cosignature`,
through which an independent witness hands back its cosignature of a head it
checked (``tohyo witness``). The server verifies the cosignature against the
stored head and the key the witness names before keeping it. An election whose
manifest declares its witnesses (manifest.md §MAN-21) accepts cosignatures from
those keys only; for one that declares none, readers decide which keys they trust.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from tohyo.app.errors import BadRequest, Forbidden, NotFound
from tohyo.app.services.ballot_status import find_ballot
from tohyo.app.services.common import load_election, manifest_of
from tohyo.app.services.runtime import Runtime
from tohyo.app.store.models import Cosignature, LogState
from tohyo.app.store.uow import UnitOfWork
from tohyo.log import (
    CosignatureVerifier,
    LogError,
    consistency_proof,
    inclusion_proof,
    parse_note,
    verifier_from_key,
    verify_cosignature,
)

__all__ = [
    "MAX_ENTRIES",
    "Inclusion",
    "checkpoint",
    "consistency",
    "entries",
    "inclusion_by_ballot",
    "inclusion_by_index",
    "submit_cosignature",
]

MAX_ENTRIES = 1000
_COSIGNATURE_SKEW_S = 300


def _b64(values: tuple[bytes, ...]) -> list[str]:
    return [base64.b64encode(v).decode() for v in values]


def _state(uow: UnitOfWork, election_id: str) -> LogState:
    load_election(uow, election_id)
    state = uow.log_state(election_id)
    if state is None:
        raise NotFound("log.not_started", "the election's log opens with the election")
    return state


def checkpoint(runtime: Runtime, election_id: str, size: int | None = None) -> str:
    """The signed head of ``size`` (default: the latest) with the cosignatures it has."""
    with runtime.uow() as uow:
        state = _state(uow, election_id)
        size = state.size if size is None else size
        row = uow.checkpoint(election_id, size) if 0 <= size <= state.size else None
        if row is None:
            raise NotFound("log.no_checkpoint", f"no head of size {size}")
        lines = "".join(c.line for c in uow.cosignatures(election_id, size))
    return row.note + lines


def entries(runtime: Runtime, election_id: str, start: int, end: int | None) -> dict[str, Any]:
    """Leaves ``[start, end)`` (at most :data:`MAX_ENTRIES`), with the latest size."""
    with runtime.uow() as uow:
        state = _state(uow, election_id)
        stop = state.size if end is None else min(end, state.size)
        if start < 0 or stop < start:
            raise BadRequest("log.bad_range", "need 0 <= start <= end")
        stop = min(stop, start + MAX_ENTRIES)
        rows = uow.leaves(election_id, start, stop)
        return {
            "size": state.size,
            "start": start,
            "entries": [
                {
                    "index": r.leaf_index,
                    "kind": r.kind,
                    "leaf_hash": r.leaf_hash,
                    "data": json.loads(r.data),
                }
                for r in rows
            ],
        }


@dataclass(frozen=True, slots=True)
class Inclusion:
    index: int
    size: int
    leaf_hash: str
    proof: list[str]
    checkpoint: str

    def to_json(self) -> dict[str, Any]:
        return {
            "leaf_index": self.index,
            "tree_size": self.size,
            "leaf_hash": self.leaf_hash,
            "inclusion_proof": self.proof,
            "checkpoint": self.checkpoint,
        }


def inclusion_by_index(
    runtime: Runtime, election_id: str, index: int, size: int | None = None
) -> Inclusion:
    """The proof that leaf ``index`` is in the head of ``size`` (default: latest)."""
    with runtime.ledger.lock(election_id), runtime.uow() as uow:
        state = _state(uow, election_id)
        size = state.size if size is None else size
        if not 0 <= index < size <= state.size:
            raise NotFound("log.bad_index", f"no leaf {index} in a head of size {size}")
        tree = runtime.ledger.tree(uow, state, authoritative=False)
        head = uow.checkpoint(election_id, size)
        leaf = uow.leaf(election_id, index)
        if head is None or leaf is None:  # pragma: no cover - stored together
            raise NotFound("log.bad_index", "no such leaf")
        proof = inclusion_proof(tree, index, size)
        return Inclusion(index, size, leaf.leaf_hash, _b64(proof), head.note)


def inclusion_by_ballot(runtime: Runtime, election_id: str, tracker: str) -> dict[str, Any]:
    """Look a ballot up by hash (hex) or tracking code: is it in the ballot box?

    Public, so it says only that the ballot is recorded, with its inclusion
    proof: never whether it was superseded or cancelled by a paper vote, which
    only the voter's own session learns (§CAST-8.4, ``ballot_status``).
    """
    with runtime.uow() as uow:
        load_election(uow, election_id)
        row = find_ballot(uow, election_id, tracker)
    inclusion = inclusion_by_index(runtime, election_id, row.leaf_index)
    return {
        "credential": row.credential,
        "ballot_hash": row.ballot_hash,
        "recorded": True,
        **inclusion.to_json(),
    }


def consistency(runtime: Runtime, election_id: str, old: int, new: int | None) -> dict[str, Any]:
    """The RFC 9162 consistency proof between two heads."""
    with runtime.ledger.lock(election_id), runtime.uow() as uow:
        state = _state(uow, election_id)
        new = state.size if new is None else new
        if not 0 <= old <= new <= state.size:
            raise BadRequest("log.bad_range", f"need 0 <= old <= new <= {state.size}")
        tree = runtime.ledger.tree(uow, state, authoritative=False)
        proof = consistency_proof(tree, old, new) if 0 < old < new else ()
        return {"old_size": old, "new_size": new, "consistency_proof": _b64(proof)}


def submit_cosignature(
    runtime: Runtime, election_id: str, size: int, witness_key: str, line: str
) -> None:
    """Keep a witness's cosignature of the stored head of ``size``.

    Raises:
        BadRequest: ``cosignature.invalid`` (malformed key or line, or a
            signature that does not verify).
        Forbidden: ``cosignature.untrusted`` (the key is not a witness key),
            ``cosignature.unlisted_witness`` (the manifest declares witnesses and
            this key is not one of them).
        NotFound: no head of that size.
    """
    with runtime.uow() as uow:
        declared = manifest_of(runtime, load_election(uow, election_id)).log
    if declared is not None and declared.find(witness_key) is None:
        raise Forbidden("cosignature.unlisted_witness",
                        "the manifest does not list this witness key")
    try:
        head = parse_note(checkpoint(runtime, election_id, size)).text
        verifier = verifier_from_key(witness_key)
        if not isinstance(verifier, CosignatureVerifier):
            raise Forbidden("cosignature.untrusted", "the key is not a cosignature/v1 key")
        note = parse_note(f"{head}\n{line.rstrip(chr(10))}\n")
        if len(note.signatures) != 1:
            raise BadRequest("cosignature.invalid", "send exactly one signature line")
        now_s = int(runtime.now().timestamp())
        verify_cosignature(note, verifier, not_after=now_s + _COSIGNATURE_SKEW_S)
    except LogError as exc:
        raise BadRequest("cosignature.invalid", str(exc)) from exc
    signature = note.signatures[0]
    with runtime.uow(write=True) as uow:
        for known in uow.cosignatures(election_id, size):
            if (known.witness, known.key_id) == (signature.name, signature.key_id):
                return  # idempotent: already kept
        uow.add(
            Cosignature(
                election_id=election_id,
                size=size,
                witness=signature.name,
                key_id=signature.key_id,
                line=signature.to_line(),
                received_at=runtime.now(),
            )
        )
        uow.commit()
