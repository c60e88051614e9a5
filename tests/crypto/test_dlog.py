"""Discrete-log recovery by baby-step giant-step (spec §9)."""

from __future__ import annotations

import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tohyo.crypto import dlog
from tohyo.crypto.dlog import (
    DEFAULT_BOUND,
    MAX_BOUND,
    DiscreteLogTable,
    default_table_size,
    recover,
    table_for,
)
from tohyo.crypto.errors import DiscreteLogNotFound, InvalidEncoding
from tohyo.crypto.group import GENERATOR, IDENTITY, ORDER, Element, Scalar, base_mul


def power(m: int) -> Element:
    return base_mul(Scalar.from_int(m))


@pytest.mark.parametrize("m", [0, 1, 2, 10_000, 10_001, 10_002, 12_345_678, DEFAULT_BOUND - 1,
                               DEFAULT_BOUND])
def test_round_trip_up_to_the_default_bound(m: int) -> None:
    assert default_table_size(DEFAULT_BOUND) == 10_001
    assert recover(base_mul(Scalar.from_int(m))) == m


@pytest.mark.parametrize("m", [DEFAULT_BOUND + 1, DEFAULT_BOUND + 10_001, 2**40, ORDER - 1])
def test_beyond_the_bound_is_not_found(m: int) -> None:
    with pytest.raises(DiscreteLogNotFound, match=r"\[0, 100000000\]"):
        recover(base_mul(Scalar.from_int(m)))


def test_worst_case_stays_well_under_a_second() -> None:
    table = table_for(DEFAULT_BOUND)
    table.recover(IDENTITY)  # build outside the timing
    start = time.perf_counter()
    table.recover(base_mul(Scalar.from_int(DEFAULT_BOUND)))
    # Measured at about 0.2 s; the margin absorbs a loaded CI machine.
    assert time.perf_counter() - start < 2.0


def test_small_bounds_and_table_sizes() -> None:
    zero = DiscreteLogTable(0)
    assert zero.table_size == 1
    assert zero.recover(IDENTITY) == 0
    with pytest.raises(DiscreteLogNotFound):
        zero.recover(GENERATOR)
    # Bound 10 with 8 baby steps: 12 = 1·8 + 4 is found by the second giant step but
    # lies beyond the bound, so the search stops there.
    table = DiscreteLogTable(10, 8)
    assert [table.recover(base_mul(Scalar.from_int(m))) for m in range(11)] == list(range(11))
    with pytest.raises(DiscreteLogNotFound):
        table.recover(base_mul(Scalar.from_int(12)))
    with pytest.raises(DiscreteLogNotFound):
        table.recover(base_mul(Scalar.from_int(17)))


@settings(max_examples=50)
@given(st.integers(0, 500), st.data())
def test_any_bound_and_table_size(bound: int, data: st.DataObject) -> None:
    size = data.draw(st.integers(1, bound + 1))
    table = DiscreteLogTable(bound, size)
    m = data.draw(st.integers(0, bound))
    assert table.recover(base_mul(Scalar.from_int(m))) == m
    beyond = data.draw(st.integers(bound + 1, bound + 3 * size + 3))
    with pytest.raises(DiscreteLogNotFound):
        table.recover(base_mul(Scalar.from_int(beyond)))


def test_parameters_are_checked() -> None:
    for bound in (-1, MAX_BOUND + 1, True, 1.0):
        with pytest.raises(InvalidEncoding):
            DiscreteLogTable(bound)  # type: ignore[arg-type]
        with pytest.raises(InvalidEncoding):
            table_for(bound)  # type: ignore[arg-type]
        with pytest.raises(InvalidEncoding):
            recover(GENERATOR, bound)  # type: ignore[arg-type]
    for size in (0, 12, True):
        with pytest.raises(InvalidEncoding):
            DiscreteLogTable(10, size)


def test_tables_are_built_lazily_once_and_shared() -> None:
    table = table_for(1000)
    assert table is table_for(1000) and table is not table_for(1000, 10)
    fresh = DiscreteLogTable(1000)
    assert fresh._baby is None  # nothing computed before the first lookup
    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(fresh.recover(power(999))))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [999] * 4
    baby = fresh._baby
    fresh.recover(GENERATOR)
    assert fresh._baby is baby
    assert recover(power(7), 1000) == 7
    assert dlog.MAX_BOUND == 10**12
