"""The authentication components of one running service (docs/spec/authentication.md §AUTH-CONF).

:func:`build_auth` assembles, once per process, everything the routes need on
the service's own engine: the identity keyer, rate limiters, the challenge
store, the card verifier, the OpenID relying party (discovered lazily, so
the service can start before the provider), and the officials' directory,
sessions, approvals and audit log. Secret keys are files of mode 0600 in the
service's key directory (the same files ``tohyo officials`` uses):

* ``identity-hmac.key``: the identity key ``K`` of §AUTH-ID-1;
* ``totp-seal.key``: AES-256-GCM key sealing officials' TOTP secrets;
* ``csrf.key``: HMAC key deriving CSRF tokens from session tokens.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from joserfc.jwk import RSAKey
from sqlalchemy import Engine

from tohyo.app.auth.approvals import ApprovalBook
from tohyo.app.auth.audit import AuditLog
from tohyo.app.auth.challenges import ChallengeStore
from tohyo.app.auth.codes import CODE_POLICY
from tohyo.app.auth.config import AuthConfig
from tohyo.app.auth.eligibility import TSUKUBA, AddressDirectory
from tohyo.app.auth.errors import AuthError
from tohyo.app.auth.identity import IdentityKeyer
from tohyo.app.auth.jpki import JpkiAuthenticator
from tohyo.app.auth.officials import OfficialDirectory
from tohyo.app.auth.oidc import OidcAuthenticator, OidcClientConfig
from tohyo.app.auth.ratelimit import RateLimiter
from tohyo.app.auth.revocation import RevocationChecker, RevocationSources
from tohyo.app.auth.sessions import SessionStore
from tohyo.app.store.keys import load_or_create_secret

__all__ = [
    "AuthServices",
    "MethodUnavailable",
    "build_auth",
    "identity_key_path",
    "officials_directory",
    "rate_limit_key",
]


class MethodUnavailable(AuthError):
    """This service is not configured for the method (``auth.method.unavailable``)."""

    http_status = 404


def identity_key_path(keys_dir: Path) -> Path:
    return keys_dir / "identity-hmac.key"


def rate_limit_key(keys_dir: Path) -> bytes:
    """The HMAC key of the rate limiter's counter rows (§AUTH-RATE)."""
    return load_or_create_secret(keys_dir / "ratelimit-hmac.key")


def officials_directory(engine: Engine, keys_dir: Path) -> OfficialDirectory:
    """The officials' directory on ``engine`` with the key files of ``keys_dir``."""
    audit = AuditLog(engine)
    return OfficialDirectory(
        engine,
        seal_key=load_or_create_secret(keys_dir / "totp-seal.key"),
        sessions=SessionStore(engine, load_or_create_secret(keys_dir / "csrf.key")),
        limiter=RateLimiter(engine, key=rate_limit_key(keys_dir)),
        audit=audit,
    )


@dataclass
class AuthServices:
    """Everything the authentication routes use; one per app."""

    config: AuthConfig
    engine: Engine
    keyer: IdentityKeyer
    officials: OfficialDirectory
    approvals: ApprovalBook
    code_limiter: RateLimiter
    challenges: ChallengeStore
    directory: AddressDirectory = TSUKUBA
    jpki_verifier: JpkiAuthenticator | None = None
    _oidc: OidcAuthenticator | None = None
    _oidc_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def audit(self) -> AuditLog:
        return self.officials.audit

    @property
    def sessions(self) -> SessionStore:
        return self.officials.sessions

    def jpki(self) -> JpkiAuthenticator:
        """Raises: MethodUnavailable: no pinned root or revocation source configured."""
        if self.jpki_verifier is None:
            raise MethodUnavailable(
                "auth.method.unavailable", "Card sign-in is not offered by this service."
            )
        return self.jpki_verifier

    def oidc(self) -> OidcAuthenticator:
        """The relying party, discovering the provider on first use.

        Raises:
            MethodUnavailable: OIDC is not configured.
            OidcRejected: ``auth.oidc.discovery`` (provider unreachable; retried next time).
        """
        if self._oidc is not None:
            return self._oidc
        c = self.config
        if not c.oidc_enabled or c.oidc_client_key is None:
            raise MethodUnavailable(
                "auth.method.unavailable", "This sign-in method is not offered by this service."
            )
        with self._oidc_lock:
            if self._oidc is None:
                key = RSAKey.import_key(json.loads(c.oidc_client_key.read_text()))
                scope = "openid birthdate address"
                if c.oidc_identity == "resident":
                    scope = "openid profile birthdate address"
                discovered = OidcClientConfig.discover(
                    c.oidc_issuer,
                    client_id=c.oidc_client_id,
                    redirect_uri=c.oidc_redirect_uri,
                    client_key=key,
                    scope=scope,
                )
                self._oidc = OidcAuthenticator(
                    discovered,
                    engine=self.engine,
                    keyer=self.keyer,
                    directory=self.directory,
                    identity=c.oidc_identity,
                )
        return self._oidc

    def use_oidc(self, authenticator: OidcAuthenticator) -> None:
        """Install a ready relying party (tests, or a provider without discovery)."""
        self._oidc = authenticator


def build_auth(
    engine: Engine,
    keys_dir: Path,
    config: AuthConfig,
    *,
    directory: AddressDirectory = TSUKUBA,
) -> AuthServices:
    """Assemble the components (module docstring)."""
    keyer = IdentityKeyer(load_or_create_secret(identity_key_path(keys_dir)))
    officials = officials_directory(engine, keys_dir)
    challenges = ChallengeStore(engine)
    verifier = None
    if config.jpki_enabled and config.jpki_root is not None:
        root = x509.load_pem_x509_certificate(config.jpki_root.read_bytes())
        sources = RevocationSources(ocsp_url=config.jpki_ocsp_url, crl_url=config.jpki_crl_url)
        verifier = JpkiAuthenticator(
            root=root,
            revocation=RevocationChecker(root, sources),
            challenges=challenges,
            keyer=keyer,
            directory=directory,
        )
    return AuthServices(
        config=config,
        engine=engine,
        keyer=keyer,
        officials=officials,
        approvals=ApprovalBook(engine, officials.audit),
        code_limiter=RateLimiter(engine, CODE_POLICY, key=rate_limit_key(keys_dir)),
        challenges=challenges,
        directory=directory,
        jpki_verifier=verifier,
    )
