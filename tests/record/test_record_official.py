"""The official result model: combine, canonical JSON, checked reading (results.md §RES-3, 4)."""

from __future__ import annotations

import copy
import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from tohyo.record.canonical import dumps_canonical
from tohyo.record.manifest import parse_manifest
from tohyo.record.official import InvalidOfficial, OfficialResult, TurnoutInputs, combine
from tohyo.record.paper import InvalidPaperCount, parse_paper_count
from tohyo.record.results import compute_results

_FIX = Path(__file__).parents[1] / "vectors" / "official" / "tsukuba_2025.py"
_spec = importlib.util.spec_from_file_location("official_fixture", _FIX)
assert _spec is not None and _spec.loader is not None
fixture = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fixture)


def test_the_checked_in_fixture_is_what_combine_produces() -> None:
    result = fixture.official_result()
    assert fixture.JSON.read_bytes() == dumps_canonical(result.to_json()) + b"\n"
    assert OfficialResult.from_json(json.loads(fixture.JSON.read_bytes())) == result


def test_internet_figures_are_the_published_2025_results() -> None:
    result = fixture.official_result()
    q = result.question("administrative-services")
    assert [o.electronic for o in q.options] == [282, 240, 37]
    assert [o.paper for o in q.options] == [12, 20, 5]
    assert [o.total for o in q.options] == [294, 260, 42]
    assert q.valid.electronic == 559 and q.ballots.electronic == 559
    assert result.question("mobility").blank.electronic == 117
    assert result.question("mobility").valid.electronic == 442
    assert result.question("healthcare").valid.electronic == 417
    assert result.turnout.voters == 559 + 64 and result.turnout.percent == "3.12"
    assert result.turnout.paper == (("early", 52), ("election_day", 0), ("mobile", 12),
                                    ("absentee", 0))
    form = q.count_form
    assert form is not None
    assert (form.a, form.b, form.c, form.d, form.e, form.f_rejected, form.f_other, form.g) == (
        "596.000", "0.000", 596, 26, 622, 1, 0, 623)


def _mutate(path: list[Any], value: Any) -> dict[str, Any]:
    obj = copy.deepcopy(json.loads(fixture.JSON.read_bytes()))
    target = obj
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return obj


@pytest.mark.parametrize(("path", "value", "field"), [
    (["questions", 0, "options", 0, "paper"], 13, "/questions/0/options/0/total"),
    (["questions", 0, "count_form", "E"], 621, "/questions/0/count_form/E"),
    (["questions", 0, "count_form", "A"], "596.0", "/questions/0/count_form/A"),
    (["turnout", "percent"], "3.13", "/turnout/percent"),
    (["turnout", "voters"], 624, "/turnout/voters"),
    (["questions", 1, "blank", "electronic"], 1, "/questions/1/blank"),
    (["questions", 0, "options", 0, "electronic"], 2.5, "/questions/0/options/0/electronic"),
    (["format"], "tohyo-official/9", "/format"),
])
def test_from_json_refuses_figures_that_do_not_add_up(
    path: list[Any], value: Any, field: str
) -> None:
    with pytest.raises(InvalidOfficial) as err:
        OfficialResult.from_json(_mutate(path, value))
    assert err.value.field.startswith(field)


MAYOR = {
    "format": "tohyo-manifest/1", "id": "apportion-test", "title": {"ja": "按分"},
    "period": {"start": "2028-10-16T08:30:00+09:00", "end": "2028-10-21T20:00:00+09:00"},
    "authentication": ["code"],
    "trustees": {"threshold": 1, "members": [{"id": "t1", "name": "委員"}]},
    "eligibility": {"minimum_age": 18, "election_day": "2028-10-22", "areas": ["082201"]},
    "questions": [{"id": "mayor", "kind": "candidates", "title": {"ja": "市長"}, "candidates": [
        {"id": "a", "number": 1, "name": {"ja": "山田 一郎"}, "kana": "やまだ いちろう",
         "party": None},
        {"id": "b", "number": 2, "name": {"ja": "山田 次郎"}, "kana": "やまだ じろう",
         "party": None},
        {"id": "c", "number": 3, "name": {"ja": "佐藤 花子"}, "kana": "さとう はなこ",
         "party": None}]}],
}


