"""The official result: internet tally and paper counts combined (docs/spec/results.md §RES-3).

:func:`combine` is the one implementation, used by the service, the CLI and
the verifier: from the manifest, the internet results (record.md §REC-7.3),
the accepted paper counts (§RES-2) and the turnout inputs it derives, per
question, each option's electronic, paper and total votes (with 按分 shares),
the valid, blank and invalid votes (by reason, withdrawn candidates named),
the lines (A)–(G) of the count form and, for ratings, the distribution and
mean; and for the election the turnout by channel. :meth:`OfficialResult.to_json`
is the canonical form published as ``official.json``; :meth:`OfficialResult.from_json`
reads it back and checks every internal sum, so a reader (forms, charts,
results page) never shows figures that do not add up.

Decimals (按分 shares, turnout, means) are strings, never floats.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal
from typing import Any

from tohyo.record.errors import RecordError
from tohyo.record.manifest import Manifest
from tohyo.record.paper import INVALID_REASONS, PaperCount, PaperKind
from tohyo.record.questions import RatingQuestion
from tohyo.record.results import Results, label

__all__ = [
    "FORMAT",
    "INVALID_CLASSES",
    "CountForm",
    "InvalidLine",
    "InvalidOfficial",
    "OfficialResult",
    "OptionOfficial",
    "PlaceSummary",
    "QuestionOfficial",
    "RatingOfficial",
    "Split",
    "Turnout",
    "TurnoutInputs",
    "combine",
]

#: The ``format`` of ``official.json`` (§RES-4).
FORMAT = "tohyo-official/1"
#: Invalid classes of the official result, in form order: the paper reasons,
#: then ``withdrawn`` (votes for a withdrawn candidate, §RES-3.2).
INVALID_CLASSES: tuple[str, ...] = (*INVALID_REASONS, "withdrawn")
_MILLI = Decimal("0.001")
_CENTI = Decimal("0.01")


class InvalidOfficial(RecordError):
    """An official result that is malformed or whose sums do not hold (§RES-4)."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field or '/'}: {reason}")


def _milli(value: Decimal) -> str:
    return str(value.quantize(_MILLI, ROUND_DOWN))


@dataclass(frozen=True, slots=True)
class Split:
    """A figure split by channel: electronic (internet) and paper."""

    electronic: int
    paper: int

    @property
    def total(self) -> int:
        return self.electronic + self.paper

    def to_json(self) -> dict[str, int]:
        return {"electronic": self.electronic, "paper": self.paper, "total": self.total}


@dataclass(frozen=True, slots=True)
class OptionOfficial:
    """One option's row (§RES-3.1).

    Attributes:
        option_id: the option (candidate id, choice id, or rating value).
        electronic: votes on the internet (0 for a withdrawn candidate).
        paper: votes on paper (0 for a withdrawn candidate).
        apportioned: its 按分 share, three decimals truncated (``"0.000"`` if none).
        withdrawn: the candidate withdrew; its votes are in the ``withdrawn`` invalid line.
    """

    option_id: str
    electronic: int
    paper: int
    apportioned: str
    withdrawn: bool

    @property
    def total(self) -> int:
        """Whole votes: electronic + paper."""
        return self.electronic + self.paper

    @property
    def votes(self) -> str:
        """得票数: total plus the 按分 share, three decimals."""
        return _milli(Decimal(self.total) + Decimal(self.apportioned))

    def to_json(self) -> dict[str, Any]:
        return {"id": self.option_id, "electronic": self.electronic, "paper": self.paper,
                "total": self.total, "apportioned": self.apportioned, "votes": self.votes,
                "withdrawn": self.withdrawn}


@dataclass(frozen=True, slots=True)
class InvalidLine:
    """Invalid votes of one class (§RES-3.2); ``option_id`` names a withdrawn candidate."""

    reason: str
    option_id: str | None
    electronic: int
    paper: int

    @property
    def total(self) -> int:
        return self.electronic + self.paper

    def to_json(self) -> dict[str, Any]:
        return {"reason": self.reason, "option": self.option_id,
                "electronic": self.electronic, "paper": self.paper, "total": self.total}


