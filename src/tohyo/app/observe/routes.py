"""Routes of the observers' dashboard (docs/spec/observe.md §OBS-1, §OBS-4).

======================================================  ==============================
``GET /{lang}/observe/``                                the elections to watch
``GET /{lang}/observe/elections/{id}/``                 the public dashboard (a full
                                                        snapshot without JavaScript)
``GET /{lang}/observe/elections/{id}/witness``          the witness role's view
``GET /api/v1/elections/{id}/observe``                  the public snapshot (JSON)
``GET /api/v1/elections/{id}/observe/events``           the public event stream (SSE)
``GET /api/v1/elections/{id}/observe/witness/events``   the witness role's stream
======================================================  ==============================

Thin: pages, JSON and streams use the shared, throttled snapshot
(:class:`SnapshotCache` over :func:`take_snapshot`); streams send it only when
it changed, a heartbeat comment otherwise, and end after
:data:`STREAM_SECONDS` (the browser reconnects). The witness views need an
official's session cookie with the witness (or the administrator) role
(authentication.md §AUTH-SESS). The streams are left out of the OpenAPI
document, where a schema-driven fuzzer would hang on them.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import weakref
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import (
    HTMLResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from fastapi.staticfiles import StaticFiles
from jinja2 import ChoiceLoader, Environment, PackageLoader, select_autoescape

from tohyo.app.auth.errors import AuthError
from tohyo.app.auth.officials import Official, Role, require_role
from tohyo.app.auth.sessions import COOKIE_NAME
from tohyo.app.auth.wiring import AuthServices
from tohyo.app.errors import NotFound
from tohyo.app.observe.snapshot import PHASES, Snapshot, take_snapshot
from tohyo.app.observe.streams import SnapshotCache, StreamGate
from tohyo.app.services.elections import list_elections
from tohyo.app.services.runtime import Runtime
from tohyo.app.web import i18n
from tohyo.app.web.deps import RuntimeDep
from tohyo.app.web.i18n import N_
from tohyo.app.web.security import StaticFile, static_file

__all__ = ["HEARTBEAT_SECONDS", "STREAM_SECONDS", "install", "messages"]

STATIC_DIR = Path(__file__).resolve().parent / "static"
_WEB_STATIC = Path(__file__).resolve().parent.parent / "web" / "static"
STREAM_SECONDS = 600.0
"""A stream ends after ten minutes; the browser reconnects (and holds a slot again)."""
HEARTBEAT_SECONDS = 15.0
_ID = re.compile(r"[a-z0-9]+([-_][a-z0-9]+)*\Z")
_JST = timezone(timedelta(hours=9))
_WITNESS_ROLES = (Role.WITNESS, Role.ADMINISTRATOR)

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/v1", tags=["observers"])


#: Texts the script needs (phase names, alerts, announcements), translated per page.
MESSAGES = {
    "phase.draft": N_("Being prepared"),
    "phase.key_ceremony": N_("Key ceremony"),
    "phase.open": N_("Voting open"),
    "phase.closed": N_("Voting closed: waiting for the count"),
    "phase.tallied": N_("Counted"),
    "phase.published": N_("Result published"),
    "phase.disposed": N_("Records disposed of"),
    "alert.witness.behind": N_(
        "Witness {name} has fallen behind the ballot box or refused to cosign."
    ),
    "alert.witness.none": N_("No witness has cosigned the ballot box yet."),
    "alert.log.halted": N_(
        "The server stopped accepting ballots after a storage or consistency failure."
    ),
    "alerts.none": N_("No alerts."),
    "witness.current": N_("up to date"),
    "witness.behind": N_("behind"),
    "announce": N_("Ballot box: {size} entries. {alerts}"),
    "stream.live": N_("Live: updates at most every few seconds."),
    "stream.paused": N_("Paused. The figures are not updated."),
    "stream.lost": N_("Connection lost; trying again. The figures shown may be old."),
}


@cache
def messages(slug: str) -> dict[str, str]:
    """:data:`MESSAGES` in the language of ``slug``."""
    catalogue = i18n.translations(slug)
    return {key: catalogue.gettext(text) for key, text in MESSAGES.items()}


def _jst(iso: str) -> str:
    if not iso:
        return ""
    return datetime.fromisoformat(iso).astimezone(_JST).strftime("%Y-%m-%d %H:%M")


@cache
def _environment(slug: str) -> Environment:
    lang = i18n.language(slug)
    env = Environment(
        loader=ChoiceLoader(
            [
                PackageLoader("tohyo.app.observe", "templates"),
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


def _static(name: str) -> StaticFile:
    return static_file(STATIC_DIR, name, "/observe/static")


def _render(
    request: Request, lang: i18n.Language, path: str, template: str, status: int = 200, **ctx: Any
) -> HTMLResponse:
    html = (
        _environment(lang.slug)
        .get_template(template)
        .render(
            lang=lang,
            languages=list(i18n.LANGUAGES.values()),
            switch_path=path,
            nonce=request.state.csp_nonce,
            script=_static("observe.js"),
            stylesheet=static_file(_WEB_STATIC, "css/booth.css", "/static"),
            own_stylesheet=_static("observe.css"),
            messages=messages(lang.slug),
            phases=PHASES,
            **ctx,
        )
    )
    return HTMLResponse(html, status_code=status)


def _official(request: Request, runtime: Runtime) -> Official:
    """The signed-in official with a role that may see the witness view.

    Raises:
        AuthError: no live session (401), or another role (403).
    """
    services: AuthServices = request.app.state.auth
    official, _session = services.officials.current(
        request.cookies.get(COOKIE_NAME, ""), now=runtime.now()
    )
    require_role(official, *_WITNESS_ROLES)
    return official


def _cache(request: Request) -> SnapshotCache:
    cache_: SnapshotCache = request.app.state.observe_cache
    return cache_


def _check_id(election_id: str) -> None:
    if not _ID.match(election_id):
        raise NotFound("election.not_found", "no such election")


# ---------------------------------------------------------------- pages


@router.get("/{slug}/observe/")
async def index(request: Request, slug: str, runtime: RuntimeDep) -> Response:
    lang = i18n.LANGUAGES.get(slug)
    if lang is None:
        return RedirectResponse("/ja/observe/", status_code=303)
    found = await run_in_threadpool(list_elections, runtime)
    return _render(request, lang, "/observe/", "observe/index.html", elections=found)


async def _dashboard(
    request: Request, slug: str, election_id: str, runtime: Runtime, *, witness: bool
) -> Response:
    lang = i18n.LANGUAGES.get(slug)
    if lang is None:
        return RedirectResponse(f"/ja/observe/elections/{election_id}/", status_code=303)
    suffix = "witness" if witness else ""
    path = f"/observe/elections/{election_id}/{suffix}"
    if witness:
        try:
            await run_in_threadpool(_official, request, runtime)
        except AuthError as exc:
            return _render(
                request,
                lang,
                path,
                "observe/refused.html",
                status=exc.http_status,
                election_id=election_id,
                code=exc.code,
            )
    try:
        _check_id(election_id)
        snapshot = await _cache(request).get(election_id, witness)
    except NotFound:
        return _render(
            request,
            lang,
            path,
            "observe/refused.html",
            status=404,
            election_id=election_id,
            code="election.not_found",
        )
    stream = f"/api/v1/elections/{election_id}/observe/{'witness/' if witness else ''}events"
    return _render(
        request,
        lang,
        path,
        "observe/dashboard.html",
        s=snapshot,
        witness=witness,
        stream=stream,
        data=snapshot.to_json(),
    )


@router.get("/{slug}/observe/elections/{election_id}/")
async def dashboard(request: Request, slug: str, election_id: str, runtime: RuntimeDep) -> Response:
    """The public dashboard: a complete snapshot, kept live by the stream when scripts run."""
    return await _dashboard(request, slug, election_id, runtime, witness=False)


@router.get("/{slug}/observe/elections/{election_id}/witness")
async def witness_dashboard(
    request: Request, slug: str, election_id: str, runtime: RuntimeDep
) -> Response:
    """The witness role's view (§OBS-2.2)."""
    return await _dashboard(request, slug, election_id, runtime, witness=True)


