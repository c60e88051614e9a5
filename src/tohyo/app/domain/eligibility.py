"""Age reckoning and eligibility (docs/spec/manifest.md §MAN-18).

Japanese age reckoning (年齢計算ニ関スル法律 with Civil Code art. 143): a person
attains an age at the end of the day *before* the anniversary of their birth.
So a voter is of age ``n`` on election day ``D`` exactly when the day before
their ``n``-th birthday anniversary is on or before ``D``; equivalently, when
they were born on or before ``D + 1 day`` minus ``n`` years. For someone born on
29 February the anniversary in a common year is 1 March, so they attain the
age on 28 February.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from tohyo.app.domain.errors import NotEligible
from tohyo.record.manifest import Eligibility

__all__ = [
    "age_on",
    "attains_age_on",
    "ensure_eligible",
    "latest_eligible_birth_date",
]


def _anniversary(birth: date, years: int) -> date:
    """The ``years``-th anniversary of ``birth``; 29 Feb becomes 1 Mar in common years."""
    year = birth.year + years
    if birth.month == 2 and birth.day == 29 and not calendar.isleap(year):
        return date(year, 3, 1)
    return date(year, birth.month, birth.day)


def attains_age_on(birth: date, years: int) -> date:
    """The day on which a person born on ``birth`` attains ``years`` years of age.

    Raises:
        ValueError: ``years`` is negative or the date is out of range.
    """
    if years < 0:
        raise ValueError("an age cannot be negative")
    if years == 0:
        return birth
    return _anniversary(birth, years) - timedelta(days=1)


def age_on(birth: date, day: date) -> int:
    """The age in completed years on ``day`` under Japanese reckoning.

    Raises:
        ValueError: ``day`` is before ``birth``.
    """
    if day < birth:
        raise ValueError("the day is before the birth date")
    tomorrow = day + timedelta(days=1)
    years = tomorrow.year - birth.year
    if _anniversary(birth, years) > tomorrow:
        years -= 1
    return years


def latest_eligible_birth_date(minimum_age: int, election_day: date) -> date:
    """The last birth date that still gives ``minimum_age`` on ``election_day``.

    For 18 on 2028-10-22 this is 2010-10-23: those born on the day after the
    election day, 18 years before, attain 18 on the election day itself.
    """
    tomorrow = election_day + timedelta(days=1)
    year = tomorrow.year - minimum_age
    if tomorrow.month == 2 and tomorrow.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return date(year, tomorrow.month, tomorrow.day)


def ensure_eligible(
    rules: Eligibility, *, birth_date: date, address_code: str, district: str = ""
) -> None:
    """Check a voter's attributes against an election's rules.

    Raises:
        NotEligible: with ``code`` ``"outside_area"`` or ``"under_age"``.
    """
    if not rules.covers(address_code, district):
        raise NotEligible("address is outside the election's areas", code="outside_area")
    if birth_date > rules.election_day or age_on(birth_date, rules.election_day) < (
        rules.minimum_age
    ):
        raise NotEligible(
            f"under {rules.minimum_age} on election day {rules.election_day.isoformat()}",
            code="under_age",
        )
