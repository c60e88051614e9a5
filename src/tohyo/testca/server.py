"""The test CA's loopback HTTP server: OCSP and CRL (docs/spec/authentication.md §AUTH-TESTCA-3).

* ``POST /ocsp`` with ``application/ocsp-request`` (RFC 6960 Appendix A.1);
* ``GET /ocsp/<base64 request>`` (the GET form of the same appendix);
* ``GET /crl``: the current DER CRL.

It binds to loopback only, refuses bodies over 64 KiB, and stops with
:meth:`RevocationServer.close`.
"""

from __future__ import annotations

import base64
import binascii
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tohyo.testca.ca import TestCA
from tohyo.testca.revocation import build_crl, build_ocsp_response

__all__ = ["RevocationServer"]

_MAX_BODY = 64 * 1024
_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        return  # quiet in tests; the CA is not the audited component

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        ca = TestCA.load(self.server.ca_dir)
        path = urllib.parse.urlsplit(self.path).path
        if path == "/crl":
            self._send(200, "application/pkix-crl", build_crl(ca))
            return
        if path.startswith("/ocsp/"):
            try:
                der = base64.b64decode(urllib.parse.unquote(path[6:]), validate=True)
            except (binascii.Error, ValueError):
                self._send(400, "text/plain", b"bad base64")
                return
            self._send(200, "application/ocsp-response", build_ocsp_response(ca, der))
            return
        self._send(404, "text/plain", b"not found")

    def do_POST(self) -> None:
        if urllib.parse.urlsplit(self.path).path != "/ocsp":
            self._send(404, "text/plain", b"not found")
            return
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if length < 0 or length > _MAX_BODY:
            self._send(413, "text/plain", b"bad length")
            return
        body = self.rfile.read(length)
        ca = TestCA.load(self.server.ca_dir)
        self._send(200, "application/ocsp-response", build_ocsp_response(ca, body))


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], ca_dir: Path) -> None:
        super().__init__(address, _Handler)
        self.ca_dir = ca_dir


class RevocationServer:
    """OCSP responder and CRL endpoint on loopback, run in a background thread."""

    def __init__(self, ca_dir: Path, *, host: str = "127.0.0.1", port: int = 0) -> None:
        if host not in _LOOPBACK:
            raise ValueError("the test CA serves on loopback only")
        self._server = _Server((host, port), ca_dir)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> RevocationServer:
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread (the CLI's ``serve-ocsp``)."""
        self._server.serve_forever()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
