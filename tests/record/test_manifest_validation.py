"""Every manifest rule, broken one at a time, and all problems reported at once (§MAN-2)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tohyo.record import InvalidJson, InvalidManifest, Manifest, Problem, parse_manifest
from tohyo.record.errors import json_pointer
from tohyo.record.manifest import area_check_digit, is_area_code

Doc = dict[str, Any]


def problems(doc: Any) -> list[tuple[str, str]]:
    with pytest.raises(InvalidManifest) as info:
        Manifest.from_json(doc)
    return [(p.path, p.reason) for p in info.value.problems]


def _set(path: str, value: Any) -> Callable[[Doc], None]:
    """A mutation that sets (or, for ``...``, deletes) the value at a JSON pointer."""
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in path.split("/")[1:]]

    def mutate(doc: Doc) -> None:
        target: Any = doc
        for t in tokens[:-1]:
            target = target[int(t)] if isinstance(target, list) else target[t]
        last: Any = int(tokens[-1]) if isinstance(target, list) else tokens[-1]
        if value is ...:
            del target[last]
        else:
            target[last] = value

    return mutate


Q0, Q1, Q2, Q3 = "/questions/0", "/questions/1", "/questions/2", "/questions/3"
CAND = f"{Q1}/candidates"
IMG = f"{Q2}/options"

CASES: list[tuple[str, Any, str, str]] = [
    # (pointer to mutate, new value or ... to delete, expected problem path, reason fragment)
    ("/format", ..., "/format", "is required"),
    ("/format", "tohyo-manifest/3", "/format", "must be"),
    ("/format", "tohyo-manifest/2", "/log", "is required"),
    ("/log", {}, "/log", "not a known field"),
    ("/extra", 1, "/extra", "not a known field"),
    ("/id", ..., "/id", "is required"),
    ("/id", "Test", "/id", "must be an id"),
    ("/id", "-test", "/id", "must be an id"),
    ("/id", "a" * 65, "/id", "must be an id"),
    ("/id", 7, "/id", "must be an id"),
    ("/title", "テスト", "/title", "language tag to text"),
    ("/title", {"en": "Test"}, "/title/ja", "Japanese text is mandatory"),
    ("/title/EN", "x", "/title/EN", "language tag"),
    ("/title/ja", "", "/title/ja", "must not be empty"),
    ("/title/ja", "   ", "/title/ja", "must not be empty"),
    ("/title/ja", " テスト", "/title/ja", "white space"),
    ("/title/ja", "テ\nスト", "/title/ja", "control"),
    ("/title/ja", "テ\u0000スト", "/title/ja", "control"),
    ("/title/ja", "か\u3099", "/title/ja", "NFC"),
    ("/title/ja", "長" * 201, "/title/ja", "at most 200"),
    ("/title/ja", 5, "/title/ja", "must be a string"),
    ("/description", {"en": "only English"}, "/description/ja", "mandatory"),
    ("/period", "2025", "/period", "must be an object"),
    ("/period/start", ..., "/period/start", "is required"),
    ("/period/start", "2025-02-20", "/period/start", "date-time"),
    ("/period/start", "2025-02-20T09:00:00.5+09:00", "/period/start", "date-time"),
    ("/period/start", "2025-02-20T00:00:00Z", "/period/start", "+09:00"),
    ("/period/end", "2025-03-24T17:00:00+00:00", "/period/end", "+09:00"),
    ("/period/start", "2025-02-30T09:00:00+09:00", "/period/start", "calendar"),
    ("/period/end", "2025-02-20T09:00:00+09:00", "/period/end", "after the start"),
    ("/period/end", "2025-02-19T09:00:00+09:00", "/period/end", "after the start"),
    ("/authentication", [], "/authentication", "between 1 and 3"),
    ("/authentication", "jpki", "/authentication", "must be an array"),
    ("/authentication", ["password"], "/authentication/0", "jpki, oidc, code"),
    ("/authentication", ["jpki", "jpki"], "/authentication/1", "duplicates"),
    ("/trustees/threshold", 0, "/trustees/threshold", "between 1 and"),
    ("/trustees/threshold", 4, "/trustees/threshold", "t ≤ n"),
    ("/trustees/threshold", True, "/trustees/threshold", "integer"),
    ("/trustees/members", [], "/trustees/members", "between 1 and 64"),
    ("/trustees/members/1/id", "t1", "/trustees/members/1/id", "duplicates the id at"),
    ("/trustees/members/1/name", "", "/trustees/members/1/name", "empty"),
    ("/trustees/members/1/role", "chair", "/trustees/members/1/role", "not a known"),
    ("/eligibility/minimum_age", -1, "/eligibility/minimum_age", "between 0 and 150"),
    ("/eligibility/minimum_age", "18", "/eligibility/minimum_age", "integer"),
    ("/eligibility/election_day", "2025/03/24", "/eligibility/election_day", "YYYY-MM-DD"),
    ("/eligibility/election_day", "2025-02-29", "/eligibility/election_day", "calendar"),
    ("/eligibility/election_day", "2025-02-19", "/eligibility/election_day", "before"),
    ("/eligibility/areas", [], "/eligibility/areas", "between 1 and"),
    ("/eligibility/areas/0", "082202", "/eligibility/areas/0", "check digit"),
    ("/eligibility/areas/0", "08220", "/eligibility/areas/0", "check digit"),
    ("/eligibility/areas/0", "082201-", "/eligibility/areas/0", "district"),
    ("/eligibility/areas/0", "082201-abcdefghi", "/eligibility/areas/0", "district"),
    ("/eligibility/areas/0", "991234", "/eligibility/areas/0", "check digit"),
    ("/eligibility/areas", ["082201", "082201"], "/eligibility/areas/1", "duplicates"),
    ("/questions", [], "/questions", "between 1 and 100"),
    (f"{Q0}/kind", ..., f"{Q0}/kind", "is required"),
    (f"{Q0}/kind", "ranking", f"{Q0}/kind", "must be one of"),
    (f"{Q0}/id", "t1", f"{Q0}/id", "duplicates the id at /trustees/members/0/id"),
    (f"{Q0}/allow_blank", "yes", f"{Q0}/allow_blank", "true or false"),
    (f"{Q0}/text", {"ja": ""}, f"{Q0}/text/ja", "empty"),
    (f"{Q0}/options", [{"id": "o1", "label": {"ja": "一"}}], f"{Q0}/options",
     "between 2 and 200"),
    (f"{Q0}/options/1/id", "o1", f"{Q0}/options/1/id", "duplicates the id at"),
    (f"{Q0}/options/1/id", "q-cand", f"{Q1}/id", "duplicates the id at /questions/0/options/1"),
    (f"{Q0}/options/1/label", ..., f"{Q0}/options/1/label", "is required"),
    (f"{Q0}/options/1/description", {"en": "x"}, f"{Q0}/options/1/description/ja",
     "mandatory"),
    (f"{Q0}/min_selections", 3, f"{Q0}/min_selections", "must not exceed max"),
    (f"{Q0}/max_selections", 4, f"{Q0}/max_selections", "number of options"),
    (f"{Q0}/max_selections", 0, f"{Q0}/max_selections", "between 1 and 200"),
    (f"{Q0}/min_selections", -1, f"{Q0}/min_selections", "between 0 and 200"),
    (f"{Q0}/min_selections", True, f"{Q0}/min_selections", "integer"),
    (f"{Q0}/levels", [], f"{Q0}/levels", "not a known field"),
    (f"{CAND}", [], f"{CAND}", "between 1 and 200"),
    (f"{CAND}/0/kana", "Yamada Taro", f"{CAND}/0/kana", "hiragana or katakana"),
    (f"{CAND}/0/kana", "ﾔﾏﾀﾞ ﾀﾛｳ", f"{CAND}/0/kana", "full-width"),
    (f"{CAND}/0/kana", "山田 たろう", f"{CAND}/0/kana", "hiragana or katakana"),
    (f"{CAND}/0/kana", "ー・", f"{CAND}/0/kana", "hiragana or katakana"),
    (f"{CAND}/0/kana", ..., f"{CAND}/0/kana", "is required"),
    (f"{CAND}/0/party", ..., f"{CAND}/0/party", "is required"),
    (f"{CAND}/0/party", "無所属", f"{CAND}/0/party", "language tag to text"),
    (f"{CAND}/0/name", {"en": "Taro"}, f"{CAND}/0/name/ja", "mandatory"),
    (f"{CAND}/0/number", 0, f"{CAND}/0/number", "between 1 and 9999"),
    (f"{CAND}/0/number", 1.0, f"{CAND}/0/number", "integer"),
    (f"{CAND}/1/number", 1, f"{CAND}/1/number", "duplicates the lot number"),
    (f"{CAND}/0/number", 3, f"{CAND}", "ascending order of lot number"),
    (f"{CAND}/1/id", "c1", f"{CAND}/1/id", "duplicates the id"),
    (f"{Q1}/max_selections", 3, f"{Q1}/max_selections", "number of options"),
    (f"{Q1}/allow_blank", False, "", ""),  # fine on its own: min_selections defaults to 1
    (f"{IMG}/0/image", "../secret.jpg", f"{IMG}/0/image", "relative path"),
    (f"{IMG}/0/image", "/images/p1.jpg", f"{IMG}/0/image", "relative path"),
    (f"{IMG}/0/image", "https://example.org/p1.jpg", f"{IMG}/0/image", "relative path"),
    (f"{IMG}/0/image", "images\\p1.jpg", f"{IMG}/0/image", "relative path"),
    (f"{IMG}/0/image", "images/p1.gif", f"{IMG}/0/image", "relative path"),
    (f"{IMG}/0/image", "images/.hidden.jpg", f"{IMG}/0/image", "relative path"),
    (f"{IMG}/0/image", "images//p1.jpg", f"{IMG}/0/image", "relative path"),
    (f"{IMG}/0/alt", ..., f"{IMG}/0/alt", "is required"),
    (f"{IMG}/0/alt", {"en": "A mountain"}, f"{IMG}/0/alt/ja", "mandatory"),
    (f"{IMG}/0/image_sha256", "ABCD", f"{IMG}/0/image_sha256", "64 lowercase"),
    (f"{Q3}/levels", [{"value": 0}], f"{Q3}/levels", "between 2 and 101"),
    (f"{Q3}/levels/1/value", 0, f"{Q3}/levels/1/value", "greater than the previous"),
    (f"{Q3}/levels/2/value", 10, f"{Q3}/levels/2/value", "greater than the previous"),
    (f"{Q3}/levels/0/value", -10, f"{Q3}/levels/0/value", "between 0 and"),
    (f"{Q3}/levels/0/label", {"ja": ""}, f"{Q3}/levels/0/label/ja", "empty"),
    (f"{Q3}/max_selections", 1, f"{Q3}/max_selections", "not a known field"),
    (f"{Q3}/levels/0/id", "zero", f"{Q3}/levels/0/id", "not a known field"),
]


@pytest.mark.parametrize(("pointer", "value", "path", "reason"), CASES,
                         ids=[f"{c[0]}={c[1]!r}"[:60] for c in CASES])
def test_each_rule(minimal: Doc, pointer: str, value: Any, path: str, reason: str) -> None:
    _set(pointer, value)(minimal)
    if not reason:
        Manifest.from_json(minimal)
        return
    found = problems(minimal)
    assert any(p == path and reason in r for p, r in found), found


def test_min_zero_contradicts_no_blank(minimal: Doc) -> None:
    q = minimal["questions"][0]
    q["min_selections"], q["allow_blank"] = 0, False
    assert problems(minimal) == [("/questions/0/min_selections",
                                  "0 permits an empty answer, which contradicts allow_blank false")]
    q["allow_blank"] = True
    assert Manifest.from_json(minimal).questions[0].min_selections == 0


def test_every_problem_is_reported_at_once(minimal: Doc) -> None:
    minimal["id"] = "BAD ID"
    minimal["title"] = {"en": "no Japanese"}
    minimal["period"]["start"] = "2025-02-20T09:00:00Z"
    minimal["trustees"]["threshold"] = 5
    minimal["eligibility"]["areas"] = ["123456"]
    minimal["questions"][1]["candidates"][0]["kana"] = "Yamada"
    minimal["questions"][2]["options"][1]["alt"] = {"en": "pond"}
    minimal["questions"][3]["levels"][2]["value"] = 50
    minimal["surprise"] = True
    paths = [p for p, _ in problems(minimal)]
    assert paths == [
        "/surprise",
        "/id",
        "/title/ja",
        "/period/start",
        "/trustees/threshold",
        "/eligibility/areas/0",
        "/questions/1/candidates/0/kana",
        "/questions/2/options/1/alt/ja",
        "/questions/3/levels/2/value",
    ]


def test_missing_top_level_fields_are_each_reported() -> None:
    paths = [p for p, _ in problems({})]
    assert paths == ["/authentication", "/eligibility", "/format", "/id", "/period",
                     "/questions", "/title", "/trustees"]


@pytest.mark.parametrize("doc", [[], "manifest", None, 3])
def test_root_must_be_an_object(doc: Any) -> None:
    assert problems(doc) == [("", "must be an object")]


def test_question_must_be_an_object(minimal: Doc) -> None:
    minimal["questions"][0] = "q"
    assert ("/questions/0", "must be an object") in problems(minimal)


def test_limits_on_counts(minimal: Doc) -> None:
    minimal["questions"][0]["options"] = [
        {"id": f"o{i}", "label": {"ja": str(i)}} for i in range(201)
    ]
    assert ("/questions/0/options", "must have between 2 and 200 items") in problems(minimal)
    minimal["questions"] = [{"id": f"q{i}", "kind": "rating", "title": {"ja": "q"},
                             "levels": [{"value": 0}, {"value": 1}]} for i in range(101)]
    assert ("/questions", "must have between 1 and 100 items") in problems(minimal)


def test_pointer_escapes_special_characters(minimal: Doc) -> None:
    minimal["a/b~c"] = 1
    assert ("/a~1b~0c", "is not a known field") in problems(minimal)
    assert json_pointer("questions", 0, "x/y") == "/questions/0/x~1y"


def test_optional_fields_and_defaults(minimal: Doc) -> None:
    m = Manifest.from_json(minimal)
    q0 = m.questions[0]
    assert (q0.min_selections, q0.max_selections, q0.allow_blank) == (1, 1, True)
    assert m.description is None and q0.text is None
    doc = m.to_json()
    assert "description" not in doc and "text" not in doc["questions"][0]
    assert doc["questions"][0]["allow_blank"] is True
    minimal["description"] = {"ja": "説明\n二行目", "en": "Two\nlines"}
    assert Manifest.from_json(minimal).description is not None


def test_districts_and_language_variants(minimal: Doc) -> None:
    minimal["eligibility"]["areas"] = ["082201-03", "131016", "011002-A1"]
    minimal["title"]["ja-x-easy"] = "てすと の とうひょう"
    minimal["title"]["zh-hans"] = "测试投票"
    m = Manifest.from_json(minimal)
    assert m.eligibility.areas == ("082201-03", "131016", "011002-A1")
    assert m.title.languages == ("en", "ja", "ja-x-easy", "zh-hans")
    assert m.title.get("ja-x-easy") == "てすと の とうひょう"


def test_problem_str_and_error_message(minimal: Doc) -> None:
    minimal["id"] = "X"
    with pytest.raises(InvalidManifest) as info:
        Manifest.from_json(minimal)
    assert str(info.value.problems[0]).startswith("/id: must be an id")
    assert "1 problems" in str(info.value)
    assert isinstance(info.value, ValueError)
    with pytest.raises(ValueError):
        InvalidManifest([])
    assert str(Problem("", "x")) == "/: x"


def test_parse_manifest_rejects_bad_json() -> None:
    with pytest.raises(InvalidJson, match="duplicate"):
        parse_manifest(b'{"id": "a", "id": "b"}')
    with pytest.raises(InvalidJson, match="nesting"):
        parse_manifest(b'{"a":' * 17 + b"1" + b"}" * 17)
    with pytest.raises(InvalidJson, match="larger"):
        parse_manifest(b" " * (1 << 20) + b"{}")
    with pytest.raises(InvalidManifest):
        parse_manifest(b"{}")


def test_parse_manifest_accepts_json_bytes(minimal: Doc) -> None:
    data = json.dumps(minimal, ensure_ascii=False, indent=1).encode()
    assert parse_manifest(data) == Manifest.from_json(minimal)


@pytest.mark.parametrize(
    ("code", "ok"),
    [("082201", True), ("131016", True), ("011002", True), ("472018", True),
     ("082200", False), ("481001", False), ("001007", False), ("08220a", False),
     ("０８２２０１", False), ("0822011", False)],
)
def test_area_codes(code: str, ok: bool) -> None:
    assert is_area_code(code) is ok


def test_check_digit_wraps() -> None:
    # remainders 0 and 1 give check digits 1 and 0 (the last digit of 11 - r)
    assert area_check_digit("00000") == 1
    assert area_check_digit("13101") == 6
