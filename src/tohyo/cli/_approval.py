"""The two-person rule on the command line (authentication.md §AUTH-APPR, docs/adr/0040).

``tohyo officials request`` and ``approve`` sign two different administrators in
(password + TOTP at the terminal); ``tohyo election open|close`` and ``tohyo
record tally`` then spend the approval with ``--approval ID``. Refusals are
printed as ``code: message`` and end with :data:`EXIT_REFUSED`.

Every other privileged command (``election create|dev-key|withdraw|paper-vote``,
``voters import``, ``codes issue|letters``, ``record board|export``, ``trustee
init --election|install``) signs one official in the same way
(:func:`acting_official`): the role is checked, the service's audit row names
the official, and the officials' audit log gets ``cli.<group>.<command>``.

Credentials: ``--user`` (else prompted), the password from the hidden prompt or
``TOHYO_OFFICIAL_PASSWORD``, the one-time code from ``--totp``,
``TOHYO_OFFICIAL_TOTP`` or the prompt. There is no ``--password`` option: a
command line is visible to every local user (``ps``) and lands in shell history.

Exit codes: 0 done; 1 the election service refused (``election.*``, ``tally.*``);
2 usage, bad input or the service cannot start; 3 an authentication refusal
(``auth.approval.*``, ``auth.signin.failed``, ``auth.signin.required``,
``auth.forbidden.*``, ``auth.rate_limited``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import typer

from tohyo.cli import _terminal_session as terminal_session
from tohyo.cli._terminal_session import TerminalSession

__all__ = [
    "APPROVAL",
    "EXIT_REFUSED",
    "PASSWORD_ENV",
    "TOTP",
    "TOTP_ENV",
    "USER",
    "Credentials",
    "acting_official",
    "auth_refusals",
    "credentials",
    "sign_in",
    "ticket",
]

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


# ---------------------------------------------------------------- one official's sign-in

PASSWORD_ENV = "TOHYO_OFFICIAL_PASSWORD"  # noqa: S105 (the variable's name)
TOTP_ENV = "TOHYO_OFFICIAL_TOTP"
USER = typer.Option(None, "--user", help="Your official's user name (prompted if not given).")
TOTP = typer.Option(
    None,
    "--totp",
    envvar=TOTP_ENV,
    help="The one-time code of your authenticator app (prompted if not given).",
)


@dataclass(frozen=True, slots=True)
class Credentials:
    user: str
    password: str
    totp: str

    def __repr__(self) -> str:  # never print the password
        return f"Credentials(user={self.user!r})"


def credentials(user: str | None, totp: str | None) -> Credentials | TerminalSession:
    """The terminal session of ``tohyo officials login`` if one is live (and no other
    user or code was given); else user name, password and one-time code: options,
    environment, else the terminal.

    The password comes only from the hidden prompt or ``TOHYO_OFFICIAL_PASSWORD``
    (scripted runs), never from an option.
    """
    if totp is None and not os.environ.get(PASSWORD_ENV):
        try:
            live = terminal_session.load()
        except terminal_session.UnsafeSessionFile as exc:
            typer.echo(f"auth.session.file_unsafe: {exc}", err=True)
            raise typer.Exit(EXIT_REFUSED) from exc
        if live is not None and user in (None, live.username):
            return live
    try:
        name = user or typer.prompt("User name")
        password = os.environ.get(PASSWORD_ENV) or typer.prompt("Password", hide_input=True)
        code = totp or typer.prompt("One-time code")
    except typer.Abort as exc:  # end of input: nobody to sign in
        typer.echo(
            "auth.signin.required: sign in as an official (--user, the password, the one-time "
            "code).",
            err=True,
        )
        raise typer.Exit(EXIT_REFUSED) from exc
    return Credentials(name.strip(), password, code.strip())


def _session_official(runtime: Any, directory: Any, session: TerminalSession) -> Any:
    """The official of a live terminal session on this service.

    Raises:
        SessionRejected: ``auth.session.expired`` (the file is then deleted) or
            ``auth.session.other_service`` (the file is for another database).
    """
    from tohyo.app.auth.errors import SessionRejected

    if session.database_url != runtime.settings.database_url:
        raise SessionRejected(
            "auth.session.other_service",
            "Your terminal session is for another election service; sign in with --user.",
        )
    try:
        official, _ = directory.current(session.token)
    except SessionRejected as exc:
        terminal_session.forget()
        raise SessionRejected(
            "auth.session.expired",
            "Your terminal session has ended; run `tohyo officials login` or give --user.",
        ) from exc
    return official


def sign_in(
    runtime: Any, given: Credentials | TerminalSession, *roles: str, command: str = ""
) -> tuple[Any, Any]:
    """Sign in (password + TOTP) for one command, the session ended at once — or use the
    live terminal session of ``tohyo officials login``; check the role.

    A role refusal is logged as ``official.denied`` (as over HTTP).

    Returns:
        The :class:`Official` and the officials' :class:`AuditLog`.

    Raises:
        AuthError: ``auth.signin.failed``, ``auth.signin.code_reused``,
            ``auth.rate_limited``, ``auth.forbidden.role``, ``auth.session.*``.
    """
    from tohyo.app.auth.errors import AuthError
    from tohyo.app.auth.officials import Role, require_role
    from tohyo.app.auth.wiring import officials_directory

    directory = officials_directory(runtime.engine, runtime.settings.keys_dir)
    if isinstance(given, TerminalSession):
        official = _session_official(runtime, directory, given)
    else:
        signed = directory.sign_in(
            given.user, given.password, given.totp, source=f"cli:{os.getuid()}"
        )
        directory.sign_out(signed.token)
        official = signed.official
    if roles:
        try:
            require_role(official, *(Role(r) for r in roles))
        except AuthError:
            detail = {"role": official.role.value, "needs": sorted(roles)}
            if command:
                detail["command"] = command
            directory.audit.append(official.username, "official.denied", detail)
            raise
    return official, directory.audit


@contextmanager
def acting_official(
    runtime: Any,
    given: Credentials | TerminalSession,
    command: str,
    detail: dict[str, Any],
    *roles: str,
) -> Iterator[str]:
    """Sign in, check the role, yield the user name (the service's audit actor), then log.

    ``command`` names the officials' audit action: ``cli.<command>`` (e.g.
    ``cli.election.create``). A refusal by the service is logged too, with its code,
    before it propagates.
    """
    from tohyo.app.errors import Refusal

    official, audit = sign_in(runtime, given, *(roles or ("administrator",)), command=command)
    try:
        yield official.username
    except Refusal as exc:
        audit.append(official.username, f"cli.{command}", {**detail, "refused": exc.code})
        raise
    audit.append(official.username, f"cli.{command}", detail)
