"""OpenID Connect against a real Authlib provider on loopback, and every bad token."""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Iterator

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from tohyo.app.auth.eligibility import TSUKUBA
from tohyo.app.auth.errors import AuthError
from tohyo.app.auth.identity import AuthMethodName
from tohyo.app.auth.oidc import OidcAuthenticator, OidcClientConfig, validate_id_token
from tohyo.testidp import ProviderServer, RegisteredClient, TestUser

ELECTION = "tsukuba-2025-survey"
REDIRECT = "https://vote.tsukuba.example/auth/oidc/callback"


@pytest.fixture(scope="module")
def idp() -> Iterator[ProviderServer]:
    server = ProviderServer().start()
    server.provider.add_user(
        TestUser("u1", "筑波 花子", "1985-05-05", "茨城県", "つくば市", "研究学園1")
    )
    server.provider.add_user(TestUser("u2", "水戸 一郎", "1985-05-05", "茨城県", "水戸市"))
    server.provider.add_user(TestUser("kid", "筑波 三郎", "2020-01-01", "茨城県", "つくば市"))
    yield server
    server.close()


@pytest.fixture(scope="module")
def client_key() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": "rp-1"})


@pytest.fixture
def rp(idp, client_key, engine, keyer) -> OidcAuthenticator:
    public = KeySet([client_key]).as_dict(private=False)
    idp.provider.register_client(RegisteredClient("tohyo", (REDIRECT,), public))
    config = OidcClientConfig.discover(
        idp.issuer, client_id="tohyo", redirect_uri=REDIRECT, client_key=client_key
    )
    return OidcAuthenticator(config, engine=engine, keyer=keyer, directory=TSUKUBA)


def _authorize(rp: OidcAuthenticator, user: str) -> tuple[str, str]:
    """Play the browser: follow the authorization URL, read code and state from the redirect."""
    redirect = rp.begin(ELECTION, login_hint=user)
    response = httpx.get(redirect.url, follow_redirects=False)
    assert response.status_code == 302, response.text
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(response.headers["location"]).query))
    assert query["state"] == redirect.state
    return query["code"], redirect.state


def test_sign_in_with_pairwise_subject(rp, rules) -> None:
    code, state = _authorize(rp, "u1")
    voter = rp.complete(
        election_id=ELECTION, rules=rules, state=state, browser_state=state, code=code
    )
    assert voter.method is AuthMethodName.OIDC
    assert voter.attributes.address_code == "082201"
    again_code, again_state = _authorize(rp, "u1")
    again = rp.complete(
        election_id=ELECTION,
        rules=rules,
        state=again_state,
        browser_state=again_state,
        code=again_code,
    )
    assert again.identity_key == voter.identity_key


def test_pairwise_subjects_differ_per_relying_party(idp) -> None:
    p = idp.provider
    p.register_client(RegisteredClient("other", ("https://other.example/cb",), {"keys": []}))
    user = p.users["u1"]
    assert p.pairwise_subject(user, "tohyo") != p.pairwise_subject(user, "other")


@pytest.mark.parametrize(
    ("user", "code"),
    [("u2", "auth.eligibility.outside_area"), ("kid", "auth.eligibility.under_age")],
)
def test_eligibility_from_claims(rp, rules, user: str, code: str) -> None:
    auth_code, state = _authorize(rp, user)
    with pytest.raises(AuthError) as excinfo:
        rp.complete(
            election_id=ELECTION, rules=rules, state=state, browser_state=state, code=auth_code
        )
    assert excinfo.value.code == code


def test_state_mismatch(rp, rules) -> None:
    code, state = _authorize(rp, "u1")
    for browser in ("", "someone-elses-state"):
        with pytest.raises(AuthError) as excinfo:
            rp.complete(
                election_id=ELECTION, rules=rules, state=state, browser_state=browser, code=code
            )
        assert excinfo.value.code == "auth.oidc.state_mismatch"


