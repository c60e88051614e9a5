"""OpenID Connect and voting codes through the service's real HTTP path (issue 6).

The provider is the Authlib test provider on loopback; bad ID tokens are forged
by its test-only ``tamper`` hook, so they travel the real token endpoint and
reach the relying party exactly as a misbehaving provider's would.
"""

from __future__ import annotations

import base64
import json
import time
import urllib.parse
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from .conftest import REDIRECT_HOST, auth_config, make_client
from .helpers import card_sign_in, counts, error_code, make_election

SQLITE = pytest.mark.parametrize("backend", ["sqlite"])


def oidc_sign_in(http: Any, election_id: str, user: str) -> Any:
    """Play the browser: begin, the provider's redirect, the callback (JSON)."""
    begin = http.get(
        "/auth/oidc/begin",
        params={"election_id": election_id, "login_hint": user},
        follow_redirects=False,
    )
    assert begin.status_code == 303, begin.text
    cookie = begin.headers["set-cookie"]
    assert cookie.startswith("__Host-tohyo-oidc=")
    for flag in ("HttpOnly", "Path=/", "SameSite=lax", "Secure"):
        assert flag.lower() in cookie.lower()
    at_provider = httpx.get(begin.headers["location"], follow_redirects=False)
    assert at_provider.status_code == 302, at_provider.text
    back = urllib.parse.urlsplit(at_provider.headers["location"])
    assert f"{back.scheme}://{back.netloc}" == REDIRECT_HOST
    return http.get(f"{back.path}?{back.query}", headers={"accept": "application/json"})


@pytest.fixture
def forge(idp: Any) -> Iterator[Any]:
    """``forge(key=..., **claims)``: the provider's next ID tokens carry these changes."""

    def install(key: RSAKey | None = None, **changes: Any) -> None:
        signing = idp.provider.signing_key

        def tamper(body: dict[str, Any]) -> dict[str, Any]:
            part = body["id_token"].split(".")[1]
            claims = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
            claims.update(changes)
            header = {"alg": "RS256", "kid": str(signing.kid)}
            return {**body, "id_token": jwt.encode(header, claims, key or signing)}

        idp.provider.tamper = tamper

    yield install
    idp.provider.tamper = None


def test_oidc_voter_signs_in_with_a_pairwise_subject(
    http: Any, runtime: Any, manifest_for: Any
) -> None:
    make_election(runtime, manifest_for, "app", ["oidc"])
    first = oidc_sign_in(http, "app", "hanako")
    assert first.status_code == 201, first.text
    assert "__Host-tohyo-oidc=" in first.headers["set-cookie"]  # cleared
    again = oidc_sign_in(http, "app", "hanako")
    assert again.json()["credential"] == first.json()["credential"]
    assert counts(runtime, "app") == (1, 2)


@SQLITE
@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"key": "rogue"}, "auth.oidc.bad_signature"),
        ({"aud": "someone-else"}, "auth.oidc.wrong_audience"),
        ({"nonce": "replayed-nonce"}, "auth.oidc.wrong_nonce"),
        ({"exp": "past"}, "auth.oidc.expired"),
        ({"iss": "https://evil.example"}, "auth.oidc.wrong_issuer"),
    ],
)
def test_bad_id_tokens(
    http: Any, runtime: Any, manifest_for: Any, forge: Any, changes: dict[str, Any], code: str
) -> None:
    make_election(runtime, manifest_for, "app", ["oidc"])
    if changes.get("key") == "rogue":
        forge(key=RSAKey.generate_key(2048))
    elif changes.get("exp") == "past":
        forge(exp=int(time.time()) - 3600, iat=int(time.time()) - 4000)
    else:
        forge(**changes)
    response = oidc_sign_in(http, "app", "hanako")
    assert error_code(response) == (401, code)
    assert counts(runtime, "app") == (0, 0)


@SQLITE
def test_state_bound_to_the_browser_and_used_once(
    http: Any, runtime: Any, manifest_for: Any
) -> None:
    make_election(runtime, manifest_for, "app", ["oidc"])
    begin = http.get(
        "/auth/oidc/begin",
        params={"election_id": "app", "login_hint": "hanako"},
        follow_redirects=False,
    )
    cookie = http.cookies.get("__Host-tohyo-oidc")
    back = urllib.parse.urlsplit(
        httpx.get(begin.headers["location"], follow_redirects=False).headers["location"]
    )
    callback = f"{back.path}?{back.query}"
    json_only = {"accept": "application/json"}
    # An attacker's browser (no cookie) cannot finish the victim's sign-in.
    http.cookies.clear()
    assert error_code(http.get(callback, headers=json_only)) == (401, "auth.oidc.state_mismatch")
    # Back in the right browser it works once, then the state is spent.
    http.cookies.set("__Host-tohyo-oidc", cookie, domain="testserver.local")
    assert http.get(callback, headers=json_only).status_code == 201
    http.cookies.set("__Host-tohyo-oidc", cookie, domain="testserver.local")
    assert error_code(http.get(callback, headers=json_only)) == (401, "auth.oidc.state_unknown")
    denied = http.get("/auth/oidc/callback?error=access_denied&state=x", headers=json_only)
    assert error_code(denied) == (401, "auth.oidc.denied")


@SQLITE
@pytest.mark.parametrize(
    ("user", "code"),
    [("mito", "auth.eligibility.outside_area"), ("kid", "auth.eligibility.under_age")],
)
def test_eligibility_from_claims(
    http: Any, runtime: Any, manifest_for: Any, user: str, code: str
) -> None:
    make_election(runtime, manifest_for, "app", ["oidc"])
    assert error_code(oidc_sign_in(http, "app", user)) == (403, code)
    assert counts(runtime, "app") == (0, 0)


