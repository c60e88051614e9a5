"""An app with the demo election, served through Starlette's test client (no browser).

``runtime`` is tests/app/conftest.py's: SQLite and, where it runs, PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tohyo.app.main import create_app
from tohyo.app.services.demo import seed_demo
from tohyo.app.services.runtime import Runtime


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
