"""Exponential ElGamal over ristretto255 (spec §5).

A message m is encoded as [m]G, so ciphertexts add: the sum of encryptions of
m1 and m2 is an encryption of m1 + m2. Decryption yields [m]G; recovering m
takes a bounded discrete log (:mod:`tohyo.crypto.dlog`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tohyo.crypto import _json
from tohyo.crypto.errors import InvalidEncoding, InvalidKey
from tohyo.crypto.group import IDENTITY, Element, Scalar, base_mul
from tohyo.crypto.randomness import SYSTEM, NonceSource

__all__ = [
    "PublicKey",
    "KeyPair",
    "Ciphertext",
    "generate_keypair",
    "encrypt",
    "decrypt_to_element",
    "encode_message",
]

#: Largest message a single encryption may carry (spec §5.2): a vote count.
MAX_MESSAGE = 2**32


@dataclass(frozen=True, slots=True)
class PublicKey:
    """An election public key K = [x]G; never the identity (spec §5.1)."""

    element: Element

    def __post_init__(self) -> None:
        if self.element.is_identity():
            raise InvalidKey("public key: the identity is not a key")

    @classmethod
    def from_hex(cls, text: str) -> PublicKey:
        try:
            return cls(Element.from_hex(text))
        except InvalidEncoding as exc:
            raise InvalidKey(f"public key: {exc}") from None

    def to_hex(self) -> str:
        return self.element.to_hex()


@dataclass(frozen=True, slots=True)
class KeyPair:
    """A secret scalar x and its public key [x]G (single-authority; tests and trustees)."""

    secret: Scalar
    public: PublicKey

    def __repr__(self) -> str:
        return f"KeyPair(public={self.public.to_hex()})"


@dataclass(frozen=True, slots=True)
class Ciphertext:
    """(α, β) = ([r]G, [m]G + [r]K) (spec §5.2)."""

    alpha: Element
    beta: Element

    def __add__(self, other: Ciphertext) -> Ciphertext:
        """Homomorphic addition: encrypts the sum of the messages (spec §5.3)."""
        return Ciphertext(self.alpha + other.alpha, self.beta + other.beta)

    def scale(self, factor: Scalar) -> Ciphertext:
        """Encrypts ``factor × m`` (spec §5.3)."""
        return Ciphertext(self.alpha * factor, self.beta * factor)

    def to_json(self) -> dict[str, str]:
        return {"alpha": self.alpha.to_hex(), "beta": self.beta.to_hex()}

    @classmethod
    def from_json(cls, obj: Any, *, aggregate: bool = False) -> Ciphertext:
        """Decode a ciphertext (spec §5.2).

        A cast ciphertext whose α is the identity was made with r = 0 and shows its
        message in the clear, so it is refused; β may be anything valid. Aggregates
        (``aggregate=True``) may hold the identity in either component.

        Raises:
            InvalidEncoding: bad fields, bad encodings, or a degenerate α.
        """
        fields = _json.expect_object(obj, {"alpha", "beta"}, "ciphertext")
        alpha = _json.element(fields["alpha"], "ciphertext.alpha", allow_identity=aggregate)
        beta = _json.element(fields["beta"], "ciphertext.beta", allow_identity=True)
        return cls(alpha, beta)


#: The encryption of 0 with r = 0: the neutral element for sums.
ZERO = Ciphertext(IDENTITY, IDENTITY)


def generate_keypair() -> KeyPair:
    x = SYSTEM.scalar("elgamal-secret")
    return KeyPair(x, PublicKey(base_mul(x)))


def encode_message(m: int) -> Element:
    """[m]G for a small non-negative message."""
    if not 0 <= m <= MAX_MESSAGE:
        raise InvalidEncoding(f"message must be in [0, {MAX_MESSAGE}]")
    return base_mul(Scalar.from_int(m))


def encrypt(public_key: PublicKey, m: int) -> tuple[Ciphertext, Scalar]:
    """Encrypt ``m``; returns the ciphertext and its nonce r (needed for proofs).

    The nonce is secret: whoever holds it can open the ciphertext.
    """
    return _encrypt_with_nonce(public_key, m, _fresh_nonce(SYSTEM))


def _fresh_nonce(nonces: NonceSource) -> Scalar:
    r = nonces.scalar("elgamal-nonce")
    # r = 0 would publish [m]G in the clear; the chance is 2^-252 but it is free to exclude.
    while r.is_zero():
        r = nonces.scalar("elgamal-nonce")
    return r


def _encrypt_with_nonce(public_key: PublicKey, m: int, r: Scalar) -> tuple[Ciphertext, Scalar]:
    """Known-answer seam: encryption with a given nonce (spec §5.2)."""
    if r.is_zero():
        raise InvalidEncoding("nonce must not be zero")
    alpha = base_mul(r)
    beta = encode_message(m) + public_key.element * r
    return Ciphertext(alpha, beta), r


def decrypt_to_element(secret: Scalar, ciphertext: Ciphertext) -> Element:
    """[m]G = β − [x]α (spec §5.4)."""
    return ciphertext.beta - ciphertext.alpha * secret
