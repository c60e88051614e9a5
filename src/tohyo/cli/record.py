"""``tohyo record``: the officials' steps after the close (record.md §REC-9).

::

    tohyo record board  --election ID --out BOARD     # the closed board + proposal.json
    # each trustee: tohyo trustee decrypt --board BOARD --proposal BOARD/proposal.json ...
    tohyo officials request --election ID --action tally   # official A; prints APPROVAL
    tohyo officials approve APPROVAL                       # official B
    tohyo record tally  --election ID --approval APPROVAL --shares shares-1.json ...
    tohyo record export --election ID --out RECORD [--witness VKEY ...]
    tohyo verify RECORD

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
    from tohyo.app.services.tally import record_tally

    given = _shares(shares)
    with auth_refusals(), service_runtime(data_dir, database_url) as runtime:
        document = record_tally(runtime, election_id, given, approval=ticket(runtime, approval))
    for excluded in document.excluded:
        typer.echo(f"trustee {excluded.trustee} set aside: {excluded.reason}", err=True)
    typer.echo(f"tallied with trustees {', '.join(map(str, document.trustees))}: "
               f"{document.results['ballots']} ballots")


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


def register(app: typer.Typer) -> None:
    app.add_typer(record_cli, name="record")
