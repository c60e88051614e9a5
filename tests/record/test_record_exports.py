"""The curated public API of tohyo.record, and its place in the layers."""

from __future__ import annotations

import subprocess
import sys

import tohyo.record
from tohyo.record import canonical, errors, manifest, questions


def test_exported_members() -> None:
    assert set(tohyo.record.__all__) == {
        "AuthMethod", "Candidate", "CandidatesQuestion", "ChoiceOption", "ChoiceQuestion",
        "ContentDst", "Eligibility", "ImageChoiceQuestion", "ImageOption", "InvalidJson",
        "InvalidManifest", "LocalizedText", "Manifest", "Problem", "Question", "QuestionKind",
        "QuestionStyle", "RatingLevel", "RatingQuestion", "RecordError", "Trustee",
        "VotingPeriod", "content_hash", "dumps_canonical", "loads_canonical", "loads_strict",
        "manifest_hash", "parse_manifest", "question_style",
    }
    for module in (tohyo.record, canonical, errors, manifest, questions):
        for name in module.__all__:
            assert hasattr(module, name), (module.__name__, name)


def test_record_imports_no_app_web_or_database_code() -> None:
    code = (
        "import sys, tohyo.record, tohyo.record.manifest;"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "{'fastapi','starlette','sqlalchemy','alembic','psycopg','jinja2','httpx'}"
        " or m.startswith(('tohyo.app', 'tohyo.cli'))];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
