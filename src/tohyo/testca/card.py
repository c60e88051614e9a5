"""The card-reader app's part, for tests and the demo (docs/spec/authentication.md §AUTH-JPKI-3).

A real My Number Card signs inside the chip after the holder types the
signature PIN; here the "card" is a PKCS#12 file and its password stands in
for the PIN. The bytes signed are exactly the server's framed message.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from tohyo.app.auth.challenges import Purpose, decode_challenge, signed_message

__all__ = ["CardSignature", "sign_challenge", "sign_envelope", "sign_message"]


@dataclass(frozen=True, slots=True)
class CardSignature:
    certificate: bytes  #: DER
    signature: bytes


def sign_message(card: bytes, password: bytes, message: bytes) -> CardSignature:
    """Sign ``message`` with the card's key (RSA PKCS#1 v1.5 SHA-256, or ECDSA P-384 SHA-384).

    Raises:
        ValueError: a wrong password (PIN) or a file that is not a card.
    """
    key, cert, _ = pkcs12.load_key_and_certificates(card, password)
    if cert is None or key is None:
        raise ValueError("the card holds no key and certificate")
    if isinstance(key, rsa.RSAPrivateKey):
        signature = key.sign(message, padding.PKCS1v15(), hashes.SHA256())
    elif isinstance(key, ec.EllipticCurvePrivateKey):
        signature = key.sign(message, ec.ECDSA(hashes.SHA384()))
    else:
        raise ValueError("unsupported card key")
    return CardSignature(cert.public_bytes(serialization.Encoding.DER), signature)


def sign_challenge(card: bytes, password: bytes, election_id: str, challenge: str) -> CardSignature:
    """Sign a sign-in challenge as the server framed it."""
    message = signed_message(Purpose.SIGN_IN, election_id, decode_challenge(challenge))
    return sign_message(card, password, message)


def sign_envelope(
    card: bytes, password: bytes, election_id: str, ballot_hash: bytes
) -> CardSignature:
    """Sign a ballot hash: the outer envelope (§AUTH-JPKI-7)."""
    return sign_message(card, password, signed_message(Purpose.ENVELOPE, election_id, ballot_hash))
