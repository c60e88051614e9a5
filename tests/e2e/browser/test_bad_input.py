"""Bad input in the browser: a tampered page state, a ballot for another election, an
expired session and a closed election each give a clear message in the page's language,
and no ballot is half-cast (nothing stored, no log entry, no receipt)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from booth_harness import ALL_KINDS, SECOND, BoothServer, all_kinds_manifest
from flows import choose, sign_in, to_review, vote_all_kinds, wait_encrypted, wait_ready

from tohyo.app.auth.authority import DevApproval
from tohyo.app.services.elections import close_election


def log_size(booth: BoothServer, eid: str) -> int:
    with booth.runtime.uow() as uow:
        state = uow.log_state(eid)
        return 0 if state is None else int(state.size)


def ballots(booth: BoothServer, eid: str) -> int:
    with booth.runtime.uow() as uow:
        return sum(uow.ballot_counts(eid).values())


def alert_text(page: Any) -> str:
    page.locator("#alert").wait_for(state="visible")
    return str(page.text_content("#alert"))


def test_tampered_answers_are_refused_before_encryption(page: Any, booth: BoothServer) -> None:
    sign_in(page, booth, ALL_KINDS, lang="en")
    vote_all_kinds(page)
    page.click("#ballot-form button[type=submit]")
    page.wait_for_url("**/review")
    before = (log_size(booth, ALL_KINDS), ballots(booth, ALL_KINDS))
    page.evaluate(
        f"""() => {{ const k = 'tohyo:{ALL_KINDS}:answers';
        const a = JSON.parse(sessionStorage.getItem(k));
        a.mayor = {{blank: false, options: ['cand-mallory']}};
        sessionStorage.setItem(k, JSON.stringify(a)); }}"""
    )
    page.reload()
    wait_ready(page)
    assert "not valid for this ballot" in alert_text(page)
    assert page.is_disabled("#cast-button")
    assert page.text_content("#tracking-code") == "—"
    assert (log_size(booth, ALL_KINDS), ballots(booth, ALL_KINDS)) == before


def test_tampered_pending_ballot_is_refused(page: Any, booth: BoothServer) -> None:
    sign_in(page, booth, ALL_KINDS)
    vote_all_kinds(page)
    to_review(page)
    before = (log_size(booth, ALL_KINDS), ballots(booth, ALL_KINDS))
    page.evaluate(
        f"""() => sessionStorage.setItem('tohyo:{ALL_KINDS}:pending', JSON.stringify(
            {{ballot: {{questions: 'nonsense'}}, idempotency_key: 'k', tracking: 'AAAA'}}))"""
    )
    page.reload()
    wait_ready(page)
    page.click("#cast-button")
    assert "この端末に保存された内容は、この投票用紙では使えません" in alert_text(page)
    assert (log_size(booth, ALL_KINDS), ballots(booth, ALL_KINDS)) == before


def test_ballot_for_another_election(page: Any, booth: BoothServer) -> None:
    """A ballot encrypted for another election (same ballot style) is refused by the server."""
    sign_in(page, booth, SECOND, lang="easy")
    vote_all_kinds(page)
    to_review(page)
    page.route("**/api/v1/elections/*/ballots", lambda route: route.abort())
    page.click("#cast-button")
    alert_text(page)  # the connection failed: the ballot is kept for a retry
    page.unroute("**/api/v1/elections/*/ballots")
    foreign = page.evaluate(f"() => sessionStorage.getItem('tohyo:{SECOND}:pending')")
    assert foreign is not None
    assert ballots(booth, SECOND) == 0

    sign_in(page, booth, ALL_KINDS, lang="easy")
    vote_all_kinds(page)
    page.click("#ballot-form button[type=submit]")
    page.wait_for_url("**/review")
    page.evaluate("(p) => sessionStorage.setItem('tohyo:" + ALL_KINDS + ":pending', p)", foreign)
    page.reload()
    wait_ready(page)
    before = (log_size(booth, ALL_KINDS), ballots(booth, ALL_KINDS))
    page.click("#cast-button")
    text = alert_text(page)
    assert "うけつけられません" in text and "ballot.invalid_proof" in text
    assert (log_size(booth, ALL_KINDS), ballots(booth, ALL_KINDS)) == before


def test_expired_session_keeps_the_choices(page: Any, booth: BoothServer) -> None:
    sign_in(page, booth, ALL_KINDS, lang="en")
    vote_all_kinds(page)
    to_review(page)
    before = (log_size(booth, ALL_KINDS), ballots(booth, ALL_KINDS))
    booth.clock.offset = timedelta(seconds=booth.runtime.settings.session_ttl_seconds + 60)
    try:
        page.click("#cast-button")
        assert "Your sign-in has expired. Your choices are kept" in alert_text(page)
        assert page.is_visible("#sign-in-again")
        assert (log_size(booth, ALL_KINDS), ballots(booth, ALL_KINDS)) == before
    finally:
        booth.clock.offset = timedelta()
    # Sign in again (a voter's new code): the choices come back; the cast goes through.
    page.click("#sign-in-again")
    page.wait_for_url("**/?next=review")
    wait_ready(page)
    page.fill("#voting-code", booth.code(ALL_KINDS))
    page.click("#code-form button[type=submit]")
    page.wait_for_url("**/review")
    wait_encrypted(page)
    page.click("#cast-button")
    page.wait_for_url("**/receipt")
    assert ballots(booth, ALL_KINDS) == before[1] + 1


def test_closed_election(page: Any, booth: BoothServer) -> None:
    eid = booth.add_election(all_kinds_manifest("test-closing", booth.clock()), voters=4)
    sign_in(page, booth, eid)
    vote_all_kinds(page)
    choose(page, "mayor", "#blank")
    to_review(page)
    close_election(booth.runtime, eid, approval=DevApproval("test"),
                   reason="the test closes the vote")
    before = log_size(booth, eid)
    page.click("#cast-button")
    assert "投票は終了しました。この票は記録されませんでした。" in alert_text(page)
    assert ballots(booth, eid) == 0
    assert log_size(booth, eid) == before
    page.goto(booth.url(f"/en/elections/{eid}/"))
    assert "Voting has closed" in page.text_content("main")  # booth.md §BO-1.6
