"""The tally and the published election record (docs/spec/record.md §REC-5–§REC-7).

After the close, :func:`board_snapshot` reads the final committed board — every
leaf, the final signed head, the log key — and :func:`propose_tally` counts it
with the one implementation of the effective-ballot rules
(:func:`tohyo.record.counting.count_board`). Trustees never trust that
proposal: each recomputes it from the same board (:func:`trustee_shares`,
§REC-6) and refuses if it differs, or if the election is not closed (THREATS
#15, #46). :func:`export_record` writes the record directory.

The lifecycle (:mod:`tohyo.app.domain.lifecycle`) follows the tally:
:func:`record_tally` combines the trustees' shares, stores the tally and moves
the election from ``closed`` to ``tallied`` (``RecordTally``);
:func:`publish_record` exports the record from the stored tally and moves it
to ``published`` (``Publish``). :func:`export_board` writes what the trustees
check before decrypting: the closed board and the aggregate to decrypt.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from tohyo.app.auth.approvals import GuardedAction
from tohyo.app.auth.authority import Authority, check_authority, spend_authority
from tohyo.app.domain.errors import DomainError
from tohyo.app.domain.lifecycle import Action, Phase, Publish, RecordTally, transition
from tohyo.app.errors import BadRequest, Conflict
from tohyo.app.seals.service import recorded_seals, require_unsealed
from tohyo.app.services.common import audit, domain_error, domain_state, load_election, manifest_of
from tohyo.app.services.runtime import Runtime
from tohyo.app.store.trustees import ElectionTally, tally_of
from tohyo.app.store.uow import UnitOfWork
from tohyo.crypto.context import ProofContext
from tohyo.crypto.decryption import DecryptionShare, compute_shares
from tohyo.crypto.dkg import verify_transcript
from tohyo.crypto.dkg_messages import DkgTranscript, JointKey
from tohyo.crypto.dkg_state import TrusteeKey
from tohyo.crypto.elgamal import Ciphertext, PublicKey
from tohyo.crypto.errors import CryptoError
from tohyo.log import (
    CosignatureVerifier,
    LogError,
    SignedNote,
    parse_note,
    verifier_from_key,
    verify_cosignature,
)
from tohyo.record.canonical import dumps_canonical, loads_strict
from tohyo.record.counting import BoardCount, board_for_decryption, count_board, finish_tally
from tohyo.record.format import LogInfo, RecordHeader, RollCommitment, record_hash
from tohyo.record.manifest import Manifest
from tohyo.record.tally import TallyDocument
from tohyo.record.writer import RecordWriter

__all__ = ["BoardSnapshot", "board_snapshot", "export_board", "export_record", "propose_tally",
           "publish_record", "record_tally", "recorded_tally", "run_tally", "trustee_shares"]

_CLOSED = ("closed", "tallied", "published")


@dataclass(frozen=True, slots=True)
class BoardSnapshot:
    """The final committed board of a closed election, and what the record needs."""

    election_id: str
    manifest: Manifest
    manifest_hash: bytes
    ceremony: Mapping[str, Any]
    leaves: tuple[bytes, ...]
    heads: tuple[str, ...]
    log_origin: str
    log_key: str
    roll: RollCommitment

    @property
    def joint(self) -> JointKey:
        return JointKey.from_json(self.ceremony["joint_key"])

    @property
    def final_head(self) -> str:
        return self.heads[-1]

    def at_close(self) -> BoardSnapshot:
        """The board the trustees count: up to the close, without the paper counts
        and witness statements that follow it (results.md §RES-5, record.md
        §REC-10), and the heads up to the close's."""
        size = len(self.leaves)
        while size > 0 and _after_close_kind(self.leaves[size - 1]):
            size -= 1
        if size == len(self.leaves):
            return self
        heads = tuple(h for h in self.heads if _size(h) <= size)
        return replace(self, leaves=self.leaves[:size], heads=heads)


def _after_close_kind(leaf: bytes) -> bool:
    """A paper count or a witness statement: the leaves that may follow the close."""
    if b'"kind":"paper_count"' not in leaf and b'"kind":"statement"' not in leaf:
        return False
    return loads_strict(leaf, max_depth=64).get("kind") in ("paper_count", "statement")


