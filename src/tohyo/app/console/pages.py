"""Rendering and guarding the console's pages and forms (console.md §CON-1–§CON-3).

Every page goes through :func:`console_page` and every form through
:func:`console_action`, which do, in order: the language of the URL (an unknown
one redirects to Japanese), for forms the ``Origin`` and the session's CSRF token
(a hidden ``csrf_token`` field), the session cookie (none or expired: to the
sign-in page), the role (another role: a 403 page naming the typed error, and an
``official.denied`` audit entry). Typed refusals of the services become a page
with their status and code; nothing else is caught, so a bug is a 500, never a
silent success.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import ChoiceLoader, Environment, PackageLoader, select_autoescape

from tohyo.app.auth.errors import AuthError
from tohyo.app.auth.officials import Official, Role, require_role
from tohyo.app.auth.sessions import COOKIE_NAME, OfficialSession, check_origin
from tohyo.app.auth.wiring import AuthServices
from tohyo.app.console.forms import csrf_field, parse_form
from tohyo.app.console.nav import PAGES, ROLE_NAMES, STATE_NAMES, ConsolePage, visible_pages
from tohyo.app.errors import Refusal
from tohyo.app.services.runtime import Runtime
from tohyo.app.web import i18n
from tohyo.app.web.security import StaticFile, static_file

__all__ = [
    "STATIC_DIR",
    "ConsoleContext",
    "check_form_origin",
    "console_action",
    "console_page",
    "render",
    "sign_in_url",
]

STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_URL = "/official/static"
_WEB_STATIC = Path(__file__).resolve().parent.parent / "web" / "static"
_JST = timezone(timedelta(hours=9))
_NEXT = re.compile(r"/[a-z-]+/official/[A-Za-z0-9/_.-]*\Z")


def _jst(value: datetime | str | None) -> str:
    """A time as officials read it: Japan time, to the minute."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(_JST).strftime("%Y-%m-%d %H:%M")


