"""WCAG 2.2 AA: zero axe-core violations on every voter page in every language,
keyboard-only voting with a visible focus, 320 px and 200 % zoom, large text,
read-aloud (docs/spec/booth.md §BO-3)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from booth_harness import ALL_KINDS, BoothServer
from flows import cast, sign_in, to_review, vote_all_kinds, wait_encrypted, wait_ready

ROOT = Path(__file__).resolve().parents[3]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core in the page (injected by the test, not served by the app)."""
    if not AXE.exists():
        pytest.fail("node_modules/axe-core is missing: run scripts/setup", pytrace=False)
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async (tags) => { const r = await axe.run(document, "
        "{runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']}); "
        "return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, "
        "nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)})); }",
        TAGS,
    )
    return list(result)


def assert_accessible(page: Any, what: str) -> None:
    found = axe_violations(page)
    assert found == [], f"{what}: {found}"


@pytest.mark.parametrize("lang", ["ja", "en", "easy"])
def test_axe_every_page(page: Any, booth: BoothServer, lang: str, artifacts: Path) -> None:
    page.goto(booth.url(f"/{lang}/"))
    wait_ready(page)
    assert page.get_attribute("html", "lang") == {"ja": "ja", "en": "en", "easy": "ja-x-easy"}[lang]
    assert_accessible(page, "index")
    page.goto(booth.url(f"/{lang}/elections/{ALL_KINDS}/"))
    wait_ready(page)
    assert_accessible(page, "sign-in")
    page.click("#code-form button[type=submit]")  # empty code: the field error
    page.locator("#voting-code-error").wait_for(state="visible")
    assert_accessible(page, "sign-in with an error")
    for method in ("card", "oidc"):  # the other sign-in pages extend the same layout
        response = page.goto(booth.url(f"/{lang}/elections/{ALL_KINDS}/sign-in/{method}"))
        if response is not None and response.status == 200:
            wait_ready(page)
            assert_accessible(page, f"sign-in with {method}")
    sign_in(page, booth, ALL_KINDS, lang)
    assert_accessible(page, "ballot")
    page.click("#ballot-form button[type=submit]")
    page.locator("#error-summary").wait_for(state="visible")
    assert_accessible(page, "ballot with errors")
    vote_all_kinds(page)
    code = to_review(page)
    assert_accessible(page, "review")
    page.click("#audit-button")
    page.locator("#audit-result").wait_for(state="visible")
    wait_encrypted(page, code)
    assert_accessible(page, "review after an audit")
    page.click("#display-toggle")
    assert page.get_attribute("html", "data-display") == "large"
    assert_accessible(page, "review, large text")
    page.screenshot(path=str(artifacts / f"review-large-{lang}.png"), full_page=False)
    page.click("#display-toggle")
    cast(page)
    assert_accessible(page, "receipt")
    page.click("#check-link")
    wait_ready(page)
    page.click("#check-form button[type=submit]")
    page.wait_for_function(
        "() => document.querySelector('#check-result').dataset.outcome !== 'running'"
    )
    outcome = page.get_attribute("#check-result", "data-outcome")
    assert outcome == "counted", page.text_content("#check-result")
    assert_accessible(page, "check")
    page.goto(booth.url(f"/{lang}/elections/no-such-election/ballot"))
    assert_accessible(page, "not found")


def test_keyboard_only_vote(page: Any, booth: BoothServer) -> None:
    """Sign in, answer, review and cast with the keyboard alone; focus is always visible."""
    page.goto(booth.url(f"/en/elections/{ALL_KINDS}/"))
    wait_ready(page)
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.classList.contains('skip-link')")
    page.keyboard.press("Enter")  # skip to the main content
    page.focus("#voting-code")
    page.keyboard.type(booth.code(ALL_KINDS))
    page.keyboard.press("Enter")
    page.wait_for_url("**/ballot")
    wait_ready(page)

    def tab_to(selector: str, limit: int = 80) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate("(s) => document.activeElement.matches(s)", selector):
                outline = page.evaluate(
                    "() => { const e = document.activeElement; const s = getComputedStyle(e); "
                    "const l = e.labels && e.labels[0] ? getComputedStyle(e.labels[0]) : s; "
                    "return [s.outlineStyle, l.outlineStyle]; }"
                )
                assert "solid" in outline, f"no visible focus on {selector}: {outline}"
                return
        raise AssertionError(f"could not reach {selector} with Tab")

    tab_to("#q-mayor input")
    page.keyboard.press("ArrowDown")  # radio groups: arrows move and select
    page.keyboard.press("ArrowDown")
    tab_to("#q-services input")
    page.keyboard.press("Space")
    tab_to("#q-photo input")
    page.keyboard.press("ArrowDown")
    tab_to("#q-evaluation input")
    page.keyboard.press("ArrowDown")
    tab_to("#ballot-form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/review")
    wait_encrypted(page)
    tab_to("#cast-button")
    page.keyboard.press("Enter")
    page.wait_for_url("**/receipt")
    wait_ready(page)
    assert page.is_visible("#receipt")


@pytest.mark.parametrize(
    ("name", "viewport", "zoom"),
    [("320px", {"width": 320, "height": 640}, 1), ("zoom200", {"width": 640, "height": 480}, 2)],
)
def test_reflow(
    browser: Any,
    booth: BoothServer,
    artifacts: Path,
    name: str,
    viewport: dict[str, int],
    zoom: int,
) -> None:
    """No horizontal scrolling at 320 CSS px, nor at 200 % zoom of a 1280 px window.

    WCAG 1.4.10 (reflow) and 1.4.4 (resize text).
    """
    context = browser.new_context(viewport=viewport, device_scale_factor=zoom, locale="ja-JP")
    try:
        page = context.new_page()  # 200 % zoom of a 1280 px window: 640 CSS px at 2 device px each
        sign_in(page, booth, ALL_KINDS)
        vote_all_kinds(page)

        def no_horizontal_scroll(what: str) -> None:
            width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            assert width[0] <= width[1], f"{what}: content {width[0]} px wider than {width[1]} px"

        no_horizontal_scroll("ballot")
        page.screenshot(path=str(artifacts / f"ballot-{name}.png"), full_page=True)
        to_review(page)
        no_horizontal_scroll("review")
        page.screenshot(path=str(artifacts / f"review-{name}.png"), full_page=True)
        cast(page)
        no_horizontal_scroll("receipt")
        page.screenshot(path=str(artifacts / f"receipt-{name}.png"), full_page=True)
    finally:
        context.close()


SPEECH_STUB = """
window.__spoken = [];
class FakeUtterance { constructor(text) { this.text = text; this.lang = ''; } }
window.SpeechSynthesisUtterance = FakeUtterance;
Object.defineProperty(window, 'speechSynthesis', { value: {
  speak(u) {
    window.__spoken.push({text: u.text, lang: u.lang});
    if (u.onend) setTimeout(u.onend, 0);
  },
  cancel() {}, getVoices() { return []; } } });
"""


def test_read_aloud(context: Any, booth: BoothServer) -> None:
    """Each question, each choice (candidates by kana) and the review, in the page language."""
    context.add_init_script(SPEECH_STUB)
    page = context.new_page()
    sign_in(page, booth, ALL_KINDS)
    page.click("#q-mayor button[data-read]")
    spoken = page.evaluate("() => window.__spoken")
    texts = [s["text"] for s in spoken]
    assert {s["lang"] for s in spoken} == {"ja-JP"}
    assert "つくば市長選挙" in texts[0]
    assert any("たかはし みさき" in t and "市民の党" in t for t in texts)
    assert any("すずき いちろう" in t and "無所属" in t for t in texts)
    assert any("白票" in t for t in texts)
    page.click("#q-photo button[data-read]")
    texts = [s["text"] for s in page.evaluate("() => window.__spoken")]
    assert any("紫色の空と筑波山の二つの峰" in t for t in texts)  # the alternative text
    vote_all_kinds(page)
    to_review(page)
    page.evaluate("() => { window.__spoken = []; }")
    page.click("button[data-read=review-list]")
    texts = [s["text"] for s in page.evaluate("() => window.__spoken")]
    assert any("たかはし みさき" in t for t in texts)
    assert any("70" in t for t in texts)
    assert not any("すずき いちろう" in t for t in texts)  # only the chosen answers


def test_large_text_is_remembered_without_cookies(context: Any, booth: BoothServer) -> None:
    page = context.new_page()
    page.goto(booth.url("/ja/"))
    wait_ready(page)
    page.click("#display-toggle")
    assert page.get_attribute("#display-toggle", "aria-pressed") == "true"
    page.goto(booth.url(f"/ja/elections/{ALL_KINDS}/"))
    wait_ready(page)
    assert page.get_attribute("html", "data-display") == "large"
    assert page.get_attribute("#display-toggle", "aria-pressed") == "true"
    assert context.cookies() == []


def test_without_javascript_a_clear_message(browser: Any, booth: BoothServer) -> None:
    context = browser.new_context(java_script_enabled=False, locale="ja-JP")
    try:
        page = context.new_page()
        page.goto(booth.url(f"/ja/elections/{ALL_KINDS}/"))
        assert page.is_visible("noscript >> text=投票にはJavaScriptが必要です") or (
            "投票にはJavaScriptが必要です" in page.text_content("main")
        )
        assert not page.is_visible("#code-form")
        page.goto(booth.url(f"/en/elections/{ALL_KINDS}/ballot"))
        assert "JavaScript is needed to vote" in page.text_content("main")
        assert not page.is_visible("#ballot-form button[type=submit]")
    finally:
        context.close()
