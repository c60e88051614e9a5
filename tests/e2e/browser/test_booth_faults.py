"""What voters saw go wrong in the booth (issue 15 item 4), each in a real browser:
the pages after the close, the card challenge at 320 px, one message for an unknown
tracking code, catalogue text only, answers that read as text, the large-text
toggle's state, compressed scripts, and a favicon (docs/spec/booth.md)."""

from __future__ import annotations

import gzip
import hashlib
import re
from typing import Any

import httpx
import pytest
from booth_harness import ALL_KINDS, CARDS, CLOSED, BoothServer
from flows import sign_in, to_review, vote_all_kinds, wait_encrypted, wait_ready
from test_accessibility import assert_accessible

VOTER_PAGES = ("", "ballot", "review", "receipt", "sign-in/card", "sign-in/oidc")


@pytest.mark.parametrize("lang", ["ja", "en", "easy"])
def test_after_the_close_every_page_says_so_and_links_the_results(
    page: Any, booth: BoothServer, lang: str
) -> None:
    for kind in (*VOTER_PAGES, "check"):
        page.goto(booth.url(f"/{lang}/elections/{CLOSED}/{kind}"))
        wait_ready(page)
        notice = page.locator("#voting-closed")
        assert notice.is_visible(), kind
        results = notice.locator(f'a[href="/{lang}/elections/{CLOSED}/results"]')
        assert results.count() == 1, kind
        # Nothing that invites a vote: no form, no cast button, no "vote again".
        for selector in ("#code-form", "#ballot-form", "#cast-button", "#card-form"):
            assert page.locator(selector).count() == 0, (kind, selector)
        if kind in ("ballot", "review"):  # no invitation to answer or cast above the notice
            assert page.locator("main p.lead").count() == 0, kind
        text = page.inner_text("main")
        assert "may vote again" not in text and "投票し直すことができます" not in text, kind
        assert_accessible(page, f"closed {kind or 'sign-in'}")
    # The check page still checks (it is how a voter confirms their ballot counted).
    page.goto(booth.url(f"/{lang}/elections/{CLOSED}/check"))
    wait_ready(page)
    assert page.locator("#check-form").count() == 1


def test_an_open_election_shows_no_closed_notice(page: Any, booth: BoothServer) -> None:
    page.goto(booth.url(f"/ja/elections/{ALL_KINDS}/"))
    wait_ready(page)
    assert page.locator("#voting-closed").count() == 0
    assert page.locator("#code-form").count() == 1


def test_card_challenge_keeps_case_and_fits_320px(browser: Any, booth: BoothServer) -> None:
    ctx = browser.new_context(viewport={"width": 320, "height": 800}, locale="ja-JP")
    try:
        page = ctx.new_page()
        page.goto(booth.url(f"/ja/elections/{CARDS}/sign-in/card"))
        wait_ready(page)
        field = page.locator("#card-challenge")
        page.wait_for_function("() => document.getElementById('card-challenge').value !== ''")
        challenge = field.input_value()
        assert challenge != challenge.upper() or not re.search("[a-z]", challenge.lower())
        # What the voter sees is what the command below it says, letter for letter.
        assert field.evaluate("e => getComputedStyle(e).textTransform") == "none"
        assert f"--challenge {challenge}" in page.inner_text("#card-command")
        fits = field.evaluate(
            "e => e.scrollWidth <= e.clientWidth && e.getBoundingClientRect().right <= 320"
        )
        assert fits
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
    finally:
        ctx.close()


def test_unknown_tracking_code_is_one_warning(page: Any, booth: BoothServer) -> None:
    page.goto(booth.url(f"/ja/elections/{ALL_KINDS}/check"))
    wait_ready(page)
    page.fill("#tracking-input", "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA")
    page.click("#check-form button[type=submit]")
    page.wait_for_selector("#check-result[data-outcome='not-found']")
    page.wait_for_timeout(200)  # a late announcement would show up here
    verdict = page.locator("#check-verdict")
    assert "check-verdict--warn" in (verdict.get_attribute("class") or "")
    message = verdict.inner_text()
    assert message
    assert page.locator("#status").inner_text() == ""
    assert page.inner_text("main").count(message) == 1


