"""Configuration of voter and official authentication (docs/spec/authentication.md §AUTH-CONF).

One frozen value, read from ``TOHYO_*`` variables by :meth:`AuthConfig.from_env`
(called by the app factory and the CLI only). A method whose settings are
absent is simply not offered: ``/auth/jpki/*`` and ``/auth/oidc/*`` then
answer ``auth.method.unavailable``. Secret keys are files under the service's
key directory, never settings values (:mod:`tohyo.app.auth.wiring`).

=============================  ===============================================
variable                       meaning
=============================  ===============================================
``TOHYO_PUBLIC_ORIGIN``        the service's own origin, ``https://vote.example``
                               (Origin checks, the OIDC redirect URI)
``TOHYO_JPKI_ROOT``            PEM file of the pinned JPKI (or test CA) root
``TOHYO_JPKI_OCSP_URL``        OCSP responder (§AUTH-JPKI-5)
``TOHYO_JPKI_CRL_URL``         CRL (fallback)
``TOHYO_OIDC_ISSUER``          the provider's issuer (discovery, §AUTH-OIDC-1)
``TOHYO_OIDC_CLIENT_ID``       this relying party's client id
``TOHYO_OIDC_CLIENT_KEY``      private JWK (JSON file, mode 0600) for
                               ``private_key_jwt``
``TOHYO_OIDC_IDENTITY``        ``pairwise`` (default) or ``resident``
                               (§AUTH-ROLL-2: the provider vouches for the name
                               and birth date of the card, e.g. the Digital
                               Agency's authentication app)
=============================  ===============================================
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["AuthConfig", "OidcIdentity"]

OidcIdentity = str  #: ``"pairwise"`` or ``"resident"``
DEFAULT_ORIGIN = "http://127.0.0.1:8000"
_IDENTITIES = ("pairwise", "resident")


def _origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"not an origin: {url!r}")
    return f"{parts.scheme}://{parts.netloc}"


@dataclass(frozen=True, slots=True)
class AuthConfig:
    """What the authentication routes need besides the runtime's keys and database."""

    public_origin: str = DEFAULT_ORIGIN
    jpki_root: Path | None = None
    jpki_ocsp_url: str = ""
    jpki_crl_url: str = ""
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_key: Path | None = None
    oidc_identity: OidcIdentity = "pairwise"

    def __post_init__(self) -> None:
        object.__setattr__(self, "public_origin", _origin(self.public_origin))
        if self.oidc_identity not in _IDENTITIES:
            raise ValueError(f"TOHYO_OIDC_IDENTITY must be one of {_IDENTITIES}")

    @property
    def allowed_origins(self) -> frozenset[str]:
        return frozenset({self.public_origin})

    @property
    def oidc_redirect_uri(self) -> str:
        return self.public_origin + "/auth/oidc/callback"

    @property
    def jpki_enabled(self) -> bool:
        return self.jpki_root is not None and bool(self.jpki_ocsp_url or self.jpki_crl_url)

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id and self.oidc_client_key)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AuthConfig:
        env = os.environ if environ is None else environ
        root = env.get("TOHYO_JPKI_ROOT", "")
        key = env.get("TOHYO_OIDC_CLIENT_KEY", "")
        return cls(
            public_origin=env.get("TOHYO_PUBLIC_ORIGIN", DEFAULT_ORIGIN),
            jpki_root=Path(root) if root else None,
            jpki_ocsp_url=env.get("TOHYO_JPKI_OCSP_URL", ""),
            jpki_crl_url=env.get("TOHYO_JPKI_CRL_URL", ""),
            oidc_issuer=env.get("TOHYO_OIDC_ISSUER", ""),
            oidc_client_id=env.get("TOHYO_OIDC_CLIENT_ID", ""),
            oidc_client_key=Path(key) if key else None,
            oidc_identity=env.get("TOHYO_OIDC_IDENTITY", "pairwise"),
        )
