"""Officials' JSON API for paper counts and the official result (docs/spec/results.md).

Thin routes over :mod:`tohyo.app.results.paper` and :mod:`tohyo.app.results.official`,
with the officials' session, Origin and CSRF rules of
``tohyo.app.web.routes.official`` (authentication.md §AUTH-HTTP):

=====================================================  ===========================  ==============
endpoint                                               body                         roles
=====================================================  ===========================  ==============
``POST /official/elections/{id}/paper-counts``         ``{"count": <§RES-2.1>}``    administrator
``GET  /official/elections/{id}/paper-counts``         → ``{accepted, pending}``    administrator,
                                                                                    witness
``GET  /official/elections/{id}/official-result``      → ``official.json``          administrator,
                                                                                    witness
=====================================================  ===========================  ==============

A refused entry answers ``{"error": {"code", "message", "fields"}}``, the
fields being JSON pointers into the count.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from tohyo.app.auth.officials import Role
from tohyo.app.errors import BadRequest
from tohyo.app.results.errors import InvalidPaperEntry, PaperEntryConflict
from tohyo.app.results.official import official_result
from tohyo.app.results.paper import accepted_counts, enter_paper_count, pending_entries
from tohyo.app.web.deps import RuntimeDep, json_object, read_body
from tohyo.app.web.routes.auth import auth_services
from tohyo.app.web.routes.official import _allow, _signed_in, _state_changing

__all__ = ["router"]

router = APIRouter(prefix="/official/elections", tags=["officials", "results"])

_ERROR = {"description": 'refused: {"error": {"code": ..., "message": ..., "fields"?: [...]}}'}


@router.post("/{election_id}/paper-counts",
             responses={400: _ERROR, 401: _ERROR, 403: _ERROR, 404: _ERROR, 409: _ERROR,
                        422: _ERROR})
async def enter(election_id: str, request: Request, runtime: RuntimeDep) -> JSONResponse:
    """One administrator's entry of one place's count; a second, matching one accepts it."""
    services = auth_services(request)
    body = json_object(await read_body(request), runtime, {"count"})
    if not isinstance(body["count"], dict):
        raise BadRequest("request.invalid_fields", "count must be an object")

    def run() -> dict[str, Any]:
        official, _ = _state_changing(request, runtime, services)
        _allow(services, runtime, official, Role.ADMINISTRATOR)
        return enter_paper_count(runtime, election_id, body["count"],
                                 official=official.username).to_json()

    try:
        return JSONResponse(await run_in_threadpool(run))
    except (InvalidPaperEntry, PaperEntryConflict) as exc:
        return JSONResponse(exc.to_json(), status_code=exc.http_status)


@router.get("/{election_id}/paper-counts", responses={401: _ERROR, 403: _ERROR, 404: _ERROR})
async def listing(election_id: str, request: Request, runtime: RuntimeDep) -> dict[str, Any]:
    """Accepted counts (their figures) and waiting first entries (who and when only)."""
    services = auth_services(request)

    def run() -> dict[str, Any]:
        official, _ = _signed_in(request, runtime, services)
        _allow(services, runtime, official, Role.ADMINISTRATOR, Role.WITNESS)
        return {"accepted": [c.to_json() for c in accepted_counts(runtime, election_id)],
                "pending": [p.to_json() for p in pending_entries(runtime, election_id)]}

    return await run_in_threadpool(run)


@router.get("/{election_id}/official-result",
            responses={401: _ERROR, 403: _ERROR, 404: _ERROR, 409: _ERROR})
async def result(election_id: str, request: Request, runtime: RuntimeDep) -> dict[str, Any]:
    """The official result (results.md §RES-4) of a tallied election."""
    services = auth_services(request)

    def run() -> dict[str, Any]:
        official, _ = _signed_in(request, runtime, services)
        _allow(services, runtime, official, Role.ADMINISTRATOR, Role.WITNESS)
        return official_result(runtime, election_id).to_json()

    return await run_in_threadpool(run)
