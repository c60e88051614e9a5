"""The city-app sign-in against an independent, OpenID Certified provider (issue 10, item 8).

``tohyo.app.auth.oidc`` and ``tohyo.testidp`` are built on the same library, so a shared
misunderstanding would pass both. Here the provider is panva's ``oidc-provider`` (npm, OpenID
Certified), run by ``oidc_provider/provider.mjs`` on loopback: authorization code with PKCE
required, ``private_key_jwt`` only, pairwise subjects, and scope claims served from the
userinfo endpoint as OIDC Core §5.4 says (not copied into the ID token).

Refusals and how each is produced by the real provider, honestly:

* bad nonce: the authorization request is sent with another nonce than the one the relying
  party keeps for its state (a code injected from another sign-in); the provider signs a real
  ID token carrying that nonce, and the relying party refuses it;
* wrong audience: a second client registered at the provider (``other-app``, its own key) gets a
  real ID token; the relying party refuses it as ``tohyo``. And a code issued to ``other-app``
  but redeemed by ``tohyo`` is refused by the provider;
* expired token: a real ID token (the provider's one-hour lifetime) checked on the relying
  party's clock two hours later (the clock is the only thing moved);
* replayed code: the same code redeemed twice — refused by the relying party (state used) and,
  redeemed again past it, by the provider itself.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.parse
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from joserfc.jwk import KeySet, RSAKey
from sqlalchemy import select

from tohyo.app.auth import tables
from tohyo.app.auth._time import utcnow
from tohyo.app.auth.eligibility import TSUKUBA
from tohyo.app.auth.errors import NotEligibleVoter, OidcRejected
from tohyo.app.auth.identity import AuthMethodName
from tohyo.app.auth.oidc import OidcAuthenticator, OidcClientConfig, validate_id_token

ELECTION = "tsukuba-2025-survey"
REDIRECT = "https://vote.tsukuba.example/auth/oidc/callback"
OTHER_REDIRECT = "https://other.example/callback"
SCRIPT = Path(__file__).parent / "oidc_provider" / "provider.mjs"
ROOT = Path(__file__).resolve().parents[3]

USERS = {
    "u1": {
        "birthdate": "1985-05-05",
        "name": "筑波 花子",
        "address": {"region": "茨城県", "locality": "つくば市", "street_address": "研究学園1"},
    },
    "mito": {
        "birthdate": "1985-05-05",
        "name": "水戸 一郎",
        "address": {"region": "茨城県", "locality": "水戸市", "street_address": "三の丸1"},
    },
}


@pytest.fixture(scope="module")
def keys() -> dict[str, RSAKey]:
    return {
        "tohyo": RSAKey.generate_key(2048, parameters={"kid": "rp-1"}),
        "other-app": RSAKey.generate_key(2048, parameters={"kid": "other-1"}),
    }


@pytest.fixture(scope="module")
def op(keys, tmp_path_factory) -> Iterator[str]:
    """Start oidc-provider on loopback; yield its issuer."""
    node = shutil.which("node")
    assert node, "node is required (scripts/setup installs it)"
    assert (ROOT / "node_modules" / "oidc-provider").is_dir(), "run npm ci (scripts/setup)"
    config = {
        "clients": [
            {
                "client_id": "tohyo",
                "redirect_uris": [REDIRECT],
                "jwks": KeySet([keys["tohyo"]]).as_dict(private=False),
            },
            {
                "client_id": "other-app",
                "redirect_uris": [OTHER_REDIRECT],
                "jwks": KeySet([keys["other-app"]]).as_dict(private=False),
            },
        ],
        "users": USERS,
    }
    path = tmp_path_factory.mktemp("op") / "config.json"
    path.write_text(json.dumps(config))
    process = subprocess.Popen(
        [node, str(SCRIPT), str(path)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line, "oidc-provider did not start"
        yield json.loads(line)["issuer"]
    finally:
        assert process.stdin is not None
        process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _rp(op: str, keys, engine, keyer, client_id: str = "tohyo", **kw) -> OidcAuthenticator:
    redirect = REDIRECT if client_id == "tohyo" else OTHER_REDIRECT
    config = OidcClientConfig.discover(
        op, client_id=client_id, redirect_uri=redirect, client_key=keys[client_id]
    )
    return OidcAuthenticator(config, engine=engine, keyer=keyer, directory=TSUKUBA, **kw)


@pytest.fixture
def rp(op, keys, engine, keyer) -> OidcAuthenticator:
    return _rp(op, keys, engine, keyer)


def _browse(url: str, until: str) -> dict[str, str]:
    """Play the browser (with its cookie jar) until the provider redirects to ``until``."""
    with httpx.Client(follow_redirects=False, timeout=10) as browser:
        for _ in range(10):
            response = browser.get(url)
            assert response.status_code in (302, 303), (response.status_code, response.text)
            url = urllib.parse.urljoin(url, response.headers["location"])
            if url.startswith(until):
                return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    raise AssertionError("the provider never redirected back")


def _with(url: str, **changes: str) -> str:
    parts = urllib.parse.urlsplit(url)
    query = dict(urllib.parse.parse_qsl(parts.query))
    query.update(changes)
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def _authorize(rp: OidcAuthenticator, user: str, **changes: str) -> tuple[str, str]:
    redirect = rp.begin(ELECTION, login_hint=user)
    query = _browse(_with(redirect.url, **changes), rp.config.redirect_uri)
    assert "error" not in query, query
    assert query["state"] == redirect.state
    return query["code"], redirect.state


def _verifier(rp: OidcAuthenticator, state: str) -> str:
    from tohyo.app.auth.oidc import _hash

    t = tables.oidc_transactions
    with rp.engine.connect() as conn:
        return str(
            conn.execute(
                select(t.c.code_verifier).where(t.c.state_hash == _hash(state))
            ).scalar_one()
        )


def _complete(rp: OidcAuthenticator, rules, code: str, state: str, **kw):
    return rp.complete(
        election_id=ELECTION, rules=rules, state=state, browser_state=state, code=code, **kw
    )


def test_sign_in_against_certified_provider(rp, rules) -> None:
    """PKCE + private_key_jwt + pairwise subject; claims from the userinfo endpoint."""
    code, state = _authorize(rp, "u1")
    voter = _complete(rp, rules, code, state)
    assert voter.method is AuthMethodName.OIDC
    assert voter.attributes.address_code == "082201"
    code, state = _authorize(rp, "u1")
    assert _complete(rp, rules, code, state).identity_key == voter.identity_key


def test_the_provider_requires_pkce(rp) -> None:
    redirect = rp.begin(ELECTION, login_hint="u1")
    parts = urllib.parse.urlsplit(redirect.url)
    query = {
        k: v
        for k, v in urllib.parse.parse_qsl(parts.query)
        if k not in ("code_challenge", "code_challenge_method")
    }
    url = urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))
    answer = _browse(url, rp.config.redirect_uri)
    assert answer["error"] == "invalid_request"
    assert "code" not in answer


def test_wrong_pkce_verifier_is_refused_by_the_provider(rp) -> None:
    code, _state = _authorize(rp, "u1")
    with pytest.raises(OidcRejected) as refused:
        rp.redeem_code(code, "x" * 64)
    assert refused.value.code == "auth.oidc.token_error"


def test_client_assertion_signed_by_another_key_is_refused(op, keys, engine, keyer) -> None:
    rp = _rp(op, keys, engine, keyer)
    code, state = _authorize(rp, "u1")
    impostor = OidcClientConfig.discover(
        op, client_id="tohyo", redirect_uri=REDIRECT, client_key=keys["other-app"]
    )
    forged = OidcAuthenticator(impostor, engine=engine, keyer=keyer, directory=TSUKUBA)
    with pytest.raises(OidcRejected) as refused:
        forged.redeem_code(code, _verifier(rp, state))
    assert refused.value.code == "auth.oidc.token_error"


def test_bad_nonce_is_refused(rp, rules) -> None:
    code, state = _authorize(rp, "u1", nonce="a-nonce-from-another-sign-in")
    with pytest.raises(OidcRejected) as refused:
        _complete(rp, rules, code, state)
    assert refused.value.code == "auth.oidc.wrong_nonce"


def test_token_for_another_client_is_refused(op, keys, engine, keyer, rp) -> None:
    other = _rp(op, keys, engine, keyer, client_id="other-app")
    code, state = _authorize(other, "u1", nonce="n-other")
    token = other.redeem_code(code, _verifier(other, state))
    with pytest.raises(OidcRejected) as refused:
        validate_id_token(
            token, keys=rp._keyset(), issuer=rp.config.issuer, client_id="tohyo", nonce="n-other"
        )
    assert refused.value.code == "auth.oidc.wrong_audience"
    # The same token passes for its own audience: the refusal above is the audience alone.
    claims = validate_id_token(
        token, keys=rp._keyset(), issuer=rp.config.issuer, client_id="other-app", nonce="n-other"
    )
    assert claims["aud"] == "other-app"


def test_code_issued_to_another_client_is_refused(rp, rules) -> None:
    # The authorization request is made as `other-app` (its own redirect URI), the code then
    # handed to this relying party, which redeems it as `tohyo`: the provider refuses.
    redirect = rp.begin(ELECTION, login_hint="u1")
    url = _with(redirect.url, client_id="other-app", redirect_uri=OTHER_REDIRECT)
    query = _browse(url, OTHER_REDIRECT)
    with pytest.raises(OidcRejected) as refused:
        _complete(rp, rules, query["code"], redirect.state)
    assert refused.value.code == "auth.oidc.token_error"


def test_expired_token_is_refused(op, keys, engine, keyer, rules) -> None:
    rp = _rp(op, keys, engine, keyer, ttl=timedelta(hours=3))
    code, state = _authorize(rp, "u1")
    with pytest.raises(OidcRejected) as refused:
        _complete(rp, rules, code, state, now=utcnow() + timedelta(hours=2))
    assert refused.value.code == "auth.oidc.expired"


def test_replayed_code_is_refused_by_both(rp, rules) -> None:
    code, state = _authorize(rp, "u1")
    verifier = _verifier(rp, state)
    _complete(rp, rules, code, state)
    with pytest.raises(OidcRejected) as refused:
        _complete(rp, rules, code, state)
    assert refused.value.code == "auth.oidc.state_unknown"
    # Past the relying party's own check: the provider refuses the used code too.
    with pytest.raises(OidcRejected) as refused:
        rp.redeem_code(code, verifier)
    assert refused.value.code == "auth.oidc.token_error"


def test_ineligible_address_from_userinfo_is_refused(rp, rules) -> None:
    code, state = _authorize(rp, "mito")
    with pytest.raises(NotEligibleVoter):
        _complete(rp, rules, code, state)