def test_check_page_steps_are_in_the_page_language(page: Any, booth: BoothServer) -> None:
    sign_in(page, booth, ALL_KINDS, "ja")
    vote_all_kinds(page)
    to_review(page)
    wait_encrypted(page)
    page.click("#cast-button")
    page.wait_for_url(re.compile(r".*/receipt$"))
    page.goto(booth.url(f"/ja/elections/{ALL_KINDS}/check"))
    wait_ready(page)
    page.click("#check-form button[type=submit]")
    page.wait_for_selector("#check-result[data-outcome='counted']")
    steps = page.inner_text("#check-steps")
    assert "OK" not in steps and "NG" not in steps
    assert "合格：" in page.locator("#check-steps .visually-hidden").first.inner_text()


def test_review_answers_read_as_text(page: Any, booth: BoothServer) -> None:
    sign_in(page, booth, ALL_KINDS, "ja")
    vote_all_kinds(page)
    to_review(page)
    choice = page.locator(".review-choice:visible").first
    style = choice.evaluate(
        "e => { const s = getComputedStyle(e); return [s.borderTopStyle, s.borderRightStyle,"
        " s.borderBottomStyle, s.fontWeight]; }"
    )
    assert style[:3] == ["none", "none", "none"]  # not a box like a text field
    assert int(style[3]) >= 700


def test_large_text_toggle_announces_its_state(page: Any, booth: BoothServer) -> None:
    page.goto(booth.url("/ja/"))
    wait_ready(page)
    button = page.get_by_role("button", name="文字を大きく")
    assert button.get_attribute("aria-pressed") == "false"
    button.click()
    assert button.get_attribute("aria-pressed") == "true"
    assert page.get_attribute("html", "data-display") == "large"
    page.reload()
    wait_ready(page)
    assert page.get_by_role("button", pressed=True, name="文字を大きく").count() == 1
    page.get_by_role("button", name="文字を大きく").click()
    assert page.get_by_role("button", name="文字を大きく").get_attribute("aria-pressed") == "false"


def test_scripts_and_styles_go_compressed_and_keep_their_hashes(booth: BoothServer) -> None:
    html = httpx.get(booth.url("/ja/")).text
    published = httpx.get(booth.url("/api/v1/booth")).json()["files"]
    weight = len(html.encode())
    for url in re.findall(r'(?:src|href)="(/static/[^"]+\?v=[^"]+)"', html):
        plain = httpx.get(booth.url(url), headers={"accept-encoding": "identity"})
        assert plain.headers.get("content-encoding") is None
        raw = httpx.Client().send(
            httpx.Request("GET", booth.url(url), headers={"accept-encoding": "gzip"}),
            stream=True,
        )
        packed = b"".join(raw.iter_raw())  # as sent, not decoded
        raw.close()
        assert raw.headers["content-encoding"] == "gzip"
        assert "accept-encoding" in raw.headers["vary"]
        assert len(packed) < len(plain.content) / 2
        body = gzip.decompress(packed)
        assert body == plain.content
        assert published[url.split("?")[0]] == hashlib.sha256(body).hexdigest()
        weight += len(packed)
    # The first voter page with an empty cache (booth.md §BO-6.2): ≤ 120 KB.
    assert weight <= 120_000, weight
    # The JSON API is never compressed (padded responses, tokens: no BREACH).
    api = httpx.get(booth.url("/api/v1/booth"), headers={"accept-encoding": "gzip"})
    assert api.headers.get("content-encoding") is None


def test_favicon(page: Any, booth: BoothServer) -> None:
    ico = httpx.get(booth.url("/favicon.ico"))
    assert ico.status_code == 200
    assert ico.headers["content-type"] == "image/vnd.microsoft.icon"
    assert ico.content[:4] == b"\x00\x00\x01\x00"  # an ICO header
    page.goto(booth.url("/ja/"))
    href = page.get_attribute("link[rel=icon]", "href")
    assert href is not None
    assert httpx.get(booth.url(href)).status_code == 200
