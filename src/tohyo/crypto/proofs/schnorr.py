"""Schnorr proof of knowledge of a discrete log (spec §6.1).

Statement: X = [x]G. Used by trustees to prove they know the secret behind each
key they publish, which defeats rogue-key attacks in key generation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tohyo.crypto import _json
from tohyo.crypto.context import ProofContext
from tohyo.crypto.errors import InvalidEncoding, InvalidProof
from tohyo.crypto.group import GENERATOR, Element, Scalar, base_mul
from tohyo.crypto.hashing import Dst, hash_to_scalar
from tohyo.crypto.randomness import SYSTEM, NonceSource

__all__ = ["SchnorrProof", "prove_knowledge", "verify_knowledge"]


@dataclass(frozen=True, slots=True)
class SchnorrProof:
    challenge: Scalar
    response: Scalar

    def to_json(self) -> dict[str, str]:
        return {"c": self.challenge.to_hex(), "z": self.response.to_hex()}

    @classmethod
    def from_json(cls, obj: Any) -> SchnorrProof:
        fields = _json.expect_object(obj, {"c", "z"}, "schnorr proof")
        return cls(_json.scalar(fields["c"], "schnorr.c"), _json.scalar(fields["z"], "schnorr.z"))


def _challenge(context: ProofContext, public: Element, commitment: Element) -> Scalar:
    return hash_to_scalar(
        Dst.SCHNORR,
        *context.parts(),
        GENERATOR.to_bytes(),
        public.to_bytes(),
        commitment.to_bytes(),
    )


def prove_knowledge(context: ProofContext, secret: Scalar) -> SchnorrProof:
    """Prove knowledge of ``secret`` for the public value ``[secret]G``."""
    return _prove_knowledge(context, secret, SYSTEM)


def _prove_knowledge(context: ProofContext, secret: Scalar, nonces: NonceSource) -> SchnorrProof:
    if secret.is_zero():
        raise InvalidEncoding("schnorr: the secret must not be zero")
    w = nonces.scalar("schnorr-commitment")
    c = _challenge(context, base_mul(secret), base_mul(w))
    return SchnorrProof(c, w + c * secret)


def verify_knowledge(context: ProofContext, public: Element, proof: SchnorrProof) -> None:
    """Check the proof for ``public``.

    Raises:
        InvalidProof: the proof does not verify, or ``public`` is the identity.
    """
    if public.is_identity():
        raise InvalidProof("schnorr: the public value is the identity")
    commitment = base_mul(proof.response) - public * proof.challenge
    if _challenge(context, public, commitment) != proof.challenge:
        raise InvalidProof("schnorr: challenge mismatch")
