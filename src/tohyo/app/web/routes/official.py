"""Officials' JSON API: sign-in, two-person approvals, the audit log (authentication.md §AUTH-HTTP).

Every state-changing request is a POST that must carry (§AUTH-SESS):

1. an ``Origin`` equal to the service's own (``auth.csrf.origin``), checked first,
   so a cross-site form fails before anything else is read;
2. the ``__Host-tohyo-official`` session cookie (``auth.session.*``);
3. ``X-CSRF-Token`` equal to the session's token (``auth.csrf.*``).

Sign-in needs the Origin too (no login CSRF) and always mints a new session
token, ending the one the browser presented (no fixation). Roles are checked
per endpoint (``auth.forbidden.role``) and refusals are audited. Nothing
changes state on GET.

================================================  ==========================  ==============
endpoint                                          body                        roles
================================================  ==========================  ==============
``POST /official/sign-in``                        ``{username, password,      anyone
                                                  totp}``
``POST /official/sign-out``                                                   signed in
``GET  /official/session``                        → ``{username, role,        signed in
                                                  csrf_token}``
``POST /official/elections/{id}/requests``        ``{action}``: open, close,  administrator
                                                  tally
``GET  /official/approvals[?election_id=]``                                   administrator,
                                                                              witness
``POST /official/approvals/{id}/approve``                                     another
                                                                              administrator
``POST /official/approvals/{id}/execute``         ``{reason?}`` (close);      administrator
                                                  a tally approval is only
                                                  checked (spent by
                                                  ``record_tally``)
``GET  /official/audit``                                                      administrator,
                                                                              witness
================================================  ==========================  ==============
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from tohyo.app.auth.approvals import Approval, ApprovalTicket, GuardedAction, pending_approvals
from tohyo.app.auth.audit import BrokenAuditChain
from tohyo.app.auth.errors import ApprovalRejected, AuthError
from tohyo.app.auth.officials import Official, Role, require_role
from tohyo.app.auth.sessions import COOKIE_NAME, OfficialSession, check_origin
from tohyo.app.auth.wiring import AuthServices
from tohyo.app.errors import BadRequest
from tohyo.app.services import elections
from tohyo.app.services.runtime import Runtime
from tohyo.app.web.deps import RuntimeDep, json_object, read_body
from tohyo.app.web.routes.auth import auth_services

__all__ = ["router"]

router = APIRouter(prefix="/official", tags=["officials"])

_ID = re.compile(r"[a-z0-9]+([-_][a-z0-9]+)*\Z")
_APPROVAL_ID = re.compile(r"[0-9a-f]{32}\Z")
_ERROR = {"description": 'refused: {"error": {"code": ..., "message": ...}}'}
_SESSION_AGE = 8 * 3600  # the absolute time-out; the server ends idle sessions sooner


def _source(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _check_origin(request: Request, services: AuthServices) -> None:
    check_origin(request.headers.get("origin"), services.config.allowed_origins)


def _signed_in(
    request: Request, runtime: Runtime, services: AuthServices
) -> tuple[Official, OfficialSession]:
    token = request.cookies.get(COOKIE_NAME, "")
    return services.officials.current(token, now=runtime.now())


def _state_changing(
    request: Request, runtime: Runtime, services: AuthServices
) -> tuple[Official, OfficialSession]:
    """Origin, then session, then CSRF token (module docstring)."""
    _check_origin(request, services)
    official, session = _signed_in(request, runtime, services)
    services.sessions.check_csrf(session, request.headers.get("x-csrf-token", ""))
    return official, session


def _allow(services: AuthServices, runtime: Runtime, official: Official, *roles: Role) -> None:
    try:
        require_role(official, *roles)
    except AuthError:
        services.audit.append(
            official.username,
            "official.denied",
            {"role": official.role.value, "needs": sorted(r.value for r in roles)},
            now=runtime.now(),
        )
        raise


def _approval_json(approval: Approval) -> dict[str, Any]:
    return {
        "id": approval.id,
        "action": approval.action.value,
        "election_id": approval.election_id,
        "requested_by": approval.requested_by,
        "approved_by": approval.approved_by,
        "expires_at": approval.expires_at.isoformat(),
    }


def _set_session_cookie(response: JSONResponse, token: str) -> None:
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=_SESSION_AGE,
        path="/",
        secure=True,
        httponly=True,
        samesite="strict",
    )


# ---------------------------------------------------------------- sign-in


@router.post("/sign-in", responses={400: _ERROR, 401: _ERROR, 403: _ERROR, 429: _ERROR})
async def sign_in(request: Request, runtime: RuntimeDep) -> JSONResponse:
    """Password and TOTP; a new session cookie and its CSRF token (§AUTH-OFF-3)."""
    services = auth_services(request)
    _check_origin(request, services)
    body = json_object(await read_body(request), runtime, {"username", "password", "totp"})
    for field in ("username", "password", "totp"):
        value = body[field]
        if not isinstance(value, str) or not value or len(value) > 256:
            raise BadRequest("request.invalid_fields", f"{field} must be a non-empty string")
    previous = request.cookies.get(COOKIE_NAME, "")

    def run() -> Any:
        return services.officials.sign_in(
            body["username"],
            body["password"],
            body["totp"],
            source=_source(request),
            previous_token=previous,
            now=runtime.now(),
        )

    signed = await run_in_threadpool(run)
    response = JSONResponse(
        {
            "username": signed.official.username,
            "display_name": signed.official.display_name,
            "role": signed.official.role.value,
            "csrf_token": signed.csrf_token,
        }
    )
    _set_session_cookie(response, signed.token)
    return response


@router.post("/sign-out", responses={401: _ERROR, 403: _ERROR})
async def sign_out(request: Request, runtime: RuntimeDep) -> JSONResponse:
    """End the session server-side; the cookie is then worthless, even if replayed."""
    services = auth_services(request)

    def run() -> None:
        _state_changing(request, runtime, services)
        services.officials.sign_out(request.cookies.get(COOKIE_NAME, ""), now=runtime.now())

    await run_in_threadpool(run)
    response = JSONResponse({"signed_out": True})
    response.delete_cookie(COOKIE_NAME, path="/", secure=True, httponly=True, samesite="strict")
    return response


@router.get("/session", responses={401: _ERROR, 403: _ERROR})
async def session(request: Request, runtime: RuntimeDep) -> dict[str, Any]:
    """Who is signed in, and the CSRF token for this session's POSTs."""
    services = auth_services(request)
    official, current = await run_in_threadpool(_signed_in, request, runtime, services)
    return {
        "username": official.username,
        "display_name": official.display_name,
        "role": official.role.value,
        "csrf_token": current.csrf_token,
    }


