"""The optional retention date (docs/spec/manifest.md §MAN-3.1, §MAN-9; docs/adr/0055)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tohyo.record import InvalidManifest, Manifest
from tohyo.record.manifest import manifest_hash


def _problems(doc: Any) -> list[tuple[str, str]]:
    with pytest.raises(InvalidManifest) as info:
        Manifest.from_json(doc)
    return [(p.path, p.reason) for p in info.value.problems]


def test_absent_retention_keeps_the_normal_form_and_hash(minimal: dict[str, Any]) -> None:
    before = Manifest.from_json(minimal)
    assert before.retain_until is None
    assert "retain_until" not in before.to_json()
    with_date = Manifest.from_json({**minimal, "retain_until": "2029-03-24"})
    assert with_date.retain_until == date(2029, 3, 24)
    assert with_date.to_json()["retain_until"] == "2029-03-24"
    assert Manifest.from_json(with_date.to_json()) == with_date  # normal form round-trips
    assert manifest_hash(with_date) != manifest_hash(before)  # bound into the hash when set


def test_the_retention_date_may_be_the_last_day_of_voting(minimal: dict[str, Any]) -> None:
    assert Manifest.from_json({**minimal, "retain_until": "2025-03-24"}).retain_until


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2025-03-23", "must not be before the voting period ends"),
        ("2029-02-30", "is not a valid calendar date"),
        ("2029-3-1", "must be a date YYYY-MM-DD"),
        (20290301, "must be a date YYYY-MM-DD"),
        (None, "must be a date YYYY-MM-DD"),
    ],
)
def test_bad_retention_dates_are_refused(
    minimal: dict[str, Any], value: Any, reason: str
) -> None:
    assert _problems({**minimal, "retain_until": value}) == [("/retain_until", reason)]


def test_a_bad_retention_date_does_not_hide_other_problems(minimal: dict[str, Any]) -> None:
    doc = {**minimal, "retain_until": "nope", "id": "Bad Id"}
    paths = [p for p, _ in _problems(doc)]
    assert "/retain_until" in paths and "/id" in paths
