"""Seal the media at the close, check them before the tally (storage.md §ST-8).

The steps, each a service call (the CLI in ``tohyo.cli.seals`` wraps them)::

    prepare_seal    → a statement of the media's digests (nothing stored)
    (officials and witnesses sign its digest, offline, with their Ed25519 keys)
    record_seal     → two officials' approval; the media are hashed again and
                      must still match; every signature checked; stored
    prepare_unseal  → the media hashed again and compared with the seal: a
                      mismatch is a :class:`MediumChanged` naming the medium
                      (and an audit row), else an unseal statement to sign
    record_unseal   → two officials' approval; compared again; stored

:func:`require_unsealed` is the tally's gate: once an election has a seal, no
board is read for counting until a passing unseal is recorded after it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from sqlalchemy import func, select

from tohyo.app.auth.approvals import GuardedAction
from tohyo.app.auth.authority import Authority, spend_authority
from tohyo.app.errors import Conflict
from tohyo.app.seals.media import media_digests
from tohyo.app.seals.tables import seals
from tohyo.app.services.common import audit, load_election
from tohyo.app.services.runtime import Runtime
from tohyo.record.canonical import dumps_canonical, loads_strict
from tohyo.record.seals import MEDIA, InvalidSeal, MediumMismatch, SealStatement, SignedSeal

__all__ = [
    "MediumChanged",
    "RecordedSeal",
    "SealRefused",
    "prepare_seal",
    "prepare_unseal",
    "record_seal",
    "record_unseal",
    "recorded_seals",
    "read_seal_file",
    "require_unsealed",
    "seal_file",
]

_SEALABLE = ("closed",)


class SealRefused(Conflict):
    """A seal or unseal that cannot be prepared or recorded (``seal.*``)."""


class MediumChanged(SealRefused):
    """A medium no longer matches its seal: the tally must not run (``seal.medium_mismatch``).

    Attributes:
        medium: ``ballots``, ``second_medium`` or ``log``.
    """

    def __init__(self, medium: str, message: str) -> None:
        super().__init__("seal.medium_mismatch", f"{medium}: {message}")
        self.medium = medium


@dataclass(frozen=True, slots=True)
class RecordedSeal:
    seq: int
    kind: str
    signed: SignedSeal
    actor: str


def _stamp(runtime: Runtime) -> str:
    return runtime.now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def recorded_seals(runtime: Runtime, election_id: str) -> list[RecordedSeal]:
    """Every recorded seal and unseal of the election, in order."""
    with runtime.uow() as uow:
        rows = uow.session.execute(
            select(seals.c.seq, seals.c.kind, seals.c.body, seals.c.actor)
            .where(seals.c.election_id == election_id).order_by(seals.c.seq)
        ).all()
    out = []
    for seq, kind, body, actor in rows:
        signed = SignedSeal.from_json(loads_strict(body.encode(), max_depth=16))
        out.append(RecordedSeal(seq, kind, signed, actor))
    return out


def _current(runtime: Runtime, election_id: str) -> tuple[RecordedSeal | None, bool]:
    """The last seal, and whether a passing unseal was recorded after it."""
    last: RecordedSeal | None = None
    opened = False
    for item in recorded_seals(runtime, election_id):
        if item.kind == "seal":
            last, opened = item, False
        elif last is not None:
            opened = opened or item.signed.statement.seal == last.signed.statement.digest().hex()
    return last, opened


def require_unsealed(runtime: Runtime, election_id: str) -> None:
    """The tally's gate (§ST-8.4): a sealed election is counted only after a passing unseal.

    An election that was never sealed is counted as before (the verifier reports
    that its record carries no seal).

    Raises:
        Conflict: ``tally.unseal_required``.
    """
    seal, opened = _current(runtime, election_id)
    if seal is not None and not opened:
        raise Conflict(
            "tally.unseal_required",
            "the media are sealed: run `tohyo record unseal` (officials and witnesses) first",
        )


def _log_head(runtime: Runtime, election_id: str) -> tuple[int, str]:
    with runtime.uow() as uow:
        row = load_election(uow, election_id)
        if row.state not in _SEALABLE:
            raise SealRefused(
                "seal.not_closed",
                f"media are sealed and opened after the close, before the tally (state "
                f"{row.state})",
            )
        state = uow.log_state(election_id)
        if state is None or state.size == 0:
            raise SealRefused("seal.no_log", "the election has no log to seal")
        return state.size, state.root_hash


def _found(runtime: Runtime, election_id: str, size: int, root: str) -> dict[str, str]:
    """The media's digests now, or :class:`MediumChanged` for one that cannot be read whole."""
    media = media_digests(runtime, election_id, size)
    for name in MEDIA:
        if name in media.problems:
            raise MediumChanged(name, media.problems[name])
    if media.digests["log"] != root:
        raise MediumChanged("log", "the leaves no longer reproduce the signed head's root")
    return media.digests


