"""No request leaves a pooled database connection checked out (issue 10 item 1, THREATS #32).

A session opened outside its unit of work and abandoned by an exception held
its connection until the garbage collector broke the reference cycle of the
traceback: a dozen bad requests filled the pool and every later request
waited for a connection, then failed. Here the collector is off, every route
of the app is called with bad parameters (unknown election, election not yet
open, bad query parameters, no or a bad session), and the pool must be empty
after each response, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest

from .helpers import make_election

ORIGIN = {"origin": "https://testserver"}
BAD_TOKEN = {"authorization": "Bearer not-a-token"}
UNKNOWN, DRAFT, OPEN = "no-such-election", "not-yet-open", "open-election"
IDS = (UNKNOWN, DRAFT, OPEN)
HEX = "ab" * 32

# (method, path template): requests, each (method, url, keyword arguments of the client).
Calls = list[tuple[str, str, dict[str, Any]]]


def _per_election(method: str, template: str, **kwargs: Any) -> Calls:
    return [(method, template.format(e=e), kwargs) for e in IDS]


def _calls() -> dict[tuple[str, str], Calls]:
    api, log, ceremony = (
        "/api/v1/elections",
        "/api/v1/elections/{e}/log",
        "/api/v1/elections/{e}/ceremony",
    )
    get = "GET"
    post = "POST"
    return {
        (get, "/api/v1/elections"): [(get, "/api/v1/elections?x=1", {})],
        (get, api + "/{election_id}"): _per_election(get, api + "/{e}"),
        (post, api + "/{election_id}/sessions"): [
            *_per_election(post, api + "/{e}/sessions", json={"code": "WRONG-CODE"}),
            (post, f"{api}/{OPEN}/sessions", {"content": b"{not json"}),
            (post, f"{api}/{OPEN}/sessions", {"json": {"code": 5}}),
        ],
        (post, api + "/{election_id}/ballots"): [
            *_per_election(post, api + "/{e}/ballots", json={}, headers=BAD_TOKEN),
            (post, f"{api}/{OPEN}/ballots", {"content": b"[]"}),
        ],
        (get, api + "/{election_id}/ballots/{tracker}"): [
            *_per_election(get, api + "/{e}/ballots/" + HEX),
            *_per_election(get, api + "/{e}/ballots/ABCD-EFGH"),
        ],
        (get, api + "/{election_id}/counts"): _per_election(get, api + "/{e}/counts"),
        (post, api + "/{election_id}/audits"): [
            *_per_election(post, api + "/{e}/audits", json={"ballot_hash": HEX}, headers=BAD_TOKEN),
            (post, f"{api}/{OPEN}/audits", {"json": {"ballot_hash": HEX}}),
        ],
        (get, "/api/v1/booth"): [(get, "/api/v1/booth?x=1", {})],
        # the public log
        (get, log.replace("{e}", "{election_id}") + "/checkpoint"): [
            *_per_election(get, log + "/checkpoint"),
            *_per_election(get, log + "/checkpoint?size=999"),
            (get, f"{api}/{OPEN}/log/checkpoint?size=-1", {}),
        ],
        (get, log.replace("{e}", "{election_id}") + "/key"): _per_election(get, log + "/key"),
        (get, log.replace("{e}", "{election_id}") + "/entries"): [
            *_per_election(get, log + "/entries?start=5&end=1"),
            (get, f"{api}/{OPEN}/log/entries?start=-1", {}),
            (get, f"{api}/{OPEN}/log/entries?start=x", {}),
        ],
        (get, log.replace("{e}", "{election_id}") + "/inclusion"): [
            *_per_election(get, log + "/inclusion?index=0"),
            *_per_election(get, log + "/inclusion?index=999&size=1000"),
            (get, f"{api}/{OPEN}/log/inclusion", {}),
            (get, f"{api}/{OPEN}/log/inclusion?index=-1", {}),
        ],
        (get, log.replace("{e}", "{election_id}") + "/consistency"): [
            *_per_election(get, log + "/consistency?old=1"),
            *_per_election(get, log + "/consistency?old=5&new=1"),
            (get, f"{api}/{OPEN}/log/consistency", {}),
        ],
        (post, log.replace("{e}", "{election_id}") + "/cosignatures"): [
            *_per_election(
                post, log + "/cosignatures", json={"size": 1, "witness_key": "x", "signature": "y"}
            ),
            (post, f"{api}/{OPEN}/log/cosignatures", {"json": {"size": -1}}),
        ],
        (post, api + "/{election_id}/statements"): [
            *_per_election(post, api + "/{e}/statements", json={
                f: "x" for f in ("election_id", "event", "checked", "head", "witness_key",
                                 "signature")}),
            (post, f"{api}/{OPEN}/statements", {"json": {"event": "opening"}}),
        ],
        # the key-ceremony relay
        (get, ceremony.replace("{e}", "{election_id}")): _per_election(get, ceremony),
        (get, ceremony.replace("{e}", "{election_id}") + "/transcript"): _per_election(
            get, ceremony + "/transcript"
        ),
        (get, ceremony.replace("{e}", "{election_id}") + "/{kind}"): [
            *_per_election(get, ceremony + "/dealing"),
            *_per_election(get, ceremony + "/nonsense"),
        ],
        (post, ceremony.replace("{e}", "{election_id}") + "/{kind}"): [
            *_per_election(post, ceremony + "/dealing", json={"message": {}}, headers=BAD_TOKEN),
            (post, f"{api}/{OPEN}/ceremony/dealing", {"json": {"message": {}}}),
        ],
        # the voter's pages and images
        (get, "/"): [(get, "/", {})],
        (get, "/{slug}/"): [(get, "/ja/", {}), (get, "/xx/", {})],
        **{
            (get, "/{slug}/elections/{election_id}" + page): [
                *_per_election(get, "/ja/elections/{e}" + page),
                (get, f"/xx/elections/{OPEN}{page}", {}),
                (get, "/ja/elections/Bad..Id" + page, {}),
            ]
            for page in ("", "/", "/ballot", "/review", "/receipt", "/check")
        },
        (get, "/assets/{election_id}/{path:path}"): [
            *_per_election(get, "/assets/{e}/photo.png"),
            (get, "/assets/Bad..Id/photo.png", {}),
        ],
        # sign-in
        (post, "/auth/jpki/challenge"): [
            *[(post, "/auth/jpki/challenge", {"json": {"election_id": e}}) for e in IDS],
            (post, "/auth/jpki/challenge", {"json": {"election_id": "Bad..Id"}}),
        ],
        (post, "/auth/jpki/response"): [
            (
                post,
                "/auth/jpki/response",
                {
                    "json": {
                        "election_id": e,
                        "challenge": "x",
                        "certificate": "AAAA",
                        "signature": "AAAA",
                    }
                },
            )
            for e in IDS
        ],
        (get, "/auth/oidc/begin"): [
            *[(get, f"/auth/oidc/begin?election_id={e}", {}) for e in IDS],
            (get, "/auth/oidc/begin", {}),
        ],
        (get, "/auth/oidc/callback"): [
            (get, "/auth/oidc/callback?state=x&code=y", {}),
            *[
                (
                    get,
                    "/auth/oidc/callback?state=x&code=y",
                    {
                        "cookies": {"__Host-tohyo-oidc": f"x.{e}.ja"},
                        "headers": {"accept": "text/html"},
                    },
                )
                for e in IDS
            ],
        ],
        (get, "/{slug}/elections/{election_id}/sign-in/card"): _per_election(
            get, "/ja/elections/{e}/sign-in/card"
        ),
        (get, "/{slug}/elections/{election_id}/sign-in/oidc"): _per_election(
            get, "/ja/elections/{e}/sign-in/oidc"
        ),
        # officials: no session, a forged session, bad bodies
        (post, "/official/sign-in"): [
            (
                post,
                "/official/sign-in",
                {"json": {"username": "x", "password": "y", "totp": "1"}, "headers": ORIGIN},
            ),
            (post, "/official/sign-in", {"json": {"username": "x"}, "headers": ORIGIN}),
        ],
        (post, "/official/sign-out"): [(post, "/official/sign-out", {"headers": ORIGIN})],
        (get, "/official/session"): [
            (get, "/official/session", {}),
            (get, "/official/session", {"cookies": {"__Host-tohyo-official": "forged"}}),
        ],
        (post, "/official/elections/{election_id}/requests"): _per_election(
            post, "/official/elections/{e}/requests", json={"action": "open"}, headers=ORIGIN
        ),
        (get, "/official/approvals"): [
            (get, f"/official/approvals?election_id={UNKNOWN}", {}),
            (get, "/official/approvals", {"cookies": {"__Host-tohyo-official": "forged"}}),
        ],
        (post, "/official/approvals/{approval_id}/approve"): [
            (post, "/official/approvals/" + "0" * 32 + "/approve", {"headers": ORIGIN}),
        ],
        (post, "/official/approvals/{approval_id}/execute"): [
            (post, "/official/approvals/nonsense/execute", {"headers": ORIGIN}),
        ],
        (get, "/official/audit"): [(get, "/official/audit", {})],
        # the voter's own ballot status (casting.md §CAST-8.4)
        (get, api + "/{election_id}/ballots/{tracker}/status"): [
            *_per_election(get, api + "/{e}/ballots/" + HEX + "/status", headers=BAD_TOKEN),
            *_per_election(get, api + "/{e}/ballots/ABCD-EFGH/status"),
        ],
        (get, "/favicon.ico"): [(get, "/favicon.ico?x=1", {})],
        # the observers' dashboard (observe.md); streams only where they end at once
        (get, api + "/{election_id}/observe"): _per_election(get, api + "/{e}/observe"),
        (get, api + "/{election_id}/observe/events"): [
            (get, f"{api}/{UNKNOWN}/observe/events", {}),
            (get, f"{api}/Bad..Id/observe/events", {}),
        ],
        (get, api + "/{election_id}/observe/witness/events"): [
            *_per_election(get, api + "/{e}/observe/witness/events"),
            (get, f"{api}/{OPEN}/observe/witness/events",
             {"cookies": {"__Host-tohyo-official": "forged"}}),
        ],
        (get, "/{slug}/observe/"): [(get, "/ja/observe/", {}), (get, "/xx/observe/", {})],
        (get, "/{slug}/observe/elections/{election_id}/"): [
            *_per_election(get, "/ja/observe/elections/{e}/"),
            (get, f"/xx/observe/elections/{OPEN}/", {}),
        ],
        (get, "/{slug}/observe/elections/{election_id}/witness"): _per_election(
            get, "/ja/observe/elections/{e}/witness"
        ),
        # the officials' console (console.md)
        (get, "/official/"): [(get, "/official/", {})],
        (get, "/{slug}/official/"): [
            (get, "/ja/official/", {}),
            (get, "/ja/official/", {"cookies": {"__Host-tohyo-official": "forged"}}),
            (get, "/xx/official/", {}),
        ],
        (get, "/{slug}/official/sign-in"): [(get, "/ja/official/sign-in?next=//x", {})],
        (post, "/{slug}/official/sign-in"): [
            (post, "/ja/official/sign-in", {"data": {"username": "x", "password": "y",
                                                     "totp": "1"}, "headers": ORIGIN}),
            (post, "/ja/official/sign-in", {"content": b"\xff", "headers": ORIGIN}),
        ],
        (post, "/{slug}/official/sign-out"): [
            (post, "/ja/official/sign-out", {"data": {"csrf_token": "x"}, "headers": ORIGIN}),
            (post, "/ja/official/sign-out", {"data": {"csrf_token": "x"},
             "headers": ORIGIN, "cookies": {"__Host-tohyo-official": "forged"}}),
        ],
        # paper counts and the official result (results.md)
        (get, "/official/elections/{election_id}/paper-counts"): [
            *_per_election(get, "/official/elections/{e}/paper-counts"),
            (get, f"/official/elections/{OPEN}/paper-counts",
             {"cookies": {"__Host-tohyo-official": "forged"}}),
        ],
        (post, "/official/elections/{election_id}/paper-counts"): _per_election(
            post, "/official/elections/{e}/paper-counts", json={"count": {}}, headers=ORIGIN
        ),
        (get, "/official/elections/{election_id}/official-result"): _per_election(
            get, "/official/elections/{e}/official-result"
        ),
        # the public results page (reports.md)
        **{
            (get, "/{slug}/elections/{election_id}/results" + route): [
                *_per_election(get, "/ja/elections/{e}/results" + page),
                (get, f"/xx/elections/{OPEN}/results" + page, {}),
            ]
            for route, page in (("", ""), ("/", "/"), ("/charts/{name}.svg", "/charts/q1.svg"),
                                ("/{name}", "/result.csv"))
        },
        # FastAPI's own documents
        (get, "/openapi.json"): [(get, "/openapi.json", {})],
        (get, "/docs"): [(get, "/docs", {})],
        (get, "/docs/oauth2-redirect"): [(get, "/docs/oauth2-redirect", {})],
        (get, "/redoc"): [(get, "/redoc", {})],
    }


def _app_routes(routes: Any) -> set[tuple[str, str]]:
    found = set()
    for route in routes:
        included = getattr(route, "original_router", None)  # FastAPI >= 0.16x includes lazily
        if included is not None:
            found |= _app_routes(included.routes)
            continue
        methods = getattr(route, "methods", None)
        if methods is None:  # the /static mount: files, no database
            continue
        for method in methods - {"HEAD"}:
            found.add((method, route.path))
    return found


@pytest.fixture
def gc_off() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect()


def test_the_table_covers_every_route(http: Any) -> None:
    """A new route must be added to the table above (and so be checked for leaks)."""
    assert sorted(_app_routes(http.app.routes)) == sorted(_calls())


def test_no_request_leaves_a_connection_checked_out(
    http: Any, runtime: Any, manifest_for: Any, gc_off: None
) -> None:
    make_election(runtime, manifest_for, DRAFT, ["code", "jpki", "oidc"], open_=False)
    make_election(
        runtime, manifest_for, OPEN, ["code", "jpki", "oidc"], [("V1", "a", "1980-01-01")]
    )
    pool = runtime.engine.pool
    assert pool.checkedout() == 0
    leaks = []
    for calls in _calls().values():
        for method, url, given in calls:
            kwargs = dict(given)
            http.cookies.clear()
            for name, value in kwargs.pop("cookies", {}).items():
                http.cookies.set(name, value, domain="testserver.local")
            response = http.request(method, url, **kwargs)
            assert response.status_code < 500, (method, url, response.text)
            if pool.checkedout():
                leaks.append((method, url, response.status_code))
                gc.collect()  # give it back, so the next request is judged alone
    assert leaks == []
    # and the pool still serves: a good request gets a connection at once
    assert http.get(f"/api/v1/elections/{OPEN}").status_code == 200