def _size(head: str) -> int:
    return int(parse_note(head).text.split("\n")[1])


def board_snapshot(runtime: Runtime, election_id: str, *, whole: bool = False) -> BoardSnapshot:
    """Read the board of a closed election: up to the close (:meth:`BoardSnapshot.at_close`),
    or with ``whole`` every leaf and head, paper counts included (for the record).

    Raises:
        Conflict: ``tally.unseal_required`` for sealed media not yet opened by a
            passing unseal (storage.md §ST-8.4),
            ``tally.not_closed`` before the close (THREATS #46),
            ``tally.no_key`` without an installed joint key and transcript.
    """
    require_unsealed(runtime, election_id)
    with runtime.uow() as uow:
        row = load_election(uow, election_id)
        if row.state not in _CLOSED:
            raise Conflict("tally.not_closed", "no tally and no decryption before the close")
        if row.key_transcript is None:
            raise Conflict("tally.no_key", "the election has no ceremony transcript")
        manifest = manifest_of(runtime, row)
        leaves = tuple(leaf.data.encode() for leaf in uow.leaves(election_id))
        heads = []
        for cp in uow.checkpoints(election_id):
            lines = [c.line.rstrip("\n") + "\n" for c in uow.cosignatures(election_id, cp.size)]
            heads.append(cp.note + "".join(lines))
        keys = sorted(v.voter_key for v in uow.voters(election_id) if v.eligible)
        stored = loads_strict(row.key_transcript.encode(), max_bytes=64 << 20, max_depth=64)
        mhash = bytes.fromhex(row.manifest_hash)
    ceremony = _ceremony(stored, election_id, mhash)
    commitment = hashlib.sha256("\n".join(keys).encode()).hexdigest()
    snapshot = BoardSnapshot(
        election_id=election_id,
        manifest=manifest,
        manifest_hash=mhash,
        ceremony=ceremony,
        leaves=leaves,
        heads=tuple(heads),
        log_origin=runtime.ledger.origin(election_id),
        log_key=runtime.ledger.verifier_key(election_id),
        roll=RollCommitment(len(keys), commitment),
    )
    return snapshot if whole else snapshot.at_close()


def _ceremony(stored: Any, election_id: str, mhash: bytes) -> Mapping[str, Any]:
    """``{"transcript", "joint_key"}`` of §REC-3.2 from the stored ceremony.

    The relay and the file ceremony store both; a dev key (``tohyo election
    dev-key``) stores only the transcript, whose joint key is recomputed.

    Raises:
        Conflict: ``tally.no_key`` without a transcript that verifies.
    """
    if isinstance(stored, dict) and {"transcript", "joint_key"} <= set(stored):
        return stored
    try:
        transcript = DkgTranscript.from_json(stored["transcript"])
        joint = verify_transcript(ProofContext(election_id, mhash), transcript)
    except (CryptoError, KeyError, TypeError) as exc:
        raise Conflict("tally.no_key", "the election key has no verifiable transcript") from exc
    return {"transcript": stored["transcript"], "joint_key": joint.to_json()}


def propose_tally(snapshot: BoardSnapshot) -> BoardCount:
    """The service's count of the board: effective ballots and their aggregate (§REC-5)."""
    return count_board(snapshot.manifest, snapshot.manifest_hash, snapshot.joint.public_key,
                       snapshot.leaves, check_proofs=False)


def trustee_shares(
    snapshot: BoardSnapshot, key: TrusteeKey, proposed: Mapping[str, Ciphertext]
) -> tuple[DecryptionShare, ...]:
    """One trustee's decryption shares, after the checks of §REC-6.

    Raises:
        BoardError: the proposal is not the aggregate of the final board.
    """
    board_for_decryption(snapshot.manifest, snapshot.manifest_hash,
                         PublicKey(key.joint.public_key.element), snapshot.leaves,
                         snapshot.final_head, snapshot.log_key, proposed)
    context = ProofContext(snapshot.election_id, snapshot.manifest_hash,
                           key.joint.public_key.element)
    return compute_shares(context, key, proposed)


