"""The election record: canonical JSON and the election manifest.

Sits above :mod:`tohyo.crypto` and :mod:`tohyo.log` and below :mod:`tohyo.verify`;
it imports no application, web or database code. Normative text:
``docs/spec/encodings.md`` (§ENC-JSON) and ``docs/spec/manifest.md`` (§MAN).
"""

from __future__ import annotations

from tohyo.record.canonical import (
    ContentDst,
    content_hash,
    dumps_canonical,
    loads_canonical,
    loads_strict,
)
from tohyo.record.errors import InvalidJson, InvalidManifest, Problem, RecordError
from tohyo.record.manifest import (
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
    QuestionStyle,
    RatingLevel,
    RatingQuestion,
    Trustee,
    VotingPeriod,
    manifest_hash,
    parse_manifest,
    question_style,
)

__all__ = [
    "AuthMethod",
    "Candidate",
    "CandidatesQuestion",
    "ChoiceOption",
    "ChoiceQuestion",
    "ContentDst",
    "Eligibility",
    "ImageChoiceQuestion",
    "ImageOption",
    "InvalidJson",
    "InvalidManifest",
    "LocalizedText",
    "Manifest",
    "Problem",
    "Question",
    "QuestionKind",
    "QuestionStyle",
    "RatingLevel",
    "RatingQuestion",
    "RecordError",
    "Trustee",
    "VotingPeriod",
    "content_hash",
    "dumps_canonical",
    "loads_canonical",
    "loads_strict",
    "manifest_hash",
    "parse_manifest",
    "question_style",
]
