"""Outer envelopes: the card's signature over each ballot (docs/spec/authentication.md §AUTH-ENV).

A card voter's booth has the card sign ``frame("tohyo/1/auth/jpki/envelope",
election_id, ballot_hash)`` (the tracker, 32 bytes) and sends ``{"certificate",
"signature"}`` as the cast request's ``envelope``. At cast time
(:func:`seal_for_cast`, called by ``casting.cast_ballot``) the envelope must
verify like a sign-in (chain, validity, profile, signature, revocation,
eligibility) *and* belong to the signed-in person; it is then stored in
``auth_envelopes`` in the same transaction as the ballot
(:func:`store_envelope`), never on the public board or in the record.

The auditor's check (:func:`audit_envelopes`, ``tohyo audit envelopes``) needs
no service secret: for every *counted* ballot (effective, not overridden by a
paper vote) of a card voter it re-verifies the envelope against the pinned
root (and a CRL, if given, at the signing time), re-applies the eligibility
rules to the certificate's address and birth date, and checks that no person
signed two counted ballots. Ballots of code or OIDC voters carry no envelope
and are counted apart.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy import insert, select

from tohyo.app.auth import tables
from tohyo.app.auth._time import as_utc
from tohyo.app.auth.challenges import Purpose, signed_message
from tohyo.app.auth.eligibility import TSUKUBA, AddressDirectory, check_eligible
from tohyo.app.auth.errors import AuthError, CertificateRejected, SignatureRejected
from tohyo.app.auth.identity import VoterAttributes, normalise_name
from tohyo.app.auth.jpki import (
    CardCheck,
    JpkiAuthenticator,
    check_card_certificate,
    load_certificate,
)
from tohyo.app.auth.jpki_profile import holder_from_certificate
from tohyo.app.services.common import load_election, manifest_of
from tohyo.app.services.identity import person_key, voter_key_for_person
from tohyo.app.services.runtime import Runtime
from tohyo.app.services.sessions import VoterSession, token_hash
from tohyo.app.store.models import Ballot, PaperOverride
from tohyo.app.store.retention import session_methods
from tohyo.app.store.uow import UnitOfWork
from tohyo.record.manifest import AuthMethod

__all__ = [
    "EnvelopeAudit",
    "EnvelopeRejected",
    "SealedEnvelope",
    "VERIFIER_CACHE_KEY",
    "audit_envelopes",
    "envelope_message",
    "seal_for_cast",
    "store_envelope",
]

#: Where the app puts its card verifier for the casting hook (``runtime.cache``).
VERIFIER_CACHE_KEY = "auth.jpki-verifier"
_MAX_B64 = 24 * 1024


class EnvelopeRejected(AuthError):
    """A missing, malformed or foreign envelope (``auth.envelope.*``, 400 or 403)."""

    http_status = 400


class _WrongVoter(EnvelopeRejected):
    http_status = 403


def envelope_message(election_id: str, ballot_hash: str) -> bytes:
    """The bytes the card signs for a ballot (§AUTH-ENV-1)."""
    return signed_message(Purpose.ENVELOPE, election_id, bytes.fromhex(ballot_hash))


@dataclass(frozen=True, slots=True)
class SealedEnvelope:
    """A verified envelope waiting to be stored with its ballot."""

    election_id: str
    ballot_hash: str
    voter_key: str
    certificate: bytes  #: DER
    signature: bytes


def _decode(value: object) -> bytes:
    if not isinstance(value, str) or len(value) > _MAX_B64:
        raise EnvelopeRejected(
            "auth.envelope.malformed", "The ballot's card signature is malformed."
        )
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise EnvelopeRejected(
            "auth.envelope.malformed", "The ballot's card signature is malformed."
        ) from exc


def seal_for_cast(
    runtime: Runtime,
    voter: VoterSession,
    token: str,
    ballot_hash: str,
    envelope: Any,
) -> SealedEnvelope | None:
    """Check the envelope a cast request carries (or its absence) before anything is stored.

    Card sessions must send one; other sessions must not (their ballots have no
    card to sign with, and an envelope there would tie a card to a code voter).

    Raises:
        EnvelopeRejected: ``auth.envelope.missing``, ``.unexpected``, ``.malformed``
            (400), ``.wrong_voter`` (403: another person's card).
        CertificateRejected, RevocationFailure, NotEligibleVoter: as at sign-in.
        SignatureRejected: ``auth.envelope.bad_signature``.
    """
    with runtime.uow() as uow:
        row = uow.voter_session(token_hash(token))
        method = row.method if row is not None else ""
        rules = manifest_of(runtime, load_election(uow, voter.election_id)).eligibility
    if method != AuthMethod.JPKI.value:
        if envelope is not None:
            raise EnvelopeRejected(
                "auth.envelope.unexpected", "Only ballots of card voters carry a card signature."
            )
        return None
    if not isinstance(envelope, dict) or set(envelope) != {"certificate", "signature"}:
        raise EnvelopeRejected(
            "auth.envelope.missing",
            "A card voter's ballot needs the card's signature over its ballot hash.",
        )
    certificate = _decode(envelope["certificate"])
    signature = _decode(envelope["signature"])
    verifier: JpkiAuthenticator | None = runtime.cache.get(VERIFIER_CACHE_KEY)
    if verifier is None:
        raise EnvelopeRejected("auth.envelope.unavailable", "Card signatures cannot be checked.")
    now = runtime.now()
    cert = load_certificate(certificate)
    verifier.check_certificate_static(cert, now=now)
    try:
        verifier.verify_signature(cert, envelope_message(voter.election_id, ballot_hash), signature)
    except SignatureRejected as exc:
        raise SignatureRejected(
            "auth.envelope.bad_signature", "The card's signature does not match this ballot."
        ) from exc
    source = verifier.revocation.check(cert, now=now)
    verified = verifier.voter_from(CardCheck(cert, holder_from_certificate(cert), source), rules)
    pkey = person_key(runtime, voter.election_id, verified.identity_key)
    if voter_key_for_person(runtime, voter.election_id, pkey) != voter.voter_key:
        raise _WrongVoter(
            "auth.envelope.wrong_voter", "The ballot was signed with another person's card."
        )
    der = cert.public_bytes(Encoding.DER)
    return SealedEnvelope(voter.election_id, ballot_hash, voter.voter_key, der, signature)


def store_envelope(uow: UnitOfWork, sealed: SealedEnvelope, now: datetime) -> None:
    """Insert the envelope in the cast's own transaction (so no counted card ballot lacks one)."""
    uow.session.execute(
        insert(tables.envelopes).values(
            election_id=sealed.election_id,
            ballot_hash=sealed.ballot_hash,
            voter_key=sealed.voter_key,
            certificate=sealed.certificate,
            signature=sealed.signature,
            signed_at=now,
        )
    )


# ---------------------------------------------------------------- the auditor's check


@dataclass(frozen=True, slots=True)
class EnvelopeAudit:
    """What :func:`audit_envelopes` found (no names, no certificate contents).

    Attributes:
        counted: counted ballots (effective, not overridden by paper).
        card_signed: counted ballots whose envelope passed every check.
        other_methods: counted ballots of code or OIDC voters (no envelope expected).
        problems: ``(ballot_hash, code)`` for each counted card ballot that failed.
    """

    election_id: str
    counted: int
    card_signed: int
    other_methods: int
    problems: tuple[tuple[str, str], ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "election_id": self.election_id,
            "counted": self.counted,
            "card_signed": self.card_signed,
            "other_methods": self.other_methods,
            "problems": [{"ballot_hash": h, "code": c} for h, c in self.problems],
            "ok": self.ok,
        }


def _crl_revoked_before(
    crl: x509.CertificateRevocationList | None, cert: x509.Certificate, moment: datetime
) -> bool:
    if crl is None:
        return False
    entry = crl.get_revoked_certificate_by_serial_number(cert.serial_number)
    return entry is not None and entry.revocation_date_utc <= moment


def audit_envelopes(
    runtime: Runtime,
    election_id: str,
    *,
    root: x509.Certificate,
    crl: x509.CertificateRevocationList | None = None,
    directory: AddressDirectory = TSUKUBA,
) -> EnvelopeAudit:
    """Check that every counted card ballot was signed by an eligible, distinct card holder.

    Needs the pinned root (and optionally a CRL signed by it), not the
    service's keys: the auditor re-derives everything from the certificates.
    """
    if crl is not None and not crl.is_signature_valid(root.public_key()):  # type: ignore[arg-type]
        raise ValueError("the CRL is not signed by the root")
    with runtime.uow() as uow:
        manifest = manifest_of(runtime, load_election(uow, election_id))
        session = uow.session
        overridden = set(
            session.scalars(
                select(PaperOverride.credential).where(PaperOverride.election_id == election_id)
            )
        )
        counted = [
            (b.credential, b.ballot_hash)
            for b in session.scalars(
                select(Ballot).where(Ballot.election_id == election_id, Ballot.state == "effective")
            )
            if b.credential not in overridden
        ]
        methods = session_methods(session, election_id)  # purged sessions too
        # Voters who only ever signed in with a card: every ballot of theirs needs an
        # envelope. (One who also used a letter may have cast their last ballot by code.)
        card_credentials = {c for c, m in methods.items() if m == {AuthMethod.JPKI.value}}
        t = tables.envelopes
        stored: Mapping[str, Any] = {
            r.ballot_hash: r
            for r in session.execute(select(t).where(t.c.election_id == election_id))
        }
    only_cards = manifest.authentication == (AuthMethod.JPKI,)
    problems: list[tuple[str, str]] = []
    persons: dict[tuple[str, str], str] = {}
    signed = other = 0
    for credential, ballot_hash in counted:
        row = stored.get(ballot_hash)
        if row is None:
            if only_cards or credential in card_credentials:
                problems.append((ballot_hash, "auth.envelope.missing"))
            else:
                other += 1
            continue
        try:
            cert = load_certificate(bytes(row.certificate))
            at = as_utc(row.signed_at)
            check_card_certificate(root, cert, now=at)
            JpkiAuthenticator.verify_signature(
                cert, envelope_message(election_id, ballot_hash), bytes(row.signature)
            )
            if _crl_revoked_before(crl, cert, at):
                raise CertificateRejected("auth.cert.revoked", "revoked before signing")
            holder = holder_from_certificate(cert)
            code, district = directory.resolve(holder.address)
            check_eligible(manifest.eligibility, VoterAttributes(holder.birth_date, code, district))
        except AuthError as exc:
            problems.append((ballot_hash, exc.code))
            continue
        except ValueError:
            problems.append((ballot_hash, "auth.cert.profile"))
            continue
        person = (normalise_name(holder.name), holder.birth_date.isoformat())
        if person in persons and persons[person] != credential:
            problems.append((ballot_hash, "auth.envelope.same_person"))
            continue
        persons[person] = credential
        signed += 1
    return EnvelopeAudit(election_id, len(counted), signed, other, tuple(problems))