def run_tally(
    snapshot: BoardSnapshot, board: BoardCount, shares: Iterable[DecryptionShare]
) -> TallyDocument:
    """Combine the shares (naming bad ones) and derive the results (§REC-7)."""
    joint = snapshot.joint
    context = ProofContext(snapshot.election_id, snapshot.manifest_hash,
                           joint.public_key.element)
    return finish_tally(snapshot.manifest, context, joint, board, _final(snapshot), shares)


def _b64(text: str) -> bytes:
    import base64

    return base64.b64decode(text, validate=True)


def export_record(
    snapshot: BoardSnapshot,
    tally: TallyDocument,
    out: Path | str,
    *,
    witness_keys: tuple[str, ...] = (),
    official: Mapping[str, Any] | None = None,
    seals: tuple[Any, ...] = (),
) -> RecordHeader:
    """Write the election record directory (§REC-2, §REC-3); with ``official``
    (results.md §RES-4) it is a ``tohyo-record/2`` record.

    ``seals``: the recorded seal and unseal statements' JSON (storage.md §ST-8),
    written to ``seals.json`` when there are any (§REC-3.6).

    The heads keep the log's signature and the cosignatures of the listed
    witnesses only: the record lists the witnesses its readers should trust,
    and check V7 refuses a cosignature by a key it does not list. When the
    manifest declares its witnesses (§MAN-21), those are the listed ones and
    ``witness_keys`` is ignored.

    Raises:
        BadRequest: ``record.bad_witness_key`` (not a cosignature/v1 vkey).
    """
    witness_keys = _declared_or(snapshot, witness_keys)
    witnesses = _witness_verifiers(witness_keys)
    with RecordWriter(out) as writer:
        writer.write_manifest(snapshot.manifest.to_json())
        writer.write_ceremony(snapshot.ceremony["transcript"], snapshot.ceremony["joint_key"])
        for leaf in snapshot.leaves:
            writer.add_entry(leaf)
        for head in snapshot.heads:
            writer.add_head(_keep_cosignatures(head, snapshot, witnesses))
        writer.write_tally(tally.to_json())
        if official is not None:
            writer.write_official(official)
        if seals:
            writer.write_seals(list(seals))
        return writer.finish(
            election_id=snapshot.election_id,
            manifest_hash=snapshot.manifest_hash,
            roll=snapshot.roll,
            log=LogInfo(snapshot.log_origin, snapshot.log_key, witness_keys),
        )


def _declared_or(snapshot: BoardSnapshot, witness_keys: tuple[str, ...]) -> tuple[str, ...]:
    declared = snapshot.manifest.log
    return witness_keys if declared is None else declared.witness_keys()


def _require_quorum(snapshot: BoardSnapshot, code: str) -> None:
    """The final head must carry the declared witnesses' quorum (§MAN-21)."""
    declared = snapshot.manifest.log
    if declared is None:
        return
    try:
        declared.require_quorum(parse_note(snapshot.final_head))
    except LogError as exc:
        raise Conflict(code, f"the final head lacks the witnesses' quorum: {exc}") from exc


def _witness_verifiers(witness_keys: tuple[str, ...]) -> tuple[CosignatureVerifier, ...]:
    out = []
    for vkey in witness_keys:
        try:
            verifier = verifier_from_key(vkey)
        except LogError as exc:
            raise BadRequest("record.bad_witness_key", f"{vkey[:40]!r}: {exc}") from exc
        if not isinstance(verifier, CosignatureVerifier):
            raise BadRequest("record.bad_witness_key", f"{vkey[:40]!r} is not a witness key")
        out.append(verifier)
    return tuple(out)


def _keep_cosignatures(
    head: str, snapshot: BoardSnapshot, witnesses: tuple[CosignatureVerifier, ...]
) -> str:
    note = parse_note(head)
    log = verifier_from_key(snapshot.log_key)
    listed = {(w.name, w.key_id) for w in witnesses} | {(log.name, log.key_id)}
    kept = tuple(s for s in note.signatures if (s.name, s.key_id) in listed)
    return SignedNote(note.text, kept).to_text()


