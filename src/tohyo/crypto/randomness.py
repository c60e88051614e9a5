"""The one seam through which randomness enters the crypto core (spec §1.3).

Public functions draw nonces from :data:`SYSTEM`, which reads
:func:`secrets.token_bytes`. Private ``_prove_*``/``_encrypt_with_nonce``
variants take a :class:`NonceSource` so that known-answer tests and the shared
test vectors can be reproduced byte for byte by other implementations.
"""

from __future__ import annotations

import secrets
from typing import Protocol

from tohyo.crypto.group import Scalar
from tohyo.crypto.hashing import Dst, digest

__all__ = ["NonceSource", "SystemNonces", "DeterministicNonces", "SYSTEM", "random_scalar"]


class NonceSource(Protocol):
    def scalar(self, label: str) -> Scalar:
        """A fresh uniformly random scalar; ``label`` names its purpose."""
        ...


class SystemNonces:
    """Nonces from the operating system's CSPRNG (the only source in production)."""

    def scalar(self, label: str) -> Scalar:
        # 64 bytes reduced mod ℓ: statistically uniform (bias < 2^-250).
        return Scalar.from_wide_bytes(secrets.token_bytes(64))


class DeterministicNonces:
    """Labelled nonces derived from a seed: for test vectors only (spec §1.3).

    The n-th request with a given label yields
    ``H(DST.TEST_NONCE, seed, label, u64(n))`` reduced mod ℓ.
    """

    def __init__(self, seed: bytes) -> None:
        self._seed = bytes(seed)
        self._counters: dict[str, int] = {}

    def scalar(self, label: str) -> Scalar:
        n = self._counters.get(label, 0)
        self._counters[label] = n + 1
        return Scalar.from_wide_bytes(
            digest(Dst.TEST_NONCE, self._seed, label.encode(), n.to_bytes(8, "big"))
        )


SYSTEM = SystemNonces()


def random_scalar() -> Scalar:
    """A uniformly random scalar from the system CSPRNG."""
    return SYSTEM.scalar("random")
