"""Election administration: create, key, open, close, withdraw (docs/spec/casting.md §CAST-1).

Each action runs the pure lifecycle (:mod:`tohyo.app.domain.lifecycle`) and
persists its outcome with an audit entry. Opening starts the log with its
empty signed head (the empty ballot box shown before voting starts); closing
appends a ``close`` leaf under the same lock that casts take, so no ballot can
land after it, and signs the final head.
"""

from __future__ import annotations

from dataclasses import dataclass

from tohyo.app.auth.approvals import GuardedAction
from tohyo.app.auth.authority import Authority, check_authority, spend_authority
from tohyo.app.domain.errors import DomainError
from tohyo.app.domain.lifecycle import (
    Close,
    Open,
    Phase,
    StartKeyCeremony,
    WithdrawalReason,
    WithdrawCandidate,
    transition,
)
from tohyo.app.errors import BadRequest, Conflict
from tohyo.app.services.common import (
    LeafWrite,
    append_leaves,
    audit,
    domain_error,
    domain_state,
    load_election,
    manifest_of,
)
from tohyo.app.services.runtime import Runtime
from tohyo.app.store.models import Election, LogState, Withdrawal
from tohyo.app.store.uow import UnitOfWork
from tohyo.crypto import PublicKey
from tohyo.crypto.errors import CryptoError
from tohyo.record.canonical import dumps_canonical
from tohyo.record.errors import RecordError
from tohyo.record.manifest import manifest_hash, parse_manifest

__all__ = [
    "ElectionSummary",
    "close_election",
    "create_election",
    "get_election",
    "install_public_key",
    "list_elections",
    "open_election",
    "start_key_ceremony",
    "withdraw_candidate",
]


@dataclass(frozen=True, slots=True)
class ElectionSummary:
    """What the public and the CLI see of an election."""

    id: str
    state: str
    manifest_hash: str
    public_key: str | None
    log_origin: str
    log_key: str  # the log's C2SP verifier key


def _summary(runtime: Runtime, row: Election) -> ElectionSummary:
    return ElectionSummary(
        id=row.id,
        state=row.state,
        manifest_hash=row.manifest_hash,
        public_key=row.public_key,
        log_origin=runtime.ledger.origin(row.id),
        log_key=runtime.ledger.verifier_key(row.id),
    )


def create_election(runtime: Runtime, manifest_bytes: bytes, *, actor: str) -> ElectionSummary:
    """Store a new election from its manifest, in the draft phase.

    Raises:
        BadRequest: ``manifest.invalid`` listing every problem,
            ``manifest.log_key_mismatch`` (a declared log key that is not ours).
        Conflict: ``election.exists``.
    """
    try:
        manifest = parse_manifest(manifest_bytes)
    except RecordError as exc:
        raise BadRequest("manifest.invalid", str(exc)) from exc
    if manifest.log is not None and manifest.log.key != runtime.ledger.verifier_key(manifest.id):
        # §MAN-21: the declared log key pins this service's log; another key
        # would make every head unverifiable against the manifest.
        raise BadRequest("manifest.log_key_mismatch",
                         f"the manifest's log key is not this service's: "
                         f"{runtime.ledger.verifier_key(manifest.id)}")
    now = runtime.now()
    with runtime.uow(write=True) as uow:
        if uow.election(manifest.id) is not None:
            raise Conflict("election.exists", f"election {manifest.id!r} already exists")
        row = Election(
            id=manifest.id,
            manifest_json=dumps_canonical(manifest.to_json()).decode(),
            manifest_hash=manifest_hash(manifest).hex(),
            state=Phase.DRAFT.value,
            created_at=now,
        )
        uow.add(row)
        uow.flush()  # the audit row refers to it
        audit(uow, row.id, "election.create", actor, {"manifest_hash": row.manifest_hash}, now)
        uow.commit()
    return _summary(runtime, row)


