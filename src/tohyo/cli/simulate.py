"""``tohyo simulate``: a whole election from a manifest and a votes CSV (record.md, issue 4).

By default it starts a real server on loopback with a temporary SQLite
database and casts every ballot over HTTP with the Python voter client
(:mod:`tohyo.simulate.http`), while independent witnesses cosign the log's
heads over HTTP; ``--direct`` builds the same election in process
with the crypto API only (faster; for large benchmarks). Both run the key
ceremony and the tally and write the record; then run ``tohyo verify OUT``.
"""

# ruff: noqa: B008  (Typer declares options as argument defaults)

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

__all__ = ["register"]


def _trustees(text: str) -> tuple[int, int]:
    try:
        t, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise typer.BadParameter("expected T/N, e.g. 3/5") from None
    if not 1 <= t <= n:
        raise typer.BadParameter("need 1 <= T <= N")
    return t, n


def simulate(
    manifest: Path = typer.Option(..., help="The election manifest (JSON)."),
    votes: Path = typer.Option(..., help="The votes CSV (one voter per row)."),
    out: Path = typer.Option(..., help="Where to write the election record."),
    trustees: str = typer.Option("", help="T/N trustees (default: the manifest's)."),
    revote_rate: float = typer.Option(0.0, help="Share of voters who vote twice."),
    paper_rate: float = typer.Option(0.0, help="Share of voters who also vote on paper."),
    withdraw: list[str] = typer.Option([], help="QUESTION:CANDIDATE withdrawn at opening."),
    cheating_trustee: int | None = typer.Option(None, help="A trustee who gives bad shares."),
    witnesses: int = typer.Option(2, help="Independent witnesses cosigning the log's heads."),
    seed: int = typer.Option(0, help="Seed of the random re-votes and paper votes."),
    direct: bool = typer.Option(False, help="No server: build the record in process."),
    workers: int = typer.Option(1, help="Processes encrypting ballots (--direct)."),
    paper: Path | None = typer.Option(
        None, help="Paper counts entered after the close: a JSON array of counts "
                   "(docs/spec/results.md §RES-2.1)."),
    keep_dir: Path | None = typer.Option(
        None, help="Keep the server's working directory (database, journal, KEY FILES) here; "
        "by default a temporary one is deleted at the end."),
    statements: bool = typer.Option(
        False, "--statements", help="Witnesses state the empty ballot box and the close as "
        "signed log leaves (record.md §REC-10)."),
) -> None:
    """Simulate an election end to end and write its record."""
    from tohyo.record.errors import RecordError
    from tohyo.record.manifest import parse_manifest
    from tohyo.simulate.votes import VotesError, parse_votes

    try:
        parsed = parse_manifest(manifest.read_bytes())
        voters = parse_votes(votes.read_text(encoding="utf-8-sig"), parsed,
                             revote_rate=revote_rate, paper_rate=paper_rate, seed=seed)
    except (OSError, RecordError, VotesError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    counts: list[Any] = []
    if paper is not None:
        try:
            counts = json.loads(paper.read_bytes())
        except (OSError, ValueError) as exc:
            typer.echo(f"error: {paper}: {exc}", err=True)
            raise typer.Exit(2) from exc
        if not isinstance(counts, list) or not all(isinstance(c, dict) for c in counts):
            typer.echo(f"error: {paper}: expected a JSON array of counts", err=True)
            raise typer.Exit(2)
    tn = _trustees(trustees) if trustees else None
    withdrawals = [tuple(w.split(":", 1)) for w in withdraw]
    if any(len(w) != 2 for w in withdrawals):
        raise typer.BadParameter("--withdraw takes QUESTION:CANDIDATE")
    from tohyo.app.errors import ServiceError

    try:
        header = _run(parsed, manifest, voters, out, tn, withdrawals, cheating_trustee,
                      witnesses, direct, workers, counts, keep_dir, statements)
    except (RecordError, ServiceError) as exc:  # a paper count that does not add up
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"wrote {out} ({len(voters)} voters); election {header.election_id}")
    typer.echo(f"verify it with: tohyo verify {out}")


def _run(parsed: Any, manifest: Path, voters: Any, out: Path, tn: tuple[int, int] | None,
         withdrawals: list[Any], cheating_trustee: int | None, witnesses: int, direct: bool,
         workers: int, counts: list[Any], keep_dir: Path | None,
         statements: bool = False) -> Any:
    if direct:
        from tohyo.simulate.direct import generate_record

        header = generate_record(parsed, voters, out, trustees=tn,
                                 withdrawals=[(w[0], w[1]) for w in withdrawals],
                                 cheating_trustee=cheating_trustee, workers=workers,
                                 witnesses=witnesses, paper_counts=counts,
                                 statements=statements)
    else:
        from tohyo.simulate.http import WorkDirNotEmpty, simulate_over_http

        try:
            header = simulate_over_http(parsed, manifest.read_bytes(), voters, out, trustees=tn,
                                        withdrawals=[(w[0], w[1]) for w in withdrawals],
                                        cheating_trustee=cheating_trustee, witnesses=witnesses,
                                        progress=lambda s: typer.echo(s, err=True),
                                        paper_counts=counts, keep_dir=keep_dir,
                                        statements=statements)
        except WorkDirNotEmpty as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
        if keep_dir is not None:
            typer.echo(f"kept the server's working directory (with its secret key files): "
                       f"{keep_dir.resolve()}")
    return header


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate)
