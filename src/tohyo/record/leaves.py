"""The meaning of the log's leaves (docs/spec/record.md §REC-4).

Every leaf of an election's log is the canonical JSON (encodings.md §ENC-JSON-1)
of one object whose ``kind`` says what it records. The record keeps the leaves
verbatim, one per line of ``entries.jsonl`` (§REC-3), so their Merkle leaf
hashes can be recomputed byte for byte; this module turns a leaf's parsed JSON
into a typed value. Fields this version does not read are allowed (the leaf
hash covers them) but carry no meaning for the tally.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tohyo.record.errors import RecordError
from tohyo.record.statements import StatementError, WitnessStatement

__all__ = [
    "BallotLeaf",
    "CloseLeaf",
    "InvalidLeaf",
    "Leaf",
    "OverrideLeaf",
    "PaperCountLeaf",
    "StatementLeaf",
    "WithdrawalLeaf",
    "ballot_leaf",
    "close_leaf",
    "override_leaf",
    "paper_count_leaf",
    "parse_leaf",
    "statement_leaf",
    "withdrawal_leaf",
]

KIND_BALLOT = "ballot"
KIND_OVERRIDE = "paper_override"
KIND_WITHDRAWAL = "withdrawal"
KIND_CLOSE = "close"
KIND_PAPER_COUNT = "paper_count"
KIND_STATEMENT = "statement"
MAX_CREDENTIAL = 128


class InvalidLeaf(RecordError):
    """A log leaf that is not one of the kinds of §REC-4, or lacks a field."""


@dataclass(frozen=True, slots=True)
class BallotLeaf:
    """A cast ballot (§REC-4.1): the credential and the ballot's JSON, still undecoded.

    ``tracker`` is the ballot hash (protocol.md §10.4) the service computed, if the
    leaf carries one; a verifier recomputes it and compares.
    """

    election_id: str
    credential: str
    ballot: Any
    tracker: str | None = None


@dataclass(frozen=True, slots=True)
class OverrideLeaf:
    """A paper vote that cancels every internet ballot of ``credential`` (§REC-4.2)."""

    election_id: str
    credential: str


@dataclass(frozen=True, slots=True)
class WithdrawalLeaf:
    """A withdrawn candidate, whose votes are invalid (§REC-4.3, manifest.md §MAN-17.3)."""

    election_id: str
    question_id: str
    candidate_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class CloseLeaf:
    """The close of the election: the last leaf of the log (§REC-4.4)."""

    election_id: str


@dataclass(frozen=True, slots=True)
class PaperCountLeaf:
    """An accepted, signed paper count, after the close (docs/spec/results.md §RES-2.4).

    ``count`` is the count's JSON, still unchecked against the manifest;
    ``signature`` the 64-byte Ed25519 signature by the log key.
    """

    election_id: str
    count: Any
    entered_by: tuple[str, str]
    signature: bytes


@dataclass(frozen=True, slots=True)
class StatementLeaf:
    """A witness's signed statement (§REC-10): never counted, checked by V7.

    ``statement`` is the statement's JSON (the leaf without ``kind``), its form
    checked here (:meth:`tohyo.record.statements.WitnessStatement.from_json`);
    its signature, witness and head are checked against the manifest and the
    record by the verifier.
    """

    election_id: str
    statement: Any


Leaf = BallotLeaf | OverrideLeaf | WithdrawalLeaf | CloseLeaf | PaperCountLeaf | StatementLeaf


def _text(obj: Mapping[str, Any], key: str, kind: str, limit: int = 256) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value or len(value) > limit:
        raise InvalidLeaf(f"{kind} leaf: {key!r} must be a non-empty string of at most {limit}")
    return value


def parse_leaf(obj: Any) -> Leaf:
    """The typed leaf of a parsed leaf object (§REC-4).

    Raises:
        InvalidLeaf: not an object, an unknown ``kind`` or a missing field.
    """
    if not isinstance(obj, dict):
        raise InvalidLeaf("a leaf must be a JSON object")
    kind = obj.get("kind")
    if kind == KIND_BALLOT:
        if "ballot" not in obj:
            raise InvalidLeaf("ballot leaf: 'ballot' is required")
        tracker = obj.get("ballot_hash")
        if tracker is not None and (not isinstance(tracker, str) or len(tracker) != 64):
            raise InvalidLeaf("ballot leaf: 'ballot_hash' must be 64 hex digits")
        return BallotLeaf(
            _text(obj, "election_id", kind),
            _text(obj, "credential", kind, MAX_CREDENTIAL),
            obj["ballot"],
            tracker,
        )
    if kind == KIND_OVERRIDE:
        return OverrideLeaf(
            _text(obj, "election_id", kind), _text(obj, "credential", kind, MAX_CREDENTIAL)
        )
    if kind == KIND_WITHDRAWAL:
        return WithdrawalLeaf(
            _text(obj, "election_id", kind),
            _text(obj, "question_id", kind),
            _text(obj, "candidate_id", kind),
            _text(obj, "reason", kind),
        )
    if kind == KIND_CLOSE:
        return CloseLeaf(_text(obj, "election_id", kind))
    if kind == KIND_PAPER_COUNT:
        return _paper_count(obj)
    if kind == KIND_STATEMENT:
        body = {k: v for k, v in obj.items() if k != "kind"}
        try:
            WitnessStatement.from_json(body)
        except StatementError as exc:
            raise InvalidLeaf(f"statement leaf: {exc}") from None
        return StatementLeaf(_text(obj, "election_id", kind, 64), body)
    raise InvalidLeaf(f"unknown leaf kind {str(kind)[:40]!r}")


def ballot_leaf(
    election_id: str, credential: str, ballot: Any, tracker: str, sequence: int = 1
) -> dict[str, Any]:
    """The leaf object of a cast ballot (§REC-4.1); ``ballot`` is its JSON form."""
    return {"kind": KIND_BALLOT, "election_id": election_id, "credential": credential,
            "ballot": ballot, "ballot_hash": tracker, "sequence": sequence}


def override_leaf(election_id: str, credential: str) -> dict[str, Any]:
    """The leaf object of a paper override (§REC-4.2)."""
    return {"kind": KIND_OVERRIDE, "election_id": election_id, "credential": credential}


def withdrawal_leaf(
    election_id: str, question_id: str, candidate_id: str, reason: str
) -> dict[str, Any]:
    """The leaf object of a candidate's withdrawal (§REC-4.3)."""
    return {"kind": KIND_WITHDRAWAL, "election_id": election_id, "question_id": question_id,
            "candidate_id": candidate_id, "reason": reason}


