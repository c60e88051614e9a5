"""Revocation checks for card certificates (docs/spec/authentication.md §AUTH-JPKI-5).

OCSP first (RFC 6960, with a fresh nonce, response signed by the root or a
responder certificate the root issued for ``id-kp-OCSPSigning``), the CRL
second (signed by the root, inside its update window). The responder and CRL
URLs are *configured*, never taken from the certificate, so a card cannot
steer the server's requests. If neither source gives a fresh, authentic
answer the check fails closed with ``auth.revocation.unavailable``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID

from tohyo.app.auth._sig import verify_certificate_signature, verify_with_key
from tohyo.app.auth.errors import RevocationFailure

__all__ = ["RevocationChecker", "RevocationSources"]

_MAX_RESPONSE = 1 << 20
_SKEW = timedelta(minutes=5)


def _revoked() -> RevocationFailure:
    return RevocationFailure("auth.cert.revoked", "This card's certificate has been revoked.")


def _unavailable() -> RevocationFailure:
    return RevocationFailure(
        "auth.revocation.unavailable",
        "The card's revocation status cannot be checked now; please try again later.",
    )


class _SourceFailed(Exception):
    """This source gave no usable answer; try the next one."""


@dataclass(frozen=True, slots=True)
class RevocationSources:
    """Where to ask (§AUTH-JPKI-5). Either may be empty, not both."""

    ocsp_url: str = ""
    crl_url: str = ""
    timeout: float = 3.0


class RevocationChecker:
    """Checks one card certificate against its issuer's OCSP responder, then CRL."""

    def __init__(self, root: x509.Certificate, sources: RevocationSources) -> None:
        if not (sources.ocsp_url or sources.crl_url):
            raise ValueError("configure an OCSP responder or a CRL")
        self.root = root
        self.sources = sources

    def check(self, cert: x509.Certificate, *, now: datetime | None = None) -> str:
        """Return the source that vouched (``"ocsp"`` or ``"crl"``).

        Raises:
            RevocationFailure: ``auth.cert.revoked`` or ``auth.revocation.unavailable``.
        """
        moment = now or datetime.now(UTC)
        if self.sources.ocsp_url:
            try:
                self._check_ocsp(cert, moment)
                return "ocsp"
            except _SourceFailed:
                pass
        if self.sources.crl_url:
            try:
                self._check_crl(cert, moment)
                return "crl"
            except _SourceFailed:
                pass
        raise _unavailable()

    def _fetch(self, method: str, url: str, body: bytes | None = None) -> bytes:
        headers = {"Content-Type": "application/ocsp-request"} if body is not None else {}
        try:
            with httpx.Client(timeout=self.sources.timeout, follow_redirects=False) as client:
                response = client.request(method, url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise _SourceFailed from exc
        if response.status_code != 200 or len(response.content) > _MAX_RESPONSE:
            raise _SourceFailed
        return response.content

    # -- OCSP ----------------------------------------------------------------------------

    def _check_ocsp(self, cert: x509.Certificate, now: datetime) -> None:
        nonce = secrets.token_bytes(16)
        request = (
            ocsp.OCSPRequestBuilder()
            .add_certificate(cert, self.root, hashes.SHA256())
            .add_extension(x509.OCSPNonce(nonce), critical=False)
            .build()
        )
        der = request.public_bytes(serialization.Encoding.DER)
        raw = self._fetch("POST", self.sources.ocsp_url, der)
        try:
            response = ocsp.load_der_ocsp_response(raw)
        except ValueError as exc:
            raise _SourceFailed from exc
        if response.response_status is not ocsp.OCSPResponseStatus.SUCCESSFUL:
            raise _SourceFailed
        self._verify_ocsp_signer(response, now)
        try:
            echoed = response.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce
        except x509.ExtensionNotFound as exc:
            raise _SourceFailed from exc
        if not secrets.compare_digest(echoed, nonce):
            raise _SourceFailed  # a replayed response
        single = None
        for candidate in response.responses:
            if candidate.serial_number == cert.serial_number and (
                candidate.issuer_key_hash == request.issuer_key_hash
            ):
                single = candidate
        if single is None:
            raise _SourceFailed
        this_update = single.this_update_utc
        next_update = single.next_update_utc
        if this_update > now + _SKEW or (next_update is not None and next_update < now - _SKEW):
            raise _SourceFailed  # stale or from the future
        if single.certificate_status is ocsp.OCSPCertStatus.REVOKED:
            raise _revoked()
        if single.certificate_status is not ocsp.OCSPCertStatus.GOOD:
            raise _SourceFailed  # UNKNOWN: ask the CRL

    def _verify_ocsp_signer(self, response: ocsp.OCSPResponse, now: datetime) -> None:
        signer = self.root
        for candidate in response.certificates:
            if candidate.subject == self.root.subject and candidate == self.root:
                continue
            try:
                verify_certificate_signature(self.root, candidate)
                eku = candidate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
            except (InvalidSignature, ValueError, TypeError, x509.ExtensionNotFound) as exc:
                raise _SourceFailed from exc
            if ExtendedKeyUsageOID.OCSP_SIGNING not in eku:
                raise _SourceFailed
            if not candidate.not_valid_before_utc <= now <= candidate.not_valid_after_utc:
                raise _SourceFailed
            signer = candidate
        if response.signature_hash_algorithm is None:
            raise _SourceFailed
        try:
            verify_with_key(
                signer.public_key(),
                response.signature,
                response.tbs_response_bytes,
                response.signature_hash_algorithm,
            )
        except (InvalidSignature, ValueError, TypeError) as exc:
            raise _SourceFailed from exc

    # -- CRL -----------------------------------------------------------------------------

    def _check_crl(self, cert: x509.Certificate, now: datetime) -> None:
        raw = self._fetch("GET", self.sources.crl_url)
        try:
            crl = x509.load_der_x509_crl(raw)
        except ValueError as exc:
            raise _SourceFailed from exc
        try:
            verify_with_key(
                self.root.public_key(),
                crl.signature,
                crl.tbs_certlist_bytes,
                crl.signature_hash_algorithm,
            )
        except (InvalidSignature, ValueError, TypeError) as exc:
            raise _SourceFailed from exc
        if crl.issuer != self.root.subject:
            raise _SourceFailed
        next_update = crl.next_update_utc
        if crl.last_update_utc > now + _SKEW or next_update is None or next_update < now - _SKEW:
            raise _SourceFailed
        if crl.get_revoked_certificate_by_serial_number(cert.serial_number) is not None:
            raise _revoked()
