"""``tohyo codes letters``: issue one-time voting codes and write the printed letters.

Codes are shown only once, so issuing and writing the letters is one step
(:mod:`tohyo.app.services.letters`, :mod:`tohyo.app.web.letters`).
"""

# ruff: noqa: B008  (Typer declares options as argument defaults)

from __future__ import annotations

from pathlib import Path

import typer

from tohyo.cli._approval import TOTP, USER
from tohyo.cli.serve import DATA_DIR, DATABASE_URL

__all__ = ["register"]


def letters(
    election: str = typer.Option(..., "--election", help="The election id."),
    roll: Path = typer.Option(
        ..., "--roll", help="The roll file (CSV); only voter_id and name are read."
    ),
    out: Path = typer.Option(..., "--out", help="Directory for the letters (created, 0700)."),
    booth_url: str = typer.Option(
        ..., "--booth-url", help="The public address of the booth, e.g. https://vote.example."
    ),
    voter_id: list[str] = typer.Option(
        None, "--voter-id", help="Only these roll numbers, with new codes (a lost letter)."
    ),
    user: str | None = USER,
    totp: str | None = TOTP,
    data_dir: Path | None = DATA_DIR,
    database_url: str | None = DATABASE_URL,
) -> None:
    """Issue a code to every voter of the roll who has none and write one letter each
    (an administrator signs in)."""
    from tohyo.app.disposal.files import register_directory
    from tohyo.app.services.common import load_election, manifest_of
    from tohyo.app.services.letters import issue_letters, read_addressees
    from tohyo.app.web.letters import write_letters
    from tohyo.cli._approval import acting_official, auth_refusals, credentials
    from tohyo.cli.serve import service_runtime

    if not booth_url.startswith(("https://", "http://")):
        raise typer.BadParameter("--booth-url must start with https://")
    given = credentials(user, totp)
    detail = {"election": election, "voters": len(voter_id) if voter_id else "all"}
    with auth_refusals(), service_runtime(data_dir, database_url) as runtime:
        with acting_official(runtime, given, "codes.letters", detail) as actor:
            with runtime.uow() as uow:
                manifest = manifest_of(runtime, load_election(uow, election))
            made = issue_letters(
                runtime,
                election,
                read_addressees(roll.read_bytes()),
                actor=actor,
                only=voter_id or None,
            )
            written = write_letters(made, manifest, booth_url, out)
            register_directory(runtime, election, "letters", out)  # disposal deletes them
    typer.echo(f"{len(written)} letters in {out}")


def register(app: typer.Typer) -> None:
    """Add ``letters`` to the ``tohyo codes`` group (defined in :mod:`tohyo.cli.election`)."""
    from tohyo.cli.election import codes_cli

    codes_cli.command("letters")(letters)
