"""The officials' console in Chromium (console.md §CON-1): keyboard sign-in, axe-clean
sign-in, refusal and home pages in every language."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from booth_harness import BoothServer
from test_accessibility import assert_accessible

from tohyo.app.auth.officials import Role
from tohyo.app.auth.totp import totp_at

PASSWORD = "console's long passphrase"


def _official(booth: BoothServer, username: str, role: Role) -> bytes:
    app = booth._server.config.app if booth._server is not None else None
    assert app is not None
    directory = app.state.auth.officials
    now = booth.clock()
    return directory.create(
        username, username.title(), role, PASSWORD, actor="t", now=now
    ).totp_secret


def keyboard_sign_in(
    page: Any, booth: BoothServer, lang: str, username: str, secret: bytes
) -> None:
    """Sign in with the keyboard only: Tab from the skip link to each field, Enter to send."""
    page.goto(booth.url(f"/{lang}/official/"))
    page.wait_for_url(re.compile(r".*/official/sign-in\?next=.*"))
    page.focus("#username")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    page.keyboard.type(totp_at(secret, booth.clock()))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"^http://[^/]+/{lang}/official/$"))


@pytest.mark.parametrize("lang", ["ja", "en", "easy"])
def test_sign_in_and_home_are_accessible(
    page: Any, booth: BoothServer, lang: str, artifacts: Path
) -> None:
    secret = _official(booth, f"console-{lang}", Role.ADMINISTRATOR)
    page.goto(booth.url(f"/{lang}/official/sign-in"))
    assert_accessible(page, "sign-in")
    page.fill("#username", f"console-{lang}")
    page.fill("#password", "wrong")
    page.fill("#totp", "000000")
    page.click("#sign-in-form button[type=submit]")
    page.locator("#sign-in-error").wait_for(state="visible")
    assert_accessible(page, "sign-in with an error")
    keyboard_sign_in(page, booth, lang, f"console-{lang}", secret)
    assert_accessible(page, "home")
    assert page.locator(".console-who").is_visible()
    page.screenshot(path=str(artifacts / f"console-home-{lang}.png"), full_page=True)
    page.click(".console-signout button")
    page.wait_for_url(re.compile(rf"^http://[^/]+/{lang}/official/sign-in$"))


def test_a_refusal_page_is_accessible(page: Any, booth: BoothServer) -> None:
    secret = _official(booth, "console-witness", Role.WITNESS)
    keyboard_sign_in(page, booth, "ja", "console-witness", secret)
    status = page.evaluate(
        """async () => (await fetch('/ja/official/sign-out', {method: 'POST',
            headers: {'Content-Type': 'application/x-www-form-urlencoded'},
            body: 'csrf_token=forged'})).status"""
    )
    assert status == 403
    page.goto(booth.url("/ja/official/"))  # still signed in: a forged token ends nothing
    assert page.locator(".console-who").is_visible()