def test_apportionment_truncates_to_three_decimals_and_withdrawn_votes_are_named() -> None:
    m = parse_manifest(json.dumps(MAYOR).encode())
    internet = compute_results(m, {"mayor/a": 100, "mayor/b": 200, "mayor/c": 7,
                                   "mayor/#blank": 3}, 310, withdrawn=[("mayor", "c")])
    paper = parse_paper_count(m, {
        "election_id": "apportion-test", "place": "第1開票所", "kind": "election_day",
        "voters": 50, "questions": [{"id": "mayor", "ballots": 50, "blank": 2,
                                     "invalid": {"other_writing": 1},
                                     "options": {"a": 20, "b": 16, "c": 4},
                                     "apportioned": [{"candidates": ["b", "a"], "ballots": 7}]}]})
    result = combine(m, internet, [paper], TurnoutInputs(roll=1000))
    q = result.question("mayor")
    # a: 120 whole votes, b: 216; shares 7×120/336 = 2.5 and 7×216/336 = 4.5
    assert q.option("a").apportioned == "2.500" and q.option("b").apportioned == "4.500"
    assert q.option("c").withdrawn and q.option("c").total == 0
    (gone,) = q.withdrawn_votes
    assert (gone.option_id, gone.electronic, gone.paper) == ("c", 7, 4)
    form = q.count_form
    assert form is not None and form.a == "343.000" and form.b == "0.000" and form.c == 343
    assert form.d == 7 + 4 + 1 + 5 and form.e == 360 and form.g == 360
    assert OfficialResult.from_json(json.loads(dumps_canonical(result.to_json()))) == result


def test_apportionment_with_a_repeating_fraction_puts_the_remainder_in_b() -> None:
    m = parse_manifest(json.dumps(MAYOR).encode())
    internet = compute_results(m, {"mayor/a": 1, "mayor/b": 2, "mayor/c": 0,
                                   "mayor/#blank": 0}, 3)
    paper = parse_paper_count(m, {
        "election_id": "apportion-test", "place": "p", "kind": "early", "voters": 1,
        "questions": [{"id": "mayor", "ballots": 1, "options": {},
                       "apportioned": [{"candidates": ["a", "b"], "ballots": 1}]}]})
    q = combine(m, internet, [paper], TurnoutInputs(roll=10)).question("mayor")
    assert (q.option("a").apportioned, q.option("b").apportioned) == ("0.333", "0.666")
    assert q.count_form is not None
    assert (q.count_form.a, q.count_form.b, q.count_form.c) == ("3.999", "0.001", 4)


@pytest.mark.parametrize(("change", "code", "field"), [
    ({"voters": -1}, "paper.negative", "/voters"),
    ({"voters": 1.5}, "paper.not_integer", "/voters"),
    ({"voters": "52"}, "paper.not_integer", "/voters"),
    ({"kind": "proxy"}, "paper.unknown_kind", "/kind"),
    ({"election_id": "other"}, "paper.wrong_election", "/election_id"),
    ({"voters": 10}, "paper.sums", "/questions/0/ballots"),
])
def test_paper_count_refusals_name_the_field(change: dict[str, Any], code: str,
                                             field: str) -> None:
    m = fixture.manifest()
    obj = {**copy.deepcopy(fixture.PAPER[0]), **change}
    with pytest.raises(InvalidPaperCount) as err:
        parse_paper_count(m, obj)
    assert (err.value.code, err.value.field) == (code, field)


