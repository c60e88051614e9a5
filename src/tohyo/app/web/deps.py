"""Typed dependencies of the routes: the runtime, bearer tokens, strict JSON bodies."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from tohyo.app.errors import BadRequest, Unauthorized
from tohyo.app.services.runtime import Runtime
from tohyo.record.canonical import loads_strict
from tohyo.record.errors import InvalidJson

__all__ = ["BearerToken", "RuntimeDep", "get_runtime", "json_object", "read_body"]


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def bearer_token(request: Request) -> str:
    """The voting-session token of ``Authorization: Bearer <token>``.

    Raises:
        Unauthorized: ``session.missing``.
    """
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("session.missing", "send Authorization: Bearer <voting session token>")
    return token.strip()


BearerToken = Annotated[str, Depends(bearer_token)]


async def read_body(request: Request) -> bytes:
    """The raw body (already bounded by the body-limit middleware)."""
    return await request.body()


def json_object(raw: bytes, runtime: Runtime, keys: set[str]) -> dict[str, Any]:
    """Parse a small JSON object strictly with exactly ``keys``.

    Raises:
        BadRequest: ``request.invalid_json`` or ``request.invalid_fields``.
    """
    try:
        value = loads_strict(
            raw,
            max_bytes=runtime.settings.max_body_bytes,
            max_depth=runtime.settings.max_json_depth,
        )
    except InvalidJson as exc:
        raise BadRequest("request.invalid_json", str(exc)) from exc
    if not isinstance(value, dict) or set(value) != keys:
        raise BadRequest("request.invalid_fields", f"expected an object with {sorted(keys)}")
    return value
