"""Where the second medium lives: another path, refused beside the database in production (§ST-6.4).

``/dev/shm`` (tmpfs) stands in for a second disk: its ``st_dev`` differs from the
test directory's. PostgreSQL's files are found through ``data_directory``.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tohyo.app.errors import StartupError
from tohyo.app.services.runtime import build_runtime
from tohyo.app.settings import Settings
from tohyo.app.store.db import make_engine
from tohyo.app.store.second_medium import check_placement, database_path

SHM = Path("/dev/shm")


@pytest.fixture
def other_disk(tmp_path: Path) -> Iterator[Path]:
    """A directory on another filesystem than ``tmp_path``."""
    if not SHM.is_dir() or os.stat(SHM).st_dev == os.stat(tmp_path).st_dev:
        pytest.fail("this machine has no second filesystem at /dev/shm")  # Linux always does
    path = SHM / f"tohyo-test-{uuid.uuid4().hex[:12]}"
    path.mkdir()
    try:
        yield path
    finally:
        for child in sorted(path.rglob("*"), reverse=True):
            child.unlink() if child.is_file() else child.rmdir()
        path.rmdir()


def test_settings_name_the_second_medium(tmp_path: Path) -> None:
    assert Settings(data_dir=tmp_path).journal_dir == tmp_path / "journal"
    env = {"TOHYO_SECOND_MEDIUM_DIR": "/mnt/copy", "TOHYO_PRODUCTION": "1"}
    settings = Settings.from_env(env)
    assert settings.journal_dir == Path("/mnt/copy") and settings.production


def test_production_refuses_the_copy_on_the_database_disk(settings: Settings) -> None:
    beside = settings.data_dir / "copy"
    with pytest.raises(StartupError, match="same filesystem"):
        build_runtime(settings.with_(second_medium_dir=beside, production=True))
    with pytest.raises(StartupError, match="TOHYO_SECOND_MEDIUM_DIR"):
        build_runtime(settings.with_(production=True))  # the default is never production's


def test_the_embedded_default_may_share_the_disk_with_a_warning(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="tohyo.storage"):
        build_runtime(settings).close()  # SQLite in tmp_path, PostgreSQL on this host's disk
    assert "same filesystem as the database" in caplog.text


def test_production_runs_with_the_copy_on_another_disk(
    tmp_path: Path, other_disk: Path
) -> None:
    settings = Settings(data_dir=tmp_path / "data", second_medium_dir=other_disk / "journal",
                        production=True)
    runtime = build_runtime(settings)
    try:
        assert runtime.journal.path("e").parent == other_disk / "journal"
    finally:
        runtime.close()


def test_postgresql_files_are_found_for_the_comparison(database_url: str, backend: str) -> None:
    engine = make_engine(database_url)
    try:
        found = database_path(engine)
        assert found is not None and found.exists()  # the test server runs on this host
        placement = check_placement(found / "copy", engine, configured=True, production=False)
        assert placement.same_device
    finally:
        engine.dispose()
