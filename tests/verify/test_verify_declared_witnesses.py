"""V6/V7 against the witnesses the manifest declares (record.md §REC-8, manifest.md §MAN-21).

The record is written by :func:`generate_record` with ``quorum=2``: a
``tohyo-manifest/2`` manifest that declares the log key and two witnesses.
Attacks: the witness set swapped after the fact (in the header, with the heads
re-cosigned by the new keys, or in the manifest), the final head below the
quorum, the log key substituted.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
from pathlib import Path

import pytest

from tohyo.log import CosignatureSigner, SignedNote, encode_verifier_key, parse_note
from tohyo.record.canonical import dumps_canonical
from tohyo.record.manifest import Manifest
from tohyo.simulate.direct import Voter, generate_record
from tohyo.verify import Status, verify_record
from tohyo.verify.checks.witnesses import NO_WITNESSES

_GEN = Path(__file__).parents[1] / "vectors" / "records" / "generate.py"
_spec = importlib.util.spec_from_file_location("record_vectors", _GEN)
assert _spec is not None and _spec.loader is not None
_vectors = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_vectors)
MANIFEST, VOTES = _vectors.MANIFEST, _vectors.VOTES


@pytest.fixture(scope="module")
def witnessed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("witnessed") / "record"
    voters = [Voter(tuple(v)) for v in VOTES[:3]]
    generate_record(Manifest.from_json(MANIFEST), voters, out, witnesses=2, quorum=2)
    return out


def _copy(src: Path, tmp: Path) -> Path:
    shutil.copytree(src, tmp / "r")
    return tmp / "r"


def _rewrite(d: Path, name: str, data: bytes) -> None:
    (d / name).write_bytes(data)
    header = json.loads((d / "record.json").read_bytes())
    header["files"][name] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    (d / "record.json").write_bytes(dumps_canonical(header, max_depth=64))


def _heads(d: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in (d / "heads.jsonl").read_bytes().splitlines()]


def _write_heads(d: Path, heads: list[dict[str, str]]) -> None:
    _rewrite(d, "heads.jsonl", b"".join(dumps_canonical(h) + b"\n" for h in heads))


def test_a_declared_quorum_passes_without_warning(witnessed: Path) -> None:
    manifest = json.loads((witnessed / "manifest.json").read_bytes())
    assert manifest["format"] == "tohyo-manifest/2"
    assert manifest["log"]["witnesses"]["quorum"] == 2
    report = verify_record(witnessed, workers=0)
    assert report.ok and report.warnings == ()
    assert all(c.status is Status.PASS for c in report.checks.values())


def test_a_witness_set_swapped_after_the_fact_fails(witnessed: Path, tmp_path: Path) -> None:
    """The exporter lists two keys of its own and re-cosigns every head with them."""
    d = _copy(witnessed, tmp_path)
    log_key = json.loads((d / "record.json").read_bytes())["log"]["key"]
    impostors = [CosignatureSigner.generate(f"witness-{i}.example") for i in range(2)]
    heads = []
    for h in _heads(d):
        note = parse_note(h["note"])
        log_sig = note.signatures[0]
        fresh = tuple(w.sign_at(note.text.encode(), 1_800_000_000) for w in impostors)
        heads.append({"note": SignedNote(note.text, (log_sig, *fresh)).to_text()})
    _write_heads(d, heads)
    header = json.loads((d / "record.json").read_bytes())
    header["log"]["witnesses"] = [encode_verifier_key(w.verifier()) for w in impostors]
    (d / "record.json").write_bytes(dumps_canonical(header, max_depth=64))
    assert header["log"]["key"] == log_key
    report = verify_record(d, workers=0)
    assert not report.ok
    v7 = report.checks["V7"]
    assert v7.status is Status.FAIL
    assert any("other witnesses than the manifest declares" in f.message for f in v7.failures)
    assert any("declared witnesses" in f.message for f in v7.failures)


def test_a_witness_swapped_in_the_manifest_breaks_the_manifest_hash(
    witnessed: Path, tmp_path: Path
) -> None:
    d = _copy(witnessed, tmp_path)
    manifest = json.loads((d / "manifest.json").read_bytes())
    stranger = CosignatureSigner.generate("witness-0.example")
    manifest["log"]["witnesses"]["members"][0]["key"] = encode_verifier_key(stranger.verifier())
    _rewrite(d, "manifest.json", dumps_canonical(manifest, max_depth=64))
    report = verify_record(d, workers=0)
    assert not report.ok and report.checks["V2"].status is Status.FAIL


def test_a_final_head_below_the_quorum_fails(witnessed: Path, tmp_path: Path) -> None:
    d = _copy(witnessed, tmp_path)
    heads = _heads(d)
    note = parse_note(heads[-1]["note"])
    heads[-1] = {"note": SignedNote(note.text, note.signatures[:2]).to_text()}  # log + one
    _write_heads(d, heads)
    header = json.loads((d / "record.json").read_bytes())
    report = verify_record(d, workers=0)
    assert len(header["log"]["witnesses"]) == 2
    assert report.checks["V7"].status is Status.FAIL
    assert "the manifest requires 2" in report.checks["V7"].failures[0].message


def test_a_substituted_log_key_fails(witnessed: Path, tmp_path: Path) -> None:
    """A server re-signs every head with another key and names it in the header."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from tohyo.log import Ed25519Signer

    d = _copy(witnessed, tmp_path)
    header = json.loads((d / "record.json").read_bytes())
    origin = header["log"]["origin"]
    other = Ed25519Signer(origin, Ed25519PrivateKey.generate())
    heads = []
    for h in _heads(d):
        note = parse_note(h["note"])
        signed = SignedNote(note.text, (other.sign(note.text.encode()), *note.signatures[1:]))
        heads.append({"note": signed.to_text()})
    _write_heads(d, heads)
    header = json.loads((d / "record.json").read_bytes())
    header["log"]["key"] = encode_verifier_key(other.verifier())
    (d / "record.json").write_bytes(dumps_canonical(header, max_depth=64))
    report = verify_record(d, workers=0)
    assert report.checks["V6"].status is Status.FAIL
    assert "manifest declares" in report.checks["V6"].failures[0].message


def test_an_election_that_declares_none_is_reported(tmp_path: Path) -> None:
    out = tmp_path / "record"
    generate_record(Manifest.from_json(MANIFEST), [Voter(tuple(VOTES[0]))], out, witnesses=0,
                    quorum=0)
    report = verify_record(out, workers=0)
    assert report.ok  # valid, but the report says what was not checked
    assert report.checks["V7"].status is Status.WARN
    assert NO_WITNESSES in report.checks["V7"].note
