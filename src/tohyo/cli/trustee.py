"""``tohyo trustee``: the key ceremony and the decryption, on each trustee's own machine.

Each trustee's secrets stay in their own ``--secret`` file (mode 0600), which
never leaves their machine (threshold.md §7). The public messages go through
a board: a shared *ceremony directory* for an offline ceremony (a USB stick, a
shared folder), or the election service's relay (``--server URL --election
ID``). Rounds, in order, each run by every trustee::

    tohyo trustee init    --ceremony DIR --manifest M          # officials, once
    tohyo trustee keygen  --ceremony DIR --index I --secret S  # transport-I.json
    tohyo trustee deal    --ceremony DIR --secret S            # dealing-I.json
    tohyo trustee check   --ceremony DIR --secret S            # complaints-I.json
    tohyo trustee answer  --ceremony DIR --secret S            # answers-I.json
    tohyo trustee confirm --ceremony DIR --secret S            # confirmation-I.json
    tohyo trustee finish  --ceremony DIR                       # ceremony.json, or blame

Through the server, the officials run ``init --election ID`` (it prints one
enrolment token per trustee, to hand over in person) and, after the rounds,
``install --election ID``; each trustee passes ``--server URL --election ID``
instead of ``--ceremony DIR``, and ``keygen`` also ``--token T``. ``--wait S``
polls for up to S seconds until every trustee's previous message is there.

After the close, ``tohyo trustee decrypt`` checks the final board and
decrypts only the aggregate it recomputes itself (record.md §REC-6).
"""

# ruff: noqa: B008  (Typer declares options as argument defaults)

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from tohyo.cli._approval import TOTP, USER
from tohyo.cli._ceremony_board import (
    Board,
    BoardRefused,
    FileBoard,
    ServerBoard,
    Waiting,
    write_json,
)
from tohyo.cli.serve import DATA_DIR, DATABASE_URL

__all__ = ["register"]

trustee_cli = typer.Typer(help="Trustees: key ceremony and decryption.", no_args_is_help=True)
CEREMONY = typer.Option(None, "--ceremony", help="The shared ceremony directory (offline).")
SERVER = typer.Option(None, "--server", help="The election service's URL (relay).")
ELECTION = typer.Option(None, "--election", help="The election id (with --server).")
WAIT = typer.Option(0.0, "--wait", help="Seconds to wait for the others' messages.")
SECRET = typer.Option(..., "--secret", help="This trustee's secret file (never share it).")


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        typer.echo(f"error: cannot read {path}: {exc}", err=True)
        raise typer.Exit(2) from exc


def _board(ceremony: Path | None, server: str | None, election: str | None, wait: float,
           token: str | None = None) -> Board:
    if server is not None and ceremony is None:
        if not election:
            raise typer.BadParameter("--server needs --election ID")
        return ServerBoard(server, election, token, wait=wait)
    if ceremony is None or server is not None:
        raise typer.BadParameter("give either --ceremony DIR or --server URL --election ID")
    return FileBoard(ceremony, wait=wait)


def _trustee_board(ceremony: Path | None, server: str | None, election: str | None,
                   wait: float, state: dict[str, Any]) -> Board:
    return _board(ceremony, server, election, wait, state.get("relay", {}).get("token"))


def _context(board: Board) -> tuple[Any, dict[str, Any]]:
    from tohyo.crypto.context import ProofContext

    info = _guard(board.info)
    return ProofContext(info["election_id"], bytes.fromhex(info["manifest_hash"])), info


def _guard(fn: Any, *args: Any) -> Any:
    """Run a board call; waiting exits 3 naming what is missing, a refusal exits 2."""
    try:
        return fn(*args)
    except Waiting as exc:
        typer.echo(f"waiting for: {exc}", err=True)
        raise typer.Exit(3) from exc
    except BoardRefused as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc


def _publish(board: Board, kind: str, trustee: int, message: Any) -> None:
    _guard(board.publish, kind, trustee, message)


def _roster(board: Board, info: dict[str, Any]) -> Any:
    from tohyo.crypto.dkg import Roster
    from tohyo.crypto.transport import TransportKey

    keys = tuple(TransportKey.from_json(k) for k in _guard(board.all, "transport"))
    return Roster(info["threshold"], keys)


