"""The witness side of c2sp.org/tlog-witness: add-checkpoint (§TL-8).

A :class:`Witness` holds its own cosignature/v1 key, the log keys it trusts,
and, per origin, the size and root of the last checkpoint it cosigned. It
cosigns a new checkpoint only if the checkpoint is validly signed by the log
and provably extends the recorded one, and it records the new checkpoint
durably *before* returning the cosignature.

The check against the recorded state and the write of the new state happen
under one exclusive lock (a threading lock plus ``flock`` on a lock file), so
that two concurrent requests from the same old size cannot both succeed and
an older request cannot overwrite a newer one (the rollback race described in
tlog-witness). Each refusal raises a typed error whose ``http_status`` is the
status tlog-witness prescribes.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tohyo.log._encoding import b64decode, b64encode, decode_uint, encode_uint
from tohyo.log._state import LogRecord, exclusive_lock, load_state, store_state
from tohyo.log.checkpoint import open_checkpoint
from tohyo.log.cosignature import CosignatureSigner
from tohyo.log.errors import (
    InconsistentHead,
    InvalidEncoding,
    InvalidProof,
    InvalidRequest,
    OldSizeMismatch,
)
from tohyo.log.note import NoteSignature, NoteVerifier, SignedNote
from tohyo.log.proofs import verify_consistency
from tohyo.log.tree import EMPTY_ROOT, HASH_SIZE, Hash

__all__ = [
    "MAX_PROOF_LINES",
    "AddCheckpointRequest",
    "Witness",
    "encode_add_checkpoint_request",
    "parse_add_checkpoint_request",
]

MAX_PROOF_LINES = 63
"""tlog-witness: a client MUST NOT send more than 63 consistency proof lines."""

_MAX_REQUEST_BYTES = 128 * 1024


@dataclass(frozen=True, slots=True)
class AddCheckpointRequest:
    """The body of ``POST <prefix>/add-checkpoint`` (§TL-8.1)."""

    old_size: int
    consistency_proof: tuple[Hash, ...]
    checkpoint: bytes
    """The signed checkpoint note, exactly as received."""


def parse_add_checkpoint_request(body: bytes) -> AddCheckpointRequest:
    """Parse ``old <size>\\n``, proof lines, an empty line, then the signed checkpoint.

    Raises:
        InvalidEncoding: the body does not follow §TL-8.1 (HTTP 400).
    """
    if len(body) > _MAX_REQUEST_BYTES:
        raise InvalidEncoding("add-checkpoint body is too large")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidEncoding("add-checkpoint body is not UTF-8") from exc
    head, separator, checkpoint = text.partition("\n\n")
    if not separator:
        raise InvalidEncoding("add-checkpoint body has no empty line before the checkpoint")
    lines = head.split("\n")
    keyword, _, size_text = lines[0].partition(" ")
    if keyword != "old":
        raise InvalidEncoding("add-checkpoint body must start with 'old <size>'")
    old_size = decode_uint(size_text, "old size")
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise InvalidEncoding(f"more than {MAX_PROOF_LINES} consistency proof lines")
    proof = []
    for line in lines[1:]:
        value = b64decode(line, "consistency proof line")
        if len(value) != HASH_SIZE:
            raise InvalidEncoding(f"consistency proof line is not {HASH_SIZE} bytes")
        proof.append(value)
    return AddCheckpointRequest(old_size, tuple(proof), checkpoint.encode())


def encode_add_checkpoint_request(
    old_size: int, consistency_proof: Sequence[Hash], checkpoint: SignedNote | bytes
) -> bytes:
    """The log side: build an add-checkpoint body (§TL-8.1)."""
    lines = [f"old {encode_uint(old_size)}", *(b64encode(h) for h in consistency_proof)]
    note = checkpoint.to_bytes() if isinstance(checkpoint, SignedNote) else checkpoint
    return ("".join(line + "\n" for line in lines) + "\n").encode() + note


class Witness:
    """A tlog-witness that cosigns checkpoints of the logs it is configured for (§TL-8).

    Args:
        signer: the witness's own cosignature/v1 key.
        log_verifiers: trusted log keys; a key's name is the origin it signs for.
        state_path: JSON state file (created on first cosignature). Its
            directory must exist and must not be shared with another witness
            key. Deleting or restoring an old copy of it lets logs roll back:
            back it up like a key.
    """

    def __init__(
        self,
        signer: CosignatureSigner,
        log_verifiers: Iterable[NoteVerifier],
        state_path: str | os.PathLike[str],
    ) -> None:
        self.signer = signer
        self._log_verifiers = tuple(log_verifiers)
        self._state_path = Path(state_path)
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        """The witness key name, which appears in its cosignature lines."""
        return self.signer.name

    def latest(self, origin: str) -> LogRecord:
        """The last cosigned size and root for ``origin`` (size 0, empty root if none)."""
        with self._lock, exclusive_lock(self._state_path):
            return load_state(self._state_path).get(origin, LogRecord(0, EMPTY_ROOT))

    def handle_request(self, body: bytes) -> NoteSignature:
        """Parse an add-checkpoint body and run :meth:`add_checkpoint` on it."""
        request = parse_add_checkpoint_request(body)
        return self.add_checkpoint(request.old_size, request.consistency_proof, request.checkpoint)

    def add_checkpoint(
        self,
        old_size: int,
        consistency_proof: Sequence[Hash],
        signed_note: SignedNote | bytes | str,
    ) -> NoteSignature:
        """Verify, record and cosign a checkpoint (§TL-8.2). Returns the cosignature line.

        Raises:
            InvalidEncoding: malformed note or checkpoint (400).
            InvalidRequest: old size above the checkpoint size, or more than
                63 proof hashes (400).
            UnknownOrigin: no trusted key for the origin (404).
            InvalidSignature: no valid signature by a trusted log key (403).
            OldSizeMismatch: old size is not the recorded size (409); carries
                ``latest_size`` for the response body.
            InconsistentHead: same size as recorded but a different root (409).
            InvalidProof: the consistency proof does not verify, or is not
                empty when the old size is zero (422).
        """
        # Steps 1-2: signature and origin, before touching any state.
        checkpoint = open_checkpoint(signed_note, self._log_verifiers).checkpoint
        # Step 3.
        if isinstance(old_size, bool) or not isinstance(old_size, int) or old_size < 0:
            raise InvalidRequest("old size must be a non-negative integer")
        if old_size > checkpoint.size:
            raise InvalidRequest(f"old size {old_size} is above checkpoint size {checkpoint.size}")
        if len(consistency_proof) > MAX_PROOF_LINES:
            raise InvalidRequest(f"more than {MAX_PROOF_LINES} consistency proof hashes")
        proof = tuple(consistency_proof)
        # Steps 4-7 read and write the state: one critical section, so the
        # decision is always taken against the state it replaces.
        with self._lock, exclusive_lock(self._state_path):
            records = load_state(self._state_path)
            recorded = records.get(checkpoint.origin, LogRecord(0, EMPTY_ROOT))
            if old_size != recorded.size:
                raise OldSizeMismatch(
                    f"old size {old_size} is not the latest cosigned size {recorded.size}",
                    latest_size=recorded.size,
                )
            if old_size == checkpoint.size:
                if proof:
                    raise InvalidProof("sizes are equal but the consistency proof is not empty")
                if checkpoint.root_hash != recorded.root_hash:
                    raise InconsistentHead(
                        f"checkpoint of size {checkpoint.size} has a different root "
                        "from the one already cosigned"
                    )
            elif old_size == 0:
                if proof:
                    raise InvalidProof("the consistency proof from size 0 must be empty")
            else:
                verify_consistency(
                    old_size, checkpoint.size, recorded.root_hash, checkpoint.root_hash, proof
                )
            records[checkpoint.origin] = LogRecord(checkpoint.size, checkpoint.root_hash)
            store_state(self._state_path, records)
            # Sign only after the state is durable: a cosignature must never
            # outlive a crash that forgot it.
            return self.signer.sign(checkpoint.to_text().encode())
