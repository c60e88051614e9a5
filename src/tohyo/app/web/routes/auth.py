"""Voter sign-in with a card or OpenID Connect (docs/spec/authentication.md §AUTH-HTTP).

Thin: parse, call :mod:`tohyo.app.auth` to verify the person, then
:func:`tohyo.app.services.identity.start_verified_session` for the same
``VoterSession`` the casting API uses. Refusals are ``AuthError`` or
``ServiceError`` rendered as ``{"error": {"code", "message"}}`` (§AUTH-ERR).

==========================================  ====================================
``POST /auth/jpki/challenge``               ``{election_id}`` → a single-use challenge
``POST /auth/jpki/response``                ``{election_id, challenge, certificate,
                                            signature}`` → a voting session
``GET  /auth/oidc/begin?election_id=…``     303 to the provider, ``__Host-tohyo-oidc``
``GET  /auth/oidc/callback?code&state``     → a voting session (JSON, or the page
                                            that hands it to the booth)
==========================================  ====================================

One-time codes keep the service's own endpoint (``POST
/api/v1/elections/{id}/sessions``), now behind the rate limiter (§AUTH-CODE).
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse, Response

from tohyo.app.auth.challenges import Purpose, signed_message
from tohyo.app.auth.config import AuthConfig
from tohyo.app.auth.errors import AuthError, CertificateRejected, OidcRejected, RateLimited
from tohyo.app.auth.errors import SignatureRejected as _SignatureRejected
from tohyo.app.auth.wiring import AuthServices, build_auth
from tohyo.app.errors import BadRequest, ServiceError
from tohyo.app.services import identity
from tohyo.app.services.runtime import Runtime
from tohyo.app.services.sessions import IssuedSession
from tohyo.app.web.deps import RuntimeDep, json_object, read_body

__all__ = ["OIDC_COOKIE", "auth_services", "install", "router", "session_json", "use_services"]

router = APIRouter(prefix="/auth", tags=["sign-in"])
pages = APIRouter(include_in_schema=False)

OIDC_COOKIE = "__Host-tohyo-oidc"
_ID = re.compile(r"[a-z0-9]+([-_][a-z0-9]+)*\Z")
_LANG = re.compile(r"[a-z]{2}(-[a-z]+)?\Z")
_MAX_CERT_B64 = 24 * 1024
_MAX_SIG_B64 = 2 * 1024
_ERROR = {"description": 'refused: {"error": {"code": ..., "message": ...}}'}


def auth_services(request: Request) -> AuthServices:
    services: AuthServices = request.app.state.auth
    return services


def session_json(election_id: str, issued: IssuedSession, method: str) -> dict[str, Any]:
    """The body of ``POST /api/v1/elections/{id}/sessions`` (the booth stores it), and the
    method: a ``jpki`` session must send an envelope with its ballot (§AUTH-ENV-2)."""
    return {
        "election_id": election_id,
        "token": issued.token,
        "credential": issued.session.credential,
        "expires_at": issued.expires_at.isoformat(),
        "method": method,
    }


def _election_id(value: object) -> str:
    if not isinstance(value, str) or len(value) > 64 or not _ID.match(value):
        raise BadRequest("request.invalid_fields", "election_id must be an election id")
    return value


def _b64(value: object, limit: int, refusal: AuthError) -> bytes:
    if not isinstance(value, str) or len(value) > limit:
        raise refusal
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise refusal from exc


# ---------------------------------------------------------------- card (JPKI)


@router.post("/jpki/challenge", status_code=201, responses={400: _ERROR, 404: _ERROR, 409: _ERROR})
async def jpki_challenge(request: Request, runtime: RuntimeDep) -> dict[str, Any]:
    """A single-use challenge for the card to sign (§AUTH-JPKI-3).

    ``message`` is the exact framed bytes the card signs, base64; the card-reader
    app (``tohyo card sign``) may rebuild them from ``challenge`` and the election.
    """
    body = json_object(await read_body(request), runtime, {"election_id"})
    election_id = _election_id(body["election_id"])
    services = auth_services(request)

    def issue() -> Any:
        verifier = services.jpki()
        identity.election_rules(runtime, election_id)
        return verifier.begin(election_id, now=runtime.now())

    challenge = await run_in_threadpool(issue)
    message = signed_message(Purpose.SIGN_IN, election_id, challenge.value)
    return {
        "election_id": election_id,
        "challenge": challenge.text,
        "message": base64.b64encode(message).decode(),
        "expires_at": challenge.expires_at.isoformat(),
    }


@router.post(
    "/jpki/response",
    status_code=201,
    responses={400: _ERROR, 401: _ERROR, 403: _ERROR, 404: _ERROR, 409: _ERROR},
)
async def jpki_response(request: Request, runtime: RuntimeDep) -> dict[str, Any]:
    """Check the signed challenge (§AUTH-JPKI-6) and open a voting session."""
    keys = {"election_id", "challenge", "certificate", "signature"}
    body = json_object(await read_body(request), runtime, keys)
    election_id = _election_id(body["election_id"])
    if not isinstance(body["challenge"], str) or len(body["challenge"]) > 128:
        raise BadRequest("request.invalid_fields", "challenge must be a short string")
    certificate = _b64(
        body["certificate"],
        _MAX_CERT_B64,
        CertificateRejected("auth.cert.malformed", "The card certificate could not be read."),
    )
    signature = _b64(
        body["signature"],
        _MAX_SIG_B64,
        _SignatureRejected("auth.signature.invalid", "The signature does not match the challenge."),
    )
    services = auth_services(request)

    def sign_in() -> IssuedSession:
        verifier = services.jpki()
        rules = identity.election_rules(runtime, election_id)
        verified = verifier.authenticate(
            election_id=election_id,
            rules=rules,
            challenge=body["challenge"],
            certificate=certificate,
            signature=signature,
            now=runtime.now(),
        )
        return identity.start_verified_session(runtime, election_id, verified)

    issued = await run_in_threadpool(sign_in)
    return session_json(election_id, issued, "jpki")


# ---------------------------------------------------------------- OpenID Connect


def _cookie(response: Response, value: str, config: AuthConfig, max_age: int) -> None:
    # SameSite=Lax: the provider's redirect back is a cross-site top-level GET.
    response.set_cookie(
        OIDC_COOKIE,
        value,
        max_age=max_age,
        path="/",
        secure=True,
        httponly=True,
        samesite="lax",
    )


@router.get("/oidc/begin", responses={303: {}, 400: _ERROR, 404: _ERROR, 409: _ERROR})
async def oidc_begin(
    request: Request,
    runtime: RuntimeDep,
    election_id: str,
    lang: str = "ja",
    login_hint: str = "",
) -> Response:
    """Start the authorization code flow: PKCE S256, state, nonce (§AUTH-OIDC-2).

    A link, not a form: the redirect leaves this origin (CSP ``form-action 'self'``).
    Its only effect is a pending transaction that expires in 10 minutes.
    """
    election_id = _election_id(election_id)
    slug = lang if _LANG.match(lang) else "ja"
    services = auth_services(request)

    def begin() -> Any:
        rp = services.oidc()
        identity.election_rules(runtime, election_id)
        return rp.begin(election_id, now=runtime.now(), login_hint=login_hint[:64])

    redirect = await run_in_threadpool(begin)
    response = RedirectResponse(redirect.url, status_code=303)
    _cookie(response, f"{redirect.state}.{election_id}.{slug}", services.config, 600)
    return response


def _wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "application/json" not in accept


@router.get("/oidc/callback", responses={200: {}, 400: _ERROR, 401: _ERROR, 403: _ERROR})
async def oidc_callback(request: Request, runtime: RuntimeDep) -> Response:
    """The provider's redirect: check state, redeem the code, validate the ID token."""
    params = request.query_params
    cookie = request.cookies.get(OIDC_COOKIE, "")
    browser_state, _, rest = cookie.partition(".")
    cookie_election, _, slug = rest.partition(".")
    services = auth_services(request)

    def complete() -> IssuedSession:
        if params.get("error"):
            raise OidcRejected("auth.oidc.denied", "The sign-in was cancelled or refused.")
        state, code = params.get("state", ""), params.get("code", "")
        if len(state) > 128 or len(code) > 512:
            raise OidcRejected("auth.oidc.state_mismatch", "This sign-in is not valid.")
        if not _ID.match(cookie_election):
            raise OidcRejected(
                "auth.oidc.state_mismatch", "This sign-in did not start in this browser."
            )
        rp = services.oidc()
        rules = identity.election_rules(runtime, cookie_election)
        verified = rp.complete(
            election_id=cookie_election,
            rules=rules,
            state=state,
            browser_state=browser_state,
            code=code,
            now=runtime.now(),
        )
        return identity.start_verified_session(runtime, cookie_election, verified)

    html = _wants_html(request)
    try:
        issued = await run_in_threadpool(complete)
    except (AuthError, ServiceError) as exc:
        # Without a cookie there is no election to show the page of: plain JSON.
        response = (
            _oidc_page(request, slug or "ja", cookie_election, error=exc)
            if html and _ID.match(cookie_election)
            else _error_response(exc)
        )
    else:
        body = session_json(cookie_election, issued, "oidc")
        response = (
            _oidc_page(request, slug or "ja", cookie_election, session=body)
            if html
            else JSONResponse(body, status_code=201)
        )
    response.delete_cookie(OIDC_COOKIE, path="/", secure=True, httponly=True, samesite="lax")
    return response


