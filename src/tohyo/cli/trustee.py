"""``tohyo trustee``: the key ceremony and the decryption, on each trustee's own machine.

An offline ceremony runs over a shared *ceremony directory* (a USB stick, a
shared folder) that holds only public messages; each trustee's secrets stay
in their own ``--secret`` file (mode 0600), which never leaves their machine
(threshold.md §7). Rounds, in order, each run by every trustee::

    tohyo trustee init    --ceremony DIR --manifest M          # officials, once
    tohyo trustee keygen  --ceremony DIR --index I --secret S  # transport-I.json
    tohyo trustee deal    --ceremony DIR --secret S            # dealing-I.json
    tohyo trustee check   --ceremony DIR --secret S            # complaints-I.json
    tohyo trustee answer  --ceremony DIR --secret S            # answers-I.json
    tohyo trustee confirm --ceremony DIR --secret S            # confirmation-I.json
    tohyo trustee finish  --ceremony DIR                       # ceremony.json, or blame

After the close, ``tohyo trustee decrypt`` checks the final board and
decrypts only the aggregate it recomputes itself (record.md §REC-6).
"""

# ruff: noqa: B008  (Typer declares options as argument defaults)

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import typer

__all__ = ["register"]

trustee_cli = typer.Typer(help="Trustees: key ceremony and decryption.", no_args_is_help=True)
CEREMONY = typer.Option(..., "--ceremony", help="The shared ceremony directory.")
SECRET = typer.Option(..., "--secret", help="This trustee's secret file (never share it).")


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        typer.echo(f"error: cannot read {path}: {exc}", err=True)
        raise typer.Exit(2) from exc


def _write(path: Path, obj: Any, *, secret: bool = False) -> None:
    from tohyo.record.canonical import dumps_canonical

    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if secret else 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(dumps_canonical(obj, max_depth=64))
    tmp.replace(path)


def _context(ceremony: Path) -> tuple[Any, dict[str, Any]]:
    from tohyo.crypto.context import ProofContext

    info = _read(ceremony / "election.json")
    return ProofContext(info["election_id"], bytes.fromhex(info["manifest_hash"])), info


def _all(ceremony: Path, prefix: str, size: int) -> list[Any]:
    found = [ceremony / f"{prefix}-{i}.json" for i in range(1, size + 1)]
    missing = [p.name for p in found if not p.exists()]
    if missing:
        typer.echo(f"waiting for: {', '.join(missing)}", err=True)
        raise typer.Exit(3)
    return [_read(p) for p in found]


def _roster(ceremony: Path, info: dict[str, Any]) -> Any:
    from tohyo.crypto.dkg import Roster
    from tohyo.crypto.transport import TransportKey

    keys = tuple(TransportKey.from_json(k) for k in _all(ceremony, "transport", info["size"]))
    return Roster(info["threshold"], keys)


@trustee_cli.command("init")
def init(ceremony: Path = CEREMONY,
         manifest: Path = typer.Option(..., help="The election manifest.")) -> None:
    """Officials: start a ceremony directory for the manifest's trustees."""
    from tohyo.record.manifest import manifest_hash, parse_manifest

    m = parse_manifest(manifest.read_bytes())
    ceremony.mkdir(parents=True, exist_ok=True)
    _write(ceremony / "election.json", {"election_id": m.id,
                                        "manifest_hash": manifest_hash(m).hex(),
                                        "threshold": m.threshold, "size": len(m.trustees)})
    typer.echo(f"ceremony for {m.id}: {m.threshold} of {len(m.trustees)} trustees")


@trustee_cli.command("keygen")
def keygen(ceremony: Path = CEREMONY, index: int = typer.Option(..., help="Your index i."),
           secret: Path = SECRET) -> None:
    """Round 0: make your transport key; publish transport-I.json."""
    from tohyo.crypto.dkg import generate_transport_key

    context, info = _context(ceremony)
    if not 1 <= index <= info["size"]:
        raise typer.BadParameter(f"index must be 1..{info['size']}")
    pair = generate_transport_key(context, index)
    _write(secret, {"transport": pair.to_json()}, secret=True)
    _write(ceremony / f"transport-{index}.json", pair.public.to_json())
    typer.echo(f"trustee {index}: transport key published")


