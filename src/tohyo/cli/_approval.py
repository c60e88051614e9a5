"""The two-person rule on the command line (authentication.md §AUTH-APPR, docs/adr/0040).

``tohyo officials request`` and ``approve`` sign two different administrators in
(password + TOTP at the terminal); ``tohyo election open|close`` and ``tohyo
record tally`` then spend the approval with ``--approval ID``. Refusals are
printed as ``code: message`` and end with :data:`EXIT_REFUSED`.

Exit codes: 0 done; 1 the election service refused (``election.*``, ``tally.*``);
2 usage, bad input or the service cannot start; 3 an authentication refusal
(``auth.approval.*``, ``auth.signin.failed``, ``auth.forbidden.*``, ``auth.rate_limited``).
"""



from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer

__all__ = ["APPROVAL", "EXIT_REFUSED", "auth_refusals", "ticket"]

EXIT_REFUSED = 3
APPROVAL = typer.Option(
    ...,
    "--approval",
    help="Approval id from `tohyo officials request`, approved by a second official.",
)
_APPROVAL_ID = re.compile(r"[0-9a-f]{32}\Z")


@contextmanager
def auth_refusals() -> Iterator[None]:
    """Print an :class:`AuthError` as ``code: message`` and exit with :data:`EXIT_REFUSED`."""
    from tohyo.app.auth.errors import AuthError

    try:
        yield
    except AuthError as exc:
        typer.echo(f"{exc.code}: {exc.message}", err=True)
        raise typer.Exit(EXIT_REFUSED) from exc


def ticket(runtime: Any, approval_id: str) -> Any:
    """An :class:`ApprovalTicket` on the service's own approvals table.

    Raises:
        ApprovalRejected: ``auth.approval.unknown`` for a malformed id.
    """
    from tohyo.app.auth.approvals import ApprovalBook, ApprovalTicket
    from tohyo.app.auth.audit import AuditLog
    from tohyo.app.auth.errors import ApprovalRejected

    if not _APPROVAL_ID.match(approval_id):
        raise ApprovalRejected("auth.approval.unknown", "No such approval request.")
    return ApprovalTicket(ApprovalBook(runtime.engine, AuditLog(runtime.engine)), approval_id)