@SQLITE
def test_pairwise_subjects_cannot_join_cards_or_a_roll(
    http: Any, runtime: Any, manifest_for: Any
) -> None:
    make_election(runtime, manifest_for, "both", ["jpki", "oidc"])
    assert error_code(oidc_sign_in(http, "both", "hanako")) == (403, "auth.method.unlinkable")


def test_resident_provider_card_and_letter_are_one_voter(
    runtime: Any,
    manifest_for: Any,
    ca: Any,
    ocsp_server: Any,
    idp: Any,
    rp_key: Any,
    tmp_path: Any,
    cards: Any,
) -> None:
    """A provider vouching for the card's basic items (the Digital Agency's app): one person."""
    from .conftest import TARO

    config = auth_config(ca, ocsp_server, idp, rp_key, tmp_path, oidc_identity="resident")
    roll = [("R1", TARO.name, TARO.birth_date.isoformat()), ("R2", "筑波 花子", "1985-05-05")]
    codes = make_election(runtime, manifest_for, "all", ["jpki", "oidc", "code"], roll)
    with make_client(runtime, config) as http:
        by_app = oidc_sign_in(http, "all", "taro")
        by_card = card_sign_in(http, "all", cards.rsa)
        by_code = http.post("/api/v1/elections/all/sessions", json={"code": codes[0]})
        hanako = oidc_sign_in(http, "all", "hanako")
    credentials = {r.json()["credential"] for r in (by_app, by_card, by_code)}
    assert len(credentials) == 1
    assert hanako.json()["credential"] not in credentials
    assert counts(runtime, "all")[0] == 2


# -- voting codes: rate limited, one message for every failure ---------------------------


@SQLITE
def test_wrong_used_and_malformed_codes_look_alike(
    http: Any, runtime: Any, manifest_for: Any
) -> None:
    codes = make_election(runtime, manifest_for, "small", ["code"], [("R1", "a", "1980-01-01")])
    url = "/api/v1/elections/small/sessions"
    assert http.post(url, json={"code": codes[0]}).status_code == 201
    answers = [
        http.post(url, json={"code": attempt}).json()
        for attempt in (codes[0], "AAAA-BBBB-CCCC-DDDD", "x")
    ]
    assert all(a == answers[0] for a in answers)
    assert answers[0]["error"]["code"] == "session.bad_code"


@SQLITE
def test_code_guessing_is_slowed_but_the_voter_is_not_locked_out(
    http: Any, runtime: Any, manifest_for: Any, clock: Any
) -> None:
    from fastapi.testclient import TestClient

    roll = [("R1", "a", "1980-01-01"), ("R2", "b", "1980-01-01")]
    codes = make_election(runtime, manifest_for, "small", ["code"], roll)
    url = "/api/v1/elections/small/sessions"
    answers = []
    for i in range(40):  # a guesser behind a shared address (a carrier's NAT)
        answers.append(error_code(http.post(url, json={"code": f"AAAA-BBBB-CCCC-{i:04d}"})))
    assert answers[:30] == [(401, "session.bad_code")] * 30  # 30 free failures
    assert set(answers[30:]) == {(429, "auth.rate_limited")}
    # A voter behind the same address waits seconds, not minutes ...
    limited = http.post(url, json={"code": codes[0]})
    assert error_code(limited) == (429, "auth.rate_limited")
    assert 1 <= int(limited.headers["retry-after"]) <= 2
    clock.advance(seconds=int(limited.headers["retry-after"]))
    assert http.post(url, json={"code": codes[0]}).status_code == 201
    # ... and a voter at home is not affected at all.
    with TestClient(http.app, base_url=REDIRECT_HOST, client=("192.0.2.7", 4000)) as home:
        assert home.post(url, json={"code": codes[1]}).status_code == 201


# -- the sign-in pages on the booth's layout ---------------------------------------------


@SQLITE
def test_sign_in_pages(http: Any, runtime: Any, manifest_for: Any) -> None:
    make_election(runtime, manifest_for, "app", ["oidc"])
    card = http.get("/ja/elections/app/sign-in/card")
    assert card.status_code == 200
    nonce = card.headers["content-security-policy"].split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">' in card.text and 'id="card-form"' in card.text
    page = http.get("/en/elections/app/sign-in/oidc?login_hint=hanako")
    assert page.status_code == 200
    assert "/auth/oidc/begin?election_id=app&amp;lang=en&amp;login_hint=hanako" in page.text
    assert http.get("/en/elections/nope/sign-in/card").status_code == 404
    # The provider's redirect lands on a page that hands the session to the booth.
    begin = http.get(
        "/auth/oidc/begin",
        params={"election_id": "app", "login_hint": "taro", "lang": "en"},
        follow_redirects=False,
    )
    back = urllib.parse.urlsplit(
        httpx.get(begin.headers["location"], follow_redirects=False).headers["location"]
    )
    done = http.get(f"{back.path}?{back.query}", headers={"accept": "text/html"})
    assert done.status_code == 201 and 'id="oidc-session"' in done.text
    assert "/en/elections/app/ballot" in done.text
    failed = http.get("/auth/oidc/callback?state=x&code=y", headers={"accept": "text/html"})
    assert error_code(failed) == (401, "auth.oidc.state_mismatch")  # no cookie: plain JSON
    http.cookies.set("__Host-tohyo-oidc", "s.app.en", domain="testserver.local")
    shown = http.get("/auth/oidc/callback?state=x&code=y", headers={"accept": "text/html"})
    assert shown.status_code == 401 and "auth.oidc.state_mismatch" in shown.text