def test_state_used_twice(rp, rules) -> None:
    code, state = _authorize(rp, "u1")
    rp.complete(election_id=ELECTION, rules=rules, state=state, browser_state=state, code=code)
    with pytest.raises(AuthError) as excinfo:
        rp.complete(election_id=ELECTION, rules=rules, state=state, browser_state=state, code=code)
    assert excinfo.value.code == "auth.oidc.state_unknown"


def test_token_request_without_pkce_verifier_is_refused(rp) -> None:
    code, _ = _authorize(rp, "u1")
    with pytest.raises(AuthError) as excinfo:
        rp.redeem_code(code, "")
    assert excinfo.value.code == "auth.oidc.token_error"


def test_token_request_with_wrong_pkce_verifier_is_refused(rp) -> None:
    code, _ = _authorize(rp, "u1")
    with pytest.raises(AuthError) as excinfo:
        rp.redeem_code(code, "x" * 64)
    assert excinfo.value.code == "auth.oidc.token_error"


def test_client_assertion_by_another_key_is_refused(rp, rules) -> None:
    code, state = _authorize(rp, "u1")
    rogue = RSAKey.generate_key(2048, parameters={"kid": "rp-1"})
    forged = OidcAuthenticator(
        OidcClientConfig(
            **{
                **{f: getattr(rp.config, f) for f in rp.config.__dataclass_fields__},
                "client_key": rogue,
            }
        ),
        engine=rp.engine,
        keyer=rp.keyer,
        directory=TSUKUBA,
    )
    with pytest.raises(AuthError) as excinfo:
        forged.complete(
            election_id=ELECTION, rules=rules, state=state, browser_state=state, code=code
        )
    assert excinfo.value.code == "auth.oidc.token_error"


# -- ID-token validation, one bad claim at a time ---------------------------------------

ISS, AUD, NONCE = "https://idp.example", "tohyo", "n-123"
KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"})
KEYS = KeySet([KEY])


def _token(key: RSAKey = KEY, **changes) -> str:
    now = int(time.time())
    claims = {
        "iss": ISS,
        "aud": AUD,
        "sub": "pairwise-1",
        "nonce": NONCE,
        "iat": now,
        "exp": now + 300,
    }
    claims.update(changes)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key)


def _validate(token: str) -> dict:
    return validate_id_token(token, keys=KEYS, issuer=ISS, client_id=AUD, nonce=NONCE)


def test_good_token() -> None:
    assert _validate(_token())["sub"] == "pairwise-1"


@pytest.mark.parametrize(
    ("token", "code"),
    [
        (
            lambda: _token(key=RSAKey.generate_key(2048, parameters={"kid": "k1"})),
            "auth.oidc.bad_signature",
        ),
        (lambda: _token(iss="https://evil.example"), "auth.oidc.wrong_issuer"),
        (lambda: _token(aud="someone-else"), "auth.oidc.wrong_audience"),
        (lambda: _token(aud=[AUD, "other"]), "auth.oidc.wrong_audience"),  # no azp
        (lambda: _token(exp=int(time.time()) - 3600), "auth.oidc.expired"),
        (lambda: _token(iat=int(time.time()) + 3600), "auth.oidc.bad_iat"),
        (lambda: _token(nonce="replayed"), "auth.oidc.wrong_nonce"),
        (lambda: _token(nonce=None), "auth.oidc.wrong_nonce"),
        (lambda: _token(sub=None), "auth.oidc.no_subject"),
        (lambda: "not.a.jwt", "auth.oidc.bad_token"),
        (lambda: _token()[:-20], "auth.oidc.bad_signature"),
    ],
)
def test_bad_tokens(token, code: str) -> None:
    with pytest.raises(AuthError) as excinfo:
        _validate(token())
    assert excinfo.value.code == code


def test_alg_none_is_refused() -> None:
    import base64
    import json

    def b64(obj) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    now = int(time.time())
    unsigned = (
        b64({"alg": "none"})
        + "."
        + b64({"iss": ISS, "aud": AUD, "sub": "x", "nonce": NONCE, "iat": now, "exp": now + 60})
        + "."
    )
    with pytest.raises(AuthError):
        _validate(unsigned)