def export_board(runtime: Runtime, election_id: str, out: Path | str) -> BoardCount:
    """Write what the trustees check before decrypting (§REC-6, trustees.md).

    ``out`` becomes a record directory whose ``tally.json`` is only the
    proposal (final head, counts, aggregates), plus ``proposal.json`` with the
    same aggregates, the input of ``tohyo trustee decrypt``.

    Raises:
        Conflict: ``tally.not_closed``, ``tally.no_key`` (see :func:`board_snapshot`),
            ``board.witness_quorum`` (the manifest declares witnesses and fewer than
            the quorum cosigned the final head: trustees would refuse it).
    """
    snapshot = board_snapshot(runtime, election_id)
    _require_quorum(snapshot, "board.witness_quorum")
    board = propose_tally(snapshot)
    size, root = _final(snapshot)
    proposal = {
        "election_id": election_id,
        "final_head": {"size": size, "root": root.hex()},
        "counts": board.selection.counts(),
        "aggregates": [{"label": lab, "ct": ct.to_json()} for lab, ct in board.aggregates.items()],
    }
    with RecordWriter(out) as writer:
        writer.write_manifest(snapshot.manifest.to_json())
        writer.write_ceremony(snapshot.ceremony["transcript"], snapshot.ceremony["joint_key"])
        for leaf in snapshot.leaves:
            writer.add_entry(leaf)
        for head in snapshot.heads:
            writer.add_head(head)
        writer.write_tally(proposal)
        writer.finish(election_id=election_id, manifest_hash=snapshot.manifest_hash,
                      roll=snapshot.roll,
                      log=LogInfo(snapshot.log_origin, snapshot.log_key,
                                  _declared_or(snapshot, ())))
    (Path(out) / "proposal.json").write_bytes(dumps_canonical(proposal, max_depth=16))
    return board


def _final(snapshot: BoardSnapshot) -> tuple[int, bytes]:
    lines = parse_note(snapshot.final_head).text.split("\n")
    return int(lines[1]), _b64(lines[2])


def _advance(runtime: Runtime, uow: UnitOfWork, election_id: str, action: Action) -> None:
    row = load_election(uow, election_id)
    try:
        state = transition(domain_state(runtime, uow, row), action, now=runtime.now())
    except DomainError as exc:
        raise domain_error(exc) from exc
    row.state = state.phase.value


def record_tally(
    runtime: Runtime,
    election_id: str,
    shares: Iterable[DecryptionShare],
    *,
    approval: Authority,
) -> TallyDocument:
    """Combine the trustees' shares, store the tally, and move the election to ``tallied``.

    Bad shares are named and set aside; any t valid trustees decrypt (§REC-7.2).
    ``approval``: two officials' ``tally`` approval (authentication.md §AUTH-APPR),
    spent once the shares combine and before anything is stored, so a share set
    short of t does not waste it; the audit row names both officials. The board
    export and the proposal only read the public closed board and need none.

    Raises:
        Conflict: ``tally.not_closed``, ``tally.no_key``,
            ``tally.not_enough_shares`` (fewer than t valid trustees, naming the
            excluded), ``election.invalid_transition`` (already tallied).
        ApprovalRejected: the approval is unknown, unapproved, used or mismatched.
        TypeError: no approval.
    """
    check_authority(approval, GuardedAction.TALLY, election_id, now=runtime.now())
    snapshot = board_snapshot(runtime, election_id)
    board = propose_tally(snapshot)
    try:
        document = run_tally(snapshot, board, shares)
    except CryptoError as exc:
        raise Conflict("tally.not_enough_shares", str(exc)) from exc
    with runtime.uow() as uow:  # refuse a second tally before spending an approval on it
        if load_election(uow, election_id).state != Phase.CLOSED.value:
            raise Conflict("election.invalid_transition", "the election is already tallied")
    with runtime.uow(write=True) as uow:
        _advance(runtime, uow, election_id, RecordTally())
        # Spent in this transaction: a refusal leaves it unused (§AUTH-APPR-3).
        spent = spend_authority(
            approval, GuardedAction.TALLY, election_id, engine=runtime.engine,
            now=runtime.now(), conn=uow.session.connection(),
        )
        now = runtime.now()
        uow.add(ElectionTally(
            election_id=election_id,
            final_size=document.final_size,
            final_root=document.final_root,
            tally_json=dumps_canonical(document.to_json(), max_depth=64).decode(),
            recorded_at=now,
        ))
        audit(uow, election_id, "election.tally", spent.actor, {
            "final_size": document.final_size,
            "trustees": list(document.trustees),
            "excluded": [e.trustee for e in document.excluded],
            **spent.detail,
        }, now)
        uow.commit()
    return document


