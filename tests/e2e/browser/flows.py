"""Voting steps shared by the browser tests (Playwright, sync API)."""

from __future__ import annotations

from typing import Any

from booth_harness import BoothServer


def sign_in(page: Any, booth: BoothServer, eid: str, lang: str = "ja") -> None:
    """Open the sign-in page, enter a fresh code, arrive on the ballot."""
    page.goto(booth.url(f"/{lang}/elections/{eid}/"))
    page.fill("#voting-code", booth.code(eid))
    page.click("#code-form button[type=submit]")
    page.wait_for_url(f"**/{lang}/elections/{eid}/ballot")
    wait_ready(page)


def wait_ready(page: Any) -> None:
    page.wait_for_function("() => document.documentElement.dataset.boothReady === 'true'")


def choose(page: Any, question: str, value: str) -> None:
    """Check the option ``value`` (an option id or ``#blank``) of a question."""
    page.check(f'fieldset#q-{question} input[value="{value}"]')


def to_review(page: Any) -> str:
    """Submit the ballot; wait for the encryption; return the tracking code."""
    page.click("#ballot-form button[type=submit]")
    page.wait_for_url("**/review")
    return wait_encrypted(page)


def wait_encrypted(page: Any, previous: str = "") -> str:
    page.wait_for_function(
        "(prev) => { const c = document.querySelector('#tracking-code'); "
        "return c && c.dataset.encryptMs && c.textContent !== prev "
        "&& c.textContent.length === 29; }",
        arg=previous,
    )
    return str(page.text_content("#tracking-code"))


def cast(page: Any) -> dict[str, Any]:
    """Cast on the review page; return the receipt the page kept."""
    page.click("#cast-button")
    page.wait_for_url("**/receipt")
    wait_ready(page)
    eid = page.evaluate("JSON.parse(document.getElementById('booth-data').textContent).election.id")
    receipt: dict[str, Any] = page.evaluate(
        f"JSON.parse(sessionStorage.getItem('tohyo:{eid}:receipt'))"
    )
    return receipt


def vote_all_kinds(page: Any) -> None:
    choose(page, "mayor", "cand-takahashi")
    choose(page, "services", "svc-voting")
    choose(page, "services", "svc-ai")
    choose(page, "photo", "photo-pond")
    choose(page, "evaluation", "70")
