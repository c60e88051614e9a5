"""Rebuild the ballot store from the second medium (storage.md §ST-6.5, seed 003 art. 17.3).

When the primary medium fails after the close, Hiroshima's rules count from the
copy by a recorded decision (様式第7号). Here the decision is two officials'
approval (``rebuild``), and the copy is trusted only as far as the log's signed
heads vouch for it:

1. every signed head known — the stored checkpoints, the latest head in
   ``log_states``, and any head the officials add (e.g. a witness's cosigned
   final head) — must carry the log key's valid signature and this log's origin;
2. the journal must hold every leaf up to the largest such head, each line
   self-checking, and the Merkle root of its leaves at *every* head's size must
   equal that head's root;
3. only then, in one transaction, are the election's ``log_leaves``, ``ballots``,
   ``paper_overrides`` and ``witness_statements`` replaced by the copy's, the
   ballot index derived from the leaves (the states by the effective-ballot rule of
   casting.md), the accepted statements from the ``statement`` leaves (record.md
   §REC-10), and the log's head set to the largest signed head.

Any disagreement is a :class:`RebuildRefused` before anything is written. The
elections, roll, keys and checkpoints must still be in the database (a restored
backup of the database from before the vote carries them); the ballots are what
the copy restores.
"""

from __future__ import annotations

import bisect
import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert, update

from tohyo.app.auth.approvals import GuardedAction
from tohyo.app.auth.authority import Authority, spend_authority
from tohyo.app.errors import Conflict
from tohyo.app.services.common import audit, load_election
from tohyo.app.services.runtime import Runtime
from tohyo.app.store.journal import JournalCorrupt, JournalEntry
from tohyo.app.store.models import (
    LEAF_KINDS,
    Ballot,
    Checkpoint,
    LogLeaf,
    LogState,
    PaperOverride,
)
from tohyo.app.witnessing.tables import AcceptedStatement
from tohyo.log import LogError, SignedNote, open_checkpoint
from tohyo.log.tree import MerkleTree
from tohyo.record.canonical import dumps_canonical
from tohyo.record.statements import InvalidStatement, WitnessStatement

__all__ = ["RebuildRefused", "RebuildReport", "rebuild_from_second_medium"]

_BATCH = 2000
_REBUILT_STATES = ("closed",)


class RebuildRefused(Conflict):
    """The copy cannot be used: it disagrees with a signed head or is incomplete (``rebuild.*``)."""


@dataclass(frozen=True, slots=True)
class RebuildReport:
    election_id: str
    size: int
    ballots: int
    overrides: int
    heads_checked: int


@dataclass(frozen=True, slots=True)
class _Head:
    size: int
    root: str
    note: str
    timestamp_ms: int


def _heads(runtime: Runtime, election_id: str, extra: Sequence[str]) -> list[_Head]:
    """Every head known, sorted by size; the largest carries a verified signature.

    The latest head (``log_states``) and every head given are verified under the
    log key. The stored checkpoints below the largest verified head are only
    compared by root: the signed largest root already fixes every leaf below it,
    so a stored head that disagrees is a fork or damage and refuses the copy;
    a stored head beyond it is verified like the others.
    """
    verifier = runtime.ledger.verifier(election_id)
    origin = runtime.ledger.origin(election_id)
    with runtime.uow() as uow:
        state = uow.log_state(election_id)
        if state is None:
            raise RebuildRefused("rebuild.no_log", "the election has no log")
        signed = [state.checkpoint, *extra]
        stored = [(c.size, c.root_hash, c.timestamp_ms, c.note)
                  for c in uow.checkpoints(election_id)]

    def verified(note: str) -> _Head:
        try:
            opened = open_checkpoint(note, [verifier])
            head = opened.checkpoint
            stamp = head.timestamp_ms
        except (LogError, ValueError) as exc:
            raise RebuildRefused(
                "rebuild.bad_head", f"a signed head does not verify: {exc}"
            ) from exc
        if head.origin != origin:
            raise RebuildRefused("rebuild.bad_head", "a head of another log")
        own = tuple(sig for sig in opened.note.signatures
                    if (sig.name, sig.key_id) == (verifier.name, verifier.key_id))
        text = SignedNote(opened.note.text, own).to_text()  # cosignatures live apart
        return _Head(head.size, head.root_hash.hex(), text, stamp)

    found: dict[int, _Head] = {}

    def add(item: _Head) -> None:
        seen = found.setdefault(item.size, item)
        if seen.root != item.root:
            raise RebuildRefused(
                "rebuild.fork", f"two heads of size {item.size} with different roots"
            )

    for note in signed:
        add(verified(note))
    largest = max(found)
    for size, root, stamp, note in stored:
        add(verified(note) if size > largest else _Head(size, root, note, stamp))
    return sorted(found.values(), key=lambda h: h.size)