def get_election(runtime: Runtime, election_id: str) -> ElectionSummary:
    with runtime.uow() as uow:
        return _summary(runtime, load_election(uow, election_id))


def list_elections(runtime: Runtime) -> list[ElectionSummary]:
    with runtime.uow() as uow:
        return [_summary(runtime, row) for row in uow.elections()]


def _transition_row(runtime: Runtime, uow: UnitOfWork, row: Election, action: object) -> None:
    try:
        state = transition(domain_state(runtime, uow, row), action, now=runtime.now())  # type: ignore[arg-type]
    except DomainError as exc:
        raise domain_error(exc) from exc
    row.state = state.phase.value


def start_key_ceremony(runtime: Runtime, election_id: str, *, actor: str) -> ElectionSummary:
    """Freeze the manifest; the trustees may now generate the key."""
    with runtime.uow(write=True) as uow:
        row = load_election(uow, election_id)
        _transition_row(runtime, uow, row, StartKeyCeremony())
        audit(uow, row.id, "election.key_ceremony", actor, {}, runtime.now())
        uow.commit()
        return _summary(runtime, row)


def install_public_key(
    runtime: Runtime, election_id: str, key_hex: str, transcript_json: str, *, actor: str
) -> ElectionSummary:
    """Install the joint public key that the key ceremony produced (issue #4 seam).

    The election must be in the key ceremony; the key must be a valid,
    non-identity ristretto255 element. The transcript is stored verbatim for
    the election record.

    Raises:
        Conflict: ``election.invalid_transition`` outside the key ceremony,
            ``election.key_installed`` if a key is already set.
        BadRequest: ``key.invalid``.
    """
    try:
        PublicKey.from_hex(key_hex)
    except CryptoError as exc:
        raise BadRequest("key.invalid", str(exc)) from exc
    with runtime.uow(write=True) as uow:
        row = load_election(uow, election_id)
        if row.state != Phase.KEY_CEREMONY.value:
            raise Conflict(
                "election.invalid_transition", "a key is installed only during the key ceremony"
            )
        if row.public_key is not None:
            raise Conflict("election.key_installed", "the election already has its key")
        row.public_key = key_hex
        row.key_transcript = transcript_json
        audit(uow, row.id, "election.key_installed", actor, {"public_key": key_hex}, runtime.now())
        uow.commit()
        return _summary(runtime, row)


def open_election(
    runtime: Runtime, election_id: str, *, approval: Authority
) -> ElectionSummary:
    """Open the ballot box and publish the empty log head (size 0).

    Withdrawals recorded before opening are then appended as the first leaves.
    ``approval``: two officials' approval (authentication.md §AUTH-APPR), spent
    first; the audit row's actor is ``requester+approver`` (or ``dev:<purpose>``
    for a :class:`~tohyo.app.auth.authority.DevApproval`, docs/adr/0040).

    Raises:
        Conflict: ``election.no_key`` or a lifecycle refusal.
        ApprovalRejected: the approval is unknown, unapproved, used or for another action.
        TypeError: no approval.
    """
    check_authority(approval, GuardedAction.OPEN, election_id, now=runtime.now())
    with runtime.ledger.lock(election_id):
        with runtime.uow(write=True) as uow:
            row = load_election(uow, election_id)
            if row.public_key is None and row.state == Phase.KEY_CEREMONY.value:
                raise Conflict("election.no_key", "install the election key before opening")
            _transition_row(runtime, uow, row, Open())
            # Spent in this transaction: a refusal above leaves it unused (§AUTH-APPR-3).
            spent = spend_authority(
                approval, GuardedAction.OPEN, election_id, engine=runtime.engine,
                now=runtime.now(), conn=uow.session.connection(),
            )
            now = runtime.now()
            row.opened_at = now
            runtime.ledger.start(uow, row.id, now)
            audit(uow, row.id, "election.open", spent.actor, dict(spent.detail), now)
            uow.commit()
        pending = _pending_withdrawals(runtime, election_id)
        if pending:
            _log_withdrawals(runtime, election_id, pending)
    return get_election(runtime, election_id)


