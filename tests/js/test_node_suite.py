"""Run the booth's Node test suite (``node --test tests/js/``) as part of pytest.

``scripts/test`` runs pytest only, so this is how the JS known-answer, negative
and bundle tests take part in CI. Needs ``node`` and ``node_modules`` from
``scripts/setup``; under ``CI=true`` a missing prerequisite fails, never skips.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NODE = shutil.which("node")


@pytest.mark.slow
def test_node_suite_passes() -> None:
    missing = None
    if NODE is None:
        missing = "node is not installed (scripts/setup)"
    elif not (ROOT / "node_modules/@noble/curves").is_dir():
        missing = "node_modules is missing (scripts/setup runs npm ci)"
    if missing is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(missing)
        pytest.skip(missing)
    assert NODE is not None
    env = {**os.environ, "NODE_OPTIONS": ""}
    done = subprocess.run(
        [NODE, "--test", "tests/js/"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    if done.returncode != 0:
        failures = [line for line in done.stdout.splitlines() if line.lstrip().startswith("not ok")]
        pytest.fail(
            "node --test tests/js/ failed:\n"
            + "\n".join(failures)
            + "\n\n"
            + done.stdout[-6000:]
            + done.stderr[-2000:],
            pytrace=False,
        )
