"""Time-based one-time passwords, RFC 6238 on RFC 4226 (docs/spec/authentication.md §AUTH-OFF-3).

HMAC-SHA-1, 30-second steps, 6 digits: what every authenticator app speaks.
A code is accepted for the current step and one step either side (clock
drift), and only for a step *later* than the last one accepted for the
account, so an observed code cannot be replayed, not even within its 30 s.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import urllib.parse
from datetime import datetime

__all__ = ["STEP_SECONDS", "hotp", "new_secret", "provisioning_uri", "totp_at", "verify_totp"]

STEP_SECONDS = 30
DIGITS = 6


def new_secret() -> bytes:
    """160 random bits, the RFC 4226 recommendation."""
    return secrets.token_bytes(20)


def hotp(secret: bytes, counter: int, digits: int = DIGITS, digest: str = "sha1") -> str:
    """RFC 4226 §5.3 HOTP value (dynamic truncation)."""
    mac = hmac.new(secret, counter.to_bytes(8, "big"), getattr(hashlib, digest)).digest()
    offset = mac[-1] & 0x0F
    number = int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def _step(now: datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def totp_at(secret: bytes, now: datetime, digits: int = DIGITS, digest: str = "sha1") -> str:
    """The code an authenticator shows at ``now`` (RFC 6238 §4)."""
    return hotp(secret, _step(now), digits, digest)


class ReusedCode(ValueError):
    """The right code of a step already used to sign in: wait for the next one."""


def verify_totp(secret: bytes, code: str, *, now: datetime, last_step: int) -> int:
    """Return the step ``code`` belongs to; it must be newer than ``last_step``.

    Raises:
        ReusedCode: the code is right but its step already signed in (replay
            protection, RFC 6238 §5.2); callers that have checked the password may
            say so, since it tells nothing to someone without the password.
        ValueError: a wrong or stale code.
    """
    if len(code) != DIGITS or not code.isascii() or not code.isdigit():
        raise ValueError("bad code shape")
    current = _step(now)
    matched = reused = -1
    for step in (current - 1, current, current + 1):
        # Compare every candidate, constant-time, so timing does not tell which matched.
        same = hmac.compare_digest(hotp(secret, step), code)
        if same and step > last_step:
            matched = step
        elif same:
            reused = step
    if matched < 0:
        if reused >= 0:
            raise ReusedCode("code of a step already used")
        raise ValueError("wrong or stale code")
    return matched


def provisioning_uri(secret: bytes, *, account: str, issuer: str = "Tohyo") -> str:
    """``otpauth://`` URI for the authenticator app's QR code."""
    label = urllib.parse.quote(f"{issuer}:{account}")
    b32 = base64.b32encode(secret).decode().rstrip("=")
    query = urllib.parse.urlencode({"secret": b32, "issuer": issuer, "digits": DIGITS})
    return f"otpauth://totp/{label}?{query}"
