"""Where ``tohyo trustee`` reads and publishes the ceremony's public messages.

Two boards with one interface, so that each round of ``tohyo trustee`` is
written once (threshold.md §7 leaves the relay to the driver):

* :class:`FileBoard`: a shared ceremony directory (offline ceremony), one file
  ``<kind>-<i>.json`` per message;
* :class:`ServerBoard`: the service's relay (``--server URL --election ID``),
  ``/api/v1/elections/<id>/ceremony``; posts carry the trustee's enrolment token.

Neither is trusted: every round re-checks what it reads with
:mod:`tohyo.crypto.dkg`.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

__all__ = ["Board", "BoardRefused", "FileBoard", "ServerBoard", "Waiting", "write_json"]


class Waiting(Exception):
    """Not every trustee has published the messages this round needs."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(", ".join(missing))
        self.missing = missing


class BoardRefused(Exception):
    """The board cannot be read, or refused a message (the server's code and message)."""


def write_json(path: Path, obj: Any, *, secret: bool = False) -> None:
    """Canonical JSON, written atomically; mode 0600 for a secret."""
    from tohyo.record.canonical import dumps_canonical

    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if secret else 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(dumps_canonical(obj, max_depth=64))
    tmp.replace(path)


class Board(Protocol):
    def info(self) -> dict[str, Any]:
        """``election_id``, ``manifest_hash``, ``threshold`` and ``size`` of the ceremony."""
        ...

    def all(self, kind: str) -> list[Any]:
        """Every trustee's message of ``kind``, in trustee order.

        Polls for up to the board's ``wait`` seconds, then raises :class:`Waiting`.
        """
        ...

    def publish(self, kind: str, trustee: int, message: Any) -> None: ...


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise BoardRefused(f"cannot read {path}: {exc}") from exc


@dataclass(frozen=True, slots=True)
class FileBoard:
    """An offline ceremony over a shared directory."""

    directory: Path
    wait: float = 0.0

    def info(self) -> dict[str, Any]:
        info = _read(self.directory / "election.json")
        if not isinstance(info, dict):
            raise BoardRefused(f"{self.directory}/election.json is not a ceremony description")
        return info

    def all(self, kind: str) -> list[Any]:
        return _poll(lambda: self._all(kind), self.wait)

    def _all(self, kind: str) -> list[Any]:
        size = int(self.info()["size"])
        found = [self.directory / f"{kind}-{i}.json" for i in range(1, size + 1)]
        missing = [p.name for p in found if not p.exists()]
        if missing:
            raise Waiting(missing)
        return [_read(p) for p in found]

    def publish(self, kind: str, trustee: int, message: Any) -> None:
        write_json(self.directory / f"{kind}-{trustee}.json", message)


class ServerBoard:
    """The election service's relay; ``token`` is needed only to publish."""

    def __init__(self, server: str, election_id: str, token: str | None = None,
                 wait: float = 0.0) -> None:
        import httpx

        self.wait = wait
        self._http = httpx.Client(base_url=server.rstrip("/"), timeout=60)
        self._base = f"/api/v1/elections/{election_id}/ceremony"
        self._token = token

    def _get(self, path: str) -> Any:
        import httpx

        try:
            response = self._http.get(self._base + path)
        except httpx.HTTPError as exc:
            raise BoardRefused(f"the server is unreachable: {exc}") from exc
        return self._json(response)

    @staticmethod
    def _json(response: Any) -> Any:
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code >= 400:
            error = body.get("error", {}) if isinstance(body, dict) else {}
            raise BoardRefused(f"{error.get('code', response.status_code)}: "
                               f"{error.get('message', response.text[:200])}")
        return body

    def info(self) -> dict[str, Any]:
        status: dict[str, Any] = self._get("")
        return status

    def all(self, kind: str) -> list[Any]:
        return _poll(lambda: self._all(kind), self.wait)

    def _all(self, kind: str) -> list[Any]:
        size = int(self.info()["size"])
        got = {m["trustee"]: m["message"] for m in self._get(f"/{kind}")["messages"]}
        missing = [f"{kind} of trustee {i}" for i in range(1, size + 1) if i not in got]
        if missing:
            raise Waiting(missing)
        return [got[i] for i in range(1, size + 1)]

    def publish(self, kind: str, trustee: int, message: Any) -> None:
        import httpx

        if not self._token:
            raise BoardRefused("no enrolment token: run keygen with --token first")
        try:
            response = self._http.post(f"{self._base}/{kind}", json={"message": message},
                                       headers={"Authorization": f"Bearer {self._token}"})
        except httpx.HTTPError as exc:
            raise BoardRefused(f"the server is unreachable: {exc}") from exc
        self._json(response)

    def transcript(self) -> Any:
        """The server's verified transcript (``ceremony.aborted`` names cheaters)."""
        return self._get("/transcript")


def _poll(fn: Callable[[], list[Any]], wait: float) -> list[Any]:
    """``fn()``, retried every second while it raises :class:`Waiting`, for ``wait`` s."""
    deadline = time.monotonic() + wait
    while True:
        try:
            return fn()
        except Waiting:
            if time.monotonic() >= deadline:
                raise
            time.sleep(min(1.0, max(deadline - time.monotonic(), 0.0)))
