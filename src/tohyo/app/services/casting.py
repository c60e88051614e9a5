"""Casting a ballot (docs/spec/casting.md §CAST-3 to §CAST-6).

Order of checks, cheapest and stateless first; every refusal stores nothing:

1. request: strict JSON within the size and depth limits, exactly the fields
   ``ballot`` and ``idempotency_key``;
2. encoding: :meth:`EncryptedBallot.from_json` (canonical points and scalars);
3. session, election open and within its period, voter eligible;
4. a ballot already on the board: the same voter's is an idempotent retry
   (same receipt), another voter's is a replay;
5. shape against the ballot style, then every proof, bound to the election
   and to this voter's credential;
6. the serialized critical section (:func:`append_leaves`): re-check the
   election and the paper override, supersede the previous ballot, append
   the leaf, sign the head, commit durably, copy to the second medium.

Only then is the receipt returned.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from tohyo.app.domain.errors import DomainError
from tohyo.app.domain.lifecycle import ElectionState, Phase, ensure_casting_allowed
from tohyo.app.errors import BadRequest, Conflict, Forbidden, Unprocessable
from tohyo.app.services.audits import ensure_not_spoiled
from tohyo.app.services.common import LeafWrite, append_leaves, load_election, manifest_of
from tohyo.app.services.context import ElectionContext, election_context
from tohyo.app.services.envelopes import SealedEnvelope, seal_for_cast, store_envelope
from tohyo.app.services.receipts import Receipt, receipt_for_ballot, receipt_from_append
from tohyo.app.services.runtime import Runtime
from tohyo.app.services.sessions import VoterSession, resolve_session, token_hash
from tohyo.app.store.models import Ballot, Election, LogState
from tohyo.app.store.uow import UnitOfWork
from tohyo.crypto import EncryptedBallot, InvalidEncoding, InvalidProof, ballot_hash, verify_ballot
from tohyo.record.canonical import dumps_canonical, loads_strict
from tohyo.record.errors import InvalidJson

__all__ = ["CastRequest", "cast_ballot", "parse_cast_request"]

_IDEMPOTENCY_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:")
MAX_IDEMPOTENCY_KEY = 128


@dataclass(frozen=True, slots=True)
class CastRequest:
    ballot: EncryptedBallot
    canonical: bytes  # canonical JSON of the ballot as decoded
    idempotency_key: str
    envelope: Any = None  # a card voter's outer envelope (authentication.md §AUTH-ENV)

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.canonical).hexdigest()


def parse_cast_request(raw: bytes, *, max_bytes: int, max_depth: int) -> CastRequest:
    """Decode a cast body (§CAST-3.1).

    Raises:
        BadRequest: ``request.invalid_json``, ``request.invalid_fields``,
            ``request.bad_idempotency_key``, ``ballot.bad_encoding``.
    """
    try:
        body = loads_strict(raw, max_bytes=max_bytes, max_depth=max_depth)
    except InvalidJson as exc:
        raise BadRequest("request.invalid_json", str(exc)) from exc
    fields = {"ballot", "idempotency_key"}
    if not isinstance(body, dict) or not fields <= set(body) <= fields | {"envelope"}:
        raise BadRequest(
            "request.invalid_fields", 'the body must be {"ballot": ..., "idempotency_key": ...}'
        )
    key = body["idempotency_key"]
    if (
        not isinstance(key, str)
        or not 1 <= len(key) <= MAX_IDEMPOTENCY_KEY
        or not set(key) <= _IDEMPOTENCY_CHARS
    ):
        raise BadRequest(
            "request.bad_idempotency_key",
            f"idempotency_key: 1-{MAX_IDEMPOTENCY_KEY} characters of A-Z a-z 0-9 - _ . :",
        )
    try:
        ballot = EncryptedBallot.from_json(body["ballot"])
    except (InvalidEncoding, ValueError) as exc:
        raise BadRequest("ballot.bad_encoding", str(exc)) from exc
    envelope = body.get("envelope")
    return CastRequest(ballot, dumps_canonical(ballot.to_json()), key, envelope)


def _check_shape(ctx: ElectionContext, ballot: EncryptedBallot) -> None:
    """Structure only, so that a wrong shape has its own code (§CAST-6)."""
    questions = ctx.style.questions
    if len(ballot.questions) != len(questions):
        raise Unprocessable(
            "ballot.wrong_shape",
            f"expected {len(questions)} questions, got {len(ballot.questions)}",
        )
    for q, eq in zip(questions, ballot.questions, strict=True):
        if eq.question_id != q.question_id:
            raise Unprocessable("ballot.wrong_shape", f"expected question {q.question_id}")
        if len(eq.selections) != len(q.option_ids):
            raise Unprocessable(
                "ballot.wrong_shape", f"question {q.question_id}: wrong number of selections"
            )
        if (eq.blank is not None) != q.allow_blank:
            raise Unprocessable(
                "ballot.wrong_shape", f"question {q.question_id}: blank flag present iff allowed"
            )


def _ensure_open(runtime: Runtime, uow: UnitOfWork, election_id: str) -> Election:
    row = load_election(uow, election_id)
    # Withdrawals do not matter for whether casting is allowed: no query for them.
    state = ElectionState(manifest=manifest_of(runtime, row), phase=Phase(row.state))
    try:
        ensure_casting_allowed(state, now=runtime.now())
    except DomainError as exc:
        closed = exc.code == "period_over" or row.state in ("closed", "tallied", "published")
        raise Conflict("election.closed" if closed else f"election.{exc.code}", str(exc)) from exc
    return row


def _existing(uow: UnitOfWork, voter: VoterSession, request: CastRequest) -> Ballot | None:
    """A ballot already stored for this request, or raise for a replay/conflict."""
    found = uow.ballots_matching(
        voter.election_id, request.content_hash, voter.credential, request.idempotency_key
    )
    for row in found:
        if row.content_hash == request.content_hash and row.credential != voter.credential:
            raise Forbidden("ballot.replay", "this ballot was already cast by another voter")
    for row in found:
        if row.content_hash != request.content_hash:
            raise Conflict(
                "ballot.idempotency_conflict",
                "this idempotency key was used for another ballot; use a new key",
            )
    return found[0] if found else None


def cast_ballot(runtime: Runtime, election_id: str, token: str, raw: bytes) -> Receipt:
    """Check, store, log and copy a ballot; return its receipt (§CAST-3).

    Raises:
        ServiceError: one stable code per reason (docs/spec/casting.md §CAST-7).
    """
    runtime.ensure_running()
    settings = runtime.settings
    request = parse_cast_request(
        raw, max_bytes=settings.max_body_bytes, max_depth=settings.max_json_depth
    )
    with runtime.uow() as uow:
        voter = resolve_session(runtime, uow, election_id, token)
        ctx = election_context(runtime, _ensure_open(runtime, uow, election_id))
        existing = _existing(uow, voter, request)
        if existing is not None:
            return receipt_for_ballot(runtime, existing)
    _check_shape(ctx, request.ballot)
    proof_ctx = ctx.proof_context(voter.credential)
    try:
        verify_ballot(proof_ctx, ctx.public_key, ctx.style, request.ballot)
    except InvalidProof as exc:
        raise Unprocessable("ballot.invalid_proof", str(exc)) from exc
    tracker = ballot_hash(proof_ctx, request.ballot).hex()
    sealed = seal_for_cast(runtime, voter, token, tracker, request.envelope)
    return _store(runtime, voter, request, tracker, token, sealed)


def _store(
    runtime: Runtime,
    voter: VoterSession,
    request: CastRequest,
    tracker: str,
    token: str,
    sealed: SealedEnvelope | None = None,
) -> Receipt:
    eid, credential = voter.election_id, voter.credential

    def body(uow: UnitOfWork, state: LogState) -> tuple[list[LeafWrite], tuple[Ballot, bool]]:
        _ensure_open(runtime, uow, eid)
        if uow.paper_override(eid, credential) is not None:
            raise Forbidden("voter.voted_on_paper", "a paper vote was recorded for this voter")
        ensure_not_spoiled(uow, eid, tracker)  # audited ballots are never cast (booth-crypto §B3.4)
        existing = _existing(uow, voter, request)
        if existing is not None:  # a retry that raced the first attempt
            return [], (existing, False)
        previous = uow.effective_ballot(eid, credential)
        sequence = 1
        if previous is not None:
            # The effective ballot is always the voter's latest (paper votes are
            # refused above), so its sequence is the last; the unique constraint
            # on (credential, sequence) backs this up.
            sequence = previous.sequence + 1
            previous.state = "superseded"
            uow.flush()  # before the insert: the partial unique index checks each row
        now = runtime.now()
        row = Ballot(
            election_id=eid,
            credential=credential,
            ballot_hash=tracker,
            content_hash=request.content_hash,
            leaf_index=state.size,
            sequence=sequence,
            idempotency_key=request.idempotency_key,
            state="effective",
            cast_at=now,
        )
        uow.add(row)
        if sealed is not None:  # kept apart from the board, in this same transaction
            store_envelope(uow, sealed, now)
        uow.touch_session(token_hash(token), now)
        leaf: dict[str, Any] = {
            "credential": credential,
            "ballot_hash": tracker,
            "ballot": request.ballot.to_json(),
            "sequence": sequence,
        }
        return [LeafWrite("ballot", leaf)], (row, True)

    appended, outcome = append_leaves(runtime, eid, body)
    if outcome is None:  # pragma: no cover - body always returns one
        raise RuntimeError("cast body returned no ballot")
    row, is_new = outcome
    if not is_new:
        return receipt_for_ballot(runtime, row)
    return receipt_from_append(row, appended[0])

