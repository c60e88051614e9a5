"""Voting sessions: who may cast, under which credential (docs/spec/casting.md §CAST-2).

Every authentication method ends the same way: an identified, eligible voter
(a roll entry, known by its voter key) gets a bearer token for one election.
:func:`open_voting_session` is that seam; the one-time code flow below is one
caller, and the JPKI and OpenID Connect flows of ``tohyo.app.auth`` are others.

The voter's public **credential** is a pseudonym derived per election,
``base32(HMAC(secret_e, voter_key))[:24]``: stable for a voter within an
election (so a revote supersedes the earlier ballot), unlinkable across
elections, and computable only by the server. Every proof of a ballot is
bound to it (``ProofContext(...).bound(credential)``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from tohyo.app.domain.errors import DomainError
from tohyo.app.domain.lifecycle import ensure_casting_allowed
from tohyo.app.errors import Conflict, Forbidden, Unauthorized
from tohyo.app.services.common import domain_state, load_election
from tohyo.app.services.roll import code_hash
from tohyo.app.services.runtime import Runtime
from tohyo.app.store.models import Voter, VoterSessionRow
from tohyo.app.store.uow import UnitOfWork

__all__ = [
    "IssuedSession",
    "VoterSession",
    "credential_for",
    "open_voting_session",
    "resolve_session",
    "start_session_with_code",
    "token_hash",
]

CREDENTIAL_CHARS = 24  # 120 bits of base32


@dataclass(frozen=True, slots=True)
class VoterSession:
    """An authenticated voter, as the casting service sees them."""

    election_id: str
    voter_key: str
    credential: str


@dataclass(frozen=True, slots=True)
class IssuedSession:
    """A new session: the bearer token is shown once and stored only hashed."""

    token: str
    session: VoterSession
    expires_at: datetime


def credential_for(runtime: Runtime, election_id: str, voter_key: str) -> str:
    """The voter's public pseudonymous credential in this election (§CAST-2.2)."""
    secret = runtime.keys.election_secret("credential", election_id)
    mac = hmac.new(secret, voter_key.encode(), hashlib.sha256).digest()
    return base64.b32encode(mac[:15]).decode()[:CREDENTIAL_CHARS]


def token_hash(token: str) -> str:
    return hashlib.sha256(b"tohyo/1/app/session\x00" + token.encode()).hexdigest()


def _check_open(runtime: Runtime, uow: UnitOfWork, election_id: str, now: datetime) -> None:
    row = load_election(uow, election_id)
    try:
        ensure_casting_allowed(domain_state(runtime, uow, row), now=now)
    except DomainError as exc:
        code = "election.closed" if exc.code == "period_over" else f"election.{exc.code}"
        if row.state in ("closed", "tallied", "published", "disposed"):
            code = "election.closed"
        raise Conflict(code, str(exc)) from exc


def open_voting_session(
    runtime: Runtime, election_id: str, voter_key: str, *, method: str, enrol: bool = False
) -> IssuedSession:
    """Start a voting session for an identified voter (the authentication seam).

    Args:
        voter_key: the roll entry's voter key (hex of
            ``tohyo.app.domain.roll.voter_key(roll_key(...), id)``).
        method: ``code``, ``jpki``, ``oidc``: kept for the report.
        enrol: open roll (docs/adr/0016): add the voter at first sign-in; the
            caller has verified eligibility from the certificate or claims.

    Raises:
        Conflict: the election is not open (``election.not_open``,
            ``election.closed``, ``election.not_started``).
        Forbidden: ``voter.not_eligible`` (not on the roll, or ineligible),
            ``voter.voted_on_paper``. The message never says which.
    """
    with runtime.uow(write=True) as uow:
        issued = _open(runtime, uow, election_id, voter_key, method, enrol=enrol)
        uow.commit()
    return issued


def _open(
    runtime: Runtime,
    uow: UnitOfWork,
    election_id: str,
    voter_key: str,
    method: str,
    *,
    enrol: bool = False,
) -> IssuedSession:
    now = runtime.now()
    _check_open(runtime, uow, election_id, now)
    voter = uow.voter_by_key(election_id, voter_key)
    if voter is None and enrol:
        voter = Voter(election_id=election_id, voter_key=voter_key, eligible=True, added_at=now)
        uow.add(voter)
        uow.flush()
    if voter is None or not voter.eligible:
        raise Forbidden("voter.not_eligible", "this voter may not vote in this election")
    credential = credential_for(runtime, election_id, voter_key)
    if uow.paper_override(election_id, credential) is not None:
        raise Forbidden("voter.voted_on_paper", "a paper vote was recorded for this voter")
    token = secrets.token_urlsafe(32)
    expires = now + timedelta(seconds=runtime.settings.session_ttl_seconds)
    uow.add(
        VoterSessionRow(
            token_hash=token_hash(token),
            election_id=election_id,
            voter_id=voter.id,
            credential=credential,
            method=method,
            created_at=now,
            expires_at=expires,
        )
    )
    return IssuedSession(token, VoterSession(election_id, voter_key, credential), expires)


def start_session_with_code(runtime: Runtime, election_id: str, code: str) -> IssuedSession:
    """Exchange a one-time voting code for a session (the code is then spent).

    Raises:
        Unauthorized: ``session.bad_code`` (unknown or already used; the
            message does not say which).
        Conflict, Forbidden: as :func:`open_voting_session`.
    """
    with runtime.uow(write=True) as uow:
        load_election(uow, election_id)
        row = uow.voting_code(code_hash(runtime, election_id, code))
        if row is None or row.election_id != election_id or row.used_at is not None:
            raise Unauthorized("session.bad_code", "the voting code is not valid")
        voter = uow.voter(row.voter_id)
        if voter is None:  # pragma: no cover - foreign key
            raise Unauthorized("session.bad_code", "the voting code is not valid")
        issued = _open(runtime, uow, election_id, voter.voter_key, "code")
        row.used_at = runtime.now()
        uow.commit()
    return issued


def resolve_session(
    runtime: Runtime, uow: UnitOfWork, election_id: str, token: str
) -> VoterSession:
    """The voter behind a bearer token.

    Raises:
        Unauthorized: ``session.invalid`` (unknown, or for another election),
            ``session.expired``.
    """
    row = uow.voter_session(token_hash(token)) if token else None
    if row is None or row.election_id != election_id:
        raise Unauthorized("session.invalid", "no valid voting session; sign in again")
    if runtime.now() >= row.expires_at:
        raise Unauthorized("session.expired", "the voting session has expired; sign in again")
    voter = uow.voter(row.voter_id)
    if voter is None or not voter.eligible:
        raise Forbidden("voter.not_eligible", "this voter may not vote in this election")
    return VoterSession(election_id, voter.voter_key, row.credential)
