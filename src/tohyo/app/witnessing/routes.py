"""``POST /api/v1/elections/{id}/statements``: a witness's signed statement (§REC-10).

Thin: the body is read within the service's size limits and handed to
:func:`tohyo.app.witnessing.service.submit_statement`, which checks every
field. No session: the statement's Ed25519 signature by a witness key the
manifest declares is the authentication. A refusal answers
``{"error": {"code", "message"}}`` and stores nothing.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from tohyo.app.web.deps import RuntimeDep, json_object, read_body
from tohyo.app.witnessing.service import submit_statement

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/elections/{election_id}", tags=["log", "witnesses"])

_ERROR = {"description": 'refused: {"error": {"code": ..., "message": ...}}'}
_FIELDS = {"election_id", "event", "checked", "head", "witness_key", "signature"}
_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {
            "type": "object",
            "required": sorted(_FIELDS),
            "additionalProperties": False,
            "properties": {f: {"type": "string", "maxLength": 4096} for f in sorted(_FIELDS)},
        }}},
    }
}


@router.post("/statements", status_code=201, openapi_extra=_BODY,
             responses={400: _ERROR, 403: _ERROR, 404: _ERROR, 409: _ERROR, 422: _ERROR})
async def post_statement(election_id: str, request: Request,
                         runtime: RuntimeDep) -> dict[str, Any]:
    """A declared witness's signed statement of what it checked; appended to the log."""
    body = json_object(await read_body(request), runtime, _FIELDS)
    outcome = await run_in_threadpool(submit_statement, runtime, election_id, body)
    return outcome.to_json()
