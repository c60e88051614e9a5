"""Serves the test OpenID provider on loopback (docs/spec/authentication.md §AUTH-TESTIDP).

Endpoints: ``/.well-known/openid-configuration``, ``/jwks``, ``/authorize``
(GET; the user is ``login_hint``), ``/token`` (POST, form-encoded).
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tohyo.testidp.provider import Provider, _Request

__all__ = ["ProviderServer"]

_MAX_BODY = 64 * 1024
_LOCK = threading.Lock()  # Authlib's in-memory stores here are not thread-safe


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        return

    def _reply(self, status: int, body: Any, headers: Any = ()) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode() if body else b""
        self.send_response(status)
        sent = set()
        for name, value in headers or ():
            self.send_header(name, value)
            sent.add(name.lower())
        if "content-type" not in sent:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def _url(self) -> str:
        return self.server.provider.issuer + self.path

    def do_GET(self) -> None:
        provider = self.server.provider
        parts = urllib.parse.urlsplit(self.path)
        if parts.path == "/.well-known/openid-configuration":
            self._reply(200, provider.discovery())
        elif parts.path == "/jwks":
            self._reply(200, provider.jwks())
        elif parts.path == "/authorize":
            values = dict(urllib.parse.parse_qsl(parts.query))
            request = _Request("GET", self._url(), dict(self.headers), values)
            user = provider.users.get(values.get("login_hint", ""))
            with _LOCK:
                status, body, headers = provider.create_authorization_response(
                    request, grant_user=user
                )
            self._reply(status, body, headers)
        else:
            self._reply(404, {"error": "not_found"})

    def do_POST(self) -> None:
        provider = self.server.provider
        if urllib.parse.urlsplit(self.path).path != "/token":
            self._reply(404, {"error": "not_found"})
            return
        length = int(self.headers.get("Content-Length", "0") or 0)
        if length > _MAX_BODY:
            self._reply(413, {"error": "too_large"})
            return
        form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode("utf-8")))
        request = _Request("POST", self._url(), dict(self.headers), form)
        with _LOCK:
            status, body, headers = provider.create_token_response(request)
        if provider.tamper is not None and status == 200 and isinstance(body, dict):
            body = provider.tamper(body)  # tests only: a forged ID token
        self._reply(status, body, headers)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int]) -> None:
        super().__init__(address, _Handler)
        self.provider: Provider


class ProviderServer:
    """The provider on ``127.0.0.1``, in a background thread."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        if host not in ("127.0.0.1", "::1", "localhost"):
            raise ValueError("the test provider serves on loopback only")
        self._server = _Server((host, port))
        bound_host, bound_port = self._server.server_address[:2]
        self.provider = Provider(f"http://{bound_host}:{bound_port}")
        self._server.provider = self.provider
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def issuer(self) -> str:
        return self.provider.issuer

    def start(self) -> ProviderServer:
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
