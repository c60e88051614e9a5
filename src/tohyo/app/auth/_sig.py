"""Signature checks shared by the JPKI verifier and the revocation client (hazmat).

Only the algorithms JPKI uses are accepted (docs/spec/authentication.md
§AUTH-JPKI-4): RSA (2048 bits or more) with PKCS#1 v1.5 and SHA-256, and ECDSA
on P-384 with SHA-384. Everything else raises ``TypeError`` or
``InvalidSignature``; callers map those to their own refusal codes.
"""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

__all__ = ["card_hash", "verify_certificate_signature", "verify_with_key"]


def verify_with_key(
    key: object, signature: bytes, data: bytes, algorithm: hashes.HashAlgorithm | None
) -> None:
    """Verify ``signature`` over ``data`` with ``algorithm`` (SHA-256 or stronger).

    Raises:
        InvalidSignature: the signature does not verify.
        TypeError: an unsupported key type, key size or hash.
    """
    if not isinstance(algorithm, hashes.SHA256 | hashes.SHA384 | hashes.SHA512):
        raise TypeError("unsupported hash")
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < 2048:
            raise TypeError("RSA key too small")
        key.verify(signature, data, padding.PKCS1v15(), algorithm)
        return
    if isinstance(key, ec.EllipticCurvePublicKey):
        if not isinstance(key.curve, ec.SECP256R1 | ec.SECP384R1):
            raise TypeError("unsupported curve")
        key.verify(signature, data, ec.ECDSA(algorithm))
        return
    raise TypeError("unsupported key type")


def verify_certificate_signature(issuer: x509.Certificate, cert: x509.Certificate) -> None:
    """Check that ``issuer``'s key signed ``cert`` and the names chain.

    Raises:
        InvalidSignature, TypeError, ValueError: not issued by ``issuer``.
    """
    if cert.issuer != issuer.subject:
        raise ValueError("issuer name does not match")
    verify_with_key(
        issuer.public_key(),
        cert.signature,
        cert.tbs_certificate_bytes,
        cert.signature_hash_algorithm,
    )


def card_hash(key: object) -> hashes.HashAlgorithm:
    """The hash a card uses with ``key``: SHA-256 for RSA, SHA-384 for P-384.

    Raises:
        TypeError: not a JPKI card key (RSA ≥ 2048 or ECDSA P-384).
    """
    if isinstance(key, rsa.RSAPublicKey) and key.key_size >= 2048:
        return hashes.SHA256()
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP384R1):
        return hashes.SHA384()
    raise TypeError("not a JPKI card key")
