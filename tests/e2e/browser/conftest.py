"""Fixtures of the browser tests: one server and one Chromium per test process.

The tests skip when Chromium or Playwright is missing, except with ``CI=true``,
where they fail instead (scripts/setup installs Debian's chromium when
``TOHYO_NEED_BROWSER=1``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from booth_harness import CHROMIUM_ARGS, BoothServer, chromium_path, started

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "browser"


def _missing(what: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is required for the browser tests in CI", pytrace=False)
    pytest.skip(f"{what} is not installed")


@pytest.fixture(scope="session")
def booth(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BoothServer]:
    yield from started(tmp_path_factory.mktemp("booth"))


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright (the dev extra)")
    path = chromium_path()
    if path is None:
        _missing("chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(viewport={"width": 1024, "height": 900}, locale="ja-JP")
    ctx.set_default_timeout(15_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: Any) -> Any:
    return context.new_page()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