@dataclass(frozen=True, slots=True)
class CountForm:
    """The lines (A)–(G) of the count form (開票録, §RES-3.3).

    Attributes:
        a: (A) 得票総数, the sum of the options' 得票数, three decimals.
        b: (B) 按分の際切り捨てた票数, three decimals.
        c: (C) 有効投票数 = A + B.
        d: (D) 無効投票数 (blank included: 白紙 is a ground of invalidity).
        e: (E) 投票総数 = C + D.
        f_rejected: (F) 不突合 of which 不受理.
        f_other: (F) 不突合 of which その他 (ballots issued but not cast …).
        g: (G) 投票者総数 = E + F.
    """

    a: str
    b: str
    c: int
    d: int
    e: int
    f_rejected: int
    f_other: int
    g: int

    @property
    def f(self) -> int:
        return self.f_rejected + self.f_other

    def to_json(self) -> dict[str, Any]:
        return {"A": self.a, "B": self.b, "C": self.c, "D": self.d, "E": self.e,
                "F": {"rejected": self.f_rejected, "other": self.f_other, "total": self.f},
                "G": self.g}


@dataclass(frozen=True, slots=True)
class RatingOfficial:
    """A rating's distribution (value → total votes) and mean (§RES-3.4)."""

    distribution: tuple[tuple[int, int], ...]
    answers: int
    sum: int
    mean: str | None

    def to_json(self) -> dict[str, Any]:
        return {"distribution": [{"value": v, "votes": n} for v, n in self.distribution],
                "answers": self.answers, "sum": self.sum, "mean": self.mean}


@dataclass(frozen=True, slots=True)
class QuestionOfficial:
    """The official result of one question (§RES-3).

    Attributes:
        question_id, kind: the manifest's question.
        multiple: more than one selection allowed (then ``valid`` counts
            selections and there is no count form).
        options: one row per option, in ballot order.
        ballots: ballots counted for the question (投票総数 by channel).
        valid: valid votes (selections for a multiple question).
        blank: blank answers (白紙).
        invalid: one line per class of :data:`INVALID_CLASSES` that is not
            ``withdrawn``, then one ``withdrawn`` line per withdrawn candidate.
        count_form: lines (A)–(G), or ``None`` for a multiple question.
        rating: for a rating question.
    """

    question_id: str
    kind: str
    multiple: bool
    options: tuple[OptionOfficial, ...]
    ballots: Split
    valid: Split
    blank: Split
    invalid: tuple[InvalidLine, ...]
    count_form: CountForm | None
    rating: RatingOfficial | None

    @property
    def invalid_total(self) -> Split:
        return Split(sum(i.electronic for i in self.invalid), sum(i.paper for i in self.invalid))

    @property
    def withdrawn_votes(self) -> tuple[InvalidLine, ...]:
        """The withdrawn candidates' votes, named (§RES-3.2)."""
        return tuple(i for i in self.invalid if i.reason == "withdrawn")

    def option(self, option_id: str) -> OptionOfficial:
        for o in self.options:
            if o.option_id == option_id:
                return o
        raise KeyError(option_id)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.question_id, "kind": self.kind, "multiple": self.multiple,
            "options": [o.to_json() for o in self.options],
            "ballots": self.ballots.to_json(), "valid": self.valid.to_json(),
            "blank": self.blank.to_json(),
            "invalid": {"lines": [i.to_json() for i in self.invalid],
                        **self.invalid_total.to_json()},
            "count_form": None if self.count_form is None else self.count_form.to_json(),
            "rating": None if self.rating is None else self.rating.to_json(),
        }


