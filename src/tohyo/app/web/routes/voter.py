"""The voter's pages: sign-in, ballot, review, receipt, check (docs/spec/booth.md §BO-1).

Thin: each route loads what the election service publishes (the manifest, the
key, the log key) and renders a template in the language of the URL. The
server never receives a choice: the booth script keeps the voter's selections
in the page (``sessionStorage``), encrypts them, and talks to the JSON API
(``/api/v1/...``). Every page is the same for every voter in one language, so
the pages' sizes do not depend on a choice (§BO-6).

One JSON endpoint lives here because only the booth needs it: ``POST
/api/v1/elections/{id}/audits`` records a ballot hash as spoiled before the booth
reveals its nonces (booth-crypto.md §B3.4).
"""

from __future__ import annotations

import gzip
import hashlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.types import Scope

from tohyo.app.errors import NotFound
from tohyo.app.services import audits
from tohyo.app.services.common import load_election, manifest_of
from tohyo.app.services.context import ballot_style
from tohyo.app.services.elections import ElectionSummary, get_election, list_elections
from tohyo.app.services.runtime import Runtime
from tohyo.app.web import i18n
from tohyo.app.web.deps import BearerToken, RuntimeDep, read_body
from tohyo.app.web.security import SecurityHeadersMiddleware, StaticFile, static_file
from tohyo.record.manifest import ImageChoiceQuestion, Manifest
from tohyo.record.questions import LocalizedText

__all__ = ["STATIC_DIR", "install", "router"]

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
BUNDLE = "booth/dist/booth.js"
STYLESHEET = "css/booth.css"
_IMAGE_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
}
_ID = re.compile(r"[a-z0-9]+([-_][a-z0-9]+)*\Z")

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/v1", tags=["booth"])


# ---------------------------------------------------------------- templates


def _loc(lang: i18n.Language) -> Any:
    def loc(value: LocalizedText | None) -> Markup:
        found = i18n.localized(value, lang)
        if found is None:
            return Markup("")
        if found.lang.split("-", 1)[0] != lang.base:
            return Markup('<span lang="{}">{}</span>').format(found.lang, found.text)
        return escape(found.text)

    return loc


def _loc_plain(lang: i18n.Language) -> Any:
    def loc_plain(value: LocalizedText | None) -> str:
        found = i18n.localized(value, lang)
        return "" if found is None else found.text

    return loc_plain


