"""Mutation helpers for the soundness tests: flip bits of every hex field of a JSON value."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

Path = tuple[str | int, ...]
HEX_DIGITS = frozenset("0123456789abcdef")


def hex_fields(obj: Any, path: Path = ()) -> Iterator[tuple[Path, str]]:
    """Every 64-digit lowercase hex string (an element or a scalar) in ``obj``."""
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield from hex_fields(value, (*path, key))
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            yield from hex_fields(value, (*path, i))
    elif isinstance(obj, str) and len(obj) == 64 and set(obj) <= HEX_DIGITS:
        yield path, obj


def replaced(obj: Any, path: Path, value: Any) -> Any:
    """A deep copy of ``obj`` with the item at ``path`` replaced by ``value``."""
    out = copy.deepcopy(obj)
    target = out
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return out


def get(obj: Any, path: Path) -> Any:
    for key in path:
        obj = obj[key]
    return obj


def flip(hex_text: str, byte: int, bit: int) -> str:
    data = bytearray.fromhex(hex_text)
    data[byte] ^= 1 << bit
    return data.hex()


def bit_flips(obj: Any, *, every_bit: bool = True) -> Iterator[tuple[str, Any]]:
    """``(description, mutant)`` for each byte of each hex field, flipping every bit or one.

    With ``every_bit=False`` byte ``i`` gets bit ``i mod 8`` flipped, so each bit
    position is still exercised across the bytes of a field.
    """
    for path, text in hex_fields(obj):
        for byte in range(32):
            for bit in range(8) if every_bit else (byte % 8,):
                where = "/".join(map(str, path))
                yield f"{where}[{byte}]^{1 << bit:#04x}", replaced(obj, path, flip(text, byte, bit))
