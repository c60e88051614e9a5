"""The prime-order group ristretto255 and its scalars (hazmat).

Implements docs/spec/protocol.md §2 (group, encodings). All curve arithmetic is
libsodium's, reached through the ``pysodium`` binding (docs/adr/0002); this
module only wraps it in typed values and enforces the encoding rules:

* an :class:`Element` is the 32-byte canonical ristretto255 encoding (RFC 9496
  §4.3.1); decoding rejects every non-canonical or invalid string, and rejects
  the identity unless the caller says it is allowed (§2.2);
* a :class:`Scalar` is 32 bytes little-endian and strictly below the group order
  ℓ (§2.3); there is exactly one accepted encoding of each scalar.

Hazmat: most callers want :mod:`tohyo.crypto.elgamal` and the proof modules.
"""

from __future__ import annotations

from dataclasses import dataclass

import pysodium

from tohyo.crypto.errors import InvalidEncoding

__all__ = ["ORDER", "Element", "Scalar", "GENERATOR", "IDENTITY", "base_mul"]

#: ℓ, the order of ristretto255 (RFC 9496 §4.1).
ORDER = 2**252 + 27742317777372353535851937790883648493
ELEMENT_BYTES = 32
SCALAR_BYTES = 32
_IDENTITY_BYTES = bytes(32)

_sodium_add = pysodium.crypto_core_ristretto255_add
_sodium_sub = pysodium.crypto_core_ristretto255_sub
_sodium_mul = pysodium.crypto_scalarmult_ristretto255
_sodium_base_mul = pysodium.crypto_scalarmult_ristretto255_base
_sodium_is_valid = pysodium.crypto_core_ristretto255_is_valid_point
_sodium_from_hash = pysodium.crypto_core_ristretto255_from_hash
_sodium_reduce = pysodium.crypto_core_ristretto255_scalar_reduce
_sodium_scalar_add = pysodium.crypto_core_ristretto255_scalar_add
_sodium_scalar_sub = pysodium.crypto_core_ristretto255_scalar_sub
_sodium_scalar_mul = pysodium.crypto_core_ristretto255_scalar_mul
_sodium_scalar_negate = pysodium.crypto_core_ristretto255_scalar_negate
_sodium_scalar_invert = pysodium.crypto_core_ristretto255_scalar_invert


def _hex_to_bytes(text: str, size: int, what: str) -> bytes:
    # Only lowercase hex of the exact length is canonical (§2.4).
    if not isinstance(text, str) or len(text) != 2 * size:
        raise InvalidEncoding(f"{what}: expected {2 * size} lowercase hex digits")
    if text.lower() != text:
        raise InvalidEncoding(f"{what}: hex must be lowercase")
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise InvalidEncoding(f"{what}: not hexadecimal") from None


@dataclass(frozen=True, slots=True)
class Scalar:
    """An integer modulo ℓ, held as its canonical 32-byte little-endian encoding."""

    encoded: bytes

    @classmethod
    def from_bytes(cls, data: bytes) -> Scalar:
        """Decode a canonical scalar (§2.3).

        Raises:
            InvalidEncoding: wrong length, or a value ≥ ℓ (a non-canonical encoding).
        """
        if not isinstance(data, bytes | bytearray) or len(data) != SCALAR_BYTES:
            raise InvalidEncoding("scalar: expected 32 bytes")
        if int.from_bytes(data, "little") >= ORDER:
            raise InvalidEncoding("scalar: not reduced modulo the group order")
        return cls(bytes(data))

    @classmethod
    def from_hex(cls, text: str) -> Scalar:
        return cls.from_bytes(_hex_to_bytes(text, SCALAR_BYTES, "scalar"))

    @classmethod
    def from_int(cls, value: int) -> Scalar:
        """The scalar ``value mod ℓ``; for public integers (not constant time)."""
        return cls((value % ORDER).to_bytes(SCALAR_BYTES, "little"))

    @classmethod
    def from_wide_bytes(cls, data: bytes) -> Scalar:
        """Reduce 64 uniform bytes modulo ℓ (unbiased; §2.3)."""
        if len(data) != 64:
            raise InvalidEncoding("wide scalar: expected 64 bytes")
        return cls(_sodium_reduce(bytes(data)))

    def to_bytes(self) -> bytes:
        return self.encoded

    def to_hex(self) -> str:
        return self.encoded.hex()

    def to_int(self) -> int:
        return int.from_bytes(self.encoded, "little")

    def is_zero(self) -> bool:
        return self.encoded == _IDENTITY_BYTES

    def __add__(self, other: Scalar) -> Scalar:
        return Scalar(_sodium_scalar_add(self.encoded, other.encoded))

    def __sub__(self, other: Scalar) -> Scalar:
        return Scalar(_sodium_scalar_sub(self.encoded, other.encoded))

    def __mul__(self, other: Scalar) -> Scalar:
        return Scalar(_sodium_scalar_mul(self.encoded, other.encoded))

    def __neg__(self) -> Scalar:
        return Scalar(_sodium_scalar_negate(self.encoded))

    def inverse(self) -> Scalar:
        """The multiplicative inverse.

        Raises:
            InvalidEncoding: the scalar is zero, which has no inverse.
        """
        if self.is_zero():
            raise InvalidEncoding("scalar: zero has no inverse")
        return Scalar(_sodium_scalar_invert(self.encoded))

    def __repr__(self) -> str:
        # Scalars are often secret: never print them.
        return "Scalar(<redacted>)"


