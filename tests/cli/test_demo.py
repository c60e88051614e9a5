"""``tohyo demo`` runs a whole election over HTTP, verifies it and checks the figures."""

from __future__ import annotations

import io
import json
from pathlib import Path

from rich.console import Console
from typer.testing import CliRunner

from tohyo.cli.demo import _manifest_bytes, run_survey
from tohyo.cli.main import _register, app

VECTORS = Path(__file__).parents[1] / "vectors" / "manifests"


def test_packaged_demo_manifest_is_the_checked_in_vector() -> None:
    assert _manifest_bytes() == (VECTORS / "tsukuba-2025-survey.json").read_bytes()


def test_demo_survey_verifies_and_matches_the_published_figures(tmp_path: Path) -> None:
    out = io.StringIO()
    assert run_survey(tmp_path / "record", Console(file=out, width=120), scale=40)
    text = out.getvalue()
    assert "record VALID: 15/15 checks passed" in text
    assert "✗" not in text
    # It ends with the combined official result: internet (1/40 scale) and the paper counts.
    official = text[text.index("Official result, internet + paper"):]
    assert "Q1 行政サービス分野" in official and "(G) 投票者総数" in official
    assert "2 paper counts" in text  # V15 checked both signed counts
    assert official.rstrip().splitlines()[-1].startswith("  移動投票車 1号")


def test_demo_fails_when_the_record_is_tampered(tmp_path: Path) -> None:
    # The demo's verdict comes from the verifier: a changed result must fail it.
    from tohyo.verify.runner import verify_record

    run_survey(tmp_path / "record", Console(file=io.StringIO()), scale=40)
    tally = tmp_path / "record" / "tally.json"
    data = json.loads(tally.read_text(encoding="utf-8"))
    data["results"]["questions"][0]["options"][0]["votes"] += 1
    tally.write_text(json.dumps(data), encoding="utf-8")
    assert not verify_record(tmp_path / "record", workers=0).ok


def test_demo_command_is_registered() -> None:
    _register()
    result = CliRunner().invoke(app, ["demo", "--help"])
    assert result.exit_code == 0
    assert "--no-serve" in result.output
