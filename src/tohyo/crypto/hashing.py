"""Domain-separated hashing with length-prefixed inputs (spec §3).

Every hash in the protocol is ``SHA-512(lp(dst) ‖ lp(part_1) ‖ … ‖ lp(part_n))``
where ``lp(x) = u64be(len(x)) ‖ x``. The concatenation of length-prefixed
strings is uniquely decodable, so distinct tuples never collide by framing, and
nothing is ever hashed through ``str()``.
"""

from __future__ import annotations

import hashlib

from tohyo.crypto.errors import InvalidEncoding
from tohyo.crypto.group import Element, Scalar

__all__ = [
    "Dst",
    "encode_parts",
    "u64",
    "utf8",
    "digest",
    "hash_to_scalar",
    "hash_to_element",
]


class Dst:
    """The registry of domain-separation tags (spec §3.2). Each is used once."""

    SCHNORR = b"tohyo/1/proof/schnorr"
    CHAUM_PEDERSEN = b"tohyo/1/proof/chaum-pedersen"
    RANGE = b"tohyo/1/proof/range"
    KEY_SHARE_PAD = b"tohyo/1/dkg/share-pad"
    DKG_MESSAGE = b"tohyo/1/dkg/message"
    BALLOT_TRACKER = b"tohyo/1/ballot/tracker"
    TEST_NONCE = b"tohyo/1/test/nonce"

    @classmethod
    def all(cls) -> dict[str, bytes]:
        return {k: v for k, v in vars(cls).items() if isinstance(v, bytes)}


def u64(value: int) -> bytes:
    """An unsigned integer as 8 bytes big-endian (spec §3.1)."""
    if not 0 <= value < 2**64:
        raise InvalidEncoding("u64: out of range")
    return value.to_bytes(8, "big")


def utf8(text: str) -> bytes:
    """Text as strict UTF-8 (no normalisation; lone surrogates are refused)."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidEncoding("text is not valid Unicode") from None


def encode_parts(*parts: bytes) -> bytes:
    """``lp(p_1) ‖ … ‖ lp(p_n)`` (spec §3.1)."""
    return b"".join(len(p).to_bytes(8, "big") + p for p in parts)


def digest(dst: bytes, *parts: bytes) -> bytes:
    """The 64-byte ``SHA-512(lp(dst) ‖ lp(part_1) ‖ …)`` (spec §3.1)."""
    if not dst:
        raise InvalidEncoding("a domain-separation tag is required")
    h = hashlib.sha512(len(dst).to_bytes(8, "big") + dst)
    for p in parts:
        h.update(len(p).to_bytes(8, "big"))
        h.update(p)
    return h.digest()


def hash_to_scalar(dst: bytes, *parts: bytes) -> Scalar:
    """A challenge scalar: the digest reduced modulo ℓ (spec §3.3)."""
    return Scalar.from_wide_bytes(digest(dst, *parts))


def hash_to_element(dst: bytes, *parts: bytes) -> Element:
    """A group element with unknown discrete log: RFC 9496 one-way map of the digest."""
    return Element.from_uniform_bytes(digest(dst, *parts))
