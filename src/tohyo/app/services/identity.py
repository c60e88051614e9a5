"""From a verified person to a voting session: the roll seam (authentication.md §AUTH-ROLL).

Every voter method ends in a :class:`~tohyo.app.auth.identity.VerifiedVoter`
(cards, OIDC) or a spent code. This module turns it into the service's
:class:`~tohyo.app.services.sessions.VoterSession`, deciding *which roll
entry* the person is (docs/adr/0016):

* **Closed roll** (the manifest offers ``code``: the commission imported a
  roll and printed letters). A card or a resident-vouching OIDC sign-in is
  matched to the roll entry whose name and birth date give the same
  per-election *person key*; :func:`link_roll` records those keys when the
  roll is imported. A person thus has one credential whichever method they
  use, and a re-vote by another method supersedes (no double voting).
* **Open roll** (only ``jpki`` and/or ``oidc``): the certificate or the claims
  prove address and age at every sign-in, and the first sign-in enrols the
  person (a ``voters`` row keyed by the person key), as Tsukuba's 2025 vote
  did with the My Number Card.

The person key is ``HMAC-SHA-256(roll_key_e, "tohyo/1/auth/person" ‖ 0x00 ‖
identity_key)``: per election (unlinkable across elections, like roll voter
keys) and domain-separated from roll-number keys, so the two never collide.

An identity that is *not* the resident identity (an OIDC pairwise subject)
cannot be matched to anything else; it is accepted only in an open-roll
election whose only method it is (``auth.method.unlinkable`` otherwise).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import unicodedata
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

from tohyo.app.auth import tables
from tohyo.app.auth.codes import CODE_POLICY, redeem_code
from tohyo.app.auth.errors import AuthError, CodeRejected
from tohyo.app.auth.identity import IdentityKeyer, VerifiedVoter
from tohyo.app.auth.ratelimit import RateLimiter
from tohyo.app.domain.errors import DomainError
from tohyo.app.domain.lifecycle import ensure_casting_allowed
from tohyo.app.errors import Conflict, Forbidden, ServiceError, Unauthorized
from tohyo.app.services.common import audit, domain_state, load_election, manifest_of
from tohyo.app.services.roll import voter_key_hex
from tohyo.app.services.runtime import Runtime
from tohyo.app.services.sessions import IssuedSession, open_voting_session, start_session_with_code
from tohyo.app.store.keys import load_or_create_secret
from tohyo.record.manifest import AuthMethod, Eligibility, Manifest

__all__ = [
    "PERSON_DST",
    "LinkReport",
    "MethodRefused",
    "election_rules",
    "identity_keyer",
    "is_open_roll",
    "link_roll",
    "person_key",
    "start_code_session",
    "start_verified_session",
    "voter_key_for_person",
]

PERSON_DST = b"tohyo/1/auth/person"


class MethodRefused(AuthError):
    """The election does not take this method, or cannot take it safely (403)."""

    http_status = 403


@dataclass(frozen=True, slots=True)
class LinkReport:
    """Counts only: linked roll entries, and entries left unlinked as ambiguous."""

    linked: int
    ambiguous: int


def identity_keyer(runtime: Runtime) -> IdentityKeyer:
    """The keyer under the identity key file (``keys/identity-hmac.key``, §AUTH-ID-1)."""
    keyer = runtime.cache.get("auth.identity-keyer")
    if keyer is None:
        from tohyo.app.auth.wiring import identity_key_path

        keyer = IdentityKeyer(load_or_create_secret(identity_key_path(runtime.settings.keys_dir)))
        runtime.cache["auth.identity-keyer"] = keyer
    return keyer


def person_key(runtime: Runtime, election_id: str, identity_key: bytes) -> str:
    """The per-election person key of an identity key (module docstring)."""
    roll_key = runtime.keys.election_roll_key(election_id)
    return hmac.new(roll_key, PERSON_DST + b"\x00" + identity_key, hashlib.sha256).hexdigest()


def is_open_roll(manifest: Manifest) -> bool:
    """Open roll iff the election has no letters (``code``) and so no imported roll."""
    return AuthMethod.CODE not in manifest.authentication


def election_rules(runtime: Runtime, election_id: str) -> Eligibility:
    """The eligibility rules of an election that is open for casting now.

    Checked before a challenge or a provider round trip, so nobody signs with a
    card for an election that cannot take the ballot.

    Raises:
        NotFound: ``election.not_found``.
        Conflict: ``election.not_open``, ``election.not_started``, ``election.closed``.
    """
    with runtime.uow() as uow:
        row = load_election(uow, election_id)
        try:
            ensure_casting_allowed(domain_state(runtime, uow, row), now=runtime.now())
        except DomainError as exc:
            closed = exc.code == "period_over" or row.state in (
                "closed",
                "tallied",
                "published",
                "disposed",
            )
            code = "election.closed" if closed else f"election.{exc.code}"
            raise Conflict(code, str(exc)) from exc
        return manifest_of(runtime, row).eligibility


def _check_method(manifest: Manifest, verified: VerifiedVoter) -> None:
    if AuthMethod(verified.method.value) not in manifest.authentication:
        raise MethodRefused(
            "auth.method.not_offered", "This election does not accept this sign-in method."
        )
    if not verified.resident and (not is_open_roll(manifest) or len(manifest.authentication) > 1):
        # A pairwise subject cannot be matched to the roll nor to a card holder:
        # accepting it here would let one person hold two credentials.
        raise MethodRefused(
            "auth.method.unlinkable",
            "This election cannot accept this sign-in method; please use another one.",
        )


def voter_key_for_person(runtime: Runtime, election_id: str, pkey: str) -> str | None:
    """The roll entry's voter key for a person key: closed roll via the links, open roll as is."""
    with runtime.uow() as uow:
        manifest = manifest_of(runtime, load_election(uow, election_id))
        if is_open_roll(manifest):
            return pkey
        t = tables.roll_links
        row = uow.session.execute(
            select(t.c.voter_key).where(t.c.election_id == election_id, t.c.person_key == pkey)
        ).first()
    return None if row is None else str(row.voter_key)