def _oidc_page(
    request: Request,
    slug: str,
    election_id: str,
    *,
    session: dict[str, Any] | None = None,
    error: AuthError | ServiceError | None = None,
) -> Response:
    """The booth's page for the provider's redirect: stores the session, goes to the ballot."""
    status = 201 if session is not None else error.http_status if error is not None else 200
    return _render_sign_in(request, slug, election_id, "oidc", status, session=session, error=error)


# ---------------------------------------------------------------- pages (on the booth's base)


def _render_sign_in(
    request: Request,
    slug: str,
    election_id: str,
    method: str,
    status: int = 200,
    **context: Any,
) -> Response:
    """Render ``voter/signin_<method>.html`` with the booth's layout, language and CSP nonce."""
    from tohyo.app.web.routes import voter as booth

    runtime: Runtime = request.app.state.runtime
    page = booth._page(request, slug, f"/elections/{election_id}/sign-in/{method}")
    if page is None or not _ID.match(election_id):
        return booth._not_found(request)
    try:
        election = booth._load(runtime, election_id)
    except ServiceError:
        return page.render("voter/not_found.html", status=404)
    begin = f"/auth/oidc/begin?election_id={election_id}&lang={page.lang.slug}"
    hint = request.query_params.get("login_hint", "")
    if hint and re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", hint):
        begin += f"&login_hint={hint}"  # test provider only: it has no login page
    return page.render(
        f"voter/signin_{method}.html",
        status=status,
        election=election.summary,
        manifest=election.manifest,
        withdrawn=election.withdrawn,
        voting_closed=election.voting_closed,
        booth=booth._booth_data(page, election, f"sign-in-{method}"),
        page_kind="sign-in",
        begin_url=begin,
        card={
            "challengeUrl": "/auth/jpki/challenge",
            "responseUrl": "/auth/jpki/response",
            "cardHint": "CARD.p12",  # texts: i18n.BOOTH_MESSAGES "card.*", in the page
        },
        **{"session": None, "error": None, **context},
    )


