"""``tohyo verify --fork-evidence``: a monitor's evidence is held against the record (V6)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tohyo.log import Checkpoint, Ed25519Signer, encode_verifier_key, sign_checkpoint
from tohyo.log.evidence import ForkEvidence
from tohyo.record.manifest import Manifest
from tohyo.simulate.direct import Voter, generate_record
from tohyo.verify.__main__ import main

_GEN = Path(__file__).parents[1] / "vectors" / "records" / "generate.py"
_spec = importlib.util.spec_from_file_location("record_vectors", _GEN)
assert _spec is not None and _spec.loader is not None
_vectors = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_vectors)
ORIGIN = "tohyo.example/log/tohyo-test-record"


@pytest.fixture(scope="module")
def record(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Ed25519Signer]:
    out = tmp_path_factory.mktemp("fork") / "record"
    signer = Ed25519Signer(ORIGIN, Ed25519PrivateKey.generate())
    generate_record(Manifest.from_json(_vectors.MANIFEST),
                    [Voter(tuple(v)) for v in _vectors.VOTES[:3]], out, quorum=2,
                    log_signer=signer)
    return out, signer


def _evidence(tmp_path: Path, signer: Ed25519Signer, heads: list[str]) -> Path:
    path = tmp_path / "evidence.json"
    path.write_bytes(ForkEvidence(ORIGIN, encode_verifier_key(signer.verifier()), tuple(heads),
                                  (), "inconsistent_head: test").to_bytes())
    return path


def _heads(record: Path) -> list[str]:
    return [json.loads(line)["note"] for line in (record / "heads.jsonl").read_text().split("\n")
            if line]


def _forged(signer: Ed25519Signer, size: int) -> str:
    return sign_checkpoint(Checkpoint.timestamped(ORIGIN, size, b"\x07" * 32, 2**41),
                           signer).to_text()


def test_a_head_the_log_signed_for_another_board_fails_v6(
    record: tuple[Path, Ed25519Signer], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, signer = record
    evidence = _evidence(tmp_path, signer, [_heads(path)[1], _forged(signer, 2)])
    assert main([str(path), "--workers", "0", "--quiet", "--fork-evidence", str(evidence)]) == 1
    out = capsys.readouterr().out
    assert "[   FAIL]  V6" in out and f"{evidence}#/heads/1" in out
    assert "a fork" in out and "two roots for tree size 2" in out


def test_a_head_beyond_the_record_fails_v6(
    record: tuple[Path, Ed25519Signer], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, signer = record
    evidence = _evidence(tmp_path, signer, [_forged(signer, 999)])
    assert main([str(path), "--workers", "0", "--quiet", "--fork-evidence", str(evidence)]) == 1
    assert "beyond the record" in capsys.readouterr().out


def test_consistent_heads_and_unsigned_ones_change_nothing(
    record: tuple[Path, Ed25519Signer], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, signer = record
    stranger = Ed25519Signer(ORIGIN, Ed25519PrivateKey.generate())
    evidence = _evidence(tmp_path, signer, [*_heads(path)[:3], _forged(stranger, 2)])
    assert main([str(path), "--workers", "0", "--quiet", "--fork-evidence", str(evidence)]) == 0
    assert "3 signed heads held against the record, 1 not signed by the log (ignored)" in \
        capsys.readouterr().out


def test_unreadable_evidence_is_a_usage_error(
    record: tuple[Path, Ed25519Signer], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "tohyo-fork-evidence/1"}')
    assert main([str(record[0]), "--workers", "0", "--quiet", "--fork-evidence",
                 str(bad)]) == 2