@dataclass(frozen=True, slots=True)
class Turnout:
    """Turnout by channel (§RES-3.5).

    Attributes:
        roll: eligible voters (the record header's ``roll.voters``).
        internet: voters whose internet ballot counts (effective ballots).
        paper: (kind, paper voters) for every :class:`PaperKind`, in enum order.
        started_not_finished: voters who began the internet procedure and cast
            nothing (途中終了者数), as declared by the service.
        paper_overrides: internet voters whose ballots a paper vote cancelled.
        rejected: paper ballots not accepted (不受理).
    """

    roll: int
    internet: int
    paper: tuple[tuple[str, int], ...]
    started_not_finished: int
    paper_overrides: int
    rejected: int

    @property
    def paper_total(self) -> int:
        return sum(n for _, n in self.paper)

    @property
    def voters(self) -> int:
        return self.internet + self.paper_total

    @property
    def percent(self) -> str | None:
        """投票率 = voters ÷ roll × 100, two decimals half-even; ``None`` if roll is 0."""
        if self.roll == 0:
            return None
        return str((Decimal(self.voters) * 100 / Decimal(self.roll)).quantize(
            _CENTI, ROUND_HALF_EVEN))

    def to_json(self) -> dict[str, Any]:
        return {"roll": self.roll, "internet": self.internet,
                "paper": {k: n for k, n in self.paper}, "paper_total": self.paper_total,
                "voters": self.voters, "percent": self.percent,
                "started_not_finished": self.started_not_finished,
                "paper_overrides": self.paper_overrides, "rejected": self.rejected}


@dataclass(frozen=True, slots=True)
class PlaceSummary:
    """One accepted paper count, summarised (§RES-3.6)."""

    place: str
    kind: str
    voters: int
    rejected: int
    ballots: int

    def to_json(self) -> dict[str, Any]:
        return {"place": self.place, "kind": self.kind, "voters": self.voters,
                "rejected": self.rejected, "ballots": self.ballots}


@dataclass(frozen=True, slots=True)
class TurnoutInputs:
    """What :func:`combine` needs beyond tally and paper counts (§RES-3.5)."""

    roll: int
    started_not_finished: int = 0
    paper_overrides: int = 0


@dataclass(frozen=True, slots=True)
class OfficialResult:
    """The official result of an election (§RES-3, published as ``official.json``)."""

    election_id: str
    turnout: Turnout
    questions: tuple[QuestionOfficial, ...]
    places: tuple[PlaceSummary, ...]

    def question(self, question_id: str) -> QuestionOfficial:
        for q in self.questions:
            if q.question_id == question_id:
                return q
        raise KeyError(question_id)

    def to_json(self) -> dict[str, Any]:
        """The canonical form of §RES-4 (serialise with ``dumps_canonical``)."""
        return {"format": FORMAT, "election_id": self.election_id,
                "turnout": self.turnout.to_json(),
                "questions": [q.to_json() for q in self.questions],
                "places": [p.to_json() for p in self.places]}

    @classmethod
    def from_json(cls, obj: Any) -> OfficialResult:
        """Read ``official.json`` and check every internal sum (§RES-4).

        Raises:
            InvalidOfficial: a missing, extra or malformed field, or a derived
                figure (a total, a form line, the turnout) that does not hold.
        """
        return _decode(obj)


# ---------------------------------------------------------------------------
# combine


def _withdrawn_electronic(
    question_id: str, gone: Sequence[str], results_invalid: int,
    counts: Mapping[str, int] | None,
) -> dict[str, int]:
    if not gone:
        return {}
    if counts is not None:
        return {o: counts[label(question_id, o)] for o in gone}
    if len(gone) == 1:
        return {gone[0]: results_invalid}
    raise RecordError(f"question {question_id!r}: several withdrawn candidates need the counts")


def _apportion(
    paper: Sequence[PaperCount], question_id: str, whole: Mapping[str, int]
) -> tuple[dict[str, Decimal], Decimal]:
    """Each candidate's 按分 share and the truncated remainder (B), §RES-3.3."""
    shares = dict.fromkeys(whole, Decimal(0))
    truncated = Decimal(0)
    for count in paper:
        for group in count.question(question_id).apportioned:
            base = sum(whole[c] for c in group.candidates)
            given = Decimal(0)
            if base > 0:
                for c in group.candidates:
                    share = (Decimal(group.ballots) * whole[c] / base).quantize(_MILLI, ROUND_DOWN)
                    shares[c] += share
                    given += share
            truncated += Decimal(group.ballots) - given
    return shares, truncated