@trustee_cli.command("init")
def init(ceremony: Path | None = CEREMONY,
         manifest: Path | None = typer.Option(None, help="The election manifest (offline)."),
         election: str | None = ELECTION,
         user: str | None = USER,
         totp: str | None = TOTP,
         data_dir: Path | None = DATA_DIR,
         database_url: str | None = DATABASE_URL) -> None:
    """Officials: start a ceremony (a directory, or the server's relay with --election; the
    relay needs an administrator's sign-in, the offline directory touches no service)."""
    if election is not None:
        _open_relay(election, (user, totp), data_dir, database_url)
        return
    if ceremony is None or manifest is None:
        raise typer.BadParameter("give --ceremony DIR --manifest M, or --election ID")
    from tohyo.record.manifest import manifest_hash, parse_manifest

    m = parse_manifest(manifest.read_bytes())
    ceremony.mkdir(parents=True, exist_ok=True)
    write_json(ceremony / "election.json", {"election_id": m.id,
                                            "manifest_hash": manifest_hash(m).hex(),
                                            "threshold": m.threshold, "size": len(m.trustees)})
    typer.echo(f"ceremony for {m.id}: {m.threshold} of {len(m.trustees)} trustees")


def _service(data_dir: Path | None, database_url: str | None,
             signed: tuple[str | None, str | None], command: str, election: str,
             call: Any) -> Any:
    """Sign an administrator in, then ``call(runtime, user)`` (:mod:`tohyo.cli._approval`)."""
    from tohyo.cli._approval import acting_official, auth_refusals, credentials
    from tohyo.cli.serve import service_runtime

    given = credentials(*signed)
    with service_runtime(data_dir, database_url) as runtime, auth_refusals(), \
            acting_official(runtime, given, command, {"election": election}) as user:
        return call(runtime, user)


def _open_relay(election: str, signed: tuple[str | None, str | None], data_dir: Path | None,
                database_url: str | None) -> None:
    from tohyo.app.services.ceremony import open_ceremony

    invitations = _service(data_dir, database_url, signed, "trustee.init", election,
                           lambda rt, actor: open_ceremony(rt, election, actor=actor))
    typer.echo(f"key ceremony of {election} open on the server; hand each trustee their "
               "index and token in person:")
    for inv in invitations:
        typer.echo(f"trustee {inv.trustee}\t{inv.member_id}\t{inv.token}")


@trustee_cli.command("install")
def install(election: str = typer.Option(..., "--election", help="The election id."),
            ceremony_file: Path | None = typer.Option(
                None, "--ceremony-file",
                help="ceremony.json of a shared-folder ceremony (`trustee finish --ceremony`)."),
            user: str | None = USER,
            totp: str | None = TOTP,
            data_dir: Path | None = DATA_DIR,
            database_url: str | None = DATABASE_URL) -> None:
    """Officials: verify the ceremony's whole transcript and install the joint key (an
    administrator signs in): the relayed one, or a shared folder's --ceremony-file."""
    from tohyo.app.services.ceremony import install_ceremony_key, install_offline_ceremony

    if ceremony_file is not None:
        data = ceremony_file.read_bytes()
        summary = _service(
            data_dir, database_url, (user, totp), "trustee.install", election,
            lambda rt, actor: install_offline_ceremony(rt, election, data, actor=actor))
    else:
        summary = _service(data_dir, database_url, (user, totp), "trustee.install", election,
                           lambda rt, actor: install_ceremony_key(rt, election, actor=actor))
    typer.echo(f"joint key {summary.public_key} installed; the election can open")


