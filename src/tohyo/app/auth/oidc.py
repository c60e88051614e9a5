"""OpenID Connect sign-in with PKCE and private_key_jwt (docs/spec/authentication.md §AUTH-OIDC).

:meth:`OidcAuthenticator.begin` makes ``state`` (also set in a ``__Host-``
cookie, binding the flow to the browser), ``nonce`` and a PKCE verifier, keeps
them server-side by the state's hash, and returns the authorization URL.
:meth:`OidcAuthenticator.complete` checks the state against the cookie,
consumes the transaction once, redeems the code at the token endpoint with a
``private_key_jwt`` client assertion and the PKCE verifier, then validates the
ID token (:func:`validate_id_token`): signature via the provider's JWKS,
``iss``, ``aud`` (and ``azp``), ``exp``, ``iat`` and ``nonce``. The pairwise
``sub`` under its issuer is the identity; ``birthdate`` and ``address`` give
eligibility. A provider that follows OIDC Core §5.4 serves those claims from its
userinfo endpoint (the code flow issues an access token), not in the ID token:
they are read there, with the userinfo ``sub`` required to equal the ID token's
(§5.3.4, §AUTH-OIDC-5).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
import urllib.parse
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey
from sqlalchemy import Engine, insert, select, update

from tohyo.app.auth import tables
from tohyo.app.auth._time import as_utc, utcnow
from tohyo.app.auth.eligibility import AddressDirectory, check_eligible
from tohyo.app.auth.errors import NotEligibleVoter, OidcRejected
from tohyo.app.auth.identity import AuthMethodName, IdentityKeyer, VerifiedVoter, VoterAttributes
from tohyo.app.store.db import begin_write
from tohyo.record.manifest import Eligibility

__all__ = ["AuthorizationRedirect", "OidcAuthenticator", "OidcClientConfig", "validate_id_token"]

_LEEWAY = 60  # seconds of clock skew tolerated on exp and iat
_ALGORITHMS = ["RS256", "ES256", "ES384", "PS256"]


def _reject(code: str, message: str) -> OidcRejected:
    return OidcRejected(code, message)


@dataclass(frozen=True, slots=True)
class OidcClientConfig:
    """This relying party at one provider (§AUTH-OIDC-1)."""

    issuer: str
    client_id: str
    redirect_uri: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    client_key: RSAKey  #: private; its public half is registered at the provider
    scope: str = "openid birthdate address"
    timeout: float = 5.0
    userinfo_endpoint: str = ""  #: where the claims are when the ID token lacks them

    @classmethod
    def discover(
        cls,
        issuer: str,
        *,
        client_id: str,
        redirect_uri: str,
        client_key: RSAKey,
        timeout: float = 5.0,
        scope: str = "openid birthdate address",
    ) -> OidcClientConfig:
        """Read the provider's discovery document; its ``issuer`` must match exactly.

        Raises:
            OidcRejected: ``auth.oidc.discovery``.
        """
        try:
            meta = httpx.get(
                issuer.rstrip("/") + "/.well-known/openid-configuration", timeout=timeout
            ).json()
        except (httpx.HTTPError, ValueError) as exc:
            raise _reject("auth.oidc.discovery", "The sign-in provider is unavailable.") from exc
        endpoints = ("authorization_endpoint", "token_endpoint", "jwks_uri")
        if (
            not isinstance(meta, dict)
            or meta.get("issuer") != issuer.rstrip("/")
            or not all(isinstance(meta.get(k), str) for k in endpoints)
        ):
            raise _reject("auth.oidc.discovery", "The sign-in provider is misconfigured.")
        return cls(
            issuer.rstrip("/"),
            client_id,
            redirect_uri,
            meta["authorization_endpoint"],
            meta["token_endpoint"],
            meta["jwks_uri"],
            client_key,
            scope=scope,
            timeout=timeout,
            userinfo_endpoint=(
                meta["userinfo_endpoint"] if isinstance(meta.get("userinfo_endpoint"), str) else ""
            ),
        )


@dataclass(frozen=True, slots=True)
class AuthorizationRedirect:
    url: str
    state: str  #: also goes into the ``__Host-tohyo-oidc`` cookie


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _hash(state: str) -> str:
    return hashlib.sha256(b"tohyo/1/auth/oidc-state\x00" + state.encode()).hexdigest()


def validate_id_token(
    token: str,
    *,
    keys: KeySet,
    issuer: str,
    client_id: str,
    nonce: str,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Check an ID token (OIDC Core §3.1.3.7) and return its claims.

    Raises:
        OidcRejected: ``auth.oidc.bad_token`` (malformed), ``.bad_signature``,
            ``.wrong_issuer``, ``.wrong_audience``, ``.expired``, ``.bad_iat``,
            ``.wrong_nonce``, ``.no_subject``.
    """
    try:
        decoded = jwt.decode(token, keys, algorithms=_ALGORITHMS)
    except (JoseError, ValueError, TypeError) as exc:
        name = type(exc).__name__
        if "Signature" in name or "Key" in name:
            raise _reject("auth.oidc.bad_signature", "The sign-in token is not authentic.") from exc
        raise _reject("auth.oidc.bad_token", "The sign-in token is malformed.") from exc
    claims = decoded.claims
    moment = int(utcnow(now).timestamp())
    if claims.get("iss") != issuer:
        raise _reject("auth.oidc.wrong_issuer", "The sign-in token is from another provider.")
    aud = claims.get("aud")
    audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
    if client_id not in audiences or (len(audiences) > 1 and claims.get("azp") != client_id):
        raise _reject("auth.oidc.wrong_audience", "The sign-in token is for another service.")
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int) or exp + _LEEWAY < moment:
        raise _reject("auth.oidc.expired", "The sign-in token has expired; sign in again.")
    if not isinstance(iat, int) or iat > moment + _LEEWAY:
        raise _reject("auth.oidc.bad_iat", "The sign-in token is dated in the future.")
    presented = claims.get("nonce")
    if not isinstance(presented, str) or not hmac.compare_digest(presented, nonce):
        raise _reject("auth.oidc.wrong_nonce", "The sign-in token does not belong to this sign-in.")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise _reject("auth.oidc.no_subject", "The sign-in token names no subject.")
    return dict(claims)


