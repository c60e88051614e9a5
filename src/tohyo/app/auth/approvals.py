"""Two-person approval of open, close, tally, dispose (docs/spec/authentication.md §AUTH-APPR).

An administrator *requests* an action on an election; a *different*
administrator approves it within 30 minutes; the service then *consumes* the
approval exactly once when it performs the action. Each step is audited. No
single official can open, close, tally or dispose of an election alone.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import Connection, Engine, insert, select, update

from tohyo.app.auth import tables
from tohyo.app.auth._time import as_utc, utcnow
from tohyo.app.auth.audit import AuditLog
from tohyo.app.auth.errors import ApprovalRejected
from tohyo.app.auth.officials import Official, Role, require_role
from tohyo.app.store.db import begin_write

__all__ = ["Approval", "ApprovalBook", "ApprovalTicket", "GuardedAction", "pending_approvals"]


class GuardedAction(StrEnum):
    OPEN = "open"
    CLOSE = "close"
    TALLY = "tally"
    SEAL = "seal"  # storage.md §ST-8: the seal of the media at the close
    UNSEAL = "unseal"  # the check of the seals before the tally
    REBUILD = "rebuild"  # §ST-6.5: the decision to count from the second medium
    DISPOSE = "dispose"  #: delete the election's personal data (tohyo.app.disposal)


@dataclass(frozen=True, slots=True)
class Approval:
    id: str
    action: GuardedAction
    election_id: str
    requested_by: str
    approved_by: str | None
    expires_at: datetime


def _reject(code: str, message: str) -> ApprovalRejected:
    return ApprovalRejected(code, message)


class ApprovalBook:
    """Requests and approvals in ``auth_approvals``."""

    def __init__(self, engine: Engine, audit: AuditLog, *, ttl: timedelta = timedelta(minutes=30)):
        self.engine = engine
        self.audit = audit
        self.ttl = ttl

    def request(
        self,
        official: Official,
        action: GuardedAction,
        election_id: str,
        *,
        now: datetime | None = None,
    ) -> Approval:
        """Raises: PermissionDenied: not an administrator."""
        require_role(official, Role.ADMINISTRATOR)
        moment = utcnow(now)
        approval = Approval(
            secrets.token_hex(16), action, election_id, official.username, None, moment + self.ttl
        )
        with begin_write(self.engine) as conn:
            conn.execute(
                insert(tables.approvals).values(
                    id=approval.id,
                    action=action.value,
                    election_id=election_id,
                    requested_by=official.username,
                    requested_at=moment,
                    expires_at=approval.expires_at,
                    approved_by=None,
                    approved_at=None,
                    executed_at=None,
                )
            )
        self.audit.append(
            official.username,
            f"approval.request.{action.value}",
            {"approval": approval.id, "election": election_id},
            now=moment,
        )
        return approval

    def _load(self, approval_id: str) -> Approval:
        t = tables.approvals
        with self.engine.connect() as conn:
            row = conn.execute(select(t).where(t.c.id == approval_id)).first()
        if row is None:
            raise _reject("auth.approval.unknown", "No such approval request.")
        return Approval(
            row.id,
            GuardedAction(row.action),
            row.election_id,
            row.requested_by,
            row.approved_by,
            as_utc(row.expires_at),
        )

    def get(self, approval_id: str) -> Approval:
        """Raises: ApprovalRejected: ``auth.approval.unknown``."""
        return self._load(approval_id)

    def approve(
        self, official: Official, approval_id: str, *, now: datetime | None = None
    ) -> Approval:
        """Raises: PermissionDenied; ApprovalRejected: ``auth.approval.self``,
        ``.expired``, ``.already_approved`` or ``.unknown``."""
        require_role(official, Role.ADMINISTRATOR)
        moment = utcnow(now)
        pending = self._load(approval_id)
        if pending.requested_by == official.username:
            raise _reject("auth.approval.self", "A second official must approve this request.")
        if moment >= pending.expires_at:
            raise _reject("auth.approval.expired", "This request has expired; request again.")
        t = tables.approvals
        with begin_write(self.engine) as conn:
            done = conn.execute(
                update(t)
                .where(t.c.id == approval_id, t.c.approved_by.is_(None))
                .values(approved_by=official.username, approved_at=moment)
            )
        if done.rowcount != 1:
            raise _reject("auth.approval.already_approved", "This request is already approved.")
        self.audit.append(
            official.username,
            f"approval.approve.{pending.action.value}",
            {"approval": approval_id, "election": pending.election_id},
            now=moment,
        )
        return self._load(approval_id)

    def check(
        self,
        approval_id: str,
        action: GuardedAction,
        election_id: str,
        *,
        now: datetime | None = None,
    ) -> Approval:
        """The refusals of :meth:`consume` without spending (a tally approval is
        spent later, by ``record_tally``, when the trustees' shares are in).

        Raises:
            ApprovalRejected: as :meth:`consume`.
        """
        approval = self._usable(approval_id, action, election_id, utcnow(now))
        t = tables.approvals
        with self.engine.connect() as conn:
            executed = conn.execute(select(t.c.executed_at).where(t.c.id == approval_id)).scalar()
        if executed is not None:
            raise _reject("auth.approval.used", "This approval was already used.")
        return approval

    def _usable(
        self, approval_id: str, action: GuardedAction, election_id: str, moment: datetime
    ) -> Approval:
        approval = self._load(approval_id)
        if approval.action is not action or approval.election_id != election_id:
            raise _reject("auth.approval.mismatch", "The approval is for another action.")
        if approval.approved_by is None:
            raise _reject("auth.approval.not_approved", "A second official has not approved yet.")
        if moment >= approval.expires_at:
            raise _reject("auth.approval.expired", "This approval has expired; request again.")
        return approval

    def consume(
        self,
        approval_id: str,
        action: GuardedAction,
        election_id: str,
        *,
        now: datetime | None = None,
        conn: Connection | None = None,
    ) -> Approval:
        """Use an approval once for ``action`` on ``election_id`` (the service calls this).

        With ``conn``, the approval is marked used (and the officials' audit entry
        written) inside the caller's transaction: if the action then fails, both
        roll back and the approval can be used again (§AUTH-APPR-3).

        Raises:
            ApprovalRejected: ``auth.approval.unknown``, ``.not_approved``,
                ``.mismatch``, ``.expired`` or ``.used``.
        """
        moment = utcnow(now)
        approval = self._usable(approval_id, action, election_id, moment)
        t = tables.approvals
        spend = (
            update(t)
            .where(t.c.id == approval_id, t.c.executed_at.is_(None))
            .values(executed_at=moment)
        )
        if conn is None:
            with begin_write(self.engine) as own:
                done = own.execute(spend)
        else:
            done = conn.execute(spend)
        if done.rowcount != 1:
            raise _reject("auth.approval.used", "This approval was already used.")
        self.audit.append(
            approval.approved_by,
            f"approval.execute.{action.value}",
            {
                "approval": approval_id,
                "election": election_id,
                "requested_by": approval.requested_by,
            },
            now=moment,
            conn=conn,
        )
        return approval


@dataclass(frozen=True, slots=True)
class ApprovalTicket:
    """An approval to spend inside a service function (``open_election(..., approval=t)``).

    The service calls :meth:`consume` inside the transaction of the action it
    guards: a refused action leaves the approval unused (§AUTH-APPR-3).
    """

    book: ApprovalBook
    approval_id: str

    def consume(
        self,
        action: GuardedAction,
        election_id: str,
        *,
        now: datetime | None = None,
        conn: Connection | None = None,
    ) -> Approval:
        """Raises: ApprovalRejected (see :meth:`ApprovalBook.consume`)."""
        return self.book.consume(self.approval_id, action, election_id, now=now, conn=conn)


def pending_approvals(
    book: ApprovalBook, election_id: str | None = None, *, now: datetime | None = None
) -> tuple[Approval, ...]:
    """Requests not yet executed and not expired, oldest first (for the approvers' list)."""
    moment = utcnow(now)
    t = tables.approvals
    query = select(t).where(t.c.executed_at.is_(None)).order_by(t.c.requested_at)
    if election_id is not None:
        query = query.where(t.c.election_id == election_id)
    with book.engine.connect() as conn:
        rows = conn.execute(query).all()
    return tuple(
        Approval(
            r.id,
            GuardedAction(r.action),
            r.election_id,
            r.requested_by,
            r.approved_by,
            as_utc(r.expires_at),
        )
        for r in rows
        if as_utc(r.expires_at) > moment
    )