@trustee_cli.command("keygen")
def keygen(ceremony: Path | None = CEREMONY, server: str | None = SERVER,
           election: str | None = ELECTION, wait: float = WAIT,
           index: int = typer.Option(..., help="Your index i."),
           token: str | None = typer.Option(None, help="Your enrolment token (--server)."),
           secret: Path = SECRET) -> None:
    """Round 0: make your transport key and publish it."""
    from tohyo.crypto.dkg import generate_transport_key

    if server is not None and not token:
        raise typer.BadParameter("--server needs your enrolment --token")
    board = _board(ceremony, server, election, wait, token)
    context, info = _context(board)
    if not 1 <= index <= info["size"]:
        raise typer.BadParameter(f"index must be 1..{info['size']}")
    pair = generate_transport_key(context, index)
    state: dict[str, Any] = {"transport": pair.to_json()}
    if token:
        state["relay"] = {"token": token}
    write_json(secret, state, secret=True)
    _publish(board, "transport", index, pair.public.to_json())
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
def deal(ceremony: Path | None = CEREMONY, server: str | None = SERVER,
         election: str | None = ELECTION, wait: float = WAIT, secret: Path = SECRET) -> None:
    """Round 1: deal your shares to the others (sealed to each); publish the dealing."""
    from tohyo.crypto.dkg import deal as dkg_deal
    from tohyo.crypto.errors import CryptoError

    state = _state(secret)
    board = _trustee_board(ceremony, server, election, wait, state)
    context, info = _context(board)
    try:
        dealer = dkg_deal(context, _roster(board, info), _pair(state))
    except CryptoError as exc:
        raise _blame(exc) from exc
    state["dealer"] = dealer.to_json()
    write_json(secret, state, secret=True)
    _publish(board, "dealing", dealer.dealer, dealer.dealing.to_json())
    typer.echo(f"trustee {dealer.dealer}: dealing published")


def _dealings(board: Board) -> tuple[Any, ...]:
    from tohyo.crypto.dkg import Dealing

    return tuple(Dealing.from_json(d) for d in _guard(board.all, "dealing"))


@trustee_cli.command("check")
def check(ceremony: Path | None = CEREMONY, server: str | None = SERVER,
          election: str | None = ELECTION, wait: float = WAIT, secret: Path = SECRET) -> None:
    """Round 2: check the shares dealt to you; publish your complaints."""
    from tohyo.crypto.dkg import check_dealings
    from tohyo.crypto.errors import CryptoError

    state = _state(secret)
    board = _trustee_board(ceremony, server, election, wait, state)
    context, info = _context(board)
    pair = _pair(state)
    try:
        result = check_dealings(context, _roster(board, info), pair, _dealings(board))
    except CryptoError as exc:
        raise _blame(exc) from exc
    state["check"] = result.to_json()
    write_json(secret, state, secret=True)
    _publish(board, "complaints", pair.trustee, [c.to_json() for c in result.complaints])
    typer.echo(f"trustee {pair.trustee}: {len(result.complaints)} complaints")


def _complaints(board: Board) -> tuple[Any, ...]:
    from tohyo.crypto.dkg import Complaint

    return tuple(Complaint.from_json(c) for batch in _guard(board.all, "complaints")
                 for c in batch)


@trustee_cli.command("answer")
def answer(ceremony: Path | None = CEREMONY, server: str | None = SERVER,
           election: str | None = ELECTION, wait: float = WAIT, secret: Path = SECRET) -> None:
    """Round 3: answer complaints against you (revealing those shares); publish answers."""
    from tohyo.crypto.dkg import DealerSecret, answer_complaint
    from tohyo.crypto.errors import CryptoError

    state = _state(secret)
    board = _trustee_board(ceremony, server, election, wait, state)
    context, info = _context(board)
    pair = _pair(state)
    dealer = DealerSecret.from_json(state["dealer"])
    roster = _roster(board, info)
    try:
        answers = [answer_complaint(context, roster, pair, dealer, c).to_json()
                   for c in _complaints(board) if c.dealer == pair.trustee]
    except CryptoError as exc:
        raise _blame(exc) from exc
    _publish(board, "answers", pair.trustee, answers)
    typer.echo(f"trustee {pair.trustee}: {len(answers)} answers")


def _transcript(board: Board, info: dict[str, Any], confirmations: bool) -> Any:
    from tohyo.crypto.dkg import ComplaintAnswer, DkgTranscript, KeyConfirmation

    answers = tuple(ComplaintAnswer.from_json(a)
                    for batch in _guard(board.all, "answers") for a in batch)
    confirms = tuple(KeyConfirmation.from_json(c) for c in _guard(board.all, "confirmation")) \
        if confirmations else ()
    return DkgTranscript(_roster(board, info), _dealings(board), _complaints(board), answers,
                         confirms)


