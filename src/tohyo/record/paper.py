"""Paper-ballot counts of one counting place (docs/spec/results.md §RES-2).

After the close, officials count the paper ballots of each counting place and
kind (early voting, election day, mobile station, absentee) and enter, per
question, the votes per option, the blank ballots (白紙), the invalid ballots by
reason class and the number of ballots, plus the place's paper voters and
rejected (不受理) ballots. :func:`parse_paper_count` is the one way such a count
enters: it validates every field against the manifest and the arithmetic of
§RES-2.2, and names the offending field (a JSON pointer) in
:class:`InvalidPaperCount`. The same function reads a ``paper_count`` leaf's
``count`` in the verifier, so what the service accepted and what the verifier
re-checks are one rule set.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from tohyo.log.errors import InvalidSignature, LogError
from tohyo.log.keys import verifier_from_key
from tohyo.log.note import Ed25519Signer, Ed25519Verifier
from tohyo.record.canonical import ContentDst, content_hash
from tohyo.record.errors import RecordError, json_pointer
from tohyo.record.leaves import PaperCountLeaf
from tohyo.record.manifest import Manifest
from tohyo.record.questions import CandidatesQuestion

__all__ = [
    "INVALID_REASONS",
    "Apportionment",
    "InvalidPaperCount",
    "PaperCount",
    "PaperKind",
    "PaperQuestionCount",
    "check_paper_leaf",
    "count_cells_differ",
    "parse_paper_count",
    "sign_paper_count",
    "signed_message",
]

#: Largest count accepted in any cell: far above any municipality's roll.
MAX_COUNT = 10_000_000
_PLACE = re.compile(r"^[^\x00-\x1f\x7f]{1,64}$")


class PaperKind(StrEnum):
    """Where a paper ballot was cast (§RES-2.1)."""

    EARLY = "early"  #: 期日前投票
    ELECTION_DAY = "election_day"  #: 当日投票
    MOBILE = "mobile"  #: 移動期日前投票所
    ABSENTEE = "absentee"  #: 不在者投票


#: Invalid-ballot reason classes of a paper count, in form order (§RES-2.1;
#: 公職選挙法68条①, japan-election-forms.md (a)). Blank ballots (白紙) are the
#: separate ``blank`` cell.
INVALID_REASONS: tuple[str, ...] = (
    "wrong_paper",  # 所定の用紙を用いないもの
    "not_candidate",  # 公職の候補者でない者の氏名を記載したもの
    "two_or_more",  # 二人以上の候補者の氏名を記載したもの
    "ineligible",  # 被選挙権のない候補者の氏名を記載したもの
    "other_writing",  # 他事記載
    "not_handwritten",  # 自書しないもの
    "unclear",  # 何人を記載したかを確認し難いもの
    "other",  # その他
)


class InvalidPaperCount(RecordError):
    """A paper count that breaks a rule of §RES-2.

    Attributes:
        field: JSON pointer to the offending cell (``""`` for the whole count).
        reason: a short stable English sentence.
        code: a stable machine code (``paper.sums``, ``paper.unknown_option`` …).
    """

    def __init__(self, code: str, field: str, reason: str) -> None:
        self.code = code
        self.field = field
        self.reason = reason
        super().__init__(f"{field or '/'}: {reason}")


@dataclass(frozen=True, slots=True)
class Apportionment:
    """Ballots bearing a name shared by several candidates (按分, 法68条の2; §RES-3.3)."""

    candidates: tuple[str, ...]
    ballots: int

    def to_json(self) -> dict[str, Any]:
        return {"candidates": list(self.candidates), "ballots": self.ballots}


@dataclass(frozen=True, slots=True)
class PaperQuestionCount:
    """The paper count of one question at one place (§RES-2.1).

    Attributes:
        question_id: the question.
        ballots: the paper ballots counted for this question (投票総数).
        options: (option id, votes) for every option, in ballot order.
        blank: blank ballots (白紙).
        invalid: (reason, ballots) for every reason of :data:`INVALID_REASONS`, in order.
        apportioned: shared-name ballots to apportion (candidates questions only).
    """

    question_id: str
    ballots: int
    options: tuple[tuple[str, int], ...]
    blank: int
    invalid: tuple[tuple[str, int], ...]
    apportioned: tuple[Apportionment, ...] = ()

    @property
    def invalid_total(self) -> int:
        return sum(n for _, n in self.invalid)

    @property
    def valid_ballots(self) -> int:
        """Ballots that are neither blank nor invalid."""
        return self.ballots - self.blank - self.invalid_total

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.question_id,
            "ballots": self.ballots,
            "options": {o: n for o, n in self.options},
            "blank": self.blank,
            "invalid": {r: n for r, n in self.invalid},
            "apportioned": [a.to_json() for a in self.apportioned],
        }


@dataclass(frozen=True, slots=True)
class PaperCount:
    """The paper count of one counting place and kind (§RES-2.1)."""

    election_id: str
    place: str
    kind: PaperKind
    voters: int
    rejected: int
    questions: tuple[PaperQuestionCount, ...]

    @property
    def key(self) -> tuple[str, str]:
        """(place, kind): at most one accepted count per key (§RES-2.3)."""
        return (self.place, self.kind.value)

    def question(self, question_id: str) -> PaperQuestionCount:
        for q in self.questions:
            if q.question_id == question_id:
                return q
        raise KeyError(question_id)

    def to_json(self) -> dict[str, Any]:
        """The canonical count object (§RES-2.1), as signed in the leaf."""
        return {
            "election_id": self.election_id,
            "place": self.place,
            "kind": self.kind.value,
            "voters": self.voters,
            "rejected": self.rejected,
            "questions": [q.to_json() for q in self.questions],
        }

    def cells(self) -> dict[str, int]:
        """JSON pointer → number, for every numeric cell (to name differing cells)."""
        out = {"/voters": self.voters, "/rejected": self.rejected}
        for i, q in enumerate(self.questions):
            base = json_pointer("questions", i)
            out[base + "/ballots"] = q.ballots
            out[base + "/blank"] = q.blank
            for o, n in q.options:
                out[base + json_pointer("options", o)] = n
            for r, n in q.invalid:
                out[base + json_pointer("invalid", r)] = n
            for j, a in enumerate(q.apportioned):
                out[base + json_pointer("apportioned", j, ",".join(a.candidates))] = a.ballots
        return out


def _fail(code: str, field: str, reason: str) -> InvalidPaperCount:
    return InvalidPaperCount(code, field, reason)


def _count(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail("paper.not_integer", field, "expected a whole number")
    if value < 0:
        raise _fail("paper.negative", field, "a count cannot be negative")
    if value > MAX_COUNT:
        raise _fail("paper.too_large", field, f"a count is at most {MAX_COUNT}")
    return value


def _object(
    value: Any, field: str, required: Collection[str], optional: Collection[str] = ()
) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail("paper.malformed", field, "expected an object")
    for key in value:
        if key not in required and key not in optional:
            raise _fail("paper.malformed", field + json_pointer(key), "unknown field")
    for key in sorted(required):
        if key not in value:
            raise _fail("paper.malformed", field + json_pointer(key), "missing field")
    return value


def _question(manifest: Manifest, obj: Any, field: str) -> PaperQuestionCount:
    f = _object(obj, field, {"id", "ballots", "options"},
                {"blank", "invalid", "apportioned"})
    qid = f["id"]
    try:
        question = manifest.question(qid) if isinstance(qid, str) else None
    except KeyError:
        question = None
    if question is None:
        raise _fail("paper.unknown_question", field + "/id", f"no question {str(qid)[:64]!r}")
    ballots = _count(f["ballots"], field + "/ballots")
    blank = _count(f.get("blank", 0), field + "/blank")
    if blank and not question.allow_blank:
        raise _fail("paper.blank_not_allowed", field + "/blank",
                    "this question has no blank answer; count blank ballots as invalid")
    given = f["options"]
    if not isinstance(given, dict):
        raise _fail("paper.malformed", field + "/options", "expected an object option → votes")
    for o in given:
        if o not in question.option_ids:
            raise _fail("paper.unknown_option", field + json_pointer("options", o),
                        f"no option {o[:64]!r} in question {question.id!r}")
    options = tuple(
        (o, _count(given.get(o, 0), field + json_pointer("options", o)))
        for o in question.option_ids
    )
    inv = f.get("invalid", {})
    if not isinstance(inv, dict):
        raise _fail("paper.malformed", field + "/invalid", "expected an object reason → ballots")
    for r in inv:
        if r not in INVALID_REASONS:
            raise _fail("paper.unknown_reason", field + json_pointer("invalid", r),
                        f"unknown invalid reason {r[:64]!r}")
    invalid = tuple(
        (r, _count(inv.get(r, 0), field + json_pointer("invalid", r))) for r in INVALID_REASONS
    )
    groups = f.get("apportioned", [])
    if not isinstance(groups, list):
        raise _fail("paper.malformed", field + "/apportioned", "expected an array")
    apportioned = []
    for j, g in enumerate(groups):
        gf = field + json_pointer("apportioned", j)
        if not isinstance(question, CandidatesQuestion):
            raise _fail("paper.apportion_not_allowed", gf,
                        "only candidates questions apportion shared names")
        go = _object(g, gf, {"candidates", "ballots"})
        cands = go["candidates"]
        if (not isinstance(cands, list) or len(cands) < 2
                or len(set(map(str, cands))) != len(cands)):
            raise _fail("paper.malformed", gf + "/candidates",
                        "expected two or more distinct candidate ids")
        for c in cands:
            if c not in question.option_ids:
                raise _fail("paper.unknown_option", gf + "/candidates",
                            f"no candidate {str(c)[:64]!r} in question {question.id!r}")
        ordered = tuple(o for o in question.option_ids if o in cands)
        apportioned.append(Apportionment(ordered, _count(go["ballots"], gf + "/ballots")))
    count = PaperQuestionCount(question.id, ballots, options, blank, invalid, tuple(apportioned))
    _check_sums(count, question.min_selections, question.max_selections, field)
    return count


def _check_sums(q: PaperQuestionCount, low: int, high: int, field: str) -> None:
    """The arithmetic of §RES-2.2."""
    valid = q.valid_ballots
    if valid < 0:
        raise _fail("paper.sums", field + "/ballots",
                    f"blank {q.blank} + invalid {q.invalid_total} exceed the ballots {q.ballots}")
    marks = sum(n for _, n in q.options) + sum(a.ballots for a in q.apportioned)
    if high == 1 and marks != valid:
        raise _fail("paper.sums", field + "/options",
                    f"the votes per option add up to {marks}, but ballots − blank − invalid"
                    f" = {valid}")
    if high > 1 and not (max(low, 1) * valid <= marks <= high * valid):
        raise _fail("paper.sums", field + "/options",
                    f"{marks} selections cannot come from {valid} valid ballots of"
                    f" {max(low, 1)}–{high} selections")


def parse_paper_count(manifest: Manifest, obj: Any) -> PaperCount:
    """The validated paper count of ``obj`` (§RES-2.1, §RES-2.2).

    Every question of the manifest must be counted exactly once; counts are
    whole numbers in [0, 10,000,000]; the sums of §RES-2.2 hold.

    Raises:
        InvalidPaperCount: the first broken rule, with the field's JSON pointer.
    """
    f = _object(obj, "", {"election_id", "place", "kind", "voters", "questions"}, {"rejected"})
    if f["election_id"] != manifest.id:
        raise _fail("paper.wrong_election", "/election_id",
                    f"this count is not for election {manifest.id!r}")
    place = f["place"]
    if not isinstance(place, str) or not _PLACE.match(place) or place != place.strip():
        raise _fail("paper.malformed", "/place",
                    "expected the counting place: 1–64 characters, no control characters")
    try:
        kind = PaperKind(f["kind"])
    except ValueError:
        raise _fail("paper.unknown_kind", "/kind",
                    f"kind must be one of {', '.join(k.value for k in PaperKind)}") from None
    voters = _count(f["voters"], "/voters")
    rejected = _count(f.get("rejected", 0), "/rejected")
    qs = f["questions"]
    if not isinstance(qs, list):
        raise _fail("paper.malformed", "/questions", "expected an array")
    by_id: dict[str, PaperQuestionCount] = {}
    for i, q in enumerate(qs):
        count = _question(manifest, q, json_pointer("questions", i))
        if count.question_id in by_id:
            raise _fail("paper.duplicate_question", json_pointer("questions", i, "id"),
                        f"question {count.question_id!r} is counted twice")
        by_id[count.question_id] = count
        if count.ballots + rejected > voters:
            raise _fail("paper.sums", json_pointer("questions", i, "ballots"),
                        f"{count.ballots} ballots + {rejected} rejected exceed the"
                        f" {voters} paper voters")
    for question in manifest.questions:
        if question.id not in by_id:
            raise _fail("paper.missing_question", "/questions",
                        f"question {question.id!r} is not counted")
    ordered = tuple(by_id[q.id] for q in manifest.questions)
    return PaperCount(manifest.id, place, kind, voters, rejected, ordered)


def count_cells_differ(a: PaperCount, b: PaperCount) -> tuple[str, ...]:
    """The JSON pointers of the cells where two entries differ (§RES-2.3)."""
    ca, cb = a.cells(), b.cells()
    out = [k for k in ca if ca.get(k) != cb.get(k)]
    out += [k for k in cb if k not in ca]
    if a.key != b.key:
        out = ["/place" if a.place != b.place else "/kind", *out]
    return tuple(out)


#: The first line of the signed message (§RES-2.4).
SIGNED_PREFIX = b"tohyo/1/paper-count\n"


def signed_message(count: PaperCount, entered_by: tuple[str, str]) -> bytes:
    """The bytes the log key signs for an accepted count (§RES-2.4)."""
    h = content_hash({"count": count.to_json(), "entered_by": sorted(entered_by)},
                     dst=ContentDst.PAPER_COUNT)
    return SIGNED_PREFIX + h.hex().encode() + b"\n"


def sign_paper_count(
    count: PaperCount, entered_by: tuple[str, str], signer: Ed25519Signer
) -> bytes:
    """The 64-byte signature of an accepted count by the log's signer (§RES-2.4)."""
    return signer.sign(signed_message(count, entered_by)).signature


def check_paper_leaf(manifest: Manifest, leaf: PaperCountLeaf, log_key: str) -> PaperCount:
    """The count of a ``paper_count`` leaf, its signature and arithmetic checked (§RES-5).

    Raises:
        InvalidPaperCount: the count breaks §RES-2.1–2.2 (``paper.*``), is not in
            normal form (``paper.not_normal``), or the signature does not verify
            with the log key (``paper.signature``).
    """
    count = parse_paper_count(manifest, leaf.count)
    if count.to_json() != leaf.count:
        raise _fail("paper.not_normal", "", "the count is not in its normal form")
    try:
        verifier = verifier_from_key(log_key)
        if not isinstance(verifier, Ed25519Verifier):
            raise InvalidSignature("the log key is not an Ed25519 key")
        verifier.verify(signed_message(count, leaf.entered_by), leaf.signature)
    except LogError as exc:
        raise _fail("paper.signature", "/signature", f"signature does not verify: {exc}"
                    ) from None
    return count
