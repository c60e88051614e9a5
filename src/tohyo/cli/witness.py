"""``tohyo witness``: an independent observer that co-signs an election's log (§CAST-8.3).

Each round the witness fetches the server's latest signed head, asks for a
consistency proof from the last head *it* co-signed (kept in its own state
file), and lets :class:`tohyo.log.Witness` check the signature and the proof
and record the new head durably before it co-signs. Only then is the
cosignature posted back to the server, which serves it with the head. A head
that does not extend the last co-signed one (a rollback or a fork) is never
co-signed: the command reports it and exits with status 3.
"""

# ruff: noqa: B008  (Typer declares options as argument defaults)

from __future__ import annotations

import base64
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import typer

from tohyo.log import (
    CosignatureSigner,
    LogError,
    Witness,
    encode_signer_key,
    encode_verifier_key,
    parse_note,
    signer_from_key,
    verifier_from_key,
)

__all__ = ["RoundResult", "register", "witness_round"]

cli = typer.Typer(help="Co-sign election logs as an independent witness.", no_args_is_help=True)


@dataclass(frozen=True, slots=True)
class RoundResult:
    old_size: int
    size: int


def witness_round(
    http: httpx.Client, election_id: str, witness: Witness, witness_key: str
) -> RoundResult:
    """Fetch, check, co-sign and post the latest head of one election's log.

    Raises:
        LogError: the head is badly signed or does not extend the last
            co-signed head (nothing is co-signed or posted).
        httpx.HTTPError: the server could not be reached or refused.
    """
    base = f"/api/v1/elections/{election_id}/log"
    response = http.get(f"{base}/checkpoint")
    response.raise_for_status()
    note = parse_note(response.text)
    head = note.text
    origin = head.split("\n", 1)[0]
    old = witness.latest(origin).size
    size = int(head.split("\n")[1])
    proof: list[bytes] = []
    if 0 < old < size:
        found = http.get(f"{base}/consistency", params={"old": old, "new": size})
        found.raise_for_status()
        proof = [base64.b64decode(h) for h in found.json()["consistency_proof"]]
    signature = witness.add_checkpoint(old, proof, note)
    posted = http.post(
        f"{base}/cosignatures",
        json={"size": size, "witness_key": witness_key, "signature": signature.to_line()},
    )
    posted.raise_for_status()
    return RoundResult(old, size)


