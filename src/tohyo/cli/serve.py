"""``tohyo serve`` and ``tohyo db upgrade``: run the election service.

``register`` also registers the other election-service command groups
(``election``, ``voters``, ``codes``, ``witness``), so that the CLI entry point
needs one line for all of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from tohyo.app.settings import Settings

__all__ = ["register", "service_runtime", "settings_from"]

db_cli = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)

DATA_DIR = typer.Option(None, "--data-dir", help="Keys, journal, SQLite (env TOHYO_DATA_DIR).")
DATABASE_URL = typer.Option(None, "--database-url", help="SQLAlchemy URL (env TOHYO_DATABASE_URL).")
SECOND_MEDIUM = typer.Option(
    None, "--second-medium",
    help="Directory of the second medium, on another disk (env TOHYO_SECOND_MEDIUM_DIR).",
)
PRODUCTION = typer.Option(
    False, "--production",
    help="Refuse to start unless the second medium is on another disk (env TOHYO_PRODUCTION).",
)


def settings_from(data_dir: Path | None, database_url: str | None, **changes: object) -> Settings:
    """Settings from the environment, with command-line overrides."""
    settings = Settings.from_env()
    if data_dir is not None:
        settings = settings.with_(data_dir=data_dir)
    if database_url is not None:
        settings = settings.with_(database_url=database_url)
    return settings.with_(**changes) if changes else settings


@contextmanager
def service_runtime(
    data_dir: Path | None, database_url: str | None, *, reconcile: bool = True,
    **changes: object,
) -> Iterator[Any]:
    """The service's runtime for one official's command; refusals become exit codes.

    Exit 2 when the service must not start (unsafe settings), 1 on a service
    refusal, printed as ``code: message``.
    """
    from tohyo.app.errors import ServiceError, StartupError
    from tohyo.app.services.runtime import build_runtime

    try:
        runtime = build_runtime(settings_from(data_dir, database_url, **changes),
                                reconcile=reconcile)
    except StartupError as exc:
        typer.echo(f"refusing to start: {exc}", err=True)
        raise typer.Exit(2) from exc
    try:
        yield runtime
    except ServiceError as exc:
        typer.echo(f"{exc.code}: {exc.message}", err=True)
        raise typer.Exit(1) from exc
    finally:
        runtime.close()


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to bind (loopback by default)."),
    port: int = typer.Option(8000, help="TCP port."),
    data_dir: Path | None = DATA_DIR,
    database_url: str | None = DATABASE_URL,
    demo: bool = typer.Option(False, "--demo", help="Seed the demo election (dev only)."),
    log_level: str = typer.Option("info", help="uvicorn log level."),
    second_medium: Path | None = SECOND_MEDIUM,
    production: bool = PRODUCTION,
) -> None:
    """Run the election service (SQLite under ./var/ unless a database URL is given)."""
    import uvicorn

    from tohyo.app.errors import StartupError
    from tohyo.app.main import create_app

    settings = settings_from(data_dir, database_url, demo=demo)
    if second_medium is not None:
        settings = settings.with_(second_medium_dir=second_medium)
    if production:
        settings = settings.with_(production=True)
    sign_in_help: list[str] = []
    if demo:  # test card, OCSP/CRL and OpenID provider on loopback (issue 6)
        from tohyo.cli.demo_auth import start_demo_auth

        sign_in_help = start_demo_auth(settings, origin=f"http://{host}:{port}")
    try:
        app = create_app(settings)
    except StartupError as exc:
        typer.echo(f"tohyo serve: refusing to start: {exc}", err=True)
        raise typer.Exit(2) from exc
    if demo:
        codes = settings.data_dir / "demo-codes.txt"
        typer.echo(f"demo election 'demo-tsukuba-survey' is open; voting codes in {codes}")
        for line in sign_in_help:
            typer.echo(line)
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False)


@db_cli.command("upgrade")
def db_upgrade(data_dir: Path | None = DATA_DIR, database_url: str | None = DATABASE_URL) -> None:
    """Apply every pending migration (the server also does this at startup)."""
    from tohyo.app.store.db import check_durability, make_engine
    from tohyo.app.store.migrate import current_revisions, upgrade

    settings = settings_from(data_dir, database_url)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.effective_database_url)
    try:
        check_durability(engine)
        upgrade(engine)
        typer.echo(f"schema at {', '.join(sorted(current_revisions(engine)))}")
    finally:
        engine.dispose()


def register(app: typer.Typer) -> None:
    from tohyo.cli import election, witness

    app.command("serve")(serve)
    app.add_typer(db_cli, name="db")
    election.register(app)
    witness.register(app)
