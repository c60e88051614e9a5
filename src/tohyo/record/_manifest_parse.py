"""Validation of manifest JSON (docs/spec/manifest.md §MAN-2 … §MAN-14). Internal.

The document is walked once with a :class:`~tohyo.record._checker.Checker`
that records every problem and carries on; only :func:`manifest_from_json`
decides, and raises :class:`InvalidManifest` listing them all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tohyo.record._checker import (
    MAX_AGE,
    MAX_AREAS,
    MAX_LEVELS,
    MAX_MANIFEST_BYTES,
    MAX_MANIFEST_DEPTH,
    MAX_NAME,
    MAX_OPTIONS,
    MAX_QUESTIONS,
    MAX_TRUSTEES,
    Checker,
    check_unique,
    items,
    optional,
)
from tohyo.record._log_parse import log_declaration
from tohyo.record.canonical import loads_strict
from tohyo.record.errors import InvalidManifest, Problem
from tohyo.record.manifest import (
    FORMAT,
    FORMAT_V2,
    FORMATS,
    AuthMethod,
    Candidate,
    CandidatesQuestion,
    ChoiceOption,
    ChoiceQuestion,
    Eligibility,
    ImageChoiceQuestion,
    ImageOption,
    LocalizedText,
    Manifest,
    Question,
    QuestionKind,
    RatingLevel,
    RatingQuestion,
    Trustee,
    VotingPeriod,
)

_TOP = {"format", "id", "title", "period", "authentication", "trustees", "eligibility",
        "questions"}
_COMMON_Q = {"id", "kind", "title"}
_COMMON_Q_OPT = {"text", "allow_blank"}
_SELECTIONS = {"min_selections", "max_selections"}


# --------------------------------------------------------------------------- top level


def parse_manifest_bytes(data: bytes) -> Manifest:
    return manifest_from_json(
        loads_strict(data, max_bytes=MAX_MANIFEST_BYTES, max_depth=MAX_MANIFEST_DEPTH)
    )


def manifest_from_json(obj: Any) -> Manifest:
    c = Checker()
    o = c.obj(obj, "", _TOP, {"description", "log", "retain_until"})
    if o is None:
        raise InvalidManifest(c.problems)
    if "format" in o and o["format"] not in FORMATS:
        c.bad("/format", "must be " + " or ".join(f'"{f}"' for f in FORMATS))
    ident = c.field(o, "id", "", c.slug)
    title = c.field(o, "title", "", c.text)
    desc_ok, description = optional(c, o, "description", "", c.long_text)
    period = c.field(o, "period", "", _period(c))
    auth = items(c, o, "authentication", "", 1, len(AuthMethod), _auth(c))
    if auth is not None:
        check_unique(c, ((f"/authentication/{i}", a) for i, a in enumerate(auth)), "method")
    trustees = c.field(o, "trustees", "", _trustees(c))
    eligibility = c.field(o, "eligibility", "", _eligibility(c))
    if period is not None and eligibility is not None:
        if eligibility.election_day < period.start.date():
            c.bad("/eligibility/election_day", "must not be before the voting period starts")
    questions: list[Question] | None = items(
        c, o, "questions", "", 1, MAX_QUESTIONS, _question(c)
    )
    log = None
    if o.get("format") == FORMAT and "log" in o:
        c.bad("/log", f"is not a known field in {FORMAT} (use {FORMAT_V2})")
    elif o.get("format") == FORMAT_V2:
        if "log" not in o:
            c.bad("/log", "is required")
        log = c.field(o, "log", "", log_declaration(c))
    retain_ok, retain_until = optional(c, o, "retain_until", "", c.day)
    if retain_until is not None and period is not None and retain_until < period.end.date():
        c.bad("/retain_until", "must not be before the voting period ends")  # §MAN-3.1
    if c.problems:
        raise InvalidManifest(c.problems)
    if (ident is None or title is None or not desc_ok or period is None or auth is None
            or trustees is None or eligibility is None or questions is None):
        raise InvalidManifest([Problem("", "is incomplete")])  # pragma: no cover
    return Manifest(
        id=ident, title=title, description=description, period=period,
        authentication=tuple(auth), trustees=trustees[0], threshold=trustees[1],
        eligibility=eligibility, questions=tuple(questions), log=log,
        retain_until=retain_until if retain_ok else None,
    )


def _period(c: Checker) -> Callable[[Any, str], VotingPeriod | None]:
    def parse(value: Any, path: str) -> VotingPeriod | None:
        o = c.obj(value, path, {"start", "end"})
        if o is None:
            return None
        start = c.field(o, "start", path, c.datetime_jst)
        end = c.field(o, "end", path, c.datetime_jst)
        if start is None or end is None:
            return None
        if not start < end:
            c.bad(f"{path}/end", "must be after the start")
            return None
        return VotingPeriod(start, end)
    return parse


def _auth(c: Checker) -> Callable[[Any, str], AuthMethod | None]:
    def parse(value: Any, path: str) -> AuthMethod | None:
        if not isinstance(value, str) or value not in {m.value for m in AuthMethod}:
            c.bad(path, "must be one of " + ", ".join(m.value for m in AuthMethod))
            return None
        return AuthMethod(value)
    return parse


def _trustees(c: Checker) -> Callable[[Any, str], tuple[tuple[Trustee, ...], int] | None]:
    def member(value: Any, path: str) -> Trustee | None:
        o = c.obj(value, path, {"id", "name"})
        if o is None:
            return None
        ident = c.field(o, "id", path, c.new_id)
        name = c.field(o, "name", path, lambda v, p: c.string(v, p, MAX_NAME))
        return None if ident is None or name is None else Trustee(ident, name)

    def parse(value: Any, path: str) -> tuple[tuple[Trustee, ...], int] | None:
        o = c.obj(value, path, {"threshold", "members"})
        if o is None:
            return None
        members = items(c, o, "members", path, 1, MAX_TRUSTEES, member)
        threshold = c.field(o, "threshold", path, lambda v, p: c.integer(v, p, 1, MAX_TRUSTEES))
        if threshold is not None and isinstance(o.get("members"), list):
            if threshold > len(o["members"]):
                c.bad(f"{path}/threshold", "must not exceed the number of members (t ≤ n)")
                return None
        if members is None or threshold is None:
            return None
        return tuple(members), threshold
    return parse


def _eligibility(c: Checker) -> Callable[[Any, str], Eligibility | None]:
    def parse(value: Any, path: str) -> Eligibility | None:
        o = c.obj(value, path, {"minimum_age", "election_day", "areas"})
        if o is None:
            return None
        age = c.field(o, "minimum_age", path, lambda v, p: c.integer(v, p, 0, MAX_AGE))
        day = c.field(o, "election_day", path, c.day)
        areas = items(c, o, "areas", path, 1, MAX_AREAS, c.area)
        if areas is not None:
            check_unique(c, ((f"{path}/areas/{i}", a) for i, a in enumerate(areas)), "area")
        if age is None or day is None or areas is None:
            return None
        return Eligibility(age, day, tuple(areas))
    return parse


# --------------------------------------------------------------------------- questions


def _question(c: Checker) -> Callable[[Any, str], Question | None]:
    def parse(value: Any, path: str) -> Question | None:
        if not isinstance(value, dict):
            c.bad(path, "must be an object")
            return None
        kind = value.get("kind")
        if "kind" not in value:
            c.bad(f"{path}/kind", "is required")
            return None
        if not isinstance(kind, str) or kind not in {k.value for k in QuestionKind}:
            c.bad(f"{path}/kind", "must be one of " + ", ".join(k.value for k in QuestionKind))
            return None
        return _KINDS[QuestionKind(kind)](c, value, path)
    return parse


def _common(c: Checker, o: dict[str, Any], path: str
            ) -> tuple[str | None, LocalizedText | None, bool, LocalizedText | None, bool | None]:
    ident = c.field(o, "id", path, c.new_id)
    title = c.field(o, "title", path, c.text)
    text_ok, text = optional(c, o, "text", path, c.long_text)
    blank = c.field(o, "allow_blank", path, c.boolean) if "allow_blank" in o else True
    return ident, title, text_ok, text, blank


def _selections(c: Checker, o: dict[str, Any], path: str, n_options: int | None,
                allow_blank: bool | None) -> tuple[int, int] | None:
    lo = c.field(o, "min_selections", path, lambda v, p: c.integer(v, p, 0, MAX_OPTIONS))
    hi = c.field(o, "max_selections", path, lambda v, p: c.integer(v, p, 1, MAX_OPTIONS))
    lo = 1 if "min_selections" not in o else lo
    hi = 1 if "max_selections" not in o else hi
    if lo is None or hi is None:
        return None
    ok = True
    if lo > hi:
        c.bad(f"{path}/min_selections", "must not exceed max_selections")
        ok = False
    if n_options is not None and hi > n_options:
        c.bad(f"{path}/max_selections", "must not exceed the number of options")
        ok = False
    if lo == 0 and allow_blank is False:
        c.bad(f"{path}/min_selections",
              "0 permits an empty answer, which contradicts allow_blank false")
        ok = False
    return (lo, hi) if ok else None


def _candidates_question(c: Checker, o: dict[str, Any], path: str) -> Question | None:
    c.obj(o, path, _COMMON_Q | {"candidates"}, _COMMON_Q_OPT | _SELECTIONS)
    ident, title, text_ok, text, blank = _common(c, o, path)

    def candidate(value: Any, p: str) -> Candidate | None:
        co = c.obj(value, p, {"id", "number", "name", "kana", "party"})
        if co is None:
            return None
        cid = c.field(co, "id", p, c.new_id)
        number = c.field(co, "number", p, lambda v, q: c.integer(v, q, 1, 9999))
        name = c.field(co, "name", p, lambda v, q: c.text(v, q, MAX_NAME))
        kana = c.field(co, "kana", p, c.kana)
        party: LocalizedText | None = None
        party_ok = "party" in co and co["party"] is None
        if not party_ok:
            party = c.field(co, "party", p, lambda v, q: c.text(v, q, MAX_NAME))
            party_ok = party is not None
        if cid is None or number is None or name is None or kana is None or not party_ok:
            return None
        return Candidate(cid, number, name, kana, party)

    cands = items(c, o, "candidates", path, 1, MAX_OPTIONS, candidate)
    raw = o.get("candidates")
    n = len(raw) if isinstance(raw, list) else None
    sel = _selections(c, o, path, n, blank)
    numbers = [
        (f"{path}/candidates/{i}/number", x["number"])
        for i, x in enumerate(raw if isinstance(raw, list) else [])
        if isinstance(x, dict) and type(x.get("number")) is int
    ]
    check_unique(c, numbers, "lot number")
    values = [v for _, v in numbers]
    if len(set(values)) == len(values) and values != sorted(values):
        c.bad(f"{path}/candidates", "must be listed in ascending order of lot number")
    if (ident is None or title is None or not text_ok or blank is None or cands is None
            or sel is None):
        return None
    return CandidatesQuestion(ident, title, text, blank, sel[0], sel[1], tuple(cands))


def _choice_question(c: Checker, o: dict[str, Any], path: str) -> Question | None:
    c.obj(o, path, _COMMON_Q | {"options"}, _COMMON_Q_OPT | _SELECTIONS)
    ident, title, text_ok, text, blank = _common(c, o, path)

    def option(value: Any, p: str) -> ChoiceOption | None:
        oo = c.obj(value, p, {"id", "label"}, {"description"})
        if oo is None:
            return None
        oid = c.field(oo, "id", p, c.new_id)
        label = c.field(oo, "label", p, c.text)
        desc_ok, desc = optional(c, oo, "description", p, c.long_text)
        return None if oid is None or label is None or not desc_ok else ChoiceOption(
            oid, label, desc)

    options = items(c, o, "options", path, 2, MAX_OPTIONS, option)
    raw = o.get("options")
    sel = _selections(c, o, path, len(raw) if isinstance(raw, list) else None, blank)
    if (ident is None or title is None or not text_ok or blank is None or options is None
            or sel is None):
        return None
    return ChoiceQuestion(ident, title, text, blank, sel[0], sel[1], tuple(options))


def _image_question(c: Checker, o: dict[str, Any], path: str) -> Question | None:
    c.obj(o, path, _COMMON_Q | {"options"}, _COMMON_Q_OPT | _SELECTIONS)
    ident, title, text_ok, text, blank = _common(c, o, path)

    def option(value: Any, p: str) -> ImageOption | None:
        oo = c.obj(value, p, {"id", "label", "image", "alt"}, {"image_sha256"})
        if oo is None:
            return None
        oid = c.field(oo, "id", p, c.new_id)
        label = c.field(oo, "label", p, c.text)
        image = c.field(oo, "image", p, c.image_path)
        alt = c.field(oo, "alt", p, lambda v, q: c.text(v, q, 1000))
        digest_ok, digest = optional(c, oo, "image_sha256", p, c.hex256)
        if oid is None or label is None or image is None or alt is None or not digest_ok:
            return None
        return ImageOption(oid, label, image, alt, digest)

    options = items(c, o, "options", path, 2, MAX_OPTIONS, option)
    raw = o.get("options")
    sel = _selections(c, o, path, len(raw) if isinstance(raw, list) else None, blank)
    if (ident is None or title is None or not text_ok or blank is None or options is None
            or sel is None):
        return None
    return ImageChoiceQuestion(ident, title, text, blank, sel[0], sel[1], tuple(options))


def _rating_question(c: Checker, o: dict[str, Any], path: str) -> Question | None:
    c.obj(o, path, _COMMON_Q | {"levels"}, _COMMON_Q_OPT)
    ident, title, text_ok, text, blank = _common(c, o, path)

    def level(value: Any, p: str) -> RatingLevel | None:
        lo = c.obj(value, p, {"value"}, {"label"})
        if lo is None:
            return None
        v = c.field(lo, "value", p, lambda x, q: c.integer(x, q, 0, 1_000_000))
        label_ok, label = optional(c, lo, "label", p, c.text)
        return None if v is None or not label_ok else RatingLevel(v, label)

    levels = items(c, o, "levels", path, 2, MAX_LEVELS, level)
    if levels is not None:
        for i in range(1, len(levels)):
            if levels[i].value <= levels[i - 1].value:
                c.bad(f"{path}/levels/{i}/value", "must be greater than the previous level")
                levels = None
                break
    if ident is None or title is None or not text_ok or blank is None or levels is None:
        return None
    return RatingQuestion(ident, title, text, blank, tuple(levels))


_KINDS: dict[QuestionKind, Callable[[Checker, dict[str, Any], str], Question | None]] = {
    QuestionKind.CANDIDATES: _candidates_question,
    QuestionKind.CHOICE: _choice_question,
    QuestionKind.IMAGE_CHOICE: _image_question,
    QuestionKind.RATING: _rating_question,
}
