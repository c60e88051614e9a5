"""Shamir polynomials, Feldman commitments and Lagrange coefficients (hazmat).

Implements the arithmetic of docs/spec/threshold.md §7.4 (secret polynomial
f(z) = a_0 + a_1 z + … + a_{t−1} z^{t−1} and its commitments A_k = [a_k]G),
§7.6 (the share check [s]G = Σ_k [j^k]A_k) and §8.3 (Lagrange coefficients at
zero). Secret coefficients are only ever combined with libsodium's
constant-time scalar operations; indices and Lagrange coefficients are public
and use Python integers.

Hazmat: callers want :mod:`tohyo.crypto.dkg` and :mod:`tohyo.crypto.decryption`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tohyo.crypto import _json
from tohyo.crypto.errors import InvalidEncoding
from tohyo.crypto.group import IDENTITY, ORDER, Element, Scalar, base_mul
from tohyo.crypto.randomness import NonceSource

__all__ = [
    "MAX_TRUSTEES",
    "Polynomial",
    "check_indices",
    "evaluate_commitments",
    "lagrange_at_zero",
    "sum_elements",
]

#: Largest number of trustees n (and so of coefficients t) (spec §7.1).
MAX_TRUSTEES = 255


def check_indices(indices: Sequence[int], what: str) -> None:
    """Indices must be distinct integers in [1, MAX_TRUSTEES] (spec §7.1).

    Raises:
        InvalidEncoding: a zero, negative, oversized or repeated index.
    """
    seen: set[int] = set()
    for index in indices:
        if isinstance(index, bool) or not isinstance(index, int):
            raise InvalidEncoding(f"{what}: an index must be an integer")
        if not 1 <= index <= MAX_TRUSTEES:
            raise InvalidEncoding(f"{what}: index {index} outside [1, {MAX_TRUSTEES}]")
        if index in seen:
            raise InvalidEncoding(f"{what}: index {index} appears twice")
        seen.add(index)


@dataclass(frozen=True, slots=True)
class Polynomial:
    """A secret polynomial of degree t − 1 over the scalars (spec §7.4).

    Attributes:
        coefficients: a_0, …, a_{t−1}; a_0 is the dealer's contribution to the
            joint secret. No coefficient is zero.
    """

    coefficients: tuple[Scalar, ...]

    def __post_init__(self) -> None:
        if not 1 <= len(self.coefficients) <= MAX_TRUSTEES:
            raise InvalidEncoding(f"polynomial: need 1 to {MAX_TRUSTEES} coefficients")
        if any(a.is_zero() for a in self.coefficients):
            raise InvalidEncoding("polynomial: a coefficient is zero")

    @classmethod
    def random(cls, degree_plus_one: int, nonces: NonceSource) -> Polynomial:
        """t uniformly random non-zero coefficients from ``nonces`` (label "dkg-coefficient")."""
        coefficients = []
        for _ in range(degree_plus_one):
            a = nonces.scalar("dkg-coefficient")
            while a.is_zero():  # probability 2^-252; excluded so that no A_k is the identity
                a = nonces.scalar("dkg-coefficient")
            coefficients.append(a)
        return cls(tuple(coefficients))

    def __call__(self, index: int) -> Scalar:
        """f(index), by Horner's rule with constant-time scalar operations."""
        x = Scalar.from_int(index)
        acc = self.coefficients[-1]
        for a in reversed(self.coefficients[:-1]):
            acc = acc * x + a
        return acc

    def commitments(self) -> tuple[Element, ...]:
        """The Feldman commitments A_k = [a_k]G (spec §7.4)."""
        return tuple(base_mul(a) for a in self.coefficients)

    def to_json(self) -> list[str]:
        """Secret: store only encrypted at rest."""
        return [a.to_hex() for a in self.coefficients]

    @classmethod
    def from_json(cls, obj: Any) -> Polynomial:
        return cls(_json.scalar_list(obj, "polynomial", max_len=MAX_TRUSTEES))

    def __repr__(self) -> str:
        return f"Polynomial(<{len(self.coefficients)} redacted coefficients>)"


def evaluate_commitments(commitments: Sequence[Element], index: int) -> Element:
    """Σ_k [index^k]A_k = [f(index)]G, by Horner's rule on points (spec §7.6).

    Costs t − 1 scalar multiplications and additions.
    """
    if not commitments:
        raise InvalidEncoding("commitments: empty")
    x = Scalar.from_int(index)
    acc = commitments[-1]
    for a in reversed(commitments[:-1]):
        acc = acc * x + a
    return acc


def sum_elements(elements: Sequence[Element]) -> Element:
    """Σ elements (the identity for an empty sequence)."""
    total = IDENTITY
    for e in elements:
        total = total + e
    return total


def lagrange_at_zero(indices: Sequence[int]) -> dict[int, Scalar]:
    """λ_j = Π_{m ≠ j} m / (m − j) mod ℓ for each j in ``indices`` (spec §8.3).

    Then f(0) = Σ_j λ_j f(j) for any polynomial f of degree < len(indices).
    Indices are public, so plain integer arithmetic is used.

    Raises:
        InvalidEncoding: an index repeats or lies outside [1, MAX_TRUSTEES].
    """
    check_indices(indices, "lagrange")
    coefficients: dict[int, Scalar] = {}
    for j in indices:
        numerator, denominator = 1, 1
        for m in indices:
            if m != j:
                numerator = numerator * m % ORDER
                denominator = denominator * (m - j) % ORDER
        coefficients[j] = Scalar.from_int(numerator * pow(denominator, -1, ORDER))
    return coefficients