@trustee_cli.command("confirm")
def confirm(ceremony: Path | None = CEREMONY, server: str | None = SERVER,
            election: str | None = ELECTION, wait: float = WAIT,
            secret: Path = SECRET) -> None:
    """Round 4: derive your key share; publish its confirmation."""
    from tohyo.crypto.dkg import DealerSecret, ShareCheck, confirm_key, derive_key
    from tohyo.crypto.errors import CryptoError

    state = _state(secret)
    board = _trustee_board(ceremony, server, election, wait, state)
    context, info = _context(board)
    try:
        transcript = _transcript(board, info, confirmations=False)
        key = derive_key(context, transcript, DealerSecret.from_json(state["dealer"]),
                         ShareCheck.from_json(state["check"]))
        confirmation = confirm_key(context, transcript.roster, key)
    except CryptoError as exc:
        raise _blame(exc) from exc
    state["key"] = key.to_json()
    # Pinned for the decryption: the manifest whose hash this ceremony confirmed.
    state["election"] = {"election_id": context.election_id,
                         "manifest_hash": context.manifest_hash.hex()}
    write_json(secret, state, secret=True)
    _publish(board, "confirmation", key.trustee, confirmation.to_json())
    typer.echo(f"trustee {key.trustee}: key share confirmed; joint key "
               f"{key.joint.public_key.to_hex()}")


@trustee_cli.command("finish")
def finish(ceremony: Path | None = CEREMONY, server: str | None = SERVER,
           election: str | None = ELECTION, wait: float = WAIT,
           out: Path | None = typer.Option(None, help="Where to write ceremony.json "
                                           "(default: in the ceremony directory).")) -> None:
    """Anyone: verify the whole transcript; write ceremony.json or name the cheaters."""
    from tohyo.crypto.dkg import resolve, verify_transcript
    from tohyo.crypto.errors import CryptoError

    board = _board(ceremony, server, election, wait)
    context, info = _context(board)
    try:
        resolve(context, _transcript(board, info, confirmations=False))  # rounds 1-3 first
        transcript = _transcript(board, info, confirmations=True)
        joint = verify_transcript(context, transcript)
    except CryptoError as exc:
        raise _blame(exc) from exc
    target = out or (ceremony / "ceremony.json" if ceremony is not None else None)
    if target is not None:
        write_json(target, {"transcript": transcript.to_json(), "joint_key": joint.to_json()})
    typer.echo(f"joint key {joint.public_key.to_hex()} ({joint.threshold} of {joint.size})")


@trustee_cli.command("decrypt")
def decrypt(board: Path = typer.Option(..., help="The closed board (a record directory)."),
            proposal: Path = typer.Option(..., help="The aggregates to decrypt (JSON)."),
            secret: Path = SECRET,
            out: Path = typer.Option(..., help="Where to write your decryption shares."),
            manifest_hash_hex: str | None = typer.Option(
                None, "--manifest-hash",
                help="The manifest hash confirmed at the ceremony (default: the one your "
                     "secret file recorded at confirm)."),
            log_key: str | None = typer.Option(
                None, "--log-key", help="The log's vkey, for a tohyo-manifest/1 election "
                                        "that does not declare it."),
            close_size: int | None = typer.Option(
                None, "--close-size", min=1,
                help="The final head size published at the close (required without "
                     "declared witnesses)."),
            state_dir: Path | None = typer.Option(
                None, "--state-dir", help="Where this trustee remembers its decryptions "
                                          "(default: the secret file's directory).")) -> None:
    """After the close: check the final board, recompute the aggregate, decrypt it once (§REC-6)."""
    from tohyo.crypto.context import ProofContext
    from tohyo.crypto.decryption import compute_shares
    from tohyo.crypto.dkg import TrusteeKey
    from tohyo.crypto.elgamal import Ciphertext
    from tohyo.record.counting import board_for_decryption
    from tohyo.record.errors import RecordError
    from tohyo.record.format import MANIFEST
    from tohyo.record.manifest import Manifest, manifest_hash
    from tohyo.record.reader import RecordReader

    state = _state(secret)
    key = TrusteeKey.from_json(state["key"])
    try:
        reader = RecordReader(board)
        manifest = Manifest.from_json(reader.read_json(MANIFEST))
        mhash = manifest_hash(manifest)
        _pin_manifest(mhash, manifest_hash_hex, state)
        pinned_log = _pin_log_key(manifest, log_key, close_size)
        leaves = [line for block in reader.entry_blocks() for line in block.lines]
        heads = [text for _, text in reader.heads()]
        proposed = {a["label"]: Ciphertext.from_json(a["ct"], aggregate=True)
                    for a in _read(proposal)["aggregates"]}
        counted = board_for_decryption(manifest, mhash, key.joint.public_key, leaves,
                                       heads[-1], pinned_log, proposed, close_size=close_size)
        _remember_decryption(state_dir or secret.parent, manifest.id, key.trustee, counted.size)
    except (RecordError, ValueError, KeyError, IndexError) as exc:
        typer.echo(f"REFUSED: {exc}", err=True)
        raise typer.Exit(1) from exc
    context = ProofContext(manifest.id, mhash, key.joint.public_key.element)
    shares = compute_shares(context, key, proposed)
    write_json(out, [s.to_json() for s in shares])
    typer.echo(f"trustee {key.trustee}: {len(shares)} decryption shares written to {out}")


