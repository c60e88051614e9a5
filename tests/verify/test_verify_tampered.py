"""The tampered-record corpus: every mutant fails, with the right check (THREATS #17)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from tohyo.verify import Status, verify_record

_GEN = Path(__file__).parents[1] / "vectors" / "records" / "generate.py"
_spec = importlib.util.spec_from_file_location("record_vectors", _GEN)
assert _spec is not None and _spec.loader is not None
vectors = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(vectors)


def test_the_valid_record_passes_every_check() -> None:
    report = verify_record(vectors.VALID, workers=0)
    assert report.ok, [(c.id, c.failures) for c in report.checks.values()]
    # tohyo-manifest/1 declares no witnesses: V7 passes with a visible warning.
    assert {c.id for c in report.checks.values() if c.status is not Status.PASS} == {"V7"}
    assert report.checks["V7"].status is Status.WARN
    assert report.warnings == ("V7",)
    assert "excluded [3]" in report.checks["V13"].note  # the cheating trustee is named


@pytest.mark.parametrize("name", sorted(vectors.MUTATIONS))
def test_every_mutant_fails_with_its_check_named(name: str, tmp_path: Path) -> None:
    check = vectors.make_mutant(name, tmp_path / "record")
    report = verify_record(tmp_path / "record", workers=0)
    assert not report.ok
    result = report.checks[check]
    assert result.status is Status.FAIL, (check, result.note)
    assert result.failures and result.failures[0].location  # a location, never a traceback


def test_the_corpus_covers_every_kind_of_field() -> None:
    kinds = {"ballot-ciphertext", "proof-scalar", "log-entry-removed", "signed-head",
             "cosignature", "cosignature-missing", "cosignature-unlisted",
             "decryption-share", "result-count", "joint-key", "manifest",
             "duplicated-ballot", "truncated-entries", "unknown-version", "missing-file"}
    assert kinds <= set(vectors.MUTATIONS)


def test_a_missing_directory_is_a_failed_check(tmp_path: Path) -> None:
    report = verify_record(tmp_path / "nowhere", workers=0)
    assert not report.ok
    assert report.checks["V1"].status is Status.FAIL
    assert all(c.status is not Status.PASS for c in report.checks.values())