@cache
def _environment(slug: str) -> Environment:
    lang = i18n.language(slug)
    env = Environment(
        loader=ChoiceLoader(
            [
                PackageLoader("tohyo.app.console", "templates"),
                PackageLoader("tohyo.app.web", "templates"),
            ]
        ),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(i18n.translations(slug), newstyle=True)  # type: ignore[attr-defined]
    env.filters["jst"] = _jst
    env.filters["title"] = lambda value: value.get(lang.base) or value.get("ja", "")
    return env


def static(name: str) -> StaticFile:
    """A file of the console's own ``static/`` folder, with its integrity hash."""
    return static_file(STATIC_DIR, name, STATIC_URL)


def render(
    request: Request,
    lang: i18n.Language,
    path: str,
    template: str,
    *,
    status: int = 200,
    official: Official | None = None,
    session: OfficialSession | None = None,
    **ctx: Any,
) -> HTMLResponse:
    """Render a console template; ``path`` is the page's path after the language."""
    html = (
        _environment(lang.slug)
        .get_template(template)
        .render(
            lang=lang,
            languages=list(i18n.LANGUAGES.values()),
            switch_path=path,
            nonce=request.state.csp_nonce,
            stylesheet=static_file(_WEB_STATIC, "css/booth.css", "/static"),
            own_stylesheet=static("console.css"),
            official=official,
            csrf_token=session.csrf_token if session is not None else "",
            nav=visible_pages(official) if official is not None else (),
            pages=PAGES,
            role_names=ROLE_NAMES,
            states=STATE_NAMES,
            roles=list(Role),
            **ctx,
        )
    )
    return HTMLResponse(html, status_code=status)


def sign_in_url(lang: i18n.Language, next_path: str = "") -> str:
    """The sign-in page, coming back to ``next_path`` (a console path) afterwards."""
    url = f"/{lang.slug}/official/sign-in"
    if next_path and _NEXT.match(next_path):
        url += "?next=" + quote(next_path, safe="/")
    return url


def safe_next(lang: i18n.Language, value: str) -> str:
    """Where to go after signing in: a console path of this site, or the home page."""
    return (
        value if value and _NEXT.match(value) and "//" not in value else f"/{lang.slug}/official/"
    )


@dataclass(frozen=True, slots=True)
class ConsoleContext:
    """What a page or form handler gets: who is signed in, in which language.

    Attributes:
        request: the request (its ``app.state`` holds the runtime and the auth services).
        runtime: the election service's runtime.
        lang: the page's language.
        official: the signed-in official (their role is allowed on this page).
        session: their session (``csrf_token`` for the page's forms).
        page: the console page this is.
    """

    request: Request
    runtime: Runtime
    lang: i18n.Language
    official: Official
    session: OfficialSession
    page: ConsolePage

    @property
    def services(self) -> AuthServices:
        found: AuthServices = self.request.app.state.auth
        return found

    def url(self, path: str) -> str:
        """A console URL in this language: ``url("/x/")`` is ``/ja/official/x/`` in Japanese."""
        return f"/{self.lang.slug}/official{path}"

    def render(
        self, template: str, *, path: str | None = None, status: int = 200, **ctx: Any
    ) -> HTMLResponse:
        return render(
            self.request,
            self.lang,
            f"/official{path if path is not None else self.page.path}",
            template,
            status=status,
            official=self.official,
            session=self.session,
            page=self.page,
            **ctx,
        )

    def redirect(self, path: str) -> RedirectResponse:
        """After a form: see the result on a page (303, so a reload does not resubmit)."""
        return RedirectResponse(self.url(path), status_code=303)

    def audit(self, action: str, detail: dict[str, Any]) -> None:
        """An entry in the officials' hash-chained audit log, by this official."""
        self.services.audit.append(self.official.username, action, detail, now=self.runtime.now())


def check_form_origin(request: Request, services: AuthServices) -> None:
    """The form comes from this console (console.md §CON-3).

    Pages are served with ``Referrer-Policy: no-referrer``, under which a browser
    sends ``Origin: null`` on a form submission; the browser's own
    ``Sec-Fetch-Site: same-origin`` (a header no script can set) then stands for
    the origin. Anything else must carry one of the service's origins.

    Raises:
        CsrfRejected: ``auth.csrf.origin``.
    """
    origin = request.headers.get("origin")
    if origin == "null" and request.headers.get("sec-fetch-site") == "same-origin":
        return
    check_origin(origin, services.config.allowed_origins)


def _services(request: Request) -> AuthServices:
    found: AuthServices = request.app.state.auth
    return found


def _allow(services: AuthServices, runtime: Runtime, official: Official, page: ConsolePage) -> None:
    try:
        require_role(official, *page.roles)
    except AuthError:
        services.audit.append(
            official.username,
            "official.denied",
            {"role": official.role.value, "page": page.key},
            now=runtime.now(),
        )
        raise


def _refused(
    request: Request,
    lang: i18n.Language,
    path: str,
    exc: Refusal,
    official: Official | None = None,
    session: OfficialSession | None = None,
    page: ConsolePage | None = None,
) -> HTMLResponse:
    return render(
        request,
        lang,
        path,
        "console/refused.html",
        status=exc.http_status,
        official=official,
        session=session,
        page=page,
        code=exc.code,
        message=exc.message,
    )


Handler = Callable[[ConsoleContext], Response]
FormHandler = Callable[[ConsoleContext, dict[str, str]], Response]


async def console_page(
    request: Request, slug: str, page: ConsolePage, path: str, handler: Handler
) -> Response:
    """A GET page: language, session, role, then ``handler`` (in a worker thread).

    ``path`` is the concrete path after ``/{lang}/official`` (``page.path`` with
    its parameters filled in).
    """
    lang = i18n.LANGUAGES.get(slug)
    if lang is None:
        return RedirectResponse(f"/ja/official{path}", status_code=303)
    runtime: Runtime = request.app.state.runtime
    services = _services(request)

    def run() -> Response:
        try:
            official, session = services.officials.current(
                request.cookies.get(COOKIE_NAME, ""), now=runtime.now()
            )
        except AuthError as exc:
            if exc.http_status == 401:
                return RedirectResponse(sign_in_url(lang, f"/{lang.slug}/official{path}"), 303)
            return _refused(request, lang, f"/official{path}", exc, page=page)
        try:
            _allow(services, runtime, official, page)
            return handler(ConsoleContext(request, runtime, lang, official, session, page))
        except Refusal as exc:
            return _refused(request, lang, f"/official{path}", exc, official, session, page)

    return await run_in_threadpool(run)


async def console_action(
    request: Request,
    slug: str,
    page: ConsolePage,
    path: str,
    handler: FormHandler,
    *,
    required: set[str],
    optional: frozenset[str] = frozenset(),
) -> Response:
    """A form POST: Origin, session, CSRF token, role, the form, then ``handler``.

    A refusal renders the refusal page with the typed error's status; the handler
    returns its own response (usually :meth:`ConsoleContext.redirect`, or the form
    again with its problems at their fields).
    """
    lang = i18n.LANGUAGES.get(slug) or i18n.DEFAULT_LANGUAGE
    runtime: Runtime = request.app.state.runtime
    services = _services(request)
    raw = await request.body()
    content_type = request.headers.get("content-type", "")

    def run() -> Response:
        official: Official | None = None
        session: OfficialSession | None = None
        try:
            check_form_origin(request, services)
            official, session = services.officials.current(
                request.cookies.get(COOKIE_NAME, ""), now=runtime.now()
            )
            services.sessions.check_csrf(session, csrf_field(raw))
            _allow(services, runtime, official, page)  # a wrong role is 403 whatever it sent
            form = parse_form(raw, content_type, required, optional)
            form.pop("csrf_token", None)
            return handler(ConsoleContext(request, runtime, lang, official, session, page), form)
        except Refusal as exc:
            return _refused(request, lang, f"/official{path}", exc, official, session, page)

    return await run_in_threadpool(run)