def prepare_seal(runtime: Runtime, election_id: str) -> SealStatement:
    """The seal statement of the closed election's media (nothing is stored).

    Raises:
        SealRefused: ``seal.not_closed``, ``seal.no_log``, ``seal.exists``;
            :class:`MediumChanged` if a medium cannot be read whole.
    """
    size, root = _log_head(runtime, election_id)
    if _current(runtime, election_id)[0] is not None:
        raise SealRefused("seal.exists", "the media of this election are already sealed")
    digests = _found(runtime, election_id, size, root)
    return SealStatement("seal", election_id, size, root, digests, _stamp(runtime))


def _check_signed(
    signed: SignedSeal, kind: str, election_id: str, *, witnesses: int
) -> None:
    statement = signed.statement
    if statement.kind != kind or statement.election_id != election_id:
        raise SealRefused("seal.wrong_statement", f"not a {kind} statement of {election_id}")
    try:
        signed.check(officials=2, witnesses=witnesses)
    except InvalidSeal as exc:
        raise SealRefused("seal.signatures", str(exc)) from exc


def _store(
    runtime: Runtime,
    election_id: str,
    signed: SignedSeal,
    approval: Authority,
    action: GuardedAction,
) -> RecordedSeal:
    now = runtime.now()
    spent = spend_authority(approval, action, election_id, engine=runtime.engine, now=now)
    officials = signed.names("official")
    named = {spent.detail.get("requested_by"), spent.detail.get("approved_by")} - {None}
    if not named <= officials:
        raise SealRefused(
            "seal.signers",
            "the two officials who approved must each sign the statement "
            f"(missing: {', '.join(sorted(str(n) for n in named - officials))})",
        )
    kind = signed.statement.kind
    body = dumps_canonical(signed.to_json()).decode()
    with runtime.uow(write=True) as uow:
        load_election(uow, election_id)
        seq = (uow.session.execute(
            select(func.max(seals.c.seq)).where(seals.c.election_id == election_id)
        ).scalar() or 0) + 1
        uow.session.execute(seals.insert().values(
            election_id=election_id, seq=seq, kind=kind, digest=signed.statement.digest().hex(),
            body=body, actor=spent.actor, recorded_at=now,
        ))
        detail: dict[str, Any] = {
            "digest": signed.statement.digest().hex(),
            "media": dict(signed.statement.media),
            "officials": sorted(officials),
            "witnesses": sorted(signed.names("witness")),
            **spent.detail,
        }
        audit(uow, election_id, f"seal.{kind}", spent.actor, detail, now)
        uow.commit()
    return RecordedSeal(seq, kind, signed, spent.actor)


