"""Arbitrary JSON never crashes the manifest parser: it is valid or InvalidManifest."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tohyo.record import InvalidManifest, Manifest
from tohyo.record.canonical import MAX_SAFE_INTEGER

_values = st.recursive(
    st.none() | st.booleans() | st.integers(-3, MAX_SAFE_INTEGER) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                max_size=3),
    max_leaves=8,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


def _check(doc: Any) -> None:
    try:
        m = Manifest.from_json(doc)
    except InvalidManifest as exc:
        assert exc.problems
        assert all(p.path == "" or p.path.startswith("/") for p in exc.problems)
    else:
        assert Manifest.from_json(m.to_json()) == m


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_mutated_manifest_is_valid_or_reported(minimal: dict[str, Any], data: st.DataObject
                                               ) -> None:
    doc = copy.deepcopy(minimal)
    paths = st.sampled_from(_paths(minimal)[1:])
    mutations = data.draw(st.lists(st.tuples(paths, _values | st.just(...)), max_size=4))
    for path, value in mutations:
        target: Any = doc
        try:
            for token in path[:-1]:
                target = target[token]
            if value is ...:
                del target[path[-1]]
            else:
                target[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or replaced this path
    _check(doc)


@given(_values)
def test_arbitrary_json_is_reported(value: Any) -> None:
    _check(value)
