"""``tohyo election``, ``tohyo voters``, ``tohyo codes``: officials' commands.

Each command builds the runtime (same durability gate and migrations as the
server) and calls one service; no SQL here.
"""

# ruff: noqa: B008  (Typer declares options as argument defaults)

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

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

T = TypeVar("T")

election_cli = typer.Typer(help="Create, key, open and close elections.", no_args_is_help=True)
voters_cli = typer.Typer(help="The voter roll.", no_args_is_help=True)
codes_cli = typer.Typer(help="One-time voting codes.", no_args_is_help=True)

ADMINISTRATOR, OPERATOR = "administrator", "operator"


def _run(data_dir: Path | None, database_url: str | None, call: Callable[[Any], T]) -> T:
    with service_runtime(data_dir, database_url) as runtime:
        return call(runtime)


def _as_official(
    data_dir: Path | None,
    database_url: str | None,
    signed: tuple[str | None, str | None],
    command: str,
    detail: dict[str, Any],
    call: Callable[[Any, str], T],
    *roles: str,
) -> T:
    """Sign an official in (authentication.md §AUTH-APPR-2), then ``call(runtime, user)``.

    The official's user name is the service's audit actor; the officials' audit log
    gets ``cli.<command>``. Exit 3 on an ``auth.*`` refusal, 1 on a service refusal.
    """
    given = credentials(*signed)
    with auth_refusals(), service_runtime(data_dir, database_url) as runtime:
        with acting_official(runtime, given, command, detail, *roles) as user:
            return call(runtime, user)


def _show(summary: Any) -> None:
    typer.echo(
        json.dumps(
            {
                "id": summary.id,
                "state": summary.state,
                "manifest_hash": summary.manifest_hash,
                "public_key": summary.public_key,
                "log_key": summary.log_key,
            },
            indent=2,
        )
    )


@election_cli.command("create")
def create(
    manifest: Path = typer.Option(..., "--manifest", exists=True, dir_okay=False),
    user: str | None = USER,
    totp: str | None = TOTP,
    data_dir: Path | None = DATA_DIR,
    database_url: str | None = DATABASE_URL,
) -> None:
    """Create an election (draft) from a manifest file."""
    from tohyo.app.services.elections import create_election

    data = manifest.read_bytes()
    _show(
        _as_official(
            data_dir,
            database_url,
            (user, totp),
            "election.create",
            {"manifest": manifest.name},
            lambda rt, actor: create_election(rt, data, actor=actor),
        )
    )


@election_cli.command("list")
def list_(data_dir: Path | None = DATA_DIR, database_url: str | None = DATABASE_URL) -> None:
    """List the elections and their states."""
    from tohyo.app.services.elections import list_elections

    for summary in _run(data_dir, database_url, list_elections):
        typer.echo(f"{summary.id}\t{summary.state}")


@election_cli.command("dev-key")
def dev_key(
    election_id: str,
    user: str | None = USER,
    totp: str | None = TOTP,
    data_dir: Path | None = DATA_DIR,
    database_url: str | None = DATABASE_URL,
) -> None:
    """DEV ONLY: run the whole t-of-n key ceremony in this process and install the key.

    One process sees every trustee's share. Both audit trails say so: the service's
    actor is ``dev-key:<user>``, the officials' log has ``cli.election.dev_key`` with
    ``"dev_only": true``.
    """
    from tohyo.app.services.devkeys import install_dev_key

    typer.echo("DEV ONLY: every trustee's key share is generated in this one process", err=True)
    _show(
        _as_official(
            data_dir,
            database_url,
            (user, totp),
            "election.dev_key",
            {"election": election_id, "dev_only": True},
            lambda rt, actor: install_dev_key(rt, election_id, actor=f"dev-key:{actor}"),
        )
    )


@election_cli.command("dev-shares")
def dev_shares(
    election_id: str,
    out: Path = typer.Option(..., "--out", help="A directory for one shares file per trustee."),
    user: str | None = USER,
    totp: str | None = TOTP,
    data_dir: Path | None = DATA_DIR,
    database_url: str | None = DATABASE_URL,
) -> None:
    """DEV ONLY: after the close, decrypt with the keys of `election dev-key`, one shares
    file per trustee for `record tally --shares` (a real ceremony's election is refused)."""
    from tohyo.app.services.devkeys import dev_decryption_shares

    typer.echo("DEV ONLY: every trustee's key share is on this server", err=True)
    shares = _as_official(
        data_dir,
        database_url,
        (user, totp),
        "election.dev_shares",
        {"election": election_id, "dev_only": True},
        lambda rt, actor: dev_decryption_shares(rt, election_id, actor=f"dev-key:{actor}"),
    )
    out.mkdir(parents=True, exist_ok=True)
    for trustee, mine in shares.items():
        path = out / f"{trustee}.shares.json"
        path.write_text(json.dumps([s.to_json() for s in mine]), encoding="utf-8")
        typer.echo(str(path))


