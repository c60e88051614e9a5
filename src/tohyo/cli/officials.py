"""``tohyo officials``: accounts for election officials (docs/spec/authentication.md §AUTH-OFF)."""

# ruff: noqa: B008  (Typer declares options as argument defaults)

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import typer

from tohyo.app.auth.approvals import GuardedAction
from tohyo.app.auth.officials import OfficialDirectory, Role
from tohyo.cli._approval import TOTP, USER, auth_refusals, credentials, sign_in
from tohyo.cli.serve import DATA_DIR, DATABASE_URL, service_runtime

cli = typer.Typer(
    help="Officials' accounts (create, list, disable, unlock) and two-person approvals "
    "(request, approve)."
)

_DATA = Path(os.environ.get("TOHYO_DATA_DIR", "var"))
_DB = typer.Option(
    os.environ.get("TOHYO_DATABASE_URL", f"sqlite:///{(_DATA / 'tohyo.sqlite3').resolve()}"),
    "--db",
    help="The service's database (env TOHYO_DATABASE_URL).",
)
_KEYS = typer.Option(_DATA / "keys", "--keys", help="The service's key directory.")


def _directory(db: str, keys: Path) -> OfficialDirectory:
    """The service's own directory: its database (migrated) and its key files."""
    from tohyo.app.auth.wiring import officials_directory
    from tohyo.app.store.db import make_engine
    from tohyo.app.store.migrate import upgrade

    engine = make_engine(db)
    upgrade(engine)
    return officials_directory(engine, keys)


@cli.command("create")
def create(
    username: str,
    role: Role = typer.Option(...),
    display_name: str = typer.Option(""),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
    db: str = _DB,
    keys: Path = _KEYS,
) -> None:
    """Create an account; prints the otpauth:// URI once, for the authenticator app."""
    made = _directory(db, keys).create(
        username, display_name or username, role, password, actor=f"cli:{os.getuid()}"
    )
    typer.echo(f"created {username} ({role.value}); add to your authenticator app:")
    typer.echo(made.totp_uri)


@cli.command("list")
def list_(db: str = _DB, keys: Path = _KEYS) -> None:
    for o in _directory(db, keys).list():
        typer.echo(f"{o.username}\t{o.role.value}\t{'disabled' if o.disabled else 'active'}")


@cli.command("disable")
def disable(username: str, db: str = _DB, keys: Path = _KEYS) -> None:
    """Disable an account and end its sessions."""
    _directory(db, keys).set_disabled(username, True, actor=f"cli:{os.getuid()}")


@cli.command("unlock")
def unlock(username: str, db: str = _DB, keys: Path = _KEYS) -> None:
    """Clear an account's slow mode (the rate-limit recovery path)."""
    d = _directory(db, keys)
    d.limiter.reset_account(scope="official", account=username)
    d.audit.append(f"cli:{os.getuid()}", "official.unlock", {"username": username})


# ---------------------------------------------------------------- two-person rule
# These act on elections, so they take the service's --data-dir/--database-url
# like `tohyo election` (docs/adr/0040).

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
    action: GuardedAction = typer.Option(..., "--action", help="open, close, tally or dispose."),
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
        f"runs `tohyo officials approve {made.id}` before {made.expires_at.isoformat()}",
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
        f"{done.requested_by}, approved by {done.approved_by}"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(cli, name="officials")