def record_seal(
    runtime: Runtime, election_id: str, signed: SignedSeal, *, approval: Authority,
    witnesses: int = 1,
) -> RecordedSeal:
    """Record a signed seal after hashing the media again (§ST-8.2).

    Raises:
        SealRefused: ``seal.wrong_statement``, ``seal.signatures`` (a bad
            signature, fewer than two officials or ``witnesses`` witnesses),
            ``seal.signers`` (the approving officials did not sign),
            ``seal.exists``, ``seal.stale`` (the log moved since the statement);
            :class:`MediumChanged` if a medium changed since it was prepared.
        ApprovalRejected: the approval is not usable (nothing stored).
    """
    _check_signed(signed, "seal", election_id, witnesses=witnesses)
    size, root = _log_head(runtime, election_id)
    if _current(runtime, election_id)[0] is not None:
        raise SealRefused("seal.exists", "the media of this election are already sealed")
    statement = signed.statement
    if (statement.size, statement.root) != (size, root):
        raise SealRefused("seal.stale", "the log moved since the statement was prepared")
    _compare(runtime, election_id, statement.media, _found(runtime, election_id, size, root))
    return _store(runtime, election_id, signed, approval, GuardedAction.SEAL)


def _compare(
    runtime: Runtime, election_id: str, sealed: Mapping[str, str], found: Mapping[str, str]
) -> None:
    for name in MEDIA:
        if found[name] != sealed[name]:
            raise MediumChanged(name, "the medium changed after it was sealed")


def _opening(
    runtime: Runtime, election_id: str, actor: str
) -> tuple[RecordedSeal, dict[str, str]]:
    """The seal to open and the media's digests now, compared (a mismatch is audited)."""
    seal, opened = _current(runtime, election_id)
    if seal is None:
        raise SealRefused("seal.none", "the media of this election were never sealed")
    if opened:
        raise SealRefused("seal.already_opened", "a passing unseal is already recorded")
    statement = seal.signed.statement
    try:
        size, root = _log_head(runtime, election_id)
        if (size, root) != (statement.size, statement.root):
            raise MediumChanged("log", "the log's signed head moved after the seal")
        found = _found(runtime, election_id, size, root)
        try:
            statement.compare(found)
        except MediumMismatch as exc:
            raise MediumChanged(exc.medium, "the medium changed after it was sealed") from exc
    except MediumChanged as exc:
        with runtime.uow(write=True) as uow:
            audit(uow, election_id, "seal.mismatch", actor,
                  {"medium": exc.medium, "seal": statement.digest().hex()}, runtime.now())
            uow.commit()
        raise
    return seal, found


def prepare_unseal(runtime: Runtime, election_id: str, *, actor: str) -> SealStatement:
    """Hash every medium again and compare with the seal; the unseal statement to sign.

    Raises:
        MediumChanged: naming the medium that changed (audited ``seal.mismatch``).
        SealRefused: ``seal.none``, ``seal.already_opened``, ``seal.not_closed``.
    """
    seal, found = _opening(runtime, election_id, actor)
    sealed = seal.signed.statement
    return SealStatement("unseal", election_id, sealed.size, sealed.root, found,
                         _stamp(runtime), seal=sealed.digest().hex())


def record_unseal(
    runtime: Runtime, election_id: str, signed: SignedSeal, *, approval: Authority,
    witnesses: int = 1,
) -> RecordedSeal:
    """Record the signed opening after comparing every medium again (§ST-8.3).

    Raises:
        MediumChanged: a medium changed (nothing stored but the audit row).
        SealRefused: as :func:`record_seal`, ``seal.wrong_seal`` for an unseal of
            another seal.
    """
    _check_signed(signed, "unseal", election_id, witnesses=witnesses)
    seal, found = _opening(runtime, election_id, "unseal")
    if signed.statement.seal != seal.signed.statement.digest().hex():
        raise SealRefused("seal.wrong_seal", "the statement opens another seal")
    _compare(runtime, election_id, signed.statement.media, found)
    return _store(runtime, election_id, signed, approval, GuardedAction.UNSEAL)


def seal_file(signed: SignedSeal) -> bytes:
    """The statement file officials and witnesses pass around (canonical JSON)."""
    return dumps_canonical(signed.to_json()) + b"\n"


def read_seal_file(data: bytes) -> SignedSeal:
    """Raises: InvalidSeal: not a signed statement."""
    try:
        obj = loads_strict(data, max_bytes=1 << 20, max_depth=16)
    except ValueError as exc:
        raise InvalidSeal(f"not JSON: {exc}") from exc
    return SignedSeal.from_json(obj)