def _attributes(claims: dict[str, Any], directory: AddressDirectory) -> VoterAttributes:
    birth: date | None = None
    raw = claims.get("birthdate")
    if isinstance(raw, str):
        try:
            birth = date.fromisoformat(raw)
        except ValueError:
            birth = None
    address = claims.get("address")
    text = ""
    if isinstance(address, dict):
        text = str(address.get("formatted") or "") or "".join(
            str(address.get(k) or "") for k in ("region", "locality", "street_address")
        )
    if birth is None or not text:
        raise NotEligibleVoter(
            "auth.eligibility.missing_attribute",
            "The sign-in provider did not share the birth date and address this election needs.",
        )
    code, district = directory.resolve(text)
    return VoterAttributes(birth, code, district)


class OidcAuthenticator:
    """The relying party (§AUTH-OIDC); transactions live in ``auth_oidc_transactions``."""

    def __init__(
        self,
        config: OidcClientConfig,
        *,
        engine: Engine,
        keyer: IdentityKeyer,
        directory: AddressDirectory,
        ttl: timedelta = timedelta(minutes=10),
        identity: str = "pairwise",
    ) -> None:
        if identity not in ("pairwise", "resident"):
            raise ValueError("identity is 'pairwise' or 'resident'")
        self.config = config
        self.engine = engine
        self.keyer = keyer
        self.directory = directory
        self.ttl = ttl
        self.identity = identity
        self._keys: KeySet | None = None

    def begin(
        self, election_id: str, *, now: datetime | None = None, login_hint: str = ""
    ) -> AuthorizationRedirect:
        """Start a sign-in; send the browser to ``url`` and set the state cookie."""
        moment = utcnow(now)
        state, nonce, verifier = (
            _b64(secrets.token_bytes(32)),
            _b64(secrets.token_bytes(32)),
            _b64(secrets.token_bytes(48)),
        )
        challenge = _b64(hashlib.sha256(verifier.encode("ascii")).digest())
        with begin_write(self.engine) as conn:
            conn.execute(
                insert(tables.oidc_transactions).values(
                    state_hash=_hash(state),
                    election_id=election_id,
                    nonce=nonce,
                    code_verifier=verifier,
                    created_at=moment,
                    expires_at=moment + self.ttl,
                    used_at=None,
                )
            )
        params = {
            "response_type": "code",
            "client_id": self.config.client_id,
            "redirect_uri": self.config.redirect_uri,
            "scope": self.config.scope,
            "state": state,
            "nonce": nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        if login_hint:
            params["login_hint"] = login_hint
        url = self.config.authorization_endpoint + "?" + urllib.parse.urlencode(params)
        return AuthorizationRedirect(url, state)

    def _consume(self, state: str, moment: datetime) -> tuple[str, str, str]:
        t = tables.oidc_transactions
        key = _hash(state)
        with begin_write(self.engine) as conn:
            row = conn.execute(select(t).where(t.c.state_hash == key)).first()
            if row is None or row.used_at is not None:
                raise _reject("auth.oidc.state_unknown", "This sign-in is unknown or finished.")
            if as_utc(row.expires_at) <= moment:
                raise _reject("auth.oidc.state_expired", "This sign-in took too long; start again.")
            done = conn.execute(
                update(t).where(t.c.state_hash == key, t.c.used_at.is_(None)).values(used_at=moment)
            )
            if done.rowcount != 1:
                raise _reject("auth.oidc.state_unknown", "This sign-in is unknown or finished.")
        return row.election_id, row.nonce, row.code_verifier

    def client_assertion(self) -> str:
        """RFC 7523 §2.2 assertion: iss = sub = client id, aud = token endpoint, 60 s."""
        now = int(time.time())
        claims = {
            "iss": self.config.client_id,
            "sub": self.config.client_id,
            "aud": self.config.token_endpoint,
            "jti": secrets.token_hex(16),
            "iat": now,
            "exp": now + 60,
        }
        header = {"alg": "RS256", "kid": str(self.config.client_key.kid)}
        return jwt.encode(header, claims, self.config.client_key)

    def _keyset(self, refresh: bool = False) -> KeySet:
        if self._keys is None or refresh:
            try:
                data = httpx.get(self.config.jwks_uri, timeout=self.config.timeout).json()
                self._keys = KeySet.import_key_set(data)
            except (httpx.HTTPError, ValueError, JoseError) as exc:
                raise _reject(
                    "auth.oidc.discovery", "The sign-in provider is unavailable."
                ) from exc
        return self._keys

    def complete(
        self,
        *,
        election_id: str,
        rules: Eligibility,
        state: str,
        browser_state: str,
        code: str,
        now: datetime | None = None,
    ) -> VerifiedVoter:
        """Finish the sign-in at the redirect URI (§AUTH-OIDC-3).

        Raises:
            OidcRejected: ``auth.oidc.state_mismatch``, ``.state_unknown``,
                ``.state_expired``, ``.token_error`` or an ID-token refusal.
            NotEligibleVoter: the claims do not meet the election's rules.
        """
        moment = utcnow(now)
        if not state or not browser_state or not hmac.compare_digest(state, browser_state):
            raise _reject("auth.oidc.state_mismatch", "This sign-in did not start in this browser.")
        stored_election, nonce, verifier = self._consume(state, moment)
        if stored_election != election_id:
            raise _reject("auth.oidc.state_mismatch", "This sign-in is for another election.")
        token, access_token = self._redeem(code, verifier)
        try:
            claims = validate_id_token(
                token,
                keys=self._keyset(),
                issuer=self.config.issuer,
                client_id=self.config.client_id,
                nonce=nonce,
                now=moment,
            )
        except OidcRejected as exc:
            if exc.code != "auth.oidc.bad_signature":
                raise
            # The provider may have rotated its keys: fetch once more, then decide.
            claims = validate_id_token(
                token,
                keys=self._keyset(refresh=True),
                issuer=self.config.issuer,
                client_id=self.config.client_id,
                nonce=nonce,
                now=moment,
            )
        claims = self._with_userinfo(claims, access_token)
        attributes = _attributes(claims, self.directory)
        check_eligible(rules, attributes)
        if self.identity == "resident":
            # §AUTH-ROLL-2: a provider that vouches for the card's basic items; the
            # voter is then the same person as with the card or on the roll.
            name = claims.get("name")
            if not isinstance(name, str) or not name.strip() or attributes.birth_date is None:
                raise NotEligibleVoter(
                    "auth.eligibility.missing_attribute",
                    "The sign-in provider did not share the name this election needs.",
                )
            key = self.keyer.for_resident(name, attributes.birth_date)
            return VerifiedVoter(key, attributes, AuthMethodName.OIDC, resident=True)
        key = self.keyer.for_oidc_subject(str(claims["iss"]), str(claims["sub"]))
        return VerifiedVoter(key, attributes, AuthMethodName.OIDC)

    _WANTED = ("birthdate", "address", "name")

    def _with_userinfo(self, claims: dict[str, Any], access_token: str) -> dict[str, Any]:
        """Add the claims the ID token lacks from the userinfo endpoint (§AUTH-OIDC-5).

        The ID token's own claims win; the userinfo answer must be JSON naming the same
        ``sub`` (OIDC Core §5.3.4), else it could be another person's.

        Raises:
            OidcRejected: ``auth.oidc.userinfo_error``, ``auth.oidc.userinfo_subject``.
        """
        if all(k in claims for k in self._WANTED) or not self.config.userinfo_endpoint:
            return claims
        if not access_token:
            return claims
        try:
            response = httpx.get(
                self.config.userinfo_endpoint,
                headers={"Authorization": "Bearer " + access_token},
                timeout=self.config.timeout,
            )
            body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise _reject("auth.oidc.userinfo_error", "The sign-in provider refused.") from exc
        if response.status_code != 200 or not isinstance(body, dict):
            raise _reject("auth.oidc.userinfo_error", "The sign-in provider refused.")
        if body.get("sub") != claims.get("sub"):
            raise _reject(
                "auth.oidc.userinfo_subject", "The sign-in provider answered for someone else."
            )
        merged = dict(claims)
        for key in self._WANTED:
            if key not in merged and key in body:
                merged[key] = body[key]
        return merged

    def redeem_code(self, code: str, verifier: str) -> str:
        """Exchange the code for an ID token with private_key_jwt and the PKCE verifier.

        Raises:
            OidcRejected: ``auth.oidc.token_error``.
        """
        return self._redeem(code, verifier)[0]

    def _redeem(self, code: str, verifier: str) -> tuple[str, str]:
        """As :meth:`redeem_code`; returns the ID token and the access token ("" if none)."""
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.config.redirect_uri,
            "code_verifier": verifier,
            "client_id": self.config.client_id,
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": self.client_assertion(),
        }
        try:
            response = httpx.post(
                self.config.token_endpoint, data=form, timeout=self.config.timeout
            )
            body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise _reject("auth.oidc.token_error", "The sign-in provider refused.") from exc
        if (
            response.status_code != 200
            or not isinstance(body, dict)
            or not isinstance(body.get("id_token"), str)
        ):
            raise _reject("auth.oidc.token_error", "The sign-in provider refused the code.")
        access = body.get("access_token")
        return str(body["id_token"]), access if isinstance(access, str) else ""