@election_cli.command("open")
def open_(
    election_id: str,
    approval: str = APPROVAL,
    data_dir: Path | None = DATA_DIR,
    database_url: str | None = DATABASE_URL,
) -> None:
    """Open the ballot box (two officials' approval): publishes the empty log head."""
    from tohyo.app.services.elections import open_election

    with auth_refusals():
        _show(
            _run(
                data_dir,
                database_url,
                lambda rt: open_election(rt, election_id, approval=ticket(rt, approval)),
            )
        )


@election_cli.command("close")
def close(
    election_id: str,
    approval: str = APPROVAL,
    reason: str = typer.Option("", help="Required before the period's end."),
    data_dir: Path | None = DATA_DIR,
    database_url: str | None = DATABASE_URL,
) -> None:
    """Stop all casts (two officials' approval) and publish the final head."""
    from tohyo.app.services.elections import close_election

    with auth_refusals():
        _show(
            _run(
                data_dir,
                database_url,
                lambda rt: close_election(
                    rt, election_id, approval=ticket(rt, approval), reason=reason
                ),
            )
        )


@election_cli.command("withdraw")
def withdraw(
    election_id: str,
    candidate_id: str,
    reason: str = typer.Option("withdrew", help="withdrew, died or disqualified."),
    user: str | None = USER,
    totp: str | None = TOTP,
    data_dir: Path | None = DATA_DIR,
    database_url: str | None = DATABASE_URL,
) -> None:
    """Mark a candidate withdrawn: they stay on the ballot, votes for them are invalid."""
    from tohyo.app.services.elections import withdraw_candidate

    _as_official(
        data_dir,
        database_url,
        (user, totp),
        "election.withdraw",
        {"election": election_id, "candidate": candidate_id, "reason": reason},
        lambda rt, actor: withdraw_candidate(rt, election_id, candidate_id, reason, actor=actor),
    )
    typer.echo(f"{candidate_id} withdrawn ({reason})")


@election_cli.command("paper-vote")
def paper_vote(
    election_id: str,
    voter_id: str | None = typer.Option(
        None, "--voter-id", help="Roll number of the paper voter (an election with a roll)."
    ),
    name: str | None = typer.Option(
        None, "--name", help="Open roll (no letters): the voter's name, as on their card."
    ),
    birth_date: str | None = typer.Option(
        None, "--birth-date", help="Open roll: the voter's birth date, YYYY-MM-DD."
    ),
    user: str | None = USER,
    totp: str | None = TOTP,
    data_dir: Path | None = DATA_DIR,
    database_url: str | None = DATABASE_URL,
) -> None:
    """Record a paper vote (an administrator or an operator): the voter's internet ballots no
    longer count. An open roll has no roll numbers: give --name and --birth-date instead."""
    from datetime import date

    from tohyo.app.services.overrides import record_paper_vote, record_paper_vote_for_resident
    from tohyo.app.services.roll import voter_key_hex

    by_roll = voter_id is not None and name is None and birth_date is None
    by_person = voter_id is None and name is not None and birth_date is not None
    if not (by_roll or by_person):
        raise typer.BadParameter("give --voter-id, or --name and --birth-date (open roll)")
    try:
        born = date.fromisoformat(birth_date) if birth_date is not None else None
    except ValueError:
        raise typer.BadParameter("--birth-date takes YYYY-MM-DD") from None

    def call(rt: Any, actor: str) -> str:
        if voter_id is None and name is not None and born is not None:
            return record_paper_vote_for_resident(rt, election_id, name, born, actor=actor)
        key = voter_key_hex(rt, election_id, str(voter_id))
        return record_paper_vote(rt, election_id, key, actor=actor)

    # The roll number stays out of the officials' log; the service's row has the credential.
    credential = _as_official(
        data_dir,
        database_url,
        (user, totp),
        "election.paper_vote",
        {"election": election_id},
        call,
        ADMINISTRATOR,
        OPERATOR,
    )
    typer.echo(f"paper vote recorded under credential {credential}")


@election_cli.command("counts")
def counts(
    election_id: str, data_dir: Path | None = DATA_DIR, database_url: str | None = DATABASE_URL
) -> None:
    """Figures for the report; checks the count invariant first."""
    from tohyo.app.services.counts import check_count_invariant, report_counts

    def call(rt: Any) -> Any:
        check_count_invariant(rt, election_id)
        return report_counts(rt, election_id)

    typer.echo(json.dumps(_run(data_dir, database_url, call).to_json(), indent=2))


