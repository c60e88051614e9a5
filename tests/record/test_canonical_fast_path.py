"""loads_canonical's ASCII fast path accepts exactly what the full check accepts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tohyo.record.canonical import MAX_SAFE_INTEGER, dumps_canonical, loads_canonical
from tohyo.record.errors import InvalidJson

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER)
    | st.text(max_size=8)
)
_values = st.recursive(
    _scalars,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=20,
)


@given(_values)
def test_canonical_bytes_round_trip(value: Any) -> None:
    assert loads_canonical(dumps_canonical(value)) == value


@given(_values)
def test_python_sorted_form_is_accepted_only_when_it_is_canonical(value: Any) -> None:
    # json.dumps sorts by code point; JCS by UTF-16 unit. Both paths must agree.
    try:
        other = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        data = other.encode("utf-8")
    except UnicodeEncodeError:
        return
    if data == dumps_canonical(value):
        assert loads_canonical(data) == value
    else:
        with pytest.raises(InvalidJson):
            loads_canonical(data)


@pytest.mark.parametrize(
    "data",
    [
        b'{"b":1,"a":2}',  # unsorted keys
        b'{"a": 1}',  # whitespace
        b'{"a":"\\u00e9"}',  # an escape where canonical form has the character
        b'{"a":"\\ud800"}',  # a lone surrogate, ASCII on the wire
        b'["\\u0041"]',  # an unnecessary escape
        b'{"a":1.0}',  # a float
    ],
)
def test_non_canonical_ascii_input_is_refused(data: bytes) -> None:
    with pytest.raises(InvalidJson):
        loads_canonical(data)


def test_utf16_key_order_is_kept_for_non_ascii_keys() -> None:
    # U+FF61 sorts before U+1F600 by code point but after it by UTF-16 unit.
    canonical = dumps_canonical({"\uff61": 1, "\U0001f600": 2})
    assert canonical.index("\U0001f600".encode()) < canonical.index("\uff61".encode())
    assert loads_canonical(canonical) == {"\uff61": 1, "\U0001f600": 2}
    wrong = json.dumps({"\uff61": 1, "\U0001f600": 2}, ensure_ascii=False, sort_keys=True,
                       separators=(",", ":")).encode()
    with pytest.raises(InvalidJson):
        loads_canonical(wrong)