@cli.command("keygen")
def keygen(
    name: str = typer.Option(..., help="The witness's key name, e.g. witness.example.org."),
    out: Path = typer.Option(..., help="Where to write the private key (mode 0600)."),
) -> None:
    """Create a witness key; prints the public key (vkey) to give to the log and readers."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private = Ed25519PrivateKey.generate()
    out.touch(mode=0o600, exist_ok=False)
    out.write_text(encode_signer_key(name, private) + "\n")
    signer = CosignatureSigner(name, private)
    typer.echo(encode_verifier_key(signer.verifier()))


@cli.command("run")
def run(
    server: str = typer.Option(..., help="Base URL of the election service."),
    election_id: str = typer.Option(..., "--election"),
    key: Path = typer.Option(..., exists=True, dir_okay=False, help="The witness private key."),
    state: Path = typer.Option(..., help="State file: the last co-signed head per log."),
    log_key: str = typer.Option(
        "", help="The log's vkey (pin it!); default: trust the server's on first use."
    ),
    interval: float = typer.Option(10.0, help="Seconds between rounds."),
    rounds: int = typer.Option(0, help="Stop after this many rounds (0: run until stopped)."),
) -> None:
    """Poll the server, check consistency, co-sign and post, round after round."""
    signer = signer_from_key(key.read_text().strip(), cosigner=True)
    if not isinstance(signer, CosignatureSigner):  # pragma: no cover - cosigner=True
        raise typer.BadParameter("not a witness key")
    vkey = encode_verifier_key(signer.verifier())
    done = 0
    with httpx.Client(base_url=server, timeout=30) as http:
        pinned = log_key or http.get(f"/api/v1/elections/{election_id}/log/key").text.strip()
        witness = Witness(signer, [verifier_from_key(pinned)], state)
        while True:
            try:
                result = witness_round(http, election_id, witness, vkey)
            except LogError as exc:
                typer.echo(f"ALARM: refusing to co-sign: {exc.code}: {exc}", err=True)
                raise typer.Exit(3) from exc
            except httpx.HTTPError as exc:
                typer.echo(f"server unreachable or refused: {exc}", err=True)
            else:
                typer.echo(f"co-signed size {result.size} (from {result.old_size})")
            done += 1
            if rounds and done >= rounds:
                return
            time.sleep(interval)


@cli.command("state")
def state(
    server: str = typer.Option(..., help="Base URL of the election service."),
    election_id: str = typer.Option(..., "--election"),
    key: Path = typer.Option(..., exists=True, dir_okay=False, help="The witness private key."),
    event: str = typer.Option(..., help="opening, close, sealed, unsealed or decryption."),
    checked: str = typer.Option(..., help="One line: what you checked."),
    log_key: str = typer.Option(..., help="The log's vkey, as the manifest declares it."),
    size: int | None = typer.Option(None, min=0, help="The head's size (default: latest)."),
    out: Path = typer.Option(..., help="Where to write the signed statement (JSON)."),
    post: bool = typer.Option(False, "--post", help="Also post it to the server's log."),
) -> None:
    """Sign a statement of what you checked, over the head you saw (record.md §REC-10)."""
    import json

    from tohyo.log import Ed25519Signer, open_checkpoint
    from tohyo.record.statements import StatementError, StatementEvent, sign_statement

    try:
        kind = StatementEvent(event)
    except ValueError as exc:
        raise typer.BadParameter(
            "event must be one of " + ", ".join(e.value for e in StatementEvent)) from exc
    signer = signer_from_key(key.read_text().strip())
    if not isinstance(signer, Ed25519Signer):  # pragma: no cover - cosigner=False
        raise typer.BadParameter("not a witness key")
    cosigner = signer_from_key(key.read_text().strip(), cosigner=True)
    vkey = encode_verifier_key(cosigner.verifier())
    params = {} if size is None else {"size": size}
    with httpx.Client(base_url=server, timeout=30) as http:
        response = http.get(f"/api/v1/elections/{election_id}/log/checkpoint", params=params)
        response.raise_for_status()
    try:
        head = open_checkpoint(response.text, [verifier_from_key(log_key)])
        statement = sign_statement(election_id, kind, checked, head.note.text, signer, vkey)
    except (LogError, StatementError) as exc:
        typer.echo(f"REFUSED: {exc}", err=True)
        raise typer.Exit(1) from exc
    out.write_text(json.dumps(statement.to_json(), ensure_ascii=False, indent=1) + "\n")
    typer.echo(f"statement '{kind.value}' over head {head.checkpoint.size} written to {out}")
    if post:
        _post_statement(server, election_id, statement.to_json())


def _post_statement(server: str, election_id: str, statement: object) -> None:
    """POST a statement; a refusal is reported with its code and exits with status 1."""
    with httpx.Client(base_url=server, timeout=30) as http:
        response = http.post(f"/api/v1/elections/{election_id}/statements", json=statement)
    if response.status_code != 201:
        try:
            error = response.json()["error"]
            reason = f"{error['code']}: {error['message']}"
        except (ValueError, KeyError, TypeError):
            reason = f"HTTP {response.status_code}"
        typer.echo(f"REFUSED by the server: {reason}", err=True)
        raise typer.Exit(1)
    typer.echo(f"posted: leaf {response.json()['leaf_index']} of the log")


@cli.command("submit")
def submit(
    statement_file: Path = typer.Argument(..., exists=True, dir_okay=False,
                                          help="A statement written by 'tohyo witness state'."),
    server: str = typer.Option(..., help="Base URL of the election service."),
) -> None:
    """Post a signed statement to the election's log (record.md §REC-10)."""
    import json

    from tohyo.record.statements import StatementError, WitnessStatement

    try:
        statement = WitnessStatement.from_json(json.loads(statement_file.read_text()))
    except (ValueError, StatementError) as exc:
        typer.echo(f"REFUSED: not a statement: {exc}", err=True)
        raise typer.Exit(1) from exc
    _post_statement(server, statement.election_id, statement.to_json())


def register(app: typer.Typer) -> None:
    app.add_typer(cli, name="witness")