@voters_cli.command("import")
def import_(
    election_id: str,
    roll: Path = typer.Argument(..., exists=True, dir_okay=False, help="Roll CSV."),
    reason: str = typer.Option("import", help="Why (for amendments)."),
    user: str | None = USER,
    totp: str | None = TOTP,
    data_dir: Path | None = DATA_DIR,
    database_url: str | None = DATABASE_URL,
) -> None:
    """Import (or, before opening, amend) the voter roll."""
    from tohyo.app.services.roll import import_roll

    data = roll.read_bytes()
    report = _as_official(
        data_dir,
        database_url,
        (user, totp),
        "voters.import",
        {"election": election_id, "reason": reason},
        lambda rt, actor: import_roll(rt, election_id, data, actor=actor, reason=reason),
    )
    typer.echo(f"added {report.added}, removed {report.removed}, excluded {len(report.excluded)}")
    for row, why in report.excluded:
        typer.echo(f"  row {row}: {why}")


@codes_cli.command("issue")
def issue(
    election_id: str,
    voter_id: list[str] = typer.Option(None, "--voter-id", help="Roll numbers (default: all)."),
    roll: Path | None = typer.Option(
        None, "--roll", help="The roll file (CSV): names the roll number of each new code."
    ),
    user: str | None = USER,
    totp: str | None = TOTP,
    data_dir: Path | None = DATA_DIR,
    database_url: str | None = DATABASE_URL,
) -> None:
    """Issue one-time voting codes and print them, one line per voter: roll number, code.

    Codes are shown once and stored hashed. The database keeps no roll numbers (only
    keyed pseudonyms), so to issue for every voter without a code give the roll file
    with ``--roll``; ``--voter-id`` issues new codes for the given roll numbers.
    """
    from tohyo.app.errors import ServiceError
    from tohyo.app.services.letters import read_addressees
    from tohyo.app.services.roll import issue_codes, voter_key_hex

    if not voter_id and roll is None:
        typer.echo("give --roll ROLL.csv (every voter without a code) or --voter-id", err=True)
        raise typer.Exit(2)
    wanted = list(voter_id or [])
    if not wanted and roll is not None:
        try:
            wanted = [a.voter_id for a in read_addressees(roll.read_bytes())]
        except ServiceError as exc:  # before anyone signs in or anything is issued
            typer.echo(f"{exc.code}: {exc}", err=True)
            raise typer.Exit(1) from exc

    def act(rt: Any, actor: str) -> list[tuple[str, str]]:
        names = {voter_key_hex(rt, election_id, v): v for v in wanted}
        issued = issue_codes(rt, election_id, actor=actor, voter_ids=voter_id or None)
        return [(names.get(c.voter_key, f"? {c.voter_key[:12]}"), c.code) for c in issued]

    lines = _as_official(
        data_dir,
        database_url,
        (user, totp),
        "codes.issue",
        {"election": election_id, "voters": len(voter_id) if voter_id else "all"},
        act,
    )
    for number, code in lines:
        typer.echo(f"{number}\t{code}")
    if any(number.startswith("? ") for number, _ in lines):
        typer.echo("warning: some codes are for voters not in the roll file given", err=True)


@election_cli.command("log-key")
def log_key(
    election_id: str = typer.Option(..., "--election", help="The election id (need not exist)."),
    data_dir: Path | None = DATA_DIR,
    database_url: str | None = DATABASE_URL,
) -> None:
    """Print the log's vkey for an election id: the ``log.key`` of its manifest (§MAN-21)."""
    typer.echo(_run(data_dir, database_url, lambda rt: rt.ledger.verifier_key(election_id)))


@election_cli.command("dispose")
def dispose(
    election_id: str,
    approval: str = APPROVAL,
    data_dir: Path | None = DATA_DIR,
    database_url: str | None = DATABASE_URL,
) -> None:
    """Delete the election's personal data after its retention date (two officials' approval);
    keep the public record. Prints the disposal certificate."""
    from tohyo.app.disposal.service import dispose_election

    with auth_refusals():
        done = _run(
            data_dir,
            database_url,
            lambda rt: dispose_election(rt, election_id, approval=ticket(rt, approval)),
        )
    typer.echo(json.dumps(done.to_json(), indent=2, ensure_ascii=False))


def register(app: typer.Typer) -> None:
    app.add_typer(election_cli, name="election")
    app.add_typer(voters_cli, name="voters")
    app.add_typer(codes_cli, name="codes")
