"""``tohyo trustee``: an offline key ceremony over a shared directory, and refusals."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from tohyo.cli.main import _register, app
from tohyo.crypto.context import ProofContext
from tohyo.crypto.dkg import DkgTranscript, JointKey, verify_transcript

VECTORS = Path(__file__).parents[1] / "vectors"
MANIFEST = VECTORS / "manifests" / "tsukuba-2025-survey.json"  # 2 of 3 trustees


def _run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_offline_ceremony_yields_a_verified_joint_key(tmp_path: Path) -> None:
    _register()
    d, secrets = tmp_path / "ceremony", [tmp_path / f"t{i}.secret" for i in (1, 2, 3)]
    _run("trustee", "init", "--ceremony", str(d), "--manifest", str(MANIFEST))
    for i, s in enumerate(secrets, start=1):
        _run("trustee", "keygen", "--ceremony", str(d), "--index", str(i), "--secret", str(s))
    for step in ("deal", "check", "answer", "confirm"):
        for s in secrets:
            _run("trustee", step, "--ceremony", str(d), "--secret", str(s))
    assert "joint key" in _run("trustee", "finish", "--ceremony", str(d))
    for s in secrets:  # secrets stay in the trustees' own files, private
        assert s.stat().st_mode & 0o077 == 0
    ceremony = json.loads((d / "ceremony.json").read_bytes())
    info = json.loads((d / "election.json").read_bytes())
    context = ProofContext(info["election_id"], bytes.fromhex(info["manifest_hash"]))
    joint = verify_transcript(context, DkgTranscript.from_json(ceremony["transcript"]))
    assert joint == JointKey.from_json(ceremony["joint_key"])

    # A trustee refuses to decrypt an aggregate that is not the board's (THREATS #15).
    board = tmp_path / "board"
    shutil.copytree(VECTORS / "records" / "valid", board)
    tally = json.loads((board / "tally.json").read_bytes())
    proposal = tmp_path / "proposal.json"
    proposal.write_text(json.dumps({"aggregates": tally["aggregates"]}))
    result = CliRunner().invoke(app, ["trustee", "decrypt", "--board", str(board), "--proposal",
                                      str(proposal), "--secret", str(secrets[0]), "--out",
                                      str(tmp_path / "shares.json")])
    assert result.exit_code == 1 and "REFUSED" in result.output
    assert not (tmp_path / "shares.json").exists()


def test_a_missing_message_makes_the_round_wait(tmp_path: Path) -> None:
    _register()
    d = tmp_path / "ceremony"
    _run("trustee", "init", "--ceremony", str(d), "--manifest", str(MANIFEST))
    _run("trustee", "keygen", "--ceremony", str(d), "--index", "1", "--secret",
         str(tmp_path / "s1"))
    result = CliRunner().invoke(app, ["trustee", "deal", "--ceremony", str(d), "--secret",
                                      str(tmp_path / "s1")])
    assert result.exit_code == 3 and "transport-2.json" in result.output