@pages.get("/{slug}/elections/{election_id}/sign-in/card")
async def card_page(request: Request, slug: str, election_id: str) -> Response:
    """Sign in with the My Number Card (challenge, the app's signature, session)."""
    return await run_in_threadpool(_render_sign_in, request, slug, election_id, "card")


@pages.get("/{slug}/elections/{election_id}/sign-in/oidc")
async def oidc_page(request: Request, slug: str, election_id: str) -> Response:
    """Sign in with the city's app (a link to ``/auth/oidc/begin``)."""
    return await run_in_threadpool(_render_sign_in, request, slug, election_id, "oidc")


# ---------------------------------------------------------------- wiring


def _error_response(exc: AuthError | ServiceError) -> JSONResponse:
    headers = None
    if isinstance(exc, RateLimited):
        headers = {"Retry-After": str(exc.retry_after)}
    status = exc.http_status
    return JSONResponse(
        {"error": {"code": exc.code, "message": exc.message}}, status_code=status, headers=headers
    )


def use_services(app: FastAPI, runtime: Runtime, services: AuthServices) -> None:
    """Make ``services`` the app's (and the casting hook's card verifier)."""
    from tohyo.app.services.envelopes import VERIFIER_CACHE_KEY

    app.state.auth = services
    runtime.cache[VERIFIER_CACHE_KEY] = services.jpki_verifier


def install(app: FastAPI, runtime: Runtime, config: AuthConfig | None = None) -> None:
    """Add the sign-in and officials' routes and the ``AuthError`` rendering to the app.

    ``config``: else ``runtime.cache["auth.config"]`` (the demo puts its test CA
    and provider there), else the environment (:meth:`AuthConfig.from_env`).
    """
    from tohyo.app.web.routes import official

    chosen = config or runtime.cache.get("auth.config") or AuthConfig.from_env()
    use_services(app, runtime, build_auth(runtime.engine, runtime.settings.keys_dir, chosen))

    @app.exception_handler(AuthError)
    async def auth_error(_request: Request, exc: AuthError) -> Any:
        return _error_response(exc)

    app.include_router(router)
    app.include_router(pages)
    app.include_router(official.router)
