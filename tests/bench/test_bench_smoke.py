"""Every benchmark still runs against the current code (tiny sizes; no timings asserted).

Benchmarks are not timed tests; this only keeps them from rotting when an API
they call changes.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).parents[2] / "bench"

CASES = {
    "bench_crypto.py": ["--rounds", "2", "--batch", "2", "--sizes", "2"],
    "bench_log.py": ["--leaves", "64", "--samples", "8"],
    "bench_verify.py": ["--sizes", "12", "--workers", "1"],
    "bench_cast.py": ["--backend", "sqlite", "--casts", "3", "--threads", "1"],
    "bench_soak.py": ["--backend", "sqlite", "--duration", "3", "--rate", "2",
                      "--chaos-every", "2", "--workers", "2"],
    "bench_rebuild.py": ["--ballots", "5"],
}


def _last_json(stdout: str) -> object:
    text = stdout.strip()
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return json.loads(text.splitlines()[-1])


@pytest.mark.parametrize("script", sorted(CASES))
def test_benchmark_runs_and_prints_json(script: str, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH / script), *CASES[script]],
        capture_output=True, text=True, timeout=300, cwd=tmp_path, check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert _last_json(done.stdout)


def test_every_python_benchmark_has_a_smoke_case() -> None:
    scripts = {p.name for p in BENCH.glob("bench_*.py")} - {"bench_browser.py"}
    assert scripts == set(CASES)


def test_js_benchmark_runs() -> None:
    node = shutil.which("node")
    assert node, "node is installed by scripts/setup"
    done = subprocess.run([node, str(BENCH / "bench_js.mjs"), "1"],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
