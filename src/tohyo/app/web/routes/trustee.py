"""The key-ceremony relay: trustees post and fetch public messages (ceremony-relay.md §RELAY-3).

Thin JSON routes over :mod:`tohyo.app.services.ceremony`. Reading is public;
posting needs the trustee's enrolment token (``Authorization: Bearer``), which
the officials hand each trustee when they open the ceremony. A post carries
``{"message": <the message JSON>}``: a transport key, a dealing, a
confirmation, or the array of a trustee's complaints or answers.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool

from tohyo.app.errors import Unauthorized
from tohyo.app.services import ceremony
from tohyo.app.web.deps import RuntimeDep, json_object, read_body

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/elections/{election_id}/ceremony", tags=["ceremony"])

_ERROR = {"description": 'refused: {"error": {"code": ..., "message": ...}}'}
_KINDS = "transport, dealing, complaints, answers or confirmation"
_POST_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["message"],
                    "additionalProperties": False,
                    "properties": {"message": {"description": f"the {_KINDS} message"}},
                }
            }
        },
    }
}


def _token(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("ceremony.token_missing",
                           "send Authorization: Bearer <the trustee's enrolment token>")
    return token.strip()


@router.get("", responses={404: _ERROR})
async def status(election_id: str, runtime: RuntimeDep) -> dict[str, Any]:
    """The ceremony's parameters (t, n, manifest hash, attempt) and who posted what."""
    found = await run_in_threadpool(ceremony.ceremony_status, runtime, election_id)
    return found.to_json()


@router.get("/transcript", responses={404: _ERROR, 409: _ERROR})
async def transcript(election_id: str, runtime: RuntimeDep) -> dict[str, Any]:
    """The verified transcript and joint key; 409 ``ceremony.aborted`` names cheaters."""
    done, joint = await run_in_threadpool(ceremony.ceremony_transcript, runtime, election_id)
    return {"transcript": done.to_json(), "joint_key": joint.to_json()}


@router.get("/{kind}", responses={404: _ERROR})
async def messages(election_id: str, kind: str, runtime: RuntimeDep) -> dict[str, Any]:
    """Every message of one kind in the current attempt, by trustee."""
    found = await run_in_threadpool(ceremony.messages_of, runtime, election_id, kind)
    return {"kind": kind, "messages": found}


@router.post(
    "/{kind}",
    status_code=201,
    openapi_extra=_POST_BODY,
    responses={400: _ERROR, 401: _ERROR, 403: _ERROR, 404: _ERROR, 409: _ERROR, 422: _ERROR},
)
async def post(election_id: str, kind: str, request: Request, runtime: RuntimeDep
               ) -> dict[str, Any]:
    """A trustee's message; checked at intake (threshold.md §7.8), kept, then relayed."""
    if kind == "transcript":  # the GET-only resource of that name, not a message kind
        raise HTTPException(405)
    token = _token(request)
    body = json_object(await read_body(request), runtime, {"message"})
    sender = await run_in_threadpool(ceremony.post_message, runtime, election_id, token, kind,
                                     body["message"])
    return {"election_id": election_id, "kind": kind, "trustee": sender}
