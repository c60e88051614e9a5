"""Ed25519 key helpers shared by note signatures and cosignatures (internal)."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from tohyo.log.errors import InvalidEncoding

__all__ = ["load_public_key", "raw_public_key"]


def load_public_key(public_key: bytes) -> Ed25519PublicKey:
    """Load a raw 32-byte Ed25519 public key.

    Raises:
        InvalidEncoding: not 32 bytes.
    """
    if not isinstance(public_key, bytes) or len(public_key) != 32:
        raise InvalidEncoding("an Ed25519 public key is 32 bytes")
    return Ed25519PublicKey.from_public_bytes(public_key)


def raw_public_key(private_key: Ed25519PrivateKey) -> bytes:
    """The 32-byte RFC 8032 encoding of the public half of ``private_key``."""
    return private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
