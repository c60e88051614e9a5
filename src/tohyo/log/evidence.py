"""Fork evidence: signed heads that a monitor keeps when the log misbehaves (§TL-9, §TL-13).

A monitor (``tohyo monitor``) that sees two log-signed heads failing the head
sequence rules, or a consistency proof that does not verify, writes a
:class:`ForkEvidence` file. What it proves on its own is checked by
:func:`check_evidence`: two validly signed heads of the same size with
different roots, or a larger head signed earlier than a smaller one, are
transferable proof against the log. Every head in the file can also be held
against a published record (``tohyo verify --fork-evidence``): a head the log
signed whose root is not the root of the record's first ``size`` entries
proves the record is not the board the log showed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from tohyo.log._encoding import b64decode, b64encode
from tohyo.log.checkpoint import SignedCheckpoint, open_checkpoint
from tohyo.log.errors import InvalidEncoding, LogError
from tohyo.log.note import NoteVerifier
from tohyo.log.tree import HASH_SIZE, Hash

__all__ = ["EVIDENCE_FORMAT", "EvidenceFinding", "ForkEvidence", "check_evidence",
           "load_evidence", "open_heads"]

EVIDENCE_FORMAT = "tohyo-fork-evidence/1"
_MAX_HEADS = 64
_MAX_BYTES = 4 << 20


@dataclass(frozen=True, slots=True)
class ForkEvidence:
    """What a monitor saw: the log's key, the heads in the order seen, and why it stopped.

    Attributes:
        origin: the log's origin line.
        log_key: the log's vkey the monitor pinned.
        heads: signed notes (with any cosignatures), in the order the monitor saw them.
        consistency_proof: the proof the log served between the last two heads, if any.
        reason: the monitor's finding (the error code and message).
        source: where each head came from (``log`` or a witness's URL).
    """

    origin: str
    log_key: str
    heads: tuple[str, ...]
    consistency_proof: tuple[Hash, ...]
    reason: str
    source: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "format": EVIDENCE_FORMAT,
            "origin": self.origin,
            "log_key": self.log_key,
            "heads": list(self.heads),
            "source": list(self.source),
            "consistency_proof": [b64encode(h) for h in self.consistency_proof],
            "reason": self.reason,
        }

    def to_bytes(self) -> bytes:
        return (json.dumps(self.to_json(), ensure_ascii=False, indent=1) + "\n").encode()


def _text(value: Any, what: str, limit: int = 1 << 16) -> str:
    if not isinstance(value, str) or len(value) > limit:
        raise InvalidEncoding(f"fork evidence: {what} must be a string")
    return value


def load_evidence(data: bytes) -> ForkEvidence:
    """Parse a fork evidence file (strictly: unknown fields and bad types are refused).

    Raises:
        InvalidEncoding: not a ``tohyo-fork-evidence/1`` document.
    """
    if len(data) > _MAX_BYTES:
        raise InvalidEncoding("fork evidence: file too large")
    try:
        obj = json.loads(data)
    except ValueError as exc:
        raise InvalidEncoding(f"fork evidence: not JSON: {exc}") from exc
    fields = {"format", "origin", "log_key", "heads", "source", "consistency_proof", "reason"}
    if not isinstance(obj, dict) or set(obj) != fields:
        raise InvalidEncoding(f"fork evidence: expected the fields {sorted(fields)}")
    if obj["format"] != EVIDENCE_FORMAT:
        raise InvalidEncoding(f"fork evidence: format must be {EVIDENCE_FORMAT}")
    heads, source, proof = obj["heads"], obj["source"], obj["consistency_proof"]
    if not isinstance(heads, list) or not 1 <= len(heads) <= _MAX_HEADS:
        raise InvalidEncoding(f"fork evidence: heads must hold 1 to {_MAX_HEADS} notes")
    if not isinstance(source, list) or len(source) not in (0, len(heads)):
        raise InvalidEncoding("fork evidence: source must name each head's origin")
    if not isinstance(proof, list) or len(proof) > 64:
        raise InvalidEncoding("fork evidence: consistency_proof must be a list of hashes")
    hashes = []
    for item in proof:
        value = b64decode(_text(item, "a proof hash", 64), "proof hash")
        if len(value) != HASH_SIZE:
            raise InvalidEncoding("fork evidence: a proof hash is not 32 bytes")
        hashes.append(value)
    return ForkEvidence(
        origin=_text(obj["origin"], "origin", 1024),
        log_key=_text(obj["log_key"], "log_key", 512),
        heads=tuple(_text(h, f"heads/{i}") for i, h in enumerate(heads)),
        consistency_proof=tuple(hashes),
        reason=_text(obj["reason"], "reason", 4096),
        source=tuple(_text(s, "source", 2048) for s in source),
    )


@dataclass(frozen=True, slots=True)
class EvidenceFinding:
    """One head of the evidence: its position, and the verified head or why it is ignored."""

    index: int
    head: SignedCheckpoint | None
    ignored: str = ""


def open_heads(evidence: ForkEvidence, log_verifiers: Iterable[NoteVerifier]
               ) -> tuple[EvidenceFinding, ...]:
    """Open every head against the *trusted* log keys (never the file's own ``log_key``).

    A head that is not signed by a trusted key proves nothing and is ignored.
    """
    verifiers = tuple(log_verifiers)
    out = []
    for i, text in enumerate(evidence.heads):
        try:
            head = open_checkpoint(text, verifiers)
            _ = head.timestamp_ms
        except LogError as exc:
            out.append(EvidenceFinding(i, None, f"not a head signed by the log: {exc}"))
            continue
        out.append(EvidenceFinding(i, head))
    return tuple(out)


def check_evidence(heads: Sequence[EvidenceFinding]) -> tuple[str, ...]:
    """What the signed heads prove by themselves (§TL-9 rules 2–3); empty if nothing.

    Returns one sentence per pair of heads that contradict each other: the same
    size with different roots (a fork), or a larger head with an earlier time
    than a smaller one (time travel).
    """
    found = []
    signed = [f for f in heads if f.head is not None]
    for a_pos, a in enumerate(signed):
        for b in signed[a_pos + 1:]:
            ca, cb = a.head.checkpoint, b.head.checkpoint  # type: ignore[union-attr]
            if ca.origin != cb.origin:
                continue
            if ca.size == cb.size and ca.root_hash != cb.root_hash:
                found.append(f"heads {a.index} and {b.index}: two roots for tree size "
                             f"{ca.size} (fork)")
            elif (ca.size - cb.size) * (a.head.timestamp_ms - b.head.timestamp_ms) < 0:  # type: ignore[union-attr]
                found.append(f"heads {a.index} and {b.index}: the larger tree was signed "
                             "earlier (the log's time went back)")
    return tuple(found)
