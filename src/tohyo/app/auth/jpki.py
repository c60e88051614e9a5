"""Sign-in with a My Number Card–style signature (docs/spec/authentication.md §AUTH-JPKI).

The flow (§AUTH-JPKI-1): the server issues a single-use challenge; the
card-reader app (``tohyo card sign`` here) signs the framed challenge with the
card's signature key; the browser posts certificate and signature back;
:meth:`JpkiAuthenticator.authenticate` checks, in this order, each with its
own refusal code (§AUTH-JPKI-6):

1. the challenge: known, unused, unexpired, for this election (consumed first);
2. the certificate: parses (DER or PEM); is not self-signed; chains to the
   pinned root; is an end-entity signature certificate (``digitalSignature``
   and ``nonRepudiation``); is inside its validity period; follows the
   basic-four-items profile;
3. the signature: RSA PKCS#1 v1.5 SHA-256 or ECDSA P-384 SHA-384;
4. revocation: OCSP, then the CRL, failing closed;
5. eligibility from the certificate's address and birth date;

and returns a :class:`VerifiedVoter` whose identity key is stable across a
re-issued card (§AUTH-ID-2).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm

from tohyo.app.auth._sig import card_hash, verify_certificate_signature, verify_with_key
from tohyo.app.auth._time import utcnow
from tohyo.app.auth.challenges import (
    Challenge,
    ChallengeStore,
    Purpose,
    decode_challenge,
    signed_message,
)
from tohyo.app.auth.eligibility import AddressDirectory, check_eligible
from tohyo.app.auth.errors import CertificateRejected, SignatureRejected
from tohyo.app.auth.identity import (
    AuthMethodName,
    IdentityKeyer,
    VerifiedVoter,
    VoterAttributes,
)
from tohyo.app.auth.jpki_profile import CardHolder, ProfileError, holder_from_certificate
from tohyo.app.auth.revocation import RevocationChecker
from tohyo.record.manifest import Eligibility

__all__ = ["CardCheck", "JpkiAuthenticator", "check_card_certificate", "load_certificate"]

_MAX_CERT = 16 * 1024


def _reject(code: str, message: str) -> CertificateRejected:
    return CertificateRejected(code, message)


def load_certificate(data: bytes) -> x509.Certificate:
    """Parse one certificate, DER or PEM.

    Raises:
        CertificateRejected: ``auth.cert.malformed`` (garbage, truncated, too large).
    """
    if not data or len(data) > _MAX_CERT:
        raise _reject("auth.cert.malformed", "The card certificate could not be read.")
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            cert = x509.load_pem_x509_certificate(data)
        else:
            cert = x509.load_der_x509_certificate(data)
        # The library parses these lazily; a malformed one would raise later, outside
        # every refusal (found by fuzzing: a bad issuer name was a 500).
        _ = (cert.issuer, cert.subject, cert.not_valid_before_utc, cert.not_valid_after_utc)
        cert.public_key()
    except (ValueError, TypeError, x509.InvalidVersion, UnsupportedAlgorithm) as exc:
        # a bad name attribute is a TypeError; InvalidVersion, UnsupportedAlgorithm neither
        raise _reject("auth.cert.malformed", "The card certificate could not be read.") from exc
    return cert


def check_card_certificate(
    root: x509.Certificate, cert: x509.Certificate, *, now: datetime
) -> CardHolder:
    """Chain to ``root``, usage, validity at ``now`` and profile (§AUTH-JPKI-6, step 2).

    Also what an auditor runs on a stored envelope, at its signing time.

    Raises:
        CertificateRejected: ``auth.cert.self_signed``, ``.untrusted``, ``.wrong_usage``,
            ``.not_yet_valid``, ``.expired``, ``.profile``.
    """
    if cert.issuer == cert.subject and cert != root:
        raise _reject("auth.cert.self_signed", "A self-signed certificate is not a card.")
    try:
        verify_certificate_signature(root, cert)
    except (InvalidSignature, TypeError, ValueError) as exc:
        raise _reject(
            "auth.cert.untrusted", "The certificate was not issued by the trusted authority."
        ) from exc
    _check_usage(cert)
    if now < cert.not_valid_before_utc:
        raise _reject("auth.cert.not_yet_valid", "The card certificate is not yet valid.")
    if now > cert.not_valid_after_utc:
        raise _reject("auth.cert.expired", "The card certificate has expired.")
    try:
        return holder_from_certificate(cert)
    except ProfileError as exc:
        raise _reject(
            "auth.cert.profile", "The certificate is not a signature certificate of a card."
        ) from exc


def _check_usage(cert: x509.Certificate) -> None:
    wrong = _reject(
        "auth.cert.wrong_usage", "The certificate is not the card's signature certificate."
    )
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
        basic = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except (
        x509.ExtensionNotFound,
        x509.DuplicateExtension,  # no ValueError (found by fuzzing)
        x509.UnsupportedGeneralNameType,
        ValueError,
    ) as exc:
        raise wrong from exc
    if basic.ca or usage.key_cert_sign:
        raise wrong
    if not (usage.digital_signature and usage.content_commitment):
        raise wrong


@dataclass(frozen=True, slots=True)
class CardCheck:
    """A certificate that passed steps 2–4, with its holder's items."""

    certificate: x509.Certificate
    holder: CardHolder
    revocation_source: str  #: ``"ocsp"`` or ``"crl"``


