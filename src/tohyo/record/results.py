"""Per-question results from decrypted totals (docs/spec/record.md §REC-7.3).

One implementation, used by the service's tally and by the verifier: from the
decrypted count behind every aggregate label (§REC-7.1) and the withdrawals on
the log, :func:`compute_results` derives, per question, the votes per option,
the blank answers, the invalid votes (selections of withdrawn candidates,
manifest.md §MAN-17.3) and, for ratings, the distribution and the mean.
The mean is a decimal string rounded half-even to two places, never a float.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from tohyo.record.errors import RecordError
from tohyo.record.manifest import Manifest
from tohyo.record.questions import RatingQuestion

__all__ = ["BLANK", "QuestionResult", "Results", "aggregate_labels", "compute_results", "label"]

#: The label suffix of a question's blank flag (protocol.md §10.2).
BLANK = "#blank"


def label(question_id: str, option_id: str) -> str:
    """The aggregate label ``question/option`` (§REC-7.1)."""
    return f"{question_id}/{option_id}"


def aggregate_labels(manifest: Manifest) -> tuple[str, ...]:
    """Every aggregate label in ballot order: options, then the blank flag (§REC-7.1)."""
    out: list[str] = []
    for q in manifest.ballot_style():
        out += [label(q.question_id, o) for o in q.option_ids]
        if q.allow_blank:
            out.append(label(q.question_id, BLANK))
    return tuple(out)


def _mean(total: int, answers: int) -> str | None:
    if answers == 0:
        return None
    value = (Decimal(total) / Decimal(answers)).quantize(Decimal("0.01"), ROUND_HALF_EVEN)
    return str(value)


@dataclass(frozen=True, slots=True)
class QuestionResult:
    """The result of one question (§REC-7.3).

    Attributes:
        question_id: the question.
        votes: (option id, valid votes) in ballot order; 0 for a withdrawn candidate.
        withdrawn: option ids of withdrawn candidates.
        blank: blank answers.
        invalid: selections of withdrawn candidates.
        valid: selections of the other options.
        rating: for a rating question, ``{"answers", "sum", "mean"}``.
    """

    question_id: str
    votes: tuple[tuple[str, int], ...]
    withdrawn: tuple[str, ...]
    blank: int
    invalid: int
    valid: int
    rating: Mapping[str, Any] | None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.question_id,
            "options": [
                {"id": o, "votes": n, "withdrawn": o in self.withdrawn} for o, n in self.votes
            ],
            "blank": self.blank,
            "invalid": self.invalid,
            "valid": self.valid,
        }
        if self.rating is not None:
            out["rating"] = dict(self.rating)
        return out


@dataclass(frozen=True, slots=True)
class Results:
    """The results of an election (§REC-7.3).

    Attributes:
        ballots: the number of effective ballots counted.
        questions: one result per question, in ballot order.
    """

    ballots: int
    questions: tuple[QuestionResult, ...]

    def to_json(self) -> dict[str, Any]:
        return {"ballots": self.ballots, "questions": [q.to_json() for q in self.questions]}

    @classmethod
    def from_json(cls, obj: Any) -> Results:
        """Read the results of §REC-7.3 (``tally.json#/results``), shape checked.

        Raises:
            RecordError: a missing or malformed field.
        """
        def count(value: Any, where: str) -> int:
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise RecordError(f"results{where}: expected a non-negative integer")
            return value

        try:
            questions = []
            for i, q in enumerate(obj["questions"]):
                votes = tuple((str(o["id"]), count(o["votes"], f"/questions/{i}/options"))
                              for o in q["options"])
                gone = tuple(str(o["id"]) for o in q["options"] if o["withdrawn"] is True)
                rating = q.get("rating")
                questions.append(QuestionResult(
                    str(q["id"]), votes, gone, count(q["blank"], f"/questions/{i}/blank"),
                    count(q["invalid"], f"/questions/{i}/invalid"),
                    count(q["valid"], f"/questions/{i}/valid"),
                    dict(rating) if isinstance(rating, dict) else None))
            return cls(count(obj["ballots"], "/ballots"), tuple(questions))
        except (KeyError, TypeError) as exc:
            raise RecordError(f"results: malformed ({exc})") from None

    def question(self, question_id: str) -> QuestionResult:
        """The result of ``question_id``.

        Raises:
            KeyError: no such question.
        """
        for q in self.questions:
            if q.question_id == question_id:
                return q
        raise KeyError(question_id)


def compute_results(
    manifest: Manifest,
    counts: Mapping[str, int],
    ballots: int,
    withdrawn: Collection[tuple[str, str]] = (),
) -> Results:
    """The results that follow from the decrypted counts (§REC-7.3).

    Args:
        manifest: the election manifest.
        counts: label → decrypted count, for every label of :func:`aggregate_labels`.
        ballots: the number of effective ballots.
        withdrawn: (question id, candidate id) of every withdrawal on the log.

    Raises:
        RecordError: a label is missing or a count is negative.
    """
    out = []
    for question in manifest.questions:
        style_ids = question.option_ids
        gone = tuple(o for o in style_ids if (question.id, o) in withdrawn)

        def count(option: str, qid: str = question.id) -> int:
            value = counts.get(label(qid, option))
            if value is None or value < 0:
                raise RecordError(f"no count for {label(qid, option)!r}")
            return value

        raw = [(o, count(o)) for o in style_ids]
        blank = count(BLANK) if question.allow_blank else 0
        invalid = sum(n for o, n in raw if o in gone)
        votes = tuple((o, 0 if o in gone else n) for o, n in raw)
        valid = sum(n for _, n in votes)
        rating = None
        if isinstance(question, RatingQuestion):
            total = sum(int(o) * n for o, n in votes)
            rating = {"answers": valid, "sum": total, "mean": _mean(total, valid)}
        out.append(QuestionResult(question.id, votes, gone, blank, invalid, valid, rating))
    return Results(ballots, tuple(out))
