"""``tohyo record seal|unseal|sign|seal-key|rebuild`` and ``tohyo witness sign-seal``.

The officials' procedure at the close and before the tally (storage.md §ST-8,
§ST-6.5; docs/guides/officials.md)::

    tohyo record seal-key --name alice --out alice.seal.key     # once per official
    tohyo record seal   --election E --out seal.json            # an administrator
    tohyo record sign   --statement seal.json --key alice.seal.key   # each official present
    tohyo witness sign-seal --statement seal.json --key w1.key       # each witness
    tohyo officials request --election E --action seal ; tohyo officials approve ID
    tohyo record seal   --election E --statement seal.json --approval ID
    ... before the tally, the same with ``unseal`` (a mismatch names the medium, exit 1)
    tohyo record rebuild --election E --from-second-medium --approval ID

The statement file is canonical JSON (``tohyo.record.seals.SignedSeal``); a
signature is added only if it verifies. Exit codes as ADR 0040: 0 done, 1 a
service refusal (``seal.*``, ``rebuild.*``, ``tally.*``), 2 usage or startup,
3 an authentication refusal.
"""

# ruff: noqa: B008  (Typer declares options as argument defaults)

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from tohyo.cli._approval import TOTP, USER, acting_official, auth_refusals, credentials, ticket
from tohyo.cli.record import ELECTION, record_cli
from tohyo.cli.serve import DATA_DIR, DATABASE_URL, service_runtime

__all__ = ["register"]

STATEMENT = typer.Option(None, "--statement", help="A signed statement file to record.")
OUT = typer.Option(None, "--out", help="Where to write the statement to sign.")
APPROVAL_OPT = typer.Option(None, "--approval", help="Two officials' approval (with --statement).")
WITNESSES = typer.Option(1, "--min-witnesses", min=0, help="Witness signatures required.")


def _read(path: Path) -> Any:
    from tohyo.app.seals.service import read_seal_file
    from tohyo.record.seals import InvalidSeal

    try:
        return read_seal_file(path.read_bytes())
    except (OSError, InvalidSeal) as exc:
        typer.echo(f"error: {path}: {exc}", err=True)
        raise typer.Exit(2) from exc


def _write(path: Path, signed: Any) -> None:
    from tohyo.app.seals.service import seal_file

    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(seal_file(signed))
    tmp.replace(path)


def _mode(out: Path | None, statement: Path | None, approval: str | None) -> bool:
    """True to record ``statement``; False to prepare into ``out``."""
    if (out is None) == (statement is None):
        typer.echo("error: give either --out (prepare) or --statement (record)", err=True)
        raise typer.Exit(2)
    if statement is not None and approval is None:
        typer.echo("error: --statement needs --approval (two officials)", err=True)
        raise typer.Exit(2)
    return statement is not None


def _print_media(statement: Any) -> None:
    for name, value in statement.media.items():
        typer.echo(f"  {name}: {value}")
    typer.echo(f"digest to sign: {statement.digest().hex()}")


@record_cli.command("seal")
def seal(
    election_id: str = ELECTION,
    out: Path | None = OUT,
    statement: Path | None = STATEMENT,
    approval: str | None = APPROVAL_OPT,
    min_witnesses: int = WITNESSES,
    user: str | None = USER,
    totp: str | None = TOTP,
    data_dir: Path | None = DATA_DIR,
    database_url: str | None = DATABASE_URL,
) -> None:
    """At the close: hash every medium into a statement (--out), or record it signed
    (--statement, two officials' approval)."""
    from tohyo.app.seals.service import prepare_seal, record_seal
    from tohyo.record.seals import SignedSeal

    if _mode(out, statement, approval):
        signed = _read(statement)  # type: ignore[arg-type]
        with auth_refusals(), service_runtime(data_dir, database_url) as runtime:
            done = record_seal(runtime, election_id, signed, approval=ticket(runtime, approval),
                               witnesses=min_witnesses)
        typer.echo(f"sealed {election_id}: seal {done.signed.statement.digest().hex()} "
                   f"recorded by {done.actor}")
        return
    given = credentials(user, totp)
    with auth_refusals(), service_runtime(data_dir, database_url) as runtime:
        with acting_official(runtime, given, "record.seal", {"election": election_id}):
            prepared = prepare_seal(runtime, election_id)
    _write(out, SignedSeal(prepared))  # type: ignore[arg-type]
    typer.echo(f"seal statement of {election_id} at log size {prepared.size} in {out}")
    _print_media(prepared)


