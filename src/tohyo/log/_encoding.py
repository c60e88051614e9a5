"""Strict text encodings shared by notes, checkpoints and the witness (§TL-4.1).

Internal module. Every decoder accepts exactly one spelling of each value, so
that two different byte strings never decode to the same signed statement.
"""

from __future__ import annotations

import base64
import binascii
import re

from tohyo.log.errors import InvalidEncoding

__all__ = ["b64decode", "b64encode", "decode_uint", "encode_uint"]

# RFC 4648 §4 alphabet with mandatory padding. The regex rejects whitespace,
# URL-safe characters and missing padding before the decoder sees anything.
_B64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")
_DECIMAL = re.compile(r"0|[1-9][0-9]*")
_UINT64_LIMIT = 1 << 64


def b64encode(data: bytes) -> str:
    """Standard base64 with padding (RFC 4648 §4)."""
    return base64.b64encode(data).decode("ascii")


def b64decode(text: str, what: str) -> bytes:
    """Decode canonical standard base64.

    Rejects anything that does not re-encode to the same text: wrong alphabet,
    missing padding, whitespace, and non-zero unused bits in the last group.

    Raises:
        InvalidEncoding: ``text`` is not canonical base64.
    """
    if _B64.fullmatch(text) is None:
        raise InvalidEncoding(f"{what} is not canonical base64")
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:  # pragma: no cover - regex already checked
        raise InvalidEncoding(f"{what} is not canonical base64") from exc
    if b64encode(data) != text:
        raise InvalidEncoding(f"{what} is not canonical base64")
    return data


def encode_uint(value: int) -> str:
    """ASCII decimal with no leading zeros."""
    return str(value)


def decode_uint(text: str, what: str, limit: int = _UINT64_LIMIT) -> int:
    """Decode ASCII decimal with no sign, spaces or leading zeros, below ``limit``.

    Raises:
        InvalidEncoding: not canonical decimal, or out of range.
    """
    # The length cap keeps int() away from huge inputs (and its 4300-digit limit).
    if len(text) > 20 or _DECIMAL.fullmatch(text) is None:
        raise InvalidEncoding(f"{what} is not canonical decimal")
    value = int(text)
    if value >= limit:
        raise InvalidEncoding(f"{what} is out of range")
    return value
