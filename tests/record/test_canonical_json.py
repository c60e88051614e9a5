"""Canonical JSON and strict parsing (docs/spec/encodings.md §ENC-JSON)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tohyo.record.canonical import (
    DEFAULT_MAX_DEPTH,
    MAX_SAFE_INTEGER,
    ContentDst,
    content_hash,
    dumps_canonical,
    loads_canonical,
    loads_strict,
)
from tohyo.record.errors import InvalidJson, RecordError

# -- strategies ---------------------------------------------------------------

_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=20)
_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-MAX_SAFE_INTEGER, max_value=MAX_SAFE_INTEGER)
    | _text
)
json_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(_text, inner, max_size=5),
    max_leaves=30,
)


# -- dumps_canonical ----------------------------------------------------------


def test_sorted_keys_no_whitespace() -> None:
    assert dumps_canonical({"b": [1, 2], "a": {"d": None, "c": True}}) == (
        b'{"a":{"c":true,"d":null},"b":[1,2]}'
    )


def test_rfc8785_key_order_is_by_utf16_code_units() -> None:
    # RFC 8785 §3.2.3: the sorting example (values replaced by integers).
    keys = ["\u20ac", "\r", "\ufb33", "1", "\U0001f600", "\u0080", "\u00f6"]
    out = json.loads(dumps_canonical({k: 0 for k in keys}))
    assert list(out) == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]


def test_string_escapes_follow_rfc8785() -> None:
    s = "\"\\\b\f\n\r\t\x00\x1f\x7f é \u2028 日本"
    assert dumps_canonical(s) == (
        '"\\"\\\\\\b\\f\\n\\r\\t\\u0000\\u001f\x7f é \u2028 日本"'.encode()
    )


def test_scalars_and_tuples() -> None:
    assert dumps_canonical([None, True, False, 0, -1, MAX_SAFE_INTEGER, ""]) == (
        b'[null,true,false,0,-1,9007199254740991,""]'
    )
    assert dumps_canonical((1, (2,))) == b"[1,[2]]"
    assert dumps_canonical({}) == b"{}"


@pytest.mark.parametrize(
    "value",
    [
        1.0,
        float("nan"),
        float("inf"),
        MAX_SAFE_INTEGER + 1,
        -MAX_SAFE_INTEGER - 1,
        "\ud800",
        {"\udc00": 1},
        {1: "x"},
        b"bytes",
        {1, 2},
        object(),
    ],
    ids=["float", "nan", "inf", "big", "small", "surrogate", "surrogate-key", "int-key",
         "bytes", "set", "object"],
)
def test_dumps_rejects(value: Any) -> None:
    with pytest.raises(InvalidJson):
        dumps_canonical(value)


def test_dumps_rejects_deep_nesting() -> None:
    deep: Any = 0
    for _ in range(DEFAULT_MAX_DEPTH + 1):
        deep = [deep]
    with pytest.raises(InvalidJson, match="nesting"):
        dumps_canonical(deep)
    assert dumps_canonical(deep[0]).startswith(b"[" * DEFAULT_MAX_DEPTH)


@given(json_values)
def test_round_trip(value: Any) -> None:
    data = dumps_canonical(value)
    assert loads_strict(data) == value
    assert loads_canonical(data) == value
    assert dumps_canonical(loads_strict(data)) == data


@given(st.dictionaries(_text, st.integers(0, 9), max_size=8), st.randoms())
def test_insertion_order_does_not_matter(d: dict[str, int], rnd: Any) -> None:
    items = list(d.items())
    rnd.shuffle(items)
    assert dumps_canonical(dict(items)) == dumps_canonical(d)


# -- loads_strict -------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"a":1,"a":2}', "duplicate"),
        (b'{"x":{"a":1,"b":2,"a":3}}', "duplicate"),
        (b"[1.0]", "non-integer"),
        (b"[1e3]", "non-integer"),
        (b"[-0.5]", "non-integer"),
        (b"[NaN]", "NaN"),
        (b"[Infinity]", "Infinity"),
        (b"[-Infinity]", "Infinity"),
        (b'["\\ud800"]', "surrogate"),
        (b'{"\\udfff":1}', "surrogate"),
        (b'["\\ude00\\ud83d"]', "surrogate"),
        (b"\xff", "UTF-8"),
        (b'"\xc0\xaf"', "UTF-8"),  # overlong '/'
        (b'"\xed\xa0\x80"', "UTF-8"),  # an encoded surrogate (CESU-8)
        (b"\xef\xbb\xbf{}", "byte-order mark"),
        (b"[1] [2]", "Extra data"),
        (b"{} x", "Extra data"),
        (b"", "malformed"),
        (b"[1,]", "malformed"),
        (b"{'a':1}", "malformed"),
        (b'["a\nb"]', "malformed"),  # raw control character in a string
        (b"[9007199254740992]", "2\\*\\*53"),
        (b"[-9007199254740992]", "2\\*\\*53"),
        (b"[" + b"1" * 5000 + b"]", "2\\*\\*53"),
    ],
)
def test_loads_strict_rejects(data: bytes, message: str) -> None:
    with pytest.raises(InvalidJson, match=message):
        loads_strict(data)


def test_loads_strict_accepts_ordinary_json() -> None:
    data = b' {"b": [1, -2, "\\u00e9\\ud83d\\ude00"], "a": null, "c": true}\n'
    assert loads_strict(data) == {"a": None, "b": [1, -2, "é😀"], "c": True}


def test_loads_strict_errors_are_value_errors() -> None:
    with pytest.raises(ValueError):
        loads_strict(b"[1.5]")
    assert issubclass(InvalidJson, RecordError)


def test_size_limit_applies_before_parsing() -> None:
    data = b"[" + b" " * 100 + b"]"
    assert loads_strict(data, max_bytes=len(data)) == []
    with pytest.raises(InvalidJson, match="larger than"):
        loads_strict(data, max_bytes=len(data) - 1)


def test_depth_limit() -> None:
    ok = b"[" * 5 + b"]" * 5
    assert loads_strict(ok, max_depth=5) == [[[[[]]]]]
    with pytest.raises(InvalidJson, match="nesting"):
        loads_strict(ok, max_depth=4)
    # A million brackets are refused without recursion.
    with pytest.raises(InvalidJson, match="nesting"):
        loads_strict(b"[" * 1_000_000, max_bytes=2_000_000)
    with pytest.raises(InvalidJson, match="nesting"):
        loads_strict(b'{"a":' * 100 + b"1" + b"}" * 100)


def test_brackets_inside_strings_do_not_count_as_depth() -> None:
    data = b'[["[[[[[[", "\\"{{{{{{{"]]'
    assert loads_strict(data, max_depth=2) == [["[[[[[[", '"{{{{{{{']]


@pytest.mark.parametrize("bad", [0, -1, 257])
def test_depth_limit_must_be_sane(bad: int) -> None:
    with pytest.raises(ValueError, match="max_depth"):
        loads_strict(b"[]", max_depth=bad)


def test_str_input_is_refused() -> None:
    with pytest.raises(InvalidJson, match="bytes"):
        loads_strict("[]")  # type: ignore[arg-type]


# -- loads_canonical ----------------------------------------------------------


@pytest.mark.parametrize("data", [b'{"b":1,"a":2}', b"[1, 2]", b"[1]\n", b'"\\u00e9"'])
def test_loads_canonical_rejects_non_canonical(data: bytes) -> None:
    loads_strict(data)  # valid JSON …
    with pytest.raises(InvalidJson, match="canonical"):
        loads_canonical(data)  # … but not canonical


# -- content_hash -------------------------------------------------------------


def test_content_hash_definition() -> None:
    value = {"b": [1, "日本"], "a": None}
    body = b'{"a":null,"b":[1,"\xe6\x97\xa5\xe6\x9c\xac"]}'
    dst = b"tohyo/1/record/content"
    expected = hashlib.sha256(
        len(dst).to_bytes(8, "big") + dst + len(body).to_bytes(8, "big") + body
    ).digest()
    assert content_hash(value) == expected
    assert len(expected) == 32


def test_content_hash_is_domain_separated() -> None:
    assert content_hash([1]) != content_hash([1], dst=ContentDst.MANIFEST)
    tags = list(ContentDst.all().values())
    assert len(tags) == len(set(tags))
    assert all(t.startswith(b"tohyo/1/") for t in tags)
    with pytest.raises(ValueError, match="domain-separation"):
        content_hash([1], dst=b"")


def test_content_hash_ignores_layout_and_key_order() -> None:
    a = loads_strict(b'{"x": 1, "y": [1, 2]}')
    b = loads_strict(b'{"y":[1,2],"x":1}')
    assert content_hash(a) == content_hash(b)
    assert content_hash(a) != content_hash({"x": 2, "y": [1, 2]})


def test_content_hash_rejects_floats() -> None:
    with pytest.raises(InvalidJson):
        content_hash({"x": 0.5})
