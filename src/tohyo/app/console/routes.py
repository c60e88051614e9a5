"""The console's own routes: sign-in, sign-out, home (console.md §CON-1, §CON-4).

==========================================  ================================  =========
``GET  /official/``                         → ``/ja/official/``               anyone
``GET  /{lang}/official/sign-in``           the sign-in form                  anyone
``POST /{lang}/official/sign-in``           user name, password, TOTP code    anyone
``POST /{lang}/official/sign-out``          ends the session                  signed in
``GET  /{lang}/official/``                  home: elections, the role's pages signed in
==========================================  ================================  =========

Every capability of the console adds its routes in a module of its own room and
is installed by :func:`install`. Pages stay out of the OpenAPI document (they are
HTML for people; the JSON API is documented there).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from tohyo.app.auth.errors import AuthError
from tohyo.app.auth.sessions import COOKIE_NAME
from tohyo.app.auth.wiring import AuthServices
from tohyo.app.console.forms import parse_form
from tohyo.app.console.nav import page
from tohyo.app.console.pages import (
    STATIC_DIR,
    STATIC_URL,
    ConsoleContext,
    check_form_origin,
    console_action,
    console_page,
    render,
    safe_next,
)
from tohyo.app.errors import Refusal
from tohyo.app.services.elections import list_elections
from tohyo.app.services.runtime import Runtime
from tohyo.app.web import i18n

__all__ = ["install", "router"]

router = APIRouter(include_in_schema=False)
_SESSION_AGE = 8 * 3600  # the absolute time-out; the server ends idle sessions sooner


def _set_session_cookie(response: Response, token: str) -> None:
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=_SESSION_AGE,
        path="/",
        secure=True,
        httponly=True,
        samesite="strict",
    )


@router.get("/official/")
async def console_root() -> RedirectResponse:
    return RedirectResponse("/ja/official/", status_code=303)


@router.get("/{slug}/official/sign-in")
async def sign_in_page(request: Request, slug: str, next: str = "") -> Response:
    lang = i18n.LANGUAGES.get(slug)
    if lang is None:
        return RedirectResponse("/ja/official/sign-in", status_code=303)
    return render(
        request, lang, "/official/sign-in", "console/sign_in.html", next=safe_next(lang, next)
    )


@router.post("/{slug}/official/sign-in")
async def sign_in(request: Request, slug: str) -> Response:
    """Password and TOTP from the form; a new session cookie (no fixation, no login CSRF)."""
    lang = i18n.LANGUAGES.get(slug) or i18n.DEFAULT_LANGUAGE
    runtime: Runtime = request.app.state.runtime
    services: AuthServices = request.app.state.auth
    raw = await request.body()
    content_type = request.headers.get("content-type", "")
    source = request.client.host if request.client else "unknown"
    form: dict[str, str] = {}

    def run() -> Any:
        check_form_origin(request, services)
        form.update(
            parse_form(raw, content_type, {"username", "password", "totp"}, frozenset({"next"}))
        )
        for field in ("username", "password", "totp"):
            if not form[field] or len(form[field]) > 256:
                raise AuthError("auth.signin.failed", "Wrong user name, password or code.")
        return services.officials.sign_in(
            form["username"],
            form["password"],
            form["totp"].strip(),
            source=source,
            previous_token=request.cookies.get(COOKIE_NAME, ""),
            now=runtime.now(),
        )

    try:
        signed = await run_in_threadpool(run)
    except Refusal as exc:
        return render(
            request,
            lang,
            "/official/sign-in",
            "console/sign_in.html",
            status=exc.http_status,
            next=safe_next(lang, form.get("next", "")),
            username=form.get("username", "")[:256],
            error_code=exc.code,
            error_message=exc.message,
        )
    response = RedirectResponse(safe_next(lang, form.get("next", "")), status_code=303)
    _set_session_cookie(response, signed.token)
    return response


@router.post("/{slug}/official/sign-out")
async def sign_out(request: Request, slug: str) -> Response:
    def out(ctx: ConsoleContext, _form: dict[str, str]) -> Response:
        ctx.services.officials.sign_out(request.cookies.get(COOKIE_NAME, ""), now=ctx.runtime.now())
        response = RedirectResponse(f"/{ctx.lang.slug}/official/sign-in", status_code=303)
        response.delete_cookie(COOKIE_NAME, path="/", secure=True, httponly=True, samesite="strict")
        return response

    return await console_action(request, slug, page("home"), "/", out, required=set())


@router.get("/{slug}/official/")
async def home(request: Request, slug: str) -> Response:
    def show(ctx: ConsoleContext) -> HTMLResponse:
        return ctx.render("console/home.html", elections=list_elections(ctx.runtime))

    return await console_page(request, slug, page("home"), "/", show)


class _Static(StaticFiles):
    async def get_response(self, path: str, scope: Any) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["cache-control"] = "public, max-age=86400"
        return response


def install(app: FastAPI) -> None:
    """Add the console: its static files, then its rooms' routes, then its own."""
    app.mount(STATIC_URL, _Static(directory=STATIC_DIR), name="console-static")
    # Each capability's routes are included here, before the home page's catch-all-free routes.
    app.include_router(router)