class DecryptionRefused(ValueError):
    """The trustee's own rules forbid this decryption (issue 9: pinned keys, once)."""


def _pin_manifest(mhash: bytes, given: str | None, state: dict[str, Any]) -> None:
    """The board's manifest must be the one whose hash the trustee confirmed."""
    recorded = state.get("election", {}).get("manifest_hash") if isinstance(
        state.get("election"), dict) else None
    pinned = given or recorded
    if not isinstance(pinned, str):
        raise DecryptionRefused("no manifest hash pinned: pass --manifest-hash, the hash you "
                                "confirmed at the key ceremony")
    if pinned.strip().lower() != mhash.hex():
        raise DecryptionRefused(f"the board's manifest hash {mhash.hex()[:16]}… is not the "
                                f"one confirmed at the ceremony ({pinned[:16]}…)")


def _pin_log_key(manifest: Any, given: str | None, close_size: int | None) -> str:
    """The log key from the manifest (tohyo-manifest/2), or the one the trustee pinned."""
    if manifest.log is not None:
        if given is not None and given != manifest.log.key:
            raise DecryptionRefused("--log-key is not the log key the manifest declares")
        return str(manifest.log.key)
    if given is None or close_size is None:
        raise DecryptionRefused(
            "the manifest (tohyo-manifest/1) declares no log key and no witnesses: pass "
            "--log-key (as published before the vote) and --close-size (the published close)")
    return given


def _remember_decryption(state_dir: Path, election_id: str, trustee: int, size: int) -> None:
    """Record this election's decryption; refuse if one is already recorded (issue 9).

    The marker is created exclusively *before* the shares exist, so two runs
    cannot both decrypt, and a crash in between leaves the refusal in place
    (fail closed: the officials then run the tally with the other trustees).
    """
    import os
    from datetime import UTC, datetime

    from tohyo.record.canonical import dumps_canonical

    state_dir.mkdir(parents=True, exist_ok=True)
    # Named by trustee too: several trustees' files may share a directory.
    marker = state_dir / f"decrypted-{election_id}-trustee-{trustee}.json"
    try:
        fd = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        try:
            seen = json.loads(marker.read_bytes())
        except (OSError, ValueError):
            seen = {}
        raise DecryptionRefused(
            f"already decrypted for election {election_id} (final head size "
            f"{seen.get('size', '?')}, at {seen.get('at', '?')}); a second decryption is "
            f"refused: remove {marker} only by a recorded decision") from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(dumps_canonical({"election_id": election_id, "trustee": trustee,
                                      "size": size,
                                      "at": datetime.now(UTC).isoformat()}))
        handle.flush()
        os.fsync(handle.fileno())


def register(app: typer.Typer) -> None:
    app.add_typer(trustee_cli, name="trustee")
