"""Password hashing with scrypt (docs/spec/authentication.md §AUTH-OFF-2).

``hashlib.scrypt`` is OpenSSL's, maintained with the interpreter; parameters
N=2^15, r=8, p=1 (about 32 MiB and 50–100 ms here) follow OWASP's minimum for
scrypt. The encoded form carries its parameters, so they can be raised later
and old hashes still verify (:func:`needs_rehash`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

__all__ = ["MIN_LENGTH", "hash_password", "needs_rehash", "verify_password"]

MIN_LENGTH = 12
_N, _R, _P = 2**15, 8, 1
_MAXMEM = 64 * 1024 * 1024


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM, dklen=32
    )


def hash_password(password: str) -> str:
    """``scrypt$N$r$p$salt$hash`` (base64 parts).

    Raises:
        ValueError: shorter than :data:`MIN_LENGTH` characters.
    """
    if len(password) < MIN_LENGTH:
        raise ValueError(f"a password needs at least {MIN_LENGTH} characters")
    salt = secrets.token_bytes(16)
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(_derive(password, salt, _N, _R, _P))}"


def verify_password(password: str, encoded: str) -> None:
    """Check ``password`` against ``encoded``; a malformed hash never matches.

    Raises:
        ValueError: the password does not match.
    """
    parts = encoded.split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        raise ValueError("not a scrypt hash")
    n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
    salt, expected = base64.b64decode(parts[4]), base64.b64decode(parts[5])
    if not hmac.compare_digest(_derive(password, salt, n, r, p), expected):
        raise ValueError("wrong password")


def needs_rehash(encoded: str) -> bool:
    return not encoded.startswith(f"scrypt${_N}${_R}${_P}$")
