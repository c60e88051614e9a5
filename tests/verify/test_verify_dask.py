"""``tohyo verify --dask ADDRESS``: the same verdicts on a Dask cluster as on local processes.

A ``distributed.LocalCluster`` runs on loopback (two small in-process workers);
``tohyo verify --dask`` runs in a separate process, as an auditor's client
would, on the small valid record and on a tampered copy. Every check must end
exactly as with the local runner. With ``CI`` set the test never skips.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tohyo.verify import verify_record

_GEN = Path(__file__).parents[1] / "vectors" / "records" / "generate.py"
_spec = importlib.util.spec_from_file_location("record_vectors_dask", _GEN)
assert _spec is not None and _spec.loader is not None
vectors = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(vectors)


@pytest.fixture(scope="module")
def cluster_address() -> Iterator[str]:
    if importlib.util.find_spec("distributed") is None:
        if os.environ.get("CI"):
            pytest.fail("dask[distributed] is required in CI (the dev extra installs it)")
        pytest.skip("dask[distributed] is not installed")
    from distributed import LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp://",
                           host="127.0.0.1", dashboard_address=None)
    try:
        yield str(cluster.scheduler_address)
    finally:
        cluster.close()


def _statuses_on_dask(record: Path, address: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "tohyo.cli.main", "verify", str(record), "--dask", address,
         "--json", "--quiet"],
        capture_output=True, text=True, timeout=120, check=False,
    )
    report = json.loads(done.stdout)
    assert done.returncode == (0 if report["ok"] else 1), done.stderr
    return {"ok": report["ok"], "checks": {c["id"]: c["status"] for c in report["checks"]}}


def _statuses_local(record: Path) -> dict[str, Any]:
    report = verify_record(record, workers=2)
    out = report.to_json()
    return {"ok": out["ok"], "checks": {c["id"]: c["status"] for c in out["checks"]}}


def test_dask_and_local_runner_agree_on_a_valid_and_a_tampered_record(
    cluster_address: str, tmp_path: Path
) -> None:
    valid = _statuses_on_dask(vectors.VALID, cluster_address)
    assert valid == _statuses_local(vectors.VALID)
    assert valid["ok"] is True and set(valid["checks"].values()) == {"PASS", "WARN"}

    failing = vectors.make_mutant("proof-scalar", tmp_path / "mutant")
    tampered = _statuses_on_dask(tmp_path / "mutant", cluster_address)
    assert tampered == _statuses_local(tmp_path / "mutant")
    assert tampered["ok"] is False and tampered["checks"][failing] == "FAIL"
