"""Strict JSON field decoders for the threshold messages (docs/spec/threshold.md §7.10).

Complements :mod:`tohyo.crypto._json` with integers, text and raw byte strings.
Every function raises :class:`InvalidEncoding` on anything but the one canonical
form: integers are JSON integers (never booleans or floats), hex is lowercase.
"""

from __future__ import annotations

from typing import Any

from tohyo.crypto.errors import InvalidEncoding

#: Longest label or identifier a threshold message may carry (bytes of UTF-8).
MAX_TEXT = 256


def integer(obj: Any, what: str, *, lo: int, hi: int) -> int:
    """A JSON integer in [lo, hi]."""
    if isinstance(obj, bool) or not isinstance(obj, int):
        raise InvalidEncoding(f"{what}: expected an integer")
    if not lo <= obj <= hi:
        raise InvalidEncoding(f"{what}: must lie in [{lo}, {hi}]")
    return obj


def text(obj: Any, what: str) -> str:
    """A non-empty JSON string of at most :data:`MAX_TEXT` UTF-8 bytes."""
    if not isinstance(obj, str) or not obj:
        raise InvalidEncoding(f"{what}: expected a non-empty string")
    try:
        size = len(obj.encode("utf-8"))
    except UnicodeEncodeError:
        raise InvalidEncoding(f"{what}: not valid Unicode") from None
    if size > MAX_TEXT:
        raise InvalidEncoding(f"{what}: longer than {MAX_TEXT} bytes")
    return obj


def hex_bytes(obj: Any, what: str, *, size: int) -> bytes:
    """Exactly ``size`` bytes as lowercase hex."""
    if not isinstance(obj, str) or len(obj) != 2 * size:
        raise InvalidEncoding(f"{what}: expected {2 * size} hex digits")
    if obj.lower() != obj:
        raise InvalidEncoding(f"{what}: hex must be lowercase")
    try:
        data = bytes.fromhex(obj)
    except ValueError:
        raise InvalidEncoding(f"{what}: not hexadecimal") from None
    if len(data) != size:  # bytes.fromhex skips whitespace
        raise InvalidEncoding(f"{what}: not hexadecimal")
    return data
