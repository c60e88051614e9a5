"""Every console route with every role, and with no session (console.md §CON-2).

The routes are read from the app, so a page added later is walked too. For each
route and role: never a 5xx; a role the matrix (``console/nav.py``) does not allow
is refused with 403 and ``auth.forbidden.role`` (an ``official.denied`` audit entry
names the page), every role it allows is not; without a session a page redirects
to the sign-in page and a form is refused. Forms are sent with the session's CSRF
token and no other field: a role that may not act is refused before the form is read.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tohyo.app.auth.officials import Role
from tohyo.app.console.nav import PAGES

from .conftest import PEOPLE, post_form

SQLITE = pytest.mark.parametrize("backend", ["sqlite"])
ELECTION = "matrix-election"
ONE_PER_ROLE = {role: next(n for n, r in PEOPLE.items() if r is role) for role in Role}
_PARAM = re.compile(r"\{([a-z_]+)(:[a-z]+)?\}")


def _routes(routes: Any) -> list[tuple[str, str]]:
    found = []
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            found += _routes(included.routes)
            continue
        methods = getattr(route, "methods", None) or set()
        if route.path.startswith("/{slug}/official"):
            found += [(m, route.path) for m in sorted(methods - {"HEAD"})]
    return found


def _url(template: str) -> str:
    def fill(match: re.Match[str]) -> str:
        return {"slug": "en", "election_id": ELECTION}.get(match.group(1), "x1")

    return _PARAM.sub(fill, template)


def _denied_page(console: Any, before: int) -> str | None:
    entries = console.app.state.auth.audit.entries()[before:]
    denied = [e for e in entries if e.action == "official.denied"]
    return denied[-1].detail.get("page") if denied else None


@SQLITE
def test_every_route_with_every_role(console: Any, sign_in_as: Any, election_factory: Any) -> None:
    election_factory(ELECTION)
    routes = [r for r in _routes(console.app.routes) if not r[1].endswith("/sign-in")]
    assert ("GET", "/{slug}/official/") in routes
    problems: list[str] = []
    for method, template in routes:
        url = _url(template)
        denied_by_role: dict[Role, str | None] = {}
        for role, name in ONE_PER_ROLE.items():
            csrf = sign_in_as(name)
            before = len(console.app.state.auth.audit.entries())
            got = console.get(url) if method == "GET" else post_form(console, url, csrf)
            if got.status_code >= 500:
                problems.append(f"{method} {url} as {role}: {got.status_code}")
                continue
            forbidden = 'data-code="auth.forbidden.role"' in got.text
            if forbidden and got.status_code != 403:
                problems.append(f"{method} {url} as {role}: forbidden with {got.status_code}")
            denied_by_role[role] = _denied_page(console, before) if forbidden else None
        keys = {k for k in denied_by_role.values() if k is not None}
        if len(keys) > 1:
            problems.append(f"{method} {url}: refused in the name of several pages {keys}")
        if keys:
            page = PAGES[keys.pop()]
            for role, denied in denied_by_role.items():
                if (denied is not None) == (role in page.roles):
                    problems.append(
                        f"{method} {url} as {role}: {'refused' if denied else 'allowed'}, "
                        f"but the matrix says {sorted(r.value for r in page.roles)}"
                    )
        # no session at all
        console.cookies.clear()
        got = console.get(url) if method == "GET" else post_form(console, url, "x")
        if method == "GET" and not (
            got.status_code == 303 and "/official/sign-in" in got.headers.get("location", "")
        ):
            problems.append(f"GET {url} without a session: {got.status_code}")
        if method == "POST" and got.status_code not in (401, 403):
            problems.append(f"POST {url} without a session: {got.status_code}")
    assert problems == []


@SQLITE
def test_every_listed_page_has_a_route(console: Any) -> None:
    gets = {path for method, path in _routes(console.app.routes) if method == "GET"}
    for page in PAGES.values():
        template = "/{slug}/official" + page.path
        assert template in gets, f"{page.key}: no GET route at {template}"