@cache
def _environment(slug: str) -> Environment:
    lang = i18n.language(slug)
    env = Environment(
        loader=PackageLoader("tohyo.app.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(i18n.translations(slug), newstyle=True)  # type: ignore[attr-defined]
    env.filters["loc"] = _loc(lang)
    env.filters["loc_plain"] = _loc_plain(lang)
    return env


def _static(name: str) -> StaticFile:
    return static_file(STATIC_DIR, name, "/static")


@dataclass(frozen=True, slots=True)
class _Page:
    """What every voter page needs besides its own content."""

    request: Request
    lang: i18n.Language
    path: str  # the page's path without the language segment, for the language switch

    def render(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        env = _environment(self.lang.slug)
        try:
            bundle: StaticFile | None = _static(BUNDLE)
        except FileNotFoundError:
            bundle = None  # not built: the page says so instead of failing
        html = env.get_template(template).render(
            lang=self.lang,
            languages=list(i18n.LANGUAGES.values()),
            switch_path=self.path,
            nonce=self.request.state.csp_nonce,
            bundle=bundle,
            stylesheet=_static(STYLESHEET),
            messages=i18n.booth_messages(self.lang.slug),
            **context,
        )
        return HTMLResponse(html, status_code=status)


def _page(request: Request, slug: str, path: str) -> _Page | None:
    lang = i18n.LANGUAGES.get(slug)
    return None if lang is None else _Page(request, lang, path)


def _not_found(request: Request) -> HTMLResponse:
    return _Page(request, i18n.DEFAULT_LANGUAGE, "/").render("voter/not_found.html", status=404)


@dataclass(frozen=True, slots=True)
class _Election:
    summary: ElectionSummary
    manifest: Manifest
    withdrawn: frozenset[str]
    voting_closed: bool  # §BO-1.6: every page says so and offers the results


#: States after the voting period (§BO-1.6).
_AFTER_VOTING = frozenset({"closed", "tallied", "published", "disposed"})


def _load(runtime: Runtime, election_id: str) -> _Election:
    if not _ID.match(election_id):
        raise NotFound("election.not_found", "no such election")
    summary = get_election(runtime, election_id)
    with runtime.uow() as uow:
        row = load_election(uow, election_id)
        manifest = manifest_of(runtime, row)
        withdrawn = frozenset(w.candidate_id for w in uow.withdrawals(election_id))
    # Closed by the officials, or past the period's end before they close it.
    closed = summary.state in _AFTER_VOTING or (
        summary.state == "open" and runtime.clock() >= manifest.period.end
    )
    return _Election(summary, manifest, withdrawn, closed)


def _booth_data(page: _Page, election: _Election, kind: str) -> dict[str, Any]:
    """The JSON the booth script reads from the page (``<script type="application/json">``)."""
    eid = election.summary.id
    base = f"/{page.lang.slug}/elections/{eid}"
    style = ballot_style(election.manifest)
    return {
        "page": kind,
        "lang": page.lang.tag,
        "speechLang": page.lang.speech,
        "election": {
            "id": eid,
            "state": election.summary.state,
            "votingClosed": election.voting_closed,
            "manifestHash": election.summary.manifest_hash,
            "publicKey": election.summary.public_key,
            "logOrigin": election.summary.log_origin,
            "logKey": election.summary.log_key,
            "style": [
                {
                    "question_id": q.question_id,
                    "option_ids": list(q.option_ids),
                    "min_selections": q.min_selections,
                    "max_selections": q.max_selections,
                    "allow_blank": q.allow_blank,
                }
                for q in style.questions
            ],
        },
        "urls": {
            "signIn": f"{base}/",
            "ballot": f"{base}/ballot",
            "review": f"{base}/review",
            "receipt": f"{base}/receipt",
            "check": f"{base}/check",
            "api": f"/api/v1/elections/{eid}",
        },
    }


async def _election_page(
    request: Request, runtime: Runtime, slug: str, election_id: str, kind: str, template: str
) -> HTMLResponse:
    page = _page(request, slug, f"/elections/{election_id}/{'' if kind == 'sign-in' else kind}")
    if page is None:
        return _not_found(request)
    try:
        election = await run_in_threadpool(_load, runtime, election_id)
    except NotFound:
        return page.render("voter/not_found.html", status=404)
    return page.render(
        template,
        election=election.summary,
        manifest=election.manifest,
        withdrawn=election.withdrawn,
        voting_closed=election.voting_closed,
        booth=_booth_data(page, election, kind),
        asset_base=f"/assets/{election_id}/",
        page_kind=kind,
    )


# ---------------------------------------------------------------- pages


@router.get("/")
async def root(request: Request) -> RedirectResponse:
    """Japanese first; English when the browser prefers it to Japanese."""
    accept = request.headers.get("accept-language", "").lower()
    first = accept.split(",", 1)[0].strip()
    slug = "en" if first.startswith("en") else "ja"
    return RedirectResponse(f"/{slug}/", status_code=303)


@router.get("/{slug}/")
async def index(request: Request, slug: str, runtime: RuntimeDep) -> HTMLResponse:
    """The elections a voter can take part in or check."""
    page = _page(request, slug, "/")
    if page is None:
        return _not_found(request)
    found = await run_in_threadpool(_list, runtime)
    return page.render("voter/index.html", elections=found)


def _list(runtime: Runtime) -> list[tuple[ElectionSummary, Manifest]]:
    out = []
    for summary in list_elections(runtime):
        if summary.state in ("draft", "key_ceremony", "disposed"):
            continue
        with runtime.uow() as uow:
            out.append((summary, manifest_of(runtime, load_election(uow, summary.id))))
    return out


@router.get("/{slug}/elections/{election_id}/")
async def sign_in(request: Request, slug: str, election_id: str, runtime: RuntimeDep) -> Response:
    """Sign in with a one-time voting code (the other methods extend this page)."""
    return await _election_page(
        request, runtime, slug, election_id, "sign-in", "voter/sign_in.html"
    )


@router.get("/{slug}/elections/{election_id}")
async def election_home(slug: str, election_id: str) -> RedirectResponse:
    return RedirectResponse(f"/{slug}/elections/{election_id}/", status_code=308)


@router.get("/{slug}/elections/{election_id}/ballot")
async def ballot(request: Request, slug: str, election_id: str, runtime: RuntimeDep) -> Response:
    """Every question, in manifest order; the choices stay in the page."""
    return await _election_page(request, runtime, slug, election_id, "ballot", "voter/ballot.html")


@router.get("/{slug}/elections/{election_id}/review")
async def review(request: Request, slug: str, election_id: str, runtime: RuntimeDep) -> Response:
    """The chosen names before anything is recorded; encryption, audit, cast."""
    return await _election_page(request, runtime, slug, election_id, "review", "voter/review.html")


@router.get("/{slug}/elections/{election_id}/receipt")
async def receipt(request: Request, slug: str, election_id: str, runtime: RuntimeDep) -> Response:
    """The tracking code and how to check it."""
    return await _election_page(
        request, runtime, slug, election_id, "receipt", "voter/receipt.html"
    )


@router.get("/{slug}/elections/{election_id}/check")
async def check(request: Request, slug: str, election_id: str, runtime: RuntimeDep) -> Response:
    """Check a ballot on the public board, in the browser (anyone, no sign-in)."""
    return await _election_page(request, runtime, slug, election_id, "check", "voter/check.html")


# ---------------------------------------------------------------- assets


def _asset(runtime: Runtime, election_id: str, path: str) -> tuple[bytes, str]:
    """An image a manifest lists, from ``<data dir>/assets/<election id>/``.

    Only paths the manifest names are served, and an ``image_sha256`` in the
    manifest must match the file (manifest.md §MAN-13).
    """
    if not _ID.match(election_id):
        raise NotFound("asset.not_found", "no such image")
    with runtime.uow() as uow:
        manifest = manifest_of(runtime, load_election(uow, election_id))
    for question in manifest.questions:
        if not isinstance(question, ImageChoiceQuestion):
            continue
        for option in question.options:
            if option.image != path:
                continue
            file = runtime.settings.data_dir / "assets" / election_id / path
            try:
                data = file.read_bytes()
            except OSError as exc:
                raise NotFound("asset.not_found", "no such image") from exc
            if option.image_sha256 and hashlib.sha256(data).hexdigest() != option.image_sha256:
                raise NotFound("asset.hash_mismatch", "the image does not match the manifest")
            return data, _IMAGE_TYPES[Path(path).suffix.lower()]
    raise NotFound("asset.not_found", "no such image")


@router.get("/assets/{election_id}/{path:path}")
async def asset(election_id: str, path: str, runtime: RuntimeDep) -> Response:
    data, media_type = await run_in_threadpool(_asset, runtime, election_id, path)
    return Response(data, media_type=media_type, headers={"cache-control": "public, max-age=3600"})


# ---------------------------------------------------------------- JSON


@api_router.post(
    "/elections/{election_id}/audits",
    status_code=201,
    responses={400: {}, 401: {}, 404: {}, 409: {}},
)
async def spoil(
    election_id: str, request: Request, token: BearerToken, runtime: RuntimeDep
) -> dict[str, Any]:
    """Record a ballot hash as spoiled before its nonces are revealed (booth-crypto.md §B3.4).

    Body ``{"ballot_hash": "<64 hex>"}``; the response is padded to a fixed size.
    """
    raw = await read_body(request)
    done = await run_in_threadpool(audits.spoil_ballot, runtime, election_id, token, raw)
    return done.to_json()


@api_router.get("/booth")
async def booth_files() -> dict[str, Any]:
    """SHA-256 of the script and stylesheet the booth pages load, as served.

    Anyone can rebuild the bundle from the locked sources (``npm ci`` then
    ``scripts/setup``) and compare (booth-crypto.md §B1.3, THREATS #42).
    """
    return {"files": {f"/static/{name}": _static(name).sha256 for name in (BUNDLE, STYLESHEET)}}


# ---------------------------------------------------------------- wiring


class _Static(StaticFiles):
    """Static files: cacheable, since every URL carries its content hash.

    Scripts, stylesheets and SVG go gzip-compressed to a client that accepts it
    (booth.md §BO-6.2). They are the same for every voter and hold no secret, so
    compression reveals nothing (no BREACH); pages and the JSON API, which are
    padded or carry tokens, are never compressed. Subresource Integrity and the
    published SHA-256 are over the decoded bytes, so they still match.
    """

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code != 200:
            return response
        cache_control = "public, max-age=86400"
        if Path(path).suffix in _COMPRESSIBLE:
            file = Path(self.directory or STATIC_DIR) / path
            packed = await run_in_threadpool(_gzipped, file)
            if packed is not None and _accepts_gzip(scope):
                return Response(
                    packed,
                    media_type=response.media_type,
                    headers={
                        "content-encoding": "gzip",
                        "vary": "accept-encoding",
                        "cache-control": cache_control,
                    },
                )
            response.headers["vary"] = "accept-encoding"
        response.headers["cache-control"] = cache_control
        return response


_COMPRESSIBLE = frozenset({".js", ".css", ".svg"})


@cache
def _gzip_cached(path: str, mtime_ns: int, size: int) -> bytes:
    # mtime=0: the same bytes for the same file, on every server.
    return gzip.compress(Path(path).read_bytes(), compresslevel=9, mtime=0)


def _gzipped(file: Path) -> bytes | None:
    try:
        stat = file.stat()
    except OSError:
        return None
    return _gzip_cached(str(file), stat.st_mtime_ns, stat.st_size)


def _accepts_gzip(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"accept-encoding":
            codings = {c.split(b";", 1)[0].strip() for c in value.lower().split(b",")}
            return b"gzip" in codings
    return False


@router.get("/favicon.ico")
async def favicon() -> Response:
    """The site's icon for clients that ask for it by the old name (§BO-1)."""
    data = await run_in_threadpool((STATIC_DIR / "favicon.ico").read_bytes)
    headers = {"cache-control": "public, max-age=86400"}
    return Response(data, media_type="image/vnd.microsoft.icon", headers=headers)


def install(app: FastAPI) -> None:
    """Add the voter pages, the static files and the security headers to the app."""
    app.include_router(api_router)
    app.include_router(router)
    app.mount("/static", _Static(directory=STATIC_DIR), name="static")
    app.add_middleware(SecurityHeadersMiddleware)
