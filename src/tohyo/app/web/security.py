"""Security headers, per-request CSP nonces and Subresource Integrity (docs/spec/booth.md §BO-5).

The booth encrypts in the browser, so the page is the biggest integrity risk
(THREATS #42). Every response carries:

* a Content-Security-Policy whose scripts run only with this response's nonce
  (``'strict-dynamic'``: a nonce'd script may load more, nothing else runs),
  ``default-src 'none'`` with same-origin styles, images and fetches only (no
  third-party resource; ``blob:`` images are the booth's own, made from election
  images whose hash it checked, booth.md §BO-4.5), no plugins, no ``<base>``,
  forms to this origin only,
  ``frame-ancestors 'none'`` and Trusted Types required for every DOM script
  sink (the booth never writes HTML from strings);
* ``Referrer-Policy: no-referrer``, ``X-Content-Type-Options: nosniff``,
  ``X-Frame-Options: DENY``, cross-origin isolation (COOP, CORP, COEP), a
  restrictive ``Permissions-Policy`` and HSTS (ignored over plain HTTP).

Pages are ``Cache-Control: no-store`` (nothing a voter saw is kept on disk nor
restored from the back-forward cache); static files are immutable by content hash.
Scripts and stylesheets are referenced with ``integrity="sha384-…"``
(:func:`integrity`), and their SHA-256 is published (:func:`published_hashes`).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "SecurityHeadersMiddleware",
    "StaticFile",
    "content_security_policy",
    "new_nonce",
    "static_file",
]

NONCE_BYTES: Final = 18  # 144 bits, base64url without padding


def new_nonce() -> str:
    """A fresh CSP nonce (one per response)."""
    return secrets.token_urlsafe(NONCE_BYTES)


def content_security_policy(nonce: str) -> str:
    """The policy of every response, with this response's script nonce."""
    directives = (
        "default-src 'none'",
        f"script-src 'nonce-{nonce}' 'strict-dynamic'",
        "style-src 'self'",
        "img-src 'self' blob:",  # election images shown from their checked bytes
        "font-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "media-src 'none'",
        "object-src 'none'",
        "worker-src 'none'",
        "frame-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "require-trusted-types-for 'script'",
        "trusted-types 'none'",
    )
    return "; ".join(directives)


_FIXED_HEADERS: Final[tuple[tuple[bytes, bytes], ...]] = (
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"cross-origin-embedder-policy", b"require-corp"),
    (
        b"permissions-policy",
        b"camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
        b"serial=(), bluetooth=(), interest-cohort=()",
    ),
    (b"strict-transport-security", b"max-age=63072000; includeSubDomains"),
)


class SecurityHeadersMiddleware:
    """Set the security headers on every HTTP response; put the nonce in ``request.state``.

    Headers a route already set win (a static file sets its own cache policy),
    except the CSP and the fixed headers above, which are always this module's.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = new_nonce()
        scope.setdefault("state", {})["csp_nonce"] = nonce
        policy = content_security_policy(nonce).encode()

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                fixed = {name for name, _ in _FIXED_HEADERS} | {b"content-security-policy"}
                headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() not in fixed]
                if not any(k.lower() == b"cache-control" for k, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                headers.append((b"content-security-policy", policy))
                headers.extend(_FIXED_HEADERS)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


@dataclass(frozen=True, slots=True)
class StaticFile:
    """A static file with the hashes the pages need.

    Attributes:
        url: its URL, with ``?v=`` the start of its SHA-256 (cache busting).
        integrity: the Subresource Integrity value (``sha384-…``).
        sha256: hex SHA-256, published so anyone can compare the served bundle
            with one they build from the sources (booth-crypto.md §B1.3).
    """

    url: str
    integrity: str
    sha256: str


_CACHE: dict[tuple[str, int, int], StaticFile] = {}


def static_file(root: Path, name: str, url_prefix: str) -> StaticFile:
    """Hashes of ``root/name``, recomputed whenever the file changes.

    Raises:
        FileNotFoundError: the file does not exist (for a bundle: run ``scripts/setup``).
    """
    path = root / name
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    found = _CACHE.get(key)
    if found is None:
        data = path.read_bytes()
        sha256 = hashlib.sha256(data).hexdigest()
        sri = "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()
        found = StaticFile(f"{url_prefix}/{name}?v={sha256[:16]}", sri, sha256)
        _CACHE[key] = found
    return found


def published_hashes(root: Path, names: Mapping[str, str], url_prefix: str) -> dict[str, str]:
    """``{name: sha256}`` of the files the pages load (for ``/api/v1/booth``)."""
    return {label: static_file(root, name, url_prefix).sha256 for label, name in names.items()}
