"""``tohyo audit envelopes``: every counted card ballot was signed by an eligible card holder.

The auditor's check of docs/spec/authentication.md §AUTH-ENV-3, on the
service's database (read only) with the pinned root certificate, and the CRL
of the end of voting if given. Prints a JSON report without names; exit status
0 when every counted card ballot passed, 1 otherwise, 2 on a usage problem.
"""

# ruff: noqa: B008  (Typer declares options as argument defaults)

from __future__ import annotations

import json
from pathlib import Path

import typer

from tohyo.cli.serve import DATA_DIR, DATABASE_URL, settings_from

__all__ = ["register"]

cli = typer.Typer(
    help="Auditors' checks of what the public board does not show.", no_args_is_help=True
)


@cli.callback()
def _group() -> None:
    """A group (``tohyo audit envelopes``), even with one command."""


@cli.command("envelopes")
def envelopes(
    election: str = typer.Option(..., "--election", help="The election id."),
    root: Path = typer.Option(..., "--root", exists=True, dir_okay=False, help="Root (PEM)."),
    crl: Path | None = typer.Option(None, "--crl", exists=True, dir_okay=False, help="CRL (DER)."),
    data_dir: Path | None = DATA_DIR,
    database_url: str | None = DATABASE_URL,
) -> None:
    """Check the outer envelopes of every counted ballot (never on the public board)."""
    from cryptography import x509

    from tohyo.app.errors import ServiceError, StartupError
    from tohyo.app.services.envelopes import audit_envelopes
    from tohyo.app.services.runtime import build_runtime

    root_cert = x509.load_pem_x509_certificate(root.read_bytes())
    revocations = x509.load_der_x509_crl(crl.read_bytes()) if crl is not None else None
    try:
        runtime = build_runtime(settings_from(data_dir, database_url, run_migrations=False))
    except StartupError as exc:
        typer.echo(f"refusing to start: {exc}", err=True)
        raise typer.Exit(2) from exc
    try:
        report = audit_envelopes(runtime, election, root=root_cert, crl=revocations)
    except (ServiceError, ValueError) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    finally:
        runtime.close()
    typer.echo(json.dumps(report.to_json(), indent=2))
    raise typer.Exit(0 if report.ok else 1)


def register(app: typer.Typer) -> None:
    app.add_typer(cli, name="audit")