def combine(
    manifest: Manifest,
    results: Results,
    paper_counts: Iterable[PaperCount],
    turnout_inputs: TurnoutInputs,
    *,
    counts: Mapping[str, int] | None = None,
) -> OfficialResult:
    """The official result (§RES-3) of internet results and accepted paper counts.

    Args:
        manifest: the election manifest.
        results: the internet results (record.md §REC-7.3).
        paper_counts: accepted paper counts, one per (place, kind), any order.
        turnout_inputs: roll size, started-but-not-finished, paper overrides.
        counts: the decrypted count per label (§REC-7.1); needed only to name
            the votes of each of several withdrawn candidates of one question.

    Raises:
        RecordError: a paper count of another election, two counts for one
            (place, kind), or results that do not match the manifest.
    """
    paper = sorted(paper_counts, key=lambda c: c.key)
    seen: set[tuple[str, str]] = set()
    for c in paper:
        if c.election_id != manifest.id:
            raise RecordError(f"paper count of {c.election_id!r} in election {manifest.id!r}")
        if c.key in seen:
            raise RecordError(f"two paper counts for {c.key}")
        seen.add(c.key)
    paper_voters = {k.value: 0 for k in PaperKind}
    for c in paper:
        paper_voters[c.kind.value] += c.voters
    rejected = sum(c.rejected for c in paper)
    turnout = Turnout(
        turnout_inputs.roll, results.ballots, tuple(paper_voters.items()),
        turnout_inputs.started_not_finished, turnout_inputs.paper_overrides, rejected,
    )
    questions = []
    for question in manifest.questions:
        internet = results.question(question.id)
        gone = internet.withdrawn
        e_votes = dict(internet.votes)
        pq = [c.question(question.id) for c in paper]
        p_votes = {o: sum(dict(q.options)[o] for q in pq) for o in question.option_ids}
        whole = {o: e_votes[o] + (0 if o in gone else p_votes[o]) for o in question.option_ids}
        shares, truncated = _apportion(paper, question.id, whole)
        options = tuple(
            OptionOfficial(o, e_votes[o], 0 if o in gone else p_votes[o], _milli(shares[o]),
                           o in gone)
            for o in question.option_ids
        )
        lines = [InvalidLine(r, None, 0, sum(dict(q.invalid)[r] for q in pq))
                 for r in INVALID_REASONS]
        e_gone = _withdrawn_electronic(question.id, gone, internet.invalid, counts)
        lines += [InvalidLine("withdrawn", o, e_gone[o], p_votes[o]) for o in gone]
        multiple = question.max_selections > 1
        apportioned_ballots = sum(a.ballots for q in pq for a in q.apportioned)
        p_valid = sum(o.paper for o in options) + apportioned_ballots
        e_valid = internet.valid
        p_blank = sum(q.blank for q in pq)
        e_blank = internet.blank
        if not multiple:
            # A ballot without a selection or blank flag (min 0) is blank (§RES-3.2).
            e_blank += max(0, results.ballots - internet.valid - internet.invalid - internet.blank)
        p_ballots = sum(q.ballots for q in pq)
        ballots = Split(results.ballots, p_ballots)
        valid = Split(e_valid, p_valid)
        blank = Split(e_blank, p_blank)
        invalid_total = Split(sum(i.electronic for i in lines), sum(i.paper for i in lines))
        form = None
        if not multiple:
            a = sum((Decimal(o.votes) for o in options), Decimal(0))
            d = invalid_total.total + blank.total
            e = valid.total + d
            g = turnout.voters
            form = CountForm(_milli(a), _milli(truncated), valid.total, d, e, rejected,
                             g - e - rejected, g)
        rating = None
        if isinstance(question, RatingQuestion):
            dist = tuple((int(o.option_id), o.total) for o in options)
            answers = sum(n for _, n in dist)
            total = sum(v * n for v, n in dist)
            mean = None if answers == 0 else str(
                (Decimal(total) / answers).quantize(_CENTI, ROUND_HALF_EVEN))
            rating = RatingOfficial(dist, answers, total, mean)
        questions.append(QuestionOfficial(
            question.id, question.kind.value, multiple, options, ballots, valid, blank,
            tuple(lines), form, rating,
        ))
    places = tuple(
        PlaceSummary(c.place, c.kind.value, c.voters, c.rejected,
                     max((q.ballots for q in c.questions), default=0))
        for c in paper
    )
    return OfficialResult(manifest.id, turnout, tuple(questions), places)


