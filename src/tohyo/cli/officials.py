"""``tohyo officials``: accounts for election officials (docs/spec/authentication.md §AUTH-OFF)."""

# ruff: noqa: B008  (Typer declares options as argument defaults)

from __future__ import annotations

import os
import secrets
from pathlib import Path

import typer
from sqlalchemy import create_engine

from tohyo.app.auth import tables
from tohyo.app.auth.audit import AuditLog
from tohyo.app.auth.officials import OfficialDirectory, Role
from tohyo.app.auth.ratelimit import RateLimiter
from tohyo.app.auth.sessions import SessionStore

cli = typer.Typer(help="Officials' accounts: create, list, disable, unlock.")

_DB = typer.Option(os.environ.get("TOHYO_DATABASE_URL", "sqlite:///var/tohyo.sqlite3"), "--db")
_KEYS = typer.Option(Path(os.environ.get("TOHYO_DATA_DIR", "var")) / "keys", "--keys")


def _key(path: Path) -> bytes:
    # Created on first use, mode 0600; never stored in the database.
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(secrets.token_bytes(32))
        path.chmod(0o600)
    return path.read_bytes()


def _directory(db: str, keys: Path) -> OfficialDirectory:
    engine = create_engine(db)
    tables.create_all(engine)
    return OfficialDirectory(
        engine,
        seal_key=_key(keys / "totp-seal.key"),
        sessions=SessionStore(engine, _key(keys / "csrf.key")),
        limiter=RateLimiter(engine),
        audit=AuditLog(engine),
    )


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