def _state(secret: Path) -> dict[str, Any]:
    state = _read(secret)
    if not isinstance(state, dict) or "transport" not in state:
        typer.echo(f"error: {secret} is not a trustee secret file", err=True)
        raise typer.Exit(2)
    return state


def _pair(state: dict[str, Any]) -> Any:
    from tohyo.crypto.transport import TransportKeyPair

    return TransportKeyPair.from_json(state["transport"])


def _blame(exc: Exception) -> typer.Exit:
    trustees = getattr(exc, "trustees", ())
    named = f" (trustees {', '.join(map(str, trustees))})" if trustees else ""
    typer.echo(f"CEREMONY ABORTED{named}: {exc}", err=True)
    return typer.Exit(1)


@trustee_cli.command("deal")
def deal(ceremony: Path = CEREMONY, secret: Path = SECRET) -> None:
    """Round 1: deal your shares to the others; publish dealing-I.json."""
    from tohyo.crypto.dkg import deal as dkg_deal
    from tohyo.crypto.errors import CryptoError

    context, info = _context(ceremony)
    state, roster = _state(secret), None
    try:
        roster = _roster(ceremony, info)
        dealer = dkg_deal(context, roster, _pair(state))
    except CryptoError as exc:
        raise _blame(exc) from exc
    state["dealer"] = dealer.to_json()
    _write(secret, state, secret=True)
    _write(ceremony / f"dealing-{dealer.dealer}.json", dealer.dealing.to_json())
    typer.echo(f"trustee {dealer.dealer}: dealing published")


def _dealings(ceremony: Path, info: dict[str, Any]) -> tuple[Any, ...]:
    from tohyo.crypto.dkg import Dealing

    return tuple(Dealing.from_json(d) for d in _all(ceremony, "dealing", info["size"]))


@trustee_cli.command("check")
def check(ceremony: Path = CEREMONY, secret: Path = SECRET) -> None:
    """Round 2: check the shares dealt to you; publish complaints-I.json."""
    from tohyo.crypto.dkg import check_dealings
    from tohyo.crypto.errors import CryptoError

    context, info = _context(ceremony)
    state = _state(secret)
    pair = _pair(state)
    try:
        result = check_dealings(context, _roster(ceremony, info), pair,
                                _dealings(ceremony, info))
    except CryptoError as exc:
        raise _blame(exc) from exc
    state["check"] = result.to_json()
    _write(secret, state, secret=True)
    _write(ceremony / f"complaints-{pair.trustee}.json",
           [c.to_json() for c in result.complaints])
    typer.echo(f"trustee {pair.trustee}: {len(result.complaints)} complaints")


def _complaints(ceremony: Path, info: dict[str, Any]) -> tuple[Any, ...]:
    from tohyo.crypto.dkg import Complaint

    return tuple(Complaint.from_json(c)
                 for batch in _all(ceremony, "complaints", info["size"]) for c in batch)


@trustee_cli.command("answer")
def answer(ceremony: Path = CEREMONY, secret: Path = SECRET) -> None:
    """Round 3: answer complaints against you; publish answers-I.json."""
    from tohyo.crypto.dkg import DealerSecret, answer_complaint
    from tohyo.crypto.errors import CryptoError

    context, info = _context(ceremony)
    state = _state(secret)
    pair = _pair(state)
    dealer = DealerSecret.from_json(state["dealer"])
    roster = _roster(ceremony, info)
    try:
        answers = [answer_complaint(context, roster, pair, dealer, c).to_json()
                   for c in _complaints(ceremony, info) if c.dealer == pair.trustee]
    except CryptoError as exc:
        raise _blame(exc) from exc
    _write(ceremony / f"answers-{pair.trustee}.json", answers)
    typer.echo(f"trustee {pair.trustee}: {len(answers)} answers")


