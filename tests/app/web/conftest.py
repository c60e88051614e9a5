"""An app with the demo election, served through Starlette's test client (no browser)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tohyo.app.main import create_app
from tohyo.app.services.demo import seed_demo
from tohyo.app.services.runtime import Runtime, build_runtime
from tohyo.app.settings import Settings


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    rt = build_runtime(Settings(data_dir=tmp_path))
    yield rt
    rt.close()


@pytest.fixture
def demo_codes(runtime: Runtime) -> list[str]:
    return seed_demo(runtime) or []


@pytest.fixture
def client(
    runtime: Runtime, demo_codes: list[str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Any]:
    monkeypatch.setenv("TOHYO_PUBLIC_ORIGIN", "http://testserver")
    with TestClient(create_app(runtime.settings, runtime=runtime)) as c:
        yield c
