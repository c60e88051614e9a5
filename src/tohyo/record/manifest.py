"""The election manifest: what is voted on, by whom and when (docs/spec/manifest.md).

The manifest is immutable once the key ceremony starts (§MAN-1); whatever may
change later (withdrawn candidates, the voter roll) lives in the election state,
not here. :func:`parse_manifest` validates a whole document and reports *every*
problem with its JSON pointer (§MAN-2); it returns the frozen values below.
:meth:`Manifest.to_json` is the normal form that :func:`manifest_hash` hashes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from tohyo.record.canonical import ContentDst, content_hash
from tohyo.record.questions import (
    Candidate,
    CandidatesQuestion,
    ChoiceOption,
    ChoiceQuestion,
    ImageChoiceQuestion,
    ImageOption,
    LocalizedText,
    Question,
    QuestionKind,
    QuestionStyle,
    RatingLevel,
    RatingQuestion,
    question_style,
)
from tohyo.record.transparency import LogDeclaration

__all__ = [
    "FORMAT",
    "FORMAT_V2",
    "FORMATS",
    "AuthMethod",
    "Candidate",
    "CandidatesQuestion",
    "ChoiceOption",
    "ChoiceQuestion",
    "Eligibility",
    "ImageChoiceQuestion",
    "ImageOption",
    "LocalizedText",
    "Manifest",
    "Question",
    "QuestionKind",
    "QuestionStyle",
    "RatingLevel",
    "RatingQuestion",
    "Trustee",
    "VotingPeriod",
    "area_check_digit",
    "is_area_code",
    "manifest_hash",
    "parse_manifest",
    "question_style",
]

#: The value of the manifest's ``format`` field this version reads and writes (§MAN-3).
FORMAT = "tohyo-manifest/1"
#: The version that adds the declared log key and witnesses (§MAN-21).
FORMAT_V2 = "tohyo-manifest/2"
#: Every manifest version this parser accepts (§MAN-9).
FORMATS = (FORMAT, FORMAT_V2)


def area_check_digit(code5: str) -> int:
    """The JIS X 0402 check digit of a five-digit local-government code (§MAN-8)."""
    total = sum(int(d) * w for d, w in zip(code5, (6, 5, 4, 3, 2), strict=True))
    return (11 - total % 11) % 10


def is_area_code(code: str) -> bool:
    """Whether ``code`` is a six-digit municipality code with a correct check digit (§MAN-8)."""
    return (
        len(code) == 6
        and code.isascii()
        and code.isdigit()
        and 1 <= int(code[:2]) <= 47
        and area_check_digit(code[:5]) == int(code[5])
    )


class AuthMethod(StrEnum):
    """How voters authenticate (§MAN-6)."""

    JPKI = "jpki"  #: My Number Card signature certificate (X.509, revocation checked)
    OIDC = "oidc"  #: OpenID Connect login, e.g. the city app
    CODE = "code"  #: one-time voting codes, for small votes


@dataclass(frozen=True, slots=True)
class VotingPeriod:
    """When ballots may be cast: ``start <= t < end`` (§MAN-5)."""

    start: datetime
    end: datetime

    def contains(self, moment: datetime) -> bool:
        """Whether ``moment`` (timezone-aware) falls within the period."""
        return self.start <= moment < self.end

    def to_json(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


@dataclass(frozen=True, slots=True)
class Trustee:
    """A key-holding official (§MAN-7)."""

    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Eligibility:
    """Who may vote (§MAN-8).

    Attributes:
        minimum_age: age a voter must have reached on ``election_day``.
        election_day: the day on which age is reckoned (the election date).
        areas: municipality codes (``082201``) or districts (``082201-03``).
    """

    minimum_age: int
    election_day: date
    areas: tuple[str, ...]

    def covers(self, address_code: str, district: str) -> bool:
        """Whether a voter in ``address_code`` (and ``district``) is in an eligible area."""
        if address_code in self.areas:
            return True
        return bool(district) and f"{address_code}-{district}" in self.areas

    def to_json(self) -> dict[str, Any]:
        return {
            "minimum_age": self.minimum_age,
            "election_day": self.election_day.isoformat(),
            "areas": list(self.areas),
        }


@dataclass(frozen=True, slots=True)
class Manifest:
    """A validated election manifest (§MAN-3). Build it with :func:`parse_manifest`."""

    id: str
    title: LocalizedText
    description: LocalizedText | None
    period: VotingPeriod
    authentication: tuple[AuthMethod, ...]
    trustees: tuple[Trustee, ...]
    threshold: int  #: trustees needed to decrypt (t of n)
    eligibility: Eligibility
    questions: tuple[Question, ...]
    #: The declared log key and witnesses (``tohyo-manifest/2``); None in version 1.
    log: LogDeclaration | None = None

    @property
    def format(self) -> str:
        """The manifest's version: ``tohyo-manifest/2`` iff it declares its log (§MAN-21)."""
        return FORMAT if self.log is None else FORMAT_V2
    #: Last day (JST) the election's personal data must be kept (§MAN-3.1); None: not set.
    retain_until: date | None = None

    def ballot_style(self) -> tuple[QuestionStyle, ...]:
        """Per question, in ballot order, the shape the crypto layer needs (§MAN-15)."""
        return tuple(question_style(q) for q in self.questions)

    def question(self, question_id: str) -> Question:
        """The question with ``question_id``.

        Raises:
            KeyError: no such question.
        """
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)

    def candidate(self, candidate_id: str) -> tuple[CandidatesQuestion, Candidate]:
        """The candidate with ``candidate_id`` and the question it stands in.

        Raises:
            KeyError: no candidate has that id.
        """
        for q in self.questions:
            if isinstance(q, CandidatesQuestion):
                for c in q.candidates:
                    if c.id == candidate_id:
                        return q, c
        raise KeyError(candidate_id)

    def to_json(self) -> dict[str, Any]:
        """The normal JSON form: defaults written out, optional fields omitted if absent."""
        out: dict[str, Any] = {
            "format": self.format,
            "id": self.id,
            "title": self.title.to_json(),
            "period": self.period.to_json(),
            "authentication": [m.value for m in self.authentication],
            "trustees": {
                "threshold": self.threshold,
                "members": [{"id": t.id, "name": t.name} for t in self.trustees],
            },
            "eligibility": self.eligibility.to_json(),
            "questions": [q.to_json() for q in self.questions],
        }
        if self.description is not None:
            out["description"] = self.description.to_json()
        if self.log is not None:
            out["log"] = self.log.to_json()
        if self.retain_until is not None:
            out["retain_until"] = self.retain_until.isoformat()
        return out

    @classmethod
    def from_json(cls, obj: Any) -> Manifest:
        """Validate a parsed JSON value (§MAN-2).

        Raises:
            InvalidManifest: listing every problem found.
        """
        from tohyo.record._manifest_parse import manifest_from_json

        return manifest_from_json(obj)


def parse_manifest(data: bytes) -> Manifest:
    """Parse and validate manifest bytes (strict JSON, §ENC-JSON-2; then §MAN-2).

    Raises:
        InvalidJson: the bytes are not strict JSON or exceed 1 MiB / depth 16.
        InvalidManifest: the JSON breaks manifest rules; lists every problem.
    """
    from tohyo.record._manifest_parse import parse_manifest_bytes

    return parse_manifest_bytes(data)


def manifest_hash(manifest: Manifest) -> bytes:
    """``content_hash(manifest.to_json(), dst="tohyo/1/record/manifest")`` (§MAN-16)."""
    return content_hash(manifest.to_json(), dst=ContentDst.MANIFEST)