def _ordered(runtime: Runtime, election_id: str, size: int) -> Iterator[JournalEntry]:
    """The journal's entries ``[0, size)`` in index order (lines may interleave)."""
    pending: dict[int, JournalEntry] = {}
    following = 0
    for entry in runtime.journal.entries(election_id):
        if entry.index < following or entry.index >= size:
            continue
        pending.setdefault(entry.index, entry)
        while following in pending:
            yield pending.pop(following)
            following += 1
    if following != size:
        raise RebuildRefused("rebuild.incomplete", f"the copy lacks leaf {following}")


def _check_copy(runtime: Runtime, election_id: str, heads: list[_Head]) -> int:
    """Require the copy to reproduce every signed head; return the size to restore."""
    try:
        hashes = runtime.journal.hashes(election_id)
    except JournalCorrupt as exc:
        raise RebuildRefused("rebuild.copy_damaged", str(exc)) from exc
    size = heads[-1].size
    if size == 0:
        raise RebuildRefused("rebuild.empty", "the log is empty: nothing to rebuild")
    tree = MerkleTree()
    for index in range(size):
        value = hashes.get(index)
        if value is None:
            raise RebuildRefused("rebuild.incomplete", f"the copy lacks leaf {index}")
        tree.append_leaf_hash(bytes.fromhex(value))
    for head in heads:
        if tree.root(head.size).hex() != head.root:
            raise RebuildRefused(
                "rebuild.disagrees",
                f"the copy disagrees with the signed head of size {head.size}: not restored",
            )
    beyond = [i for i in hashes if i >= size]
    if beyond:
        raise RebuildRefused(
            "rebuild.beyond_head",
            f"the copy holds {len(beyond)} leaves beyond the largest signed head ({size}); "
            "add the head that covers them (a witness's) with --head",
        )
    return size


def _time(stamps: list[int], moments: list[int], index: int) -> datetime:
    """When leaf ``index`` was appended: the head of the smallest size above it."""
    at = bisect.bisect_right(stamps, index)
    ms = moments[min(at, len(moments) - 1)] if moments else 0
    return datetime.fromtimestamp(ms / 1000, UTC)


def rebuild_from_second_medium(
    runtime: Runtime,
    election_id: str,
    *,
    approval: Authority,
    heads: Sequence[str] = (),
) -> RebuildReport:
    """Replace the election's ballot store by the second medium's copy (see the module).

    Args:
        heads: further signed heads (note text) to check the copy against.

    Raises:
        RebuildRefused: ``rebuild.*``; nothing written.
        Conflict: ``rebuild.not_closed`` before the close or after the tally.
        ApprovalRejected: the approval is not usable (nothing written).
    """
    with runtime.uow() as uow:
        row = load_election(uow, election_id)
        if row.state not in _REBUILT_STATES:
            raise RebuildRefused(
                "rebuild.not_closed", f"the copy is used after the close, before the tally "
                f"(state {row.state})"
            )
    with runtime.ledger.lock(election_id):
        known = _heads(runtime, election_id, heads)
        size = _check_copy(runtime, election_id, known)
        final = known[-1]
        stamps = [h.size - 1 for h in known if h.size > 0]
        moments = [h.timestamp_ms for h in known if h.size > 0]
        now = runtime.now()
        spent = spend_authority(approval, GuardedAction.REBUILD, election_id,
                                engine=runtime.engine, now=now)
        try:
            report = _replace(runtime, election_id, size, final, known, stamps, moments)
        except JournalCorrupt as exc:  # changed under us: the transaction rolled back
            raise RebuildRefused("rebuild.copy_damaged", str(exc)) from exc
        finally:
            runtime.ledger.invalidate(election_id)
        with runtime.uow(write=True) as uow:
            audit(uow, election_id, "second_medium.rebuild", spent.actor,
                  {"size": size, "root": final.root, "ballots": report.ballots,
                   "overrides": report.overrides, "heads_checked": len(known), **spent.detail},
                  now)
            uow.commit()
    return report