def start_verified_session(
    runtime: Runtime, election_id: str, verified: VerifiedVoter
) -> IssuedSession:
    """Open a voting session for a card or OIDC voter (§AUTH-ROLL).

    Raises:
        MethodRefused: ``auth.method.not_offered`` or ``auth.method.unlinkable``.
        ServiceError: as :func:`~tohyo.app.services.sessions.open_voting_session`;
            ``voter.not_eligible`` also when a closed roll has no such person (the
            message is the same as for every other ineligible voter).
    """
    with runtime.uow() as uow:
        manifest = manifest_of(runtime, load_election(uow, election_id))
    _check_method(manifest, verified)
    pkey = person_key(runtime, election_id, verified.identity_key)
    method = verified.method.value
    if not is_open_roll(manifest):
        voter_key = voter_key_for_person(runtime, election_id, pkey)
        if voter_key is None:
            raise Forbidden("voter.not_eligible", "this voter may not vote in this election")
        return open_voting_session(runtime, election_id, voter_key, method=method)
    try:
        return open_voting_session(runtime, election_id, pkey, method=method, enrol=True)
    except IntegrityError:
        # Two first sign-ins of one person raced; the other enrolled them.
        return open_voting_session(runtime, election_id, pkey, method=method)


def link_roll(runtime: Runtime, election_id: str, data: bytes) -> LinkReport:
    """Record the person keys of an imported roll (called by ``roll.import_roll``).

    Only for elections that take cards or OIDC besides codes. Each eligible roll
    entry gets the person key of its name and birth date; entries that share a
    person key with another (same name and birth date) are left unlinked and
    counted, so they sign in with their letter. Names are read, keyed and
    dropped; nothing but keyed hashes is stored. Replaces earlier links.
    """
    with runtime.uow() as uow:
        manifest = manifest_of(runtime, load_election(uow, election_id))
        voters = {v.voter_key for v in uow.voters(election_id) if v.eligible}
    if is_open_roll(manifest) or manifest.authentication == (AuthMethod.CODE,):
        return LinkReport(0, 0)
    keyer = identity_keyer(runtime)
    found: dict[str, list[str]] = {}
    text = data.decode("utf-8-sig")
    for row in csv.DictReader(io.StringIO(text)):
        try:
            vkey = voter_key_hex(runtime, election_id, row.get("voter_id") or "")
            birth = date.fromisoformat(
                unicodedata.normalize("NFKC", row.get("birth_date") or "").strip()
            )
            identity = keyer.for_resident(row.get("name") or "", birth)
        except (DomainError, ValueError):
            continue  # the roll import refused or excluded this row already
        if vkey in voters:
            found.setdefault(person_key(runtime, election_id, identity), []).append(vkey)
    links = {p: keys[0] for p, keys in found.items() if len(set(keys)) == 1}
    ambiguous = sum(len(keys) for keys in found.values() if len(set(keys)) > 1)
    t = tables.roll_links
    with runtime.uow(write=True) as uow:
        uow.session.execute(delete(t).where(t.c.election_id == election_id))
        if links:
            uow.session.execute(
                insert(t),
                [
                    {"election_id": election_id, "person_key": p, "voter_key": v}
                    for p, v in sorted(links.items())
                ],
            )
        audit(
            uow,
            election_id,
            "roll.link_identities",
            "system",
            {"linked": len(links), "ambiguous": ambiguous},
            runtime.now(),
        )
        uow.commit()
    return LinkReport(len(links), ambiguous)


def _is_bad_code(exc: Exception) -> bool:
    return isinstance(exc, ServiceError) and exc.code == "session.bad_code"


def start_code_session(
    runtime: Runtime, election_id: str, code: str, *, source: str
) -> IssuedSession:
    """Exchange a voting code for a session behind the rate limiter (§AUTH-CODE, §AUTH-RATE).

    Raises:
        Unauthorized: ``session.bad_code`` for any wrong, used or malformed code.
        RateLimited: ``auth.rate_limited`` (429, ``retry_after``), never permanent.
        ServiceError: a closed election and the like, as the session service says.
    """
    from tohyo.app.auth.wiring import rate_limit_key

    key = rate_limit_key(runtime.settings.keys_dir)
    limiter = RateLimiter(runtime.engine, CODE_POLICY, key=key)
    try:
        return redeem_code(
            limiter,
            election_id=election_id,
            code=code,
            source=source,
            redeem=lambda value: start_session_with_code(runtime, election_id, value),
            is_bad_code=_is_bad_code,
            now=runtime.now(),
        )
    except CodeRejected as exc:
        raise Unauthorized("session.bad_code", "the voting code is not valid") from exc
