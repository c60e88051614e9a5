"""Spoiled ballots: the server side of the Benaloh audit (docs/spec/booth-crypto.md §B3.4).

Before the booth reveals the nonces of an encrypted ballot, it asks the server
to record the ballot's hash as **spoiled** for the voter's credential
(:func:`spoil_ballot`) and waits for the acknowledgement, which is given only
after a durable commit. From then on :func:`ensure_not_spoiled`, called by the
casting service inside its serialized critical section, refuses that ballot
with ``ballot.audited``: an audited ballot can never be cast (THREATS #43).

A spoil takes the same election lock and ``log_states`` row lock as a cast, so
"spoil" and "cast" of one ballot hash are strictly ordered: whichever commits
first wins, and the other is refused (a ballot already on the board cannot be
spoiled: ``ballot.already_cast``).

Storage: one ``audit_events`` row of kind ``ballot.spoiled`` whose detail is the
canonical JSON ``{"ballot_hash": …, "credential": …}`` (both public values; the
nonces never reach the server). No schema change is needed, and the row is in
the election's audit trail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from tohyo.app.errors import BadRequest, Conflict
from tohyo.app.services.common import audit, load_election
from tohyo.app.services.runtime import Runtime
from tohyo.app.services.sessions import resolve_session
from tohyo.app.store.models import AuditEvent
from tohyo.app.store.uow import UnitOfWork
from tohyo.record.canonical import dumps_canonical, loads_strict
from tohyo.record.errors import InvalidJson

__all__ = [
    "SPOILED_KIND",
    "Spoiled",
    "count_spoiled",
    "ensure_not_spoiled",
    "is_spoiled",
    "parse_spoil_request",
    "spoil_ballot",
]

SPOILED_KIND = "ballot.spoiled"
_HEX64 = re.compile(r"[0-9a-f]{64}\Z")
#: Responses are padded to this many bytes of JSON, so that an observer of the
#: traffic learns nothing from their length (THREATS #44).
RESPONSE_BYTES = 192


@dataclass(frozen=True, slots=True)
class Spoiled:
    """The acknowledgement the booth waits for before it reveals anything."""

    election_id: str
    ballot_hash: str

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "election_id": self.election_id,
            "ballot_hash": self.ballot_hash,
            "status": "spoiled",
            "pad": "",
        }
        size = len(dumps_canonical(body))
        body["pad"] = " " * max(0, RESPONSE_BYTES - size)
        return body


def _detail(ballot_hash: str, credential: str) -> str:
    return dumps_canonical({"ballot_hash": ballot_hash, "credential": credential}).decode()


def parse_spoil_request(raw: bytes, *, max_depth: int) -> str:
    """The ballot hash of a spoil request ``{"ballot_hash": "<64 hex>"}``.

    Raises:
        BadRequest: ``request.invalid_json``, ``request.invalid_fields``.
    """
    try:
        body = loads_strict(raw, max_bytes=1024, max_depth=max_depth)
    except InvalidJson as exc:
        raise BadRequest("request.invalid_json", str(exc)) from exc
    if not isinstance(body, dict) or set(body) != {"ballot_hash"}:
        raise BadRequest("request.invalid_fields", 'the body must be {"ballot_hash": ...}')
    value = body["ballot_hash"]
    if not isinstance(value, str) or not _HEX64.match(value):
        raise BadRequest("request.invalid_fields", "ballot_hash: 64 lowercase hex digits")
    return value


def is_spoiled(uow: UnitOfWork, election_id: str, ballot_hash: str) -> bool:
    """Whether any voter's ballot with this hash was spoiled in this election."""
    like = dumps_canonical({"ballot_hash": ballot_hash}).decode()[:-1] + ",%"
    query = select(AuditEvent.id).where(
        AuditEvent.election_id == election_id,
        AuditEvent.kind == SPOILED_KIND,
        AuditEvent.detail.like(like),
    )
    return uow.session.execute(query.limit(1)).first() is not None


def ensure_not_spoiled(uow: UnitOfWork, election_id: str, ballot_hash: str) -> None:
    """Refuse to cast an audited ballot (booth-crypto.md §B3.4 rule 5).

    Raises:
        Conflict: ``ballot.audited``.
    """
    if is_spoiled(uow, election_id, ballot_hash):
        raise Conflict(
            "ballot.audited",
            "this ballot was audited (its secrets were revealed) and can never be cast; "
            "encrypt the choices again",
        )


def count_spoiled(runtime: Runtime, election_id: str) -> int:
    """How many ballots were spoiled in an election (for reports and tests)."""
    with runtime.uow() as uow:
        load_election(uow, election_id)
        query = select(func.count(AuditEvent.id)).where(
            AuditEvent.election_id == election_id, AuditEvent.kind == SPOILED_KIND
        )
        return int(uow.session.execute(query).scalar_one())


def spoil_ballot(runtime: Runtime, election_id: str, token: str, raw: bytes) -> Spoiled:
    """Durably record a ballot hash as spoiled for the session's voter (§B3.4 rule 4).

    Idempotent: spoiling the same hash again acknowledges again.

    Raises:
        BadRequest: a malformed request.
        Unauthorized: ``session.invalid``, ``session.expired``.
        Conflict: ``ballot.already_cast`` (that ballot is on the board),
            ``ballot.audited`` (another voter spoiled that hash).
        NotFound: ``election.not_found``.
    """
    runtime.ensure_running()
    ballot_hash = parse_spoil_request(raw, max_depth=runtime.settings.max_json_depth)
    with runtime.ledger.lock(election_id), runtime.uow(write=True) as uow:
        load_election(uow, election_id)
        voter = resolve_session(runtime, uow, election_id, token)
        uow.log_state(election_id, lock=True)  # the casts' row lock: strict order
        if uow.ballot_by_hash(election_id, ballot_hash) is not None:
            raise Conflict("ballot.already_cast", "this ballot is on the board; it was cast")
        detail = _detail(ballot_hash, voter.credential)
        exists = uow.session.execute(
            select(AuditEvent.id).where(
                AuditEvent.election_id == election_id,
                AuditEvent.kind == SPOILED_KIND,
                AuditEvent.detail == detail,
            )
        ).first()
        if exists is None:
            if is_spoiled(uow, election_id, ballot_hash):
                raise Conflict("ballot.audited", "this ballot hash was already spoiled")
            payload: dict[str, Any] = {"ballot_hash": ballot_hash, "credential": voter.credential}
            audit(uow, election_id, SPOILED_KIND, "voter", payload, runtime.now())
            uow.commit()
    return Spoiled(election_id, ballot_hash)
