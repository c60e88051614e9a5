"""The observers' dashboard in Chromium (docs/spec/observe.md §OBS-5): axe-clean in
every language, live updates announced politely and rarely, a pause button that
works from the keyboard, a complete snapshot without JavaScript, the witness view."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest
from booth_harness import BoothServer
from test_accessibility import assert_accessible

from tohyo.app.auth.officials import Role
from tohyo.app.auth.totp import totp_at
from tohyo.app.services.demo import DEMO_ID
from tohyo.app.voter_client import VoterClient

DASHBOARD = f"/observe/elections/{DEMO_ID}/"
CHOICE = {"administrative-services": ["internet-voting"]}


def _live(page: Any) -> None:
    page.wait_for_function(
        "() => { const s = document.querySelector('#observe-status-text'); "
        "return s && s.textContent && JSON.parse(document.querySelector('#observe-messages')"
        ".textContent)['stream.live'] === s.textContent; }"
    )


def _cast(booth: BoothServer) -> None:
    with httpx.Client(base_url=booth.base_url, timeout=30) as http:
        voter = VoterClient(http)
        info = voter.election(DEMO_ID)
        voter.cast(info, voter.start_session(DEMO_ID, booth.code(DEMO_ID)), CHOICE)


@pytest.mark.parametrize("lang", ["ja", "en", "easy"])
def test_dashboard_is_accessible_in_every_language(
    page: Any, booth: BoothServer, lang: str
) -> None:
    page.goto(booth.url(f"/{lang}{DASHBOARD}"))
    _live(page)
    assert_accessible(page, f"dashboard {lang}")
    page.goto(booth.url(f"/{lang}/observe/"))
    assert_accessible(page, f"dashboard index {lang}")


def test_updates_arrive_live_and_are_announced_politely(
    page: Any, booth: BoothServer, artifacts: Path
) -> None:
    page.goto(booth.url(f"/ja{DASHBOARD}"))
    _live(page)
    region = page.locator("#observe-announce")
    assert region.get_attribute("aria-live") == "polite"
    assert region.get_attribute("aria-atomic") == "true"
    assert region.text_content() == ""  # nothing is read out at load
    # Every time the region speaks, from now on.
    page.evaluate(
        "() => { window.__spoken = []; new MutationObserver(() => window.__spoken.push("
        "performance.now())).observe(document.querySelector('#observe-announce'), "
        "{childList: true, characterData: true, subtree: true}); }"
    )
    before = int(page.text_content("#head-size") or "0")
    _cast(booth)
    page.wait_for_function(
        f"() => Number(document.querySelector('#head-size').textContent) > {before}",
        timeout=30_000,
    )
    page.wait_for_function("() => window.__spoken.length > 0", timeout=30_000)
    said = region.text_content() or ""
    assert f"{before + 1}" in said and "投票箱" in said
    assert int(page.text_content("#ballots-cast") or "0") >= 1
    assert_accessible(page, "dashboard after an update")
    page.screenshot(path=str(artifacts / "observe-ja.png"), full_page=True)
    shutil.copy(artifacts / "observe-ja.png", "/tmp/h8-observe-ja.png")

    # Two more ballots at once: the region speaks again, but only after its quiet time.
    _cast(booth)
    _cast(booth)
    page.wait_for_function(
        f"() => Number(document.querySelector('#head-size').textContent) >= {before + 3}",
        timeout=30_000,
    )
    page.wait_for_function(
        "(n) => document.querySelector('#observe-announce').textContent.includes(n)",
        arg=f"{before + 3}",
        timeout=40_000,
    )
    spoken = page.evaluate("() => window.__spoken")
    assert all(b - a >= 9_900 for a, b in itertools.pairwise(spoken)), spoken

    # Keyboard: the pause button stops the live updates (WCAG 2.2.2).
    page.focus("#observe-pause")
    page.keyboard.press("Enter")
    assert page.get_attribute("#observe-pause", "aria-pressed") == "true"
    paused = page.evaluate(
        "() => JSON.parse(document.querySelector('#observe-messages').textContent)"
        "['stream.paused']"
    )
    assert page.text_content("#observe-status-text") == paused
    page.keyboard.press("Space")
    assert page.get_attribute("#observe-pause", "aria-pressed") == "false"
    _live(page)


def test_without_javascript_the_page_is_a_static_snapshot(
    browser: Any, booth: BoothServer, artifacts: Path
) -> None:
    context = browser.new_context(java_script_enabled=False, locale="ja-JP")
    try:
        page = context.new_page()
        page.goto(booth.url(f"/ja{DASHBOARD}"))
        assert page.locator("#head-size").is_visible()
        assert page.locator("#observe-pause").is_hidden()
        assert "再読み込み" in (page.text_content("#observe-status") or "")
        page.screenshot(path=str(artifacts / "observe-nojs-ja.png"), full_page=True)
    finally:
        context.close()


def test_witness_view_in_the_browser(page: Any, booth: BoothServer, artifacts: Path) -> None:
    app = booth._server.config.app if booth._server is not None else None
    assert app is not None
    directory = app.state.auth.officials
    password = "observer's long passphrase"
    now = booth.clock()
    made = directory.create("wendy", "Wendy", Role.WITNESS, password, actor="t", now=now)
    page.goto(booth.url(f"/en{DASHBOARD}witness"))
    assert "witness role" in (page.text_content("main") or "")  # not signed in: refused
    # Sign in as the officials' console does: a same-origin POST sets the session cookie.
    status = page.evaluate(
        """async (body) => (await fetch('/official/sign-in', {method: 'POST',
            headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)})).status""",
        {"username": "wendy", "password": password, "totp": totp_at(made.totp_secret, now)},
    )
    assert status == 200
    page.goto(booth.url(f"/en{DASHBOARD}witness"))
    _live(page)
    assert page.locator("#detail-head").is_visible()
    assert "Witnesses' view" in (page.text_content("h1") or "")
    assert_accessible(page, "witness view")
    page.screenshot(path=str(artifacts / "observe-witness-en.png"), full_page=True)