def _pending_withdrawals(runtime: Runtime, election_id: str) -> list[str]:
    with runtime.uow() as uow:
        return [w.candidate_id for w in uow.withdrawals(election_id) if w.leaf_index is None]


def _log_withdrawals(runtime: Runtime, election_id: str, candidate_ids: list[str]) -> None:
    def body(uow: UnitOfWork, state: LogState) -> list[LeafWrite]:
        manifest = manifest_of(runtime, load_election(uow, election_id))
        leaves: list[LeafWrite] = []
        for w in uow.withdrawals(election_id):
            if w.candidate_id not in candidate_ids or w.leaf_index is not None:
                continue
            question, _ = manifest.candidate(w.candidate_id)
            # Leaves are appended in order from the current size.
            w.leaf_index = state.size + len(leaves)
            data = {
                "question_id": question.id,
                "candidate_id": w.candidate_id,
                "reason": w.reason,
            }
            leaves.append(LeafWrite("withdrawal", data))
        return leaves

    append_leaves(runtime, election_id, body)


def withdraw_candidate(
    runtime: Runtime, election_id: str, candidate_id: str, reason: str, *, actor: str
) -> None:
    """Mark a candidate withdrawn (or dead): they stay on the ballot, their votes are invalid.

    Logged at once if the log is open, else at opening.

    Raises:
        BadRequest: ``withdrawal.bad_reason``.
        Conflict: a lifecycle refusal (unknown or already withdrawn candidate...).
    """
    try:
        why = WithdrawalReason(reason)
    except ValueError:
        raise BadRequest("withdrawal.bad_reason", f"unknown reason {reason!r}") from None
    with runtime.ledger.lock(election_id):
        with runtime.uow(write=True) as uow:
            row = load_election(uow, election_id)
            _transition_row(runtime, uow, row, WithdrawCandidate(candidate_id, why))
            now = runtime.now()
            uow.add(
                Withdrawal(
                    election_id=row.id,
                    candidate_id=candidate_id,
                    reason=why.value,
                    leaf_index=None,
                    recorded_at=now,
                )
            )
            audit(
                uow,
                row.id,
                "election.withdraw",
                actor,
                {"candidate_id": candidate_id, "reason": why.value},
                now,
            )
            log_open = uow.log_state(row.id) is not None
            uow.commit()
        if log_open:
            _log_withdrawals(runtime, election_id, [candidate_id])


def close_election(
    runtime: Runtime,
    election_id: str,
    *,
    approval: Authority,
    reason: str = "",
) -> ElectionSummary:
    """Stop all casts and sign the final head (a ``close`` leaf ends the log's ballots).

    ``approval`` as for :func:`open_election`.

    Raises:
        Conflict: a lifecycle refusal (``election.reason_required`` before the
            period's end without a reason, ``election.invalid_transition``).
        ApprovalRejected, TypeError: see :func:`open_election`.
    """
    check_authority(approval, GuardedAction.CLOSE, election_id, now=runtime.now())

    def body(uow: UnitOfWork, _state: LogState) -> list[LeafWrite]:
        row = load_election(uow, election_id)
        _transition_row(runtime, uow, row, Close(reason))
        # Spent in this transaction: a refusal above leaves it unused (§AUTH-APPR-3).
        spent = spend_authority(
            approval, GuardedAction.CLOSE, election_id, engine=runtime.engine,
            now=runtime.now(), conn=uow.session.connection(),
        )
        now = runtime.now()
        row.closed_at = now
        audit(uow, row.id, "election.close", spent.actor, {"reason": reason, **spent.detail}, now)
        return [LeafWrite("close", {"reason": reason})]

    append_leaves(runtime, election_id, body)
    return get_election(runtime, election_id)
