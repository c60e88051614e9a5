"""A JPKI-like test certificate authority (docs/spec/authentication.md §AUTH-TESTCA).

For tests and demonstrations only: it stands in for J-LIS, whose real
authority cannot be used here. The server side never imports this package.
"""

from tohyo.testca.ca import CardAlgorithm, CardRecord, IssuedCard, KeyUse, TestCA
from tohyo.testca.card import CardSignature, sign_challenge, sign_envelope, sign_message
from tohyo.testca.revocation import build_crl, build_ocsp_response
from tohyo.testca.server import RevocationServer

__all__ = [
    "CardAlgorithm",
    "CardRecord",
    "CardSignature",
    "IssuedCard",
    "KeyUse",
    "RevocationServer",
    "TestCA",
    "build_crl",
    "build_ocsp_response",
    "sign_challenge",
    "sign_envelope",
    "sign_message",
]