# ---------------------------------------------------------------- JSON and streams


@api_router.get("/elections/{election_id}/observe", responses={404: {}})
async def snapshot_json(election_id: str, request: Request) -> dict[str, Any]:
    """The public snapshot of §OBS-2.1 (the shared one: at most one build per interval)."""
    _check_id(election_id)
    found = await _cache(request).get(election_id, False)
    return found.public_json()


def _event(snapshot: Snapshot, witness: bool) -> bytes:
    data = snapshot.to_json() if witness else snapshot.public_json()
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"id: {snapshot.version}\nevent: snapshot\ndata: {text}\n\n".encode()


async def _stream(
    request: Request,
    cache_: SnapshotCache,
    election_id: str,
    witness: bool,
    seconds: float,
    heartbeat: float,
) -> AsyncIterator[bytes]:
    started = last_sent = time.monotonic()
    version = ""
    yield f"retry: {int(cache_.interval * 1000)}\n\n".encode()
    while time.monotonic() - started < seconds:
        if await request.is_disconnected():
            return
        snapshot = await cache_.get(election_id, witness)
        if snapshot.version != version:
            version = snapshot.version
            last_sent = time.monotonic()
            yield _event(snapshot, witness)
        elif time.monotonic() - last_sent >= heartbeat:
            last_sent = time.monotonic()
            yield b": heartbeat\n\n"
        await asyncio.sleep(cache_.interval)


