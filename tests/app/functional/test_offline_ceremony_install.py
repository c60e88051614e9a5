"""A shared-folder key ceremony installed from the command line (issue 12 item 10,
ceremony-relay.md §RELAY-7): `tohyo trustee finish --ceremony DIR` writes
ceremony.json, and `tohyo trustee install --election E --ceremony-file` verifies the
whole transcript under this election's context before it installs the key. Runs on
SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from tohyo.app.errors import BadRequest, Unprocessable
from tohyo.app.services.ceremony import install_offline_ceremony
from tohyo.app.services.elections import create_election, get_election
from tohyo.cli.main import _register, app

from .approvals import ADMIN, Clerk


@pytest.fixture
def cli() -> typer.Typer:
    _register()
    return app


def _ceremony(tmp_path: Path, manifest: bytes) -> Path:
    """Three trustees run every round over a folder; returns ceremony.json."""
    d = tmp_path / "ceremony"
    (tmp_path / "m.json").write_bytes(manifest)

    def run(*args: str) -> None:
        result = CliRunner().invoke(app, list(args))
        assert result.exit_code == 0, result.output

    run("trustee", "init", "--ceremony", str(d), "--manifest", str(tmp_path / "m.json"))
    secrets = [tmp_path / f"t{i}.secret" for i in (1, 2, 3)]
    for i, s in enumerate(secrets, start=1):
        run("trustee", "keygen", "--ceremony", str(d), "--index", str(i), "--secret", str(s))
    for step in ("deal", "check", "answer", "confirm"):
        for s in secrets:
            run("trustee", step, "--ceremony", str(d), "--secret", str(s))
    run("trustee", "finish", "--ceremony", str(d))
    return d / "ceremony.json"


def test_install_a_shared_folder_ceremony(
    cli: typer.Typer, runtime: Any, manifest_for: Any, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    manifest = manifest_for("offline-key")
    create_election(runtime, manifest, actor="test")
    ceremony = _ceremony(tmp_path, manifest)
    clerk = Clerk(runtime.engine, runtime.settings.keys_dir, monkeypatch)
    where = ["--data-dir", str(runtime.settings.data_dir),
             "--database-url", runtime.settings.database_url]

    done = clerk.invoke(cli, "trustee", "install", "--election", "offline-key",
                        "--ceremony-file", str(ceremony), *where)
    assert done.exit_code == 0, done.output
    joint = json.loads(ceremony.read_bytes())["joint_key"]["public_key"]
    assert get_election(runtime, "offline-key").public_key == joint
    assert (ADMIN, "cli.trustee.install") in [(a, act) for a, act, _ in clerk.trail()]
    again = clerk.invoke(cli, "trustee", "install", "--election", "offline-key",
                         "--ceremony-file", str(ceremony), *where)
    assert again.exit_code == 1 and "election." in again.output  # installed once


def test_refusals_install_nothing(runtime: Any, manifest_for: Any, tmp_path: Path) -> None:
    create_election(runtime, manifest_for("offline-a"), actor="test")
    other = manifest_for("offline-b")
    ceremony = _ceremony(tmp_path, other).read_bytes()  # made for another election

    with pytest.raises(Unprocessable) as caught:
        install_offline_ceremony(runtime, "offline-a", ceremony, actor="test")
    assert caught.value.code == "ceremony.bad_transcript"

    create_election(runtime, other, actor="test")
    doc = json.loads(ceremony)
    swapped = dict(doc, joint_key=dict(doc["joint_key"], public_key=doc["joint_key"]
                                       ["verification_keys"][0]))
    with pytest.raises(Unprocessable) as caught:
        install_offline_ceremony(runtime, "offline-b", json.dumps(swapped).encode(), actor="t")
    assert caught.value.code == "ceremony.joint_key_mismatch"
    for bad in (b"", b"[]", b'{"transcript": {}}', ceremony[:-20]):
        with pytest.raises(BadRequest) as refused:
            install_offline_ceremony(runtime, "offline-b", bad, actor="test")
        assert refused.value.code == "ceremony.bad_file"
    assert get_election(runtime, "offline-a").public_key is None
    assert get_election(runtime, "offline-b").public_key is None
    install_offline_ceremony(runtime, "offline-b", ceremony, actor="test")  # the right one
    assert get_election(runtime, "offline-b").public_key == doc["joint_key"]["public_key"]
