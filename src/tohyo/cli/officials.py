"""``tohyo officials``: accounts for election officials (docs/spec/authentication.md §AUTH-OFF)."""

# ruff: noqa: B008  (Typer declares options as argument defaults)

from __future__ import annotations

import os
from pathlib import Path

import typer

from tohyo.app.auth.officials import OfficialDirectory, Role

cli = typer.Typer(help="Officials' accounts: create, list, disable, unlock.")

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


def register(app: typer.Typer) -> None:
    app.add_typer(cli, name="officials")