class JpkiAuthenticator:
    """Verifies signed challenges against one pinned root (§AUTH-JPKI)."""

    def __init__(
        self,
        *,
        root: x509.Certificate,
        revocation: RevocationChecker,
        challenges: ChallengeStore,
        keyer: IdentityKeyer,
        directory: AddressDirectory,
    ) -> None:
        self.root = root
        self.revocation = revocation
        self.challenges = challenges
        self.keyer = keyer
        self.directory = directory

    def begin(self, election_id: str, *, now: datetime | None = None) -> Challenge:
        """Issue a sign-in challenge (§AUTH-JPKI-3)."""
        return self.challenges.issue(election_id, Purpose.SIGN_IN, now=now)

    def authenticate(
        self,
        *,
        election_id: str,
        rules: Eligibility,
        challenge: str,
        certificate: bytes,
        signature: bytes,
        now: datetime | None = None,
    ) -> VerifiedVoter:
        """Check a signed challenge and return the eligible voter (§AUTH-JPKI-6).

        Raises:
            ChallengeRejected, CertificateRejected, SignatureRejected,
            RevocationFailure, NotEligibleVoter: each with its stable code.
        """
        moment = utcnow(now)
        value = decode_challenge(challenge)
        self.challenges.consume(value, election_id, Purpose.SIGN_IN, now=moment)
        cert = load_certificate(certificate)
        self.check_certificate_static(cert, now=moment)
        self.verify_signature(cert, signed_message(Purpose.SIGN_IN, election_id, value), signature)
        source = self.revocation.check(cert, now=moment)
        check = CardCheck(cert, holder_from_certificate(cert), source)
        return self.voter_from(check, rules)

    def voter_from(self, check: CardCheck, rules: Eligibility) -> VerifiedVoter:
        """Eligibility and identity from a checked card (§AUTH-ELIG, §AUTH-ID-2)."""
        code, district = self.directory.resolve(check.holder.address)
        attributes = VoterAttributes(check.holder.birth_date, code, district)
        check_eligible(rules, attributes)
        key = self.keyer.for_card_holder(check.holder.name, check.holder.birth_date)
        return VerifiedVoter(key, attributes, AuthMethodName.JPKI, resident=True)

    def check_certificate_static(self, cert: x509.Certificate, *, now: datetime) -> CardHolder:
        """Steps 2 (chain, usage, validity, profile) without the network.

        Raises:
            CertificateRejected: see :func:`check_card_certificate`.
        """
        return check_card_certificate(self.root, cert, now=now)

    @staticmethod
    def verify_signature(cert: x509.Certificate, message: bytes, signature: bytes) -> None:
        """Step 3: the card's signature over ``message``.

        Raises:
            CertificateRejected: ``auth.cert.unsupported_key``.
            SignatureRejected: ``auth.signature.invalid``.
        """
        key = cert.public_key()
        try:
            algorithm = card_hash(key)
        except TypeError as exc:
            raise _reject(
                "auth.cert.unsupported_key", "The card's key type is not supported."
            ) from exc
        try:
            verify_with_key(key, signature, message, algorithm)
        except (InvalidSignature, TypeError, ValueError) as exc:
            raise SignatureRejected(
                "auth.signature.invalid", "The signature does not match the challenge."
            ) from exc
