"""Officials through HTTP: sign-in, cookies, fixation (#40), CSRF (#39), roles and the
two-person rule (#41), the audit log."""

from __future__ import annotations

from typing import Any

import pytest

from tohyo.app.auth.officials import Role
from tohyo.app.auth.totp import totp_at

from .conftest import REDIRECT_HOST
from .helpers import error_code, make_election

PW = "correct horse battery staple"
SQLITE = pytest.mark.parametrize("backend", ["sqlite"])
ORIGIN = {"origin": REDIRECT_HOST}
PEOPLE = {
    "alice": Role.ADMINISTRATOR,
    "bob": Role.ADMINISTRATOR,
    "tina": Role.TRUSTEE,
    "wes": Role.WITNESS,
    "olga": Role.OPERATOR,
}


COOKIE = "__Host-tohyo-official"


def put_cookie(http: Any, value: str) -> None:
    """Replace the browser's session cookie (a replayed or attacker-chosen one)."""
    http.cookies.clear()
    http.cookies.set(COOKIE, value, domain="testserver.local")


@pytest.fixture
def staff(http: Any, clock: Any) -> dict[str, bytes]:
    directory = http.app.state.auth.officials
    return {
        name: directory.create(name, name.title(), role, PW, actor="setup", now=clock()).totp_secret
        for name, role in PEOPLE.items()
    }


def sign_in(http: Any, staff: dict[str, bytes], clock: Any, name: str, **changes: Any) -> Any:
    clock.advance(seconds=31)  # each TOTP step is good once per account
    body = {"username": name, "password": PW, "totp": totp_at(staff.get(name, b"x" * 20), clock())}
    body.update(changes)
    return http.post("/official/sign-in", json=body, headers=ORIGIN)


def as_official(http: Any, staff: dict[str, bytes], clock: Any, name: str) -> dict[str, str]:
    """Sign ``name`` in; returns the headers a page sends on every POST."""
    response = sign_in(http, staff, clock, name)
    assert response.status_code == 200, response.text
    return {**ORIGIN, "x-csrf-token": response.json()["csrf_token"]}


@SQLITE
def test_sign_in_sets_a_host_cookie_and_rotates_it(http: Any, staff: Any, clock: Any) -> None:
    put_cookie(http, "chosen-by-an-attacker")
    first = sign_in(http, staff, clock, "alice")
    assert first.status_code == 200
    assert first.json()["role"] == "administrator"
    cookie = first.headers["set-cookie"]
    assert cookie.startswith("__Host-tohyo-official=")
    for flag in ("secure", "httponly", "samesite=strict", "path=/"):
        assert flag in cookie.lower()
    assert "domain=" not in cookie.lower()
    token_a = http.cookies.get(COOKIE)
    assert token_a != "chosen-by-an-attacker"
    second = sign_in(http, staff, clock, "alice")
    token_b = http.cookies.get(COOKIE)
    assert second.status_code == 200 and token_b != token_a
    assert http.get("/official/session").json()["username"] == "alice"
    put_cookie(http, token_a)  # the old token died at re-sign-in
    assert error_code(http.get("/official/session")) == (401, "auth.session.expired")


@SQLITE
def test_every_sign_in_failure_looks_the_same(http: Any, staff: Any, clock: Any) -> None:
    answers = [
        sign_in(http, staff, clock, "alice", password=PW + "!"),
        sign_in(http, staff, clock, "alice", totp="000000"),
        sign_in(http, staff, clock, "mallory"),
    ]
    assert {(a.status_code, a.text) for a in answers} == {(401, answers[0].text)}
    assert answers[0].json()["error"]["code"] == "auth.signin.failed"
    assert "set-cookie" not in answers[0].headers
    body = {"username": "alice", "password": PW, "totp": "123456"}
    no_origin = http.post("/official/sign-in", json=body)
    evil = http.post("/official/sign-in", json=body, headers={"origin": "https://evil.example"})
    assert error_code(no_origin) == error_code(evil) == (403, "auth.csrf.origin")


@SQLITE
def test_sign_out_and_time_outs_end_the_session(http: Any, staff: Any, clock: Any) -> None:
    headers = as_official(http, staff, clock, "alice")
    token = http.cookies.get(COOKIE)
    assert http.post("/official/sign-out", headers=headers).status_code == 200
    put_cookie(http, token)  # replay the cookie after sign-out
    assert error_code(http.get("/official/session")) == (401, "auth.session.expired")
    as_official(http, staff, clock, "alice")
    clock.advance(minutes=16)  # idle time-out 15 minutes
    assert error_code(http.get("/official/session")) == (401, "auth.session.expired")
    http.cookies.clear()
    assert error_code(http.get("/official/session")) == (401, "auth.session.missing")