def recorded_tally(runtime: Runtime, election_id: str) -> TallyDocument:
    """The stored tally of a tallied (or published) election.

    Raises:
        Conflict: ``tally.not_recorded`` before :func:`record_tally`.
    """
    with runtime.uow() as uow:
        load_election(uow, election_id)
        row = tally_of(uow.session, election_id)
        if row is None:
            raise Conflict("tally.not_recorded", "the trustees' shares were not combined yet")
        text = row.tally_json
    return TallyDocument.from_json(loads_strict(text.encode(), max_bytes=256 << 20,
                                                max_depth=64))


def publish_record(
    runtime: Runtime,
    election_id: str,
    out: Path | str,
    *,
    actor: str,
    witness_keys: tuple[str, ...] = (),
) -> RecordHeader:
    """Export the record from the stored tally; the first export publishes the election.

    Every listed witness must have cosigned the final head, or the record
    would fail check V7; an election already published may be exported again.

    When the manifest declares its witnesses (§MAN-21) the record lists exactly
    those, the final head must carry their quorum, and ``witness_keys`` may only
    repeat the declared set.

    Raises:
        Conflict: ``tally.not_recorded``, ``record.stale_tally`` (the tally is
            not bound to the head at the close), ``record.witness_missing``,
            ``record.witness_quorum``, ``record.paper_pending`` (a paper count lacks its
            second entry).
        BadRequest: ``record.bad_witness_key``, ``record.witnesses_declared``
            (other keys than the manifest declares).
    """
    from tohyo.app.results.official import official_result
    from tohyo.app.results.paper import pending_entries

    waiting = pending_entries(runtime, election_id)
    if waiting:
        raise Conflict("record.paper_pending",
                       "paper counts wait for their second entry: " + ", ".join(
                           f"{p.place} / {p.kind}" for p in waiting))
    whole = board_snapshot(runtime, election_id, whole=True)
    snapshot = whole.at_close()
    declared = snapshot.manifest.log
    if declared is not None:
        if witness_keys and set(witness_keys) != set(declared.witness_keys()):
            raise BadRequest("record.witnesses_declared",
                             "the manifest declares the witnesses; --witness may only repeat "
                             "them")
        _require_quorum(snapshot, "record.witness_quorum")
        witness_keys = ()
    document = recorded_tally(runtime, election_id)
    size, root = _final(snapshot)
    if (document.final_size, document.final_root) != (size, root.hex()):
        raise Conflict("record.stale_tally", "the stored tally is not bound to the final head")
    final = parse_note(whole.final_head)
    for witness in _witness_verifiers(witness_keys):
        try:
            verify_cosignature(final, witness)
        except LogError as exc:
            raise Conflict("record.witness_missing",
                           f"witness {witness.name} has not cosigned the final head: {exc}"
                           ) from exc
    official = official_result(runtime, election_id).to_json()
    sealed = tuple(s.signed.to_json() for s in recorded_seals(runtime, election_id))
    header = export_record(whole, document, out, witness_keys=witness_keys, official=official,
                           seals=sealed)
    with runtime.uow(write=True) as uow:
        if load_election(uow, election_id).state == Phase.TALLIED.value:
            _advance(runtime, uow, election_id, Publish())
            audit(uow, election_id, "election.publish", actor,
                  {"record_hash": record_hash(header).hex()}, runtime.now())
            uow.commit()
    return header
