"""Parallel requests that write never get ``503 storage.unavailable`` (issue 10 item 2).

Resolving an official's session reads the row, then writes ``last_seen_at``;
in a deferred SQLite transaction that upgrade fails at once (``SQLITE_BUSY``,
no waiting) when another connection wrote in between, and a third of four
parallel requests with one cookie got 503. Every write now takes the write
lock when its transaction begins (storage.md §ST-8). A real server (uvicorn
on loopback) on a file SQLite database, and on PostgreSQL, takes every
officials' route that writes, and the voters' code sign-in, from many threads
at once.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tohyo.app.auth.officials import Role
from tohyo.app.auth.totp import totp_at
from tohyo.app.auth.wiring import officials_directory

from .conftest import auth_config
from .helpers import make_election

PW = "correct horse battery staple"
ORIGIN = "http://127.0.0.1"
COOKIE = "__Host-tohyo-official"
THREADS = 8
ROUNDS = 6
STAFF = {
    "alice": Role.ADMINISTRATOR,
    "bob": Role.ADMINISTRATOR,
    "wes": Role.WITNESS,
    "olga": Role.OPERATOR,
}

Call = Callable[[], httpx.Response]


@pytest.fixture
def origin(
    runtime: Any, ca: Any, ocsp_server: Any, idp: Any, rp_key: Any, tmp_path: Any
) -> str:
    """The service's origin, card and OIDC configuration, set before ``live_server`` builds
    the app."""
    runtime.cache["auth.config"] = auth_config(
        ca, ocsp_server, idp, rp_key, tmp_path, public_origin=ORIGIN
    )
    return ORIGIN


class Official:
    """One official's cookie and CSRF token, shared by every thread."""

    def __init__(self, base: str, cookie: str, csrf: str) -> None:
        self.base, self.cookie, self.csrf = base, cookie, csrf

    def headers(self) -> dict[str, str]:
        return {"cookie": f"{COOKIE}={self.cookie}", "origin": ORIGIN, "x-csrf-token": self.csrf}

    def get(self, path: str) -> Call:
        return lambda: httpx.get(self.base + path, headers=self.headers(), timeout=60)

    def post(self, path: str, body: Any = None) -> Call:
        return lambda: httpx.post(self.base + path, json=body, headers=self.headers(), timeout=60)


def _sign_in(base: str, name: str, secret: bytes, clock: Any) -> Official:
    clock.advance(seconds=31)  # a TOTP step is good once per account
    body = {"username": name, "password": PW, "totp": totp_at(secret, clock())}
    response = httpx.post(
        base + "/official/sign-in", json=body, headers={"origin": ORIGIN}, timeout=60
    )
    assert response.status_code == 200, response.text
    return Official(base, response.cookies[COOKIE], response.json()["csrf_token"])


def _run_all(calls: list[Call]) -> list[httpx.Response]:
    with ThreadPoolExecutor(THREADS) as pool:
        responses = list(pool.map(lambda call: call(), calls))
    failed = [
        (r.request.method, r.request.url.path, r.status_code, r.text)
        for r in responses
        if r.status_code >= 500
    ]
    assert failed == []
    return responses


def test_parallel_writes_with_one_officials_cookie(
    runtime: Any, clock: Any, manifest_for: Any, origin: str, live_server: str
) -> None:
    directory = officials_directory(runtime.engine, runtime.settings.keys_dir)
    secrets = {
        name: directory.create(name, name.title(), role, PW, actor="setup", now=clock()).totp_secret
        for name, role in STAFF.items()
    }
    drafts = [f"draft-{i}" for i in range(3)]
    for eid in drafts:
        make_election(runtime, manifest_for, eid, ["code"], open_=False)
    make_election(
        runtime, manifest_for, "open-one", ["code", "jpki", "oidc"], [("V1", "a", "1980-01-01")]
    )
    alice, bob, wes, olga = (_sign_in(live_server, n, secrets[n], clock) for n in STAFF)
    asked = [bob.post(f"/official/elections/{eid}/requests", {"action": "open"}) for eid in drafts]
    bobs = [r.json()["id"] for r in _run_all(asked)]

    # one cookie (alice's) in every route that writes, all at once, with the others'
    calls: list[Call] = []
    for _ in range(ROUNDS):
        calls += [
            alice.get("/official/session"),
            alice.get("/official/audit"),
            alice.get("/official/approvals"),
            alice.post("/official/elections/open-one/requests", {"action": "close"}),
            wes.get("/official/audit"),
            olga.get("/official/approvals"),  # refused, and the refusal is audited
        ]
    calls += [alice.post(f"/official/approvals/{a}/approve") for a in bobs]
    responses = _run_all(calls)
    assert {r.status_code for r in responses} <= {200, 201, 403}
    assert sum(r.status_code == 403 for r in responses) == ROUNDS  # olga's, no more

    # execute the approved requests in parallel with more of the same
    calls = [alice.post(f"/official/approvals/{a}/execute") for a in bobs]
    calls += [alice.get("/official/session") for _ in range(ROUNDS)]
    calls += [bob.get("/official/audit") for _ in range(ROUNDS)]
    responses = _run_all(calls)
    assert {r.status_code for r in responses} == {200}
    assert alice.get("/official/audit")().json()["chain"] == {"intact": True}

    # parallel sign-ins (good and bad, rate-limited), voters' bad codes and sign-outs
    clock.advance(seconds=31)
    calls = [
        (
            lambda n=name: httpx.post(  # type: ignore[misc]
                live_server + "/official/sign-in",
                json={"username": n, "password": PW, "totp": totp_at(secrets[n], clock())},
                headers={"origin": ORIGIN},
                timeout=60,
            )
        )
        for name in STAFF
    ]
    calls += [
        (
            lambda i=i: httpx.post(  # type: ignore[misc]
                live_server + "/official/sign-in",
                json={"username": "mallory", "password": f"wrong {i}", "totp": "000000"},
                headers={"origin": ORIGIN},
                timeout=60,
            )
        )
        for i in range(THREADS)
    ]
    calls += [
        (
            lambda i=i: httpx.post(  # type: ignore[misc]
                live_server + "/api/v1/elections/open-one/sessions",
                json={"code": f"AAAA-BBBB-CCCC-{i:04d}"},
                timeout=60,
            )
        )
        for i in range(THREADS)
    ]
    calls += [alice.post("/official/sign-out"), bob.post("/official/sign-out")]
    # card challenges and OpenID transactions are written too
    calls += [
        lambda: httpx.post(
            live_server + "/auth/jpki/challenge", json={"election_id": "open-one"}, timeout=60
        )
        for _ in range(THREADS)
    ]
    calls += [
        lambda: httpx.get(
            live_server + "/auth/oidc/begin?election_id=open-one", timeout=60
        )
        for _ in range(THREADS)
    ]
    responses = _run_all(calls)
    assert sum(r.status_code == 200 for r in responses) == len(STAFF) + 2
    assert sum(r.status_code == 201 for r in responses) == THREADS  # the challenges
    assert sum(r.status_code == 303 for r in responses) == THREADS  # to the provider
