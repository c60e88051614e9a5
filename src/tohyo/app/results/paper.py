"""Paper-count entry by two officials (docs/spec/results.md §RES-2.3, §RES-2.4).

After the close and before publication, an administrator enters the count of
one counting place and kind. The first entry waits; a second administrator's
entry of the same (place, kind) is compared cell by cell with it: if equal,
the count is accepted, signed with the election's log key and appended to the
log as a ``paper_count`` leaf in the same transaction (ADR 0006); if not, the
refusal names every differing cell and the first entry stays. Every refusal
stores nothing (the body of :func:`append_leaves` runs in one transaction).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from tohyo.app.results.errors import InvalidPaperEntry, PaperEntryConflict
from tohyo.app.results.tables import AcceptedPaperCount, PaperEntry
from tohyo.app.services.common import (
    LeafWrite,
    append_leaves,
    audit,
    load_election,
    manifest_of,
)
from tohyo.app.services.runtime import Runtime
from tohyo.app.store.models import LogState
from tohyo.app.store.uow import UnitOfWork
from tohyo.record.canonical import dumps_canonical, loads_strict
from tohyo.record.leaves import paper_count_leaf
from tohyo.record.manifest import Manifest
from tohyo.record.paper import (
    InvalidPaperCount,
    PaperCount,
    count_cells_differ,
    parse_paper_count,
    sign_paper_count,
)

__all__ = [
    "EntryOutcome",
    "PendingEntry",
    "accepted_counts",
    "enter_paper_count",
    "pending_entries",
]

#: Paper counts are entered after the close, before publication (§RES-2.3).
_OPEN_FOR_ENTRY = ("closed", "tallied")


@dataclass(frozen=True, slots=True)
class EntryOutcome:
    """What an entry did: ``accepted`` (with the leaf index) or ``pending``."""

    status: str
    count: PaperCount
    leaf_index: int | None = None
    entered_by: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "place": self.count.place,
                "kind": self.count.kind.value, "leaf_index": self.leaf_index,
                "entered_by": list(self.entered_by)}


@dataclass(frozen=True, slots=True)
class PendingEntry:
    """A first entry awaiting its second (who and when only, never the figures)."""

    place: str
    kind: str
    official: str
    entered_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {"place": self.place, "kind": self.kind, "official": self.official,
                "entered_at": self.entered_at.isoformat()}


def _check_state(state: str) -> None:
    if state in ("published", "disposed"):
        raise PaperEntryConflict("paper.published",
                                 "the result is published; paper counts can no longer change")
    if state not in _OPEN_FOR_ENTRY:
        raise PaperEntryConflict("paper.not_closed",
                                 "paper counts are entered after the close")


def _parse(manifest: Manifest, count: Any) -> PaperCount:
    try:
        return parse_paper_count(manifest, count)
    except InvalidPaperCount as exc:
        raise InvalidPaperEntry(exc.code, str(exc), (exc.field,)) from None


def _stored(manifest: Manifest, text: str) -> PaperCount:
    return parse_paper_count(manifest, loads_strict(text.encode(), max_depth=16))


def enter_paper_count(
    runtime: Runtime, election_id: str, count: Mapping[str, Any], *, official: str
) -> EntryOutcome:
    """Enter one official's count of one place and kind (§RES-2.3).

    Raises:
        NotFound: ``election.not_found``.
        InvalidPaperEntry: the count breaks §RES-2.1–2.2, naming the field.
        PaperEntryConflict: ``paper.not_closed``, ``paper.published``,
            ``paper.duplicate`` (already accepted), ``paper.same_official``
            (a second entry by the first official), ``paper.mismatch`` (naming
            the cells that differ from the first entry).
    """
    with runtime.uow() as uow:
        row = load_election(uow, election_id)
        manifest = manifest_of(runtime, row)
        _check_state(row.state)
    entered = _parse(manifest, count)
    signer = runtime.ledger.signer(election_id)

    def body(uow: UnitOfWork, state: LogState) -> tuple[list[LeafWrite], EntryOutcome]:
        _check_state(load_election(uow, election_id).state)
        key = (election_id, entered.place, entered.kind.value)
        if uow.session.get(AcceptedPaperCount, key) is not None:
            raise PaperEntryConflict(
                "paper.duplicate",
                f"the count of {entered.place} / {entered.kind.value} is already accepted")
        now = runtime.now()
        first = uow.session.get(PaperEntry, key)
        if first is None:
            uow.add(PaperEntry(election_id=election_id, place=entered.place,
                               kind=entered.kind.value, official=official,
                               count_json=dumps_canonical(entered.to_json()).decode(),
                               entered_at=now))
            audit(uow, election_id, "paper_count.enter", official,
                  {"place": entered.place, "kind": entered.kind.value, "entry": 1}, now)
            return [], EntryOutcome("pending", entered, None, (official,))
        if first.official == official:
            raise PaperEntryConflict(
                "paper.same_official",
                "the second entry must be made by a different official")
        differ = count_cells_differ(_stored(manifest, first.count_json), entered)
        if differ:
            raise PaperEntryConflict(
                "paper.mismatch",
                f"the entries of {entered.place} / {entered.kind.value} differ at "
                f"{', '.join(differ)}; re-count, then enter again", differ)
        by = tuple(sorted((first.official, official)))
        signature = sign_paper_count(entered, (by[0], by[1]), signer)
        leaf = paper_count_leaf(election_id, entered.to_json(), (by[0], by[1]), signature)
        uow.session.delete(first)
        uow.add(AcceptedPaperCount(
            election_id=election_id, place=entered.place, kind=entered.kind.value,
            first_official=by[0], second_official=by[1],
            count_json=dumps_canonical(entered.to_json()).decode(),
            leaf_index=state.size, accepted_at=now))
        audit(uow, election_id, "paper_count.accept", official,
              {"place": entered.place, "kind": entered.kind.value, "entry": 2,
               "leaf_index": state.size, "entered_by": list(by)}, now)
        data = {k: v for k, v in leaf.items() if k not in ("kind", "election_id")}
        return [LeafWrite("paper_count", data)], EntryOutcome("accepted", entered,
                                                               state.size, by)

    _, outcome = append_leaves(runtime, election_id, body)
    if outcome is None:  # body always returns one; this keeps the type exact
        raise RuntimeError("paper-count entry returned no outcome")
    return outcome


def accepted_counts(runtime: Runtime, election_id: str) -> list[PaperCount]:
    """The accepted counts of an election, by (place, kind)."""
    with runtime.uow() as uow:
        row = load_election(uow, election_id)
        manifest = manifest_of(runtime, row)
        rows = uow.session.scalars(
            select(AcceptedPaperCount).where(AcceptedPaperCount.election_id == election_id)
            .order_by(AcceptedPaperCount.place, AcceptedPaperCount.kind)).all()
        texts = [r.count_json for r in rows]
    return [_stored(manifest, t) for t in texts]


def pending_entries(runtime: Runtime, election_id: str) -> list[PendingEntry]:
    """First entries still waiting for their second."""
    with runtime.uow() as uow:
        load_election(uow, election_id)
        rows = uow.session.scalars(
            select(PaperEntry).where(PaperEntry.election_id == election_id)
            .order_by(PaperEntry.place, PaperEntry.kind)).all()
        return [PendingEntry(r.place, r.kind, r.official, r.entered_at) for r in rows]
