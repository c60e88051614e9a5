"""What a guarded service call spends: two officials' approval, or a named dev stand-in.

``open_election``, ``close_election`` and ``record_tally`` take an
``approval: Authority`` keyword with no default (docs/spec/authentication.md
§AUTH-APPR, docs/adr/0040). The HTTP API and the production CLI only ever build
an :class:`ApprovalTicket` from an approval id; :class:`DevApproval` is for
in-process code that runs a whole election without officials (the demo seed,
``tohyo simulate``, the tests). It is never silent: each use is appended to the
officials' audit log (``approval.dev.<action>``, actor ``dev:<purpose>``) and the
service's own audit row names the same actor, so a witness reading either log
sees that no second official approved.

An import-linter contract keeps ``tohyo.app.web`` and the officials' CLI
modules from importing this module, and ``tests/app/auth/test_authority.py``
checks their source never names ``DevApproval``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine

from tohyo.app.auth.approvals import ApprovalTicket, GuardedAction
from tohyo.app.auth.audit import AuditLog

__all__ = [
    "DEV_PURPOSES",
    "Authority",
    "DevApproval",
    "Spent",
    "check_authority",
    "spend_authority",
]

DEV_PURPOSES = frozenset({"demo", "simulation", "test"})


@dataclass(frozen=True, slots=True)
class DevApproval:
    """DEV ONLY: stands in for two officials in the demo, the simulation and the tests.

    Raises:
        ValueError: ``purpose`` is not one of :data:`DEV_PURPOSES`.
    """

    purpose: str

    def __post_init__(self) -> None:
        if self.purpose not in DEV_PURPOSES:
            raise ValueError(f"a dev approval's purpose is one of {sorted(DEV_PURPOSES)}")

    @property
    def actor(self) -> str:
        return f"dev:{self.purpose}"


Authority = ApprovalTicket | DevApproval


@dataclass(frozen=True, slots=True)
class Spent:
    """Who authorised the action: the service's audit actor and detail."""

    actor: str  #: ``requester+approver``, or ``dev:<purpose>``
    detail: Mapping[str, str]


def check_authority(
    authority: Authority, action: GuardedAction, election_id: str, *, now: datetime
) -> None:
    """The refusals of :func:`spend_authority`, without spending: services call this
    first, so that a bad approval is named before anything else is checked.

    Raises:
        ApprovalRejected: the ticket is unknown, unapproved, expired, used or mismatched.
        TypeError: neither a ticket nor a dev approval.
    """
    if isinstance(authority, ApprovalTicket):
        authority.book.check(authority.approval_id, action, election_id, now=now)
    elif not isinstance(authority, DevApproval):
        raise TypeError(
            f"{action.value} needs an ApprovalTicket (two officials) or a DevApproval, "
            f"not {type(authority).__name__}"
        )


def spend_authority(
    authority: Authority,
    action: GuardedAction,
    election_id: str,
    *,
    engine: Engine,
    now: datetime,
    conn: Connection | None = None,
) -> Spent:
    """Spend ``authority`` once for ``action`` on ``election_id``.

    Services call this inside the transaction of the action, with its ``conn``:
    the approval is then spent only if the action commits (§AUTH-APPR-3).

    Args:
        engine: the service's engine (a dev approval is audited there).
        conn: the action's connection, inside its transaction.

    Raises:
        ApprovalRejected: the ticket is unknown, unapproved, expired, used or mismatched.
        TypeError: anything else (``None`` included): there is no implicit bypass.
    """
    if isinstance(authority, ApprovalTicket):
        approval = authority.consume(action, election_id, now=now, conn=conn)
        if approval.approved_by is None:  # consume refuses this; never trust a default
            raise TypeError("an executed approval names its approver")
        return Spent(
            f"{approval.requested_by}+{approval.approved_by}"[:128],  # audit_events.actor
            {
                "approval": approval.id,
                "requested_by": approval.requested_by,
                "approved_by": approval.approved_by,
            },
        )
    if isinstance(authority, DevApproval):
        AuditLog(engine).append(
            authority.actor,
            f"approval.dev.{action.value}",
            {"election": election_id, "purpose": authority.purpose},
            now=now,
            conn=conn,
        )
        return Spent(authority.actor, {"approval": authority.actor})
    raise TypeError(
        f"{action.value} needs an ApprovalTicket (two officials) or a DevApproval, "
        f"not {type(authority).__name__}"
    )
