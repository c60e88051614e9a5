"""Disjunctive proof that a ciphertext encrypts an integer in [lo, hi] (spec §6.3).

The Cramer–Damgård–Schoenmakers OR-composition of Chaum–Pedersen proofs: one
branch per value j in [lo, hi], each claiming that (α, β − [j]G) is an
encryption of zero. The prover simulates every branch but the true one; the
branch challenges must sum to the Fiat–Shamir challenge, which binds the
context, the key, the ciphertext, the range and every commitment.

It serves 0/1 selections, the count of a question's selections (min..max) and
rating levels.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from tohyo.crypto import _json
from tohyo.crypto.context import ProofContext
from tohyo.crypto.elgamal import Ciphertext, PublicKey
from tohyo.crypto.errors import InvalidEncoding, InvalidProof
from tohyo.crypto.group import GENERATOR, IDENTITY, Element, Scalar, base_mul
from tohyo.crypto.hashing import Dst, hash_to_scalar, u64
from tohyo.crypto.randomness import SYSTEM, NonceSource

__all__ = ["RangeProof", "prove_range", "verify_range", "MAX_RANGE_WIDTH"]

#: Most branches one proof may have (spec §6.3): bounds proof size and work.
MAX_RANGE_WIDTH = 256

_ZERO = Scalar.from_int(0)


@dataclass(frozen=True, slots=True)
class RangeProof:
    """Branch challenges c_lo..c_hi and responses z_lo..z_hi."""

    challenges: tuple[Scalar, ...]
    responses: tuple[Scalar, ...]

    def to_json(self) -> dict[str, list[str]]:
        return {
            "c": [c.to_hex() for c in self.challenges],
            "z": [z.to_hex() for z in self.responses],
        }

    @classmethod
    def from_json(cls, obj: Any) -> RangeProof:
        fields = _json.expect_object(obj, {"c", "z"}, "range proof")
        challenges = _json.scalar_list(fields["c"], "range.c", max_len=MAX_RANGE_WIDTH)
        responses = _json.scalar_list(fields["z"], "range.z", max_len=MAX_RANGE_WIDTH)
        if len(challenges) != len(responses) or not challenges:
            raise InvalidEncoding("range proof: c and z must be non-empty and of equal length")
        return cls(challenges, responses)


def _check_range(lo: int, hi: int) -> None:
    if not (isinstance(lo, int) and isinstance(hi, int)) or lo < 0 or hi < lo:
        raise InvalidEncoding("range: need 0 <= lo <= hi")
    if hi - lo + 1 > MAX_RANGE_WIDTH:
        raise InvalidEncoding(f"range: at most {MAX_RANGE_WIDTH} values")


def _challenge(
    context: ProofContext,
    key: PublicKey,
    ct: Ciphertext,
    lo: int,
    hi: int,
    commitments: list[bytes],
) -> Scalar:
    return hash_to_scalar(
        Dst.RANGE,
        *context.parts(),
        GENERATOR.to_bytes(),
        key.element.to_bytes(),
        ct.alpha.to_bytes(),
        ct.beta.to_bytes(),
        u64(lo),
        u64(hi),
        *commitments,
    )


@lru_cache(maxsize=2 * MAX_RANGE_WIDTH)
def _multiple_of_generator(j: int) -> Element:
    """[j]G for a public j, cached: the same few shifts recur in every proof."""
    return base_mul(Scalar.from_int(j))


def _shifted_beta(beta: Element, j: int) -> Element:
    """β − [j]G: the β of the branch claiming the message is j."""
    return beta if j == 0 else beta - _multiple_of_generator(j)


def prove_range(
    context: ProofContext,
    key: PublicKey,
    ct: Ciphertext,
    message: int,
    nonce: Scalar,
    lo: int,
    hi: int,
) -> RangeProof:
    """Prove that ``ct`` (made with ``message`` and ``nonce``) encrypts a value in [lo, hi].

    Raises:
        InvalidEncoding: a bad range, or ``message`` outside it.
    """
    return _prove_range(context, key, ct, message, nonce, lo, hi, SYSTEM)


def _prove_range(
    context: ProofContext,
    key: PublicKey,
    ct: Ciphertext,
    message: int,
    nonce: Scalar,
    lo: int,
    hi: int,
    nonces: NonceSource,
) -> RangeProof:
    _check_range(lo, hi)
    if not lo <= message <= hi:
        raise InvalidEncoding("range: the message lies outside the range")
    k = key.element
    commitments: list[bytes] = []
    challenges: list[Scalar] = []
    responses: list[Scalar] = []
    w = nonces.scalar("range-commitment")
    for j in range(lo, hi + 1):
        if j == message:
            a, b = base_mul(w), k * w
            challenges.append(_ZERO)  # fixed below
            responses.append(_ZERO)
        else:
            c_j = nonces.scalar("range-simulated-challenge")
            z_j = nonces.scalar("range-simulated-response")
            a = base_mul(z_j) - ct.alpha * c_j
            b = k * z_j - _shifted_beta(ct.beta, j) * c_j
            challenges.append(c_j)
            responses.append(z_j)
        commitments += (a.to_bytes(), b.to_bytes())
    c = _challenge(context, key, ct, lo, hi, commitments)
    i = message - lo
    c_true = c
    for j, c_j in enumerate(challenges):
        if j != i:
            c_true = c_true - c_j
    challenges[i] = c_true
    responses[i] = w + c_true * nonce
    return RangeProof(tuple(challenges), tuple(responses))


def verify_range(
    context: ProofContext,
    key: PublicKey,
    ct: Ciphertext,
    proof: RangeProof,
    lo: int,
    hi: int,
) -> None:
    """Check that ``ct`` encrypts a value in [lo, hi] under ``key``.

    Raises:
        InvalidProof: wrong number of branches, a degenerate ciphertext, or a
            challenge that does not match.
        InvalidEncoding: a bad range.
    """
    _check_range(lo, hi)
    width = hi - lo + 1
    if len(proof.challenges) != width or len(proof.responses) != width:
        raise InvalidProof(f"range: expected {width} branches")
    if ct.alpha == IDENTITY:
        raise InvalidProof("range: α is the identity (a nonce of zero)")
    k = key.element
    commitments: list[bytes] = []
    total = _ZERO
    for offset, (c_j, z_j) in enumerate(zip(proof.challenges, proof.responses, strict=True)):
        a = base_mul(z_j) - ct.alpha * c_j
        b = k * z_j - _shifted_beta(ct.beta, lo + offset) * c_j
        commitments += (a.to_bytes(), b.to_bytes())
        total = total + c_j
    if _challenge(context, key, ct, lo, hi, commitments) != total:
        raise InvalidProof("range: challenges do not sum to the Fiat–Shamir challenge")
