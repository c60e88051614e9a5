"""The public log: heads, entries, proofs, witness cosignatures (§CAST-8).

Heads are served as C2SP signed notes (``text/plain``), with every
cosignature the server holds for that head appended as further signature
lines, so a client verifies log and witnesses in one note.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse

from tohyo.app.errors import BadRequest
from tohyo.app.services import board, elections
from tohyo.app.web.deps import RuntimeDep, json_object, read_body

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/elections/{election_id}/log", tags=["log"])

_ERROR = {"description": 'refused: {"error": {"code": ..., "message": ...}}'}
_NOTE = "text/plain; charset=utf-8"
_COSIGNATURE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["size", "witness_key", "signature"],
                    "additionalProperties": False,
                    "properties": {
                        "size": {"type": "integer", "minimum": 0},
                        "witness_key": {"type": "string", "maxLength": 512},
                        "signature": {"type": "string", "maxLength": 1024},
                    },
                }
            }
        },
    }
}


@router.get("/checkpoint", response_class=PlainTextResponse, responses={404: _ERROR})
async def checkpoint(
    election_id: str, runtime: RuntimeDep, size: int | None = Query(None, ge=0)
) -> PlainTextResponse:
    """The latest signed head (or the head of ``size``) with its cosignatures."""
    note = await run_in_threadpool(board.checkpoint, runtime, election_id, size)
    return PlainTextResponse(note, media_type=_NOTE)


@router.get("/key", response_class=PlainTextResponse, responses={404: _ERROR})
async def log_key(election_id: str, runtime: RuntimeDep) -> PlainTextResponse:
    """The log's public key as a C2SP verifier key (vkey)."""
    summary = await run_in_threadpool(elections.get_election, runtime, election_id)
    return PlainTextResponse(summary.log_key + "\n", media_type=_NOTE)


@router.get("/entries", responses={400: _ERROR, 404: _ERROR})
async def entries(
    election_id: str,
    runtime: RuntimeDep,
    start: int = Query(0, ge=0),
    end: int | None = Query(None, ge=0),
) -> dict[str, Any]:
    """Leaves ``[start, end)``, at most 1000 per page."""
    return await run_in_threadpool(board.entries, runtime, election_id, start, end)


@router.get("/inclusion", responses={404: _ERROR})
async def inclusion(
    election_id: str,
    runtime: RuntimeDep,
    index: int = Query(..., ge=0),
    size: int | None = Query(None, ge=1),
) -> dict[str, Any]:
    """Inclusion proof of leaf ``index`` in the head of ``size`` (default: latest)."""
    found = await run_in_threadpool(board.inclusion_by_index, runtime, election_id, index, size)
    return found.to_json()


@router.get("/consistency", responses={400: _ERROR, 404: _ERROR})
async def consistency(
    election_id: str,
    runtime: RuntimeDep,
    old: int = Query(..., ge=0),
    new: int | None = Query(None, ge=0),
) -> dict[str, Any]:
    """Consistency proof from the head of ``old`` to the head of ``new`` (default: latest)."""
    return await run_in_threadpool(board.consistency, runtime, election_id, old, new)


@router.post(
    "/cosignatures",
    status_code=201,
    openapi_extra=_COSIGNATURE_BODY,
    responses={400: _ERROR, 403: _ERROR, 404: _ERROR},
)
async def submit_cosignature(
    election_id: str, request: Request, runtime: RuntimeDep
) -> dict[str, Any]:
    """A witness hands back its cosignature of a head it checked (``tohyo witness``)."""
    body = json_object(await read_body(request), runtime, {"size", "witness_key", "signature"})
    size, key, line = body["size"], body["witness_key"], body["signature"]
    if not (isinstance(size, int) and not isinstance(size, bool) and size >= 0):
        raise BadRequest("request.invalid_fields", "size must be a non-negative integer")
    if not (isinstance(key, str) and isinstance(line, str)) or len(key) > 512 or len(line) > 1024:
        raise BadRequest("request.invalid_fields", "witness_key and signature must be strings")
    await run_in_threadpool(board.submit_cosignature, runtime, election_id, size, key, line)
    return {"election_id": election_id, "size": size}
