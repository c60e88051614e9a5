"""``tohyo officials``: accounts for election officials (docs/spec/authentication.md §AUTH-OFF)."""

# ruff: noqa: B008  (Typer declares options as argument defaults)

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import typer

from tohyo.app.auth.approvals import GuardedAction
from tohyo.app.auth.officials import OfficialDirectory, Role
from tohyo.cli._approval import (
    EXIT_REFUSED,
    PASSWORD_ENV,
    TOTP,
    USER,
    auth_refusals,
    credentials,
    sign_in,
)
from tohyo.cli._time import japan_time
from tohyo.cli.serve import DATA_DIR, DATABASE_URL, service_runtime, settings_from

cli = typer.Typer(
    help="Officials' accounts (create, list, disable, unlock) and two-person approvals "
    "(request, approve)."
)

def _directory(data_dir: Path | None, database_url: str | None) -> OfficialDirectory:
    """The service's own directory: its database (migrated) and its key files, found as
    every other official's command finds them (``--data-dir``, ``--database-url``)."""
    from tohyo.app.auth.wiring import officials_directory
    from tohyo.app.store.db import make_engine
    from tohyo.app.store.migrate import upgrade

    settings = settings_from(data_dir, database_url)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    return officials_directory(engine, settings.keys_dir)


def _new_password() -> str:
    """The new account's password: from a hidden prompt typed twice, or, for a script,
    from ``TOHYO_OFFICIAL_PASSWORD``. Never a command-line option: a command line is
    visible to every user of the machine (officials.md, §AUTH-APPR-4)."""
    given = os.environ.get(PASSWORD_ENV)
    if given:
        return given
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@cli.command("create")
def create(
    username: str,
    role: Role = typer.Option(...),
    display_name: str = typer.Option(""),
    data_dir: Path | None = DATA_DIR,
    database_url: str | None = DATABASE_URL,
) -> None:
    """Create an account; prints the otpauth:// URI once, for the authenticator app.

    The password is asked for twice, hidden (or read from TOHYO_OFFICIAL_PASSWORD).
    """
    directory = _directory(data_dir, database_url)
    password = _new_password()
    try:
        made = directory.create(
            username, display_name or username, role, password, actor=f"cli:{os.getuid()}"
        )
    except ValueError as exc:  # a short password, a taken or malformed user name
        typer.echo(f"REFUSED: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"created {username} ({role.value}); add to your authenticator app:")
    typer.echo(made.totp_uri)


@cli.command("list")
def list_(data_dir: Path | None = DATA_DIR, database_url: str | None = DATABASE_URL) -> None:
    for o in _directory(data_dir, database_url).list():
        typer.echo(f"{o.username}\t{o.role.value}\t{'disabled' if o.disabled else 'active'}")


@cli.command("disable")
def disable(
    username: str, data_dir: Path | None = DATA_DIR, database_url: str | None = DATABASE_URL
) -> None:
    """Disable an account and end its sessions."""
    _directory(data_dir, database_url).set_disabled(username, True, actor=f"cli:{os.getuid()}")


@cli.command("unlock")
def unlock(
    username: str, data_dir: Path | None = DATA_DIR, database_url: str | None = DATABASE_URL
) -> None:
    """Clear an account's slow mode (the rate-limit recovery path)."""
    d = _directory(data_dir, database_url)
    d.limiter.reset_account(scope="official", account=username)
    d.audit.append(f"cli:{os.getuid()}", "official.unlock", {"username": username})


# ---------------------------------------------------------------- two-person rule

def _signed_in(runtime: Any, user: str | None, totp: str | None) -> tuple[Any, Any]:
    """Sign an administrator in for one command (:func:`tohyo.cli._approval.sign_in`).

    Raises:
        AuthError: ``auth.signin.failed``, ``auth.rate_limited``, ``auth.forbidden.role``.
    """
    from tohyo.app.auth.approvals import ApprovalBook

    official, audit = sign_in(runtime, credentials(user, totp))
    return official, ApprovalBook(runtime.engine, audit)


@cli.command("request")
def request(
    election_id: str = typer.Option(..., "--election", help="The election id."),
    action: GuardedAction = typer.Option(
        ..., "--action", help="open, close, tally, seal, unseal, rebuild or dispose."
    ),
    user: str | None = USER,
    totp: str | None = TOTP,
    data_dir: Path | None = DATA_DIR,
    database_url: str | None = DATABASE_URL,
) -> None:
    """Ask to open, close or tally; prints the approval id a second official approves."""
    from tohyo.app.services.elections import get_election

    with auth_refusals(), service_runtime(data_dir, database_url) as runtime:
        get_election(runtime, election_id)  # election.not_found before anything is stored
        official, book = _signed_in(runtime, user, totp)
        made = book.request(official, action, election_id)
    typer.echo(made.id)
    typer.echo(
        f"{action.value} {election_id} requested by {made.requested_by}; another administrator "
        f"runs `tohyo officials approve {made.id}` before {japan_time(made.expires_at)}",
        err=True,
    )


@cli.command("approve")
def approve(
    approval_id: str,
    user: str | None = USER,
    totp: str | None = TOTP,
    data_dir: Path | None = DATA_DIR,
    database_url: str | None = DATABASE_URL,
) -> None:
    """Approve another administrator's request (never your own)."""
    from tohyo.cli._approval import ticket

    with auth_refusals(), service_runtime(data_dir, database_url) as runtime:
        ticket(runtime, approval_id)  # auth.approval.unknown for a malformed id
        official, book = _signed_in(runtime, user, totp)
        done = book.approve(official, approval_id)
    typer.echo(
        f"approved {done.id}: {done.action.value} {done.election_id}, requested by "
        f"{done.requested_by}, approved by {done.approved_by}; use it before "
        f"{japan_time(done.expires_at)}"
    )


@cli.command("login")
def login(
    minutes: int = typer.Option(10, "--minutes", help="How long, 1 to 60 minutes."),
    user: str | None = USER,
    totp: str | None = TOTP,
    data_dir: Path | None = DATA_DIR,
    database_url: str | None = DATABASE_URL,
) -> None:
    """Sign in once for the next few minutes at this terminal (§AUTH-APPR-5).

    The session's token goes into a file only your account can read; until it ends
    (or `tohyo officials logout`), the officials' commands do not ask again.
    """
    from datetime import UTC, datetime

    from tohyo.app.auth.wiring import officials_directory
    from tohyo.cli import _terminal_session as terminal_session
    from tohyo.cli._approval import Credentials

    try:
        length = terminal_session.lifetime(minutes)
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    given = credentials(user, totp)
    if not isinstance(given, Credentials):  # already signed in: ask anyway, for a new one
        given = credentials(given.username, typer.prompt("One-time code"))
        if not isinstance(given, Credentials):
            raise typer.Exit(EXIT_REFUSED)
    with auth_refusals(), service_runtime(data_dir, database_url) as runtime:
        directory = officials_directory(runtime.engine, runtime.settings.keys_dir)
        signed = directory.sign_in(
            given.user, given.password, given.totp, source=f"cli:{os.getuid()}"
        )
        ends = datetime.now(UTC) + length
        path = terminal_session.save(
            terminal_session.TerminalSession(
                signed.official.username, signed.token, runtime.settings.database_url, ends
            )
        )
        directory.audit.append(
            signed.official.username, "cli.officials.login", {"minutes": minutes}
        )
    typer.echo(
        f"signed in as {signed.official.username} until {japan_time(ends)}; "
        f"`tohyo officials logout` ends it (session file: {path})"
    )


@cli.command("logout")
def logout(data_dir: Path | None = DATA_DIR, database_url: str | None = DATABASE_URL) -> None:
    """End the terminal session of `tohyo officials login`, on the service and here."""
    from tohyo.app.auth.errors import SessionRejected
    from tohyo.app.auth.wiring import officials_directory
    from tohyo.cli import _terminal_session as terminal_session

    try:
        live = terminal_session.load()
    except terminal_session.UnsafeSessionFile as exc:
        terminal_session.forget()
        typer.echo(f"removed an unsafe session file: {exc}", err=True)
        return
    if live is None:
        typer.echo("not signed in at this terminal")
        return
    with service_runtime(data_dir, database_url) as runtime:
        if live.database_url == runtime.settings.database_url:
            directory = officials_directory(runtime.engine, runtime.settings.keys_dir)
            try:
                directory.sign_out(live.token)
            except SessionRejected:
                pass  # already ended on the service (idle, disabled account)
    terminal_session.forget()
    typer.echo(f"signed out {live.username}")


def register(app: typer.Typer) -> None:
    app.add_typer(cli, name="officials")
