"""The test CA's CRL and OCSP responses (docs/spec/authentication.md §AUTH-TESTCA-2).

The CRL is signed by the root itself; OCSP responses are signed by the
delegated responder certificate (``id-kp-OCSPSigning``, issued by the root),
as RFC 6960 §4.2.2.2 allows, and echo the request's nonce. Both are rebuilt
from the index at every call, so a revocation shows at once.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp

from tohyo.testca.ca import TestCA

__all__ = ["build_crl", "build_ocsp_response"]

_REASONS = {
    "unspecified": x509.ReasonFlags.unspecified,
    "key_compromise": x509.ReasonFlags.key_compromise,
    "affiliation_changed": x509.ReasonFlags.affiliation_changed,  # e.g. moved away
    "superseded": x509.ReasonFlags.superseded,
    "cessation_of_operation": x509.ReasonFlags.cessation_of_operation,
}


def _reason(text: str) -> x509.ReasonFlags:
    return _REASONS.get(text, x509.ReasonFlags.unspecified)


def build_crl(ca: TestCA, *, now: datetime | None = None, hours: int = 24) -> bytes:
    """A DER CRL listing every revoked card, valid for ``hours``."""
    moment = (now or datetime.now(UTC)).replace(microsecond=0)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.root_cert.subject)
        .last_update(moment - timedelta(minutes=1))
        .next_update(moment + timedelta(hours=hours))
    )
    for record in ca.records():
        if record.revoked_at is None:
            continue
        entry = (
            x509.RevokedCertificateBuilder()
            .serial_number(record.serial)
            .revocation_date(record.revoked_at)
            .add_extension(x509.CRLReason(_reason(record.reason)), critical=False)
            .build()
        )
        builder = builder.add_revoked_certificate(entry)
    crl = builder.sign(ca.root_key, hashes.SHA256())
    return crl.public_bytes(serialization.Encoding.DER)


def build_ocsp_response(ca: TestCA, request_der: bytes, *, now: datetime | None = None) -> bytes:
    """Answer one OCSP request (DER in, DER out); malformed requests get MALFORMED_REQUEST."""
    moment = (now or datetime.now(UTC)).replace(microsecond=0)
    try:
        request = ocsp.load_der_ocsp_request(request_der)
    except ValueError:
        return _unsuccessful(ocsp.OCSPResponseStatus.MALFORMED_REQUEST)
    if request.issuer_key_hash != _key_hash(ca, request.hash_algorithm):
        return _unsuccessful(ocsp.OCSPResponseStatus.UNAUTHORIZED)
    try:
        record = ca.record(request.serial_number)
    except KeyError:
        return _unsuccessful(ocsp.OCSPResponseStatus.UNAUTHORIZED)
    status = ocsp.OCSPCertStatus.GOOD if record.revoked_at is None else ocsp.OCSPCertStatus.REVOKED
    # Answer by hash: the CertID is echoed exactly as the client computed it.
    builder = ocsp.OCSPResponseBuilder().add_response_by_hash(
        issuer_name_hash=request.issuer_name_hash,
        issuer_key_hash=request.issuer_key_hash,
        serial_number=request.serial_number,
        algorithm=request.hash_algorithm,
        cert_status=status,
        this_update=moment - timedelta(minutes=1),
        next_update=moment + timedelta(hours=1),
        revocation_time=record.revoked_at,
        revocation_reason=_reason(record.reason) if record.revoked_at else None,
    )
    builder = builder.responder_id(ocsp.OCSPResponderEncoding.HASH, ca.ocsp_cert)
    builder = builder.certificates([ca.ocsp_cert])
    for ext in request.extensions:
        if isinstance(ext.value, x509.OCSPNonce):
            builder = builder.add_extension(ext.value, critical=False)
    response = builder.sign(ca.ocsp_key, hashes.SHA256())
    return response.public_bytes(serialization.Encoding.DER)


def _key_hash(ca: TestCA, algorithm: hashes.HashAlgorithm) -> bytes:
    der = ca.root_cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.PKCS1
    )
    digest = hashes.Hash(algorithm)
    digest.update(der)
    return digest.finalize()


def _unsuccessful(status: ocsp.OCSPResponseStatus) -> bytes:
    return ocsp.OCSPResponseBuilder.build_unsuccessful(status).public_bytes(
        serialization.Encoding.DER
    )
