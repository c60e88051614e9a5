"""The example manifests of tests/vectors/manifests parse and mean what they say."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tohyo.record import (
    AuthMethod,
    CandidatesQuestion,
    ChoiceQuestion,
    ImageChoiceQuestion,
    InvalidManifest,
    Manifest,
    QuestionKind,
    QuestionStyle,
    RatingQuestion,
    manifest_hash,
    parse_manifest,
)
from tohyo.record.canonical import dumps_canonical

EXAMPLES = Path(__file__).resolve().parents[1] / "vectors" / "manifests"
NAMES = sorted(p.name for p in EXAMPLES.glob("*.json"))


def load(name: str) -> Manifest:
    return parse_manifest((EXAMPLES / name).read_bytes())


def test_all_five_examples_are_present() -> None:
    assert NAMES == [
        "council-election.json",
        "mayoral-election.json",
        "tsukuba-2024-mayor-evaluation.json",
        "tsukuba-2024-photo-contest.json",
        "tsukuba-2025-survey.json",
    ]


@pytest.mark.parametrize("name", NAMES)
def test_example_round_trips(name: str) -> None:
    m = load(name)
    assert Manifest.from_json(m.to_json()) == m
    assert parse_manifest(dumps_canonical(m.to_json())) == m
    assert m.to_json() == json.loads((EXAMPLES / name).read_bytes())


@pytest.mark.parametrize("name", NAMES)
def test_hash_ignores_layout_but_not_content(name: str) -> None:
    m = load(name)
    doc: dict[str, Any] = json.loads((EXAMPLES / name).read_bytes())
    compact = json.dumps(dict(reversed(list(doc.items()))), ensure_ascii=True).encode()
    assert manifest_hash(parse_manifest(compact)) == manifest_hash(m)
    doc["title"]["ja"] += "（改）"
    assert manifest_hash(Manifest.from_json(doc)) != manifest_hash(m)
    assert len(manifest_hash(m)) == 32


def test_hash_fills_in_defaults() -> None:
    """A default written out or left implicit gives the same manifest and hash (§MAN-16)."""
    doc: dict[str, Any] = json.loads((EXAMPLES / "tsukuba-2025-survey.json").read_bytes())
    for q in doc["questions"]:
        del q["allow_blank"], q["min_selections"], q["max_selections"]
    implicit = Manifest.from_json(doc)
    assert implicit == load("tsukuba-2025-survey.json")
    assert manifest_hash(implicit) == manifest_hash(load("tsukuba-2025-survey.json"))


def test_tsukuba_2025_survey() -> None:
    m = load("tsukuba-2025-survey.json")
    assert m.authentication == (AuthMethod.JPKI,)
    assert [q.id for q in m.questions] == ["administrative-services", "mobility", "healthcare"]
    labels = {
        q.id: [(o.label.ja, o.label.get("en")) for o in q.options]
        for q in m.questions
        if isinstance(q, ChoiceQuestion)
    }
    assert labels["administrative-services"][0] == ("インターネット投票", "Internet voting")
    assert labels["mobility"][0] == ("つくモビ", "Tsukumobi")
    assert labels["healthcare"][2][0] == "「もしもの時」を支える情報連携"
    assert m.title.get("ja-x-easy").startswith("つくば")
    assert m.ballot_style() == tuple(
        QuestionStyle(q.id, q.option_ids, 1, 1, True) for q in m.questions
    )
    assert all(len(s.option_ids) == 3 for s in m.ballot_style())


def test_mayor_evaluation_has_eleven_levels() -> None:
    m = load("tsukuba-2024-mayor-evaluation.json")
    (q,) = m.questions
    assert isinstance(q, RatingQuestion)
    assert q.kind is QuestionKind.RATING
    assert [lv.value for lv in q.levels] == list(range(0, 101, 10))
    style = m.ballot_style()[0]
    assert style.option_ids == tuple(str(v) for v in range(0, 101, 10))
    assert (style.min_selections, style.max_selections, style.allow_blank) == (1, 1, True)


def test_photo_contest_has_alt_text() -> None:
    m = load("tsukuba-2024-photo-contest.json")
    (q,) = m.questions
    assert isinstance(q, ImageChoiceQuestion)
    assert all(o.alt.ja and o.image.startswith("images/") for o in q.options)
    assert all(o.image_sha256 is not None and len(o.image_sha256) == 64 for o in q.options)


def test_mayoral_election() -> None:
    m = load("mayoral-election.json")
    (q,) = m.questions
    assert isinstance(q, CandidatesQuestion)
    assert [c.number for c in q.candidates] == [1, 2, 3]
    assert q.candidates[1].party is None
    assert q.candidates[0].party is not None and q.candidates[0].party.ja == "つくば未来の会"
    assert q.candidates[2].kana == "ワタナベ ケン"
    assert m.eligibility.minimum_age == 18
    assert (m.threshold, len(m.trustees)) == (3, 4)
    assert m.candidate("candidate-02") == (q, q.candidates[1])
    with pytest.raises(KeyError):
        m.candidate("nobody")
    assert m.question("mayor") is q
    with pytest.raises(KeyError):
        m.question("nothing")


def test_council_election_has_thirty_candidates() -> None:
    m = load("council-election.json")
    (q,) = m.questions
    assert isinstance(q, CandidatesQuestion)
    assert len(q.candidates) == 30
    assert m.ballot_style()[0].option_ids == tuple(f"candidate-{i:02d}" for i in range(1, 31))
    assert q.text is not None and q.text.get("fr") == q.text.ja  # falls back to Japanese


SPEC = Path(__file__).resolve().parents[2] / "docs" / "spec" / "manifest.md"


def test_spec_example_manifest_parses() -> None:
    text = SPEC.read_text(encoding="utf-8")
    start = text.index('```json\n{\n  "format"') + len("```json\n")
    m = parse_manifest(text[start : text.index("```", start)].encode())
    assert isinstance(m.questions[0], RatingQuestion)
    assert len(m.questions[0].levels) == 11


def test_spec_example_problem_report() -> None:
    doc: dict[str, Any] = json.loads((EXAMPLES / "mayoral-election.json").read_bytes())
    q = doc["questions"][0]
    q["candidates"][1]["kana"] = "Sato"
    q["candidates"][2]["number"] = 1
    q["max_selections"] = 4
    with pytest.raises(InvalidManifest) as info:
        Manifest.from_json(doc)
    text = SPEC.read_text(encoding="utf-8")
    for problem in info.value.problems:
        assert f"| `{problem.path}` | {problem.reason} |" in text
