"""A real OpenID Connect provider on Authlib (docs/spec/authentication.md §AUTH-TESTIDP).

It stands in for a city app's login or the Digital Agency's authentication
app: authorization code flow only, PKCE S256 required, ``nonce`` required,
``private_key_jwt`` client authentication only, RS256 ID tokens carrying a
*pairwise* subject (per sector: the redirect URI's host) and the claims
``birthdate`` and ``address`` (OIDC Core §5.1). There is no login page: the
user is chosen with ``login_hint`` (a test-only shortcut, documented).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from authlib.oauth2 import AuthorizationServer, OAuth2Request
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc6749.models import AuthorizationCodeMixin
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload, JsonRequest
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from joserfc.jwk import KeySet, RSAKey

__all__ = ["Provider", "RegisteredClient", "TestUser"]

SCOPES = frozenset({"openid", "profile", "address", "birthdate"})


@dataclass(frozen=True, slots=True)
class TestUser:
    """A resident known to the provider."""

    __test__ = False

    user_id: str
    name: str
    birthdate: str  #: ``YYYY-MM-DD``
    region: str  #: prefecture, e.g. ``茨城県``
    locality: str  #: municipality, e.g. ``つくば市``
    street: str = ""


@dataclass(frozen=True, slots=True)
class RegisteredClient(ClientMixin):
    """A relying party: ``jwks`` holds its public key for ``private_key_jwt``."""

    client_id: str
    redirect_uris: tuple[str, ...]
    jwks: dict[str, Any]

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope: str) -> str:
        return " ".join(s for s in scope.split() if s in SCOPES)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return False  # no shared secrets: private_key_jwt only

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return endpoint != "token" or method == "private_key_jwt"

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class _Code(AuthorizationCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    user: TestUser
    nonce: str
    code_challenge: str
    code_challenge_method: str
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> None:
        return None


class _Request(OAuth2Request):
    def __init__(self, method: str, uri: str, headers: dict[str, str], values: dict[str, str]):
        super().__init__(method, uri, headers=headers)
        self._values = values
        self.payload = BasicOAuth2Payload(values)

    @property
    def args(self) -> dict[str, str]:
        return self._values if self.method == "GET" else {}

    @property
    def form(self) -> dict[str, str]:
        return self._values if self.method == "POST" else {}


class Provider(AuthorizationServer):  # type: ignore[misc]
    """The provider's state and Authlib wiring; :mod:`tohyo.testidp.server` serves it."""

    def __init__(self, issuer: str, *, pairwise_secret: bytes | None = None) -> None:
        super().__init__(scopes_supported=sorted(SCOPES))
        self.issuer = issuer.rstrip("/")
        self.signing_key = RSAKey.generate_key(2048, parameters={"kid": secrets.token_hex(8)})
        self.pairwise_secret = pairwise_secret or secrets.token_bytes(32)
        self.clients: dict[str, RegisteredClient] = {}
        self.users: dict[str, TestUser] = {}
        self.codes: dict[str, _Code] = {}
        self.used_jti: set[str] = set()
        self.token_url = self.issuer + "/token"
        #: Tests only: rewrites each successful token response (a forged ID token).
        self.tamper: Callable[[dict[str, Any]], dict[str, Any]] | None = None
        provider = self

        class CodeGrant(grants.AuthorizationCodeGrant):  # type: ignore[misc]
            TOKEN_ENDPOINT_AUTH_METHODS = ["private_key_jwt"]  # noqa: RUF012

            def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
                data = request.payload.data
                provider.codes[code] = _Code(
                    code=code,
                    client_id=request.client.client_id,
                    redirect_uri=data.get("redirect_uri", ""),
                    scope=request.client.get_allowed_scope(data.get("scope", "")),
                    user=request.user,
                    nonce=data.get("nonce", ""),
                    code_challenge=data.get("code_challenge", ""),
                    code_challenge_method=data.get("code_challenge_method", ""),
                )

            def query_authorization_code(self, code: str, client: RegisteredClient) -> _Code | None:
                item = provider.codes.get(code)
                if item is not None and item.client_id == client.client_id:
                    return item
                return None

            def delete_authorization_code(self, authorization_code: _Code) -> None:
                provider.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code: _Code) -> TestUser:
                return authorization_code.user

        class IdToken(OpenIDCode):  # type: ignore[misc]
            def exists_nonce(self, nonce: str, request: OAuth2Request) -> bool:
                return any(c.nonce == nonce for c in provider.codes.values())

            def resolve_client_private_key(self, client: RegisteredClient) -> RSAKey:
                return provider.signing_key

            def get_client_algorithm(self, client: RegisteredClient) -> str:
                return "RS256"

            def get_client_claims(self, client: RegisteredClient) -> dict[str, Any]:
                return {
                    "iss": provider.issuer,
                    "aud": [client.client_id],
                    "exp": int(time.time()) + 300,
                }

            def get_encode_header(self, client: RegisteredClient) -> dict[str, str]:
                return {"alg": "RS256", "kid": str(provider.signing_key.kid)}

            def generate_user_info(self, user: TestUser, scope: str) -> UserInfo:
                return provider.user_info(user, self_client_id[0], scope)

        self_client_id = [""]  # set per token request, for the pairwise sector

        class ClientAssertion(JWTBearerClientAssertion):  # type: ignore[misc]
            CLIENT_AUTH_METHOD = "private_key_jwt"

            def get_audiences(self) -> list[str]:
                return [provider.token_url, provider.issuer]

            def validate_jti(self, claims: dict[str, Any], jti: str) -> bool:
                if jti in provider.used_jti:
                    return False
                provider.used_jti.add(jti)
                return True

            def resolve_client_public_key(self, client: RegisteredClient) -> KeySet:
                self_client_id[0] = client.client_id
                return KeySet.import_key_set(client.jwks)

        self.register_token_generator(
            "default", BearerTokenGenerator(lambda *_a, **_k: secrets.token_urlsafe(32))
        )
        self.register_grant(CodeGrant, [CodeChallenge(required=True), IdToken(require_nonce=True)])
        self.register_client_auth_method("private_key_jwt", ClientAssertion())

    # -- Authlib framework hooks ---------------------------------------------------------

    def query_client(self, client_id: str) -> RegisteredClient | None:
        return self.clients.get(client_id)

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        return None  # access tokens are not used by Tohyo; nothing to keep

    def create_oauth2_request(self, request: _Request) -> _Request:
        return request

    def create_json_request(self, request: _Request) -> JsonRequest:
        return JsonRequest(request.method, request.uri, request.headers)

    def handle_response(self, status: int, body: Any, headers: Any) -> tuple[int, Any, Any]:
        return status, body, headers

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        return None

    # -- test data -----------------------------------------------------------------------

    def register_client(self, client: RegisteredClient) -> None:
        self.clients[client.client_id] = client

    def add_user(self, user: TestUser) -> None:
        self.users[user.user_id] = user

    def pairwise_subject(self, user: TestUser, client_id: str) -> str:
        """OIDC Core §8.1: one subject per (sector, user); here the sector is the RP's host."""
        client = self.clients[client_id]
        sector = urllib.parse.urlsplit(client.redirect_uris[0]).hostname or client_id
        mac = hmac.new(self.pairwise_secret, f"{sector}\x00{user.user_id}".encode(), hashlib.sha256)
        return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()

    def user_info(self, user: TestUser, client_id: str, scope: str) -> UserInfo:
        info = UserInfo(sub=self.pairwise_subject(user, client_id))
        scopes = set(scope.split())
        if "profile" in scopes:
            info["name"] = user.name
        if "birthdate" in scopes or "profile" in scopes:
            info["birthdate"] = user.birthdate
        if "address" in scopes:
            info["address"] = {
                "formatted": f"{user.region}{user.locality}{user.street}",
                "region": user.region,
                "locality": user.locality,
                "street_address": user.street,
                "country": "JP",
            }
        return info

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self.issuer + "/authorize",
            "token_endpoint": self.token_url,
            "jwks_uri": self.issuer + "/jwks",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": sorted(SCOPES),
            "claims_supported": ["sub", "name", "birthdate", "address"],
        }

    def jwks(self) -> dict[str, Any]:
        return KeySet([self.signing_key]).as_dict(private=False)
