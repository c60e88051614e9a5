"""Full votes in the browser: every question kind, re-vote, audit then cast, the check page."""

from __future__ import annotations

from typing import Any

import typer
from booth_harness import ALL_KINDS, BoothServer
from flows import cast, choose, sign_in, to_review, vote_all_kinds, wait_encrypted, wait_ready
from typer.testing import CliRunner

from tohyo.app.services import ballot_status
from tohyo.app.services.audits import count_spoiled
from tohyo.app.services.demo import DEMO_ID
from tohyo.cli import audit as audit_cli


def _state(runtime: Any, election_id: str, code: str) -> str:
    """The stored state of a ballot (what only its voter's session is told)."""
    with runtime.uow() as uow:
        return str(ballot_status.find_ballot(uow, election_id, code).state)


def _review_choices(page: Any) -> dict[str, list[str]]:
    """The options the review page shows, per question."""
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('.review-question')].map(s =>
            [s.dataset.question, [...s.querySelectorAll('[data-option]')].filter(e => !e.hidden)
                .map(e => e.dataset.option)]))"""
    )


def test_full_vote_every_question_kind(page: Any, booth: BoothServer, artifacts: Any) -> None:
    sign_in(page, booth, ALL_KINDS)
    vote_all_kinds(page)
    page.screenshot(path=str(artifacts / "ballot-ja.png"), full_page=True)
    code = to_review(page)
    assert _review_choices(page) == {
        "mayor": ["cand-takahashi"],
        "services": ["svc-voting", "svc-ai"],
        "photo": ["photo-pond"],
        "evaluation": ["70"],
    }
    assert "高橋 美咲" in page.text_content("#r-mayor")
    page.screenshot(path=str(artifacts / "review-ja.png"), full_page=True)
    receipt = cast(page)
    assert receipt["tracking_code"] == code
    assert page.text_content("#receipt-code") == code
    page.screenshot(path=str(artifacts / "receipt-ja.png"), full_page=True)
    found = _state(booth.runtime, ALL_KINDS, code)
    assert found == "effective"
    # The page no longer holds the choices once the ballot is cast.
    assert page.evaluate(f"sessionStorage.getItem('tohyo:{ALL_KINDS}:answers')") is None


def test_blank_answers_and_demo_survey(page: Any, booth: BoothServer) -> None:
    sign_in(page, booth, DEMO_ID, lang="en")
    choose(page, "administrative-services", "internet-voting")
    choose(page, "mobility", "#blank")
    choose(page, "healthcare", "emergency-data")
    to_review(page)
    assert _review_choices(page)["mobility"] == ["#blank"]
    receipt = cast(page)
    assert receipt["sequence"] == 1


def test_unanswered_question_is_flagged(page: Any, booth: BoothServer) -> None:
    sign_in(page, booth, ALL_KINDS, lang="en")
    choose(page, "mayor", "cand-sato")
    page.click("#ballot-form button[type=submit]")
    summary = page.locator("#error-summary")
    summary.wait_for(state="visible")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.locator("#error-list li").count() == 3
    assert page.url.endswith("/ballot")
    # Choosing "blank" and a choice at once is impossible: one unchecks the other.
    choose(page, "services", "svc-voting")
    choose(page, "services", "#blank")
    assert not page.is_checked('fieldset#q-services input[value="svc-voting"]')


def test_revote_supersedes_and_check_page(page: Any, booth: BoothServer, artifacts: Any) -> None:
    sign_in(page, booth, ALL_KINDS)
    vote_all_kinds(page)
    to_review(page)
    first = cast(page)
    page.click("text=もう一度投票する")
    page.wait_for_url("**/ballot")
    wait_ready(page)
    choose(page, "mayor", "cand-sato")
    choose(page, "services", "#blank")
    choose(page, "photo", "photo-rocket")
    choose(page, "evaluation", "#blank")
    to_review(page)
    second = cast(page)
    assert second["sequence"] == 2
    assert _state(booth.runtime, ALL_KINDS, first["tracking_code"]) == (
        "superseded"
    )

    # The check page verifies the second ballot with the receipt kept on this device.
    page.click("#check-link")
    page.wait_for_url("**/check?code=*")
    wait_ready(page)
    page.click("#check-form button[type=submit]")
    page.wait_for_function(
        "() => document.querySelector('#check-result').dataset.outcome !== 'running'"
    )
    assert page.get_attribute("#check-result", "data-outcome") == "counted"
    steps = page.locator(".check-step--ok").count()
    assert steps == 5  # found, signature, leaf, inclusion, receipt consistency
    page.screenshot(path=str(artifacts / "check-ja.png"), full_page=True)

    # The first ballot is on the board but superseded.
    page.fill("#tracking-input", first["tracking_code"].lower().replace("-", " "))
    page.click("#check-form button[type=submit]")
    page.wait_for_function(
        "() => document.querySelector('#check-result').dataset.outcome !== 'running'"
    )
    assert page.get_attribute("#check-result", "data-outcome") == "not-counted"
    assert page.locator(".check-step--bad").count() == 0

    # Someone else holding the first receipt (a fresh browser, no session) learns
    # only that it is in the ballot box, not that the voter re-voted (§CAST-8.4).
    other = page.context.browser.new_page()
    try:
        other.goto(page.url.split("?")[0] + "?code=" + first["tracking_code"])
        wait_ready(other)
        other.click("#check-form button[type=submit]")
        other.wait_for_function(
            "() => document.querySelector('#check-result').dataset.outcome !== 'running'"
        )
        assert other.get_attribute("#check-result", "data-outcome") == "recorded"
        assert other.locator(".check-step--ok").count() == 4  # no receipt on that device
        verdict = other.text_content("#check-verdict") or ""
        assert "投票箱に入っています" in verdict and "投票し直" not in verdict
        other.screenshot(path=str(artifacts / "check-recorded-ja.png"), full_page=True)
    finally:
        other.close()


def test_audit_then_cast(page: Any, booth: BoothServer, artifacts: Any) -> None:
    sign_in(page, booth, ALL_KINDS, lang="en")
    vote_all_kinds(page)
    audited_code = to_review(page)
    before = count_spoiled(booth.runtime, ALL_KINDS)
    page.click("#audit-button")
    page.locator("#audit-result").wait_for(state="visible")
    assert page.get_attribute("#audit-result", "data-match") == "true"
    assert page.text_content("#audit-tracking") == audited_code
    assert count_spoiled(booth.runtime, ALL_KINDS) == before + 1
    fresh = wait_encrypted(page, audited_code)
    assert fresh != audited_code
    rows = page.locator("#audit-rows tr")
    assert rows.count() == 4
    assert "Misaki Takahashi" in rows.nth(0).text_content()
    page.screenshot(path=str(artifacts / "audit-en.png"), full_page=True)

    # The document the browser offers opens on a "second device" to the same choices.
    with page.expect_download() as download:
        page.click("#audit-download")
    document = download.value.path()
    app = typer.Typer()
    audit_cli.register(app)
    app.command("noop")(lambda: None)
    result = CliRunner().invoke(
        app, ["verify-audit", str(document), "--server", booth.base_url, "--lang", "en"]
    )
    assert result.exit_code == 0, result.output
    assert audited_code in result.output
    assert "Misaki Takahashi" in result.output and "Internet voting" in result.output

    receipt = cast(page)
    assert receipt["tracking_code"] == fresh