@pytest.mark.parametrize(("qchange", "code", "field"), [
    ({"options": {"internet-voting": 11, "digital-counters": 15, "ai-citizen-voice": 5}},
     "paper.sums", "/questions/0/options"),
    ({"options": {"nope": 1}}, "paper.unknown_option", "/questions/0/options/nope"),
    ({"invalid": {"bribery": 1}}, "paper.unknown_reason", "/questions/0/invalid/bribery"),
    ({"blank": 60}, "paper.sums", "/questions/0/ballots"),
    ({"blank": -2}, "paper.negative", "/questions/0/blank"),
])
def test_question_refusals_name_the_cell(qchange: dict[str, Any], code: str, field: str) -> None:
    m = fixture.manifest()
    obj = copy.deepcopy(fixture.PAPER[0])
    obj["questions"][0].update(qchange)
    with pytest.raises(InvalidPaperCount) as err:
        parse_paper_count(m, obj)
    assert (err.value.code, err.value.field) == (code, field)


def test_a_missing_question_is_refused() -> None:
    obj = copy.deepcopy(fixture.PAPER[0])
    del obj["questions"][2]
    with pytest.raises(InvalidPaperCount) as err:
        parse_paper_count(fixture.manifest(), obj)
    assert err.value.code == "paper.missing_question"


def test_paper_count_leaves_are_parsed_strictly() -> None:
    from tohyo.record.leaves import InvalidLeaf, PaperCountLeaf, paper_count_leaf, parse_leaf

    good = paper_count_leaf("e", {"place": "p"}, ("b", "a"), bytes(64))
    leaf = parse_leaf(good)
    assert isinstance(leaf, PaperCountLeaf) and leaf.entered_by == ("a", "b")
    for change in ({"entered_by": ["b", "a"]}, {"entered_by": ["a", "a"]},
                   {"entered_by": ["a"]}, {"signature": "AAAA"}, {"signature": "!" * 88},
                   {"count": [1]}):
        with pytest.raises(InvalidLeaf):
            parse_leaf({**good, **change})


def test_a_signed_count_verifies_only_unchanged_and_with_the_log_key() -> None:
    from tohyo.log import Ed25519Signer, encode_verifier_key
    from tohyo.record.leaves import PaperCountLeaf, paper_count_leaf, parse_leaf
    from tohyo.record.paper import check_paper_leaf, sign_paper_count

    m = fixture.manifest()
    count = parse_paper_count(m, fixture.PAPER[0])
    signer = Ed25519Signer.generate("tohyo.example/log/x")
    key = encode_verifier_key(signer.verifier())
    leaf_json = paper_count_leaf(m.id, count.to_json(), ("a", "b"),
                                 sign_paper_count(count, ("a", "b"), signer))
    leaf = parse_leaf(leaf_json)
    assert isinstance(leaf, PaperCountLeaf)
    assert check_paper_leaf(m, leaf, key) == count
    other = encode_verifier_key(Ed25519Signer.generate("tohyo.example/log/x").verifier())
    with pytest.raises(InvalidPaperCount) as err:
        check_paper_leaf(m, leaf, other)
    assert err.value.code == "paper.signature"
    renamed = parse_leaf({**leaf_json, "entered_by": ["a", "c"]})
    assert isinstance(renamed, PaperCountLeaf)
    with pytest.raises(InvalidPaperCount):  # the officials' names are signed too
        check_paper_leaf(m, renamed, key)
    loose = copy.deepcopy(leaf_json)
    del loose["count"]["questions"][0]["invalid"]["other"]  # not the normal form
    short = parse_leaf(loose)
    assert isinstance(short, PaperCountLeaf)
    with pytest.raises(InvalidPaperCount) as err:
        check_paper_leaf(m, short, key)
    assert err.value.code == "paper.not_normal"


def test_the_text_table_shows_every_figure_of_the_form() -> None:
    from tohyo.record.official_text import official_table

    text = official_table(fixture.official_result(), fixture.manifest())
    assert "インターネット投票" in text and "他事記載 other writing" in text
    assert "(A) 得票総数 596.000" in text and "(G) 投票者総数 623" in text
    assert "投票率 turnout" in text and "3.12 %" in text
    assert "途中終了 started, not finished" in text
    assert "つくば市役所 / 期日前 early" in text
    english = official_table(fixture.official_result(), fixture.manifest(), language="en")
    assert "Internet voting" in english
