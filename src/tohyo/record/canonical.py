"""Canonical JSON and strict JSON parsing (docs/spec/encodings.md §ENC-JSON).

The canonical form is the RFC 8785 JSON Canonicalization Scheme (JCS) restricted
to the I-JSON subset that Tohyo records use (§ENC-JSON-1): objects with string
keys, arrays, strings, ``true``/``false``/``null`` and integers of magnitude at
most 2**53 - 1. Floating-point numbers are refused outright, so the canonical
bytes never depend on a number formatter.

:func:`loads_strict` is the only way untrusted JSON enters the record layer
(§ENC-JSON-2): it bounds size and depth *before* parsing and refuses duplicate
keys, non-integer numbers, ``NaN``/``Infinity``, lone surrogates, invalid UTF-8,
a byte-order mark and trailing data.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any, NoReturn

from tohyo.record.errors import InvalidJson

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_DEPTH",
    "MAX_SAFE_INTEGER",
    "ContentDst",
    "content_hash",
    "dumps_canonical",
    "loads_canonical",
    "loads_strict",
]

#: Largest integer magnitude allowed (§ENC-JSON-1): exactly representable in IEEE 754.
MAX_SAFE_INTEGER = 2**53 - 1
#: Default input bound of :func:`loads_strict`: 1 MiB.
DEFAULT_MAX_BYTES = 1 << 20
#: Default nesting bound: containers inside containers, the outermost counting 1.
DEFAULT_MAX_DEPTH = 32
#: Hard ceiling on any depth limit, well below Python's recursion limit.
_DEPTH_CEILING = 256

_BOM = b"\xef\xbb\xbf"
_STRING_RE = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET_RE = re.compile(r"[^\[\]{}]+")


class ContentDst:
    """Domain-separation tags of :func:`content_hash` (§ENC-JSON-4). Each is used once."""

    CONTENT = b"tohyo/1/record/content"
    MANIFEST = b"tohyo/1/record/manifest"
    PAPER_COUNT = b"tohyo/1/record/paper-count"

    @classmethod
    def all(cls) -> dict[str, bytes]:
        return {k: v for k, v in vars(cls).items() if isinstance(v, bytes)}


# --------------------------------------------------------------------------- dumps


def dumps_canonical(obj: Any, *, max_depth: int = DEFAULT_MAX_DEPTH) -> bytes:
    """The canonical UTF-8 bytes of ``obj`` (§ENC-JSON-1).

    Args:
        obj: ``None``, ``bool``, ``int``, ``str``, lists/tuples and mappings with
            ``str`` keys, nested at most ``max_depth`` deep.
        max_depth: nesting bound, as for :func:`loads_strict`.

    Returns:
        The JCS serialisation: sorted keys (by UTF-16 code units), no whitespace.

    Raises:
        InvalidJson: a float, an out-of-range integer, a lone surrogate, a
            non-string key, an unsupported type or too deep a nesting.
    """
    _check_depth_limit(max_depth)
    out: list[str] = []
    _encode(obj, out, 0, max_depth)
    return "".join(out).encode("utf-8")


def _encode(obj: Any, out: list[str], depth: int, max_depth: int) -> None:
    if obj is None:
        out.append("null")
    elif obj is True:
        out.append("true")
    elif obj is False:
        out.append("false")
    elif isinstance(obj, int):
        out.append(str(_check_int(obj)))
    elif isinstance(obj, str):
        out.append(_quote(obj))
    elif isinstance(obj, float):
        raise InvalidJson("floating-point numbers have no canonical form; use integers")
    elif isinstance(obj, (list, tuple)):
        _enter(depth, max_depth)
        out.append("[")
        for i, item in enumerate(obj):
            if i:
                out.append(",")
            _encode(item, out, depth + 1, max_depth)
        out.append("]")
    elif isinstance(obj, Mapping):
        _enter(depth, max_depth)
        for key in obj:
            if not isinstance(key, str):
                raise InvalidJson(f"object keys must be strings, not {type(key).__name__}")
        out.append("{")
        for i, key in enumerate(sorted(obj, key=_utf16_key)):
            if i:
                out.append(",")
            out.append(_quote(key))
            out.append(":")
            _encode(obj[key], out, depth + 1, max_depth)
        out.append("}")
    else:
        raise InvalidJson(f"{type(obj).__name__} is not a JSON value")


def _enter(depth: int, max_depth: int) -> None:
    if depth >= max_depth:
        raise InvalidJson(f"nesting deeper than {max_depth}")


def _check_int(value: int) -> int:
    if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
        raise InvalidJson("integer outside ±(2**53 - 1)")
    return value


def _check_text(text: str) -> str:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidJson("string contains a lone surrogate") from None
    return text


def _quote(text: str) -> str:
    # json.dumps(ensure_ascii=False) escapes exactly what RFC 8785 §3.2.2.2 escapes:
    # '"', '\\', the short forms \b \t \n \f \r, other controls as lowercase \u00xx.
    return json.dumps(_check_text(text), ensure_ascii=False)


def _utf16_key(key: str) -> bytes:
    return _check_text(key).encode("utf-16-be")


# --------------------------------------------------------------------------- loads


def loads_strict(
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> Any:
    """Parse untrusted JSON strictly (§ENC-JSON-2).

    Args:
        data: the raw bytes, UTF-8 without a byte-order mark.
        max_bytes: refuse longer input before decoding it.
        max_depth: refuse deeper nesting before parsing it (at most 256).

    Returns:
        ``dict``/``list``/``str``/``int``/``bool``/``None`` values.

    Raises:
        InvalidJson: for every departure from §ENC-JSON-2.
    """
    value, _ = _decode(data, max_bytes, max_depth)
    _check_strings(value)
    return value


def _decode(data: bytes, max_bytes: int, max_depth: int) -> tuple[Any, bytes]:
    """Every check of §ENC-JSON-2 except lone surrogates; returns the value and the bytes."""
    _check_depth_limit(max_depth)
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise InvalidJson("JSON input must be bytes")
    raw = bytes(data)
    if len(raw) > max_bytes:
        raise InvalidJson(f"JSON input larger than {max_bytes} bytes")
    if raw.startswith(_BOM):
        raise InvalidJson("JSON input starts with a byte-order mark")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidJson(f"JSON input is not valid UTF-8 (byte {exc.start})") from None
    _check_nesting(text, max_depth)
    try:
        value = json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_float=_no_float,
            parse_int=_safe_int,
            parse_constant=_no_constant,
        )
    except json.JSONDecodeError as exc:
        raise InvalidJson(
            f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:  # pragma: no cover - prevented by _check_nesting
        raise InvalidJson(f"nesting deeper than {max_depth}") from None
    return value, raw


def loads_canonical(
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> Any:
    """Parse JSON that must already be in canonical form (§ENC-JSON-3).

    Raises:
        InvalidJson: as :func:`loads_strict`, or if ``data`` differs from the
            canonical serialisation of its own value.
    """
    value, raw = _decode(data, max_bytes, max_depth)
    # Fast path for the verifier's millions of leaves: when the C encoder's sorted
    # output is ASCII and equals the input, every key is ASCII, where JCS's UTF-16
    # key order is code-point order, so the input is canonical; a lone surrogate
    # cannot be encoded and falls through to the full check.
    if raw.isascii():
        try:
            fast = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
            if fast.encode("utf-8") == raw:
                return value
        except UnicodeEncodeError:
            pass
    _check_strings(value)
    if dumps_canonical(value, max_depth=max_depth) != raw:
        raise InvalidJson("JSON input is not in canonical form")
    return value


def _check_depth_limit(max_depth: int) -> None:
    if not 1 <= max_depth <= _DEPTH_CEILING:
        raise ValueError(f"max_depth must be between 1 and {_DEPTH_CEILING}")


def _check_nesting(text: str, max_depth: int) -> None:
    """Bound nesting before the recursive parser sees the text."""
    brackets = _NOT_BRACKET_RE.sub("", _STRING_RE.sub("", text))
    depth = 0
    for ch in brackets:
        if ch in "[{":
            depth += 1
            if depth > max_depth:
                raise InvalidJson(f"nesting deeper than {max_depth}")
        else:
            depth -= 1


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise InvalidJson(f"duplicate object key {key!r}")
        obj[key] = value
    return obj


def _no_float(literal: str) -> NoReturn:
    raise InvalidJson(f"non-integer number {literal[:20]!r}; only integers are allowed")


def _no_constant(literal: str) -> NoReturn:
    raise InvalidJson(f"{literal} is not JSON")


def _safe_int(literal: str) -> int:
    if len(literal) > 17:
        raise InvalidJson("integer outside ±(2**53 - 1)")
    return _check_int(int(literal))


def _check_strings(value: Any) -> None:
    if isinstance(value, str):
        _check_text(value)
    elif isinstance(value, list):
        for item in value:
            _check_strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key)
            _check_strings(item)


# --------------------------------------------------------------------------- hash


def content_hash(obj: Any, *, dst: bytes = ContentDst.CONTENT) -> bytes:
    """The 32-byte content hash of a JSON value (§ENC-JSON-4).

    ``SHA-256(lp(dst) ‖ lp(canonical(obj)))`` with ``lp(x) = u64be(len(x)) ‖ x``.

    Args:
        obj: any value :func:`dumps_canonical` accepts.
        dst: a domain-separation tag from :class:`ContentDst`.

    Raises:
        InvalidJson: ``obj`` has no canonical form.
        ValueError: ``dst`` is empty.
    """
    if not dst:
        raise ValueError("a domain-separation tag is required")
    body = dumps_canonical(obj)
    h = hashlib.sha256(len(dst).to_bytes(8, "big") + dst)
    h.update(len(body).to_bytes(8, "big"))
    h.update(body)
    return h.digest()
