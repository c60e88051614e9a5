"""The ASGI application factory (docs/spec/casting.md §CAST-7).

``create_app(settings)`` builds the runtime (durability gate, migrations,
keys, reconciliation of the second medium) before the app exists, so an
unsafe configuration stops the process before it binds a port. Nothing
happens at import time.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tohyo import __version__
from tohyo.app.errors import ServiceError
from tohyo.app.services.runtime import Clock, Runtime, build_runtime, system_clock
from tohyo.app.settings import Settings

__all__ = ["BodyLimitMiddleware", "create_app"]


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Any:
    return JSONResponse(
        {"error": {"code": code, "message": message}}, status_code=status, headers=headers
    )


class BodyLimitMiddleware:
    """Refuse bodies over ``limit`` bytes with 413 before any parsing (THREATS #37).

    A declared ``Content-Length`` over the limit is refused without reading;
    otherwise the body is read and counted up to the limit, then replayed to
    the app, so no handler ever sees more than ``limit`` bytes.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = self.limit + 1
                if declared > self.limit:
                    await self._too_large(scope, receive, send)
                    return
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._too_large(scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = _error(
            413,
            "request.too_large",
            f"the request body is larger than {self.limit} bytes",
            {"Connection": "close"},
        )
        await response(scope, receive, send)


def create_app(
    settings: Settings | None = None,
    *,
    runtime: Runtime | None = None,
    clock: Clock = system_clock,
) -> FastAPI:
    """Build the app; with ``runtime`` (tests), share it and leave it open at shutdown.

    Raises:
        StartupError: see :func:`tohyo.app.services.runtime.build_runtime`.
    """
    from tohyo.app.web.routes import api, public, trustee

    settings = settings or Settings.from_env()
    owned = runtime is None
    rt = runtime if runtime is not None else build_runtime(settings, clock=clock)
    if owned and settings.demo:
        from tohyo.app.services.demo import seed_demo

        seed_demo(rt)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        from tohyo.app.disposal.purge import purging  # expired sign-in state (issue 10)

        try:
            async with purging(rt):
                yield
        finally:
            if owned:
                rt.close()

    app = FastAPI(
        title="Tohyo election service",
        version=__version__,
        summary="Encrypted ballots in, a verifiable public log out.",
        lifespan=lifespan,
    )
    app.state.runtime = rt
    app.add_middleware(BodyLimitMiddleware, limit=rt.settings.max_body_bytes)
    _install_error_handlers(app)
    app.include_router(api.router)
    app.include_router(public.router)
    app.include_router(trustee.router)  # the key-ceremony relay (issue 4)
    from tohyo.app.web.routes import auth  # card and OIDC sign-in, officials (issue 6)

    auth.install(app, rt)
    # Before the voter pages: their ``/{slug}/`` would take ``/official/``.
    from tohyo.app.console import routes as console  # the officials' console (issue 12)

    console.install(app)
    from tohyo.app.web.routes import voter  # the voter's pages and booth (issue 5)

    voter.install(app)
    from tohyo.app.results import routes as results_routes  # paper counts, results (issue 11)

    app.include_router(results_routes.router)
    from tohyo.app.observe import routes as observe  # the observers' dashboard (issue 13)

    observe.install(app, rt)
    from tohyo.app.web.routes import results  # the public results page (issue 11)

    app.include_router(results.router)
    from tohyo.app.witnessing import routes as witnessing  # witness statements (issue 13)

    app.include_router(witnessing.router)
    from tohyo.app.web.contract import install_contract  # the OpenAPI document (issue 10)

    install_contract(app)
    return app


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def service_error(_request: Request, exc: ServiceError) -> Any:
        headers = {"Retry-After": "30"} if exc.http_status == 503 else None
        return _error(exc.http_status, exc.code, exc.message, headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> Any:
        where = ", ".join(".".join(str(p) for p in e["loc"]) for e in exc.errors()[:5])
        return _error(400, "request.invalid", f"invalid request parameters: {where}")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Any:
        codes = {404: "request.not_found", 405: "request.method_not_allowed"}
        headers = dict(exc.headers) if exc.headers else {}
        if exc.status_code == 405:
            # A 405 must say what is allowed (RFC 9110 §15.5.6): every route at the path.
            from tohyo.app.web.contract import allowed_methods

            headers["Allow"] = allowed_methods(request, headers.get("Allow", ""))
        return _error(
            exc.status_code, codes.get(exc.status_code, "request.error"), exc.detail, headers
        )

    @app.exception_handler(OperationalError)
    async def database_down(_request: Request, _exc: OperationalError) -> Any:
        # THREATS #32: the database is down or overloaded. Fail fast and closed;
        # nothing was acknowledged, and a retry with the same key is safe.
        return _error(
            503,
            "storage.unavailable",
            "the database is unavailable; retry later",
            {"Retry-After": "5"},
        )

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, _exc: Exception) -> Any:
        # Never echo internals; the server log has the traceback.
        return _error(500, "server.error", "internal error; nothing was stored")
