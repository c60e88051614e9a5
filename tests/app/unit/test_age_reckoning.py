"""Japanese age reckoning and eligibility (docs/spec/manifest.md §MAN-18)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tohyo.app.domain import (
    NotEligible,
    age_on,
    attains_age_on,
    ensure_eligible,
    latest_eligible_birth_date,
)
from tohyo.record.manifest import Eligibility

ELECTION_DAY = date(2028, 10, 22)


@pytest.mark.parametrize(
    ("birth", "age"),
    [
        (date(2010, 10, 21), 18),  # birthday yesterday
        (date(2010, 10, 22), 18),  # birthday on election day
        (date(2010, 10, 23), 18),  # birthday tomorrow: attains 18 today (the day before)
        (date(2010, 10, 24), 17),  # birthday the day after tomorrow: still 17
        (date(1950, 1, 1), 78),
    ],
)
def test_age_on_election_day(birth: date, age: int) -> None:
    assert age_on(birth, ELECTION_DAY) == age


def test_attains_age_the_day_before_the_birthday() -> None:
    assert attains_age_on(date(2010, 10, 23), 18) == date(2028, 10, 22)
    assert attains_age_on(date(2010, 1, 1), 18) == date(2027, 12, 31)  # crosses a year
    assert attains_age_on(date(2010, 1, 1), 0) == date(2010, 1, 1)
    with pytest.raises(ValueError):
        attains_age_on(date(2010, 1, 1), -1)


def test_leap_day_birthday_in_a_common_year() -> None:
    born = date(2008, 2, 29)
    assert attains_age_on(born, 18) == date(2026, 2, 28)  # day before 1 March
    assert age_on(born, date(2026, 2, 27)) == 17
    assert age_on(born, date(2026, 2, 28)) == 18
    assert age_on(born, date(2026, 3, 1)) == 18


def test_leap_day_birthday_in_a_leap_year() -> None:
    born = date(2004, 2, 29)
    assert attains_age_on(born, 20) == date(2024, 2, 28)
    assert age_on(born, date(2024, 2, 27)) == 19
    assert age_on(born, date(2024, 2, 28)) == 20


def test_born_on_first_of_march() -> None:
    # Both 29 Feb and 1 Mar births attain the age on 28 Feb of a common year.
    assert attains_age_on(date(2008, 3, 1), 18) == date(2026, 2, 28)
    assert latest_eligible_birth_date(18, date(2026, 2, 28)) == date(2008, 3, 1)


@pytest.mark.parametrize(
    ("minimum", "day", "latest"),
    [
        (18, date(2028, 10, 22), date(2010, 10, 23)),
        (18, date(2028, 12, 31), date(2011, 1, 1)),
        (18, date(2028, 2, 28), date(2010, 2, 28)),  # tomorrow is 29 Feb; 2010 has none
        (16, date(2028, 2, 28), date(2012, 2, 29)),  # … but 2012 does
        (15, date(2024, 10, 15), date(2009, 10, 16)),
    ],
)
def test_latest_eligible_birth_date(minimum: int, day: date, latest: date) -> None:
    assert latest_eligible_birth_date(minimum, day) == latest
    assert age_on(latest, day) >= minimum
    assert age_on(latest + timedelta(days=1), day) < minimum


def test_age_before_birth_is_an_error() -> None:
    with pytest.raises(ValueError):
        age_on(date(2020, 1, 2), date(2020, 1, 1))


births = st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 12, 31))
days = st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31))


@given(births, days, st.integers(0, 30))
def test_three_formulations_agree(birth: date, day: date, minimum: int) -> None:
    if day < birth:
        return
    by_age = age_on(birth, day) >= minimum
    by_attainment = attains_age_on(birth, minimum) <= day
    by_cutoff = birth <= latest_eligible_birth_date(minimum, day)
    assert by_age == by_attainment == by_cutoff


@given(births, days)
def test_age_grows_by_one_on_the_attainment_day(birth: date, day: date) -> None:
    if day <= birth:
        return
    before, now = age_on(birth, day - timedelta(days=1)), age_on(birth, day)
    assert now - before in (0, 1)
    assert (now - before == 1) == (attains_age_on(birth, now) == day)


RULES = Eligibility(18, ELECTION_DAY, ("082201", "131016-03"))


def test_ensure_eligible() -> None:
    ensure_eligible(RULES, birth_date=date(2010, 10, 23), address_code="082201")
    ensure_eligible(RULES, birth_date=date(1980, 1, 1), address_code="082201", district="7")
    ensure_eligible(RULES, birth_date=date(1980, 1, 1), address_code="131016", district="03")
    cases = [
        (date(2010, 10, 24), "082201", "", "under_age"),
        (date(2030, 1, 1), "082201", "", "under_age"),  # born after election day
        (date(1980, 1, 1), "011002", "", "outside_area"),
        (date(1980, 1, 1), "131016", "04", "outside_area"),
        (date(1980, 1, 1), "131016", "", "outside_area"),
    ]
    for birth, area, district, code in cases:
        with pytest.raises(NotEligible) as info:
            ensure_eligible(RULES, birth_date=birth, address_code=area, district=district)
        assert info.value.code == code
