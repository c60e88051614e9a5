"""Typed failures of the election service (docs/spec/casting.md §CAST-7).

Every refusal a client can see is one :class:`ServiceError` subclass with a
stable machine-readable ``code`` and an HTTP status; the web layer renders
``{"error": {"code": ..., "message": ...}}`` from them without string
matching. Messages never carry secrets, voter identities or choices.

Hierarchy::

    ServiceError(Exception)
    ├── BadRequest            400  request.* / ballot.* decoding problems
    ├── Unauthorized          401  session.*
    ├── Forbidden             403  voter.*, ballot.replay
    ├── NotFound              404  *.not_found
    ├── Conflict              409  election.* state, idempotency, log conflicts
    ├── PayloadTooLarge       413  request.too_large
    ├── Unprocessable         422  ballot.invalid_proof, ballot.wrong_shape
    └── Unavailable           503  service.halted (fail-stop, THREATS #29)

Startup refusals (:class:`StartupError`) are not HTTP errors: the process
exits with the message.
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "BadRequest",
    "Refusal",
    "Conflict",
    "Forbidden",
    "NotFound",
    "PayloadTooLarge",
    "ServiceError",
    "StartupError",
    "Unauthorized",
    "Unavailable",
    "Unprocessable",
]


class Refusal(Exception):
    """A refusal with a stable machine-readable ``code`` and a human message.

    The shared shape of the service's and authentication's errors: the HTTP
    layer renders :meth:`to_json` with :attr:`http_status`.
    """

    http_status: ClassVar[int] = 400

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def to_json(self) -> dict[str, dict[str, str]]:
        return {"error": {"code": self.code, "message": self.message}}


class ServiceError(Refusal):
    """A refusal of the election service (e.g. ``ballot.invalid_proof``)."""


class BadRequest(ServiceError):
    http_status = 400


class Unauthorized(ServiceError):
    http_status = 401


class Forbidden(ServiceError):
    http_status = 403


class NotFound(ServiceError):
    http_status = 404


class Conflict(ServiceError):
    http_status = 409


class PayloadTooLarge(ServiceError):
    http_status = 413


class Unprocessable(ServiceError):
    http_status = 422


class Unavailable(ServiceError):
    """The service refuses to acknowledge anything until an operator acts."""

    http_status = 503


class StartupError(RuntimeError):
    """The service must not start: unsafe durability settings, divergent media, bad keys."""
