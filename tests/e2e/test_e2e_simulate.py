"""Whole elections end to end: simulate, then verify the record (issue 4, item 5).

The 2025 Tsukuba survey (MISSION.md: 559 / 442 / 417 answers with the
published counts per choice) is reproduced exactly: scaled down by ten through
a real server over HTTP (with re-votes, which must not change the result), and
in full with the in-process simulation. ``tohyo simulate --votes
tests/e2e/tsukuba-2025-votes.csv`` runs the full one over HTTP as the demo.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tohyo.cli.main import _register, app
from tohyo.log import parse_note
from tohyo.record.manifest import parse_manifest
from tohyo.simulate.direct import generate_record
from tohyo.simulate.votes import TSUKUBA_2025, parse_votes
from tohyo.verify import Status, verify_record

HERE = Path(__file__).parent
MANIFEST = HERE.parents[0] / "vectors" / "manifests" / "tsukuba-2025-survey.json"
_GEN = HERE.parents[0] / "vectors" / "records" / "generate.py"
_spec = importlib.util.spec_from_file_location("record_vectors_e2e", _GEN)
assert _spec is not None and _spec.loader is not None
vectors = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(vectors)


def _published(scale: int) -> dict[str, dict[str, int]]:
    return {field: {o: n // scale for o, n in counts} for field, counts in TSUKUBA_2025.items()}


def _results(record: Path) -> dict[str, dict[str, int]]:
    tally = json.loads((record / "tally.json").read_bytes())
    return {q["id"]: {o["id"]: o["votes"] for o in q["options"]}
            for q in tally["results"]["questions"]}


def test_scaled_tsukuba_survey_over_http_reproduces_the_figures(tmp_path: Path) -> None:
    _register()
    out = tmp_path / "record"
    result = CliRunner().invoke(app, [
        "simulate", "--manifest", str(MANIFEST), "--votes",
        str(HERE / "tsukuba-2025-votes-scaled10.csv"), "--out", str(out),
        "--revote-rate", "0.2", "--seed", "7",
    ])
    assert result.exit_code == 0, result.output
    assert _results(out) == _published(10)
    tally = json.loads((out / "tally.json").read_bytes())
    assert tally["counts"]["superseded"] > 0 and tally["counts"]["effective"] == 55
    blanks = {q["id"]: q["blank"] for q in tally["results"]["questions"]}
    assert blanks == {"administrative-services": 0, "mobility": 12, "healthcare": 15}
    report = verify_record(out, workers=2)
    assert report.ok, report.to_json()
    verified = CliRunner().invoke(app, ["verify", str(out), "--quiet", "--workers", "0"])
    assert verified.exit_code == 0 and "record VALID" in verified.output

    # Two independent witnesses cosigned over HTTP, the final head included (V7).
    header = json.loads((out / "record.json").read_bytes())
    assert len(header["log"]["witnesses"]) == 2
    assert report.checks["V7"].note.startswith("2 witnesses; ")
    # ... declared in the manifest with quorum 2 (§MAN-21): V7 passes without a warning.
    declared = json.loads((out / "manifest.json").read_bytes())["log"]
    assert declared["witnesses"]["quorum"] == 2
    assert sorted(m["key"] for m in declared["witnesses"]["members"]) == \
        sorted(header["log"]["witnesses"])
    assert report.checks["V7"].status is Status.PASS
    final = json.loads((out / "heads.jsonl").read_bytes().split(b"\n")[-2])["note"]
    assert len(parse_note(final).signatures) == 3  # the log and both witnesses
    for name in ("cosignature", "cosignature-missing"):  # forged, missing: V7 fails
        copy = tmp_path / name
        shutil.copytree(out, copy)
        vectors.MUTATIONS[name][1](copy)
        assert verify_record(copy, workers=0).checks["V7"].status is Status.FAIL


@pytest.mark.slow
def test_full_tsukuba_survey_reproduces_559_442_417(tmp_path: Path) -> None:
    manifest = parse_manifest(MANIFEST.read_bytes())
    voters = parse_votes((HERE / "tsukuba-2025-votes.csv").read_text(), manifest)
    generate_record(manifest, voters, tmp_path / "record", workers=2)
    results = _results(tmp_path / "record")
    assert results == _published(1)
    assert [sum(v.values()) for v in results.values()] == [559, 442, 417]
    assert verify_record(tmp_path / "record", workers=2).ok


def test_a_paper_vote_and_a_cheating_trustee_through_the_server(tmp_path: Path) -> None:
    from tohyo.simulate.http import simulate_over_http

    manifest = parse_manifest(MANIFEST.read_bytes())
    text = "administrative-services,mobility,healthcare,paper\n" + \
        "internet-voting,,,\ndigital-counters,tsukumobi,,1\nai-citizen-voice,,emergency-data,\n"
    voters = parse_votes(text, manifest)
    out = tmp_path / "record"
    simulate_over_http(manifest, MANIFEST.read_bytes(), voters, out, cheating_trustee=1)
    tally = json.loads((out / "tally.json").read_bytes())
    assert tally["decryption"]["excluded"][0]["trustee"] == 1
    assert tally["counts"]["overridden"] == 1 and tally["results"]["ballots"] == 2
    assert _results(out)["administrative-services"] == {
        "internet-voting": 1, "digital-counters": 0, "ai-citizen-voice": 1}
    assert verify_record(out, workers=0).ok


def test_simulate_leaves_no_key_files_in_the_temp_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 10 item 6: every run left 10-15 MB with signing and HMAC keys in /tmp."""
    import tempfile

    system_tmp = tmp_path / "tmp"
    system_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_tmp))
    votes = tmp_path / "votes.csv"
    votes.write_text("administrative-services,mobility,healthcare\ninternet-voting,,\n")
    _register()
    base: list[str | Path] = ["simulate", "--manifest", MANIFEST, "--votes", votes,
                              "--witnesses", "1"]
    result = CliRunner().invoke(app, [*base, "--out", str(tmp_path / "r1")])
    assert result.exit_code == 0, result.output
    assert list(system_tmp.iterdir()) == []
    # kept only on request, and the output says where
    kept = tmp_path / "kept"
    result = CliRunner().invoke(app, [*base, "--out", str(tmp_path / "r2"), "--keep-dir", kept])
    assert result.exit_code == 0, result.output
    assert str(kept.resolve()) in result.output
    assert (kept / "db.sqlite3").is_file() and any((kept / "data").rglob("*.key"))
    assert list(system_tmp.iterdir()) == []
    # a non-empty directory is refused, not overwritten
    result = CliRunner().invoke(app, [*base, "--out", str(tmp_path / "r3"), "--keep-dir", kept])
    assert result.exit_code == 2 and "not empty" in result.output


