"""Question kinds of the election manifest (docs/spec/manifest.md §MAN-4, §MAN-10 … §MAN-15).

Each question kind is a frozen dataclass with the same read-only interface:
``id``, ``kind``, ``title``, ``text``, ``allow_blank``, ``option_ids``,
``min_selections`` and ``max_selections``. :func:`question_style` reduces any of
them to the plain :class:`QuestionStyle` that the crypto layer encrypts against.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

__all__ = [
    "Candidate",
    "CandidatesQuestion",
    "ChoiceOption",
    "ChoiceQuestion",
    "ImageChoiceQuestion",
    "ImageOption",
    "LocalizedText",
    "Question",
    "QuestionKind",
    "QuestionStyle",
    "RatingLevel",
    "RatingQuestion",
    "question_style",
]


class QuestionKind(StrEnum):
    """The four ballot styles (§MAN-10)."""

    CANDIDATES = "candidates"
    CHOICE = "choice"
    IMAGE_CHOICE = "image_choice"
    RATING = "rating"


@dataclass(frozen=True, slots=True)
class LocalizedText:
    """Text in several languages; Japanese (``ja``) is always present (§MAN-4).

    Attributes:
        values: ``(language tag, text)`` pairs sorted by tag.
    """

    values: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, mapping: Mapping[str, str]) -> LocalizedText:
        """Build from a mapping (the caller has validated it)."""
        return cls(tuple(sorted(mapping.items())))

    @property
    def ja(self) -> str:
        return self.get("ja")

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(tag for tag, _ in self.values)

    def get(self, language: str) -> str:
        """The text in ``language``, falling back to Japanese."""
        fallback = ""
        for tag, text in self.values:
            if tag == language:
                return text
            if tag == "ja":
                fallback = text
        return fallback

    def to_json(self) -> dict[str, str]:
        return dict(self.values)


@dataclass(frozen=True, slots=True)
class QuestionStyle:
    """The plain shape of one question that the crypto layer encrypts against (§MAN-15).

    A valid answer selects ``k`` distinct options with
    ``min_selections <= k <= max_selections``, or is blank (``k = 0``) when
    ``allow_blank``.
    """

    question_id: str
    option_ids: tuple[str, ...]
    min_selections: int
    max_selections: int
    allow_blank: bool


@dataclass(frozen=True, slots=True)
class Candidate:
    """A candidate in a public-office election (§MAN-11)."""

    id: str
    number: int  #: ballot number fixed by lot
    name: LocalizedText
    kana: str  #: reading in hiragana or katakana
    party: LocalizedText | None  #: ``None`` for no party

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "number": self.number,
            "name": self.name.to_json(),
            "kana": self.kana,
            "party": None if self.party is None else self.party.to_json(),
        }


@dataclass(frozen=True, slots=True)
class ChoiceOption:
    """A text option (§MAN-12)."""

    id: str
    label: LocalizedText
    description: LocalizedText | None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "label": self.label.to_json()}
        if self.description is not None:
            out["description"] = self.description.to_json()
        return out


@dataclass(frozen=True, slots=True)
class ImageOption:
    """An image option with its mandatory alternative text (§MAN-13)."""

    id: str
    label: LocalizedText
    image: str  #: relative URL path of the image
    alt: LocalizedText
    image_sha256: str | None  #: lowercase hex SHA-256 of the image file, binding it

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "label": self.label.to_json(),
            "image": self.image,
            "alt": self.alt.to_json(),
        }
        if self.image_sha256 is not None:
            out["image_sha256"] = self.image_sha256
        return out


@dataclass(frozen=True, slots=True)
class RatingLevel:
    """One level of a rating scale; its option id is its value in decimal (§MAN-14)."""

    value: int
    label: LocalizedText | None

    @property
    def id(self) -> str:
        return str(self.value)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"value": self.value}
        if self.label is not None:
            out["label"] = self.label.to_json()
        return out


@dataclass(frozen=True, slots=True)
class _QuestionBase:
    id: str
    title: LocalizedText
    text: LocalizedText | None
    allow_blank: bool

    kind: ClassVar[QuestionKind]

    def _common_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind.value,
            "title": self.title.to_json(),
            "allow_blank": self.allow_blank,
        }
        if self.text is not None:
            out["text"] = self.text.to_json()
        return out


@dataclass(frozen=True, slots=True)
class CandidatesQuestion(_QuestionBase):
    """A public-office election: choose ``min``..``max`` candidates (§MAN-11)."""

    min_selections: int
    max_selections: int
    candidates: tuple[Candidate, ...]

    kind: ClassVar[QuestionKind] = QuestionKind.CANDIDATES

    @property
    def option_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.candidates)

    def to_json(self) -> dict[str, Any]:
        out = self._common_json()
        out["min_selections"] = self.min_selections
        out["max_selections"] = self.max_selections
        out["candidates"] = [c.to_json() for c in self.candidates]
        return out


@dataclass(frozen=True, slots=True)
class ChoiceQuestion(_QuestionBase):
    """Text options with minimum and maximum selections (§MAN-12)."""

    min_selections: int
    max_selections: int
    options: tuple[ChoiceOption, ...]

    kind: ClassVar[QuestionKind] = QuestionKind.CHOICE

    @property
    def option_ids(self) -> tuple[str, ...]:
        return tuple(o.id for o in self.options)

    def to_json(self) -> dict[str, Any]:
        out = self._common_json()
        out["min_selections"] = self.min_selections
        out["max_selections"] = self.max_selections
        out["options"] = [o.to_json() for o in self.options]
        return out


@dataclass(frozen=True, slots=True)
class ImageChoiceQuestion(_QuestionBase):
    """Image options with alternative text (§MAN-13)."""

    min_selections: int
    max_selections: int
    options: tuple[ImageOption, ...]

    kind: ClassVar[QuestionKind] = QuestionKind.IMAGE_CHOICE

    @property
    def option_ids(self) -> tuple[str, ...]:
        return tuple(o.id for o in self.options)

    def to_json(self) -> dict[str, Any]:
        out = self._common_json()
        out["min_selections"] = self.min_selections
        out["max_selections"] = self.max_selections
        out["options"] = [o.to_json() for o in self.options]
        return out


@dataclass(frozen=True, slots=True)
class RatingQuestion(_QuestionBase):
    """Exactly one of ordered levels, or blank (§MAN-14)."""

    levels: tuple[RatingLevel, ...]

    kind: ClassVar[QuestionKind] = QuestionKind.RATING

    @property
    def option_ids(self) -> tuple[str, ...]:
        return tuple(level.id for level in self.levels)

    @property
    def min_selections(self) -> int:
        return 1

    @property
    def max_selections(self) -> int:
        return 1

    def to_json(self) -> dict[str, Any]:
        out = self._common_json()
        out["levels"] = [level.to_json() for level in self.levels]
        return out


Question = CandidatesQuestion | ChoiceQuestion | ImageChoiceQuestion | RatingQuestion


def question_style(question: Question) -> QuestionStyle:
    """The :class:`QuestionStyle` of one question (§MAN-15)."""
    return QuestionStyle(
        question_id=question.id,
        option_ids=question.option_ids,
        min_selections=question.min_selections,
        max_selections=question.max_selections,
        allow_blank=question.allow_blank,
    )