# ---------------------------------------------------------------- two-person rule


@router.post(
    "/elections/{election_id}/requests",
    status_code=201,
    responses={400: _ERROR, 401: _ERROR, 403: _ERROR, 404: _ERROR},
)
async def request_action(election_id: str, request: Request, runtime: RuntimeDep) -> Any:
    """An administrator asks to open, close or tally; another must approve (§AUTH-APPR)."""
    services = auth_services(request)
    raw = await read_body(request)

    def run() -> Approval:
        official, _ = _state_changing(request, runtime, services)
        _allow(services, runtime, official, Role.ADMINISTRATOR)
        body = json_object(raw, runtime, {"action"})
        try:
            action = GuardedAction(body["action"])
        except (ValueError, TypeError):
            raise BadRequest(
                "request.invalid_fields", "action must be open, close or tally"
            ) from None
        if not _ID.match(election_id):
            raise BadRequest("request.invalid_fields", "not an election id")
        elections.get_election(runtime, election_id)  # 404 for an unknown election
        return services.approvals.request(official, action, election_id, now=runtime.now())

    return _approval_json(await run_in_threadpool(run))


@router.get("/approvals", responses={401: _ERROR, 403: _ERROR})
async def list_approvals(
    request: Request, runtime: RuntimeDep, election_id: str | None = None
) -> dict[str, Any]:
    """Pending requests, for the second official (and the witness) to see."""
    services = auth_services(request)

    def run() -> tuple[Approval, ...]:
        official, _ = _signed_in(request, runtime, services)
        _allow(services, runtime, official, Role.ADMINISTRATOR, Role.WITNESS)
        return pending_approvals(services.approvals, election_id, now=runtime.now())

    found = await run_in_threadpool(run)
    return {"approvals": [_approval_json(a) for a in found]}


def _approval_id(value: str) -> str:
    if not _APPROVAL_ID.match(value):
        raise ApprovalRejected("auth.approval.unknown", "No such approval request.")
    return value


