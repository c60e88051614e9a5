"""``tohyo verify RECORD``: the independent verifier (docs/guides/auditors.md).

A thin wrapper around :mod:`tohyo.verify`, which does not depend on this CLI:
``python -m tohyo.verify`` is the same command without Typer.
"""

# ruff: noqa: B008  (Typer declares options as argument defaults)

from __future__ import annotations

from pathlib import Path

import typer

__all__ = ["register"]


def verify(
    record: Path = typer.Argument(..., help="The record directory."),
    workers: int | None = typer.Option(None, help="Worker processes (default: all cores)."),
    dask: str | None = typer.Option(None, help="Dask scheduler address (tcp://host:8786)."),
    json_output: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    quiet: bool = typer.Option(False, help="No progress lines."),
    fork_evidence: list[Path] = typer.Option(
        [], "--fork-evidence", help="A monitor's fork evidence (tohyo monitor); repeatable."),
) -> None:
    """Check every proof, the log, the selection, the decryption and the results."""
    from tohyo.verify.__main__ import main

    argv = [str(record)]
    if workers is not None:
        argv += ["--workers", str(workers)]
    if dask:
        argv += ["--dask", dask]
    if json_output:
        argv.append("--json")
    if quiet:
        argv.append("--quiet")
    for path in fork_evidence:
        argv += ["--fork-evidence", str(path)]
    raise typer.Exit(main(argv))


def register(app: typer.Typer) -> None:
    app.command("verify")(verify)
