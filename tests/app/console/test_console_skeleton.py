"""The console's sign-in, home and guards (console.md §CON-1–§CON-4)."""

from __future__ import annotations

from typing import Any

import pytest

from tohyo.app.auth.totp import totp_at
from tohyo.app.console.forms import parse_form
from tohyo.app.errors import BadRequest

from .conftest import ORIGIN, PW, post_form

SQLITE = pytest.mark.parametrize("backend", ["sqlite"])


@SQLITE
def test_root_and_unknown_language_redirect(console: Any) -> None:
    assert console.get("/official/").headers["location"] == "/ja/official/"
    assert console.get("/xx/official/").headers["location"] == "/ja/official/"


@SQLITE
def test_a_page_without_a_session_goes_to_the_sign_in_page_and_back(console: Any) -> None:
    got = console.get("/en/official/")
    assert got.status_code == 303
    assert got.headers["location"] == "/en/official/sign-in?next=/en/official/"
    page = console.get(got.headers["location"])
    assert page.status_code == 200
    assert 'name="next" value="/en/official/"' in page.text


@SQLITE
def test_sign_in_through_the_form_then_home_in_japanese(
    console: Any, staff: dict[str, bytes], clock: Any
) -> None:
    clock.advance(seconds=31)
    form = {
        "username": "alice",
        "password": PW,
        "totp": totp_at(staff["alice"], clock()),
        "next": "/ja/official/",
    }
    got = console.post("/ja/official/sign-in", data=form, headers={"origin": ORIGIN})
    assert got.status_code == 303 and got.headers["location"] == "/ja/official/"
    cookie = got.headers["set-cookie"]
    assert "__Host-tohyo-official=" in cookie and "HttpOnly" in cookie
    assert "Secure" in cookie and "SameSite=strict" in cookie
    home = console.get("/ja/official/")
    assert home.status_code == 200
    assert "選挙管理" in home.text and "Alice" in home.text
    assert 'name="csrf_token"' in home.text


@SQLITE
def test_a_wrong_code_is_refused_on_the_form_with_the_name_kept(
    console: Any, staff: dict[str, bytes]
) -> None:
    form = {"username": "alice", "password": PW, "totp": "000000"}
    got = console.post("/en/official/sign-in", data=form, headers={"origin": ORIGIN})
    assert got.status_code == 401
    assert 'data-code="auth.signin.failed"' in got.text
    assert 'value="alice"' in got.text
    assert "__Host-tohyo-official" not in got.headers.get("set-cookie", "")


@SQLITE
def test_a_reused_code_says_so(console: Any, staff: dict[str, bytes], clock: Any) -> None:
    clock.advance(seconds=31)
    form = {"username": "bob", "password": PW, "totp": totp_at(staff["bob"], clock())}
    assert (
        console.post("/en/official/sign-in", data=form, headers={"origin": ORIGIN}).status_code
        == 303
    )
    console.cookies.clear()
    again = console.post("/en/official/sign-in", data=form, headers={"origin": ORIGIN})
    assert again.status_code == 401
    assert 'data-code="auth.signin.code_reused"' in again.text
    assert "already been used" in again.text


@SQLITE
def test_sign_in_from_another_site_is_refused(
    console: Any, staff: dict[str, bytes], clock: Any
) -> None:
    form = {"username": "alice", "password": PW, "totp": totp_at(staff["alice"], clock())}
    got = console.post(
        "/ja/official/sign-in", data=form, headers={"origin": "https://evil.example"}
    )
    assert got.status_code == 403
    assert 'data-code="auth.csrf.origin"' in got.text


@SQLITE
def test_next_cannot_leave_the_console(console: Any, staff: dict[str, bytes], clock: Any) -> None:
    for evil in ("https://evil.example/", "//evil.example/ja/official/", "/ja/official//evil"):
        clock.advance(seconds=31)
        form = {
            "username": "alice",
            "password": PW,
            "totp": totp_at(staff["alice"], clock()),
            "next": evil,
        }
        got = console.post("/ja/official/sign-in", data=form, headers={"origin": ORIGIN})
        assert got.headers["location"] == "/ja/official/", evil


@SQLITE
def test_sign_out_needs_the_token_then_ends_the_session(console: Any, sign_in_as: Any) -> None:
    csrf = sign_in_as("wes")
    forged = post_form(console, "/ja/official/sign-out", "not-the-token")
    assert forged.status_code == 403 and 'data-code="auth.csrf.invalid"' in forged.text
    assert console.get("/ja/official/").status_code == 200  # still signed in
    out = post_form(console, "/ja/official/sign-out", csrf)
    assert out.status_code == 303 and out.headers["location"] == "/ja/official/sign-in"
    console.cookies.clear()
    assert console.get("/ja/official/").status_code == 303


@SQLITE
def test_every_role_sees_its_role_and_the_statement_of_who_may_use_the_page(
    console: Any, sign_in_as: Any
) -> None:
    sign_in_as("olga")
    page = console.get("/en/official/").text
    assert "Signed in as Olga (Booking operator)" in page
    assert "Who may use this page" in page


def test_forms_are_parsed_strictly() -> None:
    urlencoded = "application/x-www-form-urlencoded"
    assert parse_form(b"a=1&csrf_token=t", urlencoded, {"a"}) == {"a": "1", "csrf_token": "t"}
    assert parse_form(b"a=%E6%8A%95", urlencoded, {"a"}) == {"a": "投"}
    for raw, ctype, code in (
        (b"a=1", "application/json", "form.content_type"),
        (b"a=1&a=2", urlencoded, "form.duplicate"),
        (b"a=1&b=2", urlencoded, "form.unexpected"),
        (b"", urlencoded, "form.missing"),
        (b"a=%FF", urlencoded, "form.encoding"),
        ("a=投".encode(), urlencoded, "form.encoding"),
        (b"a=" + b"x" * 10_001, urlencoded, "form.too_long"),
    ):
        with pytest.raises(BadRequest) as refused:
            parse_form(raw, ctype, {"a"})
        assert refused.value.code == code, raw[:20]


@SQLITE
def test_a_browser_form_with_a_null_origin_counts_only_when_the_browser_says_same_origin(
    console: Any, staff: dict[str, bytes], clock: Any
) -> None:
    """Under no-referrer, Chromium sends ``Origin: null``; Sec-Fetch-Site tells where from."""
    form = {"username": "alice", "password": PW, "totp": totp_at(staff["alice"], clock())}
    for site in ("cross-site", "same-site", "none", ""):
        got = console.post(
            "/ja/official/sign-in", data=form, headers={"origin": "null", "sec-fetch-site": site}
        )
        assert got.status_code == 403 and 'data-code="auth.csrf.origin"' in got.text, site
    ok = console.post(
        "/ja/official/sign-in",
        data=form,
        headers={"origin": "null", "sec-fetch-site": "same-origin"},
    )
    assert ok.status_code == 303
