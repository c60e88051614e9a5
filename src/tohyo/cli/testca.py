"""``tohyo testca``: the JPKI-like test CA (docs/spec/authentication.md §AUTH-TESTCA)."""

# ruff: noqa: B008  (Typer declares options as argument defaults)

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from tohyo.app.auth.jpki_profile import CardHolder
from tohyo.testca import CardAlgorithm, RevocationServer, TestCA, build_crl

cli = typer.Typer(help="Test certificate authority standing in for JPKI (tests and demos only).")


@cli.command("init")
def init(
    directory: Path = typer.Option(Path("var/testca"), "--dir"),
    url: str = typer.Option("http://127.0.0.1:8931", help="Base URL of serve-ocsp."),
) -> None:
    """Create a new root and OCSP responder certificate."""
    ca = TestCA.create(directory, base_url=url)
    typer.echo(f"root certificate: {ca.directory / 'root.crt.pem'}")


@cli.command("issue")
def issue(
    name: str = typer.Option(..., help="氏名"),
    address: str = typer.Option(..., help="住所, e.g. 茨城県つくば市研究学園一丁目1番地1"),
    birth_date: str = typer.Option(..., help="YYYY-MM-DD"),
    sex: str = typer.Option("3", help="1 male, 2 female, 3 not stated"),
    out: Path = typer.Option(..., help="Where to write the card (.p12)."),
    pin: str = typer.Option(..., prompt=True, hide_input=True, help="Card password (PIN)."),
    algorithm: CardAlgorithm = typer.Option(CardAlgorithm.RSA2048),
    directory: Path = typer.Option(Path("var/testca"), "--dir"),
) -> None:
    """Issue a citizen card as a PKCS#12 file."""
    ca = TestCA.load(directory)
    holder = CardHolder(name, address, date.fromisoformat(birth_date), sex)
    card = ca.issue_card(holder, password=pin.encode(), algorithm=algorithm)
    out.write_bytes(card.pkcs12)
    out.chmod(0o600)
    typer.echo(f"serial {card.serial:x} -> {out}")


@cli.command("revoke")
def revoke(
    serial: str = typer.Argument(..., help="Serial in hex."),
    reason: str = typer.Option("affiliation_changed", help="e.g. moved out of the city."),
    directory: Path = typer.Option(Path("var/testca"), "--dir"),
) -> None:
    """Revoke a card."""
    TestCA.load(directory).revoke(int(serial, 16), reason=reason)
    typer.echo(f"revoked {serial}")


@cli.command("crl")
def crl(
    out: Path = typer.Option(..., help="Where to write the DER CRL."),
    directory: Path = typer.Option(Path("var/testca"), "--dir"),
) -> None:
    """Write the current CRL."""
    out.write_bytes(build_crl(TestCA.load(directory)))
    typer.echo(f"CRL -> {out}")


@cli.command("serve-ocsp")
def serve_ocsp(
    port: int = typer.Option(8931),
    directory: Path = typer.Option(Path("var/testca"), "--dir"),
) -> None:
    """Serve OCSP (POST /ocsp) and the CRL (GET /crl) on 127.0.0.1 until interrupted."""
    server = RevocationServer(directory, port=port)
    typer.echo(f"OCSP {server.url}/ocsp  CRL {server.url}/crl")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        server.close()


def register(app: typer.Typer) -> None:
    app.add_typer(cli, name="testca")