@dataclass(frozen=True, slots=True)
class Element:
    """A ristretto255 group element, held as its canonical 32-byte encoding."""

    encoded: bytes

    @classmethod
    def from_bytes(cls, data: bytes, *, allow_identity: bool = False) -> Element:
        """Decode a canonical ristretto255 encoding (RFC 9496 §4.3.1, spec §2.2).

        Raises:
            InvalidEncoding: wrong length, a non-canonical or invalid encoding, or
                the identity where ``allow_identity`` is false.
        """
        if not isinstance(data, bytes | bytearray) or len(data) != ELEMENT_BYTES:
            raise InvalidEncoding("element: expected 32 bytes")
        data = bytes(data)
        # RFC 9496 §4.3.1 rejects any s >= p, so bit 255 must be clear. libsodium
        # 1.0.18 (still the distribution package) ignores that bit and would accept
        # a second encoding of every element; check it here, whatever the version.
        if data[31] & 0x80 or not _sodium_is_valid(data):
            raise InvalidEncoding("element: not a canonical ristretto255 encoding")
        if data == _IDENTITY_BYTES and not allow_identity:
            raise InvalidEncoding("element: the identity is not allowed here")
        return cls(data)

    @classmethod
    def from_hex(cls, text: str, *, allow_identity: bool = False) -> Element:
        return cls.from_bytes(
            _hex_to_bytes(text, ELEMENT_BYTES, "element"), allow_identity=allow_identity
        )

    @classmethod
    def from_uniform_bytes(cls, data: bytes) -> Element:
        """The one-way map of RFC 9496 §4.3.4 on 64 uniform bytes."""
        if len(data) != 64:
            raise InvalidEncoding("element: the one-way map takes 64 bytes")
        return cls(_sodium_from_hash(bytes(data)))

    def to_bytes(self) -> bytes:
        return self.encoded

    def to_hex(self) -> str:
        return self.encoded.hex()

    def is_identity(self) -> bool:
        return self.encoded == _IDENTITY_BYTES

    def __add__(self, other: Element) -> Element:
        return Element(_sodium_add(self.encoded, other.encoded))

    def __sub__(self, other: Element) -> Element:
        return Element(_sodium_sub(self.encoded, other.encoded))

    def __neg__(self) -> Element:
        return Element(_sodium_sub(_IDENTITY_BYTES, self.encoded))

    def __mul__(self, scalar: Scalar) -> Element:
        """Scalar multiplication ``[scalar]self``."""
        # libsodium signals an identity result as an error; in a prime-order group
        # that happens only for a zero scalar or the identity point.
        if scalar.encoded == _IDENTITY_BYTES or self.encoded == _IDENTITY_BYTES:
            return IDENTITY
        return Element(_sodium_mul(scalar.encoded, self.encoded))

    def __repr__(self) -> str:
        return f"Element({self.encoded.hex()})"


def base_mul(scalar: Scalar) -> Element:
    """``[scalar]G`` for the standard generator G, using libsodium's fixed-base table."""
    if scalar.encoded == _IDENTITY_BYTES:
        return IDENTITY
    return Element(_sodium_base_mul(scalar.encoded))


IDENTITY = Element(_IDENTITY_BYTES)
#: The ristretto255 generator (RFC 9496 §4.4, B).
GENERATOR = base_mul(Scalar.from_int(1))