@router.post("/approvals/{approval_id}/approve", responses={401: _ERROR, 403: _ERROR, 409: _ERROR})
async def approve(approval_id: str, request: Request, runtime: RuntimeDep) -> dict[str, Any]:
    """A second administrator approves; the requester cannot (``auth.approval.self``)."""
    services = auth_services(request)

    def run() -> Approval:
        official, _ = _state_changing(request, runtime, services)
        _allow(services, runtime, official, Role.ADMINISTRATOR)
        return services.approvals.approve(official, _approval_id(approval_id), now=runtime.now())

    return _approval_json(await run_in_threadpool(run))


@router.post(
    "/approvals/{approval_id}/execute",
    responses={400: _ERROR, 401: _ERROR, 403: _ERROR, 409: _ERROR},
)
async def execute(approval_id: str, request: Request, runtime: RuntimeDep) -> dict[str, Any]:
    """Perform an approved action; the service spends the approval exactly once."""
    services = auth_services(request)
    raw = await read_body(request)

    def run() -> dict[str, Any]:
        official, _ = _state_changing(request, runtime, services)
        _allow(services, runtime, official, Role.ADMINISTRATOR)
        reason = ""
        if raw.strip():
            try:
                body = json_object(raw, runtime, {"reason"})
            except BadRequest:
                body = {"reason": ""} | json_object(raw, runtime, set())
            if not isinstance(body["reason"], str) or len(body["reason"]) > 500:
                raise BadRequest("request.invalid_fields", "reason must be a short string")
            reason = body["reason"]
        # Unknown ids are refused here; the service's consume refuses the rest
        # (not approved, expired, used, mismatched) before it acts.
        pending = services.approvals.get(_approval_id(approval_id))
        ticket = ApprovalTicket(services.approvals, pending.id)
        eid = pending.election_id
        if pending.action is GuardedAction.OPEN:
            summary = elections.open_election(runtime, eid, approval=ticket)
            return {"action": "open", "election_id": eid, "state": summary.state}
        if pending.action is GuardedAction.CLOSE:
            summary = elections.close_election(runtime, eid, reason=reason, approval=ticket)
            return {"action": "close", "election_id": eid, "state": summary.state}
        if pending.action is GuardedAction.DISPOSE:  # after retain_until (manifest.md §MAN-3.1)
            from tohyo.app.disposal.service import dispose_election

            done = dispose_election(runtime, eid, approval=ticket)
            return {"action": "dispose", "election_id": eid, "certificate": done.to_json()}
        return _check_tally(runtime, services, pending.id, eid)

    return await run_in_threadpool(run)


def _check_tally(
    runtime: Runtime, services: AuthServices, approval_id: str, election_id: str
) -> dict[str, Any]:
    """Check the tally approval and count the closed board for the trustees (§REC-5).

    The approval is *not* spent here: ``record_tally`` spends it when it combines
    the trustees' shares (``tohyo record tally --approval ID``, docs/adr/0040).
    """
    from tohyo.app.services.tally import board_snapshot, propose_tally

    services.approvals.check(approval_id, GuardedAction.TALLY, election_id, now=runtime.now())
    counted = propose_tally(board_snapshot(runtime, election_id))
    return {
        "action": "tally",
        "election_id": election_id,
        "board_size": counted.size,
        "questions": sorted(counted.aggregates),
        "approval": approval_id,
        "spent": False,
    }


# ---------------------------------------------------------------- audit


@router.get("/audit", responses={401: _ERROR, 403: _ERROR})
async def audit_log(request: Request, runtime: RuntimeDep) -> dict[str, Any]:
    """The officials' hash-chained audit log, and whether its chain holds (§AUTH-AUDIT)."""
    services = auth_services(request)

    def run() -> dict[str, Any]:
        official, _ = _signed_in(request, runtime, services)
        _allow(services, runtime, official, Role.ADMINISTRATOR, Role.WITNESS)
        entries = services.audit.entries()
        try:
            services.audit.verify()
            chain: dict[str, Any] = {"intact": True}
        except BrokenAuditChain as exc:
            chain = {"intact": False, "broken_at": exc.seq}
        return {
            "chain": chain,
            "entries": [
                {
                    "seq": e.seq,
                    "at": e.at.isoformat(),
                    "actor": e.actor,
                    "action": e.action,
                    "detail": e.detail,
                    "entry_hash": e.entry_hash,
                }
                for e in entries
            ],
        }

    return await run_in_threadpool(run)
