"""Voter-facing JSON API: elections, sessions, casting (docs/spec/casting.md §CAST-3).

Thin: each route parses, calls one service in the thread pool (services do
blocking database I/O and fsync) and renders. Errors are ServiceErrors,
rendered by the app's handler as ``{"error": {"code", "message"}}``.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from tohyo.app.errors import BadRequest
from tohyo.app.services import ballot_status, board, casting, counts, elections, identity
from tohyo.app.web.deps import BearerToken, RuntimeDep, json_object, read_body

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["voting"])

_ERROR = {"description": 'refused: {"error": {"code": ..., "message": ...}}'}
_CAST_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["ballot", "idempotency_key"],
                    "additionalProperties": False,
                    "properties": {
                        "ballot": {"type": "object", "description": "EncryptedBallot JSON"},
                        "idempotency_key": {
                            "type": "string",
                            "minLength": 1,
                            "maxLength": 128,
                            "pattern": "^[A-Za-z0-9._:-]+$",
                        },
                    },
                }
            }
        },
    }
}
_SESSION_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["code"],
                    "additionalProperties": False,
                    "properties": {"code": {"type": "string", "maxLength": 64}},
                }
            }
        },
    }
}


def _summary_json(summary: elections.ElectionSummary) -> dict[str, Any]:
    return {
        "id": summary.id,
        "state": summary.state,
        "manifest_hash": summary.manifest_hash,
        "public_key": summary.public_key,
        "log": {"origin": summary.log_origin, "key": summary.log_key},
    }


@router.get("/elections")
async def list_elections(runtime: RuntimeDep) -> dict[str, Any]:
    found = await run_in_threadpool(elections.list_elections, runtime)
    return {"elections": [_summary_json(s) for s in found]}


@router.get("/elections/{election_id}", responses={404: _ERROR})
async def get_election(election_id: str, runtime: RuntimeDep) -> dict[str, Any]:
    """The election, its manifest (the booth's ballot), its key and its log key."""

    def load() -> dict[str, Any]:
        summary = elections.get_election(runtime, election_id)
        with runtime.uow() as uow:
            row = uow.election(election_id)
            manifest = json.loads(row.manifest_json) if row is not None else None
        return {**_summary_json(summary), "manifest": manifest}

    return await run_in_threadpool(load)


@router.post(
    "/elections/{election_id}/sessions",
    status_code=201,
    openapi_extra=_SESSION_BODY,
    responses={400: _ERROR, 401: _ERROR, 403: _ERROR, 409: _ERROR, 429: _ERROR},
)
async def start_session(election_id: str, request: Request, runtime: RuntimeDep) -> Any:
    """Exchange a one-time voting code for a voting session (bearer token)."""
    body = json_object(await read_body(request), runtime, {"code"})
    if not isinstance(body["code"], str) or len(body["code"]) > 64:
        raise BadRequest("request.invalid_fields", "code must be a short string")
    source = request.client.host if request.client else "unknown"
    issued = await run_in_threadpool(  # behind the rate limiter (authentication.md §AUTH-CODE)
        identity.start_code_session, runtime, election_id, body["code"], source=source
    )
    return {
        "election_id": election_id,
        "token": issued.token,
        "credential": issued.session.credential,
        "expires_at": issued.expires_at.isoformat(),
    }


@router.post(
    "/elections/{election_id}/ballots",
    status_code=201,
    openapi_extra=_CAST_BODY,
    responses={
        400: _ERROR,
        401: _ERROR,
        403: _ERROR,
        409: _ERROR,
        413: _ERROR,
        422: _ERROR,
        503: _ERROR,
    },
)
async def cast(
    election_id: str, request: Request, token: BearerToken, runtime: RuntimeDep
) -> dict[str, Any]:
    """Cast an encrypted ballot; returns the receipt once it is durable on both media.

    A retry with the same idempotency key (or the same ballot) returns the
    receipt first issued and stores nothing new.
    """
    raw = await read_body(request)
    receipt = await run_in_threadpool(casting.cast_ballot, runtime, election_id, token, raw)
    return receipt.to_json()


@router.get("/elections/{election_id}/ballots/{tracker}", responses={404: _ERROR})
async def find_ballot(election_id: str, tracker: str, runtime: RuntimeDep) -> dict[str, Any]:
    """Is my ballot in the ballot box? By tracking code or ballot hash (§CAST-8.1).

    Public: says only that the ballot is recorded, never whether it still
    counts (§CAST-8.4).
    """
    return await run_in_threadpool(board.inclusion_by_ballot, runtime, election_id, tracker)


@router.get(
    "/elections/{election_id}/ballots/{tracker}/status",
    responses={401: _ERROR, 403: _ERROR, 404: _ERROR},
)
async def my_ballot_status(
    election_id: str, tracker: str, token: BearerToken, runtime: RuntimeDep
) -> dict[str, Any]:
    """Does my ballot count? Only for the voter's own signed-in session (§CAST-8.4)."""
    found = await run_in_threadpool(
        ballot_status.ballot_status, runtime, election_id, tracker, token
    )
    return found.to_json()


@router.get("/elections/{election_id}/counts", responses={404: _ERROR})
async def report_counts(election_id: str, runtime: RuntimeDep) -> dict[str, Any]:
    """Figures for the official report: sessions not finished, casts, supersessions..."""
    found = await run_in_threadpool(counts.report_counts, runtime, election_id)
    return found.to_json()