@SQLITE
def test_csrf_on_every_state_changing_request(
    http: Any, staff: Any, clock: Any, runtime: Any, manifest_for: Any
) -> None:
    make_election(runtime, manifest_for, "e1", ["code"], open_=False)
    headers = as_official(http, staff, clock, "alice")
    url = "/official/elections/e1/requests"
    attempts = [
        ({**ORIGIN}, "auth.csrf.missing"),
        ({**ORIGIN, "x-csrf-token": "0" * 64}, "auth.csrf.invalid"),
        ({**headers, "origin": "https://evil.example"}, "auth.csrf.origin"),
        ({"x-csrf-token": headers["x-csrf-token"]}, "auth.csrf.origin"),
    ]
    for sent, code in attempts:
        assert error_code(http.post(url, json={"action": "open"}, headers=sent)) == (403, code)
    # A cross-site form post (a CORS-safelisted request without a token).
    form = http.post(url, data={"action": "open"}, headers={"origin": "https://evil.example"})
    assert error_code(form) == (403, "auth.csrf.origin")
    for path in ("/official/sign-out", "/official/approvals/" + "0" * 32 + "/approve"):
        assert error_code(http.post(path, headers=ORIGIN)) == (403, "auth.csrf.missing")
    # Nothing was requested; GET never changes anything.
    assert http.get("/official/approvals").json() == {"approvals": []}
    assert http.get(url).status_code == 405
    ok = http.post(url, json={"action": "open"}, headers=headers)
    assert ok.status_code == 201


@SQLITE
def test_roles_are_separated(
    http: Any, staff: Any, clock: Any, runtime: Any, manifest_for: Any
) -> None:
    make_election(runtime, manifest_for, "e1", ["code"], open_=False)
    url = "/official/elections/e1/requests"
    alice = as_official(http, staff, clock, "alice")
    approval = http.post(url, json={"action": "open"}, headers=alice).json()["id"]
    for name in ("tina", "wes", "olga"):
        headers = as_official(http, staff, clock, name)
        assert error_code(http.post(url, json={"action": "open"}, headers=headers)) == (
            403,
            "auth.forbidden.role",
        )
        approve = http.post(f"/official/approvals/{approval}/approve", headers=headers)
        assert error_code(approve) == (403, "auth.forbidden.role")
        execute = http.post(f"/official/approvals/{approval}/execute", headers=headers)
        assert error_code(execute) == (403, "auth.forbidden.role")
    for name, status in (("tina", 403), ("olga", 403), ("wes", 200)):
        as_official(http, staff, clock, name)
        assert http.get("/official/audit").status_code == status
    audit = http.get("/official/audit").json()
    assert audit["chain"] == {"intact": True}
    denied = [e for e in audit["entries"] if e["action"] == "official.denied"]
    assert {e["actor"] for e in denied} == {"tina", "wes", "olga"}
    # A voter's bearer token is no official's session.
    http.cookies.clear()
    voter = http.get("/official/session", headers={"authorization": "Bearer x"})
    assert error_code(voter) == (401, "auth.session.missing")


def test_open_close_and_tally_need_two_administrators(
    http: Any, staff: Any, clock: Any, runtime: Any, manifest_for: Any
) -> None:
    make_election(runtime, manifest_for, "e1", ["code"], [("R1", "a", "1980-01-01")], open_=False)
    alice = as_official(http, staff, clock, "alice")
    opening = http.post("/official/elections/e1/requests", json={"action": "open"}, headers=alice)
    assert opening.status_code == 201, opening.text
    oid = opening.json()["id"]
    self_approval = http.post(f"/official/approvals/{oid}/approve", headers=alice)
    assert error_code(self_approval) == (409, "auth.approval.self")
    too_early = http.post(f"/official/approvals/{oid}/execute", headers=alice)
    assert error_code(too_early) == (409, "auth.approval.not_approved")
    assert http.get("/api/v1/elections/e1").json()["state"] == "key_ceremony"

    bob = as_official(http, staff, clock, "bob")
    approved = http.post(f"/official/approvals/{oid}/approve", headers=bob)
    assert approved.json()["approved_by"] == "bob"
    alice = as_official(http, staff, clock, "alice")
    done = http.post(f"/official/approvals/{oid}/execute", headers=alice)
    assert done.json() == {"action": "open", "election_id": "e1", "state": "open"}
    again = http.post(f"/official/approvals/{oid}/execute", headers=alice)
    assert error_code(again) == (409, "auth.approval.used")

    closing = http.post("/official/elections/e1/requests", json={"action": "close"}, headers=alice)
    cid = closing.json()["id"]
    # An approval for closing cannot be spent on anything else, nor twice.
    bob = as_official(http, staff, clock, "bob")
    http.post(f"/official/approvals/{cid}/approve", headers=bob)
    closed = http.post(
        f"/official/approvals/{cid}/execute", json={"reason": "test over"}, headers=bob
    )
    assert closed.json()["state"] == "closed", closed.text

    tally = http.post("/official/elections/e1/requests", json={"action": "tally"}, headers=bob)
    tid = tally.json()["id"]
    alice = as_official(http, staff, clock, "alice")
    http.post(f"/official/approvals/{tid}/approve", headers=alice)
    counted = http.post(f"/official/approvals/{tid}/execute", headers=alice)
    assert counted.status_code == 200, counted.text
    assert counted.json()["action"] == "tally"
    assert counted.json()["spent"] is False  # record_tally spends it with the shares (ADR 0040)

    actions = [e["action"] for e in http.get("/official/audit").json()["entries"]]
    for step in ("request", "approve", "execute"):
        for what in ("open", "close", "tally"):
            spent = (step, what) != ("execute", "tally")
            assert (f"approval.{step}.{what}" in actions) is spent
