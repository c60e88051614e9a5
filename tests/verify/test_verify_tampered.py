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


def test_the_valid_record_with_paper_counts_passes_and_prints_its_figures() -> None:
    report = verify_record(vectors.VALID_PAPER, workers=0)
    assert report.ok, [(c.id, c.failures) for c in report.checks.values()]
    assert "2 paper counts" in report.checks["V15"].note
    (table,) = report.tables
    assert "(A) 得票総数 11.000" in table and "(G) 投票者総数 17" in table
    assert "辞退・死亡 withdrawn: 3. 上田 次郎" in table
    assert report.official is not None and report.official["turnout"]["voters"] == 17


def test_a_format_1_record_gets_its_internet_only_official_result() -> None:
    report = verify_record(vectors.VALID, workers=0)
    assert "no paper counts" in report.checks["V15"].note
    assert report.official is not None and report.official["places"] == []


def test_the_valid_record_with_witness_statements_passes() -> None:
    report = verify_record(vectors.VALID_STATEMENTS, workers=0)
    assert report.ok, [(c.id, c.failures) for c in report.checks.values()]
    assert report.checks["V7"].note.endswith("; 4 witness statements")
    assert report.warnings == ()


@pytest.mark.parametrize("name", sorted(vectors.MUTATIONS) + sorted(vectors.PAPER_MUTATIONS)
                         + sorted(vectors.STATEMENT_MUTATIONS))
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
    paper = {"paper-count-sums", "paper-count-signature", "paper-count-before-close",
             "paper-count-twice", "official-figure", "paper-count-in-format-1"}
    assert paper <= set(vectors.PAPER_MUTATIONS)


def test_a_paper_count_that_does_not_add_up_names_the_cell(tmp_path: Path) -> None:
    vectors.make_mutant("paper-count-sums", tmp_path / "record")
    report = verify_record(tmp_path / "record", workers=0)
    (failure, *_) = report.checks["V15"].failures
    assert failure.location.endswith("#/count/questions/0/options")
    assert "paper.sums" in failure.message


def test_a_missing_directory_is_a_failed_check(tmp_path: Path) -> None:
    report = verify_record(tmp_path / "nowhere", workers=0)
    assert not report.ok
    assert report.checks["V1"].status is Status.FAIL
    assert all(c.status is not Status.PASS for c in report.checks.values())


@pytest.mark.parametrize(("name", "reason"), [
    ("statement-signature", "does not verify"),
    ("statement-unlisted-witness", "statement.unlisted_witness"),
    ("statement-head-not-in-record", "not one of the record's signed heads"),
    ("statement-opening-after-a-ballot", "statement.out_of_place"),
    ("statement-twice", "a second 'close' statement"),
])
def test_a_tampered_statement_fails_v7_for_its_reason(name: str, reason: str,
                                                      tmp_path: Path) -> None:
    vectors.make_mutant(name, tmp_path / "record")
    report = verify_record(tmp_path / "record", workers=0)
    messages = [f.message for f in report.checks["V7"].failures]
    assert any(reason in m for m in messages), messages
