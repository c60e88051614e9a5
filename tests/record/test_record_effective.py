"""The effective-ballot rules of record.md §REC-5."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tohyo.record.effective import EffectiveSelector, select_effective
from tohyo.record.errors import RecordError


def test_last_ballot_per_credential_counts() -> None:
    s = select_effective([(0, "a", True), (1, "b", True), (2, "a", True)], [])
    assert s.effective == (1, 2) and s.superseded == (0,)


def test_a_paper_override_cancels_every_ballot_of_the_credential() -> None:
    s = select_effective([(0, "a", True), (1, "a", True), (2, "b", True)], [(3, "a")])
    assert s.effective == (2,) and s.overridden == (0, 1) and s.override_credentials == 1


def test_rejected_ballots_never_count_nor_supersede() -> None:
    s = select_effective([(0, "a", True), (1, "a", False)], [])
    assert s.effective == (0,) and s.rejected == (1,) and s.superseded == ()


def test_an_override_without_ballots_is_counted_as_an_override() -> None:
    s = select_effective([], [(0, "z")])
    assert s.counts() == {"effective": 0, "superseded": 0, "overridden": 0, "rejected": 0,
                          "paper_overrides": 1}


def test_an_index_given_twice_is_refused() -> None:
    sel = EffectiveSelector()
    sel.add_ballot(0, "a", valid=True)
    with pytest.raises(RecordError):
        sel.add_override(0, "a")
    with pytest.raises(RecordError):
        sel.add_ballot(-1, "a", valid=True)


facts = st.lists(st.tuples(st.sampled_from("abcd"), st.booleans(), st.booleans()), max_size=12)


@given(facts)
def test_the_outcome_does_not_depend_on_the_order_of_the_facts(items: list) -> None:
    ballots = [(i, c, v) for i, (c, v, o) in enumerate(items) if not o]
    overrides = [(i, c) for i, (c, v, o) in enumerate(items) if o]
    first = select_effective(ballots, overrides)
    for perm in itertools.islice(itertools.permutations(ballots), 5):
        assert select_effective(list(reversed(perm)), overrides) == first
    counted = set(first.effective) | set(first.superseded) | set(first.overridden) \
        | set(first.rejected)
    assert counted == {i for i, _, _ in ballots}
    assert len({c for i, c, _ in ballots if i in first.effective}) == len(first.effective)
