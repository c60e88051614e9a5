"""Typed failures of the crypto core (docs/spec/protocol.md §1.4).

Every decoder and verifier raises one of these; nothing returns ``None`` or
``False`` for failure. Each subclasses ``ValueError`` so that callers that only
know the builtin category still catch it.
"""

from __future__ import annotations

__all__ = [
    "CryptoError",
    "InvalidEncoding",
    "InvalidKey",
    "InvalidProof",
    "InvalidShare",
    "NotEnoughShares",
    "DiscreteLogNotFound",
    "TrusteeMisbehaviour",
]


class CryptoError(ValueError):
    """Base class of every error raised by :mod:`tohyo.crypto`."""


class InvalidEncoding(CryptoError):
    """Bytes or text that are not the one canonical encoding of a value."""


class InvalidKey(CryptoError):
    """A key that is malformed, degenerate (the identity) or unproven."""


class InvalidProof(CryptoError):
    """A zero-knowledge proof that does not verify for its statement and context."""


class InvalidShare(CryptoError):
    """A key share or decryption share that fails its check.

    Attributes:
        trustee: index of the trustee the share came from (1-based), if known.
    """

    def __init__(self, message: str, *, trustee: int | None = None) -> None:
        super().__init__(message)
        self.trustee = trustee


class NotEnoughShares(CryptoError):
    """Fewer valid shares than the threshold t."""


class DiscreteLogNotFound(CryptoError):
    """A decrypted total lies outside the range the discrete-log table covers."""


class TrusteeMisbehaviour(CryptoError):
    """One or more trustees were caught cheating during key generation.

    Attributes:
        trustees: the 1-based indices of the trustees to blame.
    """

    def __init__(self, message: str, *, trustees: tuple[int, ...]) -> None:
        super().__init__(message)
        self.trustees = trustees
