"""Results from decrypted totals (record.md §REC-7.3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tohyo.record.errors import RecordError
from tohyo.record.manifest import parse_manifest
from tohyo.record.results import aggregate_labels, compute_results

MANIFESTS = Path(__file__).parents[1] / "vectors" / "manifests"


def _manifest(name: str):
    return parse_manifest((MANIFESTS / f"{name}.json").read_bytes())


def test_withdrawn_candidates_votes_are_invalid() -> None:
    m = _manifest("mayoral-election")
    q = m.questions[0]
    counts = {f"mayor/{o}": n for o, n in zip(q.option_ids, (5, 3, 2), strict=True)}
    counts["mayor/#blank"] = 1
    r = compute_results(m, counts, 11, {("mayor", q.option_ids[1])})
    res = r.question("mayor")
    assert res.invalid == 3 and res.valid == 7 and res.blank == 1
    assert dict(res.votes)[q.option_ids[1]] == 0
    assert res.to_json()["options"][1]["withdrawn"] is True


def test_rating_distribution_and_mean() -> None:
    m = _manifest("tsukuba-2024-mayor-evaluation")
    labels = aggregate_labels(m)
    counts = dict.fromkeys(labels, 0)
    counts.update({"evaluation/70": 2, "evaluation/100": 1, "evaluation/#blank": 4})
    rating = compute_results(m, counts, 7).question("evaluation").rating
    assert rating == {"answers": 3, "sum": 240, "mean": "80.00"}
    counts.update({"evaluation/70": 0, "evaluation/100": 0})
    assert compute_results(m, counts, 4).question("evaluation").rating["mean"] is None


def test_a_missing_count_is_refused() -> None:
    m = _manifest("mayoral-election")
    with pytest.raises(RecordError):
        compute_results(m, {}, 0)


def test_results_json_has_no_floats() -> None:
    m = _manifest("tsukuba-2024-mayor-evaluation")
    counts = dict.fromkeys(aggregate_labels(m), 1)
    text = json.dumps(compute_results(m, counts, 12).to_json())
    assert "." not in text.replace('"mean": "50.00"', "")