async def _open_stream(
    request: Request, runtime: Runtime, election_id: str, *, witness: bool
) -> Response:
    _check_id(election_id)
    state = request.app.state
    gate: StreamGate = state.observe_gate
    cache_: SnapshotCache = state.observe_cache
    client = request.client.host if request.client else "unknown"
    slot = gate.acquire(client)  # refuses here, before any work, when a bound is reached
    try:
        if witness:
            await run_in_threadpool(_official, request, runtime)
        await cache_.get(election_id, witness)  # 404 before the stream starts
    except BaseException:
        slot.release()
        raise

    async def body() -> AsyncIterator[bytes]:
        try:
            async for chunk in _stream(
                request,
                cache_,
                election_id,
                witness,
                state.observe_seconds,
                state.observe_heartbeat,
            ):
                yield chunk
        finally:
            slot.release()

    iterator = body()
    # A generator that never started runs no ``finally``: release when it is collected.
    weakref.finalize(iterator, slot.release)
    return StreamingResponse(
        iterator,
        media_type="text/event-stream",
        headers={"cache-control": "no-store", "x-accel-buffering": "no"},
    )


# The streams stay out of the OpenAPI document: a schema-driven fuzzer would hang on them.
@api_router.get("/elections/{election_id}/observe/events", include_in_schema=False)
async def events(election_id: str, request: Request, runtime: RuntimeDep) -> Response:
    """The public snapshot as Server-Sent Events (§OBS-4)."""
    return await _open_stream(request, runtime, election_id, witness=False)


@api_router.get("/elections/{election_id}/observe/witness/events", include_in_schema=False)
async def witness_events(election_id: str, request: Request, runtime: RuntimeDep) -> Response:
    """The witness role's snapshot as Server-Sent Events (§OBS-4)."""
    return await _open_stream(request, runtime, election_id, witness=True)


# ---------------------------------------------------------------- wiring


class _Static(StaticFiles):
    async def get_response(self, path: str, scope: Any) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["cache-control"] = "public, max-age=86400"
        return response


def install(
    app: FastAPI,
    runtime: Runtime,
    *,
    per_client: int = 4,
    total: int = 200,
    interval: float = 5.0,
    stream_seconds: float = STREAM_SECONDS,
    heartbeat: float = HEARTBEAT_SECONDS,
) -> None:
    """Add the dashboard's routes, its static files, the stream gate and the snapshot cache."""
    app.state.observe_gate = StreamGate(per_client=per_client, total=total)
    app.state.observe_cache = SnapshotCache(
        lambda eid, detail: take_snapshot(runtime, eid, detail=detail), interval=interval
    )
    app.state.observe_seconds = stream_seconds
    app.state.observe_heartbeat = heartbeat
    app.include_router(api_router)
    app.include_router(router)
    app.mount("/observe/static", _Static(directory=STATIC_DIR), name="observe-static")