def test_witnesses_state_the_opening_and_the_close_over_http(tmp_path: Path) -> None:
    """Issue 13 item 3: statements posted during the election are leaves, and verify (V7)."""
    votes = tmp_path / "votes.csv"
    votes.write_text("administrative-services,mobility,healthcare\ninternet-voting,,\n"
                     "digital-counters,tsukumobi,\n")
    _register()
    out = tmp_path / "record"
    result = CliRunner().invoke(app, ["simulate", "--manifest", str(MANIFEST), "--votes",
                                      str(votes), "--out", str(out), "--statements"])
    assert result.exit_code == 0, result.output
    assert "2 witnesses stated the empty ballot box" in result.output
    leaves = [json.loads(line) for line in (out / "entries.jsonl").read_bytes().splitlines()]
    stated = [(i, leaf["event"]) for i, leaf in enumerate(leaves) if leaf["kind"] == "statement"]
    close = next(i for i, leaf in enumerate(leaves) if leaf["kind"] == "close")
    first_ballot = next(i for i, leaf in enumerate(leaves) if leaf["kind"] == "ballot")
    assert [e for _, e in stated] == ["opening", "opening", "close", "close"]
    assert all(i < first_ballot for i, e in stated if e == "opening")
    assert all(i > close for i, e in stated if e == "close")
    report = verify_record(out, workers=0)
    assert report.ok, [(c.id, c.failures) for c in report.checks.values() if c.failures]
    assert report.checks["V7"].note.endswith("; 4 witness statements")
