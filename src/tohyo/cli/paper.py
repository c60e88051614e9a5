"""``tohyo paper``: paper-ballot counts and the official result (docs/spec/results.md).

::

    tohyo paper enter --election ID --count COUNT.json   # official A, then official B
    tohyo paper list  --election ID                      # accepted and waiting counts
    tohyo paper show  --election ID [--json]             # the official result (after the tally)

Each command signs an administrator in (authentication.md; ``--user``,
``--totp``) and calls one service of ``tohyo.app.results``. A count is accepted
when a second administrator enters the same figures; a refusal prints
``code: message`` (naming the cells) and exits 1. The count file is the JSON
of results.md §RES-2.1.
"""

# ruff: noqa: B008  (Typer declares options as argument defaults)

from __future__ import annotations

import json
from pathlib import Path

import typer

from tohyo.cli._approval import TOTP, USER, acting_official, auth_refusals, credentials
from tohyo.cli.serve import DATA_DIR, DATABASE_URL, service_runtime

__all__ = ["register"]

paper_cli = typer.Typer(help="Paper-ballot counts (double entry) and the official result.",
                        no_args_is_help=True)

ELECTION = typer.Option(..., "--election", help="The election id.")


def _read_count(path: Path) -> object:
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        typer.echo(f"error: {path}: {exc}", err=True)
        raise typer.Exit(2) from exc


@paper_cli.command("enter")
def enter(
    election_id: str = ELECTION,
    count: Path = typer.Option(..., "--count", help="The count of one place and kind (JSON)."),
    user: str | None = USER,
    totp: str | None = TOTP,
    data_dir: Path | None = DATA_DIR,
    database_url: str | None = DATABASE_URL,
) -> None:
    """Enter the paper count of one counting place and kind; a second administrator's
    matching entry accepts it."""
    from tohyo.app.errors import BadRequest
    from tohyo.app.results.paper import enter_paper_count

    obj = _read_count(count)
    given = credentials(user, totp)
    with auth_refusals(), service_runtime(data_dir, database_url) as runtime:
        with acting_official(runtime, given, "paper.enter", {"election": election_id}) as actor:
            if not isinstance(obj, dict):
                raise BadRequest("paper.malformed", f"{count}: expected a JSON object")
            outcome = enter_paper_count(runtime, election_id, obj, official=actor)
    c = outcome.count
    if outcome.status == "pending":
        typer.echo(f"first entry of {c.place} / {c.kind.value} stored; a second administrator "
                   f"enters the same count to accept it")
    else:
        typer.echo(f"accepted {c.place} / {c.kind.value} (entered by "
                   f"{' and '.join(outcome.entered_by)}); log entry {outcome.leaf_index}")


@paper_cli.command("list")
def list_counts(
    election_id: str = ELECTION,
    user: str | None = USER,
    totp: str | None = TOTP,
    data_dir: Path | None = DATA_DIR,
    database_url: str | None = DATABASE_URL,
) -> None:
    """List the accepted counts and the first entries still waiting for their second."""
    from tohyo.app.results.paper import accepted_counts, pending_entries

    given = credentials(user, totp)
    with auth_refusals(), service_runtime(data_dir, database_url) as runtime:
        with acting_official(runtime, given, "paper.list", {"election": election_id}):
            accepted = accepted_counts(runtime, election_id)
            waiting = pending_entries(runtime, election_id)
    for c in accepted:
        typer.echo(f"accepted  {c.place} / {c.kind.value}: {c.voters} voters, "
                   f"{c.rejected} rejected")
    for p in waiting:
        typer.echo(f"waiting   {p.place} / {p.kind}: first entry by {p.official} "
                   f"at {p.entered_at.isoformat(timespec='seconds')}")
    if not accepted and not waiting:
        typer.echo("no paper counts entered")


@paper_cli.command("show")
def show(
    election_id: str = ELECTION,
    as_json: bool = typer.Option(False, "--json", help="Print official.json instead."),
    user: str | None = USER,
    totp: str | None = TOTP,
    data_dir: Path | None = DATA_DIR,
    database_url: str | None = DATABASE_URL,
) -> None:
    """Print the official result (internet tally + accepted paper counts) of a tallied
    election."""
    from tohyo.app.results.official import official_result
    from tohyo.app.services.common import load_election, manifest_of
    from tohyo.record.canonical import dumps_canonical
    from tohyo.record.official_text import official_table

    given = credentials(user, totp)
    with auth_refusals(), service_runtime(data_dir, database_url) as runtime:
        with acting_official(runtime, given, "paper.show", {"election": election_id}):
            result = official_result(runtime, election_id)
            with runtime.uow() as uow:
                manifest = manifest_of(runtime, load_election(uow, election_id))
    if as_json:
        typer.echo(dumps_canonical(result.to_json()).decode())
    else:
        typer.echo(official_table(result, manifest), nl=False)


def register(app: typer.Typer) -> None:
    app.add_typer(paper_cli, name="paper")