def _replace(
    runtime: Runtime,
    election_id: str,
    size: int,
    final: _Head,
    known: list[_Head],
    stamps: list[int],
    moments: list[int],
) -> RebuildReport:
    ballots: list[dict[str, Any]] = []
    overrides: list[dict[str, Any]] = []
    statements: list[dict[str, Any]] = []
    effective: dict[str, int] = {}  # credential → position in ``ballots``
    leaves: list[dict[str, Any]] = []
    tree = MerkleTree()
    with runtime.uow(write=True) as uow:
        session = uow.session
        for table in (Ballot, PaperOverride, AcceptedStatement, LogLeaf):
            session.execute(delete(table).where(table.election_id == election_id))
        for entry in _ordered(runtime, election_id, size):
            data = entry.data.encode()
            tree.append(data)
            # Its leaf hash matched, and the signed heads cover the hashes: these
            # are the exact bytes accepted (strictly parsed) at cast time.
            obj = json.loads(data)
            kind = obj.get("kind") if isinstance(obj, dict) else None
            if kind not in LEAF_KINDS or obj.get("election_id") != election_id:
                # the leaf hash covers the data, not the line's own "kind" field
                raise RebuildRefused("rebuild.copy_damaged", f"leaf {entry.index} is not a leaf")
            leaves.append({"election_id": election_id, "leaf_index": entry.index,
                           "kind": kind, "leaf_hash": entry.leaf_hash, "data": entry.data})
            if len(leaves) >= _BATCH:
                session.execute(insert(LogLeaf), leaves)
                leaves = []
            try:
                at = _time(stamps, moments, entry.index)
                if kind == "statement":
                    statements.append(_statement_row(obj, entry.index, at))
                else:
                    _index_row(data, obj, kind, entry.index, election_id, at,
                               ballots, overrides, effective)
            except (KeyError, TypeError, InvalidStatement, LogError) as exc:
                raise RebuildRefused(
                    "rebuild.copy_damaged", f"leaf {entry.index} lacks a field: {exc}"
                ) from exc
        if leaves:
            session.execute(insert(LogLeaf), leaves)
        if tree.root().hex() != final.root:  # the lines were checked; their data is too
            raise RebuildRefused("rebuild.disagrees", "the copy's data does not reproduce the head")
        for start in range(0, len(ballots), _BATCH):
            session.execute(insert(Ballot), ballots[start:start + _BATCH])
        if overrides:
            session.execute(insert(PaperOverride), overrides)
        if statements:
            session.execute(insert(AcceptedStatement), statements)
        stored = {c.size for c in uow.checkpoints(election_id)}
        for head in known:
            if head.size not in stored:
                session.add(Checkpoint(election_id=election_id, size=head.size,
                                       root_hash=head.root, timestamp_ms=head.timestamp_ms,
                                       note=head.note))
        session.execute(
            update(LogState).where(LogState.election_id == election_id).values(
                size=final.size, root_hash=final.root, checkpoint=final.note,
                updated_at=runtime.now(),
            )
        )
        uow.commit()
    return RebuildReport(election_id, size, len(ballots), len(overrides), len(known))


def _statement_row(obj: dict[str, Any], index: int, at: datetime) -> dict[str, Any]:
    """The accepted-statement row of a ``statement`` leaf, as its intake wrote it."""
    fields = ("election_id", "event", "checked", "head", "witness_key", "signature")
    statement = WitnessStatement.from_json({f: obj[f] for f in fields})
    return {"election_id": statement.election_id, "witness_key": statement.witness_key,
            "event": statement.event.value, "head_size": statement.checkpoint.size,
            "leaf_index": index, "accepted_at": at}


def _index_row(
    data: bytes,
    obj: dict[str, Any],
    kind: str,
    index: int,
    election_id: str,
    at: datetime,
    ballots: list[dict[str, Any]],
    overrides: list[dict[str, Any]],
    effective: dict[str, int],
) -> None:
    """Add leaf ``index``'s row to the ballot index, as casting built it (casting.md §CAST-6).

    A voter's latest ballot is effective and the earlier ones superseded; a paper
    vote excludes the effective one.
    """
    if kind == "ballot":
        credential = str(obj["credential"])
        previous = effective.get(credential)
        if previous is not None:
            ballots[previous]["state"] = "superseded"
        effective[credential] = len(ballots)
        ballots.append({
            "election_id": election_id, "credential": credential,
            "ballot_hash": str(obj["ballot_hash"]),
            "content_hash": hashlib.sha256(_ballot_bytes(data, obj)).hexdigest(),
            "leaf_index": index, "sequence": int(obj.get("sequence", 1)),
            "idempotency_key": f"rebuilt-{index}", "state": "effective", "cast_at": at,
        })
    elif kind == "paper_override":
        credential = str(obj["credential"])
        previous = effective.pop(credential, None)
        if previous is not None:
            ballots[previous]["state"] = "excluded"
        overrides.append({"election_id": election_id, "credential": credential,
                          "leaf_index": index, "recorded_at": at})


_BALLOT_PREFIX = b'{"ballot":'
_AFTER_BALLOT = b',"ballot_hash":"'


def _ballot_bytes(data: bytes, obj: dict[str, Any]) -> bytes:
    """The ballot's canonical JSON, the one the content hash covers (casting.md §CAST-6).

    A leaf is canonical JSON with sorted keys, so ``ballot`` comes first and
    ``ballot_hash`` right after it; the later fields (credential, election id,
    kind, sequence) cannot hold that key, so its last occurrence ends the ballot.
    Slicing avoids re-encoding a large ballot; anything else falls back to encoding.
    """
    end = data.rfind(_AFTER_BALLOT)
    if data.startswith(_BALLOT_PREFIX) and end > len(_BALLOT_PREFIX):
        return data[len(_BALLOT_PREFIX):end]
    return dumps_canonical(obj["ballot"])
