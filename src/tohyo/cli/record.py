"""``tohyo record``: the officials' steps after the close (record.md §REC-9).

::

    tohyo record board  --election ID --out BOARD     # the closed board + proposal.json
    # each trustee: tohyo trustee decrypt --board BOARD --proposal BOARD/proposal.json ...
    tohyo officials request --election ID --action tally   # official A; prints APPROVAL
    tohyo officials approve APPROVAL                       # official B
    tohyo record tally  --election ID --approval APPROVAL --shares shares-1.json ...
    tohyo record export --election ID --out RECORD [--witness VKEY ...]
    tohyo verify RECORD
    tohyo record report RECORD --out REPORT   # PDF (ja, en), CSV, JSON (reports.md)

``tally`` combines the shares (naming and setting aside bad ones) and moves
the election to ``tallied``; the first ``export`` publishes it. Each command
builds the service runtime and calls one service (``tohyo.app.services.tally``),
never SQL.
"""

# ruff: noqa: B008  (Typer declares options as argument defaults)

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from tohyo.cli._approval import (
    APPROVAL,
    TOTP,
    USER,
    acting_official,
    auth_refusals,
    credentials,
    ticket,
)
from tohyo.cli.serve import DATA_DIR, DATABASE_URL, service_runtime

__all__ = ["register"]

record_cli = typer.Typer(help="Tally and publish an election's record.", no_args_is_help=True)

ELECTION = typer.Option(..., "--election", help="The election id.")


@record_cli.command("board")
def board(
    election_id: str = ELECTION,
    out: Path = typer.Option(..., help="Directory for the board and proposal.json."),
    user: str | None = USER,
    totp: str | None = TOTP,
    data_dir: Path | None = DATA_DIR,
    database_url: str | None = DATABASE_URL,
) -> None:
    """After the close: write the final board and the aggregate the trustees decrypt
    (an administrator signs in)."""
    from tohyo.app.services.tally import export_board

    given = credentials(user, totp)
    with auth_refusals(), service_runtime(data_dir, database_url) as runtime:
        with acting_official(runtime, given, "record.board", {"election": election_id}):
            count = export_board(runtime, election_id, out)
    typer.echo(f"board of {count.size} entries, {len(count.selection.effective)} effective "
               f"ballots; trustees decrypt {out / 'proposal.json'}")


def _shares(paths: list[Path]) -> list[Any]:
    from tohyo.crypto.decryption import DecryptionShare
    from tohyo.crypto.errors import CryptoError

    shares = []
    for path in paths:
        try:
            items = json.loads(path.read_bytes())
            if not isinstance(items, list):
                raise ValueError("expected a JSON array of decryption shares")
            shares += [DecryptionShare.from_json(item) for item in items]
        except (OSError, ValueError, CryptoError) as exc:
            typer.echo(f"error: {path}: {exc}", err=True)
            raise typer.Exit(2) from exc
    return shares


@record_cli.command("tally")
def tally(
    election_id: str = ELECTION,
    shares: list[Path] = typer.Option(..., "--shares", help="A trustee's shares file (repeat)."),
    approval: str = APPROVAL,
    data_dir: Path | None = DATA_DIR,
    database_url: str | None = DATABASE_URL,
) -> None:
    """Combine the trustees' decryption shares (two officials' approval); bad ones are
    named and set aside."""
    from tohyo.app.results.official import official_result
    from tohyo.app.services.common import load_election, manifest_of
    from tohyo.app.services.tally import record_tally
    from tohyo.record.official_text import official_table

    given = _shares(shares)
    with auth_refusals(), service_runtime(data_dir, database_url) as runtime:
        document = record_tally(runtime, election_id, given, approval=ticket(runtime, approval))
        # The per-question results as a table (with any paper counts already accepted).
        with runtime.uow() as uow:
            manifest = manifest_of(runtime, load_election(uow, election_id))
        results_table = official_table(official_result(runtime, election_id), manifest)
    for excluded in document.excluded:
        typer.echo(f"trustee {excluded.trustee} set aside: {excluded.reason}", err=True)
    typer.echo(f"tallied with trustees {', '.join(map(str, document.trustees))}: "
               f"{document.results['ballots']} ballots")
    typer.echo(results_table, nl=False)


@record_cli.command("export")
def export(
    election_id: str = ELECTION,
    out: Path = typer.Option(..., help="The record directory to write."),
    witness: list[str] = typer.Option([], "--witness",
                                      help="A witness's vkey the record lists (repeat); only for "
                                           "a tohyo-manifest/1 election, whose manifest "
                                           "declares none (§MAN-21)."),
    user: str | None = USER,
    totp: str | None = TOTP,
    data_dir: Path | None = DATA_DIR,
    database_url: str | None = DATABASE_URL,
) -> None:
    """Write the election record; the first export publishes the election (an administrator
    signs in)."""
    from tohyo.app.services.tally import publish_record
    from tohyo.record.format import record_hash

    given = credentials(user, totp)
    with auth_refusals(), service_runtime(data_dir, database_url) as runtime:
        with acting_official(runtime, given, "record.export", {"election": election_id}) as actor:
            header = publish_record(runtime, election_id, out, actor=actor,
                                    witness_keys=tuple(witness))
    typer.echo(f"wrote {out}; record hash {record_hash(header).hex()}")
    typer.echo(f"verify it with: tohyo verify {out}")


@record_cli.command("report")
def report(
    record: Path = typer.Argument(..., help="A published record directory."),
    out: Path = typer.Option(..., help="The directory to write the report files into."),
    turnout: bool = typer.Option(True, help="Chart turnout over time (reads the whole log)."),
) -> None:
    """Write the official result report: PDF in Japanese and English, CSV, JSON (anyone
    can make it from the published record; no sign-in)."""
    from tohyo.app.reports.errors import ReportError
    from tohyo.app.reports.files import write_report
    from tohyo.app.reports.source import report_from_record
    from tohyo.app.reports.summary import summary_lines

    try:
        made = report_from_record(record, turnout=turnout)
        written = write_report(made, out)
    except ReportError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from exc
    for line in summary_lines(made):
        typer.echo(line)
    for path in written.values():
        typer.echo(f"wrote {path}")


def register(app: typer.Typer) -> None:
    app.add_typer(record_cli, name="record")