# ---------------------------------------------------------------------------
# from_json: strict decoding and the internal sums


def _obj(value: Any, keys: Iterable[str], field: str) -> Mapping[str, Any]:
    wanted = set(keys)
    if not isinstance(value, dict) or set(value) != wanted:
        raise InvalidOfficial(field, f"expected an object with fields {sorted(wanted)}")
    return value


def _int(value: Any, field: str, *, signed: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or (value < 0 and not signed):
        raise InvalidOfficial(field, "expected a non-negative integer" if not signed
                              else "expected an integer")
    return value


def _str(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value or len(value) > 256:
        raise InvalidOfficial(field, "expected a non-empty string")
    return value


def _dec(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise InvalidOfficial(field, "expected a decimal string with three decimals")
    try:
        d = Decimal(value)
    except ArithmeticError:
        raise InvalidOfficial(field, "expected a decimal string with three decimals") from None
    if not d.is_finite() or d < 0 or _milli(d) != value:
        raise InvalidOfficial(field, "expected a decimal string with three decimals")
    return value


def _split(value: Any, field: str) -> Split:
    f = _obj(value, ("electronic", "paper", "total"), field)
    s = Split(_int(f["electronic"], field + "/electronic"), _int(f["paper"], field + "/paper"))
    if _int(f["total"], field + "/total") != s.total:
        raise InvalidOfficial(field + "/total", "total is not electronic + paper")
    return s


def _check(cond: bool, field: str, reason: str) -> None:
    if not cond:
        raise InvalidOfficial(field, reason)


def _decode_question(value: Any, field: str) -> QuestionOfficial:
    f = _obj(value, ("id", "kind", "multiple", "options", "ballots", "valid", "blank",
                     "invalid", "count_form", "rating"), field)
    multiple = f["multiple"]
    _check(isinstance(multiple, bool), field + "/multiple", "expected a boolean")
    raw = f["options"]
    _check(isinstance(raw, list), field + "/options", "expected an array")
    options = []
    for i, o in enumerate(raw):
        of = f"{field}/options/{i}"
        oo = _obj(o, ("id", "electronic", "paper", "total", "apportioned", "votes",
                      "withdrawn"), of)
        _check(isinstance(oo["withdrawn"], bool), of + "/withdrawn", "expected a boolean")
        row = OptionOfficial(_str(oo["id"], of + "/id"), _int(oo["electronic"], of + "/electronic"),
                             _int(oo["paper"], of + "/paper"), _dec(oo["apportioned"],
                                                                    of + "/apportioned"),
                             oo["withdrawn"])
        _check(_int(oo["total"], of + "/total") == row.total, of + "/total",
               "total is not electronic + paper")
        _check(_dec(oo["votes"], of + "/votes") == row.votes, of + "/votes",
               "votes is not total + apportioned")
        _check(not (row.withdrawn and (row.total or Decimal(row.apportioned))), of,
               "a withdrawn candidate has votes")
        options.append(row)
    inv = _obj(f["invalid"], ("lines", "electronic", "paper", "total"), field + "/invalid")
    _check(isinstance(inv["lines"], list), field + "/invalid/lines", "expected an array")
    lines = []
    for i, line in enumerate(inv["lines"]):
        lf = f"{field}/invalid/lines/{i}"
        lo = _obj(line, ("reason", "option", "electronic", "paper", "total"), lf)
        _check(lo["reason"] in INVALID_CLASSES, lf + "/reason", "unknown invalid class")
        opt = lo["option"]
        _check((opt is None) == (lo["reason"] != "withdrawn") and (opt is None or isinstance(
            opt, str)), lf + "/option", "a withdrawn line names its candidate, others none")
        il = InvalidLine(lo["reason"], opt, _int(lo["electronic"], lf + "/electronic"),
                         _int(lo["paper"], lf + "/paper"))
        _check(_int(lo["total"], lf + "/total") == il.total, lf + "/total",
               "total is not electronic + paper")
        lines.append(il)
    q = QuestionOfficial(
        _str(f["id"], field + "/id"), _str(f["kind"], field + "/kind"), multiple,
        tuple(options), _split(f["ballots"], field + "/ballots"),
        _split(f["valid"], field + "/valid"), _split(f["blank"], field + "/blank"),
        tuple(lines), None, None,
    )
    _check(_split({k: inv[k] for k in ("electronic", "paper", "total")},
                  field + "/invalid") == q.invalid_total, field + "/invalid",
           "the invalid total is not the sum of its lines")
    withdrawn = {o.option_id for o in q.options if o.withdrawn}
    named = {i.option_id for i in q.withdrawn_votes}
    _check(withdrawn == named, field + "/invalid/lines",
           "every withdrawn candidate has exactly one withdrawn line")
    if not multiple:
        _check(sum(o.electronic for o in q.options) == q.valid.electronic, field + "/valid",
               "electronic valid votes are not the options' sum")
        _check(q.valid.electronic + q.invalid_total.electronic + q.blank.electronic
               == q.ballots.electronic, field + "/ballots",
               "electronic ballots are not valid + invalid + blank")
        _check(q.valid.paper + q.invalid_total.paper + q.blank.paper == q.ballots.paper,
               field + "/ballots", "paper ballots are not valid + invalid + blank")
        cf = _obj(f["count_form"], ("A", "B", "C", "D", "E", "F", "G"), field + "/count_form")
        ff = _obj(cf["F"], ("rejected", "other", "total"), field + "/count_form/F")
        form = CountForm(_dec(cf["A"], field + "/count_form/A"),
                         _dec(cf["B"], field + "/count_form/B"),
                         _int(cf["C"], field + "/count_form/C"),
                         _int(cf["D"], field + "/count_form/D"),
                         _int(cf["E"], field + "/count_form/E"),
                         _int(ff["rejected"], field + "/count_form/F/rejected"),
                         _int(ff["other"], field + "/count_form/F/other", signed=True),
                         _int(cf["G"], field + "/count_form/G"))
        a = sum((Decimal(o.votes) for o in q.options), Decimal(0))
        cff = field + "/count_form"
        _check(form.a == _milli(a), cff + "/A", "(A) is not the sum of the options' votes")
        _check(Decimal(form.a) + Decimal(form.b) == form.c, cff + "/C", "(C) is not A + B")
        _check(form.c == q.valid.total, cff + "/C", "(C) is not the valid votes")
        _check(form.d == q.invalid_total.total + q.blank.total, cff + "/D",
               "(D) is not invalid + blank")
        _check(form.e == form.c + form.d, cff + "/E", "(E) is not C + D")
        _check(_int(ff["total"], cff + "/F/total", signed=True) == form.f, cff + "/F/total",
               "(F) is not rejected + other")
        _check(form.g == form.e + form.f, cff + "/G", "(G) is not E + F")
        q = _replace(q, count_form=form)
    else:
        _check(f["count_form"] is None, field + "/count_form",
               "a multiple-selection question has no count form")
    if f["rating"] is not None:
        rf = _obj(f["rating"], ("distribution", "answers", "sum", "mean"), field + "/rating")
        dist = rf["distribution"]
        _check(isinstance(dist, list) and len(dist) == len(q.options), field + "/rating",
               "the distribution has one entry per option")
        pairs = []
        for i, (d, o) in enumerate(zip(dist, q.options, strict=True)):
            df = f"{field}/rating/distribution/{i}"
            do = _obj(d, ("value", "votes"), df)
            v, n = _int(do["value"], df + "/value"), _int(do["votes"], df + "/votes")
            _check(str(v) == o.option_id and n == o.total, df, "not the option's total")
            pairs.append((v, n))
        answers = sum(n for _, n in pairs)
        total = sum(v * n for v, n in pairs)
        mean = None if answers == 0 else str(
            (Decimal(total) / answers).quantize(_CENTI, ROUND_HALF_EVEN))
        _check(_int(rf["answers"], field + "/rating/answers") == answers
               and _int(rf["sum"], field + "/rating/sum") == total and rf["mean"] == mean,
               field + "/rating", "answers, sum or mean do not follow from the distribution")
        q = _replace(q, rating=RatingOfficial(tuple(pairs), answers, total, mean))
    return q


def _replace(q: QuestionOfficial, **changes: Any) -> QuestionOfficial:
    return replace(q, **changes)


def _decode(obj: Any) -> OfficialResult:
    f = _obj(obj, ("format", "election_id", "turnout", "questions", "places"), "")
    _check(f["format"] == FORMAT, "/format", f"expected {FORMAT!r}")
    t = _obj(f["turnout"], ("roll", "internet", "paper", "paper_total", "voters", "percent",
                            "started_not_finished", "paper_overrides", "rejected"), "/turnout")
    kinds = [k.value for k in PaperKind]
    paper = _obj(t["paper"], kinds, "/turnout/paper")
    turnout = Turnout(
        _int(t["roll"], "/turnout/roll"), _int(t["internet"], "/turnout/internet"),
        tuple((k, _int(paper[k], f"/turnout/paper/{k}")) for k in kinds),
        _int(t["started_not_finished"], "/turnout/started_not_finished"),
        _int(t["paper_overrides"], "/turnout/paper_overrides"),
        _int(t["rejected"], "/turnout/rejected"),
    )
    _check(t["paper_total"] == turnout.paper_total, "/turnout/paper_total",
           "not the sum of paper voters")
    _check(t["voters"] == turnout.voters, "/turnout/voters", "not internet + paper")
    _check(t["percent"] == turnout.percent, "/turnout/percent", "not voters ÷ roll × 100")
    qs = f["questions"]
    _check(isinstance(qs, list), "/questions", "expected an array")
    questions = tuple(_decode_question(q, f"/questions/{i}") for i, q in enumerate(qs))
    for i, q in enumerate(questions):
        _check(q.ballots.electronic == turnout.internet, f"/questions/{i}/ballots/electronic",
               "not the internet voters")
        if q.count_form is not None:
            _check(q.count_form.g == turnout.voters, f"/questions/{i}/count_form/G",
                   "(G) is not the turnout's voters")
            _check(q.count_form.f_rejected == turnout.rejected,
                   f"/questions/{i}/count_form/F/rejected", "not the rejected paper ballots")
    pl = f["places"]
    _check(isinstance(pl, list), "/places", "expected an array")
    places = []
    for i, p in enumerate(pl):
        pf = f"/places/{i}"
        po = _obj(p, ("place", "kind", "voters", "rejected", "ballots"), pf)
        _check(po["kind"] in kinds, pf + "/kind", "unknown paper kind")
        places.append(PlaceSummary(_str(po["place"], pf + "/place"), po["kind"],
                                   _int(po["voters"], pf + "/voters"),
                                   _int(po["rejected"], pf + "/rejected"),
                                   _int(po["ballots"], pf + "/ballots")))
    for k in kinds:
        _check(sum(p.voters for p in places if p.kind == k) == dict(turnout.paper)[k],
               f"/turnout/paper/{k}", "not the sum of the places' voters")
    _check(sum(p.rejected for p in places) == turnout.rejected, "/turnout/rejected",
           "not the sum of the places' rejected ballots")
    return OfficialResult(_str(f["election_id"], "/election_id"), turnout, questions,
                          tuple(places))

