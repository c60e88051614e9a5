"""The tally and the published election record (docs/spec/record.md §REC-5–§REC-7).

After the close, :func:`board_snapshot` reads the final committed board — every
leaf, the final signed head, the log key — and :func:`propose_tally` counts it
with the one implementation of the effective-ballot rules
(:func:`tohyo.record.counting.count_board`). Trustees never trust that
proposal: each recomputes it from the same board (:func:`trustee_shares`,
§REC-6) and refuses if it differs, or if the election is not closed (THREATS
#15, #46). :func:`export_record` writes the record directory.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tohyo.app.errors import Conflict
from tohyo.app.services.common import load_election, manifest_of
from tohyo.app.services.runtime import Runtime
from tohyo.crypto.context import ProofContext
from tohyo.crypto.decryption import DecryptionShare, compute_shares
from tohyo.crypto.dkg_messages import JointKey
from tohyo.crypto.dkg_state import TrusteeKey
from tohyo.crypto.elgamal import Ciphertext, PublicKey
from tohyo.log import parse_note
from tohyo.record.canonical import loads_strict
from tohyo.record.counting import BoardCount, board_for_decryption, count_board, finish_tally
from tohyo.record.format import LogInfo, RecordHeader, RollCommitment
from tohyo.record.manifest import Manifest
from tohyo.record.tally import TallyDocument
from tohyo.record.writer import RecordWriter

__all__ = ["BoardSnapshot", "board_snapshot", "export_record", "propose_tally",
           "run_tally", "trustee_shares"]

_CLOSED = ("closed", "tallied", "published")


@dataclass(frozen=True, slots=True)
class BoardSnapshot:
    """The final committed board of a closed election, and what the record needs."""

    election_id: str
    manifest: Manifest
    manifest_hash: bytes
    ceremony: Mapping[str, Any]
    leaves: tuple[bytes, ...]
    heads: tuple[str, ...]
    log_origin: str
    log_key: str
    roll: RollCommitment

    @property
    def joint(self) -> JointKey:
        return JointKey.from_json(self.ceremony["joint_key"])

    @property
    def final_head(self) -> str:
        return self.heads[-1]


def board_snapshot(runtime: Runtime, election_id: str) -> BoardSnapshot:
    """Read the board of a closed election.

    Raises:
        Conflict: ``tally.not_closed`` before the close (THREATS #46),
            ``tally.no_key`` without an installed joint key and transcript.
    """
    with runtime.uow() as uow:
        row = load_election(uow, election_id)
        if row.state not in _CLOSED:
            raise Conflict("tally.not_closed", "no tally and no decryption before the close")
        if row.key_transcript is None:
            raise Conflict("tally.no_key", "the election has no ceremony transcript")
        manifest = manifest_of(runtime, row)
        leaves = tuple(leaf.data.encode() for leaf in uow.leaves(election_id))
        heads = []
        for cp in uow.checkpoints(election_id):
            lines = [c.line.rstrip("\n") + "\n" for c in uow.cosignatures(election_id, cp.size)]
            heads.append(cp.note + "".join(lines))
        keys = sorted(v.voter_key for v in uow.voters(election_id) if v.eligible)
        ceremony = loads_strict(row.key_transcript.encode(), max_bytes=64 << 20, max_depth=64)
        mhash = bytes.fromhex(row.manifest_hash)
    commitment = hashlib.sha256("\n".join(keys).encode()).hexdigest()
    return BoardSnapshot(
        election_id=election_id,
        manifest=manifest,
        manifest_hash=mhash,
        ceremony=ceremony,
        leaves=leaves,
        heads=tuple(heads),
        log_origin=runtime.ledger.origin(election_id),
        log_key=runtime.ledger.verifier_key(election_id),
        roll=RollCommitment(len(keys), commitment),
    )


def propose_tally(snapshot: BoardSnapshot) -> BoardCount:
    """The service's count of the board: effective ballots and their aggregate (§REC-5)."""
    return count_board(snapshot.manifest, snapshot.manifest_hash, snapshot.joint.public_key,
                       snapshot.leaves, check_proofs=False)


def trustee_shares(
    snapshot: BoardSnapshot, key: TrusteeKey, proposed: Mapping[str, Ciphertext]
) -> tuple[DecryptionShare, ...]:
    """One trustee's decryption shares, after the checks of §REC-6.

    Raises:
        BoardError: the proposal is not the aggregate of the final board.
    """
    board_for_decryption(snapshot.manifest, snapshot.manifest_hash,
                         PublicKey(key.joint.public_key.element), snapshot.leaves,
                         snapshot.final_head, snapshot.log_key, proposed)
    context = ProofContext(snapshot.election_id, snapshot.manifest_hash,
                           key.joint.public_key.element)
    return compute_shares(context, key, proposed)


def run_tally(
    snapshot: BoardSnapshot, board: BoardCount, shares: Iterable[DecryptionShare]
) -> TallyDocument:
    """Combine the shares (naming bad ones) and derive the results (§REC-7)."""
    joint = snapshot.joint
    context = ProofContext(snapshot.election_id, snapshot.manifest_hash,
                           joint.public_key.element)
    head = parse_note(snapshot.final_head)
    lines = head.text.split("\n")
    size, root = int(lines[1]), _b64(lines[2])
    return finish_tally(snapshot.manifest, context, joint, board, (size, root), shares)


def _b64(text: str) -> bytes:
    import base64

    return base64.b64decode(text, validate=True)


def export_record(
    snapshot: BoardSnapshot,
    tally: TallyDocument,
    out: Path | str,
    *,
    witness_keys: tuple[str, ...] = (),
) -> RecordHeader:
    """Write the election record directory (§REC-2, §REC-3)."""
    with RecordWriter(out) as writer:
        writer.write_manifest(snapshot.manifest.to_json())
        writer.write_ceremony(snapshot.ceremony["transcript"], snapshot.ceremony["joint_key"])
        for leaf in snapshot.leaves:
            writer.add_entry(leaf)
        for head in snapshot.heads:
            writer.add_head(head)
        writer.write_tally(tally.to_json())
        return writer.finish(
            election_id=snapshot.election_id,
            manifest_hash=snapshot.manifest_hash,
            roll=snapshot.roll,
            log=LogInfo(snapshot.log_origin, snapshot.log_key, witness_keys),
        )