def close_leaf(election_id: str) -> dict[str, Any]:
    """The leaf object of the close (§REC-4.4)."""
    return {"kind": KIND_CLOSE, "election_id": election_id}


def _paper_count(obj: Mapping[str, Any]) -> PaperCountLeaf:
    kind = KIND_PAPER_COUNT
    if not isinstance(obj.get("count"), dict):
        raise InvalidLeaf("paper_count leaf: 'count' must be an object")
    by = obj.get("entered_by")
    if (not isinstance(by, list) or len(by) != 2 or not all(isinstance(o, str) and o
                                                            for o in by) or by[0] >= by[1]):
        raise InvalidLeaf("paper_count leaf: 'entered_by' must name two officials, sorted")
    sig = _text(obj, "signature", kind, 88)
    try:
        raw = base64.b64decode(sig, validate=True)
    except ValueError:
        raw = b""
    if len(raw) != 64 or base64.b64encode(raw).decode() != sig:
        raise InvalidLeaf("paper_count leaf: 'signature' must be 64 bytes in base64")
    return PaperCountLeaf(_text(obj, "election_id", kind), obj["count"], (by[0], by[1]), raw)


def paper_count_leaf(
    election_id: str, count: Any, entered_by: tuple[str, str], signature: bytes
) -> dict[str, Any]:
    """The leaf object of an accepted paper count (results.md §RES-2.4)."""
    return {"kind": KIND_PAPER_COUNT, "election_id": election_id, "count": count,
            "entered_by": sorted(entered_by), "signature": base64.b64encode(signature).decode()}


def statement_leaf(statement: Mapping[str, Any]) -> dict[str, Any]:
    """The leaf object of a witness statement (§REC-10): its JSON form and the kind."""
    return {"kind": KIND_STATEMENT, **statement}
