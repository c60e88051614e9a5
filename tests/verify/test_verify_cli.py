"""``python -m tohyo.verify``: output, exit status, process pool."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from tohyo.verify.__main__ import main

VALID = Path(__file__).parents[1] / "vectors" / "records" / "valid"


def test_module_entry_point_passes_the_valid_record_with_a_process_pool() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tohyo.verify", str(VALID), "--workers", "2", "--quiet"],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "record VALID: 16/16" in done.stdout
    # A tohyo-manifest/1 election declares no witnesses: V7 says so (§REC-8).
    assert done.stdout.count("[   PASS]") == 15
    assert "[   WARN]  V7" in done.stdout and "declares no witnesses" in done.stdout


def test_exit_status_is_1_and_the_failure_is_printed(tmp_path: Path, capsys) -> None:
    shutil.copytree(VALID, tmp_path / "r")
    (tmp_path / "r" / "heads.jsonl").write_bytes(b"")
    assert main([str(tmp_path / "r"), "--workers", "0", "--quiet"]) == 1
    out = capsys.readouterr().out
    assert "[   FAIL]" in out and "record INVALID" in out
    assert "heads.jsonl" in out


def test_json_report(capsys) -> None:
    assert main([str(VALID), "--workers", "0", "--quiet", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True and len(report["checks"]) == 16
