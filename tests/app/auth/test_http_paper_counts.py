"""Paper counts over the officials' JSON API (results.md §RES-2.3): roles, CSRF, double
entry, refusals naming the fields."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tohyo.app.auth.authority import DevApproval
from tohyo.app.services.elections import close_election

from .helpers import error_code, make_election
from .test_http_officials import ORIGIN, as_official, staff  # noqa: F401 - a fixture

SQLITE = pytest.mark.parametrize("backend", ["sqlite"])
URL = "/official/elections/paper-e/paper-counts"
COUNT: dict[str, Any] = {
    "election_id": "paper-e", "place": "第1投票所", "kind": "election_day",
    "voters": 10, "rejected": 1,
    "questions": [
        {"id": "services", "ballots": 9, "blank": 1, "invalid": {"other_writing": 1},
         "options": {"internet-voting": 4, "digital-counters": 2, "ai-voice": 1}},
        {"id": "mobility", "ballots": 9, "blank": 3,
         "options": {"tsukumobi": 3, "smart-mobility": 3}},
        {"id": "healthcare", "ballots": 9, "invalid": {"unclear": 2},
         "options": {"home-care": 7}},
    ],
}


@SQLITE
def test_two_administrators_enter_a_count_over_http(
    http: Any, runtime: Any, staff: Any, clock: Any, manifest_for: Any  # noqa: F811
) -> None:
    make_election(runtime, manifest_for, "paper-e", ["code"])
    count = copy.deepcopy(COUNT)
    alice = as_official(http, staff, clock, "alice")
    assert error_code(http.post(URL, json={"count": count}, headers=alice)) == (
        409, "paper.not_closed")
    close_election(runtime, "paper-e", approval=DevApproval("test"), reason="over")

    no_csrf = http.post(URL, json={"count": count}, headers=ORIGIN)
    assert no_csrf.status_code == 403
    first = http.post(URL, json={"count": count}, headers=alice)
    assert first.status_code == 200 and first.json()["status"] == "pending"

    olga = as_official(http, staff, clock, "olga")
    assert error_code(http.post(URL, json={"count": count}, headers=olga)) == (
        403, "auth.forbidden.role")

    bob = as_official(http, staff, clock, "bob")
    bad = copy.deepcopy(count)
    bad["questions"][2]["options"]["home-care"] = -7
    refused = http.post(URL, json={"count": bad}, headers=bob)
    assert refused.status_code == 422
    assert refused.json()["error"] == {
        "code": "paper.negative", "fields": ["/questions/2/options/home-care"],
        "message": "/questions/2/options/home-care: a count cannot be negative"}
    other = copy.deepcopy(count)
    other["rejected"] = 0
    differ = http.post(URL, json={"count": other}, headers=bob)
    assert differ.status_code == 409 and differ.json()["error"]["code"] == "paper.mismatch"
    assert differ.json()["error"]["fields"] == ["/rejected"]
    accepted = http.post(URL, json={"count": count}, headers=bob)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["entered_by"] == ["alice", "bob"]

    as_official(http, staff, clock, "wes")  # a witness reads
    listing = http.get(URL).json()
    assert listing["pending"] == [] and listing["accepted"][0]["place"] == "第1投票所"
    assert error_code(http.get("/official/elections/paper-e/official-result")) == (
        409, "tally.not_recorded")