def _transcript(ceremony: Path, info: dict[str, Any], confirmations: bool) -> Any:
    from tohyo.crypto.dkg import ComplaintAnswer, DkgTranscript, KeyConfirmation

    answers = tuple(ComplaintAnswer.from_json(a)
                    for batch in _all(ceremony, "answers", info["size"]) for a in batch)
    confirms = tuple(KeyConfirmation.from_json(c)
                     for c in _all(ceremony, "confirmation", info["size"])) \
        if confirmations else ()
    return DkgTranscript(_roster(ceremony, info), _dealings(ceremony, info),
                         _complaints(ceremony, info), answers, confirms)


@trustee_cli.command("confirm")
def confirm(ceremony: Path = CEREMONY, secret: Path = SECRET) -> None:
    """Round 4: derive your key share; publish confirmation-I.json."""
    from tohyo.crypto.dkg import DealerSecret, ShareCheck, confirm_key, derive_key
    from tohyo.crypto.errors import CryptoError

    context, info = _context(ceremony)
    state = _state(secret)
    try:
        transcript = _transcript(ceremony, info, confirmations=False)
        key = derive_key(context, transcript, DealerSecret.from_json(state["dealer"]),
                         ShareCheck.from_json(state["check"]))
        confirmation = confirm_key(context, transcript.roster, key)
    except CryptoError as exc:
        raise _blame(exc) from exc
    state["key"] = key.to_json()
    _write(secret, state, secret=True)
    _write(ceremony / f"confirmation-{key.trustee}.json", confirmation.to_json())
    typer.echo(f"trustee {key.trustee}: key share confirmed; joint key "
               f"{key.joint.public_key.to_hex()}")


@trustee_cli.command("finish")
def finish(ceremony: Path = CEREMONY) -> None:
    """Anyone: verify the whole transcript; write ceremony.json or name the cheaters."""
    from tohyo.crypto.dkg import verify_transcript
    from tohyo.crypto.errors import CryptoError

    context, info = _context(ceremony)
    try:
        transcript = _transcript(ceremony, info, confirmations=True)
        joint = verify_transcript(context, transcript)
    except CryptoError as exc:
        raise _blame(exc) from exc
    _write(ceremony / "ceremony.json", {"transcript": transcript.to_json(),
                                        "joint_key": joint.to_json()})
    typer.echo(f"joint key {joint.public_key.to_hex()} ({joint.threshold} of {joint.size})")


@trustee_cli.command("decrypt")
def decrypt(board: Path = typer.Option(..., help="The closed board (a record directory)."),
            proposal: Path = typer.Option(..., help="The aggregates to decrypt (JSON)."),
            secret: Path = SECRET,
            out: Path = typer.Option(..., help="Where to write your decryption shares.")) -> None:
    """After the close: check the final board, recompute the aggregate, decrypt it (§REC-6)."""
    from tohyo.crypto.context import ProofContext
    from tohyo.crypto.decryption import compute_shares
    from tohyo.crypto.dkg import TrusteeKey
    from tohyo.crypto.elgamal import Ciphertext
    from tohyo.record.counting import board_for_decryption
    from tohyo.record.errors import RecordError
    from tohyo.record.format import MANIFEST
    from tohyo.record.manifest import Manifest, manifest_hash
    from tohyo.record.reader import RecordReader

    key = TrusteeKey.from_json(_state(secret)["key"])
    try:
        reader = RecordReader(board)
        manifest = Manifest.from_json(reader.read_json(MANIFEST))
        leaves = [line for block in reader.entry_blocks() for line in block.lines]
        heads = [text for _, text in reader.heads()]
        proposed = {a["label"]: Ciphertext.from_json(a["ct"], aggregate=True)
                    for a in _read(proposal)["aggregates"]}
        mhash = manifest_hash(manifest)
        board_for_decryption(manifest, mhash, key.joint.public_key, leaves, heads[-1],
                             reader.header.log.key, proposed)
    except (RecordError, ValueError, KeyError, IndexError) as exc:
        typer.echo(f"REFUSED: {exc}", err=True)
        raise typer.Exit(1) from exc
    context = ProofContext(manifest.id, mhash, key.joint.public_key.element)
    shares = compute_shares(context, key, proposed)
    _write(out, [s.to_json() for s in shares])
    typer.echo(f"trustee {key.trustee}: {len(shares)} decryption shares written to {out}")


def register(app: typer.Typer) -> None:
    app.add_typer(trustee_cli, name="trustee")
