"""Fixtures of the console's tests: the app over https://testserver, and one official per role.

``console`` is a Starlette test client on the real app; ``staff`` creates an
account per role; ``sign_in_as(name)`` signs in through the console's own form
and returns the CSRF token its pages carry, for the forms a test posts.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tohyo.app.auth.config import AuthConfig
from tohyo.app.auth.officials import Role
from tohyo.app.auth.totp import totp_at

ORIGIN = "https://testserver"
PW = "correct horse battery staple"
PEOPLE = {
    "alice": Role.ADMINISTRATOR,
    "bob": Role.ADMINISTRATOR,
    "tina": Role.TRUSTEE,
    "wes": Role.WITNESS,
    "olga": Role.OPERATOR,
}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def console(runtime: Any) -> Iterator[Any]:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*starlette.testclient")
        from fastapi.testclient import TestClient

    from tohyo.app.main import create_app

    runtime.cache["auth.config"] = AuthConfig(public_origin=ORIGIN)
    app = create_app(runtime.settings, runtime=runtime)
    with TestClient(app, base_url=ORIGIN, follow_redirects=False) as client:
        yield client


@pytest.fixture
def staff(console: Any, clock: Any) -> dict[str, bytes]:
    directory = console.app.state.auth.officials
    return {
        name: directory.create(name, name.title(), role, PW, actor="setup", now=clock()).totp_secret
        for name, role in PEOPLE.items()
    }


def csrf_of(html: str) -> str:
    """The CSRF token a console page put in its forms."""
    found = _CSRF.search(html)
    if found is None:
        raise LookupError("the page has no form with a CSRF token")
    return found.group(1)


@pytest.fixture
def sign_in_as(console: Any, staff: dict[str, bytes], clock: Any) -> Callable[[str], str]:
    def sign_in(name: str) -> str:
        console.cookies.clear()
        clock.advance(seconds=31)  # each TOTP step is good once per account
        form = {"username": name, "password": PW, "totp": totp_at(staff[name], clock())}
        got = console.post("/ja/official/sign-in", data=form, headers={"origin": ORIGIN})
        assert got.status_code == 303, got.text
        return csrf_of(console.get("/ja/official/").text)

    return sign_in


def post_form(console: Any, path: str, csrf: str, **fields: str) -> Any:
    """A console form as the browser sends it: same origin, urlencoded, with the token."""
    return console.post(path, data={"csrf_token": csrf, **fields}, headers={"origin": ORIGIN})
