"""Chaum–Pedersen proof of equal discrete logs (spec §6.2).

Statement: X = [x]G and D = [x]A for public G, X, A, D. A trustee uses it to
show that its decryption share D of a ciphertext with first component A was
made with the secret behind its verification key X.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tohyo.crypto import _json
from tohyo.crypto.context import ProofContext
from tohyo.crypto.errors import InvalidProof
from tohyo.crypto.group import GENERATOR, Element, Scalar, base_mul
from tohyo.crypto.hashing import Dst, hash_to_scalar
from tohyo.crypto.randomness import SYSTEM, NonceSource

__all__ = ["EqualityProof", "prove_equality", "verify_equality"]


@dataclass(frozen=True, slots=True)
class EqualityProof:
    challenge: Scalar
    response: Scalar

    def to_json(self) -> dict[str, str]:
        return {"c": self.challenge.to_hex(), "z": self.response.to_hex()}

    @classmethod
    def from_json(cls, obj: Any) -> EqualityProof:
        fields = _json.expect_object(obj, {"c", "z"}, "equality proof")
        return cls(_json.scalar(fields["c"], "equality.c"), _json.scalar(fields["z"], "equality.z"))


def _challenge(
    context: ProofContext, x: Element, a: Element, d: Element, t1: Element, t2: Element
) -> Scalar:
    return hash_to_scalar(
        Dst.CHAUM_PEDERSEN,
        *context.parts(),
        GENERATOR.to_bytes(),
        x.to_bytes(),
        a.to_bytes(),
        d.to_bytes(),
        t1.to_bytes(),
        t2.to_bytes(),
    )


def prove_equality(context: ProofContext, secret: Scalar, base: Element) -> EqualityProof:
    """Prove that ``[secret]G`` and ``[secret]base`` share the exponent ``secret``."""
    return _prove_equality(context, secret, base, SYSTEM)


def _prove_equality(
    context: ProofContext, secret: Scalar, base: Element, nonces: NonceSource
) -> EqualityProof:
    w = nonces.scalar("chaum-pedersen-commitment")
    c = _challenge(context, base_mul(secret), base, base * secret, base_mul(w), base * w)
    return EqualityProof(c, w + c * secret)


def verify_equality(
    context: ProofContext, x: Element, base: Element, d: Element, proof: EqualityProof
) -> None:
    """Check that log_G(x) = log_base(d).

    Raises:
        InvalidProof: the proof does not verify, or ``x`` or ``base`` is the identity
            (for which any d would "verify" trivially).
    """
    if x.is_identity() or base.is_identity():
        raise InvalidProof("chaum-pedersen: degenerate statement (identity)")
    t1 = base_mul(proof.response) - x * proof.challenge
    t2 = base * proof.response - d * proof.challenge
    if _challenge(context, x, base, d, t1, t2) != proof.challenge:
        raise InvalidProof("chaum-pedersen: challenge mismatch")
