"""Strict helpers for decoding the crypto values' JSON forms (spec §2.4)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tohyo.crypto.errors import InvalidEncoding
from tohyo.crypto.group import Element, Scalar


def expect_object(obj: Any, keys: set[str], what: str) -> Mapping[str, Any]:
    """``obj`` as a mapping with exactly ``keys``: no missing and no extra field."""
    if not isinstance(obj, Mapping):
        raise InvalidEncoding(f"{what}: expected a JSON object")
    present = set(obj)
    if present != keys:
        missing = sorted(keys - present)
        extra = sorted(str(k) for k in present - keys)
        raise InvalidEncoding(f"{what}: missing fields {missing}, unexpected fields {extra}")
    return obj


def expect_list(obj: Any, what: str, *, max_len: int, min_len: int = 0) -> Sequence[Any]:
    if not isinstance(obj, list):
        raise InvalidEncoding(f"{what}: expected a JSON array")
    if len(obj) > max_len:
        raise InvalidEncoding(f"{what}: more than {max_len} items")
    if len(obj) < min_len:
        raise InvalidEncoding(f"{what}: fewer than {min_len} items")
    return obj


def scalar_list(obj: Any, what: str, *, max_len: int) -> tuple[Scalar, ...]:
    return tuple(Scalar.from_hex(x) for x in expect_list(obj, what, max_len=max_len))


def element(obj: Any, what: str, *, allow_identity: bool = False) -> Element:
    if not isinstance(obj, str):
        raise InvalidEncoding(f"{what}: expected a hex string")
    return Element.from_hex(obj, allow_identity=allow_identity)


def scalar(obj: Any, what: str) -> Scalar:
    if not isinstance(obj, str):
        raise InvalidEncoding(f"{what}: expected a hex string")
    return Scalar.from_hex(obj)