@record_cli.command("unseal")
def unseal(
    election_id: str = ELECTION,
    out: Path | None = OUT,
    statement: Path | None = STATEMENT,
    approval: str | None = APPROVAL_OPT,
    min_witnesses: int = WITNESSES,
    user: str | None = USER,
    totp: str | None = TOTP,
    data_dir: Path | None = DATA_DIR,
    database_url: str | None = DATABASE_URL,
) -> None:
    """Before the tally: hash every medium again and compare with the seal (--out), or
    record the signed check (--statement). A changed medium is named; exit 1."""
    from tohyo.app.seals.service import prepare_unseal, record_unseal
    from tohyo.record.seals import SignedSeal

    if _mode(out, statement, approval):
        signed = _read(statement)  # type: ignore[arg-type]
        with auth_refusals(), service_runtime(data_dir, database_url, reconcile=False) as rt:
            done = record_unseal(rt, election_id, signed, approval=ticket(rt, approval),
                                 witnesses=min_witnesses)
        typer.echo(f"seals of {election_id} checked and opened, recorded by {done.actor}; "
                   "the tally may proceed")
        return
    given = credentials(user, totp)
    with auth_refusals(), service_runtime(data_dir, database_url, reconcile=False) as runtime:
        with acting_official(runtime, given, "record.unseal", {"election": election_id}) as who:
            prepared = prepare_unseal(runtime, election_id, actor=who)
    _write(out, SignedSeal(prepared))  # type: ignore[arg-type]
    typer.echo(f"every medium of {election_id} matches its seal; unseal statement in {out}")
    _print_media(prepared)


def _sign(statement: Path, key: Path, role: str) -> None:
    from tohyo.log import LogError, signer_from_key
    from tohyo.log.note import Ed25519Signer
    from tohyo.record.seals import InvalidSeal, sign_statement

    signed = _read(statement)
    try:
        signer = signer_from_key(key.read_text().strip())
    except (OSError, LogError, ValueError) as exc:
        typer.echo(f"error: {key}: not a signer key ({exc})", err=True)
        raise typer.Exit(2) from exc
    if not isinstance(signer, Ed25519Signer):  # pragma: no cover - cosigner=False
        raise typer.Exit(2)
    try:
        signed = signed.with_signature(sign_statement(signed.statement, role, signer))
    except InvalidSeal as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    _write(statement, signed)
    typer.echo(f"{role} {signer.name} signed {signed.statement.kind} "
               f"{signed.statement.digest().hex()} ({len(signed.signatures)} signatures)")


@record_cli.command("sign")
def sign(
    statement: Path = typer.Option(..., "--statement", exists=True, dir_okay=False),
    key: Path = typer.Option(..., "--key", exists=True, dir_okay=False,
                             help="Your seal key (tohyo record seal-key)."),
) -> None:
    """An official present signs a seal or unseal statement (offline, with their key)."""
    _sign(statement, key, "official")


@record_cli.command("seal-key")
def seal_key(
    name: str = typer.Option(..., "--name", help="Your official's user name."),
    out: Path = typer.Option(..., "--out", help="Where to write the private key (mode 0600)."),
) -> None:
    """Create an official's Ed25519 seal key; prints its public key (vkey)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from tohyo.log import encode_signer_key, encode_verifier_key
    from tohyo.log.note import Ed25519Signer

    private = Ed25519PrivateKey.generate()
    out.touch(mode=0o600, exist_ok=False)
    out.write_text(encode_signer_key(name, private) + "\n")
    typer.echo(encode_verifier_key(Ed25519Signer(name, private).verifier()))


@record_cli.command("rebuild")
def rebuild(
    election_id: str = ELECTION,
    from_second_medium: bool = typer.Option(
        False, "--from-second-medium", help="Restore the ballot store from the second medium."
    ),
    approval: str = typer.Option(..., "--approval", help="Two officials' approval (rebuild)."),
    second_medium: Path | None = typer.Option(
        None, "--second-medium", help="The copy's directory (env TOHYO_SECOND_MEDIUM_DIR)."
    ),
    head: list[Path] = typer.Option([], "--head", exists=True, dir_okay=False,
                                    help="A further signed head to check against (repeat)."),
    data_dir: Path | None = DATA_DIR,
    database_url: str | None = DATABASE_URL,
) -> None:
    """After a failure of the primary: rebuild the ballot store from the copy, checked
    against every signed head (two officials' recorded decision)."""
    from tohyo.app.seals.rebuild import rebuild_from_second_medium

    if not from_second_medium:
        typer.echo("error: say --from-second-medium (the only source there is)", err=True)
        raise typer.Exit(2)
    notes = [p.read_text() for p in head]
    changes: dict[str, object] = {}
    if second_medium is not None:
        changes["second_medium_dir"] = second_medium
    with auth_refusals(), service_runtime(data_dir, database_url, reconcile=False,
                                          **changes) as runtime:
        report = rebuild_from_second_medium(runtime, election_id,
                                            approval=ticket(runtime, approval), heads=notes)
    typer.echo(f"rebuilt {election_id} from the second medium: {report.size} leaves, "
               f"{report.ballots} ballots, {report.overrides} paper overrides, checked against "
               f"{report.heads_checked} signed heads")


def register(app: typer.Typer) -> None:
    """Add the witness's side (``tohyo witness sign-seal``); the ``record`` commands above
    are on ``record_cli`` already."""
    from tohyo.cli.witness import cli as witness_cli

    @witness_cli.command("sign-seal")
    def witness_sign(
        statement: Path = typer.Option(..., "--statement", exists=True, dir_okay=False),
        key: Path = typer.Option(..., "--key", exists=True, dir_okay=False,
                                 help="The witness private key (tohyo witness keygen)."),
    ) -> None:
        """Co-sign a seal or unseal statement as a witness (offline)."""
        _sign(statement, key, "witness")
